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

/* Parameters an event row takes beyond the four every row shares. */
enum { SHARED = 4, PER_EVENT = 10 };

/* "INSERT ... VALUES ($1, $5, ...), ..." for n events: $1..$4 are the
 * station, month and batch range, the same for every row. */
static void events_sql(struct sc_buf *sql, size_t n)
{
    sc_buf_puts(sql, "INSERT INTO studycast.events (station_id, month, batch_first_seq, "
                     "batch_last_seq, seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                     "session, payload, prev_hash, hash) VALUES ");
    for (size_t i = 0; i < n; i++) {
        size_t p = SHARED + i * PER_EVENT + 1;
        sc_buf_printf(sql, "%s($1, $2::date, $3::bigint, $4::bigint", i ? ", " : "");
        for (size_t k = 0; k < PER_EVENT; k++)
            sc_buf_printf(sql, ", $%zu", p + k);
        sc_buf_puts(sql, ")");
    }
}

/* The events' parameters: numbers and hashes formatted into one block. */
static int insert_events(struct cty_db *db, const struct cty_batch *b, const char *first,
                         const char *last)
{
    size_t n = b->n_events, n_params = SHARED + n * PER_EVENT;
    enum { NUMBERS = 3 * 24, HASHES = 2 * 67 };
    const char **params = calloc(n_params, sizeof(*params));
    char *text = malloc(n * (NUMBERS + HASHES));
    struct sc_buf sql = {0};
    int rc = -ENOMEM;
    if (params && text) {
        params[0] = b->station_id;
        params[1] = b->month;
        params[2] = first;
        params[3] = last;
        for (size_t i = 0; i < n; i++) {
            const struct rec_chain_event *e = &b->events[i];
            char *t = text + i * (NUMBERS + HASHES);
            const char **p = params + SHARED + i * PER_EVENT;
            snprintf(t, 24, "%" PRId64, e->seq);
            snprintf(t + 24, 24, "%" PRId64, e->utc_ns);
            snprintf(t + 48, 24, "%" PRId64, e->mono_ns);
            cty_bytea_param(e->prev_hash, 32, t + NUMBERS);
            cty_bytea_param(e->hash, 32, t + NUMBERS + 67);
            p[0] = t;
            p[1] = e->type;
            p[2] = t + 24;
            p[3] = e->clock_source;
            p[4] = t + 48;
            p[5] = e->boot_id;
            p[6] = e->session && e->session[0] ? e->session : NULL;
            p[7] = e->payload;
            p[8] = t + NUMBERS;
            p[9] = t + NUMBERS + 67;
        }
        events_sql(&sql, n);
        if (!sql.failed)
            rc = cty_exec(db, sql.data, (int)n_params, params, PGRES_COMMAND_OK,
                          "storing the events", NULL);
    }
    sc_buf_free(&sql);
    free(text);
    free(params);
    return rc;
}

int cty_batch_insert(struct cty_db *db, const struct cty_batch *b)
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
    int rc = cty_exec(db,
                      "INSERT INTO studycast.batches (station_id, first_seq, last_seq, month, "
                      "prev_hash, last_hash, signature, source, evidence) VALUES ($1, $2, $3, "
                      "$4::date, $5::bytea, $6::bytea, $7::bytea, $8, $9)",
                      9, params, PGRES_COMMAND_OK, "storing a batch", NULL);
    if (rc == 0) rc = insert_events(db, b, first, last);
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
