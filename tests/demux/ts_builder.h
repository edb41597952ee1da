/* Builds synthetic transport streams for the demux tests: two elementary
 * PIDs with PES starts, adaptation-only and null packets, payload bytes
 * that never contain 0x47 so that only real packet starts carry sync. */
#ifndef STUDYCAST_TEST_TS_BUILDER_H
#define STUDYCAST_TEST_TS_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ts_stream {
    uint8_t *data;
    size_t len, cap;
};

static inline void ts_append(struct ts_stream *s, const void *d, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->data = realloc(s->data, s->cap);
        if (!s->data) abort();
    }
    memcpy(s->data + s->len, d, n);
    s->len += n;
}

/* One packet: pid, cc, payload unit start, optional adaptation-only. */
static inline void ts_packet(uint8_t *p, unsigned pid, unsigned cc, int pusi, int adaptation_only,
                             unsigned seq)
{
    p[0] = 0x47;
    p[1] = (uint8_t)((pusi ? 0x40 : 0) | (pid >> 8));
    p[2] = (uint8_t)pid;
    if (adaptation_only) {
        p[3] = (uint8_t)(0x20 | (cc & 15));
        p[4] = 183;
        p[5] = 0x00;
        memset(p + 6, 0xFF, 182);
        return;
    }
    p[3] = (uint8_t)(0x10 | (cc & 15));
    for (int i = 4; i < 188; i++) {
        uint8_t v = (uint8_t)(seq * 7 + (unsigned)i);
        p[i] = v == 0x47 ? 0x48 : v;
    }
    if (pusi) { /* a PES header start */
        p[4] = 0;
        p[5] = 0;
        p[6] = 1;
        p[7] = pid == 0x100 ? 0xE0 : 0xC0;
    }
}

/* The base stream: `count` packets alternating PIDs 0x100 (PES start every
 * 8th packet) and 0x101 (every 3rd), an adaptation-only packet on 0x100
 * every 50 and a null packet every 40. */
static inline struct ts_stream ts_build(unsigned count)
{
    struct ts_stream s = {0};
    unsigned cc[2] = {0, 0}, n[2] = {0, 0};
    for (unsigned i = 0; i < count; i++) {
        uint8_t p[188];
        if (i % 40 == 39) {
            ts_packet(p, 0x1FFF, 0, 0, 0, i);
        } else if (i % 50 == 49) {
            ts_packet(p, 0x100, cc[0] - 1, 0, 1, i); /* CC does not advance */
        } else {
            int k = i % 2;
            unsigned pid = 0x100 + (unsigned)k;
            ts_packet(p, pid, cc[k], n[k] % (k ? 3 : 8) == 0, 0, i);
            cc[k]++;
            n[k]++;
        }
        ts_append(&s, p, 188);
    }
    return s;
}

#endif
