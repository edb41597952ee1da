/* The broadcast clock at idle: a village receiver after a power cut (no RTC
 * battery, no network) can be hours off, so while no course holds the
 * station's stream a short background scan of it (scan.h) learns the
 * broadcast time from its TDT/TOT: at start-up and every
 * ST_CLOCK_SCAN_EVERY_NS, for at most ST_CLOCK_SCAN_MAX_NS or until the time
 * arrives. The learned utc - mono is the station clock while it is fresh
 * (the monotonic clock carries it between scans); a course's player, when it
 * has the time, is newer and wins.
 *
 * The stream is given up to anyone else: a course or a capture opening it
 * and the menu (whose Guide/Services pages scan it themselves: a DVB tuner
 * opens once) stop the scan first (st_clock_scan_release). A captured
 * file tells when it was broadcast, not the time now: only live sources are
 * scanned. The scan's thread never calls back: the loop looks at it at most
 * every ST_CLOCK_SCAN_CHECK_NS, a deadline of its turn. Loop thread only. */
#include "kiosk/station/internal.h"
#include "kiosk/station/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_CLOCK_SCAN_EVERY_NS (10 * 60 * 1000000000LL)
#define ST_CLOCK_SCAN_MAX_NS   (30 * 1000000000LL)
#define ST_CLOCK_SCAN_CHECK_NS 1000000000LL
/* Beyond this the learned time is not trusted any more (a monotonic clock
 * drifts well under a second a day, but a suspend stops it). */
#define ST_CLOCK_FRESH_NS (24 * 3600 * 1000000000LL)

struct st_clock_scan {
    struct st_scan *scan;            /* NULL: not scanning */
    int64_t started_ns;              /* of the running scan */
    int64_t check_ns;                /* the next look at the running scan */
    int64_t next_ns;                 /* the next scan (0: at once) */
    bool learned;                    /* a TDT/TOT was seen (by a scan or a course) */
    int64_t utc_minus_mono_ns;       /* what it told */
    int64_t received_ns;             /* when it arrived (mono) */
    char last_url[SCH_LOCATION_MAX]; /* the last scan's: a new stream is scanned at once */
};

int st_clock_scan_create(struct st_clock_scan **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : -ENOMEM;
}

static void stop_scan(struct st_station *st, struct st_clock_scan *cs, const char *why)
{
    if (!cs->scan) return;
    SC_INFO(st->log, "clock scan: stopped (%s)", why);
    st_scan_stop(cs->scan);
    cs->scan = NULL;
}

void st_clock_scan_destroy(struct st_station *st)
{
    if (!st->clock.scan) return;
    stop_scan(st, st->clock.scan, "shutdown");
    free(st->clock.scan);
    st->clock.scan = NULL;
}

void st_clock_scan_release(struct st_station *st)
{
    struct st_clock_scan *cs = st->clock.scan;
    if (!cs || !cs->scan) return;
    stop_scan(st, cs, "the stream is needed");
    cs->next_ns = 0; /* cut short: again once the stream is free */
}

static void learn(struct st_clock_scan *cs, const struct dmx_time *t)
{
    cs->learned = true;
    cs->utc_minus_mono_ns = t->utc * 1000000000LL - t->received_mono_ns;
    cs->received_ns = t->received_mono_ns;
}

int st_clock_broadcast(struct st_station *st, int64_t *utc_minus_mono_ns)
{
    struct st_clock_scan *cs = st->clock.scan;
    if (!cs) return -ENOENT;
    struct dmx_time t;
    /* the course's player reads the stream now: its time is the newest */
    if (st->reception.player && player_broadcast_time(st->reception.player, &t) == 0 &&
        (!cs->learned || t.received_mono_ns >= cs->received_ns))
        learn(cs, &t);
    if (!cs->learned || sc_mono_ns() - cs->received_ns > ST_CLOCK_FRESH_NS) return -ENOENT;
    *utc_minus_mono_ns = cs->utc_minus_mono_ns;
    return 0;
}

