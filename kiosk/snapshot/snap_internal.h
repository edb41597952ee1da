/* snapshot internals: the picture work the worker does (snap_encode.c). */
#ifndef STUDYCAST_SNAPSHOT_INTERNAL_H
#define STUDYCAST_SNAPSHOT_INTERNAL_H

#include "kiosk/snapshot/snapshot.h"

/* The downscaled luma of the previous snapshot, for the frozen check. */
struct snap_luma {
    uint8_t *pixels; /* width * height, packed */
    int width, height;
};

/* Scales picture to SNAP_WIDTH (display aspect kept), analyses it against
 * *previous (replaced by this picture's luma) and encodes it as JPEG into
 * result (kind and time left to the caller). Returns 0 or a negative code. */
int snap_make(const struct player_picture *picture, struct snap_luma *previous,
              struct snap_result *result);
void snap_luma_free(struct snap_luma *luma);

#endif
