/* schedule: recurrence in local time, the next course, what is due (pre-tune,
 * start, late, missed), conflicts and until-event-end resolution. */
#include "kiosk/schedule/schedule.h"
#include "tests/test.h"

#include <errno.h>

#define CST (8 * 3600) /* China Standard Time, UTC+8, no DST */

static int64_t at(const char *iso)
{
    int64_t t;
    if (sc_parse_iso8601(iso, &t) != 0) TEST_FAIL("bad time in test: %s", iso);
    return t;
}

static struct sch_entry entry(int64_t id, const char *start_local, int32_t offset, int minutes,
                              const char *repeat, enum sch_kind kind, const char *source)
{
    struct sch_entry e;
    sch_entry_init(&e);
    e.id = id;
    snprintf(e.title, sizeof(e.title), "course %lld", (long long)id);
    ASSERT_EQ(sch_parse_local(start_local, offset, &e.start_utc), 0);
    e.utc_offset_s = offset;
    e.duration_min = minutes;
    ASSERT_EQ(sch_repeat_parse(repeat, &e.weekdays), 0);
    e.kind = kind;
    e.counts = sch_kind_counts_by_default(kind);
    char err[160] = "";
    ASSERT_EQ(sch_source_parse(source, &e.source, err, sizeof(err)), 0);
    if (sch_entry_validate(&e, err, sizeof(err)) != 0) TEST_FAIL("test entry invalid: %s", err);
    return e;
}

static void daily_across_month_and_year_end(void)
{
    struct sch_entry e = entry(1, "2026-11-29T19:30", CST, 120, "daily", SCH_LIVE, "service:101");
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_occurrence *occ;
    size_t n;
    ASSERT_EQ(sch_occurrences(&e, 1, at("2026-11-25T00:00+08:00"), at("2026-12-03T00:00+08:00"), &q,
                              &occ, &n),
              0);
    /* Nothing before the first day; 29, 30 Nov, 1 and 2 Dec at 19:30 local. */
    ASSERT_EQ(n, 4);
    ASSERT_EQ(occ[0].start_utc, at("2026-11-29T19:30+08:00"));
    ASSERT_EQ(occ[1].start_utc, at("2026-11-30T19:30+08:00"));
    ASSERT_EQ(occ[2].start_utc, at("2026-12-01T19:30+08:00"));
    ASSERT_EQ(occ[3].start_utc, at("2026-12-02T19:30+08:00"));
    ASSERT_EQ(occ[3].end_utc, at("2026-12-02T21:30+08:00"));
    ASSERT_TRUE(occ[0].entry == &e);
    ASSERT_TRUE(occ[0].end_known);
    free(occ);

    /* Year end and a leap day, with a course after midnight UTC+8 (the UTC
     * date is the day before: the local date must win). */
    struct sch_entry late = entry(2, "2027-12-30T07:00", CST, 30, "daily", SCH_LIVE, "service:1");
    ASSERT_EQ(sch_occurrences(&late, 1, at("2027-12-31T00:00+08:00"), at("2028-01-02T00:00+08:00"),
                              &q, &occ, &n),
              0);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(occ[0].start_utc, at("2027-12-31T07:00+08:00"));
    ASSERT_EQ(occ[1].start_utc, at("2028-01-01T07:00+08:00"));
    free(occ);
    ASSERT_EQ(sch_occurrences(&late, 1, at("2028-02-28T00:00+08:00"), at("2028-03-02T00:00+08:00"),
                              &q, &occ, &n),
              0);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(occ[1].start_utc, at("2028-02-29T07:00+08:00"));
    ASSERT_EQ(occ[2].start_utc, at("2028-03-01T07:00+08:00"));
    free(occ);

    /* A month calendar: December 2026 holds 31 daily occurrences. */
    ASSERT_EQ(sch_occurrences(&e, 1, at("2026-12-01T00:00+08:00"), at("2027-01-01T00:00+08:00"), &q,
                              &occ, &n),
              0);
    ASSERT_EQ(n, 31);
    ASSERT_EQ(occ[30].start_utc, at("2026-12-31T19:30+08:00"));
    free(occ);
    /* An empty or reversed range is empty, not an error. */
    ASSERT_EQ(sch_occurrences(&e, 1, 100, 100, &q, &occ, &n), 0);
    ASSERT_EQ(n, 0);
}

