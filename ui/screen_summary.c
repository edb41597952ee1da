/* SUMMARY (played minutes, who attended for how long, the 1-5 rating and
 * "needs repeating"). */
#include "ui/screens.h"

#include <stdio.h>

static void attendance_list(struct sc_ui *ui, const struct sc_frame *f,
                            const struct sc_ui_summary *s, SDL_Rect area)
{
    sc_draw_round(f, area, sc_px(f, 24), SC_COL_PANEL);
    int pad = sc_px(f, 30), row_h = sc_px(f, 66);
    int x = area.x + pad, w = area.w - 2 * pad;
    char line[160];
    snprintf(line, sizeof(line), _("Attended %d · guests %d"), (int)s->n_attendees, s->guests);
    sc_text_draw(f->text, line, sc_px(f, SC_PX_BODY), SC_TEXT_BOLD, SC_COL_TEXT, x,
                 area.y + sc_px(f, 50), w, 0);
    int top = area.y + sc_px(f, 100);
    int rows = (area.y + area.h - pad - top) / row_h;
    /* a second column when one is not enough and the panel is wide enough */
    int cols = (int)s->n_attendees > rows && w > sc_px(f, 760) ? 2 : 1;
    int col_w = (w - (cols - 1) * pad) / cols;
    int shown = rows * cols;
    if ((int)s->n_attendees > shown) shown--; /* the last cell says how many more */
    for (int i = 0; i < (int)s->n_attendees && i < shown; i++) {
        const struct sc_ui_member *m = &s->attendees[i];
        int cx = x + (i / rows) * (col_w + pad), cy = top + (i % rows) * row_h + row_h / 2;
        char minutes[32];
        snprintf(minutes, sizeof(minutes), _("%d min"), (int)(m->seconds / 60));
        int mw = sc_text_draw(f->text, minutes, sc_px(f, SC_PX_SMALL), SC_TEXT_BOLD, SC_COL_TEXT,
                              cx + col_w, cy, 0, 2);
        snprintf(line, sizeof(line), "%s  %s", m->number ? m->number : "", m->name ? m->name : "");
        sc_text_draw(f->text, line, sc_px(f, SC_PX_SMALL), SC_TEXT_REGULAR, SC_COL_TEXT, cx, cy,
                     col_w - mw - pad, 0);
    }
    if ((int)s->n_attendees > shown && shown >= 0) {
        int i = shown;
        snprintf(line, sizeof(line), _("and %d more"), (int)s->n_attendees - shown);
        sc_text_draw(f->text, line, sc_px(f, SC_PX_SMALL), SC_TEXT_REGULAR, SC_COL_DIM,
                     x + (i / rows) * (col_w + pad), top + (i % rows) * row_h + row_h / 2, col_w,
                     0);
    }
}

