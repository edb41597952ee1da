/* A record built in memory from a station's events stored elsewhere (the
 * county's rows): the same schema, the rows inserted verbatim, the chain
 * walked as `record check` walks it. Every derivation then runs the code the
 * station runs, so the county's figures are the station's by construction. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A row the record's schema refuses (a wrong clock source, a payload that is
 * not JSON, a repeated seq) is not what the station recorded. */
static int refuse_row(struct rec *rec, const struct rec_chain_event *e)
{
    struct rec_chain_fault *f = &rec->fault;
    f->seq = e->seq;
    snprintf(f->type, sizeof(f->type), "%s", e->type ? e->type : "?");
    snprintf(f->message, sizeof(f->message),
             "the study record has been altered: event %" PRId64 " (%s) is not a valid event: %s",
             e->seq, f->type, sqlite3_errmsg(rec->db));
    SC_ERR(rec->log, "event chain: %s", f->message);
    return REC_ECHAIN;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int insert_rows(struct rec *rec, const struct rec_chain_event *events, size_t n)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "INSERT INTO events (seq, type, utc_ns, clock_source, mono_ns, "
                                "boot_id, session, payload, prev_hash, hash) "
                                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "building the record from events");
    int result = 0;
    for (size_t i = 0; i < n && result == 0; i++) {
        const struct rec_chain_event *e = &events[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, e->seq);
        bind_text_or_null(st, 2, e->type);
        sqlite3_bind_int64(st, 3, e->utc_ns);
        bind_text_or_null(st, 4, e->clock_source);
        sqlite3_bind_int64(st, 5, e->mono_ns);
        bind_text_or_null(st, 6, e->boot_id);
        /* NULL is "no session"; "" is kept as it came, for the walk to name */
        bind_text_or_null(st, 7, e->session);
        bind_text_or_null(st, 8, e->payload);
        sqlite3_bind_blob(st, 9, e->prev_hash, REC_HASH_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(st, 10, e->hash, REC_HASH_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
            result = refuse_row(rec, e);
        else if (rc != SQLITE_DONE)
            result = rec_map_sqlite(rec, rc, "building the record from events");
    }
    sqlite3_finalize(st);
    return result;
}

static int exec_sql(struct rec *rec, const char *sql, const char *what)
{
    int rc = sqlite3_exec(rec->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : rec_map_sqlite(rec, rc, what);
}

/* The station's key as its first event names it (there is no key file). */
static void key_from_events(struct rec *rec)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rec->db,
                           "SELECT json_extract(payload, '$.public_key') FROM events "
                           "WHERE type = 'station_created' ORDER BY seq LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        rec_unhex((const char *)sqlite3_column_text(st, 0), rec->public_key,
                  sizeof(rec->public_key));
    sqlite3_finalize(st);
}

int rec_open_events(const struct rec_chain_event *events, size_t n, struct sc_log *log,
                    struct rec **out)
{
    *out = NULL;
    if (sodium_init() < 0) return -ENOMEM;
    struct rec *rec = calloc(1, sizeof(*rec));
    if (!rec) return -ENOMEM;
    rec->log = log;
    rec->lock_fd = -1;
    rec->read_only = rec->from_events = true;
    rec->heartbeat_ms = REC_HEARTBEAT_DEFAULT_MS;
    rec->data_dir = strdup("(events)");
    int rc = rec->data_dir ? 0 : -ENOMEM;
    if (rc == 0) {
        int src =
            sqlite3_open_v2(":memory:", &rec->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (src != SQLITE_OK) rc = rec_map_sqlite(rec, src, "opening a record in memory");
    }
    if (rc == 0) rc = rec_migrate(rec);
    if (rc == 0) rc = exec_sql(rec, "BEGIN", "building the record from events");
    int rows = rc == 0 ? insert_rows(rec, events, n) : 0;
    /* a refused row ends the copy there: the rows before it stay, for figures
     * that are reported as unverified */
    if (rc == 0) rc = exec_sql(rec, "COMMIT", "building the record from events");
    if (rc == 0 && rows != 0 && rows != REC_ECHAIN) rc = rows;
    /* from here on nothing can be recorded: every write is refused */
    if (rc == 0) rc = exec_sql(rec, "PRAGMA query_only = 1", "building the record from events");
    if (rc == 0) rc = rec_prepare_statements(rec);
    if (rc == 0) {
        key_from_events(rec);
        int loaded = rec_load_station(rec);
        if (loaded < 0) rc = loaded;
    }
    if (rc != 0) {
        rec_close(rec);
        return rc;
    }
    int chain = rows == REC_ECHAIN ? REC_ECHAIN : rec_chain_check_db(rec);
    if (chain != 0 && chain != REC_ECHAIN) {
        rec_close(rec);
        return chain;
    }
    *out = rec;
    return chain;
}
