/* Export and verify: a signed export verifies; re-exporting gives the same
 * xAPI statement ids; a date range carries the chain anchor; and every kind
 * of tampering is detected: an edited, removed or extra file, an edited,
 * removed, reordered or truncated event, a bad signature, an edited manifest,
 * another station's key; links in an export are reported, never followed.
 * The staged export (rec_export_staged) on a fake stick holding links named
 * like its folders, pointing at the data dir: refused or elsewhere, the data
 * dir intact; a previous export survives a failed one. Usage:
 * test_record_export FIXTURE_PROGRAM. */
#include "kiosk/record/internal.h"
#include "tests/record/rec_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

struct problems {
    char text[8192];
    int count;
};

static void collect(void *ctx, const char *message)
{
    struct problems *p = ctx;
    p->count++;
    size_t len = strlen(p->text);
    snprintf(p->text + len, sizeof(p->text) - len, "%s\n", message);
}

static char *read_all(const char *dir, const char *name, size_t *len)
{
    char *p = path_in(dir, name), *data = NULL;
    ASSERT_EQ(sc_read_file(p, 64u << 20, &data, len), 0);
    free(p);
    return data;
}

static void write_in(const char *dir, const char *name, const char *data, size_t len)
{
    char *p = path_in(dir, name);
    write_text(p, data, len);
    free(p);
}

static char *copy_dir(const char *from, const char *prefix)
{
    char *to = test_dir(prefix);
    DIR *d = opendir(from);
    ASSERT_NOT_NULL(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t len;
        char *data = read_all(from, e->d_name, &len);
        write_in(to, e->d_name, data, len);
        free(data);
    }
    closedir(d);
    return to;
}

/* Verifies `dir` and expects failure mentioning `needle`. */
static void expect_tamper(const char *dir, const char *key, const char *needle)
{
    struct problems p = {0};
    int rc = rec_verify_export(dir, key, collect, &p);
    if (rc != REC_ETAMPER || !strstr(p.text, needle))
        TEST_FAIL("verify %s: rc %d, expected a problem containing '%s', got:\n%s", dir, rc, needle,
                  p.text);
}

/* The events file as lines; the first is the header comment. */
static size_t split_lines(char *data, char **lines, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(data, "\n", &save); l && n < max;
         l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    return n;
}

static void write_lines(const char *dir, char **lines, size_t n)
{
    struct sc_buf out = {0};
    for (size_t i = 0; i < n; i++) {
        sc_buf_puts(&out, lines[i]);
        sc_buf_puts(&out, "\n");
    }
    write_in(dir, "events.tsv", out.data, out.len);
    sc_buf_free(&out);
}

static void tamper_events(const char *good, const char *what, const char *needle)
{
    char *dir = copy_dir(good, "export-tamper");
    size_t len;
    char *data = read_all(dir, "events.tsv", &len);
    char *lines[100000];
    size_t n = split_lines(data, lines, 100000);
    ASSERT_GT(n, 20);
    char edited[4096];
    if (strcmp(what, "edit") == 0) {
        /* give member 004 the check-out of someone else: change 004 to 005 */
        size_t i = 1;
        while (i < n && !strstr(lines[i], "member_checked_out"))
            i++;
        ASSERT_LT(i, n);
        snprintf(edited, sizeof(edited), "%s", lines[i]);
        char *m = strstr(edited, "\"004\"");
        ASSERT_NOT_NULL(m);
        m[3] = '5';
        lines[i] = edited;
        write_lines(dir, lines, n);
    } else if (strcmp(what, "remove") == 0) {
        memmove(&lines[10], &lines[11], (n - 11) * sizeof(char *));
        write_lines(dir, lines, n - 1);
    } else if (strcmp(what, "reorder") == 0) {
        char *t = lines[12];
        lines[12] = lines[13];
        lines[13] = t;
        write_lines(dir, lines, n);
    } else if (strcmp(what, "truncate") == 0) {
        write_lines(dir, lines, n - 3);
    }
    expect_tamper(dir, NULL, needle);
    expect_tamper(dir, NULL, "events.tsv was altered");
    free(data);
    free(dir);
}

