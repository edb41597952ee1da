/* Verification of an export directory: the manifest's Ed25519 signature,
 * each listed file's size and SHA-256, missing and extra files, and the
 * event chain (edited, removed, reordered or appended events). The manifest
 * is JSON; it is read with SQLite's JSON functions on an in-memory database
 * rather than a second JSON parser. An export usually sits on a stick: every
 * file is read relative to the export folder's fd with O_NOFOLLOW, so a link
 * in it is reported, never followed. */
#include "kiosk/record/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_BYTES    (512u << 20)
#define MAX_CHAIN_REPORTS 20

struct verifier {
    int dirfd; /* the export folder: every file is read relative to it */
    rec_problem_fn problem;
    void *ctx;
    int problems;
    sqlite3 *db;
    char *manifest;
    size_t manifest_len;
    char signed_key[65]; /* the key the manifest's signature verified with, "" none */
};

static void report(struct verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct verifier *v, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    v->problems++;
    if (v->problem) v->problem(v->ctx, message);
}

/* Reads a file of the export, never through a link (sc_read_file_at). */
static int read_in(struct verifier *v, const char *name, size_t max, char **data, size_t *len)
{
    return sc_read_file_at(v->dirfd, name, max, data, len);
}

/* Why `name` could not be read, for a problem line. */
static const char *unreadable(int rc)
{
    return rc == -ELOOP    ? "is a symbolic link (not followed: an export holds only files)"
           : rc == -EINVAL ? "is not a regular file"
           : rc == -ENOENT ? "is missing"
                           : "cannot be read";
}

