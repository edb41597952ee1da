/* Presentation timing on the main thread (ffplay's video_refresh): which
 * picture is due, which are too late to show, when to look again; starting
 * the sound; the end of playback; pause. */
#include "player/internal.h"

#include <math.h>

#define MAX_FRAME_DURATION 10.0 /* beyond this a pts jump is a discontinuity */

static double picture_duration(const struct player_frame *cur, const struct player_frame *next)
{
    if (cur->serial != next->serial) return 0.0;
    double d = next->pts - cur->pts;
    if (isnan(d) || d <= 0 || d > MAX_FRAME_DURATION) return cur->duration;
    return d;
}

/* How long to show the previous picture, corrected towards the master clock. */
static double target_delay(struct player *p, double delay)
{
    double diff = player_clock_get(&p->video_clock) - player_master_clock(p);
    double threshold = FFMAX(PLAYER_SYNC_THRESHOLD_MIN, FFMIN(PLAYER_SYNC_THRESHOLD_MAX, delay));
    if (isnan(diff) || fabs(diff) >= MAX_FRAME_DURATION) return delay;
    if (diff <= -threshold) return FFMAX(0, delay + diff);
    if (diff >= threshold && delay > PLAYER_SYNC_FRAMEDUP_THRESHOLD) return delay + diff;
    if (diff >= threshold) return 2 * delay;
    return delay;
}

static void start_playing_clock(struct player *p)
{
    if (!p->present.playing_since_ns && !p->present.paused)
        p->present.playing_since_ns = sc_mono_ns();
}

static void stop_playing_clock(struct player *p)
{
    if (p->present.playing_since_ns) {
        p->present.played_ns += sc_mono_ns() - p->present.playing_since_ns;
        p->present.playing_since_ns = 0;
    }
}

/* Seconds of the master's stream received but not yet played. */
static double live_buffered(struct player *p)
{
    struct player_decoder *d = p->has_audio ? &p->audio : &p->video;
    int64_t buffered_us = 0;
    player_pktq_level(&d->packets, NULL, NULL, &buffered_us);
    return (double)buffered_us / 1e6 +
           player_frameq_size(&d->frames) * (p->has_audio ? 0.024 : 0.04);
}

/* The sound starts once a few frames are decoded, so that the device does not
 * begin with an underrun. */
static void maybe_start_audio(struct player *p)
{
    if (!p->audio_out || p->audio_started || p->present.paused) return;
    bool filled = player_frameq_size(&p->audio.frames) >= AUDIO_START_FRAMES;
    bool ended = atomic_load(&p->audio.finished_serial) >= 0;
    /* sound and picture begin together; but a stream whose pictures (or sound)
     * never come must not hold the other back for long */
    double now = player_clock_now();
    if (p->present.opened_at == 0) p->present.opened_at = now;
    bool picture_up = !p->has_video || p->present.have_last;
    bool overdue = now - (p->present.have_last ? p->present.first_shown_at : p->present.opened_at) >
                   AUDIO_START_TIMEOUT;
    /* live: begin with a cushion, so that jitter in arrival is no underrun */
    bool cushioned = !p->live || live_buffered(p) >= PLAYER_LIVE_TARGET_BUFFER / 2;
    if ((filled && picture_up && cushioned) || ended || overdue) {
        player_audio_out_pause(p->audio_out, false);
        p->audio_started = true;
        start_playing_clock(p);
    }
}

static void update_live_speed(struct player *p)
{
    double speed = player_clock_live_speed(live_buffered(p), PLAYER_LIVE_TARGET_BUFFER);
    atomic_store(&p->live_speed_ppm, (int)lrint(speed * 1e6));
    if (p->master == PLAYER_MASTER_EXTERNAL)
        player_clock_set_speed_at(&p->external_clock, speed, player_clock_now());
}

static bool check_end(struct player *p, int64_t *wait_ns)
{
    if (!atomic_load(&p->reader_eof)) return false;
    if (p->has_video && !player_decoder_done(&p->video)) return false;
    if (p->audio_out && !atomic_load(&p->audio_drained)) return false;
    if (p->has_video && p->present.have_last) {
        double remaining = p->present.frame_timer + p->present.last_duration - player_clock_now();
        if (remaining > 0) {
            *wait_ns = (int64_t)(remaining * 1e9);
            return false;
        }
    }
    stop_playing_clock(p);
    player_set_state(p, PLAYER_ENDED);
    return true;
}

