/* The administrator's PIN: a libsodium password hash plus the lock-out state
 * in one small JSON file, rewritten atomically, so that neither a power cut
 * nor a restart unlocks the menu early. */
#include "kiosk/station/station.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PIN_FILE "admin-pin.json"
/* Argon2id cost: a 4-8 digit PIN's strength is the lock-out; the hash keeps
 * the PIN from being read off a copied card, and this cost keeps the check
 * well under a second on a low-end receiver (half of libsodium's
 * "interactive" work, 16 MiB instead of 64 MiB). */
#define PIN_OPSLIMIT 4
#define PIN_MEMLIMIT (16u << 20)

static int pin_path(const char *data_dir, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/%s", data_dir, PIN_FILE);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool pin_valid(const char *pin)
{
    size_t n = strlen(pin);
    if (n < ST_PIN_MIN_DIGITS || n > ST_PIN_MAX_DIGITS) return false;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9') return false;
    return true;
}

/* The file's content: hash, failures, locked_until. */
static int load(const char *data_dir, char hash[crypto_pwhash_STRBYTES], struct st_pin_state *st)
{
    memset(st, 0, sizeof(*st));
    hash[0] = '\0';
    char path[4096];
    int rc = pin_path(data_dir, path, sizeof(path));
    if (rc < 0) return rc;
    char *text = NULL;
    size_t len = 0;
    rc = sc_read_file(path, 64 * 1024, &text, &len);
    if (rc == -ENOENT) return 0;
    if (rc == -ENOMEM) return rc;
    if (rc < 0) return -EIO; /* its mode, a directory ...: never taken for a wrong PIN */
    struct sc_jv *doc = NULL;
    rc = sc_json_parse(text, len, &doc, NULL, 0);
    free(text);
    if (rc < 0) return rc == -ENOMEM ? rc : -EBADMSG;
    const char *h = sc_jv_get_string(doc, "hash");
    int64_t failures = 0, locked = 0;
    if (!h || strlen(h) >= crypto_pwhash_STRBYTES ||
        sc_jv_get_int(doc, "failures", &failures) < 0 ||
        sc_jv_get_int(doc, "locked_until", &locked) < 0 || failures < 0) {
        sc_jv_free(doc);
        return -EBADMSG;
    }
    snprintf(hash, crypto_pwhash_STRBYTES, "%s", h);
    st->set = true;
    st->failures = failures > 1000 ? 1000 : (int)failures;
    st->locked_until_utc = locked;
    sc_jv_free(doc);
    return 0;
}

static int save(const char *data_dir, const char *hash, const struct st_pin_state *st)
{
    char path[4096];
    int rc = pin_path(data_dir, path, sizeof(path));
    if (rc < 0) return rc;
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, true);
    sc_json_object_begin(&j);
    sc_json_kv_int(&j, "version", 1);
    sc_json_kv_string(&j, "hash", hash);
    sc_json_kv_int(&j, "failures", st->failures);
    sc_json_kv_int(&j, "locked_until", st->locked_until_utc);
    sc_json_object_end(&j);
    rc = buf.failed ? -ENOMEM : sc_write_file_atomic(path, buf.data, buf.len);
    sc_buf_free(&buf);
    if (rc == 0 && chmod(path, 0600) < 0) rc = -errno;
    return rc;
}

int st_station_pin_set(const char *data_dir, const char *pin)
{
    if (!pin_valid(pin)) return -EINVAL;
    if (sodium_init() < 0) return -ENOSYS;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, pin, strlen(pin), PIN_OPSLIMIT, PIN_MEMLIMIT) != 0)
        return -ENOMEM; /* libsodium's only failure here: it could not get the memory */
    struct st_pin_state st = {.set = true};
    return save(data_dir, hash, &st);
}

/* A lock-out never ends more than ST_PIN_LOCK_S after now: a clock set back
 * (or a broadcast clock that jumped) would lengthen it; shortened, saved. */
static void clamp_lock(const char *data_dir, const char *hash, struct st_pin_state *state,
                       int64_t now_utc)
{
    if (state->locked_until_utc - now_utc <= ST_PIN_LOCK_S) return;
    state->locked_until_utc = now_utc + ST_PIN_LOCK_S;
    save(data_dir, hash, state); /* if it fails, the next reading clamps again */
}

int st_station_pin_state(const char *data_dir, int64_t now_utc, struct st_pin_state *state)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = load(data_dir, hash, state);
    if (rc == 0 && state->set) clamp_lock(data_dir, hash, state, now_utc);
    return rc;
}

int st_station_pin_check(const char *data_dir, const char *pin, int64_t now_utc,
                         struct st_pin_state *state)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = load(data_dir, hash, state);
    if (rc < 0) return rc;
    if (!state->set) return -ENOENT;
    if (state->locked_until_utc > now_utc) {
        clamp_lock(data_dir, hash, state, now_utc);
        return -EAGAIN;
    }
    if (state->locked_until_utc) { /* the lock-out is over: a fresh set of tries */
        state->locked_until_utc = 0;
        state->failures = 0;
    }
    if (sodium_init() < 0) return -ENOSYS;
    bool right = pin_valid(pin) && crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
    if (right) {
        state->failures = 0;
    } else if (++state->failures >= ST_PIN_MAX_TRIES) {
        state->locked_until_utc = now_utc + ST_PIN_LOCK_S;
    }
    /* the count must reach the disk before the answer: else a power cut
     * between tries would give the guesser fresh tries */
    rc = save(data_dir, hash, state);
    if (rc < 0) return rc;
    return right ? 0 : -EACCES;
}
