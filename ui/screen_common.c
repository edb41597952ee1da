/* What several screens share: the header with the clock, the hint line, the
 * roster grid with its focus, and the toast. Coordinates are design units
 * (1080 lines) from the top-left corner of the title-safe area. */
#include "ui/screens.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CARD_MIN_W 290
#define CARD_H     190
#define GAP        24

static void clock_source_text(struct ui *ui, char *buf, size_t size)
{
    const struct ui_clock *c = &ui->kiosk->clock;
    const char *what = c->source == UI_CLOCK_BROADCAST ? _("broadcast time")
                       : c->source == UI_CLOCK_NTP     ? _("network time")
                                                       : _("system clock");
    snprintf(buf, size, "%s", what);
}

static void draw_clock(struct ui *ui, const struct ui_frame *f)
{
    int64_t local;
    char time_text[32] = "--:--", date_text[96] = "", source[64];
    if (ui_local_now(ui, &local, NULL)) {
        time_t t = (time_t)local;
        struct tm tm;
        gmtime_r(&t, &tm);
        static const char *const weekdays[7] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                                N_("Thu"), N_("Fri"), N_("Sat")};
        snprintf(time_text, sizeof(time_text), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        /* TRANSLATORS: year, month, day, weekday */
        snprintf(date_text, sizeof(date_text), _("%d-%02d-%02d %s"), tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, _(weekdays[tm.tm_wday]));
    }
    clock_source_text(ui, source, sizeof(source));
    int right = f->safe.x + f->safe.w;
    ui_text_draw(f->text, time_text, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, UI_COL_TEXT, right,
                 ui_y(f, 42), 0, 2);
    char line[192];
    snprintf(line, sizeof(line), "%s · %s", date_text, source);
    ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM, right,
                 ui_y(f, 112), 0, 2);
}

void ui_screen_header(struct ui *ui, const struct ui_frame *f, const char *title)
{
    int clock_w = ui_px(f, 620);
    ui_text_draw(f->text, title, ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, UI_COL_TEXT, f->safe.x,
                 ui_y(f, 42), f->safe.w - clock_w, 0);
    draw_clock(ui, f);
    ui_draw_fill(f, (SDL_Rect){f->safe.x, ui_y(f, UI_HEADER_H - 6), f->safe.w, ui_px(f, 3)},
                 UI_COL_PANEL);
}

/* The second header line, left: a subtitle (course, station status). */
static void header_subtitle(const struct ui_frame *f, const char *text, SDL_Color color)
{
    ui_text_draw(f->text, text, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, color, f->safe.x,
                 ui_y(f, 112), f->safe.w - ui_px(f, 760), 0);
}

void ui_screen_subtitle(struct ui *ui, const struct ui_frame *f, const char *text, SDL_Color color)
{
    (void)ui;
    header_subtitle(f, text, color);
}

void ui_screen_hint(struct ui *ui, const struct ui_frame *f, const char *hint)
{
    (void)ui;
    int bottom = f->safe.y + f->safe.h;
    ui_text_draw(f->text, hint, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                 f->safe.x + f->safe.w / 2, bottom - ui_px(f, UI_HINT_H / 2), f->safe.w, 1);
}

int ui_screen_roster_columns(const struct ui_frame *f)
{
    int width = (int)(f->safe.w / f->u);
    int cols = (width + GAP) / (CARD_MIN_W + GAP);
    return cols < 2 ? 2 : cols;
}

static const char *category_text(struct ui *ui, enum ui_category c)
{
    switch (c) {
    case UI_CATEGORY_PARTY_MEMBER:
        return _("Party member");
    case UI_CATEGORY_CADRE:
        return _("Cadre");
    case UI_CATEGORY_VILLAGER:
        return _("Villager");
    default:
        return "";
    }
}

