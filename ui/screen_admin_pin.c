/* MENU, PIN kind: big boxes with a dot per typed digit (never the digits
 * themselves: the room is watching), the box the next digit goes into
 * outlined, and during a lock-out a countdown that the ui keeps current by
 * itself (state.c redraws the MENU screen every wall-clock second). */
#include "ui/screens.h"

#include <stdio.h>

#define BOX      120 /* design units: a box is readable across a room */
#define BOX_GAP  34
#define MAX_BOX  12 /* never more boxes than fit a 4:3 safe area */
#define BOXES_CY 330

static void boxes(const struct ui_frame *f, const struct ui_pin *pin, bool locked, int cy)
{
    int count = pin->length > 0 ? pin->length : pin->entered + (locked ? 0 : 1);
    if (count < pin->entered) count = pin->entered;
    if (count < 1) count = 1;
    if (count > MAX_BOX) count = MAX_BOX;
    int box = ui_px(f, BOX), gap = ui_px(f, BOX_GAP);
    int total = count * box + (count - 1) * gap;
    int x = f->safe.x + (f->safe.w - total) / 2, y = cy - box / 2;
    for (int i = 0; i < count; i++) {
        SDL_Rect r = {x + i * (box + gap), y, box, box};
        bool filled = i < pin->entered;
        ui_draw_round(f, r, ui_px(f, 18), locked ? UI_COL_PANEL_DIM : UI_COL_PANEL);
        if (filled) {
            int dot = ui_px(f, 44);
            SDL_Rect d = {r.x + (box - dot) / 2, r.y + (box - dot) / 2, dot, dot};
            ui_draw_round(f, d, dot / 2, locked ? UI_COL_DIM : UI_COL_TEXT);
        } else if (i == pin->entered && !locked) {
            ui_focus_ring(f, r, ui_px(f, 18)); /* where the next digit goes */
        }
    }
}

static void lockout(struct ui *ui, const struct ui_frame *f, const struct ui_pin *pin, int y)
{
    int64_t utc = 0;
    char left[48] = "--:--";
    if (ui_local_now(ui, NULL, &utc))
        ui_fmt_countdown(ui, left, sizeof(left), pin->locked_until_utc - utc);
    int cx = f->safe.x + f->safe.w / 2;
    ui_text_draw(f->text, _("Locked: too many wrong PINs"), ui_px(f, UI_PX_BODY), UI_TEXT_BOLD,
                 UI_COL_ERROR, cx, y, f->safe.w, 1);
    ui_text_draw(f->text, _("Try again in"), ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_DIM, cx,
                 y + ui_px(f, 90), f->safe.w, 1);
    ui_text_draw(f->text, left, ui_px(f, UI_PX_HUGE), UI_TEXT_BOLD, UI_COL_COUNTDOWN, cx,
                 y + ui_px(f, 210), f->safe.w, 1);
}

void ui_screen_menu_pin(struct ui *ui, const struct ui_frame *f, const struct ui_menu *m)
{
    const struct ui_pin *pin = &m->u.pin;
    int64_t utc = 0;
    bool locked =
        pin->locked_until_utc > 0 && (!ui_local_now(ui, NULL, &utc) || pin->locked_until_utc > utc);
    int cx = f->safe.x + f->safe.w / 2;
    if (!locked) {
        char typed[64];
        if (pin->length > 0)
            snprintf(typed, sizeof(typed), _("%d of up to %d digits"), pin->entered, pin->length);
        else
            snprintf(typed, sizeof(typed), _("%d digits typed"), pin->entered);
        ui_text_draw(f->text, pin->entered > 0 ? typed : _("Type the PIN with the digit keys"),
                     ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_DIM, cx,
                     ui_y(f, UI_HEADER_H + 70), f->safe.w, 1);
    }
    boxes(f, pin, locked, ui_y(f, BOXES_CY));
    if (locked) lockout(ui, f, pin, ui_y(f, BOXES_CY + 140));
    ui_screen_hint(ui, f, m->hint ? m->hint : _("Digits: PIN · OK: enter · BACK: delete or leave"));
}
