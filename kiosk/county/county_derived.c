/* The report's caches: each station's months derived once from its rows with
 * the record's own code (rec_open_events, rec_sessions, rec_requirement_for),
 * again only when its events changed, so a report over a thousand stations is
 * SQL over small tables. Caches are the county's own (not replicated: a
 * province derives its own). */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Months derived for a station at most (twenty years): a clock set to 1970
 * or 2090 on one event must not make a station derive centuries. */
#define MAX_MONTHS 240

static const char cache_sql[] =
    "CREATE TABLE IF NOT EXISTS studycast.derived_state ("
    "  station_id text PRIMARY KEY,"
    "  through_seq bigint NOT NULL," /* batches' highest last_seq when derived */
    "  events bigint NOT NULL,"
    "  verified boolean NOT NULL,"
    "  problems text," /* one per line, when not verified */
    "  station_type text NOT NULL,"
    "  required_each_month int NOT NULL," /* for months with no events */
    "  members int NOT NULL,"             /* the roster, as the station's report lists it */
    "  last_received timestamptz,"
    "  derived_at timestamptz NOT NULL DEFAULT now(),"
    "  seconds double precision NOT NULL);"
    "CREATE TABLE IF NOT EXISTS studycast.derived_months ("
    "  station_id text NOT NULL,"
    "  month text NOT NULL," /* YYYY-MM in the station's local time */
    "  events bigint NOT NULL,"
    "  sessions int NOT NULL,"
    "  sessions_held int NOT NULL,"
    "  sessions_required int NOT NULL,"
    "  met boolean NOT NULL,"
    "  member_seconds bigint NOT NULL,"
    "  PRIMARY KEY (station_id, month));";

int cty_cache_init(struct cty_db *db)
{
    return cty_exec(db, cache_sql, 0, NULL, PGRES_COMMAND_OK, "creating the report's caches", NULL);
}

/* ---- reading a station's rows --------------------------------------------- */

struct rows {
    PGresult *res;
    struct rec_chain_event *events;
    size_t n;
};

static int64_t int_at(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* A bytea column in hex output ("\x..."): 32 bytes or an error. */
static int hash_at(const PGresult *res, int row, int col, unsigned char out[32])
{
    const char *text = PQgetvalue(res, row, col);
    size_t n = 0;
    if (strncmp(text, "\\x", 2) != 0 || strlen(text) != 2 + 64) return -EINVAL;
    return sodium_hex2bin(out, 32, text + 2, 64, NULL, &n, NULL) == 0 && n == 32 ? 0 : -EINVAL;
}

static int by_seq(const void *a, const void *b)
{
    int64_t x = ((const struct rec_chain_event *)a)->seq,
            y = ((const struct rec_chain_event *)b)->seq;
    return (x > y) - (x < y);
}

static int read_rows(struct cty_db *db, const char *station_id, struct rows *out)
{
    const char *params[] = {station_id};
    int rc = cty_exec(db,
                      "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id, session, "
                      "payload, prev_hash, hash FROM studycast.events WHERE station_id = $1",
                      1, params, PGRES_TUPLES_OK, "reading a station's events", &out->res);
    if (rc != 0) return rc;
    int n = PQntuples(out->res);
    out->events = n ? calloc((size_t)n, sizeof(*out->events)) : NULL;
    if (n && !out->events) return -ENOMEM;
    for (int i = 0; i < n; i++) {
        struct rec_chain_event *e = &out->events[i];
        e->seq = int_at(out->res, i, 0);
        e->type = PQgetvalue(out->res, i, 1);
        e->utc_ns = int_at(out->res, i, 2);
        e->clock_source = PQgetvalue(out->res, i, 3);
        e->mono_ns = int_at(out->res, i, 4);
        e->boot_id = PQgetvalue(out->res, i, 5);
        e->session = PQgetisnull(out->res, i, 6) ? NULL : PQgetvalue(out->res, i, 6);
        e->payload = PQgetvalue(out->res, i, 7);
        /* a hash that is not 32 bytes stays zero: the chain walk names it */
        hash_at(out->res, i, 8, e->prev_hash);
        hash_at(out->res, i, 9, e->hash);
    }
    out->n = (size_t)n;
    /* sorted here: the partitions come nearly in order, and a sort in the
     * server spills a busy year to disk */
    if (n > 1) qsort(out->events, out->n, sizeof(*out->events), by_seq);
    return 0;
}

static void rows_free(struct rows *rows)
{
    free(rows->events);
    PQclear(rows->res);
    memset(rows, 0, sizeof(*rows));
}

/* ---- months ---------------------------------------------------------------- */

struct month {
    int year, month; /* local */
    int64_t events, member_seconds;
    int sessions;
    struct rec_requirement req;
};

static void local_month(int64_t utc, int offset, int *year, int *month)
{
    time_t t = (time_t)(utc + offset);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) tm = (struct tm){.tm_year = 100};
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
}

