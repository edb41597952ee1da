/* schedule: the station's course plan. Entries live in their own SQLite file
 * (schedule.db in the data dir, WAL, versioned schema); the queries that
 * the kiosk's core loop and the administrator's menu need (occurrences in a
 * range, the next course, what is due now, conflicts) are pure functions over
 * an array of entries, so the core loop loads the list once after each change
 * and never runs SQL on its hot path. The course library (broadcasts captured
 * by "capture" entries) is a directory whose file names this module defines.
 *
 * Time. The station runs on local wall-clock time (China: UTC+8, no DST).
 * An entry stores the instant the administrator entered (start_utc) and the
 * station's UTC offset at that moment (utc_offset_s); together they give the
 * wall-clock date and time meant ("2026-12-01 19:30"). A start written with
 * another zone ("19:30Z") names an instant: it is stored with the station's
 * offset all the same (as 03:30 the next day at +08:00), never with the zone
 * written, or the course would move by the difference. Occurrences are
 * expanded in local time: a daily course at 19:30 is at 19:30 local on every
 * day. Every query takes the station's current offset (from the broadcast TOT
 * or the system time zone) to turn local occurrences back into instants, so if
 * the station's offset is later corrected, courses stay at the wall-clock
 * time that was planned. All instants are Unix seconds (UTC).
 *
 * Threads: a struct sch_db (the database) is used by one thread at a
 * time. The query functions are pure and reentrant.
 *
 * How the kiosk's core loop uses it: open once; sch_db_list() into its
 * own array (again whenever sch_db_changed_elsewhere() says the CLI or
 * another process changed the file, and after the menu saved); keep a
 * struct sch_query with the current offset and a resolve_end callback
 * into the guide; on every turn call sch_due(since = its last turn's
 * time, now) and act on PRETUNE (tune, show the signal), START/LATE (start
 * the course and the session, logging late_by_s), MISSED (log it), skipping
 * occurrences (entry id + start) it already handled; then sleep until
 * sch_next_wakeup() or its own deadlines. Capture entries write to
 * sch_library_capture_path(..WRITING..) and call
 * sch_library_finish_capture(); replay entries play what
 * sch_library_find_newest() returns. The menu checks a new or edited entry
 * with sch_entry_validate(), sch_check_references() and
 * sch_conflicts() before sch_db_add()/update(). */
#ifndef STUDYCAST_KIOSK_SCHEDULE_H
#define STUDYCAST_KIOSK_SCHEDULE_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCH_TITLE_MAX    256  /* bytes of UTF-8, NUL included */
#define SCH_LOCATION_MAX 1024 /* URL, file path or stream, NUL included */
#define SCH_MAX_MINUTES  (24 * 60)

enum sch_kind {
    SCH_LIVE,    /* play a broadcast or stream at broadcast time */
    SCH_CAPTURE, /* write a broadcast to the course library at broadcast time */
    SCH_REPLAY,  /* play a captured course from the library at study time */
};

enum sch_source_type {
    SCH_SOURCE_SERVICE, /* "service:N" or "service:N@STREAM-URL" */
    SCH_SOURCE_URL,     /* "udp://...", "rtp://...", "http(s)://..." */
    SCH_SOURCE_FILE,    /* "file:NAME" (in the course library) or "/abs/path" */
    SCH_SOURCE_CAPTURE, /* "capture:ID": the newest capture made by capture entry ID */
};

struct sch_source {
    enum sch_source_type type;
    int service_id;                  /* SERVICE: the service (program) number */
    int64_t capture_entry_id;        /* CAPTURE: the capture entry it plays */
    char location[SCH_LOCATION_MAX]; /* SERVICE: optional stream; URL; FILE */
};

/* Weekday bits: bit 0 Monday .. bit 6 Sunday. 0 means once. */
#define SCH_ONCE  0x00
#define SCH_DAILY 0x7f

struct sch_entry {
    int64_t id; /* assigned by sch_db_add(); 0 for an unsaved entry */
    char title[SCH_TITLE_MAX];
    struct sch_source source;
    int64_t start_utc;    /* first occurrence, as entered */
    int32_t utc_offset_s; /* station offset when entered: start_utc + offset = wall time */
    int duration_min;     /* 1..SCH_MAX_MINUTES; ignored when until_event_end */
    bool until_event_end; /* lasts until the EIT event airing at the start ends */
    uint8_t weekdays;     /* SCH_ONCE, SCH_DAILY or a set of weekday bits */
    enum sch_kind kind;
    bool counts; /* counts toward the monthly requirement */
};

