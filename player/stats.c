/* The A/V offset distribution: a fixed histogram, so an hour of playback costs
 * no more memory than a minute. */
#include "player/internal.h"

void player_offset_add(struct player_offset_stats *s, double offset_ms)
{
    if (offset_ms < 0) offset_ms = -offset_ms;
    s->count++;
    s->sum_ms += offset_ms;
    if (offset_ms > s->max_ms) s->max_ms = offset_ms;
    long bin = (long)(offset_ms * 10.0);
    if (bin >= PLAYER_OFFSET_BINS) bin = PLAYER_OFFSET_BINS - 1;
    s->bins[bin]++;
}

double player_offset_percentile(const struct player_offset_stats *s, double fraction)
{
    if (s->count == 0) return 0;
    int64_t wanted = (int64_t)(fraction * (double)s->count + 0.999999);
    if (wanted < 1) wanted = 1;
    int64_t seen = 0;
    for (int i = 0; i < PLAYER_OFFSET_BINS; i++) {
        seen += s->bins[i];
        if (seen >= wanted) {
            double upper = (i + 1) / 10.0; /* the bin's upper edge: never under-reports */
            return upper < s->max_ms ? upper : s->max_ms;
        }
    }
    return s->max_ms;
}
