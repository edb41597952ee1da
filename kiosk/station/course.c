/* A course's life on the core loop: pre-tune, start (session opened, late or
 * resumed noted), pictures to the screen, outages recorded and not credited,
 * heartbeats, the end of the slot (or of the file), summary and close. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_record_error(struct st_station *st, int rc, const char *what)
{
    if (rc >= 0) return;
    SC_ERR(st->log, "study record: %s: %s", what, rec_strerror(rc));
    if (rc == st->course.last_record_error) return; /* already on screen */
    st->course.last_record_error = rc;
    if (rc == -ENOSPC)
        st_toast(st, true, "The record cannot be written: the disk is full. Playback continues.");
    else if (rc == -EROFS)
        st_toast(st, true, "The record cannot be written: read-only disk. Playback continues.");
    else
        st_toast(st, true, "The record cannot be written. Playback continues.");
}

/* Where a course plays from: a stream and service, a URL, a file. */
static int resolve_source(struct st_station *st, struct st_course *c)
{
    const struct sch_source *s = &c->entry.source;
    c->service = -1;
    c->live = false;
    switch (s->type) {
    case SCH_SOURCE_SERVICE:
        if (!s->location[0] && !st->source) {
            SC_ERR(st->log, "course \"%s\": service:%d needs the station's stream (--source URL)",
                   c->entry.title, s->service_id);
            return -ENOENT;
        }
        snprintf(c->source, sizeof(c->source), "%s", s->location[0] ? s->location : st->source);
        c->service = s->service_id;
        c->live = strstr(c->source, "://") != NULL;
        return 0;
    case SCH_SOURCE_URL:
        snprintf(c->source, sizeof(c->source), "%s", s->location);
        c->live = strncmp(s->location, "http", 4) != 0;
        return 0;
    case SCH_SOURCE_FILE:
        if (s->location[0] == '/') {
            snprintf(c->source, sizeof(c->source), "%s", s->location);
        } else {
            char dir[PATH_MAX];
            int rc = sch_library_dir(st->data_dir, dir, sizeof(dir));
            if (rc < 0) return rc;
            if (snprintf(c->source, sizeof(c->source), "%s/%s", dir, s->location) >=
                (int)sizeof(c->source))
                return -ENAMETOOLONG;
        }
        return 0;
    case SCH_SOURCE_CAPTURE: {
        struct sch_library_item item;
        int rc = sch_library_find_newest(st->data_dir, s->capture_entry_id, st_now_utc(st),
                                         st->utc_offset_s, true, &item);
        if (rc < 0) {
            SC_ERR(st->log, "course \"%s\": no capture of entry %lld in the library",
                   c->entry.title, (long long)s->capture_entry_id);
            return rc;
        }
        snprintf(c->source, sizeof(c->source), "%s", item.path);
        return 0;
    }
    }
    return -EINVAL;
}

static void open_player(struct st_station *st)
{
    struct st_course *c = &st->course;
    struct player_opts opts = {.source = c->source,
                               .service = st_course_service(c),
                               .no_audio = st->opts.no_audio,
                               .field_rate =
                                   ui_refresh_rate(st->ui) >= 50 || ui_refresh_rate(st->ui) == 0,
                               .volume = st->volume,
                               .wakeup = ui_wakeup,
                               .wakeup_opaque = st->ui,
                               .start_ns = st->start_ns,
                               .log = st->log};
    c->retry_at_ns = 0;
    st_clock_scan_release(st); /* a DVB tuner opens once */
    int rc = player_create(&opts, &c->player);
    if (rc < 0) {
        SC_ERR(st->log, "cannot start the player: %s", strerror(-rc));
        c->retry_at_ns = sc_mono_ns() + ST_RETRY_NS;
        st_reception_failed(&st->reception);
        return;
    }
    player_set_muted(c->player, st->muted);
    st_reception_attach(&st->reception, c->player, sc_mono_ns());
    SC_INFO(st->log, "playing %s%s", c->source, c->loop ? " (looping)" : "");
}

static void close_player(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->player) return;
    ui_set_picture_none(st->ui); /* the ui frees the picture it held */
    c->shown = NULL;
    player_destroy(c->player);
    c->player = NULL;
    st_reception_detach(&st->reception);
}

