/* Proof of viewing in the record: a snapshot's file exists (0640) before its
 * event names it and matches the SHA-256 in it; exports carry the snapshots
 * and verify them; a finished period's snapshots are pruned after its
 * verified export and never before (not while the month runs, not before the
 * export), the pruning is an event, and later exports still verify; a
 * snapshot missing from the station without pruning stops the export. */
#include "tests/record/rec_test_util.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>

static struct sc_log *test_log;

static const struct rec_snapshot_meta meta_first = {
    .kind = "first", .width = 320, .height = 180, .mean_luma = 120.5, .diff_previous = -1};
static const struct rec_snapshot_meta meta_black = {.kind = "periodic",
                                                    .width = 320,
                                                    .height = 180,
                                                    .mean_luma = 3,
                                                    .black = true,
                                                    .frozen = true,
                                                    .diff_previous = 0};

static char *session_with_snapshots(struct rec *rec, struct fake_clock *clock, const char *title,
                                    int n)
{
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, title, NULL, 0, &s), 0);
    for (int i = 0; i < n; i++) {
        char bytes[64];
        int len = snprintf(bytes, sizeof(bytes), "picture %d of %s", i, title);
        fake_clock_advance(clock, 60);
        ASSERT_EQ(rec_session_snapshot(s, bytes, (size_t)len, i ? &meta_black : &meta_first), 0);
    }
    char *id = strdup(rec_session_id(s));
    fake_clock_advance(clock, 60);
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    return id;
}