static bool on_roster(const struct rec_member *members, size_t n, const char *number)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(members[i].number, number) == 0) return true;
    return false;
}

/* A month's figures, as the station's own `record report --month` gives them:
 * its sessions, the requirement over them, the roster's credited seconds. */
static void derive_month(struct rec *rec, struct month *m, const struct rec_session_summary *s,
                         size_t count, const struct rec_member *members, size_t n_members)
{
    int offset = rec_utc_offset_seconds(rec);
    int64_t from = rec_local_month_start(m->year, m->month, offset);
    int64_t to = rec_local_month_start(m->year, m->month + 1, offset);
    size_t first = 0, n = 0;
    while (first < count && s[first].start_utc < from)
        first++;
    while (first + n < count && s[first + n].start_utc < to)
        n++;
    rec_requirement_for(rec, s + first, n, &m->req);
    m->sessions = (int)n;
    for (size_t i = first; i < first + n; i++)
        for (size_t a = 0; a < s[i].n_attendance; a++)
            if (on_roster(members, n_members, s[i].attendance[a].member))
                m->member_seconds += s[i].attendance[a].seconds;
}

/* ---- one station ------------------------------------------------------------ */

struct derivation {
    struct month *months;
    size_t n_months;
    int members, required_each;
    char station_type[16];
};

static int months_span(struct rec *rec, const struct rows *rows, struct derivation *d)
{
    int offset = rec_utc_offset_seconds(rec);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < rows->n; i++) {
        int64_t utc = rows->events[i].utc_ns / 1000000000;
        lo = utc < lo ? utc : lo;
        hi = utc > hi ? utc : hi;
    }
    int y0, m0, y1, m1;
    local_month(lo, offset, &y0, &m0);
    local_month(hi, offset, &y1, &m1);
    long span = (long)(y1 - y0) * 12 + (m1 - m0) + 1;
    if (span > MAX_MONTHS) { /* the latest months count */
        long skip = span - MAX_MONTHS;
        long index = (long)y0 * 12 + (m0 - 1) + skip;
        y0 = (int)(index / 12);
        m0 = (int)(index % 12) + 1;
        span = MAX_MONTHS;
    }
    d->months = calloc((size_t)span, sizeof(*d->months));
    if (!d->months) return -ENOMEM;
    d->n_months = (size_t)span;
    for (long i = 0; i < span; i++) {
        long index = (long)y0 * 12 + (m0 - 1) + i;
        d->months[i].year = (int)(index / 12);
        d->months[i].month = (int)(index % 12) + 1;
    }
    for (size_t i = 0; i < rows->n; i++) {
        int y, m;
        local_month(rows->events[i].utc_ns / 1000000000, offset, &y, &m);
        long at = ((long)y * 12 + m - 1) - ((long)y0 * 12 + m0 - 1);
        if (at >= 0 && at < span) d->months[at].events++;
    }
    return 0;
}

static int derive_record(struct rec *rec, const struct rows *rows, struct derivation *d)
{
    struct rec_requirement none;
    rec_requirement_for(rec, NULL, 0, &none);
    d->required_each = none.sessions_required;
    snprintf(d->station_type, sizeof(d->station_type), "%s", none.station_type);
    if (rows->n == 0) return 0;
    int rc = months_span(rec, rows, d);
    if (rc != 0) return rc;
    int offset = rec_utc_offset_seconds(rec);
    const struct month *first = &d->months[0], *last = &d->months[d->n_months - 1];
    struct rec_session_summary *s = NULL;
    struct rec_member *members = NULL;
    size_t count = 0, n_members = 0;
    rc = rec_sessions(rec, rec_local_month_start(first->year, first->month, offset),
                      rec_local_month_start(last->year, last->month + 1, offset), &s, &count);
    if (rc == 0) rc = rec_members_list(rec, &members, &n_members);
    for (size_t i = 0; rc == 0 && i < d->n_months; i++)
        derive_month(rec, &d->months[i], s, count, members, n_members);
    d->members = (int)n_members;
    rec_sessions_free(s, count);
    rec_members_free(members, n_members);
    return rc;
}