/* json_extract on a JSON text; returns a malloc'd string or NULL. */
static char *json_text(struct verifier *v, const char *json, size_t len, const char *json_path)
{
    sqlite3_stmt *st = NULL;
    char *value = NULL;
    if (sqlite3_prepare_v2(v->db, "SELECT json_extract(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, json, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json_path, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        value = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return value;
}

static char *manifest_text(struct verifier *v, const char *json_path)
{
    return json_text(v, v->manifest, v->manifest_len, json_path);
}

static int check_signature(struct verifier *v, const char *expected_key_hex)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    char *carried = NULL, *sig_text = NULL;
    size_t len = 0;
    int rc = read_in(v, REC_PUBLIC_NAME, 4096, &carried, &len);
    if (rc == 0) {
        carried[strcspn(carried, "\r\n")] = '\0';
        char *in_manifest = manifest_text(v, "$.public_key");
        if (!in_manifest || strcmp(in_manifest, carried) != 0)
            report(v, "station.pub does not match the key named in manifest.json");
        free(in_manifest);
    }
    const char *key = expected_key_hex ? expected_key_hex : carried;
    if (!key) {
        report(v, "no public key: station.pub is missing or unreadable and no --key was given");
    } else if (rec_unhex(key, pk, sizeof(pk)) != 0) {
        report(v, "the public key is not 64 hex digits");
    } else if ((rc = read_in(v, "manifest.sig", 4096, &sig_text, &len)) != 0) {
        report(v, "manifest.sig %s", unreadable(rc));
    } else {
        sig_text[strcspn(sig_text, "\r\n")] = '\0';
        if (rec_unhex(sig_text, sig, sizeof(sig)) != 0)
            report(v, "manifest.sig is not a signature");
        else if (crypto_sign_verify_detached(sig, (const unsigned char *)v->manifest,
                                             v->manifest_len, pk) != 0)
            report(v, expected_key_hex ? "the manifest signature does not verify with the given "
                                         "station key (altered manifest or another station's key)"
                                       : "the manifest signature does not verify (the manifest "
                                         "was altered or signed by another key)");
        else
            snprintf(v->signed_key, sizeof(v->signed_key), "%s", key);
        if (expected_key_hex && carried && strcasecmp(carried, expected_key_hex) != 0)
            report(v, "the export carries a different station key than the one given");
    }
    free(carried);
    free(sig_text);
    return 0;
}

static bool listed(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return true;
    return false;
}

static int check_files(struct verifier *v)
{
    sqlite3_stmt *st = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc = sqlite3_prepare_v2(v->db,
                                "SELECT json_extract(value, '$.name'), json_extract(value, "
                                "'$.size'), json_extract(value, '$.sha256') FROM "
                                "json_each(?1, '$.files')",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return -ENOMEM;
    sqlite3_bind_text(st, 1, v->manifest, (int)v->manifest_len, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sha = (const char *)sqlite3_column_text(st, 2);
        int64_t size = sqlite3_column_int64(st, 1);
        if (!name || !sha || strchr(name, '/') || name[0] == '.') {
            report(v, "manifest.json lists an invalid file entry");
            continue;
        }
        char **grown = realloc(names, (n + 1) * sizeof(*names));
        if (!grown) break;
        names = grown;
        names[n] = strdup(name);
        if (!names[n]) break;
        n++;
        char *data = NULL;
        size_t len = 0;
        int read_rc = read_in(v, name, MAX_FILE_BYTES, &data, &len);
        if (read_rc == -ENOENT || read_rc == -ELOOP || read_rc == -EINVAL) {
            report(v, "%s %s", name, unreadable(read_rc));
            continue;
        }
        if (read_rc != 0) {
            report(v, "%s cannot be read: %s", name, strerror(-read_rc));
            continue;
        }
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(digest, (const unsigned char *)data, len);
        rec_hex(digest, sizeof(digest), hex);
        if ((int64_t)len != size || strcmp(hex, sha) != 0)
            report(v, "%s was altered (its size or SHA-256 differs from the manifest)", name);
        free(data);
    }
    sqlite3_finalize(st);
    /* a listing with a file position of its own (a dup of dirfd would share it) */
    int list_fd = openat(v->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = list_fd >= 0 ? fdopendir(list_fd) : NULL;
    if (!d && list_fd >= 0) close(list_fd);
    if (d) {
        struct dirent *entry;
        while ((entry = readdir(d)) != NULL) {
            if (entry->d_name[0] == '.' &&
                (entry->d_name[1] == '\0' || (entry->d_name[1] == '.' && entry->d_name[2] == '\0')))
                continue;
            if (strcmp(entry->d_name, "manifest.json") == 0 ||
                strcmp(entry->d_name, "manifest.sig") == 0)
                continue;
            struct stat sb;
            bool link = fstatat(v->dirfd, entry->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                        S_ISLNK(sb.st_mode);
            if (!listed(names, n, entry->d_name))
                report(v, "%s is not part of the export (extra %s)", entry->d_name,
                       link ? "symbolic link, not followed" : "file");
        }
        closedir(d);
    }
    if (!listed(names, n, "events.tsv"))
        report(v, "the manifest does not list the event chain (events.tsv)");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return 0;
}

/* Undoes tsv_field's escapes in place. */
static void unescape(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *out++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

static void chain_problem(struct verifier *v, int *reported, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void chain_problem(struct verifier *v, int *reported, const char *fmt, ...)
{
    if (++*reported > MAX_CHAIN_REPORTS) {
        v->problems++;
        return;
    }
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    report(v, "%s", message);
}

/* Where the walk over events.tsv stands. */
struct chain_walk {
    int64_t expected;                   /* the seq the next line must carry */
    unsigned char prev[REC_HASH_BYTES]; /* the hash the next event must follow */
    int reported;
    char *created_key; /* station_created's public_key when the range holds it */
};

/* One line of events.tsv (changed in place): ten fields, hashed and linked. */
static void check_line(struct verifier *v, struct chain_walk *w, char *line)
{
    char *fields[10];
    int nf = 0;
    for (char *f = line; nf < 10; nf++) {
        fields[nf] = f;
        char *tab = strchr(f, '\t');
        if (!tab) {
            nf++;
            break;
        }
        *tab = '\0';
        f = tab + 1;
    }
    if (nf != 10) {
        chain_problem(v, &w->reported,
                      "event chain: a line near event %" PRId64 " is malformed (%d fields)",
                      w->expected, nf);
        return;
    }
    for (int i = 0; i < 10; i++)
        unescape(fields[i]);
    struct rec_event e = {
        .seq = strtoll(fields[0], NULL, 10),
        .type = fields[1],
        .utc_ns = strtoll(fields[2], NULL, 10),
        .clock_source = fields[3],
        .mono_ns = strtoll(fields[4], NULL, 10),
        .boot_id = fields[5],
        .session = fields[6],
        .payload = fields[7],
    };
    unsigned char stored_prev[REC_HASH_BYTES], stored_hash[REC_HASH_BYTES];
    if (rec_unhex(fields[8], stored_prev, REC_HASH_BYTES) != 0 ||
        rec_unhex(fields[9], stored_hash, REC_HASH_BYTES) != 0) {
        chain_problem(v, &w->reported, "event chain: event %" PRId64 " has a malformed hash",
                      e.seq);
        return;
    }
    if (e.seq != w->expected)
        chain_problem(v, &w->reported,
                      "event chain: expected event %" PRId64 ", found event %" PRId64
                      " (events removed or reordered)",
                      w->expected, e.seq);
    else if (memcmp(stored_prev, w->prev, REC_HASH_BYTES) != 0)
        chain_problem(v, &w->reported,
                      "event chain: event %" PRId64 " does not follow its predecessor "
                      "(an event before it was changed, removed or reordered)",
                      e.seq);
    memcpy(e.prev_hash, stored_prev, REC_HASH_BYTES);
    rec_event_hash(&e, e.hash);
    if (memcmp(e.hash, stored_hash, REC_HASH_BYTES) != 0)
        chain_problem(v, &w->reported,
                      "event chain: event %" PRId64 " was edited (its contents do not "
                      "match its hash)",
                      e.seq);
    memcpy(w->prev, stored_hash, REC_HASH_BYTES);
    w->expected = e.seq + 1;
    rec_verify_snap_event(v->db, &e);
    if (strcmp(e.type, "station_created") == 0 && !w->created_key)
        w->created_key = json_text(v, e.payload, strlen(e.payload), "$.public_key");
}

/* The station's own first event names its key: an export whose events hold
 * it must be signed with that key (else it was re-signed by someone else,
 * even when the key it carries verifies the signature). */
static void check_created_key(struct verifier *v, const struct chain_walk *w)
{
    if (!w->created_key || !v->signed_key[0] || strcasecmp(w->created_key, v->signed_key) == 0)
        return;
    report(v,
           "the export is signed with the key %.16s..., but the station's first event "
           "(station_created) names the key %.16s...: it was re-signed by someone other than "
           "the station",
           v->signed_key, w->created_key);
}

static int check_chain(struct verifier *v)
{
    char *first_text = manifest_text(v, "$.chain.first_seq");
    char *last_text = manifest_text(v, "$.chain.last_seq");
    char *prev_hex = manifest_text(v, "$.chain.prev_hash");
    char *last_hex = manifest_text(v, "$.chain.last_hash");
    char *data = NULL;
    size_t len = 0;
    struct chain_walk w = {0};
    unsigned char last[REC_HASH_BYTES];
    if (!first_text || !last_text || !prev_hex || !last_hex ||
        rec_unhex(prev_hex, w.prev, REC_HASH_BYTES) != 0 ||
        rec_unhex(last_hex, last, REC_HASH_BYTES) != 0) {
        report(v, "manifest.json does not describe the event chain");
        goto out;
    }
    if (read_in(v, "events.tsv", MAX_FILE_BYTES, &data, &len) != 0)
        goto out; /* already reported as missing */
    w.expected = strtoll(first_text, NULL, 10);
    int64_t last_seq = strtoll(last_text, NULL, 10);
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (line[0] != '#') check_line(v, &w, line);
    if (w.expected - 1 != last_seq)
        chain_problem(v, &w.reported,
                      "event chain: the chain ends at event %" PRId64
                      " but the manifest says %" PRId64 " (events removed or added at the end)",
                      w.expected - 1, last_seq);
    else if (memcmp(w.prev, last, REC_HASH_BYTES) != 0)
        chain_problem(v, &w.reported,
                      "event chain: the last event %" PRId64 " is not the one the manifest "
                      "signed",
                      last_seq);
    check_created_key(v, &w);
out:
    free(w.created_key);
    free(first_text);
    free(last_text);
    free(prev_hex);
    free(last_hex);
    free(data);
    return 0;
}

static void snap_problem(void *ctx, const char *message)
{
    report(ctx, "%s", message);
}

int rec_verify_export_at(int dirfd, const char *expected_key_hex, rec_problem_fn problem, void *ctx)
{
    if (sodium_init() < 0) return -ENOMEM;
    struct verifier v = {.dirfd = dirfd, .problem = problem, .ctx = ctx};
    int rc = read_in(&v, "manifest.json", 16u << 20, &v.manifest, &v.manifest_len);
    if (rc == -ENOENT) {
        report(&v, "manifest.json is missing: this is not a studycast export or it was removed");
        return REC_ETAMPER;
    }
    if (rc == -ELOOP || rc == -EINVAL) {
        report(&v, "manifest.json %s", unreadable(rc));
        return REC_ETAMPER;
    }
    if (rc != 0) return rc;
    if (sqlite3_open_v2(":memory:", &v.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(v.db);
        free(v.manifest);
        return -ENOMEM;
    }
    char *format = manifest_text(&v, "$.format");
    if (!format || strcmp(format, "studycast-export/1") != 0) {
        report(&v, "manifest.json is not a studycast export manifest");
    } else {
        check_signature(&v, expected_key_hex);
        check_files(&v);
        if (rec_verify_snap_begin(v.db) == 0) {
            check_chain(&v);
            rec_verify_snap_check(v.db, dirfd, v.manifest, v.manifest_len, snap_problem, &v);
        } else {
            check_chain(&v);
            report(&v, "out of memory while checking the snapshots");
        }
    }
    free(format);
    sqlite3_close(v.db);
    free(v.manifest);
    return v.problems ? REC_ETAMPER : 0;
}

int rec_verify_export(const char *dir, const char *expected_key_hex, rec_problem_fn problem,
                      void *ctx)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = rec_verify_export_at(fd, expected_key_hex, problem, ctx);
    close(fd);
    return rc;
}
