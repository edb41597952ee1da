/* Proof of viewing in the record: a session's snapshots are stored as files
 * beside the record, each named by a `snapshot_taken` event that carries its
 * SHA-256, so the chain vouches for the picture. The record only stores and
 * hashes bytes; making and decoding pictures is kiosk/snapshot's. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SNAPSHOT_BYTES (8u << 20)

void rec_set_picture_decoder(struct rec *rec, rec_picture_decode_fn decode, void *ctx)
{
    rec->picture_decode = decode;
    rec->picture_ctx = ctx;
}

void rec_snapshot_export_name(const char *session, int64_t seq, char *out, size_t size)
{
    snprintf(out, size, "snapshot-%s-%04" PRId64 ".jpg", session, seq);
}

bool rec_is_snapshot_export_name(const char *name)
{
    /* snapshot-<36-char uuid>-<4+ digits>.jpg, or its temporary name */
    if (strncmp(name, "snapshot-", 9) != 0 || strlen(name) < 9 + 36 + 1 + 4 + 4) return false;
    for (int i = 0; i < 36; i++) {
        char c = name[9 + i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    const char *p = name + 9 + 36;
    if (*p++ != '-') return false;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    return digits >= 4 && (strcmp(p, ".jpg") == 0 || strncmp(p, ".jpg.tmp.", 9) == 0);
}

static int mkdir_at(int dirfd, const char *name, int *out)
{
    bool made = mkdirat(dirfd, name, 0750) == 0;
    if (!made && errno != EEXIST) return -errno;
    *out = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*out < 0) return -errno;
    /* a new folder's name made durable; an existing one costs no fsync */
    return !made || fsync(dirfd) == 0 ? 0 : -errno;
}

/* The session's snapshots so far (numbers go on across a resume). */
static int64_t snapshots_so_far(struct rec *rec, const char *session)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(rec->db,
                           "SELECT count(*) FROM events WHERE type = 'snapshot_taken' AND "
                           "session = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void snapshot_payload(struct sc_buf *out, const char *file, int64_t number, const char *hex,
                             size_t size, const struct rec_snapshot_meta *m)
{
    struct sc_json json;
    sc_json_init(&json, out, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "file", file);
    sc_json_kv_int(&json, "seq", number);
    sc_json_kv_string(&json, "sha256", hex);
    sc_json_kv_int(&json, "bytes", (int64_t)size);
    sc_json_kv_int(&json, "width", m->width);
    sc_json_kv_int(&json, "height", m->height);
    sc_json_kv_string(&json, "kind", m->kind);
    sc_json_kv_double(&json, "mean_luma", (double)(int64_t)(m->mean_luma * 10 + 0.5) / 10);
    sc_json_kv_bool(&json, "black", m->black);
    sc_json_kv_bool(&json, "frozen", m->frozen);
    if (m->diff_previous >= 0)
        sc_json_kv_double(&json, "diff_previous",
                          (double)(int64_t)(m->diff_previous * 100 + 0.5) / 100);
    sc_json_object_end(&json);
}

static bool valid_meta(const struct rec_snapshot_meta *m)
{
    return m && m->kind &&
           (strcmp(m->kind, "first") == 0 || strcmp(m->kind, "periodic") == 0 ||
            strcmp(m->kind, "last") == 0) &&
           m->width > 0 && m->height > 0 && m->mean_luma >= 0 && m->mean_luma <= 255;
}

/* Writes snapshot `name` of `session` (its folder made if new), fsynced with
 * its name, before the event that names it is committed: runs on the
 * record's writer thread, so a slow card never stalls the picture. */
