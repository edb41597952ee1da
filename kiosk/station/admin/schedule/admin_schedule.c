/* The Schedule section: the month's entries as a list (each entry once, at
 * its first occurrence in the month), "add a course" and the calendar.
 * Left/right or channel up/down change the month; OK opens an entry. */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_ADD, ROW_CALENDAR, FIXED_ROWS };

struct sched_list {
    int year, month;
    /* the month's rows, rebuilt by each view: entry ids and first starts */
    int64_t *ids, *starts;
    size_t n, cap;
};

/* The entries with an occurrence in the month, by their first one. */
static void month_rows(struct st_station *st, struct sched_list *l)
{
    l->n = 0;
    int64_t from = st_month_start_utc(l->year, l->month, st->utc_offset_s);
    int64_t to = st_month_start_utc(l->year, l->month + 1, st->utc_offset_s);
    struct sch_occurrence *occ = NULL;
    size_t n = 0;
    if (sch_occurrences(st->plan.entries, st->plan.n_entries, from, to, &st->plan.query, &occ, &n) <
        0)
        return;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < l->n && !seen; k++)
            seen = l->ids[k] == occ[i].entry->id;
        if (seen) continue;
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 16;
            int64_t *ids = realloc(l->ids, cap * sizeof(*ids));
            if (ids) l->ids = ids;
            int64_t *starts = ids ? realloc(l->starts, cap * sizeof(*starts)) : NULL;
            if (starts) l->starts = starts;
            if (!ids || !starts) break;
            l->cap = cap;
        }
        l->ids[l->n] = occ[i].entry->id;
        l->starts[l->n++] = occ[i].start_utc;
    }
    free(occ);
}

static const struct sch_entry *entry_by_id(struct st_station *st, int64_t id)
{
    for (size_t i = 0; i < st->plan.n_entries; i++)
        if (st->plan.entries[i].id == id) return &st->plan.entries[i];
    return NULL;
}

static void change_month(struct sched_list *l, int delta)
{
    l->month += delta;
    while (l->month < 1) {
        l->month += 12;
        l->year--;
    }
    while (l->month > 12) {
        l->month -= 12;
        l->year++;
    }
}

static int list_action(struct st_station *st, struct st_page *page, enum rc_action action,
                       int64_t time_ns)
{
    (void)time_ns;
    struct sched_list *l = page->state;
    month_rows(st, l);
    size_t rows = FIXED_ROWS + l->n;
    if (st_page_list_move(page, rows, action) == 0) return 0;
    if (action == RC_ACTION_LEFT || action == RC_ACTION_CHANNEL_DOWN || action == RC_ACTION_RIGHT ||
        action == RC_ACTION_CHANNEL_UP) {
        change_month(l, action == RC_ACTION_LEFT || action == RC_ACTION_CHANNEL_DOWN ? -1 : 1);
        page->focus = 0;
        return 0;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus == ROW_ADD) return st_sched_editor_open(st, NULL, 0, NULL);
    if (page->focus == ROW_CALENDAR) return st_page_calendar_open(st, l->year, l->month);
    const struct sch_entry *e = entry_by_id(st, l->ids[page->focus - FIXED_ROWS]);
    return e ? st_sched_editor_open(st, e, 0, NULL) : 0;
}

static void list_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct sched_list *l = page->state;
    month_rows(st, l);
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_menu_str(m, st_tr(st, "Schedule: %d-%02d"), l->year, l->month);
    m->view.hint = st_tr(st, "Up/down: choose · OK: open · left/right: month · BACK: return");
    st_menu_item(m, st_tr(st, "+ Add a course"), NULL);
    st_menu_item(m, st_tr(st, "Calendar"), NULL);
    char repeat[64], duration[64];
    for (size_t i = 0; i < l->n; i++) {
        const struct sch_entry *e = entry_by_id(st, l->ids[i]);
        if (!e) continue;
        struct st_local at;
        st_local_from_utc(l->starts[i], st->utc_offset_s, &at);
        st_sched_repeat_label(st, e->weekdays, repeat, sizeof(repeat));
        st_sched_duration_label(st, e, duration, sizeof(duration));
        struct ui_menu_item *it = st_menu_item(
            m,
            st_menu_str(m, "%02d-%02d %s %02d:%02d  %s", at.month, at.day,
                        st_weekday_short(st, at.weekday), at.hour, at.minute, e->title),
            st_menu_str(m, "%s · %s · %s", duration, st_sched_kind_label(st, e->kind), repeat));
        it->warning = st_sched_entry_conflicts(st, e);
    }
    if (l->n == 0 && !m->view.message)
        m->view.message = st_tr(st, "No course this month: choose \"Add a course\"");
    if (page->focus >= (int)(FIXED_ROWS + l->n)) page->focus = 0;
    m->view.focus = page->focus;
}

static void list_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct sched_list *l = page->state;
    month_rows(st, l);
    char month[16];
    snprintf(month, sizeof(month), "%04d-%02d", l->year, l->month);
    sc_json_kv_string(j, "month", month);
    sc_json_key(j, "entry_ids"); /* the entry of each row after the fixed ones */
    sc_json_array_begin(j);
    for (size_t i = 0; i < l->n; i++)
        sc_json_int(j, l->ids[i]);
    sc_json_array_end(j);
}

static void list_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct sched_list *l = page->state;
    if (!l) return;
    free(l->ids);
    free(l->starts);
    free(l);
}

static const struct st_page_ops list_ops = {
    .name = "schedule",
    .action = list_action,
    .view = list_view,
    .status = list_status,
    .destroy = list_destroy,
};

int st_page_schedule_open(struct st_station *st)
{
    struct sched_list *l = calloc(1, sizeof(*l));
    if (!l) return -ENOMEM;
    struct st_local now;
    st_local_from_utc(st_now_utc(st), st->utc_offset_s, &now);
    l->year = now.year;
    l->month = now.month;
    return st_admin_push(st, &list_ops, l);
}
