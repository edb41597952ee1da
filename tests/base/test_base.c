/* base: JSON writer validity and escaping, ISO 8601 parsing, buffers, atomic files. */
#include "base/base.h"
#include "tests/test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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

/* The fd-relative helpers never follow a link: a write replaces a link at
 * its name (the file it points to stays as it was), a read refuses it, and
 * a FIFO is refused without waiting for a writer. */
static void file_at_no_follow(void)
{
    char dir[] = "/tmp/sc_base_XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(dirfd >= 0);
    char victim[128], link[128];
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    snprintf(link, sizeof(link), "%s/out.csv", dir);
    ASSERT_EQ(sc_write_file_atomic(victim, "precious", 8), 0);
    ASSERT_EQ(symlink(victim, link), 0);
    char *data;
    size_t len;
    ASSERT_EQ(sc_read_file_at(dirfd, "out.csv", 100, &data, &len), -ELOOP);
    ASSERT_EQ(sc_write_file_atomic_at(dirfd, "out.csv", "new", 3, 0644), 0);
    struct stat sb;
    ASSERT_EQ(lstat(link, &sb), 0);
    ASSERT_TRUE(S_ISREG(sb.st_mode)); /* the link was replaced by the file */
    ASSERT_EQ(sb.st_mode & 0777, 0644);
    ASSERT_EQ(sc_read_file(victim, 100, &data, &len), 0);
    ASSERT_STR_EQ(data, "precious");
    free(data);
    ASSERT_EQ(sc_read_file_at(dirfd, "out.csv", 100, &data, &len), 0);
    ASSERT_EQ(len, 3);
    ASSERT_STR_EQ(data, "new");
    free(data);
    ASSERT_EQ(sc_read_file_at(dirfd, "out.csv", 2, &data, &len), -EFBIG);
    ASSERT_EQ(sc_read_file_at(dirfd, "none", 2, &data, &len), -ENOENT);
    ASSERT_EQ(mkfifoat(dirfd, "fifo", 0600), 0);
    ASSERT_EQ(sc_read_file_at(dirfd, "fifo", 100, &data, &len), -EINVAL);
    ASSERT_EQ(mkdirat(dirfd, "sub", 0700), 0);
    ASSERT_EQ(sc_read_file_at(dirfd, "sub", 100, &data, &len), -EINVAL);
    /* the temporary file never survives */
    ASSERT_EQ(faccessat(dirfd, "out.csv.tmp", F_OK, 0), -1);
    unlinkat(dirfd, "sub", AT_REMOVEDIR);
    unlinkat(dirfd, "fifo", 0);
    unlinkat(dirfd, "out.csv", 0);
    unlinkat(dirfd, "victim", 0);
    close(dirfd);
    ASSERT_EQ(rmdir(dir), 0); /* nothing else was left in it */
}

/* Control characters (C0, DEL, C1) are found and never printed raw. */
static void text_controls(void)
{
    ASSERT_TRUE(!sc_text_has_control("乡村振兴 Class 1"));
    ASSERT_TRUE(sc_text_has_control("a\x1b[2Jb"));
    ASSERT_TRUE(sc_text_has_control("a\x7f"));
    ASSERT_TRUE(sc_text_has_control("a\xc2\x9b"
                                    "31m")); /* C1 CSI */
    char out[64];
    ASSERT_STR_EQ(sc_text_printable("课\x1b[2J\x7f\xc2\x9bx", out, sizeof(out)),
                  "课\\x1b[2J\\x7f\\xc2\\x9bx");
    ASSERT_STR_EQ(sc_text_printable("\x1b\x1b", out, 6), "\\x1b"); /* cut, never half */
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
    RUN_TEST(file_at_no_follow);
    RUN_TEST(log_rate_limit);
    RUN_TEST(text_controls);
    return 0;
}