static void once_entries(void)
{
    struct sch_entry e =
        entry(3, "2026-12-05T09:00", CST, 90, "once", SCH_LIVE, "udp://239.1.1.1:1234");
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_occurrence *occ;
    size_t n;
    ASSERT_EQ(
        sch_occurrences(&e, 1, at("2026-12-01T00:00Z"), at("2027-01-01T00:00Z"), &q, &occ, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(occ[0].start_utc, at("2026-12-05T01:00Z"));
    free(occ);
    ASSERT_EQ(
        sch_occurrences(&e, 1, at("2026-12-06T00:00Z"), at("2027-01-01T00:00Z"), &q, &occ, &n), 0);
    ASSERT_EQ(n, 0);
    free(occ);
}

/* Offsets are fixed (no DST in China), but they differ between stations and
 * the station's own offset can be corrected after an entry was made. */
static void offsets(void)
{
    struct sch_occurrence *occ;
    size_t n;
    struct sch_query q;
    /* Half-hour and negative offsets: 19:30 local stays 19:30 local. */
    const int32_t offsets[] = {5 * 3600 + 1800, -(3 * 3600 + 1800), 0, 14 * 3600, -12 * 3600};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        struct sch_entry e =
            entry(4, "2026-11-30T19:30", offsets[i], 60, "daily", SCH_LIVE, "service:7");
        sch_query_init(&q, offsets[i]);
        ASSERT_EQ(sch_occurrences(&e, 1, e.start_utc, e.start_utc + 3 * 86400, &q, &occ, &n), 0);
        ASSERT_EQ(n, 3);
        for (size_t k = 0; k < n; k++) {
            char text[40];
            sch_format_local(occ[k].start_utc, offsets[i], text, sizeof(text));
            ASSERT_TRUE(strstr(text, "T19:30:00") != NULL);
            ASSERT_EQ(occ[k].start_utc, e.start_utc + (int64_t)k * 86400);
        }
        free(occ);
    }
    /* Entered while the box thought it was UTC; the broadcast TOT later says
     * +08:00: the course is still at 19:30 on the wall clock. */
    struct sch_entry e = entry(5, "2026-12-01T19:30", 0, 60, "daily", SCH_LIVE, "service:7");
    sch_query_init(&q, CST);
    ASSERT_EQ(sch_occurrences(&e, 1, at("2026-12-01T00:00+08:00"), at("2026-12-03T00:00+08:00"), &q,
                              &occ, &n),
              0);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(occ[0].start_utc, at("2026-12-01T19:30+08:00"));
    ASSERT_EQ(occ[1].start_utc, at("2026-12-02T19:30+08:00"));
    free(occ);
    char text[40];
    sch_format_local(at("2026-12-01T11:30Z"), CST, text, sizeof(text));
    ASSERT_STR_EQ(text, "2026-12-01T19:30:00+08:00");
    sch_format_local(at("2026-12-01T11:30Z"), -(3 * 3600 + 1800), text, sizeof(text));
    ASSERT_STR_EQ(text, "2026-12-01T08:00:00-03:30");
}

static void weekday_sets(void)
{
    /* 2026-12-01 is a Tuesday: a mon,wed,fri course entered then starts Wed 2. */
    struct sch_entry e =
        entry(6, "2026-12-01T07:00", CST, 45, "mon,wed,fri", SCH_LIVE, "service:3");
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_occurrence *occ;
    size_t n;
    ASSERT_EQ(sch_occurrences(&e, 1, at("2026-11-30T00:00+08:00"), at("2026-12-15T00:00+08:00"), &q,
                              &occ, &n),
              0);
    const char *expected[] = {"2026-12-02T07:00+08:00", "2026-12-04T07:00+08:00",
                              "2026-12-07T07:00+08:00", "2026-12-09T07:00+08:00",
                              "2026-12-11T07:00+08:00", "2026-12-14T07:00+08:00"};
    ASSERT_EQ(n, 6);
    for (size_t i = 0; i < n; i++)
        ASSERT_EQ(occ[i].start_utc, at(expected[i]));
    free(occ);
    /* 07:00 in UTC+8 is 23:00 UTC the day before: Sunday 23:00 UTC is Monday. */
    ASSERT_EQ(at("2026-12-06T23:00Z"), at("2026-12-07T07:00+08:00"));

    uint8_t days;
    ASSERT_EQ(sch_repeat_parse("sun,sat", &days), 0);
    ASSERT_EQ(days, 0x60);
    char text[32];
    sch_repeat_format(days, text, sizeof(text));
    ASSERT_STR_EQ(text, "sat,sun");
    sch_repeat_format(0x7f, text, sizeof(text));
    ASSERT_STR_EQ(text, "daily");
    sch_repeat_format(0, text, sizeof(text));
    ASSERT_STR_EQ(text, "once");
    ASSERT_EQ(sch_repeat_parse("mon,mon", &days), -EINVAL);
    ASSERT_EQ(sch_repeat_parse("monday", &days), -EINVAL);
    ASSERT_EQ(sch_repeat_parse("mon,", &days), -EINVAL);
    ASSERT_EQ(sch_repeat_parse("", &days), -EINVAL);
    ASSERT_EQ(sch_repeat_parse("Mon", &days), -EINVAL);
}

static void next_occurrence(void)
{
    struct sch_entry list[3] = {
        entry(1, "2026-12-01T19:30", CST, 120, "daily", SCH_LIVE, "service:1"),
        entry(2, "2026-12-03T08:00", CST, 60, "once", SCH_CAPTURE, "service:2"),
        entry(3, "2026-11-01T08:00", CST, 60, "once", SCH_LIVE, "service:2"),
    };
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_occurrence o;
    ASSERT_EQ(sch_next(list, 3, at("2026-12-01T20:00+08:00"), &q, &o), 0);
    ASSERT_EQ(o.entry->id, 1);
    ASSERT_EQ(o.start_utc, at("2026-12-02T19:30+08:00"));
    ASSERT_EQ(sch_next(list, 3, at("2026-12-02T19:31+08:00"), &q, &o), 0);
    ASSERT_EQ(o.entry->id, 2);
    ASSERT_EQ(o.start_utc, at("2026-12-03T08:00+08:00"));
    /* "At or after": a course starting exactly now is next. */
    ASSERT_EQ(sch_next(list, 3, at("2026-12-01T19:30+08:00"), &q, &o), 0);
    ASSERT_EQ(o.start_utc, at("2026-12-01T19:30+08:00"));
    /* Only past one-offs: nothing planned. */
    ASSERT_EQ(sch_next(list + 2, 1, at("2026-12-01T00:00Z"), &q, &o), -ENOENT);
    ASSERT_EQ(sch_next(NULL, 0, 0, &q, &o), -ENOENT);

    /* The core loop sleeps until the pre-tune moment, then until the start. */
    ASSERT_EQ(sch_next_wakeup(list, 1, at("2026-12-01T12:00+08:00"), &q),
              at("2026-12-01T19:28+08:00"));
    ASSERT_EQ(sch_next_wakeup(list, 1, at("2026-12-01T19:29+08:00"), &q),
              at("2026-12-01T19:30+08:00"));
    ASSERT_EQ(sch_next_wakeup(list + 2, 1, at("2026-12-01T19:29+08:00"), &q), INT64_MAX);
}

static void due_pretune_start_late_missed(void)
{
    struct sch_entry list[2] = {
        entry(1, "2026-12-01T19:30", CST, 120, "daily", SCH_LIVE, "service:1"),
        entry(2, "2026-12-01T19:30", CST, 60, "daily", SCH_REPLAY, "capture:9"),
    };
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_due due[8];
    int64_t now = at("2026-12-02T19:27:59+08:00");
    /* Before the 2-minute lead: nothing. */
    ASSERT_EQ(sch_due(list, 2, now, now, &q, due, 8), 0);
    /* In the lead: the live course pre-tunes; the replay needs no tuning. */
    now = at("2026-12-02T19:28:00+08:00");
    ASSERT_EQ(sch_due(list, 2, now, now, &q, due, 8), 1);
    ASSERT_EQ(due[0].state, SCH_DUE_PRETUNE);
    ASSERT_EQ(due[0].occurrence.entry->id, 1);
    ASSERT_EQ(due[0].occurrence.start_utc, at("2026-12-02T19:30+08:00"));
    /* A longer lead is honoured. */
    q.pretune_lead_s = 600;
    now = at("2026-12-02T19:21:00+08:00");
    ASSERT_EQ(sch_due(list, 2, now, now, &q, due, 8), 1);
    ASSERT_EQ(due[0].state, SCH_DUE_PRETUNE);
    sch_query_init(&q, CST);
    /* At the start: both start, on time. */
    now = at("2026-12-02T19:30:20+08:00");
    ASSERT_EQ(sch_due(list, 2, now - 5, now, &q, due, 8), 2);
    ASSERT_EQ(due[0].state, SCH_DUE_START);
    ASSERT_EQ(due[0].late_by_s, 20);
    ASSERT_EQ(due[0].remaining_s, 2 * 3600 - 20);
    ASSERT_EQ(due[1].state, SCH_DUE_START);
    /* Power came back at 20:10: the slot still runs, so it starts late. */
    int64_t off_since = at("2026-12-02T17:00+08:00");
    now = at("2026-12-02T20:10+08:00");
    ASSERT_EQ(sch_due(list, 2, off_since, now, &q, due, 8), 2);
    ASSERT_EQ(due[0].state, SCH_DUE_LATE);
    ASSERT_EQ(due[0].late_by_s, 40 * 60);
    ASSERT_EQ(due[0].remaining_s, 80 * 60);
    ASSERT_EQ(due[1].state, SCH_DUE_LATE);
    ASSERT_EQ(due[1].remaining_s, 20 * 60);
    /* At 20:29:30 the replay's slot has 30 s left: too little, missed. */
    now = at("2026-12-02T20:29:30+08:00");
    ASSERT_EQ(sch_due(list, 2, off_since, now, &q, due, 8), 2);
    ASSERT_EQ(due[0].state, SCH_DUE_LATE);
    ASSERT_EQ(due[1].state, SCH_DUE_MISSED);
    /* Back at 22:00: both slots ended while off: missed, reported once... */
    now = at("2026-12-02T22:00+08:00");
    ASSERT_EQ(sch_due(list, 2, off_since, now, &q, due, 8), 2);
    ASSERT_EQ(due[0].state, SCH_DUE_MISSED);
    ASSERT_EQ(due[1].state, SCH_DUE_MISSED);
    ASSERT_EQ(due[0].occurrence.start_utc, at("2026-12-02T19:30+08:00"));
    /* ...and not again once the kiosk has run past them. */
    ASSERT_EQ(sch_due(list, 2, now - 60, now, &q, due, 8), 0);
    /* Off from the 2nd at 22:00 to the 5th at noon: the slots of the 3rd and
     * the 4th were missed, both courses each day. */
    off_since = at("2026-12-02T22:00+08:00");
    now = at("2026-12-05T12:00+08:00");
    ASSERT_EQ(sch_due(list, 2, off_since, now, &q, due, 8), 4);
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(due[i].state, SCH_DUE_MISSED);
    ASSERT_EQ(due[0].occurrence.start_utc, at("2026-12-03T19:30+08:00"));
    ASSERT_EQ(due[3].occurrence.start_utc, at("2026-12-04T19:30+08:00"));
    /* The array bound is respected. */
    ASSERT_EQ(sch_due(list, 2, off_since, now, &q, due, 3), 3);
    /* A clock that jumped back reports nothing missed. */
    ASSERT_EQ(sch_due(list, 2, now + 86400, now, &q, due, 8), 0);
}

struct guide {
    int calls;
};

/* A fake EIT: service 5 airs 95-minute events; others are unknown. */
static int resolve_from_guide(void *opaque, const struct sch_entry *e, int64_t start, int64_t *end)
{
    struct guide *g = opaque;
    g->calls++;
    if (e->source.service_id == 5) {
        *end = start + 95 * 60;
        return 0;
    }
    if (e->source.service_id == 6) {
        *end = start + 10 * 86400; /* a broken guide */
        return 0;
    }
    return -ENOENT;
}

static void until_event_end(void)
{
    struct sch_entry list[3] = {
        entry(1, "2026-12-01T19:30", CST, 1, "daily", SCH_LIVE, "service:5"),
        entry(2, "2026-12-01T19:30", CST, 1, "daily", SCH_CAPTURE, "service:9"),
        entry(3, "2026-12-01T19:30", CST, 1, "once", SCH_LIVE, "service:6"),
    };
    for (int i = 0; i < 3; i++)
        list[i].until_event_end = true;
    struct guide g = {0};
    struct sch_query q;
    sch_query_init(&q, CST);
    q.resolve_end = resolve_from_guide;
    q.resolve_opaque = &g;
    struct sch_occurrence *occ;
    size_t n;
    ASSERT_EQ(sch_occurrences(list, 3, at("2026-12-01T00:00+08:00"), at("2026-12-02T00:00+08:00"),
                              &q, &occ, &n),
              0);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(g.calls, 3);
    ASSERT_EQ(occ[0].entry->id, 1);
    ASSERT_TRUE(occ[0].end_known);
    ASSERT_EQ(occ[0].end_utc - occ[0].start_utc, 95 * 60);
    ASSERT_FALSE(occ[1].end_known); /* unknown to the guide: the fallback */
    ASSERT_EQ(occ[1].end_utc - occ[1].start_utc, 120 * 60);
    ASSERT_TRUE(occ[2].end_known); /* absurd end clamped to a day */
    ASSERT_EQ(occ[2].end_utc - occ[2].start_utc, 86400);
    free(occ);
    /* Without a resolver the configured fallback applies. */
    q.resolve_end = NULL;
    q.fallback_event_minutes = 45;
    ASSERT_EQ(sch_occurrences(list, 1, at("2026-12-01T00:00+08:00"), at("2026-12-02T00:00+08:00"),
                              &q, &occ, &n),
              0);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(occ[0].end_utc - occ[0].start_utc, 45 * 60);
    free(occ);
    /* The resolved end decides lateness: at 21:00 the 95-minute event is over. */
    q.resolve_end = resolve_from_guide;
    struct sch_due due[4];
    int64_t now = at("2026-12-01T21:00+08:00");
    ASSERT_EQ(sch_due(list, 1, at("2026-12-01T19:00+08:00"), now, &q, due, 4), 1);
    ASSERT_EQ(due[0].state, SCH_DUE_LATE);
    ASSERT_EQ(due[0].remaining_s, 5 * 60);
    now = at("2026-12-01T21:06+08:00");
    ASSERT_EQ(sch_due(list, 1, at("2026-12-01T19:00+08:00"), now, &q, due, 4), 1);
    ASSERT_EQ(due[0].state, SCH_DUE_MISSED);
}

static void conflicts(void)
{
    struct sch_entry list[5] = {
        entry(1, "2026-12-01T19:00", CST, 120, "daily", SCH_LIVE, "service:1"),
        entry(2, "2026-12-01T10:00", CST, 60, "mon,wed", SCH_CAPTURE, "service:2"),
        entry(3, "2026-12-01T14:00", CST, 60, "daily", SCH_CAPTURE, "service:1"),
        entry(4, "2026-12-01T06:00", CST, 30, "daily", SCH_LIVE, "file:intro.ts"),
        entry(5, "2026-12-02T08:00", CST, 60, "daily", SCH_REPLAY, "capture:2"),
    };
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_conflict c[8];

    /* A replay on Fridays 20:00-20:30 overlaps the daily live course. */
    struct sch_entry cand = entry(0, "2026-12-04T20:00", CST, 30, "fri", SCH_REPLAY, "capture:2");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 1);
    ASSERT_EQ(c[0].type, SCH_CONFLICT_SCREEN);
    ASSERT_EQ(c[0].a_id, 0);
    ASSERT_EQ(c[0].b_id, 1);
    ASSERT_EQ(c[0].a_start, at("2026-12-04T20:00+08:00"));
    ASSERT_EQ(c[0].b_start, at("2026-12-04T19:00+08:00"));
    ASSERT_EQ(c[0].b_end, at("2026-12-04T21:00+08:00"));

    /* A live course on service 3 on Wednesday 10:30 while service 2 is captured:
     * one receiver cannot do both. Monday 10:30 would hit too, but Wednesday
     * comes first from the candidate's start. */
    cand = entry(0, "2026-12-02T10:30", CST, 60, "once", SCH_LIVE, "service:3");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 1);
    ASSERT_EQ(c[0].type, SCH_CONFLICT_TUNER);
    ASSERT_EQ(c[0].b_id, 2);
    ASSERT_EQ(c[0].b_start, at("2026-12-02T10:00+08:00"));
    /* The same live course on Tuesday: service 2 is not captured then. */
    cand = entry(0, "2026-12-01T10:30", CST, 60, "once", SCH_LIVE, "service:3");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 0);
    /* Watching the service being captured is fine: same stream. */
    cand = entry(0, "2026-12-01T14:30", CST, 30, "once", SCH_LIVE, "service:1");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 0);
    /* ...but another service during that capture is not. */
    cand = entry(0, "2026-12-01T14:30", CST, 30, "once", SCH_LIVE, "service:4");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 1);
    ASSERT_EQ(c[0].b_id, 3);
    /* A capture entry on another service during the daily live course. */
    cand = entry(0, "2026-12-10T20:30", CST, 60, "once", SCH_CAPTURE, "service:8");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 1);
    ASSERT_EQ(c[0].type, SCH_CONFLICT_TUNER);
    ASSERT_EQ(c[0].b_id, 1);
    /* A library file needs no tuner: a capture may run meanwhile. */
    cand = entry(0, "2026-12-01T06:10", CST, 60, "daily", SCH_CAPTURE, "service:9");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 0);
    /* Touching slots (end == start) do not overlap. */
    cand = entry(0, "2026-12-05T21:00", CST, 30, "once", SCH_LIVE, "service:1");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 0);
    /* Several at once, counted beyond the array. */
    cand = entry(0, "2026-12-02T05:00", CST, 1440, "once", SCH_LIVE, "service:5");
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 5);
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 2), 5);
    /* Editing an entry does not compare it with its old self. */
    cand = list[0];
    cand.duration_min = 150;
    ASSERT_EQ(sch_conflicts(list, 5, &cand, &q, c, 8), 0);
    /* A daily entry that starts long after a one-off does not meet it. */
    cand = entry(0, "2027-03-01T19:30", CST, 60, "once", SCH_LIVE, "service:1");
    struct sch_entry old_once =
        entry(7, "2026-12-01T19:30", CST, 60, "once", SCH_LIVE, "service:1");
    ASSERT_EQ(sch_conflicts(&old_once, 1, &cand, &q, c, 8), 0);
}