/* Error codes beyond -errno. */
#define SCH_ECONFLICT (-10001) /* sch_db_add refused: conflicts found */
#define SCH_ESCHEMA   (-10002) /* schedule.db is from a newer studycast */

/* ---- text forms (CLI, JSON, menu) ---------------------------------------- */

const char *sch_kind_name(enum sch_kind kind); /* "live", "capture", "replay" */
/* Also reads the names before capture/replay ("record", "recording"): scripts
 * in the field still write them. Returns 0 or -EINVAL. */
int sch_kind_parse(const char *name, enum sch_kind *kind);
/* Parses "daily", "once" or "mon,wed,..." (three-letter English names, any
 * order, no repeats). Returns 0 or -EINVAL. */
int sch_repeat_parse(const char *text, uint8_t *weekdays);
/* Writes "once", "daily" or "mon,wed,fri" into buf (at least 28 bytes). */
void sch_repeat_format(uint8_t weekdays, char *buf, size_t size);
/* Parses a source string (forms above; "recording:ID", the old name of
 * "capture:ID", too). On error returns -EINVAL and puts a reason into err. */
int sch_source_parse(const char *text, struct sch_source *source, char *err, size_t err_size);
/* The canonical string form of a source (what sch_source_parse reads). */
void sch_source_format(const struct sch_source *source, char *buf, size_t size);
/* Formats an instant as local ISO 8601 with its offset: "2026-12-01T19:30:00+08:00". */
void sch_format_local(int64_t utc, int32_t utc_offset_s, char *buf, size_t size);
/* Parses "YYYY-MM-DD" or "YYYY-MM-DDThh:mm[:ss][zone]" ('T' or a space) with
 * the zone "Z", "+hh:mm", "+hhmm" or "+hh" (-14:00 to +14:00; 'T' and 'Z' in
 * either case). A time with a zone is that instant; a time without one, or a
 * date alone (its midnight), is local time at utc_offset_s. *zone (may be
 * NULL) gets the zone written, or utc_offset_s without one. Returns 0, or
 * -EINVAL with a one-line reason in err (may be NULL): a malformed zone is
 * refused, never read as local time. */
int sch_parse_time(const char *text, int32_t utc_offset_s, int64_t *utc, int32_t *zone, char *err,
                   size_t err_size);
/* sch_parse_time without the zone and the reason. */
int sch_parse_local(const char *text, int32_t utc_offset_s, int64_t *utc);
/* The zone written in a time as sch_parse_time reads it ("Z" 0,
 * "+08:00" 28800): 0 and *offset, -ENOENT when the text has no zone, -EINVAL
 * when it does not parse. */
int sch_zone_offset(const char *text, int32_t *offset);
/* A zone alone ("Z", "+08:00", "+0800", "+08"): 0 and *offset, -ERANGE
 * beyond +-14:00, -EINVAL when it does not parse. */
int sch_parse_zone(const char *text, int32_t *offset);
/* Sets entry->start_utc from text (sch_parse_time at the station's
 * offset utc_offset_s) and entry->utc_offset_s to the station's offset. The
 * weekday names of a set are days where the time was written: set
 * entry->weekdays first; when the station's date differs there ("mon
 * 19:30Z" is Tuesday 03:30 at +08:00) the set moves to the station's days,
 * so every occurrence is the instant written plus whole days. Returns 0 or
 * -EINVAL with a reason in err. */
int sch_entry_set_start(struct sch_entry *entry, const char *text, int32_t utc_offset_s, char *err,
                        size_t err_size);
/* Checks an entry (title, source, duration, weekdays, kind/source fit) and
 * returns 0 or -EINVAL with a reason in err (English, for logs and the CLI). */
int sch_entry_validate(const struct sch_entry *entry, char *err, size_t err_size);
/* An entry with the defaults: once, 120 minutes, live, counts. */
void sch_entry_init(struct sch_entry *entry);
/* The default for `counts`: true for live and replay, false for capture. */
bool sch_kind_counts_by_default(enum sch_kind kind);

/* ---- the database --------------------------------------------------------- */

struct sch_db;

/* Opens (creating when needed) DATA_DIR/schedule.db, migrating older schemas.
 * data_dir must exist. log is borrowed (may be NULL). Returns 0, -errno,
 * -EIO (SQLite error, logged) or SCH_ESCHEMA. */
