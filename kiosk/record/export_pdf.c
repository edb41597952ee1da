/* The month's record book as an A4 PDF in Chinese (cairo + pango): the
 * sessions, whether the month met the requirement, a chart of hours played
 * per session against the 2-hour line, and the members' hours. The CJK font
 * comes from fonts-noto-cjk through fontconfig. */
#include "kiosk/record/internal.h"

#include <cairo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_W REC_PDF_PAGE_W
#define PAGE_H REC_PDF_PAGE_H
#define MARGIN REC_PDF_MARGIN
#define ROW_H  18.0

/* The sheet (pdf.c), its cairo context for the chart, and the pen's height. */
struct page {
    struct rec_pdf *pdf;
    cairo_t *cr;
    double y;
};

static void set_font(struct page *p, double size, bool bold)
{
    rec_pdf_font(p->pdf, size, bold);
}

static void text_at(struct page *p, double x, double y, double width, const char *text,
                    enum rec_align align)
{
    rec_pdf_text(p->pdf, x, y, width, text, align);
}

static void new_page(struct page *p)
{
    rec_pdf_new_page(p->pdf);
    p->y = MARGIN;
}

static const char *status_zh(const struct rec_session_summary *s)
{
    return s->open ? "进行中" : s->interrupted ? "中断" : "完成";
}

static void session_table(struct page *p, struct rec_export_ctx *ctx,
                          const struct rec_session_summary *s, size_t n)
{
    static const char *const heads[] = {"序号", "课程", "开始时间", "播放(分钟)",
                                        "状态", "出席", "参与率"};
    static const double widths[] = {32, 170, 100, 62, 44, 40, 51};
    set_font(p, 9.5, true);
    double x = MARGIN;
    for (int c = 0; c < 7; c++) {
        text_at(p, x, p->y, widths[c] - 4, heads[c], REC_ALIGN_LEFT);
        x += widths[c];
    }
    p->y += ROW_H;
    cairo_move_to(p->cr, MARGIN, p->y - 3);
    cairo_line_to(p->cr, PAGE_W - MARGIN, p->y - 3);
    cairo_set_line_width(p->cr, 0.6);
    cairo_stroke(p->cr);
    set_font(p, 9.5, false);
    for (size_t i = 0; i < n; i++) {
        if (p->y > PAGE_H - MARGIN - ROW_H) {
            new_page(p);
            set_font(p, 9.5, false);
        }
        char cells[7][96];
        size_t present = 0;
        for (size_t a = 0; a < s[i].n_attendance; a++)
            present += s[i].attendance[a].seconds > 0;
        snprintf(cells[0], sizeof(cells[0]), "%zu", i + 1);
        snprintf(cells[1], sizeof(cells[1]), "%s", s[i].course);
        rec_format_local(s[i].start_utc, ctx->utc_offset, cells[2], sizeof(cells[2]));
        snprintf(cells[3], sizeof(cells[3]), "%lld", (long long)(s[i].played_seconds / 60));
        snprintf(cells[4], sizeof(cells[4]), "%s", status_zh(&s[i]));
        snprintf(cells[5], sizeof(cells[5]), "%zu", present);
        snprintf(cells[6], sizeof(cells[6]), "%.0f%%",
                 ctx->n_members ? 100.0 * (double)present / (double)ctx->n_members : 0.0);
        x = MARGIN;
        for (int c = 0; c < 7; c++) {
            text_at(p, x, p->y, widths[c] - 4, cells[c], REC_ALIGN_LEFT);
            x += widths[c];
        }
        p->y += ROW_H;
    }
}

