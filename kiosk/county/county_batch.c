/* A batch: the bytes its signature covers, and its rows stored in the
 * caller's transaction (sync and import share this). */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cty_batch_head(struct sc_buf *out, const char *station_id, int64_t first_seq, int64_t last_seq,
                    const unsigned char prev_hash[32], const unsigned char last_hash[32])
{
    static const char digits[] = "0123456789abcdef";
    char prev[65], last[65];
    for (int i = 0; i < 32; i++) {
        prev[2 * i] = digits[prev_hash[i] >> 4];
        prev[2 * i + 1] = digits[prev_hash[i] & 15];
        last[2 * i] = digits[last_hash[i] >> 4];
        last[2 * i + 1] = digits[last_hash[i] & 15];
    }
    prev[64] = last[64] = '\0';
    sc_buf_printf(out, CTY_BATCH_MAGIC "%s\n%" PRId64 "\n%" PRId64 "\n%s\n%s\n", station_id,
                  first_seq, last_seq, prev, last);
}

void cty_batch_bytes(const char *station_id, int64_t first_seq, int64_t last_seq,
                     const unsigned char prev_hash[32], const unsigned char last_hash[32],
                     const struct rec_chain_event *events, size_t n, struct sc_buf *out)
{
    cty_batch_head(out, station_id, first_seq, last_seq, prev_hash, last_hash);
    for (size_t i = 0; i < n; i++)
        rec_chain_event_tsv(&events[i], out);
}

/* One array literal element, quoted: " and \ escaped. */
static void array_text(struct sc_buf *a, const char *text)
{
    sc_buf_append(a, a->len > 1 ? ",\"" : "\"", a->len > 1 ? 2 : 1);
    const char *run = text;
    for (const char *p = text;; p++) {
        if (*p && *p != '"' && *p != '\\') continue;
        sc_buf_append(a, run, (size_t)(p - run));
        if (!*p) break;
        sc_buf_append(a, "\\", 1);
        sc_buf_append(a, p, 1);
        run = p + 1;
    }
    sc_buf_append(a, "\"", 1);
}

static void array_int(struct sc_buf *a, int64_t v)
{
    sc_buf_printf(a, "%s%" PRId64, a->len > 1 ? "," : "", v);
}

static void array_hash(struct sc_buf *a, const unsigned char hash[32])
{
    char hex[2 * 32 + 3];
    cty_bytea_param(hash, 32, hex); /* \x...: the backslash escaped by array_text */
    array_text(a, hex);
}

enum { COLS = 10 };

/* One statement of a batch: run now, or queued in the connection's pipeline
 * (its result read by cty_pipeline_finish). */
static int statement(struct cty_db *db, bool queued, const char *sql, int n_params,
                     const char *const *params, const char *what)
{
    if (!queued) return cty_exec(db, sql, n_params, params, PGRES_COMMAND_OK, what, NULL);
    if (PQsendQueryParams(db->conn, sql, n_params, NULL, params, NULL, NULL, 0) == 1) return 0;
    return cty_check(db, NULL, PGRES_COMMAND_OK, what); /* only a lost link fails a send */
}

/* The events as one array per column, unnested by one INSERT: a single
 * short statement whatever the batch's size (a VALUES list of thousands of
 * rows costs the server more to parse and plan than to store). */
static int insert_events(struct cty_db *db, const struct cty_batch *b, const char *first,
                         const char *last, bool queued)
{
    struct sc_buf a[COLS] = {{0}};
    for (int c = 0; c < COLS; c++)
        sc_buf_puts(&a[c], "{");
    for (size_t i = 0; i < b->n_events; i++) {
        const struct rec_chain_event *e = &b->events[i];
        array_int(&a[0], e->seq);
        array_text(&a[1], e->type);
        array_int(&a[2], e->utc_ns);
        array_text(&a[3], e->clock_source);
        array_int(&a[4], e->mono_ns);
        array_text(&a[5], e->boot_id);
        if (e->session && e->session[0])
            array_text(&a[6], e->session);
        else
            sc_buf_puts(&a[6], a[6].len > 1 ? ",NULL" : "NULL");
        array_text(&a[7], e->payload);
        array_hash(&a[8], e->prev_hash);
        array_hash(&a[9], e->hash);
    }
    bool failed = false;
    const char *params[4 + COLS] = {b->station_id, b->month, first, last};
    for (int c = 0; c < COLS; c++) {
        sc_buf_puts(&a[c], "}");
        failed = failed || a[c].failed;
        params[4 + c] = a[c].data;
    }
    int rc = failed ? -ENOMEM
                    : statement(db, queued,
                                "INSERT INTO studycast.events (station_id, month, batch_first_seq, "
                                "batch_last_seq, seq, type, utc_ns, clock_source, mono_ns, "
                                "boot_id, session, payload, prev_hash, hash) SELECT $1, $2::date, "
                                "$3, $4, u.* FROM unnest($5::bigint[], $6::text[], $7::bigint[], "
                                "$8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], "
                                "$13::bytea[], $14::bytea[]) AS u",
                                4 + COLS, params, "storing the events");
    for (int c = 0; c < COLS; c++)
        sc_buf_free(&a[c]);
    return rc;
}

