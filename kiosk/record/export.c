/* Export: the chosen formats, the event chain and the station's public key,
 * listed with sizes and SHA-256 in a manifest signed with the station's
 * Ed25519 key, written into a folder the caller holds open (export_stage.c
 * makes it and puts it in place). Every file is written to a temporary name,
 * fsynced, renamed and the directory fsynced; the database is only read. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int rec_export_file(struct rec_export_ctx *ctx, const char *name, const void *data, size_t len)
{
    /* 0644: the export is for others to read */
    int rc = sc_write_file_atomic_at(ctx->dirfd, name, data, len, 0644);
    if (rc != 0) {
        SC_ERR(ctx->rec->log, "export: cannot write %s/%s: %s", ctx->label, name, rec_strerror(rc));
        return rc;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, data, len);
    rec_hex(digest, sizeof(digest), hex);
    struct rec_export_entry *grown = realloc(ctx->files, (ctx->n_files + 1) * sizeof(*grown));
    if (!grown) return -ENOMEM;
    ctx->files = grown;
    struct rec_export_entry *e = &ctx->files[ctx->n_files];
    e->name = strdup(name);
    if (!e->name) return -ENOMEM;
    e->size = (int64_t)len;
    snprintf(e->sha256, sizeof(e->sha256), "%s", hex);
    ctx->n_files++;
    return 0;
}

const struct rec_member *rec_export_find_member(const struct rec_export_ctx *ctx,
                                                const char *number)
{
    for (size_t i = 0; i < ctx->n_members; i++)
        if (strcmp(ctx->members[i].number, number) == 0) return &ctx->members[i];
    return NULL;
}

struct chain_range {
    int64_t first_seq, last_seq;
    char prev_hash[2 * REC_HASH_BYTES + 1], last_hash[2 * REC_HASH_BYTES + 1];
};

static int64_t clamp_ns(int64_t s)
{
    if (s <= INT64_MIN / 1000000000) return INT64_MIN;
    if (s >= INT64_MAX / 1000000000) return INT64_MAX;
    return s * 1000000000;
}

/* The contiguous run of events that covers the period and all events of its
 * sessions. */
static int find_range(struct rec_export_ctx *ctx, struct chain_range *range)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->rec->db,
                                "SELECT min(seq), max(seq) FROM events WHERE (utc_ns >= ?1 AND "
                                "utc_ns < ?2) OR session IN (SELECT session FROM events WHERE "
                                "type = 'session_opened' AND utc_ns >= ?1 AND utc_ns < ?2)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(ctx->rec, rc, "finding the events to export");
    sqlite3_bind_int64(st, 1, clamp_ns(ctx->from_utc));
    sqlite3_bind_int64(st, 2, clamp_ns(ctx->to_utc));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        range->first_seq = sqlite3_column_int64(st, 0);
        range->last_seq = sqlite3_column_int64(st, 1);
    } else {
        range->first_seq = 1;
        range->last_seq = 0; /* nothing in range: an empty chain */
    }
    sqlite3_finalize(st);
    return 0;
}

/* events.tsv as it is written: the anchor (the event before the range) and
 * the last hash are noted on the way. */
struct tsv_writer {
    struct chain_range *range;
    struct sc_buf out;
};

static int tsv_line(void *ctx, const struct rec_chain_event *e)
{
    struct tsv_writer *w = ctx;
    char hash[2 * REC_HASH_BYTES + 1];
    rec_hex(e->hash, REC_HASH_BYTES, hash);
    if (e->seq < w->range->first_seq) { /* the anchor: the event before the range */
        snprintf(w->range->prev_hash, sizeof(w->range->prev_hash), "%s", hash);
        return 0;
    }
    /* the same encoding the county rebuilds events.tsv with */
    rec_chain_event_tsv(e, &w->out);
    snprintf(w->range->last_hash, sizeof(w->range->last_hash), "%s", hash);
    return 0;
}

static int export_chain(struct rec_export_ctx *ctx, struct chain_range *range)
{
    int rc = find_range(ctx, range);
    if (rc != 0) return rc;
    unsigned char zero[REC_HASH_BYTES] = {0};
    rec_hex(zero, REC_HASH_BYTES, range->prev_hash);
    snprintf(range->last_hash, sizeof(range->last_hash), "%s", range->prev_hash);
    struct tsv_writer w = {.range = range};
    sc_buf_puts(&w.out, REC_EVENTS_TSV_HEADER);
    rc = rec_events_read(ctx->rec, range->first_seq - 1, range->last_seq, tsv_line, &w);
    if (rc == 0)
        rc = w.out.failed ? -ENOMEM : rec_export_file(ctx, "events.tsv", w.out.data, w.out.len);
    sc_buf_free(&w.out);
    return rc;
}

static void iso_or_null(struct sc_json *json, const char *key, int64_t utc, bool open_end)
{
    if (open_end) {
        sc_json_key(json, key);
        sc_json_null(json);
        return;
    }
    char text[32];
    sc_format_iso8601_utc(utc, text, sizeof(text));
    sc_json_kv_string(json, key, text);
}

