/* county: the county's PostgreSQL database (schema `studycast`), which
 * stations upload their study record into with libpq, and the county's own
 * commands on it: init (create or migrate the schema), add-station (register
 * a station's key and make its login role), import (a USB export) and verify
 * (batch signatures, the hash chain, gaps). No studycast server runs in
 * between: stations connect to PostgreSQL directly with their own role,
 * which row-level security confines to their own rows.
 *
 * Upload protocol: the station asks the county which of its seqs are stored
 * (the union of its batches' ranges; never a local marker), then sends the
 * missing events in batches, each one transaction: one row in `batches`
 * (first/last seq, the hash before the batch and the last hash, the
 * station's Ed25519 signature over cty_batch_bytes) and its rows in `events`.
 * A batch counts as acknowledged once COMMIT returned; a batch that is
 * refused because the county already holds those seqs is rolled back and the
 * stored ranges are asked again, so an interrupted sync (process killed,
 * database restarted, link gone) loses and duplicates nothing.
 *
 * The schema, in short (county_schema.c holds the SQL and says why):
 *   stations(station_id, public_key 32 bytes, name, township, type, role_name,
 *            registered_at)
 *   batches(station_id, first_seq, last_seq, month, prev_hash, last_hash,
 *           signature 64 bytes, source sync|usb, evidence, received_at)
 *   events(station_id, seq, type, utc_ns, clock_source, mono_ns, boot_id,
 *          session, payload, prev_hash, hash, month, batch_first_seq,
 *          batch_last_seq), partitioned by month (UTC month of utc_ns)
 *   station_status(station_id, last_seen, version, name, type, playing, next,
 *                  free_disk_bytes, record_check_ok, record_check_message,
 *                  pending, last_seq)
 *   schema_version(version, applied_at)
 * A batch never spans two UTC months, so all its events sit in one partition.
 *
 * Threads: a struct cty_db belongs to one thread. cty_sync opens its own
 * record handle and connection: any thread may call it (the kiosk's worker).
 *
 * Errors: 0 or a negative code: -errno for system conditions or one of the
 * CTY_E* codes below; cty_strerror() names any of them, and the handle's
 * cty_db_message() (or the call's message field) says it in one line for
 * people. */
#ifndef STUDYCAST_COUNTY_H
#define STUDYCAST_COUNTY_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CTY_ECONNECT = -5001,  /* the database cannot be reached or the link dropped */
    CTY_EAUTH = -5002,     /* the server refused the credentials */
    CTY_ENOTREG = -5003,   /* the credentials are not a registered station's */
    CTY_EMISMATCH = -5004, /* another station's credentials, or another key */
    CTY_ESCHEMA = -5005,   /* no county schema (run county init) or a newer one */
    CTY_EDB = -5006,       /* the database refused a statement */
    CTY_EVERIFY = -5007,   /* an export or the county's rows failed verification */
    CTY_EEXIST = -5008,    /* the station (or its key) is already registered */
    CTY_ERECORD = -5009,   /* the station's record cannot be read */
};
const char *cty_strerror(int code);

/* The schema version this studycast creates and understands. */
#define CTY_SCHEMA_VERSION 2
/* The group role every station's login role is a member of. */
#define CTY_STATION_GROUP "studycast_station"

/* ---- a connection ---------------------------------------------------------- */

struct cty_db;

/* Connects (libpq conninfo "host=... dbname=..." or a postgresql:// URI;
 * timeout 0: 10 s). On failure *out is NULL and message (if not NULL) holds
 * one line for people; it is also logged. */
int cty_db_connect(const char *conninfo, int connect_timeout_s, struct sc_log *log,
                   struct cty_db **out, char *message, size_t size);
/* The same with the default timeout, the message only logged. */
int cty_db_open(const char *conninfo, struct sc_log *log, struct cty_db **out);
void cty_db_close(struct cty_db *db); /* accepts NULL */
/* The last failure on this handle in one line ("" if none). */
const char *cty_db_message(const struct cty_db *db);

/* ---- county init ------------------------------------------------------------- */

struct cty_init_result {
    int from_version, to_version; /* 0: there was no schema */
    int partitions_created;       /* monthly partitions of events made now */
};
/* Creates or migrates the schema (idempotent; concurrent runs serialise on
 * an advisory lock) and makes the monthly partitions of events from 24
 * months back to 24 months ahead. Run as the database's owner (a role that
 * may also create roles). CTY_ESCHEMA if the schema is newer. */
int cty_init(struct cty_db *db, struct cty_init_result *result);

/* ---- add-station ------------------------------------------------------------- */

