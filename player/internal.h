/* Internal to the player: the player context shared by its threads and the
 * functions each file provides. Who touches what is noted field by field. */
#ifndef STUDYCAST_PLAYER_INTERNAL_H
#define STUDYCAST_PLAYER_INTERNAL_H

#include "player/player.h"
#include "player/queue.h"

#include <SDL.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <stdatomic.h>

#include "demux/demux.h"

/* Sync thresholds (seconds), as ffplay tuned them. */
#define PLAYER_SYNC_THRESHOLD_MIN      0.04
#define PLAYER_SYNC_THRESHOLD_MAX      0.1
#define PLAYER_SYNC_FRAMEDUP_THRESHOLD 0.1
#define PLAYER_NOSYNC_THRESHOLD        10.0
#define PLAYER_LIVE_TARGET_BUFFER      0.3
#define AUDIO_START_FRAMES             6
#define AUDIO_START_TIMEOUT            0.5 /* seconds after the first picture */

struct player_picture {
    AVFrame *frame;
    double pts, duration;
    int serial;
    int flags; /* PLAYER_FRAME_ENDS_SOURCE_FRAME */
};

/* ---- source.c: the one place that opens the input ----------------------
 * A transport stream (any URL, "-", or a file whose bytes say TS) is read
 * through the demux pipeline: a custom AVIOContext over dmx_pipeline_read()
 * with libavformat's mpegts demuxer on top. Any other file is opened by
 * libavformat directly. Reader thread only, except where noted. */
struct player_source {
    struct dmx_pipeline *pipeline; /* NULL: not a TS; set before streams_open, freed at close */
    AVIOContext *avio;             /* over the pipeline */
    uint8_t stage[188 * 64];       /* whole packets from the pipeline, handed out to avio */
    size_t stage_pos, stage_len;
    int64_t opened_ns; /* when the open began, for "nothing arrived" */
    bool got_data;     /* a byte arrived since the open */
    bool live;
};

/* Opens p->opts.source into p->ic (probing limits set for a fast start) and
 * p->src; selects `service` in the pipeline first when >= 0. Returns 0 or a
 * negative AVERROR; interrupt_cb is installed. */
int player_source_open(struct player *p, int service);
/* Reopens libavformat over the same pipeline (a service change). */
int player_source_reopen(struct player *p, int service);
/* Whether the pipeline's SI lists the service (false when not a TS). */
bool player_source_has_service(struct player *p, int service);
/* Closes p->ic and the pipeline. */
void player_source_close(struct player *p);

/* ---- reception.c: signal, outages and the SI pass-throughs -------------- */
struct player_reception {
    pthread_mutex_t lock; /* guards outages/count/cap */
    struct player_outage *outages;
    size_t count, cap;
    atomic_bool signal_ok;
    atomic_int service;           /* playing, -1 */
    atomic_int requested_service; /* main thread asks, reader takes; -1 none */
    atomic_bool pipeline_ready;   /* p->src.pipeline may be used by any thread */
    /* reader thread only */
    uint16_t watch_pids[2]; /* the playing service's video/audio PIDs */
    int n_watch;
    int64_t last_data_ns; /* sc_mono_ns of the last packet on a watched PID */
    bool in_outage;
    int pipeline_cause; /* enum dmx_outage_cause while the pipeline reports one, else 0 */
    int outage_ms;
};
int player_reception_init(struct player_reception *r);
void player_reception_destroy(struct player_reception *r);
/* Reader thread: the callbacks the pipeline calls. */
void player_reception_callbacks(struct player *p, struct dmx_callbacks *cb);
/* Reader thread: the playing streams' PIDs changed (open, service change). */
void player_reception_watch(struct player *p, const int *pids, int n);
/* Reader thread: after each pipeline read (bytes may be NULL/0 on a timeout). */
void player_reception_saw(struct player *p, const uint8_t *bytes, size_t len);
/* Main thread: the first picture after a resync was presented. */
void player_reception_picture_shown(struct player *p, int64_t now);
/* Any thread: the TS reader's continuity errors so far (0 if not a TS). */
int64_t player_reception_cc_errors(struct player *p);

