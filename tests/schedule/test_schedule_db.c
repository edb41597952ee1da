/* schedule: the SQLite file (add/get/list/update/remove, persistence across
 * reopen, WAL and schema version, a newer schema refused, a damaged row
 * skipped, the old kind names migrated) and the course library (file names,
 * partial captures, finding the newest). */
#include "kiosk/schedule/schedule.h"
#include "tests/test.h"

#include <errno.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CST (8 * 3600)

static int64_t at(const char *iso)
{
    int64_t t;
    if (sc_parse_iso8601(iso, &t) != 0) TEST_FAIL("bad time in test: %s", iso);
    return t;
}

static void make_temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/sch_XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ASSERT_EQ(system(cmd), 0);
}

static struct sch_entry sample(const char *title, const char *source, const char *repeat)
{
    struct sch_entry e;
    sch_entry_init(&e);
    snprintf(e.title, sizeof(e.title), "%s", title);
    ASSERT_EQ(sch_source_parse(source, &e.source, NULL, 0), 0);
    ASSERT_EQ(sch_parse_local("2026-12-01T19:30", CST, &e.start_utc), 0);
    e.utc_offset_s = CST;
    e.duration_min = 90;
    ASSERT_EQ(sch_repeat_parse(repeat, &e.weekdays), 0);
    return e;
}

