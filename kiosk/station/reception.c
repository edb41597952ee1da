/* Reception as the kiosk sees it: signal present or not, and (once the
 * player offers the demux's service information) the guide and broadcast
 * time. Today the player reports only pictures, so an outage is "no picture
 * for outage_ns while not paused", and a live source that fails to open or
 * ends is "no signal" until it plays again. This file is the one place to
 * change when the player exposes dmx outages, the EIT guide and TDT/TOT. */
#include "internal.h"

#include <errno.h>

void st_reception_attach(struct st_reception *r, int64_t now_ns)
{
    if (!r->outage_ns) r->outage_ns = 2000000000LL; /* demux's default outage_ms */
    /* reopening after a failure: still no signal until a picture comes */
    bool was_failed = r->source_failed || (r->attached && r->last_picture_ns &&
                                           now_ns - r->last_picture_ns >= r->outage_ns);
    r->attached = true;
    r->attached_ns = now_ns;
    r->last_picture_ns = 0;
    r->source_failed = was_failed;
    r->paused = false;
}

void st_reception_detach(struct st_reception *r)
{
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

enum sc_ui_signal st_reception_signal(const struct st_reception *r, int64_t now_ns)
{
    if (r->source_failed) return SC_UI_SIGNAL_NONE; /* also between retries */
    if (!r->attached) return SC_UI_SIGNAL_UNKNOWN;
    if (r->paused) return SC_UI_SIGNAL_GOOD;
    int64_t since = r->last_picture_ns ? r->last_picture_ns : r->attached_ns;
    if (now_ns - since >= r->outage_ns) return SC_UI_SIGNAL_NONE;
    /* opening: nothing yet, but not long enough to call it an outage */
    return r->last_picture_ns ? SC_UI_SIGNAL_GOOD : SC_UI_SIGNAL_UNKNOWN;
}

int64_t st_reception_next_change_ns(const struct st_reception *r, int64_t now_ns)
{
    if (!r->attached || r->source_failed || r->paused) return INT64_MAX;
    int64_t since = r->last_picture_ns ? r->last_picture_ns : r->attached_ns;
    int64_t at = since + r->outage_ns;
    return at > now_ns ? at : INT64_MAX;
}

int st_reception_broadcast_time(const struct st_reception *r, int64_t *utc_minus_mono_ns)
{
    (void)r;
    (void)utc_minus_mono_ns;
    return -ENOENT; /* the player does not pass the stream's TDT/TOT on yet */
}

int st_reception_event_end(const struct st_reception *r, int service, int64_t at_utc,
                           int64_t *end_utc)
{
    (void)r;
    (void)service;
    (void)at_utc;
    (void)end_utc;
    return -ENOENT; /* no guide from the player yet: the schedule's fallback applies */
}
