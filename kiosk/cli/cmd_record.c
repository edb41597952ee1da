/* `studycast record report|export|settings|check`: the study record's reports,
 * signed exports and station settings (the record itself is kiosk/record/). */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"
#include "kiosk/snapshot/snapshot.h"
#include "kiosk/station/station.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct args {
    const char *data_dir, *month, *quarter, *half, *out, *from, *to, *format;
    const char *station_name, *station_type, *utc_offset, *county_server;
    bool json;
};

#define O(field) offsetof(struct args, field)
#define DATA_DIR                                                                                   \
    {                                                                                              \
        "data-dir", 0, CLI_STRING, O(data_dir), .def_str = REC_DEFAULT_DATA_DIR, .metavar = "DIR", \
                                                .help = "the station's data"                       \
    }
static const struct cli_option report_options[] = {
    {"month", 0, CLI_STRING, O(month), .metavar = "YYYY-MM", .help = "a month"},
    {"quarter", 0, CLI_STRING, O(quarter), .metavar = "YYYY-Qn", .help = "a quarter"},
    {"half", 0, CLI_STRING, O(half), .metavar = "YYYY-Hn", .help = "a half year"},
    {"json", 0, CLI_FLAG, O(json), .help = "one JSON object"},
    DATA_DIR,
    {NULL},
};
static const struct cli_option export_options[] = {
    {"out", 0, CLI_STRING, O(out), .metavar = "DIR", .help = "where the export goes (required)"},
    {"from", 0, CLI_STRING, O(from), .metavar = "DATE", .help = "the first day (YYYY-MM-DD)"},
    {"to", 0, CLI_STRING, O(to), .metavar = "DATE", .help = "the last day, included"},
    {"format", 0, CLI_STRING, O(format), .metavar = "LIST",
     .help = "a comma list of csv, xapi, pdf (default all)"},
    DATA_DIR,
    {NULL},
};
static const struct cli_option settings_options[] = {
    {"station-name", 0, CLI_STRING, O(station_name), .metavar = "NAME",
     .help = "the station's name"},
    {"station-type", 0, CLI_STRING, O(station_type), .metavar = "village|township",
     .help = "what the study requirement counts"},
    {"utc-offset", 0, CLI_STRING, O(utc_offset), .metavar = "+08:00",
     .help = "the station's local time"},
    {"county-server", 0, CLI_STRING, O(county_server), .metavar = "CONNINFO",
     .help = "the county's database, as `studycast county add-station --json`\n"
             "gave it (password included; kept 0600 in DATA_DIR/county.conninfo,\n"
             "the record keeps it without the password); \"\" stops syncing"},
    DATA_DIR,
    {NULL},
};
static const struct cli_option check_options[] = {DATA_DIR, {NULL}};
#undef O

static const struct cli_spec subs[] = {
    {"studycast record", "report",
     "record report (--month YYYY-MM | --quarter YYYY-Qn | --half YYYY-Hn)\n"
     "                               [--json] [--data-dir DIR]",
     .options = report_options},
    {"studycast record", "export",
     "record export --out DIR [--from DATE --to DATE]\n"
     "                               [--format csv,xapi,pdf] [--data-dir DIR]",
     .options = export_options},
    {"studycast record", "settings",
     "record settings [--station-name NAME] [--station-type village|township]\n"
     "                               [--utc-offset +08:00] [--county-server CONNINFO]\n"
     "                               [--data-dir DIR]",
     .options = settings_options},
    {"studycast record", "check", "record check [--data-dir DIR]", .options = check_options},
    {NULL},
};

static const struct cli_group group = {
    .prog = "studycast record",
    .about =
        "\nMonths, quarters and DATEs (YYYY-MM-DD, --to inclusive) are in the station's local\n"
        "time (setting utc_offset, default +08:00); a session belongs to the month it\n"
        "started in. The data dir defaults to " REC_DEFAULT_DATA_DIR ".\n",
    .subs = subs,
};

