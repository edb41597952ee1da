/* The store: first start (data dir 0750, key pair 0600/0644, station id),
 * schema version, append-only enforced by the database, tampering caught by
 * the chain check, a newer schema or a damaged file refused, and a full or
 * read-only disk giving a clear error while losing nothing.
 *
 * Full and read-only disks are made with a small tmpfs mount (and a
 * read-only remount) when the test may mount (root in this sandbox and in
 * CI); otherwise with RLIMIT_FSIZE for the full disk and an unprivileged
 * child for the read-only case. The mechanism used is printed. */
#include "tests/record/rec_test_util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int64_t sql_int(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Runs SQL as an outsider would; returns SQLite's result and its message. */
static int sql_exec(const char *db_path, const char *sql, char *msg, size_t size)
{
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(db_path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    snprintf(msg, size, "%s", err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}

static void test_first_start(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *top = test_dir("store-first");
    char *dir = path_in(top, "var/lib/studycast");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    struct stat sb;
    ASSERT_EQ(stat(dir, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0750);
    char *key = path_in(dir, "station.key"), *pub = path_in(dir, "station.pub");
    ASSERT_EQ(stat(key, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    ASSERT_EQ(sb.st_size, 64);
    ASSERT_EQ(stat(pub, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0644);
    char id[64], hex[65], type[32];
    ASSERT_EQ(rec_setting_get(rec, "station_id", id, sizeof(id)), 0);
    ASSERT_EQ(strlen(id), 36);
    ASSERT_EQ(id[14], '4'); /* a random (v4) UUID */
    ASSERT_EQ(rec_setting_get(rec, "station_type", type, sizeof(type)), 0);
    ASSERT_STR_EQ(type, "village");
    ASSERT_EQ(rec_station_public_key_hex(rec, hex), 0);
    char *pub_text = NULL;
    size_t len = 0;
    ASSERT_EQ(sc_read_file(pub, 4096, &pub_text, &len), 0);
    ASSERT_EQ(strncmp(pub_text, hex, 64), 0);
    free(pub_text);
    ASSERT_EQ(rec_setting_set(rec, "station_id", "x"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "station_name", "张家村学习站"), 0);
    ASSERT_EQ(rec_setting_set(rec, "utc_offset", "+8"), -EINVAL);
    /* the kiosk's settings: checked values only */
    ASSERT_EQ(rec_setting_set(rec, "volume", "70"), 0);
    ASSERT_EQ(rec_setting_set(rec, "volume", "101"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "volume", "07"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "language", "en"), 0);
    ASSERT_EQ(rec_setting_set(rec, "language", "fr"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "clock_source", "system"), 0);
    ASSERT_EQ(rec_setting_set(rec, "clock_source", "gps"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "service", "1"), 0);
    ASSERT_EQ(rec_setting_set(rec, "service", "0"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "source", "udp://239.1.2.3:5000"), 0);
    ASSERT_EQ(rec_setting_set(rec, "source", "udp://239.1.2.3:5000\nx"), -EINVAL);
    ASSERT_EQ(rec_setting_set(rec, "source", "channel"), -EINVAL);
    char kept[64];
    ASSERT_EQ(rec_setting_get(rec, "volume", kept, sizeof(kept)), 0);
    ASSERT_STR_EQ(kept, "70");
    ASSERT_EQ(rec_setting_get(rec, "source", kept, sizeof(kept)), 0);
    ASSERT_STR_EQ(kept, "udp://239.1.2.3:5000");
    rec_close(rec);

    /* a second start keeps the identity */
    rec = open_with_clock(dir, &clock, test_log);
    char id2[64], name[128];
    ASSERT_EQ(rec_setting_get(rec, "station_id", id2, sizeof(id2)), 0);
    ASSERT_STR_EQ(id2, id);
    ASSERT_EQ(rec_setting_get(rec, "station_name", name, sizeof(name)), 0);
    ASSERT_STR_EQ(name, "张家村学习站");
    /* other events through rec_note, but never a forged session event */
    ASSERT_EQ(rec_note(rec, "schedule_planned", "{\"course\":\"c\",\"at\":\"2026-11-02\"}"), 0);
    ASSERT_EQ(rec_note(rec, "session_closed", NULL), -EINVAL);
    ASSERT_EQ(rec_note(rec, "Bad Type", NULL), -EINVAL);
    ASSERT_EQ(rec_note(rec, "schedule_planned", "{not json"), -EINVAL);
    ASSERT_EQ(rec_check(rec), 0);
    int64_t events = rec_last_seq(rec);
    rec_close(rec);

    char *db = path_in(dir, "record.sqlite");
    ASSERT_EQ(sql_int(db, "PRAGMA user_version"), 2);
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode='wal'"), 1);
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM events"), events);
    free(db);
    free(key);
    free(pub);
    free(dir);
    free(top);
    sc_log_destroy(test_log);
}

static void test_append_only_and_tamper(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("store-tamper");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, "number,name,category\n001,甲,党员\n002,乙,群众\n");
    struct rec_session *s = NULL;
    const char *present[] = {"001"};
    ASSERT_EQ(rec_session_open(rec, "课程", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 3600);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    rec_close(rec);

    char *db = path_in(dir, "record.sqlite");
    char msg[256];
    ASSERT_NE(sql_exec(db, "UPDATE events SET payload='{}' WHERE seq=5", msg, sizeof(msg)),
              SQLITE_OK);
    ASSERT_TRUE(strstr(msg, "append-only") != NULL);
    ASSERT_NE(sql_exec(db, "DELETE FROM events WHERE seq=5", msg, sizeof(msg)), SQLITE_OK);
    ASSERT_TRUE(strstr(msg, "append-only") != NULL);

    /* someone who drops the triggers and edits an event is caught */
    ASSERT_EQ(sql_exec(db,
                       "DROP TRIGGER events_no_update; UPDATE events SET payload = "
                       "replace(payload, '3600', '7200') WHERE type='playback_started'; "
                       "UPDATE events SET mono_ns = mono_ns + 3600000000000 WHERE "
                       "type='session_closed'",
                       msg, sizeof(msg)),
              SQLITE_OK);
    rec = open_with_clock(dir, &clock, test_log);
    ASSERT_EQ(rec_check(rec), REC_ECHAIN);
    rec_close(rec);
    free(db);
    free(dir);

    /* and so is one who deletes an event */
    dir = test_dir("store-delete");
    rec = open_with_clock(dir, &clock, test_log);
    import_roster(rec, dir, "number,name,category\n001,甲,党员\n002,乙,群众\n");
    rec_close(rec);
    db = path_in(dir, "record.sqlite");
    ASSERT_EQ(sql_exec(db, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq=6", msg,
                       sizeof(msg)),
              SQLITE_OK);
    rec = open_with_clock(dir, &clock, test_log);
    ASSERT_EQ(rec_check(rec), REC_ECHAIN);
    rec_close(rec);
    free(db);
    free(dir);
    sc_log_destroy(test_log);
}

/* A township's November session: 001 and 002 present for 2 h of playback,
 * 002 checks out after 30 min. Returns the data dir. */
static char *typed_fixture(const char *prefix, struct fake_clock *clock, struct sc_log *log)
{
    char *dir = test_dir(prefix);
    fake_clock_set(clock, "2026-10-01T00:00:00Z");
    struct rec *rec = open_with_clock(dir, clock, log);
    import_roster(rec, dir, "number,name,category\n001,甲,党员\n002,乙,群众\n");
    ASSERT_EQ(rec_setting_set(rec, "station_type", "township"), 0);
    fake_clock_set(clock, "2026-11-03T11:00:00Z");
    const char *present[] = {"001", "002"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "课程", present, 2, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(clock, 1800);
    ASSERT_EQ(rec_session_check_out(s, "002"), 0);
    fake_clock_advance(clock, 5400);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STOPPED), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    return dir;
}

/* 002's credited seconds in November and the station type, as derived. */
static void derived(struct rec *rec, int64_t *seconds_002, size_t *n_sessions, char *type)
{
    struct rec_period nov;
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-11", &nov), 0);
    struct rec_session_summary *s = NULL;
    ASSERT_EQ(rec_sessions(rec, nov.from_utc, nov.to_utc, &s, n_sessions), 0);
    const struct rec_attendance *a = *n_sessions ? find_attendance(&s[0], "002") : NULL;
    *seconds_002 = a ? a->seconds : 0;
    struct rec_requirement req;
    ASSERT_EQ(rec_requirement_for(rec, s, *n_sessions, &req), 0);
    snprintf(type, 16, "%s", req.station_type);
    rec_sessions_free(s, *n_sessions);
}

/* Each way of changing what SQL compares without changing the text that was
 * hashed (a blob, a trailing NUL, an integer stored as text, NULL turned to
 * "") and an edit before an export's range: rec_check and rec_check_chain
 * name the event, the report says so, and rec_export refuses before it
 * writes anything. */
static void test_typed_tamper(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    static const struct {
        const char *where; /* the event altered */
        const char *set;   /* what is done to it */
        const char *says;  /* in the fault's message after "event N (type) " */
    } cases[] = {
        {"type = 'member_checked_out'", "session = CAST(session AS BLOB)",
         "has been edited: session is stored as a blob, not text"},
        {"type = 'member_checked_out'", "session = session || char(0)",
         "has been edited: session holds a NUL byte"},
        {"type = 'member_checked_out'", "type = CAST(type AS BLOB)",
         "has been edited: type is stored as a blob, not text"},
        {"type = 'settings_changed' AND payload LIKE '%township%'", "type = CAST(type AS BLOB)",
         "has been edited: type is stored as a blob, not text"},
        {"type = 'member_checked_out'", "payload = payload || char(0)",
         "has been edited: payload holds a NUL byte"},
        {"type = 'session_opened'", "utc_ns = utc_ns || 'x'",
         "has been edited: utc_ns is stored as text, not an integer"},
        {"type = 'session_opened'", "mono_ns = CAST(mono_ns AS BLOB)",
         "has been edited: mono_ns is stored as a blob, not an integer"},
        {"seq = 1", "session = ''", "has been edited: session is empty text, not NULL"},
        {"seq = 2", "hash = CAST(hex(hash) AS BLOB)", "has been edited: hash is not 32 bytes"},
        /* October, before the export's November range */
        {"type = 'settings_changed' AND payload LIKE '%township%'",
         "payload = replace(payload, 'township', 'village')", "does not match its hash"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fake_clock clock = {0};
        char *dir = typed_fixture("store-typed", &clock, test_log);
        char *db = path_in(dir, "record.sqlite");
        char sql[512], msg[256];
        snprintf(sql, sizeof(sql), "SELECT seq FROM events WHERE %s", cases[i].where);
        int64_t seq = sql_int(db, sql);
        char type[16];
        snprintf(sql, sizeof(sql),
                 "DROP TRIGGER events_no_update; UPDATE events SET %s WHERE seq = %lld",
                 cases[i].set, (long long)seq);
        {
            struct rec *rec = open_with_clock(dir, &clock, test_log);
            int64_t secs;
            size_t n;
            derived(rec, &secs, &n, type);
            ASSERT_EQ(secs, 1800);
            ASSERT_STR_EQ(type, "township");
            rec_close(rec);
        }
        if (sql_exec(db, sql, msg, sizeof(msg)) != SQLITE_OK) TEST_FAIL("%s: %s", sql, msg);

        struct rec *rec = open_with_clock(dir, &clock, test_log);
        ASSERT_EQ(rec_check(rec), REC_ECHAIN);
        struct rec_chain_fault fault;
        ASSERT_EQ(rec_check_chain(rec, &fault), REC_ECHAIN);
        ASSERT_EQ(fault.seq, seq);
        char expected[256];
        snprintf(expected, sizeof(expected),
                 "the study record has been altered: event %lld (%s) %s", (long long)seq,
                 fault.type, cases[i].says);
        if (strcmp(fault.message, expected) != 0)
            TEST_FAIL("case %zu: \"%s\", expected \"%s\"", i, fault.message, expected);
        ASSERT_STR_EQ(rec_chain_fault(rec)->message, expected);

        /* the report is still given, and says so first */
        struct rec_period nov;
        ASSERT_EQ(rec_period_parse(rec, 'm', "2026-11", &nov), 0);
        struct sc_buf json = {0};
        ASSERT_EQ(rec_report_json(rec, &nov, &json), 0);
        snprintf(expected, sizeof(expected), "\"first_bad_seq\": %lld", (long long)seq);
        ASSERT_NOT_NULL(strstr(json.data, "\"ok\": false"));
        ASSERT_NOT_NULL(strstr(json.data, expected));
        sc_buf_free(&json);

        /* nothing is exported, the target not even made */
        char *out = path_in(dir, "export");
        ASSERT_EQ(rec_export(rec, out, nov.from_utc, nov.to_utc, REC_EXPORT_ALL), REC_ECHAIN);
        struct stat sb;
        ASSERT_EQ(stat(out, &sb), -1);
        ASSERT_EQ(errno, ENOENT);
        rec_close(rec);
        free(out);
        free(db);
        free(dir);
    }

    /* what the derivations make of it, shown once: a checked-out member
     * credited the whole 2 h, a township turned back into a village */
    struct fake_clock clock = {0};
    char *dir = typed_fixture("store-typed-effect", &clock, test_log);
    char *db = path_in(dir, "record.sqlite");
    char msg[256];
    ASSERT_EQ(sql_exec(db,
                       "DROP TRIGGER events_no_update; UPDATE events SET session = CAST(session "
                       "AS BLOB) WHERE type = 'member_checked_out'; UPDATE events SET type = "
                       "CAST(type AS BLOB) WHERE type = 'settings_changed' AND payload LIKE "
                       "'%township%'",
                       msg, sizeof(msg)),
              SQLITE_OK);
    struct rec *rec = open_with_clock(dir, &clock, test_log);
    int64_t secs;
    size_t n;
    char type[16];
    derived(rec, &secs, &n, type);
    ASSERT_EQ(secs, 7200);
    ASSERT_STR_EQ(type, "village");
    ASSERT_EQ(rec_check_chain(rec, NULL), REC_ECHAIN);
    rec_close(rec);
    free(db);
    free(dir);
    sc_log_destroy(test_log);
}

/* Schema 2: a new event must have its storage classes, and a version 1
 * record gains the rule when opened. */
static void test_typed_insert_refused(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    char *dir = test_dir("store-typed-insert");
    rec_close(open_with_clock(dir, &clock, test_log));
    char *db = path_in(dir, "record.sqlite");
    char msg[256];
    ASSERT_EQ(sql_exec(db, "DROP TRIGGER events_typed; PRAGMA user_version = 1", msg, sizeof(msg)),
              SQLITE_OK);
    rec_close(open_with_clock(dir, &clock, test_log));
    ASSERT_EQ(sql_int(db, "PRAGMA user_version"), 2);
    static const char *const inserts[] = {
        "INSERT INTO events SELECT seq + 100, CAST(type AS BLOB), utc_ns, clock_source, mono_ns, "
        "boot_id, session, payload, prev_hash, hash FROM events WHERE seq = 1",
        "INSERT INTO events SELECT seq + 100, type || char(0), utc_ns, clock_source, mono_ns, "
        "boot_id, session, payload, prev_hash, hash FROM events WHERE seq = 1",
        "INSERT INTO events SELECT seq + 100, type, utc_ns || 'x', clock_source, mono_ns, "
        "boot_id, session, payload, prev_hash, hash FROM events WHERE seq = 1",
        "INSERT INTO events SELECT seq + 100, type, utc_ns, clock_source, mono_ns, "
        "boot_id, CAST('s' AS BLOB), payload, prev_hash, hash FROM events WHERE seq = 1",
        "INSERT INTO events SELECT seq + 100, type, utc_ns, clock_source, mono_ns, "
        "boot_id, '', payload, prev_hash, hash FROM events WHERE seq = 1",
        "INSERT INTO events SELECT seq + 100, type, utc_ns, clock_source, mono_ns, "
        "boot_id, session, payload, prev_hash, hex(hash) FROM events WHERE seq = 1",
    };
    for (size_t i = 0; i < sizeof(inserts) / sizeof(inserts[0]); i++) {
        ASSERT_NE(sql_exec(db, inserts[i], msg, sizeof(msg)), SQLITE_OK);
        if (!strstr(msg, "wrong type or a NUL byte")) TEST_FAIL("insert %zu: %s", i, msg);
    }
    /* the well-typed copy passes the trigger (and only fails the chain) */
    ASSERT_EQ(sql_exec(db,
                       "INSERT INTO events SELECT seq + 100, type, utc_ns, clock_source, mono_ns, "
                       "boot_id, session, payload, prev_hash, hash FROM events WHERE seq = 1",
                       msg, sizeof(msg)),
              SQLITE_OK);
    free(db);
    free(dir);
    sc_log_destroy(test_log);
}

static void test_refuses_newer_or_damaged(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("store-newer");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    rec_close(open_with_clock(dir, &clock, test_log));
    char *db = path_in(dir, "record.sqlite");
    char msg[128];
    ASSERT_EQ(sql_exec(db, "PRAGMA user_version = 99", msg, sizeof(msg)), SQLITE_OK);
    struct rec_options o = {.data_dir = dir, .clock = fake_clock_read, .clock_ctx = &clock};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, test_log, &rec), REC_ESCHEMA);
    ASSERT_TRUE(rec == NULL);
    free(db);
    free(dir);

    dir = test_dir("store-garbage");
    char *data = path_in(dir, "d");
    ASSERT_EQ(mkdir(data, 0750), 0);
    db = path_in(data, "record.sqlite");
    char junk[8192];
    memset(junk, 'x', sizeof(junk));
    write_text(db, junk, sizeof(junk));
    o.data_dir = data;
    ASSERT_EQ(rec_open(&o, test_log, &rec), REC_ECORRUPT);
    free(db);
    free(data);
    free(dir);
    sc_log_destroy(test_log);
}

/* ---- full and read-only disks ------------------------------------------ */

static bool try_mount_tmpfs(const char *dir, const char *size)
{
    char options[64];
    snprintf(options, sizeof(options), "size=%s,mode=0755", size);
    return mount("tmpfs", dir, "tmpfs", 0, options) == 0;
}

/* Appends until the disk refuses; returns the last sequence number that was
 * reported durable. */
static int64_t append_until_full(struct rec *rec, int *error)
{
    int64_t last = rec_last_seq(rec);
    char payload[1024];
    for (int i = 0; i < 100000; i++) {
        snprintf(payload, sizeof(payload), "{\"filler\":\"%0900d\"}", i);
        int rc = rec_note(rec, "bulk_test", payload);
        if (rc != 0) { /* an earlier queued note failed: what was committed before it holds */
            *error = rc;
            return rec_last_recorded_seq(rec);
        }
        last = rec_last_recorded_seq(rec);
    }
    *error = 0;
    return last;
}

static void fill_disk_as(const char *dir, const char *name)
{
    char *filler = path_in(dir, name);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(fd >= 0);
    char block[4096] = {0};
    while (write(fd, block, sizeof(block)) > 0)
        ;
    close(fd);
    free(filler);
}

static void fill_disk(const char *dir)
{
    fill_disk_as(dir, "filler");
}

static void check_after_full(const char *data, struct fake_clock *clock, int64_t durable)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    struct rec *rec = open_with_clock(data, clock, test_log);
    ASSERT_EQ(rec_check(rec), 0);
    /* nothing reported durable was lost (events queued before the failure
     * was known may have been committed after it: more is fine) */
    ASSERT_GE(rec_last_seq(rec), durable);
    ASSERT_EQ(rec_note(rec, "bulk_test", "{}"), 0);
    rec_close(rec);
    sc_log_destroy(test_log);
}

static void test_full_disk_tmpfs(const char *mnt)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *data = path_in(mnt, "data");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    struct rec *rec = open_with_clock(data, &clock, test_log);
    import_roster(rec, data, "number,name,category\n001,甲,党员\n");
    const char *present[] = {"001"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "满盘", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fill_disk(mnt);
    int error = 0;
    int64_t durable = append_until_full(rec, &error);
    ASSERT_EQ(error, -ENOSPC);
    ASSERT_STR_EQ(rec_strerror(error), "the disk is full");
    /* the bytes a large failed commit left free could still take a heartbeat */
    fill_disk_as(mnt, "filler2");
    /* a playing session's heartbeat fails clearly, and retries at the next
     * interval rather than on every loop turn */
    fake_clock_advance(&clock, 10);
    ASSERT_EQ(rec_session_tick(s), -ENOSPC);
    ASSERT_EQ(rec_session_tick(s), 0);
    fake_clock_advance(&clock, 10);
    ASSERT_EQ(rec_session_tick(s), -ENOSPC);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), -ENOSPC);
    /* a new session cannot start, and says why */
    ASSERT_EQ(rec_session_open(rec, "课程", NULL, 0, &s), -ENOSPC);
    /* an export to the full disk fails cleanly and leaves the record alone */
    char *out = path_in(mnt, "export");
    ASSERT_EQ(rec_export(rec, out, INT64_MIN, INT64_MAX, REC_EXPORT_ALL), -ENOSPC);
    rec_close(rec);
    char *filler = path_in(mnt, "filler");
    ASSERT_EQ(unlink(filler), 0);
    free(filler);
    filler = path_in(mnt, "filler2");
    ASSERT_EQ(unlink(filler), 0);
    check_after_full(data, &clock, durable + 1); /* + the recovery's close */
    rec = open_with_clock(data, &clock, test_log);
    int64_t total = rec_last_seq(rec); /* all of it, as the read-only opens must find */
    struct rec_session_summary *all;
    size_t n;
    ASSERT_EQ(rec_sessions(rec, INT64_MIN, INT64_MAX, &all, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_TRUE(all[0].interrupted); /* closed at its last durable event */
    rec_sessions_free(all, n);
    rec_close(rec);
    fprintf(stderr, "full disk (tmpfs): %lld events durable before ENOSPC\n", (long long)durable);

    /* read-only: the record refuses to open for writing, clearly */
    ASSERT_EQ(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
    struct rec_options o = {.data_dir = data, .clock = fake_clock_read, .clock_ctx = &clock};
    ASSERT_EQ(rec_open(&o, test_log, &rec), -EROFS);
    /* ... but opens for reading (issue 12 #6), and recording through that
     * handle fails as read-only */
    o.read_only = true;
    ASSERT_EQ(rec_open(&o, test_log, &rec), 0);
    ASSERT_EQ(rec_check(rec), 0);
    ASSERT_EQ(rec_last_seq(rec), total);
    ASSERT_EQ(rec_setting_set(rec, "station_name", "只读"), -EROFS);
    struct rec_session *ro_s = NULL;
    ASSERT_EQ(rec_session_open(rec, "课程", NULL, 0, &ro_s), -EROFS);
    rec_close(rec);
    ASSERT_EQ(mount(NULL, mnt, NULL, MS_REMOUNT, NULL), 0);
    rec = open_with_clock(data, &clock, test_log);
    ASSERT_EQ(rec_check(rec), 0);
    ASSERT_EQ(rec_last_seq(rec), total);
    /* export to a read-only target */
    ASSERT_EQ(mkdir(out, 0755) == 0 || errno == EEXIST, 1);
    char *ro = test_dir("store-ro-target");
    ASSERT_TRUE(try_mount_tmpfs(ro, "1m"));
    ASSERT_EQ(mount(NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
    ASSERT_EQ(rec_export(rec, ro, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), -EROFS);
    ASSERT_EQ(umount2(ro, MNT_DETACH), 0);
    /* and to a directory whose parent vanished (stick pulled) */
    char *gone = path_in(ro, "no/such/dir");
    ASSERT_EQ(rec_export(rec, gone, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), -ENOENT);
    /* a mount point (a stick's root) cannot be renamed: the export is staged
     * inside it and its files moved in; exporting again replaces them */
    char *stick = test_dir("store-stick-root");
    ASSERT_TRUE(try_mount_tmpfs(stick, "16m"));
    ASSERT_EQ(rec_export(rec, stick, INT64_MIN, INT64_MAX, REC_EXPORT_ALL), 0);
    ASSERT_EQ(rec_verify_export(stick, NULL, NULL, NULL), 0);
    ASSERT_EQ(rec_export(rec, stick, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), 0);
    ASSERT_EQ(rec_verify_export(stick, NULL, NULL, NULL), 0);
    char *staging = path_in(stick, ".studycast-staging");
    char *xapi = path_in(stick, "xapi-statements.json");
    ASSERT_TRUE(access(staging, F_OK) != 0 && access(xapi, F_OK) != 0);
    ASSERT_EQ(umount2(stick, MNT_DETACH), 0);
    free(xapi);
    free(staging);
    free(stick);
    ASSERT_EQ(rec_last_seq(rec), total);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    fprintf(stderr, "read-only: tmpfs remounted read-only\n");
    free(gone);
    free(ro);
    free(filler);
    free(out);
    free(data);
    sc_log_destroy(test_log);
}

/* Without mount: RLIMIT_FSIZE makes writes fail past a size (EFBIG), and an
 * unprivileged child meets a directory it cannot write. */
static void test_full_disk_rlimit(const char *dir)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *data = path_in(dir, "data");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    rec_close(open_with_clock(data, &clock, test_log));
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {256 * 1024, 256 * 1024};
        setrlimit(RLIMIT_FSIZE, &lim);
        struct rec *rec = open_with_clock(data, &clock, NULL);
        int error = 0;
        int64_t durable = append_until_full(rec, &error);
        rec_close(rec);
        int64_t report[2] = {durable, error};
        if (write(pipefd[1], report, sizeof(report)) != sizeof(report)) _exit(2);
        _exit(0);
    }
    close(pipefd[1]);
    int64_t report[2] = {0, 0};
    ASSERT_EQ(read(pipefd[0], report, sizeof(report)), sizeof(report));
    close(pipefd[0]);
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_EQ(report[1], -ENOSPC);
    check_after_full(data, &clock, report[0]);
    fprintf(stderr, "full disk (RLIMIT_FSIZE): %lld events durable before the limit\n",
            (long long)report[0]);

    if (geteuid() == 0) {
        ASSERT_EQ(chmod(dir, 0755), 0);
        child = fork();
        ASSERT_TRUE(child >= 0);
        if (child == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
            struct rec_options o = {
                .data_dir = data, .clock = fake_clock_read, .clock_ctx = &clock};
            struct rec *rec = NULL;
            int rc = rec_open(&o, NULL, &rec);
            _exit(rc == -EROFS || rc == -EACCES ? 0 : 4);
        }
        ASSERT_EQ(waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        fprintf(stderr, "read-only: unprivileged process, data dir not writable\n");
    }
    free(data);
    sc_log_destroy(test_log);
}

static void test_full_and_read_only(void)
{
    /* a private mount namespace: our tmpfs mounts vanish with the process,
     * even if an assertion aborts it half-way */
    if (unshare(CLONE_NEWNS) == 0) mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    char *mnt = test_dir("store-disk");
    if (try_mount_tmpfs(mnt, "640k")) {
        test_full_disk_tmpfs(mnt);
        ASSERT_EQ(umount2(mnt, MNT_DETACH), 0);
    } else {
        fprintf(stderr, "cannot mount here (%s): using RLIMIT_FSIZE\n", strerror(errno));
        test_full_disk_rlimit(mnt);
    }
    /* the fallback runs everywhere, so it stays proven too */
    char *other = test_dir("store-rlimit");
    test_full_disk_rlimit(other);
    free(other);
    free(mnt);
}

/* A read-only handle writes nothing in the data dir: no session.lock, no
 * directory for a record that does not exist (issue 12 #6). */
static void test_read_only_writes_nothing(void)
{
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("store-read-only");
    char *missing = path_in(dir, "none");
    struct rec_options o = {.data_dir = missing, .read_only = true};
    struct rec *rec = NULL;
    ASSERT_EQ(rec_open(&o, NULL, &rec), -ENOENT);
    ASSERT_TRUE(access(missing, F_OK) != 0);
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-01T00:00:00Z");
    rec = open_with_clock(dir, &clock, test_log);
    ASSERT_EQ(rec_setting_set(rec, "station_name", "张家村"), 0);
    int64_t seq = rec_last_seq(rec);
    rec_close(rec);
    char *lock = path_in(dir, "session.lock");
    ASSERT_EQ(unlink(lock), 0);
    o.data_dir = dir;
    ASSERT_EQ(rec_open(&o, test_log, &rec), 0);
    char name[64];
    ASSERT_EQ(rec_setting_get(rec, "station_name", name, sizeof(name)), 0);
    ASSERT_STR_EQ(name, "张家村");
    ASSERT_EQ(rec_last_seq(rec), seq);
    ASSERT_EQ(rec_note(rec, "course_cancelled", NULL), -EROFS);
    rec_close(rec);
    ASSERT_TRUE(access(lock, F_OK) != 0);
    free(lock);
    free(missing);
    free(dir);
    sc_log_destroy(test_log);
}

/* The writer thread: calls while playing only queue; each event carries the
 * time of its call, in call order; validation stays in the call; flush and
 * close make everything durable, and the durability counters say so. */
static void test_writer_queue(void)
{
    char *dir = test_dir("writer");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-05T11:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, NULL);
    import_roster(rec, dir, "number,name,category\n001,甲,党员\n002,乙,干部\n");
    const char *present[] = {"001"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "队列", present, 1, &s), 0);
    struct rec_durability d;
    rec_durability(rec, &d);
    ASSERT_EQ(d.queued, 2); /* session_opened and the check-in ... */
    ASSERT_EQ(d.done, 2);   /* ... durable when the open returns */
    ASSERT_EQ(d.last_seq, rec_last_seq(rec));
    int64_t first_mono = clock.mono_ns;
    for (int i = 0; i < 300; i++) {
        fake_clock_advance(&clock, 1);
        ASSERT_EQ(i % 100 == 50 ? rec_session_check_in(s, "002") : rec_session_heartbeat(s), 0);
    }
    ASSERT_EQ(rec_session_check_in(s, "999"), -ENOENT); /* refused in the call */
    rec_durability(rec, &d);
    ASSERT_EQ(d.queued, 302);
    ASSERT_LE(d.done, d.queued);
    ASSERT_EQ(rec_flush(rec), 0);
    rec_durability(rec, &d);
    ASSERT_EQ(d.done, 302);
    ASSERT_EQ(d.failure, 0);
    ASSERT_EQ(d.last_seq, rec_last_seq(rec));
    ASSERT_EQ(rec_last_recorded_seq(rec), d.last_seq);
    ASSERT_EQ(rec_check(rec), 0);
    char *db = path_in(dir, "record.sqlite");
    /* each event has its call's time, one second apart, in call order (the
     * open's check-in included) */
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM events e JOIN events f ON f.seq = e.seq + 1 "
                          "WHERE e.type IN ('heartbeat','member_checked_in') AND "
                          "f.type IN ('heartbeat','member_checked_in') AND "
                          "f.mono_ns - e.mono_ns = 1000000000"),
              300);
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM events WHERE type = 'member_checked_in' AND "
                          "json_extract(payload, '$.member') = '002'"),
              3);
    ASSERT_EQ(sql_int(db, "SELECT min(mono_ns) FROM events WHERE type = 'heartbeat'"),
              first_mono + 1000000000);
    /* queued, then closed: the close waits for everything before it */
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(rec_session_heartbeat(s), 0);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    rec_durability(rec, &d);
    ASSERT_EQ(d.done, d.queued);
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM events WHERE type = 'heartbeat'"), 347);
    ASSERT_EQ(sql_int(db, "SELECT max(seq) FROM events"), d.last_seq);
    /* notes are queued too, and rec_close commits them */
    ASSERT_EQ(rec_note(rec, "schedule_planned", "{\"n\":1}"), 0);
    rec_close(rec);
    ASSERT_EQ(sql_int(db, "SELECT count(*) FROM events WHERE type = 'schedule_planned'"), 1);
    free(db);
    free(dir);
}

int main(void)
{
    RUN_TEST(test_writer_queue);
    RUN_TEST(test_first_start);
    RUN_TEST(test_append_only_and_tamper);
    RUN_TEST(test_typed_tamper);
    RUN_TEST(test_typed_insert_refused);
    RUN_TEST(test_refuses_newer_or_damaged);
    RUN_TEST(test_full_and_read_only);
    RUN_TEST(test_read_only_writes_nothing);
    return 0;
}
