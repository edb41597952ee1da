/* Two questions the editor asks: what a new or changed entry conflicts with
 * (before it is saved: go back and change it, or save anyway when the one
 * receiver can still do everything), and whether to really delete one. */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- conflicts ---- */

struct conflict_page {
    struct st_sched_editor *ed; /* the editor below this page */
    struct sch_conflict *conflicts;
    size_t n;
    bool save_allowed; /* no conflict needs the receiver twice */
};

static const struct sch_entry *entry_by_id(struct st_station *st, int64_t id)
{
    for (size_t i = 0; i < st->plan.n_entries; i++)
        if (st->plan.entries[i].id == id) return &st->plan.entries[i];
    return NULL;
}

/* Rows: one per conflict, then "go back", "save anyway". */
static int conflict_action(struct st_station *st, struct st_page *page, enum rc_action action,
                           int64_t time_ns)
{
    (void)time_ns;
    struct conflict_page *c = page->state;
    size_t rows = c->n + 2;
    if (st_page_list_move(page, rows, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if ((size_t)page->focus == c->n + 1) {
        if (!c->save_allowed) {
            st_admin_message(st, true,
                             "The receiver cannot capture one service while showing another: "
                             "change the time or the source");
            return 0;
        }
        struct st_sched_editor *ed = c->ed;
        SC_WARN(st->log, "menu: saving despite %zu conflict(s)", c->n);
        st_admin_pop(st); /* back on the editor, which saves and closes */
        return st_sched_editor_commit(st, ed);
    }
    st_admin_pop(st); /* a conflict row or "go back": change the entry */
    return 0;
}

static void conflict_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct conflict_page *c = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "Conflicts with other courses");
    for (size_t i = 0; i < c->n; i++) {
        const struct sch_conflict *k = &c->conflicts[i];
        const struct sch_entry *other = entry_by_id(st, k->b_id);
        struct st_local from, to;
        st_local_from_utc(k->b_start, st->utc_offset_s, &from);
        st_local_from_utc(k->b_end, st->utc_offset_s, &to);
        const char *what = k->type == SCH_CONFLICT_SCREEN
                               ? st_tr(st, "Two courses at once: %s")
                               : st_tr(st, "One receiver, another service: %s");
        struct ui_menu_item *it =
            st_menu_item(m, st_menu_str(m, what, other ? other->title : "?"),
                         st_menu_str(m, "%02d-%02d %02d:%02d-%02d:%02d", from.month, from.day,
                                     from.hour, from.minute, to.hour, to.minute));
        it->warning = true;
    }
    st_menu_item(m, st_tr(st, "Go back and change it"), NULL);
    struct ui_menu_item *save = st_menu_item(m, st_tr(st, "Save anyway"), NULL);
    save->disabled = !c->save_allowed;
    m->view.focus = page->focus;
    if (!m->view.message) {
        m->view.message = c->save_allowed
                              ? st_tr(st, "The courses overlap: change the time, or save anyway")
                              : st_tr(st, "The receiver cannot do both: change the time or the "
                                          "source");
        m->view.message_error = true;
    }
}

static void conflict_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct conflict_page *c = page->state;
    sc_json_kv_int(j, "conflicts", (int64_t)c->n);
    sc_json_kv_bool(j, "save_allowed", c->save_allowed);
    sc_json_key(j, "conflict_types");
    sc_json_array_begin(j);
    for (size_t i = 0; i < c->n; i++)
        sc_json_string(j, c->conflicts[i].type == SCH_CONFLICT_SCREEN ? "screen" : "tuner");
    sc_json_array_end(j);
}

static void conflict_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct conflict_page *c = page->state;
    if (!c) return;
    free(c->conflicts);
    free(c);
}

static const struct st_page_ops conflict_ops = {
    .name = "schedule_conflict",
    .action = conflict_action,
    .view = conflict_view,
    .status = conflict_status,
    .destroy = conflict_destroy,
};

