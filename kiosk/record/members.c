/* The roster: derived from member_added/updated/removed events, imported
 * from a CSV file in one transaction. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROSTER_MAX_BYTES (8u << 20)

static const struct {
    const char *name, *zh;
} categories[] = {
    [REC_PARTY_MEMBER] = {"party_member", "党员"},
    [REC_CADRE] = {"cadre", "干部"},
    [REC_VILLAGER] = {"villager", "群众"},
};

const char *rec_category_name(enum rec_category c)
{
    return (unsigned)c <= REC_VILLAGER ? categories[c].name : "villager";
}

const char *rec_category_label_zh(enum rec_category c)
{
    return (unsigned)c <= REC_VILLAGER ? categories[c].zh : "群众";
}

int rec_category_parse(const char *text, enum rec_category *out)
{
    for (int i = 0; i <= REC_VILLAGER; i++) {
        if (strcasecmp(text, categories[i].name) == 0 || strcmp(text, categories[i].zh) == 0) {
            *out = (enum rec_category)i;
            return 0;
        }
    }
    return -EINVAL;
}

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

static void member_clear(struct rec_member *m)
{
    free(m->number);
    free(m->name);
    free(m->card);
    memset(m, 0, sizeof(*m));
}

void rec_members_free(struct rec_member *members, size_t count)
{
    for (size_t i = 0; members && i < count; i++)
        member_clear(&members[i]);
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

static int set_member(struct rec_member *m, const char *number, const char *name,
                      const char *category, const char *card)
{
    member_clear(m);
    m->number = strdup(number);
    m->name = strdup(name ? name : "");
    m->card = card && *card ? strdup(card) : NULL;
    if (!m->number || !m->name || (card && *card && !m->card)) return -ENOMEM;
    if (!category || rec_category_parse(category, &m->category) != 0) m->category = REC_VILLAGER;
    return 0;
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
                member_clear(&list[i]);
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
        result = set_member(&list[i], number, (const char *)sqlite3_column_text(st, 2),
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

static size_t utf8_sequence_length(const unsigned char *s, size_t left)
{
    if (s[0] < 0x80) return 1;
    size_t n = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || n > left) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    uint32_t cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0; /* overlong, out of range or a surrogate */
    return n;
}

