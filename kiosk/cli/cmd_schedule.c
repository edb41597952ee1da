/* studycast schedule add|list|remove: the course plan from a shell, for
 * scripts and set-up. Exit status: 0 done, 1 failure (database, file
 * system), 2 bad input, 3 refused because of conflicts (--force overrides). */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"
#include "kiosk/schedule/schedule.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DATA_DIR "/var/lib/studycast"
#define MAX_CONFLICTS    32

struct options {
    const char *data_dir;
    const char *title, *source, *start, *repeat, *kind, *from, *to, *offset;
    int duration; /* minutes; 0: not given */
    bool until_event_end, no_count, force, json;
    const char *positional;      /* remove: the id */
    const struct cli_spec *spec; /* the sub-command, for its usage errors */
};

#define O(field) offsetof(struct options, field)
#define DATA_DIR                                                                                   \
    {                                                                                              \
        "data-dir", 0, CLI_STRING, O(data_dir), .def_str = DEFAULT_DATA_DIR, .metavar = "DIR",     \
                                                .help = "the station's data"                       \
    }
#define UTC_OFFSET                                                                                 \
    {                                                                                              \
        "utc-offset", 0, CLI_STRING, O(offset),                                                    \
            .metavar = "+HH:MM",                                                                   \
            .help = "station local time (default: the record's utc_offset, +08:00)"                \
    }
static const struct cli_option add_options[] = {
    {"title", 0, CLI_STRING, O(title), .required = true, .metavar = "T", .help = "the course"},
    {"source", 0, CLI_STRING, O(source), .required = true, .metavar = "S",
     .help = "what plays (see Sources)"},
    {"start", 0, CLI_STRING, O(start), .required = true, .metavar = "ISO8601",
     .help = "the first start, e.g. 2026-12-01T19:30"},
    {"duration", 0, CLI_INT, O(duration), 1, SCH_MAX_MINUTES, .metavar = "MIN",
     .help = "minutes (or --until-event-end)"},
    {"until-event-end", 0, CLI_FLAG, O(until_event_end),
     .help = "until the broadcast's guide says the event ends"},
    {"repeat", 0, CLI_STRING, O(repeat), .metavar = "RULE", .help = "daily, once, or weekdays"},
    {"kind", 0, CLI_STRING, O(kind), .metavar = "KIND",
     .help = "live (default), capture or replay"},
    {"no-count", 0, CLI_FLAG, O(no_count), .help = "does not count toward the study record"},
    {"force", 0, CLI_FLAG, O(force), .help = "add it despite conflicts"},
    UTC_OFFSET,
    DATA_DIR,
    {NULL},
};
static const struct cli_option list_options[] = {
    {"json", 0, CLI_FLAG, O(json), .help = "JSON (see above)"},
    {"from", 0, CLI_STRING, O(from), .metavar = "DATE", .help = "with --to: the occurrences"},
    {"to", 0, CLI_STRING, O(to), .metavar = "DATE", .help = "inclusive"},
    UTC_OFFSET,
    DATA_DIR,
    {NULL},
};
/* --utc-offset is accepted and unused: scripts pass one set of options */
static const struct cli_option remove_options[] = {UTC_OFFSET, DATA_DIR, {NULL}};
#undef O

static const struct cli_spec subs[] = {
    {"studycast schedule", "add",
     "schedule add --title T --source S --start ISO8601\n"
     "                              (--duration MIN | --until-event-end)\n"
     "                              [--repeat daily|mon,wed,...] [--kind live|capture|replay]\n"
     "                              [--no-count] [--force] [--utc-offset +HH:MM] [--data-dir DIR]",
     .options = add_options},
    {"studycast schedule", "list",
     "schedule list [--json] [--from DATE --to DATE] [--utc-offset +HH:MM]\n"
     "                              [--data-dir DIR]",
     .options = list_options},
    {"studycast schedule", "remove", "schedule remove ID [--data-dir DIR]",
     .options = remove_options, 0, 1},
    {NULL},
};

