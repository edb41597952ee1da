/* The power-cut test: crash_writer records a session while it is SIGKILLed
 * at random instants, many times (bounded to ~25 s). After each kill the
 * record is reopened (which recovers it) and must: pass integrity_check and
 * the chain check; still hold every event the writer's record reported
 * durable, in the order they were queued (the events are queued and
 * committed by the record's writer thread); have closed the interrupted
 * session as interrupted at its last durable event; and have lost at most
 * about one heartbeat interval.
 * usage: test_record_crash CRASH_WRITER */
#include "tests/record/rec_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#define HEARTBEAT_MS   100
#define BUDGET_SECONDS 25
#define MIN_ROUNDS     20
#define MAX_ROUNDS     150

struct reported {
    int64_t seq, mono_ns;
    char type[40], session[40];
};

static int64_t sql_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static char *sql_text(sqlite3 *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, arg);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/* Runs the writer until a random instant, kills it and returns what it
 * reported as durable. */
static size_t run_and_kill(const char *writer, const char *dir, unsigned *seed,
                           struct reported *out, size_t max, int64_t *killed_at)
{
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        char hb[16];
        snprintf(hb, sizeof(hb), "%d", HEARTBEAT_MS);
        execl(writer, writer, dir, hb, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    /* mostly mid-session, sometimes during start-up (schema, keys, recovery) */
    int64_t delay_ms = rand_r(seed) % 5 == 0 ? rand_r(seed) % 40 : 40 + rand_r(seed) % 700;
    int64_t deadline = sc_mono_ns() + delay_ms * 1000000;
    struct sc_buf text = {0};
    char chunk[4096];
    for (;;) {
        int64_t left = (deadline - sc_mono_ns()) / 1000000;
        if (left <= 0) break;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (poll(&p, 1, (int)left) > 0) {
            ssize_t n = read(fds[0], chunk, sizeof(chunk));
            if (n <= 0) break; /* the writer died on its own: a failure below */
            sc_buf_append(&text, chunk, (size_t)n);
        }
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    *killed_at = sc_mono_ns();
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
        sc_buf_append(&text, chunk, (size_t)n);
    close(fds[0]);
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        TEST_FAIL("the writer ended by itself (status %d)", status);
    size_t count = 0;
    char *save = NULL;
    for (char *line = text.data ? strtok_r(text.data, "\n", &save) : NULL; line && count < max;
         line = strtok_r(NULL, "\n", &save)) {
        struct reported *r = &out[count];
        if (sscanf(line, "%" SCNd64 " %39s %" SCNd64 " %39s", &r->seq, r->type, &r->mono_ns,
                   r->session) == 4)
            count++;
    }
    sc_buf_free(&text);
    return count;
}

/* The session's events in the record begin with exactly the ones reported
 * durable, in order: nothing reported durable is lost or reordered. */
static void check_durable_prefix(sqlite3 *db, const char *session, const struct reported *got,
                                 size_t n, int round)
{
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT type FROM events WHERE session = ? ORDER BY seq", -1,
                                 &st, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, session, -1, SQLITE_TRANSIENT);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(got[i].session, session) != 0) continue;
        if (sqlite3_step(st) != SQLITE_ROW)
            TEST_FAIL("round %d: event %zu of the session (%s) was reported durable and is gone",
                      round, checked + 1, got[i].type);
        const char *type = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(type, got[i].type) != 0)
            TEST_FAIL("round %d: event %zu of the session is %s, reported durable as %s", round,
                      checked + 1, type, got[i].type);
        checked++;
    }
    sqlite3_finalize(st);
}

