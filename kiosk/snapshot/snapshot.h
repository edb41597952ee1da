/* snapshot: proof of viewing. Small JPEG pictures of what a study session
 * actually presented (the first picture, one every interval, the last before
 * the close), each with a picture analysis (mean luma, black, frozen against
 * the previous snapshot of the session). The presenting loop only takes a
 * reference to the presented picture; scaling, analysis and encoding happen
 * on the taker's own worker thread, so a snapshot costs the loop no frame.
 * The caller hands each finished result to the record
 * (rec_session_snapshot), which stores the bytes and chains their SHA-256.
 * Also decodes a stored snapshot back into pixels for the screen and the
 * PDF record book. FFmpeg (mjpeg, swscale) stays inside this module.
 *
 * Threads: a taker's snap_* calls are made from one thread (the core loop);
 * wakeup is called on the worker. snap_decode_argb is any thread. */
#ifndef STUDYCAST_SNAPSHOT_H
#define STUDYCAST_SNAPSHOT_H

#include "base/base.h"
#include "player/player.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_DEFAULT_INTERVAL_S 1800 /* one snapshot every 30 minutes */
#define SNAP_WIDTH              320
/* Mean full-range luma (0-255) below which a picture counts as black. */
#define SNAP_BLACK_LUMA 20.0
/* Mean absolute luma difference (0-255) against the previous snapshot at or
 * below which a picture counts as frozen (identical or near-identical). */
#define SNAP_FROZEN_DIFF 1.0

enum snap_kind { SNAP_FIRST, SNAP_PERIODIC, SNAP_LAST };
const char *snap_kind_name(enum snap_kind kind); /* "first", "periodic", "last" */

struct snap_opts {
    int64_t interval_ns; /* between periodic snapshots; 0: SNAP_DEFAULT_INTERVAL_S */
    /* Called on the worker when a result is ready to take; cheap, must not
     * call back into the taker. May be NULL. */
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
    struct sc_log *log; /* parent log, not owned */
};

struct snap_result {
    enum snap_kind kind;
    uint8_t *jpeg; /* owned; free with snap_result_free */
    size_t size;
    int width, height;
    int64_t presented_mono_ns; /* when the picture was presented */
    double mean_luma;          /* full range, 0-255 */
    bool black;
    bool frozen;          /* near-identical to the previous snapshot of the taker
                             (a last one of the very picture of the previous
                             snapshot says what that one said) */
    double diff_previous; /* mean absolute luma difference; < 0: no previous */
};

struct snap_taker;

/* Starts the worker thread. Returns 0 or -ENOMEM / -errno. */
int snap_create(const struct snap_opts *opts, struct snap_taker **out);
/* Waits for the worker's current job, drops queued ones and results not
 * taken, frees everything. Accepts NULL. */
void snap_destroy(struct snap_taker *taker);

/* A picture was presented (right after the flip): keeps a reference to it
 * as the last one shown and queues it when a snapshot is due (the first
 * picture, then every interval). Cost: one reference. */
void snap_presented(struct snap_taker *taker, const struct player_picture *picture);
/* The session is about to close: queues the last picture shown (always,
 * even when the previous snapshot was of that very picture, so that every
 * session has a first and a last) and waits until every queued snapshot is done, so
 * snap_take then returns them all. */
void snap_finish(struct snap_taker *taker);
/* The next finished snapshot, oldest first: 1 and *out filled, 0 none
 * ready. A snapshot that could not be made is logged and skipped. */
int snap_take(struct snap_taker *taker, struct snap_result *out);
void snap_result_free(struct snap_result *result); /* accepts NULL members */

struct rec_session;
/* Hands a finished snapshot to the session's record (rec_session_snapshot:
 * its writer thread stores the JPEG, then commits snapshot_taken with the
 * analysis). Returns its result; the caller still frees `result`. */
int snap_record(struct rec_session *session, const struct snap_result *result);

/* Decodes a JPEG (a stored snapshot) into 32-bit native-endian ARGB pixels
 * (0xAARRGGBB as one uint32_t: cairo's ARGB32, SDL's ARGB8888), scaled to
 * fit max_width (0: as stored). *pixels is malloc'd (free()); *stride in
 * bytes. Returns 0, -EINVAL for bytes that are not a picture, -ENOMEM. */
int snap_decode_argb(const void *jpeg, size_t size, int max_width, uint8_t **pixels, int *width,
                     int *height, int *stride);

#endif
