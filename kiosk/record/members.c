/* The roster: derived from member_added/updated/removed events, imported
 * from a CSV file in one transaction. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROSTER_MAX_BYTES (8u << 20)

int rec_member_exists(struct rec *rec, const char *number)
{
    sqlite3_stmt *st = rec_stmt(rec, ST_MEMBER_LATEST);
    sqlite3_bind_text(st, 1, number, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    int result;
    if (rc == SQLITE_ROW)
        result = strcmp((const char *)sqlite3_column_text(st, 0), "member_removed") != 0;
    else if (rc == SQLITE_DONE)
        result = 0;
    else
        result = rec_map_sqlite(rec, rc, "looking up a member");
    sqlite3_reset(st);
    return result;
}

void rec_members_free(struct rec_member *members, size_t count)
{
    for (size_t i = 0; members && i < count; i++)
        rec_member_clear(&members[i]);
    free(members);
}

static int compare_members(const void *a, const void *b)
{
    const char *x = ((const struct rec_member *)a)->number;
    const char *y = ((const struct rec_member *)b)->number;
    size_t lx = strlen(x), ly = strlen(y);
    /* numeric numbers sort by value: 001, 2, 003, 10 */
    if (lx && ly && strspn(x, "0123456789") == lx && strspn(y, "0123456789") == ly) {
        const char *vx = x + strspn(x, "0"), *vy = y + strspn(y, "0");
        size_t nx = strlen(vx), ny = strlen(vy);
        if (nx != ny) return nx < ny ? -1 : 1;
        int c = strcmp(vx, vy);
        if (c != 0) return c;
    }
    return strcmp(x, y);
}

int rec_members_list(struct rec *rec, struct rec_member **members, size_t *count)
{
    *members = NULL;
    *count = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT type, json_extract(payload, '$.number'), "
                                "json_extract(payload, '$.name'), "
                                "json_extract(payload, '$.category'), "
                                "json_extract(payload, '$.card') FROM events WHERE type IN "
                                "('member_added', 'member_updated', 'member_removed') "
                                "ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "reading the roster");
    struct rec_member *list = NULL;
    size_t n = 0, cap = 0;
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *number = (const char *)sqlite3_column_text(st, 1);
        if (!type || !number) continue;
        size_t i = 0;
        while (i < n && strcmp(list[i].number, number) != 0)
            i++;
        if (strcmp(type, "member_removed") == 0) {
            if (i < n) {
                rec_member_clear(&list[i]);
                list[i] = list[--n];
            }
            continue;
        }
        if (i == n) {
            if (n == cap) {
                size_t grown_cap = cap ? 2 * cap : 32;
                struct rec_member *grown = realloc(list, grown_cap * sizeof(*grown));
                if (!grown) {
                    result = -ENOMEM;
                    break;
                }
                list = grown;
                cap = grown_cap;
            }
            memset(&list[n++], 0, sizeof(*list));
        }
        result = rec_member_set(&list[i], number, (const char *)sqlite3_column_text(st, 2),
                                (const char *)sqlite3_column_text(st, 3),
                                (const char *)sqlite3_column_text(st, 4));
        if (result != 0) break;
    }
    if (result == 0 && rc != SQLITE_DONE) result = rec_map_sqlite(rec, rc, "reading the roster");
    sqlite3_finalize(st);
    if (result != 0) {
        rec_members_free(list, n);
        return result;
    }
    if (n > 0) qsort(list, n, sizeof(*list), compare_members);
    *members = list;
    *count = n;
    return 0;
}
/* ---- import ---------------------------------------------------------- */

static int member_payload(const struct rec_member *m, struct sc_buf *out)
{
    struct sc_json json;
    sc_buf_reset(out);
    sc_json_init(&json, out, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "number", m->number);
    if (m->name) sc_json_kv_string(&json, "name", m->name);
    if (m->name) sc_json_kv_string(&json, "category", rec_category_name(m->category));
    if (m->card) sc_json_kv_string(&json, "card", m->card);
    sc_json_object_end(&json);
    return out->failed ? -ENOMEM : 0;
}

static bool same_member(const struct rec_member *a, const struct rec_member *b)
{
    return strcmp(a->name, b->name) == 0 && a->category == b->category &&
           ((!a->card && !b->card) || (a->card && b->card && strcmp(a->card, b->card) == 0));
}

static const struct rec_member *find_member(const struct rec_member *list, size_t n,
                                            const char *number)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].number, number) == 0) return &list[i];
    return NULL;
}

/* What the file's rows would change in the current roster: the counts, and
 * the members missing from the file in r->removals. */
