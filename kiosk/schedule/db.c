/* The schedule database: DATA_DIR/schedule.db, WAL, schema versioned through
 * PRAGMA user_version with forward-only migrations; the prepared statements
 * live here and nowhere else. See schedule.h. */
#include "kiosk/schedule/schedule.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* migrations[i] brings the schema from version i to i + 1. Never edit a
 * released step: append a new one. */
static const char *const migrations[] = {
    "CREATE TABLE entries ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  title TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  start_utc INTEGER NOT NULL,"
    "  utc_offset_s INTEGER NOT NULL,"
    "  duration_min INTEGER NOT NULL,"
    "  until_event_end INTEGER NOT NULL,"
    "  weekdays INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  counts INTEGER NOT NULL,"
    "  created_utc INTEGER NOT NULL,"
    "  updated_utc INTEGER NOT NULL"
    ");",
    /* 2: "record" means only the study record now; a broadcast written to
     * the library is a capture, playing it back a replay. */
    "UPDATE entries SET kind = 'capture' WHERE kind = 'record';"
    "UPDATE entries SET kind = 'replay' WHERE kind = 'recording';"
    "UPDATE entries SET source = 'capture:' || substr(source, 11)"
    "  WHERE substr(source, 1, 10) = 'recording:';",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

#define ENTRY_COLUMNS                                                                              \
    "id, title, source, start_utc, utc_offset_s, duration_min, until_event_end, weekdays, "        \
    "kind, counts"

struct sch_db {
    sqlite3 *db;
    struct sc_log *log;
    sqlite3_stmt *insert;
    sqlite3_stmt *update;
    sqlite3_stmt *remove;
    sqlite3_stmt *get;
    sqlite3_stmt *list;
    sqlite3_stmt *data_version;
    int64_t seen_version;
};

static int db_error(struct sch_db *s, const char *what)
{
    SC_ERR(s->log, "schedule.db: %s: %s", what, sqlite3_errmsg(s->db));
    return -EIO;
}

static int exec(struct sch_db *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        SC_ERR(s->log, "schedule.db: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -EIO;
    }
    return 0;
}

static int schema_version(struct sch_db *s, int *version)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return db_error(s, "reading the schema version");
    int rc = sqlite3_step(stmt) == SQLITE_ROW ? 0 : -EIO;
    *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return rc;
}

static int migrate(struct sch_db *s)
{
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc) return rc;
    int version;
    if ((rc = schema_version(s, &version))) goto fail;
    if (version > SCHEMA_VERSION) {
        SC_ERR(s->log, "schedule.db has schema version %d; this studycast knows up to %d", version,
               SCHEMA_VERSION);
        rc = SCH_ESCHEMA;
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        if ((rc = exec(s, migrations[v]))) goto fail;
        SC_INFO(s->log, "schedule.db migrated to schema version %d", v + 1);
    }
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", SCHEMA_VERSION);
    if ((rc = exec(s, pragma))) goto fail;
    return exec(s, "COMMIT");
fail:
    exec(s, "ROLLBACK");
    return rc;
}

static int prepare(struct sch_db *s, sqlite3_stmt **stmt, const char *sql)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
        return db_error(s, "preparing a statement");
    return 0;
}

