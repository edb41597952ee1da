/* A session's screens: ROLLCALL (the roster grid), PLAYING (the video with
 * the info overlay and the late check-in overlay) and OUTAGE. */
#include "ui/screens.h"

#include <stdio.h>
#include <string.h>

/* "Checked in 12 / 30 · Guests 2", and the digits typed so far, right. */
static void roster_status(struct ui *ui, const struct ui_frame *f, const struct ui_roster *r,
                          int cy)
{
    char line[160];
    snprintf(line, sizeof(line), _("Checked in %d / %d · Guests %d"), r->present_count,
             (int)r->n_members, r->guests);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT, f->safe.x, cy,
                 f->safe.w - ui_px(f, 520), 0);
    if (r->digits && *r->digits) {
        char typed[96];
        snprintf(typed, sizeof(typed), _("Number: %s"), r->digits);
        int px = ui_px(f, UI_PX_BODY), w, h;
        ui_text_size(f->text, typed, px, UI_TEXT_BOLD, &w, &h);
        int pad = ui_px(f, 20), right = f->safe.x + f->safe.w;
        SDL_Rect box = {right - w - 2 * pad, cy - ui_px(f, 38), w + 2 * pad, ui_px(f, 76)};
        ui_draw_round(f, box, ui_px(f, 12), UI_COL_ACCENT);
        ui_text_draw(f->text, typed, px, UI_TEXT_BOLD, UI_COL_BLACK, right - pad, cy, 0, 2);
    }
}

static const char *roster_hint(struct ui *ui)
{
    return _("Arrows and OK: check in or out · digits: member number · or swipe a card");
}

void ui_screen_rollcall(struct ui *ui, const struct ui_frame *f, const struct ui_rollcall *rc)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_BG);
    ui_screen_header(ui, f, _("Roll call"));
    char sub[320];
    int64_t utc;
    if (rc->start_utc > 0 && ui_local_now(ui, NULL, &utc) && rc->start_utc > utc) {
        char countdown[48];
        ui_fmt_countdown(ui, countdown, sizeof(countdown), rc->start_utc - utc);
        /* the countdown first: a long course title is cut at the end */
        snprintf(sub, sizeof(sub), _("Starts in %s · %s"), countdown, rc->course ? rc->course : "");
    } else {
        snprintf(sub, sizeof(sub), "%s", rc->course ? rc->course : "");
    }
    ui_screen_subtitle(ui, f, sub, UI_COL_ACCENT);
    roster_status(ui, f, &rc->roster, ui_y(f, UI_HEADER_H + 55));
    double top = UI_HEADER_H + 105, bottom = ui_safe_h(f) - UI_HINT_H;
    SDL_Rect area = {f->safe.x, ui_y(f, top), f->safe.w, ui_px(f, bottom - top)};
    ui_screen_roster(ui, f, &rc->roster, area);
    ui_screen_hint(ui, f, roster_hint(ui));
}

