/* record: the station's study record, an append-only, hash-chained event log
 * in one SQLite file under the data directory. Sessions, attendance, the
 * roster, settings and totals are all derived from the events; nothing else
 * in studycast runs SQL.
 *
 * Durability: events are committed with synchronous=FULL in WAL mode by a
 * writer thread of the handle's own, so that a slow fsync (hundreds of ms on
 * a cheap SD card) never stalls the thread that presents the picture. An
 * event is durable (survives a power cut) once committed, never before:
 *  - The calls made while a course plays only queue their event and return
 *    at once: rec_session_playback, _signal, _signal_lost_since, _check_in,
 *    _check_out, _guests, _feedback, _heartbeat, _tick, and rec_note. The
 *    event's time is the call's. Validation that reads the record (unknown
 *    members: -ENOENT, bad arguments) is done in the call, as before.
 *  - The calls that begin or end something wait until their events are
 *    committed: rec_session_open (its check-ins in one commit),
 *    rec_session_resume, rec_session_close (everything queued first),
 *    rec_setting_set, rec_members_import, rec_close (everything queued).
 *  - rec_last_recorded_seq() and rec_durability() say what is durable;
 *    rec_flush() waits for everything queued.
 *  - A crash or power cut loses what was queued and not yet committed: at
 *    most what the calls of one commit's duration queued. Heartbeats are
 *    queued every heartbeat interval, so recovery closes a session at most
 *    one heartbeat interval plus one commit's duration before the cut, as
 *    when each call waited for its own fsync. (While the disk refuses
 *    writes, nothing since it began is durable, as before.)
 *  - Failures of queued events (-ENOSPC full disk, -EROFS read-only, -EIO)
 *    reach the caller through the next queuing call, rec_session_tick (on
 *    the loop turn after the failure) or rec_flush; each is returned once.
 *    While writing fails, the session's queuing calls (check-ins, outages,
 *    heartbeats ...) still queue their event and return that code: the
 *    caller tells the user and does not call again. rec_note returns it
 *    and queues nothing. The heartbeat is queued every interval and finds
 *    out when writing works again (tick returns 1 again). Queued events a
 *    full or read-only disk refused are kept (up to 4096) and retried
 *    first, in order, with the next commit (the next heartbeat at the
 *    latest), keeping their times; they are lost only in a crash, or if
 *    writing still fails at rec_close. A call that waits is told its own
 *    event failed and it is not retried.
 *
 * Threads: a struct rec and the sessions made from it belong to one thread
 * (the kiosk's core loop, or the main thread of `play --session`); they are
 * not thread-safe. The handle runs one writer thread of its own (none for a
 * read_only handle) with its own database connection; it only inserts
 * queued events. Different processes may open the same data dir: SQLite
 * serialises writers, and a lock file tells whether a session is live.
 *
 * Errors: functions return 0 (or a count) or a negative code: -errno for
 * system conditions (-ENOSPC full disk, -EROFS read-only, -EACCES, -ENOENT,
 * -EBUSY, -ENOMEM, -EINVAL) or one of the REC_E* codes below. rec_strerror()
 * names any of them. Failures are also logged on the handle's log.
 *
 * How the player (`play --session TITLE --members 001,002`) and the kiosk
 * use it, all from the thread that runs the core loop (never from decoder,
 * reader or audio threads: forward their callbacks to the loop first; the
 * calls while playing only queue, open and close wait for a commit, ~4 ms on
 * the build machine, 300 ms on a slow card):
 *   rec_open(&opts, log, &rec)     at start-up, before playing: this is what
 *                                  closes a session a crash or power cut left
 *                                  open (opts.data_dir from --data-dir)
 *   rec_session_open(rec, TITLE, members, n, &s)
 *                                  when the session begins; the members are
 *                                  present from now (unknown numbers: -ENOENT,
 *                                  say so and stop; another live session in
 *                                  the data dir: -EBUSY)
 *   rec_session_signal(s, false)   right after, if the source is already down
 *   rec_session_playback(s, REC_PLAYBACK_STARTED)  first frame presented
 *       PAUSED / RESUMED           when the viewer pauses and resumes
 *       STOPPED                    end of the course or the viewer quits
 *   rec_session_signal(s, false) / (s, true)       the demux reports an outage
 *                                  (no packets) and its end
 *   rec_session_tick(s)            on every loop turn; the loop's sleep must
 *                                  end by rec_session_next_tick_ns(s) (CLOCK_
 *                                  MONOTONIC), so a heartbeat is durable at
 *                                  least every heartbeat interval
 *   rec_session_resume(rec, ID, SLOT_END, &s)  (the kiosk) instead of open,
 *                                  when the course a crash or power cut
 *                                  interrupted (its session closed as
 *                                  interrupted) starts again within its slot
 *   rec_session_close(s, REC_CLOSE_COMPLETE)  course ended or the viewer quit
 *                                  (the played time tells how much was seen);
 *                                  REC_CLOSE_INTERRUPTED if playback failed
 *   rec_close(rec)
 * A failing call (-ENOSPC full disk, -EROFS read-only) must not stop
 * playback: show the message on screen and keep playing; the heartbeat
 * retries at the next interval and whatever was recorded stays valid.
 * The kiosk later adds rec_session_check_in/out (card or remote), guests,
 * feedback, rec_setting_set (settings screen) and rec_note (schedule events:
 * "schedule_planned", "course_cancelled" ...). */
