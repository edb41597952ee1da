/* HOME (the next course with its countdown, the month against the
 * requirement as a chart, the signal, a status banner) and PRETUNE (tuned
 * ahead of a live course). */
#include "ui/screens.h"

#include <stdio.h>
#include <time.h>

#define CHART_MAX_MINUTES 180 /* bars are scaled to 3 h; longer ones are capped */

/* "乡村教育频道 · 正在播出：水稻种植技术": the SDT/EIT names, either may be
 * missing; "" when both are. */
static void tuned_text(struct ui *ui, const char *service, const char *event, char *buf,
                       size_t size)
{
    char now[320] = "";
    if (event && *event) snprintf(now, sizeof(now), _("Now: %s"), event);
    bool both = service && *service && now[0];
    snprintf(buf, size, "%s%s%s", service ? service : "", both ? " · " : "", now);
}

/* The signal, then what is tuned (names in the normal text colour). */
static void signal_line(struct ui *ui, const struct ui_frame *f, enum ui_signal signal,
                        const char *tuned, int x, int cy, int px, int max_w)
{
    SDL_Color c = ui_signal_color(signal);
    int dot = px * 6 / 10;
    ui_draw_round(f, (SDL_Rect){x, cy - dot / 2, dot, dot}, dot / 2, c);
    x += dot + px / 3;
    int w = ui_text_draw(f->text, ui_signal_text(ui, signal), px, UI_TEXT_BOLD, c, x, cy, 0, 0);
    if (tuned && *tuned && max_w > dot + w + px)
        ui_text_draw(f->text, tuned, px, UI_TEXT_REGULAR, UI_COL_TEXT, x + w + px, cy,
                     max_w - dot - px / 3 - w - px, 0);
}