const char *cli_record_unwritable(int code)
{
    if (code == -ENOSPC)
        return "The disk holding the study record is full: nothing can be recorded or changed "
               "until space is freed there. The record itself is intact, and these still work: "
               "studycast record report, record export --out DIR (on another disk), record "
               "check, record settings (to read them) and members list.\n";
    return "The disk holding the study record is read-only: nothing can be recorded or changed "
           "until it is writable again (check the disk, then remount it read-write). The "
           "record itself is intact, and these still work: studycast record report, record "
           "export --out DIR (on another disk), record check, record settings (to read them) "
           "and members list.\n";
}

/* Reading commands open the record read-only: they work on a read-only or
 * full disk, so the administrator can always get the record off the box. */
static int open_record(const struct args *a, struct sc_log *log, bool read_only, struct rec **rec)
{
    struct rec_options options = {.data_dir = a->data_dir};
    int rc = read_only ? rec_open_for_reading(&options, log, rec) : rec_open(&options, log, rec);
    if (rc != 0) {
        fprintf(stderr, "studycast: cannot open the study record in %s: %s\n",
                a->data_dir ? a->data_dir : REC_DEFAULT_DATA_DIR, rec_strerror(rc));
        if (!read_only && (rc == -EROFS || rc == -ENOSPC))
            fprintf(stderr, "%s", cli_record_unwritable(rc));
    }
    return rc;
}

/* Columns on a terminal: CJK characters take two cells, so printf's byte
 * widths would misalign Chinese names. Prints text padded (or cut) to
 * `cells` cells. */
static int cell_width(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
               ? 2
               : 1;
}

void cli_print_cells(const char *text, int cells)
{
    const unsigned char *p = (const unsigned char *)text;
    int used = 0;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        uint32_t cp = len == 1 ? *p : (uint32_t)(*p & (0x7F >> len));
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                len = i;
                break;
            }
            cp = cp << 6 | (p[i] & 0x3F);
        }
        int w = cell_width(cp);
        if (used + w > cells) break;
        fwrite(p, 1, (size_t)len, stdout);
        used += w;
        p += len;
    }
    for (; used < cells; used++)
        putchar(' ');
}

static void print_requirement(const struct rec_requirement *req, const char *label)
{
    printf("%s: %s station, %d sessions of >= %d minutes required, %d held: %s\n", label,
           req->station_type, req->sessions_required, req->minutes_required_each,
           req->sessions_held, req->met ? "MET" : "NOT MET");
}

/* A resumed session's cuts: neither played nor credited. */
static void print_interruptions(const struct rec_session_summary *s, int offset)
{
    for (size_t i = 0; i < s->n_interruptions; i++) {
        char from[32], to[32];
        rec_format_local(s->interruptions[i].from_utc, offset, from, sizeof(from));
        rec_format_local(s->interruptions[i].to_utc, offset, to, sizeof(to));
        printf("  interrupted %s to %s (%lld s), resumed: not played, not credited\n", from, to,
               (long long)(s->interruptions[i].to_utc - s->interruptions[i].from_utc));
    }
}