#ifndef STUDYCAST_RECORD_H
#define STUDYCAST_RECORD_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Module-specific error codes (below every -errno value). */
enum {
    REC_ECORRUPT = -4001, /* integrity_check failed or the file is not a record */
    REC_ECHAIN = -4002,   /* an event's hash or sequence does not chain */
    REC_ESCHEMA = -4003,  /* written by a newer studycast (schema too new) */
    REC_ESTATE = -4004,   /* call not valid now (e.g. session already closed) */
    REC_EROSTER = -4005,  /* roster file has bad rows (nothing imported) */
    REC_ETAMPER = -4006,  /* an export failed verification */
    REC_EREMOVES = -4007, /* a roster import would remove members (nothing imported) */
};
const char *rec_strerror(int code);

/* Where an event's UTC time came from. */
enum rec_clock_source { REC_CLOCK_SYSTEM = 0, REC_CLOCK_NTP, REC_CLOCK_BROADCAST };
const char *rec_clock_source_name(enum rec_clock_source source);

/* One reading of the clocks: CLOCK_MONOTONIC for durations, UTC for dates. */
struct rec_clock_reading {
    int64_t mono_ns;
    int64_t utc_ns;
    enum rec_clock_source source;
};
/* A clock the record reads for every event; tests inject one. Returns 0. */
typedef int (*rec_clock_fn)(void *ctx, struct rec_clock_reading *out);

#define REC_DEFAULT_DATA_DIR      "/var/lib/studycast"
#define REC_HEARTBEAT_DEFAULT_MS  10000
#define REC_HEARTBEAT_MAX_MS      10000
#define REC_REQUIRED_MINUTES_EACH 120

struct rec_options {
    const char *data_dir; /* NULL: REC_DEFAULT_DATA_DIR; made 0750 if missing */
    int heartbeat_ms;     /* 0: default; clamped to 1..REC_HEARTBEAT_MAX_MS */
    bool no_sync;         /* synchronous=OFF: only for the benchmark's comparison */
    rec_clock_fn clock;   /* NULL: the system clocks (source ntp when synced) */
    void *clock_ctx;
    const char *boot_id; /* NULL: /proc/sys/kernel/random/boot_id */
    /* Reading only (reports, exports elsewhere, checks, listings): the
     * existing record is opened read-only and nothing is written in data_dir:
     * no session lock, no migration, no closing of an interrupted session
     * (it derives as still open), no key files. Works on a read-only or full
     * disk. A record that does not exist yet: -ENOENT. Every recording call
     * on such a handle fails with -EROFS. */
    bool read_only;
};

struct rec;

/* Opens (creating on first start: data dir, database, station id, key pair)
 * the record and brings the schema up to date. If no live process holds a
 * session, closes any session left open as interrupted at its last durable
 * event (at most one heartbeat interval after it was cut). `log` is not owned
 * and must outlive the handle. Returns 0 and sets *out, or a negative code
 * (-EROFS, -ENOSPC, -EACCES, REC_ECORRUPT, REC_ESCHEMA ...). Opening does not
 * walk the whole chain (a year takes ~2 s): call rec_check() for that, e.g.
 * once at kiosk start-up and in `studycast record check`. */
