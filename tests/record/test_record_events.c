/* rec_open_events: a record built in memory from a station's event rows (as
 * the county holds them) derives exactly what the station's own record
 * derives (the reports are byte for byte the same), refuses recording and
 * exports, and names a row that was edited, removed or made invalid. */
#include "tests/record/rec_test_util.h"

#include <sys/wait.h>

static void run_fixture(const char *program, const char *dir)
{
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        execl(program, program, dir, (char *)NULL);
        _exit(127);
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct rows {
    struct rec_chain_event *events;
    size_t n, cap;
};

static char *dup_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

/* Copies each event: rec_events_read lends its strings for the call only. */
static int collect(void *ctx, const struct rec_chain_event *e)
{
    struct rows *rows = ctx;
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 256;
        rows->events = realloc(rows->events, rows->cap * sizeof(*rows->events));
        ASSERT_NOT_NULL(rows->events);
    }
    struct rec_chain_event *c = &rows->events[rows->n++];
    *c = *e;
    c->type = dup_or_null(e->type);
    c->clock_source = dup_or_null(e->clock_source);
    c->boot_id = dup_or_null(e->boot_id);
    c->session = dup_or_null(e->session);
    c->payload = dup_or_null(e->payload);
    return 0;
}

static void rows_free(struct rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        struct rec_chain_event *e = &rows->events[i];
        free((char *)e->type);
        free((char *)e->clock_source);
        free((char *)e->boot_id);
        free((char *)e->session);
        free((char *)e->payload);
    }
    free(rows->events);
}

static void same_report(struct rec *station, struct rec *copy, char kind, const char *text)
{
    struct rec_period p1, p2;
    ASSERT_EQ(rec_period_parse(station, kind, text, &p1), 0);
    ASSERT_EQ(rec_period_parse(copy, kind, text, &p2), 0);
    ASSERT_EQ(p1.from_utc, p2.from_utc);
    struct sc_buf a = {0}, b = {0};
    ASSERT_EQ(rec_report_json(station, &p1, &a), 0);
    ASSERT_EQ(rec_report_json(copy, &p2, &b), 0);
    ASSERT_TRUE(a.len > 200);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        TEST_FAIL("%s: the copy's report differs:\n%s\n---\n%s", text, a.data, b.data);
    sc_buf_free(&a);
    sc_buf_free(&b);
}

/* The copy with one row changed by `edit` must fail its walk at `seq`. */
static void altered(struct rows *rows, struct sc_log *log, int64_t expect_seq, const char *words)
{
    struct rec *copy = NULL;
    ASSERT_EQ(rec_open_events(rows->events, rows->n, log, &copy), REC_ECHAIN);
    ASSERT_NOT_NULL(copy);
    ASSERT_EQ(rec_chain_fault(copy)->seq, expect_seq);
    if (!strstr(rec_chain_fault(copy)->message, words))
        TEST_FAIL("fault '%s' does not say '%s'", rec_chain_fault(copy)->message, words);
    rec_close(copy);
}

static size_t find_type(const struct rows *rows, const char *type)
{
    for (size_t i = 0; i < rows->n; i++)
        if (strcmp(rows->events[i].type, type) == 0) return i;
    TEST_FAIL("no %s event", type);
    return 0;
}

static void refuses_writes(struct rec *copy)
{
    ASSERT_EQ(rec_setting_set(copy, "station_name", "x"), -EROFS);
    ASSERT_EQ(rec_note(copy, "schedule_planned", "{}"), -EROFS);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(copy, "course", NULL, 0, &s), -EROFS);
    char *out = test_dir("events-export");
    ASSERT_EQ(rec_export(copy, out, INT64_MIN, INT64_MAX, REC_EXPORT_ALL), -EROFS);
    free(out);
}

int main(int argc, char **argv)
{
    ASSERT_EQ(argc, 2);
    struct sc_log *log = sc_log_create(stderr, SC_LOG_ERROR);
    char *data = test_dir("events-data");
    run_fixture(argv[1], data);
    struct rec_options o = {.data_dir = data};
    struct rec *station = NULL;
    ASSERT_EQ(rec_open_for_reading(&o, log, &station), 0);
    struct rows rows = {0};
    ASSERT_EQ(rec_events_read(station, 1, INT64_MAX, collect, &rows), 0);
    ASSERT_EQ((int64_t)rows.n, rec_last_seq(station));

    fprintf(stderr, "-- the copy reports what the station reports\n");
    struct rec *copy = NULL;
    ASSERT_EQ(rec_open_events(rows.events, rows.n, log, &copy), 0);
    same_report(station, copy, 'm', "2026-11");
    same_report(station, copy, 'm', "2026-10");
    same_report(station, copy, 'q', "2026-Q4");
    same_report(station, copy, 'h', "2026-H2");
    char a[65], b[65];
    ASSERT_EQ(rec_station_public_key_hex(station, a), 0);
    ASSERT_EQ(rec_station_public_key_hex(copy, b), 0);
    ASSERT_STR_EQ(a, b);

    fprintf(stderr, "-- recording and exports are refused\n");
    refuses_writes(copy);
    rec_close(copy);

    fprintf(stderr, "-- no rows: an empty record that parses periods\n");
    ASSERT_EQ(rec_open_events(NULL, 0, log, &copy), 0);
    struct rec_period p;
    ASSERT_EQ(rec_period_parse(copy, 'q', "2026-Q4", &p), 0);
    ASSERT_EQ(p.n_months, 3);
    rec_close(copy);

    fprintf(stderr, "-- an edited, a missing and an invalid row are named\n");
    size_t out = find_type(&rows, "member_checked_out");
    const char *payload = rows.events[out].payload;
    rows.events[out].payload = "{\"member\":\"001\"}";
    altered(&rows, log, rows.events[out].seq, "does not match its hash");
    rows.events[out].payload = payload;
    struct rec_chain_event removed = rows.events[out];
    memmove(&rows.events[out], &rows.events[out + 1], (rows.n - out - 1) * sizeof(removed));
    rows.n--;
    altered(&rows, log, removed.seq, "is missing");
    memmove(&rows.events[out + 1], &rows.events[out], (rows.n - out) * sizeof(removed));
    rows.events[out] = removed;
    rows.n++;
    const char *clock = rows.events[out].clock_source;
    rows.events[out].clock_source = "sundial";
    altered(&rows, log, rows.events[out].seq, "is not a valid event");
    rows.events[out].clock_source = clock;
    ASSERT_EQ(rec_open_events(rows.events, rows.n, log, &copy), 0); /* whole again */
    rec_close(copy);

    rows_free(&rows);
    rec_close(station);
    free(data);
    sc_log_destroy(log);
    fprintf(stderr, "test_record_events: OK\n");
    return 0;
}
