/* The station's Ed25519 key pair and its settings. The secret key lives in
 * the data dir with mode 0600; the public key beside it and in the first
 * event, so the chain binds the key that signs the exports. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (path) snprintf(path, n, "%s/%s", dir, name);
    return path;
}

static int write_secret(const char *path, const unsigned char *key, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -errno;
    int rc = 0;
    if (fchmod(fd, 0600) != 0 || write(fd, key, len) != (ssize_t)len || fsync(fd) != 0)
        rc = errno ? -errno : -EIO;
    if (close(fd) != 0 && rc == 0) rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
    if (rc != 0) unlink(tmp);
    if (rc == 0) rc = rec_fsync_dir(path);
    return rc;
}

int rec_keys_load(struct rec *rec)
{
    char *secret_path = join(rec->data_dir, REC_SECRET_NAME);
    if (!secret_path) return -ENOMEM;
    char *data = NULL;
    size_t len = 0;
    int rc = sc_read_file(secret_path, 4096, &data, &len);
    if (rc == 0 && len != crypto_sign_SECRETKEYBYTES) rc = REC_ECORRUPT;
    if (rc == 0) {
        memcpy(rec->secret_key, data, len);
        crypto_sign_ed25519_sk_to_pk(rec->public_key, rec->secret_key);
    } else {
        SC_ERR(rec->log, "study record: cannot read %s: %s", secret_path, rec_strerror(rc));
    }
    if (data) sodium_memzero(data, len);
    free(data);
    free(secret_path);
    return rc;
}

int rec_keys_load_or_create(struct rec *rec, bool *created)
{
    char *secret_path = join(rec->data_dir, REC_SECRET_NAME);
    char *public_path = join(rec->data_dir, REC_PUBLIC_NAME);
    int rc = secret_path && public_path ? 0 : -ENOMEM;
    *created = false;
    char *data = NULL;
    size_t len = 0;
    if (rc == 0) rc = sc_read_file(secret_path, 4096, &data, &len);
    if (rc == 0) {
        if (len != crypto_sign_SECRETKEYBYTES) {
            SC_ERR(rec->log, "study record: %s is not an Ed25519 secret key", secret_path);
            rc = REC_ECORRUPT;
        } else {
            memcpy(rec->secret_key, data, len);
            crypto_sign_ed25519_sk_to_pk(rec->public_key, rec->secret_key);
            struct stat sb;
            if (stat(secret_path, &sb) == 0 && (sb.st_mode & 077) != 0) {
                SC_WARN(rec->log, "study record: %s was readable by others; mode set to 0600",
                        secret_path);
                chmod(secret_path, 0600);
            }
        }
        sodium_memzero(data, len);
    } else if (rc == -ENOENT) {
        crypto_sign_keypair(rec->public_key, rec->secret_key);
        rc = write_secret(secret_path, rec->secret_key, sizeof(rec->secret_key));
        if (rc != 0)
            SC_ERR(rec->log, "study record: cannot write %s: %s", secret_path, strerror(-rc));
        *created = rc == 0;
    } else {
        SC_ERR(rec->log, "study record: cannot read %s: %s", secret_path, strerror(-rc));
    }
    free(data);
    if (rc == 0) {
        char hex[2 * crypto_sign_PUBLICKEYBYTES + 2];
        rec_hex(rec->public_key, crypto_sign_PUBLICKEYBYTES, hex);
        strcat(hex, "\n");
        char *existing = NULL;
        size_t existing_len = 0;
        bool same = sc_read_file(public_path, 4096, &existing, &existing_len) == 0 &&
                    strcmp(existing, hex) == 0;
        free(existing);
        if (!same) rc = sc_write_file_atomic(public_path, hex, strlen(hex));
        if (rc == 0 && !same)
            chmod(public_path, 0644); /* public: anyone may check exports with it */
        if (rc != 0)
            SC_ERR(rec->log, "study record: cannot write %s: %s", public_path, strerror(-rc));
    }
    free(secret_path);
    free(public_path);
    return rc;
}