static int batch_statements(struct cty_db *db, const struct cty_batch *b, bool queued)
{
    if (b->n_events == 0 || b->n_events > CTY_MAX_BATCH ||
        (int64_t)b->n_events != b->last_seq - b->first_seq + 1)
        return cty_fail(db, -EINVAL, "a batch of %zu events cannot cover %" PRId64 "..%" PRId64,
                        b->n_events, b->first_seq, b->last_seq);
    char first[24], last[24], prev[67], last_hash[67], sig[131];
    snprintf(first, sizeof(first), "%" PRId64, b->first_seq);
    snprintf(last, sizeof(last), "%" PRId64, b->last_seq);
    cty_bytea_param(b->prev_hash, 32, prev);
    cty_bytea_param(b->last_hash, 32, last_hash);
    cty_bytea_param(b->signature, 64, sig);
    const char *params[] = {b->station_id, first, last,      b->month,   prev,
                            last_hash,     sig,   b->source, b->evidence};
    int rc = statement(db, queued,
                       "INSERT INTO studycast.batches (station_id, first_seq, last_seq, month, "
                       "prev_hash, last_hash, signature, source, evidence) VALUES ($1, $2, $3, "
                       "$4::date, $5::bytea, $6::bytea, $7::bytea, $8, $9)",
                       9, params, "storing a batch");
    if (rc == 0) rc = insert_events(db, b, first, last, queued);
    return rc;
}

int cty_batch_insert(struct cty_db *db, const struct cty_batch *b)
{
    return batch_statements(db, b, false);
}

int cty_batch_send(struct cty_db *db, const struct cty_batch *b)
{
    if (PQenterPipelineMode(db->conn) != 1) return cty_check(db, NULL, PGRES_COMMAND_OK, "sending");
    int rc = statement(db, true, "BEGIN", 0, NULL, "starting a transaction");
    if (rc == 0) rc = batch_statements(db, b, true);
    if (rc == 0) rc = statement(db, true, "COMMIT", 0, NULL, "committing");
    /* the sync sends what is queued; the server works while the caller does */
    if (rc == 0 && PQpipelineSync(db->conn) != 1)
        rc = cty_check(db, NULL, PGRES_COMMAND_OK, "sending a batch");
    if (rc != 0) { /* what was queued is ended, its transaction rolled back */
        PQpipelineSync(db->conn);
        cty_pipeline_finish(db, "sending a batch");
    }
    return rc;
}

int cty_stored_ranges(struct cty_db *db, const char *station_id, struct cty_range **ranges,
                      size_t *count)
{
    *ranges = NULL;
    *count = 0;
    const char *params[] = {station_id};
    PGresult *res = NULL;
    int rc = cty_exec(db,
                      "SELECT first_seq, last_seq FROM studycast.batches WHERE station_id = $1 "
                      "ORDER BY first_seq",
                      1, params, PGRES_TUPLES_OK, "asking which events the county holds", &res);
    if (rc != 0) return rc;
    int rows = PQntuples(res);
    struct cty_range *r = calloc((size_t)rows + 1, sizeof(*r));
    if (!r) {
        PQclear(res);
        return -ENOMEM;
    }
    size_t n = 0;
    for (int i = 0; i < rows; i++) {
        int64_t first = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        int64_t last = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        if (n > 0 && first <= r[n - 1].last + 1) { /* adjacent: one range */
            if (last > r[n - 1].last) r[n - 1].last = last;
            continue;
        }
        r[n++] = (struct cty_range){first, last};
    }
    PQclear(res);
    *ranges = r;
    *count = n;
    return 0;
}
