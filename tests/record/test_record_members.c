/* Roster import: UTF-8 with and without BOM, CRLF, quoting, GB18030 (from
 * Chinese spreadsheets), every kind of bad row reported by its line, nothing
 * imported when any row is bad, and re-imports as add/update/remove events. */
#include "tests/record/rec_test_util.h"

#include <iconv.h>

static struct rec *fresh(const char *prefix, char **dir, struct fake_clock *clock)
{
    *dir = test_dir(prefix);
    fake_clock_set(clock, "2026-11-01T00:00:00Z");
    return open_with_clock(*dir, clock, NULL); /* problems come back in results */
}

static int import_bytes_flags(struct rec *rec, const char *dir, const char *bytes, size_t len,
                              unsigned flags, struct rec_import_result *r)
{
    char *p = path_in(dir, "in.csv");
    write_text(p, bytes, len);
    int rc = rec_members_import(rec, p, flags, r);
    free(p);
    return rc;
}

static int import_bytes(struct rec *rec, const char *dir, const char *bytes, size_t len,
                        struct rec_import_result *r)
{
    return import_bytes_flags(rec, dir, bytes, len, REC_IMPORT_REPLACE, r);
}

static void expect_member(const struct rec_member *m, const char *number, const char *name,
                          enum rec_category cat, const char *card)
{
    ASSERT_STR_EQ(m->number, number);
    ASSERT_STR_EQ(m->name, name);
    ASSERT_EQ(m->category, cat);
    if (card)
        ASSERT_STR_EQ(m->card, card);
    else
        ASSERT_TRUE(m->card == NULL);
}

static void test_good_utf8_bom_crlf_quotes(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-good", &dir, &clock);
    const char csv[] = "\xEF\xBB\xBF"
                       "Number, Name ,CATEGORY,card\r\n"
                       "001,张三,党员,A-1\r\n"
                       "10,\"Wang, \"\"Old\"\" Wu\",villager,\r\n"
                       "\r\n"
                       "2,李四,cadre,\"B,2\"\r\n"
                       "003,  欧阳  娜 ,群众,\r\n";
    struct rec_import_result r;
    ASSERT_EQ(import_bytes(rec, dir, csv, sizeof(csv) - 1, &r), 0);
    ASSERT_EQ(r.added, 4);
    ASSERT_EQ(r.n_problems, 0);
    rec_import_result_free(&r);
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 4);
    expect_member(&m[0], "001", "张三", REC_PARTY_MEMBER, "A-1"); /* numeric order */
    expect_member(&m[1], "2", "李四", REC_CADRE, "B,2");
    expect_member(&m[2], "003", "欧阳  娜", REC_VILLAGER, NULL);
    expect_member(&m[3], "10", "Wang, \"Old\" Wu", REC_VILLAGER, NULL);
    rec_members_free(m, n);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
}

static void test_gb18030(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-gb", &dir, &clock);
    const char utf8[] = "number,name,category,card\r\n001,张三丰,党员,\r\n002,李梅,群众,C9\r\n"
                        "003,𠀀生,干部,\r\n"; /* a CJK Extension B name: 4 bytes in GB18030 */
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ASSERT_TRUE(cd != (iconv_t)-1);
    char gb[256];
    char *in = (char *)utf8, *out = gb;
    size_t in_left = sizeof(utf8) - 1, out_left = sizeof(gb);
    ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), (size_t)-1);
    iconv_close(cd);
    size_t gb_len = sizeof(gb) - out_left;
    ASSERT_TRUE(gb_len != sizeof(utf8) - 1); /* really another encoding */
    struct rec_import_result r;
    ASSERT_EQ(import_bytes(rec, dir, gb, gb_len, &r), 0);
    ASSERT_EQ(r.added, 3);
    rec_import_result_free(&r);
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 3);
    expect_member(&m[0], "001", "张三丰", REC_PARTY_MEMBER, NULL);
    expect_member(&m[1], "002", "李梅", REC_VILLAGER, "C9");
    expect_member(&m[2], "003", "𠀀生", REC_CADRE, NULL);
    rec_members_free(m, n);
    rec_close(rec);
    free(dir);
}

static bool has_problem(const struct rec_import_result *r, int line, const char *text)
{
    for (size_t i = 0; i < r->n_problems; i++)
        if (r->problems[i].line == line && strstr(r->problems[i].message, text)) return true;
    return false;
}

/* A GB18030 roster with a UTF-8 row pasted in: refused, naming that line,
 * instead of imported with the row garbled. */
