/* Builds PSI/SI sections with libdvbpsi's generators (descriptor bodies by
 * hand) and packs them into TS packets, for the SI tests. */
#ifndef STUDYCAST_TEST_SI_BUILDER_H
#define STUDYCAST_TEST_SI_BUILDER_H

#include "tests/demux/ts_builder.h"

#include <stdbool.h>
#include <stdint.h>

#include <dvbpsi/dvbpsi.h>
#include <dvbpsi/psi.h>
#include <dvbpsi/descriptor.h>
#include <dvbpsi/pat.h>
#include <dvbpsi/pmt.h>
#include <dvbpsi/sdt.h>
#include <dvbpsi/eit.h>
#include <dvbpsi/tot.h>

struct si_writer {
    struct ts_stream ts;
    uint8_t cc[8192];
    dvbpsi_t *h;
    uint16_t eit_ts_id; /* transport_stream_id written into EIT sections; 0: 0x0101 */
};

static inline void si_writer_init(struct si_writer *w)
{
    memset(w, 0, sizeof *w);
    w->h = dvbpsi_new(NULL, DVBPSI_MSG_NONE);
}

static inline void si_writer_free(struct si_writer *w)
{
    dvbpsi_delete(w->h);
    free(w->ts.data);
}

/* Packs one section (len bytes) into packets of `pid`. */
static inline void si_put_bytes(struct si_writer *w, unsigned pid, const uint8_t *data, size_t len)
{
    size_t pos = 0;
    bool first = true;
    while (pos < len || first) {
        uint8_t p[188];
        memset(p, 0xFF, sizeof p);
        p[0] = 0x47;
        p[1] = (uint8_t)((first ? 0x40 : 0) | (pid >> 8));
        p[2] = (uint8_t)pid;
        p[3] = (uint8_t)(0x10 | (w->cc[pid]++ & 15));
        size_t at = 4;
        if (first) p[at++] = 0; /* pointer field */
        size_t n = len - pos < 188 - at ? len - pos : 188 - at;
        memcpy(p + at, data + pos, n);
        pos += n;
        first = false;
        ts_append(&w->ts, p, 188);
    }
}

/* Packs a generated section chain and frees it. */
static inline void si_put_sections(struct si_writer *w, unsigned pid, dvbpsi_psi_section_t *s)
{
    for (dvbpsi_psi_section_t *x = s; x; x = x->p_next)
        si_put_bytes(w, pid, x->p_data, 3u + x->i_length);
    dvbpsi_DeletePSISections(s);
}

static inline uint32_t si_crc32(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint32_t)data[i] << 24;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

/* Unix seconds to the 40-bit MJD + BCD form. */
static inline uint64_t si_mjd(int64_t t)
{
    uint64_t mjd = (uint64_t)(t / 86400 + 40587);
    int s = (int)(t % 86400), h = s / 3600, m = s / 60 % 60, sec = s % 60;
    return mjd << 24 | (uint64_t)((h / 10) << 4 | h % 10) << 16 |
           (uint64_t)((m / 10) << 4 | m % 10) << 8 | (uint64_t)((sec / 10) << 4 | sec % 10);
}

static inline uint32_t si_bcd_duration(int seconds)
{
    int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    return (uint32_t)((h / 10) << 20 | (h % 10) << 16 | (m / 10) << 12 | (m % 10) << 8 |
                      (s / 10) << 4 | s % 10);
}

/* Descriptor bodies. Strings are raw DVB bytes (selector included). */
static inline size_t si_service_desc(uint8_t *out, uint8_t type, const char *provider, size_t plen,
                                     const char *name, size_t nlen)
{
    out[0] = type;
    out[1] = (uint8_t)plen;
    memcpy(out + 2, provider, plen);
    out[2 + plen] = (uint8_t)nlen;
    memcpy(out + 3 + plen, name, nlen);
    return 3 + plen + nlen;
}

static inline size_t si_short_event(uint8_t *out, const char *lang, const char *title, size_t tlen,
                                    const char *text, size_t xlen)
{
    memcpy(out, lang, 3);
    out[3] = (uint8_t)tlen;
    memcpy(out + 4, title, tlen);
    out[4 + tlen] = (uint8_t)xlen;
    memcpy(out + 5 + tlen, text, xlen);
    return 5 + tlen + xlen;
}

/* One item (optional) and a text part. */
static inline size_t si_extended_event(uint8_t *out, int number, int last, const char *lang,
                                       const char *item_desc, size_t dlen, const char *item,
                                       size_t ilen, const char *text, size_t xlen)
{
    out[0] = (uint8_t)(number << 4 | last);
    memcpy(out + 1, lang, 3);
    size_t items = item ? 2 + dlen + ilen : 0;
    out[4] = (uint8_t)items;
    size_t at = 5;
    if (item) {
        out[at++] = (uint8_t)dlen;
        memcpy(out + at, item_desc, dlen);
        at += dlen;
        out[at++] = (uint8_t)ilen;
        memcpy(out + at, item, ilen);
        at += ilen;
    }
    out[at++] = (uint8_t)xlen;
    memcpy(out + at, text, xlen);
    return at + xlen;
}

#endif
