/* libFuzzer target over the TS reader, SI parsing (libdvbpsi + our
 * converters and guide) and the DVB text decoder. The first byte picks:
 *   0: raw bytes into the TS reader and SI, as a source would deliver them;
 *   1: sections ([pid][len hi][len lo][bytes]...), each given a correct
 *      length and CRC and packed into TS, so the table parsers behind the CRC
 *      check see arbitrary content;
 *   2: one DVB string, default table from the next byte. */
#include "demux/internal.h"

#include <stdlib.h>
#include <string.h>

struct fuzz {
    struct dmx_si *si;
    uint8_t cc[8192];
};

static void on_packet(void *opaque, const uint8_t *pkt)
{
    struct fuzz *f = opaque;
    dmx_si_push(f->si, pkt);
    dmx_si_take_changes(f->si);
}

static void pack_section(struct fuzz *f, struct dmx_ts *ts, unsigned pid, uint8_t *sec, size_t len)
{
    if (len < 8) return;
    size_t section_length = len - 3;
    sec[1] = (uint8_t)((sec[1] & 0xF0) | ((section_length >> 8) & 0x0F));
    sec[2] = (uint8_t)section_length;
    uint32_t crc = dmx_crc32(sec, len - 4);
    for (int i = 0; i < 4; i++)
        sec[len - 4 + (size_t)i] = (uint8_t)(crc >> (24 - 8 * i));
    size_t pos = 0;
    bool first = true;
    while (pos < len) {
        uint8_t p[188];
        memset(p, 0xFF, sizeof p);
        p[0] = 0x47;
        p[1] = (uint8_t)((first ? 0x40 : 0) | (pid >> 8));
        p[2] = (uint8_t)pid;
        p[3] = (uint8_t)(0x10 | (f->cc[pid]++ & 15));
        size_t at = 4;
        if (first) p[at++] = 0;
        size_t n = len - pos < 188 - at ? len - pos : 188 - at;
        memcpy(p + at, sec + pos, n);
        pos += n;
        first = false;
        dmx_ts_push(ts, p, 188, false);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t mode = data[0] % 3;
    if (mode == 2) {
        static const int charsets[] = {DMX_CHARSET_DEFAULT,
                                       1,
                                       5,
                                       9,
                                       DMX_CHARSET_UCS2,
                                       DMX_CHARSET_KSX1001,
                                       DMX_CHARSET_GB2312,
                                       DMX_CHARSET_BIG5,
                                       DMX_CHARSET_UTF8};
        char *s = dmx_text_to_utf8(data + 2, size - 2, charsets[data[1] % 9]);
        free(s);
        return 0;
    }
    struct dmx_options opts;
    dmx_options_default(&opts);
    opts.guide_max_per_service = 16;
    opts.guide_max_total = 64;
    struct fuzz f = {0};
    struct dmx_guide *guide = dmx_guide_create(opts.guide_max_per_service, opts.guide_max_total);
    f.si = dmx_si_create(&opts, guide, NULL);
    struct dmx_ts *ts = dmx_ts_create(on_packet, &f, NULL);
    if (mode == 0) {
        /* irregular chunks, as reads deliver them */
        size_t pos = 1, step = 1 + data[1] % 251;
        while (pos < size) {
            size_t n = size - pos < step ? size - pos : step;
            dmx_ts_push(ts, data + pos, n, false);
            pos += n;
        }
    } else {
        static const unsigned pids[8] = {0x00, 0x10, 0x11, 0x12, 0x14, 0x100, 0x101, 0x1FFF};
        /* a PAT first so PMT handles exist for 0x100/0x101 */
        uint8_t pat[16] = {0x00, 0xB0, 0,    0x00, 0x01, 0xC1, 0,    0,
                           0x00, 0x01, 0xE1, 0x00, 0x00, 0x02, 0xE1, 0x01};
        uint8_t pat_full[20];
        memcpy(pat_full, pat, 16);
        pack_section(&f, ts, 0, pat_full, 20);
        size_t pos = 1;
        while (pos + 3 <= size) {
            unsigned pid = pids[data[pos] % 8];
            size_t len = ((size_t)data[pos + 1] << 8 | data[pos + 2]) % 1024;
            pos += 3;
            if (len > size - pos) len = size - pos;
            uint8_t *sec = malloc(len + 4);
            if (!sec) break;
            memcpy(sec, data + pos, len);
            pack_section(&f, ts, pid, sec, len + 4);
            free(sec);
            pos += len;
        }
    }
    dmx_ts_push(ts, NULL, 0, true);
    struct dmx_service *sv;
    size_t n;
    if (dmx_si_services(f.si, &sv, &n) == 0) dmx_services_free(sv, n);
    struct dmx_event *ev;
    if (dmx_guide_copy(guide, -1, &ev, &n) == 0) dmx_events_free(ev, n);
    dmx_ts_destroy(ts);
    dmx_si_destroy(f.si);
    dmx_guide_destroy(guide);
    return 0;
}