static void test_gb18030_mixed(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-mixed", &dir, &clock);
    /* number,name,category,card / 001,张三,党员, (GB18030) / 002,李梅,群众, (UTF-8) */
    const char mixed[] = "number,name,category,card\n001,\xD5\xC5\xC8\xFD,\xB5\xB3\xD4\xB1,\n"
                         "002,李梅,群众,\n";
    struct rec_import_result r;
    ASSERT_EQ(import_bytes(rec, dir, mixed, sizeof(mixed) - 1, &r), REC_EROSTER);
    ASSERT_TRUE(has_problem(&r, 3, "this line is UTF-8 but the rest of the file is not"));
    ASSERT_EQ(r.added, 0);
    rec_import_result_free(&r);
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 0);
    rec_members_free(m, n);
    rec_close(rec);
    free(dir);
}

/* Every kind of bad row, each reported at its line, and nothing imported
 * even though most rows are fine. */
static void test_bad_rows_nothing_imported(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-bad", &dir, &clock);
    import_roster(rec, dir, "number,name,category,card\n900,原有,党员,\n");
    int64_t events = rec_last_seq(rec);
    const char csv[] = "number,name,category,card\n" /* 1 */
                       "001,张三,党员,C1\n"          /* 2 fine */
                       "002,李四,工人,\n"            /* 3 unknown category */
                       "001,王五,群众,\n"            /* 4 duplicate number */
                       "004,,群众,\n"                /* 5 empty name */
                       "005,赵六,群众\n"             /* 6 too few columns */
                       "006,孙七,群众,C1\n"          /* 7 duplicate card */
                       "007,\"周\n八\",群众,\n"      /* 8-9 a line break in a name */
                       "008,吴九,干部,,extra\n"      /* 10 too many columns */
                       ",郑十,党员,\n"               /* 11 empty number */
                       "011,冯十一,党员,\n";         /* 12 fine */
    struct rec_import_result r;
    ASSERT_EQ(import_bytes(rec, dir, csv, sizeof(csv) - 1, &r), REC_EROSTER);
    ASSERT_TRUE(has_problem(&r, 3, "unknown category"));
    ASSERT_TRUE(has_problem(&r, 4, "duplicate member number 001 (first on line 2)"));
    ASSERT_TRUE(has_problem(&r, 5, "name is empty"));
    ASSERT_TRUE(has_problem(&r, 6, "expected 4 columns, found 3"));
    ASSERT_TRUE(has_problem(&r, 7, "duplicate card C1 (first on line 2)"));
    ASSERT_TRUE(has_problem(&r, 8, "name is invalid"));
    ASSERT_TRUE(has_problem(&r, 10, "expected 4 columns, found 5"));
    ASSERT_TRUE(has_problem(&r, 11, "member number is empty"));
    ASSERT_EQ(r.n_problems, 8);
    rec_import_result_free(&r);
    ASSERT_EQ(rec_last_seq(rec), events); /* not one event */
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(m[0].number, "900");
    rec_members_free(m, n);

    /* whole-file problems */
    const char *bad_files[][2] = {
        {"name,number,category,card\n1,a,党员,\n", "header"},
        {"", "empty"},
        {"number,name,category,card\n1,\"never closed,党员,\n", "never closed"},
        {"\xff\xfe\x00n\x00u\x00m", "NUL"},
        {"number,name,category,card\n1,\xff\xff\xff,党员,\n", "neither UTF-8 nor GB18030"},
    };
    size_t lens[] = {36, 0, 45, 9, 0};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t len = lens[i] ? lens[i] : strlen(bad_files[i][0]);
        ASSERT_EQ(import_bytes(rec, dir, bad_files[i][0], len, &r), REC_EROSTER);
        ASSERT_TRUE(r.n_problems >= 1);
        if (!strstr(r.problems[0].message, bad_files[i][1]))
            TEST_FAIL("case %zu: '%s' does not mention '%s'", i, r.problems[0].message,
                      bad_files[i][1]);
        rec_import_result_free(&r);
    }
    ASSERT_EQ(rec_last_seq(rec), events);
    char *missing = path_in(dir, "no-such.csv");
    ASSERT_EQ(rec_members_import(rec, missing, 0, &r), -ENOENT);
    rec_import_result_free(&r);
    free(missing);
    rec_close(rec);
    free(dir);
}

/* The file is the roster: re-importing updates, adds and removes, and a
 * removed member's past attendance stays in the record. */
