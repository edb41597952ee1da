/* The pipeline: source -> TS reader -> (SI, service filter) -> clean bytes
 * for the reader thread; outage detection on live sources. One mutex guards
 * the reader, SI, guide and outage state so other threads can take
 * snapshots; callbacks are collected under it and fired after unlocking. */
#include "demux/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK    (188 * 7 * 64)
#define POLL_SLICE_MS 100
#define MAX_OUTAGES   4096

struct pending {
    unsigned changes;
    struct dmx_outage outages[4];
    int outage_count;
    struct dmx_time time;
};

/* Outages of the whole stream: nothing clean for outage_ms (guarded by the
 * pipeline's lock). */
struct outage_watch {
    int64_t last_good_ns;
    uint64_t bytes_since_good;
    bool active;
    struct dmx_outage *list;
    size_t count, cap;
};

struct dmx_pipeline {
    struct sc_log *log;
    struct dmx_options opt;
    struct dmx_callbacks cb;
    const struct dmx_source_driver *drv;
    void *src;
    bool live, eof;
    atomic_bool aborted;

    pthread_mutex_t lock; /* guards everything below */
    struct dmx_ts *ts;
    struct dmx_si *si;
    struct dmx_guide *guide;
    uint8_t *in;
    uint8_t *out; /* clean packets waiting for the reader */
    size_t out_len, out_pos, out_cap;

    int selected;       /* service id or -1 */
    int filter_service; /* the service the mask was built for */
    bool mask_dirty;
    uint8_t mask[PID_COUNT / 8];
    uint16_t pmt_pid;
    uint8_t pat_cc, pat_version;
    struct dmx_window *window; /* NULL: no window */
    int replayed;              /* the service the window was replayed for, or -1 */
    bool replay_latest;        /* its PMT was known at the selection: a service change */
    uint16_t gate_pid;         /* video held back until its next keyframe, 0: none */
    uint8_t gate_type;

    struct outage_watch outage;
    struct dmx_signal signal;
    struct pending pending;
};

void dmx_options_default(struct dmx_options *o)
{
    *o = (struct dmx_options){
        .outage_ms = 2000,
        .default_charset = DMX_CHARSET_DEFAULT,
        .guide_max_per_service = 512,
        .guide_max_total = 8192,
        .time_floor = 1420070400, /* 2015-01-01 */
        .udp_rcvbuf = 4 << 20,
        .dvb_lock_timeout_ms = 5000,
        .window_ms = 1500,
        .window_bytes = 8u << 20,
    };
}

static void out_append(struct dmx_pipeline *p, const uint8_t *pkt)
{
    if (p->out_len + TS_PACKET > p->out_cap) {
        size_t cap = p->out_cap ? p->out_cap * 2 : READ_CHUNK * 2;
        uint8_t *n = realloc(p->out, cap);
        if (!n) return; /* the packet is lost; the CC check downstream notices */
        p->out = n;
        p->out_cap = cap;
    }
    memcpy(p->out + p->out_len, pkt, TS_PACKET);
    p->out_len += TS_PACKET;
}

/* A PAT listing only the selected program, so libavformat probes nothing else. */
static void emit_single_pat(struct dmx_pipeline *p, uint16_t ts_id)
{
    uint8_t pkt[TS_PACKET];
    memset(pkt, 0xFF, sizeof pkt);
    pkt[0] = 0x47;
    pkt[1] = 0x40;
    pkt[2] = 0x00;
    pkt[3] = (uint8_t)(0x10 | (p->pat_cc++ & 15));
    pkt[4] = 0; /* pointer field */
    uint8_t *s = pkt + 5;
    s[0] = 0x00;
    s[1] = 0xB0;
    s[2] = 13; /* 5 header bytes + one program + CRC */
    s[3] = (uint8_t)(ts_id >> 8);
    s[4] = (uint8_t)ts_id;
    s[5] = (uint8_t)(0xC1 | ((p->pat_version & 31) << 1));
    s[6] = 0;
    s[7] = 0;
    s[8] = (uint8_t)(p->filter_service >> 8);
    s[9] = (uint8_t)p->filter_service;
    s[10] = (uint8_t)(0xE0 | (p->pmt_pid >> 8));
    s[11] = (uint8_t)p->pmt_pid;
    uint32_t crc = dmx_crc32(s, 12);
    s[12] = (uint8_t)(crc >> 24);
    s[13] = (uint8_t)(crc >> 16);
    s[14] = (uint8_t)(crc >> 8);
    s[15] = (uint8_t)crc;
    out_append(p, pkt);
}

