/* Opening the record's database for reading only, on a disk that may be
 * read-only or full (rec_options.read_only).
 *
 * Which open works where (SQLite 3.40, tried on tmpfs):
 *  - `mode=ro` (SQLITE_OPEN_READONLY) is the right first try: it takes
 *    SQLite's usual shared-memory locks, so it reads correctly while the kiosk
 *    writes, and it reads the committed events still in a left-over WAL (a
 *    crash or power cut leaves record.sqlite-wal and -shm behind; since 3.22 a
 *    read-only file system is fine as long as both exist: the -shm index is
 *    rebuilt in heap memory). It fails, though, when the -shm cannot be made:
 *    a read-only mount after a clean close (no -wal, no -shm: "unable to open
 *    database file") or a full disk (the -shm cannot grow: "disk I/O error").
 *  - `PRAGMA query_only` needs a read-write connection: on a read-only mount
 *    SQLite falls back to the same read-only open, so it adds nothing here.
 *  - `immutable=1` opens anything without locks or a -shm, but ignores the
 *    WAL: events committed into a left-over WAL would silently be missing.
 * So: mode=ro, and only if that cannot start and there is no WAL content
 * (no -wal file, or an empty one), immutable=1 -- then the database file is
 * the whole record, and a disk that cannot take a -shm takes no writer
 * either. A WAL with content that mode=ro cannot read (its -shm lost) is an
 * error, never a silently shorter record. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static int open_uri(struct rec *rec, const char *path, const char *mode)
{
    /* a URI: the path's '%', '?' and '#' escaped */
    size_t n = 3 * strlen(path) + 32;
    char *uri = malloc(n);
    if (!uri) return -ENOMEM;
    size_t o = (size_t)snprintf(uri, n, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            o += (size_t)snprintf(uri + o, n - o, "%%%02X", (unsigned char)*p);
        else
            uri[o++] = *p;
    }
    snprintf(uri + o, n - o, "?%s", mode);
    int rc = sqlite3_open_v2(uri, &rec->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        rc = rec_map_sqlite(rec, rc, "opening the database read-only");
        sqlite3_close_v2(rec->db);
        rec->db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(rec->db, 1);
    sqlite3_busy_timeout(rec->db, 5000);
    return 0;
}

/* The first read: this is where a read-only open finds out whether it can
 * start (opening itself touches no file). */
static int first_read(struct rec *rec, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return rc;
    return rec_schema_version(rec, version) == 0 ? SQLITE_OK : SQLITE_ERROR;
}

static bool wal_has_content(const char *db_path)
{
    size_t n = strlen(db_path) + 8;
    char *wal = malloc(n);
    if (!wal) return true;
    snprintf(wal, n, "%s-wal", db_path);
    struct stat sb;
    bool content = stat(wal, &sb) == 0 ? sb.st_size > 0 : errno != ENOENT;
    free(wal);
    return content;
}

static int open_db(struct rec *rec, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int rc = -errno;
        SC_ERR(rec->log, "study record: cannot read %s: %s", path, strerror(-rc));
        return rc;
    }
    int version = -1;
    int rc = open_uri(rec, path, "mode=ro");
    int first = rc == 0 ? first_read(rec, &version) : SQLITE_CANTOPEN;
    if (rc == 0 && first != SQLITE_OK && version <= rec_schema_latest() && !wal_has_content(path)) {
        SC_INFO(rec->log, "study record: %s cannot be opened with locks (%s): read as immutable",
                path, sqlite3_errstr(first));
        sqlite3_close_v2(rec->db);
        rec->db = NULL;
        rc = open_uri(rec, path, "immutable=1");
        first = rc == 0 ? first_read(rec, &version) : SQLITE_CANTOPEN;
    }
    if (rc != 0) return rc;
    if (version > rec_schema_latest()) return REC_ESCHEMA;
    if (first != SQLITE_OK && wal_has_content(path))
        SC_ERR(rec->log,
               "study record: %s-wal holds events that cannot be read on this disk (its -shm "
               "index is missing and cannot be made): copy the data directory to a writable "
               "disk and read the copy",
               path);
    if (first != SQLITE_OK) return rec_map_sqlite(rec, first, "reading the database read-only");
    if (version == 0) {
        SC_ERR(rec->log, "study record: %s is empty (never opened by studycast)", path);
        return -ENOENT;
    }
    return 0;
}

int rec_open_database_ro(struct rec *rec)
{
    size_t n = strlen(rec->data_dir) + sizeof(REC_DB_NAME) + 2;
    char *path = malloc(n);
    if (!path) return -ENOMEM;
    snprintf(path, n, "%s/%s", rec->data_dir, REC_DB_NAME);
    int rc = open_db(rec, path);
    free(path);
    /* an older schema reads as it is: the migrations so far only added checks */
    return rc == 0 ? rec_prepare_statements(rec) : rc;
}

/* Whether data_dir's file system takes no writes: mounted read-only, or no
 * free block left for an unprivileged writer. */
static bool unwritable(const char *data_dir)
{
    struct statvfs sv;
    if (statvfs(data_dir, &sv) != 0) return false; /* the normal open says why */
    return (sv.f_flag & ST_RDONLY) || sv.f_bavail == 0;
}

int rec_open_for_reading(const struct rec_options *options, struct sc_log *log, struct rec **out)
{
    struct rec_options o = options ? *options : (struct rec_options){0};
    const char *dir = o.data_dir ? o.data_dir : REC_DEFAULT_DATA_DIR;
    o.read_only = unwritable(dir);
    int rc = rec_open(&o, log, out);
    if (rc == 0 || o.read_only || (rc != -EROFS && rc != -ENOSPC && rc != -EDQUOT)) return rc;
    o.read_only = true;
    return rec_open(&o, log, out);
}