int rec_station_public_key_hex(struct rec *rec, char out[65])
{
    rec_hex(rec->public_key, crypto_sign_PUBLICKEYBYTES, out);
    return 0;
}

static bool valid_offset(const char *v)
{
    /* +hh:mm or -hh:mm, up to 14 hours */
    if (strlen(v) != 6 || (v[0] != '+' && v[0] != '-') || v[3] != ':') return false;
    for (int i = 1; i < 6; i++)
        if (i != 3 && (v[i] < '0' || v[i] > '9')) return false;
    int h = (v[1] - '0') * 10 + v[2] - '0', m = (v[4] - '0') * 10 + v[5] - '0';
    return h <= 14 && m < 60;
}

/* A decimal integer without sign or leading zeros, within [min, max]. */
static bool valid_int(const char *v, long min, long max)
{
    size_t len = strlen(v);
    if (len == 0 || len > 6 || (len > 1 && v[0] == '0')) return false;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') return false;
        n = n * 10 + (v[i] - '0');
    }
    return n >= min && n <= max;
}

/* The station's stream: a URL or an absolute path, printable, one line. */
static bool valid_source(const char *v)
{
    size_t len = strlen(v);
    if (len == 0 || len > 255) return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) return false;
    return v[0] == '/' || strstr(v, "://") != NULL;
}

int rec_setting_set(struct rec *rec, const char *key, const char *value)
{
    if (!key || !value) return -EINVAL;
    if (strcmp(key, "station_type") == 0) {
        if (strcmp(value, "village") != 0 && strcmp(value, "township") != 0) return -EINVAL;
    } else if (strcmp(key, "utc_offset") == 0) {
        if (!valid_offset(value)) return -EINVAL;
    } else if (strcmp(key, "station_name") == 0) {
        if (strlen(value) > 120 || sc_text_has_control(value)) return -EINVAL;
    } else if (strcmp(key, "volume") == 0) {
        if (!valid_int(value, 0, 100)) return -EINVAL;
    } else if (strcmp(key, "service") == 0) {
        if (!valid_int(value, 1, 65535)) return -EINVAL;
    } else if (strcmp(key, "language") == 0) {
        if (strcmp(value, "zh_CN") != 0 && strcmp(value, "en") != 0) return -EINVAL;
    } else if (strcmp(key, "clock_source") == 0) {
        if (strcmp(value, "auto") != 0 && strcmp(value, "system") != 0) return -EINVAL;
    } else if (strcmp(key, "source") == 0) {
        if (!valid_source(value)) return -EINVAL;
    } else if (strcmp(key, "county_server") == 0) {
        /* the server without its password: the record goes to inspectors */
        if (strlen(value) > 255 || sc_text_has_control(value) || strstr(value, "password"))
            return -EINVAL;
    } else if (strcmp(key, "tv_standby") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) return -EINVAL;
    } else {
        return -EINVAL; /* station_id is made once; unknown keys are typos */
    }
    char current[256];
    if (rec_setting_get(rec, key, current, sizeof(current)) == 0 && strcmp(current, value) == 0)
        return 0;
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "key", key);
    sc_json_kv_string(&json, "value", value);
    sc_json_object_end(&json);
    int rc =
        payload.failed ? -ENOMEM : rec_append(rec, "settings_changed", NULL, payload.data, NULL);
    sc_buf_free(&payload);
    return rc;
}

int rec_setting_get(struct rec *rec, const char *key, char *buf, size_t size)
{
    if (strcmp(key, "station_id") == 0) {
        snprintf(buf, size, "%s", rec->station_id);
        return 0;
    }
    sqlite3_stmt *st = rec_stmt(rec, ST_SETTING_GET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOENT
                                                   : rec_map_sqlite(rec, rc, "reading a setting");
    }
    sqlite3_reset(st);
    return rc;
}

int rec_utc_offset_seconds(struct rec *rec)
{
    char v[16];
    if (rec_setting_get(rec, "utc_offset", v, sizeof(v)) != 0 || !valid_offset(v)) return 8 * 3600;
    int h = (v[1] - '0') * 10 + v[2] - '0', m = (v[4] - '0') * 10 + v[5] - '0';
    return (v[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}
