/* MENU, CALENDAR kind: the month's grid (weekday heads, a cell per day with
 * its number and the count of courses, a red count where courses conflict,
 * today outlined, the focused day ringed) and the focused day's courses
 * (items) beside it. On 4:3 the grid takes a larger share and the rows drop
 * their values, so the titles stay readable. */
#include "ui/screens.h"

#include <stdio.h>

#define HEAD_H 64 /* design units: the weekday heads */
#define ROW_H  100
#define GAP    8

static void cell(struct ui *ui, const struct ui_frame *f, SDL_Rect r, int day,
                 const struct ui_calendar *cal)
{
    (void)ui;
    const struct ui_calendar_day *d = &cal->days[day - 1];
    bool focused = day == cal->focus_day;
    bool today = day == cal->today;
    SDL_Color bg = focused && !cal->items_focused ? UI_COL_ACCENT : UI_COL_PANEL;
    ui_draw_round(f, r, ui_px(f, 10), bg);
    if (today) /* today: a thick outline in the accent colour (the focus is yellow) */
        ui_draw_round_outline(f, r, ui_px(f, 10), ui_px(f, 5),
                              focused && !cal->items_focused ? UI_COL_TEXT : UI_COL_ACCENT);
    char num[8];
    snprintf(num, sizeof(num), "%d", day);
    SDL_Color c = focused && !cal->items_focused ? UI_COL_BLACK : UI_COL_TEXT;
    int px = ui_px(f, UI_PX_SMALL);
    int pad = ui_px(f, 10), edge = ui_px(f, 4);
    /* the number in the top-left corner, the count in the bottom-right one:
     * a cell is ~90 design units high, room for both stacked */
    ui_text_draw(f->text, num, px, UI_TEXT_BOLD, c, r.x + pad, r.y + edge + ui_px(f, 18),
                 r.w - 2 * pad, 0);
    if (d->courses > 0) {
        char count[12];
        snprintf(count, sizeof(count), d->conflict ? "!%d" : "%d", d->courses);
        int w = 0, h = 0;
        int count_px = ui_px(f, 38); /* a digit or two inside the badge */
        ui_text_size(f->text, count, count_px, UI_TEXT_BOLD, &w, &h);
        int bh = ui_px(f, 38), bw = w + ui_px(f, 16);
        if (bw < bh) bw = bh;
        if (bh > r.h / 2) bh = r.h / 2;
        SDL_Rect badge = {r.x + r.w - bw - edge, r.y + r.h - bh - edge, bw, bh};
        ui_draw_round(f, badge, bh / 2, d->conflict ? UI_COL_ERROR : UI_COL_OK);
        ui_text_draw(f->text, count, count_px, UI_TEXT_BOLD, UI_COL_BLACK, badge.x + bw / 2,
                     badge.y + bh / 2, 0, 1);
    }
    if (focused) ui_focus_ring(f, r, ui_px(f, 10));
}

void ui_screen_menu_calendar(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    const struct ui_calendar *cal = &m->u.calendar;
    SDL_Rect area = ui_screen_menu_area(f);
    int split = f->narrow ? area.w * 56 / 100 : area.w * 50 / 100;
    SDL_Rect grid = {area.x, area.y, split - ui_px(f, 20), area.h};
    SDL_Rect list = {area.x + split, area.y, area.w - split, area.h};
    static const char *const heads[7] = {N_("Mo"), N_("Tu"), N_("We"), N_("Th"),
                                         N_("Fr"), N_("Sa"), N_("Su")};
    int cols = 7, weeks = (cal->first_weekday + cal->days_in_month + 6) / 7;
    if (weeks < 4) weeks = 4;
    int head = ui_px(f, HEAD_H), gap = ui_px(f, GAP);
    int cw = (grid.w - (cols - 1) * gap) / cols;
    int ch = (grid.h - head - weeks * gap) / weeks;
    for (int c = 0; c < cols; c++)
        ui_text_draw(f->text, _(heads[c]), ui_px(f, UI_PX_SMALL), UI_TEXT_BOLD,
                     c >= 5 ? UI_COL_WARN : UI_COL_DIM, grid.x + c * (cw + gap) + cw / 2,
                     grid.y + head / 2, cw, 1);
    for (int day = 1; day <= cal->days_in_month && day <= UI_CALENDAR_DAYS; day++) {
        int pos = cal->first_weekday + day - 1;
        SDL_Rect r = {grid.x + (pos % 7) * (cw + gap), grid.y + head + gap + (pos / 7) * (ch + gap),
                      cw, ch};
        cell(ui, f, r, day, cal);
    }
    /* the focused day's courses */
    char date[64];
    int wd = (cal->first_weekday + cal->focus_day - 1) % 7;
    snprintf(date, sizeof(date), "%d-%02d-%02d  %s", cal->year, cal->month, cal->focus_day,
             _(heads[wd]));
    ui_text_draw(f->text, date, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT,
                 list.x + ui_px(f, 20), list.y + head / 2, list.w, 0);
    SDL_Rect rows = {list.x, list.y + head, list.w, list.h - head};
    struct ui_menu_item items[32];
    struct ui_menu day = *m;
    size_t n = m->n_items < 32 ? m->n_items : 32;
    for (size_t i = 0; i < n; i++) {
        items[i] = m->items[i];
        if (f->narrow && i + 1 < n) items[i].value = NULL; /* the title needs the width */
    }
    day.items = items;
    day.n_items = n;
    day.focus = cal->items_focused ? m->focus : -1;
    ui_screen_menu_rows(ui, f, &day, rows, ROW_H);
    ui_screen_hint(ui, f, m->hint ? m->hint : _("Arrows: day · OK: open · BACK: return"));
}