/* "19:30" today, "11-29 19:30" another day (station local time). */
static void start_text(struct ui *ui, int64_t start_utc, char *buf, size_t size)
{
    int64_t local_now;
    time_t t = (time_t)(start_utc + ui->kiosk->clock.utc_offset_s);
    struct tm tm, now_tm;
    gmtime_r(&t, &tm);
    if (ui_local_now(ui, &local_now, NULL)) {
        time_t n = (time_t)local_now;
        gmtime_r(&n, &now_tm);
        if (now_tm.tm_yday == tm.tm_yday && now_tm.tm_year == tm.tm_year) {
            /* TRANSLATORS: a start time today */
            snprintf(buf, size, _("Today %02d:%02d"), tm.tm_hour, tm.tm_min);
            return;
        }
    }
    /* TRANSLATORS: month, day, hour, minute */
    snprintf(buf, size, _("%02d-%02d %02d:%02d"), tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void next_course_panel(struct ui *ui, const struct ui_frame *f, const struct ui_home *home,
                              SDL_Rect p)
{
    ui_draw_round(f, p, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 36), x = p.x + pad, w = p.w - 2 * pad;
    ui_text_draw(f->text, _("Next course"), ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_DIM, x,
                 p.y + ui_px(f, 60), w, 0);
    if (!home->next_course) {
        ui_text_draw(f->text, _("No course scheduled"), ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                     UI_COL_TEXT, x, p.y + ui_px(f, 150), w, 0);
        return;
    }
    int lines =
        ui_text_draw_wrapped(f->text, home->next_course, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                             UI_COL_TEXT, x, p.y + ui_px(f, 150), ui_px(f, 84), w, 2, 0);
    char when[64];
    start_text(ui, home->next_start_utc, when, sizeof(when));
    ui_text_draw(f->text, when, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_TEXT, x,
                 p.y + ui_px(f, 150 + 84 * lines), w, 0);
    int64_t utc;
    if (!ui_local_now(ui, NULL, &utc)) return;
    int64_t left = home->next_start_utc - utc;
    ui_text_draw(f->text, left > 0 ? _("Starts in") : _("Starting now"), ui_px(f, UI_PX_BODY),
                 UI_TEXT_REGULAR, UI_COL_DIM, x, p.y + p.h - ui_px(f, 190), w, 0);
    char countdown[48];
    ui_fmt_countdown(ui, countdown, sizeof(countdown), left);
    ui_text_draw(f->text, countdown, ui_px(f, UI_PX_HUGE * 0.8), UI_TEXT_BOLD, UI_COL_COUNTDOWN, x,
                 p.y + p.h - ui_px(f, 90), w, 0);
}

static void month_panel(struct ui *ui, const struct ui_frame *f, const struct ui_month *m,
                        SDL_Rect p)
{
    ui_draw_round(f, p, ui_px(f, 24), UI_COL_PANEL);
    int pad = ui_px(f, 36), x = p.x + pad, w = p.w - 2 * pad;
    ui_text_draw(f->text, _("This month"), ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_DIM, x,
                 p.y + ui_px(f, 60), w, 0);
    char line[128];
    bool met = m->sessions_required > 0 && m->sessions_counted >= m->sessions_required;
    snprintf(line, sizeof(line), _("Sessions %d / %d"), m->sessions_counted, m->sessions_required);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, met ? UI_COL_OK : UI_COL_TEXT,
                 x, p.y + ui_px(f, 150), w, 0);
    /* the chart: one bar per session, the required length as a line */
    SDL_Rect chart = {x, p.y + ui_px(f, 215), w, p.h - ui_px(f, 215) - ui_px(f, 110)};
    ui_draw_fill(f, chart, UI_COL_PANEL_DIM);
    int slots = m->n_sessions > m->sessions_required ? m->n_sessions : m->sessions_required;
    if (slots > UI_MONTH_MAX_SESSIONS) slots = UI_MONTH_MAX_SESSIONS;
    if (slots < 1) slots = 1;
    int gap = ui_px(f, 16), bar_w = (chart.w - gap * (slots + 1)) / slots;
    int need = m->minutes_required_each > 0 ? m->minutes_required_each : 120;
    int labels[UI_MONTH_MAX_SESSIONS] = {0};
    SDL_Rect bars[UI_MONTH_MAX_SESSIONS] = {{0}};
    for (int i = 0; i < slots; i++) {
        SDL_Rect slot = {chart.x + gap + i * (bar_w + gap), chart.y + gap, bar_w,
                         chart.h - 2 * gap};
        if (i >= m->n_sessions || i >= UI_MONTH_MAX_SESSIONS) {
            /* a session still to hold: an empty outline */
            ui_draw_round_outline(f, slot, ui_px(f, 8), ui_px(f, 3), UI_COL_DIM);
            continue;
        }
        int minutes = m->session_minutes[i];
        int capped = minutes < CHART_MAX_MINUTES ? minutes : CHART_MAX_MINUTES;
        int h = slot.h * (capped < 0 ? 0 : capped) / CHART_MAX_MINUTES;
        ui_draw_fill(f, (SDL_Rect){slot.x, slot.y + slot.h - h, slot.w, h},
                     minutes >= need ? UI_COL_OK : UI_COL_WARN);
        labels[i] = minutes;
        bars[i] = (SDL_Rect){slot.x, slot.y + slot.h - h, slot.w, h};
    }
    int line_y =
        chart.y + gap + (chart.h - 2 * gap) * (CHART_MAX_MINUTES - need) / CHART_MAX_MINUTES;
    ui_draw_fill(f, (SDL_Rect){chart.x, line_y - ui_px(f, 2), chart.w, ui_px(f, 4)}, UI_COL_TEXT);
    /* the minutes of each bar, over the line so nothing hides them */
    int label_px = ui_px(f, UI_PX_SMALL * 0.8);
    for (int i = 0; i < m->n_sessions && i < slots; i++) {
        char minutes[16];
        int lw, lh;
        snprintf(minutes, sizeof(minutes), "%d:%02d", labels[i] / 60, labels[i] % 60);
        ui_text_size(f->text, minutes, label_px, UI_TEXT_BOLD, &lw, &lh);
        if (lw > bars[i].w) continue; /* too many sessions for labels */
        bool inside = bars[i].h > lh + ui_px(f, 8);
        int cy = inside ? bars[i].y + bars[i].h - lh / 2 - ui_px(f, 4) : bars[i].y - lh / 2;
        ui_text_draw(f->text, minutes, label_px, UI_TEXT_BOLD, inside ? UI_COL_BLACK : UI_COL_TEXT,
                     bars[i].x + bars[i].w / 2, cy, 0, 1);
    }
    if (need % 60 == 0)
        snprintf(line, sizeof(line), _("each at least %d h"), need / 60);
    else
        snprintf(line, sizeof(line), _("each at least %d h %02d min"), need / 60, need % 60);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM, x,
                 p.y + p.h - ui_px(f, 60), w, 0);
}