static void sources_and_validation(void)
{
    struct sch_source s;
    char err[160], text[1200];
    const char *round_trip[] = {"service:101",
                                "service:7@udp://239.0.0.1:1234",
                                "udp://@239.1.1.1:5000",
                                "http://10.0.0.1/live.ts",
                                "file:courses/农业.ts",
                                "/srv/media/a.ts",
                                "capture:12"};
    for (size_t i = 0; i < sizeof(round_trip) / sizeof(round_trip[0]); i++) {
        ASSERT_EQ(sch_source_parse(round_trip[i], &s, err, sizeof(err)), 0);
        sch_source_format(&s, text, sizeof(text));
        ASSERT_STR_EQ(text, round_trip[i]);
    }
    ASSERT_EQ(sch_source_parse("service:101", &s, err, sizeof(err)), 0);
    ASSERT_EQ(s.type, SCH_SOURCE_SERVICE);
    ASSERT_EQ(s.service_id, 101);
    ASSERT_EQ(sch_source_parse("a.ts", &s, err, sizeof(err)), 0);
    ASSERT_EQ(s.type, SCH_SOURCE_FILE);
    ASSERT_STR_EQ(s.location, "a.ts");
    /* The old name of a capture source is read and written anew. */
    ASSERT_EQ(sch_source_parse("recording:12", &s, err, sizeof(err)), 0);
    ASSERT_EQ(s.type, SCH_SOURCE_CAPTURE);
    ASSERT_EQ(s.capture_entry_id, 12);
    sch_source_format(&s, text, sizeof(text));
    ASSERT_STR_EQ(text, "capture:12");
    const char *bad[] = {"",
                         "service:",
                         "service:0",
                         "service:70000",
                         "service:1x",
                         "service:1@nowhere",
                         "capture:",
                         "capture:-1",
                         "recording:",
                         "recording:-1",
                         "ftp://x/y",
                         "file:",
                         "file:../etc/passwd",
                         "a/../../b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (sch_source_parse(bad[i], &s, err, sizeof(err)) != -EINVAL)
            TEST_FAIL("source '%s' should be refused", bad[i]);
        ASSERT_TRUE(err[0] != '\0');
    }

    struct sch_entry e = entry(1, "2026-12-01T19:30", CST, 60, "daily", SCH_LIVE, "service:1");
    ASSERT_EQ(sch_entry_validate(&e, err, sizeof(err)), 0);
    struct sch_entry b = e;
    b.title[0] = '\0';
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "the title is empty");
    b = e;
    b.duration_min = 0;
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b.duration_min = 1441;
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b.until_event_end = true; /* then the duration does not matter */
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), 0);
    b = e;
    b.kind = SCH_REPLAY; /* a replay cannot play a service */
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b = e;
    b.kind = SCH_CAPTURE;
    ASSERT_EQ(sch_source_parse("file:x.ts", &b.source, err, sizeof(err)), 0);
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b = e;
    ASSERT_EQ(sch_source_parse("udp://239.1.1.1:1", &b.source, err, sizeof(err)), 0);
    b.until_event_end = true; /* no EIT for a bare URL */
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b = e;
    b.start_utc = 0;
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b = e;
    b.utc_offset_s = 15 * 3600;
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);
    b = e;
    snprintf(b.title, sizeof(b.title), "bad\ntitle");
    ASSERT_EQ(sch_entry_validate(&b, err, sizeof(err)), -EINVAL);

    ASSERT_TRUE(sch_kind_counts_by_default(SCH_LIVE));
    ASSERT_TRUE(sch_kind_counts_by_default(SCH_REPLAY));
    ASSERT_FALSE(sch_kind_counts_by_default(SCH_CAPTURE));
    enum sch_kind k;
    ASSERT_EQ(sch_kind_parse("capture", &k), 0);
    ASSERT_EQ(k, SCH_CAPTURE);
    ASSERT_EQ(sch_kind_parse("replay", &k), 0);
    ASSERT_EQ(k, SCH_REPLAY);
    ASSERT_STR_EQ(sch_kind_name(SCH_LIVE), "live");
    ASSERT_STR_EQ(sch_kind_name(SCH_CAPTURE), "capture");
    ASSERT_STR_EQ(sch_kind_name(SCH_REPLAY), "replay");
    /* The old names are still read (scripts in the field), never written. */
    ASSERT_EQ(sch_kind_parse("record", &k), 0);
    ASSERT_EQ(k, SCH_CAPTURE);
    ASSERT_EQ(sch_kind_parse("recording", &k), 0);
    ASSERT_EQ(k, SCH_REPLAY);
    ASSERT_EQ(sch_kind_parse("Live", &k), -EINVAL);
    ASSERT_EQ(sch_kind_parse("", &k), -EINVAL);

    int64_t t;
    ASSERT_EQ(sch_parse_local("2026-12-01T19:30", CST, &t), 0);
    ASSERT_EQ(t, at("2026-12-01T11:30Z"));
    ASSERT_EQ(sch_parse_local("2026-12-01T19:30Z", CST, &t), 0);
    ASSERT_EQ(t, at("2026-12-01T19:30Z"));
    ASSERT_EQ(sch_parse_local("2026-12-01T19:30-02:00", CST, &t), 0);
    ASSERT_EQ(t, at("2026-12-01T21:30Z"));
    ASSERT_EQ(sch_parse_local("2026-12-01", CST, &t), 0);
    ASSERT_EQ(t, at("2026-11-30T16:00Z"));
    ASSERT_EQ(sch_parse_local("tomorrow", CST, &t), -EINVAL);
    int32_t zone;
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30+08:00", &zone), 0);
    ASSERT_EQ(zone, CST);
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30:15-03:30", &zone), 0);
    ASSERT_EQ(zone, -(3 * 3600 + 1800));
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30Z", &zone), 0);
    ASSERT_EQ(zone, 0);
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30", &zone), -ENOENT);
    ASSERT_EQ(sch_zone_offset("2026-12-01", &zone), -ENOENT);
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30+8", &zone), -EINVAL);
}

