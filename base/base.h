/* base: what every studycast module shares: logging with subsystem tags and
 * rate limiting, a JSON writer, a growable byte buffer and the clocks.
 * No module-level state: every handle is created by the caller and passed down. */
#ifndef STUDYCAST_BASE_H
#define STUDYCAST_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- logging ---------------------------------------------------------- */

enum sc_log_level { SC_LOG_ERROR = 0, SC_LOG_WARN, SC_LOG_INFO, SC_LOG_DEBUG, SC_LOG_TRACE };

/* A log handle: the root owns the sink (a FILE, a level and a mutex); children
 * made with sc_log_child() share the root's sink and add their own tag.
 * Thread-safe: any thread may log through any handle. A NULL handle logs nothing. */
struct sc_log;

/* Creates a root logger writing to `out` (not owned; stderr if NULL). */
struct sc_log *sc_log_create(FILE *out, enum sc_log_level level);
/* Creates a child tagged `tag` ("demux", "player/audio" ...). The parent must
 * outlive the child. Returns NULL if out of memory or parent is NULL. */
struct sc_log *sc_log_child(struct sc_log *parent, const char *tag);
/* Destroys a child or a root (a root only after all its children). Accepts NULL. */
void sc_log_destroy(struct sc_log *log);
/* Changes the level of the root this handle belongs to. */
void sc_log_set_level(struct sc_log *log, enum sc_log_level level);
/* Parses "error", "warn", "info", "debug", "trace"; returns -1 if unknown. */
int sc_log_level_parse(const char *name);
bool sc_log_enabled(const struct sc_log *log, enum sc_log_level level);

