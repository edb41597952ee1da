/* station internals: the state the core loop keeps, shared by its files.
 *   station.c   create/destroy, the loop, deadlines, input dispatch
 *   planner.c   schedule list, due occurrences, next course, month figures
 *   course.c    a course's life: player, session, pre-tune, outage, end
 *   rollcall.c  the roster, check-in/out by grid, number or card, guests
 *   screens.c   what each action does on each screen, and the views
 *   control.c   the control socket: status and press
 *   reception.c signal, outages, guide and broadcast time (the swap point)
 *   capture.c   "capture" entries: the service's TS into the course library
 *   demo.c      the demo: roster, schedule, course stream
 *   watchdog.c  systemd: READY, the loop's watchdog keep-alive, STATUS, STOPPING
 *   sync.c      the county sync: its worker thread, retries, its state
 *   county_conninfo.c  DATA_DIR/county.conninfo and the conninfo's parts
 *   admin*.c    the administrator's menu (admin.h): pages behind the PIN
 * Everything runs on the loop's thread unless a comment says otherwise. */
#ifndef STUDYCAST_KIOSK_STATION_INTERNAL_H
#define STUDYCAST_KIOSK_STATION_INTERNAL_H

#include "kiosk/station/station.h"

#include "demux/demux.h"
#include "player/player.h"
#include "kiosk/input/input.h"
#include "kiosk/record/record.h"
#include "kiosk/remote/remote.h"
#include "kiosk/schedule/schedule.h"
#include "kiosk/snapshot/snapshot.h"
#include "kiosk/tv/tv.h"
#include "ui/ui.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#define ST_ROLLCALL_IDLE_S 300 /* roll-call gives way to the course after this without a key */
#define ST_DIGITS_IDLE_S   6   /* typed digits are forgotten after this without a key */
/* a card reader types faster than this per key (a thumb on a remote: >= 150 ms) */
#define ST_CARD_MAX_GAP_NS 80000000LL
#define ST_CARD_MIN_DIGITS 4
#define ST_RETRY_NS        2000000000LL /* a failed live source is reopened after this */
#define ST_MAX_DIGITS      24
#define ST_LATENCY_RING    512
#define ST_MAX_CAPTURES    4
#define ST_ALIVE_EVERY_S   60 /* kiosk.alive: when the kiosk last ran, for missed courses */

/* ---- reception (reception.c): what the kiosk knows about the signal ---- */

/* The signal comes from the player (player_signal: the demux pipeline's
 * outage detection on the playing service), plus two things only the kiosk
 * knows: a live source that failed to open or ended (retried), and whether a
 * picture has been shown yet. */
struct st_reception {
    struct player *player; /* the course's player, borrowed; NULL: none */
    int64_t attached_ns;
    int64_t last_picture_ns; /* 0: none yet */
    bool source_failed;      /* the source could not be opened / ended (live) */
    bool attached;
    bool has_broadcast_time; /* a TDT/TOT was seen: the station clock follows it */
    int64_t broadcast_utc_minus_mono_ns;
    /* what plays, from the SDT and the EIT (st_reception_names_turn); "" unknown */
    char service_name[128];
    char event_title[SCH_TITLE_MAX];
    int64_t names_checked_ns;
};
void st_reception_attach(struct st_reception *r, struct player *player, int64_t now_ns);
void st_reception_detach(struct st_reception *r);
void st_reception_picture(struct st_reception *r, int64_t now_ns);
void st_reception_failed(struct st_reception *r);
enum ui_signal st_reception_signal(const struct st_reception *r, int64_t now_ns);
/* When the signal state can change by itself (INT64_MAX: never). */
int64_t st_reception_next_change_ns(const struct st_reception *r, int64_t now_ns);
/* Broadcast time as utc - mono (ns): 0, or -ENOENT while no stream told it. */
int st_reception_broadcast_time(struct st_reception *r, int64_t *utc_minus_mono_ns);
/* The end of the guide event airing on `service` at `at_utc`: 0, or -ENOENT. */
int st_reception_event_end(const struct st_reception *r, int service, int64_t at_utc,
                           int64_t *end_utc);
/* Refreshes service_name and event_title (the event airing at now_utc) from
 * the player's SI, at most every 2 s. True when they changed. */
bool st_reception_names_turn(struct st_reception *r, int service, int64_t now_utc, int64_t now_ns);

/* ---- the roster and check-in (rollcall.c) ---- */

