/* `county report`: the stations' figures for a month, quarter or half year,
 * read from the derived caches (county_derived.c) after refreshing the stations
 * whose events changed. A period's months are the stations' local months
 * (their records' utc_offset), as each station's own report counts them. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The period's label and months, parsed by the record's own parser. */
static int parse_period(struct cty_db *db, char kind, const char *text, struct rec_period *out)
{
    struct rec *empty = NULL;
    int rc = rec_open_events(NULL, 0, db->log, &empty);
    if (rc == 0) rc = rec_period_parse(empty, kind, text, out);
    rec_close(empty);
    if (rc == -EINVAL)
        return cty_fail(db, -EINVAL, "'%s' is not a %s", text ? text : "",
                        kind == 'm'   ? "month (YYYY-MM)"
                        : kind == 'q' ? "quarter (YYYY-Q1..Q4)"
                                      : "half year (YYYY-H1|H2)");
    return rc;
}

static const char report_sql[] =
    "SELECT s.station_id, s.name, s.township, coalesce(d.station_type, s.type),\n"
    "  coalesce(sum(m.sessions), 0), coalesce(sum(m.sessions_held), 0),\n"
    "  sum(coalesce(m.sessions_required, d.required_each_month)),\n"
    "  bool_and(coalesce(m.met, false)), coalesce(sum(m.events), 0) = 0,\n"
    "  coalesce(d.members, 0), coalesce(sum(m.member_seconds), 0),\n"
    "  extract(epoch FROM greatest(st.last_seen, d.last_received))::bigint,\n"
    "  coalesce(d.verified, false), d.problems\n"
    "FROM studycast.stations s\n"
    "CROSS JOIN unnest($1::text[]) AS p(month)\n"
    "LEFT JOIN studycast.derived_state d ON d.station_id = s.station_id\n"
    "LEFT JOIN studycast.derived_months m ON m.station_id = s.station_id AND m.month = p.month\n"
    "LEFT JOIN studycast.station_status st ON st.station_id = s.station_id\n"
    "WHERE $2::text IS NULL OR s.township = $2\n"
    "GROUP BY s.station_id, s.name, s.township, s.type, d.station_type, d.members,\n"
    "  d.required_each_month, d.verified, d.problems, st.last_seen, d.last_received\n"
    "ORDER BY s.township, s.name, s.station_id";

