/* The report as files: CSV (formulas neutralised as the record's CSV does,
 * rec_csv_cell) and the county's inspection sheet, an A4 PDF in Chinese drawn
 * through the record's sheet helpers (rec_pdf_*): stations grouped by
 * township, met or not, hours, silent and unverified stations marked. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BOM "\xEF\xBB\xBF"
/* Dates on the sheet are China Standard Time: the inspector's clock. */
#define SHEET_OFFSET (8 * 3600)

static void cell_int(struct sc_buf *out, int64_t value, bool last)
{
    char text[24];
    snprintf(text, sizeof(text), "%" PRId64, value);
    rec_csv_cell(out, text, last);
}

int cty_report_csv(const struct cty_report *report, struct sc_buf *out)
{
    sc_buf_puts(out, BOM "period,township,station_id,name,type,sessions,sessions_held,"
                         "sessions_required,met,silent,members,member_hours,last_seen,verified,"
                         "problem\r\n");
    for (size_t i = 0; i < report->n; i++) {
        const struct cty_report_row *r = &report->rows[i];
        char text[64];
        rec_csv_cell(out, report->period, false);
        rec_csv_cell(out, r->township, false);
        rec_csv_cell(out, r->station_id, false);
        rec_csv_cell(out, r->name, false);
        rec_csv_cell(out, r->type, false);
        cell_int(out, r->sessions, false);
        cell_int(out, r->sessions_held, false);
        cell_int(out, r->sessions_required, false);
        rec_csv_cell(out, r->met ? "yes" : "no", false);
        rec_csv_cell(out, r->silent ? "yes" : "no", false);
        cell_int(out, r->members, false);
        snprintf(text, sizeof(text), "%.2f", (double)(r->member_seconds / 36) / 100.0);
        rec_csv_cell(out, text, false);
        if (r->last_seen)
            sc_format_iso8601_utc(r->last_seen, text, sizeof(text));
        else
            text[0] = '\0';
        rec_csv_cell(out, text, false);
        rec_csv_cell(out, r->verified ? "yes" : "no", false);
        rec_csv_cell(out, r->verified ? "" : r->problem, true);
    }
    return out->failed ? -ENOMEM : 0;
}

/* ---- the inspection sheet --------------------------------------------------- */

#define LEFT   REC_PDF_MARGIN
#define RIGHT  (REC_PDF_PAGE_W - REC_PDF_MARGIN)
#define BOTTOM (REC_PDF_PAGE_H - REC_PDF_MARGIN)
#define ROW_H  17.0
#define N_COLS 8

static const char *const heads[N_COLS] = {"站点", "类型", "学习次数", "达标/要求",
                                          "结果", "成员", "学时",     "最后联系"};
static const double widths[N_COLS] = {130, 36, 46, 56, 70, 36, 50, 75};

struct sheet {
    struct rec_pdf *pdf;
    double y;
    int page;
};

static void page_break_if(struct sheet *s, double need)
{
    if (s->y + need <= BOTTOM) return;
    rec_pdf_new_page(s->pdf);
    s->page++;
    s->y = REC_PDF_MARGIN;
}

static void period_zh(const char *label, char *out, size_t size)
{
    int year = 0, n = 0;
    char kind = 0;
    if (sscanf(label, "%d-%c%d", &year, &kind, &n) == 3 && kind == 'Q')
        snprintf(out, size, "%d年第%d季度", year, n);
    else if (sscanf(label, "%d-%c%d", &year, &kind, &n) == 3 && kind == 'H')
        snprintf(out, size, "%d年%s半年", year, n == 1 ? "上" : "下");
    else if (sscanf(label, "%d-%d", &year, &n) == 2)
        snprintf(out, size, "%d年%d月", year, n);
    else
        snprintf(out, size, "%s", label);
}

static void header(struct sheet *s, const struct cty_report *report)
{
    char line[256], period[64];
    period_zh(report->period, period, sizeof(period));
    rec_pdf_font(s->pdf, 18, true);
    rec_pdf_text(s->pdf, LEFT, s->y, RIGHT - LEFT, "学习站点检查表", REC_ALIGN_CENTER);
    s->y += 30;
    rec_pdf_font(s->pdf, 12, false);
    snprintf(line, sizeof(line), "%s（%s）", period, report->period);
    rec_pdf_text(s->pdf, LEFT, s->y, RIGHT - LEFT, line, REC_ALIGN_CENTER);
    s->y += 26;
    rec_pdf_font(s->pdf, 10, true);
    snprintf(line, sizeof(line),
             "站点%zu个：达标%d个，未达标%d个，未通过核验%d个；期间无数据（静默）%d个", report->n,
             report->met, report->not_met, report->unverified, report->silent);
    rec_pdf_text(s->pdf, LEFT, s->y, RIGHT - LEFT, line, REC_ALIGN_LEFT);
    s->y += 17;
    rec_pdf_font(s->pdf, 9, false);
    rec_pdf_text(s->pdf, LEFT, s->y, RIGHT - LEFT,
                 "要求：村级站点每月至少3次、乡镇站点每月至少4次学习，每次播放不少于120分钟；"
                 "季度、半年须每月均达标。",
                 REC_ALIGN_LEFT);
    s->y += 24;
}