/* ---- frame_pool.c: the video decoder's picture buffers ------------------
 * Installed as the decoder context's get_buffer2 (avctx->opaque points here);
 * called on libavcodec's decoding threads. */
/* A buffer idle this long gives its memory back (it was needed only while a
 * loaded machine kept more pictures in flight than the decoder's usual). */
#define PLAYER_FRAME_POOL_TRIM_IDLE_NS (10 * 1000000000LL)
struct picture_pool;
struct player_frame_pool {
    pthread_mutex_t lock;      /* guards the fields below */
    struct picture_pool *pool; /* for the current layout; NULL until the first picture */
    size_t size;
    int format;
    int64_t trim_idle_ns; /* PLAYER_FRAME_POOL_TRIM_IDLE_NS; tests shorten it */
};
int player_frame_pool_init(struct player_frame_pool *fp);
/* After the decoder contexts are freed; pictures still out keep their memory. */
void player_frame_pool_destroy(struct player_frame_pool *fp);
int player_frame_pool_get_buffer(AVCodecContext *avctx, AVFrame *frame, int flags);

/* ---- deinterlace.c ----------------------------------------------------- */
struct player_deinterlacer;
/* libavfilter's functions, from dlopen() on first use (see deinterlace.c). */
struct player_avfilter_api {
    void *handle;
    bool failed; /* tried once and could not: do not try again */
    AVFilterGraph *(*graph_alloc)(void);
    void (*graph_free)(AVFilterGraph **graph);
    int (*graph_create_filter)(AVFilterContext **filt_ctx, const AVFilter *filt, const char *name,
                               const char *args, void *opaque, AVFilterGraph *graph_ctx);
    const AVFilter *(*get_by_name)(const char *name);
    AVFilterInOut *(*inout_alloc)(void);
    void (*inout_free)(AVFilterInOut **inout);
    int (*graph_parse_ptr)(AVFilterGraph *graph, const char *filters, AVFilterInOut **inputs,
                           AVFilterInOut **outputs, void *log_ctx);
    int (*graph_config)(AVFilterGraph *graphctx, void *log_ctx);
    int (*buffersrc_write_frame)(AVFilterContext *ctx, const AVFrame *frame);
    int (*buffersrc_add_frame)(AVFilterContext *ctx, AVFrame *frame);
    int (*buffersink_get_frame_flags)(AVFilterContext *ctx, AVFrame *frame, int flags);
    AVRational (*buffersink_get_time_base)(const AVFilterContext *ctx);
    AVRational (*buffersink_get_frame_rate)(const AVFilterContext *ctx);
};
/* Loads libavfilter into api once (one thread at a time). Returns 0, or a
 * negative error code (logged once) when it cannot be loaded. */
int player_avfilter_load(struct player_avfilter_api *api, struct sc_log *log);

/* Loading libavfilter on a thread of its own (~1000 page faults: tens of
 * milliseconds, more on a loaded machine), so that the first pictures of an
 * interlaced stream need not wait for it. Owned by the video decoder: started
 * by the reader before the decoder thread exists, or by the decoder thread;
 * everything else on the decoder thread (and at close, after it ended). */
struct player_avfilter_loader {
    struct player_avfilter_api api; /* written by the loading thread until done */
    struct sc_log *log;
    pthread_t thread;
    bool started, joined;
    atomic_bool done;
};
/* Starts loading if not started yet. */
void player_avfilter_loader_start(struct player_avfilter_loader *l, struct sc_log *log);
/* The functions once loaded (waiting for the load when `wait`), else NULL:
 * still loading, or libavfilter cannot be loaded. Starts loading if needed. */