static char *snapshot_path(const char *dir, const char *id, int n)
{
    char *p = malloc(512);
    snprintf(p, 512, "%s/snapshots/%s/%04d.jpg", dir, id, n);
    return p;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void count_problem(void *ctx, const char *message)
{
    (*(int *)ctx)++;
    fprintf(stderr, "  verify: %s\n", message);
}

/* Exports [from, to) as CSV to a new folder and verifies it: 0 problems. */
static void export_and_verify(struct rec *rec, const char *dir, const char *name, int64_t from,
                              int64_t to, int expect_files)
{
    char *out = path_in(dir, name);
    ASSERT_EQ(rec_export(rec, out, from, to, REC_EXPORT_CSV), 0);
    int problems = 0;
    ASSERT_EQ(rec_verify_export(out, NULL, count_problem, &problems), 0);
    ASSERT_EQ(problems, 0);
    int files = 0;
    DIR *d = opendir(out);
    ASSERT_NOT_NULL(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        files += strncmp(e->d_name, "snapshot-", 9) == 0;
    closedir(d);
    ASSERT_EQ(files, expect_files);
    free(out);
}

static void test_store_and_list(const char *dir, struct rec *rec, const char *id)
{
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    ASSERT_EQ(rec_snapshots_list(rec, id, &list, &n), 0);
    ASSERT_EQ(n, 2);
    for (size_t i = 0; i < n; i++) {
        char *p = snapshot_path(dir, id, (int)i + 1);
        struct stat sb;
        ASSERT_EQ(stat(p, &sb), 0);
        ASSERT_EQ(sb.st_mode & 0777, 0640);
        char *bytes = NULL;
        size_t len = 0;
        ASSERT_EQ(sc_read_file(p, 4096, &bytes, &len), 0);
        unsigned char digest[32];
        char hex[65];
        crypto_hash_sha256(digest, (const unsigned char *)bytes, len);
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", digest[k]);
        ASSERT_STR_EQ(hex, list[i].sha256);
        free(bytes);
        free(p);
    }
    ASSERT_STR_EQ(list[0].kind, "first");
    ASSERT_FALSE(list[0].black);
    ASSERT_TRUE(list[1].black);
    ASSERT_TRUE(list[1].frozen);
    ASSERT_FALSE(list[0].pruned);
    void *data = NULL;
    size_t size = 0;
    ASSERT_EQ(rec_snapshot_read(rec, &list[0], &data, &size), 0);
    free(data);
    free(list);
}

int main(void)
{
    ASSERT_TRUE(sodium_init() >= 0);
    test_log = sc_log_create(stderr, SC_LOG_WARN);
    char *dir = test_dir("snapshots");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-10T03:00:00Z");
    struct rec *rec = open_with_clock(dir, &clock, test_log);

    /* bad input: nothing stored */
    struct rec_session *s = NULL;
    ASSERT_EQ(rec_session_open(rec, "bad", NULL, 0, &s), 0);
    struct rec_snapshot_meta bad = meta_first;
    bad.kind = "sideways";
    ASSERT_EQ(rec_session_snapshot(s, "x", 1, &bad), -EINVAL);
    ASSERT_EQ(rec_session_snapshot(s, NULL, 0, &meta_first), -EINVAL);
    char *bad_id = strdup(rec_session_id(s));
    ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    char *bad_file = snapshot_path(dir, bad_id, 1);
    ASSERT_FALSE(exists(bad_file));

    char *nov = session_with_snapshots(rec, &clock, "十一月课程", 2);
    test_store_and_list(dir, rec, nov);
    struct rec_period p_nov, p_dec;
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-11", &p_nov), 0);
    ASSERT_EQ(rec_period_parse(rec, 'm', "2026-12", &p_dec), 0);

    /* November still runs: its export carries the snapshots and prunes nothing */
    fake_clock_set(&clock, "2026-11-20T03:00:00Z");
    export_and_verify(rec, dir, "nov-early", p_nov.from_utc, p_nov.to_utc, 2);
    char *nov1 = snapshot_path(dir, nov, 1), *nov2 = snapshot_path(dir, nov, 2);
    ASSERT_TRUE(exists(nov1) && exists(nov2));

    /* December: a session of its own, and November is over but not exported
     * since it ended: still there */
    fake_clock_set(&clock, "2026-12-02T03:00:00Z");
    char *dec = session_with_snapshots(rec, &clock, "十二月课程", 1);
    ASSERT_TRUE(exists(nov1) && exists(nov2));
    /* a December export does not touch November's */
    export_and_verify(rec, dir, "dec-early", p_dec.from_utc, p_dec.to_utc, 1);
    ASSERT_TRUE(exists(nov1) && exists(nov2));

    /* the finished November's verified export: its snapshots go, December's stay */
    int64_t before = rec_last_seq(rec);
    export_and_verify(rec, dir, "nov", p_nov.from_utc, p_nov.to_utc, 2);
    ASSERT_FALSE(exists(nov1) || exists(nov2));
    char *dec1 = snapshot_path(dir, dec, 1);
    ASSERT_TRUE(exists(dec1));
    ASSERT_EQ(rec_last_seq(rec), before + 1); /* one snapshots_pruned event */
    struct rec_snapshot *list = NULL;
    size_t n = 0;
    ASSERT_EQ(rec_snapshots_list(rec, NULL, &list, &n), 0);
    ASSERT_EQ(n, 3);
    ASSERT_TRUE(list[0].pruned && list[1].pruned && !list[2].pruned);
    void *data = NULL;
    size_t size = 0;
    ASSERT_EQ(rec_snapshot_read(rec, &list[0], &data, &size), -ENOENT);
    free(list);

    /* later exports verify: December's, and everything (November's declared pruned) */
    export_and_verify(rec, dir, "dec", p_dec.from_utc, p_dec.to_utc, 1);
    export_and_verify(rec, dir, "all", INT64_MIN, INT64_MAX, 1);
    char *all_manifest = path_in(dir, "all/manifest.json");
    char *text = NULL;
    size_t len = 0;
    ASSERT_EQ(sc_read_file(all_manifest, 1 << 20, &text, &len), 0);
    ASSERT_NOT_NULL(strstr(text, "\"snapshots_pruned\""));
    ASSERT_NOT_NULL(strstr(text, nov));
    free(text);

    /* a snapshot gone from the station without pruning: no export */
    ASSERT_EQ(unlink(dec1), 0);
    char *out = path_in(dir, "dec-lost");
    ASSERT_EQ(rec_export(rec, out, p_dec.from_utc, p_dec.to_utc, REC_EXPORT_CSV), REC_ETAMPER);
    ASSERT_FALSE(exists(out));

    rec_close(rec);
    free(out);
    free(all_manifest);
    free(dec1);
    free(nov1);
    free(nov2);
    free(bad_file);
    free(bad_id);
    free(nov);
    free(dec);
    free(dir);
    sc_log_destroy(test_log);
    printf("test_record_snapshots: ok\n");
    return 0;
}
