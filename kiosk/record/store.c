/* The store: opening the data directory and database, schema migrations,
 * the durable append of one chained event, and crash recovery. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

/* Schema migrations: entry i brings user_version from i to i + 1. Append
 * new entries; never edit a released one. */
static const char *const migrations[] = {
    /* 1: the event log, append-only enforced by the database itself */
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  utc_ns INTEGER NOT NULL,"
    "  clock_source TEXT NOT NULL CHECK (clock_source IN ('system','ntp','broadcast')),"
    "  mono_ns INTEGER NOT NULL,"
    "  boot_id TEXT NOT NULL,"
    "  session TEXT,"
    "  payload TEXT NOT NULL CHECK (json_valid(payload)),"
    "  prev_hash BLOB NOT NULL,"
    "  hash BLOB NOT NULL);"
    "CREATE INDEX events_session ON events(session, seq) WHERE session IS NOT NULL;"
    "CREATE INDEX events_type ON events(type, seq);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
    /* 2: each field in the storage class the chain check demands (the hash
     * covers text; SQL compares typed values). A trigger rather than CHECK
     * constraints: SQLite adds those only by copying the table, which an
     * already altered row would stop; rec_check_chain catches such rows. */
    "CREATE TRIGGER events_typed BEFORE INSERT ON events WHEN"
    "  typeof(NEW.seq) <> 'integer' OR typeof(NEW.utc_ns) <> 'integer'"
    "  OR typeof(NEW.mono_ns) <> 'integer'"
    "  OR typeof(NEW.type) <> 'text' OR instr(NEW.type, char(0)) > 0"
    "  OR typeof(NEW.clock_source) <> 'text' OR instr(NEW.clock_source, char(0)) > 0"
    "  OR typeof(NEW.boot_id) <> 'text' OR instr(NEW.boot_id, char(0)) > 0"
    "  OR typeof(NEW.payload) <> 'text' OR instr(NEW.payload, char(0)) > 0"
    "  OR (NEW.session IS NOT NULL AND (typeof(NEW.session) <> 'text' OR NEW.session = ''"
    "      OR instr(NEW.session, char(0)) > 0))"
    "  OR typeof(NEW.prev_hash) <> 'blob' OR length(NEW.prev_hash) <> 32"
    "  OR typeof(NEW.hash) <> 'blob' OR length(NEW.hash) <> 32"
    "  BEGIN SELECT RAISE(ABORT, 'an event field has the wrong type or a NUL byte'); END;",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_LAST_EVENT] = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
    [ST_INSERT_EVENT] = "INSERT INTO events (seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                        "session, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
    [ST_SETTING_GET] = "SELECT json_extract(payload, '$.value') FROM events WHERE type = "
                       "'settings_changed' AND json_extract(payload, '$.key') = ? "
                       "ORDER BY seq DESC LIMIT 1",
    [ST_MEMBER_LATEST] = "SELECT type FROM events WHERE type IN ('member_added', "
                         "'member_updated', 'member_removed') AND "
                         "json_extract(payload, '$.number') = ? ORDER BY seq DESC LIMIT 1",
    /* opened or resumed, and not closed since */
    [ST_OPEN_SESSIONS] = "SELECT o.session FROM events o WHERE o.type IN ('session_opened', "
                         "'session_resumed') AND NOT EXISTS (SELECT 1 FROM events c WHERE "
                         "c.session = o.session AND c.type = 'session_closed' AND c.seq > o.seq) "
                         "GROUP BY o.session ORDER BY MIN(o.seq)",
    [ST_SESSION_LAST_EVENT] = "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id FROM "
                              "events WHERE session = ? ORDER BY seq DESC LIMIT 1",
    [ST_JSON_VALID] = "SELECT json_valid(?)",
};