static int report_table(struct rec *rec, const struct rec_period *period)
{
    struct rec_session_summary *s = NULL;
    struct rec_member *members = NULL;
    size_t n = 0, n_members = 0;
    int rc = rec_sessions(rec, period->from_utc, period->to_utc, &s, &n);
    if (rc == 0) rc = rec_members_list(rec, &members, &n_members);
    if (rc != 0) goto out;
    int offset = rec_utc_offset_seconds(rec);
    char name[128] = "", type[16] = "", shown[512];
    rec_setting_get(rec, "station_name", name, sizeof(name));
    rec_setting_get(rec, "station_type", type, sizeof(type));
    printf("Study record %s  station: %s (%s)\n\n", period->label,
           *name ? sc_text_printable(name, shown, sizeof(shown)) : "(unnamed)", type);
    printf("%-16s  %-30s  %7s  %-11s  %9s  %6s\n", "start (local)", "course", "minutes", "status",
           "attendees", "rate");
    for (size_t i = 0; i < n; i++) {
        char start[32];
        size_t present = 0;
        for (size_t a = 0; a < s[i].n_attendance; a++)
            present += s[i].attendance[a].seconds > 0;
        rec_format_local(s[i].start_utc, offset, start, sizeof(start));
        printf("%-16s  ", start);
        cli_print_cells(sc_text_printable(s[i].course, shown, sizeof(shown)), 30);
        printf("  %7lld  %-11s  %4zu/%-4zu  %5.0f%%\n", (long long)(s[i].played_seconds / 60),
               s[i].open          ? "open"
               : s[i].interrupted ? "interrupted"
                                  : "complete",
               present, n_members, n_members ? 100.0 * (double)present / (double)n_members : 0.0);
        print_interruptions(&s[i], offset);
    }
    if (n == 0) printf("(no sessions)\n");
    printf("\n%-10s  %-20s  %-12s  %8s  %7s\n", "member", "name", "category", "sessions", "hours");
    for (size_t m = 0; m < n_members; m++) {
        int64_t seconds = 0;
        int attended = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < s[i].n_attendance; a++)
                if (strcmp(s[i].attendance[a].member, members[m].number) == 0) {
                    seconds += s[i].attendance[a].seconds;
                    attended += s[i].attendance[a].seconds > 0;
                }
        printf("%-10s  ", members[m].number);
        cli_print_cells(sc_text_printable(members[m].name, shown, sizeof(shown)), 20);
        printf("  %-12s  %8d  %7.2f\n", rec_category_name(members[m].category), attended,
               (double)seconds / 3600.0);
    }
    printf("\n");
    for (int m = 0; m < period->n_months; m++) {
        int64_t from = rec_local_month_start(period->year, period->first_month + m, offset);
        int64_t to = rec_local_month_start(period->year, period->first_month + m + 1, offset);
        size_t first = 0, count = 0;
        while (first < n && s[first].start_utc < from)
            first++;
        while (first + count < n && s[first + count].start_utc < to)
            count++;
        struct rec_requirement req;
        rec_requirement_for(rec, s + first, count, &req);
        char label[16];
        snprintf(label, sizeof(label), "%04d-%02d", period->year, period->first_month + m);
        print_requirement(&req, label);
    }
out:
    rec_sessions_free(s, n);
    rec_members_free(members, n_members);
    return rc;
}

static int cmd_report(const struct args *a, struct sc_log *log)
{
    int kinds = !!a->month + !!a->quarter + !!a->half;
    if (kinds != 1) {
        fprintf(stderr, "studycast record report: give one of --month, --quarter or --half\n");
        return 2;
    }
    struct rec *rec = NULL;
    if (open_record(a, log, true, &rec) != 0) return 1;
    struct rec_period period;
    char kind = a->month ? 'm' : a->quarter ? 'q' : 'h';
    const char *text = a->month ? a->month : a->quarter ? a->quarter : a->half;
    int rc = rec_period_parse(rec, kind, text, &period);
    if (rc != 0) {
        fprintf(stderr, "studycast record report: '%s' is not a %s\n", text,
                kind == 'm'   ? "month (YYYY-MM)"
                : kind == 'q' ? "quarter (YYYY-Qn)"
                              : "half year (YYYY-Hn)");
        rec_close(rec);
        return 2;
    }
    if (a->json) {
        struct sc_buf out = {0};
        rc = rec_report_json(rec, &period, &out); /* checks the chain; says so in the JSON */
        if (rc == 0) fwrite(out.data, 1, out.len, stdout);
        sc_buf_free(&out);
    } else {
        /* an altered record is still shown, so an inspector can see what is
         * there, but under the warning and with a failing exit status */
        rc = rec_check_chain(rec, NULL);
        if (rc == REC_ECHAIN) printf("WARNING: %s\n\n", rec_chain_fault(rec)->message);
        if (rc == 0 || rc == REC_ECHAIN) rc = report_table(rec, &period);
    }
    bool altered = rc == 0 && rec_chain_fault(rec)->seq != 0;
    if (altered)
        fprintf(stderr, "studycast record report: %s; the figures above cannot be trusted\n",
                rec_chain_fault(rec)->message);
    else if (rc != 0)
        fprintf(stderr, "studycast record report: %s\n", rec_strerror(rc));
    rec_close(rec);
    return rc == 0 && !altered ? 0 : 1;
}

