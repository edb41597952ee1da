/* Services: what the station's stream carries, scanned while the page is
 * open (scan.h: the demux pipeline on its own thread, never during a course:
 * the menu is shut then). Rows: the stream (OK: change it, admin_source.c),
 * the reception state, then one row per service with its name and kind; OK
 * on a service makes it the station's service (setting "service"). */
#include "kiosk/station/admin/admin.h"
#include "kiosk/station/scan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFRESH_NS    1000000000LL /* the scan's state and services, once a second */
#define ROW_STREAM    0
#define ROW_SIGNAL    1
#define FIRST_SERVICE 2

struct services_page {
    struct st_scan *scan; /* NULL: no stream to scan */
    char stream[SCH_LOCATION_MAX];
    int start_error;
    int64_t refresh_ns; /* the next look at the scan (set when the view is built) */
};

/* The station's stream: the source setting (or --source), the demo's stream
 * in the demo. */
static const char *station_stream(struct st_station *st)
{
    if (st->source && st->source[0]) return st->source;
    return st->demo ? st_demo_stream_path() : NULL;
}

static void scan_restart(struct st_station *st, struct services_page *p)
{
    st_scan_stop(p->scan);
    p->scan = NULL;
    p->start_error = 0;
    const char *stream = station_stream(st);
    snprintf(p->stream, sizeof(p->stream), "%s", stream ? stream : "");
    if (!stream) return;
    p->start_error = st_scan_start(st->log, stream, &p->scan);
    if (p->start_error < 0)
        SC_WARN(st->log, "services: cannot scan %s: %s", stream, strerror(-p->start_error));
}

static const char *kind_text(struct st_station *st, const struct dmx_service *s)
{
    switch (s->type) {
    case 0x01:
    case 0x11:
    case 0x16:
    case 0x19:
    case 0x1F:
        return st_tr(st, "TV");
    case 0x02:
    case 0x0A:
        return st_tr(st, "radio");
    default:
        return st_tr(st, "service");
    }
}

static const char *signal_text(struct st_station *st, struct st_menu *m,
                               const struct st_scan_info *info, bool *bad)
{
    *bad = false;
    switch (info->state) {
    case ST_SCAN_OPENING:
        return st_tr(st, "opening the stream…");
    case ST_SCAN_RECEIVING:
        if (info->signal.valid && !isnan(info->signal.strength_percent))
            return st_menu_str(m, st_tr(st, "receiving · strength %.0f%% · %llu errors"),
                               info->signal.strength_percent, (unsigned long long)info->cc_errors);
        return st_menu_str(m, st_tr(st, "receiving · %llu packets · %llu errors"),
                           (unsigned long long)info->packets, (unsigned long long)info->cc_errors);
    case ST_SCAN_NO_SIGNAL:
        *bad = true;
        return st_tr(st, "no signal");
    case ST_SCAN_DONE:
        return st_menu_str(m, st_tr(st, "file read · %llu packets"),
                           (unsigned long long)info->packets);
    default:
        *bad = true;
        return st_menu_str(m, st_tr(st, "cannot open the stream (%s)"), dmx_strerror(info->error));
    }
}

static int choose(struct st_station *st, const struct dmx_service *s)
{
    if (!s->actual || !s->pmt_pid) {
        st_admin_message(st, true, "%s is not carried on this stream", s->name);
        return 0;
    }
    char id[8];
    snprintf(id, sizeof(id), "%u", s->id);
    int rc = rec_setting_set(st->rec, "service", id);
    if (rc < 0) {
        st_admin_message(st, true, "Cannot save the setting (nothing changed): %s",
                         rec_strerror(rc));
        return 0;
    }
    st->service = s->id;
    SC_INFO(st->log, "settings: service = %u (%s)", s->id, s->name);
    st_admin_message(st, false, "The station's service is now %u %s", s->id, s->name);
    return 0;
}

