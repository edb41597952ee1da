/* The Guide section: the EIT guide of the station's stream as services x
 * time, read by a background scan (scan.h) since the menu only opens while
 * no course plays. Left/right go through a service's events, up/down
 * between services, channel up/down a page of time; OK offers "schedule
 * live" or "capture for later" and opens the editor prefilled from the event
 * (title, start, duration) for the administrator to confirm. Events already
 * in the schedule are marked. Services of other multiplexes (SDT/EIT other)
 * have rows too, named from the SDT other, after ours; the guide is keyed by
 * service id, so one that shares an id with ours is left out (so are its
 * events: demux drops them), and their events cannot be scheduled here. */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_S   (3 * 3600) /* the grid shows three hours */
#define REFRESH_NS 500000000LL

struct guide_page {
    struct st_scan *scan;   /* NULL: no stream to read */
    bool stream_is_station; /* the scan reads st->source: service:N needs no @URL */
    int focus_service;      /* the focused event's service, -1 none yet */
    int64_t focus_start;    /* and its start */
    int64_t from_utc;       /* the window's start */
    /* the last snapshot (refreshed by each view/action) */
    struct st_scan_info info;
    struct dmx_event *events;
    size_t n_events;
    /* the view's arrays (they must outlive the view's build: kept here) */
    struct ui_guide_service *ui_services;
    struct ui_guide_event *ui_events;
    size_t cap_services, cap_events;
};

static bool grow_arrays(struct guide_page *g, size_t services, size_t events)
{
    if (services > g->cap_services) {
        void *p = realloc(g->ui_services, services * sizeof(*g->ui_services));
        if (!p) return false;
        g->ui_services = p;
        g->cap_services = services;
    }
    if (events > g->cap_events) {
        void *p = realloc(g->ui_events, events * sizeof(*g->ui_events));
        if (!p) return false;
        g->ui_events = p;
        g->cap_events = events;
    }
    return true;
}

/* The service row `id` stands for: ours, else the first of another
 * multiplex with that id (services come sorted: ours first). */
static const struct dmx_service *row_service(const struct guide_page *g, int id)
{
    for (size_t i = 0; i < g->info.n_services; i++)
        if (g->info.services[i].id == id) return &g->info.services[i];
    return NULL;
}

/* Services shown: each id once (the guide is keyed by service id). */
static bool shown_service(const struct guide_page *g, size_t i)
{
    return row_service(g, g->info.services[i].id) == &g->info.services[i];
}

static void refresh(struct guide_page *g)
{
    st_scan_info_free(&g->info);
    dmx_events_free(g->events, g->n_events);
    g->events = NULL;
    g->n_events = 0;
    if (!g->scan) return;
    if (st_scan_services(g->scan, &g->info) < 0) memset(&g->info, 0, sizeof(g->info));
    if (st_scan_events(g->scan, -1, &g->events, &g->n_events) < 0) g->n_events = 0;
}

static int service_row(const struct guide_page *g, int service_id)
{
    int row = 0;
    for (size_t i = 0; i < g->info.n_services; i++) {
        if (!shown_service(g, i)) continue;
        if (g->info.services[i].id == service_id) return row;
        row++;
    }
    return -1;
}

static int service_at_row(const struct guide_page *g, int row)
{
    for (size_t i = 0; i < g->info.n_services; i++) {
        if (!shown_service(g, i)) continue;
        if (row-- == 0) return g->info.services[i].id;
    }
    return -1;
}

static int n_rows(const struct guide_page *g)
{
    int n = 0;
    for (size_t i = 0; i < g->info.n_services; i++)
        n += shown_service(g, i);
    return n;
}

static const struct dmx_event *focused(const struct guide_page *g)
{
    for (size_t i = 0; i < g->n_events; i++)
        if (g->events[i].service_id == g->focus_service && g->events[i].start == g->focus_start)
            return &g->events[i];
    return NULL;
}

/* The event of `service` airing at `at`, else the first after it, else the
 * last before it. */
static const struct dmx_event *event_near(const struct guide_page *g, int service, int64_t at)
{
    const struct dmx_event *after = NULL, *before = NULL;
    for (size_t i = 0; i < g->n_events; i++) {
        const struct dmx_event *e = &g->events[i];
        if (e->service_id != service) continue;
        if (e->start <= at && at < e->start + e->duration) return e;
        if (e->start > at && (!after || e->start < after->start)) after = e;
        if (e->start <= at && (!before || e->start > before->start)) before = e;
    }
    return after ? after : before;
}

static void focus_on(struct guide_page *g, const struct dmx_event *e)
{
    if (!e) return;
    g->focus_service = e->service_id;
    g->focus_start = e->start;
    /* keep the focused event's start in the window, on a half hour */
    if (e->start < g->from_utc || e->start >= g->from_utc + WINDOW_S - 1800)
        g->from_utc = e->start - e->start % 1800;
}