/* "{a,b,c}" of one field of every month, for unnest($n::type[]). */
static void month_array(const struct derivation *d, int field, struct sc_buf *out)
{
    sc_buf_puts(out, "{");
    for (size_t i = 0; i < d->n_months; i++) {
        const struct month *m = &d->months[i];
        if (i) sc_buf_puts(out, ",");
        switch (field) {
        case 0:
            sc_buf_printf(out, "%04d-%02d", m->year, m->month);
            break;
        case 1:
            sc_buf_printf(out, "%" PRId64, m->events);
            break;
        case 2:
            sc_buf_printf(out, "%d", m->sessions);
            break;
        case 3:
            sc_buf_printf(out, "%d", m->req.sessions_held);
            break;
        case 4:
            sc_buf_printf(out, "%d", m->req.sessions_required);
            break;
        case 5:
            sc_buf_puts(out, m->req.met ? "t" : "f");
            break;
        default:
            sc_buf_printf(out, "%" PRId64, m->member_seconds);
        }
    }
    sc_buf_puts(out, "}");
}

struct station_result {
    const char *station_id;
    int64_t through_seq, events;
    const char *last_received; /* timestamptz text or NULL */
    bool verified;
    const char *problems;
    double seconds;
};

static int write_months(struct cty_db *db, const struct station_result *r,
                        const struct derivation *d)
{
    struct sc_buf arrays[7] = {{0}};
    const char *params[8] = {r->station_id};
    for (int f = 0; f < 7; f++) {
        month_array(d, f, &arrays[f]);
        params[f + 1] = arrays[f].data;
    }
    bool failed = false;
    for (int f = 0; f < 7; f++)
        failed = failed || arrays[f].failed;
    int rc = failed ? -ENOMEM
                    : cty_exec(db,
                               "INSERT INTO studycast.derived_months (station_id, month, events, "
                               "sessions, sessions_held, sessions_required, met, member_seconds) "
                               "SELECT $1, unnest($2::text[]), unnest($3::bigint[]), "
                               "unnest($4::int[]), unnest($5::int[]), unnest($6::int[]), "
                               "unnest($7::boolean[]), unnest($8::bigint[])",
                               8, params, PGRES_COMMAND_OK, "keeping a station's months", NULL);
    for (int f = 0; f < 7; f++)
        sc_buf_free(&arrays[f]);
    return rc;
}

static int write_state(struct cty_db *db, const struct station_result *r,
                       const struct derivation *d)
{
    char through[24], events[24], required[16], members[16], seconds[32];
    snprintf(through, sizeof(through), "%" PRId64, r->through_seq);
    snprintf(events, sizeof(events), "%" PRId64, r->events);
    snprintf(required, sizeof(required), "%d", d->required_each);
    snprintf(members, sizeof(members), "%d", d->members);
    snprintf(seconds, sizeof(seconds), "%.3f", r->seconds);
    const char *params[] = {r->station_id,    through,         events,   r->verified ? "t" : "f",
                            r->problems,      d->station_type, required, members,
                            r->last_received, seconds};
    return cty_exec(db,
                    "INSERT INTO studycast.derived_state (station_id, through_seq, events, "
                    "verified, problems, station_type, required_each_month, members, "
                    "last_received, seconds, derived_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) "
                    "ON CONFLICT (station_id) DO UPDATE SET through_seq = $2, events = $3, "
                    "verified = $4, problems = $5, station_type = $6, required_each_month = $7, "
                    "members = $8, last_received = $9, seconds = $10, derived_at = now()",
                    10, params, PGRES_COMMAND_OK, "keeping a station's derivation", NULL);
}

static int store(struct cty_db *db, const struct station_result *r, const struct derivation *d)
{
    const char *params[] = {r->station_id};
    int rc = cty_begin(db);
    /* two reports refreshing at once take turns per station */
    if (rc == 0)
        rc = cty_exec(db, "SELECT pg_advisory_xact_lock(hashtext('studycast.derive:' || $1))", 1,
                      params, PGRES_TUPLES_OK, "locking a station's caches", NULL);
    if (rc == 0)
        rc = cty_exec(db, "DELETE FROM studycast.derived_months WHERE station_id = $1", 1, params,
                      PGRES_COMMAND_OK, "replacing a station's months", NULL);
    if (rc == 0 && d->n_months > 0) rc = write_months(db, r, d);
    if (rc == 0) rc = write_state(db, r, d);
    if (rc == 0) return cty_commit(db);
    cty_rollback(db);
    return rc;
}

