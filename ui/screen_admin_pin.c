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

static void boxes(const struct sc_frame *f, const struct sc_ui_pin *pin, bool locked, int cy)
{
    int count = pin->length > 0 ? pin->length : pin->entered + (locked ? 0 : 1);
    if (count < pin->entered) count = pin->entered;
    if (count < 1) count = 1;
    if (count > MAX_BOX) count = MAX_BOX;
    int box = sc_px(f, BOX), gap = sc_px(f, BOX_GAP);
    int total = count * box + (count - 1) * gap;
    int x = f->safe.x + (f->safe.w - total) / 2, y = cy - box / 2;
    for (int i = 0; i < count; i++) {
        SDL_Rect r = {x + i * (box + gap), y, box, box};
        bool filled = i < pin->entered;
        sc_draw_round(f, r, sc_px(f, 18), locked ? SC_COL_PANEL_DIM : SC_COL_PANEL);
        if (filled) {
            int dot = sc_px(f, 44);
            SDL_Rect d = {r.x + (box - dot) / 2, r.y + (box - dot) / 2, dot, dot};
            sc_draw_round(f, d, dot / 2, locked ? SC_COL_DIM : SC_COL_TEXT);
        } else if (i == pin->entered && !locked) {
            sc_focus_ring(f, r, sc_px(f, 18)); /* where the next digit goes */
        }
    }
}

static void lockout(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_pin *pin, int y)
{
    int64_t utc = 0;
    char left[48] = "--:--";
    if (sc_ui_local_now(ui, NULL, &utc))
        sc_fmt_countdown(ui, left, sizeof(left), pin->locked_until_utc - utc);
    int cx = f->safe.x + f->safe.w / 2;
    sc_text_draw(f->text, _("Locked: too many wrong PINs"), sc_px(f, SC_PX_BODY), SC_TEXT_BOLD,
                 SC_COL_ERROR, cx, y, f->safe.w, 1);
    sc_text_draw(f->text, _("Try again in"), sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_DIM, cx,
                 y + sc_px(f, 90), f->safe.w, 1);
    sc_text_draw(f->text, left, sc_px(f, SC_PX_HUGE), SC_TEXT_BOLD, SC_COL_COUNTDOWN, cx,
                 y + sc_px(f, 210), f->safe.w, 1);
}

void sc_screen_menu_pin(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *m)
{
    const struct sc_ui_pin *pin = &m->u.pin;
    int64_t utc = 0;
    bool locked = pin->locked_until_utc > 0 &&
                  (!sc_ui_local_now(ui, NULL, &utc) || pin->locked_until_utc > utc);
    int cx = f->safe.x + f->safe.w / 2;
    if (!locked) {
        char typed[64];
        if (pin->length > 0)
            snprintf(typed, sizeof(typed), _("%d of up to %d digits"), pin->entered, pin->length);
        else
            snprintf(typed, sizeof(typed), _("%d digits typed"), pin->entered);
        sc_text_draw(f->text, pin->entered > 0 ? typed : _("Type the PIN with the digit keys"),
                     sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_DIM, cx,
                     sc_y(f, SC_HEADER_H + 70), f->safe.w, 1);
    }
    boxes(f, pin, locked, sc_y(f, BOXES_CY));
    if (locked) lockout(ui, f, pin, sc_y(f, BOXES_CY + 140));
    sc_screen_hint(ui, f, m->hint ? m->hint : _("Digits: PIN · OK: enter · BACK: delete or leave"));
}