static int services_action(struct st_station *st, struct st_page *page, enum rc_action action,
                           int64_t time_ns)
{
    (void)time_ns;
    struct services_page *p = page->state;
    struct st_scan_info info = {0};
    if (p->scan && st_scan_services(p->scan, &info) < 0) memset(&info, 0, sizeof(info));
    size_t rows = FIRST_SERVICE + info.n_services;
    int rc = -ENOTSUP;
    if (st_page_list_move(page, rows, action) == 0) {
        rc = 0;
    } else if (action == RC_ACTION_OK) {
        if (page->focus == ROW_STREAM)
            rc = st_page_source_open(st);
        else if (page->focus >= FIRST_SERVICE)
            rc = choose(st, &info.services[page->focus - FIRST_SERVICE]);
        else
            rc = 0;
    }
    st_scan_info_free(&info);
    return rc;
}

static void services_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct services_page *p = page->state;
    p->refresh_ns = sc_mono_ns() + REFRESH_NS;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "Services");
    m->view.hint = st_tr(st, "Up/down: choose · OK: the station's service, or change the stream");
    st_menu_item(m, st_tr(st, "Stream"),
                 p->stream[0] ? st_menu_str(m, "%s", p->stream) : st_tr(st, "(not set)"));
    struct st_scan_info info = {0};
    if (p->scan && st_scan_services(p->scan, &info) < 0) memset(&info, 0, sizeof(info));
    bool bad = true;
    const char *signal =
        !p->stream[0] ? st_tr(st, "choose the stream first")
        : !p->scan    ? st_menu_str(m, st_tr(st, "cannot scan (%s)"), strerror(-p->start_error))
                      : signal_text(st, m, &info, &bad);
    st_menu_item(m, st_tr(st, "Signal"), signal)->warning = bad;
    for (size_t i = 0; i < info.n_services; i++) {
        const struct dmx_service *s = &info.services[i];
        bool chosen = s->id == st->service;
        const char *name = s->name[0] ? s->name : st_tr(st, "(no name)");
        /* its state on this stream: carried, announced only, or elsewhere */
        const char *state = !s->actual     ? st_tr(st, "on another multiplex")
                            : !s->pmt_pid  ? st_tr(st, "announced, not on air")
                            : s->scrambled ? st_tr(st, "scrambled")
                            : chosen       ? st_tr(st, "station's service")
                                           : NULL;
        const char *value =
            state ? st_menu_str(m, "%s · %s", kind_text(st, s), state) : kind_text(st, s);
        struct ui_menu_item *it =
            st_menu_item(m, st_menu_str(m, "%s%u  %s", chosen ? "✓ " : "", s->id, name), value);
        it->warning = s->scrambled;
        it->disabled = !s->actual || !s->pmt_pid;
    }
    st_scan_info_free(&info);
    m->view.focus = page->focus;
}

static void services_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct services_page *p = page->state;
    struct st_scan_info info = {0};
    if (p->scan && st_scan_services(p->scan, &info) < 0) memset(&info, 0, sizeof(info));
    sc_json_kv_string(j, "scan", p->scan ? st_scan_state_name(info.state) : "none");
    sc_json_kv_int(j, "service", st->service);
    sc_json_key(j, "services");
    sc_json_array_begin(j);
    for (size_t i = 0; i < info.n_services; i++) {
        sc_json_object_begin(j);
        sc_json_kv_int(j, "id", info.services[i].id);
        sc_json_kv_string(j, "name", info.services[i].name);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
    st_scan_info_free(&info);
}

static void services_resume(struct st_station *st, struct st_page *page)
{
    struct services_page *p = page->state;
    const char *stream = station_stream(st);
    if (strcmp(p->stream, stream ? stream : "") != 0) { /* the stream changed: scan it */
        page->focus = ROW_STREAM;
        scan_restart(st, p);
    }
}

static int64_t services_deadline(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct services_page *p = page->state;
    return p->scan ? p->refresh_ns : INT64_MAX;
}

static void services_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct services_page *p = page->state;
    if (!p) return;
    st_scan_stop(p->scan);
    free(p);
}

static const struct st_page_ops services_ops = {
    .name = "services",
    .action = services_action,
    .view = services_view,
    .status = services_status,
    .resume = services_resume,
    .deadline_ns = services_deadline,
    .destroy = services_destroy,
};

int st_page_services_open(struct st_station *st)
{
    struct services_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    scan_restart(st, p);
    return st_admin_push(st, &services_ops, p);
}
