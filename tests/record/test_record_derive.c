/* Derivations from the event log: played time is the monotonic time spent
 * playing with signal; members are credited the overlap of their presence
 * with it; sessions belong to the (local) month they started in; wall-clock
 * corrections change nothing; crashes close a session at its last durable
 * event, and a session resumed within its slot stays one session. */
#include "kiosk/record/internal.h" /* rec_append: a record written by hand */
#include "tests/record/rec_test_util.h"

#include <sys/wait.h>

#define ROSTER                                                                                     \
    "number,name,category,card\n"                                                                  \
    "001,张三,党员,C1\n"                                                                       \
    "002,李四,干部,C2\n"                                                                       \
    "003,王五,群众,\n"                                                                         \
    "004,赵六,villager,\n"

static const struct rec_session_summary *only_session(struct rec *rec, const char *month,
                                                      struct rec_session_summary **all, size_t *n)
{
    struct rec_period p;
    ASSERT_EQ(rec_period_parse(rec, 'm', month, &p), 0);
    ASSERT_EQ(rec_sessions(rec, p.from_utc, p.to_utc, all, n), 0);
    ASSERT_EQ(*n, 1);
    return &(*all)[0];
}

/* Presence overlapping playback, with a pause, an outage, a late arrival and
 * an early departure. */