static const struct cli_group group = {
    .prog = "studycast schedule",
    .about = "\n"
             "Sources: service:N (a service on the broadcast stream), service:N@URL (on that\n"
             "stream), udp://... rtp://... http(s)://... (a stream), file:NAME (in the course\n"
             "library) or /path, capture:ID (the newest capture made by capture entry ID).\n"
             "Kinds: live (play at broadcast time), capture (write the broadcast into the\n"
             "course library), replay (play a captured course at study time); the old names\n"
             "record, recording and recording:ID are still read.\n"
             "A time with a zone (Z, +05:30, -0300, +08) is that instant, listed in station\n"
             "time; weekdays in --repeat are days in that zone. Times without a zone are\n"
             "station local time: --utc-offset, else the record's utc_offset setting\n"
             "(default +08:00), as the kiosk uses; never the system time zone.\n"
             "A daily course keeps its local time of day. --to DATE includes that day.\n"
             "list --json prints an array of entries; with --from/--to an object\n"
             "{\"entries\": [...], \"occurrences\": [...]}.\n",
    .epilog = "Exit status: 0 done, 1 failure, 2 bad input, 3 refused because of conflicts.\n",
    .subs = subs,
};

/* "+08:00", "-03:30", "+0800", "+08", "Z", "UTC" -> seconds. */
static int parse_offset(const char *text, int32_t *offset)
{
    if (strcmp(text, "UTC") == 0) {
        *offset = 0;
        return 0;
    }
    return sch_parse_zone(text, offset);
}

/* The station's local time: --utc-offset, else the study record's
 * utc_offset setting (what the kiosk runs on), else the record's default
 * +08:00 for a station without a record yet. Never the system time zone: the
 * receiver's TZ is often UTC while the village lives at +08:00. */
static int station_offset(const struct options *o, struct sc_log *log, int32_t *offset)
{
    if (o->offset) {
        if (parse_offset(o->offset, offset))
            return cli_error(o->spec,
                             "--utc-offset '%s' is not a zone like +08:00 (-14:00 to +14:00)",
                             o->offset);
        return 0;
    }
    *offset = 8 * 3600;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/record.sqlite", o->data_dir) >= (int)sizeof(path))
        return cli_error(o->spec, "--data-dir '%s' is too long", o->data_dir);
    if (access(path, F_OK) != 0) return 0;
    struct rec_options ro = {.data_dir = o->data_dir, .read_only = true}; /* the zone only */
    struct rec *rec = NULL;
    int rc = rec_open(&ro, log, &rec);
    if (rc < 0) {
        fprintf(stderr,
                "studycast schedule: cannot read the station's time zone from the record in %s "
                "(%s); give it with --utc-offset +08:00\n",
                o->data_dir, rec_strerror(rc));
        return 1;
    }
    *offset = rec_utc_offset_seconds(rec);
    rec_close(rec);
    return 0;
}

static int open_schedule(const char *data_dir, struct sc_log *log, bool create,
                         struct sch_db **schedule)
{
    if (create && mkdir(data_dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "studycast schedule: cannot create %s: %s\n", data_dir, strerror(errno));
        return 1;
    }
    int rc = sch_db_open(data_dir, log, schedule);
    if (rc == SCH_ESCHEMA) {
        fprintf(stderr, "studycast schedule: %s/schedule.db was written by a newer studycast\n",
                data_dir);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "studycast schedule: cannot open %s/schedule.db (%s)\n", data_dir,
                rc == -EIO ? "database error, see above" : strerror(-rc));
        return 1;
    }
    return 0;
}

static void describe_conflict(const struct sch_conflict *c, const struct sch_entry *list,
                              size_t count, int32_t offset)
{
    const struct sch_entry *other = NULL;
    for (size_t i = 0; i < count; i++)
        if (list[i].id == c->b_id) other = &list[i];
    char a[40], b_start[40], b_end[40], title[4 * SCH_TITLE_MAX];
    sch_format_local(c->a_start, offset, a, sizeof(a));
    sch_format_local(c->b_start, offset, b_start, sizeof(b_start));
    sch_format_local(c->b_end, offset, b_end, sizeof(b_end));
    fprintf(stderr,
            "studycast schedule: conflict: the course at %s overlaps entry %" PRId64
            " \"%s\" (%s, %s to %s): %s\n",
            a, c->b_id, other ? sc_text_printable(other->title, title, sizeof(title)) : "?",
            other ? sch_kind_name(other->kind) : "?", b_start, b_end,
            c->type == SCH_CONFLICT_SCREEN
                ? "both need the screen"
                : "the receiver cannot capture one broadcast while tuned to another");
}

