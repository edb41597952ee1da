/* DVB text (EN 300 468 annex A) to UTF-8. Table 00 is built in
 * (iso6937.c); the ISO 8859 upper halves are built once per decoder from
 * iconv; the multi-byte tables are split into characters here (so the
 * control codes 0xE086/0xE087/0xE08A are recognised on character boundaries)
 * and each run is converted by iconv with U+FFFD for every invalid byte. */
#include "demux/internal.h"
#include "demux/text_tables.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

enum { MULTI_UCS2, MULTI_EUCKR, MULTI_GB, MULTI_BIG5, MULTI_COUNT };

struct dmx_text {
    /* ISO 8859-n upper halves (0xA0..0xFF), built on first use; 0 = undefined. */
    uint16_t latin[16][96];
    bool latin_ready[16];
    iconv_t multi[MULTI_COUNT];
    bool multi_tried[MULTI_COUNT];
};

static const char *const multi_names[MULTI_COUNT] = {"UTF-16BE", "EUC-KR", "GB18030", "BIG5"};

struct dmx_text *dmx_text_create(void)
{
    struct dmx_text *text = calloc(1, sizeof *text);
    if (!text) return NULL;
    for (int i = 0; i < MULTI_COUNT; i++)
        text->multi[i] = (iconv_t)-1;
    return text;
}

void dmx_text_destroy(struct dmx_text *text)
{
    if (!text) return;
    for (int i = 0; i < MULTI_COUNT; i++)
        if (text->multi[i] != (iconv_t)-1) iconv_close(text->multi[i]);
    free(text);
}

static void put_utf8(struct sc_buf *out, uint32_t cp)
{
    char b[4];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        b[0] = (char)cp;
        sc_buf_append(out, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        sc_buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        sc_buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        sc_buf_append(out, b, 4);
    }
}

/* Control codes: emphasis on/off is dropped, CR/LF becomes a newline, the
 * rest of the range (reserved or user defined) is dropped too. */
static void put_control(struct sc_buf *out, unsigned code)
{
    if (code == 0x8A) sc_buf_append(out, "\n", 1);
}

/* Plain C0 controls carry nothing printable in DVB text. */
static void put_code_point(struct sc_buf *out, uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F) return;
    if (cp >= 0x80 && cp <= 0x9F) {
        put_control(out, cp);
        return;
    }
    if (cp >= 0xE080 && cp <= 0xE09F) {
        put_control(out, cp - 0xE000);
        return;
    }
    put_utf8(out, cp);
}

static const uint16_t *latin_table(struct dmx_text *text, int part)
{
    if (text->latin_ready[part]) return text->latin[part];
    char name[16];
    snprintf(name, sizeof name, "ISO-8859-%d", part);
    iconv_t cd = iconv_open("UTF-32BE", name);
    for (int i = 0; i < 96; i++) {
        text->latin[part][i] = 0;
        if (cd == (iconv_t)-1) continue;
        char in = (char)(0xA0 + i), *inp = &in;
        uint8_t outb[8];
        char *outp = (char *)outb;
        size_t inleft = 1, outleft = sizeof outb;
        iconv(cd, NULL, NULL, NULL, NULL);
        if (iconv(cd, &inp, &inleft, &outp, &outleft) != (size_t)-1 && outleft == 4)
            text->latin[part][i] = (uint16_t)((uint32_t)outb[0] << 24 | (uint32_t)outb[1] << 16 |
                                              (uint32_t)outb[2] << 8 | outb[3]);
    }
    if (cd != (iconv_t)-1) iconv_close(cd);
    text->latin_ready[part] = true;
    return text->latin[part];
}

static void decode_latin(struct dmx_text *text, int part, const uint8_t *in, size_t len,
                         struct sc_buf *out)
{
    const uint16_t *upper = latin_table(text, part);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        if (b >= 0x80 && b < 0xA0)
            put_control(out, b);
        else if (b < 0x80)
            put_code_point(out, b);
        else
            put_code_point(out, upper[b - 0xA0] ? upper[b - 0xA0] : 0xFFFD);
    }
}

static void decode_default(const uint8_t *in, size_t len, struct sc_buf *out)
{
    size_t i = 0;
    while (i < len) {
        if (in[i] >= 0x80 && in[i] < 0xA0) {
            put_control(out, in[i++]);
            continue;
        }
        uint32_t cps[2];
        size_t used;
        int n = dmx_iso6937_decode(in + i, len - i, &used, cps);
        for (int k = 0; k < n; k++)
            put_code_point(out, cps[k]);
        i += used;
    }
}