static int diff_roster(const struct rec_member *current, size_t n_current,
                       const struct rec_roster_row *rows, size_t n_rows,
                       struct rec_import_result *r)
{
    for (size_t i = 0; i < n_rows; i++) {
        const struct rec_member *old = find_member(current, n_current, rows[i].m.number);
        if (old && same_member(old, &rows[i].m))
            r->unchanged++;
        else
            old ? r->updated++ : r->added++;
    }
    for (size_t j = 0; j < n_current; j++) {
        bool kept = false;
        for (size_t i = 0; i < n_rows && !kept; i++)
            kept = strcmp(current[j].number, rows[i].m.number) == 0;
        if (kept) continue;
        struct rec_member *grown = realloc(r->removals, (r->n_removals + 1) * sizeof(*r->removals));
        if (!grown) return -ENOMEM;
        r->removals = grown;
        struct rec_member *m = &r->removals[r->n_removals];
        memset(m, 0, sizeof(*m));
        r->n_removals++;
        if (rec_member_set(m, current[j].number, current[j].name,
                           rec_category_name(current[j].category), current[j].card) != 0)
            return -ENOMEM;
        r->removed++;
    }
    return 0;
}

/* The import's summary event: the file's name and hash, and the counts. */
static int append_summary(struct rec *rec, const char *path, const char *data, size_t len,
                          size_t n_rows, const struct rec_import_result *r, struct sc_buf *payload)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, (const unsigned char *)data, len);
    rec_hex(digest, sizeof(digest), hex);
    const char *base = strrchr(path, '/');
    struct sc_json json;
    sc_buf_reset(payload);
    sc_json_init(&json, payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "file", base ? base + 1 : path);
    sc_json_kv_string(&json, "sha256", hex);
    sc_json_kv_int(&json, "rows", (int64_t)n_rows);
    sc_json_kv_int(&json, "added", r->added);
    sc_json_kv_int(&json, "updated", r->updated);
    sc_json_kv_int(&json, "removed", r->removed);
    sc_json_object_end(&json);
    return payload->failed
               ? -ENOMEM
               : rec_append_in_tx(rec, "members_imported", NULL, payload->data, NULL, NULL, NULL);
}

/* Records the differences between the current roster and the file's rows,
 * plus a summary event, in one transaction. Removals only with
 * REC_IMPORT_REPLACE: otherwise REC_EREMOVES and nothing is recorded. */
static int apply_roster(struct rec *rec, const char *path, const char *data, size_t len,
                        unsigned flags, struct rec_roster_row *rows, size_t n_rows,
                        struct rec_import_result *r)
{
    struct rec_member *current = NULL;
    size_t n_current = 0;
    int rc = rec_members_list(rec, &current, &n_current);
    if (rc == 0) rc = diff_roster(current, n_current, rows, n_rows, r);
    if (rc == 0 && r->removed > 0 && !(flags & REC_IMPORT_REPLACE)) rc = REC_EREMOVES;
    if (rc != 0) {
        rec_members_free(current, n_current);
        return rc;
    }
    struct sc_buf payload = {0};
    rc = rec_tx_begin(rec);
    for (size_t i = 0; rc == 0 && i < n_rows; i++) {
        const struct rec_member *old = find_member(current, n_current, rows[i].m.number);
        if (old && same_member(old, &rows[i].m)) continue;
        rc = member_payload(&rows[i].m, &payload);
        if (rc == 0)
            rc = rec_append_in_tx(rec, old ? "member_updated" : "member_added", NULL, payload.data,
                                  NULL, NULL, NULL);
    }
    for (size_t j = 0; rc == 0 && j < r->n_removals; j++) {
        struct rec_member gone = {.number = r->removals[j].number};
        rc = member_payload(&gone, &payload);
        if (rc == 0)
            rc = rec_append_in_tx(rec, "member_removed", NULL, payload.data, NULL, NULL, NULL);
    }
    if (rc == 0) rc = append_summary(rec, path, data, len, n_rows, r, &payload);
    rc = rc == 0 ? rec_tx_commit(rec) : (rec_tx_rollback(rec), rc);
    sc_buf_free(&payload);
    rec_members_free(current, n_current);
    return rc;
}

int rec_members_import(struct rec *rec, const char *path, unsigned flags,
                       struct rec_import_result *r)
{
    memset(r, 0, sizeof(*r));
    char *data = NULL;
    size_t len = 0;
    int rc = sc_read_file(path, ROSTER_MAX_BYTES, &data, &len);
    if (rc != 0) {
        SC_ERR(rec->log, "members: cannot read %s: %s", path, strerror(-rc));
        return rc;
    }
    struct rec_roster_row *rows = NULL;
    size_t n_rows = 0;
    rc = rec_roster_parse(data, len, r, &rows, &n_rows);
    if (rc == 0) rc = apply_roster(rec, path, data, len, flags, rows, n_rows, r);
    if (rc == REC_EROSTER)
        SC_ERR(rec->log, "members: %s has %zu problem(s); nothing was imported", path,
               r->n_problems);
    else if (rc == REC_EREMOVES)
        SC_WARN(rec->log, "members: %s would remove %d member(s); nothing was imported", path,
                r->removed);
    rec_roster_rows_free(rows, n_rows);
    free(data);
    return rc;
}
