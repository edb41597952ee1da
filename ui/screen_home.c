/* HOME (the next course with its countdown, the month against the
 * requirement as a chart, the signal, a status banner) and PRETUNE (tuned
 * ahead of a live course). */
#include "ui/screens.h"

#include <stdio.h>
#include <time.h>

#define CHART_MAX_MINUTES 180 /* bars are scaled to 3 h; longer ones are capped */

/* "乡村教育频道 · 正在播出：水稻种植技术": the SDT/EIT names, either may be
 * missing; "" when both are. */
static void tuned_text(struct sc_ui *ui, const char *service, const char *event, char *buf,
                       size_t size)
{
    char now[320] = "";
    if (event && *event) snprintf(now, sizeof(now), _("Now: %s"), event);
    bool both = service && *service && now[0];
    snprintf(buf, size, "%s%s%s", service ? service : "", both ? " · " : "", now);
}

/* The signal, then what is tuned (names in the normal text colour). */
static void signal_line(struct sc_ui *ui, const struct sc_frame *f, enum sc_ui_signal signal,
                        const char *tuned, int x, int cy, int px, int max_w)
{
    SDL_Color c = sc_signal_color(signal);
    int dot = px * 6 / 10;
    sc_draw_round(f, (SDL_Rect){x, cy - dot / 2, dot, dot}, dot / 2, c);
    x += dot + px / 3;
    int w = sc_text_draw(f->text, sc_signal_text(ui, signal), px, SC_TEXT_BOLD, c, x, cy, 0, 0);
    if (tuned && *tuned && max_w > dot + w + px)
        sc_text_draw(f->text, tuned, px, SC_TEXT_REGULAR, SC_COL_TEXT, x + w + px, cy,
                     max_w - dot - px / 3 - w - px, 0);
}