static void copy_text(char *out, size_t size, const PGresult *res, int row, int col)
{
    snprintf(out, size, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

static void read_row(const PGresult *res, int i, struct cty_report_row *r)
{
    copy_text(r->station_id, sizeof(r->station_id), res, i, 0);
    copy_text(r->name, sizeof(r->name), res, i, 1);
    copy_text(r->township, sizeof(r->township), res, i, 2);
    copy_text(r->type, sizeof(r->type), res, i, 3);
    r->sessions = atoi(PQgetvalue(res, i, 4));
    r->sessions_held = atoi(PQgetvalue(res, i, 5));
    r->sessions_required = atoi(PQgetvalue(res, i, 6));
    r->met = strcmp(PQgetvalue(res, i, 7), "t") == 0;
    r->silent = strcmp(PQgetvalue(res, i, 8), "t") == 0;
    r->members = atoi(PQgetvalue(res, i, 9));
    r->member_seconds = strtoll(PQgetvalue(res, i, 10), NULL, 10);
    r->last_seen = PQgetisnull(res, i, 11) ? 0 : strtoll(PQgetvalue(res, i, 11), NULL, 10);
    r->verified = strcmp(PQgetvalue(res, i, 12), "t") == 0;
    /* the first problem, for a line in the table and the sheet */
    copy_text(r->problem, sizeof(r->problem), res, i, 13);
    char *newline = strchr(r->problem, '\n');
    if (newline) *newline = '\0';
}

static void count_totals(struct cty_report *report)
{
    for (size_t i = 0; i < report->n; i++) {
        const struct cty_report_row *r = &report->rows[i];
        /* unverified figures count in no column but their own */
        if (!r->verified)
            report->unverified++;
        else if (r->met)
            report->met++;
        else
            report->not_met++;
        report->silent += r->silent;
    }
}

int cty_report_period(struct cty_db *db, char kind, const char *period, char label[16])
{
    struct rec_period p;
    int rc = parse_period(db, kind, period, &p);
    if (rc == 0) snprintf(label, 16, "%s", p.label);
    return rc;
}

int cty_report(struct cty_db *db, char kind, const char *period, const char *township,
               struct cty_report *out)
{
    memset(out, 0, sizeof(*out));
    struct rec_period p;
    int rc = parse_period(db, kind, period, &p);
    if (rc != 0) return rc;
    snprintf(out->period, sizeof(out->period), "%s", p.label);
    char months[6 * 8 + 3] = "{";
    for (int i = 0; i < p.n_months; i++)
        snprintf(months + strlen(months), sizeof(months) - strlen(months), "%s%04d-%02d",
                 i ? "," : "", p.year, p.first_month + i);
    strcat(months, "}");
    const char *params[] = {months, township};
    PGresult *res = NULL;
    rc = cty_exec(db, report_sql, 2, params, PGRES_TUPLES_OK, "reading the report", &res);
    if (rc != 0) return rc;
    int n = PQntuples(res);
    out->rows = n ? calloc((size_t)n, sizeof(*out->rows)) : NULL;
    if (n && !out->rows) rc = -ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++)
        read_row(res, i, &out->rows[i]);
    if (rc == 0) out->n = (size_t)n;
    PQclear(res);
    count_totals(out);
    return rc;
}

void cty_report_free(struct cty_report *report)
{
    free(report->rows);
    memset(report, 0, sizeof(*report));
}

/* Hours with two decimals, as the station's report gives a member's hours. */
static double hours(int64_t seconds)
{
    return (double)(seconds / 36) / 100.0;
}

static void json_time(struct sc_json *json, const char *key, int64_t utc)
{
    char text[32];
    sc_format_iso8601_utc(utc, text, sizeof(text));
    sc_json_key(json, key);
    if (utc)
        sc_json_string(json, text);
    else
        sc_json_null(json);
}

int cty_report_json(const struct cty_report *report, struct sc_buf *out)
{
    struct sc_json json;
    sc_json_init(&json, out, true);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "period", report->period);
    sc_json_key(&json, "stations");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < report->n; i++) {
        const struct cty_report_row *r = &report->rows[i];
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "station_id", r->station_id);
        sc_json_kv_string(&json, "name", r->name);
        sc_json_kv_string(&json, "township", r->township);
        sc_json_kv_string(&json, "type", r->type);
        sc_json_kv_int(&json, "sessions", r->sessions);
        sc_json_kv_int(&json, "sessions_held", r->sessions_held);
        sc_json_kv_int(&json, "sessions_required", r->sessions_required);
        sc_json_kv_bool(&json, "met", r->met);
        sc_json_kv_bool(&json, "silent", r->silent);
        sc_json_kv_int(&json, "members", r->members);
        sc_json_kv_double(&json, "member_hours", hours(r->member_seconds));
        sc_json_kv_int(&json, "member_seconds", r->member_seconds);
        json_time(&json, "last_seen", r->last_seen);
        sc_json_kv_bool(&json, "verified", r->verified);
        if (!r->verified) sc_json_kv_string(&json, "problem", r->problem);
        sc_json_object_end(&json);
    }
    sc_json_array_end(&json);
    sc_json_key(&json, "totals");
    sc_json_object_begin(&json);
    sc_json_kv_int(&json, "stations", (int64_t)report->n);
    sc_json_kv_int(&json, "met", report->met);
    sc_json_kv_int(&json, "not_met", report->not_met);
    sc_json_kv_int(&json, "silent", report->silent);
    sc_json_kv_int(&json, "unverified", report->unverified);
    sc_json_object_end(&json);
    sc_json_object_end(&json);
    sc_buf_puts(out, "\n");
    return out->failed ? -ENOMEM : 0;
}