/* The first look: the first service's event airing now (or next). */
static void initial_focus(struct st_station *st, struct guide_page *g)
{
    if (focused(g)) return;
    int64_t now = st_now_utc(st);
    for (int row = 0; row < n_rows(g); row++) {
        const struct dmx_event *e = event_near(g, service_at_row(g, row), now);
        if (e) {
            g->from_utc = now - now % 1800;
            focus_on(g, e);
            return;
        }
    }
    if (!g->from_utc) g->from_utc = now - now % 1800;
}

/* The neighbour of the focused event on its service (dir -1/+1). */
static const struct dmx_event *next_on_service(const struct guide_page *g, int dir)
{
    const struct dmx_event *best = NULL;
    for (size_t i = 0; i < g->n_events; i++) {
        const struct dmx_event *e = &g->events[i];
        if (e->service_id != g->focus_service) continue;
        if (dir > 0 && e->start > g->focus_start && (!best || e->start < best->start)) best = e;
        if (dir < 0 && e->start < g->focus_start && (!best || e->start > best->start)) best = e;
    }
    return best;
}

static void prefill(struct st_station *st, const struct guide_page *g, const struct dmx_event *e,
                    enum sch_kind kind, struct sch_entry *entry)
{
    sch_entry_init(entry);
    snprintf(entry->title, sizeof(entry->title), "%s", e->title);
    entry->start_utc = e->start;
    entry->utc_offset_s = st->utc_offset_s;
    entry->duration_min = (e->duration + 59) / 60;
    if (entry->duration_min < 1) entry->duration_min = 1;
    if (entry->duration_min > SCH_MAX_MINUTES) entry->duration_min = SCH_MAX_MINUTES;
    entry->kind = kind;
    entry->counts = sch_kind_counts_by_default(kind);
    const char *url = st_scan_url(g->scan);
    char text[SCH_LOCATION_MAX + 32];
    if (g->stream_is_station)
        snprintf(text, sizeof(text), "service:%u", e->service_id);
    else
        snprintf(text, sizeof(text), "service:%u@%s", e->service_id, url);
    if (sch_source_parse(text, &entry->source, NULL, 0) < 0) {
        /* the demo's file has no URL form: a live course plays the file */
        entry->source.type = SCH_SOURCE_FILE;
        snprintf(entry->source.location, sizeof(entry->source.location), "%s", url);
    }
}

/* True when a saved entry plays or captures this event (same service, an
 * occurrence overlapping it). */
static bool is_scheduled(struct st_station *st, const struct guide_page *g,
                         const struct dmx_event *e, const struct sch_occurrence *occ, size_t n_occ)
{
    const char *url = st_scan_url(g->scan);
    for (size_t i = 0; i < n_occ; i++) {
        const struct sch_source *s = &occ[i].entry->source;
        bool same = s->type == SCH_SOURCE_SERVICE && s->service_id == e->service_id &&
                    (s->location[0] ? strcmp(s->location, url) == 0 : g->stream_is_station);
        same |= s->type == SCH_SOURCE_FILE && strcmp(s->location, url) == 0;
        if (same && occ[i].start_utc < e->start + e->duration && e->start < occ[i].end_utc)
            return true;
    }
    (void)st;
    return false;
}

/* ---- "schedule live" / "capture for later" ---- */

struct choose_page {
    struct guide_page *guide; /* below this page */
    struct dmx_event event;   /* title/description not kept: copied into the entry */
    char title[SCH_TITLE_MAX];
};

static int choose_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct choose_page *c = page->state;
    if (st_page_list_move(page, 2, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    struct sch_entry entry;
    struct dmx_event e = c->event;
    e.title = c->title;
    prefill(st, c->guide, &e, page->focus == 0 ? SCH_LIVE : SCH_CAPTURE, &entry);
    struct st_scan *scan = c->guide->scan;
    st_admin_pop(st); /* c is gone: the editor opens over the guide */
    return st_sched_editor_open(st, &entry, 0, scan);
}

static void choose_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct choose_page *c = page->state;
    m->view.kind = UI_MENU_LIST;
    struct st_local from, to;
    st_local_from_utc(c->event.start, st->utc_offset_s, &from);
    st_local_from_utc(c->event.start + c->event.duration, st->utc_offset_s, &to);
    m->view.title = c->title; /* the time below: a long title leaves it no room on 4:3 */
    if (!m->view.message)
        m->view.message = st_menu_str(m, "%02d-%02d %02d:%02d-%02d:%02d", from.month, from.day,
                                      from.hour, from.minute, to.hour, to.minute);
    st_menu_item(m, st_tr(st, "Schedule it live"), st_tr(st, "watch it when it airs"));
    st_menu_item(m, st_tr(st, "Capture it for later"), st_tr(st, "into the course library"));
    m->view.focus = page->focus;
}

