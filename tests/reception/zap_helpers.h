/* What the service-change tests share: presenting the player's pictures as
 * they fall due (no window: presenting is counting) until one of a given
 * width comes, which tells the services apart. */
#ifndef STUDYCAST_TESTS_ZAP_HELPERS_H
#define STUDYCAST_TESTS_ZAP_HELPERS_H

#include "player/player.h"
#include "tests/test.h"

#include <time.h>

static inline void zap_sleep_ns(int64_t ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

/* Presents what is due until a picture of `width` comes (0: any picture;
 * negative: none ends it, it just plays) or `timeout_s` passes; returns the
 * seconds it took or -1. */
static inline double zap_present_until_width(struct player *p, int width, double timeout_s)
{
    int64_t start = sc_mono_ns();
    while (sc_mono_ns() - start < (int64_t)(timeout_s * 1e9)) {
        ASSERT_EQ(player_state(p) == PLAYER_FAILED, false);
        int64_t wait_ns;
        struct player_picture *pic = player_next_picture(p, &wait_ns);
        if (pic) {
            player_presented(p, pic);
            int w = player_picture_width(pic);
            player_picture_free(pic);
            if (w == width || width == 0) return (double)(sc_mono_ns() - start) / 1e9;
            continue;
        }
        zap_sleep_ns(wait_ns < 0 || wait_ns > 5000000 ? 5000000 : wait_ns);
    }
    return -1;
}

static inline int zap_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