static void rebuild_mask(struct dmx_pipeline *p)
{
    uint16_t old_pmt = p->pmt_pid;
    memset(p->mask, 0, sizeof p->mask);
    p->pmt_pid = 0;
    if (p->selected >= 0) dmx_si_service_pids(p->si, (uint16_t)p->selected, p->mask, &p->pmt_pid);
    /* a new PAT version makes the demuxer above re-read it */
    if (p->filter_service != p->selected || p->pmt_pid != old_pmt) p->pat_version++;
    p->filter_service = p->selected;
    p->mask_dirty = false;
}

static unsigned pid_of(const uint8_t *pkt)
{
    return ((unsigned)(pkt[1] & 0x1F) << 8) | pkt[2];
}

static bool selected_pid(const struct dmx_pipeline *p, unsigned pid)
{
    return p->mask[pid / 8] & (1u << (pid % 8));
}

/* Once the selected service's PMT is known: a PAT, its PMT and its packets
 * still in the window from a keyframe on, so that libavformat (which drops
 * whatever precedes the PMT) gets them in an order it can use. Returns
 * false while the PMT is unknown (or without a window). From on_packet, the
 * window's newest packet is the one being handled: it is passed here or not
 * at all; from a selection, it was passed (if at all) for the old one. */
static bool replay_window(struct dmx_pipeline *p)
{
    uint16_t video_pid, ts_id = 0;
    uint8_t video_type;
    if (!p->pmt_pid ||
        !dmx_si_service_streams(p->si, (uint16_t)p->selected, &video_pid, &video_type))
        return false;
    p->replayed = p->selected;
    size_t n = dmx_window_count(p->window);
    if (n == 0) return false; /* no window: the packets flow from now on */
    size_t start = video_pid ? n : 0, pmt_start = n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *pkt = dmx_window_at(p->window, i);
        unsigned pid = pid_of(pkt);
        if (pid == p->pmt_pid && (pkt[1] & 0x40)) pmt_start = i;
        if (video_pid && pid == video_pid && (start == n || p->replay_latest) &&
            dmx_window_keyframe(pkt, video_type))
            start = i;
    }
    /* no keyframe in the window: the pictures start at the next one (a
     * recording then starts at a keyframe too; decoders skip the rest anyway) */
    p->gate_pid = start == n ? video_pid : 0;
    p->gate_type = video_type;
    if (start == n) start = n - 1; /* the sound from this packet on */
    dmx_si_ts_id(p->si, &ts_id);
    emit_single_pat(p, ts_id);
    for (size_t i = pmt_start; i < n; i++) {
        const uint8_t *pkt = dmx_window_at(p->window, i);
        if (pid_of(pkt) == p->pmt_pid) out_append(p, pkt);
    }
    /* the other streams (sound) from the window's start when nothing may be
     * lost, else from the picture's start */
    for (size_t i = p->replay_latest ? start : 0; i < n; i++) {
        const uint8_t *pkt = dmx_window_at(p->window, i);
        unsigned pid = pid_of(pkt);
        if (pid == video_pid && (i < start || p->gate_pid)) continue;
        if (pid != 0 && pid != p->pmt_pid && selected_pid(p, pid)) out_append(p, pkt);
    }
    return true;
}

/* Called by the TS reader for each clean packet, with the lock held. */
static void on_packet(void *opaque, const uint8_t *pkt)
{
    struct dmx_pipeline *p = opaque;
    if (p->window) dmx_window_push(p->window, pkt, dmx_ts_clock_ms(p->ts));
    dmx_si_push(p->si, pkt);
    unsigned changes = dmx_si_take_changes(p->si);
    if (changes) {
        p->pending.changes |= changes;
        if (changes & DMX_SI_SERVICES) p->mask_dirty = true;
    }
    if (p->selected < 0) {
        out_append(p, pkt);
        return;
    }
    if (p->mask_dirty || p->filter_service != p->selected) rebuild_mask(p);
    if (p->replayed != p->selected && replay_window(p) && p->window) return;
    unsigned pid = pid_of(pkt);
    if (pid == 0) {
        /* one rewritten PAT per PAT start, once the service's PMT is known
         * (with a window, once it was replayed: it starts with its own) */
        bool start = pkt[1] & 0x40, payload_only = (pkt[3] & 0x30) == 0x10;
        bool ready = p->pmt_pid && (!p->window || p->replayed == p->selected);
        if (start && payload_only && pkt[4] < 170 && ready)
            emit_single_pat(p, (uint16_t)((pkt[5 + pkt[4] + 3] << 8) | pkt[5 + pkt[4] + 4]));
        return;
    }
    if (pid == p->gate_pid) {
        if (!(pkt[1] & 0x40) || !dmx_window_keyframe(pkt, p->gate_type)) return;
        p->gate_pid = 0;
    }
    if (selected_pid(p, pid)) out_append(p, pkt);
}

