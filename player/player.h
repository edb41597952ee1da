/* player: studycast's media engine. Opens a source, demuxes it on a reader
 * thread, decodes each stream on its own thread, deinterlaces interlaced
 * pictures, plays the sound through SDL audio and keeps the clocks; the layer
 * above (ui/kiosk) pulls the pictures that are due and presents them.
 *
 * Threads: every player_* call is made from one thread, the "main" thread
 * that presents, except where a comment says "any thread". The player calls
 * back on its own threads only through the callbacks in player_opts.
 * No AV* or SDL_* type crosses this header: pictures are opaque, read through
 * the player_picture_* accessors. */
#ifndef STUDYCAST_PLAYER_H
#define STUDYCAST_PLAYER_H

#include "base/base.h"
#include "demux/demux.h" /* the SI snapshot types the reception calls pass through */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct player;
/* A decoded picture. Either owned by the caller (from player_next_picture,
 * release with player_picture_free) or lent for the duration of a callback. */
struct player_picture;

enum player_pixfmt {
    PLAYER_PIXFMT_OTHER = 0, /* only in on_decoded_frame; presented pictures are never OTHER */
    PLAYER_PIXFMT_YUV420P,   /* 3 planes, chroma halved both ways */
    PLAYER_PIXFMT_NV12,      /* luma plane + interleaved CbCr plane */
};

enum player_colorspace { PLAYER_COLORSPACE_BT601 = 0, PLAYER_COLORSPACE_BT709 };

enum player_state {
    PLAYER_OPENING = 0, /* the reader is opening and probing the source */
    PLAYER_PLAYING,     /* streams are open; pictures/sound flow */
    PLAYER_ENDED,       /* end of stream reached and everything played/decoded */
    PLAYER_FAILED,      /* the source could not be opened or holds nothing playable */
};

struct player_opts {
    const char *source;  /* path, "-" (standard input) or URL; copied */
    int service;         /* program number to play; < 0: the first program with video */
    int threads;         /* video decoder threads; 0: one per core */
    bool no_audio;       /* do not decode or play the sound */
    bool bench;          /* no pacing and no output: decode as fast as possible */
    bool no_deinterlace; /* present interlaced pictures as they are */
    bool field_rate;     /* deinterlace to one picture per field (50/s for 576i) */
    int volume;          /* 0..100, initial */
    int audio_channels;  /* ask the device for this many channels; 0: the stream's */
    int audio_rate;      /* ask the device for this rate (Hz); 0: the stream's */
    /* Called on any player thread whenever the caller should look again
     * (a picture was queued, the state changed). Must be cheap and must not call
     * back into the player. May be NULL. */
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
    /* Called on the video decoder thread for every decoded video frame, in
     * decode-output order, before deinterlacing; the picture is lent for the
     * call only. May be NULL. */
    void (*on_decoded_frame)(void *opaque, const struct player_picture *picture);
    void *decoded_opaque;
    /* Monotonic time (sc_mono_ns) of the process start, for first_picture_ms. */
    int64_t start_ns;
    struct sc_log *log; /* parent log, not owned; the player logs as "player" */
};

/* Creates the player and starts the reader thread, which opens the source
 * (asynchronously: player_state() says when it is open or has failed).
 * Returns 0 or a negative error code. */
int player_create(const struct player_opts *opts, struct player **out);
/* Stops every thread and frees everything. Accepts NULL. */
void player_destroy(struct player *player);

/* Any thread. */
enum player_state player_state(struct player *player);
/* The reason for PLAYER_FAILED, one line; "" otherwise. Valid until destroy. */
const char *player_error(struct player *player);
/* Any thread: stops reading and decoding; the state becomes ENDED. */
void player_stop(struct player *player);
/* Blocks until the state is ENDED or FAILED or timeout_ns passed (< 0: no
 * limit). Returns the state. For callers without an event loop (bench). */
enum player_state player_wait(struct player *player, int64_t timeout_ns);

