/* record internals: the handle, the event chain and helpers shared by the
 * module's files. Not part of the public API. */
#ifndef STUDYCAST_RECORD_INTERNAL_H
#define STUDYCAST_RECORD_INTERNAL_H

#include "kiosk/record/record.h"

#include <sodium.h>
#include <sqlite3.h>

#define REC_DB_NAME      "record.sqlite"
#define REC_LOCK_NAME    "session.lock"
#define REC_SECRET_NAME  "station.key"
#define REC_PUBLIC_NAME  "station.pub"
#define REC_HASH_BYTES   32
#define REC_UUID_STR_LEN 37

/* Prepared statements owned by the handle (finalized in rec_close). */
enum rec_stmt {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_LAST_EVENT,
    ST_INSERT_EVENT,
    ST_SETTING_GET,
    ST_MEMBER_LATEST,
    ST_OPEN_SESSIONS,
    ST_SESSION_LAST_EVENT,
    ST_JSON_VALID,
    ST_COUNT
};

struct rec {
    struct sc_log *log;
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
    char *data_dir;
    int heartbeat_ms;
    rec_clock_fn clock;
    void *clock_ctx;
    enum rec_clock_source source;
    int64_t utc_minus_mono_ns;
    char boot_id[40];
    int lock_fd;
    bool session_live;         /* this handle holds the session lock */
    bool read_only;            /* opened with rec_options.read_only: never writes */
    bool from_events;          /* rec_open_events: in memory, no keys, nothing signed */
    struct rec_writer *writer; /* writer.c: NULL for a reading handle */
    char snapshot_session[REC_UUID_STR_LEN]; /* the session snapshots_numbered counts */
    int64_t snapshots_numbered;              /* its snapshots, committed or queued */
    char station_id[REC_UUID_STR_LEN];
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
    struct rec_chain_fault fault;         /* the last chain check's */
    rec_picture_decode_fn picture_decode; /* rec_set_picture_decoder: the PDF's snapshots */
    void *picture_ctx;
};

/* One event as stored and as exported; strings are borrowed. */
struct rec_event {
    int64_t seq;
    const char *type;
    int64_t utc_ns;
    const char *clock_source;
    int64_t mono_ns;
    const char *boot_id;
    const char *session; /* "" when none */
    const char *payload; /* JSON object */
    unsigned char prev_hash[REC_HASH_BYTES];
    unsigned char hash[REC_HASH_BYTES];
};

/* chain.c: hash = SHA-256(prev_hash || canonical encoding of the fields). */
void rec_event_hash(const struct rec_event *event, unsigned char out[REC_HASH_BYTES]);
void rec_hex(const unsigned char *bytes, size_t n, char *out); /* out: 2n+1 */
int rec_unhex(const char *hex, unsigned char *bytes, size_t n);
/* Walks the database's whole chain, checking each column's storage class
 * first; 0 or REC_ECHAIN (rec->fault set, message logged). */
int rec_chain_check_db(struct rec *rec);

/* uuid.c */
void rec_uuid_v4(char out[REC_UUID_STR_LEN]);
/* Name-based UUID (RFC 4122 version 5, SHA-1) of `name` in `namespace_uuid`. */
int rec_uuid_v5(const char *namespace_uuid, const char *name, size_t len,
                char out[REC_UUID_STR_LEN]);

/* store.c */
int rec_map_sqlite(struct rec *rec, int rc, const char *what);
/* The same for an error of connection db (the writer's). */
int rec_map_sqlite_db(struct rec *rec, sqlite3 *db, int rc, const char *what);
/* Resets and steps a statement that returns no row: 0 or the mapped error. */
int rec_step_done(struct rec *rec, sqlite3_stmt *st, const char *what);
/* A connection's statements for appending to the chain. */
struct rec_conn {
    sqlite3_stmt *last_event;   /* seq, hash of the last event */
    sqlite3_stmt *insert_event; /* stmt_sql[ST_INSERT_EVENT] */
};
/* Appends one event read at `at` inside an open transaction of conn: seq and
 * prev_hash from the database's last event, hash over the fields. */
int rec_chain_insert(struct rec *rec, const struct rec_conn *conn, const char *type,
                     const char *session, const char *payload, const struct rec_clock_reading *at,
                     const char *boot_id, int64_t *seq);