/* A live stream (not a file, not stdin) to learn the time from: the
 * station's stream, else that of the first "service:N@URL" entry. */
static const char *clock_stream(const struct st_station *st)
{
    const char *url = st->source;
    for (size_t i = 0; !url && i < st->plan.n_entries; i++) {
        const struct sch_source *s = &st->plan.entries[i].source;
        if (s->type == SCH_SOURCE_SERVICE && s->location[0]) url = s->location;
    }
    if (!url || !strstr(url, "://") || strncmp(url, "file://", 7) == 0) return NULL;
    return url;
}

static bool stream_free(const struct st_station *st)
{
    if (st->course.active || st->screen == UI_SCREEN_MENU) return false;
    for (int i = 0; i < ST_MAX_CAPTURES; i++)
        if (st->captures[i]) return false;
    return true;
}

void st_clock_scan_turn(struct st_station *st, int64_t now_ns)
{
    struct st_clock_scan *cs = st->clock.scan;
    if (!cs) return;
    const char *url = st->clock.system_only || st->demo ? NULL : clock_stream(st);
    if (cs->scan && (!url || strcmp(url, st_scan_url(cs->scan)) != 0)) {
        stop_scan(st, cs, url ? "the station's stream changed" : "not wanted");
        cs->next_ns = url ? 0 : now_ns + ST_CLOCK_SCAN_EVERY_NS;
    }
    if (cs->scan && !stream_free(st)) {
        st_clock_scan_release(st);
        return;
    }
    if (!cs->scan) {
        if (!url || !stream_free(st)) return;
        if (strcmp(url, cs->last_url) != 0) cs->next_ns = 0;
        if (now_ns < cs->next_ns) return;
        snprintf(cs->last_url, sizeof(cs->last_url), "%s", url);
        int rc = st_scan_start(st->log, url, &cs->scan);
        cs->next_ns = now_ns + ST_CLOCK_SCAN_EVERY_NS;
        if (rc < 0) {
            SC_WARN(st->log, "clock scan: cannot scan %s: %s", url, strerror(-rc));
            return;
        }
        SC_INFO(st->log, "clock scan: reading the broadcast time from %s", url);
        cs->started_ns = now_ns;
        cs->check_ns = now_ns + ST_CLOCK_SCAN_CHECK_NS;
        return;
    }
    if (now_ns < cs->check_ns) return;
    cs->check_ns = now_ns + ST_CLOCK_SCAN_CHECK_NS;
    struct dmx_time t;
    if (st_scan_time(cs->scan, &t) == 0) {
        learn(cs, &t);
        SC_INFO(st->log, "clock scan: broadcast time learned (%+.1f s from the system clock)",
                (double)(cs->utc_minus_mono_ns - (sc_utc_ns() - sc_mono_ns())) / 1e9);
        stop_scan(st, cs, "time learned");
        st->view_dirty = true;
    } else {
        struct st_scan_info info;
        bool over = now_ns - cs->started_ns >= ST_CLOCK_SCAN_MAX_NS;
        if (!over && st_scan_services(cs->scan, &info) == 0) {
            over = info.state == ST_SCAN_FAILED || info.state == ST_SCAN_DONE;
            st_scan_info_free(&info);
        }
        if (over) stop_scan(st, cs, "no broadcast time on the stream");
    }
    if (!cs->scan) cs->next_ns = now_ns + ST_CLOCK_SCAN_EVERY_NS;
}

int64_t st_clock_scan_deadline_ns(const struct st_station *st)
{
    const struct st_clock_scan *cs = st->clock.scan;
    if (!cs) return INT64_MAX;
    if (cs->scan) return cs->check_ns;
    const char *url = st->clock.system_only || st->demo ? NULL : clock_stream(st);
    if (!url || !stream_free(st)) return INT64_MAX; /* a turn follows whatever changes that */
    return strcmp(url, cs->last_url) != 0 ? 0 : cs->next_ns;
}