struct st_roster {
    struct rec_member *members; /* sorted by number */
    size_t n;
    bool *present;
    int64_t *checked_in_mono; /* for the summary's order; 0 if never */
    int focus;                /* 0..n-1 a member, n the guest card */
    int guests;
    char digits[ST_MAX_DIGITS + 1];
    int64_t digits_first_ns, digits_last_ns, digits_max_gap_ns;
    int64_t until_ns; /* the roll-call screen hides itself then (CLOCK_MONOTONIC) */
};

/* ---- a course (course.c) ---- */

struct st_course {
    bool active;
    bool pretune; /* tuned ahead; the session has not started */
    bool loop;    /* a file that starts again at its end (the demo) */
    struct sch_entry entry;
    int64_t start_utc, end_utc;
    bool end_known;
    char source[SCH_LOCATION_MAX];
    int service;  /* the scheduled one; < 0: the player's first */
    int watching; /* the service a viewer changed to with CH+/CH- (course_zap.c), 0: none */
    bool live;
    struct player *player;
    int64_t retry_at_ns; /* 0: none */
    struct rec_session *session;
    char session_id[37];
    bool playback_started, paused;
    bool signal_lost; /* an outage recorded and not yet ended */
    int64_t outage_since_ns;
    bool late, resumed;
    int64_t late_by_s;
    int64_t started_mono_ns;             /* session start */
    int64_t played_ns, playing_since_ns; /* our own count, for the screens */
    bool ended;                          /* the slot is over: SUMMARY */
    enum ui_signal last_signal;
    struct player_picture *shown; /* handed to the ui this turn: presented() after the flip */
    int last_record_error;        /* not repeated on screen every heartbeat */
    struct snap_taker *snap;      /* the session's snapshots (proof of viewing) */
};

/* ---- the service manager (watchdog.c) ---- */

/* sd_notify state. Without NOTIFY_SOCKET (not under systemd) nothing is sent. */
struct st_watchdog {
    bool notify;         /* NOTIFY_SOCKET is set */
    bool failed;         /* a notification failed (logged once) */
    int64_t interval_ns; /* WATCHDOG=1 at least this often (half of WATCHDOG_USEC); 0: none */
    int64_t last_ns;     /* sc_mono_ns() of the last WATCHDOG=1; 0: none yet */
    char status[SCH_TITLE_MAX + 48]; /* the last STATUS= sent */
};

/* ---- a broadcast being captured (capture.c) ---- */

struct st_capture;
struct st_clock_scan;
struct st_sync;

/* ---- the station, in parts ---- */

/* What the command line and kiosk.conf chose; read-only after create
 * (station.c). */
struct st_options {
    char *ipc_path, *keymap_path, *language;
    char *media_dir; /* USB sticks (drives.h): NULL the system's removable mounts */
    char **inputs;   /* --input paths (n_inputs), NULL-terminated */
    int n_inputs;
    char *input_dir, *card_readers;
    bool windowed, no_audio, no_cec;
    int width, height, lead_s, summary_timeout_s, snapshot_interval_s, sync_every_s;
};

/* Input devices read directly (keys_input.c). A key pressed on a keyboard
 * that SDL also sees (a desktop X session, devices not grabbed) arrives
 * twice: the second arrival of the same action from the other source within
 * ST_INPUT_TWIN_NS is dropped (the times are mono ns of either event), and
 * SDL's own repeats of a key an input device delivered or repeated within
 * IN_RELEASE_TIMEOUT_MS are dropped too (the reader repeats it). */
#define ST_INPUT_TWIN_NS 100000000LL
#define ST_KEYMAP_LEARNT "keymap.conf" /* in the data dir: where /etc's cannot be written */
struct st_input {
    struct in_reader *reader;
    /* the keymap file loaded, written by Settings -> Remote (admin_remote.c) */
    char keymap_file[PATH_MAX + 16];
    int64_t evdev_ns[RC_ACTION_COUNT]; /* the latest press of each action, by source */
    int64_t sdl_ns[RC_ACTION_COUNT];
};

/* The schedule as the loop sees it (planner.c): entries, what was acted on,
 * HOME's "next course" and month figures, the courses missed while off. */
