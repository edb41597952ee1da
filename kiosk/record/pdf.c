/* A4 sheets in Chinese drawn with cairo and pango: the record book
 * (export_pdf.c) and the county's inspection sheet draw through these, so
 * fonts, the CJK check and the PDF stream live in one place. The CJK font
 * comes from fonts-noto-cjk through fontconfig. */
#include "kiosk/record/internal.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#define FAMILY "Noto Sans CJK SC"

struct rec_pdf {
    struct sc_buf data;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout;
};

static cairo_status_t append_to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    struct sc_buf *buf = closure;
    sc_buf_append(buf, data, len);
    return buf->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

/* Whether fontconfig resolves the family to a real CJK face. */
static bool have_cjk_font(void)
{
    FcPattern *pattern = FcNameParse((const FcChar8 *)FAMILY ":lang=zh-cn");
    if (!pattern) return false;
    FcConfigSubstitute(NULL, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result;
    FcPattern *match = FcFontMatch(NULL, pattern, &result);
    bool ok = false;
    FcChar8 *family = NULL;
    if (match && FcPatternGetString(match, FC_FAMILY, 0, &family) == FcResultMatch)
        ok = strstr((const char *)family, "CJK") != NULL;
    if (match) FcPatternDestroy(match);
    FcPatternDestroy(pattern);
    return ok;
}

int rec_pdf_begin(struct sc_log *log, struct rec_pdf **out)
{
    *out = NULL;
    if (!have_cjk_font()) {
        SC_ERR(log, "no Chinese font found for the PDF (install fonts-noto-cjk)");
        return -ENOENT;
    }
    struct rec_pdf *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->surface = cairo_pdf_surface_create_for_stream(append_to_buf, &p->data, REC_PDF_PAGE_W,
                                                     REC_PDF_PAGE_H);
    p->cr = cairo_create(p->surface);
    p->layout = pango_cairo_create_layout(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    *out = p;
    return 0;
}

void rec_pdf_font(struct rec_pdf *p, double size, bool bold)
{
    PangoFontDescription *font = pango_font_description_new();
    pango_font_description_set_family(font, FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(p->layout, font);
    pango_font_description_free(font);
}

void rec_pdf_text(struct rec_pdf *p, double x, double y, double width, const char *text,
                  enum rec_align align)
{
    PangoAlignment a = align == REC_ALIGN_CENTER  ? PANGO_ALIGN_CENTER
                       : align == REC_ALIGN_RIGHT ? PANGO_ALIGN_RIGHT
                                                  : PANGO_ALIGN_LEFT;
    pango_layout_set_width(p->layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_ellipsize(p->layout, width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_alignment(p->layout, a);
    pango_layout_set_text(p->layout, text, -1);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, p->layout);
}

void rec_pdf_color(struct rec_pdf *p, double r, double g, double b)
{
    cairo_set_source_rgb(p->cr, r, g, b);
}

void rec_pdf_fill_rect(struct rec_pdf *p, double x, double y, double w, double h)
{
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_fill(p->cr);
}

void rec_pdf_line(struct rec_pdf *p, double x0, double y0, double x1, double y1, double width)
{
    cairo_move_to(p->cr, x0, y0);
    cairo_line_to(p->cr, x1, y1);
    cairo_set_line_width(p->cr, width);
    cairo_stroke(p->cr);
}

void rec_pdf_new_page(struct rec_pdf *p)
{
    cairo_show_page(p->cr);
}

struct _cairo *rec_pdf_cairo(struct rec_pdf *p)
{
    return p->cr;
}

int rec_pdf_end(struct rec_pdf *p, struct sc_log *log, struct sc_buf *out)
{
    g_object_unref(p->layout);
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    cairo_status_t status = cairo_surface_status(p->surface);
    cairo_surface_destroy(p->surface);
    int rc = status != CAIRO_STATUS_SUCCESS || p->data.failed ? -ENOMEM : 0;
    if (rc != 0) SC_ERR(log, "drawing the PDF failed: %s", cairo_status_to_string(status));
    if (rc == 0) sc_buf_append(out, p->data.data, p->data.len);
    if (rc == 0 && out->failed) rc = -ENOMEM;
    sc_buf_free(&p->data);
    free(p);
    return rc;
}
