/* The schedule as the core loop sees it: the entry list (reloaded when the
 * file changes), what is due now, the next course for HOME and the month's
 * figures against the requirement. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DUE 32

int st_planner_load(struct st_station *st)
{
    struct sch_entry *entries = NULL;
    size_t n = 0;
    int rc = sch_db_list(st->plan.schedule, &entries, &n);
    if (rc < 0) {
        SC_ERR(st->log, "cannot read the schedule: %s", strerror(-rc));
        return rc;
    }
    free(st->plan.entries);
    st->plan.entries = entries;
    st->plan.n_entries = n;
    SC_INFO(st->log, "schedule: %zu entr%s", n, n == 1 ? "y" : "ies");
    return 0;
}

bool st_planner_handled(const struct st_station *st, int64_t entry_id, int64_t start_utc)
{
    for (size_t i = 0; i < st->plan.n_handled; i++)
        if (st->plan.handled[i].entry_id == entry_id && st->plan.handled[i].start_utc == start_utc)
            return true;
    return false;
}

void st_planner_mark(struct st_station *st, int64_t entry_id, int64_t start_utc)
{
    if (st_planner_handled(st, entry_id, start_utc)) return;
    if (st->plan.n_handled == st->plan.cap_handled) {
        size_t cap = st->plan.cap_handled ? st->plan.cap_handled * 2 : 16;
        void *grown = realloc(st->plan.handled, cap * sizeof(*st->plan.handled));
        if (!grown) return; /* worst case the occurrence is looked at again */
        st->plan.handled = grown;
        st->plan.cap_handled = cap;
    }
    st->plan.handled[st->plan.n_handled].entry_id = entry_id;
    st->plan.handled[st->plan.n_handled].start_utc = start_utc;
    st->plan.n_handled++;
}

/* What the record holds of this occurrence already: 2 a session that ended
 * normally (nothing to do), 1 a session a crash or power cut interrupted
 * (resume: the latest such session's id into resume_id), 0 none. */
static int previous_session(struct st_station *st, const struct sch_occurrence *occ,
                            char resume_id[37])
{
    resume_id[0] = '\0';
    struct rec_session_summary *sessions = NULL;
    size_t n = 0;
    int64_t from = occ->start_utc - st->opts.lead_s - 60;
    if (rec_sessions(st->rec, from, occ->end_utc + 1, &sessions, &n) < 0) return 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sessions[i].course, occ->entry->title) != 0 || sessions[i].open) continue;
        if (sessions[i].start_utc < from || sessions[i].start_utc >= occ->end_utc) continue;
        if (!sessions[i].interrupted) {
            found = 2;
            break;
        }
        found = 1;
        snprintf(resume_id, 37, "%s", sessions[i].id); /* sorted by start: the latest */
    }
    rec_sessions_free(sessions, n);
    return found;
}

static void note_missed(struct st_station *st, const struct sch_occurrence *occ, const char *reason)
{
    char start[40];
    sch_format_local(occ->start_utc, st->utc_offset_s, start, sizeof(start));
    SC_WARN(st->log, "course \"%s\" at %s missed: %s", occ->entry->title, start, reason);
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, false);
    sc_json_object_begin(&j);
    sc_json_kv_int(&j, "entry", occ->entry->id);
    sc_json_kv_string(&j, "course", occ->entry->title);
    sc_json_kv_string(&j, "kind", sch_kind_name(occ->entry->kind));
    sc_json_kv_string(&j, "scheduled_start", start);
    sc_json_kv_int(&j, "slot_minutes", (occ->end_utc - occ->start_utc) / 60);
    sc_json_kv_string(&j, "reason", reason);
    sc_json_object_end(&j);
    if (!buf.failed) {
        int rc = rec_note(st->rec, "course_missed", buf.data);
        if (rc < 0) SC_WARN(st->log, "cannot record the missed course: %s", rec_strerror(rc));
    }
    sc_buf_free(&buf);
}

/* HOME's banner: the first course missed while the kiosk was off (how many
 * more is added on screen); the record holds each as course_missed. */
