/* MENU, GUIDE kind: services down the left, time across (the window from
 * from_utc to to_utc with a mark every half hour), each event a block from
 * its start to its end with its title, the focused one in the focus colour,
 * the scheduled ones green; below, the focused event's time, title and
 * description over two lines. Rows scroll to keep the focus visible. */
#include "ui/screens.h"

#include <stdio.h>
#include <time.h>

#define AXIS_H 60  /* design units: the time marks */
#define ROW_H  110 /* one service */
#define DESC_H 150 /* the focused event's description */
#define GAP    8

static const SDL_Color COL_SCHEDULED = {40, 120, 70, 255};

static int time_x(const struct ui_guide *g, SDL_Rect grid, int64_t t)
{
    if (t <= g->from_utc) return grid.x;
    if (t >= g->to_utc) return grid.x + grid.w;
    return grid.x + (int)((t - g->from_utc) * grid.w / (g->to_utc - g->from_utc));
}

static void axis(struct ui *ui, const struct ui_frame *f, const struct ui_guide *g, SDL_Rect grid,
                 int y)
{
    int32_t offset = ui->kiosk->clock.utc_offset_s;
    for (int64_t t = g->from_utc - g->from_utc % 1800; t < g->to_utc; t += 1800) {
        if (t < g->from_utc) continue;
        int x = time_x(g, grid, t);
        time_t local = (time_t)(t + offset);
        struct tm tm;
        gmtime_r(&local, &tm);
        char label[16];
        snprintf(label, sizeof(label), "%02d:%02d", tm.tm_hour, tm.tm_min);
        ui_draw_fill(f,
                     (SDL_Rect){x, y + ui_px(f, AXIS_H) - ui_px(f, 14), ui_px(f, 3), ui_px(f, 14)},
                     UI_COL_DIM);
        if (x + ui_px(f, 130) <= grid.x + grid.w)
            ui_text_draw(f->text, label, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                         x + ui_px(f, 8), y + ui_px(f, AXIS_H) / 2 - ui_px(f, 4), 0, 0);
    }
}

void ui_screen_menu_guide(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    const struct ui_guide *g = &m->u.guide;
    SDL_Rect area = ui_screen_menu_area(f);
    int names_w = f->narrow ? area.w * 26 / 100 : area.w * 22 / 100;
    int axis_h = ui_px(f, AXIS_H), row_h = ui_px(f, ROW_H), gap = ui_px(f, GAP);
    int desc_h = ui_px(f, DESC_H);
    SDL_Rect grid = {area.x + names_w + gap, area.y + axis_h, area.w - names_w - gap,
                     area.h - axis_h - desc_h};
    if (g->to_utc > g->from_utc) axis(ui, f, g, grid, area.y);
    int visible = row_h > 0 ? grid.h / row_h : 1;
    if (visible < 1) visible = 1;
    int focus_row = g->focus >= 0 && (size_t)g->focus < g->n_events ? g->events[g->focus].row : 0;
    int first = focus_row < visible ? 0 : focus_row - visible + 1;
    int px = ui_px(f, UI_PX_BODY), pad = ui_px(f, 16);
    for (int r = first; r < (int)g->n_services && r < first + visible; r++) {
        int y = grid.y + (r - first) * row_h;
        SDL_Rect name = {area.x, y + gap / 2, names_w, row_h - gap};
        ui_draw_round(f, name, ui_px(f, 10), UI_COL_PANEL_DIM);
        ui_text_draw(f->text, g->services[r].name, px, UI_TEXT_BOLD,
                     r == focus_row ? UI_COL_FOCUS : UI_COL_TEXT, name.x + pad, y + row_h / 2,
                     names_w - 2 * pad, 0);
    }
    /* the "now" line, when the window shows it */
    int64_t now = 0;
    for (size_t i = 0; i < g->n_events; i++) {
        const struct ui_guide_event *e = &g->events[i];
        if (e->row < first || e->row >= first + visible) continue;
        int x0 = time_x(g, grid, e->start_utc), x1 = time_x(g, grid, e->end_utc);
        if (x1 - x0 < ui_px(f, 12)) continue;
        int y = grid.y + (e->row - first) * row_h;
        SDL_Rect b = {x0 + gap / 2, y + gap / 2, x1 - x0 - gap, row_h - gap};
        bool focused = (int)i == g->focus;
        SDL_Color bg = focused ? UI_COL_FOCUS : e->scheduled ? COL_SCHEDULED : UI_COL_PANEL;
        ui_draw_round(f, b, ui_px(f, 12), bg);
        SDL_Color c = focused ? UI_COL_BLACK : UI_COL_TEXT;
        int tx = b.x + pad, tw = b.w - 2 * pad;
        if (e->scheduled) { /* a tick mark: drawn, not a glyph the font may lack */
            int s = ui_px(f, 26);
            SDL_Rect dot = {b.x + pad, b.y + (b.h - s) / 2, s, s};
            ui_draw_round(f, dot, s / 2, focused ? COL_SCHEDULED : UI_COL_OK);
            tx += s + pad;
            tw -= s + pad;
        }
        if (tw > ui_px(f, 30))
            ui_text_draw(f->text, e->title, px, UI_TEXT_BOLD, c, tx, b.y + b.h / 2, tw, 0);
        if (focused) ui_focus_ring(f, b, ui_px(f, 12));
    }
    if (ui_local_now(ui, NULL, &now) && now >= g->from_utc && now < g->to_utc) {
        int x = time_x(g, grid, now);
        int rows = (int)g->n_services - first < visible ? (int)g->n_services - first : visible;
        ui_draw_fill(f, (SDL_Rect){x - ui_px(f, 2), grid.y, ui_px(f, 4), rows * row_h},
                     UI_COL_ERROR);
    }
    if ((int)g->n_services > visible) { /* more services than fit: a scroll mark */
        int bar_h = grid.h * visible / (int)g->n_services;
        int bar_y = grid.y + (grid.h - bar_h) * first / ((int)g->n_services - visible);
        ui_draw_round(f, (SDL_Rect){area.x + area.w - ui_px(f, 6), bar_y, ui_px(f, 6), bar_h},
                      ui_px(f, 3), UI_COL_DIM);
    }
    if (g->description && g->description[0]) {
        SDL_Rect d = {area.x, area.y + area.h - desc_h + gap, area.w, desc_h - gap};
        ui_draw_round(f, d, ui_px(f, 12), UI_COL_PANEL_DIM);
        int line = ui_px(f, 62);
        ui_text_draw_wrapped(f->text, g->description, px, UI_TEXT_REGULAR, UI_COL_TEXT, d.x + pad,
                             d.y + d.h / 2 - line / 2, line, d.w - 2 * pad, 2, 0);
    }
    ui_screen_hint(ui, f, m->hint ? m->hint : _("Arrows: choose · OK: schedule · BACK: return"));
}