static int setup(struct st_station *st, const struct sch_occurrence *occ)
{
    struct st_course *c = &st->course;
    memset(c, 0, sizeof(*c));
    c->entry = *occ->entry;
    c->start_utc = occ->start_utc;
    c->end_utc = occ->end_utc;
    c->end_known = occ->end_known;
    c->last_signal = UI_SIGNAL_UNKNOWN;
    int rc = resolve_source(st, c);
    if (rc < 0) {
        st_toast(st, true, "The course \"%s\" cannot be played: its source is not available.",
                 occ->entry->title);
        memset(c, 0, sizeof(*c));
        return rc;
    }
    const char *demo = st_demo_stream_path();
    c->loop = st->demo && demo && strcmp(c->source, demo) == 0;
    c->active = true;
    open_player(st);
    return 0;
}

int st_course_pretune(struct st_station *st, const struct sch_occurrence *occ)
{
    int rc = setup(st, occ);
    if (rc < 0) return rc;
    st->course.pretune = true;
    SC_INFO(st->log, "tuning ahead of \"%s\"", occ->entry->title);
    tv_course_coming(st->tv, occ->entry->title);
    st_set_screen(st, UI_SCREEN_PRETUNE);
    return 0;
}

static void note_started(struct st_station *st)
{
    struct st_course *c = &st->course;
    char start[40];
    sch_format_local(c->start_utc, st->utc_offset_s, start, sizeof(start));
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, false);
    sc_json_object_begin(&j);
    sc_json_kv_string(&j, "session", c->session_id[0] ? c->session_id : NULL);
    sc_json_kv_int(&j, "entry", c->entry.id);
    sc_json_kv_string(&j, "course", c->entry.title);
    sc_json_kv_string(&j, "kind", sch_kind_name(c->entry.kind));
    sc_json_kv_string(&j, "scheduled_start", start);
    sc_json_kv_int(&j, "slot_minutes", (c->end_utc - c->start_utc) / 60);
    sc_json_kv_bool(&j, "late", c->late);
    sc_json_kv_int(&j, "late_by_s", c->late_by_s);
    sc_json_kv_bool(&j, "resumed", c->resumed);
    sc_json_kv_bool(&j, "counts", c->entry.counts);
    sc_json_kv_bool(&j, "demo", st->demo);
    sc_json_kv_string(&j, "clock_source", rec_clock_source_name(st->clock.source));
    sc_json_object_end(&j);
    if (!buf.failed)
        report_record_error(st, rec_note(st->rec, "course_started", buf.data),
                            "noting the course's start");
    sc_buf_free(&buf);
}

/* Resumes the session a crash or power cut interrupted in this slot (the
 * record keeps it one session, its members checked in), or opens one. */
static void open_session(struct st_station *st, const char *resume_id)
{
    struct st_course *c = &st->course;
    int rc = -ENOENT;
    c->resumed = false;
    if (resume_id && resume_id[0]) {
        rc = rec_session_resume(st->rec, resume_id, c->end_utc, &c->session);
        if (rc == 0) {
            c->resumed = true;
            SC_INFO(st->log, "session %s resumed", resume_id);
        } else {
            SC_WARN(st->log, "session %s cannot be resumed (%s): a new one is opened", resume_id,
                    rec_strerror(rc));
        }
    }
    if (rc != 0) rc = rec_session_open(st->rec, c->entry.title, NULL, 0, &c->session);
    if (rc < 0) {
        c->session = NULL;
        report_record_error(st, rc, "opening the session");
    } else {
        snprintf(c->session_id, sizeof(c->session_id), "%s", rec_session_id(c->session));
        struct snap_opts so = {.interval_ns = (int64_t)st->opts.snapshot_interval_s * 1000000000,
                               .wakeup = ui_wakeup,
                               .wakeup_opaque = st->ui,
                               .log = st->log};
        if (snap_create(&so, &c->snap) < 0) {
            c->snap = NULL; /* the session goes on without proof pictures; the log says so */
            SC_ERR(st->log, "session %s: the snapshot worker cannot start", c->session_id);
        }
    }
}

void st_course_presented(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->shown || !c->player) return;
    player_presented(c->player, c->shown);
    if (c->session && !c->ended) snap_presented(c->snap, c->shown);
}

/* The snapshots the worker finished, handed to the record (its writer
 * thread stores the file, then the event). */
static void store_snapshots(struct st_station *st)
{
    struct st_course *c = &st->course;
    struct snap_result r;
    while (snap_take(c->snap, &r)) {
        if (c->session)
            report_record_error(st, snap_record(c->session, &r), "recording a snapshot");
        snap_result_free(&r);
    }
}

/* The last picture shown, before the session closes; then no more. */
static void finish_snapshots(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->snap) return;
    snap_finish(c->snap);
    store_snapshots(st);
    snap_destroy(c->snap);
    c->snap = NULL;
}

