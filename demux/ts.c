/* The TS reader: finds packet sync in a byte stream (188/192/204-byte
 * packets), keeps per-PID statistics and passes on only clean packets: no TEI,
 * not scrambled, no duplicates, and no PES continuation after a continuity
 * error until that PID's next payload_unit_start. */
#include "demux/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Consecutive sync bytes needed before trusting a packet size and phase. */
#define LOCK_SYNCS 5
#define PCR_WRAP   ((int64_t)1 << 33) * 300
#define PCR_HZ     27000000LL

struct pid_state {
    struct dmx_pid_stats st;
    int8_t last_cc;   /* -1 until the first payload packet */
    bool dup_seen;    /* the last packet was already a duplicate */
    bool damaged;     /* drop payload until the next unit start */
    int64_t last_pcr; /* -1 until the first PCR */
};

struct dmx_ts {
    dmx_ts_packet_fn on_packet;
    void *opaque;
    struct sc_log *log;
    struct sc_log_limit limit;
    uint8_t *buf; /* unprocessed bytes */
    size_t len, cap;
    unsigned size; /* packet size while locked, else 0 */
    struct dmx_stats stats;
    uint64_t good;
    int clock_pid; /* the PID whose PCR measures stream time, -1 before one */
    int64_t stream_ticks;
    struct pid_state *pids[PID_COUNT];
};

struct dmx_ts *dmx_ts_create(dmx_ts_packet_fn on_packet, void *opaque, struct sc_log *log)
{
    struct dmx_ts *ts = calloc(1, sizeof *ts);
    if (!ts) return NULL;
    ts->on_packet = on_packet;
    ts->opaque = opaque;
    ts->log = log;
    ts->limit.burst = 5;
    ts->limit.period_ms = 2000;
    ts->clock_pid = -1;
    return ts;
}

void dmx_ts_destroy(struct dmx_ts *ts)
{
    if (!ts) return;
    for (int i = 0; i < PID_COUNT; i++)
        free(ts->pids[i]);
    free(ts->buf);
    free(ts);
}

static struct pid_state *pid_state(struct dmx_ts *ts, unsigned pid)
{
    struct pid_state *ps = ts->pids[pid];
    if (!ps) {
        ps = calloc(1, sizeof *ps);
        if (!ps) return NULL;
        ps->st.pid = (uint16_t)pid;
        ps->last_cc = -1;
        ps->last_pcr = -1;
        ts->pids[pid] = ps;
    }
    return ps;
}

static void check_pcr(struct dmx_ts *ts, struct pid_state *ps, const uint8_t *p, bool discontinuity)
{
    if (p[4] < 7 || !(p[5] & 0x10)) return;
    int64_t base = (int64_t)p[6] << 25 | (int64_t)p[7] << 17 | (int64_t)p[8] << 9 |
                   (int64_t)p[9] << 1 | p[10] >> 7;
    int64_t pcr = base * 300 + (((p[10] & 1) << 8) | p[11]);
    if (ts->clock_pid < 0) ts->clock_pid = ps->st.pid;
    if (ps->last_pcr >= 0 && !discontinuity) {
        int64_t delta = pcr - ps->last_pcr;
        if (delta < -(PCR_WRAP / 2)) delta += PCR_WRAP;
        if (delta < 0 || delta > PCR_HZ) {
            ps->st.pcr_jumps++;
            ts->stats.pcr_jumps++;
        } else if (ts->clock_pid == ps->st.pid) {
            ts->stream_ticks += delta;
        }
    }
    ps->last_pcr = pcr;
}

/* Classifies one synchronised 188-byte packet; returns true if clean.
 * A TEI packet is dropped, but its continuity counter still counts: the
 * header is usually intact and skipping it would report every TEI packet a
 * second time as a continuity error. */
