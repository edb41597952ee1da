/* Schedule queries: recurrence expansion in local time, the next course,
 * what is due now (pre-tune, start, late start, missed) and conflicts.
 * Pure functions over an array of entries; see schedule.h. */
#include "kiosk/schedule/schedule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DAY_S           86400
#define MAX_OCCURRENCES 100000
#define MAX_LOOKBACK_S  (31 * DAY_S)
#define MAX_SLOT_S      ((int64_t)SCH_MAX_MINUTES * 60)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Monday = 0 .. Sunday = 6 for a day number since 1970-01-01 (a Thursday). */
static int weekday_of_day(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

void sch_query_init(struct sch_query *query, int32_t utc_offset_s)
{
    memset(query, 0, sizeof(*query));
    query->utc_offset_s = utc_offset_s;
}

static int fallback_minutes(const struct sch_query *q)
{
    return q->fallback_event_minutes > 0 ? q->fallback_event_minutes : 120;
}

static int64_t pretune_lead(const struct sch_query *q, const struct sch_entry *e)
{
    /* Only broadcasts need the receiver tuned (and the signal shown) early. */
    bool broadcast = e->source.type == SCH_SOURCE_SERVICE || e->source.type == SCH_SOURCE_URL;
    if (!broadcast || e->kind == SCH_REPLAY || q->pretune_lead_s < 0) return 0;
    return q->pretune_lead_s > 0 ? q->pretune_lead_s : 120;
}

static struct sch_occurrence make_occurrence(const struct sch_entry *e, int64_t start,
                                             const struct sch_query *q)
{
    struct sch_occurrence o = {.entry = e, .start_utc = start, .end_known = true};
    if (!e->until_event_end) {
        o.end_utc = start + (int64_t)e->duration_min * 60;
        return o;
    }
    int64_t end = 0;
    if (q->resolve_end && q->resolve_end(q->resolve_opaque, e, start, &end) == 0 && end > start) {
        /* A guide glitch must not make one course occupy the week. */
        o.end_utc = end - start > MAX_SLOT_S ? start + MAX_SLOT_S : end;
    } else {
        o.end_utc = start + (int64_t)fallback_minutes(q) * 60;
        o.end_known = false;
    }
    return o;
}

/* The entry's local day number and time of day, from what was entered. */
static void wall_time(const struct sch_entry *e, int64_t *day, int64_t *time_of_day)
{
    int64_t wall = e->start_utc + e->utc_offset_s;
    *day = floor_div(wall, DAY_S);
    *time_of_day = wall - *day * DAY_S;
}

/* The instant of the entry's occurrence on local day `day` at the current offset. */
static int64_t occurrence_on(int64_t day, int64_t time_of_day, const struct sch_query *q)
{
    return day * DAY_S + time_of_day - q->utc_offset_s;
}

static bool occurs_on(const struct sch_entry *e, int64_t first_day, int64_t day)
{
    if (day < first_day) return false;
    if (e->weekdays == SCH_ONCE) return day == first_day;
    return (e->weekdays >> weekday_of_day(day)) & 1;
}

struct occ_list {
    struct sch_occurrence *items;
    size_t count, cap;
};

static int occ_push(struct occ_list *list, struct sch_occurrence o)
{
    if (list->count == list->cap) {
        if (list->cap >= MAX_OCCURRENCES) return -E2BIG;
        size_t cap = list->cap ? list->cap * 2 : 32;
        struct sch_occurrence *bigger = realloc(list->items, cap * sizeof(*bigger));
        if (!bigger) return -ENOMEM;
        list->items = bigger;
        list->cap = cap;
    }
    list->items[list->count++] = o;
    return 0;
}

static int compare_occurrences(const void *a, const void *b)
{
    const struct sch_occurrence *x = a, *y = b;
    if (x->start_utc != y->start_utc) return x->start_utc < y->start_utc ? -1 : 1;
    if (x->entry->id != y->entry->id) return x->entry->id < y->entry->id ? -1 : 1;
    return 0;
}

static int expand(const struct sch_entry *entries, size_t count, int64_t from, int64_t to,
                  const struct sch_query *q, struct occ_list *list)
{
    for (size_t i = 0; i < count; i++) {
        const struct sch_entry *e = &entries[i];
        int64_t first_day, tod;
        wall_time(e, &first_day, &tod);
        /* Local days whose occurrence can fall in [from, to). */
        int64_t day = floor_div(from + q->utc_offset_s - tod, DAY_S);
        if (day < first_day) day = first_day;
        int64_t last_day = floor_div(to - 1 + q->utc_offset_s - tod, DAY_S);
        if (e->weekdays == SCH_ONCE && last_day > first_day) last_day = first_day;
        for (; day <= last_day; day++) {
            if (!occurs_on(e, first_day, day)) continue;
            int64_t start = occurrence_on(day, tod, q);
            if (start < from || start >= to) continue;
            int rc = occ_push(list, make_occurrence(e, start, q));
            if (rc) return rc;
        }
    }
    if (list->count > 1) qsort(list->items, list->count, sizeof(*list->items), compare_occurrences);
    return 0;
}

int sch_occurrences(const struct sch_entry *entries, size_t count, int64_t from_utc, int64_t to_utc,
                    const struct sch_query *query, struct sch_occurrence **out, size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    if (to_utc <= from_utc) return 0;
    struct occ_list list = {0};
    int rc = expand(entries, count, from_utc, to_utc, query, &list);
    if (rc) {
        free(list.items);
        return rc;
    }
    *out = list.items;
    *out_count = list.count;
    return 0;
}

/* The entry's first occurrence starting at or after t, or false. */
static bool entry_next(const struct sch_entry *e, int64_t t, const struct sch_query *q,
                       int64_t *start)
{
    int64_t first_day, tod;
    wall_time(e, &first_day, &tod);
    int64_t day = floor_div(t + q->utc_offset_s - tod, DAY_S);
    if (day < first_day) day = first_day;
    /* A weekday set recurs within 7 days; one more covers the day boundary. */
    for (int64_t n = 0; n <= 8; n++, day++) {
        if (!occurs_on(e, first_day, day)) continue;
        int64_t s = occurrence_on(day, tod, q);
        if (s >= t) {
            *start = s;
            return true;
        }
    }
    return false;
}

int sch_next(const struct sch_entry *entries, size_t count, int64_t after_utc,
             const struct sch_query *query, struct sch_occurrence *out)
{
    const struct sch_entry *best = NULL;
    int64_t best_start = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t start;
        if (!entry_next(&entries[i], after_utc, query, &start)) continue;
        if (!best || start < best_start || (start == best_start && entries[i].id < best->id)) {
            best = &entries[i];
            best_start = start;
        }
    }
    if (!best) return -ENOENT;
    *out = make_occurrence(best, best_start, query);
    return 0;
}