static int cmd_add(const struct options *o, struct sc_log *log)
{
    if (!o->duration == !o->until_event_end)
        return cli_error(o->spec, "add needs exactly one of --duration MIN and --until-event-end");
    /* The entry keeps the station's offset even when --start has a zone:
     * that zone only says which instant is meant. Stored with the zone
     * instead, the course would play at the written wall time in station
     * time (19:30Z at 19:30+08:00, 8 hours early). */
    int32_t offset;
    int rc = station_offset(o, log, &offset);
    if (rc) return rc;
    struct sch_entry e;
    sch_entry_init(&e);
    if (strlen(o->title) >= sizeof(e.title))
        return cli_error(o->spec, "the title is too long (255 bytes at most)");
    snprintf(e.title, sizeof(e.title), "%s", o->title);
    char err[200];
    if (sch_source_parse(o->source, &e.source, err, sizeof(err)))
        return cli_error(o->spec, "bad --source: %s", err);
    e.duration_min = o->duration;
    e.until_event_end = o->until_event_end;
    if (o->repeat && sch_repeat_parse(o->repeat, &e.weekdays))
        return cli_error(o->spec, "--repeat '%s' must be daily, once or weekdays like mon,wed,fri",
                         o->repeat);
    if (o->kind && sch_kind_parse(o->kind, &e.kind))
        return cli_error(o->spec, "--kind '%s' must be live, capture or replay", o->kind);
    /* After --repeat: its weekdays are days in the zone --start is written in. */
    char why[120], msg[240];
    if (sch_entry_set_start(&e, o->start, offset, why, sizeof(why))) {
        snprintf(msg, sizeof(msg), "--start '%.60s' is not an ISO 8601 date and time: %s", o->start,
                 why);
        return cli_error(o->spec, "%s", msg);
    }
    e.counts = o->no_count ? false : sch_kind_counts_by_default(e.kind);
    if (sch_entry_validate(&e, err, sizeof(err))) return cli_error(o->spec, "%s", err);

    struct sch_db *schedule;
    if ((rc = open_schedule(o->data_dir, log, true, &schedule))) return rc;
    struct sch_entry *list = NULL;
    size_t count = 0;
    int status = 1;
    if ((rc = sch_db_list(schedule, &list, &count))) {
        fprintf(stderr, "studycast schedule: cannot read the schedule\n");
        goto done;
    }
    if (sch_check_references(list, count, &e, err, sizeof(err))) {
        status = cli_error(o->spec, "bad --source: %s", err);
        goto done;
    }
    struct sch_query query;
    sch_query_init(&query, offset);
    struct sch_conflict conflicts[MAX_CONFLICTS];
    int found = sch_conflicts(list, count, &e, &query, conflicts, MAX_CONFLICTS);
    if (found < 0) {
        fprintf(stderr, "studycast schedule: cannot check conflicts: %s\n", strerror(-found));
        goto done;
    }
    for (int i = 0; i < found && i < MAX_CONFLICTS; i++)
        describe_conflict(&conflicts[i], list, count, offset);
    if (found > 0 && !o->force) {
        fprintf(stderr, "studycast schedule: not added: %d conflict%s (--force adds it anyway)\n",
                found, found == 1 ? "" : "s");
        status = 3;
        goto done;
    }
    if ((rc = sch_db_add(schedule, &e))) {
        fprintf(stderr, "studycast schedule: cannot store the entry: %s\n",
                rc == -EIO ? "database error" : strerror(-rc));
        goto done;
    }
    printf("%" PRId64 "\n", e.id);
    status = 0;
done:
    free(list);
    sch_db_close(schedule);
    return status;
}

