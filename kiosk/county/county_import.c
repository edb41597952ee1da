/* `county import DIR`: a USB export's events into the county. The export is
 * verified against the key registered for its station (rec_verify_export,
 * which reports every problem); then the bytes actually stored are checked
 * again, in memory, against that verified manifest (the folder could change
 * in between). Only the seqs the county lacks are stored, as 'usb' batches
 * whose signature is the manifest's and whose evidence is the manifest
 * itself, so `county verify` can check them again later. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPORT_BYTES (512u << 20)
#define MAX_CONFLICTS    5

struct export
{
    char *manifest, *sig_text, *tsv;
    size_t manifest_len, sig_len, tsv_len;
    struct sc_jv *json;
    unsigned char signature[64];
    struct rec_chain_event *events;
    size_t n_events;
};

static void export_free(struct export *x)
{
    free(x->manifest);
    free(x->sig_text);
    free(x->tsv);
    sc_jv_free(x->json);
    free(x->events);
}

static int read_in(const char *dir, const char *name, char **data, size_t *len)
{
    struct sc_buf path = {0};
    sc_buf_printf(&path, "%s/%s", dir, name);
    int rc = path.failed ? -ENOMEM : sc_read_file(path.data, MAX_EXPORT_BYTES, data, len);
    sc_buf_free(&path);
    return rc;
}

/* The SHA-256 the manifest lists for events.tsv, or NULL. */
static const char *listed_tsv_sha(const struct sc_jv *manifest)
{
    const struct sc_jv *files = sc_jv_get(manifest, "files");
    for (size_t i = 0; files && files->type == SC_JV_ARRAY && i < files->count; i++) {
        const char *name = sc_jv_get_string(sc_jv_at(files, i), "name");
        if (name && strcmp(name, "events.tsv") == 0)
            return sc_jv_get_string(sc_jv_at(files, i), "sha256");
    }
    return NULL;
}

/* The bytes in memory are the ones the registered key signed. */
static int check_held(struct cty_db *db, struct export *x, const unsigned char key[32])
{
    unsigned char digest[32];
    char hex[65];
    x->sig_text[strcspn(x->sig_text, "\r\n")] = '\0';
    size_t n = 0;
    if (sodium_hex2bin(x->signature, 64, x->sig_text, strlen(x->sig_text), NULL, &n, NULL) != 0 ||
        n != 64 ||
        crypto_sign_verify_detached(x->signature, (const unsigned char *)x->manifest,
                                    x->manifest_len, key) != 0)
        return cty_fail(db, CTY_EVERIFY, "the export changed while it was read (manifest)");
    crypto_hash_sha256(digest, (const unsigned char *)x->tsv, x->tsv_len);
    sodium_bin2hex(hex, sizeof(hex), digest, 32);
    const char *listed = listed_tsv_sha(x->json);
    if (!listed || strcmp(listed, hex) != 0)
        return cty_fail(db, CTY_EVERIFY, "the export changed while it was read (events.tsv)");
    return 0;
}

