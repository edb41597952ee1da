/* The Schedule as a calendar: the month's grid with the courses of each day
 * and the days with conflicts; the focused day's courses beside the grid.
 * Arrows move the day (up/down a week), channel up/down change the month,
 * OK goes into the day's list (OK there edits a course or adds one on that
 * day, BACK or left/right return to the grid). */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct calendar_page {
    int year, month, day;
    bool in_day; /* the focus is in the day's list (page->focus) */
    /* the month's occurrences, rebuilt by each view/action */
    struct sch_occurrence *occ;
    size_t n_occ;
    int64_t day_from, day_to; /* the focused day */
};

static void load(struct st_station *st, struct calendar_page *c)
{
    free(c->occ);
    c->occ = NULL;
    c->n_occ = 0;
    int64_t from = st_month_start_utc(c->year, c->month, st->utc_offset_s);
    int64_t to = st_month_start_utc(c->year, c->month + 1, st->utc_offset_s);
    if (sch_occurrences(st->plan.entries, st->plan.n_entries, from, to, &st->plan.query, &c->occ,
                        &c->n_occ) < 0) {
        c->occ = NULL;
        c->n_occ = 0;
    }
    struct st_local d = {.year = c->year, .month = c->month, .day = c->day};
    c->day_from = st_local_to_utc(&d, st->utc_offset_s);
    c->day_to = c->day_from + 86400;
}

/* The focused day's occurrences are a run of c->occ (sorted by start). */
static size_t day_range(const struct calendar_page *c, size_t *first)
{
    size_t n = 0;
    *first = 0;
    for (size_t i = 0; i < c->n_occ; i++) {
        if (c->occ[i].start_utc < c->day_from || c->occ[i].start_utc >= c->day_to) continue;
        if (n++ == 0) *first = i;
    }
    return n;
}

static void move_days(struct st_station *st, struct calendar_page *c, int days)
{
    struct st_local d = {.year = c->year, .month = c->month, .day = c->day, .hour = 12};
    struct st_local moved;
    st_local_from_utc(st_local_to_utc(&d, 0) + (int64_t)days * 86400, 0, &moved);
    c->year = moved.year;
    c->month = moved.month;
    c->day = moved.day;
    load(st, c);
}

static void move_month(struct st_station *st, struct calendar_page *c, int delta)
{
    c->month += delta;
    while (c->month < 1) {
        c->month += 12;
        c->year--;
    }
    while (c->month > 12) {
        c->month -= 12;
        c->year++;
    }
    /* another month starts at its first day, this one at today */
    struct st_local now;
    st_local_from_utc(st_now_utc(st), st->utc_offset_s, &now);
    c->day = now.year == c->year && now.month == c->month ? now.day : 1;
    load(st, c);
}

static int cal_action(struct st_station *st, struct st_page *page, enum rc_action action,
                      int64_t time_ns)
{
    (void)time_ns;
    struct calendar_page *c = page->state;
    load(st, c);
    if (action == RC_ACTION_CHANNEL_UP || action == RC_ACTION_CHANNEL_DOWN) {
        move_month(st, c, action == RC_ACTION_CHANNEL_UP ? 1 : -1);
        c->in_day = false;
        return 0;
    }
    size_t first, n = day_range(c, &first);
    if (c->in_day) {
        if (st_page_list_move(page, n + 1, action) == 0) return 0;
        if (action == RC_ACTION_BACK || action == RC_ACTION_LEFT || action == RC_ACTION_RIGHT) {
            c->in_day = false;
            return 0;
        }
        if (action != RC_ACTION_OK) return -ENOTSUP;
        if ((size_t)page->focus < n)
            return st_sched_editor_open(st, c->occ[first + (size_t)page->focus].entry, 0, NULL);
        return st_sched_editor_open(st, NULL, c->day_from + 12 * 3600, NULL);
    }
    switch (action) {
    case RC_ACTION_LEFT:
        move_days(st, c, -1);
        return 0;
    case RC_ACTION_RIGHT:
        move_days(st, c, 1);
        return 0;
    case RC_ACTION_UP:
        move_days(st, c, -7);
        return 0;
    case RC_ACTION_DOWN:
        move_days(st, c, 7);
        return 0;
    case RC_ACTION_OK:
        c->in_day = true;
        page->focus = 0;
        return 0;
    default:
        return -ENOTSUP;
    }
}

/* A day has a conflict when two of its courses overlap and one of them
 * conflicts with another entry (the schedule's own rule decides which). */
