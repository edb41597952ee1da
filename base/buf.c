/* Growable NUL-terminated byte buffer, and control characters in people's
 * text; see base.h. */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct sc_buf *buf, size_t extra)
{
    if (buf->failed) return false;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap) return true;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need)
        cap *= 2;
    char *data = realloc(buf->data, cap);
    if (!data) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->cap = cap;
    return true;
}

void sc_buf_append(struct sc_buf *buf, const void *data, size_t len)
{
    if (!reserve(buf, len)) return;
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void sc_buf_puts(struct sc_buf *buf, const char *text)
{
    sc_buf_append(buf, text, strlen(text));
}

void sc_buf_printf(struct sc_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(buf, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
}

void sc_buf_reset(struct sc_buf *buf)
{
    buf->len = 0;
    buf->failed = false;
    if (buf->data) buf->data[0] = '\0';
}

void sc_buf_free(struct sc_buf *buf)
{
    free(buf->data);
    *buf = (struct sc_buf){0};
}

static size_t control_length(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7F) return 1;
    if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) return 2;
    return 0;
}

bool sc_text_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (control_length(p)) return true;
    return false;
}

const char *sc_text_printable(const char *s, char *out, size_t size)
{
    if (size == 0) return out;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = control_length(p);
        if (n == 0) {
            if (o + 1 >= size) break;
            out[o++] = (char)*p++;
            continue;
        }
        if (o + 4 * n >= size) break;
        for (size_t i = 0; i < n; i++, p++)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
    }
    out[o] = '\0';
    return out;
}
