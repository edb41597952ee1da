/* Internal: the player's bounded packet queue and small frame ring, and the
 * clocks. Not part of the public API (tests include it to test the units). */
#ifndef STUDYCAST_PLAYER_QUEUE_H
#define STUDYCAST_PLAYER_QUEUE_H

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- packet queue -------------------------------------------------------
 * A FIFO of AVPackets between the reader thread (one producer) and one decoder
 * thread (one consumer), bounded by bytes and by duration: player_pktq_put() waits
 * while either bound is exceeded. Every packet carries the queue's serial at
 * the time it was put; player_pktq_flush() drops everything and starts a new serial
 * so that the decoder recognises the discontinuity without being restarted.
 * All fields are guarded by `lock`. */
struct player_pktq_entry;

struct player_pktq {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled on put, get, flush, abort */
    struct player_pktq_entry *first, *last;
    int packets;
    int64_t bytes;
    int64_t duration_us;
    int serial;
    bool aborted;
    /* bounds; a put waits while bytes >= max_bytes or duration_us >= max_duration_us
     * (an empty queue always accepts one packet, however large) */
    int64_t max_bytes;
    int64_t max_duration_us;
    AVRational time_base; /* of the packets' duration field */
};

int player_pktq_init(struct player_pktq *q, int64_t max_bytes, int64_t max_duration_us,
                     AVRational time_base);
void player_pktq_destroy(struct player_pktq *q);
/* Takes ownership of *pkt's reference (pkt is left blank). A packet with no
 * data is the end-of-stream marker. Blocks while full. Returns 0, or
 * AVERROR_EXIT when aborted (the packet is then unreferenced). */
int player_pktq_put(struct player_pktq *q, AVPacket *pkt);
/* Moves the next packet into pkt. With block, waits until one is there.
 * Returns 1 with a packet (and *serial), 0 when empty and !block, or
 * AVERROR_EXIT when aborted. */
int player_pktq_get(struct player_pktq *q, AVPacket *pkt, int *serial, bool block);
/* Drops every packet and increments the serial; returns the new serial. */
int player_pktq_flush(struct player_pktq *q);
/* Wakes every waiter and makes put/get return AVERROR_EXIT until player_pktq_start(). */
void player_pktq_abort(struct player_pktq *q);
void player_pktq_start(struct player_pktq *q);
int player_pktq_serial(struct player_pktq *q);
/* A snapshot of the fill level. */
void player_pktq_level(struct player_pktq *q, int *packets, int64_t *bytes, int64_t *duration_us);

/* ---- frame ring ---------------------------------------------------------
 * A small fixed ring of decoded frames from one decoder thread (writer) to one
 * reader (the presenter or the audio callback). The writer waits for a free
 * slot; the reader never waits (it is on a deadline). Guarded by `lock`. */
#define PLAYER_FRAMEQ_MAX 16

enum { PLAYER_FRAME_ENDS_SOURCE_FRAME = 1 }; /* flags */

struct player_frame {
    AVFrame *frame;
    double pts;      /* seconds, NAN if unknown */
    double duration; /* seconds */
    int serial;
    int flags;
};

struct player_frameq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct player_frame slots[PLAYER_FRAMEQ_MAX];
    int capacity, read_index, write_index, size;
    bool aborted;
};

int player_frameq_init(struct player_frameq *q, int capacity);
void player_frameq_destroy(struct player_frameq *q);
/* Writer: waits for a free slot; returns it (its frame is blank) or NULL when aborted. */
struct player_frame *player_frameq_peek_writable(struct player_frameq *q);
/* Writer: publishes the slot returned by player_frameq_peek_writable(). */
void player_frameq_push(struct player_frameq *q);
/* Reader: the oldest frame, or NULL when empty. Stays valid until player_frameq_next(). */
struct player_frame *player_frameq_peek(struct player_frameq *q);
/* Reader: the frame after the oldest, or NULL. */
struct player_frame *player_frameq_peek_next(struct player_frameq *q);
/* Reader: releases the oldest frame (unreferences it) and frees its slot. */
void player_frameq_next(struct player_frameq *q);
int player_frameq_size(struct player_frameq *q);
/* Releases every queued frame whose serial differs from `serial`. */
void player_frameq_drop_stale(struct player_frameq *q, int serial);
void player_frameq_abort(struct player_frameq *q);
void player_frameq_start(struct player_frameq *q);

/* ---- clocks -------------------------------------------------------------
 * ffplay's clock: a presentation time that advances with the monotonic clock
 * at `speed` from the moment it was last set. Serial-tagged so that a clock
 * set before a flush reads as unknown (NAN). Any thread; guarded by `lock`.
 * The *_at variants take `now` in seconds of the monotonic clock (for tests). */
struct player_clock {
    pthread_mutex_t lock;
    double pts;       /* when last set */
    double pts_drift; /* pts - time of the last set */
    double last_updated;
    double speed;
    int serial;
    bool paused;
};

int player_clock_init(struct player_clock *c);
void player_clock_destroy(struct player_clock *c);
double player_clock_now(void); /* monotonic seconds */
double player_clock_get_at(struct player_clock *c, double now);
double player_clock_get(struct player_clock *c);
void player_clock_set_at(struct player_clock *c, double pts, int serial, double now);
void player_clock_set(struct player_clock *c, double pts, int serial);
/* Changes the speed without a jump in the value. */
void player_clock_set_speed_at(struct player_clock *c, double speed, double now);
double player_clock_speed(struct player_clock *c);
void player_clock_set_paused_at(struct player_clock *c, bool paused, double now);
int player_clock_serial(struct player_clock *c);
/* Sets `c` to the value of `other` if they differ by more than `threshold`
 * seconds or c is unknown (ffplay's sync_clock_to_slave). */
void player_clock_sync_to(struct player_clock *c, struct player_clock *other, double threshold);

/* The speed a live source's external clock should run at, given how much is
 * buffered (seconds) and how much we want buffered: a proportional controller
 * that keeps latency bounded when the sender's clock runs fast or slow. */
double player_clock_live_speed(double buffered_s, double target_s);

#endif
