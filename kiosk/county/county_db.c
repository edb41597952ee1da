/* The connection to the county database and the error handling every file
 * of the module shares: a failure becomes one line for people (db->message)
 * and a CTY_E* code chosen from libpq's status and the SQLSTATE. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cty_strerror(int code)
{
    switch (code) {
    case 0:
        return "ok";
    case CTY_ECONNECT:
        return "the county database cannot be reached";
    case CTY_EAUTH:
        return "the county database refused the credentials";
    case CTY_ENOTREG:
        return "not a registered station";
    case CTY_EMISMATCH:
        return "another station's credentials or key";
    case CTY_ESCHEMA:
        return "no county schema, or a newer one";
    case CTY_EDB:
        return "the county database refused a statement";
    case CTY_EVERIFY:
        return "verification failed";
    case CTY_EEXIST:
        return "already registered";
    case CTY_ERECORD:
        return "the study record cannot be read";
    default:
        return code < 0 ? rec_strerror(code) : "unknown";
    }
}

int cty_fail(struct cty_db *db, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->message, sizeof(db->message), fmt, ap);
    va_end(ap);
    SC_INFO(db->log, "county: %s", db->message);
    return code;
}

/* The first line of a libpq message, without "ERROR:  " and the newline. */
static void first_line(const char *text, char *out, size_t size)
{
    if (!text) text = "";
    if (strncmp(text, "ERROR:  ", 8) == 0) text += 8;
    if (strncmp(text, "FATAL:  ", 8) == 0) text += 8;
    if (strncmp(text, "WARNING:  ", 10) == 0) text += 10;
    snprintf(out, size, "%.*s", (int)strcspn(text, "\n"), text);
}

const char *cty_sqlstate(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state ? state : "";
}

static int code_for(struct cty_db *db, const char *state)
{
    /* no SQLSTATE: libpq's own failure (the server closed the connection
     * while the status still says OK, a send that failed): the link */
    if (PQstatus(db->conn) != CONNECTION_OK || !state[0] || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0) /* admin shutdown, crash, cannot connect now */
        return CTY_ECONNECT;
    if (strcmp(state, "42501") == 0 || strncmp(state, "28", 2) == 0) return CTY_EAUTH;
    if (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0 || strcmp(state, "42883") == 0)
        return CTY_ESCHEMA;
    if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0) return CTY_EEXIST;
    return CTY_EDB;
}

int cty_check(struct cty_db *db, PGresult *res, ExecStatusType want, const char *what)
{
    if (res && PQresultStatus(res) == want) return 0;
    char line[200];
    first_line(res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn), line, sizeof(line));
    if (!line[0]) first_line(PQerrorMessage(db->conn), line, sizeof(line));
    int code = code_for(db, cty_sqlstate(res));
    if (code == CTY_ECONNECT)
        return cty_fail(db, code, "%s: the link to the county database dropped (%s)", what,
                        line[0] ? line : "no answer");
    return cty_fail(db, code, "%s: %s", what, line);
}

int cty_exec(struct cty_db *db, const char *sql, int n_params, const char *const *params,
             ExecStatusType want, const char *what, PGresult **out)
{
    if (out) *out = NULL;
    /* without parameters PQexec, which also runs several statements (migrations) */
    PGresult *res = n_params == 0
                        ? PQexec(db->conn, sql)
                        : PQexecParams(db->conn, sql, n_params, NULL, params, NULL, NULL, 0);
    int rc = cty_check(db, res, want, what);
    if (rc == 0 && out)
        *out = res;
    else
        PQclear(res);
    return rc;
}

int cty_begin(struct cty_db *db)
{
    return cty_exec(db, "BEGIN", 0, NULL, PGRES_COMMAND_OK, "starting a transaction", NULL);
}

int cty_commit(struct cty_db *db)
{
    return cty_exec(db, "COMMIT", 0, NULL, PGRES_COMMAND_OK, "committing", NULL);
}

void cty_rollback(struct cty_db *db)
{
    if (PQstatus(db->conn) == CONNECTION_OK) PQclear(PQexec(db->conn, "ROLLBACK"));
}

int cty_pipeline_finish(struct cty_db *db, const char *what)
{
    int rc = 0, nulls = 0;
    bool synced = false;
    while (!synced && PQstatus(db->conn) == CONNECTION_OK) {
        PGresult *res = PQgetResult(db->conn);
        if (!res) { /* one statement's results end; twice in a row: nothing more comes */
            if (++nulls == 2) break;
            continue;
        }
        nulls = 0;
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC)
            synced = true;
        else if (status != PGRES_COMMAND_OK && status != PGRES_PIPELINE_ABORTED && rc == 0)
            rc = cty_check(db, res, PGRES_COMMAND_OK, what); /* the first failure says why */
        PQclear(res);
    }
    if (!synced && rc == 0) rc = cty_check(db, NULL, PGRES_COMMAND_OK, what);
    PQexitPipelineMode(db->conn);
    if (rc != 0) cty_rollback(db); /* an explicit transaction stays aborted after a failure */
    return rc;
}