struct st_plan {
    struct sch_db *schedule;
    struct sch_entry *entries;
    size_t n_entries;
    struct sch_query query;
    struct {
        int64_t entry_id, start_utc;
    } * handled;
    size_t n_handled, cap_handled;
    int64_t last_due_utc;
    char next_title[SCH_TITLE_MAX];
    int64_t next_start_utc; /* 0: nothing planned */
    struct ui_month month;
    /* courses whose slot passed while the kiosk was off (HOME says so) */
    char missed_note[256];
    int n_missed;
    bool alive_loaded;         /* DATA_DIR/kiosk.alive read at the first turn */
    int64_t alive_written_utc; /* the last time it was written (every ST_ALIVE_EVERY_S) */
};

/* The watcher thread: inotify on the data dir, so schedule changes made by
 * `studycast schedule` reach the loop (station.c). */
struct st_watcher {
    int fd; /* inotify on the data dir, -1 */
    pthread_t thread;
    bool started;
    int stop_fd; /* eventfd ending the watcher */
    int lock_fd; /* the data dir's kiosk.lock, flocked while this kiosk runs (station.c) */
    atomic_bool county_changed; /* county.conninfo was written (by `studycast record settings`) */
};

/* The station clock: utc = mono + utc_minus_mono (station.c, clock_scan.c). */
struct st_clock {
    int64_t utc_minus_mono_ns;
    enum rec_clock_source source;
    bool system_only;           /* setting "system": the stream's TDT/TOT is not followed */
    struct st_clock_scan *scan; /* the broadcast time at idle (clock_scan.c) */
};

/* SUMMARY after a course (screens.c, course.c). */
struct st_summary {
    int rating;
    bool needs_repeat;
    enum ui_summary_focus focus;
    int64_t until_ns;
    struct rec_session_summary *sessions; /* rec_sessions() around the session */
    size_t n_sessions;
    const struct rec_session_summary *snapshot; /* the session, in sessions[] */
    char course[SCH_TITLE_MAX];
};

/* HOME's name and banner line (planner.c, admin_settings.c). */
struct st_home {
    char station_name[128];
    char banner[256];
    bool banner_error;
};

/* Key press -> flip latency, for the figures (status: input_latency_ms). */
struct st_latency {
    int64_t pending_key_ns; /* event time of a key whose effect is not flipped yet */
    double ms[ST_LATENCY_RING];
    size_t n;
};

struct st_station {
    struct sc_log *log;
    char data_dir[PATH_MAX];
    char base_data_dir[PATH_MAX];
    char *source;
    bool demo;
    struct st_options opts;
    int64_t start_ns;
    atomic_bool stop;

    struct rec *rec;
    struct st_plan plan;
    struct rc_keymap *keymap;
    struct rc_ipc_server *ipc;
    struct st_input input;
    struct ui *ui;
    struct st_watcher watcher;
    struct st_clock clock;
    int32_t utc_offset_s;

    enum ui_screen screen;
    bool view_dirty;
    struct st_course course;
    struct st_reception reception;
    struct st_roster roster;
    bool show_info, show_roster;
    struct st_summary summary;
    int volume;
    bool muted;
    struct st_home home;

    struct st_capture *captures[ST_MAX_CAPTURES];
    struct st_watchdog watchdog;
    struct st_admin *admin; /* the administrator's menu (admin.h) */
    int service;            /* the station's service on its stream, 0: not chosen */
    struct tv *tv;          /* HDMI-CEC (television.c); NULL: --no-cec */
    struct st_latency latency;
    struct st_sync *sync; /* the county sync (sync.c) */
};

/* keys_input.c */
/* The keymap: the defaults plus DATA_DIR/keymap.conf when the menu wrote
 * one there, else --keymap or /etc's (input.keymap_file says which). */
int st_keymap_open(struct st_station *st);
/* A key by name from SDL, an input device or the control socket: learnt by
 * Settings -> Remote when it waits, else mapped and acted on. 0, -ENOENT (not
 * mapped) or st_action's code. */
int st_key(struct st_station *st, const char *key_name, int64_t time_ns);
int st_input_open(struct st_station *st);
void st_input_close(struct st_station *st);
/* Acts on the keys and cards the input devices delivered (the loop's turn). */
void st_input_turn(struct st_station *st);
/* Whether an SDL key press is the twin of one an input device delivered. */
bool st_input_sdl_twin(struct st_station *st, enum rc_action action, bool repeat, int64_t time_ns);

/* television.c */
int st_tv_open(struct st_station *st);
void st_tv_close(struct st_station *st);
/* Acts on the TV remote's keys (the loop's turn). */
void st_tv_turn(struct st_station *st);
/* After a session's summary: standby when the setting is on and no course
 * follows within the hour. */
