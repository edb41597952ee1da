/* The hash chain: canonical encoding of an event and the walk that checks it. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Each field is written as "<decimal length>:<bytes>\n" so that no choice of
 * field contents can make two different events encode alike. */
static void put_field(crypto_hash_sha256_state *st, const char *text)
{
    char len[24];
    size_t n = strlen(text);
    int k = snprintf(len, sizeof(len), "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
    crypto_hash_sha256_update(st, (const unsigned char *)text, n);
    crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

static void put_int(crypto_hash_sha256_state *st, int64_t value)
{
    char text[24];
    snprintf(text, sizeof(text), "%" PRId64, value);
    put_field(st, text);
}

void rec_event_hash(const struct rec_event *e, unsigned char out[REC_HASH_BYTES])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"studycast-event-v1\n", 19);
    crypto_hash_sha256_update(&st, e->prev_hash, REC_HASH_BYTES);
    put_int(&st, e->seq);
    put_field(&st, e->type);
    put_int(&st, e->utc_ns);
    put_field(&st, e->clock_source);
    put_int(&st, e->mono_ns);
    put_field(&st, e->boot_id);
    put_field(&st, e->session ? e->session : "");
    put_field(&st, e->payload);
    crypto_hash_sha256_final(&st, out);
}

void rec_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int rec_unhex(const char *hex, unsigned char *bytes, size_t n)
{
    if (strlen(hex) != 2 * n) return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -EINVAL;
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static const char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int rec_chain_check_db(struct rec *rec)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                                "session, payload, prev_hash, hash FROM events ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "reading the event chain");
    unsigned char prev[REC_HASH_BYTES] = {0};
    int64_t expected_seq = 1;
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct rec_event e = {
            .seq = sqlite3_column_int64(st, 0),
            .type = column_text(st, 1),
            .utc_ns = sqlite3_column_int64(st, 2),
            .clock_source = column_text(st, 3),
            .mono_ns = sqlite3_column_int64(st, 4),
            .boot_id = column_text(st, 5),
            .session = column_text(st, 6),
            .payload = column_text(st, 7),
        };
        const void *stored_prev = sqlite3_column_blob(st, 8);
        const void *stored_hash = sqlite3_column_blob(st, 9);
        if (e.seq != expected_seq) {
            SC_ERR(rec->log, "event chain: expected event %" PRId64 ", found %" PRId64,
                   expected_seq, e.seq);
            result = REC_ECHAIN;
            break;
        }
        if (!stored_prev || sqlite3_column_bytes(st, 8) != REC_HASH_BYTES ||
            memcmp(stored_prev, prev, REC_HASH_BYTES) != 0) {
            SC_ERR(rec->log, "event chain: event %" PRId64 " does not link to its predecessor",
                   e.seq);
            result = REC_ECHAIN;
            break;
        }
        memcpy(e.prev_hash, prev, REC_HASH_BYTES);
        rec_event_hash(&e, e.hash);
        if (!stored_hash || sqlite3_column_bytes(st, 9) != REC_HASH_BYTES ||
            memcmp(stored_hash, e.hash, REC_HASH_BYTES) != 0) {
            SC_ERR(rec->log, "event chain: event %" PRId64 " (%s) was altered", e.seq, e.type);
            result = REC_ECHAIN;
            break;
        }
        memcpy(prev, e.hash, REC_HASH_BYTES);
        expected_seq++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = rec_map_sqlite(rec, rc, "reading the event chain");
    sqlite3_finalize(st);
    return result;
}
