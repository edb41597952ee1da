/* Records: a month's viewing snapshots (proof of viewing), one at a time
 * with the remote: left/right step through them, session by session, BACK
 * returns. Each picture is read from the record (checked against the
 * SHA-256 in its event: an altered file is not shown) and decoded by
 * kiosk/snapshot into pixels for the ui. A pruned one (its month exported)
 * says so instead of a picture. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shot {
    struct rec_snapshot snap;
    char course[REC_COURSE_MAX + 1];
};

struct snapshots_page {
    char label[16]; /* "2026-11" */
    struct shot *shots;
    size_t n;
    size_t index;
    /* the shown one, decoded */
    uint8_t *argb;
    int width, height, stride;
    int read_rc; /* 0, -ENOENT (pruned or missing), REC_ETAMPER, -EINVAL */
};

static int add_session(struct st_station *st, struct snapshots_page *p,
                       const struct rec_session_summary *s)
{
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    int rc = rec_snapshots_list(st->rec, s->id, &list, &n);
    struct shot *grown = rc == 0 && n ? realloc(p->shots, (p->n + n) * sizeof(*grown)) : p->shots;
    if (rc == 0 && n && !grown) rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        p->shots = grown;
        p->shots[p->n].snap = list[i];
        snprintf(p->shots[p->n].course, sizeof(p->shots[0].course), "%s", s->course);
        p->n++;
    }
    free(list);
    return rc;
}

static int load(struct st_station *st, struct snapshots_page *p, int year, int month)
{
    snprintf(p->label, sizeof(p->label), "%04d-%02d", year, month);
    struct rec_period period;
    struct rec_session_summary *s = NULL;
    size_t n = 0;
    int rc = rec_period_parse(st->rec, 'm', p->label, &period);
    if (rc == 0) rc = rec_sessions(st->rec, period.from_utc, period.to_utc, &s, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = add_session(st, p, &s[i]);
    rec_sessions_free(s, n);
    return rc;
}

/* Reads and decodes the shown snapshot. */
static void decode(struct st_station *st, struct snapshots_page *p)
{
    free(p->argb);
    p->argb = NULL;
    if (p->index >= p->n) return;
    void *jpeg = NULL;
    size_t size = 0;
    p->read_rc = rec_snapshot_read(st->rec, &p->shots[p->index].snap, &jpeg, &size);
    if (p->read_rc == 0)
        p->read_rc = snap_decode_argb(jpeg, size, 0, &p->argb, &p->width, &p->height, &p->stride);
    if (p->read_rc != 0 && !p->shots[p->index].snap.pruned)
        SC_WARN(st->log, "menu: snapshot %d of session %s cannot be shown: %s",
                (int)p->shots[p->index].snap.number, p->shots[p->index].snap.session,
                rec_strerror(p->read_rc));
    free(jpeg);
}

static int snapshots_action(struct st_station *st, struct st_page *page, enum rc_action action,
                            int64_t time_ns)
{
    (void)time_ns;
    struct snapshots_page *p = page->state;
    if (action == RC_ACTION_UP || action == RC_ACTION_DOWN || action == RC_ACTION_OK) return 0;
    if (action != RC_ACTION_LEFT && action != RC_ACTION_RIGHT) return -ENOTSUP;
    if (p->n == 0) return 0;
    if (action == RC_ACTION_LEFT && p->index == 0) {
        st_admin_message(st, false, "This is the first picture of the month");
        return 0;
    }
    if (action == RC_ACTION_RIGHT && p->index + 1 >= p->n) {
        st_admin_message(st, false, "This is the last picture of the month");
        return 0;
    }
    p->index += action == RC_ACTION_LEFT ? (size_t)-1 : 1;
    decode(st, p);
    return 0;
}

static const char *kind_label(struct st_station *st, const char *kind)
{
    return strcmp(kind, "first") == 0  ? st_tr(st, "first picture")
           : strcmp(kind, "last") == 0 ? st_tr(st, "last picture")
                                       : st_tr(st, "periodic");
}

static void snapshots_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct snapshots_page *p = page->state;
    m->view.kind = UI_MENU_PICTURE;
    m->view.title = st_menu_str(m, st_tr(st, "Viewing snapshots %s"), p->label);
    m->view.hint = st_tr(st, "Left/right: another picture · BACK: return");
    m->view.focus = -1;
    if (p->n == 0) {
        m->view.u.picture.note = st_tr(st, "No snapshots this month");
        return;
    }
    const struct shot *s = &p->shots[p->index];
    m->view.u.picture = (struct ui_picture){
        .argb = p->argb, .width = p->width, .height = p->height, .stride = p->stride};
    m->view.u.picture.title = st_menu_str(m, "%zu / %zu", p->index + 1, p->n);
    m->view.u.picture.note = s->snap.pruned ? st_tr(st, "Removed after the month's export")
                             : p->read_rc == REC_ETAMPER
                                 ? st_tr(st, "Altered: not the picture recorded")
                                 : st_tr(st, "The picture is missing");
    char when[32];
    rec_format_local(s->snap.utc, st->utc_offset_s, when, sizeof(when));
    st_menu_item(m, st_tr(st, "Course"), s->course);
    st_menu_item(m, st_tr(st, "Taken"),
                 st_menu_str(m, "%s", when + 5)); /* the title has the year */
    st_menu_item(m, st_tr(st, "Which"), kind_label(st, s->snap.kind));
    st_menu_item(m, st_tr(st, "Brightness"), st_menu_str(m, "%.0f / 255", s->snap.mean_luma));
    struct ui_menu_item *black = st_menu_item(m, st_tr(st, "Black screen"),
                                              s->snap.black ? st_tr(st, "yes") : st_tr(st, "no"));
    black->warning = s->snap.black;
    struct ui_menu_item *frozen = st_menu_item(m, st_tr(st, "Same as the previous"),
                                               s->snap.frozen ? st_tr(st, "yes") : st_tr(st, "no"));
    frozen->warning = s->snap.frozen;
}

