/* Internal to the ui: text, drawing primitives and the kiosk's screens.
 * Everything here runs on the main thread. */
#ifndef STUDYCAST_UI_SCREENS_H
#define STUDYCAST_UI_SCREENS_H

#include "ui/internal.h"

#include <SDL.h>
#include <pthread.h>

/* msgids: English in the source, translated through the "studycast" domain.
 * _() needs a `ui` in scope (the language is the ui's). */
#define _(msgid)  ui_tr(ui, msgid)
#define N_(msgid) msgid

#define UI_TEXT_DOMAIN "studycast"

/* ---- text.c: fonts (fontconfig + SDL2_ttf) and a texture cache ---- */

struct ui_text;

enum ui_text_style { UI_TEXT_REGULAR = 0, UI_TEXT_BOLD = 1 };

/* Finds the fonts (font_path, or fontconfig's CJK sans-serif) and opens
 * SDL2_ttf. Returns 0 or a negative code (no font covering Chinese: logged
 * with what to install). */
int ui_text_create(SDL_Renderer *renderer, const char *font_path, struct sc_log *log,
                   struct ui_text **out);
void ui_text_destroy(struct ui_text *text); /* accepts NULL */
/* Opens both styles' faces now (at px), so that the first text drawn later
 * costs neither the time nor the memory of opening them. */
void ui_text_open_faces(struct ui_text *text, int px);
/* Width and height in pixels of text at px pixels. */
void ui_text_size(struct ui_text *text, const char *utf8, int px, enum ui_text_style style, int *w,
                  int *h);
/* Draws text with its left edge at x and its vertical centre at cy; wider
 * than max_w (> 0) is ellipsized with "…". align: 0 left, 1 centre (x is the
 * centre), 2 right (x is the right edge). Returns the width drawn. */
int ui_text_draw(struct ui_text *text, const char *utf8, int px, enum ui_text_style style,
                 SDL_Color color, int x, int cy, int max_w, int align);
/* Draws text over at most max_lines lines of line_h pixels (the first
 * centred at first_cy), breaking between characters (CJK) or after spaces
 * (Latin); the last line is ellipsized. align as for ui_text_draw. Returns
 * the lines drawn. */
int ui_text_draw_wrapped(struct ui_text *text, const char *utf8, int px, enum ui_text_style style,
                         SDL_Color color, int x, int first_cy, int line_h, int max_w, int max_lines,
                         int align);
/* False when only a Latin font was found (the screens then show English). */
bool ui_text_has_cjk(const struct ui_text *text);
/* The file and face fontconfig chose (for logs and tests). */
const char *ui_text_font_file(const struct ui_text *text);
/* True if every character of utf8 has a glyph in the font. */
bool ui_text_has_glyphs(struct ui_text *text, const char *utf8);
/* Cache statistics for tests: entries held, renders done, texture bytes. */
void ui_text_cache_stats(const struct ui_text *text, int *entries, long *renders, size_t *bytes);

/* ---- draw.c: layout units and primitives ---- */

/* The frame being drawn: output size, unit and the title-safe area. */
struct ui_frame {
    SDL_Renderer *r;
    struct ui_text *text;
    int w, h;
    double u;      /* pixels per design unit: the output height / 1080 */
    SDL_Rect safe; /* 5% margins for overscan: nothing is drawn outside */
    bool narrow;   /* 4:3 and narrower: fewer columns */
};

static inline int ui_px(const struct ui_frame *f, double design)
{
    return (int)(design * f->u + 0.5);
}

/* Design units from the safe area's top-left corner, in pixels. */
static inline int ui_x(const struct ui_frame *f, double units)
{
    return f->safe.x + ui_px(f, units);
}
static inline int ui_y(const struct ui_frame *f, double units)
{
    return f->safe.y + ui_px(f, units);
}
/* The safe area's width and height in design units. */
static inline double ui_safe_w(const struct ui_frame *f)
{
    return f->safe.w / f->u;
}
static inline double ui_safe_h(const struct ui_frame *f)
{
    return f->safe.h / f->u;
}

void ui_draw_fill(const struct ui_frame *f, SDL_Rect rect, SDL_Color color);
void ui_draw_round(const struct ui_frame *f, SDL_Rect rect, int radius, SDL_Color color);
/* A rounded outline `thick` pixels wide (the focus highlight). */
void ui_draw_round_outline(const struct ui_frame *f, SDL_Rect rect, int radius, int thick,
                           SDL_Color color);

/* The palette: high contrast on a dark blue background. */
extern const SDL_Color UI_COL_BG, UI_COL_PANEL, UI_COL_PANEL_DIM, UI_COL_TEXT, UI_COL_DIM,
    UI_COL_ACCENT, UI_COL_FOCUS, UI_COL_COUNTDOWN, UI_COL_OK, UI_COL_WARN, UI_COL_ERROR,
    UI_COL_SCRIM, UI_COL_BLACK;

/* Text sizes in design units (1080 lines): body >= 4% of the height. */
enum {
    UI_PX_SMALL = 44,
    UI_PX_BODY = 50,
    UI_PX_TITLE = 64,
    UI_PX_BIG = 96,
    UI_PX_HUGE = 150,
};

/* ---- state.c: the copied view, clock, toast, language ---- */

