/* Strict JSON reader (RFC 8259) building a small DOM; see base.h.
 * Recursive descent with an explicit depth limit, so hostile input can
 * neither overflow the stack nor make us accept what other parsers reject. */
#include "base/base.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const unsigned char *p;
    const unsigned char *end;
    const unsigned char *start;
    int depth;
    char *err;
    size_t err_size;
};

static int fail(struct parser *ps, const char *what)
{
    if (ps->err && ps->err_size)
        snprintf(ps->err, ps->err_size, "%s at offset %zu", what, (size_t)(ps->p - ps->start));
    return -EINVAL;
}

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool take_literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return false;
    ps->p += n;
    return true;
}

static int parse_value(struct parser *ps, struct sc_jv *out);

static int hex4(struct parser *ps, uint32_t *value)
{
    if (ps->end - ps->p < 4) return fail(ps, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = ps->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return fail(ps, "bad hex digit in \\u escape");
    }
    ps->p += 4;
    *value = v;
    return 0;
}

static void put_utf8(struct sc_buf *buf, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sc_buf_append(buf, b, n);
}

/* Length of a valid UTF-8 sequence at p (no overlongs, no surrogates), or 0. */
static size_t utf8_valid(const unsigned char *p, const unsigned char *end)
{
    size_t n;
    uint32_t cp;
    if (p[0] < 0x80) return 1;
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

static int parse_escape(struct parser *ps, struct sc_buf *buf)
{
    if (ps->p >= ps->end) return fail(ps, "truncated escape");
    unsigned char c = *ps->p++;
    switch (c) {
    case '"':
        sc_buf_append(buf, "\"", 1);
        return 0;
    case '\\':
        sc_buf_append(buf, "\\", 1);
        return 0;
    case '/':
        sc_buf_append(buf, "/", 1);
        return 0;
    case 'b':
        sc_buf_append(buf, "\b", 1);
        return 0;
    case 'f':
        sc_buf_append(buf, "\f", 1);
        return 0;
    case 'n':
        sc_buf_append(buf, "\n", 1);
        return 0;
    case 'r':
        sc_buf_append(buf, "\r", 1);
        return 0;
    case 't':
        sc_buf_append(buf, "\t", 1);
        return 0;
    case 'u':
        break;
    default:
        ps->p--;
        return fail(ps, "unknown escape");
    }
    uint32_t cp;
    int rc = hex4(ps, &cp);
    if (rc) return rc;
    if (cp >= 0xdc00 && cp <= 0xdfff) return fail(ps, "lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
        uint32_t low;
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
            return fail(ps, "high surrogate without low surrogate");
        ps->p += 2;
        if ((rc = hex4(ps, &low))) return rc;
        if (low < 0xdc00 || low > 0xdfff) return fail(ps, "high surrogate without low surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    put_utf8(buf, cp);
    return 0;
}

/* Parses a string at ps->p (which is at the opening quote) into a
 * NUL-terminated malloc'd buffer. */
static int parse_string(struct parser *ps, char **text, size_t *len)
{
    struct sc_buf buf = {0};
    ps->p++; /* opening quote */
    int rc = 0;
    for (;;) {
        if (ps->p >= ps->end) {
            rc = fail(ps, "unterminated string");
            break;
        }
        unsigned char c = *ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) {
            rc = fail(ps, "control character in string");
            break;
        }
        if (c == '\\') {
            ps->p++;
            if ((rc = parse_escape(ps, &buf))) break;
            continue;
        }
        size_t n = utf8_valid(ps->p, ps->end);
        if (n == 0) {
            rc = fail(ps, "invalid UTF-8 in string");
            break;
        }
        sc_buf_append(&buf, ps->p, n);
        ps->p += n;
    }
    if (!rc && !buf.data) sc_buf_append(&buf, "", 0);
    if (!rc && buf.failed) rc = -ENOMEM;
    if (rc) {
        sc_buf_free(&buf);
        return rc;
    }
    *text = buf.data;
    *len = buf.len;
    return 0;
}

static bool is_digit(const struct parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static int parse_number(struct parser *ps, struct sc_jv *out)
{
    const unsigned char *begin = ps->p;
    bool integral = true;
    if (ps->p < ps->end && *ps->p == '-') ps->p++;
    if (!is_digit(ps)) return fail(ps, "bad number");
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps)) return fail(ps, "leading zero in number");
    } else {
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        integral = false;
        ps->p++;
        if (!is_digit(ps)) return fail(ps, "digit expected after decimal point");
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        integral = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (!is_digit(ps)) return fail(ps, "digit expected in exponent");
        while (is_digit(ps))
            ps->p++;
    }
    size_t n = (size_t)(ps->p - begin);
    char text[64];
    if (n >= sizeof(text)) {
        /* Very long literals are still valid JSON: convert from a heap copy. */
        char *copy = strndup((const char *)begin, n);
        if (!copy) return -ENOMEM;
        out->number = strtod(copy, NULL);
        free(copy);
    } else {
        memcpy(text, begin, n);
        text[n] = '\0';
        out->number = strtod(text, NULL);
    }
    out->type = SC_JV_NUMBER;
    /* Integers within +-2^53 are exact in a double: offer them as int64. */
    out->is_integer =
        integral && out->number >= -9007199254740992.0 && out->number <= 9007199254740992.0;
    out->integer = out->is_integer ? (int64_t)out->number : 0;
    return 0;
}