const struct player_avfilter_api *player_avfilter_loader_get(struct player_avfilter_loader *l,
                                                             struct sc_log *log, bool wait);
/* Joins the loading thread. Accepts a never-started loader. */
void player_avfilter_loader_finish(struct player_avfilter_loader *l);

/* A libavfilter graph (bwdif, and a format conversion when the decoder's
 * format is not presentable), rebuilt when the input format changes. api must
 * be loaded and outlive the graph. */
int player_deinterlacer_push(struct player_deinterlacer **deint,
                             const struct player_avfilter_api *api, const AVFrame *frame,
                             AVRational tb, AVRational frame_rate, bool deinterlace,
                             bool field_rate, struct sc_log *log);
/* Returns 1 with a frame, 0 when it needs more input, or < 0 (EOF/error). */
int player_deinterlacer_pull(struct player_deinterlacer *deint, AVFrame *out, AVRational *tb,
                             AVRational *frame_rate);
int player_deinterlacer_drain(struct player_deinterlacer *deint);
void player_deinterlacer_free(struct player_deinterlacer **deint);
/* Whether the ui can present this format as is (else it goes through the graph). */
bool player_pixfmt_presentable(int av_pix_fmt);

/* ---- decoder.c --------------------------------------------------------- */

struct player_decoder {
    struct player *player;
    AVCodecContext *avctx;            /* decoder thread only after start */
    AVStream *stream;                 /* reader thread only (the decoder uses the copies below) */
    AVRational time_base, frame_rate; /* decoder thread after start */
    atomic_int codec_id;              /* for player_info */
    bool is_video;
    /* A service change: the decoder context for the streams of serial
     * next_serial, taken by the decoder thread when that serial arrives.
     * Guarded by packets.lock. */
    AVCodecContext *next_avctx;
    AVRational next_time_base, next_frame_rate;
    int next_serial;
    struct player_pktq packets;
    struct player_frameq frames;
    pthread_t thread;
    bool thread_started;
    atomic_int finished_serial;            /* serial of the packets drained to the end, -1 */
    int pkt_serial;                        /* decoder thread */
    int64_t output_count;                  /* decoder thread: pictures out of the deinterlacer */
    struct player_deinterlacer *deint;     /* decoder thread */
    bool deint_field_rate;                 /* decoder thread: how deint was built */
    int outputs_per_frame;                 /* decoder thread: pictures per decoded frame */
    struct sc_log_limit error_limit;       /* decoder thread */
    struct player_frame_pool frame_pool;   /* video: the pictures' memory */
    struct player_avfilter_loader filters; /* video: libavfilter, loaded when first needed */
    bool frame_pool_ready;
};

int player_decoder_open(struct player_decoder *d, struct player *p, AVStream *stream);
/* Reader thread, decoder running: the streams of `serial` on are `stream`
 * (a service change); the decoder swaps its context when that serial arrives. */
int player_decoder_prepare_switch(struct player_decoder *d, AVStream *stream, int serial);
int player_decoder_start(struct player_decoder *d);
/* Aborts the queues and joins the thread. */
void player_decoder_stop(struct player_decoder *d);
void player_decoder_close(struct player_decoder *d);
/* True when the decoder has drained its current serial and its frames are gone. */
bool player_decoder_done(struct player_decoder *d);

/* ---- audio_out.c ------------------------------------------------------- */
struct player_audio_out;
/* Opens the SDL audio device for this stream's parameters (paused). */
int player_audio_out_open(struct player *p, struct player_audio_out **out);
void player_audio_out_close(struct player_audio_out **out);
void player_audio_out_pause(struct player_audio_out *ao, bool paused);
void player_check_bench_end(struct player *p);

/* ---- stats.c ----------------------------------------------------------- */
#define PLAYER_OFFSET_BINS 5000 /* 0.1 ms bins up to 500 ms; beyond: the last bin */
struct player_offset_stats {
    int64_t count;
    double sum_ms, max_ms;
    uint32_t bins[PLAYER_OFFSET_BINS];
};
void player_offset_add(struct player_offset_stats *s, double offset_ms);
double player_offset_percentile(const struct player_offset_stats *s, double fraction);