static void choose_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

/* ---- the grid ---- */

static int guide_action(struct st_station *st, struct st_page *page, enum rc_action action,
                        int64_t time_ns)
{
    (void)time_ns;
    struct guide_page *g = page->state;
    refresh(g);
    initial_focus(st, g);
    const struct dmx_event *cur = focused(g);
    switch (action) {
    case RC_ACTION_LEFT:
    case RC_ACTION_RIGHT:
        focus_on(g, next_on_service(g, action == RC_ACTION_RIGHT ? 1 : -1));
        return 0;
    case RC_ACTION_UP:
    case RC_ACTION_DOWN: {
        int rows = n_rows(g), row = service_row(g, g->focus_service);
        if (rows == 0) return 0;
        for (int k = 1; k < rows; k++) { /* the next row that has an event */
            int r = ((row < 0 ? 0 : row) + (action == RC_ACTION_DOWN ? k : -k) + rows) % rows;
            int64_t t = cur ? (cur->start > g->from_utc ? cur->start : g->from_utc) : g->from_utc;
            const struct dmx_event *e = event_near(g, service_at_row(g, r), t);
            if (e) {
                focus_on(g, e);
                break;
            }
        }
        return 0;
    }
    case RC_ACTION_CHANNEL_UP:
    case RC_ACTION_CHANNEL_DOWN: { /* a page of time */
        int64_t t = g->from_utc + (action == RC_ACTION_CHANNEL_UP ? WINDOW_S : -WINDOW_S);
        const struct dmx_event *e = event_near(g, g->focus_service, t);
        if (e) focus_on(g, e);
        if (!e || e->start < t || e->start >= t + WINDOW_S) g->from_utc = t - t % 1800;
        return 0;
    }
    case RC_ACTION_OK: {
        if (!cur) {
            st_admin_message(st, true, "No event chosen: the guide has none yet");
            return 0;
        }
        const struct dmx_service *sv = row_service(g, cur->service_id);
        if (sv && !sv->actual) {
            st_admin_message(st, true,
                             "This service is on another multiplex: tune to it to "
                             "schedule its events");
            return 0;
        }
        if (cur->start + cur->duration <= st_now_utc(st)) {
            st_admin_message(st, true, "This event is over: choose a coming one");
            return 0;
        }
        struct choose_page *c = calloc(1, sizeof(*c));
        if (!c) return -ENOMEM;
        c->guide = g;
        c->event = *cur;
        c->event.title = c->event.description = c->event.extended = NULL;
        snprintf(c->title, sizeof(c->title), "%s", cur->title);
        static const struct st_page_ops ops = {
            .name = "guide_choose",
            .action = choose_action,
            .view = choose_view,
            .destroy = choose_destroy,
        };
        return st_admin_push(st, &ops, c);
    }
    default:
        return -ENOTSUP;
    }
}

static void guide_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct guide_page *g = page->state;
    refresh(g);
    initial_focus(st, g);
    m->view.kind = UI_MENU_GUIDE;
    m->view.title = st_tr(st, "Programme guide");
    m->view.hint = st_tr(st, "Left/right: time · up/down: service · channel +/-: 3 hours · OK: "
                             "schedule");
    struct ui_guide *gv = &m->view.u.guide;
    gv->from_utc = g->from_utc;
    gv->to_utc = g->from_utc + WINDOW_S;
    gv->focus = -1;
    int rows = n_rows(g);
    if (!grow_arrays(g, (size_t)rows, g->n_events)) {
        m->failed = true;
        return;
    }
    struct ui_guide_service *services = g->ui_services;
    struct ui_guide_event *events = g->ui_events;
    for (int r = 0; r < rows; r++) {
        int id = service_at_row(g, r);
        services[r].service_id = id;
        const struct dmx_service *sv = row_service(g, id);
        services[r].name = sv && sv->name[0] ? st_menu_str(m, "%s", sv->name)
                                             : st_menu_str(m, st_tr(st, "Service %d"), id);
    }
    struct sch_occurrence *occ = NULL;
    size_t n_occ = 0;
    if (sch_occurrences(st->plan.entries, st->plan.n_entries, gv->from_utc - 86400, gv->to_utc,
                        &st->plan.query, &occ, &n_occ) < 0)
        n_occ = 0;
    size_t n = 0;
    for (size_t i = 0; i < g->n_events; i++) {
        const struct dmx_event *e = &g->events[i];
        int row = service_row(g, e->service_id);
        if (row < 0 || e->start >= gv->to_utc || e->start + e->duration <= gv->from_utc) continue;
        events[n] = (struct ui_guide_event){
            .row = row,
            .start_utc = e->start,
            .end_utc = e->start + e->duration,
            .title = st_menu_str(m, "%s", e->title),
            .scheduled = is_scheduled(st, g, e, occ, n_occ),
        };
        if (e->service_id == g->focus_service && e->start == g->focus_start) {
            gv->focus = (int)n;
            const char *text = e->description[0] ? e->description : e->extended;
            struct st_local a, b;
            st_local_from_utc(e->start, st->utc_offset_s, &a);
            st_local_from_utc(e->start + e->duration, st->utc_offset_s, &b);
            gv->description =
                st_menu_str(m, "%02d-%02d %02d:%02d-%02d:%02d  %s%s%s", a.month, a.day, a.hour,
                            a.minute, b.hour, b.minute, e->title, text[0] ? " · " : "", text);
        }
        n++;
    }
    free(occ);
    gv->services = services;
    gv->n_services = (size_t)rows;
    gv->events = events;
    gv->n_events = n;
    struct st_scan_info *info = &g->info;
    if (!m->view.message) {
        if (!g->scan) {
            m->view.message = st_tr(st, "No station stream is set: choose one under Services");
            m->view.message_error = true;
        } else if (info->state == ST_SCAN_FAILED) {
            m->view.message =
                st_menu_str(m, st_tr(st, "Cannot read the stream: %s"), dmx_strerror(info->error));
            m->view.message_error = true;
        } else if (g->n_events == 0) {
            m->view.message = info->state == ST_SCAN_DONE
                                  ? st_tr(st, "The stream carries no programme guide")
                                  : st_tr(st, "Reading the programme guide from the stream…");
            m->view.message_error = info->state == ST_SCAN_DONE;
        }
    }
}