int sch_db_open(const char *data_dir, struct sc_log *log, struct sch_db **out);
void sch_db_close(struct sch_db *schedule); /* accepts NULL */
/* Validates and stores a new entry; sets entry->id. -EINVAL for a bad entry. */
int sch_db_add(struct sch_db *schedule, struct sch_entry *entry);
/* Replaces the entry with entry->id. -ENOENT if there is none. */
int sch_db_update(struct sch_db *schedule, const struct sch_entry *entry);
int sch_db_remove(struct sch_db *schedule, int64_t id); /* -ENOENT if none */
int sch_db_get(struct sch_db *schedule, int64_t id, struct sch_entry *entry);
/* All entries ordered by id into a malloc'd array the caller frees (free()). */
int sch_db_list(struct sch_db *schedule, struct sch_entry **entries, size_t *count);

/* True once after another connection (`studycast schedule add` while the
 * kiosk runs, say) changed the file since the last call (or since open):
 * the core loop then reloads its list. Cheap (PRAGMA data_version); false
 * on error. */
bool sch_db_changed_elsewhere(struct sch_db *schedule);

/* ---- queries over a list of entries --------------------------------------- */

/* Resolves the end of an "until the broadcast event ends" occurrence: the
 * kiosk looks up the EIT event airing on the entry's service at start_utc.
 * Returns 0 and sets *end_utc (> start_utc), or a negative code when the
 * guide does not know (the fallback duration is used then). Called on the
 * thread running the query. */
typedef int (*sch_resolve_end_fn)(void *opaque, const struct sch_entry *entry, int64_t start_utc,
                                  int64_t *end_utc);

struct sch_query {
    int32_t utc_offset_s;           /* the station's offset now */
    sch_resolve_end_fn resolve_end; /* may be NULL */
    void *resolve_opaque;
    int fallback_event_minutes; /* until-event-end when unresolved; 0 means 120 */
    int pretune_lead_s;         /* tune this long before live/capture; <0 means 0, 0 default 120 */
    int late_tolerance_s;       /* started within this after start is "on time"; 0 means 60 */
    int min_remaining_s;        /* a late start needs this much slot left; 0 means 60 */
};
/* A query with the defaults at the given offset. */
void sch_query_init(struct sch_query *query, int32_t utc_offset_s);

struct sch_occurrence {
    const struct sch_entry *entry; /* points into the array queried */
    int64_t start_utc;
    int64_t end_utc;
    bool end_known; /* false: until-event-end not resolved, fallback duration used */
};

/* Occurrences starting in [from_utc, to_utc), sorted by start (then entry
 * id), as a malloc'd array the caller frees. At most 100000 (-E2BIG beyond). */
int sch_occurrences(const struct sch_entry *entries, size_t count, int64_t from_utc, int64_t to_utc,
                    const struct sch_query *query, struct sch_occurrence **out, size_t *out_count);
/* The first occurrence starting at or after after_utc (earliest start, then
 * lowest id). Returns 0, or -ENOENT when nothing is planned. */
int sch_next(const struct sch_entry *entries, size_t count, int64_t after_utc,
             const struct sch_query *query, struct sch_occurrence *out);

enum sch_due_state {
    SCH_DUE_PRETUNE, /* now is within the lead before a live/capture start: tune now */
    SCH_DUE_START,   /* starts now (or started less than late_tolerance_s ago) */
    SCH_DUE_LATE,    /* its slot is running: start late, record late_by_s */
    SCH_DUE_MISSED,  /* its slot ended while the kiosk was not running */
};

struct sch_due {
    struct sch_occurrence occurrence;
    enum sch_due_state state;
    int64_t late_by_s;   /* START/LATE: now - start */
    int64_t remaining_s; /* START/LATE: end - now */
};

/* What the core loop must act on at now_utc, given that it last evaluated
 * the schedule at since_utc (the last time it ran: from its own record of
 * heartbeats; pass now_utc when there is no history; at most 31 days back
 * are looked at). Reports occurrences in
 * pre-tune, those whose slot is running (START or LATE; LATE only when at
 * least min_remaining_s remain, else MISSED), and those whose slot ended in
 * (since_utc, now_utc] (MISSED). The kiosk remembers which occurrences
 * (entry id + start) it already started and skips them. Sorted by start.
 * Returns the number written to out (at most max), or a negative code. */
int sch_due(const struct sch_entry *entries, size_t count, int64_t since_utc, int64_t now_utc,
            const struct sch_query *query, struct sch_due *out, size_t max);

