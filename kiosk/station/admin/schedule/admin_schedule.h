/* The Schedule and Guide sections of the administrator's menu, shared by
 * their files (all on the core loop's thread):
 *   admin_schedule.c       the month's entries as a list
 *   admin_schedule_cal.c   the month as a calendar
 *   admin_schedule_edit.c  the entry editor with its pickers, save and delete
 *   admin_schedule_check.c the conflict page shown before saving, the
 *                          delete confirmation
 *   admin_schedule_text.c  the texts the pages share (times, kinds, sources)
 *   admin_guide.c          the EIT guide as services x time
 * Every change goes through kiosk/schedule (sch_db_*) into the
 * station's schedule and the planner reloads (st_sched_saved). */
#ifndef STUDYCAST_KIOSK_STATION_ADMIN_SCHEDULE_H
#define STUDYCAST_KIOSK_STATION_ADMIN_SCHEDULE_H

#include "kiosk/station/admin/admin.h"
#include "kiosk/station/scan.h"

/* ---- admin_schedule_text.c ---- */

/* The local wall-clock time of an instant at the station's offset. */
struct st_local {
    int year, month, day, hour, minute;
    int weekday; /* 0 Monday .. 6 Sunday */
};
void st_local_from_utc(int64_t utc, int32_t utc_offset_s, struct st_local *out);
int64_t st_local_to_utc(const struct st_local *local, int32_t utc_offset_s);
int st_days_in_month(int year, int month);
/* The first instant of a local month (month may be 0 or 13: wraps the year). */
int64_t st_month_start_utc(int year, int month, int32_t utc_offset_s);

/* "Live", "Capture for later", "Replay a captured course" (translated). */
const char *st_sched_kind_label(struct st_station *st, enum sch_kind kind);
/* "once", "daily" or "Mo We Fr" (translated) into buf. */
void st_sched_repeat_label(struct st_station *st, uint8_t weekdays, char *buf, size_t size);
/* The short weekday name (0 Monday), translated. */
const char *st_weekday_short(struct st_station *st, int weekday);
/* How a source reads on screen: a service's name when the scan knows it
 * ("乡村振兴课堂 (1)"), "Capture of <title>", a library file's name, the
 * URL. scan may be NULL. */
void st_sched_source_label(struct st_station *st, const struct sch_source *source,
                           struct st_scan *scan, char *buf, size_t size);
/* The duration part of a row: "120 min" or "until the event ends". */
void st_sched_duration_label(struct st_station *st, const struct sch_entry *e, char *buf,
                             size_t size);

/* ---- shared by the pages ---- */

/* After a save or a removal: the planner reloads and HOME is redrawn. */
void st_sched_saved(struct st_station *st);
/* The conflicts of candidate with the station's entries, into a malloc'd
 * array (NULL when none). Returns the count or a negative code. */
int st_sched_find_conflicts(struct st_station *st, const struct sch_entry *candidate,
                            struct sch_conflict **out);
/* True when entry id conflicts with another saved entry (list marks). */
bool st_sched_entry_conflicts(struct st_station *st, const struct sch_entry *entry);
/* The stream the station's services come from: st->source, or the demo
 * course in demo mode; NULL when there is none. */
const char *st_sched_station_stream(struct st_station *st);

/* Opens the editor for a new entry (prefill: NULL for the defaults, or a
 * filled entry with id 0, from the guide) or a saved one (prefill->id > 0).
 * day_utc > 0: a new entry on that day (the calendar). scan: the opener's
 * scan of the station's stream, borrowed (it outlives the editor: the
 * opener's page lies below it); NULL: the editor scans by itself. */
int st_sched_editor_open(struct st_station *st, const struct sch_entry *prefill, int64_t day_utc,
                         struct st_scan *scan);

/* ---- admin_schedule_check.c ---- */

/* The editor's part that the conflict page calls back. */
struct st_sched_editor;
int st_sched_editor_commit(struct st_station *st, struct st_sched_editor *ed);
/* Shows the conflicts found for the editor's entry; "save anyway" only when
 * none of them needs the one receiver twice. Takes the conflicts array. */
int st_sched_conflicts_open(struct st_station *st, struct st_sched_editor *ed,
                            const struct sch_entry *candidate, struct sch_conflict *conflicts,
                            size_t n);
/* Asks before removing entry (and names entries that replay its captures). */
int st_sched_delete_open(struct st_station *st, const struct sch_entry *entry);

#endif