static void references(void)
{
    struct sch_entry list[3] = {
        entry(1, "2026-12-01T10:00", CST, 60, "daily", SCH_CAPTURE, "service:2"),
        entry(2, "2026-12-01T19:30", CST, 60, "daily", SCH_REPLAY, "capture:1"),
        entry(3, "2026-12-01T06:00", CST, 60, "sat", SCH_REPLAY, "capture:1"),
    };
    char err[120];
    ASSERT_EQ(sch_check_references(list, 3, &list[1], err, sizeof(err)), 0);
    ASSERT_EQ(sch_check_references(list, 3, &list[0], err, sizeof(err)), 0);
    struct sch_entry bad = list[1];
    bad.source.capture_entry_id = 2; /* a replay entry, not a capture entry */
    ASSERT_EQ(sch_check_references(list, 3, &bad, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "entry 2 is not a capture entry");
    bad.source.capture_entry_id = 9;
    ASSERT_EQ(sch_check_references(list, 3, &bad, err, sizeof(err)), -EINVAL);
    ASSERT_STR_EQ(err, "there is no entry 9 to replay captures of");
    int64_t ids[1];
    ASSERT_EQ(sch_referrers(list, 3, 1, ids, 1), 2); /* counted past the array */
    ASSERT_EQ(ids[0], 2);
    ASSERT_EQ(sch_referrers(list, 3, 2, ids, 1), 0);
}

/* An entry as `schedule add` makes it: the start as written (perhaps with a
 * zone), the entry at the station's offset. */
static struct sch_entry zoned(int64_t id, const char *start, int32_t station, int minutes,
                              const char *repeat, const char *source)
{
    struct sch_entry e = entry(id, "2026-01-01T00:00", station, minutes, repeat, SCH_LIVE, source);
    char err[120] = "";
    if (sch_entry_set_start(&e, start, station, err, sizeof(err)) != 0)
        TEST_FAIL("start %s refused: %s", start, err);
    ASSERT_EQ(e.utc_offset_s, station);
    return e;
}

/* The one occurrence of a once entry, as the kiosk's planner sees it. */
static int64_t only_start(const struct sch_entry *e, int32_t station)
{
    struct sch_query q;
    sch_query_init(&q, station);
    struct sch_occurrence *occ;
    size_t n;
    ASSERT_EQ(sch_occurrences(e, 1, at("2026-01-01T00:00Z"), at("2028-01-01T00:00Z"), &q, &occ, &n),
              0);
    ASSERT_EQ(n, 1);
    int64_t start = occ[0].start_utc;
    free(occ);
    return start;
}

/* A start with a zone is that instant, whatever the station's offset; the
 * entry keeps the station's offset, so the occurrence is that instant too. */
static void zoned_starts(void)
{
    static const struct {
        const char *text, *instant;
    } cases[] = {
        {"2026-12-10T19:30Z", "2026-12-10T19:30Z"},
        {"2026-12-10T19:30z", "2026-12-10T19:30Z"},
        {"2026-12-10t19:30:00Z", "2026-12-10T19:30Z"},
        {"2026-12-10T19:30:45Z", "2026-12-10T19:30:45Z"},
        {"2026-12-10T19:30+05:30", "2026-12-10T14:00Z"},
        {"2026-12-10T19:30-03:00", "2026-12-10T22:30Z"},
        {"2026-12-10T19:30+0800", "2026-12-10T11:30Z"},
        {"2026-12-10T19:30+08", "2026-12-10T11:30Z"},
        {"2026-12-10T19:30-0930", "2026-12-11T05:00Z"},
        {"2026-12-10 19:30:15+14:00", "2026-12-10T05:30:15Z"},
        {"2026-12-10T19:30-00:00", "2026-12-10T19:30Z"},
    };
    const int32_t stations[] = {CST, 0, -(3 * 3600), 5 * 3600 + 2700};
    for (size_t s = 0; s < sizeof(stations) / sizeof(stations[0]); s++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            struct sch_entry e = zoned(1, cases[i].text, stations[s], 60, "once", "service:1");
            if (e.start_utc != at(cases[i].instant))
                TEST_FAIL("%s at station %d: %lld", cases[i].text, (int)stations[s],
                          (long long)e.start_utc);
            ASSERT_EQ(only_start(&e, stations[s]), at(cases[i].instant));
        }
    }
    /* Listed in station time with its offset: 19:30Z is 03:30 the next day. */
    struct sch_entry e = zoned(1, "2026-12-10T19:30Z", CST, 60, "once", "service:1");
    /* The kiosk's planner (sch_due at the station's offset) starts it then. */
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_due due[2];
    int64_t now = at("2026-12-10T19:30Z");
    ASSERT_EQ(sch_due(&e, 1, now - 60, now, &q, due, 2), 1);
    ASSERT_EQ(due[0].state, SCH_DUE_START);
    ASSERT_EQ(due[0].occurrence.start_utc, now);
    ASSERT_EQ(sch_due(&e, 1, now - 9 * 3600, now - 8 * 3600, &q, due, 2), 0);
    char text[40];
    sch_format_local(only_start(&e, CST), CST, text, sizeof(text));
    ASSERT_STR_EQ(text, "2026-12-11T03:30:00+08:00");

    /* The zone read back, and the station's offset when there is none. */
    int64_t t;
    int32_t zone = 1;
    ASSERT_EQ(sch_parse_time("2026-12-10T19:30-03:00", CST, &t, &zone, NULL, 0), 0);
    ASSERT_EQ(zone, -3 * 3600);
    ASSERT_EQ(sch_parse_time("2026-12-10T19:30", -3 * 3600, &t, &zone, NULL, 0), 0);
    ASSERT_EQ(zone, -3 * 3600);
    ASSERT_EQ(t, at("2026-12-10T22:30Z"));
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30z", &zone), 0);
    ASSERT_EQ(zone, 0);
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30+08", &zone), 0);
    ASSERT_EQ(zone, CST);
    ASSERT_EQ(sch_zone_offset("2026-12-01T19:30+08:70", &zone), -EINVAL);
}

