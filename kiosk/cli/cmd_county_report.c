/* `studycast county report | stations | subscribe`: the inspector's side of
 * the county database (rows of cli_county_subs, county_table.c). */
#include "kiosk/cli/cli.h"
#include "kiosk/county/county.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_county(const char *prog, const char *conninfo, struct sc_log *log,
                       struct cty_db **db)
{
    char message[256];
    int rc = cty_db_connect(conninfo, 0, log, db, message, sizeof(message));
    if (rc != 0) fprintf(stderr, "%s: %s\n", prog, message);
    return rc;
}

/* Said once when a refresh has stations to derive (the first report after
 * many syncs takes a while: docs/performance.md). */
static void refresh_progress(void *ctx, int done, int total)
{
    const char *prog = ctx;
    if (done == 0 && total > 0)
        fprintf(stderr, "%s: deriving %d station%s whose events changed since the last report\n",
                prog, total, total == 1 ? "" : "s");
}

/* Refreshes the caches; says why not. */
static int refresh(const char *prog, struct cty_db *db)
{
    struct cty_refresh_result r;
    int rc = cty_refresh(db, refresh_progress, (void *)prog, &r);
    if (rc != 0) fprintf(stderr, "%s: %s\n", prog, cty_db_message(db));
    return rc;
}

/* ---- report ------------------------------------------------------------------ */

struct report_args {
    const char *db, *month, *quarter, *half, *township, *csv, *pdf;
    bool json;
};

#define O(field) offsetof(struct report_args, field)
static const struct cli_option report_options[] = {
    {"db", 0, CLI_STRING, O(db), .required = true, .metavar = "CONNINFO",
     .help = "the county (or province) database, as its owner"},
    {"month", 0, CLI_STRING, O(month), .metavar = "YYYY-MM", .help = "a month"},
    {"quarter", 0, CLI_STRING, O(quarter), .metavar = "YYYY-Qn", .help = "a quarter"},
    {"half", 0, CLI_STRING, O(half), .metavar = "YYYY-Hn", .help = "a half year"},
    {"township", 0, CLI_STRING, O(township), .metavar = "NAME", .help = "only this township"},
    {"json", 0, CLI_FLAG, O(json), .help = "one JSON object on stdout"},
    {"csv", 0, CLI_STRING, O(csv), .metavar = "FILE", .help = "also write the table as CSV"},
    {"pdf", 0, CLI_STRING, O(pdf), .metavar = "FILE",
     .help = "also write the inspection sheet (A4, Chinese)"},
    {NULL},
};
#undef O

static const struct cli_spec report_spec = {
    .prog = "studycast county report",
    .usage = "county report --db CONNINFO (--month YYYY-MM | --quarter YYYY-Qn |\n"
             "                               --half YYYY-Hn) [--township NAME] [--json]\n"
             "                               [--csv FILE] [--pdf FILE]",
    .about = "Every registered station's figures for the period, derived from the rows\n"
             "the county holds with the station's own code: sessions and sessions held\n"
             "(>= 120 minutes played) equal what `studycast record report` says on the\n"
             "station. Months are the stations' local months; a quarter or half year is\n"
             "met only if every month is. Stations whose events changed since the last\n"
             "report are verified (signatures, chain, gaps) and derived again first;\n"
             "a station that fails is reported unverified and counted as neither met nor\n"
             "not met. Exit status 1 when any station is unverified.\n",
    .options = report_options,
};

static void print_report(const struct cty_report *r)
{
    char shown[512], when[32];
    printf("County report %s: %zu stations, %d met, %d not met, %d silent, %d unverified\n\n",
           r->period, r->n, r->met, r->not_met, r->silent, r->unverified);
    printf("%-14s  %-22s  %-8s  %8s  %9s  %-7s  %7s  %8s  %-16s  %s\n", "township", "station",
           "type", "sessions", "held/req", "met", "members", "hours", "last seen (UTC)",
           "verified");
    for (size_t i = 0; i < r->n; i++) {
        const struct cty_report_row *s = &r->rows[i];
        cli_print_cells(sc_text_printable(s->township, shown, sizeof(shown)), 14);
        printf("  ");
        cli_print_cells(
            sc_text_printable(s->name[0] ? s->name : s->station_id, shown, sizeof(shown)), 22);
        snprintf(when, sizeof(when), "never");
        if (s->last_seen) sc_format_iso8601_utc(s->last_seen, when, sizeof(when));
        when[16] = '\0';
        printf("  %-8s  %8d  %4d/%-4d  %-7s  %7d  %8.2f  %-16s  %s\n", s->type, s->sessions,
               s->sessions_held, s->sessions_required,
               s->silent ? "silent"
               : s->met  ? "MET"
                         : "not met",
               s->members, (double)(s->member_seconds / 36) / 100.0, when,
               s->verified ? "yes" : "NO");
        if (!s->verified)
            printf("    unverified: %s\n", sc_text_printable(s->problem, shown, sizeof(shown)));
    }
    if (r->n == 0) printf("(no stations registered)\n");
}