int main(int argc, char **argv)
{
    ASSERT_EQ(argc, 2);
    struct sc_log *log = sc_log_create(stderr, SC_LOG_ERROR);
    char *dir = test_dir("crash");
    char *db_path = path_in(dir, "record.sqlite");
    struct reported *got = calloc(100000, sizeof(*got));
    ASSERT_NOT_NULL(got);
    unsigned seed = (unsigned)time(NULL);
    fprintf(stderr, "seed %u\n", seed);
    int64_t start = sc_mono_ns(), max_lost_ms = 0, total_lost_ms = 0;
    int rounds = 0, sessions_seen = 0;
    while (rounds < MAX_ROUNDS &&
           (rounds < MIN_ROUNDS || sc_mono_ns() - start < (int64_t)BUDGET_SECONDS * 1000000000)) {
        int64_t killed_at;
        size_t n = run_and_kill(argv[1], dir, &seed, got, 100000, &killed_at);
        rounds++;

        struct rec_options o = {.data_dir = dir, .heartbeat_ms = HEARTBEAT_MS};
        struct rec *rec = NULL;
        int rc = rec_open(&o, log, &rec); /* recovers the interrupted session */
        if (rc != 0) TEST_FAIL("round %d: reopen failed: %s", rounds, rec_strerror(rc));
        ASSERT_EQ(rec_check(rec), 0);
        sqlite3 *db = NULL;
        ASSERT_EQ(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        ASSERT_EQ(sql_int(db,
                          "SELECT count(*) FROM events o WHERE type='session_opened' AND NOT "
                          "EXISTS (SELECT 1 FROM events c WHERE c.session=o.session AND "
                          "c.type='session_closed')",
                          NULL),
                  0);
        /* every reported event is there, with its type */
        for (size_t i = 0; i < n; i++) {
            if (got[i].seq <= 0) continue;
            char *type = sql_text(db, "SELECT type FROM events WHERE seq = ?", got[i].seq);
            bool startup = strcmp(got[i].type, "opened") == 0;
            if (!type || (!startup && strcmp(type, got[i].type) != 0))
                TEST_FAIL("round %d: reported event %lld (%s) is %s", rounds, (long long)got[i].seq,
                          got[i].type, type ? type : "gone");
            free(type);
        }
        /* the session it was recording: closed as interrupted, at its last
         * durable event, which is no earlier than the last one reported */
        const char *session = NULL;
        for (size_t i = 0; i < n; i++)
            if (strcmp(got[i].session, "-") != 0) session = got[i].session;
        if (session) {
            sessions_seen++;
            int64_t close_seq = sql_int(
                db, "SELECT seq FROM events WHERE session=? AND type='session_closed'", session);
            ASSERT_GT(close_seq, 0);
            char *status = sql_text(db,
                                    "SELECT json_extract(payload,'$.status') FROM events "
                                    "WHERE seq = ?",
                                    close_seq);
            ASSERT_STR_EQ(status, "interrupted");
            free(status);
            int64_t close_mono =
                sql_int(db, "SELECT mono_ns FROM events WHERE session=? AND type='session_closed'",
                        session);
            int64_t last_mono = sql_int(db,
                                        "SELECT max(mono_ns) FROM events WHERE session=? AND "
                                        "type!='session_closed'",
                                        session);
            ASSERT_EQ(close_mono, last_mono);
            int64_t closed_at = sql_int(db,
                                        "SELECT json_extract(payload,'$.closed_at_seq') FROM "
                                        "events WHERE session=? AND type='session_closed'",
                                        session);
            int64_t max_reported = 0;
            for (size_t i = 0; i < n; i++)
                if (got[i].seq > max_reported) max_reported = got[i].seq;
            ASSERT_GE(closed_at, max_reported); /* nothing reported was cut off */
            check_durable_prefix(db, session, got, n, rounds);
            ASSERT_EQ(closed_at, close_seq - 1);
            int64_t lost_ms = (killed_at - close_mono) / 1000000;
            ASSERT_GE(lost_ms, 0);
            /* at most one heartbeat, plus the time one commit (fsync) can
             * take on a busy machine */
            if (lost_ms > HEARTBEAT_MS + 1000)
                TEST_FAIL("round %d: %lld ms lost (heartbeat %d ms)", rounds, (long long)lost_ms,
                          HEARTBEAT_MS);
            if (lost_ms > max_lost_ms) max_lost_ms = lost_ms;
            total_lost_ms += lost_ms;
        }
        sqlite3_close(db);
        rec_close(rec);
    }
    /* the record as a whole is still coherent */
    struct rec_options o = {.data_dir = dir, .heartbeat_ms = HEARTBEAT_MS};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, log, &rec), 0);
    struct rec_session_summary *all;
    size_t count;
    ASSERT_EQ(rec_sessions(rec, INT64_MIN, INT64_MAX, &all, &count), 0);
    ASSERT_GE((int)count, sessions_seen);
    for (size_t i = 0; i < count; i++) {
        ASSERT_TRUE(all[i].interrupted);
        ASSERT_LE(all[i].played_seconds, all[i].end_utc - all[i].start_utc + 1);
    }
    rec_sessions_free(all, count);
    rec_close(rec);
    fprintf(stderr,
            "%d kills, %d mid-session; lost after the last durable event: mean %lld ms, "
            "max %lld ms (heartbeat %d ms)\n",
            rounds, sessions_seen, sessions_seen ? (long long)(total_lost_ms / sessions_seen) : 0,
            (long long)max_lost_ms, HEARTBEAT_MS);
    ASSERT_GE(sessions_seen, MIN_ROUNDS / 2);
    free(got);
    free(db_path);
    free(dir);
    sc_log_destroy(log);
    return 0;
}