struct cty_station_new {
    const char *station_id;     /* the record's station_id setting */
    const char *public_key_hex; /* station.pub: 64 hex digits */
    const char *name, *township;
    const char *type;     /* "village" or "township" */
    const char *password; /* NULL: one is generated */
};
struct cty_station_added {
    char station_id[64];
    char role[64];
    char password[64];
    char conninfo[1024]; /* host/port/dbname of this connection, the role and password */
};
/* Registers the station and creates its login role (station_<first 8 hex of
 * its id>, longer if taken), a member of CTY_STATION_GROUP, with the password
 * sent as a SCRAM verifier. One transaction: all or nothing. CTY_EEXIST if
 * the station id or the key is registered already. */
int cty_add_station(struct cty_db *db, const struct cty_station_new *station,
                    struct cty_station_added *out);

/* ---- sync (the station side) ----------------------------------------------- */

struct cty_station_status {
    const char *playing;
    const char *next;
}; /* optional extras the kiosk knows */
struct cty_sync_options {
    const char *conninfo; /* libpq conninfo or URI */
    const char *data_dir; /* the station's data dir (rec_options.data_dir) */
    struct sc_log *log;
    int batch_events;                        /* 0: default (2000); at most 5000 */
    const struct cty_station_status *status; /* NULL: none */
    int connect_timeout_s;                   /* 0: default 10 */
};
struct cty_sync_result {
    int64_t uploaded, pending, last_seq;
    char message[256];
};
/* Uploads the events the county has not acknowledged, in signed batches, and
 * updates the station's status row. 0 when everything is acknowledged, else a
 * negative code with result->message one line for people. Blocking; safe to
 * call from a worker thread with its own record handle. Refuses before
 * sending anything (CTY_EMISMATCH) when the credentials belong to another
 * station than the data dir's, or the county holds another key for it, or
 * the record is an older copy of (or has diverged from) what the county
 * holds: its new events would reuse seqs the county has.
 * last_seq: the highest seq the county holds of this station; pending: the
 * record's events the county does not hold yet. The record is only read. */
int cty_sync(const struct cty_sync_options *options, struct cty_sync_result *result);

/* ---- import (a USB export) ------------------------------------------------- */

typedef void (*cty_problem_fn)(void *ctx, const char *message);

struct cty_import_result {
    char station_id[64];
    int64_t first_seq, last_seq; /* the export's chain */
    int64_t stored;              /* events stored now */
    int64_t already;             /* events the county held already (sync or an earlier import) */
};
/* Verifies the export folder `dir` against the key registered for the
 * station it names (every problem passed to `problem`: CTY_EVERIFY), then
 * stores the events the county does not hold, as batches with source 'usb'
 * whose signature is manifest.sig's and whose evidence is manifest.json's
 * bytes. Run as the county (owner). */
int cty_import(struct cty_db *db, const char *dir, cty_problem_fn problem, void *ctx,
               struct cty_import_result *result);

/* The station an export folder names (its manifest's station_id and
 * public_key), after verifying the export with the key it carries (each
 * problem passed to `problem`: CTY_EVERIFY). For add-station. */
int cty_export_station(const char *dir, cty_problem_fn problem, void *ctx, char station_id[64],
                       char public_key_hex[65]);

/* ---- verify ------------------------------------------------------------------ */

/* One station's problems (signatures, chain, seq gaps) found by verify. */
struct cty_station_check {
    char station_id[64];
    bool ok;
    char **problems; /* one line each, malloc'd */
    size_t n_problems;
};
/* Checks one station's rows: every batch's signature against the registered
 * key (for 'usb' batches the manifest's, and events.tsv's SHA-256 recomputed
 * from the rows of the export's range), each event's hash recomputed with
 * the record's canonical encoding and linked to the one before, seqs from 1
 * without gaps, and every event inside a batch. 0 with out->ok telling, or a
 * negative code when the check could not run (-ENOENT: no such station).
 * Free with cty_station_check_free. */
int cty_verify_station(struct cty_db *db, const char *station_id, struct cty_station_check *out);
void cty_station_check_free(struct cty_station_check *check);
/* Every registered station, ordered by station id. */
int cty_verify_all(struct cty_db *db, struct cty_station_check **checks, size_t *count);
void cty_station_checks_free(struct cty_station_check *checks, size_t count);

/* ---- the canonical bytes a batch's signature covers -------------------------- */

/* "studycast-batch-v1\n", then the station id, first seq, last seq, the hash
 * before the batch and the last hash (hex), each followed by "\n", then the
 * batch's events as events.tsv lines (rec_chain_event_tsv). */
#define CTY_BATCH_MAGIC "studycast-batch-v1\n"

/* UTC month (first day, "YYYY-MM-01") of an event's utc_ns, as the schema's
 * studycast.utc_month() computes it. */
void cty_utc_month(int64_t utc_ns, char out[11]);