static bool check_packet(struct dmx_ts *ts, const uint8_t *p)
{
    unsigned pid = ((unsigned)(p[1] & 0x1F) << 8) | p[2];
    struct pid_state *ps = pid_state(ts, pid);
    if (!ps) return false;
    ps->st.packets++;
    ts->stats.packets++;
    bool tei = p[1] & 0x80, scrambled = (p[3] >> 6) != 0;
    if (tei) {
        ps->st.tei++;
        ts->stats.tei++;
    }
    if (scrambled) {
        ps->st.scrambled++;
        ts->stats.scrambled++;
    }
    if (pid == PID_NULL) return false;
    unsigned afc = (p[3] >> 4) & 3, cc = p[3] & 15;
    bool pusi = p[1] & 0x40;
    /* reserved control, or an adaptation field longer than the packet: the
     * counter still counts, the packet is dropped below */
    bool malformed = afc == 0 || ((afc & 2) && p[4] > 183 + (afc == 2));
    bool discontinuity = !malformed && (afc & 2) && p[4] > 0 && (p[5] & 0x80);
    if (!malformed && (afc & 2) && p[4] > 0 && !tei) check_pcr(ts, ps, p, discontinuity);
    if (afc & 1) {
        if (ps->last_cc >= 0) {
            bool repeat = (int)cc == ps->last_cc;
            bool in_order = cc == (unsigned)((ps->last_cc + 1) & 15);
            if (repeat && !ps->dup_seen && !discontinuity) {
                ps->dup_seen = true; /* one repetition is allowed: drop it */
                ps->st.duplicates++;
                return false;
            }
            if (!in_order && discontinuity) {
                ps->st.discontinuities++; /* announced: not an error */
                ps->damaged = true;
            } else if (!in_order) {
                ps->st.cc_errors++;
                ts->stats.cc_errors++;
                ps->damaged = true;
                sc_logf_limited(ts->log, &ts->limit, SC_LOG_DEBUG,
                                "continuity error on PID %u: %d -> %u", pid, ps->last_cc, cc);
            }
        }
        ps->dup_seen = false;
        ps->last_cc = (int8_t)cc;
    }
    if (tei || scrambled || malformed) {
        ps->st.dropped++;
        if (tei || malformed) ps->damaged = true;
        return false;
    }
    if (ps->damaged && (afc & 1)) {
        if (!pusi) {
            ps->st.dropped++;
            return false;
        }
        ps->damaged = false;
    }
    return true;
}

static void emit(struct dmx_ts *ts, const uint8_t *p)
{
    if (!check_packet(ts, p)) return;
    ts->stats.packets_out++;
    ts->good++;
    if (ts->on_packet) ts->on_packet(ts->opaque, p);
}

static unsigned sync_offset(unsigned size)
{
    return size == 192 ? 4 : 0; /* M2TS: a 4-byte time stamp before each packet */
}

enum sync_check { SYNC_MISMATCH, SYNC_MATCH, SYNC_SHORT };

/* Whether `count` packets of `size` starting at `at` all carry a sync byte;
 * SYNC_SHORT when every one the buffer holds does but it ends too early. */
static enum sync_check syncs_at(const struct dmx_ts *ts, size_t at, unsigned size, int count)
{
    size_t s = at + sync_offset(size);
    for (int k = 0; k < count; k++, s += size) {
        if (s >= ts->len) return SYNC_SHORT;
        if (ts->buf[s] != 0x47) return SYNC_MISMATCH;
    }
    return SYNC_MATCH;
}

/* Looks for a position from *pos where LOCK_SYNCS packets of one size line
 * up. Returns it, or -1 with *pos at the first byte that may still start a
 * packet once more data comes. At eof, the whole packets left are enough. */
static long find_lock(struct dmx_ts *ts, size_t *pos, bool eof)
{
    static const unsigned sizes[3] = {188, 204, 192};
    for (size_t at = *pos; at < ts->len; at++) {
        bool waiting = false;
        for (int i = 0; i < 3; i++) {
            enum sync_check r = syncs_at(ts, at, sizes[i], LOCK_SYNCS);
            if (r == SYNC_MATCH || (r == SYNC_SHORT && eof && (ts->len - at) / sizes[i] >= 1)) {
                ts->size = sizes[i];
                return (long)at;
            }
            if (r == SYNC_SHORT && !eof) waiting = true;
        }
        if (waiting) {
            *pos = at;
            return -1;
        }
    }
    *pos = ts->len;
    return -1;
}

/* When the packet at pos is followed by no sync byte: true if the stream
 * resynchronises inside it (bytes were lost in this packet, drop it), false
 * if only after it (garbage was inserted after an intact packet). */