int cty_get_bytes(const PGresult *res, int row, int col, unsigned char *out, size_t n)
{
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &len);
    if (!bytes) return -ENOMEM;
    int rc = len == n ? 0 : -EINVAL;
    if (rc == 0) memcpy(out, bytes, n);
    PQfreemem(bytes);
    return rc;
}

void cty_bytea_param(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = digits[bytes[i] >> 4];
        out[3 + 2 * i] = digits[bytes[i] & 15];
    }
    out[2 + 2 * n] = '\0';
}

/* Why a connection failed, in words and as a code: libpq gives no SQLSTATE
 * before the session exists, so its message is read. */
static int connect_failure(PGconn *conn, char *line, size_t size)
{
    const char *text = conn ? PQerrorMessage(conn) : "out of memory";
    /* libpq prefixes "connection to server at ... failed: " */
    const char *failed = strstr(text, "failed: ");
    char reason[200];
    first_line(failed ? failed + 8 : text, reason, sizeof(reason));
    int code = CTY_ECONNECT;
    if (strstr(text, "password authentication failed") || strstr(text, "no password supplied") ||
        strstr(text, "authentication failed") || strstr(text, "does not exist") ||
        strstr(text, "not permitted to log in") || strstr(text, "permission denied"))
        code = CTY_EAUTH;
    snprintf(line, size, "%s: %s",
             code == CTY_EAUTH ? "the county database refused the login"
                               : "cannot reach the county database",
             reason[0] ? reason : "no answer");
    return code;
}

/* The server's notices and warnings ("terminating connection due to ...")
 * go to the log, not to stderr: the caller says what went wrong in one line. */
static void on_notice(void *ctx, const char *message)
{
    char line[200];
    first_line(message, line, sizeof(line));
    SC_DEBUG((struct sc_log *)ctx, "county: the server says: %s", line);
}

int cty_db_connect(const char *conninfo, int connect_timeout_s, struct sc_log *log,
                   struct cty_db **out, char *message, size_t size)
{
    *out = NULL;
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d",
             connect_timeout_s > 0 ? connect_timeout_s : CTY_DEFAULT_TIMEOUT_S);
    /* dbname is expanded as a conninfo or URI: what it sets overrides the
     * defaults before it, and a timeout the caller chose overrides it. The
     * keepalives and tcp_user_timeout notice a link gone quiet (a village's
     * radio link) instead of waiting for ever. */
    const char *keys[] = {"connect_timeout",
                          "application_name",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "tcp_user_timeout",
                          "dbname",
                          "connect_timeout",
                          NULL};
    const char *values[] = {timeout, "studycast", "15",     "5",
                            "3",     "30000",     conninfo, connect_timeout_s > 0 ? timeout : NULL,
                            NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    char line[256];
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        int code = connect_failure(conn, line, sizeof(line));
        SC_INFO(log, "county: %s", line);
        if (message) snprintf(message, size, "%s", line);
        PQfinish(conn);
        return code;
    }
    struct cty_db *db = calloc(1, sizeof(*db));
    if (!db) {
        PQfinish(conn);
        if (message) snprintf(message, size, "out of memory");
        return -ENOMEM;
    }
    db->conn = conn;
    db->log = log;
    PQsetNoticeProcessor(conn, on_notice, log);
    /* the server's notices (e.g. "schema already exists, skipping") are not for people */
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    *out = db;
    return 0;
}

int cty_db_open(const char *conninfo, struct sc_log *log, struct cty_db **out)
{
    return cty_db_connect(conninfo, 0, log, out, NULL, 0);
}

void cty_db_close(struct cty_db *db)
{
    if (!db) return;
    PQfinish(db->conn);
    free(db);
}

const char *cty_db_message(const struct cty_db *db)
{
    return db ? db->message : "";
}

void cty_utc_month(int64_t utc_ns, char out[11])
{
    int64_t s = utc_ns >= 0 ? utc_ns / 1000000000 : -((-(utc_ns + 1)) / 1000000000) - 1;
    /* days since 1970-01-01, then the civil date (Howard Hinnant's algorithm):
     * no time_t or gmtime limits on a wrong clock's values */
    int64_t days = s >= 0 ? s / 86400 : -((-(s + 1)) / 86400) - 1;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    /* utc_ns spans 1677..2262: four digits */
    unsigned y = (unsigned)year % 10000, m = (unsigned)month % 100;
    snprintf(out, 11, "%04u-%02u-01", y, m);
}