int sch_db_open(const char *data_dir, struct sc_log *log, struct sch_db **out)
{
    *out = NULL;
    struct sch_db *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->log = log;
    int rc;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/schedule.db", data_dir) >= (int)sizeof(path)) {
        rc = -ENAMETOOLONG;
        goto fail;
    }
    sc_create_file(path, 0640); /* not SQLite's 0644; its -wal and -shm follow */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        SC_ERR(log, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        rc = -EIO;
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL survives a power cut mid-write; synchronous=FULL because a planned
     * course that vanishes after a power cut is a missed session. */
    if ((rc = exec(s, "PRAGMA journal_mode=WAL")) || (rc = exec(s, "PRAGMA synchronous=FULL")) ||
        (rc = migrate(s)))
        goto fail;
    if ((rc = prepare(s, &s->insert,
                      "INSERT INTO entries (title, source, start_utc, utc_offset_s, duration_min,"
                      " until_event_end, weekdays, kind, counts, created_utc, updated_utc)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)")) ||
        (rc =
             prepare(s, &s->update,
                     "UPDATE entries SET title = ?1, source = ?2, start_utc = ?3,"
                     " utc_offset_s = ?4, duration_min = ?5, until_event_end = ?6,"
                     " weekdays = ?7, kind = ?8, counts = ?9, updated_utc = ?10 WHERE id = ?11")) ||
        (rc = prepare(s, &s->remove, "DELETE FROM entries WHERE id = ?1")) ||
        (rc = prepare(s, &s->get, "SELECT " ENTRY_COLUMNS " FROM entries WHERE id = ?1")) ||
        (rc = prepare(s, &s->list, "SELECT " ENTRY_COLUMNS " FROM entries ORDER BY id")) ||
        (rc = prepare(s, &s->data_version, "PRAGMA data_version")))
        goto fail;
    sch_db_changed_elsewhere(s); /* remember the version we start from */
    *out = s;
    return 0;
fail:
    sch_db_close(s);
    return rc;
}

void sch_db_close(struct sch_db *s)
{
    if (!s) return;
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->update);
    sqlite3_finalize(s->remove);
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->list);
    sqlite3_finalize(s->data_version);
    sqlite3_close(s->db);
    free(s);
}

static void bind_entry(sqlite3_stmt *stmt, const struct sch_entry *e)
{
    char source[SCH_LOCATION_MAX + 32];
    sch_source_format(&e->source, source, sizeof(source));
    sqlite3_bind_text(stmt, 1, e->title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 3, e->start_utc);
    sqlite3_bind_int(stmt, 4, e->utc_offset_s);
    sqlite3_bind_int(stmt, 5, e->until_event_end ? 0 : e->duration_min);
    sqlite3_bind_int(stmt, 6, e->until_event_end);
    sqlite3_bind_int(stmt, 7, e->weekdays);
    sqlite3_bind_text(stmt, 8, sch_kind_name(e->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 9, e->counts);
    sqlite3_bind_int64(stmt, 10, sc_utc_ns() / 1000000000);
}

/* Reads a row; a row that no longer parses (edited by hand, say) is an
 * error for that row, reported by id, rather than a silently wrong course. */
/* A title stored before DEL and C1 controls were refused (C0 never was
 * accepted) keeps its course: each control byte becomes '?'. */
static void blank_controls(char *title)
{
    for (unsigned char *p = (unsigned char *)title; *p; p++) {
        if (*p == 0x7F) *p = '?';
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) p[0] = p[1] = '?';
    }
}

static int read_entry(struct sch_db *s, sqlite3_stmt *stmt, struct sch_entry *e)
{
    sch_entry_init(e);
    e->id = sqlite3_column_int64(stmt, 0);
    const char *title = (const char *)sqlite3_column_text(stmt, 1);
    const char *source = (const char *)sqlite3_column_text(stmt, 2);
    const char *kind = (const char *)sqlite3_column_text(stmt, 8);
    snprintf(e->title, sizeof(e->title), "%s", title ? title : "");
    blank_controls(e->title);
    e->start_utc = sqlite3_column_int64(stmt, 3);
    e->utc_offset_s = sqlite3_column_int(stmt, 4);
    e->duration_min = sqlite3_column_int(stmt, 5);
    e->until_event_end = sqlite3_column_int(stmt, 6) != 0;
    e->weekdays = (uint8_t)sqlite3_column_int(stmt, 7);
    e->counts = sqlite3_column_int(stmt, 9) != 0;
    char err[160];
    if (sch_source_parse(source ? source : "", &e->source, err, sizeof(err)) ||
        sch_kind_parse(kind ? kind : "", &e->kind) || sch_entry_validate(e, err, sizeof(err))) {
        SC_ERR(s->log, "schedule.db: entry %lld is damaged and skipped", (long long)e->id);
        return -EINVAL;
    }
    return 0;
}