/* Without a zone a start is station local time: the station's offset
 * (+05:45 here, not the default +08:00), never the zone of the machine. */
static void zoneless_is_station_time(void)
{
    const int32_t nepal = 5 * 3600 + 2700;
    struct sch_entry e = zoned(1, "2026-12-10T19:30", nepal, 60, "daily", "service:1");
    ASSERT_EQ(e.start_utc, at("2026-12-10T13:45Z"));
    ASSERT_EQ(e.weekdays, SCH_DAILY);
    e = zoned(1, "2026-12-10T19:30", nepal, 60, "mon,wed", "service:1");
    uint8_t want;
    ASSERT_EQ(sch_repeat_parse("mon,wed", &want), 0);
    ASSERT_EQ(e.weekdays, want); /* no zone: the days are the station's */
    int64_t t;
    ASSERT_EQ(sch_parse_local("2026-12-10", nepal, &t), 0);
    ASSERT_EQ(t, at("2026-12-10T00:00+05:45"));
}

/* A repeating course written in another zone recurs at the instant written
 * plus whole days; its weekdays are days in the zone it was written in. */
static void zoned_repeats(void)
{
    struct sch_occurrence *occ;
    size_t n;
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_entry e = zoned(1, "2026-12-10T19:30Z", CST, 60, "daily", "service:1");
    ASSERT_EQ(
        sch_occurrences(&e, 1, at("2026-12-01T00:00Z"), at("2026-12-14T00:00Z"), &q, &occ, &n), 0);
    ASSERT_EQ(n, 4); /* 10th to 13th */
    for (size_t k = 0; k < n; k++)
        ASSERT_EQ(occ[k].start_utc, at("2026-12-10T19:30Z") + (int64_t)k * 86400);
    free(occ);

    /* 2026-12-07 is a Monday. Mondays and Wednesdays at 19:30Z are Tuesdays
     * and Thursdays at 03:30 in the station (+08:00). */
    e = zoned(2, "2026-12-07T19:30Z", CST, 60, "mon,wed", "service:1");
    char days[32];
    sch_repeat_format(e.weekdays, days, sizeof(days));
    ASSERT_STR_EQ(days, "tue,thu");
    ASSERT_EQ(
        sch_occurrences(&e, 1, at("2026-12-01T00:00Z"), at("2026-12-15T00:00Z"), &q, &occ, &n), 0);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(occ[0].start_utc, at("2026-12-07T19:30Z"));
    ASSERT_EQ(occ[1].start_utc, at("2026-12-09T19:30Z"));
    ASSERT_EQ(occ[2].start_utc, at("2026-12-14T19:30Z"));
    free(occ);

    /* The other way: Tuesday 05:00+08:00 is Monday 18:00 at a -03:00
     * station; and Tuesday 01:00+14:00 is Sunday 23:00 at -12:00. */
    const struct {
        const char *start;
        int32_t station;
        const char *days, *second;
    } shifted[] = {
        {"2026-12-08T05:00+08:00", -3 * 3600, "mon", "2026-12-15T05:00+08:00"},
        {"2026-12-08T01:00+14:00", -12 * 3600, "sun", "2026-12-15T01:00+14:00"},
        {"2026-12-08T05:00+08:00", CST, "tue", "2026-12-15T05:00+08:00"},
    };
    for (size_t i = 0; i < sizeof(shifted) / sizeof(shifted[0]); i++) {
        e = zoned(3, shifted[i].start, shifted[i].station, 30, "tue", "service:1");
        sch_repeat_format(e.weekdays, days, sizeof(days));
        ASSERT_STR_EQ(days, shifted[i].days);
        sch_query_init(&q, shifted[i].station);
        ASSERT_EQ(
            sch_occurrences(&e, 1, at("2026-12-01T00:00Z"), at("2026-12-20T00:00Z"), &q, &occ, &n),
            0);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(occ[0].start_utc, at(shifted[i].start));
        ASSERT_EQ(occ[1].start_utc, at(shifted[i].second));
        free(occ);
    }
}