int st_sched_conflicts_open(struct st_station *st, struct st_sched_editor *ed,
                            const struct sch_entry *candidate, struct sch_conflict *conflicts,
                            size_t n)
{
    struct conflict_page *c = calloc(1, sizeof(*c));
    if (!c) {
        free(conflicts);
        return -ENOMEM;
    }
    c->ed = ed;
    c->conflicts = conflicts;
    c->n = n;
    c->save_allowed = true;
    for (size_t i = 0; i < n; i++)
        if (conflicts[i].type == SCH_CONFLICT_TUNER) c->save_allowed = false;
    SC_INFO(st->log, "menu: \"%s\" conflicts with %zu entr%s", candidate->title, n,
            n == 1 ? "y" : "ies");
    int rc = st_admin_push(st, &conflict_ops, c);
    if (rc == 0) st_admin_top(st)->focus = (int)n; /* "go back" */
    return rc;
}

/* ---- deleting ---- */

#define MAX_REFERRERS 16

struct delete_page {
    int64_t id;
    char title[SCH_TITLE_MAX];
    int64_t referrers[MAX_REFERRERS]; /* "replay" entries playing its captures */
    size_t n_referrers;
};

static int remove_entry(struct st_station *st, struct delete_page *d)
{
    for (size_t i = 0; i < d->n_referrers; i++) { /* they would point at nothing */
        int rc = sch_db_remove(st->plan.schedule, d->referrers[i]);
        if (rc < 0 && rc != -ENOENT) {
            st_admin_message(st, true, "Cannot delete the course: %s", strerror(-rc));
            return 0;
        }
    }
    int rc = sch_db_remove(st->plan.schedule, d->id);
    if (rc < 0 && rc != -ENOENT) {
        st_sched_saved(st);
        st_admin_message(st, true, "Cannot delete the course: %s", strerror(-rc));
        return 0;
    }
    SC_INFO(st->log, "menu: schedule entry %lld \"%s\" deleted", (long long)d->id, d->title);
    char title[SCH_TITLE_MAX];
    snprintf(title, sizeof(title), "%s", d->title);
    st_sched_saved(st);
    st_admin_pop(st); /* this page */
    st_admin_pop(st); /* the editor of the deleted entry */
    st_admin_message(st, false, "Deleted: %s", title);
    return 0;
}

static int delete_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct delete_page *d = page->state;
    if (st_page_list_move(page, 2, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus == 1) return remove_entry(st, d);
    st_admin_pop(st);
    return 0;
}

static void delete_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct delete_page *d = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_menu_str(m, st_tr(st, "Delete \"%s\"?"), d->title);
    st_menu_item(m, st_tr(st, "No, keep it"), NULL);
    st_menu_item(m, st_tr(st, "Yes, delete it"), NULL)->warning = true;
    m->view.focus = page->focus;
    if (!m->view.message && d->n_referrers > 0) {
        m->view.message =
            st_menu_str(m, st_tr(st, "%zu course(s) replaying its captures are deleted with it"),
                        d->n_referrers);
        m->view.message_error = true;
    }
}

static void delete_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct delete_page *d = page->state;
    sc_json_kv_int(j, "delete_id", d->id);
    sc_json_kv_int(j, "delete_referrers", (int64_t)d->n_referrers);
}

static void delete_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops delete_ops = {
    .name = "schedule_delete",
    .action = delete_action,
    .view = delete_view,
    .status = delete_status,
    .destroy = delete_destroy,
};

int st_sched_delete_open(struct st_station *st, const struct sch_entry *entry)
{
    struct delete_page *d = calloc(1, sizeof(*d));
    if (!d) return -ENOMEM;
    d->id = entry->id;
    snprintf(d->title, sizeof(d->title), "%s", entry->title);
    size_t n =
        sch_referrers(st->plan.entries, st->plan.n_entries, entry->id, d->referrers, MAX_REFERRERS);
    d->n_referrers = n < MAX_REFERRERS ? n : MAX_REFERRERS;
    return st_admin_push(st, &delete_ops, d); /* focus 0: "keep it" */
}
