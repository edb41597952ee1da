/* record_bench: figures for docs/performance.md.
 *   record_bench events N DIR full|off   records N heartbeats in a fresh
 *       session and prints events/s (synchronous=FULL, the product's
 *       setting, or OFF for comparison)
 *   record_bench year DIR                 generates a year of a busy
 *       township station (60 members, 8 sessions a month of 2 h 15 min,
 *       heartbeats every 10 s, check-ins and outs, pauses) to time exports */
#include "tests/record/rec_test_util.h"

#include <time.h>

static int bench_events(int n, const char *dir, bool sync)
{
    struct rec_options o = {.data_dir = dir, .no_sync = !sync};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, NULL, &rec), 0);
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "bench", NULL, 0, &s), 0);
    int64_t t0 = sc_mono_ns();
    for (int i = 0; i < n; i++)
        ASSERT_EQ(rec_session_heartbeat(s), 0);
    double seconds = (double)(sc_mono_ns() - t0) / 1e9;
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    rec_close(rec);
    printf("%d events in %.3f s: %.0f events/s (synchronous=%s)\n", n, seconds, n / seconds,
           sync ? "FULL" : "OFF");
    return 0;
}

static int bench_year(const char *dir)
{
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2025-01-01T00:00:00Z");
    /* generated without fsync: the content is what matters here */
    struct rec_options o = {
        .data_dir = dir, .no_sync = true, .clock = fake_clock_read, .clock_ctx = &clock};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, NULL, &rec), 0);
    ASSERT_EQ(rec_setting_set(rec, "station_type", "township"), 0);
    ASSERT_EQ(rec_setting_set(rec, "station_name", "城关镇学习站"), 0);
    struct sc_buf csv = {0};
    sc_buf_puts(&csv, "number,name,category,card\n");
    static const char *const cats[] = {"党员", "干部", "群众"};
    for (int i = 1; i <= 60; i++)
        sc_buf_printf(&csv, "%03d,成员%d,%s,CARD%04d\n", i, i, cats[i % 3], i);
    import_roster(rec, dir, csv.data);
    sc_buf_free(&csv);
    unsigned seed = 42;
    char numbers[60][8];
    const char *present[60];
    for (int i = 0; i < 60; i++) {
        snprintf(numbers[i], sizeof(numbers[i]), "%03d", i + 1);
        present[i] = numbers[i];
    }
    int sessions = 0;
    for (int month = 1; month <= 12; month++) {
        for (int k = 0; k < 8; k++) {
            char iso[32];
            snprintf(iso, sizeof(iso), "2025-%02d-%02dT11:00:00Z", month, 2 + 3 * k);
            fake_clock_set(&clock, iso);
            int n_present = 40 + (int)(rand_r(&seed) % 15);
            struct rec_session *s = NULL;
            ASSERT_EQ(rec_session_open(rec, "乡村振兴专题学习", present, (size_t)n_present, &s), 0);
            ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
            for (int t = 0; t < 135 * 6; t++) {
                fake_clock_advance(&clock, 10);
                ASSERT_EQ(rec_session_tick(s), 1);
                if (t == 300) ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_PAUSED), 0);
                if (t == 330) ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_RESUMED), 0);
                if (t % 97 == 5) {
                    ASSERT_EQ(rec_session_check_out(s, present[t % n_present]), 0);
                    ASSERT_EQ(rec_session_check_in(s, present[t % n_present]), 0);
                }
            }
            ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
            ASSERT_EQ(rec_session_guests(s, (int)(rand_r(&seed) % 6)), 0);
            ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
            sessions++;
        }
    }
    printf("%d sessions, %lld events in %s\n", sessions, (long long)rec_last_seq(rec), dir);
    rec_close(rec);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "events") == 0)
        return bench_events(atoi(argv[2]), argv[3], strcmp(argv[4], "full") == 0);
    if (argc == 3 && strcmp(argv[1], "year") == 0) return bench_year(argv[2]);
    fprintf(stderr, "usage: record_bench events N DIR full|off | record_bench year DIR\n");
    return 2;
}