static void table_head(struct sheet *s)
{
    rec_pdf_font(s->pdf, 9, true);
    double x = LEFT;
    for (int c = 0; c < N_COLS; c++) {
        rec_pdf_text(s->pdf, x, s->y, widths[c] - 4, heads[c], REC_ALIGN_LEFT);
        x += widths[c];
    }
    s->y += ROW_H;
    rec_pdf_line(s->pdf, LEFT, s->y - 3, RIGHT, s->y - 3, 0.6);
}

/* The result cell: what an inspector acts on, in its colour. */
static const char *result_zh(const struct cty_report_row *r, double rgb[3])
{
    double red[3] = {0.80, 0.10, 0.10}, green[3] = {0.10, 0.50, 0.20}, grey[3] = {0.45, 0.45, 0.45};
    const double *c = !r->verified ? red : r->silent ? grey : r->met ? green : red;
    memcpy(rgb, c, 3 * sizeof(double));
    if (!r->verified) return "未通过核验";
    if (r->silent) return "静默·未达标";
    return r->met ? "达标" : "未达标";
}

static void station_row(struct sheet *s, const struct cty_report_row *r)
{
    char cells[N_COLS][160];
    snprintf(cells[0], sizeof(cells[0]), "%s", r->name[0] ? r->name : r->station_id);
    snprintf(cells[1], sizeof(cells[1]), "%s", strcmp(r->type, "township") == 0 ? "乡镇" : "村级");
    snprintf(cells[2], sizeof(cells[2]), "%d", r->sessions);
    snprintf(cells[3], sizeof(cells[3]), "%d/%d", r->sessions_held, r->sessions_required);
    double rgb[3];
    snprintf(cells[4], sizeof(cells[4]), "%s", result_zh(r, rgb));
    snprintf(cells[5], sizeof(cells[5]), "%d", r->members);
    snprintf(cells[6], sizeof(cells[6]), "%.2f", (double)(r->member_seconds / 36) / 100.0);
    if (r->last_seen)
        rec_format_local(r->last_seen, SHEET_OFFSET, cells[7], sizeof(cells[7]));
    else
        snprintf(cells[7], sizeof(cells[7]), "从未");
    page_break_if(s, ROW_H * (r->verified ? 1 : 2));
    double x = LEFT;
    for (int c = 0; c < N_COLS; c++) {
        if (c == 4) rec_pdf_color(s->pdf, rgb[0], rgb[1], rgb[2]);
        rec_pdf_font(s->pdf, 9, c == 4);
        rec_pdf_text(s->pdf, x, s->y, widths[c] - 4, cells[c], REC_ALIGN_LEFT);
        rec_pdf_color(s->pdf, 0, 0, 0);
        x += widths[c];
    }
    s->y += ROW_H;
    if (!r->verified) { /* why, under the row: figures from such data are not counted */
        char why[320];
        snprintf(why, sizeof(why), "核验问题：%s", r->problem);
        rec_pdf_font(s->pdf, 8, false);
        rec_pdf_color(s->pdf, 0.80, 0.10, 0.10);
        rec_pdf_text(s->pdf, LEFT + 12, s->y - 2, RIGHT - LEFT - 12, why, REC_ALIGN_LEFT);
        rec_pdf_color(s->pdf, 0, 0, 0);
        s->y += ROW_H - 2;
    }
}

static void township_block(struct sheet *s, const struct cty_report *report, size_t first, size_t n)
{
    int met = 0;
    for (size_t i = first; i < first + n; i++)
        met += report->rows[i].verified && report->rows[i].met;
    page_break_if(s, 3 * ROW_H + 8);
    char line[256];
    snprintf(line, sizeof(line), "%s（%zu个站点，达标%d个）",
             report->rows[first].township[0] ? report->rows[first].township : "未填乡镇", n, met);
    rec_pdf_font(s->pdf, 11, true);
    rec_pdf_text(s->pdf, LEFT, s->y, RIGHT - LEFT, line, REC_ALIGN_LEFT);
    s->y += 20;
    table_head(s);
    for (size_t i = first; i < first + n; i++) {
        if (s->y + ROW_H > BOTTOM) {
            page_break_if(s, 2 * ROW_H);
            table_head(s);
        }
        station_row(s, &report->rows[i]);
    }
    s->y += 12;
}

int cty_report_pdf(const struct cty_report *report, struct sc_log *log, struct sc_buf *out)
{
    struct sheet s = {.y = REC_PDF_MARGIN, .page = 1};
    int rc = rec_pdf_begin(log, &s.pdf);
    if (rc != 0) return rc;
    header(&s, report);
    if (report->n == 0) {
        rec_pdf_font(s.pdf, 10, false);
        rec_pdf_text(s.pdf, LEFT, s.y, RIGHT - LEFT, "没有登记的站点。", REC_ALIGN_LEFT);
        s.y += 20;
    }
    /* the rows come ordered by township */
    for (size_t first = 0, n; first < report->n; first += n) {
        n = 1;
        while (first + n < report->n &&
               strcmp(report->rows[first + n].township, report->rows[first].township) == 0)
            n++;
        township_block(&s, report, first, n);
    }
    page_break_if(&s, 40);
    rec_pdf_font(s.pdf, 10, false);
    rec_pdf_text(s.pdf, LEFT, s.y + 10, RIGHT - LEFT,
                 "检查人签字：____________        日期：____________", REC_ALIGN_LEFT);
    return rec_pdf_end(s.pdf, log, out);
}
