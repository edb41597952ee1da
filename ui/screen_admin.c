/* MENU: the administrator's pages. This file draws the frame every page
 * shares (header, message, hint) and the LIST kind (rows of label and value,
 * with the picker of an edited row); the other kinds have their own files. */
#include "ui/screens.h"

#include <string.h>

#define ROW_H     100 /* design units: 7 rows on a 1080-line safe area */
#define MESSAGE_H 70

void ui_focus_ring(const struct ui_frame *f, SDL_Rect r, int radius)
{
    int t = ui_px(f, 8);
    SDL_Rect ring = {r.x - t, r.y - t, r.w + 2 * t, r.h + 2 * t};
    ui_draw_round_outline(f, ring, radius + t, t + ui_px(f, 2), UI_COL_FOCUS);
}

SDL_Rect ui_screen_menu_area(const struct ui_frame *f)
{
    double top = UI_HEADER_H + 30, bottom = ui_safe_h(f) - UI_HINT_H - MESSAGE_H;
    return (SDL_Rect){f->safe.x, ui_y(f, top), f->safe.w, ui_px(f, bottom - top)};
}

void ui_screen_menu_message(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    (void)ui;
    if (!m->message || !m->message[0]) return;
    int bottom = f->safe.y + f->safe.h - ui_px(f, UI_HINT_H);
    ui_text_draw(f->text, m->message, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD,
                 m->message_error ? UI_COL_ERROR : UI_COL_OK, f->safe.x + f->safe.w / 2,
                 bottom - ui_px(f, MESSAGE_H / 2), f->safe.w, 1);
}

/* An edited value, right-aligned at right_x: the picker's part on a light
 * background so that it reads as "this changes now". Returns the width. */
static int edited_value(const struct ui_frame *f, const struct ui_menu_item *it, int right_x,
                        int cy, SDL_Color color)
{
    int px = ui_px(f, UI_PX_BODY);
    size_t len = strlen(it->value);
    size_t start = it->sel_len > 0 && (size_t)it->sel_start < len ? (size_t)it->sel_start : 0;
    size_t sel = it->sel_len > 0 ? (size_t)it->sel_len : len;
    if (start + sel > len) sel = len - start;
    char pre[256], mid[256], post[256];
    snprintf(pre, sizeof(pre), "%.*s", (int)start, it->value);
    snprintf(mid, sizeof(mid), "%.*s", (int)sel, it->value + start);
    snprintf(post, sizeof(post), "%s", it->value + start + sel);
    int w_pre = 0, w_mid = 0, w_post = 0, h = 0;
    if (pre[0]) ui_text_size(f->text, pre, px, UI_TEXT_BOLD, &w_pre, &h);
    if (mid[0]) ui_text_size(f->text, mid, px, UI_TEXT_BOLD, &w_mid, &h);
    if (post[0]) ui_text_size(f->text, post, px, UI_TEXT_BOLD, &w_post, &h);
    int pad = ui_px(f, 10), x = right_x - w_pre - w_mid - w_post - pad;
    if (pre[0]) ui_text_draw(f->text, pre, px, UI_TEXT_BOLD, color, x, cy, 0, 0);
    SDL_Rect box = {x + w_pre - pad, cy - ui_px(f, 34), w_mid + 2 * pad, ui_px(f, 68)};
    ui_draw_round(f, box, ui_px(f, 10), UI_COL_FOCUS);
    ui_text_draw(f->text, mid, px, UI_TEXT_BOLD, UI_COL_BLACK, x + w_pre, cy, 0, 0);
    if (post[0]) ui_text_draw(f->text, post, px, UI_TEXT_BOLD, color, x + w_pre + w_mid, cy, 0, 0);
    return w_pre + w_mid + w_post + 2 * pad;
}

void ui_screen_menu_rows(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m,
                         SDL_Rect area, double row_h)
{
    (void)ui;
    int row = ui_px(f, row_h), ring = ui_px(f, 10);
    int visible = row > 0 ? area.h / row : 1;
    if (visible < 1) visible = 1;
    int focus = m->focus;
    int first = focus < visible ? 0 : focus - visible + 1;
    for (int i = first; i < (int)m->n_items && i < first + visible; i++) {
        const struct ui_menu_item *it = &m->items[i];
        bool focused = i == focus;
        SDL_Rect r = {area.x + ring, area.y + (i - first) * row + ring, area.w - 2 * ring,
                      row - ui_px(f, 16)};
        /* a focused warning row turns red with white text (red on the
         * focus colour cannot be read across a room) */
        bool lit = focused && !it->editing;
        ui_draw_round(f, r, ui_px(f, 14),
                      lit ? (it->warning ? UI_COL_ERROR : UI_COL_ACCENT) : UI_COL_PANEL);
        SDL_Color c = it->disabled  ? UI_COL_DIM
                      : lit         ? (it->warning ? UI_COL_TEXT : UI_COL_BLACK)
                      : it->warning ? UI_COL_ERROR
                                    : UI_COL_TEXT;
        int pad = ui_px(f, 30), vw = 0, cy = r.y + r.h / 2;
        /* the value gets what a short label leaves (a station id), at least half */
        int lw = 0, lh = 0;
        ui_text_size(f->text, it->label, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, &lw, &lh);
        int value_w = r.w - lw - 3 * pad > r.w / 2 ? r.w - lw - 3 * pad : r.w / 2;
        if (it->value && it->editing)
            vw = edited_value(f, it, r.x + r.w - pad, cy, c);
        else if (it->value)
            vw = ui_text_draw(f->text, it->value, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, c,
                              r.x + r.w - pad, cy, value_w, 2);
        ui_text_draw(f->text, it->label, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, c, r.x + pad, cy,
                     r.w - vw - 3 * pad, 0);
        if (focused) ui_focus_ring(f, r, ui_px(f, 14));
    }
    /* more rows than fit: a scroll mark on the right edge */
    if ((int)m->n_items > visible) {
        int bar_h = area.h * visible / (int)m->n_items;
        int bar_y = area.y + (area.h - bar_h) * first / ((int)m->n_items - visible);
        ui_draw_round(f, (SDL_Rect){area.x + area.w - ui_px(f, 6), bar_y, ui_px(f, 6), bar_h},
                      ui_px(f, 3), UI_COL_DIM);
    }
}

static const char *default_hint(struct ui *ui, const struct ui_menu *m)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (m->items[i].editing) return _("Up/down: change · left/right: move · OK: done");
    return _("Up/down: choose · OK: open · BACK: return");
}

void ui_screen_menu(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_BG);
    ui_screen_header(ui, f, m->title ? m->title : _("Administrator's menu"));
    switch (m->kind) {
    case UI_MENU_PIN:
        ui_screen_menu_pin(ui, f, m);
        break;
    case UI_MENU_KEYBOARD:
        ui_screen_menu_keyboard(ui, f, m);
        break;
    case UI_MENU_REPORT:
        ui_screen_menu_report(ui, f, m);
        break;
    case UI_MENU_PICTURE:
        ui_screen_menu_picture(ui, f, m);
        break;
    case UI_MENU_CALENDAR:
        ui_screen_menu_calendar(ui, f, m);
        break;
    case UI_MENU_GUIDE:
        ui_screen_menu_guide(ui, f, m);
        break;
    default: /* LIST */
        ui_screen_menu_rows(ui, f, m, ui_screen_menu_area(f), ROW_H);
        ui_screen_hint(ui, f, m->hint ? m->hint : default_hint(ui, m));
        break;
    }
    ui_screen_menu_message(ui, f, m);
}