static void count_handled(struct player *p, const struct player_frame *f, bool presented)
{
    if (presented) p->present.frame_presented_any = true;
    if (!(f->flags & PLAYER_FRAME_ENDS_SOURCE_FRAME)) return;
    atomic_fetch_add(p->present.frame_presented_any ? &p->count.presented : &p->count.dropped_late,
                     1);
    p->present.frame_presented_any = false;
}

/* After an outage or a service change the reader flushed the queues (a new
 * serial): start over as at the beginning, the sound waiting for a cushion
 * and the clocks unknown until the new data sets them. */
static void resync(struct player *p)
{
    if (p->audio_out && p->audio_started) {
        player_audio_out_pause(p->audio_out, true); /* the callback is not running after this */
        p->audio_started = false;
    }
    double now = player_clock_now();
    player_clock_set_at(&p->audio_clock, NAN, -1, now);
    player_clock_set_at(&p->video_clock, NAN, -1, now);
    player_clock_set_at(&p->external_clock, NAN, -1, now);
    p->present.have_last = false;
    p->await_picture = true;
    if (p->present.zaps.requested_ns) p->present.zaps.flushed = true;
    p->present.opened_at = now;
    p->present.frame_timer = now;
    SC_DEBUG(p->log, "resynchronising after a flush");
}

/* Whether vp is due now (by the master clock, or by the pictures' own
 * durations while there is none); if not, *wait_ns says how long to sleep. */
static bool picture_due(struct player *p, const struct player_frame *vp, double now,
                        int64_t *wait_ns)
{
    double master = player_master_clock(p);
    double lead = p->present.render_lead; /* present this much early: drawing takes time */
    double speed = p->live ? (double)atomic_load(&p->live_speed_ppm) / 1e6 : 1.0;
    double due_in = (vp->pts - master) / speed - lead;
    if (!isnan(due_in) && fabs(due_in) < MAX_FRAME_DURATION) {
        /* the master clock runs: show each picture when the clock reaches it */
        if (due_in > 0.0005) {
            *wait_ns = (int64_t)(due_in * 1e9);
            return false;
        }
        p->present.frame_timer = now + due_in;
        return true;
    }
    /* no master yet (sound not started): pace by the pictures' own durations */
    if (!p->present.have_last || p->present.last_serial != vp->serial) {
        p->present.frame_timer = now;
        p->present.last_duration = 0;
    } else {
        struct player_frame last = {.pts = p->present.last_pts,
                                    .duration = p->present.last_frame_duration,
                                    .serial = p->present.last_serial};
        p->present.last_duration = picture_duration(&last, vp);
    }
    double delay = p->present.have_last ? target_delay(p, p->present.last_duration) : 0;
    if (now < p->present.frame_timer + delay) {
        *wait_ns = (int64_t)((p->present.frame_timer + delay - now) * 1e9);
        return false;
    }
    p->present.frame_timer += delay;
    if (delay > 0 && now - p->present.frame_timer > PLAYER_SYNC_THRESHOLD_MAX)
        p->present.frame_timer = now;
    return true;
}

/* vp is shown: the video clock and the last-shown state follow it. */
static void note_shown(struct player *p, const struct player_frame *vp, double now)
{
    if (!isnan(vp->pts)) player_clock_set_at(&p->video_clock, vp->pts, vp->serial, now);
    if (p->master == PLAYER_MASTER_EXTERNAL)
        player_clock_sync_to(&p->external_clock, &p->video_clock, PLAYER_NOSYNC_THRESHOLD);
    if (!p->present.have_last) p->present.first_shown_at = now;
    p->present.have_last = true;
    p->present.last_pts = vp->pts;
    p->present.last_frame_duration = vp->duration;
    p->present.last_serial = vp->serial;
}

/* Moves vp out of the ring into a picture for the caller; *wait_ns becomes
 * the time until the next one is due (if one is queued). */