static bool valid_utf8(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence_length(s + i, len - i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

static int gb18030_to_utf8(const char *in, size_t in_len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return -errno;
    size_t cap = in_len * 2 + 16, left_out = cap, left_in = in_len;
    char *buf = malloc(cap + 1);
    if (!buf) {
        iconv_close(cd);
        return -ENOMEM;
    }
    char *src = (char *)in, *dst = buf;
    size_t r = iconv(cd, &src, &left_in, &dst, &left_out);
    int rc = r == (size_t)-1 ? -EILSEQ : 0;
    iconv_close(cd);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *dst = '\0';
    *out = buf;
    *out_len = (size_t)(dst - buf);
    return 0;
}

static void add_problem(struct rec_import_result *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_problem(struct rec_import_result *r, int line, const char *fmt, ...)
{
    struct rec_import_problem *grown =
        realloc(r->problems, (r->n_problems + 1) * sizeof(*r->problems));
    if (!grown) return;
    r->problems = grown;
    struct rec_import_problem *p = &r->problems[r->n_problems++];
    p->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
}

void rec_import_result_free(struct rec_import_result *result)
{
    free(result->problems);
    memset(result, 0, sizeof(*result));
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F) return true;
    return false;
}

struct roster_row {
    int line;
    struct rec_member m;
};

static int check_header(struct rec_csv_row *row, struct rec_import_result *r, size_t *columns)
{
    static const char *const names[] = {"number", "name", "category", "card"};
    bool ok = row->n_fields == 3 || row->n_fields == 4;
    for (size_t i = 0; ok && i < row->n_fields; i++) {
        char *f = trim(row->fields[i]);
        for (char *p = f; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        ok = strcmp(f, names[i]) == 0;
    }
    if (!ok) {
        add_problem(r, row->line, "the header must be number,name,category,card");
        return -EINVAL;
    }
    *columns = row->n_fields;
    return 0;
}

/* Validates one data row; returns 0 and fills out, or adds problems. */
static int check_row(struct rec_csv_row *row, size_t columns, struct roster_row *rows,
                     size_t n_rows, struct rec_import_result *r, struct roster_row *out)
{
    if (row->n_fields != columns) {
        add_problem(r, row->line, "expected %zu columns, found %zu", columns, row->n_fields);
        out->line = row->line;
        return set_member(&out->m, "", "", NULL, NULL) != 0 ? -ENOMEM : -EINVAL;
    }
    const char *number = trim(row->fields[0]), *name = trim(row->fields[1]);
    const char *category = trim(row->fields[2]);
    const char *card = columns == 4 ? trim(row->fields[3]) : "";
    int bad = 0;
    if (!*number || strlen(number) > 32 || has_control(number)) {
        add_problem(r, row->line, "the member number is %s", *number ? "invalid" : "empty");
        bad = -EINVAL;
    }
    if (!*name || strlen(name) > 100 || has_control(name)) {
        add_problem(r, row->line, "the name is %s", *name ? "invalid" : "empty");
        bad = -EINVAL;
    }
    enum rec_category cat = REC_VILLAGER;
    if (rec_category_parse(category, &cat) != 0) {
        add_problem(r, row->line,
                    "unknown category '%.40s' (use 党员, 干部, 群众 or party_member, cadre, "
                    "villager)",
                    category);
        bad = -EINVAL;
    }
    if (strlen(card) > 64 || has_control(card)) {
        add_problem(r, row->line, "the card id is invalid");
        bad = -EINVAL;
    }
    for (size_t i = 0; i < n_rows; i++) {
        if (*number && strcmp(rows[i].m.number, number) == 0) {
            add_problem(r, row->line, "duplicate member number %.32s (first on line %d)", number,
                        rows[i].line);
            bad = -EINVAL;
        }
        if (*card && rows[i].m.card && strcmp(rows[i].m.card, card) == 0) {
            add_problem(r, row->line, "duplicate card %.64s (first on line %d)", card,
                        rows[i].line);
            bad = -EINVAL;
        }
    }
    /* bad rows are kept too, so later rows are still checked against them */
    out->line = row->line;
    if (set_member(&out->m, number, name, rec_category_name(cat), card) != 0) return -ENOMEM;
    return bad;
}

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

/* Records the differences between the current roster and the file's rows,
 * plus a summary event, in one transaction. */
static int apply_roster(struct rec *rec, const char *path, const char *data, size_t len,
                        struct roster_row *rows, size_t n_rows, struct rec_import_result *r)
{
    struct rec_member *current = NULL;
    size_t n_current = 0;
    int rc = rec_members_list(rec, &current, &n_current);
    if (rc != 0) return rc;
    struct sc_buf payload = {0};
    rc = rec_tx_begin(rec);
    for (size_t i = 0; rc == 0 && i < n_rows; i++) {
        const struct rec_member *old = NULL;
        for (size_t j = 0; j < n_current && !old; j++)
            if (strcmp(current[j].number, rows[i].m.number) == 0) old = &current[j];
        if (old && same_member(old, &rows[i].m)) {
            r->unchanged++;
            continue;
        }
        rc = member_payload(&rows[i].m, &payload);
        if (rc == 0)
            rc = rec_append_in_tx(rec, old ? "member_updated" : "member_added", NULL, payload.data,
                                  NULL, NULL, NULL);
        old ? r->updated++ : r->added++;
    }
    for (size_t j = 0; rc == 0 && j < n_current; j++) {
        bool kept = false;
        for (size_t i = 0; i < n_rows && !kept; i++)
            kept = strcmp(current[j].number, rows[i].m.number) == 0;
        if (kept) continue;
        struct rec_member gone = {.number = current[j].number};
        rc = member_payload(&gone, &payload);
        if (rc == 0)
            rc = rec_append_in_tx(rec, "member_removed", NULL, payload.data, NULL, NULL, NULL);
        r->removed++;
    }
    if (rc == 0) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(digest, (const unsigned char *)data, len);
        rec_hex(digest, sizeof(digest), hex);
        const char *base = strrchr(path, '/');
        struct sc_json json;
        sc_buf_reset(&payload);
        sc_json_init(&json, &payload, false);
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "file", base ? base + 1 : path);
        sc_json_kv_string(&json, "sha256", hex);
        sc_json_kv_int(&json, "rows", (int64_t)n_rows);
        sc_json_kv_int(&json, "added", r->added);
        sc_json_kv_int(&json, "updated", r->updated);
        sc_json_kv_int(&json, "removed", r->removed);
        sc_json_object_end(&json);
        rc = payload.failed
                 ? -ENOMEM
                 : rec_append_in_tx(rec, "members_imported", NULL, payload.data, NULL, NULL, NULL);
    }
    rc = rc == 0 ? rec_tx_commit(rec) : (rec_tx_rollback(rec), rc);
    sc_buf_free(&payload);
    rec_members_free(current, n_current);
    return rc;
}

static int parse_roster(const char *text, size_t len, struct rec_import_result *r,
                        struct roster_row **rows_out, size_t *n_out)
{
    struct rec_csv_parser parser = {.data = text, .len = len};
    struct rec_csv_row row = {0};
    struct roster_row *rows = NULL;
    size_t n_rows = 0, columns = 0;
    bool header_seen = false;
    int rc, result = 0;
    while ((rc = rec_csv_next(&parser, &row)) == 1) {
        if (row.n_fields == 1 && trim(row.fields[0])[0] == '\0') continue; /* blank line */
        if (!header_seen) {
            header_seen = true;
            if (check_header(&row, r, &columns) != 0) {
                result = REC_EROSTER;
                break;
            }
            continue;
        }
        struct roster_row *grown = realloc(rows, (n_rows + 1) * sizeof(*rows));
        if (!grown) {
            result = -ENOMEM;
            break;
        }
        rows = grown;
        memset(&rows[n_rows], 0, sizeof(*rows));
        int row_rc = check_row(&row, columns, rows, n_rows, r, &rows[n_rows]);
        if (row_rc == -ENOMEM) {
            member_clear(&rows[n_rows].m);
            result = -ENOMEM;
            break;
        }
        n_rows++;
        if (row_rc != 0) result = REC_EROSTER;
    }
    if (rc == -EINVAL) {
        add_problem(r, row.line, "a quoted field is never closed");
        result = REC_EROSTER;
    } else if (rc < 0) {
        result = rc;
    }
    if (result == 0 && !header_seen) {
        add_problem(r, 0, "the file is empty (expected the header number,name,category,card)");
        result = REC_EROSTER;
    }
    rec_csv_row_free(&row);
    *rows_out = rows;
    *n_out = n_rows;
    return result;
}

int rec_members_import(struct rec *rec, const char *path, struct rec_import_result *r)
{
    memset(r, 0, sizeof(*r));
    char *data = NULL, *converted = NULL;
    size_t len = 0, converted_len = 0;
    int rc = sc_read_file(path, ROSTER_MAX_BYTES, &data, &len);
    if (rc != 0) {
        SC_ERR(rec->log, "members: cannot read %s: %s", path, strerror(-rc));
        return rc;
    }
    const char *text = data;
    size_t text_len = len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        text_len -= 3;
    }
    if (memchr(text, '\0', text_len)) {
        add_problem(r, 0, "this is not a text file (it contains NUL bytes)");
        rc = REC_EROSTER;
    } else if (!valid_utf8(text, text_len)) {
        /* not UTF-8: the other encoding Chinese spreadsheets save in */
        if (gb18030_to_utf8(text, text_len, &converted, &converted_len) != 0) {
            add_problem(r, 0, "the file is neither UTF-8 nor GB18030 text");
            rc = REC_EROSTER;
        } else {
            text = converted;
            text_len = converted_len;
            SC_INFO(rec->log, "members: %s read as GB18030", path);
        }
    }
    struct roster_row *rows = NULL;
    size_t n_rows = 0;
    if (rc == 0) rc = parse_roster(text, text_len, r, &rows, &n_rows);
    if (rc == 0) rc = apply_roster(rec, path, data, len, rows, n_rows, r);
    if (rc == REC_EROSTER)
        SC_ERR(rec->log, "members: %s has %zu problem(s); nothing was imported", path,
               r->n_problems);
    for (size_t i = 0; i < n_rows; i++)
        member_clear(&rows[i].m);
    free(rows);
    free(data);
    free(converted);
    return rc;
}