int rec_open(const struct rec_options *options, struct sc_log *log, struct rec **out);
/* For commands that only read (reports, exports, checks, listings): where
 * the data dir can be written, a normal rec_open, so an interrupted session
 * is closed and reported as interrupted, as it always was; on a read-only or
 * full disk (or when the normal open fails for that reason), the read-only
 * open (options->read_only is ignored). */
int rec_open_for_reading(const struct rec_options *options, struct sc_log *log, struct rec **out);
void rec_close(struct rec *rec); /* accepts NULL */

/* The UTC source for events from now on: the kiosk calls this with
 * REC_CLOCK_BROADCAST and the offset utc - CLOCK_MONOTONIC (ns) once the
 * stream's TDT/TOT is known. Ignored when a test clock is installed. */
void rec_set_clock(struct rec *rec, enum rec_clock_source source, int64_t utc_minus_mono_ns);

/* PRAGMA integrity_check plus a walk of the whole hash chain. 0 if sound. */
int rec_check(struct rec *rec);

/* The first event at which a chain check failed. */
struct rec_chain_fault {
    int64_t seq;       /* 0: the chain held */
    char type[48];     /* that event's type as stored, unprintable bytes as '?';
                          "" when the event is missing */
    char message[256]; /* one line for people, e.g. "the study record has been
                          altered: event 17 (member_checked_out) does not match
                          its hash" */
};
/* Walks the whole hash chain (no integrity_check: ~0.1 s for a busy year):
 * each event's columns must have the storage class the derivations compare
 * (text, integer, 32-byte blob; session text or NULL) without NUL bytes, the
 * sequence must have no gap, and each hash must match and link. Returns 0,
 * REC_ECHAIN with *fault set (fault may be NULL), or another negative code.
 * rec_report_json and rec_export run it first. */
int rec_check_chain(struct rec *rec, struct rec_chain_fault *fault);
/* The result of this handle's last chain check (rec_check, rec_check_chain,
 * rec_report_json, rec_export); seq 0 if it held or none ran. */
const struct rec_chain_fault *rec_chain_fault(const struct rec *rec);
/* Number of events recorded so far (the last sequence number). */
int64_t rec_last_seq(struct rec *rec);

/* ---- settings (each change is a `settings_changed` event) ---------------- */

/* Known keys: "station_name", "station_type" (village|township),
 * "utc_offset" (+08:00: the station's local time for months and dates),
 * the kiosk's "volume" (0-100), "language" (zh_CN|en), "clock_source"
 * (auto: broadcast time when the stream has it | system), "source" (the
 * station's stream: a URL or an absolute path), "service" (1-65535) and
 * "county_server" (the county's database without the password, "" none; a
 * value holding "password" is refused: the record is shown to inspectors).
 * "tv_standby" (on|off: the TV to standby over HDMI-CEC after the last course).
 * "station_id" is made on first start and cannot be changed. */
int rec_setting_set(struct rec *rec, const char *key, const char *value);
/* Copies the current value into buf; -ENOENT if never set. */
int rec_setting_get(struct rec *rec, const char *key, char *buf, size_t size);
/* The station's Ed25519 public key as 64 hex digits plus NUL. */
int rec_station_public_key_hex(struct rec *rec, char out[65]);

/* ---- a study session --------------------------------------------------- */

enum rec_playback {
    REC_PLAYBACK_STARTED,
    REC_PLAYBACK_PAUSED,
    REC_PLAYBACK_RESUMED,
    REC_PLAYBACK_STOPPED
};
enum rec_close_status { REC_CLOSE_COMPLETE, REC_CLOSE_INTERRUPTED };

struct rec_session;

#define REC_COURSE_MAX 400 /* bytes of a session's course title; longer: -EINVAL */

/* Opens a session of `course` (UTF-8) and checks in the `n_members` members
 * (roster numbers; unknown numbers are rejected with -ENOENT) as present from
 * now. At most one session is open per data dir: -EBUSY if another process
 * records one. The session belongs to `rec`, which must outlive it. */
int rec_session_open(struct rec *rec, const char *course, const char *const *members,
                     size_t n_members, struct rec_session **out);
