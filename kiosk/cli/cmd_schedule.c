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

static const char usage[] =
    "usage: studycast schedule add --title T --source S --start ISO8601\n"
    "                              (--duration MIN | --until-event-end)\n"
    "                              [--repeat daily|mon,wed,...] [--kind live|capture|replay]\n"
    "                              [--no-count] [--force] [--utc-offset +HH:MM] [--data-dir DIR]\n"
    "       studycast schedule list [--json] [--from DATE --to DATE] [--utc-offset +HH:MM]\n"
    "                              [--data-dir DIR]\n"
    "       studycast schedule remove ID [--data-dir DIR]\n"
    "\n"
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
    "{\"entries\": [...], \"occurrences\": [...]}.\n"
    "Exit status: 0 done, 1 failure, 2 bad input, 3 refused because of conflicts.\n";

struct options {
    const char *data_dir;
    const char *title, *source, *start, *duration, *repeat, *kind, *from, *to, *offset;
    bool until_event_end, no_count, force, json;
    const char *positional;
};

static int bad_input(const char *fmt, const char *arg)
{
    fprintf(stderr, "studycast schedule: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'studycast schedule --help')\n");
    return 2;
}

/* Parses the arguments after the subcommand; returns 0 or an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } valued[] = {
        {"--data-dir", offsetof(struct options, data_dir)},
        {"--title", offsetof(struct options, title)},
        {"--source", offsetof(struct options, source)},
        {"--start", offsetof(struct options, start)},
        {"--duration", offsetof(struct options, duration)},
        {"--repeat", offsetof(struct options, repeat)},
        {"--kind", offsetof(struct options, kind)},
        {"--from", offsetof(struct options, from)},
        {"--to", offsetof(struct options, to)},
        {"--utc-offset", offsetof(struct options, offset)},
    };
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool matched = false;
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]) && !matched; k++) {
            size_t n = strlen(valued[k].name);
            const char **slot = (const char **)((char *)o + valued[k].offset);
            if (strcmp(arg, valued[k].name) == 0) {
                /* "--title --start ..." is a forgotten value, not a title
                 * (one that starts with "--" can be given as --title=--x). */
                if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)
                    return bad_input("%s needs a value", arg);
                *slot = argv[++i];
                matched = true;
            } else if (strncmp(arg, valued[k].name, n) == 0 && arg[n] == '=') {
                *slot = arg + n + 1;
                matched = true;
            }
        }
        if (matched) continue;
        if (strcmp(arg, "--until-event-end") == 0)
            o->until_event_end = true;
        else if (strcmp(arg, "--no-count") == 0)
            o->no_count = true;
        else if (strcmp(arg, "--force") == 0)
            o->force = true;
        else if (strcmp(arg, "--json") == 0)
            o->json = true;
        else if (arg[0] == '-' && arg[1] == '-')
            return bad_input("unknown option '%s'", arg);
        else if (!o->positional)
            o->positional = arg;
        else
            return bad_input("unexpected argument '%s'", arg);
    }
    return 0;
}

/* "+08:00", "-03:30", "+0800", "+08", "Z", "UTC" -> seconds. */
static int parse_offset(const char *text, int32_t *offset)
{
    if (strcmp(text, "UTC") == 0) {
        *offset = 0;
        return 0;
    }
    return sc_sched_parse_zone(text, offset);
}

/* The station's local time: --utc-offset, else the study record's
 * utc_offset setting (what the kiosk runs on), else the record's default
 * +08:00 for a station without a record yet. Never the system time zone: the
 * receiver's TZ is often UTC while the village lives at +08:00. */
static int station_offset(const struct options *o, struct sc_log *log, int32_t *offset)
{
    if (o->offset) {
        if (parse_offset(o->offset, offset))
            return bad_input("--utc-offset '%s' is not a zone like +08:00 (-14:00 to +14:00)",
                             o->offset);
        return 0;
    }
    *offset = 8 * 3600;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/record.sqlite", o->data_dir) >= (int)sizeof(path))
        return bad_input("--data-dir '%s' is too long", o->data_dir);
    if (access(path, F_OK) != 0) return 0;
    struct rec_options ro = {.data_dir = o->data_dir};
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

static int parse_int_arg(const char *text, long min, long max, long *value)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < min || v > max) return -EINVAL;
    *value = v;
    return 0;
}

