/* `county stations`: the fleet at a glance, from the status rows stations
 * update when they sync and the caches the last report derived. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char fleet_sql[] =
    "SELECT s.station_id, s.name, s.township, s.type,\n"
    "  extract(epoch FROM greatest(st.last_seen, d.last_received))::bigint,\n"
    "  coalesce(greatest(st.last_seen, d.last_received) < now() - interval '" CTY_SILENT_DAYS_TEXT
    " days', true),\n"
    "  st.version, st.pending, st.last_seq, st.record_check_ok, st.record_check_message,\n"
    "  d.verified, d.problems, st.playing, st.next, st.free_disk_bytes\n"
    "FROM studycast.stations s\n"
    "LEFT JOIN studycast.station_status st ON st.station_id = s.station_id\n"
    "LEFT JOIN studycast.derived_state d ON d.station_id = s.station_id\n"
    "ORDER BY s.township, s.name, s.station_id";

static void text_at(char *out, size_t size, const PGresult *res, int row, int col)
{
    snprintf(out, size, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
    char *newline = strchr(out, '\n'); /* the first line of several */
    if (newline) *newline = '\0';
}

static int64_t int_or(const PGresult *res, int row, int col, int64_t none)
{
    return PQgetisnull(res, row, col) ? none : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* 1 true, 0 false, -1 unknown (NULL) */
static int tristate(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? -1 : strcmp(PQgetvalue(res, row, col), "t") == 0;
}

static void read_fleet_row(const PGresult *res, int i, struct cty_fleet_row *r)
{
    text_at(r->station_id, sizeof(r->station_id), res, i, 0);
    text_at(r->name, sizeof(r->name), res, i, 1);
    text_at(r->township, sizeof(r->township), res, i, 2);
    text_at(r->type, sizeof(r->type), res, i, 3);
    r->last_seen = int_or(res, i, 4, 0);
    r->silent = strcmp(PQgetvalue(res, i, 5), "t") == 0;
    text_at(r->version, sizeof(r->version), res, i, 6);
    r->pending = int_or(res, i, 7, -1);
    r->last_seq = int_or(res, i, 8, -1);
    r->record_check = tristate(res, i, 9);
    text_at(r->record_check_message, sizeof(r->record_check_message), res, i, 10);
    r->verified = tristate(res, i, 11);
    text_at(r->problem, sizeof(r->problem), res, i, 12);
    text_at(r->playing, sizeof(r->playing), res, i, 13);
    text_at(r->next, sizeof(r->next), res, i, 14);
    r->free_disk_bytes = int_or(res, i, 15, -1);
}

int cty_fleet(struct cty_db *db, struct cty_fleet_row **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    PGresult *res = NULL;
    int rc = cty_exec(db, fleet_sql, 0, NULL, PGRES_TUPLES_OK, "reading the stations", &res);
    if (rc != 0) return rc;
    int n = PQntuples(res);
    struct cty_fleet_row *list = n ? calloc((size_t)n, sizeof(*list)) : NULL;
    if (n && !list) rc = -ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++)
        read_fleet_row(res, i, &list[i]);
    PQclear(res);
    if (rc != 0) return rc;
    *rows = list;
    *count = (size_t)n;
    return 0;
}

static void kv_optional_int(struct sc_json *json, const char *key, int64_t value)
{
    sc_json_key(json, key);
    if (value < 0)
        sc_json_null(json);
    else
        sc_json_int(json, value);
}

static void kv_tristate(struct sc_json *json, const char *key, int value)
{
    sc_json_key(json, key);
    if (value < 0)
        sc_json_null(json);
    else
        sc_json_bool(json, value == 1);
}

static void fleet_row_json(struct sc_json *json, const struct cty_fleet_row *r)
{
    char when[32];
    sc_json_object_begin(json);
    sc_json_kv_string(json, "station_id", r->station_id);
    sc_json_kv_string(json, "name", r->name);
    sc_json_kv_string(json, "township", r->township);
    sc_json_kv_string(json, "type", r->type);
    sc_json_key(json, "last_seen");
    if (r->last_seen) {
        sc_format_iso8601_utc(r->last_seen, when, sizeof(when));
        sc_json_string(json, when);
    } else {
        sc_json_null(json);
    }
    sc_json_kv_bool(json, "silent", r->silent);
    sc_json_kv_string(json, "version", r->version[0] ? r->version : NULL);
    kv_optional_int(json, "pending", r->pending);
    kv_optional_int(json, "last_seq", r->last_seq);
    sc_json_key(json, "record_check");
    sc_json_object_begin(json);
    kv_tristate(json, "ok", r->record_check);
    if (r->record_check == 0) sc_json_kv_string(json, "message", r->record_check_message);
    sc_json_object_end(json);
    kv_tristate(json, "verified", r->verified);
    if (r->verified == 0) sc_json_kv_string(json, "problem", r->problem);
    sc_json_kv_string(json, "playing", r->playing[0] ? r->playing : NULL);
    sc_json_kv_string(json, "next", r->next[0] ? r->next : NULL);
    kv_optional_int(json, "free_disk_bytes", r->free_disk_bytes);
    sc_json_object_end(json);
}

int cty_fleet_json(const struct cty_fleet_row *rows, size_t count, struct sc_buf *out)
{
    struct sc_json json;
    sc_json_init(&json, out, true);
    sc_json_object_begin(&json);
    sc_json_key(&json, "stations");
    sc_json_array_begin(&json);
    int silent = 0, failing = 0, unverified = 0;
    for (size_t i = 0; i < count; i++) {
        fleet_row_json(&json, &rows[i]);
        silent += rows[i].silent;
        failing += rows[i].record_check == 0;
        unverified += rows[i].verified == 0;
    }
    sc_json_array_end(&json);
    sc_json_key(&json, "totals");
    sc_json_object_begin(&json);
    sc_json_kv_int(&json, "stations", (int64_t)count);
    sc_json_kv_int(&json, "silent", silent);
    sc_json_kv_int(&json, "record_check_failing", failing);
    sc_json_kv_int(&json, "unverified", unverified);
    sc_json_object_end(&json);
    sc_json_object_end(&json);
    sc_buf_puts(out, "\n");
    return out->failed ? -ENOMEM : 0;
}
