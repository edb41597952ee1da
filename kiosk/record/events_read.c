/* The event chain for readers outside the record (the county's sync, import
 * and verify): events read in seq order, their events.tsv lines (the one
 * encoding `record export` writes, so a county rebuilds an export's
 * events.tsv from its rows byte for byte), the chain's hash and the
 * station's signature, without anyone else running SQL on record.sqlite. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(REC_HASH_BYTES == 32, "rec_chain_event carries 32-byte hashes");

static void to_internal(const struct rec_chain_event *in, struct rec_event *out)
{
    *out = (struct rec_event){
        .seq = in->seq,
        .type = in->type ? in->type : "",
        .utc_ns = in->utc_ns,
        .clock_source = in->clock_source ? in->clock_source : "",
        .mono_ns = in->mono_ns,
        .boot_id = in->boot_id ? in->boot_id : "",
        .session = in->session ? in->session : "",
        .payload = in->payload ? in->payload : "",
    };
    memcpy(out->prev_hash, in->prev_hash, REC_HASH_BYTES);
}

void rec_chain_event_hash(const struct rec_chain_event *event, unsigned char out[32])
{
    struct rec_event e;
    to_internal(event, &e);
    rec_event_hash(&e, out);
}

/* Tabs, newlines and backslashes escaped so each event is one line. */
static void tsv_field(struct sc_buf *out, const char *text, bool last)
{
    const char *run = text ? text : "";
    for (const char *p = run;; p++) {
        const char *esc = *p == '\t'   ? "\\t"
                          : *p == '\n' ? "\\n"
                          : *p == '\r' ? "\\r"
                          : *p == '\\' ? "\\\\"
                                       : NULL;
        if (!esc && *p) continue;
        sc_buf_append(out, run, (size_t)(p - run));
        if (!*p) break;
        sc_buf_puts(out, esc);
        run = p + 1;
    }
    sc_buf_puts(out, last ? "\n" : "\t");
}

void rec_chain_event_tsv(const struct rec_chain_event *e, struct sc_buf *out)
{
    char number[24], hex[2 * REC_HASH_BYTES + 1];
    snprintf(number, sizeof(number), "%" PRId64, e->seq);
    tsv_field(out, number, false);
    tsv_field(out, e->type, false);
    snprintf(number, sizeof(number), "%" PRId64, e->utc_ns);
    tsv_field(out, number, false);
    tsv_field(out, e->clock_source, false);
    snprintf(number, sizeof(number), "%" PRId64, e->mono_ns);
    tsv_field(out, number, false);
    tsv_field(out, e->boot_id, false);
    tsv_field(out, e->session, false);
    tsv_field(out, e->payload, false);
    rec_hex(e->prev_hash, REC_HASH_BYTES, hex);
    tsv_field(out, hex, false);
    rec_hex(e->hash, REC_HASH_BYTES, hex);
    tsv_field(out, hex, true);
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

static int parse_int(const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end) return -EINVAL;
    *out = v;
    return 0;
}

int rec_chain_event_parse_tsv(char *line, struct rec_chain_event *e)
{
    char *fields[10];
    int nf = 0;
    for (char *f = line; f && nf < 10; nf++) {
        fields[nf] = f;
        char *tab = strchr(f, '\t');
        if (tab) *tab = '\0';
        f = tab ? tab + 1 : NULL;
        if (!f && nf < 9) return -EINVAL;
        if (f && nf == 9) return -EINVAL; /* more than ten fields */
    }
    if (nf != 10) return -EINVAL;
    for (int i = 0; i < 10; i++)
        unescape(fields[i]);
    *e = (struct rec_chain_event){.type = fields[1],
                                  .clock_source = fields[3],
                                  .boot_id = fields[5],
                                  .session = fields[6],
                                  .payload = fields[7]};
    if (parse_int(fields[0], &e->seq) || parse_int(fields[2], &e->utc_ns) ||
        parse_int(fields[4], &e->mono_ns) ||
        rec_unhex(fields[8], e->prev_hash, REC_HASH_BYTES) != 0 ||
        rec_unhex(fields[9], e->hash, REC_HASH_BYTES) != 0)
        return -EINVAL;
    return 0;
}

int rec_events_read(struct rec *rec, int64_t from_seq, int64_t to_seq, rec_chain_event_fn fn,
                    void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                                "session, payload, prev_hash, hash FROM events WHERE seq >= ?1 "
                                "AND seq <= ?2 ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "reading events");
    sqlite3_bind_int64(st, 1, from_seq);
    sqlite3_bind_int64(st, 2, to_seq);
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct rec_chain_event e = {
            .seq = sqlite3_column_int64(st, 0),
            .type = (const char *)sqlite3_column_text(st, 1),
            .utc_ns = sqlite3_column_int64(st, 2),
            .clock_source = (const char *)sqlite3_column_text(st, 3),
            .mono_ns = sqlite3_column_int64(st, 4),
            .boot_id = (const char *)sqlite3_column_text(st, 5),
            .session = (const char *)sqlite3_column_text(st, 6),
            .payload = (const char *)sqlite3_column_text(st, 7),
        };
        if (sqlite3_column_bytes(st, 8) != REC_HASH_BYTES ||
            sqlite3_column_bytes(st, 9) != REC_HASH_BYTES) {
            result = REC_ECHAIN;
            break;
        }
        memcpy(e.prev_hash, sqlite3_column_blob(st, 8), REC_HASH_BYTES);
        memcpy(e.hash, sqlite3_column_blob(st, 9), REC_HASH_BYTES);
        result = fn(ctx, &e);
        if (result != 0) break;
    }
    if (result == 0 && rc != SQLITE_DONE) result = rec_map_sqlite(rec, rc, "reading events");
    sqlite3_finalize(st);
    return result;
}

int rec_station_sign(struct rec *rec, const void *bytes, size_t len, unsigned char sig[64])
{
    static const unsigned char none[crypto_sign_SECRETKEYBYTES];
    if (sodium_memcmp(rec->secret_key, none, sizeof(none)) == 0) return -ENOENT;
    crypto_sign_detached(sig, NULL, bytes, len, rec->secret_key);
    return 0;
}

void rec_station_public_key(const struct rec *rec, unsigned char out[32])
{
    memcpy(out, rec->public_key, REC_HASH_BYTES);
}