void st_tv_session_over(struct st_station *st);
/* The kept setting "tv_standby" ("on"; anything else or none: off). */
bool st_tv_standby_setting(struct st_station *st);

/* station.c */
int64_t st_now_utc(const struct st_station *st);
int64_t st_utc_to_mono(const struct st_station *st, int64_t utc);
void st_set_screen(struct st_station *st, enum ui_screen screen);
/* A message on screen and in the log; msgid English (translated here). */
void st_toast(struct st_station *st, bool error, const char *fmt_msgid, ...)
    __attribute__((format(printf, 3, 4)));
const char *st_tr(const struct st_station *st, const char *msgid);
/* Every action, from a key or the control socket. 0 or -ENOTSUP. */
int st_action(struct st_station *st, enum rc_action action, int64_t time_ns);

/* planner.c */
int st_planner_load(struct st_station *st);
/* Acts on what is due now (pre-tune, start, late start, missed). */
void st_planner_turn(struct st_station *st, int64_t now_utc);
/* The schedule's next moment, or the next write of DATA_DIR/kiosk.alive. */
int64_t st_planner_next_wakeup_utc(const struct st_station *st, int64_t now_utc);
void st_planner_refresh_home(struct st_station *st, int64_t now_utc);
/* The next course that has not begun yet (for the county's status row). */
void st_planner_next_course_title(struct st_station *st, char *title, size_t size);
void st_planner_refresh_month(struct st_station *st);
bool st_planner_handled(const struct st_station *st, int64_t entry_id, int64_t start_utc);
void st_planner_mark(struct st_station *st, int64_t entry_id, int64_t start_utc);

/* course.c */
int st_course_pretune(struct st_station *st, const struct sch_occurrence *occ);
/* resume_id: the session a crash or power cut interrupted in this slot
 * (NULL: none), resumed rather than a new one opened. */
int st_course_start(struct st_station *st, const struct sch_occurrence *occ, int64_t late_by_s,
                    bool late, const char *resume_id);
/* Player work, signal, slot end; returns the player's picture wait (-1 none). */
int64_t st_course_turn(struct st_station *st, int64_t now_ns, int64_t now_utc);
int64_t st_course_deadline_ns(const struct st_station *st, int64_t now_ns);
/* The slot is over (or STOP): playback stops, SUMMARY shows. */
void st_course_end(struct st_station *st);
/* The picture handed to the ui this turn was flipped: counts it, offers it
 * to the session's snapshots. */
void st_course_presented(struct st_station *st);
/* SUMMARY done: feedback stored, session closed, HOME. */
void st_course_finish(struct st_station *st);
/* Shutdown or failure: everything closed as interrupted. */
void st_course_abort(struct st_station *st);
int64_t st_course_played_s(const struct st_course *c, int64_t now_ns);
void st_course_set_paused(struct st_station *st, bool paused);

/* course_zap.c */
/* CH+ (step 1) / CH- (-1) while a course plays: the next or previous service
 * with pictures on the same stream, named on screen, noted in the record.
 * 0, or -ENOTSUP (no course playing, no other service), -EAGAIN. */
int st_course_zap(struct st_station *st, int step);
/* The service playing: the one changed to, else the scheduled one, else the
 * player's choice; -1 unknown. */
int st_course_service(const struct st_course *c);

/* rollcall.c */
int st_roster_load(struct st_station *st);
void st_roster_reset(struct st_station *st);
/* A resumed session: who the record has present (and the guests, and the
 * played time so far) shows again after the restart. */
void st_roster_restore(struct st_station *st);
void st_roster_free(struct st_roster *r);
int st_roster_action(struct st_station *st, enum rc_action action, int64_t time_ns);
/* A card reader's number (kiosk/input), whatever screen shows: checked in. */
void st_roster_card(struct st_station *st, const char *card);
int st_roster_present_count(const struct st_roster *r);
void st_roster_view(const struct st_station *st, struct ui_roster *out, struct ui_member *cards);
enum ui_category st_category(enum rec_category c);

/* screens.c */
int st_screen_action(struct st_station *st, enum rc_action action, int64_t time_ns);
int st_screen_show(struct st_station *st, int64_t now_ns);
int64_t st_screen_deadline_ns(struct st_station *st);
void st_screen_timeouts(struct st_station *st, int64_t now_ns);

