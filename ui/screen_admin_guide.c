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

static int time_x(const struct sc_ui_guide *g, SDL_Rect grid, int64_t t)
{
    if (t <= g->from_utc) return grid.x;
    if (t >= g->to_utc) return grid.x + grid.w;
    return grid.x + (int)((t - g->from_utc) * grid.w / (g->to_utc - g->from_utc));
}

static void axis(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_guide *g,
                 SDL_Rect grid, int y)
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
        sc_draw_fill(f,
                     (SDL_Rect){x, y + sc_px(f, AXIS_H) - sc_px(f, 14), sc_px(f, 3), sc_px(f, 14)},
                     SC_COL_DIM);
        if (x + sc_px(f, 130) <= grid.x + grid.w)
            sc_text_draw(f->text, label, sc_px(f, SC_PX_SMALL), SC_TEXT_REGULAR, SC_COL_DIM,
                         x + sc_px(f, 8), y + sc_px(f, AXIS_H) / 2 - sc_px(f, 4), 0, 0);
    }
}

void sc_screen_menu_guide(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *m)
{
    const struct sc_ui_guide *g = &m->u.guide;
    SDL_Rect area = sc_screen_menu_area(f);
    int names_w = f->narrow ? area.w * 26 / 100 : area.w * 22 / 100;
    int axis_h = sc_px(f, AXIS_H), row_h = sc_px(f, ROW_H), gap = sc_px(f, GAP);
    int desc_h = sc_px(f, DESC_H);
    SDL_Rect grid = {area.x + names_w + gap, area.y + axis_h, area.w - names_w - gap,
                     area.h - axis_h - desc_h};
    if (g->to_utc > g->from_utc) axis(ui, f, g, grid, area.y);
    int visible = row_h > 0 ? grid.h / row_h : 1;
    if (visible < 1) visible = 1;
    int focus_row = g->focus >= 0 && (size_t)g->focus < g->n_events ? g->events[g->focus].row : 0;
    int first = focus_row < visible ? 0 : focus_row - visible + 1;
    int px = sc_px(f, SC_PX_BODY), pad = sc_px(f, 16);
    for (int r = first; r < (int)g->n_services && r < first + visible; r++) {
        int y = grid.y + (r - first) * row_h;
        SDL_Rect name = {area.x, y + gap / 2, names_w, row_h - gap};
        sc_draw_round(f, name, sc_px(f, 10), SC_COL_PANEL_DIM);
        sc_text_draw(f->text, g->services[r].name, px, SC_TEXT_BOLD,
                     r == focus_row ? SC_COL_FOCUS : SC_COL_TEXT, name.x + pad, y + row_h / 2,
                     names_w - 2 * pad, 0);
    }
    /* the "now" line, when the window shows it */
    int64_t now = 0;
    for (size_t i = 0; i < g->n_events; i++) {
        const struct sc_ui_guide_event *e = &g->events[i];
        if (e->row < first || e->row >= first + visible) continue;
        int x0 = time_x(g, grid, e->start_utc), x1 = time_x(g, grid, e->end_utc);
        if (x1 - x0 < sc_px(f, 12)) continue;
        int y = grid.y + (e->row - first) * row_h;
        SDL_Rect b = {x0 + gap / 2, y + gap / 2, x1 - x0 - gap, row_h - gap};
        bool focused = (int)i == g->focus;
        SDL_Color bg = focused ? SC_COL_FOCUS : e->scheduled ? COL_SCHEDULED : SC_COL_PANEL;
        sc_draw_round(f, b, sc_px(f, 12), bg);
        SDL_Color c = focused ? SC_COL_BLACK : SC_COL_TEXT;
        int tx = b.x + pad, tw = b.w - 2 * pad;
        if (e->scheduled) { /* a tick mark: drawn, not a glyph the font may lack */
            int s = sc_px(f, 26);
            SDL_Rect dot = {b.x + pad, b.y + (b.h - s) / 2, s, s};
            sc_draw_round(f, dot, s / 2, focused ? COL_SCHEDULED : SC_COL_OK);
            tx += s + pad;
            tw -= s + pad;
        }
        if (tw > sc_px(f, 30))
            sc_text_draw(f->text, e->title, px, SC_TEXT_BOLD, c, tx, b.y + b.h / 2, tw, 0);
        if (focused) sc_focus_ring(f, b, sc_px(f, 12));
    }
    if (sc_ui_local_now(ui, NULL, &now) && now >= g->from_utc && now < g->to_utc) {
        int x = time_x(g, grid, now);
        int rows = (int)g->n_services - first < visible ? (int)g->n_services - first : visible;
        sc_draw_fill(f, (SDL_Rect){x - sc_px(f, 2), grid.y, sc_px(f, 4), rows * row_h},
                     SC_COL_ERROR);
    }
    if ((int)g->n_services > visible) { /* more services than fit: a scroll mark */
        int bar_h = grid.h * visible / (int)g->n_services;
        int bar_y = grid.y + (grid.h - bar_h) * first / ((int)g->n_services - visible);
        sc_draw_round(f, (SDL_Rect){area.x + area.w - sc_px(f, 6), bar_y, sc_px(f, 6), bar_h},
                      sc_px(f, 3), SC_COL_DIM);
    }
    if (g->description && g->description[0]) {
        SDL_Rect d = {area.x, area.y + area.h - desc_h + gap, area.w, desc_h - gap};
        sc_draw_round(f, d, sc_px(f, 12), SC_COL_PANEL_DIM);
        int line = sc_px(f, 62);
        sc_text_draw_wrapped(f->text, g->description, px, SC_TEXT_REGULAR, SC_COL_TEXT, d.x + pad,
                             d.y + d.h / 2 - line / 2, line, d.w - 2 * pad, 2, 0);
    }
    sc_screen_hint(ui, f, m->hint ? m->hint : _("Arrows: choose · OK: schedule · BACK: return"));
}
