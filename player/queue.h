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
 * thread (one consumer), bounded by bytes and by duration: sc_pktq_put() waits
 * while either bound is exceeded. Every packet carries the queue's serial at
 * the time it was put; sc_pktq_flush() drops everything and starts a new serial
 * so that the decoder recognises the discontinuity without being restarted.
 * All fields are guarded by `lock`. */
struct sc_pktq_entry;

struct sc_pktq {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled on put, get, flush, abort */
    struct sc_pktq_entry *first, *last;
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

int sc_pktq_init(struct sc_pktq *q, int64_t max_bytes, int64_t max_duration_us,
                 AVRational time_base);
void sc_pktq_destroy(struct sc_pktq *q);
/* Takes ownership of *pkt's reference (pkt is left blank). A packet with no
 * data is the end-of-stream marker. Blocks while full. Returns 0, or
 * AVERROR_EXIT when aborted (the packet is then unreferenced). */
int sc_pktq_put(struct sc_pktq *q, AVPacket *pkt);
/* Moves the next packet into pkt. With block, waits until one is there.
 * Returns 1 with a packet (and *serial), 0 when empty and !block, or
 * AVERROR_EXIT when aborted. */
int sc_pktq_get(struct sc_pktq *q, AVPacket *pkt, int *serial, bool block);
/* Drops every packet and increments the serial; returns the new serial. */
int sc_pktq_flush(struct sc_pktq *q);
/* Wakes every waiter and makes put/get return AVERROR_EXIT until sc_pktq_start(). */
void sc_pktq_abort(struct sc_pktq *q);
void sc_pktq_start(struct sc_pktq *q);
int sc_pktq_serial(struct sc_pktq *q);
/* A snapshot of the fill level. */
void sc_pktq_level(struct sc_pktq *q, int *packets, int64_t *bytes, int64_t *duration_us);

/* ---- frame ring ---------------------------------------------------------
 * A small fixed ring of decoded frames from one decoder thread (writer) to one
 * reader (the presenter or the audio callback). The writer waits for a free
 * slot; the reader never waits (it is on a deadline). Guarded by `lock`. */
#define SC_FRAMEQ_MAX 16

enum { SC_FRAME_ENDS_SOURCE_FRAME = 1 }; /* flags */

struct sc_frame {
    AVFrame *frame;
    double pts;      /* seconds, NAN if unknown */
    double duration; /* seconds */
    int serial;
    int flags;
};

struct sc_frameq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sc_frame slots[SC_FRAMEQ_MAX];
    int capacity, read_index, write_index, size;
    bool aborted;
};

int sc_frameq_init(struct sc_frameq *q, int capacity);
void sc_frameq_destroy(struct sc_frameq *q);
/* Writer: waits for a free slot; returns it (its frame is blank) or NULL when aborted. */
struct sc_frame *sc_frameq_peek_writable(struct sc_frameq *q);
/* Writer: publishes the slot returned by sc_frameq_peek_writable(). */
void sc_frameq_push(struct sc_frameq *q);
/* Reader: the oldest frame, or NULL when empty. Stays valid until sc_frameq_next(). */
struct sc_frame *sc_frameq_peek(struct sc_frameq *q);
/* Reader: the frame after the oldest, or NULL. */
struct sc_frame *sc_frameq_peek_next(struct sc_frameq *q);
/* Reader: releases the oldest frame (unreferences it) and frees its slot. */
void sc_frameq_next(struct sc_frameq *q);
int sc_frameq_size(struct sc_frameq *q);
/* Releases every queued frame whose serial differs from `serial`. */
void sc_frameq_drop_stale(struct sc_frameq *q, int serial);
void sc_frameq_abort(struct sc_frameq *q);
void sc_frameq_start(struct sc_frameq *q);

/* ---- clocks -------------------------------------------------------------
 * ffplay's clock: a presentation time that advances with the monotonic clock
 * at `speed` from the moment it was last set. Serial-tagged so that a clock
 * set before a flush reads as unknown (NAN). Any thread; guarded by `lock`.
 * The *_at variants take `now` in seconds of the monotonic clock (for tests). */
struct sc_clock {
    pthread_mutex_t lock;
    double pts;       /* when last set */
    double pts_drift; /* pts - time of the last set */
    double last_updated;
    double speed;
    int serial;
    bool paused;
};

int sc_clock_init(struct sc_clock *c);
void sc_clock_destroy(struct sc_clock *c);
double sc_clock_now(void); /* monotonic seconds */
double sc_clock_get_at(struct sc_clock *c, double now);
double sc_clock_get(struct sc_clock *c);
void sc_clock_set_at(struct sc_clock *c, double pts, int serial, double now);
void sc_clock_set(struct sc_clock *c, double pts, int serial);
/* Changes the speed without a jump in the value. */
void sc_clock_set_speed_at(struct sc_clock *c, double speed, double now);
double sc_clock_speed(struct sc_clock *c);
void sc_clock_set_paused_at(struct sc_clock *c, bool paused, double now);
int sc_clock_serial(struct sc_clock *c);
/* Sets `c` to the value of `other` if they differ by more than `threshold`
 * seconds or c is unknown (ffplay's sync_clock_to_slave). */
void sc_clock_sync_to(struct sc_clock *c, struct sc_clock *other, double threshold);

/* The speed a live source's external clock should run at, given how much is
 * buffered (seconds) and how much we want buffered: a proportional controller
 * that keeps latency bounded when the sender's clock runs fast or slow. */
double sc_clock_live_speed(double buffered_s, double target_s);

#endif