/* Conflicts compare real instants: 19:30Z and 03:30+08:00 the next day are
 * the same moment, whichever zone each was written in. */
static void zoned_conflicts(void)
{
    struct sch_entry list[1] = {
        zoned(1, "2026-12-10T19:30Z", CST, 60, "once", "service:1"),
    };
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_conflict c[2];
    struct sch_entry cand = zoned(0, "2026-12-11T03:30+08:00", CST, 10, "once", "service:2");
    ASSERT_EQ(sch_conflicts(list, 1, &cand, &q, c, 2), 1);
    ASSERT_EQ(c[0].type, SCH_CONFLICT_SCREEN);
    ASSERT_EQ(c[0].a_start, at("2026-12-10T19:30Z"));
    ASSERT_EQ(c[0].b_start, at("2026-12-10T19:30Z"));
    /* Written in a third zone, still the same moment. */
    cand = zoned(0, "2026-12-10T16:50-03:00", CST, 30, "once", "service:2");
    ASSERT_EQ(sch_conflicts(list, 1, &cand, &q, c, 2), 1);
    ASSERT_EQ(c[0].b_start, at("2026-12-10T19:30Z"));
    /* 19:30 at +08:00 on the 10th is eight hours earlier: no conflict. */
    cand = zoned(0, "2026-12-10T19:30+08:00", CST, 60, "once", "service:2");
    ASSERT_EQ(sch_conflicts(list, 1, &cand, &q, c, 2), 0);
    /* A daily course written in UTC meets a once course on a later day. */
    list[0] = zoned(1, "2026-12-10T19:30Z", CST, 60, "daily", "service:1");
    cand = zoned(0, "2026-12-14T04:00+08:00", CST, 30, "once", "file:x.ts");
    ASSERT_EQ(sch_conflicts(list, 1, &cand, &q, c, 2), 1);
    ASSERT_EQ(c[0].b_start, at("2026-12-13T19:30Z"));
}