const char *rec_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case REC_ECORRUPT:
        return "the record database is damaged";
    case REC_ECHAIN:
        return "the record's event chain is broken (an event was altered or removed)";
    case REC_ESCHEMA:
        return "the record was written by a newer studycast";
    case REC_ESTATE:
        return "not possible in the session's current state";
    case REC_EROSTER:
        return "the roster file has bad rows; nothing was imported";
    case REC_ETAMPER:
        return "the export failed verification";
    case REC_EREMOVES:
        return "the roster would remove members; nothing was imported";
    case -ENOSPC:
        return "the disk is full";
    case -EROFS:
        return "the file system is read-only";
    case -EEXIST:
        return "the folder already holds other files (use a new or empty folder)";
    default:
        return code < 0 && code > -4000 ? strerror(-code) : "unknown error";
    }
}

const char *rec_clock_source_name(enum rec_clock_source source)
{
    switch (source) {
    case REC_CLOCK_NTP:
        return "ntp";
    case REC_CLOCK_BROADCAST:
        return "broadcast";
    default:
        return "system";
    }
}

int rec_map_sqlite(struct rec *rec, int rc, const char *what)
{
    return rec_map_sqlite_db(rec, rec->db, rc, what);
}

int rec_map_sqlite_db(struct rec *rec, sqlite3 *db, int rc, const char *what)
{
    /* the OS error behind an I/O failure (SQLite keeps it; errno may have
     * been overwritten since) */
    int sys = db ? sqlite3_system_errno(db) : 0;
    if (sys == 0) sys = errno;
    int code;
    switch (rc & 0xff) {
    case SQLITE_FULL:
        code = -ENOSPC;
        break;
    case SQLITE_READONLY:
        code = -EROFS;
        break;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        code = -EACCES;
        break;
    case SQLITE_CANTOPEN:
        code = sys == EACCES || sys == EROFS || sys == ENOENT ? -sys : -EACCES;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = -EBUSY;
        break;
    case SQLITE_NOMEM:
        code = -ENOMEM;
        break;
    case SQLITE_CONSTRAINT:
        code = -EINVAL;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        code = REC_ECORRUPT;
        break;
    case SQLITE_IOERR:
        code = -EIO;
        /* SQLite reports a full disk during a WAL write as an I/O error */
        if (sys == ENOSPC || sys == EDQUOT || sys == EFBIG)
            code = -ENOSPC;
        else if (sys == EROFS)
            code = -EROFS;
        else if (sys == EACCES || sys == EPERM)
            code = -EACCES;
        break;
    default:
        code = -EIO;
    }
    SC_ERR(rec->log, "study record: %s failed: %s (%s, %s)", what, rec_strerror(code),
           sqlite3_errstr(rc), db ? sqlite3_errmsg(db) : "no database");
    return code;
}