/* "19:30" today, "11-29 19:30" another day (station local time). */
static void start_text(struct sc_ui *ui, int64_t start_utc, char *buf, size_t size)
{
    int64_t local_now;
    time_t t = (time_t)(start_utc + ui->kiosk->clock.utc_offset_s);
    struct tm tm, now_tm;
    gmtime_r(&t, &tm);
    if (sc_ui_local_now(ui, &local_now, NULL)) {
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

static void next_course_panel(struct sc_ui *ui, const struct sc_frame *f,
                              const struct sc_ui_home *home, SDL_Rect p)
{
    sc_draw_round(f, p, sc_px(f, 24), SC_COL_PANEL);
    int pad = sc_px(f, 36), x = p.x + pad, w = p.w - 2 * pad;
    sc_text_draw(f->text, _("Next course"), sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_DIM, x,
                 p.y + sc_px(f, 60), w, 0);
    if (!home->next_course) {
        sc_text_draw(f->text, _("No course scheduled"), sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD,
                     SC_COL_TEXT, x, p.y + sc_px(f, 150), w, 0);
        return;
    }
    int lines =
        sc_text_draw_wrapped(f->text, home->next_course, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD,
                             SC_COL_TEXT, x, p.y + sc_px(f, 150), sc_px(f, 84), w, 2, 0);
    char when[64];
    start_text(ui, home->next_start_utc, when, sizeof(when));
    sc_text_draw(f->text, when, sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_TEXT, x,
                 p.y + sc_px(f, 150 + 84 * lines), w, 0);
    int64_t utc;
    if (!sc_ui_local_now(ui, NULL, &utc)) return;
    int64_t left = home->next_start_utc - utc;
    sc_text_draw(f->text, left > 0 ? _("Starts in") : _("Starting now"), sc_px(f, SC_PX_BODY),
                 SC_TEXT_REGULAR, SC_COL_DIM, x, p.y + p.h - sc_px(f, 190), w, 0);
    char countdown[48];
    sc_fmt_countdown(ui, countdown, sizeof(countdown), left);
    sc_text_draw(f->text, countdown, sc_px(f, SC_PX_HUGE * 0.8), SC_TEXT_BOLD, SC_COL_COUNTDOWN, x,
                 p.y + p.h - sc_px(f, 90), w, 0);
}

static void month_panel(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_month *m,
                        SDL_Rect p)
{
    sc_draw_round(f, p, sc_px(f, 24), SC_COL_PANEL);
    int pad = sc_px(f, 36), x = p.x + pad, w = p.w - 2 * pad;
    sc_text_draw(f->text, _("This month"), sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_DIM, x,
                 p.y + sc_px(f, 60), w, 0);
    char line[128];
    bool met = m->sessions_required > 0 && m->sessions_counted >= m->sessions_required;
    snprintf(line, sizeof(line), _("Sessions %d / %d"), m->sessions_counted, m->sessions_required);
    sc_text_draw(f->text, line, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD, met ? SC_COL_OK : SC_COL_TEXT,
                 x, p.y + sc_px(f, 150), w, 0);
    /* the chart: one bar per session, the required length as a line */
    SDL_Rect chart = {x, p.y + sc_px(f, 215), w, p.h - sc_px(f, 215) - sc_px(f, 110)};
    sc_draw_fill(f, chart, SC_COL_PANEL_DIM);
    int slots = m->n_sessions > m->sessions_required ? m->n_sessions : m->sessions_required;
    if (slots > SC_UI_MONTH_MAX_SESSIONS) slots = SC_UI_MONTH_MAX_SESSIONS;
    if (slots < 1) slots = 1;
    int gap = sc_px(f, 16), bar_w = (chart.w - gap * (slots + 1)) / slots;
    int need = m->minutes_required_each > 0 ? m->minutes_required_each : 120;
    int labels[SC_UI_MONTH_MAX_SESSIONS] = {0};
    SDL_Rect bars[SC_UI_MONTH_MAX_SESSIONS] = {{0}};
    for (int i = 0; i < slots; i++) {
        SDL_Rect slot = {chart.x + gap + i * (bar_w + gap), chart.y + gap, bar_w,
                         chart.h - 2 * gap};
        if (i >= m->n_sessions || i >= SC_UI_MONTH_MAX_SESSIONS) {
            /* a session still to hold: an empty outline */
            sc_draw_round_outline(f, slot, sc_px(f, 8), sc_px(f, 3), SC_COL_DIM);
            continue;
        }
        int minutes = m->session_minutes[i];
        int capped = minutes < CHART_MAX_MINUTES ? minutes : CHART_MAX_MINUTES;
        int h = slot.h * (capped < 0 ? 0 : capped) / CHART_MAX_MINUTES;
        sc_draw_fill(f, (SDL_Rect){slot.x, slot.y + slot.h - h, slot.w, h},
                     minutes >= need ? SC_COL_OK : SC_COL_WARN);
        labels[i] = minutes;
        bars[i] = (SDL_Rect){slot.x, slot.y + slot.h - h, slot.w, h};
    }
    int line_y =
        chart.y + gap + (chart.h - 2 * gap) * (CHART_MAX_MINUTES - need) / CHART_MAX_MINUTES;
    sc_draw_fill(f, (SDL_Rect){chart.x, line_y - sc_px(f, 2), chart.w, sc_px(f, 4)}, SC_COL_TEXT);
    /* the minutes of each bar, over the line so nothing hides them */
    int label_px = sc_px(f, SC_PX_SMALL * 0.8);
    for (int i = 0; i < m->n_sessions && i < slots; i++) {
        char minutes[16];
        int lw, lh;
        snprintf(minutes, sizeof(minutes), "%d:%02d", labels[i] / 60, labels[i] % 60);
        sc_text_size(f->text, minutes, label_px, SC_TEXT_BOLD, &lw, &lh);
        if (lw > bars[i].w) continue; /* too many sessions for labels */
        bool inside = bars[i].h > lh + sc_px(f, 8);
        int cy = inside ? bars[i].y + bars[i].h - lh / 2 - sc_px(f, 4) : bars[i].y - lh / 2;
        sc_text_draw(f->text, minutes, label_px, SC_TEXT_BOLD, inside ? SC_COL_BLACK : SC_COL_TEXT,
                     bars[i].x + bars[i].w / 2, cy, 0, 1);
    }
    if (need % 60 == 0)
        snprintf(line, sizeof(line), _("each at least %d h"), need / 60);
    else
        snprintf(line, sizeof(line), _("each at least %d h %02d min"), need / 60, need % 60);
    sc_text_draw(f->text, line, sc_px(f, SC_PX_SMALL), SC_TEXT_REGULAR, SC_COL_DIM, x,
                 p.y + p.h - sc_px(f, 60), w, 0);
}

void sc_screen_home(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_home *home)
{
    sc_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, SC_COL_BG);
    sc_screen_header(ui, f, home->station_name ? home->station_name : _("Study station"));
    char tuned[512];
    tuned_text(ui, home->service_name, home->event_title, tuned, sizeof(tuned));
    signal_line(ui, f, home->signal, tuned, f->safe.x, sc_y(f, 112), sc_px(f, SC_PX_SMALL),
                f->safe.w);
    double W = sc_safe_w(f), H = sc_safe_h(f);
    double top = SC_HEADER_H + 30, banner_h = 90;
    double bottom = H - SC_HINT_H - banner_h - 20;
    double split = f->narrow ? 0.5 : 0.55, gap = 36;
    SDL_Rect left = {sc_x(f, 0), sc_y(f, top), sc_px(f, W * split - gap / 2),
                     sc_px(f, bottom - top)};
    SDL_Rect right = {sc_x(f, W * split + gap / 2), sc_y(f, top),
                      sc_px(f, W * (1 - split) - gap / 2), sc_px(f, bottom - top)};
    next_course_panel(ui, f, home, left);
    month_panel(ui, f, &home->month, right);
    if (home->banner && *home->banner) {
        SDL_Rect b = {f->safe.x, sc_y(f, bottom + 15), f->safe.w, sc_px(f, banner_h - 10)};
        sc_draw_round(f, b, sc_px(f, 16), home->banner_error ? SC_COL_ERROR : SC_COL_PANEL);
        sc_text_draw(f->text, home->banner, sc_px(f, SC_PX_BODY), SC_TEXT_BOLD, SC_COL_TEXT,
                     b.x + b.w / 2, b.y + b.h / 2, b.w - sc_px(f, 40), 1);
    }
    sc_screen_hint(ui, f, _("MENU: administrator's menu"));
}

void sc_screen_pretune(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_pretune *p)
{
    sc_draw_fill(f, (SDL_Rect){0, 0, f->w, f->h}, SC_COL_BG);
    sc_screen_header(ui, f, _("Getting ready"));
    int cx = f->safe.x + f->safe.w / 2;
    /* the course on up to two lines, centred as a block */
    if (p->course) {
        int w, h;
        sc_text_size(f->text, p->course, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD, &w, &h);
        if (w <= f->safe.w)
            sc_text_draw(f->text, p->course, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD, SC_COL_TEXT, cx,
                         sc_y(f, 300), 0, 1);
        else
            sc_text_draw_wrapped(f->text, p->course, sc_px(f, SC_PX_TITLE), SC_TEXT_BOLD,
                                 SC_COL_TEXT, cx, sc_y(f, 240), sc_px(f, 84), f->safe.w, 2, 1);
    }
    char tuned[512];
    tuned_text(ui, p->service_name, p->event_title, tuned, sizeof(tuned));
    if (tuned[0])
        sc_text_draw(f->text, tuned, sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR, SC_COL_ACCENT, cx,
                     sc_y(f, 375), f->safe.w, 1);
    int64_t utc;
    char countdown[48] = "--:--";
    if (sc_ui_local_now(ui, NULL, &utc))
        sc_fmt_countdown(ui, countdown, sizeof(countdown), p->start_utc - utc);
    sc_text_draw(f->text, _("The course starts in"), sc_px(f, SC_PX_BODY), SC_TEXT_REGULAR,
                 SC_COL_DIM, cx, sc_y(f, 450), f->safe.w, 1);
    sc_text_draw(f->text, countdown, sc_px(f, SC_PX_HUGE), SC_TEXT_BOLD, SC_COL_COUNTDOWN, cx,
                 sc_y(f, 590), f->safe.w, 1);
    const char *state = p->signal == SC_UI_SIGNAL_GOOD   ? _("Signal found")
                        : p->signal == SC_UI_SIGNAL_NONE ? _("No signal yet: still trying")
                                                         : _("Tuning…");
    int px = sc_px(f, SC_PX_TITLE), w, h;
    sc_text_size(f->text, state, px, SC_TEXT_BOLD, &w, &h);
    int dot = px * 6 / 10, total = dot + px / 3 + w;
    SDL_Color c = sc_signal_color(p->signal);
    int x = cx - total / 2, cy = sc_y(f, 750);
    sc_draw_round(f, (SDL_Rect){x, cy - dot / 2, dot, dot}, dot / 2, c);
    sc_text_draw(f->text, state, px, SC_TEXT_BOLD, c, x + dot + px / 3, cy, f->safe.w - dot, 0);
    sc_screen_hint(ui, f, _("The course starts by itself"));
}