int st_course_start(struct st_station *st, const struct sch_occurrence *occ, int64_t late_by_s,
                    bool late, const char *resume_id)
{
    struct st_course *c = &st->course;
    bool tuned =
        c->active && c->pretune && c->entry.id == occ->entry->id && c->start_utc == occ->start_utc;
    if (!tuned) {
        st_course_abort(st); /* a pre-tune for something else */
        int rc = setup(st, occ);
        if (rc < 0) return rc;
        tv_course_coming(st->tv, occ->entry->title); /* no pre-tune woke it */
    }
    c->pretune = false;
    c->late = late;
    c->late_by_s = late_by_s > 0 ? late_by_s : 0;
    c->started_mono_ns = sc_mono_ns();
    if (late)
        SC_WARN(st->log, "course \"%s\" starts %lld s late%s", c->entry.title,
                (long long)c->late_by_s, resume_id ? ", resumed after an interruption" : "");
    else
        SC_INFO(st->log, "course \"%s\" starts", c->entry.title);
    open_session(st, resume_id);
    note_started(st);
    if (c->session && st_reception_signal(&st->reception, sc_mono_ns()) == UI_SIGNAL_NONE) {
        report_record_error(st, rec_session_signal(c->session, false), "recording the outage");
        c->signal_lost = true;
        c->outage_since_ns = sc_mono_ns();
    }
    st_roster_reset(st);
    if (c->resumed) st_roster_restore(st);
    st->show_info = st->show_roster = false;
    st->roster.until_ns = sc_mono_ns() + (int64_t)ST_ROLLCALL_IDLE_S * 1000000000LL;
    st_set_screen(st, UI_SCREEN_ROLLCALL);
    if (resume_id)
        st_toast(st, false, "The course was interrupted and resumes now.");
    else if (late)
        st_toast(st, false, "The course starts late.");
    return 0;
}

int64_t st_course_played_s(const struct st_course *c, int64_t now_ns)
{
    int64_t ns = c->played_ns + (c->playing_since_ns ? now_ns - c->playing_since_ns : 0);
    return ns / 1000000000LL;
}

static void played_clock(struct st_course *c, bool running, int64_t now_ns)
{
    if (running && !c->playing_since_ns) {
        c->playing_since_ns = now_ns;
    } else if (!running && c->playing_since_ns) {
        c->played_ns += now_ns - c->playing_since_ns;
        c->playing_since_ns = 0;
    }
}

static bool credited(const struct st_course *c)
{
    return c->session && c->playback_started && !c->paused && !c->signal_lost && !c->ended;
}

void st_course_set_paused(struct st_station *st, bool paused)
{
    struct st_course *c = &st->course;
    if (!c->player || c->paused == paused) return;
    player_set_paused(c->player, paused);
    c->paused = paused;
    if (c->session && c->playback_started)
        report_record_error(
            st,
            rec_session_playback(c->session, paused ? REC_PLAYBACK_PAUSED : REC_PLAYBACK_RESUMED),
            "recording the pause");
    played_clock(c, credited(c), sc_mono_ns());
}

static bool shows_video(enum ui_screen screen)
{
    return screen == UI_SCREEN_PLAYING || screen == UI_SCREEN_OUTAGE;
}

/* The player's state and pictures. Returns its wait (-1: until a wakeup). */
static int64_t player_turn(struct st_station *st, int64_t now_ns)
{
    struct st_course *c = &st->course;
    if (!c->player) {
        if (c->retry_at_ns && now_ns >= c->retry_at_ns) open_player(st);
        return -1;
    }
    enum player_state state = player_state(c->player);
    if (state == PLAYER_ENDED && c->loop) {
        close_player(st);
        open_player(st);
        /* the same file again: the signal stays as it was, no "unknown" blink */
        if (c->player) st_reception_picture(&st->reception, now_ns);
        return 0;
    }
    if (state == PLAYER_ENDED && !c->live && !c->pretune) {
        SC_INFO(st->log, "the course's file has ended");
        st_course_end(st);
        return -1;
    }
    if (state == PLAYER_FAILED || state == PLAYER_ENDED) {
        SC_WARN(st->log, "source %s: %s; trying again in %lld s", c->source,
                state == PLAYER_FAILED ? player_error(c->player) : "ended",
                (long long)(ST_RETRY_NS / 1000000000LL));
        close_player(st);
        st_reception_failed(&st->reception);
        c->retry_at_ns = now_ns + ST_RETRY_NS;
        return -1;
    }
    int64_t wait = -1;
    struct player_picture *picture = player_next_picture(c->player, &wait);
    if (!picture) return wait;
    st_reception_picture(&st->reception, now_ns);
    if (c->session && !c->playback_started && !c->ended) {
        c->playback_started = true;
        report_record_error(st, rec_session_playback(c->session, REC_PLAYBACK_STARTED),
                            "recording the start of playback");
        played_clock(c, credited(c), now_ns);
    }
    if (shows_video(st->screen)) {
        if (ui_set_picture(st->ui, picture) == 0) c->shown = picture;
    } else {
        player_picture_free(picture); /* behind roll-call or the summary: not drawn */
    }
    return wait < 0 ? 0 : wait; /* the next one may be due already */
}