void sc_logf(struct sc_log *log, enum sc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sc_logv(struct sc_log *log, enum sc_log_level level, const char *fmt, va_list ap);

/* Rate limit for messages that a damaged stream can repeat thousands of times
 * (tvheadend's tvhlog_limit): at most `burst` messages per `period_ms`, then a
 * single "N similar messages suppressed" line when the period rolls over.
 * The caller owns the state; zero-initialise it, then set burst and period_ms
 * (0 means 5 per 1000 ms). Not thread-safe: keep one per thread or guard it. */
struct sc_log_limit {
    unsigned burst;
    unsigned period_ms;
    int64_t window_start_ns;
    unsigned in_window;
    unsigned suppressed;
};
void sc_logf_limited(struct sc_log *log, struct sc_log_limit *limit, enum sc_log_level level,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define SC_ERR(log, ...)   sc_logf((log), SC_LOG_ERROR, __VA_ARGS__)
#define SC_WARN(log, ...)  sc_logf((log), SC_LOG_WARN, __VA_ARGS__)
#define SC_INFO(log, ...)  sc_logf((log), SC_LOG_INFO, __VA_ARGS__)
#define SC_DEBUG(log, ...) sc_logf((log), SC_LOG_DEBUG, __VA_ARGS__)

/* ---- clocks ----------------------------------------------------------- */

/* CLOCK_MONOTONIC in nanoseconds: for durations and deadlines. */
int64_t sc_mono_ns(void);
/* CLOCK_REALTIME in nanoseconds since the Unix epoch: for timestamps only. */
int64_t sc_utc_ns(void);
/* Formats Unix seconds as "2026-11-28T13:05:27Z" into buf (at least 21 bytes). */
void sc_format_iso8601_utc(int64_t unix_seconds, char *buf, size_t size);
/* Parses "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm]" or "YYYY-MM-DD" (00:00 UTC);
 * without a zone the time is UTC. Returns 0 and sets *unix_seconds, or -1. */
int sc_parse_iso8601(const char *text, int64_t *unix_seconds);

/* ---- text from people ----------------------------------------------------- */

/* True when s holds a control character: C0 (below 0x20), DEL, or a C1
 * control (U+0080..U+009F, in UTF-8 0xC2 0x80..0x9F). Titles and names
 * refuse them: on a terminal they are commands (ESC [ 2 J clears it). */
bool sc_text_has_control(const char *s);
/* Copies s into out (size bytes, NUL-terminated, cut short if need be) with
 * every control character written as \xNN (a C1 control as its two bytes),
 * so that text recorded before it was refused never reaches a terminal raw.
 * Returns out. */
const char *sc_text_printable(const char *s, char *out, size_t size);

/* ---- growable buffer ---------------------------------------------------- */

/* A byte buffer that keeps a NUL after its data. Zero-initialise to use. On
 * allocation failure `failed` is set and further appends are ignored, so a
 * writer checks once at the end. */
struct sc_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};
void sc_buf_append(struct sc_buf *buf, const void *data, size_t len);
void sc_buf_puts(struct sc_buf *buf, const char *text);
void sc_buf_printf(struct sc_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_buf_reset(struct sc_buf *buf);
void sc_buf_free(struct sc_buf *buf);

/* ---- JSON writer -------------------------------------------------------- */

/* Streams JSON into an sc_buf, inserting commas itself. Strings must be UTF-8;
 * control characters and invalid bytes are escaped (invalid bytes as U+FFFD),
 * so the output always parses. Nesting depth is limited to 32. */
struct sc_json {
    struct sc_buf *out;
    int depth;
    bool need_comma[32];
    bool after_key; /* the next value completes a key: no comma */
    bool pretty;
};
void sc_json_init(struct sc_json *json, struct sc_buf *out, bool pretty);
void sc_json_object_begin(struct sc_json *json);
void sc_json_object_end(struct sc_json *json);
void sc_json_array_begin(struct sc_json *json);
void sc_json_array_end(struct sc_json *json);
void sc_json_key(struct sc_json *json, const char *key);
void sc_json_string(struct sc_json *json, const char *value); /* NULL writes null */
void sc_json_string_len(struct sc_json *json, const char *value, size_t len);
void sc_json_int(struct sc_json *json, int64_t value);
void sc_json_double(struct sc_json *json, double value); /* NaN/inf write null */
void sc_json_bool(struct sc_json *json, bool value);
void sc_json_null(struct sc_json *json);
/* Shorthands for a key followed by a value. */
void sc_json_kv_string(struct sc_json *json, const char *key, const char *value);
void sc_json_kv_int(struct sc_json *json, const char *key, int64_t value);
void sc_json_kv_double(struct sc_json *json, const char *key, double value);
void sc_json_kv_bool(struct sc_json *json, const char *key, bool value);

/* ---- files -------------------------------------------------------------- */

/* Writes `len` bytes to `path` atomically: a temporary file in the same
 * directory (mode 0600), fsync, rename, fsync of the directory. Returns 0 or
 * -errno. */
int sc_write_file_atomic(const char *path, const void *data, size_t len);
/* Reads a whole file (at most max_bytes) into a NUL-terminated malloc'd buffer.
 * Returns 0 or -errno (-EFBIG when larger than max_bytes). */
int sc_read_file(const char *path, size_t max_bytes, char **data, size_t *len);
/* Creates `path` empty with `mode` (less the umask) unless it exists, so
 * that a library that would create it with its own default (SQLite: 0644)
 * opens it as made: the data dir's files are 0640, not for others. 0 when it
 * exists or was made, else -errno. */
int sc_create_file(const char *path, unsigned mode);

/* The same relative to a directory the caller holds open (dirfd, not owned),
 * for folders from outside such as a USB stick's: `name` is one component in
 * that directory and a symbolic link there is never followed. */
/* Writes `name` atomically: a new temporary name "NAME.tmp.XXXXXX" (created
 * O_EXCL|O_NOFOLLOW, so never through an existing file or link), fchmod to
 * `mode`, fsync, renameat over `name` (a link there is replaced, not
 * followed), fsync of dirfd. Returns 0 or -errno. */
int sc_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len,
                            unsigned mode);
/* Reads the regular file `name` as sc_read_file does. -ELOOP if `name` is a
 * symbolic link, -EINVAL if it is not a regular file (a FIFO or a device is
 * never waited on). */
int sc_read_file_at(int dirfd, const char *name, size_t max_bytes, char **data, size_t *len);

/* ---- JSON reader (json_parse.c) ------------------------------------------ */

/* A strict RFC 8259 reader (jansson underneath) into a small DOM: no comments,
 * no trailing commas, no leading zeros; strings must be valid UTF-8 (\u
 * escapes, surrogate pairs included, are decoded; lone surrogates are
 * rejected). Refused because the control socket reads from any local client:
 * \u0000 in a string (every consumer treats strings as C strings), duplicate
 * member names, integers outside int64 and reals outside a double, and
 * nesting deeper than SC_JSON_MAX_DEPTH. There is no size limit here: the
 * caller bounds the input (a request line, a file read). Numbers do not
 * depend on the locale. Not thread-bound: a DOM belongs to whoever parsed it. */
#define SC_JSON_MAX_DEPTH 64

enum sc_jv_type { SC_JV_NULL, SC_JV_BOOL, SC_JV_NUMBER, SC_JV_STRING, SC_JV_ARRAY, SC_JV_OBJECT };

struct sc_jv_member;

struct sc_jv {
    enum sc_jv_type type;
    bool boolean;
    double number;
    bool is_integer;              /* a number without fraction or exponent */
    int64_t integer;              /* valid when is_integer */
    const char *string;           /* NUL-terminated UTF-8 without inner NULs */
    size_t length;                /* string length in bytes */
    struct sc_jv *items;          /* array elements */
    struct sc_jv_member *members; /* object members, in document order */
    size_t count;                 /* number of items or members */
};

struct sc_jv_member {
    const char *key;
    size_t key_len;
    struct sc_jv value;
};

/* Parses exactly one JSON value (surrounded by optional whitespace) from
 * text[0..len). On success *out is a DOM the caller frees with sc_jv_free();
 * its strings live as long as the DOM. On error returns -EINVAL (err receives
 * "what at offset N", or "nesting too deep ...") or -ENOMEM, and *out is
 * NULL. err may be NULL. */
int sc_json_parse(const char *text, size_t len, struct sc_jv **out, char *err, size_t err_size);
void sc_jv_free(struct sc_jv *value); /* a root from sc_json_parse(), or NULL */
/* Lookups: NULL / -ENOENT when absent, NULL / -EINVAL when of another type. */
const struct sc_jv *sc_jv_get(const struct sc_jv *object, const char *key);
const char *sc_jv_get_string(const struct sc_jv *object, const char *key);
int sc_jv_get_int(const struct sc_jv *object, const char *key, int64_t *value);
int sc_jv_get_bool(const struct sc_jv *object, const char *key, bool *value);
const struct sc_jv *sc_jv_at(const struct sc_jv *array, size_t index);

#endif