static void write_entry_json(struct sc_json *j, const struct sch_entry *e)
{
    char text[SCH_LOCATION_MAX + 32];
    sc_json_object_begin(j);
    sc_json_kv_int(j, "id", e->id);
    sc_json_kv_string(j, "title", e->title);
    sch_source_format(&e->source, text, sizeof(text));
    sc_json_kv_string(j, "source", text);
    sch_format_local(e->start_utc, e->utc_offset_s, text, sizeof(text));
    sc_json_kv_string(j, "start", text);
    if (e->until_event_end)
        sc_json_kv_bool(j, "until_event_end", true);
    else
        sc_json_kv_int(j, "duration_minutes", e->duration_min);
    sch_repeat_format(e->weekdays, text, sizeof(text));
    sc_json_kv_string(j, "repeat", text);
    sc_json_kv_string(j, "kind", sch_kind_name(e->kind));
    sc_json_kv_bool(j, "counts", e->counts);
    sc_json_object_end(j);
}

static void write_occurrence_json(struct sc_json *j, const struct sch_occurrence *o, int32_t offset)
{
    char text[40];
    sc_json_object_begin(j);
    sc_json_kv_int(j, "entry_id", o->entry->id);
    sc_json_kv_string(j, "title", o->entry->title);
    sc_json_kv_string(j, "kind", sch_kind_name(o->entry->kind));
    sch_format_local(o->start_utc, offset, text, sizeof(text));
    sc_json_kv_string(j, "start", text);
    sch_format_local(o->end_utc, offset, text, sizeof(text));
    sc_json_kv_string(j, "end", text);
    sc_json_kv_bool(j, "end_known", o->end_known);
    sc_json_kv_bool(j, "counts", o->entry->counts);
    sc_json_object_end(j);
}

static void print_entry_text(const struct sch_entry *e)
{
    char start[40], repeat[32], source[SCH_LOCATION_MAX + 32], duration[16];
    char title[4 * SCH_TITLE_MAX];
    sch_format_local(e->start_utc, e->utc_offset_s, start, sizeof(start));
    sch_repeat_format(e->weekdays, repeat, sizeof(repeat));
    sch_source_format(&e->source, source, sizeof(source));
    if (e->until_event_end)
        snprintf(duration, sizeof(duration), "event");
    else
        snprintf(duration, sizeof(duration), "%dmin", e->duration_min);
    printf("%-4" PRId64 " %s %-7s %-12s %-9s %-8s %s  [%s]\n", e->id, start, duration, repeat,
           sch_kind_name(e->kind), e->counts ? "counts" : "-",
           sc_text_printable(e->title, title, sizeof(title)), source);
}

/* --from/--to: a date is a whole local day (--to includes it); a date and
 * time is an instant (local without a zone). Exit status 0 or 2. */
static int parse_range_end(const struct options *o, const char *name, const char *text,
                           int32_t offset, bool is_end, int64_t *t)
{
    char why[120], msg[240];
    if (sch_parse_time(text, offset, t, NULL, why, sizeof(why)) == 0) {
        if (is_end && strlen(text) == 10) *t += 86400;
        return 0;
    }
    snprintf(msg, sizeof(msg), "%s '%.60s' is not a date (2026-12-01) or a time: %s", name, text,
             why);
    return cli_error(o->spec, "%s", msg);
}

