/* The demo: on a fresh receiver (no schedule, no tuner) or with --demo, the
 * kiosk shows the whole product on the demo course stream (made at build
 * time with a Chinese SDT/EIT), a demo roster and a schedule whose first
 * course starts a minute after launch. Everything lives in DATA_DIR/demo, a
 * record and schedule of its own, so demo sessions never count in the
 * station's real record; the demo courses are also marked as not counting. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEMO_FIRST_DELAY_S 60
#define DEMO_MINUTES       5

static const char demo_roster[] = "number,name,category,card\n"
                                  "001,王建国,党员,80010001\n"
                                  "002,李秀英,党员,80010002\n"
                                  "003,张伟,干部,80010003\n"
                                  "004,刘芳,群众,80010004\n"
                                  "005,陈明,党员,80010005\n"
                                  "006,杨丽,群众,80010006\n"
                                  "007,赵强,干部,80010007\n"
                                  "008,黄敏,党员,80010008\n"
                                  "009,周杰,群众,80010009\n"
                                  "010,吴桂兰,党员,80010010\n";

static const struct {
    const char *title;
    int start_after_s;
} demo_courses[] = {
    {"现代农业种植技术（演示）", DEMO_FIRST_DELAY_S},
    {"基层党建工作实务（演示）", DEMO_FIRST_DELAY_S + 10 * 60},
};

const char *st_demo_stream_path(void)
{
    if (access(STUDYCAST_DEMO_COURSE_BUILD_PATH, R_OK) == 0)
        return STUDYCAST_DEMO_COURSE_BUILD_PATH;
    if (access(STUDYCAST_DEMO_COURSE_INSTALL_PATH, R_OK) == 0)
        return STUDYCAST_DEMO_COURSE_INSTALL_PATH;
    return NULL;
}

static bool has_tuner(void)
{
    return access("/dev/dvb/adapter0/frontend0", F_OK) == 0;
}

bool st_demo_wanted(const char *data_dir, struct sc_log *log)
{
    if (has_tuner()) return false;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/schedule.db", data_dir);
    if (access(path, F_OK) != 0) {
        SC_INFO(log, "no schedule in %s and no tuner: running the demo", data_dir);
        return true;
    }
    struct sch_db *schedule = NULL;
    struct sch_entry *entries = NULL;
    size_t n = 0;
    bool empty = sch_db_open(data_dir, log, &schedule) == 0 &&
                 sch_db_list(schedule, &entries, &n) == 0 && n == 0;
    free(entries);
    sch_db_close(schedule);
    if (empty) SC_INFO(log, "the schedule in %s is empty and there is no tuner: demo", data_dir);
    return empty;
}

static int import_roster(struct st_station *st)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/demo-roster.csv", st->data_dir);
    int rc = sc_write_file_atomic(path, demo_roster, sizeof(demo_roster) - 1);
    if (rc < 0) {
        SC_ERR(st->log, "cannot write %s: %s", path, strerror(-rc));
        return rc;
    }
    struct rec_import_result result = {0};
    /* the demo's roster is the whole roster, as it always was */
    rc = rec_members_import(st->rec, path, REC_IMPORT_REPLACE, &result);
    for (size_t i = 0; i < result.n_problems; i++)
        SC_ERR(st->log, "demo roster line %d: %s", result.problems[i].line,
               result.problems[i].message);
    rec_import_result_free(&result);
    if (rc < 0) SC_ERR(st->log, "cannot import the demo roster: %s", rec_strerror(rc));
    return rc;
}

/* A fresh demo schedule at every launch: the first course a minute from now. */
static int plan(struct st_station *st, const char *stream)
{
    struct sch_entry *entries = NULL;
    size_t n = 0;
    int rc = sch_db_list(st->plan.schedule, &entries, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sch_db_remove(st->plan.schedule, entries[i].id);
    free(entries);
    int64_t now = (sc_utc_ns() / 1000000000LL);
    for (size_t i = 0; rc == 0 && i < sizeof(demo_courses) / sizeof(demo_courses[0]); i++) {
        struct sch_entry e;
        sch_entry_init(&e);
        snprintf(e.title, sizeof(e.title), "%s", demo_courses[i].title);
        e.source.type = SCH_SOURCE_FILE;
        snprintf(e.source.location, sizeof(e.source.location), "%s", stream);
        e.start_utc = now + demo_courses[i].start_after_s;
        e.utc_offset_s = st->utc_offset_s;
        e.duration_min = DEMO_MINUTES;
        e.kind = SCH_LIVE;
        e.counts = false; /* a demo never counts toward the requirement */
        rc = sch_db_add(st->plan.schedule, &e);
    }
    if (rc < 0) SC_ERR(st->log, "cannot plan the demo courses: %s", strerror(-rc));
    return rc;
}

int st_demo_prepare(struct st_station *st)
{
    const char *stream = st_demo_stream_path();
    if (!stream) {
        SC_ERR(st->log, "the demo course stream is not installed (%s or %s)",
               STUDYCAST_DEMO_COURSE_BUILD_PATH, STUDYCAST_DEMO_COURSE_INSTALL_PATH);
        return -ENOENT;
    }
    int rc = import_roster(st);
    if (rc == 0) rc = rec_setting_set(st->rec, "station_name", "示范村学习站（演示）");
    if (rc < 0) return rc;
    snprintf(st->home.station_name, sizeof(st->home.station_name), "%s", "示范村学习站（演示）");
    return plan(st, stream);
}
