/* Records: a month's report on screen (sessions, minutes played, attendance,
 * the requirement met or not) with the month's chart as on HOME; left/right
 * change the month; OK exports it to a USB stick (admin_records_export.c);
 * up to the snapshots row and OK shows the month's viewing snapshots
 * (admin_records_snapshots.c).
 * The whole chain is checked when the page opens or comes back (not on each
 * month: it is ~0.1 s of the loop for a busy year); an altered record is
 * shown under a warning and not exported. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct records_page {
    int year, month; /* shown */
    int this_year, this_month;
    char label[16];               /* "2026-11" */
    int error;                    /* the record could not be read */
    struct rec_chain_fault fault; /* seq 0: the chain held when last checked */
    struct ui_month chart;
    struct rec_requirement req;
    size_t n_sessions;
    int64_t played_seconds;
    int attendances;    /* members credited with time, summed over the sessions */
    size_t n_snapshots; /* viewing snapshots of the month's sessions */
    bool on_snapshots;  /* the focus is on the snapshots row (else on export) */
};

static void local_month(const struct st_station *st, int *year, int *month)
{
    time_t local = (time_t)(st_now_utc(st) + st->utc_offset_s);
    struct tm tm;
    gmtime_r(&local, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
}

static void load(struct st_station *st, struct records_page *p)
{
    snprintf(p->label, sizeof(p->label), "%04d-%02d", p->year, p->month);
    memset(&p->chart, 0, sizeof(p->chart));
    memset(&p->req, 0, sizeof(p->req));
    p->n_sessions = 0;
    p->played_seconds = 0;
    p->attendances = 0;
    p->n_snapshots = 0;
    struct rec_period period;
    struct rec_session_summary *s = NULL;
    size_t n = 0;
    p->error = rec_period_parse(st->rec, 'm', p->label, &period);
    if (p->error == 0) p->error = rec_sessions(st->rec, period.from_utc, period.to_utc, &s, &n);
    if (p->error == 0) p->error = rec_requirement_for(st->rec, s, n, &p->req);
    if (p->error < 0) {
        SC_ERR(st->log, "menu: cannot read the record for %s: %s", p->label,
               rec_strerror(p->error));
    } else {
        p->n_sessions = n;
        p->chart.sessions_required = p->req.sessions_required;
        p->chart.minutes_required_each = p->req.minutes_required_each;
        p->chart.sessions_counted = p->req.sessions_held;
        for (size_t i = 0; i < n; i++) {
            p->played_seconds += s[i].played_seconds;
            for (size_t a = 0; a < s[i].n_attendance; a++)
                p->attendances += s[i].attendance[a].seconds > 0;
            struct rec_snapshot *snaps = NULL;
            size_t n_snaps = 0;
            if (rec_snapshots_list(st->rec, s[i].id, &snaps, &n_snaps) == 0)
                p->n_snapshots += n_snaps;
            free(snaps);
            /* the bars as on HOME: closed sessions */
            if (!s[i].open && p->chart.n_sessions < UI_MONTH_MAX_SESSIONS)
                p->chart.session_minutes[p->chart.n_sessions++] = (int)(s[i].played_seconds / 60);
        }
    }
    rec_sessions_free(s, n);
}

static void check_chain(struct st_station *st, struct records_page *p)
{
    int rc = rec_check_chain(st->rec, &p->fault);
    if (rc != 0 && rc != REC_ECHAIN && p->error == 0) p->error = rc;
}

static void step_month(struct records_page *p, int step)
{
    int index = p->year * 12 + (p->month - 1) + step;
    p->year = index / 12;
    p->month = index % 12 + 1;
}

static int records_action(struct st_station *st, struct st_page *page, enum rc_action action,
                          int64_t time_ns)
{
    (void)time_ns;
    struct records_page *p = page->state;
    if (action == RC_ACTION_LEFT || action == RC_ACTION_RIGHT) {
        if (action == RC_ACTION_RIGHT &&
            p->year * 12 + p->month >= p->this_year * 12 + p->this_month) {
            st_admin_message(st, false, "This is the current month");
            return 0;
        }
        step_month(p, action == RC_ACTION_LEFT ? -1 : 1);
        load(st, p);
        return 0;
    }
    if (action == RC_ACTION_UP || action == RC_ACTION_DOWN) { /* snapshots or export */
        p->on_snapshots = action == RC_ACTION_UP;
        return 0;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (p->on_snapshots) return st_page_records_snapshots_open(st, p->year, p->month);
    if (p->error < 0) {
        st_admin_message(st, true, "The record cannot be read: %s", rec_strerror(p->error));
        return 0;
    }
    if (p->fault.seq != 0) {
        char where[96];
        snprintf(where, sizeof(where), st_tr(st, "event %lld, %s"), (long long)p->fault.seq,
                 p->fault.type);
        st_admin_message(st, true,
                         "Not exported: the study record on this receiver has been altered "
                         "(%s). Nothing is signed from an altered record.",
                         where);
        return 0;
    }
    return st_page_records_export_open(st, p->year, p->month);
}

static void records_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct records_page *p = page->state;
    m->view.kind = UI_MENU_REPORT;
    m->view.title = st_menu_str(m, st_tr(st, "Study record %s"), p->label);
    m->view.hint = st_tr(st, "Left/right: month · up/down: choose · OK: open · BACK: return");
    m->view.u.report.month = p->chart;
    m->view.u.report.requirement_met = p->req.met;
    m->view.u.report.period = p->label;
    /* short values: a 4:3 screen gives the figures half its width */
    st_menu_item(m, st_tr(st, "Sessions held"), st_menu_str(m, "%zu", p->n_sessions));
    st_menu_item(m,
                 st_menu_str(m, st_tr(st, "Sessions of %d h"), p->req.minutes_required_each / 60),
                 st_menu_str(m, "%d / %d", p->req.sessions_held, p->req.sessions_required));
    st_menu_item(m, st_tr(st, "Minutes played"),
                 st_menu_str(m, st_tr(st, "%lld min"), (long long)(p->played_seconds / 60)));
    st_menu_item(m, st_tr(st, "Attendance"),
                 st_menu_str(m, st_tr(st, "%d attended"), p->attendances));
    struct ui_menu_item *req = st_menu_item(m, st_tr(st, "Requirement"),
                                            p->req.met ? st_tr(st, "met") : st_tr(st, "not met"));
    req->warning = !p->req.met;
    if (p->fault.seq != 0) {
        struct ui_menu_item *altered = st_menu_item(
            m, st_tr(st, "Record check"),
            st_menu_str(m, st_tr(st, "altered at event %lld"), (long long)p->fault.seq));
        altered->warning = true;
    }
    st_menu_item(m, st_tr(st, "Viewing snapshots"),
                 st_menu_str(m, st_tr(st, "%zu pictures"), p->n_snapshots));
    st_menu_item(m, st_tr(st, "Export this month to a USB stick"), NULL);
    m->view.focus = (int)m->n_items - (p->on_snapshots ? 2 : 1);
    if (!m->view.message && p->fault.seq != 0) {
        m->view.message = st_menu_str(m,
                                      st_tr(st, "The study record has been altered: event %lld "
                                                "(%s) does not hold. These figures cannot be "
                                                "trusted."),
                                      (long long)p->fault.seq, p->fault.type);
        m->view.message_error = true;
    }
    if (!m->view.message && p->error < 0) {
        m->view.message =
            st_menu_str(m, st_tr(st, "The record cannot be read: %s"), rec_strerror(p->error));
        m->view.message_error = true;
    }
}

/* `ctl status`: the figures, as `studycast record report --json` names them. */
static void records_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct records_page *p = page->state;
    sc_json_key(j, "report");
    sc_json_object_begin(j);
    sc_json_kv_string(j, "period", p->label);
    sc_json_kv_int(j, "sessions", (int64_t)p->n_sessions);
    sc_json_kv_int(j, "played_seconds", p->played_seconds);
    sc_json_kv_int(j, "attendances", p->attendances);
    sc_json_kv_string(j, "station_type", p->req.station_type);
    sc_json_kv_int(j, "sessions_required", p->req.sessions_required);
    sc_json_kv_int(j, "sessions_held", p->req.sessions_held);
    sc_json_kv_int(j, "minutes_required_each", p->req.minutes_required_each);
    sc_json_kv_bool(j, "met", p->req.met);
    sc_json_kv_int(j, "snapshots", (int64_t)p->n_snapshots);
    sc_json_key(j, "record_check");
    sc_json_object_begin(j);
    sc_json_kv_bool(j, "ok", p->fault.seq == 0);
    if (p->fault.seq != 0) {
        sc_json_kv_int(j, "first_bad_seq", p->fault.seq);
        sc_json_kv_string(j, "type", p->fault.type);
        sc_json_kv_string(j, "message", p->fault.message);
    }
    sc_json_object_end(j);
    sc_json_key(j, "chart_minutes");
    sc_json_array_begin(j);
    for (int i = 0; i < p->chart.n_sessions; i++)
        sc_json_int(j, p->chart.session_minutes[i]);
    sc_json_array_end(j);
    sc_json_object_end(j);
}

static void records_resume(struct st_station *st, struct st_page *page)
{
    load(st, page->state);
    check_chain(st, page->state);
}

static void records_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops records_ops = {
    .name = "records",
    .action = records_action,
    .view = records_view,
    .status = records_status,
    .resume = records_resume,
    .destroy = records_destroy,
};

int st_page_records_open(struct st_station *st)
{
    struct records_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    local_month(st, &p->this_year, &p->this_month);
    p->year = p->this_year;
    p->month = p->this_month;
    load(st, p);
    check_chain(st, p);
    return st_admin_push(st, &records_ops, p);
}