static int64_t sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void crud_and_persistence(void)
{
    char dir[64];
    make_temp_dir(dir, sizeof(dir));
    struct sc_log *log = sc_log_create(stderr, SC_LOG_WARN);
    struct sch_db *s;
    ASSERT_EQ(sch_db_open(dir, log, &s), 0);

    struct sch_entry a = sample("农业技术 第3讲", "service:101", "daily");
    struct sch_entry b = sample("党课", "capture:1", "mon,wed");
    b.kind = SCH_REPLAY;
    b.until_event_end = false;
    struct sch_entry c = sample("新闻联播", "service:5@udp://239.0.0.1:1234", "once");
    c.kind = SCH_CAPTURE;
    c.until_event_end = true;
    c.counts = false;
    ASSERT_EQ(sch_db_add(s, &a), 0);
    ASSERT_EQ(sch_db_add(s, &b), 0);
    ASSERT_EQ(sch_db_add(s, &c), 0);
    ASSERT_EQ(a.id, 1);
    ASSERT_EQ(b.id, 2);
    ASSERT_EQ(c.id, 3);

    /* A bad entry is refused and nothing is stored. */
    struct sch_entry bad = sample("", "service:1", "once");
    ASSERT_EQ(sch_db_add(s, &bad), -EINVAL);

    struct sch_entry got;
    ASSERT_EQ(sch_db_get(s, 3, &got), 0);
    ASSERT_STR_EQ(got.title, "新闻联播");
    ASSERT_EQ(got.source.type, SCH_SOURCE_SERVICE);
    ASSERT_EQ(got.source.service_id, 5);
    ASSERT_STR_EQ(got.source.location, "udp://239.0.0.1:1234");
    ASSERT_TRUE(got.until_event_end);
    ASSERT_EQ(got.kind, SCH_CAPTURE);
    ASSERT_FALSE(got.counts);
    ASSERT_EQ(got.start_utc, at("2026-12-01T11:30Z"));
    ASSERT_EQ(got.utc_offset_s, CST);
    ASSERT_EQ(sch_db_get(s, 99, &got), -ENOENT);

    /* Update, then remove; both report a missing id. */
    b.duration_min = 45;
    snprintf(b.title, sizeof(b.title), "党课（重播）");
    ASSERT_EQ(sch_db_update(s, &b), 0);
    struct sch_entry ghost = b;
    ghost.id = 42;
    ASSERT_EQ(sch_db_update(s, &ghost), -ENOENT);
    ASSERT_EQ(sch_db_remove(s, 1), 0);
    ASSERT_EQ(sch_db_remove(s, 1), -ENOENT);
    sch_db_close(s);

    /* Everything is on disk: reopen and list. */
    ASSERT_EQ(sch_db_open(dir, log, &s), 0);
    struct sch_entry *list;
    size_t n;
    ASSERT_EQ(sch_db_list(s, &list, &n), 0);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(list[0].id, 2);
    ASSERT_STR_EQ(list[0].title, "党课（重播）");
    ASSERT_EQ(list[0].duration_min, 45);
    ASSERT_EQ(list[0].weekdays, 0x05);
    ASSERT_EQ(list[0].kind, SCH_REPLAY);
    ASSERT_EQ(list[0].source.capture_entry_id, 1);
    ASSERT_EQ(list[1].id, 3);
    free(list);
    /* Ids are never reused, so a log that names entry 1 stays unambiguous. */
    struct sch_entry d = sample("d", "service:9", "once");
    ASSERT_EQ(sch_db_add(s, &d), 0);
    ASSERT_EQ(d.id, 4);
    sch_db_close(s);

    char path[128];
    snprintf(path, sizeof(path), "%s/schedule.db", dir);
    ASSERT_EQ(sql_int(path, "PRAGMA user_version"), 2);
    sqlite3 *db;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    /* A row damaged by hand is skipped (and logged), the rest still loads. */
    sql_exec(path, "UPDATE entries SET source = 'ftp://nowhere' WHERE id = 3");
    ASSERT_EQ(sch_db_open(dir, log, &s), 0);
    ASSERT_EQ(sch_db_list(s, &list, &n), 0);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(list[0].id, 2);
    ASSERT_EQ(list[1].id, 4);
    free(list);
    ASSERT_EQ(sch_db_get(s, 3, &got), -EINVAL);
    sch_db_close(s);

    /* A file from a newer studycast is left alone. */
    sql_exec(path, "PRAGMA user_version = 99");
    s = (struct sch_db *)1;
    ASSERT_EQ(sch_db_open(dir, log, &s), SCH_ESCHEMA);
    ASSERT_TRUE(s == NULL);
    ASSERT_EQ(sql_int(path, "PRAGMA user_version"), 99);
    ASSERT_EQ(sql_int(path, "SELECT count(*) FROM entries"), 3);

    /* A missing data dir is an error, not a crash. */
    sql_exec(path, "PRAGMA user_version = 2");
    struct sch_db *kiosk, *cli;
    ASSERT_EQ(sch_db_open(dir, log, &kiosk), 0);
    ASSERT_FALSE(sch_db_changed_elsewhere(kiosk));
    ASSERT_EQ(sch_db_open(dir, log, &cli), 0);
    struct sch_entry e = sample("e", "service:3", "daily");
    ASSERT_EQ(sch_db_add(cli, &e), 0);
    /* The kiosk's connection notices the other's change, once. */
    ASSERT_TRUE(sch_db_changed_elsewhere(kiosk));
    ASSERT_FALSE(sch_db_changed_elsewhere(kiosk));
    /* Its own changes are not "elsewhere". */
    ASSERT_EQ(sch_db_remove(kiosk, e.id), 0);
    ASSERT_FALSE(sch_db_changed_elsewhere(kiosk));
    ASSERT_TRUE(sch_db_changed_elsewhere(cli));
    sch_db_close(cli);
    sch_db_close(kiosk);

    ASSERT_LT(sch_db_open("/nonexistent/studycast", log, &s), 0);
    sch_db_close(NULL);
    sc_log_destroy(log);
    remove_tree(dir);
}

static const char *sql_text(sqlite3 *db, sqlite3_stmt **stmt, const char *sql)
{
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, stmt, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(*stmt), SQLITE_ROW);
    return (const char *)sqlite3_column_text(*stmt, 0);
}

/* A schedule.db written by a studycast of schema 1, when a broadcast written
 * to the library was a "record" entry and playing it a "recording" entry
 * with the source "recording:ID": opened now, it lists capture and replay,
 * and the file itself holds the new names. */