/* Resumes session `id` after a crash or power cut cut it while its slot
 * runs: the session must have been closed as interrupted (rec_open's
 * recovery does that; this call recovers first if needed) and now must be
 * before until_utc (UTC seconds, the slot's end). Records `session_resumed`
 * in the same session: the time since its last durable event is an
 * interruption, neither played nor credited, and the members checked in at
 * the cut stay present. A session whose close was complete, or a slot that
 * is over: REC_ESTATE (open a new session instead); an unknown id: -ENOENT;
 * another live session: -EBUSY. */
int rec_session_resume(struct rec *rec, const char *id, int64_t until_utc,
                       struct rec_session **out);
/* The session's UUID (also the xAPI registration), 36 chars plus NUL. */
const char *rec_session_id(const struct rec_session *s);

int rec_session_playback(struct rec_session *s, enum rec_playback what);
int rec_session_signal(struct rec_session *s, bool present); /* false: outage */
/* An outage noticed after the fact (a receiver declares one only after some
 * seconds without data): lost since since_mono_ns, CLOCK_MONOTONIC of the
 * last data, at most REC_BACKDATE_MAX_S before now (earlier is taken as that
 * limit). The event is recorded now with {"since_mono_ns"}; derivations
 * credit nothing from that instant on. */
#define REC_BACKDATE_MAX_S 60
int rec_session_signal_lost_since(struct rec_session *s, int64_t since_mono_ns);
int rec_session_check_in(struct rec_session *s, const char *member);
int rec_session_check_out(struct rec_session *s, const char *member);
int rec_session_guests(struct rec_session *s, int count);
/* member may be NULL (anonymous); rating 1..5 or 0 for none; text may be NULL. */
int rec_session_feedback(struct rec_session *s, const char *member, int rating, const char *text);
/* Queues a heartbeat now, whether due or not (also while writing fails). */
int rec_session_heartbeat(struct rec_session *s);
/* Queues a heartbeat if one is due (call it from the loop at least as often
 * as rec_session_next_tick_ns() asks). Returns 1 if it queued one and writing
 * works, 0 if none was due, or a negative code: writing fails (when due), or
 * a queued event failed since the last report (any turn). */
int rec_session_tick(struct rec_session *s);
/* CLOCK_MONOTONIC time (ns) at which the next heartbeat is due. */
int64_t rec_session_next_tick_ns(const struct rec_session *s);
/* Records `session_closed`, waits until it and everything queued before it
 * is committed, and frees the session (also on error; then the next rec_open
 * closes it as interrupted). Returns 0 or the first failure not yet
 * reported (of the close or of an earlier queued event). Accepts NULL. */
int rec_session_close(struct rec_session *s, enum rec_close_status status);

/* ---- proof of viewing: snapshots of the presented picture ----------------
 * The kiosk and `play --session` take small JPEG pictures of what the session
 * presented (kiosk/snapshot makes them; the record never decodes them): the
 * first picture, one every 30 minutes, the last before the close. */
struct rec_snapshot_meta {
    const char *kind; /* "first", "periodic" or "last" */
    int width, height;
    double mean_luma;     /* full range 0-255 */
    bool black;           /* mean luma below the black threshold */
    bool frozen;          /* near-identical to the session's previous snapshot */
    double diff_previous; /* mean absolute luma difference to it; < 0: none */
};
/* Stores a snapshot of session s: the bytes go to
 * DATA_DIR/snapshots/<session>/<NNNN>.jpg (0640; file and folders fsynced),
 * then `snapshot_taken` is recorded with the file, its SHA-256 and the
 * analysis, so the chain only ever names a file that exists. Returns 0 or a
 * negative code (-ENOSPC ...: no event, the file is removed). */
int rec_session_snapshot(struct rec_session *s, const void *jpeg, size_t size,
                         const struct rec_snapshot_meta *meta);

struct rec_snapshot {
    char session[37];
    int64_t number;    /* the session's snapshot number, 1, 2 ... */
    int64_t event_seq; /* its snapshot_taken event */
    int64_t utc;       /* seconds */
    char kind[12];
    char sha256[65];
    int width, height;
    int64_t bytes;
    double mean_luma;
    bool black, frozen;
    bool pruned; /* removed after its period's verified export (snapshots_pruned) */
};
/* The snapshots of session `session` (NULL: all), oldest first; free(). */
int rec_snapshots_list(struct rec *rec, const char *session, struct rec_snapshot **out,
                       size_t *count);
