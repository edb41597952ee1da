/* SUMMARY (played minutes, who attended for how long, the 1-5 rating and
 * "needs repeating"). */
#include "ui/screens.h"

#include <stdio.h>

static void attendance_list(struct ui *ui, const struct ui_frame *f, const struct ui_summary *s,
                            SDL_Rect area)
{
    ui_draw_round(f, area, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 30), row_h = ui_px(f, 66);
    int x = area.x + pad, w = area.w - 2 * pad;
    char line[160];
    snprintf(line, sizeof(line), _("Attended %d · guests %d"), (int)s->n_attendees, s->guests);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT, x,
                 area.y + ui_px(f, 50), w, 0);
    int top = area.y + ui_px(f, 100);
    int rows = (area.y + area.h - pad - top) / row_h;
    /* a second column when one is not enough and the panel is wide enough */
    int cols = (int)s->n_attendees > rows && w > ui_px(f, 760) ? 2 : 1;
    int col_w = (w - (cols - 1) * pad) / cols;
    int shown = rows * cols;
    if ((int)s->n_attendees > shown) shown--; /* the last cell says how many more */
    for (int i = 0; i < (int)s->n_attendees && i < shown; i++) {
        const struct ui_member *m = &s->attendees[i];
        int cx = x + (i / rows) * (col_w + pad), cy = top + (i % rows) * row_h + row_h / 2;
        char minutes[32];
        snprintf(minutes, sizeof(minutes), _("%d min"), (int)(m->seconds / 60));
        int mw = ui_text_draw(f->text, minutes, ui_px(f, UI_PX_SMALL), UI_TEXT_BOLD, UI_COL_TEXT,
                              cx + col_w, cy, 0, 2);
        snprintf(line, sizeof(line), "%s  %s", m->number ? m->number : "", m->name ? m->name : "");
        ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_TEXT, cx, cy,
                     col_w - mw - pad, 0);
    }
    if ((int)s->n_attendees > shown && shown >= 0) {
        int i = shown;
        snprintf(line, sizeof(line), _("and %d more"), (int)s->n_attendees - shown);
        ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                     x + (i / rows) * (col_w + pad), top + (i % rows) * row_h + row_h / 2, col_w,
                     0);
    }
}

static void feedback(struct ui *ui, const struct ui_frame *f, const struct ui_summary *s,
                     SDL_Rect area)
{
    ui_draw_round(f, area, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 30), x = area.x + pad, w = area.w - 2 * pad;
    ui_text_draw(f->text, _("How was the course?"), ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT,
                 x, area.y + ui_px(f, 50), w, 0);
    /* the rating picker: five boxes 1..5, filled up to the rating */
    int gap = ui_px(f, 14), box = (w - 4 * gap) / 5;
    if (box > ui_px(f, 110)) box = ui_px(f, 110);
    int row_y = area.y + ui_px(f, 100);
    SDL_Rect picker = {x, row_y, 5 * box + 4 * gap, box};
    for (int i = 1; i <= 5; i++) {
        SDL_Rect b = {x + (i - 1) * (box + gap), row_y, box, box};
        bool on = i <= s->rating;
        ui_draw_round(f, b, ui_px(f, 14), on ? UI_COL_ACCENT : UI_COL_PANEL_DIM);
        char digit[4];
        snprintf(digit, sizeof(digit), "%d", i);
        ui_text_draw(f->text, digit, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                     on ? UI_COL_BLACK : UI_COL_DIM, b.x + b.w / 2, b.y + b.h / 2, 0, 1);
    }
    if (s->focus == UI_SUMMARY_RATING) ui_focus_ring(f, picker, ui_px(f, 14));
    const char *rating_words[6] = {_("Not rated"), _("Poor"),      _("Fair"),
                                   _("Good"),      _("Very good"), _("Excellent")};
    int rating = s->rating >= 0 && s->rating <= 5 ? s->rating : 0;
    ui_text_draw(f->text, rating_words[rating], ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                 x, row_y + box + ui_px(f, 40), w, 0);
    /* the toggle */
    int toggle_y = row_y + box + ui_px(f, 100);
    SDL_Rect toggle = {x, toggle_y, w, ui_px(f, 90)};
    ui_draw_round(f, toggle, ui_px(f, 14), UI_COL_PANEL_DIM);
    int tick = ui_px(f, 56);
    SDL_Rect check = {x + ui_px(f, 18), toggle_y + (toggle.h - tick) / 2, tick, tick};
    ui_draw_round(f, check, ui_px(f, 8), s->needs_repeat ? UI_COL_ACCENT : UI_COL_BG);
    if (s->needs_repeat)
        ui_text_draw(f->text, "✓", ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_BLACK,
                     check.x + check.w / 2, check.y + check.h / 2, 0, 1);
    ui_text_draw(f->text, _("Needs repeating"), ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_TEXT,
                 check.x + tick + ui_px(f, 24), toggle_y + toggle.h / 2, w - tick - ui_px(f, 60),
                 0);
    if (s->focus == UI_SUMMARY_REPEAT) ui_focus_ring(f, toggle, ui_px(f, 14));
    /* done */
    SDL_Rect done = {x, toggle_y + toggle.h + ui_px(f, 40), w, ui_px(f, 90)};
    if (done.y + done.h > area.y + area.h - pad) done.y = area.y + area.h - pad - done.h;
    ui_draw_round(f, done, ui_px(f, 14), UI_COL_ACCENT);
    ui_text_draw(f->text, _("Save and finish"), ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_BLACK,
                 done.x + done.w / 2, done.y + done.h / 2, done.w - 2 * pad, 1);
    if (s->focus == UI_SUMMARY_DONE) ui_focus_ring(f, done, ui_px(f, 14));
}

void ui_screen_summary(struct ui *ui, const struct ui_frame *f, const struct ui_summary *s)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_BG);
    ui_screen_header(ui, f, _("Session finished"));
    char played[32], sub[320];
    ui_fmt_duration(played, sizeof(played), s->played_s);
    snprintf(sub, sizeof(sub), _("Played %s · %s"), played, s->course ? s->course : "");
    ui_screen_subtitle(ui, f, sub, UI_COL_ACCENT);
    double W = ui_safe_w(f), top = UI_HEADER_H + 40, bottom = ui_safe_h(f) - UI_HINT_H - 10;
    double split = f->narrow ? 0.5 : 0.56, gap = 40;
    SDL_Rect left = {ui_x(f, 0), ui_y(f, top), ui_px(f, W * split - gap / 2),
                     ui_px(f, bottom - top)};
    SDL_Rect right = {ui_x(f, W * split + gap / 2), ui_y(f, top),
                      ui_px(f, W * (1 - split) - gap / 2), ui_px(f, bottom - top)};
    attendance_list(ui, f, s, left);
    feedback(ui, f, s, right);
    ui_screen_hint(ui, f, _("Left/right or 1-5: rating · up/down: move · OK: choose"));
}