static void migrates_old_kind_names(void)
{
    char dir[64], path[128];
    make_temp_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/schedule.db", dir);
    sql_exec(path, "CREATE TABLE entries ("
                   "  id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,"
                   "  source TEXT NOT NULL, start_utc INTEGER NOT NULL,"
                   "  utc_offset_s INTEGER NOT NULL, duration_min INTEGER NOT NULL,"
                   "  until_event_end INTEGER NOT NULL, weekdays INTEGER NOT NULL,"
                   "  kind TEXT NOT NULL, counts INTEGER NOT NULL,"
                   "  created_utc INTEGER NOT NULL, updated_utc INTEGER NOT NULL);"
                   "INSERT INTO entries VALUES (1, '农业新闻（录制）', 'service:2', 1796124600,"
                   "  28800, 30, 0, 127, 'record', 0, 1796000000, 1796000000);"
                   "INSERT INTO entries VALUES (2, '农业新闻（回放）', 'recording:1', 1796149800,"
                   "  28800, 30, 0, 127, 'recording', 1, 1796000000, 1796000000);"
                   "INSERT INTO entries VALUES (3, '党课', 'service:5', 1796131800,"
                   "  28800, 60, 0, 0, 'live', 1, 1796000000, 1796000000);"
                   "PRAGMA user_version = 1;");
    struct sc_log *log = sc_log_create(stderr, SC_LOG_WARN);
    struct sch_db *s;
    ASSERT_EQ(sch_db_open(dir, log, &s), 0);
    struct sch_entry *list;
    size_t n;
    ASSERT_EQ(sch_db_list(s, &list, &n), 0);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(list[0].kind, SCH_CAPTURE);
    ASSERT_STR_EQ(sch_kind_name(list[0].kind), "capture");
    ASSERT_FALSE(list[0].counts);
    ASSERT_EQ(list[1].kind, SCH_REPLAY);
    ASSERT_STR_EQ(sch_kind_name(list[1].kind), "replay");
    ASSERT_EQ(list[1].source.type, SCH_SOURCE_CAPTURE);
    ASSERT_EQ(list[1].source.capture_entry_id, 1);
    ASSERT_EQ(list[2].kind, SCH_LIVE);
    char source[64];
    sch_source_format(&list[1].source, source, sizeof(source));
    ASSERT_STR_EQ(source, "capture:1");
    /* The replay still names an existing capture entry. */
    ASSERT_EQ(sch_check_references(list, n, &list[1], NULL, 0), 0);
    free(list);
    sch_db_close(s);

    /* Rewritten in the file, not only read through the aliases. */
    ASSERT_EQ(sql_int(path, "PRAGMA user_version"), 2);
    ASSERT_EQ(sql_int(path, "SELECT count(*) FROM entries WHERE kind IN ('record', 'recording')"
                            " OR source LIKE 'recording:%'"),
              0);
    sqlite3 *db;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    ASSERT_STR_EQ(sql_text(db, &stmt,
                           "SELECT group_concat(kind, ',') FROM"
                           " (SELECT kind FROM entries ORDER BY id)"),
                  "capture,replay,live");
    sqlite3_finalize(stmt);
    ASSERT_STR_EQ(sql_text(db, &stmt, "SELECT source FROM entries WHERE id = 2"), "capture:1");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    /* Nothing else moved. */
    ASSERT_EQ(sql_int(path, "SELECT updated_utc FROM entries WHERE id = 2"), 1796000000);
    sc_log_destroy(log);
    remove_tree(dir);
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs("ts", f);
    fclose(f);
}