/* Reads a snapshot's file and checks it against the SHA-256 in its event:
 * 0 (*data malloc'd), -ENOENT (pruned or missing), REC_ETAMPER (altered). */
int rec_snapshot_read(struct rec *rec, const struct rec_snapshot *snapshot, void **data,
                      size_t *size);
/* Prunes the snapshots of the sessions opened in [from_utc, to_utc) that a
 * verified export holding the events up to upto_seq carried, once that
 * period is over by the record's clock, never before: `snapshots_pruned`
 * (the export names of the files) is recorded first, then the files go.
 * Later exports declare them pruned in their manifest and verify accepts
 * that. rec_export_staged does this itself on a writable handle; a caller
 * that exported through a read-only handle (the menu's worker) calls it
 * afterwards on its writable one with upto_seq = rec_last_seq() taken before
 * that export. Returns 0 (also when nothing is due) or a negative code. */
int rec_snapshots_prune(struct rec *rec, int64_t from_utc, int64_t to_utc, int64_t upto_seq);
/* How the PDF record book turns a snapshot into pixels: 32-bit native ARGB
 * (cairo's ARGB32), scaled to fit max_width, *argb malloc'd. The record does
 * not decode pictures itself (no FFmpeg in kiosk/record); without a decoder
 * the book lists the snapshots without pictures. */
typedef int (*rec_picture_decode_fn)(void *ctx, const void *data, size_t size, int max_width,
                                     uint8_t **argb, int *width, int *height, int *stride);
void rec_set_picture_decoder(struct rec *rec, rec_picture_decode_fn decode, void *ctx);

/* A station event outside sessions (schedule planned, course cancelled ...):
 * `type` is [a-z_]{1,40}, payload_json a JSON object (NULL: {}). Queued,
 * like the session calls made while playing. */
int rec_note(struct rec *rec, const char *type, const char *payload_json);

/* Sequence number of the last durable event as this handle knows it (the
 * record's last when opened, then what it committed): every event up to it
 * is durable (the crash test reports it). Never waits for the writer, unlike
 * rec_last_seq(): the core loop may call it (the sync's pending count). */
int64_t rec_last_recorded_seq(const struct rec *rec);
/* What the writer has done with this handle's events, in the order they were
 * queued (the n-th queuing call is event n): */
struct rec_durability {
    uint64_t queued;  /* events queued so far */
    uint64_t done;    /* of those, committed or failed (1..done) */
    int64_t last_seq; /* the last one committed: rec_last_recorded_seq() */
    int failure;      /* the last commit's failure, 0 if it worked */
};
/* A snapshot; does not wait, takes no failure. */
void rec_durability(const struct rec *rec, struct rec_durability *out);
/* Waits until every event queued so far is committed or has failed.
 * Returns 0, or the first failure not yet returned by another call. */
int rec_flush(struct rec *rec);

/* ---- members ----------------------------------------------------------- */

enum rec_category { REC_PARTY_MEMBER, REC_CADRE, REC_VILLAGER };
const char *rec_category_name(enum rec_category c);     /* party_member ... */
const char *rec_category_label_zh(enum rec_category c); /* 党员 ... */

struct rec_member {
    char *number;
    char *name;
    enum rec_category category;
    char *card; /* NULL if none */
};

/* One bad row of a roster file. */
struct rec_import_problem {
    int line; /* 1-based line of the file where the row starts; 0: whole file */
    char message[160];
};
struct rec_import_result {
    int added, updated, removed, unchanged;
    struct rec_import_problem *problems; /* malloc'd; free with rec_import_result_free */
    size_t n_problems;
    /* the members missing from the file (removed, or that would be): number
     * and name; malloc'd, freed with the result */
    struct rec_member *removals;
    size_t n_removals;
};
/* Import flags. */
enum { REC_IMPORT_REPLACE = 1 /* members missing from the file may be removed */ };
/* Imports a roster CSV (UTF-8 with or without BOM, or GB18030; header
 * number,name,category[,card]) as the full roster in one transaction: rows
 * are added or updated, members missing from the file are removed (their
 * past attendance stays) -- only with REC_IMPORT_REPLACE: without it an
 * import that would remove members imports nothing and returns REC_EREMOVES
 * with the counts it would have had and the removals listed in result. Any
 * bad row, or a file with no member rows (a header only): nothing is
 * imported, every problem is listed in result and REC_EROSTER is returned. */