sqlite3_stmt *rec_stmt(struct rec *rec, enum rec_stmt which)
{
    sqlite3_stmt *st = rec->stmt[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static bool ntp_synchronised(void)
{
    struct timex tx = {0};
    int state = adjtimex(&tx);
    return state != TIME_ERROR && state >= 0 && !(tx.status & STA_UNSYNC);
}

int rec_now(struct rec *rec, struct rec_clock_reading *now)
{
    if (rec->clock) return rec->clock(rec->clock_ctx, now);
    now->mono_ns = sc_mono_ns();
    if (rec->source == REC_CLOCK_BROADCAST) {
        now->utc_ns = now->mono_ns + rec->utc_minus_mono_ns;
        now->source = REC_CLOCK_BROADCAST;
    } else {
        now->utc_ns = sc_utc_ns();
        now->source = ntp_synchronised() ? REC_CLOCK_NTP : REC_CLOCK_SYSTEM;
    }
    return 0;
}

void rec_set_clock(struct rec *rec, enum rec_clock_source source, int64_t utc_minus_mono_ns)
{
    rec->source = source;
    rec->utc_minus_mono_ns = utc_minus_mono_ns;
}

static int step_done(struct rec *rec, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : rec_map_sqlite_db(rec, sqlite3_db_handle(st), rc, what);
}

int rec_step_done(struct rec *rec, sqlite3_stmt *st, const char *what)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return step_done(rec, st, what);
}

int rec_tx_begin(struct rec *rec)
{
    rec_writer_drain(rec); /* what is queued comes first, and the writer is idle */
    return step_done(rec, rec_stmt(rec, ST_BEGIN), "starting a transaction");
}

int rec_tx_commit(struct rec *rec)
{
    int rc = step_done(rec, rec_stmt(rec, ST_COMMIT), "committing");
    if (rc != 0) {
        rec_tx_rollback(rec);
        return rc;
    }
    /* events this connection added are durable too (rec_last_recorded_seq) */
    sqlite3_stmt *st = rec_stmt(rec, ST_LAST_EVENT);
    if (sqlite3_step(st) == SQLITE_ROW) rec_writer_saw_seq(rec, sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    return 0;
}

void rec_tx_rollback(struct rec *rec)
{
    if (!sqlite3_get_autocommit(rec->db))
        step_done(rec, rec_stmt(rec, ST_ROLLBACK), "rolling back");
}

int rec_append_in_tx(struct rec *rec, const char *type, const char *session, const char *payload,
                     const struct rec_clock_reading *at, const char *boot_id, int64_t *seq_out)
{
    struct rec_clock_reading now;
    if (!at) {
        rec_now(rec, &now);
        at = &now;
    }
    struct rec_conn conn = {.last_event = rec_stmt(rec, ST_LAST_EVENT),
                            .insert_event = rec_stmt(rec, ST_INSERT_EVENT)};
    return rec_chain_insert(rec, &conn, type, session, payload, at, boot_id, seq_out);
}

int rec_chain_insert(struct rec *rec, const struct rec_conn *conn, const char *type,
                     const char *session, const char *payload, const struct rec_clock_reading *at,
                     const char *boot_id, int64_t *seq_out)
{
    struct rec_event e = {
        .seq = 1,
        .type = type,
        .utc_ns = at->utc_ns,
        .clock_source = rec_clock_source_name(at->source),
        .mono_ns = at->mono_ns,
        .boot_id = boot_id ? boot_id : rec->boot_id,
        .session = session ? session : "",
        .payload = payload ? payload : "{}",
    };
    sqlite3_stmt *st = conn->last_event;
    sqlite3_reset(st);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        e.seq = sqlite3_column_int64(st, 0) + 1;
        if (sqlite3_column_bytes(st, 1) != REC_HASH_BYTES) {
            sqlite3_reset(st);
            SC_ERR(rec->log, "study record: last event has no valid hash");
            return REC_ECHAIN;
        }
        memcpy(e.prev_hash, sqlite3_column_blob(st, 1), REC_HASH_BYTES);
    } else if (rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return rec_map_sqlite_db(rec, sqlite3_db_handle(st), rc, "reading the last event");
    }
    sqlite3_reset(st);
    rec_event_hash(&e, e.hash);

    st = conn->insert_event;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, e.seq);
    sqlite3_bind_text(st, 2, e.type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e.utc_ns);
    sqlite3_bind_text(st, 4, e.clock_source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, e.mono_ns);
    sqlite3_bind_text(st, 6, e.boot_id, -1, SQLITE_STATIC);
    if (session)
        sqlite3_bind_text(st, 7, session, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_text(st, 8, e.payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, e.prev_hash, REC_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, e.hash, REC_HASH_BYTES, SQLITE_STATIC);
    rc = step_done(rec, st, "recording an event");
    if (rc == 0 && seq_out) *seq_out = e.seq;
    return rc;
}

int64_t rec_last_seq(struct rec *rec)
{
    rec_writer_drain(rec); /* the events queued so far count */
    sqlite3_stmt *st = rec_stmt(rec, ST_LAST_EVENT);
    int64_t seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return seq;
}

static int close_orphan(struct rec *rec, const char *session, int64_t *closed_at, char *closed_type,
                        size_t type_size)
{
    sqlite3_stmt *st = rec_stmt(rec, ST_SESSION_LAST_EVENT);
    sqlite3_bind_text(st, 1, session, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rec_map_sqlite(rec, rc, "finding an interrupted session's last event");
    }
    int64_t last_seq = sqlite3_column_int64(st, 0);
    char last_type[48], clock[16], boot[40];
    snprintf(last_type, sizeof(last_type), "%s", (const char *)sqlite3_column_text(st, 1));
    struct rec_clock_reading at = {.utc_ns = sqlite3_column_int64(st, 2),
                                   .mono_ns = sqlite3_column_int64(st, 4)};
    snprintf(clock, sizeof(clock), "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(boot, sizeof(boot), "%s", (const char *)sqlite3_column_text(st, 5));
    sqlite3_reset(st);
    at.source = strcmp(clock, "ntp") == 0         ? REC_CLOCK_NTP
                : strcmp(clock, "broadcast") == 0 ? REC_CLOCK_BROADCAST
                                                  : REC_CLOCK_SYSTEM;

    struct rec_clock_reading now;
    rec_now(rec, &now);
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "status", "interrupted");
    sc_json_kv_int(&json, "closed_at_seq", last_seq);
    sc_json_kv_string(&json, "closed_at_type", last_type);
    sc_json_kv_int(&json, "recovered_utc_ns", now.utc_ns);
    sc_json_kv_string(&json, "recovered_boot_id", rec->boot_id);
    sc_json_object_end(&json);
    if (payload.failed) {
        sc_buf_free(&payload);
        return -ENOMEM;
    }
    /* The close carries the time of the last durable event: nothing after it
     * is known to have happened. */
    rc = rec_append_in_tx(rec, "session_closed", session, payload.data, &at, boot, NULL);
    sc_buf_free(&payload);
    *closed_at = last_seq;
    snprintf(closed_type, type_size, "%s", last_type);
    return rc;
}

int rec_recover(struct rec *rec)
{
    int rc = rec_tx_begin(rec);
    if (rc != 0) return rc;
    char sessions[8][REC_UUID_STR_LEN];
    int n = 0;
    sqlite3_stmt *st = rec_stmt(rec, ST_OPEN_SESSIONS);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 8)
        snprintf(sessions[n++], REC_UUID_STR_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    rc = 0;
    int64_t closed_at[8];
    char closed_type[8][48];
    for (int i = 0; i < n && rc == 0; i++)
        rc = close_orphan(rec, sessions[i], &closed_at[i], closed_type[i], sizeof(closed_type[i]));
    if (rc != 0) {
        rec_tx_rollback(rec);
        return rc;
    }
    rc = rec_tx_commit(rec);
    for (int i = 0; i < n && rc == 0; i++)
        SC_WARN(rec->log,
                "study record: session %s was interrupted (crash or power cut); closed at its "
                "last durable event #%" PRId64 " (%s)",
                sessions[i], closed_at[i], closed_type[i]);
    if (rc == 0 && n == 8) return rec_recover(rec); /* more than a batch were open */
    return rc;
}

int rec_fsync_dir(const char *path_in_dir)
{
    char *copy = strdup(path_in_dir);
    if (!copy) return -ENOMEM;
    char *slash = strrchr(copy, '/');
    if (slash) *slash = '\0';
    int fd = open(slash ? (copy[0] ? copy : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd < 0 ? -errno : 0;
    if (fd >= 0 && fsync(fd) != 0) rc = -errno;
    if (fd >= 0) close(fd);
    free(copy);
    return rc;
}

static int make_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return -ENOMEM;
    int rc = 0;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0750) != 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        *p = saved;
        if (saved == '\0') break;
    }
    free(copy);
    return rc;
}

