/* The presentation clocks, and the live-source speed control against a sender
 * whose clock runs 0.5 % fast or slow. */
#include "player/queue.h"
#include "tests/test.h"

#include <math.h>
#include <stdatomic.h>

static void test_clock_runs_with_time(void)
{
    struct player_clock c;
    ASSERT_EQ(player_clock_init(&c), 0);
    ASSERT_TRUE(isnan(player_clock_get_at(&c, 100.0))); /* never set: unknown */
    player_clock_set_at(&c, 5.0, 3, 100.0);
    ASSERT_EQ(player_clock_serial(&c), 3);
    ASSERT_NEAR(player_clock_get_at(&c, 100.0), 5.0, 1e-9);
    ASSERT_NEAR(player_clock_get_at(&c, 101.5), 6.5, 1e-9);
    /* speed 1.01: 1 % more media time per second, without a jump */
    player_clock_set_speed_at(&c, 1.01, 102.0);
    ASSERT_NEAR(player_clock_get_at(&c, 102.0), 7.0, 1e-9);
    ASSERT_NEAR(player_clock_get_at(&c, 112.0), 17.1, 1e-9);
    ASSERT_NEAR(player_clock_speed(&c), 1.01, 1e-12);
    player_clock_destroy(&c);
}

static void test_clock_pause(void)
{
    struct player_clock c;
    ASSERT_EQ(player_clock_init(&c), 0);
    player_clock_set_at(&c, 10.0, 0, 50.0);
    player_clock_set_paused_at(&c, true, 52.0);
    ASSERT_NEAR(player_clock_get_at(&c, 52.0), 12.0, 1e-9);
    ASSERT_NEAR(player_clock_get_at(&c, 60.0), 12.0, 1e-9); /* stands still */
    player_clock_set_paused_at(&c, false, 60.0);
    ASSERT_NEAR(player_clock_get_at(&c, 61.0), 13.0, 1e-9); /* resumes where it stopped */
    player_clock_destroy(&c);
}

static void test_sync_to(void)
{
    struct player_clock a, b;
    ASSERT_EQ(player_clock_init(&a), 0);
    ASSERT_EQ(player_clock_init(&b), 0);
    double now = player_clock_now();
    player_clock_set_at(&b, 20.0, 7, now);
    player_clock_sync_to(&a, &b, 10.0); /* unknown: takes the other's value */
    ASSERT_NEAR(player_clock_get(&a), player_clock_get(&b), 0.05);
    ASSERT_EQ(player_clock_serial(&a), 7);
    player_clock_set_at(&a, 25.0, 7, player_clock_now());
    player_clock_sync_to(&a, &b, 10.0); /* 5 s apart, threshold 10 s: kept */
    ASSERT_NEAR(player_clock_get(&a) - player_clock_get(&b), 5.0, 0.05);
    player_clock_sync_to(&a, &b, 1.0); /* threshold 1 s: synced */
    ASSERT_NEAR(player_clock_get(&a) - player_clock_get(&b), 0.0, 0.05);
    player_clock_destroy(&a);
    player_clock_destroy(&b);
}

/* A live source: the sender produces media at `sender_rate` media seconds per
 * wall second; the player consumes at the external clock's speed, which the
 * controller sets from the buffer fill. Simulated over an hour in 20 ms steps.
 * The buffer must neither grow without bound nor run dry. */
static void simulate_sender(double sender_rate, double *max_buffer, double *min_buffer,
                            double *final_buffer, double *final_speed)
{
    const double target = 0.3, step = 0.02;
    double buffered = target; /* media seconds received but not yet played */
    double speed = 1.0;
    *max_buffer = buffered;
    *min_buffer = buffered;
    for (double t = 0; t < 3600; t += step) {
        buffered += sender_rate * step; /* arrives */
        speed = player_clock_live_speed(buffered, target);
        buffered -= speed * step; /* played */
        if (buffered > *max_buffer) *max_buffer = buffered;
        if (buffered < *min_buffer) *min_buffer = buffered;
    }
    *final_buffer = buffered;
    *final_speed = speed;
}

static void test_live_speed_control(void)
{
    double max, min, final, speed;
    simulate_sender(1.005, &max, &min, &final, &speed); /* sender 0.5 % fast */
    /* without control the buffer would grow by 18 s in an hour */
    ASSERT_TRUE(max < 0.7);
    ASSERT_NEAR(speed, 1.005, 1e-4);              /* the player settled on the sender's rate */
    ASSERT_NEAR(final, 0.3 + 0.005 / 0.02, 0.03); /* measured after a 20 ms step is played */

    simulate_sender(0.995, &max, &min, &final, &speed); /* sender 0.5 % slow */
    /* without control the buffer would run dry after a minute and underrun again
     * and again */
    ASSERT_TRUE(min > 0.0);
    ASSERT_NEAR(speed, 0.995, 1e-4);
    ASSERT_NEAR(final, 0.3 - 0.005 / 0.02, 0.03); /* measured after a 20 ms step is played */

    /* bounded, gentle corrections */
    ASSERT_NEAR(player_clock_live_speed(100.0, 0.3), 1.03, 1e-12);
    ASSERT_NEAR(player_clock_live_speed(0.0, 0.3), 0.994, 1e-12);
    ASSERT_NEAR(player_clock_live_speed(0.3, 0.3), 1.0, 1e-12);
}

struct setter {
    struct player_clock *c;
    atomic_bool stop;
};

static void *keep_setting(void *arg)
{
    struct setter *s = arg;
    double pts = 0;
    while (!atomic_load(&s->stop)) {
        player_clock_set(s->c, pts, 1); /* as the audio callback does */
        pts += 0.001;
    }
    return NULL;
}

static void test_clock_across_threads(void)
{
    struct player_clock c;
    ASSERT_EQ(player_clock_init(&c), 0);
    struct setter s = {.c = &c};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, keep_setting, &s), 0);
    double last = -1;
    int reads = 0;
    for (int i = 0; i < 200000; i++) {
        double v = player_clock_get(&c);
        if (!isnan(v)) {
            ASSERT_TRUE(v >= -1e6 && v < 1e6); /* never a torn value */
            last = v;
            reads++;
        }
        player_clock_set_speed_at(&c, 1.0 + (i % 3) * 0.001, player_clock_now());
    }
    atomic_store(&s.stop, true);
    pthread_join(t, NULL);
    ASSERT_GT(reads, 0);
    ASSERT_TRUE(last >= 0);
    player_clock_destroy(&c);
}

int main(void)
{
    RUN_TEST(test_clock_runs_with_time);
    RUN_TEST(test_clock_pause);
    RUN_TEST(test_sync_to);
    RUN_TEST(test_live_speed_control);
    RUN_TEST(test_clock_across_threads);
    return 0;
}