static int parse_formats(const char *text, int *formats)
{
    *formats = 0;
    char *copy = strdup(text), *save = NULL;
    if (!copy) return -1;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "csv") == 0)
            *formats |= REC_EXPORT_CSV;
        else if (strcmp(t, "xapi") == 0)
            *formats |= REC_EXPORT_XAPI;
        else if (strcmp(t, "pdf") == 0)
            *formats |= REC_EXPORT_PDF;
        else if (strcmp(t, "all") == 0)
            *formats |= REC_EXPORT_ALL;
        else
            *formats = -1;
        if (*formats < 0) break;
    }
    free(copy);
    return *formats > 0 ? 0 : -1;
}

/* A local calendar day YYYY-MM-DD to the UTC second its midnight falls on. */
static int parse_day(const char *text, int offset, int64_t *utc)
{
    int64_t midnight;
    if (!text || strlen(text) != 10 || sc_parse_iso8601(text, &midnight) != 0) return -1;
    *utc = midnight - offset;
    return 0;
}

/* The record does not decode pictures: kiosk/snapshot does it for the PDF. */
static int decode_snapshot(void *ctx, const void *data, size_t size, int max_width, uint8_t **argb,
                           int *width, int *height, int *stride)
{
    (void)ctx;
    return snap_decode_argb(data, size, max_width, argb, width, height, stride);
}

static int cmd_export(const struct args *a, struct sc_log *log)
{
    int formats = REC_EXPORT_ALL;
    if (!a->out) {
        fprintf(stderr, "studycast record export: --out DIR is required\n");
        return 2;
    }
    if (a->format && parse_formats(a->format, &formats) != 0) {
        fprintf(stderr, "studycast record export: --format takes csv, xapi, pdf (comma list)\n");
        return 2;
    }
    struct rec *rec = NULL;
    if (open_record(a, log, true, &rec) != 0) return 1; /* the export writes elsewhere */
    int offset = rec_utc_offset_seconds(rec);
    int64_t from = INT64_MIN, to = INT64_MAX;
    if ((a->from && parse_day(a->from, offset, &from) != 0) ||
        (a->to && parse_day(a->to, offset, &to) != 0)) {
        fprintf(stderr, "studycast record export: dates are YYYY-MM-DD\n");
        rec_close(rec);
        return 2;
    }
    if (a->to) to += 86400; /* --to names the last day included */
    if (from >= to) {
        fprintf(stderr, "studycast record export: --from is after --to\n");
        rec_close(rec);
        return 2;
    }
    /* staged: written beside --out, verified, then put in place; a failure
     * leaves a previous export there as it was (rec_export_staged) */
    rec_set_picture_decoder(rec, decode_snapshot, NULL); /* the record book's pictures */
    int rc = rec_export(rec, a->out, from, to, formats);
    if (rc == REC_ECHAIN)
        fprintf(stderr,
                "studycast record export: %s. Nothing was exported: an export would be signed "
                "by the station as if the record were sound. `studycast record report` still "
                "shows the record, with this warning.\n",
                rec_chain_fault(rec)->message);
    else if (rc == -ELOOP)
        fprintf(stderr,
                "studycast: export to %s refused: it is a symbolic link, and studycast does not "
                "follow links when it writes an export. Name the real folder instead.\n",
                a->out);
    else if (rc != 0)
        fprintf(stderr,
                "studycast: export to %s failed: %s. The study record itself is unchanged; "
                "fix the target (space, write protection, is it plugged in?) and export "
                "again.\n",
                a->out, rec_strerror(rc));
    else
        printf("exported to %s\n", a->out);
    rec_close(rec);
    return rc == 0 ? 0 : 1;
}

/* The credentials into DATA_DIR/county.conninfo, the server without the
 * password into the record; the old file comes back if the record refuses. */