/* Problems from cty_verify_station and from building the record, one a line. */
static void collect_problems(const struct cty_station_check *check, struct rec *rec, int built,
                             struct sc_buf *out)
{
    for (size_t i = 0; i < check->n_problems; i++)
        sc_buf_printf(out, "%s%s", out->len ? "\n" : "", check->problems[i]);
    if (built == REC_ECHAIN && rec && rec_chain_fault(rec)->seq != 0)
        sc_buf_printf(out, "%s%s", out->len ? "\n" : "", rec_chain_fault(rec)->message);
    else if (built != 0 && built != REC_ECHAIN)
        sc_buf_printf(out, "%sthe events cannot be read as a record: %s", out->len ? "\n" : "",
                      rec_strerror(built));
}

int cty_derive_station(struct cty_db *db, const char *station_id, const char *registered_type,
                       int64_t through_seq, const char *last_received)
{
    int64_t t0 = sc_mono_ns();
    struct cty_station_check check = {0};
    int rc = cty_verify_station(db, station_id, &check);
    if (rc != 0) return rc;
    struct rows rows = {0};
    rc = read_rows(db, station_id, &rows);
    struct rec *rec = NULL;
    int built = rc == 0 ? rec_open_events(rows.events, rows.n, db->log, &rec) : 0;
    struct derivation d = {0};
    if (rc == 0 && rec) rc = derive_record(rec, &rows, &d);
    if (rc == 0 && rows.n == 0) {
        /* nothing sent yet: every month is silent and counts with the type the
         * station was registered as (the record's rule: township 4, village 3) */
        snprintf(d.station_type, sizeof(d.station_type), "%s", registered_type);
        d.required_each = strcmp(registered_type, "township") == 0 ? 4 : 3;
    }
    struct sc_buf problems = {0};
    if (rc == 0) {
        collect_problems(&check, rec, built, &problems);
        struct station_result r = {
            .station_id = station_id,
            .through_seq = through_seq,
            .events = (int64_t)rows.n,
            .last_received = last_received,
            .verified = check.ok && built == 0,
            .problems = problems.len ? problems.data : NULL,
            .seconds = (double)(sc_mono_ns() - t0) / 1e9,
        };
        rc = problems.failed ? -ENOMEM : store(db, &r, &d);
    }
    if (rc == 0 && !rec && built != 0) rc = built;
    sc_buf_free(&problems);
    free(d.months);
    rec_close(rec);
    rows_free(&rows);
    cty_station_check_free(&check);
    return rc;
}

int cty_refresh(struct cty_db *db, cty_progress_fn progress, void *ctx,
                struct cty_refresh_result *result)
{
    memset(result, 0, sizeof(*result));
    int64_t t0 = sc_mono_ns();
    PGresult *res = NULL;
    int rc = cty_exec(db,
                      "SELECT s.station_id, s.type, coalesce(b.last_seq, 0), b.received "
                      "FROM studycast.stations s LEFT JOIN (SELECT station_id, "
                      "max(last_seq) AS last_seq, max(received_at) AS received "
                      "FROM studycast.batches GROUP BY station_id) b USING (station_id) "
                      "LEFT JOIN studycast.derived_state d USING (station_id) "
                      "WHERE d.station_id IS NULL OR d.through_seq <> coalesce(b.last_seq, 0) "
                      "ORDER BY s.station_id",
                      0, NULL, PGRES_TUPLES_OK, "finding stations to derive", &res);
    int n = rc == 0 ? PQntuples(res) : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (progress) progress(ctx, i, n);
        rc = cty_derive_station(db, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), int_at(res, i, 2),
                                PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3));
        if (rc == 0) result->stations++;
    }
    PQclear(res);
    result->seconds = (double)(sc_mono_ns() - t0) / 1e9;
    return rc;
}

int cty_cache_note_check(struct cty_db *db, const struct cty_station_check *check)
{
    struct sc_buf problems = {0};
    for (size_t i = 0; i < check->n_problems; i++)
        sc_buf_printf(&problems, "%s%s", i ? "\n" : "", check->problems[i]);
    if (problems.failed) {
        sc_buf_free(&problems);
        return -ENOMEM;
    }
    const char *params[] = {check->station_id, problems.len ? problems.data : NULL};
    /* a failure is kept at once; a station found sound again is derived anew
     * by the next report, which checks it again */
    int rc = cty_exec(db,
                      check->ok ? "UPDATE studycast.derived_state SET through_seq = -1 "
                                  "WHERE station_id = $1 AND NOT verified AND $2::text IS NULL"
                                : "UPDATE studycast.derived_state SET verified = false, "
                                  "problems = $2 WHERE station_id = $1",
                      2, params, PGRES_COMMAND_OK, "keeping a station's check", NULL);
    sc_buf_free(&problems);
    return rc;
}
