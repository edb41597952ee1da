/* Small SI helpers that need no libdvbpsi: MJD/BCD times (EN 300 468
 * annex C), codec names for PMT stream types, the MPEG-2 CRC-32. */
#include "demux/internal.h"

#include <string.h>

static int bcd(uint8_t b)
{
    int hi = b >> 4, lo = b & 15;
    return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

int64_t dmx_mjd_bcd_to_unix(uint64_t mjd_utc)
{
    unsigned mjd = (unsigned)(mjd_utc >> 24);
    int h = bcd((uint8_t)(mjd_utc >> 16)), m = bcd((uint8_t)(mjd_utc >> 8)),
        s = bcd((uint8_t)mjd_utc);
    if (h < 0 || m < 0 || s < 0 || h > 23 || m > 59 || s > 60) return -1;
    /* MJD 40587 is 1970-01-01 */
    return ((int64_t)mjd - 40587) * 86400 + h * 3600 + m * 60 + s;
}

int32_t dmx_bcd_duration(uint32_t v)
{
    int h = bcd((uint8_t)(v >> 16)), m = bcd((uint8_t)(v >> 8)), s = bcd((uint8_t)v);
    if (h < 0 || m < 0 || s < 0 || m > 59 || s > 59) return -1;
    return h * 3600 + m * 60 + s;
}

/* Looks for a descriptor tag in a raw descriptor loop. */
static const uint8_t *find_desc(const uint8_t *d, size_t len, uint8_t tag, uint8_t *dlen)
{
    size_t i = 0;
    while (i + 2 <= len) {
        uint8_t l = d[i + 1];
        if (i + 2 + l > len) break;
        if (d[i] == tag) {
            *dlen = l;
            return d + i + 2;
        }
        i += 2 + (size_t)l;
    }
    return NULL;
}

const char *dmx_codec_name(uint8_t stream_type, const uint8_t *descs, size_t len)
{
    uint8_t l;
    switch (stream_type) {
    case 0x01:
        return "mpeg1video";
    case 0x02:
        return "mpeg2video";
    case 0x03: /* Layer I, II or III: the PMT does not say which */
        return "mpeg1audio";
    case 0x04:
        return "mpeg2audio";
    case 0x0F:
        return "aac";
    case 0x11:
        return "aac_latm";
    case 0x1B:
        return "h264";
    case 0x24:
        return "hevc";
    case 0x81:
        return "ac3";
    case 0x86:
        return "scte_35";
    case 0x87:
        return "eac3";
    case 0x06: /* private data: the descriptors say what it is */
        if (find_desc(descs, len, 0x6A, &l)) return "ac3";
        if (find_desc(descs, len, 0x7A, &l)) return "eac3";
        if (find_desc(descs, len, 0x7C, &l)) return "aac";
        if (find_desc(descs, len, 0x56, &l) || find_desc(descs, len, 0x46, &l)) return "teletext";
        if (find_desc(descs, len, 0x59, &l)) return "dvb_subtitle";
        return "private";
    case 0x05:
        return "private_sections";
    default:
        return "unknown";
    }
}

uint32_t dmx_crc32(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint32_t)data[i] << 24;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

/* ---- descriptor bodies (EN 300 468 section 6.2) ---------------------------- */

int dmx_desc_service(struct dmx_text *text, int charset, const uint8_t *d, size_t len,
                     uint8_t *type, char **provider, char **name)
{
    if (len < 2) return -1;
    size_t plen = d[1];
    if (2 + plen + 1 > len) return -1;
    size_t nlen = d[2 + plen];
    if (3 + plen + nlen > len) return -1;
    *type = d[0];
    *provider = dmx_text_strdup(text, d + 2, plen, charset);
    *name = dmx_text_strdup(text, d + 3 + plen, nlen, charset);
    return *provider && *name ? 0 : -1;
}

static void copy_language(char out[4], const uint8_t *code)
{
    for (int i = 0; i < 3; i++)
        out[i] = code[i] >= 0x20 && code[i] < 0x7F && code[i] != '"' && code[i] != '\\'
                     ? (char)code[i]
                     : '?';
    out[3] = 0;
}

int dmx_desc_short_event(struct dmx_text *text, int charset, const uint8_t *d, size_t len,
                         char language[4], char **title, char **description)
{
    if (len < 5) return -1;
    size_t nlen = d[3];
    if (4 + nlen + 1 > len) return -1;
    size_t tlen = d[4 + nlen];
    if (5 + nlen + tlen > len) return -1;
    copy_language(language, d);
    *title = dmx_text_strdup(text, d + 4, nlen, charset);
    *description = dmx_text_strdup(text, d + 5 + nlen, tlen, charset);
    return *title && *description ? 0 : -1;
}

/* Extended event descriptors come numbered 0..last; their items are
 * written "description: item" one per line and their texts concatenated
 * (raw, so a character split between two descriptors survives; a repeated
 * selector at the start of a later part is dropped). */
void dmx_desc_extended_add(struct dmx_extended *acc, struct dmx_text *text, int charset,
                           const uint8_t *d, size_t len)
{
    if (len < 5) return;
    size_t items_len = d[4], i = 5;
    if (5 + items_len > len) return;
    while (i + 1 <= 5 + items_len) {
        size_t dl = d[i];
        if (i + 1 + dl + 1 > 5 + items_len) break;
        size_t il = d[i + 1 + dl];
        if (i + 2 + dl + il > 5 + items_len) break;
        if (acc->items.len) sc_buf_puts(&acc->items, "\n");
        dmx_text_decode(text, d + i + 1, dl, charset, &acc->items);
        sc_buf_puts(&acc->items, ": ");
        dmx_text_decode(text, d + i + 2 + dl, il, charset, &acc->items);
        i += 2 + dl + il;
    }
    i = 5 + items_len;
    if (i + 1 > len) return;
    size_t tl = d[i];
    if (i + 1 + tl > len) return;
    const uint8_t *t = d + i + 1;
    if (acc->raw.len > 0 && tl > 0 && t[0] < 0x20) { /* a selector: skip if the same */
        size_t sel = t[0] == 0x10 ? 3 : t[0] == 0x1F ? 2 : 1;
        if (sel <= tl && acc->selector_len == sel && memcmp(acc->selector, t, sel) == 0) {
            t += sel;
            tl -= sel;
        }
    } else if (acc->raw.len == 0 && tl > 0 && t[0] < 0x20) {
        acc->selector_len = t[0] == 0x10 ? 3 : t[0] == 0x1F ? 2 : 1;
        if (acc->selector_len > tl) acc->selector_len = tl;
        memcpy(acc->selector, t, acc->selector_len);
    }
    sc_buf_append(&acc->raw, t, tl);
}

char *dmx_desc_extended_finish(struct dmx_extended *acc, struct dmx_text *text, int charset)
{
    struct sc_buf out = {0};
    sc_buf_append(&out, "", 0);
    if (acc->items.len) sc_buf_append(&out, acc->items.data, acc->items.len);
    if (acc->items.len && acc->raw.len) sc_buf_puts(&out, "\n");
    dmx_text_decode(text, (const uint8_t *)acc->raw.data, acc->raw.len, charset, &out);
    sc_buf_free(&acc->items);
    sc_buf_free(&acc->raw);
    if (out.failed) {
        sc_buf_free(&out);
        return NULL;
    }
    return out.data;
}

bool dmx_desc_local_offset(const uint8_t *d, size_t len, int64_t utc, int *minutes)
{
    if (len < 13) return false;
    /* the first region listed: a station receives one country's broadcast */
    int cur_h = bcd(d[4]), cur_m = bcd(d[5]), next_h = bcd(d[11]), next_m = bcd(d[12]);
    if (cur_h < 0 || cur_m < 0) return false;
    int64_t change = dmx_mjd_bcd_to_unix((uint64_t)d[6] << 32 | (uint64_t)d[7] << 24 |
                                         (uint64_t)d[8] << 16 | (uint64_t)d[9] << 8 | d[10]);
    int sign = (d[3] & 1) ? -1 : 1;
    int value = cur_h * 60 + cur_m;
    if (change >= 0 && utc >= change && next_h >= 0 && next_m >= 0) value = next_h * 60 + next_m;
    if (value > 15 * 60) return false;
    *minutes = sign * value;
    return true;
}

void dmx_desc_languages(uint8_t tag, const uint8_t *d, size_t len, char *out, size_t size)
{
    size_t step = tag == 0x0A ? 4 : tag == 0x56 || tag == 0x46 ? 5 : tag == 0x59 ? 8 : 0;
    if (!step) return;
    for (size_t i = 0; i + 3 <= len; i += step) {
        char lang[4];
        copy_language(lang, d + i);
        if (strstr(out, lang)) continue;
        size_t used = strlen(out);
        if (used + 5 > size) return;
        snprintf(out + used, size - used, "%s%s", used ? "," : "", lang);
    }
}
