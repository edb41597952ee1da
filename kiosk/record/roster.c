/* Roster files: encoding detection (UTF-8 with or without BOM, else
 * GB18030 through iconv), RFC 4180 parsing and row validation, with every
 * problem reported by line. No database here, so it can be fuzzed alone. */
#include "kiosk/record/internal.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

void rec_member_clear(struct rec_member *m)
{
    free(m->number);
    free(m->name);
    free(m->card);
    memset(m, 0, sizeof(*m));
}

int rec_member_set(struct rec_member *m, const char *number, const char *name, const char *category,
                   const char *card)
{
    rec_member_clear(m);
    m->number = strdup(number);
    m->name = strdup(name ? name : "");
    m->card = card && *card ? strdup(card) : NULL;
    if (!m->number || !m->name || (card && *card && !m->card)) return -ENOMEM;
    if (!category || rec_category_parse(category, &m->category) != 0) m->category = REC_VILLAGER;
    return 0;
}

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

/* In a file that is not UTF-8 as a whole, the first line that is UTF-8 with
 * non-ASCII text in it (a row pasted in from another file): decoded as
 * GB18030 it would come out garbled. 0 when there is none. */
static int utf8_line_in_gb18030(const char *text, size_t len)
{
    int line = 1;
    for (size_t start = 0; start < len; line++) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        bool ascii = true;
        for (size_t i = start; i < end && ascii; i++)
            ascii = (unsigned char)text[i] < 0x80;
        if (!ascii && valid_utf8(text + start, end - start)) return line;
        start = end + 1;
    }
    return 0;
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
    for (size_t i = 0; result->removals && i < result->n_removals; i++)
        rec_member_clear(&result->removals[i]);
    free(result->removals);
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
static int check_row(struct rec_csv_row *row, size_t columns, struct rec_roster_row *rows,
                     size_t n_rows, struct rec_import_result *r, struct rec_roster_row *out)
{
    if (row->n_fields != columns) {
        add_problem(r, row->line, "expected %zu columns, found %zu", columns, row->n_fields);
        out->line = row->line;
        return rec_member_set(&out->m, "", "", NULL, NULL) != 0 ? -ENOMEM : -EINVAL;
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
    if (rec_member_set(&out->m, number, name, rec_category_name(cat), card) != 0) return -ENOMEM;
    return bad;
}

static int parse_roster(const char *text, size_t len, struct rec_import_result *r,
                        struct rec_roster_row **rows_out, size_t *n_out)
{
    struct rec_csv_parser parser = {.data = text, .len = len};
    struct rec_csv_row row = {0};
    struct rec_roster_row *rows = NULL;
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
        struct rec_roster_row *grown = realloc(rows, (n_rows + 1) * sizeof(*rows));
        if (!grown) {
            result = -ENOMEM;
            break;
        }
        rows = grown;
        memset(&rows[n_rows], 0, sizeof(*rows));
        int row_rc = check_row(&row, columns, rows, n_rows, r, &rows[n_rows]);
        if (row_rc == -ENOMEM) {
            rec_member_clear(&rows[n_rows].m);
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
    } else if (result == 0 && n_rows == 0) {
        /* the file is the whole roster: importing it would remove everyone */
        add_problem(r, 0, "the roster lists no members (only the header)");
        result = REC_EROSTER;
    }
    rec_csv_row_free(&row);
    *rows_out = rows;
    *n_out = n_rows;
    return result;
}

int rec_roster_parse(const char *data, size_t len, struct rec_import_result *r,
                     struct rec_roster_row **rows, size_t *n_rows)
{
    *rows = NULL;
    *n_rows = 0;
    char *converted = NULL;
    size_t converted_len = 0;
    const char *text = data;
    size_t text_len = len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        text_len -= 3;
    }
    if (memchr(text, '\0', text_len)) {
        add_problem(r, 0, "this is not a text file (it contains NUL bytes)");
        return REC_EROSTER;
    }
    if (!valid_utf8(text, text_len)) {
        /* not UTF-8: the other encoding Chinese spreadsheets save in */
        int mixed = utf8_line_in_gb18030(text, text_len);
        if (mixed > 0) {
            add_problem(r, mixed,
                        "this line is UTF-8 but the rest of the file is not (GB18030?): save "
                        "the whole file in one encoding");
            return REC_EROSTER;
        }
        if (gb18030_to_utf8(text, text_len, &converted, &converted_len) != 0) {
            add_problem(r, 0, "the file is neither UTF-8 nor GB18030 text");
            return REC_EROSTER;
        }
        text = converted;
        text_len = converted_len;
    }
    int rc = parse_roster(text, text_len, r, rows, n_rows);
    free(converted);
    return rc;
}

void rec_roster_rows_free(struct rec_roster_row *rows, size_t n_rows)
{
    for (size_t i = 0; i < n_rows; i++)
        rec_member_clear(&rows[i].m);
    free(rows);
}
