/* `county verify`: a station's rows checked from the ground up, trusting
 * nothing the database says about them but the registered key: every
 * event's hash recomputed with the record's encoding and linked to the one
 * before, seqs from 1 without a gap, every event inside a batch, and every
 * batch's signature over bytes rebuilt from the rows (for a USB import the
 * manifest's signature, and events.tsv rebuilt from the rows of the
 * export's range and hashed as the manifest lists it). A superuser's edit,
 * with the triggers disabled, changes bytes a signature or a hash covers. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE         5000 /* events fetched at a time (the query says it too) */
#define MAX_PROBLEMS 50   /* listed per station; the rest counted */

struct batch {
    int64_t first, last;
    unsigned char prev[32], last_hash[32], sig[64];
    bool usb;
    char *evidence;
};

struct walk {
    struct cty_db *db;
    struct cty_station_check *out;
    unsigned char key[32];
    struct batch *batches;
    size_t n_batches, bi; /* bi: the batch the walk is in or before */
    struct sc_buf bytes;  /* the current sync batch's canonical bytes */
    size_t in_batch;      /* events of the current batch seen */
    int64_t expected;     /* the next seq */
    unsigned char prev[32];
    size_t suppressed;
};

static void problem(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct walk *w, const char *fmt, ...)
{
    struct cty_station_check *c = w->out;
    c->ok = false;
    if (c->n_problems >= MAX_PROBLEMS) {
        w->suppressed++;
        return;
    }
    char line[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    char **grown = realloc(c->problems, (c->n_problems + 1) * sizeof(*grown));
    if (!grown) return;
    c->problems = grown;
    c->problems[c->n_problems] = strdup(line);
    if (c->problems[c->n_problems]) c->n_problems++;
}

/* "\x<hex>" (bytea's text output) into n bytes; false if malformed. */
static bool bytea(const char *text, unsigned char *out, size_t n)
{
    size_t len = 0;
    return text[0] == '\\' && text[1] == 'x' && strlen(text + 2) == 2 * n &&
           sodium_hex2bin(out, n, text + 2, 2 * n, NULL, &len, NULL) == 0 && len == n;
}

static int load_batches(struct walk *w, const char *station_id)
{
    const char *params[] = {station_id};
    PGresult *res = NULL;
    int rc = cty_exec(w->db,
                      "SELECT first_seq, last_seq, prev_hash, last_hash, signature, source, "
                      "evidence FROM studycast.batches WHERE station_id = $1 ORDER BY first_seq",
                      1, params, PGRES_TUPLES_OK, "reading the batches", &res);
    if (rc != 0) return rc;
    int rows = PQntuples(res);
    w->batches = calloc((size_t)rows + 1, sizeof(*w->batches));
    if (!w->batches) rc = -ENOMEM;
    for (int i = 0; rc == 0 && i < rows; i++) {
        struct batch *b = &w->batches[w->n_batches];
        b->first = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        b->last = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        b->usb = strcmp(PQgetvalue(res, i, 5), "usb") == 0;
        if (!bytea(PQgetvalue(res, i, 2), b->prev, 32) ||
            !bytea(PQgetvalue(res, i, 3), b->last_hash, 32) ||
            !bytea(PQgetvalue(res, i, 4), b->sig, 64)) {
            problem(w, "batch %" PRId64 "..%" PRId64 " has malformed hashes or signature", b->first,
                    b->last);
            continue;
        }
        if (!PQgetisnull(res, i, 6)) b->evidence = strdup(PQgetvalue(res, i, 6));
        w->n_batches++;
    }
    PQclear(res);
    return rc;
}

/* A sync batch whose last event was just walked: its signature. */
static void close_batch(struct walk *w, const struct batch *b, const char *station_id)
{
    if ((int64_t)w->in_batch != b->last - b->first + 1) return; /* gap reported already */
    if (crypto_sign_verify_detached(b->sig, (const unsigned char *)w->bytes.data, w->bytes.len,
                                    w->key) != 0)
        problem(w,
                "batch %" PRId64 "..%" PRId64 " (sync): the signature does not verify with "
                "station %s's registered key (events or batch altered in the database)",
                b->first, b->last, station_id);
}

/* Which batch holds e, and its bytes grown by e (sync batches). */
static void place_in_batch(struct walk *w, const struct rec_chain_event *e, const char *station_id)
{
    while (w->bi < w->n_batches && w->batches[w->bi].last < e->seq)
        w->bi++;
    struct batch *b = w->bi < w->n_batches ? &w->batches[w->bi] : NULL;
    if (!b || b->first > e->seq) {
        problem(w, "event %" PRId64 " (%s) is in no signed batch", e->seq, e->type);
        return;
    }
    if (e->seq == b->first) {
        sc_buf_reset(&w->bytes);
        w->in_batch = 0;
        if (memcmp(e->prev_hash, b->prev, 32) != 0)
            problem(w,
                    "batch %" PRId64 "..%" PRId64 " does not start where event %" PRId64 " links",
                    b->first, b->last, e->seq);
        if (!b->usb)
            cty_batch_head(&w->bytes, station_id, b->first, b->last, b->prev, b->last_hash);
    }
    w->in_batch++;
    if (!b->usb) rec_chain_event_tsv(e, &w->bytes);
    if (e->seq == b->last) {
        if (memcmp(e->hash, b->last_hash, 32) != 0)
            problem(w, "batch %" PRId64 "..%" PRId64 " does not end with event %" PRId64 "'s hash",
                    b->first, b->last, e->seq);
        if (!b->usb) close_batch(w, b, station_id);
    }
}

static void check_event(struct walk *w, const struct rec_chain_event *e, const char *station_id)
{
    if (e->seq < w->expected) {
        problem(w, "event %" PRId64 " is stored twice", e->seq);
        return;
    }
    if (e->seq > w->expected) {
        if (e->seq == w->expected + 1)
            problem(w, "event %" PRId64 " is missing", w->expected);
        else
            problem(w, "events %" PRId64 "..%" PRId64 " are missing", w->expected, e->seq - 1);
    } else if (memcmp(e->prev_hash, w->prev, 32) != 0) {
        problem(w,
                "event %" PRId64 " (%s) does not link to event %" PRId64
                " (an event before it was changed, removed or inserted)",
                e->seq, e->type, e->seq - 1);
    }
    unsigned char hash[32];
    rec_chain_event_hash(e, hash);
    if (memcmp(hash, e->hash, 32) != 0)
        problem(w, "event %" PRId64 " (%s) was edited: its contents do not match its hash", e->seq,
                e->type);
    place_in_batch(w, e, station_id);
    memcpy(w->prev, e->hash, 32);
    w->expected = e->seq + 1;
}

/* One row of the events query as a chain event (strings borrowed from res). */
static bool row_event(PGresult *res, int i, struct rec_chain_event *e)
{
    *e = (struct rec_chain_event){
        .seq = strtoll(PQgetvalue(res, i, 0), NULL, 10),
        .type = PQgetvalue(res, i, 1),
        .utc_ns = strtoll(PQgetvalue(res, i, 2), NULL, 10),
        .clock_source = PQgetvalue(res, i, 3),
        .mono_ns = strtoll(PQgetvalue(res, i, 4), NULL, 10),
        .boot_id = PQgetvalue(res, i, 5),
        .session = PQgetisnull(res, i, 6) ? NULL : PQgetvalue(res, i, 6),
        .payload = PQgetvalue(res, i, 7),
    };
    return bytea(PQgetvalue(res, i, 8), e->prev_hash, 32) &&
           bytea(PQgetvalue(res, i, 9), e->hash, 32);
}

/* Calls fn for the station's events with from <= seq <= to, in seq order,
 * a page at a time. */
typedef void (*event_fn)(void *ctx, const struct rec_chain_event *e);
static int each_event(struct cty_db *db, const char *station_id, int64_t from, int64_t to,
                      event_fn fn, void *ctx)
{
    int64_t after = from - 1;
    for (;;) {
        char a[24], b[24];
        snprintf(a, sizeof(a), "%" PRId64, after);
        snprintf(b, sizeof(b), "%" PRId64, to);
        const char *params[] = {station_id, a, b};
        PGresult *res = NULL;
        int rc = cty_exec(db,
                          "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id, session, "
                          "payload, prev_hash, hash FROM studycast.events WHERE station_id = $1 "
                          "AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT 5000",
                          3, params, PGRES_TUPLES_OK, "reading the events", &res);
        if (rc != 0) return rc;
        int rows = PQntuples(res);
        for (int i = 0; i < rows; i++) {
            struct rec_chain_event e;
            if (!row_event(res, i, &e)) memset(e.hash, 0, 32); /* found as not matching */
            fn(ctx, &e);
            after = e.seq;
        }
        PQclear(res);
        if (rows < PAGE) return 0;
    }
}

struct walk_ctx {
    struct walk *w;
    const char *station_id;
};

static void walk_event(void *ctx, const struct rec_chain_event *e)
{
    struct walk_ctx *c = ctx;
    check_event(c->w, e, c->station_id);
}

/* events.tsv rebuilt from rows, hashed as it goes. */
struct tsv_hash {
    crypto_hash_sha256_state st;
    struct sc_buf line;
    int64_t count;
};

static void hash_event(void *ctx, const struct rec_chain_event *e)
{
    struct tsv_hash *h = ctx;
    sc_buf_reset(&h->line);
    rec_chain_event_tsv(e, &h->line);
    crypto_hash_sha256_update(&h->st, (const unsigned char *)h->line.data, h->line.len);
    h->count++;
}

static const char *listed_sha(const struct sc_jv *manifest, const char *file)
{
    const struct sc_jv *files = sc_jv_get(manifest, "files");
    for (size_t i = 0; files && files->type == SC_JV_ARRAY && i < files->count; i++) {
        const char *name = sc_jv_get_string(sc_jv_at(files, i), "name");
        if (name && strcmp(name, file) == 0) return sc_jv_get_string(sc_jv_at(files, i), "sha256");
    }
    return NULL;
}

/* A USB batch: the manifest it keeps as evidence is signed by the station,
 * covers the batch, and lists the SHA-256 of the events.tsv the county's
 * rows of its range make. */
static int check_usb(struct walk *w, const struct batch *b, const char *station_id)
{
    const char *ev = b->evidence ? b->evidence : "";
    struct sc_jv *m = NULL;
    int64_t first = 0, last = -1;
    if (crypto_sign_verify_detached(b->sig, (const unsigned char *)ev, strlen(ev), w->key) != 0) {
        problem(w,
                "batch %" PRId64 "..%" PRId64 " (usb): the export's manifest signature does "
                "not verify with station %s's registered key",
                b->first, b->last, station_id);
        return 0;
    }
    const struct sc_jv *chain = NULL;
    const char *sid = NULL, *sha = NULL;
    if (sc_json_parse(ev, strlen(ev), &m, NULL, 0) == 0) {
        chain = sc_jv_get(m, "chain");
        sid = sc_jv_get_string(m, "station_id");
        sha = listed_sha(m, "events.tsv");
    }
    if (!chain || sc_jv_get_int(chain, "first_seq", &first) != 0 ||
        sc_jv_get_int(chain, "last_seq", &last) != 0 || !sid || strcmp(sid, station_id) != 0 ||
        !sha || b->first < first || b->last > last) {
        problem(w, "batch %" PRId64 "..%" PRId64 " (usb): its manifest does not cover it", b->first,
                b->last);
        sc_jv_free(m);
        return 0;
    }
    struct tsv_hash h = {0};
    crypto_hash_sha256_init(&h.st);
    crypto_hash_sha256_update(&h.st, (const unsigned char *)REC_EVENTS_TSV_HEADER,
                              strlen(REC_EVENTS_TSV_HEADER));
    int rc = each_event(w->db, station_id, first, last, hash_event, &h);
    unsigned char digest[32];
    char hex[65];
    crypto_hash_sha256_final(&h.st, digest);
    sodium_bin2hex(hex, sizeof(hex), digest, 32);
    if (rc == 0 && (h.count != last - first + 1 || strcmp(hex, sha) != 0))
        problem(w,
                "batch %" PRId64 "..%" PRId64 " (usb): the county's events %" PRId64 "..%" PRId64
                " do not make the events.tsv the export signed (an event was altered or is "
                "missing)",
                b->first, b->last, first, last);
    sc_buf_free(&h.line);
    sc_jv_free(m);
    return rc;
}

static int check_usb_batches(struct walk *w, const char *station_id)
{
    const char *checked = NULL; /* batches of one import share their manifest */
    for (size_t i = 0; i < w->n_batches; i++) {
        const struct batch *b = &w->batches[i];
        if (!b->usb) continue;
        if (checked && b->evidence && strcmp(checked, b->evidence) == 0) continue;
        int rc = check_usb(w, b, station_id);
        if (rc != 0) return rc;
        checked = b->evidence;
    }
    return 0;
}

static int station_key(struct walk *w, const char *station_id)
{
    const char *params[] = {station_id};
    PGresult *res = NULL;
    int rc = cty_exec(w->db, "SELECT public_key FROM studycast.stations WHERE station_id = $1", 1,
                      params, PGRES_TUPLES_OK, "looking up the station", &res);
    if (rc != 0) return rc;
    if (PQntuples(res) != 1)
        rc = cty_fail(w->db, -ENOENT, "station %s is not registered", station_id);
    else if (cty_get_bytes(res, 0, 0, w->key, 32) != 0)
        problem(w, "the registered key is not 32 bytes");
    PQclear(res);
    return rc;
}

int cty_verify_station(struct cty_db *db, const char *station_id, struct cty_station_check *out)
{
    *out = (struct cty_station_check){.ok = true};
    snprintf(out->station_id, sizeof(out->station_id), "%s", station_id);
    struct walk w = {.db = db, .out = out, .expected = 1};
    int rc = station_key(&w, station_id);
    if (rc == 0) rc = load_batches(&w, station_id);
    struct walk_ctx c = {&w, station_id};
    if (rc == 0) rc = each_event(db, station_id, 1, INT64_MAX, walk_event, &c);
    if (rc == 0 && w.n_batches && w.batches[w.n_batches - 1].last >= w.expected)
        problem(&w, "events %" PRId64 "..%" PRId64 " are missing (a batch covers them)", w.expected,
                w.batches[w.n_batches - 1].last);
    if (rc == 0) rc = check_usb_batches(&w, station_id);
    if (w.suppressed) {
        size_t n = w.suppressed;
        w.out->n_problems--; /* the last line says how many more there are */
        free(w.out->problems[w.out->n_problems]);
        problem(&w, "... and %zu more problems", n + 1);
    }
    for (size_t i = 0; i < w.n_batches; i++)
        free(w.batches[i].evidence);
    free(w.batches);
    sc_buf_free(&w.bytes);
    if (rc != 0) cty_station_check_free(out);
    return rc;
}

void cty_station_check_free(struct cty_station_check *check)
{
    if (!check) return;
    for (size_t i = 0; i < check->n_problems; i++)
        free(check->problems[i]);
    free(check->problems);
    check->problems = NULL;
    check->n_problems = 0;
}

int cty_verify_all(struct cty_db *db, struct cty_station_check **checks, size_t *count)
{
    *checks = NULL;
    *count = 0;
    PGresult *res = NULL;
    int rc = cty_schema_check(db);
    if (rc == 0)
        rc = cty_exec(db, "SELECT station_id FROM studycast.stations ORDER BY station_id", 0, NULL,
                      PGRES_TUPLES_OK, "listing the stations", &res);
    if (rc != 0) return rc;
    int rows = PQntuples(res);
    struct cty_station_check *c = calloc((size_t)rows + 1, sizeof(*c));
    if (!c) rc = -ENOMEM;
    size_t n = 0;
    for (int i = 0; rc == 0 && i < rows; i++) {
        rc = cty_verify_station(db, PQgetvalue(res, i, 0), &c[n]);
        if (rc == 0) n++;
    }
    PQclear(res);
    if (rc != 0) {
        cty_station_checks_free(c, n);
        return rc;
    }
    *checks = c;
    *count = n;
    return 0;
}

void cty_station_checks_free(struct cty_station_check *checks, size_t count)
{
    for (size_t i = 0; checks && i < count; i++)
        cty_station_check_free(&checks[i]);
    free(checks);
}