static void decode_utf8(const uint8_t *in, size_t len, struct sc_buf *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = in[i];
        uint32_t cp;
        size_t n;
        if (b < 0x80) {
            cp = b, n = 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            cp = b & 0x1F, n = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            cp = b & 0x0F, n = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            cp = b & 0x07, n = 4;
        } else {
            put_utf8(out, 0xFFFD);
            i++;
            continue;
        }
        bool ok = i + n <= len;
        for (size_t k = 1; ok && k < n; k++) {
            if ((in[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = cp << 6 | (in[i + k] & 0x3F);
        }
        /* overlong, surrogate or out of range forms are invalid too */
        if (ok && ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                   (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (!ok) {
            put_utf8(out, 0xFFFD);
            i++;
            continue;
        }
        put_code_point(out, cp);
        i += n;
    }
}

static void decode_ucs2(const uint8_t *in, size_t len, struct sc_buf *out)
{
    size_t i = 0;
    for (; i + 1 < len; i += 2) {
        uint32_t unit = (uint32_t)in[i] << 8 | in[i + 1];
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < len) {
            uint32_t low = (uint32_t)in[i + 2] << 8 | in[i + 3];
            if (low >= 0xDC00 && low <= 0xDFFF) {
                put_code_point(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                i += 2;
                continue;
            }
        }
        put_code_point(out, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
    }
    if (i < len) /* an odd byte at the end */
        put_utf8(out, 0xFFFD);
}

/* Length of the character starting at in[0] in a multi-byte table, for
 * splitting out the control codes on character boundaries. */
static size_t multi_char_len(int kind, const uint8_t *in, size_t len)
{
    if (in[0] < 0x80 || len < 2) return 1;
    if (kind == MULTI_GB && len >= 4 && in[1] >= 0x30 && in[1] <= 0x39)
        return 4; /* GB18030 four-byte form */
    return 2;
}

/* Converts a run without controls with iconv; each byte iconv rejects
 * becomes U+FFFD and conversion goes on after it. */
static void iconv_run(struct dmx_text *text, int kind, const uint8_t *in, size_t len,
                      struct sc_buf *out)
{
    if (!text->multi_tried[kind]) {
        text->multi[kind] = iconv_open("UTF-8", multi_names[kind]);
        text->multi_tried[kind] = true;
    }
    iconv_t cd = text->multi[kind];
    if (cd == (iconv_t)-1) {
        for (size_t i = 0; i < len; i++)
            put_utf8(out, in[i] < 0x80 ? in[i] : 0xFFFD);
        return;
    }
    iconv(cd, NULL, NULL, NULL, NULL);
    char *inp = (char *)in;
    size_t inleft = len;
    while (inleft > 0) {
        char chunk[512];
        char *outp = chunk;
        size_t outleft = sizeof chunk;
        size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
        int err = errno;
        /* drop C0 controls that a table maps through */
        for (char *c = chunk; c < outp; c++)
            if ((unsigned char)*c >= 0x20 && *c != 0x7F) sc_buf_append(out, c, 1);
        if (r != (size_t)-1) break;
        if (err == E2BIG) continue;
        /* EILSEQ or EINVAL (a truncated character): replace one byte */
        put_utf8(out, 0xFFFD);
        inp++;
        inleft--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
}

static void decode_multi(struct dmx_text *text, int kind, const uint8_t *in, size_t len,
                         struct sc_buf *out)
{
    size_t run = 0, i = 0;
    while (i < len) {
        size_t n = multi_char_len(kind, in + i, len - i);
        bool control = n == 2 && in[i] == 0xE0 && in[i + 1] >= 0x80 && in[i + 1] <= 0x9F;
        bool c0 = n == 1 && (in[i] < 0x20 || in[i] == 0x7F);
        if (control || c0) {
            if (i > run) iconv_run(text, kind, in + run, i - run, out);
            if (control) put_control(out, in[i + 1]);
            run = i + n;
        }
        i += n;
    }
    if (len > run) iconv_run(text, kind, in + run, len - run, out);
}

static void decode_with(struct dmx_text *text, int charset, const uint8_t *in, size_t len,
                        struct sc_buf *out)
{
    if (charset >= 1 && charset <= 15 && charset != 12)
        decode_latin(text, charset, in, len, out);
    else if (charset == DMX_CHARSET_UCS2)
        decode_ucs2(in, len, out);
    else if (charset == DMX_CHARSET_UTF8)
        decode_utf8(in, len, out);
    else if (charset == DMX_CHARSET_KSX1001)
        decode_multi(text, MULTI_EUCKR, in, len, out);
    else if (charset == DMX_CHARSET_GB2312)
        decode_multi(text, MULTI_GB, in, len, out);
    else if (charset == DMX_CHARSET_BIG5)
        decode_multi(text, MULTI_BIG5, in, len, out);
    else
        decode_default(in, len, out);
}

void dmx_text_decode(struct dmx_text *text, const uint8_t *data, size_t len, int default_charset,
                     struct sc_buf *out)
{
    if (!data || len == 0) return;
    uint8_t sel = data[0];
    if (sel >= 0x20) {
        decode_with(text, default_charset, data, len, out);
        return;
    }
    /* The first byte selects the table (annex A, table A.3). */
    static const int one_byte_parts[12] = {0, 5, 6, 7, 8, 9, 10, 11, 0, 13, 14, 15};
    int charset = DMX_CHARSET_DEFAULT;
    size_t skip = 1;
    if (sel >= 0x01 && sel <= 0x0B) {
        charset = one_byte_parts[sel];
    } else if (sel == 0x10) {
        skip = 3;
        if (len < 3) return;
        unsigned part = (unsigned)data[1] << 8 | data[2];
        charset = part >= 1 && part <= 15 && part != 12 ? (int)part : DMX_CHARSET_DEFAULT;
    } else if (sel >= 0x11 && sel <= 0x15) {
        charset = 0x100 | sel;
    } else if (sel == 0x1F) {
        /* encoding_type_id (e.g. compressed text): not decodable here */
        put_utf8(out, 0xFFFD);
        return;
    }
    /* reserved selectors (0x00, 0x0C..0x0F, 0x16..0x1E): skip, use the default */
    if (charset == DMX_CHARSET_DEFAULT && sel != 0x10) charset = default_charset;
    decode_with(text, charset, data + skip, len - skip, out);
}

char *dmx_text_strdup(struct dmx_text *text, const uint8_t *data, size_t len, int default_charset)
{
    struct sc_buf buf = {0};
    sc_buf_append(&buf, "", 0);
    dmx_text_decode(text, data, len, default_charset, &buf);
    if (buf.failed || !buf.data) {
        sc_buf_free(&buf);
        return NULL;
    }
    return buf.data;
}

char *dmx_text_to_utf8(const uint8_t *data, size_t len, int default_charset)
{
    struct dmx_text *text = dmx_text_create();
    if (!text) return NULL;
    char *s = dmx_text_strdup(text, data, len, default_charset);
    dmx_text_destroy(text);
    return s;
}

int dmx_charset_parse(const char *name)
{
    if (!name) return -1;
    char n[32];
    size_t k = 0;
    for (const char *c = name; *c && k + 1 < sizeof n; c++)
        if (*c != '-' && *c != '_' && *c != ' ')
            n[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    n[k] = 0;
    if (!strcmp(n, "iso6937") || !strcmp(n, "default") || !strcmp(n, "dvb"))
        return DMX_CHARSET_DEFAULT;
    if (!strcmp(n, "latin1")) return 1;
    if (!strncmp(n, "iso8859", 7)) {
        char *end;
        long part = strtol(n + 7, &end, 10);
        return *end == 0 && part >= 1 && part <= 15 && part != 12 ? (int)part : -1;
    }
    if (!strcmp(n, "ucs2") || !strcmp(n, "utf16") || !strcmp(n, "utf16be")) return DMX_CHARSET_UCS2;
    if (!strcmp(n, "euckr") || !strcmp(n, "ksx1001")) return DMX_CHARSET_KSX1001;
    if (!strcmp(n, "gb2312") || !strcmp(n, "gb18030") || !strcmp(n, "gbk"))
        return DMX_CHARSET_GB2312;
    if (!strcmp(n, "big5")) return DMX_CHARSET_BIG5;
    if (!strcmp(n, "utf8")) return DMX_CHARSET_UTF8;
    return -1;
}