int rec_now(struct rec *rec, struct rec_clock_reading *now);
int rec_tx_begin(struct rec *rec);
int rec_tx_commit(struct rec *rec);
void rec_tx_rollback(struct rec *rec);
/* Appends one event inside an open transaction. `at` NULL: now. `boot_id`
 * NULL: this boot. session NULL: none. Sets *seq if seq is not NULL. */
int rec_append_in_tx(struct rec *rec, const char *type, const char *session, const char *payload,
                     const struct rec_clock_reading *at, const char *boot_id, int64_t *seq);

/* writer.c: the writer thread and its queue (see record.h, Durability).
 * Starts it on its own connection once rec_open has set the database up. */
int rec_writer_start(struct rec *rec, bool no_sync);
/* Commits what is queued, then ends the thread. */
void rec_writer_stop(struct rec *rec);
/* Waits until everything queued is committed (or failed). The main
 * connection's own transactions (imports, recovery) call it first. */
void rec_writer_drain(struct rec *rec);
enum rec_queue_kind {
    REC_QUEUE_EVENT, /* not queued while the last commit failed */
    REC_QUEUE_ALWAYS /* queued even then: heartbeats (they find out whether writing works
                      * again) and the calls that wait for their events */
};
/* Queues one event, read now, without waiting. Returns 0, or a failure to
 * report: the last commit's (persisting; then a REC_QUEUE_EVENT is not
 * queued) or an earlier event's that was not reported yet (this one queued);
 * -EBUSY if the queue is full; -EROFS on a reading handle. */
int rec_enqueue(struct rec *rec, const char *type, const char *session, const char *payload,
                enum rec_queue_kind kind);
/* Queues one event and waits until it is committed: its own result. */
int rec_append(struct rec *rec, const char *type, const char *session, const char *payload,
               int64_t *seq);
/* The owner's own connection committed events up to seq (rec_tx_commit). */
void rec_writer_saw_seq(struct rec *rec, int64_t seq);
/* A failure of a queued event not yet returned to the owner (taken), or 0. */
int rec_writer_take_unreported(struct rec *rec);
sqlite3_stmt *rec_stmt(struct rec *rec, enum rec_stmt which);
/* fsyncs the directory holding path_in_dir, so a new name in it is durable. */
int rec_fsync_dir(const char *path_in_dir);
/* Closes orphaned sessions (caller holds the session lock). */
int rec_recover(struct rec *rec);

/* keys.c */
int rec_keys_load_or_create(struct rec *rec, bool *created);
/* Only reads the secret key (a read-only handle): -ENOENT if missing. */
int rec_keys_load(struct rec *rec);

/* store_readonly.c: opens the database of a read-only handle. */
int rec_open_database_ro(struct rec *rec);
/* store.c: statements, schema version (shared with the read-only open). */
int rec_prepare_statements(struct rec *rec);
int rec_schema_version(struct rec *rec, int *version);
int rec_schema_latest(void);
/* Brings the schema to the latest version, one transaction per step. */
int rec_migrate(struct rec *rec);
int rec_load_station(struct rec *rec); /* 0, 1 if the record is new, or an error */

/* session.c, for the session events written elsewhere (snapshot_store.c):
 * records one event of s (it counts as a heartbeat too), and s's record. */
int rec_session_event(struct rec_session *s, const char *type, struct sc_buf *payload);
/* Queues an event whose file (the session's snapshot `file_name`, `size`
 * bytes, copied) the writer thread stores, fsynced, just before it commits
 * the event (rec_snapshot_store_file); a failure to store it fails the event. */
int rec_enqueue_with_file(struct rec *rec, const char *type, const char *session,
                          const char *payload, const char *file_name, const void *bytes,
                          size_t size);
int rec_snapshot_store_file(struct rec *rec, const char *session, const char *name,
                            const void *jpeg, size_t size);
/* The same, returning once the event is committed (or failed). */
int rec_session_event_durable(struct rec_session *s, const char *type, struct sc_buf *payload);
struct rec *rec_session_owner(struct rec_session *s);

/* snapshot_store.c: the folder of snapshots in the data dir, and a
 * snapshot's file name in an export ("snapshot-<session>-0001.jpg"). */
#define REC_SNAPSHOT_DIR "snapshots"
void rec_snapshot_export_name(const char *session, int64_t seq, char *out, size_t size);
bool rec_is_snapshot_export_name(const char *name);
/* snapshot_export.c: carries the snapshots of the exported chain range
 * (files, or the pruned ones declared for the manifest). */
