/* Streaming JSON writer that always produces valid JSON; see base.h. */
#include "base/base.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void sc_json_init(struct sc_json *json, struct sc_buf *out, bool pretty)
{
    *json = (struct sc_json){.out = out, .pretty = pretty};
}

static void newline(struct sc_json *json)
{
    if (!json->pretty)
        return;
    sc_buf_puts(json->out, "\n");
    for (int i = 0; i < json->depth; i++)
        sc_buf_puts(json->out, "  ");
}

/* Called before every value: a comma if a sibling came before, nothing when
 * the value completes a key. */
static void before_value(struct sc_json *json)
{
    if (json->after_key) {
        json->after_key = false;
        return;
    }
    if (json->depth > 0 && json->depth <= 32) {
        if (json->need_comma[json->depth - 1])
            sc_buf_puts(json->out, ",");
        json->need_comma[json->depth - 1] = true;
        newline(json);
    }
}

static void open_container(struct sc_json *json, const char *bracket)
{
    before_value(json);
    sc_buf_puts(json->out, bracket);
    if (json->depth < 32)
        json->need_comma[json->depth] = false;
    json->depth++;
}

static void close_container(struct sc_json *json, const char *bracket)
{
    bool had_items = json->depth > 0 && json->depth <= 32 && json->need_comma[json->depth - 1];
    json->depth--;
    if (had_items)
        newline(json);
    sc_buf_puts(json->out, bracket);
}

void sc_json_object_begin(struct sc_json *json)
{
    open_container(json, "{");
}

void sc_json_object_end(struct sc_json *json)
{
    close_container(json, "}");
}

void sc_json_array_begin(struct sc_json *json)
{
    open_container(json, "[");
}

void sc_json_array_end(struct sc_json *json)
{
    close_container(json, "]");
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void write_escaped(struct sc_buf *out, const char *value, size_t len)
{
    const unsigned char *s = (const unsigned char *)value;
    sc_buf_puts(out, "\"");
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sc_buf_append(out, esc, 2);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': sc_buf_puts(out, "\\n"); break;
            case '\r': sc_buf_puts(out, "\\r"); break;
            case '\t': sc_buf_puts(out, "\\t"); break;
            default: sc_buf_printf(out, "\\u%04x", c); break;
            }
            i++;
        } else {
            size_t n = utf8_sequence(s + i, len - i);
            if (n == 0) {
                sc_buf_puts(out, "\\ufffd");
                i++;
            } else {
                sc_buf_append(out, s + i, n);
                i += n;
            }
        }
    }
    sc_buf_puts(out, "\"");
}

void sc_json_key(struct sc_json *json, const char *key)
{
    before_value(json);
    write_escaped(json->out, key, strlen(key));
    sc_buf_puts(json->out, json->pretty ? ": " : ":");
    json->after_key = true;
}

void sc_json_string_len(struct sc_json *json, const char *value, size_t len)
{
    before_value(json);
    write_escaped(json->out, value, len);
}

void sc_json_string(struct sc_json *json, const char *value)
{
    if (!value) {
        sc_json_null(json);
        return;
    }
    sc_json_string_len(json, value, strlen(value));
}

void sc_json_int(struct sc_json *json, int64_t value)
{
    before_value(json);
    sc_buf_printf(json->out, "%" PRId64, value);
}

void sc_json_double(struct sc_json *json, double value)
{
    if (!isfinite(value)) {
        sc_json_null(json);
        return;
    }
    before_value(json);
    sc_buf_printf(json->out, "%.15g", value); /* round-trips every integer up to 2^53 */
}

void sc_json_bool(struct sc_json *json, bool value)
{
    before_value(json);
    sc_buf_puts(json->out, value ? "true" : "false");
}

void sc_json_null(struct sc_json *json)
{
    before_value(json);
    sc_buf_puts(json->out, "null");
}

void sc_json_kv_string(struct sc_json *json, const char *key, const char *value)
{
    sc_json_key(json, key);
    sc_json_string(json, value);
}

void sc_json_kv_int(struct sc_json *json, const char *key, int64_t value)
{
    sc_json_key(json, key);
    sc_json_int(json, value);
}

void sc_json_kv_double(struct sc_json *json, const char *key, double value)
{
    sc_json_key(json, key);
    sc_json_double(json, value);
}

void sc_json_kv_bool(struct sc_json *json, const char *key, bool value)
{
    sc_json_key(json, key);
    sc_json_bool(json, value);
}