static int cmd_list(const struct options *o, struct sc_log *log)
{
    if (!o->from != !o->to) return cli_error(o->spec, "--from and --to go together");
    int32_t offset;
    int rc = station_offset(o, log, &offset);
    if (rc) return rc;
    int64_t from = 0, to = 0;
    if (o->from && (rc = parse_range_end(o, "--from", o->from, offset, false, &from))) return rc;
    if (o->to && (rc = parse_range_end(o, "--to", o->to, offset, true, &to))) return rc;
    if (o->from && to <= from) return cli_error(o->spec, "--to is before --from");
    if (o->from && to - from > 400LL * 86400)
        return cli_error(o->spec, "the range is limited to 400 days");

    struct sch_entry *list = NULL;
    size_t count = 0;
    struct sch_db *schedule = NULL;
    char db_path[PATH_MAX];
    snprintf(db_path, sizeof(db_path), "%s/schedule.db", o->data_dir);
    /* No schedule yet is an empty schedule, not an error (and not a new file). */
    if (access(db_path, F_OK) == 0) {
        if ((rc = open_schedule(o->data_dir, log, false, &schedule))) return rc;
        rc = sch_db_list(schedule, &list, &count);
        sch_db_close(schedule);
        if (rc) {
            fprintf(stderr, "studycast schedule: cannot read the schedule\n");
            return 1;
        }
    }
    struct sch_occurrence *occ = NULL;
    size_t occ_count = 0;
    if (o->from) {
        struct sch_query query;
        sch_query_init(&query, offset);
        if ((rc = sch_occurrences(list, count, from, to, &query, &occ, &occ_count))) {
            fprintf(stderr, "studycast schedule: cannot list occurrences: %s\n", strerror(-rc));
            free(list);
            return 1;
        }
    }
    if (o->json) {
        struct sc_buf buf = {0};
        struct sc_json j;
        sc_json_init(&j, &buf, true);
        if (o->from) {
            sc_json_object_begin(&j);
            sc_json_key(&j, "entries");
        }
        sc_json_array_begin(&j);
        for (size_t i = 0; i < count; i++)
            write_entry_json(&j, &list[i]);
        sc_json_array_end(&j);
        if (o->from) {
            sc_json_key(&j, "occurrences");
            sc_json_array_begin(&j);
            for (size_t i = 0; i < occ_count; i++)
                write_occurrence_json(&j, &occ[i], offset);
            sc_json_array_end(&j);
            sc_json_object_end(&j);
        }
        if (buf.failed)
            fprintf(stderr, "studycast schedule: out of memory\n");
        else
            printf("%s\n", buf.data);
        rc = buf.failed ? 1 : 0;
        sc_buf_free(&buf);
    } else {
        for (size_t i = 0; i < count; i++)
            print_entry_text(&list[i]);
        if (count == 0) printf("no courses planned\n");
        for (size_t i = 0; i < occ_count; i++) {
            char start[40], end[40], title[4 * SCH_TITLE_MAX];
            sch_format_local(occ[i].start_utc, offset, start, sizeof(start));
            sch_format_local(occ[i].end_utc, offset, end, sizeof(end));
            printf("%s - %s%s  #%" PRId64 " %s\n", start, end + 11, occ[i].end_known ? "" : "?",
                   occ[i].entry->id, sc_text_printable(occ[i].entry->title, title, sizeof(title)));
        }
    }
    free(occ);
    free(list);
    return rc;
}

static int cmd_remove(const struct options *o, struct sc_log *log)
{
    long long id;
    if (!o->positional || cli_parse_long(o->positional, 1, INT64_MAX, &id))
        return cli_error(o->spec, "remove needs the id of an entry (see 'schedule list')");
    char db_path[PATH_MAX];
    snprintf(db_path, sizeof(db_path), "%s/schedule.db", o->data_dir);
    if (access(db_path, F_OK) != 0) {
        fprintf(stderr, "studycast schedule: no entry %lld (no schedule in %s)\n", id, o->data_dir);
        return 1;
    }
    struct sch_db *schedule;
    int rc = open_schedule(o->data_dir, log, false, &schedule);
    if (rc) return rc;
    struct sch_entry *list = NULL;
    size_t count = 0;
    if (sch_db_list(schedule, &list, &count) == 0) {
        int64_t referrers[8];
        size_t n = sch_referrers(list, count, id, referrers, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            fprintf(stderr,
                    "studycast schedule: warning: entry %" PRId64
                    " replays captures of entry %lld and will find no new ones\n",
                    referrers[i], id);
        free(list);
    }
    rc = sch_db_remove(schedule, id);
    sch_db_close(schedule);
    if (rc == -ENOENT) {
        fprintf(stderr, "studycast schedule: no entry %lld\n", id);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "studycast schedule: cannot remove entry %lld\n", id);
        return 1;
    }
    return 0;
}

int cli_schedule(int argc, char **argv, struct sc_log *log)
{
    struct options o = {0};
    struct cli_args pos;
    int rc = cli_parse_group(&group, argc, argv, &o, &pos, &o.spec);
    if (rc) return cli_status(rc);
    o.positional = pos.count ? pos.v[0] : NULL;
    struct sc_log *child = sc_log_child(log, "schedule");
    if (o.spec == &subs[0])
        rc = cmd_add(&o, child);
    else if (o.spec == &subs[1])
        rc = cmd_list(&o, child);
    else
        rc = cmd_remove(&o, child);
    sc_log_destroy(child);
    return rc;
}