int sch_db_add(struct sch_db *s, struct sch_entry *entry)
{
    char err[160];
    if (sch_entry_validate(entry, err, sizeof(err))) {
        SC_WARN(s->log, "schedule: refusing an entry: %s", err);
        return -EINVAL;
    }
    sqlite3_reset(s->insert);
    bind_entry(s->insert, entry);
    if (sqlite3_step(s->insert) != SQLITE_DONE) {
        int rc = db_error(s, "adding an entry");
        sqlite3_reset(s->insert);
        return rc;
    }
    sqlite3_reset(s->insert);
    entry->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sch_db_update(struct sch_db *s, const struct sch_entry *entry)
{
    char err[160];
    if (sch_entry_validate(entry, err, sizeof(err))) {
        SC_WARN(s->log, "schedule: refusing an entry: %s", err);
        return -EINVAL;
    }
    sqlite3_reset(s->update);
    bind_entry(s->update, entry);
    sqlite3_bind_int64(s->update, 11, entry->id);
    int step = sqlite3_step(s->update);
    sqlite3_reset(s->update);
    if (step != SQLITE_DONE) return db_error(s, "updating an entry");
    return sqlite3_changes(s->db) == 1 ? 0 : -ENOENT;
}

int sch_db_remove(struct sch_db *s, int64_t id)
{
    sqlite3_reset(s->remove);
    sqlite3_bind_int64(s->remove, 1, id);
    int step = sqlite3_step(s->remove);
    sqlite3_reset(s->remove);
    if (step != SQLITE_DONE) return db_error(s, "removing an entry");
    return sqlite3_changes(s->db) == 1 ? 0 : -ENOENT;
}

int sch_db_get(struct sch_db *s, int64_t id, struct sch_entry *entry)
{
    sqlite3_reset(s->get);
    sqlite3_bind_int64(s->get, 1, id);
    int step = sqlite3_step(s->get);
    int rc;
    if (step == SQLITE_ROW)
        rc = read_entry(s, s->get, entry);
    else if (step == SQLITE_DONE)
        rc = -ENOENT;
    else
        rc = db_error(s, "reading an entry");
    sqlite3_reset(s->get);
    return rc;
}

int sch_db_list(struct sch_db *s, struct sch_entry **entries, size_t *count)
{
    *entries = NULL;
    *count = 0;
    struct sch_entry *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    sqlite3_reset(s->list);
    while ((step = sqlite3_step(s->list)) == SQLITE_ROW) {
        if (n == cap) {
            size_t new_cap = cap ? cap * 2 : 16;
            struct sch_entry *bigger = realloc(list, new_cap * sizeof(*list));
            if (!bigger) {
                rc = -ENOMEM;
                break;
            }
            list = bigger;
            cap = new_cap;
        }
        if (read_entry(s, s->list, &list[n]) == 0) n++;
    }
    if (!rc && step != SQLITE_DONE) rc = db_error(s, "listing entries");
    sqlite3_reset(s->list);
    if (rc) {
        free(list);
        return rc;
    }
    *entries = list;
    *count = n;
    return 0;
}

bool sch_db_changed_elsewhere(struct sch_db *s)
{
    sqlite3_reset(s->data_version);
    if (sqlite3_step(s->data_version) != SQLITE_ROW) {
        sqlite3_reset(s->data_version);
        return false;
    }
    int64_t version = sqlite3_column_int64(s->data_version, 0);
    sqlite3_reset(s->data_version);
    bool changed = version != s->seen_version;
    s->seen_version = version;
    return changed;
}