/* control.c */
void st_control_status(void *opaque, struct sc_json *out);
int st_control_press(void *opaque, enum rc_action action);
int st_control_key(void *opaque, const char *key_name);
void st_control_event(struct st_station *st, const char *name);

/* capture.c */
int st_capture_start(struct st_station *st, const struct sch_occurrence *occ);
void st_capture_turn(struct st_station *st, int64_t now_utc);
int64_t st_capture_deadline_utc(const struct st_station *st);
void st_capture_stop_all(struct st_station *st);
size_t st_capture_titles(const struct st_station *st, const char **titles, size_t max);
/* The first capture's reception for HOME: signal, service and event names
 * (empty when unknown). False when nothing is being captured. */
bool st_capture_reception(const struct st_station *st, enum ui_signal *signal, char *service,
                          size_t service_size, char *event, size_t event_size);

/* clock_scan.c: the broadcast time learned at idle by a scan of the
 * station's live stream, or from a course's player */
int st_clock_scan_create(struct st_clock_scan **out);
void st_clock_scan_destroy(struct st_station *st); /* stops the scan; st->clock.scan NULL */
/* Starts, looks at (at most every second) or stops the scan. */
void st_clock_scan_turn(struct st_station *st, int64_t now_ns);
int64_t st_clock_scan_deadline_ns(const struct st_station *st);
/* Stops the scan before something else opens the station's stream. */
void st_clock_scan_release(struct st_station *st);
/* Broadcast time as utc - mono (ns) while fresh: 0, or -ENOENT. */
int st_clock_broadcast(struct st_station *st, int64_t *utc_minus_mono_ns);

/* sync.c: the record uploaded to the county server (DATA_DIR/county.conninfo)
 * by a worker thread of its own (cty_sync blocks on the network); the loop
 * hands it a request and takes its result after a wakeup (ui_wakeup). */
enum st_sync_state { ST_SYNC_OFF, ST_SYNC_IDLE, ST_SYNC_SYNCING, ST_SYNC_RETRYING, ST_SYNC_ERROR };
struct st_sync_view {
    enum st_sync_state state;
    char server[256];    /* the conninfo without its password, "" off */
    int64_t last_ok_utc; /* 0: never */
    int64_t pending;     /* events the county has not acknowledged (as far as known) */
    char message[256];   /* the last failure, "" none */
    int error;           /* its code (kiosk/county's CTY_E* or -errno), 0 none */
};
int st_sync_create(struct st_station *st); /* reads county.conninfo; starts the worker */
/* Stops the worker: a sync in progress gets ST_SYNC_STOP_WAIT_MS to end,
 * else it is left to finish on its own (it owns everything it touches). */
void st_sync_destroy(struct st_station *st);
/* county.conninfo changed (the menu, or `studycast record settings`): read
 * again; a new server syncs at once, none stops syncing. */
void st_sync_reload(struct st_station *st);
void st_sync_kick(struct st_station *st); /* sync soon: a session closed */
void st_sync_turn(struct st_station *st, int64_t now_ns);
int64_t st_sync_deadline_ns(const struct st_station *st);
void st_sync_view(const struct st_station *st, struct st_sync_view *out);
const char *st_sync_state_name(enum st_sync_state state);
void st_sync_status(struct st_station *st, struct sc_json *j); /* ctl status: "sync" */
/* county_conninfo.c: one key=value pair of a conninfo at *cursor (advanced):
 * 1 found, 0 the end, -EINVAL malformed or too long. */
int st_conninfo_pair(const char **cursor, char *key, size_t key_size, char *value,
                     size_t value_size);

/* demo.c */
/* True when the station has no configuration: no schedule entry and no tuner. */
bool st_demo_wanted(const char *data_dir, struct sc_log *log);
/* Prepares the demo data dir (roster, a schedule starting a minute from now). */
int st_demo_prepare(struct st_station *st);
const char *st_demo_stream_path(void);

/* watchdog.c */
void st_watchdog_init(struct st_station *st);
/* READY=1: the home screen is shown (the unit's start-up is over). */
void st_watchdog_ready(struct st_station *st);
/* Every turn: WATCHDOG=1 when half the interval has passed, STATUS= when the
 * screen or the course changed. */
void st_watchdog_turn(struct st_station *st, int64_t now_ns);
/* When the loop must turn again to keep the watchdog fed (INT64_MAX: never). */
int64_t st_watchdog_deadline_ns(const struct st_station *st);
void st_watchdog_stopping(struct st_station *st);

#endif
