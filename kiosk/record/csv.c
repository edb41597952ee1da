/* RFC 4180 CSV: quoting for the exports and a parser for roster files
 * (quoted fields with commas, quotes and line breaks; CRLF or LF). */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rec_csv_field(struct sc_buf *out, const char *text, bool last)
{
    text = text ? text : "";
    if (strpbrk(text, ",\"\r\n") || text[0] == ' ' ||
        (text[0] != '\0' && text[strlen(text) - 1] == ' ')) {
        sc_buf_puts(out, "\"");
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                sc_buf_puts(out, "\"\"");
            else
                sc_buf_append(out, p, 1);
        }
        sc_buf_puts(out, "\"");
    } else {
        sc_buf_puts(out, text);
    }
    sc_buf_puts(out, last ? "\r\n" : ",");
}

/* Per OWASP's CSV injection guidance a field starting with = + - @, a tab
 * or a CR gets a single quote in front, so that Excel, WPS and LibreOffice
 * show it as text instead of running it (=HYPERLINK(...), +1-1, @SUM(A1)). */
void rec_csv_cell(struct sc_buf *out, const char *text, bool last)
{
    if (!text || !text[0] || !strchr("=+-@\t\r", text[0])) {
        rec_csv_field(out, text, last);
        return;
    }
    struct sc_buf quoted = {0};
    sc_buf_puts(&quoted, "'");
    sc_buf_puts(&quoted, text);
    rec_csv_field(out, quoted.failed ? "'" : quoted.data, last);
    if (quoted.failed) out->failed = true;
    sc_buf_free(&quoted);
}

void rec_csv_row_free(struct rec_csv_row *row)
{
    for (size_t i = 0; i < row->n_fields; i++)
        free(row->fields[i]);
    free(row->fields);
    memset(row, 0, sizeof(*row));
}

static int push_field(struct rec_csv_row *row, struct sc_buf *field)
{
    if (field->failed) return -ENOMEM;
    if (row->n_fields == row->cap) {
        size_t cap = row->cap ? 2 * row->cap : 8;
        char **grown = realloc(row->fields, cap * sizeof(*grown));
        if (!grown) return -ENOMEM;
        row->fields = grown;
        row->cap = cap;
    }
    char *copy = strdup(field->data ? field->data : "");
    if (!copy) return -ENOMEM;
    row->fields[row->n_fields++] = copy;
    sc_buf_reset(field);
    return 0;
}

int rec_csv_next(struct rec_csv_parser *p, struct rec_csv_row *row)
{
    for (size_t i = 0; i < row->n_fields; i++)
        free(row->fields[i]);
    row->n_fields = 0;
    if (p->line == 0) p->line = 1;
    if (p->pos >= p->len) return 0;
    row->line = p->line;
    struct sc_buf field = {0};
    bool quoted = false, was_quoted = false;
    int rc = 0;
    while (p->pos < p->len) {
        char c = p->data[p->pos++];
        if (quoted) {
            if (c == '"') {
                if (p->pos < p->len && p->data[p->pos] == '"') {
                    sc_buf_append(&field, "\"", 1);
                    p->pos++;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') p->line++;
                sc_buf_append(&field, &c, 1);
            }
            continue;
        }
        if (c == '"' && field.len == 0 && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            if ((rc = push_field(row, &field)) != 0) goto out;
            was_quoted = false;
        } else if (c == '\r' && p->pos < p->len && p->data[p->pos] == '\n') {
            continue; /* the \n ends the row */
        } else if (c == '\n') {
            p->line++;
            rc = push_field(row, &field);
            goto out;
        } else {
            sc_buf_append(&field, &c, 1);
        }
    }
    if (quoted) {
        rc = -EINVAL;
        goto out;
    }
    rc = push_field(row, &field);
out:
    sc_buf_free(&field);
    return rc == 0 ? 1 : rc;
}