int dmx_pipeline_create(struct dmx_pipeline **out, const char *url,
                        const struct dmx_options *options, const struct dmx_callbacks *callbacks,
                        struct sc_log *log)
{
    *out = NULL;
    const struct dmx_source_driver *drv = url ? dmx_source_find(url) : NULL;
    if (!drv) return DMX_ERR_URL;
    struct dmx_pipeline *p = calloc(1, sizeof *p);
    if (!p) return DMX_ERR_NOMEM;
    int r = DMX_ERR_NOMEM;
    p->log = log;
    if (options)
        p->opt = *options;
    else
        dmx_options_default(&p->opt);
    if (callbacks) p->cb = *callbacks;
    atomic_init(&p->aborted, false);
    p->selected = p->filter_service = p->replayed = -1;
    pthread_mutex_init(&p->lock, NULL);
    p->in = malloc(READ_CHUNK);
    p->guide = dmx_guide_create(p->opt.guide_max_per_service, p->opt.guide_max_total);
    p->ts = dmx_ts_create(on_packet, p, log);
    p->si = p->guide ? dmx_si_create(&p->opt, p->guide, log) : NULL;
    p->outage.list = calloc(16, sizeof *p->outage.list);
    p->outage.cap = 16;
    if (p->opt.window_ms > 0 && p->opt.window_bytes >= TS_PACKET) {
        p->window = dmx_window_create(p->opt.window_bytes, p->opt.window_ms);
        if (!p->window) goto fail;
    }
    if (!p->in || !p->guide || !p->ts || !p->si || !p->outage.list) goto fail;
    r = drv->open(&p->src, url, &p->opt, log);
    if (r < 0) goto fail;
    p->drv = drv;
    p->live = drv->is_live(p->src);
    p->outage.last_good_ns = sc_mono_ns();
    *out = p;
    return 0;
fail:
    dmx_pipeline_destroy(p);
    return r;
}

void dmx_pipeline_destroy(struct dmx_pipeline *p)
{
    if (!p) return;
    if (p->drv) p->drv->close(p->src);
    dmx_si_destroy(p->si);
    dmx_ts_destroy(p->ts);
    dmx_guide_destroy(p->guide);
    dmx_window_destroy(p->window);
    pthread_mutex_destroy(&p->lock);
    free(p->in);
    free(p->out);
    free(p->outage.list);
    free(p);
}

static void record_outage(struct dmx_pipeline *p, const struct dmx_outage *o)
{
    if (o->end_mono_ns == 0) {
        if (p->outage.count == MAX_OUTAGES) { /* keep the latest */
            p->outage.count--;
            memmove(p->outage.list, p->outage.list + 1, p->outage.count * sizeof *p->outage.list);
        }
        if (p->outage.count == p->outage.cap) {
            struct dmx_outage *n = realloc(p->outage.list, 2 * p->outage.cap * sizeof *n);
            if (!n) return;
            p->outage.list = n;
            p->outage.cap *= 2;
        }
        p->outage.list[p->outage.count++] = *o;
    } else if (p->outage.count) {
        p->outage.list[p->outage.count - 1] = *o;
    }
    if (p->pending.outage_count < 4) p->pending.outages[p->pending.outage_count++] = *o;
}

