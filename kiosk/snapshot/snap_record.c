/* A finished snapshot into the study record, the same for the kiosk and
 * `play --session`. */
#include "kiosk/record/record.h"
#include "kiosk/snapshot/snapshot.h"

int snap_record(struct rec_session *session, const struct snap_result *r)
{
    struct rec_snapshot_meta meta = {.kind = snap_kind_name(r->kind),
                                     .width = r->width,
                                     .height = r->height,
                                     .mean_luma = r->mean_luma,
                                     .black = r->black,
                                     .frozen = r->frozen,
                                     .diff_previous = r->diff_previous};
    return rec_session_snapshot(session, r->jpeg, r->size, &meta);
}
