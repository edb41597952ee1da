/* Helpers shared by the study record's tests: a clock the test moves by hand,
 * fresh data directories under the build tree and small file helpers. */
#ifndef STUDYCAST_TEST_RECORD_UTIL_H
#define STUDYCAST_TEST_RECORD_UTIL_H

#include "kiosk/record/record.h"
#include "tests/test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A hand-moved clock: monotonic and UTC advance together unless a test
 * corrects the wall clock on its own. */
struct fake_clock {
    int64_t mono_ns, utc_ns;
    enum rec_clock_source source;
};

static inline int fake_clock_read(void *ctx, struct rec_clock_reading *out)
{
    struct fake_clock *c = ctx;
    out->mono_ns = c->mono_ns;
    out->utc_ns = c->utc_ns;
    out->source = c->source;
    return 0;
}

static inline void fake_clock_advance(struct fake_clock *c, double seconds)
{
    int64_t ns = (int64_t)(seconds * 1e9);
    c->mono_ns += ns;
    c->utc_ns += ns;
}

/* Starts the clock at a UTC date ("2026-11-10T11:00:00Z"). */
static inline void fake_clock_set(struct fake_clock *c, const char *iso)
{
    int64_t s;
    ASSERT_EQ(sc_parse_iso8601(iso, &s), 0);
    c->utc_ns = s * 1000000000;
    if (c->mono_ns == 0) c->mono_ns = 1000000000000; /* ~17 min of uptime */
    c->source = REC_CLOCK_NTP;
}

/* A new empty directory under the current (build) directory. */
static inline char *test_dir(const char *prefix)
{
    char *path = malloc(256);
    ASSERT_NOT_NULL(path);
    snprintf(path, 256, "%s-XXXXXX", prefix);
    ASSERT_NOT_NULL(mkdtemp(path));
    return path;
}

static inline void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ASSERT_NOT_NULL(f);
    ASSERT_EQ(fwrite(text, 1, len, f), len);
    ASSERT_EQ(fclose(f), 0);
}

static inline char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    ASSERT_NOT_NULL(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static inline struct rec *open_with_clock(const char *dir, struct fake_clock *clock,
                                          struct sc_log *log)
{
    struct rec_options o = {
        .data_dir = dir, .clock = fake_clock_read, .clock_ctx = clock, .heartbeat_ms = 10000};
    struct rec *rec = NULL;
    int rc = rec_open(&o, log, &rec);
    if (rc != 0) TEST_FAIL("rec_open(%s): %s", dir, rec_strerror(rc));
    return rec;
}

/* Imports a roster given as CSV text. */
static inline void import_roster(struct rec *rec, const char *dir, const char *csv)
{
    char *p = path_in(dir, "roster.csv");
    write_text(p, csv, strlen(csv));
    struct rec_import_result r;
    int rc = rec_members_import(rec, p, REC_IMPORT_REPLACE, &r);
    if (rc != 0)
        TEST_FAIL("import: %s (%s)", rec_strerror(rc), r.n_problems ? r.problems[0].message : "");
    rec_import_result_free(&r);
    free(p);
}

static inline const struct rec_attendance *find_attendance(const struct rec_session_summary *s,
                                                           const char *member)
{
    for (size_t i = 0; i < s->n_attendance; i++)
        if (strcmp(s->attendance[i].member, member) == 0) return &s->attendance[i];
    return NULL;
}

#endif