int rec_snapshot_store_file(struct rec *rec, const char *session, const char *name,
                            const void *jpeg, size_t size)
{
    int data_fd = open(rec->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int top = -1, dir = -1;
    int rc = data_fd < 0 ? -errno : mkdir_at(data_fd, REC_SNAPSHOT_DIR, &top);
    if (rc == 0) rc = mkdir_at(top, session, &dir);
    if (rc == 0) rc = sc_write_file_atomic_at(dir, name, jpeg, size, 0640);
    if (rc != 0)
        SC_ERR(rec->log, "snapshot: cannot write %s/%s/%s: %s", REC_SNAPSHOT_DIR, session, name,
               rec_strerror(rc));
    if (dir >= 0) close(dir);
    if (top >= 0) close(top);
    if (data_fd >= 0) close(data_fd);
    return rc;
}

int rec_session_snapshot(struct rec_session *s, const void *jpeg, size_t size,
                         const struct rec_snapshot_meta *meta)
{
    struct rec *rec = rec_session_owner(s);
    if (!jpeg || size == 0 || size > MAX_SNAPSHOT_BYTES || !valid_meta(meta)) return -EINVAL;
    if (rec->read_only) return -EROFS;
    const char *session = rec_session_id(s);
    /* numbered on from the committed ones; those still queued are counted
     * here (the writer commits in order) */
    if (strcmp(rec->snapshot_session, session) != 0) {
        int64_t so_far = snapshots_so_far(rec, session);
        if (so_far < 0) return rec_map_sqlite(rec, sqlite3_errcode(rec->db), "counting snapshots");
        snprintf(rec->snapshot_session, sizeof(rec->snapshot_session), "%s", session);
        rec->snapshots_numbered = so_far;
    }
    int64_t number = rec->snapshots_numbered + 1;
    char name[32], file[128];
    snprintf(name, sizeof(name), "%04" PRId64 ".jpg", number);
    snprintf(file, sizeof(file), REC_SNAPSHOT_DIR "/%s/%s", session, name);
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, jpeg, size);
    rec_hex(digest, sizeof(digest), hex);
    struct sc_buf payload = {0};
    snapshot_payload(&payload, file, number, hex, size, meta);
    int rc = payload.failed ? -ENOMEM
                            : rec_enqueue_with_file(rec, "snapshot_taken", session, payload.data,
                                                    name, jpeg, size);
    sc_buf_free(&payload);
    if (rc == 0) rec->snapshots_numbered = number;
    return rc;
}

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

/* One snapshot_taken row into out; pruned from the pruning events. */
static void read_row(sqlite3_stmt *st, struct rec_snapshot *out)
{
    *out = (struct rec_snapshot){0};
    out->event_seq = sqlite3_column_int64(st, 0);
    out->utc = sqlite3_column_int64(st, 1) / 1000000000;
    snprintf(out->session, sizeof(out->session), "%s", text_or_empty(st, 2));
    out->number = sqlite3_column_int64(st, 3);
    snprintf(out->kind, sizeof(out->kind), "%s", text_or_empty(st, 4));
    snprintf(out->sha256, sizeof(out->sha256), "%s", text_or_empty(st, 5));
    out->width = sqlite3_column_int(st, 6);
    out->height = sqlite3_column_int(st, 7);
    out->bytes = sqlite3_column_int64(st, 8);
    out->mean_luma = sqlite3_column_double(st, 9);
    out->black = sqlite3_column_int(st, 10) != 0;
    out->frozen = sqlite3_column_int(st, 11) != 0;
    out->pruned = sqlite3_column_int(st, 12) != 0;
}

int rec_snapshots_list(struct rec *rec, const char *session, struct rec_snapshot **out,
                       size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        rec->db,
        "SELECT e.seq, e.utc_ns, e.session, json_extract(e.payload, '$.seq'), "
        "json_extract(e.payload, '$.kind'), json_extract(e.payload, '$.sha256'), "
        "json_extract(e.payload, '$.width'), json_extract(e.payload, '$.height'), "
        "json_extract(e.payload, '$.bytes'), json_extract(e.payload, '$.mean_luma'), "
        "json_extract(e.payload, '$.black'), json_extract(e.payload, '$.frozen'), "
        "EXISTS (SELECT 1 FROM events p, json_each(p.payload, '$.files') f WHERE "
        "p.type = 'snapshots_pruned' AND p.seq > e.seq AND f.value = 'snapshot-' || e.session || "
        "'-' || printf('%04d', json_extract(e.payload, '$.seq')) || '.jpg') "
        "FROM events e WHERE e.type = 'snapshot_taken' AND (?1 IS NULL OR e.session = ?1) "
        "ORDER BY e.seq",
        -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "listing snapshots");
    sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct rec_snapshot *grown = realloc(list, (n + 1) * sizeof(*grown));
        if (!grown) {
            rc = SQLITE_NOMEM;
            break;
        }
        list = grown;
        read_row(st, &list[n++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(list);
        return rc == SQLITE_NOMEM ? -ENOMEM : rec_map_sqlite(rec, rc, "listing snapshots");
    }
    *out = list;
    *count = n;
    return 0;
}

int rec_snapshot_read(struct rec *rec, const struct rec_snapshot *snap, void **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    char path[4096];
    snprintf(path, sizeof(path), "%s/" REC_SNAPSHOT_DIR "/%s/%04" PRId64 ".jpg", rec->data_dir,
             snap->session, snap->number);
    char *bytes = NULL;
    size_t len = 0;
    int rc = sc_read_file(path, MAX_SNAPSHOT_BYTES, &bytes, &len);
    if (rc != 0) return rc;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, (const unsigned char *)bytes, len);
    rec_hex(digest, sizeof(digest), hex);
    if (strcmp(hex, snap->sha256) != 0) {
        SC_ERR(rec->log, "snapshot %s was altered: it does not match its event %" PRId64, path,
               snap->event_seq);
        free(bytes);
        return REC_ETAMPER;
    }
    *data = bytes;
    *size = len;
    return 0;
}
