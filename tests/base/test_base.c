/* base: JSON writer validity and escaping, ISO 8601 parsing, buffers, atomic files. */
#include "base/base.h"
#include "tests/test.h"

#include <errno.h>
#include <unistd.h>

static void json_nested_and_escaped(void)
{
    struct sc_buf buf = {0};
    struct sc_json json;
    sc_json_init(&json, &buf, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "name", "学习 \"课\"\n\x01");
    sc_json_key(&json, "list");
    sc_json_array_begin(&json);
    sc_json_int(&json, 1);
    sc_json_double(&json, 2.5);
    sc_json_double(&json, 1234567890123.5);
    sc_json_object_begin(&json);
    sc_json_object_end(&json);
    sc_json_array_end(&json);
    sc_json_kv_bool(&json, "ok", true);
    sc_json_kv_double(&json, "nan", NAN);
    sc_json_kv_string(&json, "bad",
                      "a\xff"
                      "b");
    sc_json_kv_string(&json, "none", NULL);
    sc_json_object_end(&json);
    ASSERT_FALSE(buf.failed);
    ASSERT_STR_EQ(buf.data,
                  "{\"name\":\"学习 \\\"课\\\"\\n\\u0001\",\"list\":[1,2.5,1234567890123.5,{}],"
                  "\"ok\":true,\"nan\":null,\"bad\":\"a\\ufffdb\",\"none\":null}");
    sc_buf_free(&buf);
}

static void iso8601_round_trip(void)
{
    int64_t t;
    ASSERT_EQ(sc_parse_iso8601("2026-11-28T13:05:27Z", &t), 0);
    ASSERT_EQ(t, 1795871127);
    char text[32];
    sc_format_iso8601_utc(t, text, sizeof(text));
    ASSERT_STR_EQ(text, "2026-11-28T13:05:27Z");
    ASSERT_EQ(sc_parse_iso8601("2026-11-28T21:05:27+08:00", &t), 0);
    ASSERT_EQ(t, 1795871127);
    ASSERT_EQ(sc_parse_iso8601("2026-11-28", &t), 0);
    ASSERT_EQ(t, 1795824000);
    ASSERT_EQ(sc_parse_iso8601("2026-02-30T10:00", &t), -1);
    ASSERT_EQ(sc_parse_iso8601("2026-11-28T25:00", &t), -1);
    ASSERT_EQ(sc_parse_iso8601("yesterday", &t), -1);
    ASSERT_EQ(sc_parse_iso8601("2026-11-28T10:00Zjunk", &t), -1);
}

static void atomic_file_round_trip(void)
{
    char dir[] = "/tmp/sc_base_XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/f.txt", dir);
    ASSERT_EQ(sc_write_file_atomic(path, "hello", 5), 0);
    ASSERT_EQ(sc_write_file_atomic(path, "bye", 3), 0);
    char *data;
    size_t len;
    ASSERT_EQ(sc_read_file(path, 100, &data, &len), 0);
    ASSERT_EQ(len, 3);
    ASSERT_STR_EQ(data, "bye");
    free(data);
    ASSERT_EQ(sc_read_file(path, 2, &data, &len), -EFBIG);
    ASSERT_EQ(sc_read_file("/nonexistent/x", 2, &data, &len), -ENOENT);
    unlink(path);
    rmdir(dir);
}

static void log_rate_limit(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    struct sc_log *root = sc_log_create(mem, SC_LOG_INFO);
    struct sc_log *child = sc_log_child(root, "demux");
    struct sc_log_limit limit = {.burst = 3, .period_ms = 60000};
    for (int i = 0; i < 10; i++)
        sc_logf_limited(child, &limit, SC_LOG_WARN, "cc error %d", i);
    SC_DEBUG(child, "hidden");
    sc_log_destroy(child);
    sc_log_destroy(root);
    fclose(mem);
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    ASSERT_EQ(lines, 3);
    ASSERT_TRUE(strstr(text, "[demux] cc error 2") != NULL);
    ASSERT_TRUE(strstr(text, "cc error 3") == NULL);
    ASSERT_EQ(limit.suppressed, 7);
    free(text);
}

int main(void)
{
    RUN_TEST(json_nested_and_escaped);
    RUN_TEST(iso8601_round_trip);
    RUN_TEST(atomic_file_round_trip);
    RUN_TEST(log_rate_limit);
    return 0;
}