/* When the playing service's data stopped: the player's ongoing outage
 * began at its last data (now_ns when it has none, e.g. the source failed). */
static int64_t last_data_ns(struct st_station *st, int64_t now_ns)
{
    int64_t at = st->course.player ? player_outage_began_ns(st->course.player) : 0;
    bool usable = at > 0 && at < now_ns && at > now_ns - (int64_t)REC_BACKDATE_MAX_S * 1000000000;
    return usable ? at : now_ns;
}

static void signal_turn(struct st_station *st, int64_t now_ns)
{
    struct st_course *c = &st->course;
    enum ui_signal signal = st_reception_signal(&st->reception, now_ns);
    if (signal != c->last_signal) {
        c->last_signal = signal;
        st->view_dirty = true;
        SC_INFO(st->log, "signal: %s",
                signal == UI_SIGNAL_GOOD   ? "good"
                : signal == UI_SIGNAL_NONE ? "none"
                                           : "unknown");
    }
    if (!c->session || c->ended) return;
    if (signal == UI_SIGNAL_NONE && !c->signal_lost) {
        c->signal_lost = true;
        /* the player declares an outage seconds after the last data: it
         * began then, and that is what the record is told */
        int64_t since = last_data_ns(st, now_ns);
        c->outage_since_ns = since;
        report_record_error(st, rec_session_signal_lost_since(c->session, since),
                            "recording the outage");
        played_clock(c, false, since > c->playing_since_ns ? since : c->playing_since_ns);
        if (st->screen == UI_SCREEN_PLAYING) st_set_screen(st, UI_SCREEN_OUTAGE);
    } else if (signal == UI_SIGNAL_GOOD && c->signal_lost) {
        c->signal_lost = false;
        report_record_error(st, rec_session_signal(c->session, true), "recording the signal");
        played_clock(c, credited(c), now_ns);
        if (st->screen == UI_SCREEN_OUTAGE) st_set_screen(st, UI_SCREEN_PLAYING);
    }
}

/* "Until the broadcast event ends": the slot's end from the EIT once the
 * guide has the event airing at the start (until then the fallback length). */
static void resolve_end(struct st_station *st)
{
    struct st_course *c = &st->course;
    int64_t end;
    if (!c->entry.until_event_end || c->end_known || c->service < 0) return;
    if (st_reception_event_end(&st->reception, c->service, c->start_utc, &end) < 0 ||
        end <= c->start_utc)
        return;
    c->end_utc = end;
    c->end_known = true;
    char text[40];
    sch_format_local(end, st->utc_offset_s, text, sizeof(text));
    SC_INFO(st->log, "course \"%s\" lasts until its broadcast event ends at %s", c->entry.title,
            text);
    st->view_dirty = true;
}

int64_t st_course_turn(struct st_station *st, int64_t now_ns, int64_t now_utc)
{
    struct st_course *c = &st->course;
    if (!c->active) return -1;
    c->shown = NULL;
    int64_t wait = -1;
    if (!c->ended) {
        wait = player_turn(st, now_ns);
        if (!c->active || c->ended) return -1;
        signal_turn(st, now_ns);
        if (st_reception_names_turn(&st->reception, c->watching ? c->watching : c->service, now_utc,
                                    now_ns))
            st->view_dirty = true;
        if (c->playback_started) played_clock(c, credited(c), now_ns);
        resolve_end(st);
        if (!c->pretune && now_utc >= c->end_utc) {
            SC_INFO(st->log, "the course's slot has ended");
            st_course_end(st);
            return -1;
        }
    }
    if (c->session) {
        store_snapshots(st);
        int rc = rec_session_tick(c->session);
        if (rc < 0)
            report_record_error(st, rc, "recording a heartbeat");
        else if (rc > 0)
            c->last_record_error = 0; /* writing works again */
    }
    return wait;
}