static void draw_card(struct ui *ui, const struct ui_frame *f, SDL_Rect card,
                      const struct ui_member *m, bool focused, int guests)
{
    int radius = ui_px(f, 18), pad = ui_px(f, 18);
    bool present = m && m->present;
    SDL_Color fill = present ? (SDL_Color){28, 110, 64, 255} : UI_COL_PANEL;
    ui_draw_round(f, card, radius, fill);
    int inner_w = card.w - 2 * pad;
    if (m) {
        ui_text_draw(f->text, m->number, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                     card.x + pad, card.y + ui_px(f, 38), inner_w - ui_px(f, 60), 0);
        if (present)
            ui_text_draw(f->text, "✓", ui_px(f, UI_PX_TITLE), UI_TEXT_BOLD, UI_COL_TEXT,
                         card.x + card.w - pad, card.y + ui_px(f, 44), 0, 2);
        ui_text_draw(f->text, m->name, ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT,
                     card.x + pad, card.y + ui_px(f, 100), inner_w, 0);
        ui_text_draw(f->text, present ? _("Checked in") : category_text(ui, m->category),
                     ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, present ? UI_COL_TEXT : UI_COL_DIM,
                     card.x + pad, card.y + ui_px(f, 156), inner_w, 0);
    } else {
        ui_text_draw(f->text, _("+ Guest"), ui_px(f, UI_PX_BODY), UI_TEXT_BOLD, UI_COL_TEXT,
                     card.x + pad, card.y + ui_px(f, 70), inner_w, 0);
        char line[64];
        snprintf(line, sizeof(line), _("Guests: %d"), guests);
        ui_text_draw(f->text, line, ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_DIM,
                     card.x + pad, card.y + ui_px(f, 145), inner_w, 0);
    }
    if (focused) {
        /* thick amber ring outside the card: unmistakable from across a room */
        int t = ui_px(f, 8);
        SDL_Rect ring = {card.x - t, card.y - t, card.w + 2 * t, card.h + 2 * t};
        ui_draw_round_outline(f, ring, radius + t, t + ui_px(f, 2), UI_COL_FOCUS);
    }
}

void ui_screen_roster(struct ui *ui, const struct ui_frame *f, const struct ui_roster *r,
                      SDL_Rect area)
{
    int cols = ui_screen_roster_columns(f);
    int gap = ui_px(f, GAP), card_h = ui_px(f, CARD_H);
    /* room for the focus ring around the outer cards */
    int ring = ui_px(f, 10);
    area.x += ring;
    area.w -= 2 * ring;
    area.y += ring;
    area.h -= 2 * ring;
    int card_w = (area.w - gap * (cols - 1)) / cols;
    int items = (int)r->n_members + 1; /* the guest card last */
    int rows = (items + cols - 1) / cols;
    int visible = (area.h + gap) / (card_h + gap);
    if (visible < 1) visible = 1;
    int focus_row = r->focus >= 0 && r->focus < items ? r->focus / cols : 0;
    int first = focus_row < visible ? 0 : focus_row - visible + 1;
    for (int row = first; row < rows && row < first + visible; row++) {
        for (int col = 0; col < cols; col++) {
            int i = row * cols + col;
            if (i >= items) break;
            SDL_Rect card = {area.x + col * (card_w + gap), area.y + (row - first) * (card_h + gap),
                             card_w, card_h};
            draw_card(ui, f, card, i < (int)r->n_members ? &r->members[i] : NULL, i == r->focus,
                      r->guests);
        }
    }
    /* more rows above or below: arrows in the gap to the right of the grid */
    int ax = area.x + area.w + ring / 2;
    if (first > 0)
        ui_text_draw(f->text, "▲", ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_TEXT, ax,
                     area.y + ui_px(f, 20), 0, 2);
    if (first + visible < rows)
        ui_text_draw(f->text, "▼", ui_px(f, UI_PX_SMALL), UI_TEXT_REGULAR, UI_COL_TEXT, ax,
                     area.y + area.h - ui_px(f, 20), 0, 2);
}

void ui_screen_toast(struct ui *ui, const struct ui_frame *f)
{
    struct ui_kiosk *k = ui->kiosk;
    int px = ui_px(f, UI_PX_BODY), w, h;
    ui_text_size(f->text, k->toast, px, UI_TEXT_BOLD, &w, &h);
    int pad = ui_px(f, 40);
    int rim = ui_px(f, 6), room = f->safe.w - 2 * rim;
    int box_w = w + 2 * pad < room ? w + 2 * pad : room;
    int box_h = ui_px(f, 110);
    SDL_Rect box = {f->safe.x + (f->safe.w - box_w) / 2,
                    f->safe.y + f->safe.h - ui_px(f, UI_HINT_H) - box_h - ui_px(f, 20), box_w,
                    box_h};
    /* a dark rim separates it from whatever it covers */
    ui_draw_round(f, (SDL_Rect){box.x - rim, box.y - rim, box.w + 2 * rim, box.h + 2 * rim},
                  ui_px(f, 24) + rim, UI_COL_BG);
    ui_draw_round(f, box, ui_px(f, 24), k->toast_error ? UI_COL_ERROR : UI_COL_ACCENT);
    ui_text_draw(f->text, k->toast, px, UI_TEXT_BOLD, k->toast_error ? UI_COL_TEXT : UI_COL_BLACK,
                 box.x + box.w / 2, box.y + box.h / 2, box.w - 2 * pad, 1);
}