/* Presentation (main thread). Returns the picture due now, or NULL if none is
 * due; late pictures are dropped here. *wait_ns is how long the caller may
 * sleep before calling again (-1: until the next wakeup). The caller owns the
 * picture, shows it, then calls player_presented() right after the flip. */
struct player_picture *player_next_picture(struct player *player, int64_t *wait_ns);
/* Records a presentation: counts it and measures the A/V offset now. */
void player_presented(struct player *player, const struct player_picture *picture);

/* Any thread: deinterlace to field rate (true) or frame rate from the next
 * interlaced picture on (e.g. once the display's refresh rate is known). */
void player_set_field_rate(struct player *player, bool field_rate);
void player_set_paused(struct player *player, bool paused);
bool player_paused(struct player *player);
void player_set_volume(struct player *player, int volume); /* 0..100, clamped */
int player_volume(struct player *player);
void player_set_muted(struct player *player, bool muted);
bool player_muted(struct player *player);

struct player_stats {
    int64_t frames_decoded; /* video frames out of the decoder */
    int64_t frames_presented;
    int64_t frames_dropped_early; /* dropped before deinterlacing: already late */
    int64_t frames_dropped_late;  /* dropped at presentation: their time had passed */
    int64_t audio_frames_decoded;
    int64_t audio_underruns; /* the device asked for sound and none was decoded */
    int64_t decode_errors;   /* packets or frames the decoders reported damaged */
    double first_picture_ms; /* from opts.start_ns to the first presentation; < 0: none */
    double av_offset_mean_ms, av_offset_p99_ms, av_offset_max_ms; /* |picture - sound| */
    double seconds_played; /* wall time playing, pauses excluded; bench: decoding */
    int video_width, video_height;
    bool live;         /* the source is live (clock slaved to the stream) */
    int64_t cc_errors; /* continuity errors the TS reader found (all PIDs); 0 if not a TS */
    int outages;       /* signal outages so far (see player_outages) */
};
/* Any thread; a consistent snapshot. */
void player_get_stats(struct player *player, struct player_stats *stats);
/* The A/V offset distribution so far, for percentiles over a window (a soak
 * diffs two copies): bins[i] counts offsets in [i, i + 1) * PLAYER_AV_BIN_MS,
 * the last bin everything beyond. Any thread; copies min(n, PLAYER_AV_BINS). */
#define PLAYER_AV_BINS   5000
#define PLAYER_AV_BIN_MS 0.1
void player_av_offset_bins(struct player *player, uint32_t *bins, size_t n);

/* A service change (player_select_service) and the time from the call to the
 * first picture of the new service. */
struct player_service_change {
    int service;
    double ms;
};
#define PLAYER_MAX_ZAPS 32
/* Main thread: the service changes so far, the last PLAYER_MAX_ZAPS of them
 * (oldest first) copied to out; returns how many were copied. */
int player_service_changes(const struct player *player, struct player_service_change *out, int max);
/* Main thread: one human-readable line (codec, size, clocks, queues). */
void player_info(struct player *player, char *buf, size_t size);

/* ---- reception: signal, outages, service information ----------------------
 * Transport streams (files, "-", udp://, rtp://, http://, dvb://) are read
 * through the demux pipeline (demux.h); other files (an MP4 from the course
 * library) are opened by libavformat directly and have no signal, outages or
 * SI: the calls below then report a steady signal, no outage and -ENOENT.
 *
 * An outage: a live source delivered no data of the playing service (its
 * video PID, or its audio PID when it has no video) for 2 s, whatever the
 * cause. The player keeps running;
 * when data comes back it flushes what is stale, resets its clocks and
 * resumes by itself (first picture within about one GOP + 0.5 s).
 * opts.wakeup is called whenever the signal state changes. */

/* Any thread: false while an outage lasts (true before the first byte). */
bool player_signal(struct player *player);
/* Any thread: while an outage lasts, when it began (sc_mono_ns of the last
 * data, outage_ms before player_signal turned false); 0 otherwise. The
 * record backdates its signal_lost to it, so that the seconds before the
 * outage was declared are not credited. */
