/* MENU, PICTURE kind: a viewing snapshot of a session (proof of viewing) on
 * the left, as large as the panel allows at its own aspect, with its
 * position ("3 / 15") and the arrows that step through them above it; its
 * figures (course, time, brightness, black or frozen) as rows on the right.
 * The pixels come with the view; a texture is made for each drawing (the
 * menu redraws only on a change, and a 320-pixel picture is small). */
#include "ui/screens.h"

#define ROW_H 80

static void picture_panel(struct ui *ui, const struct ui_frame *f, const struct ui_picture *pic,
                          SDL_Rect p)
{
    (void)ui;
    ui_draw_round(f, p, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 30), title_px = ui_px(f, UI_PX_TITLE), cy = p.y + ui_px(f, 60);
    ui_text_draw(f->text, "◀", title_px, UI_TEXT_BOLD, UI_COL_TEXT, p.x + pad, cy, 0, 0);
    ui_text_draw(f->text, "▶", title_px, UI_TEXT_BOLD, UI_COL_TEXT, p.x + p.w - pad, cy, 0, 2);
    if (pic->title)
        ui_text_draw(f->text, pic->title, title_px, UI_TEXT_BOLD, UI_COL_TEXT, p.x + p.w / 2, cy,
                     p.w - 2 * pad - ui_px(f, 120), 1);
    SDL_Rect box = {p.x + pad, p.y + ui_px(f, 120), p.w - 2 * pad, p.h - ui_px(f, 120) - pad};
    SDL_Texture *tex = NULL;
    if (pic->argb) {
        tex = SDL_CreateTexture(f->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
                                pic->width, pic->height);
        if (tex && SDL_UpdateTexture(tex, NULL, pic->argb, pic->stride) != 0) {
            SDL_DestroyTexture(tex);
            tex = NULL;
        }
    }
    if (!tex) { /* pruned, unreadable, or no memory for the texture */
        ui_draw_fill(f, box, UI_COL_PANEL_DIM);
        ui_text_draw(f->text, pic->note ? pic->note : _("The picture cannot be shown"),
                     ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_DIM, box.x + box.w / 2,
                     box.y + box.h / 2, box.w - 2 * pad, 1);
        return;
    }
    /* fit, keeping the picture's own aspect, centred */
    int w = box.w, h = (int)((int64_t)box.w * pic->height / pic->width);
    if (h > box.h) {
        h = box.h;
        w = (int)((int64_t)box.h * pic->width / pic->height);
    }
    SDL_Rect dst = {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
    SDL_SetTextureScaleMode(tex, SDL_ScaleModeLinear);
    SDL_RenderCopy(f->r, tex, NULL, &dst);
    SDL_DestroyTexture(tex);
}

void ui_screen_menu_picture(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    SDL_Rect area = ui_screen_menu_area(f);
    double split = f->narrow ? 0.55 : 0.6;
    int gap = ui_px(f, 36);
    SDL_Rect left = {area.x, area.y, (int)(area.w * split) - gap / 2, area.h};
    SDL_Rect right = {area.x + (int)(area.w * split) + gap / 2, area.y,
                      area.w - (int)(area.w * split) - gap / 2, area.h};
    picture_panel(ui, f, &m->u.picture, left);
    ui_screen_menu_rows(ui, f, m, right, ROW_H);
    ui_screen_hint(ui, f, m->hint ? m->hint : _("Left/right: another picture · BACK: return"));
}