static int write_manifest(struct rec_export_ctx *ctx, const struct chain_range *range)
{
    char pk[65], created[32], station_id[REC_UUID_STR_LEN];
    rec_station_public_key_hex(ctx->rec, pk);
    sc_format_iso8601_utc(sc_utc_ns() / 1000000000, created, sizeof(created));
    rec_setting_get(ctx->rec, "station_id", station_id, sizeof(station_id));
    struct sc_buf out = {0};
    struct sc_json json;
    sc_json_init(&json, &out, true);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "format", "studycast-export/1");
    sc_json_kv_string(&json, "station_id", station_id);
    sc_json_kv_string(&json, "station_name", ctx->station_name);
    sc_json_kv_string(&json, "public_key", pk);
    sc_json_kv_string(&json, "created", created);
    sc_json_key(&json, "range");
    sc_json_object_begin(&json);
    iso_or_null(&json, "from", ctx->from_utc, ctx->from_utc == INT64_MIN);
    iso_or_null(&json, "to", ctx->to_utc, ctx->to_utc == INT64_MAX);
    sc_json_object_end(&json);
    sc_json_key(&json, "chain");
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "file", "events.tsv");
    sc_json_kv_int(&json, "first_seq", range->first_seq);
    sc_json_kv_int(&json, "last_seq", range->last_seq);
    sc_json_kv_string(&json, "prev_hash", range->prev_hash);
    sc_json_kv_string(&json, "last_hash", range->last_hash);
    sc_json_object_end(&json);
    sc_json_key(&json, "files");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < ctx->n_files; i++) {
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "name", ctx->files[i].name);
        sc_json_kv_int(&json, "size", ctx->files[i].size);
        sc_json_kv_string(&json, "sha256", ctx->files[i].sha256);
        sc_json_object_end(&json);
    }
    sc_json_array_end(&json);
    /* snapshots of the range removed after an earlier period's export */
    sc_json_key(&json, "snapshots_pruned");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < ctx->n_pruned; i++) {
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "name", ctx->pruned[i].name);
        sc_json_kv_int(&json, "pruned_seq", ctx->pruned[i].pruned_seq);
        sc_json_object_end(&json);
    }
    sc_json_array_end(&json);
    sc_json_object_end(&json);
    sc_buf_puts(&out, "\n");
    int rc = out.failed ? -ENOMEM : 0;
    unsigned char sig[crypto_sign_BYTES];
    char sig_hex[2 * crypto_sign_BYTES + 2];
    if (rc == 0) {
        crypto_sign_detached(sig, NULL, (const unsigned char *)out.data, out.len,
                             ctx->rec->secret_key);
        rec_hex(sig, sizeof(sig), sig_hex);
        strcat(sig_hex, "\n");
    }
    /* the signature goes first: a manifest never stands without one that
     * matches, and a crash between the two leaves a mismatch verify reports */
    const char *name = "manifest.sig";
    if (rc == 0) rc = sc_write_file_atomic_at(ctx->dirfd, name, sig_hex, strlen(sig_hex), 0644);
    if (rc == 0) {
        name = "manifest.json";
        rc = sc_write_file_atomic_at(ctx->dirfd, name, out.data, out.len, 0644);
    }
    if (rc != 0 && rc != -ENOMEM)
        SC_ERR(ctx->rec->log, "export: cannot write %s/%s: %s", ctx->label, name, rec_strerror(rc));
    sc_buf_free(&out);
    return rc;
}

int rec_export_into(struct rec *rec, int dirfd, const char *label, int64_t from_utc, int64_t to_utc,
                    int formats)
{
    struct rec_export_ctx ctx = {
        .rec = rec, .dirfd = dirfd, .label = label, .from_utc = from_utc, .to_utc = to_utc};
    if (formats <= 0 || formats > REC_EXPORT_ALL) return -EINVAL;
    if (rec_setting_get(rec, "station_name", ctx.station_name, sizeof(ctx.station_name)) != 0)
        ctx.station_name[0] = '\0';
    if (rec_setting_get(rec, "station_type", ctx.station_type, sizeof(ctx.station_type)) != 0)
        snprintf(ctx.station_type, sizeof(ctx.station_type), "village");
    ctx.utc_offset = rec_utc_offset_seconds(rec);
    int rc = rec_sessions(rec, from_utc, to_utc, &ctx.sessions, &ctx.n_sessions);
    if (rc == 0) rc = rec_members_list(rec, &ctx.members, &ctx.n_members);
    if (rc == 0 && (formats & REC_EXPORT_CSV)) rc = rec_export_csv(&ctx);
    if (rc == 0 && (formats & REC_EXPORT_XAPI)) rc = rec_export_xapi(&ctx);
    if (rc == 0 && (formats & REC_EXPORT_PDF)) rc = rec_export_pdf(&ctx);
    struct chain_range range = {0};
    if (rc == 0) rc = export_chain(&ctx, &range);
    if (rc == 0) rc = rec_export_snapshots(&ctx, range.first_seq, range.last_seq);
    if (rc == 0) {
        char pk[66];
        rec_station_public_key_hex(rec, pk);
        strcat(pk, "\n");
        rc = rec_export_file(&ctx, REC_PUBLIC_NAME, pk, strlen(pk));
    }
    if (rc == 0) rc = write_manifest(&ctx, &range);
    if (rc == 0)
        SC_INFO(rec->log, "export: %zu sessions, events %" PRId64 "..%" PRId64 " written to %s",
                ctx.n_sessions, range.first_seq, range.last_seq, label);
    rec_sessions_free(ctx.sessions, ctx.n_sessions);
    rec_members_free(ctx.members, ctx.n_members);
    for (size_t i = 0; i < ctx.n_files; i++)
        free(ctx.files[i].name);
    free(ctx.files);
    free(ctx.pruned);
    return rc;
}
