/* Reception as the kiosk sees it, from the player (which reads transport
 * streams through the demux pipeline): signal present or not (the player
 * declares an outage after 2 s without data of the playing service and wakes
 * the loop when the state changes), the stream's broadcast time (TDT/TOT)
 * and the EIT guide for "until the broadcast event ends". A live source that
 * fails to open or ends is "no signal" until a new player plays again. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_reception_attach(struct st_reception *r, struct player *player, int64_t now_ns)
{
    r->player = player;
    r->attached = true;
    r->attached_ns = now_ns;
    r->last_picture_ns = 0;
    /* source_failed stays: after a failure there is no signal until a picture */
}

void st_reception_detach(struct st_reception *r)
{
    r->player = NULL;
    r->attached = false;
    r->last_picture_ns = 0;
    r->source_failed = false;
}

void st_reception_picture(struct st_reception *r, int64_t now_ns)
{
    r->last_picture_ns = now_ns;
    r->source_failed = false;
}

void st_reception_failed(struct st_reception *r)
{
    r->source_failed = true;
}

enum ui_signal st_reception_signal(const struct st_reception *r, int64_t now_ns)
{
    (void)now_ns;
    if (r->source_failed) return UI_SIGNAL_NONE; /* also between retries */
    if (!r->attached || !r->player) return UI_SIGNAL_UNKNOWN;
    if (!player_signal(r->player)) return UI_SIGNAL_NONE;
    /* opening: no outage yet, but nothing shown either */
    return r->last_picture_ns ? UI_SIGNAL_GOOD : UI_SIGNAL_UNKNOWN;
}

int64_t st_reception_next_change_ns(const struct st_reception *r, int64_t now_ns)
{
    (void)r;
    (void)now_ns;
    return INT64_MAX; /* the player's wakeup tells */
}

int st_reception_broadcast_time(struct st_reception *r, int64_t *utc_minus_mono_ns)
{
    struct dmx_time t;
    if (r->player && player_broadcast_time(r->player, &t) == 0) {
        r->broadcast_utc_minus_mono_ns = t.utc * 1000000000LL - t.received_mono_ns;
        r->has_broadcast_time = true;
    }
    /* once the stream told the time, it stays the station's clock */
    if (!r->has_broadcast_time) return -ENOENT;
    *utc_minus_mono_ns = r->broadcast_utc_minus_mono_ns;
    return 0;
}

int st_reception_event_end(const struct st_reception *r, int service, int64_t at_utc,
                           int64_t *end_utc)
{
    if (!r->player) return -ENOENT;
    struct dmx_event *events = NULL;
    size_t n = 0;
    int rc = player_events(r->player, service, &events, &n);
    if (rc < 0) return rc;
    rc = -ENOENT;
    for (size_t i = 0; i < n; i++)
        if (events[i].start <= at_utc && at_utc < events[i].start + events[i].duration) {
            *end_utc = events[i].start + events[i].duration;
            rc = 0;
            break;
        }
    dmx_events_free(events, n);
    return rc;
}

static bool set_text(char *dst, size_t size, const char *src)
{
    if (strncmp(dst, src, size - 1) == 0) return false;
    snprintf(dst, size, "%s", src);
    return true;
}

bool st_reception_names_turn(struct st_reception *r, int service, int64_t now_utc, int64_t now_ns)
{
    if (!r->player) {
        bool had = r->service_name[0] || r->event_title[0];
        r->service_name[0] = r->event_title[0] = '\0';
        r->names_checked_ns = 0;
        return had;
    }
    if (r->names_checked_ns && now_ns - r->names_checked_ns < 2000000000LL) return false;
    r->names_checked_ns = now_ns;
    if (service < 0) service = player_service(r->player); /* a URL: what the player chose */
    if (service < 0) return false;
    const char *name = "", *title = "";
    struct dmx_service *services = NULL;
    size_t n_services = 0;
    if (player_services(r->player, &services, &n_services) < 0) n_services = 0;
    for (size_t i = 0; i < n_services; i++)
        if (services[i].actual && services[i].id == service) name = services[i].name;
    struct dmx_event *events = NULL;
    size_t n_events = 0;
    if (player_events(r->player, service, &events, &n_events) < 0) n_events = 0;
    for (size_t i = 0; i < n_events; i++)
        if (events[i].start <= now_utc && now_utc < events[i].start + events[i].duration) {
            title = events[i].title;
            break;
        }
    bool changed = set_text(r->service_name, sizeof(r->service_name), name);
    changed |= set_text(r->event_title, sizeof(r->event_title), title);
    dmx_services_free(services, n_services);
    dmx_events_free(events, n_events);
    return changed;
}