/* Outage bookkeeping after each source read, with the lock held. */
static void check_outage(struct dmx_pipeline *p, uint64_t good, size_t bytes)
{
    int64_t now = sc_mono_ns();
    if (p->drv->signal) p->drv->signal(p->src, &p->signal);
    bool no_lock = p->signal.valid && !p->signal.locked;
    if (good && !no_lock) {
        p->outage.last_good_ns = now;
        p->outage.bytes_since_good = 0;
        if (p->outage.active) {
            p->outage.active = false;
            struct dmx_outage o = p->outage.list[p->outage.count - 1];
            o.end_mono_ns = now;
            record_outage(p, &o);
            SC_INFO(p->log, "signal back after %.1f s", (now - o.start_mono_ns) / 1e9);
        }
        return;
    }
    /* bytes that still trickle in right after the last clean packet (padding,
     * a held-back partial packet) do not make a silent source "undecodable" */
    if (now - p->outage.last_good_ns > (int64_t)POLL_SLICE_MS * 2 * 1000000)
        p->outage.bytes_since_good += bytes;
    if (!p->live || p->outage.active ||
        now - p->outage.last_good_ns < (int64_t)p->opt.outage_ms * 1000000)
        return;
    struct dmx_outage o = {.start_mono_ns = p->outage.last_good_ns,
                           .cause = no_lock                      ? DMX_OUTAGE_NO_LOCK
                                    : p->outage.bytes_since_good ? DMX_OUTAGE_UNDECODABLE
                                                                 : DMX_OUTAGE_NO_DATA};
    p->outage.active = true;
    record_outage(p, &o);
    /* info: the layer above (the player) reports outages to the user */
    SC_INFO(p->log, "signal lost (%s)", dmx_outage_cause_name(o.cause));
}

static void fire_callbacks(struct dmx_pipeline *p, struct pending *ev)
{
    for (int i = 0; i < ev->outage_count; i++)
        if (p->cb.outage) p->cb.outage(p->cb.opaque, &ev->outages[i]);
    if ((ev->changes & DMX_SI_SERVICES) && p->cb.services_changed)
        p->cb.services_changed(p->cb.opaque);
    if ((ev->changes & DMX_SI_GUIDE) && p->cb.guide_changed) p->cb.guide_changed(p->cb.opaque);
    if ((ev->changes & DMX_SI_TIME) && p->cb.time_changed)
        p->cb.time_changed(p->cb.opaque, &ev->time);
}

/* Takes the collected events under the lock; fires them after unlocking. */
static void unlock_and_fire(struct dmx_pipeline *p)
{
    struct pending ev = p->pending;
    p->pending = (struct pending){0};
    if (ev.changes & DMX_SI_TIME) dmx_si_time(p->si, &ev.time);
    pthread_mutex_unlock(&p->lock);
    if (ev.changes || ev.outage_count) fire_callbacks(p, &ev);
}

int dmx_pipeline_read(struct dmx_pipeline *p, uint8_t *buf, size_t size, int timeout_ms)
{
    size -= size % TS_PACKET;
    if (size == 0) return -EINVAL;
    int64_t deadline = timeout_ms >= 0 ? sc_mono_ns() + (int64_t)timeout_ms * 1000000 : 0;
    bool tried = false;
    for (;;) {
        if (atomic_load(&p->aborted)) return DMX_ERR_ABORTED;
        pthread_mutex_lock(&p->lock);
        if (p->out_len > p->out_pos) {
            size_t n = p->out_len - p->out_pos;
            if (n > size) n = size;
            memcpy(buf, p->out + p->out_pos, n);
            p->out_pos += n;
            if (p->out_pos == p->out_len) p->out_pos = p->out_len = 0;
            unlock_and_fire(p);
            return (int)n;
        }
        bool eof = p->eof;
        pthread_mutex_unlock(&p->lock);
        if (eof) return DMX_EOF;
        int slice = POLL_SLICE_MS;
        if (timeout_ms >= 0) {
            int64_t left_ms = (deadline - sc_mono_ns()) / 1000000;
            if (left_ms <= 0 && tried) return 0;
            if (left_ms < slice) slice = left_ms > 0 ? (int)left_ms : 0;
        }
        tried = true; /* a zero timeout still polls the source once */
        int n = p->drv->read(p->src, p->in, READ_CHUNK, slice);
        if (n < 0 && n != DMX_EOF) return n;
        pthread_mutex_lock(&p->lock);
        if (n == DMX_EOF) {
            dmx_ts_push(p->ts, NULL, 0, true);
            p->eof = true;
        } else if (n > 0) {
            dmx_ts_push(p->ts, p->in, (size_t)n, false);
        }
        check_outage(p, dmx_ts_take_good(p->ts), n > 0 ? (size_t)n : 0);
        unlock_and_fire(p);
    }
}

bool dmx_pipeline_is_live(const struct dmx_pipeline *p)
{
    return p->live;
}