static void test_overlap_pause_outage(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-overlap");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-10T11:00:00Z"); /* 19:00 in the village */
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    const char *present[] = {"001", "002"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "习近平新时代中国特色社会主义思想学习", present, 2, &s), 0);
    fake_clock_advance(&clock, 120); /* setting up: not played */
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 30 * 60);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_PAUSED), 0);
    fake_clock_advance(&clock, 5 * 60);
    ASSERT_EQ(rec_session_check_in(s, "003"), 0); /* arrives during the pause */
    fake_clock_advance(&clock, 5 * 60);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_RESUMED), 0);
    fake_clock_advance(&clock, 60 * 60);
    ASSERT_EQ(rec_session_signal(s, false), 0);
    fake_clock_advance(&clock, 7 * 60); /* outage: nobody is credited */
    ASSERT_EQ(rec_session_signal(s, true), 0);
    fake_clock_advance(&clock, 20 * 60);
    ASSERT_EQ(rec_session_check_out(s, "002"), 0);
    fake_clock_advance(&clock, 20 * 60);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
    fake_clock_advance(&clock, 60);
    ASSERT_EQ(rec_session_guests(s, 3), 0);
    ASSERT_EQ(rec_session_feedback(s, "001", 5, "讲得很好"), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    ASSERT_STR_EQ(got->course, "习近平新时代中国特色社会主义思想学习");
    ASSERT_EQ(got->played_seconds, (30 + 60 + 20 + 20) * 60);
    ASSERT_FALSE(got->interrupted);
    ASSERT_FALSE(got->open);
    ASSERT_EQ(got->guests, 3);
    ASSERT_EQ(got->n_attendance, 3);
    ASSERT_EQ(find_attendance(got, "001")->seconds, (30 + 60 + 20 + 20) * 60);
    ASSERT_EQ(find_attendance(got, "002")->seconds, (30 + 60 + 20) * 60);
    ASSERT_EQ(find_attendance(got, "003")->seconds, (60 + 20 + 20) * 60);
    ASSERT_TRUE(find_attendance(got, "004") == NULL);
    ASSERT_TRUE(find_attendance(got, "001")->present);
    ASSERT_FALSE(find_attendance(got, "002")->present); /* checked out */
    int64_t start;
    ASSERT_EQ(sc_parse_iso8601("2026-11-10T11:00:00Z", &start), 0);
    ASSERT_EQ(got->start_utc, start);
    ASSERT_EQ(got->end_utc, start + (2 + 30 + 10 + 60 + 7 + 40 + 1) * 60);
    rec_sessions_free(all, n);

    /* unknown members are refused, not recorded */
    const char *stranger[] = {"999"};
    ASSERT_EQ(rec_session_open(rec, "x", stranger, 1, &s), -ENOENT);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* Outages noticed seconds after the data stopped (rec_session_signal_lost_since):
 * nothing is credited from the last data on, also when a heartbeat was
 * recorded in between; a since beyond REC_BACKDATE_MAX_S is held to it. */
static void test_outage_backdated(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-backdate");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-11T11:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    const char *present[] = {"001"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "backdated", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 600);
    ASSERT_EQ(rec_session_heartbeat(s), 0);
    fake_clock_advance(&clock, 1);
    int64_t last_data = clock.mono_ns; /* +601: the data stops */
    fake_clock_advance(&clock, 2);     /* +603: the outage is declared */
    ASSERT_EQ(rec_session_signal_lost_since(s, last_data), 0);
    fake_clock_advance(&clock, 97);
    ASSERT_EQ(rec_session_signal(s, true), 0); /* +700 */
    fake_clock_advance(&clock, 199);
    last_data = clock.mono_ns; /* +899 */
    fake_clock_advance(&clock, 1);
    ASSERT_EQ(rec_session_heartbeat(s), 0); /* +900: credited so far, then taken back */
    fake_clock_advance(&clock, 2);
    ASSERT_EQ(rec_session_signal_lost_since(s, last_data), 0); /* +902 */
    fake_clock_advance(&clock, 98);
    ASSERT_EQ(rec_session_signal(s, true), 0); /* +1000 */
    fake_clock_advance(&clock, 100);
    /* a since far in the past counts back REC_BACKDATE_MAX_S only */
    ASSERT_EQ(rec_session_signal_lost_since(s, clock.mono_ns - (int64_t)3600 * 1000000000), 0);
    fake_clock_advance(&clock, 10);
    ASSERT_EQ(rec_session_signal(s, true), 0); /* +1110 */
    fake_clock_advance(&clock, 90);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0); /* +1200 */
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    int64_t played = 601 + (899 - 700) + (1100 - REC_BACKDATE_MAX_S - 1000) + 90;
    ASSERT_EQ(got->played_seconds, played);
    ASSERT_EQ(find_attendance(got, "001")->seconds, played);
    rec_sessions_free(all, n);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* A session from 23:00 on 30 November (local) to 01:30 on 1 December counts
 * in November only, and its duration is whole. */
static void test_midnight_and_month_end(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-midnight");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-30T15:00:00Z"); /* 23:00 +08:00 */
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    const char *present[] = {"001"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "跨月课程", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    for (int i = 0; i < 150 * 6; i++) { /* heartbeats every 10 s for 2.5 h */
        fake_clock_advance(&clock, 10);
        ASSERT_EQ(rec_session_tick(s), 1);
    }
    ASSERT_EQ(rec_session_tick(s), 0); /* not due again yet */
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    ASSERT_EQ(got->played_seconds, 150 * 60);
    ASSERT_EQ(find_attendance(got, "001")->seconds, 150 * 60);
    ASSERT_EQ(got->end_utc - got->start_utc, 150 * 60);
    rec_sessions_free(all, n);
    struct rec_period dec;
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-12", &dec), 0);
    ASSERT_EQ(rec_sessions(rec, dec.from_utc, dec.to_utc, &all, &n), 0);
    ASSERT_EQ(n, 0);
    rec_sessions_free(all, n);

    /* the same instant in UTC is still 30 November, but at +00:00 a session
     * at 23:30 UTC on 31 December belongs to December and its year */
    ASSERT_EQ(rec_setting_set(rec, "utc_offset", "+00:00"), 0);
    fake_clock_set(&clock, "2026-12-31T23:30:00Z");
    ASSERT_EQ(rec_session_open(rec, "跨年课程", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 7200);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    got = only_session(rec, "2026-12", &all, &n);
    ASSERT_STR_EQ(got->course, "跨年课程");
    ASSERT_EQ(got->played_seconds, 7200);
    rec_sessions_free(all, n);
    ASSERT_EQ(rec_period_parse(rec, 'm', "2027-01", &dec), 0);
    ASSERT_EQ(rec_sessions(rec, dec.from_utc, dec.to_utc, &all, &n), 0);
    ASSERT_EQ(n, 0);
    rec_sessions_free(all, n);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* The wall clock jumps (NTP correction, broadcast time) in the middle of a
 * session: the minutes are those of the monotonic clock. */
static void test_wall_clock_correction(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-clock");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-12T02:00:00Z");
    clock.source = REC_CLOCK_SYSTEM;
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    const char *present[] = {"001", "002"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "时钟校正", present, 2, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 3600);
    clock.utc_ns -= (int64_t)3 * 3600 * 1000000000; /* the set-top clock was 3 h fast */
    clock.source = REC_CLOCK_BROADCAST;
    ASSERT_EQ(rec_session_heartbeat(s), 0);
    fake_clock_advance(&clock, 1800);
    ASSERT_EQ(rec_session_check_out(s, "002"), 0);
    clock.utc_ns += (int64_t)2 * 3600 * 1000000000; /* and a jump forward */
    fake_clock_advance(&clock, 1800);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    ASSERT_EQ(got->played_seconds, 7200);
    ASSERT_EQ(find_attendance(got, "001")->seconds, 7200);
    ASSERT_EQ(find_attendance(got, "002")->seconds, 5400);
    ASSERT_EQ(got->end_utc - got->start_utc, 7200);
    rec_sessions_free(all, n);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* A process records a session and dies without closing it; the next open
 * closes it at its last durable event, marked interrupted. */
static void test_interrupted_session(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-crash");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-20T12:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    rec_close(rec);

    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        struct rec_options before = {.data_dir = dir,
                                     .clock = fake_clock_read,
                                     .clock_ctx = &clock,
                                     .boot_id = "boot-before-the-cut"};
        struct rec *r = NULL;
        if (rec_open(&before, NULL, &r) != 0) _exit(1);
        const char *present[] = {"001", "003"};
        struct rec_session *s = NULL;
        if (rec_session_open(r, "停电课程", present, 2, &s) != 0) _exit(1);
        rec_session_playback(s, REC_PLAYBACK_STARTED);
        for (int i = 0; i < 360; i++) { /* an hour of heartbeats */
            fake_clock_advance(&clock, 10);
            rec_session_tick(s);
        }
        /* the hour's commits are long done when the power goes (the fake
         * clock runs faster than the writer); test_record_crash covers
         * what a cut loses of what is still queued */
        if (rec_flush(r) != 0) _exit(1);
        fake_clock_advance(&clock, 7); /* then the power goes 7 s later */
        _exit(0);                      /* no close, no cleanup */
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* a new boot: another boot id, and the monotonic clock restarted far
     * below the old one; no duration may mix the two */
    clock.mono_ns = 5000000000;
    struct rec_options after = {.data_dir = dir,
                                .clock = fake_clock_read,
                                .clock_ctx = &clock,
                                .boot_id = "boot-after-the-cut"};
    ASSERT_EQ(rec_open(&after, test_log, &rec), 0);
    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    ASSERT_TRUE(got->interrupted);
    ASSERT_FALSE(got->open);
    ASSERT_EQ(got->played_seconds, 3600);
    ASSERT_EQ(got->end_utc - got->start_utc, 3600);
    ASSERT_EQ(find_attendance(got, "001")->seconds, 3600);
    ASSERT_EQ(find_attendance(got, "003")->seconds, 3600);
    ASSERT_GT(got->close_seq, 0);
    int64_t closes = got->close_seq;
    rec_sessions_free(all, n);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);

    /* opening again closes nothing more */
    rec = open_with_clock(dir, &clock, test_log);
    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_EQ(got->close_seq, closes);
    ASSERT_EQ(rec_last_seq(rec), closes);
    rec_sessions_free(all, n);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* One part of a session in a child process that then dies without a close
 * (a kill -9 or a power cut): on boot `boot`, opens a session of 001 and 002
 * (resume_id NULL) or resumes resume_id until `until`, checks `member` in
 * (NULL: nobody), plays `minutes` with heartbeats and dies 7 s after the
 * last one. */
static void crash_after(const char *dir, struct fake_clock *clock, const char *boot,
                        const char *resume_id, int64_t until, const char *member, int minutes)
{
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        struct rec_options o = {
            .data_dir = dir, .clock = fake_clock_read, .clock_ctx = clock, .boot_id = boot};
        struct rec *r = NULL;
        if (rec_open(&o, NULL, &r) != 0) _exit(1);
        const char *present[] = {"001", "002"};
        struct rec_session *s = NULL;
        int rc = resume_id ? rec_session_resume(r, resume_id, until, &s)
                           : rec_session_open(r, "停电续课", present, 2, &s);
        if (rc != 0) _exit(2);
        if (member && rec_session_check_in(s, member) != 0) _exit(3);
        rec_session_playback(s, REC_PLAYBACK_STARTED);
        for (int i = 0; i < minutes * 6; i++) {
            fake_clock_advance(clock, 10);
            rec_session_tick(s);
        }
        if (rec_flush(r) != 0) _exit(4); /* as above: the commits were done by the cut */
        fake_clock_advance(clock, 7);
        _exit(0);
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* The parent's clock after a cut: a new boot at `iso` (UTC), its monotonic
 * clock restarted low. */
static struct rec *reboot_at(const char *dir, struct fake_clock *clock, const char *iso,
                             const char *boot, int64_t mono_s, struct sc_log *log)
{
    fake_clock_set(clock, iso);
    clock->mono_ns = mono_s * 1000000000;
    struct rec_options o = {
        .data_dir = dir, .clock = fake_clock_read, .clock_ctx = clock, .boot_id = boot};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, log, &rec), 0);
    return rec;
}

static int64_t utc_of(const char *iso)
{
    int64_t s;
    ASSERT_EQ(sc_parse_iso8601(iso, &s), 0);
    return s;
}

/* Cut twice and resumed twice within its slot: one session whose played
 * time is the three parts' sum, the interruptions listed and credited to
 * nobody, the members present at each cut still present after it. */
static void test_resumed_session(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-resume");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-24T11:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    rec_close(rec);
    int64_t t0 = utc_of("2026-11-24T11:00:00Z"), until = t0 + 4 * 3600;

    crash_after(dir, &clock, "boot-1", NULL, 0, NULL, 60); /* last durable event t0+3600 */
    rec = reboot_at(dir, &clock, "2026-11-24T12:02:00Z", "boot-2", 5, test_log);
    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    ASSERT_TRUE(got->interrupted);
    char id[37];
    snprintf(id, sizeof(id), "%s", got->id);
    rec_sessions_free(all, n);
    rec_close(rec);

    /* resumed at 12:02 (a 2-minute cut), 003 arrives, cut again at 12:42 */
    crash_after(dir, &clock, "boot-2", id, until, "003", 40);
    rec = reboot_at(dir, &clock, "2026-11-24T12:47:00Z", "boot-3", 9, test_log);
    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_TRUE(got->interrupted); /* recovery closed the resumed part too */
    ASSERT_EQ(got->played_seconds, 100 * 60);
    rec_sessions_free(all, n);

    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_resume(rec, id, until, &s), 0);
    ASSERT_STR_EQ(rec_session_id(s), id);
    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_TRUE(got->open);
    ASSERT_FALSE(got->interrupted);
    ASSERT_TRUE(find_attendance(got, "001")->present); /* roll-call restores these */
    ASSERT_TRUE(find_attendance(got, "003")->present);
    rec_sessions_free(all, n);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 30 * 60);
    ASSERT_EQ(rec_session_check_out(s, "002"), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_FALSE(got->open);
    ASSERT_FALSE(got->interrupted);
    ASSERT_EQ(got->start_utc, t0);
    ASSERT_EQ(got->played_seconds, (60 + 40 + 30) * 60);
    ASSERT_EQ(got->end_utc, utc_of("2026-11-24T13:17:00Z"));
    ASSERT_EQ(got->n_interruptions, 2);
    ASSERT_EQ(got->interruptions[0].from_utc, t0 + 3600);
    ASSERT_EQ(got->interruptions[0].to_utc, utc_of("2026-11-24T12:02:00Z"));
    ASSERT_EQ(got->interruptions[1].from_utc, utc_of("2026-11-24T12:42:00Z"));
    ASSERT_EQ(got->interruptions[1].to_utc, utc_of("2026-11-24T12:47:00Z"));
    ASSERT_EQ(find_attendance(got, "001")->seconds, (60 + 40 + 30) * 60);
    ASSERT_EQ(find_attendance(got, "002")->seconds, (60 + 40 + 30) * 60);
    ASSERT_FALSE(find_attendance(got, "002")->present);
    ASSERT_EQ(find_attendance(got, "003")->seconds, (40 + 30) * 60);
    ASSERT_TRUE(find_attendance(got, "003")->present);
    struct rec_requirement req;
    ASSERT_EQ(rec_requirement_for(rec, all, n, &req), 0);
    ASSERT_EQ(req.sessions_held, 1); /* 130 minutes in one session */
    rec_sessions_free(all, n);

    /* a session that ended normally is not resumed */
    ASSERT_EQ(rec_session_resume(rec, id, until, &s), REC_ESTATE);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* A kill -9 without a reboot: the same boot's monotonic clock runs on
 * through the cut, which is still neither played nor credited. */
static void test_resume_same_boot(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-resume-boot");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-26T11:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    rec_close(rec);
    int64_t t0 = utc_of("2026-11-26T11:00:00Z");

    crash_after(dir, &clock, "boot-same", NULL, 0, NULL, 50);
    fake_clock_advance(&clock, 50 * 60 + 120); /* the parent's copy of the clock */
    struct rec_options o = {
        .data_dir = dir, .clock = fake_clock_read, .clock_ctx = &clock, .boot_id = "boot-same"};
    ASSERT_EQ(rec_open(&o, test_log, &rec), 0);
    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    char id[37];
    snprintf(id, sizeof(id), "%s", got->id);
    rec_sessions_free(all, n);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_resume(rec, id, t0 + 3 * 3600, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 80 * 60);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_EQ(got->played_seconds, 130 * 60);
    ASSERT_EQ(find_attendance(got, "001")->seconds, 130 * 60);
    ASSERT_EQ(find_attendance(got, "002")->seconds, 130 * 60);
    ASSERT_EQ(got->n_interruptions, 1);
    ASSERT_EQ(got->interruptions[0].from_utc, t0 + 50 * 60);
    ASSERT_EQ(got->interruptions[0].to_utc, t0 + 50 * 60 + 120);
    ASSERT_EQ(got->end_utc, t0 + (50 + 2 + 80) * 60);
    rec_sessions_free(all, n);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* After the slot's end a cut session is not resumed: the call refuses, the
 * kiosk opens a new session if anything, and a resume recorded after the
 * slot anyway is ignored by the derivation. */
static void test_resume_after_slot(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_ERROR);
    char *dir = test_dir("derive-resume-late");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-25T11:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    rec_close(rec);
    int64_t t0 = utc_of("2026-11-25T11:00:00Z"), until = t0 + 45 * 60;

    crash_after(dir, &clock, "boot-1", NULL, 0, NULL, 30);
    rec = reboot_at(dir, &clock, "2026-11-25T11:50:00Z", "boot-2", 5, test_log);
    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(rec, "2026-11", &all, &n);
    char id[37];
    snprintf(id, sizeof(id), "%s", got->id);
    rec_sessions_free(all, n);
    int64_t seq = rec_last_seq(rec);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_resume(rec, id, until, &s), REC_ESTATE);
    ASSERT_TRUE(s == NULL);
    ASSERT_EQ(rec_last_seq(rec), seq); /* nothing recorded */
    ASSERT_EQ(rec_session_resume(rec, "00000000-0000-4000-8000-000000000000", until, &s), -ENOENT);

    /* written past the slot by something else: not a resume */
    char payload[128];
    snprintf(payload, sizeof(payload), "{\"until_utc\":%lld}", (long long)until);
    ASSERT_EQ(rec_append(rec, "session_resumed", id, payload, NULL), 0);
    ASSERT_EQ(rec_append(rec, "playback_started", id, "{}", NULL), 0);
    fake_clock_advance(&clock, 600);
    ASSERT_EQ(rec_append(rec, "heartbeat", id, "{}", NULL), 0);
    got = only_session(rec, "2026-11", &all, &n);
    ASSERT_TRUE(got->interrupted);
    ASSERT_EQ(got->n_interruptions, 0);
    ASSERT_EQ(got->played_seconds, 30 * 60);
    rec_sessions_free(all, n);

    /* the lock was let go: a new session opens */
    ASSERT_EQ(rec_session_open(rec, "下一课", NULL, 0, &s), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    struct rec_period p;
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-11", &p), 0);
    ASSERT_EQ(rec_sessions(rec, p.from_utc, p.to_utc, &all, &n), 0);
    ASSERT_EQ(n, 2);
    rec_sessions_free(all, n);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

/* A live session in another handle is not "recovered" by a reader, and a
 * second session cannot be opened meanwhile. */
static void test_live_session_not_recovered(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-live");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-21T12:00:00Z");
    struct rec *kiosk = open_with_clock(dir, &clock, test_log);
    import_roster(kiosk, dir, ROSTER);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(kiosk, "直播", NULL, 0, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 600);

    struct rec *reader = open_with_clock(dir, &clock, test_log);
    struct rec_session *other = NULL;
    ASSERT_EQ(rec_session_open(reader, "second", NULL, 0, &other), -EBUSY);
    struct rec_session_summary *all;
    size_t n;
    const struct rec_session_summary *got = only_session(reader, "2026-11", &all, &n);
    ASSERT_TRUE(got->open);
    ASSERT_EQ(got->played_seconds, 0); /* last event was the start */
    rec_sessions_free(all, n);
    rec_close(reader);

    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    got = only_session(kiosk, "2026-11", &all, &n);
    ASSERT_FALSE(got->open);
    ASSERT_FALSE(got->interrupted);
    ASSERT_EQ(got->played_seconds, 600);
    rec_sessions_free(all, n);
    rec_close(kiosk);
    free(dir);
    sc_log_destroy(test_log);
}

static void run_session(struct rec *rec, struct fake_clock *clock, const char *iso, int minutes)
{
    fake_clock_set(clock, iso);
    const char *present[] = {"001", "002", "003"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "月度学习", present, 3, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(clock, minutes * 60.0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
}

static const struct sc_jv *parse_report(struct rec *rec, char kind, const char *text,
                                        struct sc_jv **dom)
{
    struct rec_period p;
    ASSERT_EQ(rec_period_parse(rec, kind, text, &p), 0);
    struct sc_buf out = {0};
    ASSERT_EQ(rec_report_json(rec, &p, &out), 0);
    char err[128];
    if (sc_json_parse(out.data, out.len, dom, err, sizeof(err)) != 0)
        TEST_FAIL("report is not JSON: %s", err);
    sc_buf_free(&out);
    return *dom;
}

/* The monthly requirement: village 3, township 4 sessions of >= 120 minutes;
 * a quarter reports each month. */
static void test_requirement_and_report(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("derive-report");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-10-01T00:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, ROSTER);
    run_session(rec, &clock, "2026-11-03T11:00:00Z", 125);
    run_session(rec, &clock, "2026-11-10T11:00:00Z", 120);
    run_session(rec, &clock, "2026-11-17T11:00:00Z", 119); /* short: does not count */
    run_session(rec, &clock, "2026-11-24T11:00:00Z", 150);
    run_session(rec, &clock, "2026-10-24T11:00:00Z", 150);

    struct sc_jv *dom = NULL;
    const struct sc_jv *r = parse_report(rec, 'm', "2026-11", &dom);
    const struct sc_jv *sessions = sc_jv_get(r, "sessions");
    ASSERT_NOT_NULL(sessions);
    ASSERT_EQ(sessions->count, 4);
    const struct sc_jv *first = sc_jv_at(sessions, 0);
    int64_t v;
    ASSERT_EQ(sc_jv_get_int(first, "played_seconds", &v), 0);
    ASSERT_EQ(v, 125 * 60);
    ASSERT_STR_EQ(sc_jv_get_string(first, "status"), "complete");
    ASSERT_STR_EQ(sc_jv_get_string(first, "start"), "2026-11-03T11:00:00Z");
    ASSERT_STR_EQ(sc_jv_get_string(first, "end"), "2026-11-03T13:05:00Z");
    ASSERT_STR_EQ(sc_jv_get_string(first, "course"), "月度学习");
    ASSERT_EQ(strlen(sc_jv_get_string(first, "id")), 36);
    const struct sc_jv *att = sc_jv_get(first, "attendance");
    ASSERT_EQ(att->count, 3);
    ASSERT_STR_EQ(sc_jv_get_string(sc_jv_at(att, 0), "member"), "001");
    ASSERT_EQ(sc_jv_get_int(sc_jv_at(att, 0), "seconds", &v), 0);
    ASSERT_EQ(v, 125 * 60);
    const struct sc_jv *members = sc_jv_get(r, "members");
    ASSERT_EQ(members->count, 4);
    ASSERT_EQ(sc_jv_get_int(sc_jv_at(members, 0), "seconds", &v), 0);
    ASSERT_EQ(v, (125 + 120 + 119 + 150) * 60);
    ASSERT_EQ(sc_jv_get_int(sc_jv_at(members, 3), "seconds", &v), 0);
    ASSERT_EQ(v, 0); /* 004 never attended */
    const struct sc_jv *req = sc_jv_get(r, "requirement");
    ASSERT_STR_EQ(sc_jv_get_string(req, "station_type"), "village");
    ASSERT_EQ(sc_jv_get_int(req, "sessions_required", &v), 0);
    ASSERT_EQ(v, 3);
    ASSERT_EQ(sc_jv_get_int(req, "sessions_held", &v), 0);
    ASSERT_EQ(v, 3);
    ASSERT_EQ(sc_jv_get_int(req, "minutes_required_each", &v), 0);
    ASSERT_EQ(v, 120);
    bool met = false;
    ASSERT_EQ(sc_jv_get_bool(req, "met", &met), 0);
    ASSERT_TRUE(met);
    sc_jv_free(dom);

    ASSERT_EQ(rec_setting_set(rec, "station_type", "township"), 0);
    ASSERT_EQ(rec_setting_set(rec, "station_type", "city"), -EINVAL);
    r = parse_report(rec, 'm', "2026-11", &dom);
    req = sc_jv_get(r, "requirement");
    ASSERT_EQ(sc_jv_get_int(req, "sessions_required", &v), 0);
    ASSERT_EQ(v, 4);
    ASSERT_EQ(sc_jv_get_bool(req, "met", &met), 0);
    ASSERT_FALSE(met);
    sc_jv_free(dom);

    r = parse_report(rec, 'q', "2026-Q4", &dom);
    ASSERT_EQ(sc_jv_get(r, "sessions")->count, 5);
    req = sc_jv_get(r, "requirement");
    const struct sc_jv *months = sc_jv_get(req, "months");
    ASSERT_EQ(months->count, 3);
    ASSERT_STR_EQ(sc_jv_get_string(sc_jv_at(months, 0), "month"), "2026-10");
    ASSERT_EQ(sc_jv_get_int(sc_jv_at(months, 0), "sessions_held", &v), 0);
    ASSERT_EQ(v, 1);
    ASSERT_EQ(sc_jv_get_int(sc_jv_at(months, 1), "sessions_held", &v), 0);
    ASSERT_EQ(v, 3);
    ASSERT_EQ(sc_jv_get_int(req, "sessions_required", &v), 0);
    ASSERT_EQ(v, 12);
    ASSERT_EQ(sc_jv_get_bool(req, "met", &met), 0);
    ASSERT_FALSE(met);
    sc_jv_free(dom);

    r = parse_report(rec, 'h', "2026-H2", &dom);
    ASSERT_EQ(sc_jv_get(sc_jv_get(r, "requirement"), "months")->count, 6);
    sc_jv_free(dom);
    struct rec_period p;
    ASSERT_EQ(rec_period_parse(rec, 'q', "2026-Q5", &p), -EINVAL);
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-13", &p), -EINVAL);
    ASSERT_EQ(rec_period_parse(rec, 'h', "2026-H3", &p), -EINVAL);
    rec_close(rec);
    free(dir);
    sc_log_destroy(test_log);
}

int main(void)
{
    RUN_TEST(test_overlap_pause_outage);
    RUN_TEST(test_outage_backdated);
    RUN_TEST(test_midnight_and_month_end);
    RUN_TEST(test_wall_clock_correction);
    RUN_TEST(test_interrupted_session);
    RUN_TEST(test_resumed_session);
    RUN_TEST(test_resume_same_boot);
    RUN_TEST(test_resume_after_slot);
    RUN_TEST(test_live_session_not_recovered);
    RUN_TEST(test_requirement_and_report);
    return 0;
}