static int set_county_server(const struct args *a, struct rec *rec)
{
    char old[ST_COUNTY_CONNINFO_MAX + 1] = "", shown[ST_COUNTY_CONNINFO_MAX + 1];
    st_station_county_get(a->data_dir, old, sizeof(old));
    int rc = st_station_county_set(a->data_dir, a->county_server, shown, sizeof(shown));
    if (rc == -EINVAL) {
        fprintf(stderr,
                "studycast record settings: --county-server: not a conninfo (key=value "
                "pairs such as host=... port=... dbname=... user=... password=..., or a "
                "postgresql:// URI, on one line, at most %d bytes)\n",
                ST_COUNTY_CONNINFO_MAX);
        return rc;
    }
    if (rc < 0) {
        fprintf(stderr, "studycast record settings: cannot write %s/county.conninfo: %s\n",
                a->data_dir ? a->data_dir : REC_DEFAULT_DATA_DIR, strerror(-rc));
        return rc;
    }
    rc = rec_setting_set(rec, "county_server", shown);
    if (rc < 0) {
        char ignored[ST_COUNTY_CONNINFO_MAX + 1];
        st_station_county_set(a->data_dir, old, ignored, sizeof(ignored));
        fprintf(stderr, "studycast record settings: cannot set county_server: %s\n",
                rc == -EINVAL ? "the server's part is too long" : rec_strerror(rc));
        if (rc == -EROFS || rc == -ENOSPC) fprintf(stderr, "%s", cli_record_unwritable(rc));
    }
    return rc;
}

static int cmd_settings(const struct args *a, struct sc_log *log)
{
    const char *keys[] = {"station_name", "station_type", "utc_offset"};
    const char *values[] = {a->station_name, a->station_type, a->utc_offset};
    bool changes = values[0] || values[1] || values[2] || a->county_server;
    struct rec *rec = NULL;
    if (open_record(a, log, !changes, &rec) != 0) return 1;
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        if (!values[i]) continue;
        rc = rec_setting_set(rec, keys[i], values[i]);
        if (rc != 0)
            fprintf(stderr, "studycast record settings: cannot set %s: %s\n", keys[i],
                    rc != -EINVAL ? rec_strerror(rc)
                    : strcmp(keys[i], "station_name") == 0
                        ? "a station name has at most 120 bytes and no control characters"
                        : "invalid value");
        if (rc == -EROFS || rc == -ENOSPC) fprintf(stderr, "%s", cli_record_unwritable(rc));
    }
    if (rc == 0 && a->county_server) rc = set_county_server(a, rec);
    if (rc == 0) {
        const char *all[] = {"station_id", "station_name", "station_type", "utc_offset",
                             "volume",     "language",     "clock_source", "source",
                             "service",    "county_server", "tv_standby"};
        for (int i = 0; i < (int)(sizeof(all) / sizeof(all[0])); i++) {
            char value[256] = "", shown[1024];
            rec_setting_get(rec, all[i], value, sizeof(value));
            printf("%-13s %s\n", all[i], sc_text_printable(value, shown, sizeof(shown)));
        }
        char key[65];
        rec_station_public_key_hex(rec, key);
        printf("%-13s %s\n", "public_key", key);
    }
    rec_close(rec);
    return rc == 0 ? 0 : 1;
}

static int cmd_check(const struct args *a, struct sc_log *log)
{
    struct rec *rec = NULL;
    if (open_record(a, log, true, &rec) != 0) return 1;
    int rc = rec_check(rec);
    if (rc == 0)
        printf("record sound: %lld events, integrity_check ok, chain ok\n",
               (long long)rec_last_seq(rec));
    else if (rc == REC_ECHAIN)
        fprintf(stderr, "studycast record check: %s\n", rec_chain_fault(rec)->message);
    else
        fprintf(stderr, "studycast record check: %s\n", rec_strerror(rc));
    rec_close(rec);
    return rc == 0 ? 0 : 1;
}

int cli_record(int argc, char **argv, struct sc_log *log)
{
    struct args a = {0};
    struct cli_args pos;
    const struct cli_spec *sub = NULL;
    int rc = cli_parse_group(&group, argc, argv, &a, &pos, &sub);
    if (rc) return cli_status(rc);
    struct sc_log *rlog = sc_log_child(log, "record");
    int status;
    if (sub == &subs[0])
        status = cmd_report(&a, rlog);
    else if (sub == &subs[1])
        status = cmd_export(&a, rlog);
    else if (sub == &subs[2])
        status = cmd_settings(&a, rlog);
    else
        status = cmd_check(&a, rlog);
    sc_log_destroy(rlog);
    return status;
}
