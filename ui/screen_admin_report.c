/* MENU, REPORT kind: a month of the study record. Left, the month's chart
 * drawn like HOME's (a bar per session held, the required 2 h as a line,
 * empty outlines for the sessions still missing) under the period with its
 * left/right arrows and "requirement met / not met"; right, the figures
 * (the items) as rows, the focused one the action (export). */
#include "ui/screens.h"

#include <stdio.h>

#define CHART_MAX_MINUTES 180 /* bars scaled to 3 h as on HOME; longer ones capped */
#define ROW_H             92

static void chart(struct ui *ui, const struct ui_frame *f, const struct ui_month *m, SDL_Rect c)
{
    ui_draw_fill(f, c, UI_COL_PANEL_DIM);
    int slots = m->n_sessions > m->sessions_required ? m->n_sessions : m->sessions_required;
    if (slots > UI_MONTH_MAX_SESSIONS) slots = UI_MONTH_MAX_SESSIONS;
    if (slots < 1) slots = 1;
    int gap = ui_px(f, 16), bar_w = (c.w - gap * (slots + 1)) / slots;
    int need = m->minutes_required_each > 0 ? m->minutes_required_each : 120;
    int label_px = ui_px(f, UI_PX_SMALL * 0.8);
    for (int i = 0; i < slots; i++) {
        SDL_Rect slot = {c.x + gap + i * (bar_w + gap), c.y + gap, bar_w, c.h - 2 * gap};
        if (i >= m->n_sessions) { /* a session still to hold */
            ui_draw_round_outline(f, slot, ui_px(f, 8), ui_px(f, 3), UI_COL_DIM);
            continue;
        }
        int minutes = m->session_minutes[i] < 0 ? 0 : m->session_minutes[i];
        int capped = minutes < CHART_MAX_MINUTES ? minutes : CHART_MAX_MINUTES;
        int h = slot.h * capped / CHART_MAX_MINUTES;
        ui_draw_fill(f, (SDL_Rect){slot.x, slot.y + slot.h - h, slot.w, h},
                     minutes >= need ? UI_COL_OK : UI_COL_WARN);
    }
    int line_y = c.y + gap + (c.h - 2 * gap) * (CHART_MAX_MINUTES - need) / CHART_MAX_MINUTES;
    ui_draw_fill(f, (SDL_Rect){c.x, line_y - ui_px(f, 2), c.w, ui_px(f, 4)}, UI_COL_TEXT);
    /* each bar's time, drawn last so that the line hides none */
    for (int i = 0; i < m->n_sessions && i < slots; i++) {
        int minutes = m->session_minutes[i] < 0 ? 0 : m->session_minutes[i];
        int capped = minutes < CHART_MAX_MINUTES ? minutes : CHART_MAX_MINUTES;
        SDL_Rect slot = {c.x + gap + i * (bar_w + gap), c.y + gap, bar_w, c.h - 2 * gap};
        int h = slot.h * capped / CHART_MAX_MINUTES;
        char text[16];
        int lw, lh;
        snprintf(text, sizeof(text), "%d:%02d", minutes / 60, minutes % 60);
        ui_text_size(f->text, text, label_px, UI_TEXT_BOLD, &lw, &lh);
        if (lw > bar_w) continue; /* too many sessions for labels */
        bool inside = h > lh + ui_px(f, 8);
        int top = slot.y + slot.h - h;
        int cy = inside ? slot.y + slot.h - lh / 2 - ui_px(f, 4) : top - lh / 2;
        ui_text_draw(f->text, text, label_px, UI_TEXT_BOLD, inside ? UI_COL_BLACK : UI_COL_TEXT,
                     slot.x + bar_w / 2, cy, 0, 1);
    }
    (void)ui;
}

static void month_panel(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu,
                        SDL_Rect p)
{
    const struct ui_report *r = &menu->u.report;
    ui_draw_round(f, p, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 36), x = p.x + pad, w = p.w - 2 * pad;
    /* the period between the arrows that change it */
    int title_px = ui_px(f, UI_PX_TITLE), cy = p.y + ui_px(f, 70), aw, ah;
    ui_text_size(f->text, "◀", title_px, UI_TEXT_BOLD, &aw, &ah);
    ui_text_draw(f->text, "◀", title_px, UI_TEXT_BOLD, UI_COL_TEXT, x, cy, 0, 0);
    ui_text_draw(f->text, "▶", title_px, UI_TEXT_BOLD, UI_COL_TEXT, x + w, cy, 0, 2);
    ui_text_draw(f->text, r->period ? r->period : "", title_px, UI_TEXT_BOLD, UI_COL_TEXT,
                 p.x + p.w / 2, cy, w - 2 * aw - ui_px(f, 20), 1);
    char line[128];
    const struct ui_month *m = &r->month;
    /* the verdict, in its colour: the figures beside say how it came */
    const char *verdict = r->requirement_met ? _("Requirement met") : _("Requirement not met");
    ui_text_draw(f->text, verdict, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD,
                 r->requirement_met ? UI_COL_OK : UI_COL_ERROR, p.x + p.w / 2, p.y + ui_px(f, 160),
                 w, 1);
    SDL_Rect c = {x, p.y + ui_px(f, 220), w, p.h - ui_px(f, 220) - ui_px(f, 90)};
    chart(ui, f, m, c);
    int need = m->minutes_required_each > 0 ? m->minutes_required_each : 120;
    if (need % 60 == 0)
        snprintf(line, sizeof(line), _("each at least %d h"), need / 60);
    else
        snprintf(line, sizeof(line), _("each at least %d h %02d min"), need / 60, need % 60);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM, x,
                 p.y + p.h - ui_px(f, 45), w, 0);
}

void ui_screen_menu_report(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    SDL_Rect area = ui_screen_menu_area(f);
    /* 4:3 gives the figures more of the width: their values are long */
    double split = f->narrow ? 0.4 : 0.45;
    int gap = ui_px(f, 36);
    SDL_Rect left = {area.x, area.y, (int)(area.w * split) - gap / 2, area.h};
    SDL_Rect right = {area.x + (int)(area.w * split) + gap / 2, area.y,
                      area.w - (int)(area.w * split) - gap / 2, area.h};
    month_panel(ui, f, m, left);
    ui_screen_menu_rows(ui, f, m, right, ROW_H);
    ui_screen_hint(ui, f, m->hint ? m->hint : _("Left/right: month · BACK: return"));
}