/* Bars of hours played per session, the 2-hour requirement as a red line. */
static void chart(struct page *p, const struct rec_session_summary *s, size_t n)
{
    const double left = MARGIN + 30, width = PAGE_W - 2 * MARGIN - 40, height = 170;
    double max_hours = 3.0;
    for (size_t i = 0; i < n; i++)
        if ((double)s[i].played_seconds / 3600.0 > max_hours)
            max_hours = (double)s[i].played_seconds / 3600.0;
    max_hours = (double)(int)(max_hours + 0.999);
    if (p->y + height + 60 > PAGE_H - MARGIN) new_page(p);
    set_font(p, 11, true);
    text_at(p, MARGIN, p->y, 0, "每次学习播放时长（小时）", REC_ALIGN_LEFT);
    cairo_t *cr = p->cr;
    /* legend, beside the title so it never covers a bar */
    const double dash[] = {6, 3};
    cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
    cairo_set_line_width(cr, 1.4);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, PAGE_W - MARGIN - 110, p->y + 8);
    cairo_line_to(cr, PAGE_W - MARGIN - 80, p->y + 8);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    set_font(p, 9, true);
    text_at(p, PAGE_W - MARGIN - 74, p->y + 1, 74, "2小时要求", REC_ALIGN_LEFT);
    cairo_set_source_rgb(cr, 0, 0, 0);
    p->y += 24;
    double base = p->y + height;
    set_font(p, 8, false);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.4);
    for (int h = 0; h <= (int)max_hours; h++) {
        double y = base - height * h / max_hours;
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, left + width, y);
        cairo_stroke(cr);
        char label[24];
        snprintf(label, sizeof(label), "%d", h);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(p, MARGIN, y - 6, 24, label, REC_ALIGN_RIGHT);
        cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    }
    double slot = n ? width / (double)n : width;
    double bar = slot * 0.6 > 40 ? 40 : slot * 0.6;
    for (size_t i = 0; i < n; i++) {
        double hours = (double)s[i].played_seconds / 3600.0;
        double x = left + slot * (double)i + (slot - bar) / 2, h = height * hours / max_hours;
        if (hours >= 2.0)
            cairo_set_source_rgb(cr, 0.20, 0.45, 0.75);
        else
            cairo_set_source_rgb(cr, 0.85, 0.55, 0.20);
        cairo_rectangle(cr, x, base - h, bar, h);
        cairo_fill(cr);
        char label[24];
        snprintf(label, sizeof(label), "%zu", i + 1);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(p, x - 4, base + 3, bar + 8, label, REC_ALIGN_CENTER);
    }
    double y2 = base - height * 2.0 / max_hours;
    cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
    cairo_set_line_width(cr, 1.4);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, left, y2);
    cairo_line_to(cr, left + width, y2);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, left, base);
    cairo_line_to(cr, left + width, base);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    p->y = base + 24;
}

static void member_table(struct page *p, struct rec_export_ctx *ctx,
                         const struct rec_session_summary *s, size_t n)
{
    if (p->y + 3 * ROW_H > PAGE_H - MARGIN) new_page(p);
    set_font(p, 11, true);
    text_at(p, MARGIN, p->y, 0, "成员学时", REC_ALIGN_LEFT);
    p->y += 22;
    static const char *const heads[] = {"编号", "姓名", "类别", "参加次数", "学时（小时）"};
    static const double widths[] = {70, 150, 80, 80, 110};
    for (size_t i = 0; i <= ctx->n_members; i++) {
        if (p->y > PAGE_H - MARGIN - ROW_H) new_page(p);
        char cells[5][128];
        if (i == 0) {
            for (int c = 0; c < 5; c++)
                snprintf(cells[c], sizeof(cells[c]), "%s", heads[c]);
        } else {
            const struct rec_member *m = &ctx->members[i - 1];
            int64_t seconds = 0, attended = 0;
            for (size_t k = 0; k < n; k++)
                for (size_t a = 0; a < s[k].n_attendance; a++)
                    if (strcmp(s[k].attendance[a].member, m->number) == 0) {
                        seconds += s[k].attendance[a].seconds;
                        attended += s[k].attendance[a].seconds > 0;
                    }
            snprintf(cells[0], sizeof(cells[0]), "%s", m->number);
            snprintf(cells[1], sizeof(cells[1]), "%s", m->name);
            snprintf(cells[2], sizeof(cells[2]), "%s", rec_category_label_zh(m->category));
            snprintf(cells[3], sizeof(cells[3]), "%lld", (long long)attended);
            snprintf(cells[4], sizeof(cells[4]), "%.2f", (double)seconds / 3600.0);
        }
        set_font(p, 9.5, i == 0);
        double x = MARGIN;
        for (int c = 0; c < 5; c++) {
            text_at(p, x, p->y, widths[c] - 4, cells[c], REC_ALIGN_LEFT);
            x += widths[c];
        }
        p->y += ROW_H;
    }
}

#define THUMB_W    116.0
#define THUMB_GAP  8.0
#define THUMB_ROWS 24.0 /* the caption under each picture */