void ui_screen_home(struct ui *ui, const struct ui_frame *f, const struct ui_home *home)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_BG);
    ui_screen_header(ui, f, home->station_name ? home->station_name : _("Study station"));
    char tuned[512];
    tuned_text(ui, home->service_name, home->event_title, tuned, sizeof(tuned));
    signal_line(ui, f, home->signal, tuned, f->safe.x, ui_y(f, 112), ui_px(f, UI_PX_SMALL),
                f->safe.w);
    double W = ui_safe_w(f), H = ui_safe_h(f);
    double top = UI_HEADER_H + 30, banner_h = 90;
    double bottom = H - UI_HINT_H - banner_h - 20;
    double split = f->narrow ? 0.5 : 0.55, gap = 36;
    SDL_Rect left = {ui_x(f, 0), ui_y(f, top), ui_px(f, W * split - gap / 2),
                     ui_px(f, bottom - top)};
    SDL_Rect right = {ui_x(f, W * split + gap / 2), ui_y(f, top),
                      ui_px(f, W * (1 - split) - gap / 2), ui_px(f, bottom - top)};
    next_course_panel(ui, f, home, left);
    month_panel(ui, f, &home->month, right);
    if (home->banner && *home->banner) {
        SDL_Rect b = {f->safe.x, ui_y(f, bottom + 15), f->safe.w, ui_px(f, banner_h - 10)};
        ui_draw_round(f, b, ui_px(f, 16), home->banner_error ? UI_COL_ERROR : UI_COL_PANEL);
        ui_text_draw(f->text, home->banner, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT,
                     b.x + b.w / 2, b.y + b.h / 2, b.w - ui_px(f, 40), 1);
    }
    ui_screen_hint(ui, f, _("MENU: administrator's menu"));
}

void ui_screen_pretune(struct ui *ui, const struct ui_frame *f, const struct ui_pretune *p)
{
    ui_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, UI_COL_BG);
    ui_screen_header(ui, f, _("Getting ready"));
    int cx = f->safe.x + f->safe.w / 2;
    /* the course on up to two lines, centred as a block */
    if (p->course) {
        int w, h;
        ui_text_size(f->text, p->course, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, &w, &h);
        if (w <= f->safe.w)
            ui_text_draw(f->text, p->course, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, UI_COL_TEXT, cx,
                         ui_y(f, 300), 0, 1);
        else
            ui_text_draw_wrapped(f->text, p->course, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD,
                                 UI_COL_TEXT, cx, ui_y(f, 240), ui_px(f, 84), f->safe.w, 2, 1);
    }
    char tuned[512];
    tuned_text(ui, p->service_name, p->event_title, tuned, sizeof(tuned));
    if (tuned[0])
        ui_text_draw(f->text, tuned, ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR, UI_COL_ACCENT, cx,
                     ui_y(f, 375), f->safe.w, 1);
    int64_t utc;
    char countdown[48] = "--:--";
    if (ui_local_now(ui, NULL, &utc))
        ui_fmt_countdown(ui, countdown, sizeof(countdown), p->start_utc - utc);
    ui_text_draw(f->text, _("The course starts in"), ui_px(f, UI_PX_BODY), UI_TEXT_REGULAR,
                 UI_COL_DIM, cx, ui_y(f, 450), f->safe.w, 1);
    ui_text_draw(f->text, countdown, ui_px(f, UI_PX_HUGE), UI_TEXT_BOLD, UI_COL_COUNTDOWN, cx,
                 ui_y(f, 590), f->safe.w, 1);
    const char *state = p->signal == UI_SIGNAL_GOOD   ? _("Signal found")
                        : p->signal == UI_SIGNAL_NONE ? _("No signal yet: still trying")
                                                      : _("Tuning…");
    int px = ui_px(f, UI_PX_TITLE), w, h;
    ui_text_size(f->text, state, px, UI_TEXT_BOLD, &w, &h);
    int dot = px * 6 / 10, total = dot + px / 3 + w;
    SDL_Color c = ui_signal_color(p->signal);
    int x = cx - total / 2, cy = ui_y(f, 750);
    ui_draw_round(f, (SDL_Rect){x, cy - dot / 2, dot, dot}, dot / 2, c);
    ui_text_draw(f->text, state, px, UI_TEXT_BOLD, c, x + dot + px / 3, cy, f->safe.w - dot, 0);
    ui_screen_hint(ui, f, _("The course starts by itself"));
}
