/* `studycast play --session TITLE [--members 001,002] [--data-dir DIR]`:
 * records a playback as a study session in the station's record, for
 * scripted use before (and beside) the kiosk. Everything is called on the
 * play command's main thread, never from player threads: each recording call
 * waits for one fsync. */
#ifndef STUDYCAST_KIOSK_PLAY_SESSION_H
#define STUDYCAST_KIOSK_PLAY_SESSION_H

#include "base/base.h"
#include "player/player.h"

#include <stdbool.h>
#include <stdint.h>

struct cli_session_opts {
    const char *title;    /* the course; UTF-8 */
    const char *members;  /* "001,002" or NULL: roster numbers present throughout */
    const char *data_dir; /* NULL: the record's default */
    int heartbeat_ms;     /* 0: the record's default (10 s) */
    int snapshot_s;       /* seconds between viewing snapshots; 0: 30 minutes */
    /* called on the snapshot worker when a snapshot is ready (cheap) */
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
};

struct cli_session;

/* Opens the record (which closes a session a crash left open) and checks
 * the members against the roster, before anything plays. On failure prints
 * one line on stderr and returns 1 (record unusable) or 2 (bad members, a
 * TITLE empty or longer than REC_COURSE_MAX bytes). */
int cli_session_prepare(const struct cli_session_opts *opts, struct sc_log *log,
                        struct cli_session **out);

/* A picture is on screen (right after the flip): the first one opens the
 * session (its members present and playback started from now); each is
 * offered to the snapshot taker, which keeps a reference and snapshots the
 * first, one every interval, and the last at the close (on its worker). */
void cli_session_presented(struct cli_session *ps, const struct player_picture *picture);
void cli_session_paused(struct cli_session *ps, bool paused);
/* The signal state as the player reports it; only changes are recorded. An
 * outage is recorded from lost_since_ns (player_outage_began_ns; 0: now). */
void cli_session_signal(struct cli_session *ps, bool present, int64_t lost_since_ns);
/* Records a heartbeat when one is due and the snapshots the worker
 * finished (file and `snapshot_taken` event); returns the CLOCK_MONOTONIC time
 * (sc_mono_ns) of the next one, INT64_MAX when no session is open. */
int64_t cli_session_tick(struct cli_session *ps);
/* A message for the screen if the last recording call failed (full disk,
 * read-only), else NULL; reading it clears it. */
const char *cli_session_take_problem(struct cli_session *ps);
/* Takes the last snapshot (and waits for it), stops playback in the record, closes the session
 * (complete, or interrupted if playback failed) and the record; frees ps. Accepts NULL. Returns 0,
 * or -1 after one line on stderr when a recording call failed (the session could not be opened, a
 * heartbeat or the close was lost: full disk, read-only record): then play exits 1. */
int cli_session_finish(struct cli_session *ps, bool complete);

#endif