int rec_members_import(struct rec *rec, const char *path, unsigned flags,
                       struct rec_import_result *result);
void rec_import_result_free(struct rec_import_result *result);

/* The current roster sorted by number; free with rec_members_free. */
int rec_members_list(struct rec *rec, struct rec_member **members, size_t *count);
void rec_members_free(struct rec_member *members, size_t count);

/* ---- derived sessions and reports ---------------------------------------- */

struct rec_attendance {
    char *member;
    int64_t seconds; /* overlap of presence with effective playback */
    bool present;    /* still checked in (at the close, or now if open) */
};
/* A cut the session was resumed after: from its last durable event before
 * the cut to the session_resumed event; not played, not credited. */
struct rec_interruption {
    int64_t from_utc, to_utc; /* seconds */
    int64_t resumed_seq;      /* the session_resumed event */
};
struct rec_session_summary {
    char id[37];
    char *course;
    int64_t start_utc;      /* seconds, from the opening event */
    int64_t end_utc;        /* start (or last resume) + monotonic duration since */
    int64_t played_seconds; /* playing, not paused, signal present */
    bool interrupted;       /* closed as interrupted (and not resumed since) */
    bool open;              /* still running (a live session) */
    int guests;
    int64_t close_seq;       /* the session_closed event (0 if open) */
    char close_hash_hex[65]; /* its hash: seeds the xAPI statement ids */
    struct rec_attendance *attendance;
    size_t n_attendance;
    struct rec_interruption *interruptions; /* resumed ones, in order */
    size_t n_interruptions;
};

/* Derives every session whose start (station local time) lies in
 * [from_utc, to_utc). Free with rec_sessions_free. */
int rec_sessions(struct rec *rec, int64_t from_utc, int64_t to_utc,
                 struct rec_session_summary **sessions, size_t *count);
void rec_sessions_free(struct rec_session_summary *sessions, size_t count);

/* A reporting period in station local time. */
struct rec_period {
    char label[16]; /* 2026-11, 2026-Q4, 2026-H2 */
    int year, first_month, n_months;
    int64_t from_utc, to_utc;
};
/* Parses "YYYY-MM" (kind 'm'), "YYYY-Qn" ('q') or "YYYY-Hn" ('h') using the
 * station's utc_offset. */
int rec_period_parse(struct rec *rec, char kind, const char *text, struct rec_period *out);
/* Station local offset from UTC in seconds. */
int rec_utc_offset_seconds(struct rec *rec);
/* UTC second at which local month `month` (1-12; 13 = January of the next
 * year) of `year` begins. */
int64_t rec_local_month_start(int year, int month, int offset_seconds);
/* Formats UTC seconds in station local time: "2026-11-28 14:05". */
void rec_format_local(int64_t utc, int offset_seconds, char *buf, size_t size);

/* Writes the report for the period as one JSON object: record_check (the
 * whole chain's check: {"ok": true} or ok false with first_bad_seq, type and
 * message), sessions, members, requirement (see docs in cmd_record.c). An
 * altered chain still gives the report (0): rec_chain_fault() tells. */
int rec_report_json(struct rec *rec, const struct rec_period *period, struct sc_buf *out);

/* Whether a month met the station's requirement. */
struct rec_requirement {
    char station_type[16];
    int sessions_required, sessions_held, minutes_required_each;
    bool met;
};
int rec_requirement_for(struct rec *rec, const struct rec_session_summary *sessions, size_t count,
                        struct rec_requirement *out);

/* ---- a record built from event rows (the county's copy) --------------------- */

struct rec_chain_event;
/* Builds a record in memory from a station's events stored elsewhere (the
 * county's rows, seq 1 on, in seq order), inserted verbatim, and walks its
 * chain as rec_check_chain does. rec_sessions, rec_period_parse,
 * rec_requirement_for, rec_members_list, rec_report_json ... then give
 * exactly what the station's own record gives for the same events: one
 * derivation, not two. Recording calls and exports are refused (-EROFS).
 * Returns 0; REC_ECHAIN with *out still set when the rows do not chain or
 * one is not a valid event (the copy stops there): rec_chain_fault() names
 * it, and the figures are those of the rows as they are; or another negative
 * code (*out NULL). Free with rec_close. Any thread (the handle is its own). */
