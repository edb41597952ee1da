/* Drawing primitives (filled and rounded rectangles, outlines), the palette
 * and the small formatting helpers the screens share. */
#include "ui/screens.h"

#include <stdio.h>

/* Dark blue-grey background, near-white text, amber focus: readable on a
 * washed-out village TV and for older eyes. */
const SDL_Color UI_COL_BG = {16, 28, 48, 255};
const SDL_Color UI_COL_PANEL = {32, 52, 84, 255};
const SDL_Color UI_COL_PANEL_DIM = {24, 40, 64, 230};
const SDL_Color UI_COL_TEXT = {245, 245, 240, 255};
const SDL_Color UI_COL_DIM = {180, 195, 215, 255};
const SDL_Color UI_COL_ACCENT = {90, 170, 255, 255};
const SDL_Color UI_COL_FOCUS = {255, 196, 0, 255};
const SDL_Color UI_COL_COUNTDOWN = {255, 214, 96, 255}; /* not the focus colour */
const SDL_Color UI_COL_OK = {70, 200, 110, 255};
const SDL_Color UI_COL_WARN = {255, 170, 40, 255};
const SDL_Color UI_COL_ERROR = {235, 70, 60, 255};
const SDL_Color UI_COL_SCRIM = {8, 14, 26, 200};
const SDL_Color UI_COL_BLACK = {0, 0, 0, 255};

static void set_color(const struct ui_frame *f, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(f->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(f->r, c.r, c.g, c.b, c.a);
}

void ui_draw_fill(const struct ui_frame *f, SDL_Rect rect, SDL_Color color)
{
    if (rect.w <= 0 || rect.h <= 0) return;
    set_color(f, color);
    SDL_RenderFillRect(f->r, &rect);
}

/* The horizontal inset of row y (0 = top edge) of a corner of radius r. */
static int corner_inset(int r, int y)
{
    double dy = r - y - 0.5;
    double dx = SDL_sqrt((double)r * r - dy * dy);
    return r - (int)(dx + 0.5);
}

void ui_draw_round(const struct ui_frame *f, SDL_Rect rect, int radius, SDL_Color color)
{
    if (rect.w <= 0 || rect.h <= 0) return;
    if (radius * 2 > rect.h) radius = rect.h / 2;
    if (radius * 2 > rect.w) radius = rect.w / 2;
    set_color(f, color);
    /* rows of the rounded ends, then the body in one rectangle: every pixel
     * once, so translucent colours blend evenly */
    for (int y = 0; y < radius; y++) {
        int in = corner_inset(radius, y);
        SDL_Rect top = {rect.x + in, rect.y + y, rect.w - 2 * in, 1};
        SDL_Rect bottom = {rect.x + in, rect.y + rect.h - 1 - y, rect.w - 2 * in, 1};
        SDL_RenderFillRect(f->r, &top);
        SDL_RenderFillRect(f->r, &bottom);
    }
    SDL_Rect body = {rect.x, rect.y + radius, rect.w, rect.h - 2 * radius};
    SDL_RenderFillRect(f->r, &body);
}

void ui_draw_round_outline(const struct ui_frame *f, SDL_Rect rect, int radius, int thick,
                           SDL_Color color)
{
    if (rect.w <= 0 || rect.h <= 0) return;
    if (radius * 2 > rect.h) radius = rect.h / 2;
    if (radius * 2 > rect.w) radius = rect.w / 2;
    int inner_r = radius > thick ? radius - thick : 0;
    set_color(f, color);
    for (int y = 0; y < rect.h; y++) {
        int out = y < radius             ? corner_inset(radius, y)
                  : y >= rect.h - radius ? corner_inset(radius, rect.h - 1 - y)
                                         : 0;
        int iy = y - thick; /* row within the inner rectangle */
        int ih = rect.h - 2 * thick;
        if (iy < 0 || iy >= ih) {
            SDL_Rect row = {rect.x + out, rect.y + y, rect.w - 2 * out, 1};
            SDL_RenderFillRect(f->r, &row);
            continue;
        }
        int in = iy < inner_r         ? corner_inset(inner_r, iy)
                 : iy >= ih - inner_r ? corner_inset(inner_r, ih - 1 - iy)
                                      : 0;
        int left_w = thick + in - out;
        SDL_Rect l = {rect.x + out, rect.y + y, left_w, 1};
        SDL_Rect r = {rect.x + rect.w - out - left_w, rect.y + y, left_w, 1};
        SDL_RenderFillRect(f->r, &l);
        SDL_RenderFillRect(f->r, &r);
    }
}

void ui_fmt_duration(char *buf, size_t size, int64_t s)
{
    if (s < 0) s = 0;
    if (s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        snprintf(buf, size, "%02d:%02d", (int)(s / 60), (int)(s % 60));
}

void ui_fmt_countdown(struct ui *ui, char *buf, size_t size, int64_t s)
{
    if (s < 0) s = 0;
    if (s >= 86400) {
        /* TRANSLATORS: a countdown longer than a day: days, then h:mm:ss */
        snprintf(buf, size, _("%d d %02d:%02d:%02d"), (int)(s / 86400), (int)(s / 3600 % 24),
                 (int)(s / 60 % 60), (int)(s % 60));
        return;
    }
    ui_fmt_duration(buf, size, s);
}

const char *ui_signal_text(struct ui *ui, enum ui_signal signal)
{
    switch (signal) {
    case UI_SIGNAL_GOOD:
        return _("Signal OK");
    case UI_SIGNAL_NONE:
        return _("No signal");
    default:
        return _("Not tuned");
    }
}

SDL_Color ui_signal_color(enum ui_signal signal)
{
    return signal == UI_SIGNAL_GOOD   ? UI_COL_OK
           : signal == UI_SIGNAL_NONE ? UI_COL_ERROR
                                      : UI_COL_DIM;
}
