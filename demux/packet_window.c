/* The packet window: the last second or so of clean packets of every PID,
 * so that a service whose PMT arrives (or is chosen) now can start from a
 * keyframe already received instead of waiting for the next one. A ring of
 * whole packets bounded in bytes and in stream time (the PCR clock); one
 * memcpy per packet, no allocation after the first. Reader thread only. */
#include "demux/internal.h"

#include <stdlib.h>
#include <string.h>

struct dmx_window {
    uint8_t *data;  /* cap packets of TS_PACKET bytes */
    int64_t *time;  /* stream time (ms) at each packet */
    size_t cap;     /* in packets */
    size_t head;    /* index of the oldest packet */
    size_t count;   /* packets held */
    int64_t max_ms; /* older than this behind the newest: dropped */
};

struct dmx_window *dmx_window_create(size_t max_bytes, int max_ms)
{
    if (max_bytes < TS_PACKET || max_ms <= 0) return NULL;
    struct dmx_window *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->cap = max_bytes / TS_PACKET;
    w->max_ms = max_ms;
    w->data = malloc(w->cap * TS_PACKET);
    w->time = malloc(w->cap * sizeof *w->time);
    if (!w->data || !w->time) {
        dmx_window_destroy(w);
        return NULL;
    }
    return w;
}

void dmx_window_destroy(struct dmx_window *w)
{
    if (!w) return;
    free(w->data);
    free(w->time);
    free(w);
}

void dmx_window_push(struct dmx_window *w, const uint8_t *pkt, int64_t now_ms)
{
    if (w->count == w->cap) { /* full: the oldest goes */
        w->head = (w->head + 1) % w->cap;
        w->count--;
    }
    while (w->count && now_ms - w->time[w->head] > w->max_ms) {
        w->head = (w->head + 1) % w->cap;
        w->count--;
    }
    size_t at = (w->head + w->count) % w->cap;
    memcpy(w->data + at * TS_PACKET, pkt, TS_PACKET);
    w->time[at] = now_ms;
    w->count++;
}

size_t dmx_window_count(const struct dmx_window *w)
{
    return w ? w->count : 0;
}

const uint8_t *dmx_window_at(const struct dmx_window *w, size_t i)
{
    return w->data + ((w->head + i) % w->cap) * TS_PACKET;
}

void dmx_window_clear(struct dmx_window *w)
{
    if (w) w->head = w->count = 0;
}

/* Where the elementary stream starts in a PES-starting packet, or NULL. */
static const uint8_t *pes_payload(const uint8_t *pkt, size_t *len)
{
    unsigned afc = (pkt[3] >> 4) & 3;
    if (!(pkt[1] & 0x40) || !(afc & 1)) return NULL;
    size_t off = 4 + ((afc & 2) ? 1u + pkt[4] : 0u);
    if (off + 9 > TS_PACKET) return NULL;
    const uint8_t *p = pkt + off;
    if (p[0] != 0 || p[1] != 0 || p[2] != 1) return NULL;
    off += 9u + p[8];
    if (off >= TS_PACKET) return NULL;
    *len = TS_PACKET - off;
    return pkt + off;
}

bool dmx_window_keyframe(const uint8_t *pkt, uint8_t stream_type)
{
    size_t len;
    const uint8_t *es = pes_payload(pkt, &len);
    if (!es) return false;
    bool rai = ((pkt[3] >> 4) & 2) && pkt[4] > 0 && (pkt[5] & 0x40);
    /* the codec's own word where we can read it: some muxers set the
     * random_access_indicator on every picture */
    for (size_t i = 0; i + 3 < len; i++) {
        if (es[i] != 0 || es[i + 1] != 0 || es[i + 2] != 1) continue;
        uint8_t c = es[i + 3];
        switch (stream_type) {
        case 0x01:
        case 0x02: /* MPEG-1/2: a sequence header precedes every I picture we can start at */
            if (c == 0xB3) return true;
            if (c == 0x00) return false; /* the picture came first */
            break;
        case 0x1B: { /* H.264: SPS or IDR */
            unsigned t = c & 0x1F;
            if (t == 5 || t == 7) return true;
            if (t == 1) return false;
            break;
        }
        case 0x24: { /* HEVC: VPS/SPS or an IRAP picture */
            unsigned t = (c >> 1) & 0x3F;
            if ((t >= 16 && t <= 21) || t == 32 || t == 33) return true;
            if (t < 16) return false;
            break;
        }
        default:
            return rai;
        }
    }
    return rai; /* nothing conclusive in the first packet */
}