static const char *kind_zh(const char *kind)
{
    return strcmp(kind, "first") == 0 ? "首帧" : strcmp(kind, "last") == 0 ? "末帧" : "定时";
}

/* One snapshot at x, p->y: the picture (the stored JPEG itself goes into
 * the PDF, the decoded pixels only stand behind it), or a grey box when it
 * cannot be shown, and its caption. */
static void thumbnail(struct page *p, struct rec_export_ctx *ctx, const struct rec_snapshot *snap,
                      double x, double h)
{
    cairo_t *cr = p->cr;
    void *jpeg = NULL;
    size_t size = 0;
    uint8_t *argb = NULL;
    int w = 0, ph = 0, stride = 0;
    const char *why = snap->pruned ? "已在导出后清理" : NULL;
    if (!why && rec_snapshot_read(ctx->rec, snap, &jpeg, &size) != 0) why = "文件缺失或已改动";
    if (!why &&
        (!ctx->rec->picture_decode || ctx->rec->picture_decode(ctx->rec->picture_ctx, jpeg, size, 0,
                                                               &argb, &w, &ph, &stride) != 0))
        why = "无法显示";
    if (!why) {
        cairo_surface_t *img =
            cairo_image_surface_create_for_data(argb, CAIRO_FORMAT_RGB24, w, ph, stride);
        /* cairo keeps the JPEG bytes alive with the surface, and frees them */
        if (cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, jpeg, size, free, jpeg) ==
            CAIRO_STATUS_SUCCESS)
            jpeg = NULL;
        cairo_save(cr);
        cairo_translate(cr, x, p->y);
        cairo_scale(cr, THUMB_W / w, h / ph);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_finish(img);
        cairo_surface_destroy(img);
    } else {
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_rectangle(cr, x, p->y, THUMB_W, h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        set_font(p, 8, false);
        text_at(p, x + 4, p->y + h / 2 - 6, THUMB_W - 8, why, REC_ALIGN_CENTER);
    }
    free(argb);
    free(jpeg);
    char when[32], caption[128];
    rec_format_local(snap->utc, ctx->utc_offset, when, sizeof(when));
    snprintf(caption, sizeof(caption), "%s %s 亮度%.0f%s%s", kind_zh(snap->kind), when + 11,
             snap->mean_luma, snap->black ? " 黑屏" : "", snap->frozen ? " 静止" : "");
    set_font(p, 7.5, snap->black || snap->frozen);
    if (snap->black || snap->frozen) cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    text_at(p, x, p->y + h + 2, THUMB_W, caption, REC_ALIGN_LEFT);
    cairo_set_source_rgb(cr, 0, 0, 0);
}

/* Proof of viewing: each session's snapshots, numbered as in the table. */
static void snapshot_pages(struct page *p, struct rec_export_ctx *ctx,
                           const struct rec_session_summary *s, size_t n)
{
    const double h = THUMB_W * 9 / 16;
    const int per_row = (int)((PAGE_W - 2 * MARGIN + THUMB_GAP) / (THUMB_W + THUMB_GAP));
    bool titled = false;
    for (size_t i = 0; i < n; i++) {
        struct rec_snapshot *snaps = NULL;
        size_t count = 0;
        if (rec_snapshots_list(ctx->rec, s[i].id, &snaps, &count) != 0 || count == 0) {
            free(snaps);
            continue;
        }
        if (p->y + 40 + h + THUMB_ROWS > PAGE_H - MARGIN) new_page(p);
        if (!titled) {
            set_font(p, 11, true);
            text_at(p, MARGIN, p->y, 0, "观看证明（播放画面快照）", REC_ALIGN_LEFT);
            p->y += 22;
            titled = true;
        }
        char line[512];
        snprintf(line, sizeof(line), "%zu. %s（%zu张）", i + 1, s[i].course, count);
        set_font(p, 9.5, true);
        text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, line, REC_ALIGN_LEFT);
        p->y += 16;
        for (size_t k = 0; k < count; k++) {
            int col = (int)(k % (size_t)per_row);
            if (col == 0 && k > 0) p->y += h + THUMB_ROWS;
            if (col == 0 && p->y + h + THUMB_ROWS > PAGE_H - MARGIN) new_page(p);
            thumbnail(p, ctx, &snaps[k], MARGIN + col * (THUMB_W + THUMB_GAP), h);
        }
        p->y += h + THUMB_ROWS + 6;
        free(snaps);
    }
}

