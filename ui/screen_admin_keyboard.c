/* MENU, KEYBOARD kind: the text typed so far in a field at the top, under it
 * the keys (items) in rows of u.keyboard.columns. A row with fewer keys (the
 * last: shift, space, delete, done, cancel) spreads them over the full width,
 * so the core's layout decides which keys are wide. */
#include "ui/screens.h"

#include <string.h>

#define FIELD_H   120 /* design units */
#define FIELD_GAP 34
#define KEY_GAP   16

static void field(struct sc_ui *ui, const struct sc_frame *f, const char *text, SDL_Rect r)
{
    (void)ui;
    sc_draw_round(f, r, sc_px(f, 16), SC_COL_PANEL_DIM);
    sc_draw_round_outline(f, r, sc_px(f, 16), sc_px(f, 4), SC_COL_ACCENT);
    int pad = sc_px(f, 30), px = sc_px(f, SC_PX_TITLE), cy = r.y + r.h / 2;
    int cursor_w = sc_px(f, 6), max_w = r.w - 2 * pad - cursor_w - sc_px(f, 8);
    int w = 0, h = 0;
    if (text && text[0]) sc_text_size(f->text, text, px, SC_TEXT_BOLD, &w, &h);
    /* a long text shows its end, where typing happens */
    int x = r.x + pad;
    if (w > max_w) {
        sc_text_draw(f->text, text, px, SC_TEXT_BOLD, SC_COL_TEXT, r.x + pad + max_w, cy, max_w, 2);
        x += max_w;
    } else {
        if (text && text[0])
            sc_text_draw(f->text, text, px, SC_TEXT_BOLD, SC_COL_TEXT, x, cy, 0, 0);
        x += w;
    }
    int ch = sc_px(f, 70);
    sc_draw_fill(f, (SDL_Rect){x + sc_px(f, 4), cy - ch / 2, cursor_w, ch}, SC_COL_FOCUS);
}

void sc_screen_menu_keyboard(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *m)
{
    SDL_Rect area = sc_screen_menu_area(f);
    int ring = sc_px(f, 12);
    SDL_Rect fr = {area.x + ring, area.y + ring, area.w - 2 * ring, sc_px(f, FIELD_H)};
    field(ui, f, m->u.keyboard.text, fr);

    int columns = m->u.keyboard.columns > 0 ? m->u.keyboard.columns : 10;
    int n = (int)m->n_items, rows = (n + columns - 1) / columns;
    if (rows < 1) rows = 1;
    int top = fr.y + fr.h + sc_px(f, FIELD_GAP), gap = sc_px(f, KEY_GAP);
    int row_h = (area.y + area.h - top) / rows;
    int key_h = row_h - gap;
    int max_key_h = sc_px(f, 110);
    if (key_h > max_key_h) key_h = max_key_h;
    int width = area.w - 2 * ring;
    for (int row = 0; row < rows; row++) {
        int first = row * columns, count = n - first < columns ? n - first : columns;
        /* a short row spreads its keys over the full width */
        int key_w = (width - (count - 1) * gap) / count;
        for (int c = 0; c < count; c++) {
            int i = first + c;
            const struct sc_ui_menu_item *it = &m->items[i];
            SDL_Rect r = {area.x + ring + c * (key_w + gap), top + row * (key_h + gap), key_w,
                          key_h};
            bool focused = i == m->focus;
            sc_draw_round(f, r, sc_px(f, 14), focused ? SC_COL_ACCENT : SC_COL_PANEL);
            SDL_Color col = it->disabled  ? SC_COL_DIM
                            : focused     ? SC_COL_BLACK
                            : it->warning ? SC_COL_ERROR
                                          : SC_COL_TEXT;
            /* one character keys big, words (space, done) at body size */
            bool single = strlen(it->label) <= 4 && !strchr(it->label, ' ');
            int px = sc_px(f, single && count == columns ? SC_PX_TITLE : SC_PX_BODY);
            sc_text_draw(f->text, it->label, px, SC_TEXT_BOLD, col, r.x + r.w / 2, r.y + r.h / 2,
                         r.w - sc_px(f, 12), 1);
            if (focused) sc_focus_ring(f, r, sc_px(f, 14));
        }
    }
    sc_screen_hint(ui, f,
                   m->hint ? m->hint : _("Arrows, OK: type a key · digits type · BACK: delete"));
}
