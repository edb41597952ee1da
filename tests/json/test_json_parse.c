/* base: the strict JSON reader (jansson behind base.h): a valid and an
 * invalid corpus, escapes and surrogate pairs, what hostile input gets
 * (duplicate names, \u0000, huge numbers, raw NUL bytes, deep nesting),
 * lookups, and a round trip through the JSON writer. */
#include "base/base.h"
#include "tests/test.h"

#include <errno.h>

static struct sc_jv *parse_ok(const char *text)
{
    struct sc_jv *v = NULL;
    char err[128];
    int rc = sc_json_parse(text, strlen(text), &v, err, sizeof(err));
    if (rc != 0) TEST_FAIL("'%s' should parse: %s", text, err);
    ASSERT_NOT_NULL(v);
    return v;
}

static void valid_corpus(void)
{
    static const char *const valid[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "1.5e3",
        "\"\"",
        "true",
        "false",
        "null",
        " \t\r\n{ } \n",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}",
        "[[[]]]",
        "-12.25E-2",
        "[1e+2]",
        "{\"\":0}",
        "\"\\u00e9\\u4e2d\"",
        "\"中文\"",
        "{\"a\":{\"a\":1},\"b\":{\"a\":1}}", /* the same name in different objects */
        "1e-400",                            /* underflows to 0, as strtod does */
    };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        sc_jv_free(parse_ok(valid[i]));
}

static void invalid_corpus(void)
{
    static const char *const invalid[] = {
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "[1 2]", "{a:1}", "{'a':1}", "01", "1.", ".5",
        "+1", "1e", "-", "tru", "nul", "True", "NaN", "Infinity", "\"abc", "\"\\x\"", "\"\\u12\"",
        "\"\\uZZZZ\"", "\"a\tb\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{} {}",
        "[1]x", "{\"a\" 1}", "{\"a\":}", "[,1]", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
        "/* c */1", "[1]//",
        /* Refused on purpose (base.h): two readers could disagree on these. */
        "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "\"x\\u0000y\"", "{\"a\\u0000b\":1}",
        "9223372036854775808", "-9223372036854775809",
        "12345678901234567890123456789012345678901234567890", "1e400", "-1e400",
        "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        struct sc_jv *v = (struct sc_jv *)1;
        char err[128] = "";
        int rc = sc_json_parse(invalid[i], strlen(invalid[i]), &v, err, sizeof(err));
        if (rc != -EINVAL) TEST_FAIL("'%s' should be rejected, got %d", invalid[i], rc);
        ASSERT_TRUE(v == NULL);
        ASSERT_TRUE(strstr(err, "at offset") != NULL);
    }
}