static int grow(void **items, size_t *cap, size_t count, size_t item_size)
{
    if (count < *cap) return 0;
    size_t new_cap = *cap ? *cap * 2 : 4;
    void *bigger = realloc(*items, new_cap * item_size);
    if (!bigger) return -ENOMEM;
    *items = bigger;
    *cap = new_cap;
    return 0;
}

static int parse_array(struct parser *ps, struct sc_jv *out)
{
    ps->p++; /* [ */
    out->type = SC_JV_ARRAY;
    size_t cap = 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return 0;
    }
    for (;;) {
        int rc = grow((void **)&out->items, &cap, out->count, sizeof(*out->items));
        if (rc) return rc;
        struct sc_jv *item = &out->items[out->count];
        memset(item, 0, sizeof(*item));
        out->count++;
        if ((rc = parse_value(ps, item))) return rc;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return 0;
        }
        return fail(ps, "',' or ']' expected");
    }
}

static int parse_object(struct parser *ps, struct sc_jv *out)
{
    ps->p++; /* { */
    out->type = SC_JV_OBJECT;
    size_t cap = 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 0;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "member name expected");
        int rc = grow((void **)&out->members, &cap, out->count, sizeof(*out->members));
        if (rc) return rc;
        struct sc_jv_member *member = &out->members[out->count];
        memset(member, 0, sizeof(*member));
        out->count++;
        if ((rc = parse_string(ps, &member->key, &member->key_len))) return rc;
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "':' expected");
        ps->p++;
        if ((rc = parse_value(ps, &member->value))) return rc;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return 0;
        }
        return fail(ps, "',' or '}' expected");
    }
}

static int parse_value(struct parser *ps, struct sc_jv *out)
{
    skip_space(ps);
    if (ps->p >= ps->end) return fail(ps, "value expected");
    switch (*ps->p) {
    case '{':
    case '[': {
        if (ps->depth >= SC_JSON_MAX_DEPTH) return fail(ps, "nesting too deep");
        ps->depth++;
        int rc = *ps->p == '{' ? parse_object(ps, out) : parse_array(ps, out);
        ps->depth--;
        return rc;
    }
    case '"':
        out->type = SC_JV_STRING;
        return parse_string(ps, &out->string, &out->length);
    case 't':
        if (!take_literal(ps, "true")) break;
        out->type = SC_JV_BOOL;
        out->boolean = true;
        return 0;
    case 'f':
        if (!take_literal(ps, "false")) break;
        out->type = SC_JV_BOOL;
        out->boolean = false;
        return 0;
    case 'n':
        if (!take_literal(ps, "null")) break;
        out->type = SC_JV_NULL;
        return 0;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return parse_number(ps, out);
        break;
    }
    return fail(ps, "unexpected character");
}

static void free_children(struct sc_jv *v)
{
    if (v->type == SC_JV_STRING) {
        free(v->string);
    } else if (v->type == SC_JV_ARRAY) {
        for (size_t i = 0; i < v->count; i++)
            free_children(&v->items[i]);
        free(v->items);
    } else if (v->type == SC_JV_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            free(v->members[i].key);
            free_children(&v->members[i].value);
        }
        free(v->members);
    }
}

int sc_json_parse(const char *text, size_t len, struct sc_jv **out, char *err, size_t err_size)
{
    *out = NULL;
    if (err && err_size) err[0] = '\0';
    struct sc_jv *root = calloc(1, sizeof(*root));
    if (!root) return -ENOMEM;
    struct parser ps = {.p = (const unsigned char *)text,
                        .end = (const unsigned char *)text + len,
                        .start = (const unsigned char *)text,
                        .err = err,
                        .err_size = err_size};
    int rc = parse_value(&ps, root);
    if (!rc) {
        skip_space(&ps);
        if (ps.p != ps.end) rc = fail(&ps, "trailing characters after the value");
    }
    if (rc == -ENOMEM && err && err_size) snprintf(err, err_size, "out of memory");
    if (rc) {
        sc_jv_free(root);
        return rc;
    }
    *out = root;
    return 0;
}

void sc_jv_free(struct sc_jv *value)
{
    if (!value) return;
    free_children(value);
    free(value);
}

const struct sc_jv *sc_jv_get(const struct sc_jv *object, const char *key)
{
    if (!object || object->type != SC_JV_OBJECT) return NULL;
    size_t key_len = strlen(key);
    for (size_t i = 0; i < object->count; i++)
        if (object->members[i].key_len == key_len &&
            memcmp(object->members[i].key, key, key_len) == 0)
            return &object->members[i].value;
    return NULL;
}

const char *sc_jv_get_string(const struct sc_jv *object, const char *key)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    return v && v->type == SC_JV_STRING ? v->string : NULL;
}

int sc_jv_get_int(const struct sc_jv *object, const char *key, int64_t *value)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    if (!v) return -ENOENT;
    if (v->type != SC_JV_NUMBER || !v->is_integer) return -EINVAL;
    *value = v->integer;
    return 0;
}

int sc_jv_get_bool(const struct sc_jv *object, const char *key, bool *value)
{
    const struct sc_jv *v = sc_jv_get(object, key);
    if (!v) return -ENOENT;
    if (v->type != SC_JV_BOOL) return -EINVAL;
    *value = v->boolean;
    return 0;
}

const struct sc_jv *sc_jv_at(const struct sc_jv *array, size_t index)
{
    if (!array || array->type != SC_JV_ARRAY || index >= array->count) return NULL;
    return &array->items[index];
}
