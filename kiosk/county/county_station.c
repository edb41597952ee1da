/* `county add-station`: a station's row, its status row and its login role,
 * in one transaction; and the station an export folder names. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool valid_station_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 63 || id[0] == '-') return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) || id[i] == '-'))
            return false;
    return true;
}

static int check_new(struct cty_db *db, const struct cty_station_new *s, unsigned char key[32])
{
    if (!s->station_id || !valid_station_id(s->station_id))
        return cty_fail(db, -EINVAL, "a station id is lower-case letters, digits and '-' (%s)",
                        s->station_id ? s->station_id : "none given");
    char hex[65];
    snprintf(hex, sizeof(hex), "%s", s->public_key_hex ? s->public_key_hex : "");
    for (char *p = hex; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t len = 0;
    if (strlen(hex) != 64 || sodium_hex2bin(key, 32, hex, 64, NULL, &len, NULL) != 0 || len != 32)
        return cty_fail(db, -EINVAL, "the public key is not 64 hex digits");
    if (!s->name || !s->name[0] || sc_text_has_control(s->name) || !s->township ||
        !s->township[0] || sc_text_has_control(s->township))
        return cty_fail(db, -EINVAL,
                        "a station needs a name and a township (no control "
                        "characters)");
    if (!s->type || (strcmp(s->type, "village") != 0 && strcmp(s->type, "township") != 0))
        return cty_fail(db, -EINVAL, "a station's type is village or township");
    if (s->password && (!s->password[0] || strlen(s->password) > 63))
        return cty_fail(db, -EINVAL, "a password has 1 to 63 bytes");
    return 0;
}

static int already_registered(struct cty_db *db, const char *station_id, const char *key_param)
{
    const char *params[] = {station_id, key_param};
    PGresult *res = NULL;
    int rc = cty_exec(db,
                      "SELECT station_id, role_name, public_key = $2::bytea FROM "
                      "studycast.stations WHERE station_id = $1 OR public_key = $2::bytea",
                      2, params, PGRES_TUPLES_OK, "looking for the station", &res);
    if (rc != 0) return rc;
    if (PQntuples(res) > 0) {
        bool same_id = strcmp(PQgetvalue(res, 0, 0), station_id) == 0;
        rc = cty_fail(db, CTY_EEXIST,
                      same_id ? "station %s is registered already (role %s)"
                              : "this key is registered already, for station %s (role %s)",
                      PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return rc;
}

/* station_<first 8 of the id's letters and digits>, or all of them if taken. */
static int pick_role(struct cty_db *db, const char *station_id, char role[64])
{
    char plain[64];
    size_t n = 0;
    for (const char *p = station_id; *p && n + 1 < sizeof(plain); p++)
        if (*p != '-') plain[n++] = *p;
    plain[n] = '\0';
    for (int attempt = 0; attempt < 2; attempt++) {
        snprintf(role, 64, "station_%.*s", attempt == 0 ? 8 : 54, plain);
        const char *params[] = {role};
        PGresult *res = NULL;
        int rc = cty_exec(db, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params,
                          PGRES_TUPLES_OK, "looking for the role", &res);
        if (rc != 0) return rc;
        bool taken = PQntuples(res) > 0;
        PQclear(res);
        if (!taken) return 0;
    }
    return cty_fail(db, CTY_EEXIST, "a role named %s exists already", role);
}

/* The role, its password as a SCRAM verifier (the password itself never
 * reaches the server or its logs), and membership of the station group. */
static int create_role(struct cty_db *db, const char *role, const char *password)
{
    char *verifier = PQencryptPasswordConn(db->conn, password, role, "scram-sha-256");
    if (!verifier) return cty_fail(db, CTY_EDB, "cannot make the role's password verifier");
    char *ident = PQescapeIdentifier(db->conn, role, strlen(role));
    char *literal = PQescapeLiteral(db->conn, verifier, strlen(verifier));
    PQfreemem(verifier);
    int rc = -ENOMEM;
    if (ident && literal) {
        struct sc_buf sql = {0};
        sc_buf_printf(&sql, "CREATE ROLE %s LOGIN PASSWORD %s IN ROLE " CTY_STATION_GROUP, ident,
                      literal);
        rc = sql.failed ? -ENOMEM
                        : cty_exec(db, sql.data, 0, NULL, PGRES_COMMAND_OK,
                                   "creating the station's role", NULL);
        sc_buf_free(&sql);
    }
    PQfreemem(ident);
    PQfreemem(literal);
    return rc;
}

