/* The snapshots an export carries: one file per `snapshot_taken` event of
 * the exported chain range, as snapshot-<session>-<NNNN>.jpg, listed in the
 * manifest like every file. Snapshots pruned after an earlier period's export
 * are declared in the signed manifest instead (snapshots_pruned, with the
 * pruning event), so verify knows why they are absent. A snapshot that is
 * neither there nor pruned, or whose bytes no longer match its event, stops
 * the export: it would otherwise be signed as if the proof were intact. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_pruned(struct rec_export_ctx *ctx, const char *name, int64_t pruned_seq)
{
    struct rec_pruned_snapshot *grown =
        realloc(ctx->pruned, (ctx->n_pruned + 1) * sizeof(*ctx->pruned));
    if (!grown) return -ENOMEM;
    ctx->pruned = grown;
    struct rec_pruned_snapshot *p = &ctx->pruned[ctx->n_pruned++];
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->pruned_seq = pruned_seq;
    return 0;
}

static int carry(struct rec_export_ctx *ctx, const struct rec_snapshot *snap, const char *name)
{
    void *data = NULL;
    size_t len = 0;
    int rc = rec_snapshot_read(ctx->rec, snap, &data, &len);
    if (rc == -ENOENT)
        SC_ERR(ctx->rec->log,
               "export: the snapshot %s/" REC_SNAPSHOT_DIR "/%s/%04" PRId64
               ".jpg named by event %" PRId64 " is missing and was never pruned; nothing was "
               "exported",
               ctx->rec->data_dir, snap->session, snap->number, snap->event_seq);
    else if (rc == REC_ETAMPER)
        SC_ERR(ctx->rec->log,
               "export: the snapshot of event %" PRId64 " was altered on the station; nothing "
               "was exported",
               snap->event_seq);
    if (rc == -ENOENT) rc = REC_ETAMPER;
    if (rc == 0) rc = rec_export_file(ctx, name, data, len);
    free(data);
    return rc;
}

/* The pruning event that removed `name` (the first after taken_seq), or 0. */
static int64_t pruned_by(struct rec *rec, const char *name, int64_t taken_seq)
{
    sqlite3_stmt *st = NULL;
    int64_t seq = 0;
    if (sqlite3_prepare_v2(rec->db,
                           "SELECT min(p.seq) FROM events p, json_each(p.payload, '$.files') f "
                           "WHERE p.type = 'snapshots_pruned' AND p.seq > ?1 AND f.value = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, taken_seq);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return seq;
}

int rec_export_snapshots(struct rec_export_ctx *ctx, int64_t first_seq, int64_t last_seq)
{
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    int rc = rec_snapshots_list(ctx->rec, NULL, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct rec_snapshot *snap = &list[i];
        if (snap->event_seq < first_seq || snap->event_seq > last_seq) continue;
        char name[80];
        rec_snapshot_export_name(snap->session, snap->number, name, sizeof(name));
        int64_t by = snap->pruned ? pruned_by(ctx->rec, name, snap->event_seq) : 0;
        if (by < 0)
            rc = rec_map_sqlite(ctx->rec, sqlite3_errcode(ctx->rec->db), "pruned snapshots");
        else if (by > 0)
            rc = add_pruned(ctx, name, by);
        else
            rc = carry(ctx, snap, name);
    }
    free(list);
    return rc;
}