static struct player_picture *take_picture(struct player *p, struct player_frameq *fq,
                                           struct player_frame *vp, double now, int64_t *wait_ns)
{
    struct player_picture *pic = av_mallocz(sizeof(*pic));
    AVFrame *frame = av_frame_alloc();
    if (!pic || !frame) {
        av_free(pic);
        av_frame_free(&frame);
        return NULL;
    }
    av_frame_move_ref(frame, vp->frame);
    *pic = (struct player_picture){.frame = frame,
                                   .pts = vp->pts,
                                   .duration = vp->duration,
                                   .serial = vp->serial,
                                   .flags = vp->flags};
    struct player_frame shown = {.pts = vp->pts, .duration = vp->duration, .serial = vp->serial};
    player_frameq_next(fq); /* vp's slot belongs to the decoder again */
    p->present.returned_at = now;
    struct player_frame *next = player_frameq_peek(fq);
    if (next) {
        double until = p->present.frame_timer + picture_duration(&shown, next) - now;
        *wait_ns = until > 0 ? (int64_t)(until * 1e9) : 0;
    }
    return pic;
}

/* Nanoseconds until the sound starts without waiting for a picture any
 * longer (maybe_start_audio's overdue), -1 if it is not waiting. */
static int64_t audio_start_due_ns(struct player *p)
{
    if (!p->audio_out || p->audio_started || p->present.paused || p->present.opened_at == 0)
        return -1;
    double from = p->present.have_last ? p->present.first_shown_at : p->present.opened_at;
    double due_in = from + AUDIO_START_TIMEOUT - player_clock_now();
    return due_in > 0.001 ? (int64_t)(due_in * 1e9) : 1000000;
}

static struct player_picture *next_picture(struct player *p, int64_t *wait_ns);

struct player_picture *player_next_picture(struct player *p, int64_t *wait_ns)
{
    *wait_ns = -1;
    if (!atomic_load(&p->streams_open) || player_state(p) != PLAYER_PLAYING) return NULL;
    struct player_picture *pic = next_picture(p, wait_ns);
    /* No picture wakes the caller while the sound waits for one (after an
     * outage the video waits for a key frame, or never comes): it must look
     * again when that wait is over, or the sound never starts, its queues
     * fill, and the reader stops reading, video and all, until something
     * else wakes the loop (a live course lost 19 s of picture so). */
    int64_t audio_due = audio_start_due_ns(p);
    if (audio_due >= 0 && (*wait_ns < 0 || audio_due < *wait_ns)) *wait_ns = audio_due;
    return pic;
}

static struct player_picture *next_picture(struct player *p, int64_t *wait_ns)
{
    int resyncs = atomic_load(&p->resync);
    if (resyncs != p->resync_seen) {
        p->resync_seen = resyncs;
        resync(p);
    }
    maybe_start_audio(p);
    if (p->live) update_live_speed(p);
    if (check_end(p, wait_ns) || p->present.paused || !p->has_video) return NULL;
    if (p->audio_out && !p->audio_started && p->present.have_last) {
        /* the first picture is up; the next ones follow the sound's clock */
        *wait_ns = (int64_t)(AUDIO_START_TIMEOUT * 1e9 / 4);
        return NULL;
    }
    struct player_frameq *fq = &p->video.frames;
    int serial = player_pktq_serial(&p->video.packets);
    for (;;) {
        struct player_frame *vp = player_frameq_peek(fq);
        if (!vp) return NULL; /* the decoder wakes us when it queues one */
        if (vp->serial != serial) {
            count_handled(p, vp, false); /* stale: from before a flush */
            player_frameq_next(fq);
            continue;
        }
        double now = player_clock_now();
        if (!picture_due(p, vp, now, wait_ns)) return NULL;
        note_shown(p, vp, now);
        struct player_frame *next = player_frameq_peek_next(fq);
        if (next && now > p->present.frame_timer + picture_duration(vp, next)) {
            count_handled(p, vp, false); /* too late: the next one is already due */
            player_frameq_next(fq);
            continue;
        }
        return take_picture(p, fq, vp, now, wait_ns);
    }
}

/* The first picture after the flush of a service change: how long it took. */
static void note_service_change(struct player_zaps *z, int64_t now)
{
    if (!z->requested_ns || !z->flushed) return;
    z->done[z->n % PLAYER_MAX_ZAPS] = (struct player_service_change){
        .service = z->to, .ms = (double)(now - z->requested_ns) / 1e6};
    z->n++;
    z->requested_ns = 0;
}