static void error_offsets(void)
{
    struct sc_jv *v;
    char err[128];
    /* jansson's words; the offset is where its lexer stood, after the token. */
    ASSERT_EQ(sc_json_parse("[1,2,x]", 7, &v, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "invalid token near 'x' at offset 6");
    ASSERT_EQ(sc_json_parse("{\"a\":1,}", 8, &v, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "string or '}' expected near '}' at offset 8");
    /* An embedded NUL ends nothing: the length given is what is parsed, and
     * a raw NUL anywhere is refused (jansson alone would take "1\0" as 1). */
    ASSERT_EQ(sc_json_parse("1\0", 2, &v, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "NUL byte at offset 1");
    ASSERT_EQ(sc_json_parse("[1, \0]", 6, &v, NULL, 0), -EINVAL);
    ASSERT_EQ(sc_json_parse("1\0", 1, &v, NULL, 0), 0);
    sc_jv_free(v);
    ASSERT_EQ(sc_json_parse("{\"a\":1,\"a\":2}", 13, &v, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "duplicate object key") != NULL);
}

static void escapes_to_utf8(void)
{
    struct sc_jv *v =
        parse_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\"");
    ASSERT_EQ(v->type, SC_JV_STRING);
    ASSERT_STR_EQ(v->string, "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
    ASSERT_EQ(v->length, strlen(v->string));
    sc_jv_free(v);
    /* \u0000 is refused (invalid_corpus): every consumer reads C strings, and
     * "ok\u0000junk" must not pass as "ok". Other control escapes decode. */
    v = parse_ok("\"\\u0001\\u001f\"");
    ASSERT_EQ(v->length, 2);
    ASSERT_STR_EQ(v->string, "\x01\x1f");
    sc_jv_free(v);
    /* Uppercase hex and the highest code point. */
    v = parse_ok("\"\\uDBFF\\uDFFF\"");
    ASSERT_STR_EQ(v->string, "\xf4\x8f\xbf\xbf");
    sc_jv_free(v);
}

static void numbers(void)
{
    struct sc_jv *v =
        parse_ok("[0, -7, 42, 1.5, -2.5e-3, 1E2, 9007199254740992, "
                 "9007199254740993000, 1.2345678901234567890123456789012345678901234567890e69, "
                 "-9223372036854775808, 9223372036854775807, 1.0]");
    ASSERT_EQ(v->count, 12);
    ASSERT_TRUE(v->items[0].is_integer);
    ASSERT_EQ(v->items[0].integer, 0);
    ASSERT_EQ(v->items[1].integer, -7);
    ASSERT_EQ(v->items[2].integer, 42);
    ASSERT_FALSE(v->items[3].is_integer);
    ASSERT_NEAR(v->items[3].number, 1.5, 1e-12);
    ASSERT_NEAR(v->items[4].number, -0.0025, 1e-15);
    ASSERT_FALSE(v->items[5].is_integer); /* an exponent makes it a real */
    ASSERT_NEAR(v->items[5].number, 100, 1e-9);
    ASSERT_TRUE(v->items[6].is_integer);
    ASSERT_EQ(v->items[6].integer, 9007199254740992LL);
    /* jansson keeps integers as int64: exact beyond 2^53 too; a literal
     * outside int64 is refused (invalid_corpus), a real keeps any size. */
    ASSERT_TRUE(v->items[7].is_integer);
    ASSERT_EQ(v->items[7].integer, 9007199254740993000LL);
    ASSERT_FALSE(v->items[8].is_integer);
    ASSERT_NEAR(v->items[8].number, 1.2345678901234568e69, 1e55);
    ASSERT_EQ(v->items[9].integer, INT64_MIN);
    ASSERT_EQ(v->items[10].integer, INT64_MAX);
    ASSERT_FALSE(v->items[11].is_integer); /* a fraction makes it a real */
    sc_jv_free(v);
}

static void depth_limit(void)
{
    char deep[2 * SC_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < SC_JSON_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < SC_JSON_MAX_DEPTH; i++)
        deep[n++] = ']';
    struct sc_jv *v;
    ASSERT_EQ(sc_json_parse(deep, n, &v, NULL, 0), 0);
    sc_jv_free(v);
    /* One level more is refused, not a stack overflow. */
    char deeper[2 * SC_JSON_MAX_DEPTH + 8];
    n = 0;
    for (int i = 0; i <= SC_JSON_MAX_DEPTH; i++)
        deeper[n++] = '[';
    for (int i = 0; i <= SC_JSON_MAX_DEPTH; i++)
        deeper[n++] = ']';
    char err[128];
    ASSERT_EQ(sc_json_parse(deeper, n, &v, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "nesting too deep") != NULL);
    /* Past jansson's own limit (2048) too, and a million open brackets:
     * still just an error. */
    char *past = malloc(2 * 3000);
    ASSERT_NOT_NULL(past);
    memset(past, '[', 3000);
    memset(past + 3000, ']', 3000);
    ASSERT_EQ(sc_json_parse(past, 2 * 3000, &v, NULL, 0), -EINVAL);
    free(past);
    size_t huge = 1000000;
    char *many = malloc(huge);
    ASSERT_NOT_NULL(many);
    memset(many, '[', huge);
    ASSERT_EQ(sc_json_parse(many, huge, &v, NULL, 0), -EINVAL);
    free(many);
}

static void lookups(void)
{
    struct sc_jv *v =
        parse_ok("{\"command\":\"press\",\"action\":\"ok\",\"request_id\":7,\"flag\":true,"
                 "\"real\":1.5,\"list\":[\"a\",2]}");
    ASSERT_STR_EQ(sc_jv_get_string(v, "command"), "press");
    ASSERT_TRUE(sc_jv_get_string(v, "request_id") == NULL); /* not a string */
    ASSERT_TRUE(sc_jv_get_string(v, "missing") == NULL);
    int64_t id = 0;
    ASSERT_EQ(sc_jv_get_int(v, "request_id", &id), 0);
    ASSERT_EQ(id, 7);
    ASSERT_EQ(sc_jv_get_int(v, "real", &id), -EINVAL);
    ASSERT_EQ(sc_jv_get_int(v, "missing", &id), -ENOENT);
    bool flag = false;
    ASSERT_EQ(sc_jv_get_bool(v, "flag", &flag), 0);
    ASSERT_TRUE(flag);
    ASSERT_EQ(sc_jv_get_bool(v, "command", &flag), -EINVAL);
    const struct sc_jv *list = sc_jv_get(v, "list");
    ASSERT_NOT_NULL(list);
    ASSERT_STR_EQ(sc_jv_at(list, 0)->string, "a");
    ASSERT_EQ(sc_jv_at(list, 1)->integer, 2);
    ASSERT_TRUE(sc_jv_at(list, 2) == NULL);
    ASSERT_TRUE(sc_jv_get(list, "a") == NULL); /* not an object */
    ASSERT_TRUE(sc_jv_get(NULL, "a") == NULL);
    sc_jv_free(v);
    sc_jv_free(NULL);
}

/* Whatever the writer produces (including escaped junk bytes), the reader
 * takes back with the same text. */
static void writer_round_trip(void)
{
    struct sc_buf buf = {0};
    struct sc_json json;
    sc_json_init(&json, &buf, true);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "title", "学习 \"课\"\n\x01 tab\t");
    sc_json_kv_int(&json, "n", -123456789012LL);
    sc_json_kv_bool(&json, "b", false);
    sc_json_key(&json, "empty");
    sc_json_array_begin(&json);
    sc_json_array_end(&json);
    sc_json_object_end(&json);
    ASSERT_FALSE(buf.failed);
    struct sc_jv *v = parse_ok(buf.data);
    ASSERT_STR_EQ(sc_jv_get_string(v, "title"), "学习 \"课\"\n\x01 tab\t");
    int64_t n = 0;
    ASSERT_EQ(sc_jv_get_int(v, "n", &n), 0);
    ASSERT_EQ(n, -123456789012LL);
    ASSERT_EQ(sc_jv_get(v, "empty")->type, SC_JV_ARRAY);
    ASSERT_EQ(sc_jv_get(v, "empty")->count, 0);
    sc_jv_free(v);
    sc_buf_free(&buf);
}

int main(void)
{
    RUN_TEST(valid_corpus);
    RUN_TEST(invalid_corpus);
    RUN_TEST(error_offsets);
    RUN_TEST(escapes_to_utf8);
    RUN_TEST(numbers);
    RUN_TEST(depth_limit);
    RUN_TEST(lookups);
    RUN_TEST(writer_round_trip);
    return 0;
}