/* events.tsv's lines into x->events (pointing into x->tsv). */
static int parse_events(struct cty_db *db, struct export *x)
{
    size_t lines = 0;
    for (size_t i = 0; i < x->tsv_len; i++)
        lines += x->tsv[i] == '\n';
    x->events = calloc(lines + 1, sizeof(*x->events));
    if (!x->events) return -ENOMEM;
    char *save = NULL;
    for (char *line = strtok_r(x->tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        if (rec_chain_event_parse_tsv(line, &x->events[x->n_events]) != 0)
            return cty_fail(db, CTY_EVERIFY, "events.tsv has a malformed line");
        x->n_events++;
    }
    return 0;
}

static int registered_key(struct cty_db *db, const char *station_id, unsigned char key[32])
{
    const char *params[] = {station_id};
    PGresult *res = NULL;
    int rc = cty_exec(db, "SELECT public_key FROM studycast.stations WHERE station_id = $1", 1,
                      params, PGRES_TUPLES_OK, "looking up the station", &res);
    if (rc != 0) return rc;
    if (PQntuples(res) != 1)
        rc = cty_fail(db, CTY_ENOTREG,
                      "station %s is not registered here (studycast county add-station)",
                      station_id);
    else if (cty_get_bytes(res, 0, 0, key, 32) != 0)
        rc = cty_fail(db, CTY_EDB, "station %s has a malformed key", station_id);
    PQclear(res);
    return rc;
}

static bool held(const struct cty_range *r, size_t n, int64_t seq)
{
    for (size_t i = 0; i < n; i++)
        if (seq >= r[i].first && seq <= r[i].last) return true;
    return false;
}

/* Stores the events the county lacks, as runs of consecutive seqs in one
 * UTC month, in one transaction. */
static int store_new(struct cty_db *db, const char *station_id, struct export *x,
                     struct cty_import_result *result)
{
    struct cty_range *r = NULL;
    size_t n = 0;
    int rc = cty_stored_ranges(db, station_id, &r, &n);
    if (rc == 0) rc = cty_begin(db);
    result->stored = result->already = 0;
    for (size_t i = 0; rc == 0 && i < x->n_events;) {
        if (held(r, n, x->events[i].seq)) {
            result->already++;
            i++;
            continue;
        }
        struct cty_batch b = {.station_id = station_id,
                              .first_seq = x->events[i].seq,
                              .source = "usb",
                              .evidence = x->manifest,
                              .events = &x->events[i]};
        cty_utc_month(x->events[i].utc_ns, b.month);
        size_t k = i;
        char month[11];
        while (k < x->n_events && k - i < CTY_MAX_BATCH && !held(r, n, x->events[k].seq) &&
               x->events[k].seq == b.first_seq + (int64_t)(k - i)) {
            cty_utc_month(x->events[k].utc_ns, month);
            if (strcmp(month, b.month) != 0) break;
            k++;
        }
        b.n_events = k - i;
        b.last_seq = b.first_seq + (int64_t)b.n_events - 1;
        memcpy(b.prev_hash, x->events[i].prev_hash, 32);
        memcpy(b.last_hash, x->events[k - 1].hash, 32);
        memcpy(b.signature, x->signature, 64);
        rc = cty_batch_insert(db, &b);
        result->stored += (int64_t)b.n_events;
        i = k;
    }
    if (rc == 0) rc = cty_commit(db);
    if (rc != 0) cty_rollback(db);
    free(r);
    return rc;
}

static int load(struct cty_db *db, const char *dir, struct export *x, char *station_id)
{
    int rc = read_in(dir, "manifest.json", &x->manifest, &x->manifest_len);
    if (rc == 0) rc = sc_json_parse(x->manifest, x->manifest_len, &x->json, NULL, 0);
    if (rc != 0)
        return cty_fail(db, CTY_EVERIFY, "%s has no readable manifest.json: not an export", dir);
    const char *id = sc_jv_get_string(x->json, "station_id");
    if (!id || strlen(id) > 63)
        return cty_fail(db, CTY_EVERIFY, "%s: the manifest names no station", dir);
    snprintf(station_id, 64, "%s", id);
    return 0;
}

int cty_import(struct cty_db *db, const char *dir, cty_problem_fn problem, void *ctx,
               struct cty_import_result *result)
{
    *result = (struct cty_import_result){0};
    struct export x = {0};
    unsigned char key[32];
    char key_hex[65];
    int rc = cty_schema_check(db);
    if (rc == 0) rc = load(db, dir, &x, result->station_id);
    if (rc == 0) rc = registered_key(db, result->station_id, key);
    if (rc == 0) {
        sodium_bin2hex(key_hex, sizeof(key_hex), key, 32);
        rc = rec_verify_export(dir, key_hex, problem, ctx);
        if (rc == REC_ETAMPER)
            rc = cty_fail(db, CTY_EVERIFY,
                          "%s failed verification against station %s's registered key: nothing "
                          "imported",
                          dir, result->station_id);
        else if (rc != 0)
            rc = cty_fail(db, rc, "cannot read %s: %s", dir, rec_strerror(rc));
    }
    /* read again after the check, and checked again in memory */
    sc_jv_free(x.json);
    x.json = NULL;
    free(x.manifest);
    x.manifest = NULL;
    if (rc == 0) rc = read_in(dir, "manifest.json", &x.manifest, &x.manifest_len);
    if (rc == 0) rc = sc_json_parse(x.manifest, x.manifest_len, &x.json, NULL, 0);
    if (rc == 0) rc = read_in(dir, "manifest.sig", &x.sig_text, &x.sig_len);
    if (rc == 0) rc = read_in(dir, "events.tsv", &x.tsv, &x.tsv_len);
    if (rc < 0 && rc > -4000) rc = cty_fail(db, rc, "cannot read %s: %s", dir, strerror(-rc));
    if (rc == 0) rc = check_held(db, &x, key);
    if (rc == 0) rc = parse_events(db, &x);
    if (rc == 0 && x.n_events > 0) {
        result->first_seq = x.events[0].seq;
        result->last_seq = x.events[x.n_events - 1].seq;
    }
    for (int attempt = 0; rc == 0 && attempt < MAX_CONFLICTS; attempt++) {
        rc = store_new(db, result->station_id, &x, result);
        if (rc != CTY_EEXIST) break; /* a sync stored some meanwhile: ask again */
        if (attempt + 1 < MAX_CONFLICTS) rc = 0;
    }
    if (rc == 0)
        SC_INFO(db->log, "county: %s: %" PRId64 " events stored, %" PRId64 " held already", dir,
                result->stored, result->already);
    export_free(&x);
    return rc;
}
