/* Service change through the player: on a two-program transport stream
 * (service 1: 352x288 pictures, service 2: 320x240, both with sound) the
 * player switches back and forth mid-play with player_select_service(),
 * without being recreated. Each switch must reach the first picture of the
 * new service (told apart by its size) within one GOP (0.48 s) + 0.5 s; the
 * assertion allows 3 s for sanitizer builds on a loaded machine, and the
 * measured times are printed (docs/performance.md quotes their median).
 * Also checks the SI pass-throughs: both services listed with their names,
 * the playing service reported, no broadcast time, no frontend.
 *
 * usage: test_service_change TWO_PROGRAM.ts */
#include "tests/reception/zap_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SWITCHES       5
#define BOUND_S        3.0
#define PLAY_BETWEEN_S 1.0

static void play_for(struct player *p, double seconds)
{
    int64_t until = sc_mono_ns() + (int64_t)(seconds * 1e9);
    while (sc_mono_ns() < until)
        zap_present_until_width(p, -1, (double)(until - sc_mono_ns()) / 1e9);
}

static void check_si(struct player *p)
{
    struct dmx_service *services = NULL;
    size_t count = 0;
    ASSERT_EQ(player_services(p, &services, &count), 0);
    ASSERT_EQ(count, (size_t)2);
    ASSERT_EQ(services[0].id, 1);
    ASSERT_STR_EQ(services[0].name, "One");
    ASSERT_EQ(services[1].id, 2);
    ASSERT_STR_EQ(services[1].name, "Two");
    ASSERT_EQ(services[1].stream_count, (size_t)2);
    dmx_services_free(services, count);
    struct dmx_event *events = NULL;
    ASSERT_EQ(player_events(p, -1, &events, &count), 0);
    ASSERT_EQ(count, (size_t)0); /* ffmpeg writes no EIT */
    dmx_events_free(events, count);
    struct dmx_time t;
    ASSERT_EQ(player_broadcast_time(p, &t), -ENOENT); /* nor a TDT */
    struct dmx_signal sig;
    ASSERT_EQ(player_reception(p, &sig), 0);
    ASSERT_EQ(sig.valid, false); /* a file has no frontend */
    ASSERT_EQ(player_signal(p), true);
}

int main(int argc, char **argv)
{
    ASSERT_EQ(argc, 2);
    struct sc_log *log = sc_log_create(stderr, getenv("TEST_DEBUG") ? SC_LOG_DEBUG : SC_LOG_WARN);
    struct player_opts opts = {
        .source = argv[1], .service = -1, .volume = 0, .start_ns = sc_mono_ns(), .log = log};
    struct player *p = NULL;
    ASSERT_EQ(player_create(&opts, &p), 0);
    /* the first service with video is service 1, 352 pixels wide */
    ASSERT_EQ(zap_present_until_width(p, 352, 10) >= 0, true);
    ASSERT_EQ(player_service(p), 1);
    check_si(p);
    ASSERT_EQ(player_select_service(p, 70000), -EINVAL);

    double took[SWITCHES];
    for (int i = 0; i < SWITCHES; i++) {
        play_for(p, PLAY_BETWEEN_S);
        int service = i % 2 == 0 ? 2 : 1;
        int width = service == 2 ? 320 : 352;
        ASSERT_EQ(player_select_service(p, service), 0);
        took[i] = zap_present_until_width(p, width, 10);
        printf("switch %d to service %d: first picture after %.0f ms\n", i + 1, service,
               took[i] * 1000);
        ASSERT_EQ(took[i] >= 0, true);
        ASSERT_EQ(took[i] < BOUND_S, true);
        ASSERT_EQ(player_service(p), service);
        /* only the new service's pictures from here on */
        for (int k = 0; k < 10; k++) {
            int64_t wait_ns;
            struct player_picture *pic = player_next_picture(p, &wait_ns);
            if (!pic) {
                zap_sleep_ns(wait_ns < 0 || wait_ns > 20000000 ? 20000000 : wait_ns);
                continue;
            }
            player_presented(p, pic);
            ASSERT_EQ(player_picture_width(pic), width);
            player_picture_free(pic);
        }
    }
    qsort(took, SWITCHES, sizeof(took[0]), zap_compare_double);
    printf("service change: median %.0f ms of %d (min %.0f, max %.0f)\n", took[SWITCHES / 2] * 1000,
           SWITCHES, took[0] * 1000, took[SWITCHES - 1] * 1000);
    struct player_stats stats;
    player_get_stats(p, &stats);
    ASSERT_EQ(stats.outages, 0); /* a file: no outage, whatever the switches */
    ASSERT_EQ(stats.cc_errors, 0);
    ASSERT_EQ(stats.decode_errors, 0);
    player_destroy(p);
    sc_log_destroy(log);
    printf("ok\n");
    return 0;
}