static void test_reimport_changes(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-reimport", &dir, &clock);
    import_roster(rec, dir, "number,name,category,card\n1,甲,党员,\n2,乙,群众,\n3,丙,干部,\n");
    const char *present[] = {"3"};
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "课", present, 1, &s), 0);
    ASSERT_EQ(rec_session_playback(s, REC_PLAYBACK_STARTED), 0);
    fake_clock_advance(&clock, 600);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);

    struct rec_import_result r;
    const char csv[] = "number,name,category,card\n1,甲,党员,\n2,乙二,cadre,K2\n4,丁,群众,\n";
    ASSERT_EQ(import_bytes(rec, dir, csv, sizeof(csv) - 1, &r), 0);
    ASSERT_EQ(r.unchanged, 1);
    ASSERT_EQ(r.updated, 1);
    ASSERT_EQ(r.added, 1);
    ASSERT_EQ(r.removed, 1);
    rec_import_result_free(&r);
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 3);
    expect_member(&m[1], "2", "乙二", REC_CADRE, "K2");
    ASSERT_STR_EQ(m[2].number, "4");
    rec_members_free(m, n);
    struct rec_session_summary *all;
    ASSERT_EQ(rec_sessions(rec, INT64_MIN, INT64_MAX, &all, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(find_attendance(&all[0], "3")->seconds, 600);
    rec_sessions_free(all, n);
    /* a removed member can no longer check in */
    ASSERT_EQ(rec_session_open(rec, "课", present, 1, &s), -ENOENT);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
}

/* Issue 12 #8: a header-only roster is refused (it would remove everyone),
 * and an import that would remove members needs REC_IMPORT_REPLACE. */
static void test_removals_need_replace(void)
{
    char *dir;
    struct fake_clock clock = {0};
    struct rec *rec = fresh("members-replace", &dir, &clock);
    import_roster(rec, dir, "number,name,category,card\n1,甲,党员,\n2,乙,群众,\n");
    int64_t events = rec_last_seq(rec);
    struct rec_import_result r;
    const char header_only[] = "number,name,category,card\n";
    for (unsigned flags = 0; flags <= REC_IMPORT_REPLACE; flags++) {
        ASSERT_EQ(import_bytes_flags(rec, dir, header_only, sizeof(header_only) - 1, flags, &r),
                  REC_EROSTER);
        ASSERT_EQ(r.n_problems, 1);
        ASSERT_TRUE(strstr(r.problems[0].message, "no members") != NULL);
        ASSERT_EQ(r.removed, 0);
        rec_import_result_free(&r);
    }
    ASSERT_EQ(rec_last_seq(rec), events);
    /* dropping 2 and adding 3: refused without REPLACE, with the counts */
    const char drop[] = "number,name,category,card\n1,甲,党员,\n3,丙,干部,\n";
    ASSERT_EQ(import_bytes_flags(rec, dir, drop, sizeof(drop) - 1, 0, &r), REC_EREMOVES);
    ASSERT_EQ(r.removed, 1);
    ASSERT_EQ(r.added, 1);
    ASSERT_EQ(r.unchanged, 1);
    ASSERT_EQ(r.n_removals, 1);
    ASSERT_STR_EQ(r.removals[0].number, "2");
    ASSERT_STR_EQ(r.removals[0].name, "乙");
    rec_import_result_free(&r);
    ASSERT_EQ(rec_last_seq(rec), events);
    /* an import that removes nobody needs no flag */
    const char grow[] = "number,name,category,card\n1,甲,党员,\n2,乙,群众,\n4,丁,群众,\n";
    ASSERT_EQ(import_bytes_flags(rec, dir, grow, sizeof(grow) - 1, 0, &r), 0);
    ASSERT_EQ(r.added, 1);
    ASSERT_EQ(r.removed, 0);
    rec_import_result_free(&r);
    ASSERT_EQ(import_bytes_flags(rec, dir, drop, sizeof(drop) - 1, REC_IMPORT_REPLACE, &r), 0);
    ASSERT_EQ(r.removed, 2);
    ASSERT_EQ(r.n_removals, 2);
    rec_import_result_free(&r);
    struct rec_member *m;
    size_t n;
    ASSERT_EQ(rec_members_list(rec, &m, &n), 0);
    ASSERT_EQ(n, 2);
    ASSERT_STR_EQ(m[0].number, "1");
    ASSERT_STR_EQ(m[1].number, "3");
    rec_members_free(m, n);
    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(dir);
}

int main(void)
{
    RUN_TEST(test_good_utf8_bom_crlf_quotes);
    RUN_TEST(test_gb18030);
    RUN_TEST(test_gb18030_mixed);
    RUN_TEST(test_bad_rows_nothing_imported);
    RUN_TEST(test_reimport_changes);
    RUN_TEST(test_removals_need_replace);
    return 0;
}