static void info_overlay(struct ui *ui, const struct ui_frame *f, const struct ui_playing *p)
{
    int64_t now = sc_mono_ns(), utc = 0;
    int64_t played = p->played_s;
    if (p->advancing && now > p->played_mono_ns) played += (now - p->played_mono_ns) / 1000000000;
    bool clock = ui_local_now(ui, NULL, &utc);
    int64_t remaining = clock && p->end_utc > 0 ? p->end_utc - utc : -1;
    double h = 320;
    SDL_Rect panel = {f->safe.x, ui_y(f, ui_safe_h(f) - h), f->safe.w, ui_px(f, h)};
    ui_draw_round(f, panel, ui_px(f, 24), UI_COL_SCRIM);
    int pad = ui_px(f, 36), x = panel.x + pad, w = panel.w - 2 * pad;
    /* clock top-right, the course left of it */
    char clock_text[16] = "--:--";
    int64_t local;
    if (ui_local_now(ui, &local, NULL))
        snprintf(clock_text, sizeof(clock_text), "%02d:%02d:%02d",
                 (int)(local / 3600 % 24 + 24) % 24, (int)(local / 60 % 60 + 60) % 60,
                 (int)(local % 60 + 60) % 60);
    int clock_w = ui_text_draw(f->text, clock_text, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                               UI_COL_TEXT, x + w, panel.y + ui_px(f, 60), 0, 2);
    ui_text_draw(f->text, p->course ? p->course : "", ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                 UI_COL_TEXT, x, panel.y + ui_px(f, 60), w - clock_w - pad, 0);
    /* progress: elapsed of elapsed + remaining */
    SDL_Rect bar = {x, panel.y + ui_px(f, 120), w, ui_px(f, 16)};
    ui_draw_fill(f, bar, UI_COL_PANEL);
    if (remaining >= 0 && played + remaining > 0) {
        bar.w = (int)((double)w * played / (double)(played + remaining));
        ui_draw_fill(f, bar, UI_COL_ACCENT);
    }
    char elapsed_text[32], remaining_text[32], line[192];
    ui_fmt_duration(elapsed_text, sizeof(elapsed_text), played);
    if (remaining >= 0)
        ui_fmt_duration(remaining_text, sizeof(remaining_text), remaining);
    else
        snprintf(remaining_text, sizeof(remaining_text), "--:--");
    snprintf(line, sizeof(line), _("Played %s · remaining %s"), elapsed_text, remaining_text);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_TEXT, x,
                 panel.y + ui_px(f, 192), w, 0);
    snprintf(line, sizeof(line), _("Attendance %d"), p->attendance);
    int aw = ui_text_draw(f->text, line, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_TEXT, x,
                          panel.y + ui_px(f, 266), w / 2, 0);
    int sx = x + aw + ui_px(f, 60);
    int sw = ui_text_draw(f->text, ui_signal_text(ui, p->signal), ui_px(f, UI_PX_BODY),
                          UI_TEXT_BOLD, ui_signal_color(p->signal), sx, panel.y + ui_px(f, 266),
                          w - aw - ui_px(f, 60), 0);
    /* what airs: the SDT's service name and the EIT's event, when the stream has them */
    char tuned[512] = "", event[320] = "";
    if (p->event_title && *p->event_title)
        snprintf(event, sizeof(event), _("Now: %s"), p->event_title);
    bool service = p->service_name && *p->service_name;
    if (service || event[0])
        snprintf(tuned, sizeof(tuned), "%s%s%s", service ? p->service_name : "",
                 service && event[0] ? " · " : "", event);
    int rest = w - aw - ui_px(f, 60) - sw - ui_px(f, 40);
    if (tuned[0] && rest > ui_px(f, 80))
        ui_text_draw(f->text, tuned, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_TEXT,
                     sx + sw + ui_px(f, 40), panel.y + ui_px(f, 266), rest, 0);
}

void ui_screen_playing(struct ui *ui, const struct ui_frame *f, const struct ui_playing *p)
{
    if (p->show_roster) {
        /* over the video, dimmed: the course keeps playing behind the grid */
        ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_SCRIM);
        ui_screen_header(ui, f, _("Check in / check out"));
        ui_screen_subtitle(ui, f, p->course ? p->course : "", UI_COL_ACCENT);
        roster_status(ui, f, &p->roster, ui_y(f, UI_HEADER_H + 55));
        double top = UI_HEADER_H + 105, bottom = ui_safe_h(f) - UI_HINT_H;
        SDL_Rect area = {f->safe.x, ui_y(f, top), f->safe.w, ui_px(f, bottom - top)};
        ui_screen_roster(ui, f, &p->roster, area);
        ui_screen_hint(ui, f, _("OK: check in or out · BACK: close"));
        return;
    }
    if (p->show_info) info_overlay(ui, f, p);
}

void ui_screen_outage(struct ui *ui, const struct ui_frame *f, const struct ui_outage *o)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_SCRIM);
    int cx = f->safe.x + f->safe.w / 2, cy = f->safe.y + f->safe.h / 2;
    SDL_Rect panel = {f->safe.x + ui_px(f, 60), cy - ui_px(f, 210), f->safe.w - ui_px(f, 120),
                      ui_px(f, 420)};
    ui_draw_round(f, panel, ui_px(f, 28), UI_COL_PANEL);
    ui_text_draw(f->text, _("No signal, resuming by itself…"), ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                 UI_COL_WARN, cx, cy - ui_px(f, 110), panel.w - ui_px(f, 60), 1);
    char duration[32], line[128];
    int64_t now = sc_mono_ns();
    ui_fmt_duration(duration, sizeof(duration),
                    now > o->since_mono_ns ? (now - o->since_mono_ns) / 1000000000 : 0);
    snprintf(line, sizeof(line), _("Without signal for %s"), duration);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT, cx,
                 cy + ui_px(f, 5), panel.w - ui_px(f, 60), 1);
    ui_text_draw(f->text, o->course ? o->course : "", ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR,
                 UI_COL_DIM, cx, cy + ui_px(f, 110), panel.w - ui_px(f, 60), 1);
    ui_screen_hint(ui, f, _("This time is not counted as study time"));
}