static int month_pdf(struct rec_export_ctx *ctx, int year, int month)
{
    int64_t from = rec_local_month_start(year, month, ctx->utc_offset);
    int64_t to = rec_local_month_start(year, month + 1, ctx->utc_offset);
    size_t first = 0, n = 0;
    while (first < ctx->n_sessions && ctx->sessions[first].start_utc < from)
        first++;
    while (first + n < ctx->n_sessions && ctx->sessions[first + n].start_utc < to)
        n++;
    const struct rec_session_summary *s = ctx->sessions + first;

    struct sc_buf pdf = {0};
    struct page p = {.y = MARGIN};
    int rc = rec_pdf_begin(ctx->rec->log, &p.pdf);
    if (rc != 0) return rc;
    p.cr = rec_pdf_cairo(p.pdf);
    char line[512];

    set_font(&p, 18, true);
    snprintf(line, sizeof(line), "%s学习记录簿", ctx->station_name);
    text_at(&p, MARGIN, p.y, PAGE_W - 2 * MARGIN, line, REC_ALIGN_CENTER);
    p.y += 30;
    set_font(&p, 12, false);
    snprintf(line, sizeof(line), "%d年%d月", year, month);
    text_at(&p, MARGIN, p.y, PAGE_W - 2 * MARGIN, line, REC_ALIGN_CENTER);
    p.y += 26;

    struct rec_requirement req;
    rec_requirement_for(ctx->rec, s, n, &req);
    bool township = strcmp(req.station_type, "township") == 0;
    set_font(&p, 10, false);
    snprintf(line, sizeof(line), "站点类型：%s（每月至少%d次学习，每次播放不少于%d分钟）",
             township ? "乡镇站点" : "村级站点", req.sessions_required, req.minutes_required_each);
    text_at(&p, MARGIN, p.y, PAGE_W - 2 * MARGIN, line, REC_ALIGN_LEFT);
    p.y += 18;
    snprintf(line, sizeof(line), "本月学习%zu次，其中达到%d分钟的%d次：%s", n,
             req.minutes_required_each, req.sessions_held, req.met ? "达标" : "未达标");
    set_font(&p, 10, true);
    text_at(&p, MARGIN, p.y, PAGE_W - 2 * MARGIN, line, REC_ALIGN_LEFT);
    p.y += 26;

    session_table(&p, ctx, s, n);
    p.y += 16;
    chart(&p, s, n);
    member_table(&p, ctx, s, n);
    p.y += 16;
    snapshot_pages(&p, ctx, s, n);
    p.y += 20;
    if (p.y > PAGE_H - MARGIN - 40) new_page(&p);
    set_font(&p, 10, false);
    text_at(&p, MARGIN, p.y, PAGE_W - 2 * MARGIN,
            "管理员签字：____________        日期：____________", REC_ALIGN_LEFT);

    rc = rec_pdf_end(p.pdf, ctx->rec->log, &pdf);
    if (rc != 0)
        SC_ERR(ctx->rec->log, "export: drawing the %04d-%02d record book failed", year, month);
    char name[48];
    snprintf(name, sizeof(name), "record-book-%04d-%02d.pdf", year, month);
    if (rc == 0) rc = rec_export_file(ctx, name, pdf.data, pdf.len);
    sc_buf_free(&pdf);
    return rc;
}

static void local_year_month(int64_t utc, int offset, int *year, int *month)
{
    time_t t = (time_t)(utc + offset);
    struct tm tm;
    gmtime_r(&t, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
}

int rec_export_pdf(struct rec_export_ctx *ctx)
{
    /* one book per month that has sessions; an empty range still gets the
     * book of its first month, so the inspector sees "no sessions" in print */
    int year, month, last_year = 0, last_month = 0, rc = 0;
    if (ctx->n_sessions == 0) {
        int64_t when = ctx->from_utc == INT64_MIN ? sc_utc_ns() / 1000000000 : ctx->from_utc;
        local_year_month(when, ctx->utc_offset, &year, &month);
        return month_pdf(ctx, year, month);
    }
    for (size_t i = 0; rc == 0 && i < ctx->n_sessions; i++) {
        local_year_month(ctx->sessions[i].start_utc, ctx->utc_offset, &year, &month);
        if (year == last_year && month == last_month) continue;
        rc = month_pdf(ctx, year, month);
        last_year = year;
        last_month = month;
    }
    return rc;
}
