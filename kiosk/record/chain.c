/* The hash chain: canonical encoding of an event and the walk that checks it. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* The encoding is gathered in a buffer and hashed in few updates: the chain
 * check hashes every event of the record before each report and export. */
struct encoder {
    crypto_hash_sha256_state st;
    size_t n;
    unsigned char buf[512];
};

static void put_bytes(struct encoder *enc, const void *bytes, size_t n)
{
    if (enc->n + n > sizeof(enc->buf)) {
        crypto_hash_sha256_update(&enc->st, enc->buf, enc->n);
        enc->n = 0;
        if (n > sizeof(enc->buf)) {
            crypto_hash_sha256_update(&enc->st, bytes, n);
            return;
        }
    }
    memcpy(enc->buf + enc->n, bytes, n);
    enc->n += n;
}

/* Decimal digits of value at the end of a 24-byte buffer; returns the first. */
static char *decimal(uint64_t value, bool negative, char end[24])
{
    char *p = end + 24;
    do {
        *--p = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    if (negative) *--p = '-';
    return p;
}

/* Each field is written as "<decimal length>:<bytes>\n" so that no choice of
 * field contents can make two different events encode alike. */
static void put_field(struct encoder *enc, const char *bytes, size_t n)
{
    char digits[24];
    char *len = decimal(n, false, digits);
    put_bytes(enc, len, (size_t)(digits + 24 - len));
    put_bytes(enc, ":", 1);
    put_bytes(enc, bytes, n);
    put_bytes(enc, "\n", 1);
}

static void put_text(struct encoder *enc, const char *text)
{
    put_field(enc, text, strlen(text));
}

static void put_int(struct encoder *enc, int64_t value)
{
    char digits[24];
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    char *text = decimal(magnitude, value < 0, digits);
    put_field(enc, text, (size_t)(digits + 24 - text));
}

void rec_event_hash(const struct rec_event *e, unsigned char out[REC_HASH_BYTES])
{
    struct encoder enc = {.n = 0};
    crypto_hash_sha256_init(&enc.st);
    put_bytes(&enc, "studycast-event-v1\n", 19);
    put_bytes(&enc, e->prev_hash, REC_HASH_BYTES);
    put_int(&enc, e->seq);
    put_text(&enc, e->type);
    put_int(&enc, e->utc_ns);
    put_text(&enc, e->clock_source);
    put_int(&enc, e->mono_ns);
    put_text(&enc, e->boot_id);
    put_text(&enc, e->session ? e->session : "");
    put_text(&enc, e->payload);
    crypto_hash_sha256_update(&enc.st, enc.buf, enc.n);
    crypto_hash_sha256_final(&enc.st, out);
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

/* Storage classes the chain check demands of each column, in SELECT order.
 * The hash covers the values' text, but the derivations compare typed values
 * in SQL (a blob never equals a text, text with a NUL after "x" is not "x"):
 * a value is only what was hashed if it has its class and no NUL byte. */
enum {
    COL_SEQ,
    COL_TYPE,
    COL_UTC,
    COL_CLOCK,
    COL_MONO,
    COL_BOOT,
    COL_SESSION,
    COL_PAYLOAD,
    COL_PREV,
    COL_HASH,
    N_COLS
};
static const char *const col_name[N_COLS] = {"seq",       "type",    "utc_ns",  "clock_source",
                                             "mono_ns",   "boot_id", "session", "payload",
                                             "prev_hash", "hash"};
static const int col_class[N_COLS] = {SQLITE_INTEGER, SQLITE_TEXT, SQLITE_INTEGER, SQLITE_TEXT,
                                      SQLITE_INTEGER, SQLITE_TEXT, SQLITE_TEXT,    SQLITE_TEXT,
                                      SQLITE_BLOB,    SQLITE_BLOB};

static const char *class_name(int type)
{
    switch (type) {
    case SQLITE_INTEGER:
        return "an integer";
    case SQLITE_FLOAT:
        return "a real";
    case SQLITE_TEXT:
        return "text";
    case SQLITE_BLOB:
        return "a blob";
    default:
        return "NULL";
    }
}

/* The event's type for a message: its bytes whatever their class, anything
 * unprintable as '?'. */
static void printable_type(sqlite3_stmt *st, char *out, size_t size)
{
    const unsigned char *bytes = sqlite3_column_blob(st, COL_TYPE);
    int n = sqlite3_column_bytes(st, COL_TYPE);
    size_t k = 0;
    for (int i = 0; bytes && i < n && k + 1 < size; i++)
        out[k++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '?';
    out[k] = '\0';
    if (k == 0) snprintf(out, size, "?");
}

/* Why the row's columns are not what was hashed, or NULL if they are. Reads
 * only storage classes and byte counts, before any conversion. */
static const char *column_fault(sqlite3_stmt *st, char *why, size_t size)
{
    for (int i = 0; i < N_COLS; i++) {
        int type = sqlite3_column_type(st, i);
        if (i == COL_SESSION && type == SQLITE_NULL) continue;
        if (type != col_class[i]) {
            snprintf(why, size, "%s is stored as %s, not %s", col_name[i], class_name(type),
                     class_name(col_class[i]));
            return why;
        }
        if (type == SQLITE_BLOB && sqlite3_column_bytes(st, i) != REC_HASH_BYTES) {
            snprintf(why, size, "%s is not %d bytes", col_name[i], REC_HASH_BYTES);
            return why;
        }
        if (type != SQLITE_TEXT) continue;
        const char *text = (const char *)sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        if (strlen(text) != n) {
            snprintf(why, size, "%s holds a NUL byte", col_name[i]);
            return why;
        }
        /* NULL and "" hash alike, and only NULL means "no session" */
        if (i == COL_SESSION && n == 0) {
            snprintf(why, size, "session is empty text, not NULL");
            return why;
        }
    }
    return NULL;
}

/* Records the first fault: "event N (type) <detail>", or without the type
 * when st is NULL (an event that is not there). */
static int fault_at(struct rec *rec, int64_t seq, sqlite3_stmt *st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fault_at(struct rec *rec, int64_t seq, sqlite3_stmt *st, const char *fmt, ...)
{
    struct rec_chain_fault *f = &rec->fault;
    char detail[144]; /* fits the message with the longest seq and type */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    f->seq = seq;
    if (st) {
        printable_type(st, f->type, sizeof(f->type));
        snprintf(f->message, sizeof(f->message),
                 "the study record has been altered: event %" PRId64 " (%s) %s", seq, f->type,
                 detail);
    } else {
        snprintf(f->message, sizeof(f->message),
                 "the study record has been altered: event %" PRId64 " %s", seq, detail);
    }
    SC_ERR(rec->log, "event chain: %s", f->message);
    return REC_ECHAIN;
}

int rec_chain_check_db(struct rec *rec)
{
    rec_writer_drain(rec); /* the chain as far as this handle has queued it */
    memset(&rec->fault, 0, sizeof(rec->fault));
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                                "session, payload, prev_hash, hash FROM events ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "reading the event chain");
    unsigned char prev[REC_HASH_BYTES] = {0};
    int64_t expected_seq = 1;
    int result = 0;
    char why[96];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, COL_SEQ);
        if (column_fault(st, why, sizeof(why))) {
            result = fault_at(rec, seq, st, "has been edited: %s", why);
            break;
        }
        if (seq != expected_seq) {
            result = fault_at(rec, expected_seq, NULL,
                              "is missing: event %" PRId64 " follows event %" PRId64, seq,
                              expected_seq - 1);
            break;
        }
        struct rec_event e = {
            .seq = seq,
            .type = (const char *)sqlite3_column_text(st, COL_TYPE),
            .utc_ns = sqlite3_column_int64(st, COL_UTC),
            .clock_source = (const char *)sqlite3_column_text(st, COL_CLOCK),
            .mono_ns = sqlite3_column_int64(st, COL_MONO),
            .boot_id = (const char *)sqlite3_column_text(st, COL_BOOT),
            .session = sqlite3_column_type(st, COL_SESSION) == SQLITE_NULL
                           ? ""
                           : (const char *)sqlite3_column_text(st, COL_SESSION),
            .payload = (const char *)sqlite3_column_text(st, COL_PAYLOAD),
        };
        if (memcmp(sqlite3_column_blob(st, COL_PREV), prev, REC_HASH_BYTES) != 0) {
            result = fault_at(rec, seq, st,
                              "does not link to event %" PRId64
                              " (an event before it was changed, removed or inserted)",
                              seq - 1);
            break;
        }
        memcpy(e.prev_hash, prev, REC_HASH_BYTES);
        rec_event_hash(&e, e.hash);
        if (memcmp(sqlite3_column_blob(st, COL_HASH), e.hash, REC_HASH_BYTES) != 0) {
            result = fault_at(rec, seq, st, "does not match its hash");
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

int rec_check_chain(struct rec *rec, struct rec_chain_fault *fault)
{
    int rc = rec_chain_check_db(rec);
    if (fault) *fault = rec->fault;
    return rc;
}

const struct rec_chain_fault *rec_chain_fault(const struct rec *rec)
{
    return &rec->fault;
}
