/* MENU, KEYBOARD kind: the text typed so far in a field at the top, under it
 * the keys (items) in rows of u.keyboard.columns. A row with fewer keys (the
 * last: shift, space, delete, done, cancel) spreads them over the full width,
 * so the core's layout decides which keys are wide. */
#include "ui/screens.h"

#include <string.h>

#define FIELD_H   120 /* design units */
#define FIELD_GAP 34
#define KEY_GAP   16

static void field(struct ui *ui, const struct ui_frame *f, const char *text, SDL_Rect r)
{
    (void)ui;
    ui_draw_round(f, r, ui_px(f, 16), UI_COL_PANEL_DIM);
    ui_draw_round_outline(f, r, ui_px(f, 16), ui_px(f, 4), UI_COL_ACCENT);
    int pad = ui_px(f, 30), px = ui_px(f, UI_PX_TITLE), cy = r.y + r.h / 2;
    int cursor_w = ui_px(f, 6), max_w = r.w - 2 * pad - cursor_w - ui_px(f, 8);
    int w = 0, h = 0;
    if (text && text[0]) ui_text_size(f->text, text, px, UI_TEXT_BOLD, &w, &h);
    /* a long text shows its end, where typing happens */
    int x = r.x + pad;
    if (w > max_w) {
        ui_text_draw(f->text, text, px, UI_TEXT_BOLD, UI_COL_TEXT, r.x + pad + max_w, cy, max_w, 2);
        x += max_w;
    } else {
        if (text && text[0])
            ui_text_draw(f->text, text, px, UI_TEXT_BOLD, UI_COL_TEXT, x, cy, 0, 0);
        x += w;
    }
    int ch = ui_px(f, 70);
    ui_draw_fill(f, (SDL_Rect){x + ui_px(f, 4), cy - ch / 2, cursor_w, ch}, UI_COL_FOCUS);
}

void ui_screen_menu_keyboard(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    SDL_Rect area = ui_screen_menu_area(f);
    int ring = ui_px(f, 12);
    SDL_Rect fr = {area.x + ring, area.y + ring, area.w - 2 * ring, ui_px(f, FIELD_H)};
    field(ui, f, m->u.keyboard.text, fr);

    int columns = m->u.keyboard.columns > 0 ? m->u.keyboard.columns : 10;
    int n = (int)m->n_items, rows = (n + columns - 1) / columns;
    if (rows < 1) rows = 1;
    int top = fr.y + fr.h + ui_px(f, FIELD_GAP), gap = ui_px(f, KEY_GAP);
    int row_h = (area.y + area.h - top) / rows;
    int key_h = row_h - gap;
    int max_key_h = ui_px(f, 110);
    if (key_h > max_key_h) key_h = max_key_h;
    int width = area.w - 2 * ring;
    for (int row = 0; row < rows; row++) {
        int first = row * columns, count = n - first < columns ? n - first : columns;
        /* a short row spreads its keys over the full width */
        int key_w = (width - (count - 1) * gap) / count;
        for (int c = 0; c < count; c++) {
            int i = first + c;
            const struct ui_menu_item *it = &m->items[i];
            SDL_Rect r = {area.x + ring + c * (key_w + gap), top + row * (key_h + gap), key_w,
                          key_h};
            bool focused = i == m->focus;
            ui_draw_round(f, r, ui_px(f, 14), focused ? UI_COL_ACCENT : UI_COL_PANEL);
            SDL_Color col = it->disabled  ? UI_COL_DIM
                            : focused     ? UI_COL_BLACK
                            : it->warning ? UI_COL_ERROR
                                          : UI_COL_TEXT;
            /* one character keys big, words (space, done) at body size */
            bool single = strlen(it->label) <= 4 && !strchr(it->label, ' ');
            int px = ui_px(f, single && count == columns ? UI_PX_TITLE : UI_PX_BODY);
            ui_text_draw(f->text, it->label, px, UI_TEXT_BOLD, col, r.x + r.w / 2, r.y + r.h / 2,
                         r.w - ui_px(f, 12), 1);
            if (focused) ui_focus_ring(f, r, ui_px(f, 14));
        }
    }
    ui_screen_hint(ui, f,
                   m->hint ? m->hint : _("Arrows, OK: type a key · digits type · BACK: delete"));
}