static int open_schedule(const char *data_dir, struct sc_log *log, bool create,
                         struct sc_schedule **schedule)
{
    if (create && mkdir(data_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "studycast schedule: cannot create %s: %s\n", data_dir, strerror(errno));
        return 1;
    }
    int rc = sc_schedule_open(data_dir, log, schedule);
    if (rc == SC_SCHED_ESCHEMA) {
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

static void describe_conflict(const struct sc_sched_conflict *c, const struct sc_sched_entry *list,
                              size_t count, int32_t offset)
{
    const struct sc_sched_entry *other = NULL;
    for (size_t i = 0; i < count; i++)
        if (list[i].id == c->b_id) other = &list[i];
    char a[40], b_start[40], b_end[40];
    sc_sched_format_local(c->a_start, offset, a, sizeof(a));
    sc_sched_format_local(c->b_start, offset, b_start, sizeof(b_start));
    sc_sched_format_local(c->b_end, offset, b_end, sizeof(b_end));
    fprintf(stderr,
            "studycast schedule: conflict: the course at %s overlaps entry %" PRId64
            " \"%s\" (%s, %s to %s): %s\n",
            a, c->b_id, other ? other->title : "?", other ? sc_sched_kind_name(other->kind) : "?",
            b_start, b_end,
            c->type == SC_CONFLICT_SCREEN
                ? "both need the screen"
                : "the receiver cannot capture one broadcast while tuned to another");
}

static int cmd_add(const struct options *o, struct sc_log *log)
{
    if (!o->title || !o->source || !o->start)
        return bad_input("%s", "add needs --title, --source and --start");
    if (!o->duration == !o->until_event_end)
        return bad_input("%s", "add needs exactly one of --duration MIN and --until-event-end");
    if (o->positional) return bad_input("unexpected argument '%s'", o->positional);
    /* The entry keeps the station's offset even when --start has a zone:
     * that zone only says which instant is meant. Stored with the zone
     * instead, the course would play at the written wall time in station
     * time (19:30Z at 19:30+08:00, 8 hours early). */
    int32_t offset;
    int rc = station_offset(o, log, &offset);
    if (rc) return rc;
    struct sc_sched_entry e;
    sc_sched_entry_init(&e);
    if (strlen(o->title) >= sizeof(e.title))
        return bad_input("%s", "the title is too long (255 bytes at most)");
    snprintf(e.title, sizeof(e.title), "%s", o->title);
    char err[200];
    if (sc_sched_source_parse(o->source, &e.source, err, sizeof(err)))
        return bad_input("bad --source: %s", err);
    long minutes = 0;
    if (o->duration && parse_int_arg(o->duration, 1, SC_SCHED_MAX_MINUTES, &minutes))
        return bad_input("--duration '%s' must be 1 to 1440 minutes", o->duration);
    e.duration_min = o->duration ? (int)minutes : 0;
    e.until_event_end = o->until_event_end;
    if (o->repeat && sc_sched_repeat_parse(o->repeat, &e.weekdays))
        return bad_input("--repeat '%s' must be daily, once or weekdays like mon,wed,fri",
                         o->repeat);
    if (o->kind && sc_sched_kind_parse(o->kind, &e.kind))
        return bad_input("--kind '%s' must be live, capture or replay", o->kind);
    /* After --repeat: its weekdays are days in the zone --start is written in. */
    char why[120], msg[240];
    if (sc_sched_entry_set_start(&e, o->start, offset, why, sizeof(why))) {
        snprintf(msg, sizeof(msg), "--start '%.60s' is not an ISO 8601 date and time: %s", o->start,
                 why);
        return bad_input("%s", msg);
    }
    e.counts = o->no_count ? false : sc_sched_kind_counts_by_default(e.kind);
    if (sc_sched_entry_validate(&e, err, sizeof(err))) return bad_input("%s", err);

    struct sc_schedule *schedule;
    if ((rc = open_schedule(o->data_dir, log, true, &schedule))) return rc;
    struct sc_sched_entry *list = NULL;
    size_t count = 0;
    int status = 1;
    if ((rc = sc_schedule_list(schedule, &list, &count))) {
        fprintf(stderr, "studycast schedule: cannot read the schedule\n");
        goto done;
    }
    if (sc_sched_check_references(list, count, &e, err, sizeof(err))) {
        status = bad_input("bad --source: %s", err);
        goto done;
    }
    struct sc_sched_query query;
    sc_sched_query_init(&query, offset);
    struct sc_sched_conflict conflicts[MAX_CONFLICTS];
    int found = sc_sched_conflicts(list, count, &e, &query, conflicts, MAX_CONFLICTS);
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
    if ((rc = sc_schedule_add(schedule, &e))) {
        fprintf(stderr, "studycast schedule: cannot store the entry: %s\n",
                rc == -EIO ? "database error" : strerror(-rc));
        goto done;
    }
    printf("%" PRId64 "\n", e.id);
    status = 0;
done:
    free(list);
    sc_schedule_close(schedule);
    return status;
}

static void write_entry_json(struct sc_json *j, const struct sc_sched_entry *e)
{
    char text[SC_SCHED_LOCATION_MAX + 32];
    sc_json_object_begin(j);
    sc_json_kv_int(j, "id", e->id);
    sc_json_kv_string(j, "title", e->title);
    sc_sched_source_format(&e->source, text, sizeof(text));
    sc_json_kv_string(j, "source", text);
    sc_sched_format_local(e->start_utc, e->utc_offset_s, text, sizeof(text));
    sc_json_kv_string(j, "start", text);
    if (e->until_event_end)
        sc_json_kv_bool(j, "until_event_end", true);
    else
        sc_json_kv_int(j, "duration_minutes", e->duration_min);
    sc_sched_repeat_format(e->weekdays, text, sizeof(text));
    sc_json_kv_string(j, "repeat", text);
    sc_json_kv_string(j, "kind", sc_sched_kind_name(e->kind));
    sc_json_kv_bool(j, "counts", e->counts);
    sc_json_object_end(j);
}

static void write_occurrence_json(struct sc_json *j, const struct sc_sched_occurrence *o,
                                  int32_t offset)
{
    char text[40];
    sc_json_object_begin(j);
    sc_json_kv_int(j, "entry_id", o->entry->id);
    sc_json_kv_string(j, "title", o->entry->title);
    sc_json_kv_string(j, "kind", sc_sched_kind_name(o->entry->kind));
    sc_sched_format_local(o->start_utc, offset, text, sizeof(text));
    sc_json_kv_string(j, "start", text);
    sc_sched_format_local(o->end_utc, offset, text, sizeof(text));
    sc_json_kv_string(j, "end", text);
    sc_json_kv_bool(j, "end_known", o->end_known);
    sc_json_kv_bool(j, "counts", o->entry->counts);
    sc_json_object_end(j);
}

static void print_entry_text(const struct sc_sched_entry *e)
{
    char start[40], repeat[32], source[SC_SCHED_LOCATION_MAX + 32], duration[16];
    sc_sched_format_local(e->start_utc, e->utc_offset_s, start, sizeof(start));
    sc_sched_repeat_format(e->weekdays, repeat, sizeof(repeat));
    sc_sched_source_format(&e->source, source, sizeof(source));
    if (e->until_event_end)
        snprintf(duration, sizeof(duration), "event");
    else
        snprintf(duration, sizeof(duration), "%dmin", e->duration_min);
    printf("%-4" PRId64 " %s %-7s %-12s %-9s %-8s %s  [%s]\n", e->id, start, duration, repeat,
           sc_sched_kind_name(e->kind), e->counts ? "counts" : "-", e->title, source);
}

/* --from/--to: a date is a whole local day (--to includes it); a date and
 * time is an instant (local without a zone). Exit status 0 or 2. */
static int parse_range_end(const char *name, const char *text, int32_t offset, bool is_end,
                           int64_t *t)
{
    char why[120], msg[240];
    if (sc_sched_parse_time(text, offset, t, NULL, why, sizeof(why)) == 0) {
        if (is_end && strlen(text) == 10) *t += 86400;
        return 0;
    }
    snprintf(msg, sizeof(msg), "%s '%.60s' is not a date (2026-12-01) or a time: %s", name, text,
             why);
    return bad_input("%s", msg);
}

static int cmd_list(const struct options *o, struct sc_log *log)
{
    if (o->positional) return bad_input("unexpected argument '%s'", o->positional);
    if (!o->from != !o->to) return bad_input("%s", "--from and --to go together");
    int32_t offset;
    int rc = station_offset(o, log, &offset);
    if (rc) return rc;
    int64_t from = 0, to = 0;
    if (o->from && (rc = parse_range_end("--from", o->from, offset, false, &from))) return rc;
    if (o->to && (rc = parse_range_end("--to", o->to, offset, true, &to))) return rc;
    if (o->from && to <= from) return bad_input("%s", "--to is before --from");
    if (o->from && to - from > 400LL * 86400)
        return bad_input("%s", "the range is limited to 400 days");

    struct sc_sched_entry *list = NULL;
    size_t count = 0;
    struct sc_schedule *schedule = NULL;
    char db_path[PATH_MAX];
    snprintf(db_path, sizeof(db_path), "%s/schedule.db", o->data_dir);
    /* No schedule yet is an empty schedule, not an error (and not a new file). */
    if (access(db_path, F_OK) == 0) {
        if ((rc = open_schedule(o->data_dir, log, false, &schedule))) return rc;
        rc = sc_schedule_list(schedule, &list, &count);
        sc_schedule_close(schedule);
        if (rc) {
            fprintf(stderr, "studycast schedule: cannot read the schedule\n");
            return 1;
        }
    }
    struct sc_sched_occurrence *occ = NULL;
    size_t occ_count = 0;
    if (o->from) {
        struct sc_sched_query query;
        sc_sched_query_init(&query, offset);
        if ((rc = sc_sched_occurrences(list, count, from, to, &query, &occ, &occ_count))) {
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
            char start[40], end[40];
            sc_sched_format_local(occ[i].start_utc, offset, start, sizeof(start));
            sc_sched_format_local(occ[i].end_utc, offset, end, sizeof(end));
            printf("%s - %s%s  #%" PRId64 " %s\n", start, end + 11, occ[i].end_known ? "" : "?",
                   occ[i].entry->id, occ[i].entry->title);
        }
    }
    free(occ);
    free(list);
    return rc;
}

static int cmd_remove(const struct options *o, struct sc_log *log)
{
    long id;
    if (!o->positional || parse_int_arg(o->positional, 1, LONG_MAX, &id))
        return bad_input("%s", "remove needs the id of an entry (see 'schedule list')");
    char db_path[PATH_MAX];
    snprintf(db_path, sizeof(db_path), "%s/schedule.db", o->data_dir);
    if (access(db_path, F_OK) != 0) {
        fprintf(stderr, "studycast schedule: no entry %ld (no schedule in %s)\n", id, o->data_dir);
        return 1;
    }
    struct sc_schedule *schedule;
    int rc = open_schedule(o->data_dir, log, false, &schedule);
    if (rc) return rc;
    struct sc_sched_entry *list = NULL;
    size_t count = 0;
    if (sc_schedule_list(schedule, &list, &count) == 0) {
        int64_t referrers[8];
        size_t n = sc_sched_referrers(list, count, id, referrers, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            fprintf(stderr,
                    "studycast schedule: warning: entry %" PRId64
                    " replays captures of entry %ld and will find no new ones\n",
                    referrers[i], id);
        free(list);
    }
    rc = sc_schedule_remove(schedule, id);
    sc_schedule_close(schedule);
    if (rc == -ENOENT) {
        fprintf(stderr, "studycast schedule: no entry %ld\n", id);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "studycast schedule: cannot remove entry %ld\n", id);
        return 1;
    }
    return 0;
}

int cmd_schedule(int argc, char **argv, struct sc_log *log)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
    }
    struct options o = {.data_dir = DEFAULT_DATA_DIR};
    int rc = parse_options(argc - 2, argv + 2, &o);
    if (rc) return rc;
    struct sc_log *child = sc_log_child(log, "schedule");
    if (strcmp(argv[1], "add") == 0)
        rc = cmd_add(&o, child);
    else if (strcmp(argv[1], "list") == 0)
        rc = cmd_list(&o, child);
    else if (strcmp(argv[1], "remove") == 0)
        rc = cmd_remove(&o, child);
    else
        rc = bad_input("unknown subcommand '%s' (add, list, remove)", argv[1]);
    sc_log_destroy(child);
    return rc;
}