static void show_missed(struct st_station *st, const struct sch_occurrence *occ)
{
    st->view_dirty = true;
    if (st->plan.n_missed++ > 0) return;
    time_t local = (time_t)(occ->start_utc + st->utc_offset_s);
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(st->plan.missed_note, sizeof(st->plan.missed_note),
             st_tr(st, "Missed while the station was off: %s (%d/%d %02d:%02d)"), occ->entry->title,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* DATA_DIR/kiosk.alive: when the kiosk last ran (UTC s), written every
 * ST_ALIVE_EVERY_S, so that a restart knows which slots passed while it was
 * off (sch_due's since). 0 when there is none or it does not parse. */
static int64_t alive_read(struct st_station *st)
{
    char path[PATH_MAX + 16], *text = NULL;
    size_t len = 0;
    struct sc_jv *doc = NULL;
    int64_t utc = 0;
    snprintf(path, sizeof(path), "%s/kiosk.alive", st->data_dir);
    if (sc_read_file(path, 4096, &text, &len) < 0) return 0;
    if (sc_json_parse(text, len, &doc, NULL, 0) < 0 || sc_jv_get_int(doc, "utc", &utc) < 0) {
        SC_WARN(st->log, "%s does not parse: missed courses are not looked for", path);
        utc = 0;
    }
    sc_jv_free(doc);
    free(text);
    return utc;
}

static void alive_write(struct st_station *st, int64_t now_utc)
{
    char path[PATH_MAX + 16], text[128];
    snprintf(path, sizeof(path), "%s/kiosk.alive", st->data_dir);
    int n = snprintf(text, sizeof(text), "{\"utc\":%lld,\"clock_source\":\"%s\"}\n",
                     (long long)now_utc, rec_clock_source_name(st->clock.source));
    int rc = sc_write_file_atomic(path, text, (size_t)n);
    if (rc < 0 && st->plan.alive_written_utc >= 0)
        SC_WARN(st->log, "cannot write %s: %s", path, strerror(-rc));
    st->plan.alive_written_utc = rc < 0 ? -now_utc : now_utc; /* negative: failed, said once */
}

/* Not while a course is recorded: its heartbeats, committed by the record's
 * writer thread, show the kiosk ran, and a held course is not taken for a
 * missed one (st_planner_handled); the file's two fsyncs would stall the
 * picture for as long as a slow card takes. Written again once it ends. */
static bool course_recorded(const struct st_station *st)
{
    return st->course.active && st->course.session;
}

static bool alive_due(const struct st_station *st, int64_t now_utc)
{
    if (course_recorded(st)) return false;
    int64_t last_alive = llabs(st->plan.alive_written_utc);
    return !last_alive || now_utc >= last_alive + ST_ALIVE_EVERY_S || now_utc < last_alive;
}

static bool same_occurrence(const struct st_course *c, const struct sch_occurrence *occ)
{
    return c->active && c->entry.id == occ->entry->id && c->start_utc == occ->start_utc;
}

static void act(struct st_station *st, const struct sch_due *d)
{
    const struct sch_occurrence *occ = &d->occurrence;
    const struct sch_entry *e = occ->entry;
    char resume_id[37];
    switch (d->state) {
    case SCH_DUE_PRETUNE:
        if (e->kind == SCH_LIVE && !st->course.active) st_course_pretune(st, occ);
        return;
    case SCH_DUE_MISSED:
        st_planner_mark(st, e->id, occ->start_utc);
        /* held (or begun, then cut by a crash) before the kiosk stopped */
        if (e->kind != SCH_CAPTURE && previous_session(st, occ, resume_id) != 0) return;
        note_missed(st, occ, "the kiosk was not running during its slot");
        show_missed(st, occ);
        return;
    case SCH_DUE_START:
    case SCH_DUE_LATE:
        break;
    }
    if (e->kind == SCH_CAPTURE) {
        st_planner_mark(st, e->id, occ->start_utc);
        st_capture_start(st, occ);
        return;
    }
    if (st->course.active && !st->course.pretune && !same_occurrence(&st->course, occ)) {
        if (st->screen == UI_SCREEN_SUMMARY) {
            st_course_finish(st); /* the next course does not wait for the feedback */
        } else {
            st_planner_mark(st, e->id, occ->start_utc);
            note_missed(st, occ, "another course was playing");
            return;
        }
    }
    if (same_occurrence(&st->course, occ) && !st->course.pretune) return;
    st_planner_mark(st, e->id, occ->start_utc);
    int previous = previous_session(st, occ, resume_id);
    if (previous == 2) {
        SC_INFO(st->log, "course \"%s\" was already held in this slot", e->title);
        return;
    }
    bool late = d->state == SCH_DUE_LATE || previous == 1;
    st_course_start(st, occ, d->late_by_s, late, previous == 1 ? resume_id : NULL);
}

void st_planner_turn(struct st_station *st, int64_t now_utc)
{
    if (!st->plan.alive_loaded) { /* the first turn: what passed while the kiosk was off */
        st->plan.alive_loaded = true;
        int64_t last_run = alive_read(st);
        if (last_run > 0 && last_run < now_utc) st->plan.last_due_utc = last_run;
        if (last_run > 0)
            SC_INFO(st->log, "the kiosk last ran %lld s ago", (long long)(now_utc - last_run));
    }
    if (alive_due(st, now_utc)) alive_write(st, now_utc);
    int64_t since = st->plan.last_due_utc ? st->plan.last_due_utc : now_utc;
    if (since > now_utc) since = now_utc; /* the clock went back */
    struct sch_due due[MAX_DUE];
    int n = sch_due(st->plan.entries, st->plan.n_entries, since, now_utc, &st->plan.query, due,
                    MAX_DUE);
    if (n < 0) {
        SC_WARN(st->log, "schedule query failed: %s", strerror(-n));
        return;
    }
    st->plan.last_due_utc = now_utc;
    for (int i = 0; i < n; i++) {
        const struct sch_occurrence *occ = &due[i].occurrence;
        if (st_planner_handled(st, occ->entry->id, occ->start_utc)) continue;
        act(st, &due[i]);
    }
}

int64_t st_planner_next_wakeup_utc(const struct st_station *st, int64_t now_utc)
{
    int64_t next = sch_next_wakeup(st->plan.entries, st->plan.n_entries, now_utc, &st->plan.query);
    if (course_recorded(st)) return next; /* alive_due */
    int64_t alive = llabs(st->plan.alive_written_utc) + ST_ALIVE_EVERY_S;
    return alive < next ? alive : next;
}

/* The first course to watch (capture entries are not watched) from now_utc
 * on, not the one playing; with only_later, only a course that has not begun
 * (a slot still running whose course was already held is not "next"). */
static bool next_course(struct st_station *st, int64_t now_utc, bool only_later, char *title,
                        size_t size, int64_t *start_utc)
{
    struct sch_occurrence *occ = NULL;
    size_t n = 0;
    bool found = false;
    if (sch_occurrences(st->plan.entries, st->plan.n_entries, now_utc, now_utc + 8 * 86400,
                        &st->plan.query, &occ, &n) < 0)
        return false;
    for (size_t i = 0; i < n && !found; i++) {
        if (occ[i].entry->kind == SCH_CAPTURE) continue;
        if (st->course.active && same_occurrence(&st->course, &occ[i]) && !st->course.pretune)
            continue;
        if (only_later && occ[i].start_utc <= now_utc) continue;
        snprintf(title, size, "%s", occ[i].entry->title);
        *start_utc = occ[i].start_utc;
        found = true;
    }
    free(occ);
    return found;
}

/* HOME: the next course to watch. */
void st_planner_refresh_home(struct st_station *st, int64_t now_utc)
{
    st->plan.next_title[0] = '\0';
    st->plan.next_start_utc = 0;
    next_course(st, now_utc, false, st->plan.next_title, sizeof(st->plan.next_title),
                &st->plan.next_start_utc);
}

void st_planner_next_course_title(struct st_station *st, char *title, size_t size)
{
    int64_t start = 0;
    title[0] = '\0';
    next_course(st, st_now_utc(st), true, title, size, &start);
}

/* HOME's chart: this month's sessions against the requirement. */
void st_planner_refresh_month(struct st_station *st)
{
    int64_t now = st_now_utc(st);
    time_t local = (time_t)(now + st->utc_offset_s);
    struct tm tm;
    gmtime_r(&local, &tm);
    int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
    int64_t from = rec_local_month_start(year, month, st->utc_offset_s);
    int64_t to = rec_local_month_start(year, month + 1, st->utc_offset_s);
    struct rec_session_summary *sessions = NULL;
    size_t n = 0;
    struct ui_month m = {0};
    if (rec_sessions(st->rec, from, to, &sessions, &n) == 0) {
        struct rec_requirement req;
        rec_requirement_for(st->rec, sessions, n, &req);
        m.sessions_required = req.sessions_required;
        m.minutes_required_each = req.minutes_required_each;
        m.sessions_counted = req.sessions_held;
        for (size_t i = 0; i < n && m.n_sessions < UI_MONTH_MAX_SESSIONS; i++)
            if (!sessions[i].open)
                m.session_minutes[m.n_sessions++] = (int)(sessions[i].played_seconds / 60);
        rec_sessions_free(sessions, n);
    } else {
        m.sessions_required = 3;
        m.minutes_required_each = REC_REQUIRED_MINUTES_EACH;
    }
    st->plan.month = m;
    st->view_dirty = true;
}