/* key='value' with ' and \ escaped, as libpq reads it. */
static void conninfo_value(struct sc_buf *out, const char *key, const char *value)
{
    if (!value || !value[0]) return;
    sc_buf_printf(out, "%s%s='", out->len ? " " : "", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\') sc_buf_append(out, "\\", 1);
        sc_buf_append(out, p, 1);
    }
    sc_buf_append(out, "'", 1);
}

static void make_conninfo(struct cty_db *db, struct cty_station_added *out)
{
    struct sc_buf c = {0};
    conninfo_value(&c, "host", PQhost(db->conn));
    conninfo_value(&c, "port", PQport(db->conn));
    conninfo_value(&c, "dbname", PQdb(db->conn));
    conninfo_value(&c, "user", out->role);
    conninfo_value(&c, "password", out->password);
    snprintf(out->conninfo, sizeof(out->conninfo), "%s", c.failed ? "" : c.data);
    sc_buf_free(&c);
}

static int register_station(struct cty_db *db, const struct cty_station_new *s,
                            const char *key_param, struct cty_station_added *out)
{
    int rc = already_registered(db, s->station_id, key_param);
    if (rc == 0) rc = pick_role(db, s->station_id, out->role);
    if (rc == 0) rc = create_role(db, out->role, out->password);
    const char *params[] = {s->station_id, key_param, s->name, s->township, s->type, out->role};
    if (rc == 0)
        rc = cty_exec(db,
                      "INSERT INTO studycast.stations (station_id, public_key, name, township, "
                      "type, role_name) VALUES ($1, $2::bytea, $3, $4, $5, $6)",
                      6, params, PGRES_COMMAND_OK, "registering the station", NULL);
    if (rc == 0)
        rc = cty_exec(db, "INSERT INTO studycast.station_status (station_id) VALUES ($1)", 1,
                      params, PGRES_COMMAND_OK, "registering the station", NULL);
    return rc;
}

int cty_add_station(struct cty_db *db, const struct cty_station_new *s,
                    struct cty_station_added *out)
{
    memset(out, 0, sizeof(*out));
    unsigned char key[32];
    int rc = check_new(db, s, key);
    if (rc != 0) return rc;
    if (sodium_init() < 0) return -ENOMEM;
    snprintf(out->station_id, sizeof(out->station_id), "%s", s->station_id);
    if (s->password) {
        snprintf(out->password, sizeof(out->password), "%s", s->password);
    } else {
        unsigned char random[16];
        randombytes_buf(random, sizeof(random));
        sodium_bin2hex(out->password, sizeof(out->password), random, sizeof(random));
    }
    char key_param[2 * 32 + 3];
    cty_bytea_param(key, 32, key_param);
    rc = cty_schema_check(db);
    if (rc == 0) rc = cty_begin(db);
    if (rc != 0) return rc;
    rc = register_station(db, s, key_param, out);
    if (rc == 0) rc = cty_commit(db);
    if (rc != 0) {
        cty_rollback(db);
        sodium_memzero(out->password, sizeof(out->password));
        return rc;
    }
    make_conninfo(db, out);
    SC_INFO(db->log, "county: station %s registered as role %s", out->station_id, out->role);
    return 0;
}

int cty_export_station(const char *dir, cty_problem_fn problem, void *ctx, char station_id[64],
                       char public_key_hex[65])
{
    int rc = rec_verify_export(dir, NULL, problem, ctx);
    if (rc == REC_ETAMPER) return CTY_EVERIFY;
    if (rc != 0) return rc;
    struct sc_buf path = {0};
    sc_buf_printf(&path, "%s/manifest.json", dir);
    char *data = NULL;
    size_t len = 0;
    rc = path.failed ? -ENOMEM : sc_read_file(path.data, 16u << 20, &data, &len);
    sc_buf_free(&path);
    struct sc_jv *manifest = NULL;
    if (rc == 0) rc = sc_json_parse(data, len, &manifest, NULL, 0);
    const char *id = manifest ? sc_jv_get_string(manifest, "station_id") : NULL;
    const char *key = manifest ? sc_jv_get_string(manifest, "public_key") : NULL;
    if (rc == 0 && (!id || !key || strlen(id) > 63 || strlen(key) != 64)) rc = CTY_EVERIFY;
    if (rc == 0) {
        snprintf(station_id, 64, "%s", id);
        snprintf(public_key_hex, 65, "%s", key);
    }
    sc_jv_free(manifest);
    free(data);
    return rc;
}
