/* record_fixture DATA_DIR: fills a data dir with a known month of study
 * (November 2026, station local time +08:00) through the public API and a
 * hand-moved clock, for the export and CLI tests:
 *   - 6 members; 4 November sessions (one paused, one with an outage, one
 *     interrupted by a crash, one from 23:00 on 30 November into December),
 *     plus one October session.
 * Exits non-zero if anything fails. */
#include "tests/record/rec_test_util.h"

#include <sys/wait.h>

static void session(struct rec *rec, struct fake_clock *clock, const char *iso, const char *course,
                    int minutes, bool pause, bool outage)
{
    fake_clock_set(clock, iso);
    const char *present[] = {"001", "002", "003", "004"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, course, present, 4, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    int played = 0;
    while (played < minutes) {
        fake_clock_advance(clock, 60);
        played++;
        ASSERT_TRUE(rec_session_tick(s) >= 0);
        if (pause && played == 30) {
            ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_PAUSED), 0);
            fake_clock_advance(clock, 600);
            ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_RESUMED), 0);
        }
        if (outage && played == 60) {
            ASSERT_EQ(rec_session_signal(s, false), 0);
            fake_clock_advance(clock, 300);
            ASSERT_EQ(rec_session_signal(s, true), 0);
        }
        if (played == 90) ASSERT_EQ(rec_session_check_out(s, "004"), 0);
        if (played == 20) ASSERT_EQ(rec_session_check_in(s, "005"), 0);
    }
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
    ASSERT_EQ(rec_session_guests(s, 2), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: record_fixture DATA_DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-10-01T00:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, NULL);
    ASSERT_EQ(rec_setting_set(rec, "station_name", "张家村学习站"), 0);
    import_roster(rec, dir,
                  "number,name,category,card\n001,张三,党员,C001\n002,李四,党员,C002\n"
                  "003,王五,干部,\n004,赵六,群众,\n005,\"钱七, 小\",群众,\n006,孙八,群众,\n");
    session(rec, &clock, "2026-10-20T11:00:00Z", "十月课程", 125, false, false);
    session(rec, &clock, "2026-11-03T11:00:00Z", "党的二十大精神学习", 130, true, false);
    session(rec, &clock, "2026-11-10T11:00:00Z", "乡村振兴政策解读", 125, false, true);
    session(rec, &clock, "2026-11-30T15:00:00Z", "跨月：安全生产", 150, false, false);
    rec_close(rec);

    /* a session cut by a power failure after 70 minutes */
    pid_t child = fork();
    if (child == 0) {
        fake_clock_set(&clock, "2026-11-17T11:00:00Z");
        struct rec *r = open_with_clock(dir, &clock, NULL);
        const char *present[] = {"001", "006"};
        struct rec_session *s = NULL;
        if (rec_session_open(r, "停电的一次", present, 2, &s) != 0) _exit(1);
        rec_session_playback(s, REC_PLAYBACK_STARTED);
        for (int i = 0; i < 70 * 6; i++) {
            fake_clock_advance(&clock, 10);
            rec_session_tick(s);
        }
        if (rec_flush(r) != 0) _exit(1); /* the hour's commits were done before the cut */
        _exit(0);
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    fake_clock_set(&clock, "2026-12-02T00:00:00Z");
    rec = open_with_clock(dir, &clock, NULL); /* closes the interrupted one */
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    return 0;
}
