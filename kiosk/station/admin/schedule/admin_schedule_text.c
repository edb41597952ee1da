/* Texts and local times shared by the Schedule and Guide pages, and the
 * helpers they share (saving, conflicts, the station's stream). */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void st_local_from_utc(int64_t utc, int32_t utc_offset_s, struct st_local *out)
{
    time_t t = (time_t)(utc + utc_offset_s);
    struct tm tm;
    gmtime_r(&t, &tm);
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
    out->hour = tm.tm_hour;
    out->minute = tm.tm_min;
    out->weekday = (tm.tm_wday + 6) % 7;
}

int64_t st_local_to_utc(const struct st_local *local, int32_t utc_offset_s)
{
    struct tm tm = {.tm_year = local->year - 1900,
                    .tm_mon = local->month - 1,
                    .tm_mday = local->day,
                    .tm_hour = local->hour,
                    .tm_min = local->minute};
    return (int64_t)timegm(&tm) - utc_offset_s;
}

int st_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 31;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

int64_t st_month_start_utc(int year, int month, int32_t utc_offset_s)
{
    while (month < 1) {
        month += 12;
        year--;
    }
    while (month > 12) {
        month -= 12;
        year++;
    }
    struct st_local l = {.year = year, .month = month, .day = 1};
    return st_local_to_utc(&l, utc_offset_s);
}

const char *st_sched_kind_label(struct st_station *st, enum sch_kind kind)
{
    switch (kind) {
    case SCH_LIVE:
        return st_tr(st, "Live");
    case SCH_CAPTURE:
        return st_tr(st, "Capture for later");
    case SCH_REPLAY:
        return st_tr(st, "Replay a captured course");
    }
    return "?";
}

const char *st_weekday_short(struct st_station *st, int weekday)
{
    static const char *const names[7] = {N_("Mo"), N_("Tu"), N_("We"), N_("Th"),
                                         N_("Fr"), N_("Sa"), N_("Su")};
    return weekday >= 0 && weekday < 7 ? st_tr(st, names[weekday]) : "?";
}

void st_sched_repeat_label(struct st_station *st, uint8_t weekdays, char *buf, size_t size)
{
    if (weekdays == SCH_ONCE) {
        snprintf(buf, size, "%s", st_tr(st, "once"));
        return;
    }
    if ((weekdays & SCH_DAILY) == SCH_DAILY) {
        snprintf(buf, size, "%s", st_tr(st, "daily"));
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < 7; d++) {
        if (!(weekdays & (1u << d))) continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", st_weekday_short(st, d));
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
}

/* A service's name from the scan, "" when unknown. */
static void service_name(struct st_scan *scan, int id, char *buf, size_t size)
{
    buf[0] = '\0';
    struct st_scan_info info;
    if (!scan || st_scan_services(scan, &info) < 0) return;
    for (size_t i = 0; i < info.n_services; i++)
        if (info.services[i].actual && info.services[i].id == id && info.services[i].name[0]) {
            snprintf(buf, size, "%s", info.services[i].name);
            break;
        }
    st_scan_info_free(&info);
}

void st_sched_source_label(struct st_station *st, const struct sch_source *source,
                           struct st_scan *scan, char *buf, size_t size)
{
    char name[128];
    switch (source->type) {
    case SCH_SOURCE_SERVICE:
        service_name(scan, source->service_id, name, sizeof(name));
        if (name[0])
            snprintf(buf, size, "%s (%d)", name, source->service_id);
        else
            snprintf(buf, size, st_tr(st, "Service %d"), source->service_id);
        return;
    case SCH_SOURCE_CAPTURE:
        for (size_t i = 0; i < st->plan.n_entries; i++)
            if (st->plan.entries[i].id == source->capture_entry_id) {
                snprintf(buf, size, st_tr(st, "Capture of %s"), st->plan.entries[i].title);
                return;
            }
        snprintf(buf, size, st_tr(st, "Capture of entry %lld"),
                 (long long)source->capture_entry_id);
        return;
    case SCH_SOURCE_FILE: {
        const char *slash = strrchr(source->location, '/');
        snprintf(buf, size, "%s", slash ? slash + 1 : source->location);
        return;
    }
    case SCH_SOURCE_URL:
        snprintf(buf, size, "%s", source->location);
        return;
    }
    buf[0] = '\0';
}

void st_sched_duration_label(struct st_station *st, const struct sch_entry *e, char *buf,
                             size_t size)
{
    if (e->until_event_end)
        snprintf(buf, size, "%s", st_tr(st, "until the event ends"));
    else
        snprintf(buf, size, st_tr(st, "%d min"), e->duration_min);
}

void st_sched_saved(struct st_station *st)
{
    st_planner_load(st);
    st_planner_refresh_month(st);
    st->view_dirty = true;
}

int st_sched_find_conflicts(struct st_station *st, const struct sch_entry *candidate,
                            struct sch_conflict **out)
{
    *out = NULL;
    int n =
        sch_conflicts(st->plan.entries, st->plan.n_entries, candidate, &st->plan.query, NULL, 0);
    if (n <= 0) return n;
    struct sch_conflict *c = calloc((size_t)n, sizeof(*c));
    if (!c) return -ENOMEM;
    int again = sch_conflicts(st->plan.entries, st->plan.n_entries, candidate, &st->plan.query, c,
                              (size_t)n);
    if (again < 0) {
        free(c);
        return again;
    }
    *out = c;
    return again < n ? again : n;
}

bool st_sched_entry_conflicts(struct st_station *st, const struct sch_entry *entry)
{
    return sch_conflicts(st->plan.entries, st->plan.n_entries, entry, &st->plan.query, NULL, 0) > 0;
}

const char *st_sched_station_stream(struct st_station *st)
{
    if (st->source && st->source[0]) return st->source;
    if (st->demo) return st_demo_stream_path();
    return NULL;
}