static bool exists_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    struct stat sb;
    bool there = lstat(p, &sb) == 0;
    free(p);
    return there;
}

static void assert_data_intact(const char *data)
{
    static const char *const names[] = {"record.sqlite", "station.key", "station.pub"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!exists_in(data, names[i])) TEST_FAIL("%s was removed from %s", names[i], data);
}

struct stages {
    int seen[8];
    int n;
    bool there;
};
static void note_stage(void *ctx, enum rec_export_stage stage)
{
    struct stages *s = ctx;
    if (s->n < 8) s->seen[s->n++] = (int)stage;
}
static bool still_there(void *ctx)
{
    return ((struct stages *)ctx)->there;
}

/* A fake stick with links named like the export's folders. */
static void test_staged_links(struct rec *rec, const char *data, const char *key)
{
    char real_data[PATH_MAX];
    ASSERT_NOT_NULL(realpath(data, real_data));
    char *stick = test_dir("export-stick");
    int stick_fd = open(stick, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(stick_fd >= 0);
    struct stages st = {.there = true};
    struct rec_export_request req = {.parent_fd = stick_fd,
                                     .from_utc = INT64_MIN,
                                     .to_utc = INT64_MAX,
                                     .formats = REC_EXPORT_CSV,
                                     .stage = note_stage,
                                     .still_there = still_there,
                                     .ctx = &st};

    fprintf(stderr, "-- the unfinished folder's name is a link to the data dir: refused\n");
    ASSERT_EQ(symlinkat(real_data, stick_fd, "a.incomplete"), 0);
    req.name = "a";
    ASSERT_EQ(rec_export_staged(rec, &req), -EEXIST);
    ASSERT_EQ(rec_export_remove(stick_fd, "a.incomplete"), -ENOTDIR);
    assert_data_intact(data);
    ASSERT_TRUE(exists_in(stick, "a.incomplete") && !exists_in(stick, "a"));

    fprintf(stderr, "-- the export's name is a link to the data dir: refused\n");
    ASSERT_EQ(symlinkat(real_data, stick_fd, "b"), 0);
    req.name = "b";
    ASSERT_EQ(rec_export_staged(rec, &req), -ELOOP);
    assert_data_intact(data);
    ASSERT_TRUE(!exists_in(stick, "b.incomplete"));
    ASSERT_TRUE(!exists_in(data, "sessions.csv"));

    fprintf(stderr, "-- an unfinished folder of someone else's, or holding a link: left alone\n");
    ASSERT_EQ(mkdirat(stick_fd, "c.incomplete", 0755), 0);
    char *c = path_in(stick, "c.incomplete");
    write_in(c, "notes.txt", "mine", 4);
    req.name = "c";
    ASSERT_EQ(rec_export_staged(rec, &req), -EEXIST);
    ASSERT_TRUE(exists_in(c, "notes.txt"));
    free(c);
    ASSERT_EQ(mkdirat(stick_fd, "d.incomplete", 0755), 0);
    char *d = path_in(stick, "d.incomplete");
    char *d_link = path_in(d, "sessions.csv");
    ASSERT_EQ(symlink(real_data, d_link), 0);
    req.name = "d";
    ASSERT_EQ(rec_export_staged(rec, &req), -EEXIST);
    ASSERT_TRUE(exists_in(d, "sessions.csv"));
    assert_data_intact(data);
    free(d_link);
    free(d);

    fprintf(stderr, "-- our own unfinished folder is replaced; the stages in order\n");
    ASSERT_EQ(mkdirat(stick_fd, "e.incomplete", 0755), 0);
    char *e_partial = path_in(stick, "e.incomplete");
    write_in(e_partial, "sessions.csv", "half", 4);
    write_in(e_partial, "events.tsv.tmp.abc123", "half", 4);
    free(e_partial);
    req.name = "e";
    st.n = 0;
    ASSERT_EQ(rec_export_staged(rec, &req), 0);
    ASSERT_EQ(st.n, 3);
    ASSERT_EQ(st.seen[0], REC_STAGE_WRITING);
    ASSERT_EQ(st.seen[1], REC_STAGE_VERIFYING);
    ASSERT_EQ(st.seen[2], REC_STAGE_PLACING);
    ASSERT_TRUE(!exists_in(stick, "e.incomplete"));
    char *e = path_in(stick, "e");
    struct problems p = {0};
    ASSERT_EQ(rec_verify_export(e, key, collect, &p), 0);

    fprintf(stderr, "-- exporting over a previous export exchanges them\n");
    req.formats = REC_EXPORT_XAPI;
    ASSERT_EQ(rec_export_staged(rec, &req), 0);
    ASSERT_EQ(rec_verify_export(e, key, collect, &p), 0);
    ASSERT_TRUE(exists_in(e, "xapi-statements.json") && !exists_in(e, "sessions.csv"));
    ASSERT_TRUE(!exists_in(stick, "e.incomplete"));
    req.formats = REC_EXPORT_CSV;

    fprintf(stderr, "-- the stick went before the end: -ENODEV, the unfinished folder left\n");
    st.there = false;
    req.name = "f";
    ASSERT_EQ(rec_export_staged(rec, &req), -ENODEV);
    ASSERT_TRUE(exists_in(stick, "f.incomplete") && !exists_in(stick, "f"));
    st.there = true;
    ASSERT_EQ(rec_export_remove(stick_fd, "f.incomplete"), 0);
    ASSERT_TRUE(!exists_in(stick, "f.incomplete"));

    fprintf(stderr, "-- an export failing midway leaves the previous one as it was\n");
    char *saved = copy_dir(e, "export-saved");
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        /* the PDF record books do not fit under 64 KiB: the CSVs are written first */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {.rlim_cur = 64 << 10, .rlim_max = 64 << 10};
        struct rec *r = NULL;
        struct rec_options o = {.data_dir = data};
        if (rec_open(&o, NULL, &r) != 0 || setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
        int rc = rec_export(r, e, INT64_MIN, INT64_MAX, REC_EXPORT_ALL);
        _exit(rc == -EFBIG ? 0 : 1);
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(rec_verify_export(e, key, collect, &p), 0);
    DIR *dir = opendir(saved);
    ASSERT_NOT_NULL(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        size_t len1, len2;
        char *old = read_all(saved, entry->d_name, &len1);
        char *now = read_all(e, entry->d_name, &len2);
        if (len1 != len2 || memcmp(old, now, len1) != 0)
            TEST_FAIL("%s changed in the previous export", entry->d_name);
        free(old);
        free(now);
    }
    closedir(dir);
    ASSERT_TRUE(!exists_in(stick, "e.incomplete"));
    ASSERT_EQ(p.count, 0);
    free(saved);
    free(e);
    assert_data_intact(data);
    close(stick_fd);
    free(stick);
}

/* Links and a FIFO in an export: reported, never followed or waited on. */
static void test_verify_links(const char *good, const char *key, const char *data)
{
    char real_data[PATH_MAX];
    ASSERT_NOT_NULL(realpath(data, real_data));
    char *t = copy_dir(good, "export-links");
    char *events = path_in(t, "events.tsv");
    ASSERT_EQ(unlink(events), 0);
    ASSERT_EQ(symlink("/etc/passwd", events), 0);
    expect_tamper(t, key, "events.tsv is a symbolic link (not followed");
    char *extra = path_in(t, "data");
    ASSERT_EQ(symlink(real_data, extra), 0);
    expect_tamper(t, key, "data is not part of the export (extra symbolic link, not followed)");
    char *sessions = path_in(t, "sessions.csv");
    ASSERT_EQ(unlink(sessions), 0);
    ASSERT_EQ(mkfifo(sessions, 0600), 0);
    expect_tamper(t, key, "sessions.csv is not a regular file");
    char *manifest = path_in(t, "manifest.json");
    ASSERT_EQ(unlink(manifest), 0);
    char *genuine = path_in(good, "manifest.json");
    char real_genuine[PATH_MAX];
    ASSERT_NOT_NULL(realpath(genuine, real_genuine));
    ASSERT_EQ(symlink(real_genuine, manifest), 0);
    expect_tamper(t, key, "manifest.json is a symbolic link (not followed");
    free(genuine);
    free(manifest);
    free(sessions);
    free(extra);
    free(events);
    free(t);
}

static void run_fixture(const char *program, const char *dir)
{
    pid_t child = fork();
    ASSERT_TRUE(child >= 0);
    if (child == 0) {
        execl(program, program, dir, (char *)NULL);
        _exit(127);
    }
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* RFC 4122 name-based ids, checked against Python's uuid.uuid5. */
static void test_uuid_v5(void)
{
    char id[37];
    ASSERT_EQ(rec_uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", 10, id), 0);
    ASSERT_STR_EQ(id, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    char name[100];
    memset(name, 'x', sizeof(name)); /* crosses SHA-1's 64-byte block */
    ASSERT_EQ(rec_uuid_v5("6f1c2b0e-8a4d-4c47-9a0e-5b2f7d3e9c11", name, sizeof(name), id), 0);
    ASSERT_STR_EQ(id, "41cfa3f8-11bf-52a3-95f5-d729b0ad1ecc");
    ASSERT_EQ(rec_uuid_v5("not-a-uuid", "a", 1, id), -EINVAL);
}

/* Re-signs the export in dir with the secret key of the station in
 * other_dir, as a forger would: manifest and station.pub name other_key. */
static void resign(const char *dir, const char *key, const char *other_key, const char *other_dir)
{
    size_t len, secret_len, pub_len;
    char *manifest = read_all(dir, "manifest.json", &len);
    char *old_pub = read_all(dir, "station.pub", &pub_len);
    char pub[66];
    snprintf(pub, sizeof(pub), "%s\n", other_key);
    ASSERT_EQ(pub_len, strlen(pub));
    unsigned char digest[crypto_hash_sha256_BYTES];
    char old_hex[2 * sizeof(digest) + 1], new_hex[2 * sizeof(digest) + 1];
    crypto_hash_sha256(digest, (const unsigned char *)old_pub, pub_len);
    sodium_bin2hex(old_hex, sizeof(old_hex), digest, sizeof(digest));
    crypto_hash_sha256(digest, (const unsigned char *)pub, pub_len);
    sodium_bin2hex(new_hex, sizeof(new_hex), digest, sizeof(digest));
    char *hash_at = strstr(manifest, old_hex); /* station.pub's entry in the file list */
    ASSERT_NOT_NULL(hash_at);
    memcpy(hash_at, new_hex, strlen(new_hex));
    for (char *at = strstr(manifest, key); at; at = strstr(at, key))
        memcpy(at, other_key, 64);
    write_in(dir, "manifest.json", manifest, len);
    write_in(dir, "station.pub", pub, pub_len);
    free(old_pub);
    char *secret = read_all(other_dir, "station.key", &secret_len);
    ASSERT_EQ(secret_len, crypto_sign_SECRETKEYBYTES);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)manifest, len,
                         (const unsigned char *)secret);
    char sig_hex[2 * crypto_sign_BYTES + 2];
    sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
    strcat(sig_hex, "\n");
    write_in(dir, "manifest.sig", sig_hex, strlen(sig_hex));
    free(secret);
    free(manifest);
}

/* Course titles and member names that a spreadsheet would run as formulas
 * (OWASP CSV injection) are exported with a single quote in front. */
static void test_csv_injection(struct sc_log *log)
{
    char *data = test_dir("export-injection-data");
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-11-20T11:00:00Z");
    struct rec *rec = open_with_clock(data, &clock, log);
    import_roster(rec, data,
                  "number,name,category,card\n"
                  "001,\"=HYPERLINK(\"\"http://evil.invalid/\"\",\"\"点击\"\")\",党员,\n"
                  "002,+1-1,群众,\n"
                  "003,@SUM(A1),群众,\n"
                  "004,-2+3,群众,\n"
                  "005,王五,群众,\n");
    static const char *const courses[] = {"=1+1", "\tTAB", "\rCR", "农业课"};
    const char *members[] = {"001", "002", "003", "004", "005"};
    for (size_t i = 0; i < sizeof(courses) / sizeof(courses[0]); i++) {
        struct rec_session *s = NULL;
        ASSERT_EQ(rec_session_open(rec, courses[i], members, 5, &s), 0);
        fake_clock_advance(&clock, 600);
        ASSERT_EQ(rec_session_close(s, REC_CLOSE_COMPLETE), 0);
    }
    char *out = test_dir("export-injection");
    ASSERT_EQ(rec_export(rec, out, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), 0);
    size_t len;
    char *hours = read_all(out, "member_hours.csv", &len);
    ASSERT_TRUE(strstr(hours, ",\"'=HYPERLINK(\"\"http://evil.invalid/\"\",\"\"点击\"\")\",") !=
                NULL);
    ASSERT_TRUE(strstr(hours, ",'+1-1,") != NULL);
    ASSERT_TRUE(strstr(hours, ",'@SUM(A1),") != NULL);
    ASSERT_TRUE(strstr(hours, ",'-2+3,") != NULL);
    ASSERT_TRUE(strstr(hours, ",王五,") != NULL); /* ordinary text unchanged */
    char *sessions = read_all(out, "sessions.csv", &len);
    ASSERT_TRUE(strstr(sessions, ",'=1+1,") != NULL);
    ASSERT_TRUE(strstr(sessions, ",'\tTAB,") != NULL);
    ASSERT_TRUE(strstr(sessions, ",\"'\rCR\",") != NULL);
    ASSERT_TRUE(strstr(sessions, ",农业课,") != NULL);
    char *attendance = read_all(out, "attendance.csv", &len);
    /* no field of any file starts with a formula character */
    const char *files[] = {hours, sessions, attendance};
    for (size_t f = 0; f < 3; f++)
        for (const char *c = files[f]; *c; c++)
            if (c == files[f] || c[-1] == ',' || c[-1] == '\n' ||
                (c[-1] == '"' && (c - 1 == files[f] || c[-2] == ',' || c[-2] == '\n')))
                ASSERT_TRUE(!strchr("=+-@\t", *c) || *c == '\0');
    free(hours);
    free(sessions);
    free(attendance);
    struct problems p = {0};
    ASSERT_EQ(rec_verify_export(out, NULL, collect, &p), 0);
    rec_close(rec);
    free(out);
    free(data);
}

int main(int argc, char **argv)
{
    ASSERT_EQ(argc, 2);
    struct sc_log *test_log = sc_log_create(stderr, SC_LOG_WARN);
    RUN_TEST(test_uuid_v5);
    test_csv_injection(test_log);
    char *data = test_dir("export-data");
    run_fixture(argv[1], data);
    struct fake_clock clock = {0};
    fake_clock_set(&clock, "2026-12-05T00:00:00Z");
    struct rec *rec = open_with_clock(data, &clock, test_log);

    fprintf(stderr, "-- full export verifies\n");
    char *good = test_dir("export-good");
    ASSERT_EQ(rec_export(rec, good, INT64_MIN, INT64_MAX, REC_EXPORT_ALL), 0);
    struct problems p = {0};
    ASSERT_EQ(rec_verify_export(good, NULL, collect, &p), 0);
    ASSERT_EQ(p.count, 0);
    char key[65];
    ASSERT_EQ(rec_station_public_key_hex(rec, key), 0);
    ASSERT_EQ(rec_verify_export(good, key, collect, &p), 0);
    size_t len;
    char *pdf = read_all(good, "record-book-2026-11.pdf", &len);
    ASSERT_EQ(memcmp(pdf, "%PDF-", 5), 0);
    free(pdf);
    free(read_all(good, "record-book-2026-10.pdf", &len));

    fprintf(stderr, "-- re-export: same statement ids\n");
    char *again = test_dir("export-again");
    ASSERT_EQ(rec_export(rec, again, INT64_MIN, INT64_MAX, REC_EXPORT_XAPI), 0);
    size_t len1, len2;
    char *x1 = read_all(good, "xapi-statements.json", &len1);
    char *x2 = read_all(again, "xapi-statements.json", &len2);
    ASSERT_EQ(len1, len2);
    ASSERT_EQ(memcmp(x1, x2, len1), 0);
    ASSERT_TRUE(strstr(x1, "\"id\": \"") != NULL);
    free(x1);
    free(x2);
    ASSERT_EQ(rec_verify_export(again, key, collect, &p), 0);

    fprintf(stderr, "-- exporting again into an export replaces it; a foreign folder is refused\n");
    ASSERT_EQ(rec_export(rec, again, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), 0);
    char *stale = path_in(again, "xapi-statements.json");
    ASSERT_TRUE(access(stale, F_OK) != 0); /* not chosen this time: removed */
    free(stale);
    ASSERT_EQ(rec_verify_export(again, key, collect, &p), 0);
    char *foreign = test_dir("export-foreign");
    write_in(foreign, "holiday-photo.jpg", "jpeg", 4);
    ASSERT_EQ(rec_export(rec, foreign, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), -EEXIST);
    char *photo = read_all(foreign, "holiday-photo.jpg", &len);
    ASSERT_EQ(len, 4);
    free(photo);
    char *nothing = path_in(foreign, "sessions.csv");
    ASSERT_TRUE(access(nothing, F_OK) != 0);
    free(nothing);
    char *inside = path_in(foreign, "studycast");
    ASSERT_EQ(rec_export(rec, inside, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), 0);
    ASSERT_EQ(rec_verify_export(inside, key, collect, &p), 0);
    free(inside);
    free(foreign);

    fprintf(stderr, "-- a date range carries the hash of the event before it\n");
    char *range = test_dir("export-range");
    int64_t from, to;
    ASSERT_EQ(sc_parse_iso8601("2026-11-01T00:00:00+08:00", &from), 0);
    ASSERT_EQ(sc_parse_iso8601("2026-12-01T00:00:00+08:00", &to), 0);
    ASSERT_EQ(rec_export(rec, range, from, to, REC_EXPORT_CSV), 0);
    ASSERT_EQ(rec_verify_export(range, key, collect, &p), 0);
    char *manifest = read_all(range, "manifest.json", &len);
    struct sc_jv *dom = NULL;
    ASSERT_EQ(sc_json_parse(manifest, len, &dom, NULL, 0), 0);
    const struct sc_jv *chain = sc_jv_get(dom, "chain");
    int64_t first_seq;
    ASSERT_EQ(sc_jv_get_int(chain, "first_seq", &first_seq), 0);
    ASSERT_GT(first_seq, 1);
    ASSERT_TRUE(strcmp(sc_jv_get_string(chain, "prev_hash"),
                       "0000000000000000000000000000000000000000000000000000000000000000") != 0);
    sc_jv_free(dom);
    free(manifest);
    char *sessions = read_all(range, "sessions.csv", &len);
    ASSERT_EQ(memcmp(sessions, "\xEF\xBB\xBF", 3), 0);
    ASSERT_TRUE(strstr(sessions, "十月课程") == NULL);
    ASSERT_TRUE(strstr(sessions, "跨月：安全生产") != NULL);
    free(sessions);

    fprintf(stderr, "-- tampered files\n");
    char *t = copy_dir(good, "export-edit");
    char *csv = read_all(t, "attendance.csv", &len);
    char *digit = strstr(csv, ",7800");
    ASSERT_NOT_NULL(digit);
    digit[1] = '9'; /* 7800 -> 9800 seconds */
    write_in(t, "attendance.csv", csv, len);
    expect_tamper(t, key, "attendance.csv was altered");
    free(csv);
    free(t);

    t = copy_dir(good, "export-removed");
    char *victim = path_in(t, "member_hours.csv");
    ASSERT_EQ(unlink(victim), 0);
    expect_tamper(t, key, "member_hours.csv is missing");
    free(victim);
    free(t);

    t = copy_dir(good, "export-extra");
    write_in(t, "sessions-fixed.csv", "x\n", 2);
    expect_tamper(t, key, "sessions-fixed.csv is not part of the export (extra file)");
    free(t);

    fprintf(stderr, "-- tampered events\n");
    tamper_events(good, "edit", "was edited");
    tamper_events(good, "remove", "expected event 10, found event 11");
    tamper_events(good, "reorder", "removed or reordered");
    tamper_events(good, "truncate", "the chain ends at event");

    fprintf(stderr, "-- signature and keys\n");
    t = copy_dir(good, "export-sig");
    char *sig = read_all(t, "manifest.sig", &len);
    sig[0] = sig[0] == '0' ? '1' : '0';
    write_in(t, "manifest.sig", sig, len);
    expect_tamper(t, key, "signature does not verify");
    free(sig);
    free(t);

    t = copy_dir(good, "export-manifest");
    manifest = read_all(t, "manifest.json", &len);
    char *name = strstr(manifest, "张家村");
    ASSERT_NOT_NULL(name);
    memcpy(name, "李家村", strlen("李家村"));
    write_in(t, "manifest.json", manifest, len);
    expect_tamper(t, NULL, "signature does not verify");
    free(manifest);
    free(t);

    /* a forger re-signs everything with a key of their own: it verifies
     * against the key it carries, but not against the station's key */
    t = copy_dir(good, "export-forged");
    {
        char *other_dir = test_dir("export-other-station");
        struct rec *other = open_with_clock(other_dir, &clock, test_log);
        char other_key[65];
        ASSERT_EQ(rec_station_public_key_hex(other, other_key), 0);
        ASSERT_TRUE(strcmp(other_key, key) != 0);
        char *forged = test_dir("export-forged-src");
        ASSERT_EQ(rec_export(other, forged, INT64_MIN, INT64_MAX, REC_EXPORT_CSV), 0);
        ASSERT_EQ(rec_verify_export(forged, NULL, collect, &p), 0);
        expect_tamper(forged, key, "does not verify with the given station key");
        expect_tamper(forged, key, "carries a different station key");
        /* and the genuine export against another station's key */
        expect_tamper(good, other_key, "does not verify with the given station key");
        /* the genuine export re-signed with the other key, which it now
         * carries: the signature verifies with the carried key, but the
         * station's first event names the original key */
        char *resigned = copy_dir(good, "export-resigned");
        resign(resigned, key, other_key, other_dir);
        struct problems rp = {0};
        ASSERT_EQ(rec_verify_export(resigned, NULL, collect, &rp), REC_ETAMPER);
        ASSERT_EQ(rp.count, 1); /* files, chain and signature hold: only the key is wrong */
        expect_tamper(resigned, NULL, "station_created) names the key");
        free(resigned);
        rec_close(other);
        free(forged);
        free(other_dir);
    }
    free(t);

    t = copy_dir(good, "export-nomanifest");
    victim = path_in(t, "manifest.json");
    ASSERT_EQ(unlink(victim), 0);
    expect_tamper(t, NULL, "manifest.json is missing");
    free(victim);
    free(t);

    fprintf(stderr, "-- links in an export\n");
    test_verify_links(good, key, data);
    test_staged_links(rec, data, key);

    ASSERT_EQ(rec_check(rec), 0);
    rec_close(rec);
    free(range);
    free(again);
    free(good);
    free(data);
    sc_log_destroy(test_log);
    return 0;
}
