/* The player's lifetime, state and controls. */
#include "player/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define VIDEO_QUEUE_BYTES (16 << 20)
#define AUDIO_QUEUE_BYTES (4 << 20)
#define QUEUE_DURATION_US 3000000 /* a broadcast mux interleaves within ~1 s */
#define VIDEO_PICTURES    3
#define AUDIO_FRAMES      9

void player_wakeup(struct player *p)
{
    if (p->opts.wakeup) p->opts.wakeup(p->opts.wakeup_opaque);
}

void player_milestone(struct player *p, const char *what)
{
    if (!sc_log_enabled(p->log, SC_LOG_DEBUG)) return;
    /* page faults are what start-up costs most on a VM: count them too */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    SC_DEBUG(p->log, "%s at %.0f ms (process CPU %.0f ms, %ld page faults)", what,
             (double)(sc_mono_ns() - p->opts.start_ns) / 1e6, cpu_ms, ru.ru_minflt);
}

void player_set_state(struct player *p, enum player_state state)
{
    pthread_mutex_lock(&p->status.lock);
    int old = atomic_load(&p->status.state);
    /* ENDED and FAILED are final */
    if (old != PLAYER_ENDED && old != PLAYER_FAILED) atomic_store(&p->status.state, (int)state);
    pthread_cond_broadcast(&p->status.cond);
    pthread_mutex_unlock(&p->status.lock);
    player_wakeup(p);
}

void player_check_bench_end(struct player *p)
{
    if (!atomic_load(&p->reader_eof)) return;
    bool video_done = !p->has_video || atomic_load(&p->video.finished_serial) >= 0;
    bool audio_done = !p->has_audio || atomic_load(&p->audio.finished_serial) >= 0;
    if (video_done && audio_done) {
        atomic_store(&p->count.bench_end_ns, sc_mono_ns());
        player_set_state(p, PLAYER_ENDED);
    }
}

double player_master_clock(struct player *p)
{
    return player_clock_get(p->master == PLAYER_MASTER_AUDIO ? &p->audio_clock
                                                             : &p->external_clock);
}

static int init_decoder_queues(struct player_decoder *d, int64_t max_bytes, int pictures)
{
    atomic_init(&d->finished_serial, -1);
    int ret = player_pktq_init(&d->packets, max_bytes, QUEUE_DURATION_US, (AVRational){1, 90000});
    if (ret < 0) return ret;
    ret = player_frameq_init(&d->frames, pictures);
    if (ret < 0) player_pktq_destroy(&d->packets);
    return ret;
}

static void destroy_decoder_queues(struct player_decoder *d)
{
    player_frameq_destroy(&d->frames);
    player_pktq_destroy(&d->packets);
}

