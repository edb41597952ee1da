/* Internal to the player: the player context shared by its threads and the
 * functions each file provides. Who touches what is noted field by field. */
#ifndef STUDYCAST_PLAYER_INTERNAL_H
#define STUDYCAST_PLAYER_INTERNAL_H

#include "player.h"
#include "queue.h"

#include <SDL.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <stdatomic.h>

/* Sync thresholds (seconds), as ffplay tuned them. */
#define SC_SYNC_THRESHOLD_MIN      0.04
#define SC_SYNC_THRESHOLD_MAX      0.1
#define SC_SYNC_FRAMEDUP_THRESHOLD 0.1
#define SC_NOSYNC_THRESHOLD        10.0
#define SC_LIVE_TARGET_BUFFER      0.3
#define AUDIO_START_FRAMES         6
#define AUDIO_START_TIMEOUT        0.5 /* seconds after the first picture */

struct sc_picture {
    AVFrame *frame;
    double pts, duration;
    int serial;
    int flags; /* SC_FRAME_ENDS_SOURCE_FRAME */
};

/* ---- source.c: the one place that opens the input ---------------------- */
/* Opens `source` (path, "-", URL) into *ic with the probing limits set for a
 * fast start; *live tells whether it is a live source (udp/rtp/stdin). The
 * demux module's TS reader replaces this function's body with a custom
 * AVIOContext. Returns 0 or a negative AVERROR; interrupt_cb is installed. */
int sc_source_open(const char *source, const AVIOInterruptCB *interrupt_cb, AVFormatContext **ic,
                   bool *live);
void sc_source_close(AVFormatContext **ic);

/* ---- decoder.c --------------------------------------------------------- */
struct sc_deinterlacer;

struct sc_decoder {
    struct sc_player *player;
    AVCodecContext *avctx; /* decoder thread only after start */
    AVStream *stream;
    bool is_video;
    struct sc_pktq packets;
    struct sc_frameq frames;
    pthread_t thread;
    bool thread_started;
    atomic_int finished_serial;      /* serial of the packets drained to the end, -1 */
    int pkt_serial;                  /* decoder thread */
    int64_t output_count;            /* decoder thread: pictures out of the deinterlacer */
    struct sc_deinterlacer *deint;   /* decoder thread */
    bool deint_field_rate;           /* decoder thread: how deint was built */
    int outputs_per_frame;           /* decoder thread: pictures per decoded frame */
    struct sc_log_limit error_limit; /* decoder thread */
};

int sc_decoder_open(struct sc_decoder *d, struct sc_player *p, AVStream *stream);
int sc_decoder_start(struct sc_decoder *d);
/* Aborts the queues and joins the thread. */
void sc_decoder_stop(struct sc_decoder *d);
void sc_decoder_close(struct sc_decoder *d);
/* True when the decoder has drained its current serial and its frames are gone. */
bool sc_decoder_done(struct sc_decoder *d);

/* ---- deinterlace.c ----------------------------------------------------- */
/* A libavfilter graph (bwdif, and a format conversion when the decoder's
 * format is not presentable), rebuilt when the input format changes. */
int sc_deinterlacer_push(struct sc_deinterlacer **deint, const AVFrame *frame, AVRational tb,
                         AVRational frame_rate, bool deinterlace, bool field_rate,
                         struct sc_log *log);
/* Returns 1 with a frame, 0 when it needs more input, or < 0 (EOF/error). */
int sc_deinterlacer_pull(struct sc_deinterlacer *deint, AVFrame *out, AVRational *tb,
                         AVRational *frame_rate);
int sc_deinterlacer_drain(struct sc_deinterlacer *deint);
void sc_deinterlacer_free(struct sc_deinterlacer **deint);
/* Whether the ui can present this format as is (else it goes through the graph). */
bool sc_pixfmt_presentable(int av_pix_fmt);

/* ---- audio_out.c ------------------------------------------------------- */
struct sc_audio_out;
/* Opens the SDL audio device for this stream's parameters (paused). */
int sc_audio_out_open(struct sc_player *p, struct sc_audio_out **out);
void sc_audio_out_close(struct sc_audio_out **out);
void sc_audio_out_pause(struct sc_audio_out *ao, bool paused);
void sc_player_check_bench_end(struct sc_player *p);

/* ---- stats.c ----------------------------------------------------------- */
#define SC_OFFSET_BINS 5000 /* 0.1 ms bins up to 500 ms; beyond: the last bin */
struct sc_offset_stats {
    int64_t count;
    double sum_ms, max_ms;
    uint32_t bins[SC_OFFSET_BINS];
};
void sc_offset_add(struct sc_offset_stats *s, double offset_ms);
double sc_offset_percentile(const struct sc_offset_stats *s, double fraction);

/* ---- the player context ------------------------------------------------ */
enum sc_sync_master { SC_MASTER_AUDIO, SC_MASTER_EXTERNAL };

struct sc_player {
    struct sc_player_opts opts; /* const after create; source is our copy */
    struct sc_log *log;

    pthread_t reader;
    bool reader_started;
    atomic_bool abort_request; /* any thread sets; everyone reads */
    atomic_int state;          /* enum sc_player_state */
    pthread_mutex_t state_lock;
    pthread_cond_t state_cond; /* state changes, for sc_player_wait */
    char error[256];           /* written once by the reader before state FAILED */

    /* Written by the reader before state becomes PLAYING, const afterwards. */
    AVFormatContext *ic;
    bool live;
    enum sc_sync_master master;
    struct sc_decoder video, audio;
    bool has_video, has_audio;
    atomic_bool streams_open;             /* set (release) once the fields above are final */
    atomic_int video_width, video_height; /* of the last decoded picture */
    atomic_bool reader_eof;
    atomic_bool audio_drained; /* the callback found the sound ended */

    struct sc_clock audio_clock, video_clock, external_clock;
    struct sc_audio_out *audio_out; /* opened by the reader, started by the main thread */
    atomic_bool audio_started;      /* written by the main thread */

    /* main thread: presentation */
    double frame_timer;
    double last_pts, last_duration, last_frame_duration;
    int last_serial;
    bool have_last;
    double render_lead, returned_at, first_shown_at, opened_at;
    bool paused;
    double paused_at;
    bool frame_presented_any; /* of the current source frame */
    int64_t playing_since_ns, played_ns;

    atomic_int volume; /* 0..100 */
    atomic_bool field_rate;
    atomic_int live_speed_ppm; /* live sources: the master's speed, 1e6 = real time */
    atomic_bool muted;

    /* counters: written by one thread each, read by any */
    atomic_llong frames_decoded, audio_frames_decoded, decode_errors;
    atomic_llong dropped_early, dropped_late, presented, underruns;
    atomic_llong first_picture_ns; /* -1 until then */
    atomic_llong bench_start_ns, bench_end_ns;
    pthread_mutex_t offsets_lock;
    struct sc_offset_stats offsets; /* guarded by offsets_lock */
};

void sc_player_wakeup(struct sc_player *p);
void sc_player_set_state(struct sc_player *p, enum sc_player_state state);
/* The master clock's value now (NAN if unknown). Any thread. */
double sc_player_master_clock(struct sc_player *p);
/* Reader thread body (reader.c). */
void *sc_reader_main(void *arg);

#endif