static void library_names_and_partial(void)
{
    char dir[64];
    make_temp_dir(dir, sizeof(dir));
    ASSERT_EQ(sch_library_ensure(dir), 0);
    ASSERT_EQ(sch_library_ensure(dir), 0); /* idempotent */

    char path[1024], expected[1024];
    int64_t dec1 = at("2026-12-01T10:00+08:00");
    ASSERT_EQ(sch_library_capture_path(dir, 7, dec1, CST, SCH_LIBRARY_WRITING, path, sizeof(path)),
              0);
    snprintf(expected, sizeof(expected), "%s/library/rec-7-20261201-1000.ts.part", dir);
    ASSERT_STR_EQ(path, expected);
    /* Deterministic: the same entry and occurrence, the same file. */
    char again[1024];
    ASSERT_EQ(
        sch_library_capture_path(dir, 7, dec1, CST, SCH_LIBRARY_WRITING, again, sizeof(again)), 0);
    ASSERT_STR_EQ(again, path);
    /* The name is in local time: 01:30 UTC+8 is the previous day in UTC. */
    ASSERT_EQ(sch_library_capture_path(dir, 7, at("2026-12-01T01:30+08:00"), CST,
                                       SCH_LIBRARY_COMPLETE, path, sizeof(path)),
              0);
    snprintf(expected, sizeof(expected), "%s/library/rec-7-20261201-0130.ts", dir);
    ASSERT_STR_EQ(path, expected);
    ASSERT_EQ(sch_library_capture_path(dir, 0, dec1, CST, SCH_LIBRARY_COMPLETE, path, 4), -EINVAL);
    ASSERT_EQ(sch_library_capture_path(dir, 7, dec1, CST, SCH_LIBRARY_COMPLETE, path, 10),
              -ENAMETOOLONG);

    struct sch_library_item item;
    ASSERT_EQ(sch_library_find_newest(dir, 7, dec1 + 86400 * 10, CST, true, &item), -ENOENT);

    /* Dec 1 captured completely; Dec 2 cut off; Dec 3 still being written. */
    int64_t dec2 = dec1 + 86400, dec3 = dec2 + 86400;
    ASSERT_EQ(sch_library_capture_path(dir, 7, dec1, CST, SCH_LIBRARY_WRITING, path, sizeof(path)),
              0);
    touch(path);
    ASSERT_EQ(sch_library_finish_capture(dir, 7, dec1, CST, true), 0);
    ASSERT_EQ(access(path, F_OK), -1);
    ASSERT_EQ(sch_library_capture_path(dir, 7, dec2, CST, SCH_LIBRARY_WRITING, path, sizeof(path)),
              0);
    touch(path);
    ASSERT_EQ(sch_library_finish_capture(dir, 7, dec2, CST, false), 0);
    ASSERT_EQ(sch_library_capture_path(dir, 7, dec3, CST, SCH_LIBRARY_WRITING, path, sizeof(path)),
              0);
    touch(path);
    /* Another entry's capture and stray files are ignored. */
    ASSERT_EQ(sch_library_capture_path(dir, 8, dec3, CST, SCH_LIBRARY_COMPLETE, path, sizeof(path)),
              0);
    touch(path);
    snprintf(path, sizeof(path), "%s/library/rec-7-notes.txt", dir);
    touch(path);
    snprintf(path, sizeof(path), "%s/library/rec-7-20261209-1000.mp4", dir);
    touch(path);
    /* Finishing a capture that was never started reports it. */
    ASSERT_EQ(sch_library_finish_capture(dir, 7, dec3 + 86400, CST, true), -ENOENT);

    /* Study time on the 4th: the newest complete one is the 1st's. */
    int64_t study = dec3 + 86400;
    ASSERT_EQ(sch_library_find_newest(dir, 7, study, CST, false, &item), 0);
    ASSERT_EQ(item.occurrence_utc, dec1);
    ASSERT_EQ(item.state, SCH_LIBRARY_COMPLETE);
    ASSERT_EQ(item.capture_entry_id, 7);
    snprintf(expected, sizeof(expected), "%s/library/rec-7-20261201-1000.ts", dir);
    ASSERT_STR_EQ(item.path, expected);
    /* Partial ones allowed: the 2nd's, marked partial. */
    ASSERT_EQ(sch_library_find_newest(dir, 7, study, CST, true, &item), 0);
    ASSERT_EQ(item.occurrence_utc, dec2);
    ASSERT_EQ(item.state, SCH_LIBRARY_PARTIAL);
    snprintf(expected, sizeof(expected), "%s/library/rec-7-20261202-1000.partial.ts", dir);
    ASSERT_STR_EQ(item.path, expected);
    /* Only captures made before the study time count. */
    ASSERT_EQ(sch_library_find_newest(dir, 7, dec1, CST, true, &item), -ENOENT);
    ASSERT_EQ(sch_library_find_newest(dir, 8, study, CST, false, &item), 0);
    ASSERT_EQ(item.occurrence_utc, dec3);
    ASSERT_EQ(sch_library_find_newest(dir, 9, study, CST, true, &item), -ENOENT);
    /* The whole library for the menu, newest first; a hand-copied file is
     * listed by its modification time, hidden files are not. */
    snprintf(path, sizeof(path), "%s/library/.hidden.ts", dir);
    touch(path);
    snprintf(path, sizeof(path), "%s/library/讲座.ts", dir);
    touch(path);
    /* Fixed modification times keep the order independent of today's date. */
    struct timespec y2021[2] = {{.tv_sec = at("2021-01-01T00:00Z")},
                                {.tv_sec = at("2021-01-01T00:00Z")}};
    struct timespec y2020[2] = {{.tv_sec = at("2020-01-01T00:00Z")},
                                {.tv_sec = at("2020-01-01T00:00Z")}};
    ASSERT_EQ(utimensat(AT_FDCWD, path, y2021, 0), 0);
    snprintf(path, sizeof(path), "%s/library/rec-7-notes.txt", dir);
    ASSERT_EQ(utimensat(AT_FDCWD, path, y2020, 0), 0);
    snprintf(path, sizeof(path), "%s/library/rec-7-20261209-1000.mp4", dir);
    ASSERT_EQ(utimensat(AT_FDCWD, path, y2020, 0), 0);
    struct sch_library_item *items;
    size_t n;
    ASSERT_EQ(sch_library_list(dir, CST, &items, &n), 0);
    ASSERT_EQ(n, 7);                          /* 4 captures, notes.txt, the .mp4, 讲座.ts */
    ASSERT_EQ(items[0].occurrence_utc, dec3); /* the 3rd: two files, by name */
    ASSERT_EQ(items[0].capture_entry_id, 7);
    ASSERT_EQ(items[0].state, SCH_LIBRARY_WRITING);
    ASSERT_EQ(items[1].capture_entry_id, 8);
    ASSERT_EQ(items[2].state, SCH_LIBRARY_PARTIAL);
    ASSERT_EQ(items[3].state, SCH_LIBRARY_COMPLETE);
    ASSERT_EQ(items[3].occurrence_utc, dec1);
    ASSERT_EQ(items[4].capture_entry_id, 0); /* 讲座.ts, 2021 */
    ASSERT_TRUE(strstr(items[4].path, "讲座.ts") != NULL);
    ASSERT_EQ(items[4].occurrence_utc, at("2021-01-01T00:00Z"));
    ASSERT_TRUE(strstr(items[5].path, "rec-7-20261209-1000.mp4") != NULL); /* 2020, by name */
    ASSERT_TRUE(strstr(items[6].path, "rec-7-notes.txt") != NULL);
    for (size_t i = 0; i < n; i++)
        ASSERT_TRUE(strstr(items[i].path, ".hidden") == NULL);
    free(items);
    remove_tree(dir);
    ASSERT_EQ(sch_library_find_newest(dir, 7, study, CST, true, &item), -ENOENT);
    ASSERT_EQ(sch_library_list(dir, CST, &items, &n), 0);
    ASSERT_EQ(n, 0);
}

int main(void)
{
    RUN_TEST(crud_and_persistence);
    RUN_TEST(migrates_old_kind_names);
    RUN_TEST(library_names_and_partial);
    return 0;
}
