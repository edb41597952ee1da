/* Signal and outages, and the SI pass-throughs to the demux pipeline.
 *
 * The playing service is watched on the reader thread, packet by packet as
 * the AVIOContext reads them: no packet on its video/audio PIDs for
 * outage_ms is an outage, whatever else still flows (SI alone is no
 * programme). The pipeline's own outage report (nothing clean on any PID,
 * frontend lock lost) supplies the cause. When the service's data returns the
 * queues are flushed (a new serial) and the main thread resynchronises its
 * clocks and sound. */
#include "player/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TS_PACKET 188

int player_reception_init(struct player_reception *r)
{
    *r = (struct player_reception){.outage_ms = 2000};
    atomic_init(&r->signal_ok, true);
    atomic_init(&r->service, -1);
    atomic_init(&r->requested_service, -1);
    atomic_init(&r->pipeline_ready, false);
    if (pthread_mutex_init(&r->lock, NULL) != 0) return AVERROR(ENOMEM);
    return 0;
}

void player_reception_destroy(struct player_reception *r)
{
    pthread_mutex_destroy(&r->lock);
    free(r->outages);
}

static double since_start(const struct player *p, int64_t mono_ns)
{
    return (double)(mono_ns - p->opts.start_ns) / 1e9;
}

static const char *cause_name(int cause)
{
    return cause ? dmx_outage_cause_name((enum dmx_outage_cause)cause) : "no_service_data";
}

static void begin_outage(struct player *p, int64_t start_ns, int cause)
{
    struct player_reception *r = &p->rx;
    r->in_outage = true;
    pthread_mutex_lock(&r->lock);
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct player_outage *n = realloc(r->outages, cap * sizeof(*n));
        if (n) {
            r->outages = n;
            r->cap = cap;
        }
    }
    if (r->count < r->cap)
        r->outages[r->count++] = (struct player_outage){.start = since_start(p, start_ns),
                                                        .end = -1,
                                                        .picture = -1,
                                                        .cause = cause_name(cause)};
    pthread_mutex_unlock(&r->lock);
    atomic_store(&r->signal_ok, false);
    SC_WARN(p->log, "no signal (%s)", cause_name(cause));
    player_wakeup(p);
}

/* The pipeline named the cause of an outage already under way. */
static void refine_outage(struct player *p, int64_t start_ns, int cause)
{
    struct player_reception *r = &p->rx;
    pthread_mutex_lock(&r->lock);
    if (r->count) {
        struct player_outage *o = &r->outages[r->count - 1];
        o->cause = cause_name(cause);
        double start = since_start(p, start_ns);
        if (start < o->start) o->start = start;
    }
    pthread_mutex_unlock(&r->lock);
}

static void end_outage(struct player *p, int64_t now)
{
    struct player_reception *r = &p->rx;
    r->in_outage = false;
    pthread_mutex_lock(&r->lock);
    if (r->count) r->outages[r->count - 1].end = since_start(p, now);
    double length = r->count ? r->outages[r->count - 1].end - r->outages[r->count - 1].start : 0;
    pthread_mutex_unlock(&r->lock);
    SC_INFO(p->log, "signal back after %.1f s", length);
    /* what was queued before the gap is stale: a new serial drops it, and the
     * main thread restarts its clocks and the sound from the new data */
    if (p->has_video) player_pktq_flush(&p->video.packets);
    if (p->has_audio) player_pktq_flush(&p->audio.packets);
    atomic_fetch_add(&p->resync, 1);
    atomic_store(&r->signal_ok, true);
    player_wakeup(p);
}

static void on_outage(void *opaque, const struct dmx_outage *o)
{
    struct player *p = opaque;
    struct player_reception *r = &p->rx;
    if (o->end_mono_ns != 0) {
        r->pipeline_cause = 0; /* the service's own data ends ours (player_reception_saw) */
        return;
    }
    r->pipeline_cause = (int)o->cause;
    if (r->in_outage)
        refine_outage(p, o->start_mono_ns, r->pipeline_cause);
    else if (atomic_load(&p->streams_open) || p->src.got_data)
        begin_outage(p, o->start_mono_ns, r->pipeline_cause);
}

static void on_services_changed(void *opaque)
{
    player_wakeup(opaque); /* the kiosk may look at the list again */
}

void player_reception_callbacks(struct player *p, struct dmx_callbacks *cb)
{
    *cb = (struct dmx_callbacks){
        .opaque = p, .outage = on_outage, .services_changed = on_services_changed};
}

void player_reception_watch(struct player *p, const int *pids, int n)
{
    struct player_reception *r = &p->rx;
    r->n_watch = 0;
    for (int i = 0; i < n && r->n_watch < 2; i++)
        if (pids[i] > 0 && pids[i] < 0x1FFF) r->watch_pids[r->n_watch++] = (uint16_t)pids[i];
    r->last_data_ns = sc_mono_ns();
}

