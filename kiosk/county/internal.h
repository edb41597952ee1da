/* county internals: the connection handle and the helpers the module's files
 * share (the report and stations commands use them too). Not public: only
 * kiosk/county/ sees libpq. */
#ifndef STUDYCAST_COUNTY_INTERNAL_H
#define STUDYCAST_COUNTY_INTERNAL_H

#include "kiosk/county/county.h"
#include "kiosk/record/record.h"

#include <libpq-fe.h>

#define CTY_DEFAULT_TIMEOUT_S 10
#define CTY_DEFAULT_BATCH     2000
#define CTY_MAX_BATCH         5000 /* 12 parameters an event: under libpq's 65535 */

struct cty_db {
    PGconn *conn;
    struct sc_log *log;
    char message[256]; /* the last failure, one line for people */
};

/* county_db.c */
/* Records a failure: message (printf) into db->message and the log; returns code. */
int cty_fail(struct cty_db *db, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks a result: 0 when its status is `want` (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK), else records "<what>: <server's message>" and returns
 * the code its SQLSTATE maps to (CTY_ECONNECT for a dropped link, CTY_EAUTH
 * for privileges and row-level security, CTY_ESCHEMA for a missing table,
 * CTY_EDB otherwise). Does not clear res. */
int cty_check(struct cty_db *db, PGresult *res, ExecStatusType want, const char *what);
/* Runs a statement with text parameters (NULL: SQL NULL); checks it as
 * cty_check. On success *out (if not NULL) holds the result to PQclear. */
int cty_exec(struct cty_db *db, const char *sql, int n_params, const char *const *params,
             ExecStatusType want, const char *what, PGresult **out);
/* BEGIN / COMMIT / ROLLBACK (the latter never fails loudly). */
int cty_begin(struct cty_db *db);
int cty_commit(struct cty_db *db);
void cty_rollback(struct cty_db *db);
/* The SQLSTATE of a failed result, "" if none. */
const char *cty_sqlstate(const PGresult *res);
/* A bytea column's value decoded (PQunescapeBytea); 0 if it has exactly n bytes. */
int cty_get_bytes(const PGresult *res, int row, int col, unsigned char *out, size_t n);
/* "\\x<hex>" for a bytea parameter (out: 2n + 3 bytes). */
void cty_bytea_param(const unsigned char *bytes, size_t n, char *out);
/* Whether the county schema is there at a version this studycast knows:
 * 0, or CTY_ESCHEMA with the message set. */
int cty_schema_check(struct cty_db *db);

/* county_batch.c: storing a run of events as one batch (sync and import). */
struct cty_batch {
    const char *station_id;
    int64_t first_seq, last_seq;
    char month[11];                       /* every event's UTC month */
    unsigned char prev_hash[32];          /* the hash before first_seq */
    unsigned char last_hash[32];          /* last_seq's hash */
    unsigned char signature[64];          /* Ed25519 */
    const char *source;                   /* "sync" or "usb" */
    const char *evidence;                 /* usb: manifest.json's bytes; NULL for sync */
    const struct rec_chain_event *events; /* first_seq..last_seq in order */
    size_t n_events;
};
/* The first lines of a batch's canonical bytes: CTY_BATCH_MAGIC, station,
 * first and last seq, the hashes in hex. */
void cty_batch_head(struct sc_buf *out, const char *station_id, int64_t first_seq, int64_t last_seq,
                    const unsigned char prev_hash[32], const unsigned char last_hash[32]);
/* The canonical bytes a sync batch's signature covers (CTY_BATCH_MAGIC ...). */
void cty_batch_bytes(const char *station_id, int64_t first_seq, int64_t last_seq,
                     const unsigned char prev_hash[32], const unsigned char last_hash[32],
                     const struct rec_chain_event *events, size_t n, struct sc_buf *out);
/* INSERTs the batch row and its events in the caller's transaction. A batch
 * whose seqs the county holds already: CTY_EEXIST (roll back and ask again). */
int cty_batch_insert(struct cty_db *db, const struct cty_batch *batch);
/* The same in a transaction of its own (BEGIN ... COMMIT), sent as one
 * pipeline without waiting: the server stores it while the caller prepares
 * the next. cty_pipeline_finish then reads its outcome; only a 0 from there
 * means the batch is committed. */
int cty_batch_send(struct cty_db *db, const struct cty_batch *batch);
/* Reads the results of what was sent in pipeline mode up to its sync and
 * leaves pipeline mode: 0, or the first statement's failure (cty_check's
 * codes; the transaction then rolled back). */
int cty_pipeline_finish(struct cty_db *db, const char *what);
/* The station's stored seq ranges (its batches'), merged, in order. */
struct cty_range {
    int64_t first, last;
};
int cty_stored_ranges(struct cty_db *db, const char *station_id, struct cty_range **ranges,
                      size_t *count);

/* county_derived.c: the report's cache tables (county init). */
int cty_cache_init(struct cty_db *db);
/* county_province.c: the publications a province subscribes to (county init). */
int cty_publication_init(struct cty_db *db);

#endif
