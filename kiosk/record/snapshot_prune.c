/* Pruning: the snapshots of a finished period go once a verified export of
 * that period is in place (the stick carries them for the county), never
 * before. The pruning is an event of its own, recorded before any file is
 * removed, so an inspector sees why the files are gone and a later export
 * declares them pruned instead of missing; a cut between the two leaves
 * files the chain calls pruned, which nothing reads again. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct prune_list {
    char (*names)[80];  /* export names: what the event lists */
    char (*files)[128]; /* paths under the data dir */
    size_t n;
};

static int64_t to_ns(int64_t s)
{
    return s >= INT64_MAX / 1000000000 ? INT64_MAX : s * 1000000000;
}

/* The snapshots of sessions opened in [from, to) recorded up to upto_seq
 * and not pruned yet. */
static int find(struct rec *rec, int64_t from, int64_t to, int64_t upto_seq, struct prune_list *l)
{
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    int rc = rec_snapshots_list(rec, NULL, &list, &n);
    sqlite3_stmt *st = NULL;
    if (rc == 0 &&
        sqlite3_prepare_v2(rec->db,
                           "SELECT 1 FROM events WHERE type = 'session_opened' AND session = ?1 "
                           "AND utc_ns >= ?2 AND utc_ns < ?3",
                           -1, &st, NULL) != SQLITE_OK)
        rc = rec_map_sqlite(rec, sqlite3_errcode(rec->db), "finding snapshots to prune");
    if (rc == 0) {
        l->names = calloc(n ? n : 1, sizeof(*l->names));
        l->files = calloc(n ? n : 1, sizeof(*l->files));
        if (!l->names || !l->files) rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (list[i].pruned || list[i].event_seq > upto_seq) continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, list[i].session, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, to_ns(from));
        sqlite3_bind_int64(st, 3, to_ns(to));
        if (sqlite3_step(st) != SQLITE_ROW) continue;
        rec_snapshot_export_name(list[i].session, list[i].number, l->names[l->n],
                                 sizeof(l->names[0]));
        snprintf(l->files[l->n], sizeof(l->files[0]), REC_SNAPSHOT_DIR "/%s/%04" PRId64 ".jpg",
                 list[i].session, list[i].number);
        l->n++;
    }
    sqlite3_finalize(st);
    free(list);
    return rc;
}

static int record_pruning(struct rec *rec, int64_t from, int64_t to, const struct prune_list *l)
{
    char from_text[32], to_text[32];
    sc_format_iso8601_utc(from, from_text, sizeof(from_text));
    sc_format_iso8601_utc(to, to_text, sizeof(to_text));
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "reason", "period exported and verified");
    sc_json_kv_string(&json, "from", from_text);
    sc_json_kv_string(&json, "to", to_text);
    sc_json_kv_int(&json, "count", (int64_t)l->n);
    sc_json_key(&json, "files");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < l->n; i++)
        sc_json_string(&json, l->names[i]);
    sc_json_array_end(&json);
    sc_json_object_end(&json);
    int rc =
        payload.failed ? -ENOMEM : rec_append(rec, "snapshots_pruned", NULL, payload.data, NULL);
    sc_buf_free(&payload);
    return rc;
}

static void remove_files(struct rec *rec, const struct prune_list *l)
{
    int data_fd = open(rec->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (data_fd < 0) return;
    for (size_t i = 0; i < l->n; i++) {
        if (unlinkat(data_fd, l->files[i], 0) != 0 && errno != ENOENT)
            SC_WARN(rec->log, "snapshot: cannot remove the pruned %s: %s", l->files[i],
                    strerror(errno));
        char dir[128];
        snprintf(dir, sizeof(dir), "%s", l->files[i]);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        unlinkat(data_fd, dir, AT_REMOVEDIR); /* only once the session's folder is empty */
    }
    close(data_fd);
}

int rec_snapshots_prune(struct rec *rec, int64_t from_utc, int64_t to_utc, int64_t upto_seq)
{
    struct rec_clock_reading now;
    if (rec->read_only || from_utc == INT64_MIN || to_utc == INT64_MAX) return 0;
    if (rec_now(rec, &now) != 0 || to_utc > now.utc_ns / 1000000000)
        return 0; /* the period is not over: a later export of it still needs them */
    struct prune_list l = {0};
    int rc = find(rec, from_utc, to_utc, upto_seq, &l);
    if (rc == 0 && l.n > 0) rc = record_pruning(rec, from_utc, to_utc, &l);
    if (rc == 0 && l.n > 0) {
        remove_files(rec, &l);
        SC_INFO(rec->log, "snapshot: %zu snapshots of the exported period pruned", l.n);
    }
    free(l.names);
    free(l.files);
    return rc;
}