int rec_open_events(const struct rec_chain_event *events, size_t n, struct sc_log *log,
                    struct rec **out);

/* A CSV text field as the exports write it (RFC 4180 quoting; a field
 * starting with = + - @, a tab or a CR gets a single quote in front so that
 * a spreadsheet shows it as text rather than running it); last ends the row
 * with CRLF. */
void rec_csv_cell(struct sc_buf *out, const char *text, bool last);

/* ---- A4 sheets in Chinese (the record book; the county's sheet) ------------ */

#define REC_PDF_PAGE_W 595.0 /* A4 in points */
#define REC_PDF_PAGE_H 842.0
#define REC_PDF_MARGIN 48.0
enum rec_align { REC_ALIGN_LEFT, REC_ALIGN_CENTER, REC_ALIGN_RIGHT };
struct rec_pdf;
/* Starts a document (first page open, black ink). -ENOENT when no Chinese
 * font is installed (fonts-noto-cjk; logged), -ENOMEM. */
int rec_pdf_begin(struct sc_log *log, struct rec_pdf **out);
void rec_pdf_font(struct rec_pdf *p, double size, bool bold);
/* Text with its top left at x, y; width > 0 cuts it with an ellipsis. */
void rec_pdf_text(struct rec_pdf *p, double x, double y, double width, const char *text,
                  enum rec_align align);
void rec_pdf_color(struct rec_pdf *p, double r, double g, double b);
void rec_pdf_fill_rect(struct rec_pdf *p, double x, double y, double w, double h);
void rec_pdf_line(struct rec_pdf *p, double x0, double y0, double x1, double y1, double width);
void rec_pdf_new_page(struct rec_pdf *p);
/* Finishes the document, appends its bytes to out and frees p. */
int rec_pdf_end(struct rec_pdf *p, struct sc_log *log, struct sc_buf *out);

/* ---- export and verification ------------------------------------------- */

enum { REC_EXPORT_CSV = 1, REC_EXPORT_XAPI = 2, REC_EXPORT_PDF = 4, REC_EXPORT_ALL = 7 };

/* An export is written into a staging folder NAME.incomplete beside NAME (a
 * folder the export creates itself), verified with the station's own key,
 * and only then put in place: renamed to NAME, or exchanged with a previous
 * export at NAME, which is then removed. A failure at any point removes the
 * staging folder and leaves what was at NAME untouched. The target is
 * treated as hostile (a USB stick): every name is opened relative to the
 * parent folder with O_NOFOLLOW, NAME being a symbolic link is refused
 * (-ELOOP), NAME holding anything but an export's regular files is refused
 * (-EEXIST), and nothing is ever removed but an export's own regular files
 * in a real folder. A NAME that is a mount point (a stick's root) cannot be
 * renamed: the staging folder is then NAME/.studycast-staging and the
 * verified files are moved into NAME. Before anything is written the whole
 * chain is checked: an altered record is refused with REC_ECHAIN and nothing
 * is created (rec_chain_fault() names the event; docs/record.md). */
#define REC_EXPORT_STAGING_SUFFIX ".incomplete"

enum rec_export_stage { REC_STAGE_WRITING, REC_STAGE_VERIFYING, REC_STAGE_PLACING };

/* Verification callback: one line per problem found. */
typedef void (*rec_problem_fn)(void *ctx, const char *message);

struct rec_export_request {
    int parent_fd;            /* the folder that receives the export (a stick's root):
                               * not owned, open for the whole call */
    const char *name;         /* the export folder's name in it: one component */
    const char *label;        /* how messages name the export (a path); NULL: name */
    int64_t from_utc, to_utc; /* sessions starting in [from, to); INT64_MIN/MAX: all */
    int formats;              /* REC_EXPORT_* */
    /* Optional, all called on the calling thread with ctx: */
    void (*stage)(void *ctx, enum rec_export_stage stage); /* progress */
    /* Asked just before the export is put in place: whether parent_fd is
     * still where the caller found it (the stick was not pulled out). If
     * not, the call fails with -ENODEV and leaves the staging folder as it
     * is (its name says it is unfinished). */
    bool (*still_there)(void *ctx);
    rec_problem_fn problem; /* each verification problem; NULL: logged */
    void *ctx;
};