void dmx_pipeline_select_service(struct dmx_pipeline *p, int service_id)
{
    pthread_mutex_lock(&p->lock);
    p->selected = service_id < 0 ? -1 : service_id;
    p->mask_dirty = true;
    /* what waits for the reader was filtered for the old selection */
    p->out_pos = p->out_len = 0;
    p->replayed = -1;
    p->gate_pid = 0;
    if (p->selected >= 0) {
        rebuild_mask(p);
        /* a PMT known already: start at once, from the latest keyframe */
        p->replay_latest = true;
        if (!replay_window(p)) p->replay_latest = false;
    }
    pthread_mutex_unlock(&p->lock);
}

int dmx_pipeline_default_service(const struct dmx_pipeline *p)
{
    return p->drv->service_id ? p->drv->service_id(p->src) : -1;
}

void dmx_pipeline_abort(struct dmx_pipeline *p)
{
    atomic_store(&p->aborted, true);
}

void dmx_pipeline_stats(struct dmx_pipeline *p, struct dmx_stats *out)
{
    pthread_mutex_lock(&p->lock);
    dmx_ts_stats(p->ts, out);
    out->section_crc_errors = dmx_si_crc_errors(p->si);
    if (p->drv->counters) p->drv->counters(p->src, &out->rtp_lost, &out->rtp_reordered);
    pthread_mutex_unlock(&p->lock);
}

int dmx_pipeline_pid_stats(struct dmx_pipeline *p, struct dmx_pid_stats **out, size_t *count)
{
    pthread_mutex_lock(&p->lock);
    int r = dmx_ts_pid_stats(p->ts, out, count);
    pthread_mutex_unlock(&p->lock);
    return r;
}

int dmx_pipeline_services(struct dmx_pipeline *p, struct dmx_service **out, size_t *count)
{
    pthread_mutex_lock(&p->lock);
    int r = dmx_si_services(p->si, out, count);
    pthread_mutex_unlock(&p->lock);
    return r;
}

int dmx_pipeline_events(struct dmx_pipeline *p, int service_id, struct dmx_event **out,
                        size_t *count)
{
    pthread_mutex_lock(&p->lock);
    int r = dmx_guide_copy(p->guide, service_id, out, count);
    pthread_mutex_unlock(&p->lock);
    return r;
}

int dmx_pipeline_time(struct dmx_pipeline *p, struct dmx_time *out)
{
    pthread_mutex_lock(&p->lock);
    int r = dmx_si_time(p->si, out);
    pthread_mutex_unlock(&p->lock);
    return r;
}

int dmx_pipeline_outages(struct dmx_pipeline *p, struct dmx_outage **out, size_t *count)
{
    pthread_mutex_lock(&p->lock);
    *count = p->outage.count;
    *out = malloc((p->outage.count ? p->outage.count : 1) * sizeof **out);
    if (*out)
        memcpy(*out, p->outage.list, p->outage.count * sizeof **out);
    else
        *count = 0;
    pthread_mutex_unlock(&p->lock);
    return *out ? 0 : -ENOMEM;
}

void dmx_pipeline_signal(struct dmx_pipeline *p, struct dmx_signal *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->signal;
    pthread_mutex_unlock(&p->lock);
}

int dmx_pipeline_network(struct dmx_pipeline *p, char *name, size_t size, uint16_t *network_id)
{
    pthread_mutex_lock(&p->lock);
    const char *n = dmx_si_network(p->si, network_id);
    if (n) snprintf(name, size, "%s", n);
    pthread_mutex_unlock(&p->lock);
    return n ? 0 : -ENOENT;
}

int dmx_pipeline_guide_save(struct dmx_pipeline *p, const char *path)
{
    struct dmx_event *events;
    size_t count;
    int r = dmx_pipeline_events(p, -1, &events, &count);
    if (r < 0) return r;
    r = dmx_guide_save(events, count, path); /* the disk write without the lock */
    dmx_events_free(events, count);
    return r;
}

int dmx_pipeline_guide_load(struct dmx_pipeline *p, const char *path)
{
    pthread_mutex_lock(&p->lock);
    struct dmx_time t;
    int64_t now = dmx_si_time(p->si, &t) == 0 ? t.utc : sc_utc_ns() / 1000000000;
    int r = dmx_guide_load(p->guide, path, now);
    if (r == 0) p->pending.changes |= DMX_SI_GUIDE;
    pthread_mutex_unlock(&p->lock);
    return r;
}
