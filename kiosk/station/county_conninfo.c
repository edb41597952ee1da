/* The county server's credentials: DATA_DIR/county.conninfo (0600, written
 * atomically), and the conninfo without its password for the record's
 * setting and the screens. The syntax is libpq's: whitespace-separated
 * key=value pairs (a value in single quotes with \' and \\ escapes), or a
 * postgresql:// URI. Any thread (no state). */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int file_path(const char *data_dir, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/county.conninfo", data_dir ? data_dir : ST_DEFAULT_DATA_DIR);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Appends c to out (bounded); false when out is full. */
static bool put(char *out, size_t size, size_t *n, char c)
{
    if (*n + 1 >= size) return false;
    out[(*n)++] = c;
    out[*n] = '\0';
    return true;
}

int st_conninfo_pair(const char **cursor, char *key, size_t key_size, char *value,
                     size_t value_size)
{
    const char *p = *cursor;
    while (is_space(*p))
        p++;
    if (!*p) return 0;
    size_t k = 0, v = 0;
    key[0] = value[0] = '\0';
    while (*p && *p != '=' && !is_space(*p))
        if (!put(key, key_size, &k, *p++)) return -EINVAL;
    while (is_space(*p))
        p++;
    if (*p++ != '=' || k == 0) return -EINVAL;
    while (is_space(*p))
        p++;
    bool quoted = *p == '\'';
    if (quoted) p++;
    for (;; p++) {
        if (!*p) {
            if (quoted) return -EINVAL; /* an unterminated quote */
            break;
        }
        if (quoted ? *p == '\'' : is_space(*p)) {
            p += quoted;
            break;
        }
        if (*p == '\\' && p[1]) p++;
        if (!put(value, value_size, &v, *p)) return -EINVAL;
    }
    *cursor = p;
    return 1;
}

static bool is_uri(const char *conninfo)
{
    return strncmp(conninfo, "postgresql://", 13) == 0 || strncmp(conninfo, "postgres://", 11) == 0;
}

/* The URI without "user:password@"'s password and without password= in its query. */
static void shown_uri(const char *uri, char *out, size_t size)
{
    const char *auth = strstr(uri, "://") + 3;
    size_t auth_len = strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *q = auth; q < auth + auth_len; q++)
        if (*q == '@') at = q;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    size_t n = 0;
    out[0] = '\0';
    for (const char *q = uri; *q; q++) {
        if (colon && q == colon) q = at; /* from ':' up to the '@' */
        if (*q == '?' || *q == '&') {
            const char *param = q + 1;
            if (strncmp(param, "password=", 9) == 0) {
                const char *next = strchr(param, '&');
                bool first = *q == '?';
                if (!next) break;
                q = next;
                if (first && !put(out, size, &n, '?')) return; /* the next one opens the query */
                if (first) continue;
            }
        }
        if (!put(out, size, &n, *q)) return;
    }
}

void st_station_county_shown(const char *conninfo, char *shown, size_t size)
{
    if (size == 0) return;
    shown[0] = '\0';
    if (is_uri(conninfo)) {
        shown_uri(conninfo, shown, size);
        return;
    }
    char key[64], value[ST_COUNTY_CONNINFO_MAX + 1];
    const char *p = conninfo;
    size_t n = 0;
    while (st_conninfo_pair(&p, key, sizeof(key), value, sizeof(value)) > 0) {
        if (strcmp(key, "password") == 0) continue;
        bool quote = !value[0] || strpbrk(value, " \t'\\") != NULL;
        char piece[ST_COUNTY_CONNINFO_MAX + 80];
        int len = snprintf(piece, sizeof(piece), "%s%s=%s", n ? " " : "", key, quote ? "'" : "");
        for (const char *v = value; *v && len < (int)sizeof(piece) - 3; v++) {
            if (*v == '\'' || *v == '\\') piece[len++] = '\\';
            piece[len++] = *v;
        }
        snprintf(piece + len, sizeof(piece) - (size_t)len, "%s", quote ? "'" : "");
        for (const char *c = piece; *c; c++)
            if (!put(shown, size, &n, *c)) return;
    }
}

void st_station_county_brief(const char *conninfo, char *brief, size_t size)
{
    if (size == 0) return;
    if (is_uri(conninfo)) {
        st_station_county_shown(conninfo, brief, size);
        return;
    }
    enum { USER, HOST, HOSTADDR, PORT, DBNAME, N_PARTS };
    static const char *const names[N_PARTS] = {"user", "host", "hostaddr", "port", "dbname"};
    char part[N_PARTS][ST_COUNTY_CONNINFO_MAX + 1] = {{0}}, key[64], value[sizeof(part[0])];
    const char *p = conninfo;
    while (st_conninfo_pair(&p, key, sizeof(key), value, sizeof(value)) > 0)
        for (int i = 0; i < N_PARTS; i++)
            if (strcmp(key, names[i]) == 0) snprintf(part[i], sizeof(part[i]), "%s", value);
    const char *host = part[HOST][0] ? part[HOST] : part[HOSTADDR];
    snprintf(brief, size, "%s%s%s%s%s%s%s", part[USER], part[USER][0] ? "@" : "", host,
             part[PORT][0] ? ":" : "", part[PORT], part[DBNAME][0] ? "/" : "", part[DBNAME]);
}

static bool valid_conninfo(const char *conninfo)
{
    if (strlen(conninfo) > ST_COUNTY_CONNINFO_MAX || sc_text_has_control(conninfo)) return false;
    if (is_uri(conninfo)) return true;
    char key[64], value[ST_COUNTY_CONNINFO_MAX + 1];
    const char *p = conninfo;
    int rc, pairs = 0;
    while ((rc = st_conninfo_pair(&p, key, sizeof(key), value, sizeof(value))) > 0)
        pairs += strcmp(key, "password") != 0;
    return rc == 0 && pairs > 0;
}

int st_station_county_set(const char *data_dir, const char *conninfo, char *shown, size_t size)
{
    char path[PATH_MAX];
    int rc = file_path(data_dir, path, sizeof(path));
    if (rc < 0) return rc;
    if (size) shown[0] = '\0';
    if (!conninfo[0]) return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
    if (!valid_conninfo(conninfo)) return -EINVAL;
    st_station_county_shown(conninfo, shown, size);
    char text[ST_COUNTY_CONNINFO_MAX + 2];
    int len = snprintf(text, sizeof(text), "%s\n", conninfo);
    return sc_write_file_atomic(path, text, (size_t)len); /* made 0600 */
}

int st_station_county_get(const char *data_dir, char *conninfo, size_t size)
{
    char path[PATH_MAX];
    int rc = file_path(data_dir, path, sizeof(path));
    if (rc < 0) return rc;
    char *data = NULL;
    size_t len = 0;
    rc = sc_read_file(path, ST_COUNTY_CONNINFO_MAX + 2, &data, &len);
    if (rc < 0) return rc == -EFBIG ? -EINVAL : rc;
    while (len > 0 && is_space(data[len - 1]))
        data[--len] = '\0';
    rc = len == 0 ? -ENOENT : valid_conninfo(data) && len < size ? 0 : -EINVAL;
    if (rc == 0) memcpy(conninfo, data, len + 1);
    free(data);
    return rc;
}