static bool day_conflict(struct st_station *st, const struct calendar_page *c, int64_t from,
                         int64_t to)
{
    for (size_t i = 0; i < c->n_occ; i++) {
        const struct sch_occurrence *a = &c->occ[i];
        if (a->start_utc < from || a->start_utc >= to) continue;
        for (size_t k = i + 1; k < c->n_occ; k++) {
            const struct sch_occurrence *b = &c->occ[k];
            if (b->start_utc >= a->end_utc) break;
            if (a->entry->id != b->entry->id && st_sched_entry_conflicts(st, a->entry)) return true;
        }
    }
    return false;
}

static void fill_days(struct st_station *st, const struct calendar_page *c, struct ui_calendar *cal)
{
    cal->year = c->year;
    cal->month = c->month;
    cal->focus_day = c->day;
    cal->days_in_month = st_days_in_month(c->year, c->month);
    struct st_local first = {.year = c->year, .month = c->month, .day = 1};
    struct st_local now, tmp;
    st_local_from_utc(st_local_to_utc(&first, 0), 0, &tmp);
    cal->first_weekday = tmp.weekday;
    st_local_from_utc(st_now_utc(st), st->utc_offset_s, &now);
    cal->today = now.year == c->year && now.month == c->month ? now.day : 0;
    cal->items_focused = c->in_day;
    for (int d = 1; d <= cal->days_in_month && d <= UI_CALENDAR_DAYS; d++) {
        struct st_local day = {.year = c->year, .month = c->month, .day = d};
        int64_t from = st_local_to_utc(&day, st->utc_offset_s), to = from + 86400;
        int count = 0;
        for (size_t i = 0; i < c->n_occ; i++)
            if (c->occ[i].start_utc >= from && c->occ[i].start_utc < to) count++;
        cal->days[d - 1].courses = count;
        cal->days[d - 1].conflict = count > 1 && day_conflict(st, c, from, to);
    }
}

static void cal_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct calendar_page *c = page->state;
    load(st, c);
    m->view.kind = UI_MENU_CALENDAR;
    m->view.title = st_menu_str(m, st_tr(st, "Calendar: %d-%02d"), c->year, c->month);
    fill_days(st, c, &m->view.u.calendar);
    size_t first, n = day_range(c, &first);
    char duration[64];
    for (size_t i = 0; i < n; i++) {
        const struct sch_occurrence *o = &c->occ[first + i];
        struct st_local at;
        st_local_from_utc(o->start_utc, st->utc_offset_s, &at);
        st_sched_duration_label(st, o->entry, duration, sizeof(duration));
        struct ui_menu_item *it = st_menu_item(
            m, st_menu_str(m, "%02d:%02d  %s", at.hour, at.minute, o->entry->title),
            st_menu_str(m, "%s · %s", duration, st_sched_kind_label(st, o->entry->kind)));
        it->warning = st_sched_entry_conflicts(st, o->entry);
    }
    st_menu_item(m, st_tr(st, "+ Add a course on this day"), NULL);
    if (page->focus > (int)n) page->focus = (int)n;
    m->view.focus = c->in_day ? page->focus : -1;
    m->view.hint = c->in_day ? st_tr(st, "Up/down: choose · OK: open · BACK: the month")
                             : st_tr(st, "Arrows: day · channel +/-: month · OK: the day");
}

static void cal_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct calendar_page *c = page->state;
    load(st, c);
    struct ui_calendar cal = {0};
    fill_days(st, c, &cal);
    char text[16];
    snprintf(text, sizeof(text), "%04d-%02d", c->year, c->month);
    sc_json_kv_string(j, "month", text);
    sc_json_kv_int(j, "day", c->day);
    sc_json_kv_bool(j, "in_day", c->in_day);
    sc_json_kv_int(j, "today", cal.today);
    sc_json_key(j, "day_courses"); /* index 0: the 1st */
    sc_json_array_begin(j);
    for (int d = 0; d < cal.days_in_month; d++)
        sc_json_int(j, cal.days[d].courses);
    sc_json_array_end(j);
    sc_json_key(j, "conflict_days");
    sc_json_array_begin(j);
    for (int d = 0; d < cal.days_in_month; d++)
        if (cal.days[d].conflict) sc_json_int(j, d + 1);
    sc_json_array_end(j);
}

static void cal_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct calendar_page *c = page->state;
    if (!c) return;
    free(c->occ);
    free(c);
}

static const struct st_page_ops cal_ops = {
    .name = "calendar",
    .action = cal_action,
    .view = cal_view,
    .status = cal_status,
    .destroy = cal_destroy,
};

int st_page_calendar_open(struct st_station *st, int year, int month)
{
    struct calendar_page *c = calloc(1, sizeof(*c));
    if (!c) return -ENOMEM;
    struct st_local now;
    st_local_from_utc(st_now_utc(st), st->utc_offset_s, &now);
    c->year = year;
    c->month = month;
    c->day = year == now.year && month == now.month ? now.day : 1;
    return st_admin_push(st, &cal_ops, c);
}