int player_service_changes(const struct player *p, struct player_service_change *out, int max)
{
    const struct player_zaps *z = &p->present.zaps;
    int kept = z->n < PLAYER_MAX_ZAPS ? z->n : PLAYER_MAX_ZAPS;
    int copied = kept < max ? kept : max;
    for (int i = 0; i < copied; i++)
        out[i] = z->done[(z->n - copied + i) % PLAYER_MAX_ZAPS];
    return copied;
}

void player_presented(struct player *p, const struct player_picture *pic)
{
    int64_t now = sc_mono_ns();
    /* how long drawing takes, smoothed: the next pictures are returned that early */
    double took = (double)now / 1e9 - p->present.returned_at;
    if (took >= 0 && took < 0.1) p->present.render_lead = p->present.render_lead * 0.9 + took * 0.1;
    long long unset = -1;
    if (atomic_compare_exchange_strong(&p->count.first_picture_ns, &unset, now))
        player_milestone(p, "first picture presented");
    start_playing_clock(p);
    if (p->await_picture) {
        p->await_picture = false;
        player_reception_picture_shown(p, now);
        note_service_change(&p->present.zaps, now);
    }
    struct player_frame f = {.flags = pic->flags};
    count_handled(p, &f, true);
    struct player_clock *reference = p->audio_started ? &p->audio_clock : &p->external_clock;
    double offset = pic->pts - player_clock_get(reference);
    if (fabs(offset) > 0.05)
        SC_DEBUG(p->log, "picture %.3f presented %.0f ms off the %s clock", pic->pts, offset * 1000,
                 p->audio_started ? "audio" : "external");
    if (!isnan(offset) && fabs(offset) < PLAYER_NOSYNC_THRESHOLD) {
        pthread_mutex_lock(&p->count.offsets_lock);
        player_offset_add(&p->count.offsets, offset * 1000.0);
        pthread_mutex_unlock(&p->count.offsets_lock);
    }
}

void player_set_paused(struct player *p, bool paused)
{
    if (paused == p->present.paused) return;
    double now = player_clock_now();
    if (!paused)
        p->present.frame_timer += now - p->present.paused_at;
    else
        p->present.paused_at = now;
    p->present.paused = paused;
    player_clock_set_paused_at(&p->audio_clock, paused, now);
    player_clock_set_paused_at(&p->video_clock, paused, now);
    player_clock_set_paused_at(&p->external_clock, paused, now);
    if (p->audio_out && p->audio_started) player_audio_out_pause(p->audio_out, paused);
    if (paused)
        stop_playing_clock(p);
    else if (p->audio_started || p->present.have_last)
        start_playing_clock(p);
}

bool player_paused(struct player *p)
{
    return p->present.paused;
}

void player_info(struct player *p, char *buf, size_t size)
{
    if (!atomic_load(&p->streams_open)) {
        snprintf(buf, size, "%s: opening", p->opts.source);
        return;
    }
    int vpk = 0, apk = 0;
    int64_t vdur = 0, adur = 0;
    player_pktq_level(&p->video.packets, &vpk, NULL, &vdur);
    player_pktq_level(&p->audio.packets, &apk, NULL, &adur);
    double master = player_master_clock(p);
    double av = player_clock_get(&p->video_clock) - player_clock_get(&p->audio_clock);
    snprintf(buf, size,
             "%s | %s %dx%d | %s | clock %.2f s (%s%s) A-V %+.3f s | queues v %d/%.1fs a "
             "%d/%.1fs | vol %d%s%s",
             p->opts.source, p->has_video ? avcodec_get_name(atomic_load(&p->video.codec_id)) : "-",
             atomic_load(&p->video_width), atomic_load(&p->video_height),
             p->has_audio ? avcodec_get_name(atomic_load(&p->audio.codec_id)) : "-", master,
             p->master == PLAYER_MASTER_AUDIO ? "audio" : "stream", p->live ? ", live" : "",
             isnan(av) ? 0.0 : av, vpk, (double)vdur / 1e6, apk, (double)adur / 1e6,
             atomic_load(&p->volume), atomic_load(&p->muted) ? " muted" : "",
             p->present.paused ? " paused" : "");
}
