/* station: the kiosk's core. One event-driven loop on the main thread runs
 * the station: it watches the schedule, tunes ahead of live courses, starts
 * the course and its study session by itself, runs roll-call, playback with
 * its overlays and outages, the end-of-session summary and feedback, records
 * broadcasts to the course library, and serves the control socket.
 *
 * The loop (mpv's run_playloop): do the due work, then sleep in the ui's wait
 * until the earliest deadline (the schedule's next moment, the slot's end, the
 * record's heartbeat, the clock's next second, the player's next picture, a
 * screen timeout) or a wakeup (player, control socket, schedule file change,
 * st_station_stop). No fixed-interval polling.
 *
 * Ownership: the station owns the ui, the player, the record, the schedule,
 * the control socket server and the keymap it opens. Threads: every call on
 * the thread that created the station, except st_station_stop() (any thread,
 * e.g. a signal watcher). */
#ifndef STUDYCAST_KIOSK_STATION_H
#define STUDYCAST_KIOSK_STATION_H

#include "base/base.h"

#include <stdbool.h>
#include <stdint.h>

#define ST_DEFAULT_DATA_DIR "/var/lib/studycast"

struct st_station_opts {
    const char *data_dir;    /* NULL: ST_DEFAULT_DATA_DIR */
    const char *ipc_path;    /* control socket, NULL: none */
    bool windowed;           /* false: fullscreen */
    int width, height;       /* window size when windowed */
    const char *keymap;      /* keymap file, NULL: /etc/studycast/keymap.conf if present */
    bool no_audio;           /* no sound (headless tests) */
    bool no_cec;             /* leave the TV alone: no HDMI-CEC (kiosk/tv) */
    int lead_minutes;        /* tune this long before a live course (0..60); < 0: default 2 */
    bool demo;               /* force the demo (course stream, roster, schedule) */
    const char *language;    /* "zh_CN" (NULL: default) or "en" */
    const char *source;      /* the station's broadcast stream for "service:N" without @URL */
    int summary_timeout_s;   /* SUMMARY closes itself after this (0: 120 s) */
    int snapshot_interval_s; /* between a session's snapshots (0: 30 minutes) */
    /* With a county server set (DATA_DIR/county.conninfo), the record is
     * synced this often (0: 300 s) and after each session; a failed sync is
     * retried after min(30 s, this), doubling up to 30 min. */
    int sync_every_s;
    /* USB sticks: NULL the removable mounts under /media, /run/media, /mnt;
     * else each subdirectory of this directory counts as one (drives.h) */
    const char *media_dir;
    /* Linux input devices read directly (kiosk/input): the paths given
     * (--input; event devices, FIFOs or files of raw records), else every
     * event device in input_dir (--input-dir; NULL: /dev/input), watched.
     * Grabbed while fullscreen. card_readers: name substrings or vvvv:pppp
     * telling card readers (NULL: "card,rfid,barcode"). */
    const char *const *inputs;
    int n_inputs;
    const char *input_dir;
    const char *card_readers;
    int64_t start_ns;   /* sc_mono_ns() of the process start (startup figures) */
    struct sc_log *log; /* parent log, not owned; the station logs as "kiosk" */
};

struct st_station;

/* Opens the record (closing a session a crash left open), the schedule, the
 * window and the control socket; sets up the demo when asked or when the
 * station has no configuration (see demo.c). Returns 0, or a negative code
 * with the reason logged: -ENODEV when there is no display (the log says how
 * to run headless), -EADDRINUSE when another kiosk serves ipc_path, record
 * and schedule errors (-EROFS, -EACCES, ...). */
int st_station_create(const struct st_station_opts *opts, struct st_station **out);
/* Runs the core loop until st_station_stop() or the window is closed. A
 * course still running is stopped and its session closed as interrupted (a
 * restart within its slot resumes it). Returns 0 or a negative code. */
int st_station_run(struct st_station *station);
/* Any thread (signal-safe in the sense of the cli_stop_signals watcher): asks
 * the loop to end soon. */
void st_station_stop(void *station);
void st_station_destroy(struct st_station *station); /* accepts NULL */

/* The data dir in use: the demo's own directory in demo mode. */
const char *st_station_data_dir(const struct st_station *station);
bool st_station_is_demo(const struct st_station *station);

/* ---- the administrator's PIN (DATA_DIR/admin-pin.json, mode 0600) ----
 * Stored as a libsodium password hash (Argon2id, crypto_pwhash_str), with the
 * count of wrong entries and the lock-out's end, so that a restart does not
 * reset the lock-out. PINs are 4 to 8 digits. */
#define ST_PIN_MIN_DIGITS 4
#define ST_PIN_MAX_DIGITS 8
#define ST_PIN_MAX_TRIES  5   /* wrong entries in a row before the lock-out */
#define ST_PIN_LOCK_S     900 /* the lock-out: 15 minutes */

struct st_pin_state {
    bool set;                 /* a PIN is stored */
    int failures;             /* wrong entries since the last right one */
    int64_t locked_until_utc; /* 0: not locked */
};

/* Stores a new PIN (resets the failures). 0, -EINVAL (not 4-8 digits), -errno. */
int st_station_pin_set(const char *data_dir, const char *pin);
/* Reads the state at now_utc: 0 (state->set false when there is no PIN),
 * -EBADMSG when the file is damaged, -EIO when it cannot be read (its mode or
 * owner, a directory in its place ...): the menu then stays locked until
 * `studycast pin set` writes a new one; -ENOMEM. A lock-out that would end
 * more than ST_PIN_LOCK_S after now_utc (the clock was set back after it
 * began) is shortened to ST_PIN_LOCK_S from now_utc, and saved so. */
int st_station_pin_state(const char *data_dir, int64_t now_utc, struct st_pin_state *state);
/* Checks a PIN at now_utc: 0 right (failures reset), -EACCES wrong (counted;
 * the fifth locks), -EAGAIN locked out (nothing checked; the lock-out
 * shortened as st_station_pin_state does), -ENOENT no PIN set, -EBADMSG or
 * -EIO as st_station_pin_state, or -errno (saving the count failed).
 * *state receives the state after the check. */
int st_station_pin_check(const char *data_dir, const char *pin, int64_t now_utc,
                         struct st_pin_state *state);

/* ---- the county server (DATA_DIR/county.conninfo, mode 0600) ----
 * The libpq conninfo (key=value or a postgresql:// URI) that `studycast
 * county add-station --json` gave, password included; the kiosk syncs its
 * record there by itself (cty_sync, on a worker thread). The record keeps
 * the server without the password (setting "county_server": an export shows
 * it to inspectors, who must not see the station's password). */
#define ST_COUNTY_CONNINFO_MAX 1023

/* Writes DATA_DIR/county.conninfo atomically (0600); "" removes it. *shown
 * receives the conninfo without its password (for the record's setting).
 * 0, -EINVAL (too long, a control character, or nothing but a password),
 * or -errno. */
int st_station_county_set(const char *data_dir, const char *conninfo, char *shown, size_t size);
/* Reads it: 0, -ENOENT when none is set, -EINVAL damaged, -errno. */
int st_station_county_get(const char *data_dir, char *conninfo, size_t size);
/* The conninfo without its password: key=value pairs but password, or the
 * URI without the password in its user part and query. */
void st_station_county_shown(const char *conninfo, char *shown, size_t size);
/* The server in a line that fits the screen: user@host:port/dbname from a
 * key=value conninfo (the parts it names; hostaddr when there is no host),
 * a URI as st_station_county_shown gives it. Never the password. */
void st_station_county_brief(const char *conninfo, char *brief, size_t size);

#endif