struct rec_pruned_snapshot {
    char name[80];
    int64_t pruned_seq;
};
struct rec_export_ctx;
int rec_export_snapshots(struct rec_export_ctx *ctx, int64_t first_seq, int64_t last_seq);
/* verify_snapshots.c: the export's snapshots against their events. Make
 * the table, note each event of events.tsv (only snapshot events are kept),
 * then check; each problem through report(ctx, message). */
int rec_verify_snap_begin(sqlite3 *db);
void rec_verify_snap_event(sqlite3 *db, const struct rec_event *e);
void rec_verify_snap_check(sqlite3 *db, int dirfd, const char *manifest, size_t len,
                           rec_problem_fn report, void *ctx);

/* members.c: whether `number` is on the current roster. */
int rec_member_exists(struct rec *rec, const char *number);

/* roster.c: roster files, without the database. */
int rec_category_parse(const char *text, enum rec_category *out);
void rec_member_clear(struct rec_member *m);
int rec_member_set(struct rec_member *m, const char *number, const char *name, const char *category,
                   const char *card);
struct rec_roster_row {
    int line;
    struct rec_member m;
};
/* Decodes and validates a roster file's bytes. 0 and the rows, REC_EROSTER
 * with every problem in r (rows may still be set: free them), or -ENOMEM. */
int rec_roster_parse(const char *data, size_t len, struct rec_import_result *r,
                     struct rec_roster_row **rows, size_t *n_rows);
void rec_roster_rows_free(struct rec_roster_row *rows, size_t n_rows);

/* csv.c: RFC 4180 field writer and parser. */
void rec_csv_field(struct sc_buf *out, const char *text, bool last);
struct rec_csv_row {
    char **fields;
    size_t n_fields, cap;
    int line; /* where the row starts */
};
struct rec_csv_parser {
    const char *data;
    size_t len, pos;
    int line;
};
/* Next row into row (fields malloc'd, freed by the next call or by
 * rec_csv_row_free). Returns 1 for a row, 0 at the end, -EINVAL for an
 * unterminated quote (row->line says where), -ENOMEM. */
int rec_csv_next(struct rec_csv_parser *parser, struct rec_csv_row *row);
void rec_csv_row_free(struct rec_csv_row *row);

struct rec_export_entry {
    char *name;
    int64_t size;
    char sha256[2 * REC_HASH_BYTES + 1];
};

/* export_*.c: each writes one format's files through rec_export_file. */
struct rec_export_ctx {
    struct rec *rec;
    int dirfd;         /* the (staging) folder written into; not owned */
    const char *label; /* how messages name it */
    int64_t from_utc, to_utc;
    struct rec_session_summary *sessions;
    size_t n_sessions;
    struct rec_member *members;
    size_t n_members;
    struct rec_export_entry *files; /* written so far, for the manifest */
    size_t n_files;
    struct rec_pruned_snapshot *pruned; /* snapshots of the range pruned before */
    size_t n_pruned;
    char station_name[128];
    char station_type[16];
    int utc_offset;
};
/* Writes data to name in ctx->dirfd, fsyncs it and adds it to the manifest. */
int rec_export_file(struct rec_export_ctx *ctx, const char *name, const void *data, size_t len);
/* export.c: writes every chosen format, the chain, the key and the signed
 * manifest into the empty folder dirfd (export_stage.c made it). */
int rec_export_into(struct rec *rec, int dirfd, const char *label, int64_t from_utc, int64_t to_utc,
                    int formats);
/* export_stage.c: names an export writes (and their temporary names). */
bool rec_is_export_name(const char *name);
int rec_export_csv(struct rec_export_ctx *ctx);
int rec_export_xapi(struct rec_export_ctx *ctx);
int rec_export_pdf(struct rec_export_ctx *ctx);
/* The member's name or NULL. */
const struct rec_member *rec_export_find_member(const struct rec_export_ctx *ctx,
                                                const char *number);
/* pdf.c: the cairo context under a sheet (the record book's chart). */
struct _cairo;
struct _cairo *rec_pdf_cairo(struct rec_pdf *p);
/* ISO 8601 duration "PT2H3M4S". */
void rec_iso_duration(int64_t seconds, char *buf, size_t size);

#endif