/* Exports the formats chosen for the request's period, plus the event
 * chain, the station's public key and the signed manifest, as described
 * above. Every file and folder is fsynced; the database is only read.
 * Call on the thread that owns rec (the menu's worker opens its own handle).
 * Returns 0 or a negative code (-ENOSPC, -EROFS, -ELOOP, -EEXIST, -ENODEV,
 * REC_ETAMPER ... with a logged message naming the file). */
int rec_export_staged(struct rec *rec, const struct rec_export_request *request);
/* The same into the folder at path `dir` (made if missing; its parent must
 * exist), as `studycast record export --out DIR` does. Links in dir's parent
 * path are followed (the caller's own path); dir itself must not be one. */
int rec_export(struct rec *rec, const char *dir, int64_t from_utc, int64_t to_utc, int formats);
/* Removes the folder `name` in parent_fd only if an export made it: a real
 * folder (not a link) holding only an export's regular files. Returns 0 if
 * removed or absent; -ENOTDIR (a link or not a folder) or -EEXIST (other
 * files in it), having removed nothing; or another -errno. Any thread. */
int rec_export_remove(int parent_fd, const char *name);

/* Checks an export directory: manifest signature (against expected_key_hex
 * when given, else the station.pub carried in the export), each file's
 * size and SHA-256, missing and extra files, and the event chain. Files are
 * read relative to the folder with O_NOFOLLOW: a link or anything but a
 * regular file in an export is a problem, never followed. Returns 0 if
 * everything holds, REC_ETAMPER if anything is wrong (each problem passed
 * to `problem`), or another negative code if dir cannot be read. Needs no
 * record handle: any thread. dir itself is opened as given (links followed). */
int rec_verify_export(const char *dir, const char *expected_key_hex, rec_problem_fn problem,
                      void *ctx);
/* The same for a folder the caller holds open (dirfd, not owned). */
int rec_verify_export_at(int dirfd, const char *expected_key_hex, rec_problem_fn problem,
                         void *ctx);

/* ---- the event chain for the county (sync, import, verify) ----------------- */

/* One event as the chain hashes it; strings are borrowed. */
struct rec_chain_event {
    int64_t seq;
    const char *type;
    int64_t utc_ns;
    const char *clock_source;
    int64_t mono_ns;
    const char *boot_id;
    const char *session; /* NULL or "": none */
    const char *payload;
    unsigned char prev_hash[32];
    unsigned char hash[32];
};
/* The hash the chain gives the event: its fields and prev_hash (docs/record.md). */
void rec_chain_event_hash(const struct rec_chain_event *event, unsigned char out[32]);
/* Appends the event's line of events.tsv, as `record export` writes it. */
void rec_chain_event_tsv(const struct rec_chain_event *event, struct sc_buf *out);
/* The first line of events.tsv. */
#define REC_EVENTS_TSV_HEADER                                                                      \
    "# studycast event chain v1: seq type utc_ns clock_source mono_ns boot_id session payload "    \
    "prev_hash hash\n"
/* Parses one line of events.tsv (without its newline; changed in place: the
 * strings point into it). 0 or -EINVAL. */
int rec_chain_event_parse_tsv(char *line, struct rec_chain_event *event);
/* Calls fn for each stored event with from_seq <= seq <= to_seq, in seq
 * order, as stored (no check: rec_check_chain does that). Stops at fn's
 * first non-zero return and returns it; else 0 or a negative code. */
typedef int (*rec_chain_event_fn)(void *ctx, const struct rec_chain_event *event);
int rec_events_read(struct rec *rec, int64_t from_seq, int64_t to_seq, rec_chain_event_fn fn,
                    void *ctx);
/* Signs bytes with the station's Ed25519 secret key (64-byte signature).
 * -ENOENT when the handle has no secret key. */
int rec_station_sign(struct rec *rec, const void *bytes, size_t len, unsigned char sig[64]);
/* The station's Ed25519 public key (32 bytes). */
void rec_station_public_key(const struct rec *rec, unsigned char out[32]);

#endif