int player_create(const struct player_opts *opts, struct player **out)
{
    struct player *p = calloc(1, sizeof(*p));
    if (!p) return AVERROR(ENOMEM);
    p->opts = *opts;
    p->opts.source = strdup(opts->source ? opts->source : "");
    p->log = sc_log_child(opts->log, "player");
    player_milestone(p, "player starting");
    /* libav's own messages (one per damaged packet) only when debugging; the
     * player reports what matters itself, rate-limited */
    av_log_set_level(sc_log_enabled(opts->log, SC_LOG_TRACE)   ? AV_LOG_VERBOSE
                     : sc_log_enabled(opts->log, SC_LOG_DEBUG) ? AV_LOG_WARNING
                                                               : AV_LOG_QUIET);
    atomic_init(&p->volume, opts->volume < 0 ? 0 : opts->volume > 100 ? 100 : opts->volume);
    atomic_init(&p->count.first_picture_ns, -1);
    atomic_init(&p->field_rate, opts->field_rate);
    atomic_init(&p->live_speed_ppm, 1000000);
    atomic_init(&p->status.state, PLAYER_OPENING);
    bool locks = false, queues_video = false, queues_audio = false, clocks = false, rx = false;
    atomic_init(&p->resync, 0);
    if (!p->opts.source) goto fail;
    if (player_reception_init(&p->rx) < 0) goto fail;
    rx = true;
    if (pthread_mutex_init(&p->status.lock, NULL) != 0) goto fail;
    pthread_cond_init(&p->status.cond, NULL);
    pthread_mutex_init(&p->count.offsets_lock, NULL);
    locks = true;
    if (init_decoder_queues(&p->video, VIDEO_QUEUE_BYTES, VIDEO_PICTURES) < 0) goto fail;
    queues_video = true;
    if (init_decoder_queues(&p->audio, AUDIO_QUEUE_BYTES, AUDIO_FRAMES) < 0) goto fail;
    queues_audio = true;
    if (player_clock_init(&p->audio_clock) < 0) goto fail;
    player_clock_init(&p->video_clock);
    player_clock_init(&p->external_clock);
    clocks = true;
    if (!opts->no_audio && !opts->bench && SDL_InitSubSystem(SDL_INIT_AUDIO) < 0) {
        SC_WARN(p->log, "no audio: %s", SDL_GetError());
        p->opts.no_audio = true;
    }
    atomic_store(&p->count.bench_start_ns, sc_mono_ns());
    int ret = pthread_create(&p->reader, NULL, player_reader_main, p);
    if (ret != 0) goto fail;
    p->reader_started = true;
    *out = p;
    return 0;
fail:
    if (clocks) {
        player_clock_destroy(&p->audio_clock);
        player_clock_destroy(&p->video_clock);
        player_clock_destroy(&p->external_clock);
        if (!p->opts.no_audio && !opts->bench) SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
    if (queues_audio) destroy_decoder_queues(&p->audio);
    if (queues_video) destroy_decoder_queues(&p->video);
    if (locks) {
        pthread_cond_destroy(&p->status.cond);
        pthread_mutex_destroy(&p->status.lock);
        pthread_mutex_destroy(&p->count.offsets_lock);
    }
    if (rx) player_reception_destroy(&p->rx);
    sc_log_destroy(p->log);
    free((char *)p->opts.source);
    free(p);
    return AVERROR(ENOMEM);
}

void player_stop(struct player *p)
{
    atomic_store(&p->abort_request, true);
    player_pktq_abort(&p->video.packets);
    player_pktq_abort(&p->audio.packets);
    player_frameq_abort(&p->video.frames);
    player_frameq_abort(&p->audio.frames);
    player_set_state(p, PLAYER_ENDED);
}

void player_destroy(struct player *p)
{
    if (!p) return;
    player_stop(p);
    if (p->reader_started) pthread_join(p->reader, NULL);
    player_decoder_stop(&p->video);
    player_decoder_stop(&p->audio);
    player_audio_out_close(&p->audio_out);
    player_decoder_close(&p->video);
    player_decoder_close(&p->audio);
    player_source_close(p);
    if (!p->opts.no_audio && !p->opts.bench) SDL_QuitSubSystem(SDL_INIT_AUDIO);
    player_clock_destroy(&p->audio_clock);
    player_clock_destroy(&p->video_clock);
    player_clock_destroy(&p->external_clock);
    destroy_decoder_queues(&p->audio);
    destroy_decoder_queues(&p->video);
    pthread_cond_destroy(&p->status.cond);
    pthread_mutex_destroy(&p->status.lock);
    pthread_mutex_destroy(&p->count.offsets_lock);
    player_reception_destroy(&p->rx);
    sc_log_destroy(p->log);
    free((char *)p->opts.source);
    free(p);
}

enum player_state player_state(struct player *p)
{
    return (enum player_state)atomic_load(&p->status.state);
}

const char *player_error(struct player *p)
{
    return player_state(p) == PLAYER_FAILED ? p->status.error : "";
}

enum player_state player_wait(struct player *p, int64_t timeout_ns)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (timeout_ns >= 0) {
        int64_t ns = deadline.tv_nsec + timeout_ns;
        deadline.tv_sec += ns / 1000000000;
        deadline.tv_nsec = ns % 1000000000;
    }
    pthread_mutex_lock(&p->status.lock);
    for (;;) {
        int state = atomic_load(&p->status.state);
        if (state == PLAYER_ENDED || state == PLAYER_FAILED) break;
        if (timeout_ns < 0)
            pthread_cond_wait(&p->status.cond, &p->status.lock);
        else if (pthread_cond_timedwait(&p->status.cond, &p->status.lock, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&p->status.lock);
    return player_state(p);
}

void player_set_field_rate(struct player *p, bool field_rate)
{
    atomic_store(&p->field_rate, field_rate);
}

void player_set_volume(struct player *p, int volume)
{
    atomic_store(&p->volume, volume < 0 ? 0 : volume > 100 ? 100 : volume);
}

int player_volume(struct player *p)
{
    return atomic_load(&p->volume);
}

void player_set_muted(struct player *p, bool muted)
{
    atomic_store(&p->muted, muted);
}

bool player_muted(struct player *p)
{
    return atomic_load(&p->muted);
}

void player_get_stats(struct player *p, struct player_stats *s)
{
    *s = (struct player_stats){0};
    s->frames_decoded = atomic_load(&p->count.frames_decoded);
    s->frames_presented = atomic_load(&p->count.presented);
    s->frames_dropped_early = atomic_load(&p->count.dropped_early);
    s->frames_dropped_late = atomic_load(&p->count.dropped_late);
    s->audio_frames_decoded = atomic_load(&p->count.audio_frames_decoded);
    s->audio_underruns = atomic_load(&p->count.underruns);
    s->decode_errors = atomic_load(&p->count.decode_errors);
    int64_t first = atomic_load(&p->count.first_picture_ns);
    s->first_picture_ms = first < 0 ? -1 : (double)(first - p->opts.start_ns) / 1e6;
    pthread_mutex_lock(&p->count.offsets_lock);
    if (p->count.offsets.count > 0) {
        s->av_offset_mean_ms = p->count.offsets.sum_ms / (double)p->count.offsets.count;
        s->av_offset_p99_ms = player_offset_percentile(&p->count.offsets, 0.99);
        s->av_offset_max_ms = p->count.offsets.max_ms;
    }
    pthread_mutex_unlock(&p->count.offsets_lock);
    if (p->opts.bench) {
        int64_t end = atomic_load(&p->count.bench_end_ns);
        s->seconds_played =
            (double)((end ? end : sc_mono_ns()) - atomic_load(&p->count.bench_start_ns)) / 1e9;
    } else {
        int64_t played = p->present.played_ns;
        if (p->present.playing_since_ns) played += sc_mono_ns() - p->present.playing_since_ns;
        s->seconds_played = (double)played / 1e9;
    }
    if (atomic_load(&p->streams_open)) s->live = p->live;
    s->video_width = atomic_load(&p->video_width);
    s->video_height = atomic_load(&p->video_height);
    s->cc_errors = player_reception_cc_errors(p);
    pthread_mutex_lock(&p->rx.lock);
    s->outages = (int)p->rx.count;
    pthread_mutex_unlock(&p->rx.lock);
}

void player_av_offset_bins(struct player *p, uint32_t *bins, size_t n)
{
    _Static_assert(PLAYER_AV_BINS == PLAYER_OFFSET_BINS, "one histogram");
    if (n > PLAYER_AV_BINS) n = PLAYER_AV_BINS;
    pthread_mutex_lock(&p->count.offsets_lock);
    memcpy(bins, p->count.offsets.bins, n * sizeof(*bins));
    pthread_mutex_unlock(&p->count.offsets_lock);
}