/* A malformed zone is refused with a reason, never read as local time. */
static void malformed_zones(void)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"2026-12-10T19:30+25:00", "the zone '+25:00' is out of range (-14:00 to +14:00)"},
        {"2026-12-10T19:30+14:30", "the zone '+14:30' is out of range (-14:00 to +14:00)"},
        {"2026-12-10T19:30+08:7", "the zone '+08:7' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+08:70", "the zone '+08:70' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+8", "the zone '+8' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+080", "the zone '+080' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+08:", "the zone '+08:' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+08:00:00", "the zone '+08:00:00' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30Zjunk", "the zone 'Zjunk' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30+08:00 ", "the zone '+08:00 ' is not Z, +hh:mm, +hhmm or +hh"},
        {"2026-12-10T19:30 UTC", "unexpected ' UTC' after the time"},
        {"2026-12-10T19:30:4Z", "expected 2026-12-01T19:30 or 2026-12-01T19:30+08:00"},
        {"2026-12-10Z", "a zone needs a time of day"},
        {"2026-12-10T24:00Z", "the time of day is out of range"},
        {"2026-02-30T19:30Z", "there is no such day"},
        {"", "no time given"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 0;
        char err[120] = "";
        if (sch_parse_local(bad[i].text, CST, &t) != -EINVAL)
            TEST_FAIL("'%s' was read as %lld", bad[i].text, (long long)t);
        ASSERT_EQ(sch_parse_time(bad[i].text, CST, &t, NULL, err, sizeof(err)), -EINVAL);
        ASSERT_STR_EQ(err, bad[i].why);
        struct sch_entry e;
        sch_entry_init(&e);
        ASSERT_EQ(sch_entry_set_start(&e, bad[i].text, CST, NULL, 0), -EINVAL);
    }
    int32_t zone;
    ASSERT_EQ(sch_parse_zone("+05:45", &zone), 0);
    ASSERT_EQ(zone, 5 * 3600 + 2700);
    ASSERT_EQ(sch_parse_zone("-0330", &zone), 0);
    ASSERT_EQ(zone, -(3 * 3600 + 1800));
    ASSERT_EQ(sch_parse_zone("z", &zone), 0);
    ASSERT_EQ(zone, 0);
    ASSERT_EQ(sch_parse_zone("+15", &zone), -ERANGE);
    ASSERT_EQ(sch_parse_zone("+08:7", &zone), -EINVAL);
    ASSERT_EQ(sch_parse_zone("8", &zone), -EINVAL);
}