/* ---- report, stations, province (the inspector's side) ---------------------- */

/* How long a station may stay unheard before it counts as silent. */
#define CTY_SILENT_DAYS      7
#define CTY_SILENT_DAYS_TEXT "7"
/* The publications county init makes and a province subscribes to: the
 * stations and their status (every change), and batches and events
 * (inserts only: they are append-only). */
#define CTY_PUBLICATION        "studycast_county"
#define CTY_PUBLICATION_EVENTS "studycast_county_events"

/* Progress of a refresh: station `done` of `total` is being derived. */
typedef void (*cty_progress_fn)(void *ctx, int done, int total);
struct cty_refresh_result {
    int stations;   /* derived now */
    double seconds; /* the whole refresh */
};
/* Derives again every station whose events changed since it was last derived
 * (its batches' highest last_seq moved; never derived): cty_verify_station,
 * then its rows built into a record in memory (rec_open_events) and every
 * local month from its first to its last event derived with the record's own
 * code, kept in studycast.derived_state and derived_months. Warm caches cost
 * one small query. Run as the county (owner). */
int cty_refresh(struct cty_db *db, cty_progress_fn progress, void *ctx,
                struct cty_refresh_result *result);
/* Derives one station now (the refresh's step); registered_type counts its
 * months while it has sent nothing. */
int cty_derive_station(struct cty_db *db, const char *station_id, const char *registered_type,
                       int64_t through_seq, const char *last_received);
/* Keeps what `county verify` found for the report: a station that failed is
 * unverified from now on; one sound again is derived anew by the next report. */
int cty_cache_note_check(struct cty_db *db, const struct cty_station_check *check);

struct cty_report_row {
    char station_id[64], name[128], township[128], type[16];
    int sessions;           /* sessions that started in the period (the station's report's) */
    int sessions_held;      /* of them, closed and played at least 120 minutes */
    int sessions_required;  /* summed over the months */
    bool met;               /* every month met */
    bool silent;            /* no event in the whole period */
    bool verified;          /* cty_verify_station and the record's chain walk found nothing */
    int members;            /* the roster */
    int64_t member_seconds; /* the roster's credited time in the period */
    int64_t last_seen;      /* UTC seconds of the last sync or import; 0: never */
    char problem[256];      /* the first problem when not verified */
};
struct cty_report {
    char period[16];
    struct cty_report_row *rows; /* by township, name, station id */
    size_t n;
    int met, not_met, silent, unverified; /* unverified counts neither met nor not met */
};
/* The period (kind 'm' YYYY-MM, 'q' YYYY-Qn, 'h' YYYY-Hn) from the caches;
 * township NULL: all. Call cty_refresh first. -EINVAL for a bad period (the
 * handle's message says it). */
int cty_report(struct cty_db *db, char kind, const char *period, const char *township,
               struct cty_report *out);
/* Only parses the period (label: 2026-Q4): -EINVAL for a bad one, the
 * handle's message saying it. */
int cty_report_period(struct cty_db *db, char kind, const char *period, char label[16]);
void cty_report_free(struct cty_report *report);
int cty_report_json(const struct cty_report *report, struct sc_buf *out);
int cty_report_csv(const struct cty_report *report, struct sc_buf *out);
/* The inspection sheet (A4, Chinese); -ENOENT without a Chinese font. */
int cty_report_pdf(const struct cty_report *report, struct sc_log *log, struct sc_buf *out);

struct cty_fleet_row {
    char station_id[64], name[128], township[128], type[16];
    int64_t last_seen; /* UTC seconds; 0: never */
    bool silent;       /* unheard for CTY_SILENT_DAYS or never */
    char version[32];
    int64_t pending, last_seq, free_disk_bytes; /* -1: unknown */
    int record_check; /* the station's last `record check`: 1 ok, 0 failed, -1 unknown */
    char record_check_message[256];
    int verified; /* the last derivation's or verify's: 1, 0, -1 not yet derived */
    char problem[256];
    char playing[128], next[128];
};
int cty_fleet(struct cty_db *db, struct cty_fleet_row **rows, size_t *count);
int cty_fleet_json(const struct cty_fleet_row *rows, size_t count, struct sc_buf *out);

struct cty_subscribe_result {
    int tables; /* in the subscription */
    bool ready; /* every table copied and streaming within the wait */
};
/* On the province's database (county init first; a superuser, as PostgreSQL
 * 15 wants for CREATE SUBSCRIPTION): subscribes to the county's publication
 * under `name` and waits up to wait_seconds for the first copy. The county's
 * conninfo must name a role allowed to replicate. */
int cty_subscribe(struct cty_db *db, const char *name, const char *county_conninfo,
                  int wait_seconds, struct cty_subscribe_result *result);

#endif