static void guide_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct guide_page *g = page->state;
    refresh(g);
    initial_focus(st, g);
    sc_json_kv_string(j, "scan", g->scan ? st_scan_state_name(g->info.state) : "none");
    sc_json_kv_int(j, "guide_events", (int64_t)g->n_events);
    sc_json_key(j, "services");
    sc_json_array_begin(j);
    for (int r = 0; r < n_rows(g); r++)
        sc_json_int(j, service_at_row(g, r));
    sc_json_array_end(j);
    const struct dmx_event *e = focused(g);
    sc_json_key(j, "event");
    if (!e) {
        sc_json_null(j);
        return;
    }
    sc_json_object_begin(j);
    sc_json_kv_int(j, "service", e->service_id);
    const struct dmx_service *sv = row_service(g, e->service_id);
    sc_json_kv_string(j, "service_name", sv ? sv->name : "");
    sc_json_kv_bool(j, "other_multiplex", sv && !sv->actual);
    sc_json_kv_string(j, "title", e->title);
    char text[40];
    sch_format_local(e->start, st->utc_offset_s, text, sizeof(text));
    sc_json_kv_string(j, "start", text);
    sch_format_local(e->start + e->duration, st->utc_offset_s, text, sizeof(text));
    sc_json_kv_string(j, "end", text);
    struct sch_occurrence *occ = NULL;
    size_t n_occ = 0;
    if (sch_occurrences(st->plan.entries, st->plan.n_entries, e->start - 86400,
                        e->start + e->duration, &st->plan.query, &occ, &n_occ) < 0)
        n_occ = 0;
    sc_json_kv_bool(j, "scheduled", is_scheduled(st, g, e, occ, n_occ));
    free(occ);
    sc_json_object_end(j);
}

/* While the scan runs, the grid fills in by itself. */
static int64_t guide_deadline(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct guide_page *g = page->state;
    if (!g->scan) return INT64_MAX;
    bool done = g->info.state == ST_SCAN_DONE || g->info.state == ST_SCAN_FAILED;
    return done ? INT64_MAX : sc_mono_ns() + REFRESH_NS;
}

static void guide_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct guide_page *g = page->state;
    if (!g) return;
    st_scan_stop(g->scan);
    st_scan_info_free(&g->info);
    dmx_events_free(g->events, g->n_events);
    free(g->ui_services);
    free(g->ui_events);
    free(g);
}

static const struct st_page_ops guide_ops = {
    .name = "guide",
    .action = guide_action,
    .view = guide_view,
    .status = guide_status,
    .deadline_ns = guide_deadline,
    .destroy = guide_destroy,
};

int st_page_guide_open(struct st_station *st)
{
    struct guide_page *g = calloc(1, sizeof(*g));
    if (!g) return -ENOMEM;
    g->focus_service = -1;
    const char *stream = st_sched_station_stream(st);
    g->stream_is_station = stream && st->source && strcmp(stream, st->source) == 0;
    if (stream) {
        int rc = st_scan_start(st->log, stream, &g->scan);
        if (rc < 0) SC_WARN(st->log, "guide: cannot scan %s: %s", stream, strerror(-rc));
    }
    return st_admin_push(st, &guide_ops, g);
}