static void feedback(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_summary *s,
                     SDL_Rect area)
{
    sc_draw_round(f, area, sc_px(f, 24), SC_COL_PANEL);
    int pad = sc_px(f, 30), x = area.x + pad, w = area.w - 2 * pad;
    sc_text_draw(f->text, _("How was the course?"), sc_px(f, SC_PX_BODY), SC_TEXT_BOLD, SC_COL_TEXT,
                 x, area.y + sc_px(f, 50), w, 0);
    /* the rating picker: five boxes 1..5, filled up to the rating */
    int gap = sc_px(f, 14), box = (w - 4 * gap) / 5;
    if (box > sc_px(f, 110)) box = sc_px(f, 110);
    int row_y = area.y + sc_px(f, 100);
    SDL_Rect picker = {x, row_y, 5 * box + 4 * gap, box};
    for (int i = 1; i <= 5; i++) {
        SDL_Rect b = {x + (i - 1) * (box + gap), row_y, box, box};
        bool on = i <= s->rating;
        sc_draw_round(f, b, sc_px(f, 14), on ? SC_COL_ACCENT : SC_COL_PANEL_DIM);
        char digit[4];
        snprintf(digit, sizeof(digit), "%d", i);
        sc_text_draw(f->text, digit, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD,
                     on ? SC_COL_BLACK : SC_COL_DIM, b.x + b.w / 2, b.y + b.h / 2, 0, 1);
    }
    if (s->focus == SC_UI_SUMMARY_RATING) sc_focus_ring(f, picker, sc_px(f, 14));
    const char *rating_words[6] = {_("Not rated"), _("Poor"),      _("Fair"),
                                   _("Good"),      _("Very good"), _("Excellent")};
    int rating = s->rating >= 0 && s->rating <= 5 ? s->rating : 0;
    sc_text_draw(f->text, rating_words[rating], sc_px(f, SC_PX_SMALL), SC_TEXT_REGULAR, SC_COL_DIM,
                 x, row_y + box + sc_px(f, 40), w, 0);
    /* the toggle */
    int toggle_y = row_y + box + sc_px(f, 100);
    SDL_Rect toggle = {x, toggle_y, w, sc_px(f, 90)};
    sc_draw_round(f, toggle, sc_px(f, 14), SC_COL_PANEL_DIM);
    int tick = sc_px(f, 56);
    SDL_Rect check = {x + sc_px(f, 18), toggle_y + (toggle.h - tick) / 2, tick, tick};
    sc_draw_round(f, check, sc_px(f, 8), s->needs_repeat ? SC_COL_ACCENT : SC_COL_BG);
    if (s->needs_repeat)
        sc_text_draw(f->text, "✓", sc_px(f, SC_PX_BODY), SC_TEXT_BOLD, SC_COL_BLACK,
                     check.x + check.w / 2, check.y + check.h / 2, 0, 1);
    sc_text_draw(f->text, _("Needs repeating"), sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_TEXT,
                 check.x + tick + sc_px(f, 24), toggle_y + toggle.h / 2, w - tick - sc_px(f, 60),
                 0);
    if (s->focus == SC_UI_SUMMARY_REPEAT) sc_focus_ring(f, toggle, sc_px(f, 14));
    /* done */
    SDL_Rect done = {x, toggle_y + toggle.h + sc_px(f, 40), w, sc_px(f, 90)};
    if (done.y + done.h > area.y + area.h - pad) done.y = area.y + area.h - pad - done.h;
    sc_draw_round(f, done, sc_px(f, 14), SC_COL_ACCENT);
    sc_text_draw(f->text, _("Save and finish"), sc_px(f, SC_PX_BODY), SC_TEXT_BOLD, SC_COL_BLACK,
                 done.x + done.w / 2, done.y + done.h / 2, done.w - 2 * pad, 1);
    if (s->focus == SC_UI_SUMMARY_DONE) sc_focus_ring(f, done, sc_px(f, 14));
}

void sc_screen_summary(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_summary *s)
{
    sc_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, SC_COL_BG);
    sc_screen_header(ui, f, _("Session finished"));
    char played[32], sub[320];
    sc_fmt_duration(played, sizeof(played), s->played_s);
    snprintf(sub, sizeof(sub), _("Played %s · %s"), played, s->course ? s->course : "");
    sc_screen_subtitle(ui, f, sub, SC_COL_ACCENT);
    double W = sc_safe_w(f), top = SC_HEADER_H + 40, bottom = sc_safe_h(f) - SC_HINT_H - 10;
    double split = f->narrow ? 0.5 : 0.56, gap = 40;
    SDL_Rect left = {sc_x(f, 0), sc_y(f, top), sc_px(f, W * split - gap / 2),
                     sc_px(f, bottom - top)};
    SDL_Rect right = {sc_x(f, W * split + gap / 2), sc_y(f, top),
                      sc_px(f, W * (1 - split) - gap / 2), sc_px(f, bottom - top)};
    attendance_list(ui, f, s, left);
    feedback(ui, f, s, right);
    sc_screen_hint(ui, f, _("Left/right or 1-5: rating · up/down: move · OK: choose"));
}