static bool carries_service_data(const struct player_reception *r, const uint8_t *bytes, size_t len)
{
    for (size_t off = 0; off + TS_PACKET <= len; off += TS_PACKET) {
        unsigned pid = ((unsigned)(bytes[off + 1] & 0x1F) << 8) | bytes[off + 2];
        for (int i = 0; i < r->n_watch; i++)
            if (pid == r->watch_pids[i]) return true;
    }
    return false;
}

void player_reception_saw(struct player *p, const uint8_t *bytes, size_t len)
{
    struct player_reception *r = &p->rx;
    if (!p->src.live || r->n_watch == 0) return;
    int64_t now = sc_mono_ns();
    if (len && carries_service_data(r, bytes, len)) {
        r->last_data_ns = now;
        if (r->in_outage) end_outage(p, now);
        return;
    }
    if (!r->in_outage && now - r->last_data_ns >= (int64_t)r->outage_ms * 1000000)
        begin_outage(p, r->last_data_ns, r->pipeline_cause);
}

/* ---- the public calls ---------------------------------------------------- */

void player_reception_picture_shown(struct player *p, int64_t now)
{
    struct player_reception *r = &p->rx;
    pthread_mutex_lock(&r->lock);
    struct player_outage *o = r->count ? &r->outages[r->count - 1] : NULL;
    if (o && o->end >= 0 && o->picture < 0) o->picture = since_start(p, now);
    pthread_mutex_unlock(&r->lock);
}

bool player_signal(struct player *p)
{
    return atomic_load(&p->rx.signal_ok);
}

int64_t player_outage_began_ns(struct player *p)
{
    struct player_reception *r = &p->rx;
    pthread_mutex_lock(&r->lock);
    const struct player_outage *o = r->count ? &r->outages[r->count - 1] : NULL;
    int64_t began = o && o->end < 0 ? p->opts.start_ns + llround(o->start * 1e9) : 0;
    pthread_mutex_unlock(&r->lock);
    return began;
}

int player_outages(struct player *p, struct player_outage **out, size_t *count)
{
    struct player_reception *r = &p->rx;
    pthread_mutex_lock(&r->lock);
    *count = r->count;
    *out = malloc((r->count ? r->count : 1) * sizeof(**out));
    if (*out && r->count) memcpy(*out, r->outages, r->count * sizeof(**out));
    if (!*out) *count = 0;
    pthread_mutex_unlock(&r->lock);
    return *out ? 0 : -ENOMEM;
}

static int pipeline_of(struct player *p, struct dmx_pipeline **pl)
{
    if (!atomic_load(&p->rx.pipeline_ready)) {
        int state = atomic_load(&p->status.state);
        /* still opening, or never a TS */
        return state == PLAYER_OPENING ? -EAGAIN : -ENOENT;
    }
    *pl = p->src.pipeline;
    return 0;
}

int player_services(struct player *p, struct dmx_service **out, size_t *count)
{
    struct dmx_pipeline *pl;
    int ret = pipeline_of(p, &pl);
    if (ret < 0) return ret;
    return dmx_pipeline_services(pl, out, count);
}

int player_events(struct player *p, int service_id, struct dmx_event **out, size_t *count)
{
    struct dmx_pipeline *pl;
    int ret = pipeline_of(p, &pl);
    if (ret < 0) return ret;
    return dmx_pipeline_events(pl, service_id, out, count);
}

int player_broadcast_time(struct player *p, struct dmx_time *out)
{
    struct dmx_pipeline *pl;
    int ret = pipeline_of(p, &pl);
    if (ret < 0) return ret;
    return dmx_pipeline_time(pl, out);
}

int player_reception(struct player *p, struct dmx_signal *out)
{
    struct dmx_pipeline *pl;
    int ret = pipeline_of(p, &pl);
    if (ret < 0) return ret;
    dmx_pipeline_signal(pl, out);
    return 0;
}

int64_t player_reception_cc_errors(struct player *p)
{
    struct dmx_pipeline *pl;
    if (pipeline_of(p, &pl) < 0) return 0;
    struct dmx_stats stats;
    dmx_pipeline_stats(pl, &stats);
    return (int64_t)stats.cc_errors;
}

int player_service(struct player *p)
{
    return atomic_load(&p->rx.service);
}

int player_select_service(struct player *p, int service_id)
{
    if (service_id < 0 || service_id > 65535) return -EINVAL;
    struct dmx_pipeline *pl;
    int ret = pipeline_of(p, &pl);
    if (ret < 0) return ret;
    if (!atomic_load(&p->streams_open)) return -EAGAIN;
    atomic_store(&p->rx.requested_service, service_id);
    /* timed to its first picture (present.c); a change asked for while
     * another is pending restarts the clock */
    p->present.zaps.requested_ns = sc_mono_ns();
    p->present.zaps.to = service_id;
    p->present.zaps.flushed = false;
    return 0;
}
