/* county_fleet DIR INDEX MONTHS: makes one station's record in DIR for the
 * county tests and benchmark, through the record's public API and a
 * hand-moved clock (no fsync: the content is what matters).
 *   INDEX   0, 1, 2 ...: every third station is a township (4 sessions a
 *           month required), the others villages (3); the index varies the
 *           sessions' lengths, so stations differ
 *   MONTHS  comma list of YYYY-MM (local +08:00) with sessions, e.g.
 *           2026-07,2026-08,2026-09
 * Each month: 5 sessions (townships) or 3 + INDEX % 2 (villages) of
 * 118 + 9 * ((INDEX + k) % 4) + 2 * k minutes with a 5-minute pause (so some
 * fall short of 120 played), heartbeats every 10 s, 12 members
 * with check-ins and outs, a pause, and for odd indexes an outage. Prints
 * the station id. Exits non-zero if anything fails. */
#include "tests/record/rec_test_util.h"

static void one_session(struct rec *rec, struct fake_clock *clock, int minutes, int index, int k)
{
    static const char *const all[] = {"001", "002", "003", "004", "005", "006",
                                      "007", "008", "009", "010", "011", "012"};
    size_t present = (size_t)(6 + (index + k) % 6);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, k % 2 ? "乡村振兴专题学习" : "=党史学习", all, present, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    for (int t = 0; t < minutes * 6; t++) {
        fake_clock_advance(clock, 10);
        ASSERT_EQ(rec_session_tick(s), 1);
        if (t == 120) ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_PAUSED), 0);
        if (t == 150) ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_RESUMED), 0);
        if (index % 2 && t == 200) ASSERT_EQ(rec_session_signal(s, false), 0);
        if (index % 2 && t == 230) ASSERT_EQ(rec_session_signal(s, true), 0);
        if (t == 300) ASSERT_EQ(rec_session_check_out(s, all[0]), 0);
        if (t == 400 && present < 12) ASSERT_EQ(rec_session_check_in(s, all[present]), 0);
    }
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: county_fleet DIR INDEX YYYY-MM[,YYYY-MM...]\n");
        return 2;
    }
    int index = atoi(argv[2]);
    struct fake_clock clock = {0};
    char first[32];
    snprintf(first, sizeof(first), "%.7s-01T00:00:00Z", argv[3]);
    fake_clock_set(&clock, first);
    fake_clock_advance(&clock, -86400.0 * 3); /* set up a few days before */
    struct rec_options o = {
        .data_dir = argv[1], .no_sync = true, .clock = fake_clock_read, .clock_ctx = &clock};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, NULL, &rec), 0);
    char name[64];
    snprintf(name, sizeof(name), "第%d学习站", index + 1);
    ASSERT_EQ(rec_setting_set(rec, "station_name", name), 0);
    ASSERT_EQ(rec_setting_set(rec, "station_type", index % 3 == 0 ? "township" : "village"), 0);
    struct sc_buf csv = {0};
    sc_buf_puts(&csv, "number,name,category\n");
    for (int i = 1; i <= 12; i++)
        sc_buf_printf(&csv, "%03d,成员%d,%s\n", i, i, i % 3 ? "党员" : "群众");
    import_roster(rec, argv[1], csv.data);
    sc_buf_free(&csv);
    for (const char *m = argv[3]; *m; m += m[7] ? 8 : 7) {
        int sessions = index % 3 == 0 ? 5 : 3 + index % 2;
        for (int k = 0; k < sessions; k++) {
            char iso[32];
            /* 11:00 local is 03:00 UTC */
            snprintf(iso, sizeof(iso), "%.7s-%02dT03:00:00Z", m, 2 + 4 * k);
            fake_clock_set(&clock, iso);
            one_session(rec, &clock, 121 + 9 * ((index + k) % 4) + 2 * k, index, k);
        }
        if (!m[7]) break;
    }
    char id[128];
    ASSERT_EQ(rec_setting_get(rec, "station_id", id, sizeof(id)), 0);
    printf("%s\n", id);
    rec_close(rec);
    return 0;
}