static int read_boot_id(struct rec *rec, const char *override)
{
    if (override) {
        snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", override);
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = sc_read_file("/proc/sys/kernel/random/boot_id", 64, &text, &len);
    if (rc != 0) {
        SC_ERR(rec->log, "study record: cannot read the boot id: %s", strerror(-rc));
        return rc;
    }
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", text);
    free(text);
    return 0;
}

static int exec_sql(struct rec *rec, const char *sql, const char *what)
{
    char *err = NULL;
    int rc = sqlite3_exec(rec->db, sql, NULL, NULL, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK ? 0 : rec_map_sqlite(rec, rc, what);
}

int rec_schema_latest(void)
{
    return SCHEMA_VERSION;
}

int rec_schema_version(struct rec *rec, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (*version < 0) return rec_map_sqlite(rec, rc, "reading the schema version");
    if (*version > SCHEMA_VERSION) {
        SC_ERR(rec->log, "study record: schema version %d is newer than this studycast's (%d)",
               *version, SCHEMA_VERSION);
        return REC_ESCHEMA;
    }
    return 0;
}

int rec_migrate(struct rec *rec)
{
    int version, rc = rec_schema_version(rec, &version);
    if (rc != 0) return rc;
    for (; version < SCHEMA_VERSION; version++) {
        char set_version[48];
        snprintf(set_version, sizeof(set_version), "PRAGMA user_version = %d", version + 1);
        rc = exec_sql(rec, "BEGIN IMMEDIATE", "starting a migration");
        if (rc == 0) rc = exec_sql(rec, migrations[version], "migrating the schema");
        if (rc == 0) rc = exec_sql(rec, set_version, "migrating the schema");
        if (rc == 0) rc = exec_sql(rec, "COMMIT", "committing a migration");
        if (rc != 0) {
            exec_sql(rec, "ROLLBACK", "rolling back a migration");
            return rc;
        }
        SC_INFO(rec->log, "study record: schema migrated to version %d", version + 1);
    }
    return 0;
}

static int open_database(struct rec *rec, bool no_sync)
{
    size_t n = strlen(rec->data_dir) + sizeof(REC_DB_NAME) + 2;
    char *path = malloc(n);
    if (!path) return -ENOMEM;
    snprintf(path, n, "%s/%s", rec->data_dir, REC_DB_NAME);
    sc_create_file(path, 0640); /* not SQLite's 0644; its -wal and -shm follow */
    errno = 0;
    int rc = sqlite3_open_v2(
        path, &rec->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    free(path);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "opening the database");
    sqlite3_extended_result_codes(rec->db, 1);
    sqlite3_busy_timeout(rec->db, 5000);
    if (sqlite3_db_readonly(rec->db, "main") == 1) {
        SC_ERR(rec->log, "study record: %s/%s is read-only", rec->data_dir, REC_DB_NAME);
        return -EROFS;
    }
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(rec->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    bool wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (!wal)
        return rec_map_sqlite(rec, rc == SQLITE_ROW ? SQLITE_CANTOPEN : rc,
                              "switching to WAL mode");
    rc = exec_sql(rec, no_sync ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL",
                  "setting durability");
    if (rc == 0) rc = rec_migrate(rec);
    return rc == 0 ? rec_prepare_statements(rec) : rc;
}

int rec_prepare_statements(struct rec *rec)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < ST_COUNT; i++) {
        int prc = sqlite3_prepare_v3(rec->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                     &rec->stmt[i], NULL);
        if (prc != SQLITE_OK) rc = rec_map_sqlite(rec, prc, "preparing statements");
    }
    return rc;
}

static int open_lock(struct rec *rec)
{
    size_t n = strlen(rec->data_dir) + sizeof(REC_LOCK_NAME) + 2;
    char *path = malloc(n);
    if (!path) return -ENOMEM;
    snprintf(path, n, "%s/%s", rec->data_dir, REC_LOCK_NAME);
    rec->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    int rc = rec->lock_fd < 0 ? -errno : 0;
    if (rc != 0) SC_ERR(rec->log, "study record: cannot open %s: %s", path, strerror(-rc));
    free(path);
    return rc;
}

/* Closes interrupted sessions unless a live process holds the session lock
 * (then its open session is not interrupted). */
static int recover_if_orphaned(struct rec *rec)
{
    if (flock(rec->lock_fd, LOCK_EX | LOCK_NB) != 0) return errno == EWOULDBLOCK ? 0 : -errno;
    int rc = rec_recover(rec);
    flock(rec->lock_fd, LOCK_UN);
    return rc;
}

static int first_start(struct rec *rec)
{
    char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    rec_uuid_v4(rec->station_id);
    rec_hex(rec->public_key, sizeof(rec->public_key), pk_hex);
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "station_id", rec->station_id);
    sc_json_kv_string(&json, "public_key", pk_hex);
    sc_json_kv_int(&json, "schema", SCHEMA_VERSION);
    sc_json_object_end(&json);
    int rc = payload.failed ? -ENOMEM : rec_tx_begin(rec);
    if (rc == 0)
        rc = rec_append_in_tx(rec, "station_created", NULL, payload.data, NULL, NULL, NULL);
    sc_buf_free(&payload);
    static const char *const defaults[][2] = {
        {"station_type", "village"}, {"station_name", ""}, {"utc_offset", "+08:00"}};
    for (size_t i = 0; rc == 0 && i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        sc_json_init(&json, &payload, false);
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "key", defaults[i][0]);
        sc_json_kv_string(&json, "value", defaults[i][1]);
        sc_json_object_end(&json);
        rc = payload.failed
                 ? -ENOMEM
                 : rec_append_in_tx(rec, "settings_changed", NULL, payload.data, NULL, NULL, NULL);
        sc_buf_free(&payload);
    }
    if (rc == 0)
        rc = rec_tx_commit(rec);
    else
        rec_tx_rollback(rec);
    if (rc == 0) SC_INFO(rec->log, "study record: new station %s", rec->station_id);
    return rc;
}

