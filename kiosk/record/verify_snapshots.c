/* Verification of an export's snapshots against the event chain it carries:
 * each snapshot file must be the picture its `snapshot_taken` event hashed
 * (the bytes themselves are hashed here, independently of the manifest), and
 * each snapshot_taken event of events.tsv must have its file in the export,
 * or be declared pruned in the signed manifest by a `snapshots_pruned` event
 * that lists it (checked when that event is in the exported range). The
 * snapshot events are noted in a table of the verifier's in-memory database
 * while the chain is walked. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SNAPSHOT_BYTES (8u << 20)
#define EXPORT_NAME                                                                                \
    "'snapshot-' || session || '-' || printf('%04d', json_extract(payload, '$.seq')) || '.jpg'"

int rec_verify_snap_begin(sqlite3 *db)
{
    return sqlite3_exec(
               db, "CREATE TABLE snap_events(seq INTEGER, type TEXT, session TEXT, payload TEXT)",
               NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : -ENOMEM;
}

void rec_verify_snap_event(sqlite3 *db, const struct rec_event *e)
{
    if (strcmp(e->type, "snapshot_taken") != 0 && strcmp(e->type, "snapshots_pruned") != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO snap_events VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) !=
        SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_text(st, 2, e->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->session, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->payload, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

struct snap_check {
    sqlite3 *db;
    int dirfd;
    const char *manifest;
    size_t len;
    rec_problem_fn report;
    void *ctx;
};

static void say(const struct snap_check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const struct snap_check *c, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    c->report(c->ctx, message);
}

/* Each snapshot file of the export against the SHA-256 of its event. */
static void check_files(const struct snap_check *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT f.n, (SELECT seq FROM snap_events WHERE type = 'snapshot_taken' "
                           "AND " EXPORT_NAME " = f.n), (SELECT json_extract(payload, '$.sha256') "
                           "FROM snap_events WHERE type = 'snapshot_taken' AND " EXPORT_NAME
                           " = f.n) FROM (SELECT json_extract(value, '$.name') AS n FROM "
                           "json_each(?1, '$.files')) f WHERE f.n LIKE 'snapshot-%'",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, c->manifest, (int)c->len, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sha = (const char *)sqlite3_column_text(st, 2);
        if (!name || sqlite3_column_type(st, 1) == SQLITE_NULL || !sha) {
            say(c, "%s is not named by any snapshot_taken event in events.tsv", name ? name : "?");
            continue;
        }
        char *data = NULL;
        size_t len = 0;
        if (sc_read_file_at(c->dirfd, name, MAX_SNAPSHOT_BYTES, &data, &len) != 0)
            continue; /* reported with the manifest's files */
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(digest, (const unsigned char *)data, len);
        rec_hex(digest, sizeof(digest), hex);
        free(data);
        if (strcmp(hex, sha) != 0)
            say(c,
                "%s is not the picture its snapshot_taken event %" PRId64
                " names (its SHA-256 differs)",
                name, (int64_t)sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
}

/* Each snapshot_taken event: its file is there, or it was pruned. */
static void check_events(const struct snap_check *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            c->db,
            "WITH taken AS (SELECT seq, " EXPORT_NAME " AS n FROM snap_events WHERE type = "
            "'snapshot_taken'), files AS (SELECT json_extract(value, '$.name') AS n FROM "
            "json_each(?1, '$.files')), pruned AS (SELECT json_extract(value, '$.name') AS n, "
            "json_extract(value, '$.pruned_seq') AS by FROM json_each(?1, '$.snapshots_pruned')) "
            "SELECT t.seq, t.n, p.by, p.by IS NULL OR p.by <= t.seq OR (p.by <= "
            "json_extract(?1, '$.chain.last_seq') AND NOT EXISTS (SELECT 1 FROM snap_events e, "
            "json_each(e.payload, '$.files') f WHERE e.seq = p.by AND e.type = "
            "'snapshots_pruned' AND f.value = t.n)) FROM taken t LEFT JOIN pruned p ON p.n = "
            "t.n WHERE t.n NOT IN (SELECT n FROM files) ORDER BY t.seq",
            -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, c->manifest, (int)c->len, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        bool declared = sqlite3_column_type(st, 2) != SQLITE_NULL;
        if (!sqlite3_column_int(st, 3)) continue; /* pruned, and the chain says so */
        if (!declared)
            say(c, "the snapshot of event %" PRId64 " (%s) is missing from the export", seq,
                name ? name : "?");
        else
            say(c,
                "the snapshot of event %" PRId64 " (%s) is declared pruned by event %" PRId64
                ", which does not prune it",
                seq, name ? name : "?", (int64_t)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
}

void rec_verify_snap_check(sqlite3 *db, int dirfd, const char *manifest, size_t len,
                           rec_problem_fn report, void *ctx)
{
    struct snap_check c = {db, dirfd, manifest, len, report, ctx};
    check_files(&c);
    check_events(&c);
}