/* ---- the player context ------------------------------------------------ */
enum player_sync_master { PLAYER_MASTER_AUDIO, PLAYER_MASTER_EXTERNAL };

/* The player's life cycle, for player_state/_wait (player.c). */
struct player_status {
    atomic_int state; /* enum player_state */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* state changes, for player_wait */
    char error[256];     /* written once by the reader before state FAILED */
};

/* Service changes asked for with player_select_service and the time each
 * took to its first picture (main thread only; player_service_changes). */
struct player_zaps {
    int64_t requested_ns; /* 0: none pending */
    int to;               /* the service asked for */
    bool flushed;         /* the reader switched: the next picture is the new service's */
    int n;                /* done so far (the last PLAYER_MAX_ZAPS are kept) */
    struct player_service_change done[PLAYER_MAX_ZAPS];
};

/* Presentation: main thread only (present.c, player.c). */
struct player_presentation {
    double frame_timer;
    double last_pts, last_duration, last_frame_duration;
    int last_serial;
    bool have_last;
    double render_lead, returned_at, first_shown_at, opened_at;
    bool paused;
    double paused_at;
    bool frame_presented_any; /* of the current source frame */
    int64_t playing_since_ns, played_ns;
    struct player_zaps zaps;
};

/* What happened, for --stats and bench (stats.c): each counter is written
 * by one thread, read by any. */
struct player_counters {
    atomic_llong frames_decoded, audio_frames_decoded, decode_errors;
    atomic_llong dropped_early, dropped_late, presented, underruns;
    atomic_llong first_picture_ns; /* -1 until then */
    atomic_llong bench_start_ns, bench_end_ns;
    pthread_mutex_t offsets_lock;
    struct player_offset_stats offsets; /* guarded by offsets_lock */
};

struct player {
    struct player_opts opts; /* const after create; source is our copy */
    struct sc_log *log;

    pthread_t reader;
    bool reader_started;
    atomic_bool abort_request; /* any thread sets; everyone reads */
    struct player_status status;

    /* Written by the reader before state becomes PLAYING, const afterwards
     * (except ic and the decoders' streams, which a service change replaces on
     * the reader thread). */
    AVFormatContext *ic;
    struct player_source src;
    struct player_reception rx;
    atomic_int resync;  /* reader bumps after an outage/service change flush */
    int resync_seen;    /* main thread */
    bool await_picture; /* main thread: a resync happened, no picture since */
    bool live;
    enum player_sync_master master;
    struct player_decoder video, audio;
    bool has_video, has_audio;
    atomic_bool streams_open;             /* set (release) once the fields above are final */
    atomic_int video_width, video_height; /* of the last decoded picture */
    atomic_bool reader_eof;
    atomic_bool audio_drained; /* the callback found the sound ended */

    struct player_clock audio_clock, video_clock, external_clock;
    struct player_audio_out *audio_out; /* opened by the reader, started by the main thread */
    atomic_bool audio_started;          /* written by the main thread */

    struct player_presentation present;

    atomic_int volume; /* 0..100 */
    atomic_bool field_rate;
    atomic_int live_speed_ppm; /* live sources: the master's speed, 1e6 = real time */
    atomic_bool muted;

    struct player_counters count;
};

void player_wakeup(struct player *p);
/* Debug log: a start-up milestone, its time since opts.start_ns, the process's
 * CPU time and page faults so far. Any thread. */
void player_milestone(struct player *p, const char *what);
void player_set_state(struct player *p, enum player_state state);
/* The master clock's value now (NAN if unknown). Any thread. */
double player_master_clock(struct player *p);
/* Reader thread body (reader.c). */
void *player_reader_main(void *arg);

#endif