int64_t player_outage_began_ns(struct player *player);

struct player_outage {
    double start;   /* seconds since opts.start_ns: the last data before the outage */
    double end;     /* seconds since opts.start_ns: the data back; < 0 while it lasts */
    double picture; /* seconds since opts.start_ns: the first picture presented after it;
                       < 0 until then */
    /* static string: "no_data" (nothing arrived), "undecodable" (bytes but no
     * clean packet), "no_lock" (the DVB frontend lost lock), "no_service_data"
     * (the stream flows but not the playing service's pictures) */
    const char *cause;
};
/* Any thread: copies the outages so far, oldest first (an ongoing one last).
 * The caller frees *out with free(). Returns 0 or -ENOMEM. */
int player_outages(struct player *player, struct player_outage **out, size_t *count);

/* Thin pass-throughs to the demux pipeline's snapshots (any thread; the copies
 * belong to the caller, freed as demux.h says). They return -ENOENT when the
 * source is not a transport stream, -EAGAIN while it is still being opened. */
int player_services(struct player *player, struct dmx_service **out, size_t *count);
/* service_id < 0: the events of every service. */
int player_events(struct player *player, int service_id, struct dmx_event **out, size_t *count);
/* The broadcast time (UTC + local offset); -ENOENT also when none arrived yet. */
int player_broadcast_time(struct player *player, struct dmx_time *out);
/* The DVB frontend's strength/quality (out->valid false for other sources). */
int player_reception(struct player *player, struct dmx_signal *out);

/* Any thread: the program number playing, or -1 (not known yet, or not a TS). */
int player_service(struct player *player);
/* Main thread: switches to another service of the same stream without
 * stopping: the pipeline passes the new service's PIDs, stale packets and
 * pictures are dropped (serials), libavformat is reopened over the same
 * pipeline and the decoders take the new streams; the first picture follows
 * within about one GOP + 0.5 s. The video/audio set stays that of the first
 * service (a service without video plays its sound alone, and vice versa).
 * For another stream (another URL or channel) the caller destroys this player
 * and creates a new one. Returns 0 (the switch happens on the reader thread),
 * -ENOENT when the source is not a transport stream, or -EAGAIN while the
 * player is still opening. */
int player_select_service(struct player *player, int service_id);

/* The built-in demo stream (made at build time, installed with studycast), or
 * NULL when neither the build tree's nor the installed copy is there. */
const char *player_demo_path(void);

/* ---- pictures ------------------------------------------------------------ */
void player_picture_free(struct player_picture *picture); /* accepts NULL */
/* Any thread: a new reference to the same picture (its buffers are shared and
 * counted, nothing is copied: a few hundred nanoseconds), for a reader on
 * another thread (the viewing snapshots); free it with player_picture_free.
 * NULL when out of memory. */
struct player_picture *player_picture_ref(const struct player_picture *picture);
int player_picture_width(const struct player_picture *picture);
int player_picture_height(const struct player_picture *picture);
enum player_pixfmt player_picture_format(const struct player_picture *picture);
enum player_colorspace player_picture_colorspace(const struct player_picture *picture);
bool player_picture_full_range(const struct player_picture *picture);
/* Sample (pixel) aspect ratio; 0/1 or 1/1 when square or unknown. */
void player_picture_sample_aspect(const struct player_picture *picture, int *num, int *den);
/* Plane i (0..2): its first byte and its pitch in bytes; NULL past the last. */
const uint8_t *player_picture_plane(const struct player_picture *picture, int i, int *pitch);
double player_picture_pts(const struct player_picture *picture);      /* seconds; NAN if unknown */
int64_t player_picture_pts_raw(const struct player_picture *picture); /* stream time base */
/* The MD5 of the picture's planes packed without padding (as ffmpeg's rawvideo
 * encoder and framemd5 muxer hash a frame), as 32 hex digits + NUL; and the
 * packed size in bytes. Returns 0 or a negative error code. */
int player_picture_md5(const struct player_picture *picture, char hex[33], int *packed_size);

#endif