int64_t st_course_deadline_ns(const struct st_station *st, int64_t now_ns)
{
    const struct st_course *c = &st->course;
    if (!c->active) return INT64_MAX;
    int64_t deadline = INT64_MAX;
    if (c->session) deadline = rec_session_next_tick_ns(c->session);
    if (c->ended) return deadline;
    if (!c->pretune) {
        int64_t end = st_utc_to_mono(st, c->end_utc);
        if (end < deadline) deadline = end;
    }
    if (c->retry_at_ns && c->retry_at_ns < deadline) deadline = c->retry_at_ns;
    int64_t change = st_reception_next_change_ns(&st->reception, now_ns);
    if (change < deadline) deadline = change;
    return deadline;
}

/* Copies the record's view of the session (played time, who for how long). */
static void take_snapshot(struct st_station *st)
{
    struct st_course *c = &st->course;
    rec_sessions_free(st->summary.sessions, st->summary.n_sessions);
    st->summary.sessions = NULL;
    st->summary.n_sessions = 0;
    st->summary.snapshot = NULL;
    if (!c->session) return;
    int64_t now = st_now_utc(st);
    if (rec_sessions(st->rec, now - 2 * 86400, now + 86400, &st->summary.sessions,
                     &st->summary.n_sessions) < 0) {
        st->summary.sessions = NULL;
        st->summary.n_sessions = 0;
        return;
    }
    for (size_t i = 0; i < st->summary.n_sessions; i++)
        if (strcmp(st->summary.sessions[i].id, c->session_id) == 0)
            st->summary.snapshot = &st->summary.sessions[i];
}

void st_course_end(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->active || c->ended) return;
    int64_t now_ns = sc_mono_ns();
    played_clock(c, false, now_ns);
    finish_snapshots(st);
    if (c->session && c->playback_started)
        report_record_error(st, rec_session_playback(c->session, REC_PLAYBACK_STOPPED),
                            "recording the end of playback");
    close_player(st);
    c->ended = true;
    if (!c->session) { /* nothing recorded to sum up (the record failed) */
        st_course_finish(st);
        return;
    }
    take_snapshot(st);
    snprintf(st->summary.course, sizeof(st->summary.course), "%s", c->entry.title);
    st->summary.rating = 0;
    st->summary.needs_repeat = false;
    st->summary.focus = UI_SUMMARY_RATING;
    st->summary.until_ns = now_ns + (int64_t)st->opts.summary_timeout_s * 1000000000LL;
    st->show_info = st->show_roster = false;
    st_set_screen(st, UI_SCREEN_SUMMARY);
}

static void reset(struct st_station *st)
{
    snap_destroy(st->course.snap); /* normally finished already */
    memset(&st->course, 0, sizeof(st->course));
    st->show_info = st->show_roster = false;
}

void st_course_finish(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->active) return;
    close_player(st);
    if (c->session) {
        if (st->summary.rating > 0 || st->summary.needs_repeat)
            report_record_error(
                st,
                rec_session_feedback(c->session, NULL, st->summary.rating,
                                     st->summary.needs_repeat ? "needs repeating" : NULL),
                "recording the feedback");
        int rc = rec_session_close(c->session, REC_CLOSE_COMPLETE);
        c->session = NULL;
        report_record_error(st, rc, "closing the session");
        if (rc == 0) SC_INFO(st->log, "session %s closed", c->session_id);
        st_sync_kick(st); /* the county hears of it now */
    }
    reset(st);
    /* a course held since: HOME's note of courses missed while off has had its day */
    st->plan.missed_note[0] = '\0';
    st->plan.n_missed = 0;
    st_planner_refresh_month(st);
    st_tv_session_over(st);
    st_set_screen(st, UI_SCREEN_HOME);
}

void st_course_abort(struct st_station *st)
{
    struct st_course *c = &st->course;
    if (!c->active) return;
    if (c->ended) { /* only the feedback was missing */
        st_course_finish(st);
        return;
    }
    finish_snapshots(st);
    if (c->session && c->playback_started)
        report_record_error(st, rec_session_playback(c->session, REC_PLAYBACK_STOPPED),
                            "recording the end of playback");
    close_player(st);
    if (c->session) {
        rec_session_close(c->session, REC_CLOSE_INTERRUPTED);
        SC_INFO(st->log, "session %s closed as interrupted", c->session_id);
    }
    reset(st);
    st_set_screen(st, UI_SCREEN_HOME);
}