struct ui_kiosk {
    struct ui_text *text; /* opened by text_loader, taken on the first use */
    char *font_path, *locale_dir_opt;
    bool text_failed;
    /* fontconfig and the faces take ~100 ms and ~7 MiB: loaded on a thread
     * of its own from ui_create, so that neither the first picture nor the
     * first outage screen of a course waits or grows memory for them */
    pthread_t text_loader;
    bool text_loading;
    char language[8]; /* "zh_CN" or "en" */
    bool i18n_done;   /* ui_i18n_init ran */
    bool catalog;     /* the zh_CN catalog was found and bound */
    bool has_view;
    struct ui_view view; /* pointers into arena */
    char *arena;
    struct ui_clock clock;
    char toast[256];
    bool toast_error;
    int64_t toast_until_ns;
    int64_t drawn_key; /* the time-dependent content last drawn (see state.c) */
};

int ui_kiosk_init(struct ui *ui, const struct ui_opts *opts);
void ui_kiosk_free(struct ui *ui);
/* Starts opening the fonts on a thread of its own (ui_create, once). */
void ui_kiosk_start_text(struct ui *ui);
/* True if time-dependent content changed since the last draw (marks dirty). */
bool ui_kiosk_due(struct ui *ui);
/* Draws the current screen over the video (called by ui_present). */
void ui_kiosk_draw(struct ui *ui);
/* Opens the fonts once (false if there are none; logged). */
bool ui_text_ensure(const struct ui *ui);
/* Local wall-clock seconds now, or false if the clock is not valid. */
bool ui_local_now(const struct ui *ui, int64_t *local_s, int64_t *utc_s);

/* i18n.c */
/* Binds the catalog once (the first screen, language or translation). */
void ui_i18n_init(const struct ui *ui);

/* ---- screens (screen_*.c), given the frame ---- */
void ui_screen_header(struct ui *ui, const struct ui_frame *f, const char *title);
/* Layout shared by the screens, in design units. */
#define UI_HEADER_H 150 /* title + clock, then a rule */
#define UI_HINT_H   70  /* the hint line at the bottom of the safe area */

/* The second header line (left): a subtitle. */
void ui_screen_subtitle(struct ui *ui, const struct ui_frame *f, const char *text, SDL_Color color);
void ui_screen_hint(struct ui *ui, const struct ui_frame *f, const char *hint);
void ui_screen_roster(struct ui *ui, const struct ui_frame *f, const struct ui_roster *roster,
                      SDL_Rect area);
int ui_screen_roster_columns(const struct ui_frame *f);
void ui_screen_home(struct ui *ui, const struct ui_frame *f, const struct ui_home *home);
void ui_screen_rollcall(struct ui *ui, const struct ui_frame *f,
                        const struct ui_rollcall *rollcall);
void ui_screen_playing(struct ui *ui, const struct ui_frame *f, const struct ui_playing *playing);
void ui_screen_outage(struct ui *ui, const struct ui_frame *f, const struct ui_outage *outage);
void ui_screen_summary(struct ui *ui, const struct ui_frame *f, const struct ui_summary *summary);
void ui_screen_pretune(struct ui *ui, const struct ui_frame *f, const struct ui_pretune *pretune);
/* MENU (screen_admin*.c): dispatches on menu->kind. */
void ui_screen_menu(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* The menu's rows (label, value, the picker's highlighted part) inside area,
 * scrolled so that the focus is visible; row_h in design units. */
void ui_screen_menu_rows(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu,
                         SDL_Rect area, double row_h);
/* The status message line above the hint (nothing if menu->message is NULL). */
void ui_screen_menu_message(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* Where an admin page may draw: below the header, above the message and hint. */
SDL_Rect ui_screen_menu_area(const struct ui_frame *f);
/* PIN kind (screen_admin_pin.c): boxes with dots, the lock-out countdown. */
void ui_screen_menu_pin(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* KEYBOARD kind (screen_admin_keyboard.c): the typed text over a grid of keys
 * (items, u.keyboard.columns per row, focus the key). */
void ui_screen_menu_keyboard(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* REPORT kind (screen_admin_report.c): the month's chart as on HOME, the
 * requirement met or not, and the items as figures beside it. */
void ui_screen_menu_report(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* PICTURE kind (screen_admin_picture.c): a viewing snapshot as large as
 * fits on the left, its figures (the items) on the right. */
void ui_screen_menu_picture(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* CALENDAR kind (screen_admin_calendar.c): the month grid with per-day course
 * counts and conflicts, today, the focused day; the day's items beside it. */
void ui_screen_menu_calendar(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* GUIDE kind (screen_admin_guide.c): services x time from the EIT, the
 * focused event's description below. */
void ui_screen_menu_guide(struct ui *ui, const struct ui_frame *f, const struct ui_menu *menu);
/* The focus highlight around r. */
void ui_focus_ring(const struct ui_frame *f, SDL_Rect r, int radius);
void ui_screen_toast(struct ui *ui, const struct ui_frame *f);

/* Formatting helpers (format.c) */
void ui_fmt_duration(char *buf, size_t size, int64_t seconds); /* 1:05:09 or 05:09 */
/* "3 天 04:05:06"-style countdown with translated words */
void ui_fmt_countdown(struct ui *ui, char *buf, size_t size, int64_t seconds);
const char *ui_signal_text(struct ui *ui, enum ui_signal signal);
SDL_Color ui_signal_color(enum ui_signal signal);

#endif