/* When the core loop should look again: the earliest future pre-tune moment
 * or start after now_utc, or INT64_MAX when nothing is planned. */
int64_t sch_next_wakeup(const struct sch_entry *entries, size_t count, int64_t now_utc,
                        const struct sch_query *query);

enum sch_conflict_type {
    SCH_CONFLICT_SCREEN, /* two courses to watch (live/replay) overlap */
    SCH_CONFLICT_TUNER,  /* a capture overlaps a live course or another capture
                           on a different source: one receiver */
};

struct sch_conflict {
    enum sch_conflict_type type;
    int64_t a_id, b_id; /* a: the candidate (0 when unsaved), b: the existing entry */
    int64_t a_start, a_end, b_start, b_end; /* the first overlapping occurrences */
};

/* The conflicts a candidate entry would have with the existing entries (an
 * existing entry with the candidate's id is skipped, so an edited entry is
 * not compared with its old self). One conflict per conflicting entry, the
 * first overlap found. Returns the number of conflicts, of which the first
 * max are written to out (call again with a bigger array if it is larger),
 * or a negative code. */
int sch_conflicts(const struct sch_entry *entries, size_t count, const struct sch_entry *candidate,
                  const struct sch_query *query, struct sch_conflict *out, size_t max);

/* A replay entry's "capture:ID" must name an existing capture entry.
 * Returns 0, or -EINVAL with a reason in err. */
int sch_check_references(const struct sch_entry *entries, size_t count,
                         const struct sch_entry *candidate, char *err, size_t err_size);
/* The entries whose source is "capture:ID" of capture entry `id` (those a
 * removal would orphan): returns how many, writing up to max ids to out. */
size_t sch_referrers(const struct sch_entry *entries, size_t count, int64_t id, int64_t *out,
                     size_t max);

/* ---- the course library ----------------------------------------------------- */

enum sch_library_state {
    SCH_LIBRARY_WRITING,  /* being captured: "NAME.ts.part" */
    SCH_LIBRARY_COMPLETE, /* the whole broadcast: "NAME.ts" */
    SCH_LIBRARY_PARTIAL,  /* the broadcast was cut off (outage, power): "NAME.partial.ts" */
};

/* DATA_DIR/library, created on demand with sch_library_ensure(). */
int sch_library_dir(const char *data_dir, char *buf, size_t size);
int sch_library_ensure(const char *data_dir);
/* The file a capture entry writes for the occurrence starting at
 * occurrence_utc: "rec-<id>-<YYYYMMDD>-<HHMM>" in local time, plus the suffix
 * of the state, as a full path. Deterministic: the same entry and occurrence
 * give the same name, so a restarted kiosk resumes into the same file. The
 * "rec-" prefix predates the word "capture" and stays: stations hold
 * libraries of such files, and a capture paused by an upgrade resumes into
 * its file. Returns 0 or -ENAMETOOLONG / -EINVAL. */
int sch_library_capture_path(const char *data_dir, int64_t capture_entry_id, int64_t occurrence_utc,
                             int32_t utc_offset_s, enum sch_library_state state, char *buf,
                             size_t size);
/* Moves the WRITING file to COMPLETE or PARTIAL. Returns 0 or -errno. */
int sch_library_finish_capture(const char *data_dir, int64_t capture_entry_id,
                               int64_t occurrence_utc, int32_t utc_offset_s, bool complete);

struct sch_library_item {
    char path[SCH_LOCATION_MAX];
    int64_t capture_entry_id;
    int64_t occurrence_utc; /* from the name, at the offset given to the lookup */
    enum sch_library_state state;
};
/* Everything in the library for the administrator's menu, newest first, as
 * a malloc'd array the caller frees: captures (parsed from their names;
 * those being written included) and other files copied there by hand
 * (capture_entry_id 0, state COMPLETE, occurrence_utc = modification time).
 * Hidden files are skipped. A missing library is an empty one. */
int sch_library_list(const char *data_dir, int32_t utc_offset_s, struct sch_library_item **items,
                     size_t *count);
/* The newest capture of capture entry capture_entry_id whose broadcast
 * started before before_utc: complete ones only, or complete and partial ones
 * when allow_partial (out->state tells which). Files being written are never
 * returned. Returns 0, -ENOENT or -errno. */
int sch_library_find_newest(const char *data_dir, int64_t capture_entry_id, int64_t before_utc,
                            int32_t utc_offset_s, bool allow_partial, struct sch_library_item *out);

#endif