/* A kiosk off for a year reports at most a month of missed slots. */
static void long_outage(void)
{
    struct sch_entry e = entry(1, "2025-01-01T19:30", CST, 60, "daily", SCH_LIVE, "service:1");
    struct sch_query q;
    sch_query_init(&q, CST);
    struct sch_due due[64];
    int64_t now = at("2026-06-01T12:00+08:00");
    int n = sch_due(&e, 1, at("2025-06-01T12:00+08:00"), now, &q, due, 64);
    ASSERT_EQ(n, 31);
    ASSERT_EQ(due[30].occurrence.start_utc, at("2026-05-31T19:30+08:00"));
}

int main(void)
{
    RUN_TEST(daily_across_month_and_year_end);
    RUN_TEST(once_entries);
    RUN_TEST(offsets);
    RUN_TEST(weekday_sets);
    RUN_TEST(next_occurrence);
    RUN_TEST(due_pretune_start_late_missed);
    RUN_TEST(until_event_end);
    RUN_TEST(conflicts);
    RUN_TEST(sources_and_validation);
    RUN_TEST(references);
    RUN_TEST(long_outage);
    RUN_TEST(zoned_starts);
    RUN_TEST(zoneless_is_station_time);
    RUN_TEST(zoned_repeats);
    RUN_TEST(zoned_conflicts);
    RUN_TEST(malformed_zones);
    return 0;
}