/* Writes one of the report's files, or says why not. */
static int write_output(const char *path, const struct sc_buf *data, int rc)
{
    if (rc == 0) rc = sc_write_file_atomic(path, data->data, data->len);
    if (rc != 0)
        fprintf(stderr, "studycast county report: cannot write %s: %s\n", path,
                rc == -ENOENT ? "no Chinese font (install fonts-noto-cjk)" : strerror(-rc));
    return rc;
}

static int report_outputs(const struct report_args *a, const struct cty_report *report,
                          struct sc_log *log)
{
    struct sc_buf out = {0};
    int rc = 0;
    if (a->json) {
        rc = cty_report_json(report, &out);
        if (rc == 0) fwrite(out.data, 1, out.len, stdout);
    } else {
        print_report(report);
    }
    if (rc == 0 && a->csv) {
        sc_buf_reset(&out);
        rc = write_output(a->csv, &out, cty_report_csv(report, &out));
    }
    if (rc == 0 && a->pdf) {
        sc_buf_reset(&out);
        rc = write_output(a->pdf, &out, cty_report_pdf(report, log, &out));
    }
    sc_buf_free(&out);
    return rc;
}

int cli_county_report(int argc, char **argv, struct sc_log *log)
{
    struct report_args a;
    struct cli_args pos;
    int rc = cli_parse(&report_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    int periods = !!a.month + !!a.quarter + !!a.half;
    if (periods != 1) return cli_error(&report_spec, "give one of --month, --quarter or --half");
    char kind = a.month ? 'm' : a.quarter ? 'q' : 'h';
    const char *period = a.month ? a.month : a.quarter ? a.quarter : a.half;
    struct cty_db *db = NULL;
    if (open_county(report_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_report report = {0};
    char label[16];
    if (cty_report_period(db, kind, period, label) != 0) { /* a usage error, nothing derived */
        rc = cli_error(&report_spec, "%s", cty_db_message(db));
        cty_db_close(db);
        return rc;
    }
    rc = refresh(report_spec.prog, db); /* says why not itself */
    if (rc == 0) {
        rc = cty_report(db, kind, period, a.township, &report);
        if (rc != 0) fprintf(stderr, "%s: %s\n", report_spec.prog, cty_db_message(db));
    }
    cty_db_close(db);
    if (rc == 0) rc = report_outputs(&a, &report, log);
    int unverified = report.unverified;
    cty_report_free(&report);
    if (rc != 0) return 1;
    if (unverified)
        fprintf(stderr,
                "%s: %d station%s unverified: %s figures are not counted (studycast county "
                "verify says why)\n",
                report_spec.prog, unverified, unverified == 1 ? "" : "s",
                unverified == 1 ? "its" : "their");
    return unverified ? 1 : 0;
}

/* ---- stations ------------------------------------------------------------------ */

struct stations_args {
    const char *db;
    bool json;
};

static const struct cli_option stations_options[] = {
    {"db", 0, CLI_STRING, offsetof(struct stations_args, db), .required = true,
     .metavar = "CONNINFO", .help = "the county (or province) database, as its owner"},
    {"json", 0, CLI_FLAG, offsetof(struct stations_args, json), .help = "one JSON object"},
    {NULL},
};

static const struct cli_spec stations_spec = {
    .prog = "studycast county stations",
    .usage = "county stations --db CONNINFO [--json]",
    .about = "The fleet at a glance: when each station was last heard from (its last\n"
             "sync or USB import), silent for more than " CTY_SILENT_DAYS_TEXT
             " days, its studycast version,\n"
             "events pending upload, its own last `record check`, and whether the\n"
             "county's copy of its record verified (refreshed as `county report` does).\n",
    .options = stations_options,
};

static const char *tristate_text(int value, const char *yes, const char *no)
{
    return value < 0 ? "?" : value ? yes : no;
}

static void print_fleet(const struct cty_fleet_row *rows, size_t n)
{
    char shown[512], when[32], pending[24];
    printf("%-14s  %-22s  %-16s  %-6s  %-8s  %7s  %-12s  %s\n", "township", "station",
           "last seen (UTC)", "silent", "version", "pending", "record check", "verified");
    for (size_t i = 0; i < n; i++) {
        const struct cty_fleet_row *r = &rows[i];
        cli_print_cells(sc_text_printable(r->township, shown, sizeof(shown)), 14);
        printf("  ");
        cli_print_cells(
            sc_text_printable(r->name[0] ? r->name : r->station_id, shown, sizeof(shown)), 22);
        snprintf(when, sizeof(when), "never");
        if (r->last_seen) sc_format_iso8601_utc(r->last_seen, when, sizeof(when));
        when[16] = '\0';
        snprintf(pending, sizeof(pending), "?");
        if (r->pending >= 0) snprintf(pending, sizeof(pending), "%lld", (long long)r->pending);
        printf("  %-16s  %-6s  %-8s  %7s  %-12s  %s\n", when, r->silent ? "SILENT" : "no",
               r->version[0] ? r->version : "?", pending,
               tristate_text(r->record_check, "ok", "FAILED"),
               tristate_text(r->verified, "yes", "NO"));
        if (r->record_check == 0)
            printf("    record check: %s\n",
                   sc_text_printable(r->record_check_message, shown, sizeof(shown)));
        if (r->verified == 0)
            printf("    unverified: %s\n", sc_text_printable(r->problem, shown, sizeof(shown)));
    }
    if (n == 0) printf("(no stations registered)\n");
}

int cli_county_stations(int argc, char **argv, struct sc_log *log)
{
    struct stations_args a;
    struct cli_args pos;
    int rc = cli_parse(&stations_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    struct cty_db *db = NULL;
    if (open_county(stations_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_fleet_row *rows = NULL;
    size_t n = 0;
    rc = refresh(stations_spec.prog, db);
    if (rc == 0) {
        rc = cty_fleet(db, &rows, &n);
        if (rc != 0) fprintf(stderr, "%s: %s\n", stations_spec.prog, cty_db_message(db));
    }
    cty_db_close(db);
    if (rc == 0 && a.json) {
        struct sc_buf out = {0};
        rc = cty_fleet_json(rows, n, &out);
        if (rc == 0) fwrite(out.data, 1, out.len, stdout);
        sc_buf_free(&out);
    } else if (rc == 0) {
        print_fleet(rows, n);
    }
    free(rows);
    return rc == 0 ? 0 : 1;
}

/* ---- subscribe (the province) ------------------------------------------------- */

struct subscribe_args {
    const char *db, *from, *name;
    int wait;
    bool json;
};

#define O(field) offsetof(struct subscribe_args, field)
static const struct cli_option subscribe_options[] = {
    {"db", 0, CLI_STRING, O(db), .required = true, .metavar = "CONNINFO",
     .help = "the province database (county init first), as a superuser"},
    {"from", 0, CLI_STRING, O(from), .required = true, .metavar = "CONNINFO",
     .help = "the county database, as a role that may replicate"},
    {"name", 0, CLI_STRING, O(name), .required = true, .metavar = "NAME",
     .help = "the subscription's name (a-z, 0-9, _), e.g. the county's"},
    {"wait", 0, CLI_INT, O(wait), .min = 0, .max = 3600, .def = 60, .metavar = "SECONDS",
     .help = "how long to wait for the first copy"},
    {"json", 0, CLI_FLAG, O(json), .help = "one JSON object"},
    {NULL},
};
#undef O

static const struct cli_spec subscribe_spec = {
    .prog = "studycast county subscribe",
    .usage = "county subscribe --db PROVINCE --from COUNTY --name NAME\n"
             "                               [--wait SECONDS] [--json]",
    .about = "Makes the province database a subscriber of a county's publication (made\n"
             "by `county init` on the county): PostgreSQL's logical replication copies\n"
             "the county's stations, batches, events and status rows, and streams every\n"
             "later commit. Run once per county; the province's `county report` and\n"
             "`county verify` then cover every county it subscribes to. Exit status 1\n"
             "when the first copy did not finish within --wait (it goes on).\n",
    .options = subscribe_options,
};

int cli_county_subscribe(int argc, char **argv, struct sc_log *log)
{
    struct subscribe_args a;
    struct cli_args pos;
    int rc = cli_parse(&subscribe_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    struct cty_db *db = NULL;
    if (open_county(subscribe_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_subscribe_result r;
    rc = cty_subscribe(db, a.name, a.from, a.wait, &r);
    if (rc != 0) fprintf(stderr, "%s: %s\n", subscribe_spec.prog, cty_db_message(db));
    cty_db_close(db);
    if (rc != 0) return rc == -EINVAL ? 2 : 1;
    if (a.json)
        printf("{\"subscription\": \"%s\", \"tables\": %d, \"ready\": %s}\n", a.name, r.tables,
               r.ready ? "true" : "false");
    else if (r.ready)
        printf("subscribed as %s: %d tables copied, streaming\n", a.name, r.tables);
    else
        fprintf(stderr,
                "%s: subscribed as %s, but the first copy of %d tables was not done within "
                "%d s (it goes on; see pg_stat_subscription)\n",
                subscribe_spec.prog, a.name, r.tables, a.wait);
    return r.ready ? 0 : 1;
}