int64_t sch_next_wakeup(const struct sch_entry *entries, size_t count, int64_t now_utc,
                        const struct sch_query *query)
{
    int64_t wake = INT64_MAX;
    for (size_t i = 0; i < count; i++) {
        int64_t start;
        if (!entry_next(&entries[i], now_utc + 1, query, &start)) continue;
        int64_t tune = start - pretune_lead(query, &entries[i]);
        int64_t t = tune > now_utc ? tune : start;
        if (t < wake) wake = t;
    }
    return wake;
}

int sch_due(const struct sch_entry *entries, size_t count, int64_t since_utc, int64_t now_utc,
            const struct sch_query *query, struct sch_due *out, size_t max)
{
    if (since_utc > now_utc)
        since_utc = now_utc; /* the clock went back: nothing was missed in between */
    if (now_utc - since_utc > MAX_LOOKBACK_S)
        since_utc = now_utc - MAX_LOOKBACK_S; /* a month of missed slots says enough */
    int64_t max_lead = query->pretune_lead_s > 0 ? query->pretune_lead_s : 120;
    int64_t from = since_utc - MAX_SLOT_S;
    int64_t to = now_utc + max_lead + 1;
    struct occ_list list = {0};
    int rc = expand(entries, count, from, to, query, &list);
    if (rc) {
        free(list.items);
        return rc;
    }
    int64_t tolerance = query->late_tolerance_s > 0 ? query->late_tolerance_s : 60;
    int64_t min_remaining = query->min_remaining_s > 0 ? query->min_remaining_s : 60;
    size_t n = 0;
    for (size_t i = 0; i < list.count && n < max; i++) {
        const struct sch_occurrence *o = &list.items[i];
        struct sch_due due = {.occurrence = *o};
        if (now_utc < o->start_utc) {
            if (now_utc < o->start_utc - pretune_lead(query, o->entry)) continue;
            due.state = SCH_DUE_PRETUNE;
        } else if (now_utc < o->end_utc) {
            due.late_by_s = now_utc - o->start_utc;
            due.remaining_s = o->end_utc - now_utc;
            if (due.late_by_s <= tolerance)
                due.state = SCH_DUE_START;
            else if (due.remaining_s >= min_remaining)
                due.state = SCH_DUE_LATE;
            else
                due.state = SCH_DUE_MISSED;
        } else if (o->end_utc > since_utc) {
            due.state = SCH_DUE_MISSED;
        } else {
            continue;
        }
        out[n++] = due;
    }
    free(list.items);
    return (int)n;
}