static bool next_sync_inside(const struct dmx_ts *ts, size_t pos, unsigned size)
{
    unsigned off = sync_offset(size);
    for (size_t q = pos + 1; q < pos + size; q++) {
        size_t s = q + off;
        if (s + size < ts->len && ts->buf[s] == 0x47 && ts->buf[s + size] == 0x47) return true;
    }
    return false;
}

static void process(struct dmx_ts *ts, bool eof)
{
    size_t pos = 0;
    for (;;) {
        if (!ts->size) {
            size_t from = pos;
            long at = find_lock(ts, &pos, eof);
            ts->stats.skipped_bytes += (at >= 0 ? (size_t)at : pos) - from;
            if (at < 0) break;
            pos = (size_t)at;
            ts->stats.packet_size = ts->size;
        }
        unsigned size = ts->size, off = sync_offset(size);
        if (pos + size > ts->len) break;
        const uint8_t *p = ts->buf + pos + off;
        bool next_known = pos + size + off < ts->len;
        if (p[0] == 0x47 && next_known && ts->buf[pos + size + off] != 0x47) {
            if (!eof && pos + 2 * size + off >= ts->len)
                break; /* need the bytes after it to tell loss from garbage */
        }
        if (p[0] == 0x47 && next_known && ts->buf[pos + size + off] != 0x47 &&
            next_sync_inside(ts, pos, size)) {
            /* a byte was lost inside this packet: it is damaged */
            ts->stats.sync_losses++;
            ts->size = 0;
            ts->stats.skipped_bytes++;
            pos++;
            sc_logf_limited(ts->log, &ts->limit, SC_LOG_DEBUG, "sync lost (short packet)");
            continue;
        }
        if (p[0] != 0x47) {
            ts->stats.sync_losses++;
            ts->size = 0;
            sc_logf_limited(ts->log, &ts->limit, SC_LOG_DEBUG, "sync lost");
            continue;
        }
        if (!next_known && !eof) break; /* confirm with the next packet's sync byte first */
        emit(ts, p);
        pos += size;
    }
    if (eof) {
        ts->stats.truncated_bytes += (uint32_t)(ts->len - pos);
        pos = ts->len;
    }
    memmove(ts->buf, ts->buf + pos, ts->len - pos);
    ts->len -= pos;
}

size_t dmx_ts_push(struct dmx_ts *ts, const uint8_t *data, size_t len, bool eof)
{
    uint64_t before = ts->stats.packets_out;
    ts->stats.bytes_in += len;
    if (ts->len + len > ts->cap) {
        size_t cap = ts->cap ? ts->cap : 65536;
        while (cap < ts->len + len)
            cap *= 2;
        uint8_t *nb = realloc(ts->buf, cap);
        if (!nb) {
            ts->stats.skipped_bytes += len;
            return 0;
        }
        ts->buf = nb;
        ts->cap = cap;
    }
    if (len) memcpy(ts->buf + ts->len, data, len);
    ts->len += len;
    process(ts, eof);
    ts->stats.stream_seconds = (double)ts->stream_ticks / PCR_HZ;
    return (size_t)(ts->stats.packets_out - before);
}

void dmx_ts_stats(const struct dmx_ts *ts, struct dmx_stats *out)
{
    *out = ts->stats;
}

int dmx_ts_pid_stats(const struct dmx_ts *ts, struct dmx_pid_stats **out, size_t *count)
{
    size_t n = 0;
    for (int i = 0; i < PID_COUNT; i++)
        n += ts->pids[i] != NULL;
    *out = calloc(n ? n : 1, sizeof **out);
    *count = 0;
    if (!*out) return -ENOMEM;
    for (int i = 0; i < PID_COUNT; i++)
        if (ts->pids[i]) (*out)[(*count)++] = ts->pids[i]->st;
    return 0;
}

uint64_t dmx_ts_take_good(struct dmx_ts *ts)
{
    uint64_t g = ts->good;
    ts->good = 0;
    return g;
}

int64_t dmx_ts_clock_ms(const struct dmx_ts *ts)
{
    return ts->stream_ticks / (PCR_HZ / 1000);
}