int rec_load_station(struct rec *rec)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT json_extract(payload, '$.station_id'), "
                                "json_extract(payload, '$.public_key') FROM events "
                                "WHERE type = 'station_created' ORDER BY seq LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "reading the station id");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(rec->station_id, sizeof(rec->station_id), "%s",
                 (const char *)sqlite3_column_text(st, 0));
        char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
        rec_hex(rec->public_key, sizeof(rec->public_key), pk_hex);
        const char *recorded = (const char *)sqlite3_column_text(st, 1);
        if (!recorded || strcmp(recorded, pk_hex) != 0)
            SC_WARN(rec->log,
                    "study record: the station key in %s is not the one recorded at "
                    "first start; exports will not verify against the old key",
                    rec->data_dir);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 1; /* a new record */
    } else {
        rc = rec_map_sqlite(rec, rc, "reading the station id");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Reading only: nothing in the data dir is created or changed (no lock
 * file, no migration, no recovery, no key files), so this works on a
 * read-only or full disk; store_readonly.c explains how the database opens. */
static int open_read_only(struct rec *rec, const char *boot_id)
{
    int rc = read_boot_id(rec, boot_id);
    if (rc == 0) rc = rec_open_database_ro(rec);
    if (rc == 0) rc = rec_keys_load(rec);
    if (rc == 0) rc = rec_load_station(rec);
    if (rc == 1) {
        SC_ERR(rec->log, "study record: %s holds no record yet", rec->data_dir);
        rc = -ENOENT;
    }
    return rc;
}

int rec_open(const struct rec_options *options, struct sc_log *log, struct rec **out)
{
    *out = NULL;
    if (sodium_init() < 0) return -ENOMEM;
    struct rec *rec = calloc(1, sizeof(*rec));
    if (!rec) return -ENOMEM;
    rec->log = log;
    rec->lock_fd = -1;
    rec->data_dir = strdup(options && options->data_dir ? options->data_dir : REC_DEFAULT_DATA_DIR);
    int hb =
        options && options->heartbeat_ms > 0 ? options->heartbeat_ms : REC_HEARTBEAT_DEFAULT_MS;
    rec->heartbeat_ms = hb > REC_HEARTBEAT_MAX_MS ? REC_HEARTBEAT_MAX_MS : hb;
    rec->clock = options ? options->clock : NULL;
    rec->clock_ctx = options ? options->clock_ctx : NULL;
    int rc = rec->data_dir ? 0 : -ENOMEM;
    if (rc == 0 && options && options->read_only) {
        rec->read_only = true;
        rc = open_read_only(rec, options->boot_id);
        if (rc != 0) goto fail;
        *out = rec;
        return 0;
    }
    if (rc == 0 && (rc = make_dirs(rec->data_dir)) != 0)
        SC_ERR(log, "study record: cannot create the data directory %s: %s", rec->data_dir,
               strerror(-rc));
    if (rc == 0) rc = read_boot_id(rec, options ? options->boot_id : NULL);
    if (rc == 0) rc = open_lock(rec);
    if (rc == 0) rc = open_database(rec, options && options->no_sync);
    bool created = false;
    if (rc == 0) rc = rec_keys_load_or_create(rec, &created);
    if (rc == 0) rc = rec_load_station(rec);
    bool new_station = rc == 1;
    if (new_station) rc = first_start(rec);
    if (rc == 0 && (created || new_station)) {
        /* the new database and key files' names must survive a power cut */
        size_t n = strlen(rec->data_dir) + sizeof(REC_DB_NAME) + 2;
        char *db = malloc(n);
        rc = db ? 0 : -ENOMEM;
        if (db) {
            snprintf(db, n, "%s/%s", rec->data_dir, REC_DB_NAME);
            rc = rec_fsync_dir(db);
            free(db);
        }
    }
    if (rc == 0) rc = recover_if_orphaned(rec);
    if (rc == 0) rc = rec_writer_start(rec, options && options->no_sync);
    if (rc != 0) goto fail;
    *out = rec;
    return 0;
fail:
    rec_close(rec);
    return rc;
}

void rec_close(struct rec *rec)
{
    if (!rec) return;
    rec_writer_stop(rec); /* everything queued is committed first */
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(rec->stmt[i]);
    if (rec->db) sqlite3_close_v2(rec->db);
    if (rec->lock_fd >= 0) close(rec->lock_fd);
    sodium_memzero(rec->secret_key, sizeof(rec->secret_key));
    free(rec->data_dir);
    free(rec);
}

int rec_check(struct rec *rec)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "checking the database");
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0) {
            SC_ERR(rec->log, "study record: integrity_check: %s", line);
            result = REC_ECORRUPT;
        }
    }
    if (rc != SQLITE_DONE && result == 0) result = rec_map_sqlite(rec, rc, "checking the database");
    sqlite3_finalize(st);
    return result != 0 ? result : rec_chain_check_db(rec);
}

int rec_note(struct rec *rec, const char *type, const char *payload_json)
{
    size_t n = type ? strlen(type) : 0;
    if (n == 0 || n > 40 || strspn(type, "abcdefghijklmnopqrstuvwxyz_") != n) return -EINVAL;
    /* session lifecycle events come only from the session calls */
    if (strncmp(type, "session_", 8) == 0 || strncmp(type, "member_", 7) == 0 ||
        strcmp(type, "settings_changed") == 0 || strcmp(type, "station_created") == 0 ||
        strcmp(type, "heartbeat") == 0 || strncmp(type, "playback_", 9) == 0 ||
        strncmp(type, "signal_", 7) == 0)
        return -EINVAL;
    const char *payload = payload_json ? payload_json : "{}";
    if (payload[0] != '{') return -EINVAL;
    /* checked here, as the table's CHECK would: the event is only queued */
    sqlite3_stmt *st = rec_stmt(rec, ST_JSON_VALID);
    sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC);
    bool valid = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_reset(st);
    if (!valid) return -EINVAL;
    return rec_enqueue(rec, type, NULL, payload, REC_QUEUE_EVENT);
}