/* `ctl status`: which snapshot is shown and whether its picture is. */
static void snapshots_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct snapshots_page *p = page->state;
    sc_json_key(j, "snapshots");
    sc_json_object_begin(j);
    sc_json_kv_string(j, "period", p->label);
    sc_json_kv_int(j, "count", (int64_t)p->n);
    sc_json_kv_int(j, "index", (int64_t)p->index);
    if (p->index < p->n) {
        const struct rec_snapshot *s = &p->shots[p->index].snap;
        sc_json_kv_string(j, "session", s->session);
        sc_json_kv_string(j, "kind", s->kind);
        sc_json_kv_bool(j, "black", s->black);
        sc_json_kv_bool(j, "frozen", s->frozen);
        sc_json_kv_bool(j, "pruned", s->pruned);
        sc_json_kv_bool(j, "shown", p->argb != NULL);
        sc_json_kv_int(j, "width", p->argb ? p->width : 0);
    }
    sc_json_object_end(j);
}

static void snapshots_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct snapshots_page *p = page->state;
    free(p->argb);
    free(p->shots);
    free(p);
}

static const struct st_page_ops snapshots_ops = {
    .name = "records_snapshots",
    .action = snapshots_action,
    .view = snapshots_view,
    .status = snapshots_status,
    .destroy = snapshots_destroy,
};

int st_page_records_snapshots_open(struct st_station *st, int year, int month)
{
    struct snapshots_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    int rc = load(st, p, year, month);
    if (rc < 0) {
        st_admin_message(st, true, "The record cannot be read: %s", rec_strerror(rc));
        free(p->shots);
        free(p);
        return 0;
    }
    decode(st, p);
    return st_admin_push(st, &snapshots_ops, p);
}