/* ---- conflicts ------------------------------------------------------------- */

static bool uses_tuner(const struct sch_entry *e)
{
    return (e->kind == SCH_LIVE || e->kind == SCH_CAPTURE) &&
           (e->source.type == SCH_SOURCE_SERVICE || e->source.type == SCH_SOURCE_URL);
}

static bool same_broadcast(const struct sch_source *a, const struct sch_source *b)
{
    if (a->type != b->type || strcmp(a->location, b->location) != 0) return false;
    return a->type != SCH_SOURCE_SERVICE || a->service_id == b->service_id;
}

static bool on_screen(const struct sch_entry *e)
{
    return e->kind == SCH_LIVE || e->kind == SCH_REPLAY;
}

/* Which conflict two entries can have, or -1 for none. */
static int conflict_type(const struct sch_entry *a, const struct sch_entry *b)
{
    if (on_screen(a) && on_screen(b)) return SCH_CONFLICT_SCREEN;
    if ((a->kind == SCH_CAPTURE || b->kind == SCH_CAPTURE) && uses_tuner(a) && uses_tuner(b) &&
        !same_broadcast(&a->source, &b->source))
        return SCH_CONFLICT_TUNER;
    return -1;
}

/* Finds the first overlap of a and b. Both recur with a period of at most a
 * week in local time and a slot is at most a day, so ten days from two days
 * before the later first start cover every case. */
static int first_overlap(const struct sch_entry *a, const struct sch_entry *b,
                         const struct sch_query *q, struct sch_conflict *c)
{
    int64_t later = a->start_utc > b->start_utc ? a->start_utc : b->start_utc;
    int64_t from = later - 2 * DAY_S, to = later + 10 * DAY_S;
    struct occ_list la = {0}, lb = {0};
    int rc = expand(a, 1, from, to, q, &la);
    if (!rc) rc = expand(b, 1, from, to, q, &lb);
    bool found = false;
    for (size_t i = 0; !rc && !found && i < la.count; i++) {
        for (size_t j = 0; j < lb.count; j++) {
            const struct sch_occurrence *x = &la.items[i], *y = &lb.items[j];
            if (x->start_utc < y->end_utc && y->start_utc < x->end_utc) {
                c->a_start = x->start_utc;
                c->a_end = x->end_utc;
                c->b_start = y->start_utc;
                c->b_end = y->end_utc;
                found = true;
                break;
            }
        }
    }
    free(la.items);
    free(lb.items);
    return rc ? rc : found;
}

int sch_conflicts(const struct sch_entry *entries, size_t count, const struct sch_entry *candidate,
                  const struct sch_query *query, struct sch_conflict *out, size_t max)
{
    int found = 0;
    for (size_t i = 0; i < count; i++) {
        const struct sch_entry *e = &entries[i];
        if (candidate->id != 0 && e->id == candidate->id) continue;
        int type = conflict_type(candidate, e);
        if (type < 0) continue;
        struct sch_conflict c = {
            .type = (enum sch_conflict_type)type, .a_id = candidate->id, .b_id = e->id};
        int rc = first_overlap(candidate, e, query, &c);
        if (rc < 0) return rc;
        if (rc == 0) continue;
        if ((size_t)found < max) out[found] = c;
        found++;
    }
    return found;
}

int sch_check_references(const struct sch_entry *entries, size_t count,
                         const struct sch_entry *candidate, char *err, size_t err_size)
{
    if (candidate->source.type != SCH_SOURCE_CAPTURE) return 0;
    for (size_t i = 0; i < count; i++) {
        if (entries[i].id != candidate->source.capture_entry_id) continue;
        if (entries[i].kind == SCH_CAPTURE) return 0;
        if (err && err_size)
            snprintf(err, err_size, "entry %lld is not a capture entry", (long long)entries[i].id);
        return -EINVAL;
    }
    if (err && err_size)
        snprintf(err, err_size, "there is no entry %lld to replay captures of",
                 (long long)candidate->source.capture_entry_id);
    return -EINVAL;
}

size_t sch_referrers(const struct sch_entry *entries, size_t count, int64_t id, int64_t *out,
                     size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (entries[i].source.type != SCH_SOURCE_CAPTURE ||
            entries[i].source.capture_entry_id != id)
            continue;
        if (n < max) out[n] = entries[i].id;
        n++;
    }
    return n;
}
