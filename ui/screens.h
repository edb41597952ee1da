/* Internal to the ui: text, drawing primitives and the kiosk's screens.
 * Everything here runs on the main thread. */
#ifndef STUDYCAST_UI_SCREENS_H
#define STUDYCAST_UI_SCREENS_H

#include "ui/internal.h"

#include <SDL.h>

/* msgids: English in the source, translated through the "studycast" domain.
 * _() needs a `ui` in scope (the language is the ui's). */
#define _(msgid)  sc_ui_tr(ui, msgid)
#define N_(msgid) msgid

#define SC_UI_TEXT_DOMAIN "studycast"

/* ---- text.c: fonts (fontconfig + SDL2_ttf) and a texture cache ---- */

struct sc_text;

enum sc_text_style { SC_TEXT_REGULAR = 0, SC_TEXT_BOLD = 1 };

/* Finds the fonts (font_path, or fontconfig's CJK sans-serif) and opens
 * SDL2_ttf. Returns 0 or a negative code (no font covering Chinese: logged
 * with what to install). */
int sc_text_create(SDL_Renderer *renderer, const char *font_path, struct sc_log *log,
                   struct sc_text **out);
void sc_text_destroy(struct sc_text *text); /* accepts NULL */
/* Width and height in pixels of text at px pixels. */
void sc_text_size(struct sc_text *text, const char *utf8, int px, enum sc_text_style style, int *w,
                  int *h);
/* Draws text with its left edge at x and its vertical centre at cy; wider
 * than max_w (> 0) is ellipsized with "…". align: 0 left, 1 centre (x is the
 * centre), 2 right (x is the right edge). Returns the width drawn. */
int sc_text_draw(struct sc_text *text, const char *utf8, int px, enum sc_text_style style,
                 SDL_Color color, int x, int cy, int max_w, int align);
/* Draws text over at most max_lines lines of line_h pixels (the first
 * centred at first_cy), breaking between characters (CJK) or after spaces
 * (Latin); the last line is ellipsized. align as for sc_text_draw. Returns
 * the lines drawn. */
int sc_text_draw_wrapped(struct sc_text *text, const char *utf8, int px, enum sc_text_style style,
                         SDL_Color color, int x, int first_cy, int line_h, int max_w, int max_lines,
                         int align);
/* False when only a Latin font was found (the screens then show English). */
bool sc_text_has_cjk(const struct sc_text *text);
/* The file and face fontconfig chose (for logs and tests). */
const char *sc_text_font_file(const struct sc_text *text);
/* True if every character of utf8 has a glyph in the font. */
bool sc_text_has_glyphs(struct sc_text *text, const char *utf8);
/* Cache statistics for tests: entries held, renders done, texture bytes. */
void sc_text_cache_stats(const struct sc_text *text, int *entries, long *renders, size_t *bytes);

/* ---- draw.c: layout units and primitives ---- */

/* The frame being drawn: output size, unit and the title-safe area. */
struct sc_frame {
    SDL_Renderer *r;
    struct sc_text *text;
    int w, h;
    double u;      /* pixels per design unit: the output height / 1080 */
    SDL_Rect safe; /* 5% margins for overscan: nothing is drawn outside */
    bool narrow;   /* 4:3 and narrower: fewer columns */
};

static inline int sc_px(const struct sc_frame *f, double design)
{
    return (int)(design * f->u + 0.5);
}

/* Design units from the safe area's top-left corner, in pixels. */
static inline int sc_x(const struct sc_frame *f, double units)
{
    return f->safe.x + sc_px(f, units);
}
static inline int sc_y(const struct sc_frame *f, double units)
{
    return f->safe.y + sc_px(f, units);
}
/* The safe area's width and height in design units. */
static inline double sc_safe_w(const struct sc_frame *f)
{
    return f->safe.w / f->u;
}
static inline double sc_safe_h(const struct sc_frame *f)
{
    return f->safe.h / f->u;
}

void sc_draw_fill(const struct sc_frame *f, SDL_Rect rect, SDL_Color color);
void sc_draw_round(const struct sc_frame *f, SDL_Rect rect, int radius, SDL_Color color);
/* A rounded outline `thick` pixels wide (the focus highlight). */
void sc_draw_round_outline(const struct sc_frame *f, SDL_Rect rect, int radius, int thick,
                           SDL_Color color);

/* The palette: high contrast on a dark blue background. */
extern const SDL_Color SC_COL_BG, SC_COL_PANEL, SC_COL_PANEL_DIM, SC_COL_TEXT, SC_COL_DIM,
    SC_COL_ACCENT, SC_COL_FOCUS, SC_COL_COUNTDOWN, SC_COL_OK, SC_COL_WARN, SC_COL_ERROR,
    SC_COL_SCRIM, SC_COL_BLACK;

/* Text sizes in design units (1080 lines): body >= 4% of the height. */
enum {
    SC_PX_SMALL = 44,
    SC_PX_BODY = 50,
    SC_PX_TITLE = 64,
    SC_PX_BIG = 96,
    SC_PX_HUGE = 150,
};

/* ---- state.c: the copied view, clock, toast, language ---- */

struct sc_ui_kiosk {
    struct sc_text *text; /* opened on the first sc_ui_show() */
    char *font_path, *locale_dir_opt;
    bool text_failed;
    char language[8]; /* "zh_CN" or "en" */
    bool i18n_done;   /* sc_ui_i18n_init ran */
    bool catalog;     /* the zh_CN catalog was found and bound */
    bool has_view;
    struct sc_ui_view view; /* pointers into arena */
    char *arena;
    struct sc_ui_clock clock;
    char toast[256];
    bool toast_error;
    int64_t toast_until_ns;
    int64_t drawn_key; /* the time-dependent content last drawn (see state.c) */
};

int sc_ui_kiosk_init(struct sc_ui *ui, const struct sc_ui_opts *opts);
void sc_ui_kiosk_free(struct sc_ui *ui);
/* True if time-dependent content changed since the last draw (marks dirty). */
bool sc_ui_kiosk_due(struct sc_ui *ui);
/* Draws the current screen over the video (called by sc_ui_present). */
void sc_ui_kiosk_draw(struct sc_ui *ui);
/* Opens the fonts once (false if there are none; logged). */
bool sc_ui_text_ensure(const struct sc_ui *ui);
/* Local wall-clock seconds now, or false if the clock is not valid. */
bool sc_ui_local_now(const struct sc_ui *ui, int64_t *local_s, int64_t *utc_s);

/* i18n.c */
/* Binds the catalog once (the first screen, language or translation). */
void sc_ui_i18n_init(const struct sc_ui *ui);

/* ---- screens (screen_*.c), given the frame ---- */
void sc_screen_header(struct sc_ui *ui, const struct sc_frame *f, const char *title);
/* Layout shared by the screens, in design units. */
#define SC_HEADER_H 150 /* title + clock, then a rule */
#define SC_HINT_H   70  /* the hint line at the bottom of the safe area */

/* The second header line (left): a subtitle. */
void sc_screen_subtitle(struct sc_ui *ui, const struct sc_frame *f, const char *text,
                        SDL_Color color);
void sc_screen_hint(struct sc_ui *ui, const struct sc_frame *f, const char *hint);
void sc_screen_roster(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_roster *roster,
                      SDL_Rect area);
int sc_screen_roster_columns(const struct sc_frame *f);
void sc_screen_home(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_home *home);
void sc_screen_rollcall(struct sc_ui *ui, const struct sc_frame *f,
                        const struct sc_ui_rollcall *rollcall);
void sc_screen_playing(struct sc_ui *ui, const struct sc_frame *f,
                       const struct sc_ui_playing *playing);
void sc_screen_outage(struct sc_ui *ui, const struct sc_frame *f,
                      const struct sc_ui_outage *outage);
void sc_screen_summary(struct sc_ui *ui, const struct sc_frame *f,
                       const struct sc_ui_summary *summary);
void sc_screen_pretune(struct sc_ui *ui, const struct sc_frame *f,
                       const struct sc_ui_pretune *pretune);
/* MENU (screen_admin*.c): dispatches on menu->kind. */
void sc_screen_menu(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *menu);
/* The menu's rows (label, value, the picker's highlighted part) inside area,
 * scrolled so that the focus is visible; row_h in design units. */
void sc_screen_menu_rows(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *menu,
                         SDL_Rect area, double row_h);
/* The status message line above the hint (nothing if menu->message is NULL). */
void sc_screen_menu_message(struct sc_ui *ui, const struct sc_frame *f,
                            const struct sc_ui_menu *menu);
/* Where an admin page may draw: below the header, above the message and hint. */
SDL_Rect sc_screen_menu_area(const struct sc_frame *f);
/* PIN kind (screen_admin_pin.c): boxes with dots, the lock-out countdown. */
void sc_screen_menu_pin(struct sc_ui *ui, const struct sc_frame *f, const struct sc_ui_menu *menu);
/* KEYBOARD kind (screen_admin_keyboard.c): the typed text over a grid of keys
 * (items, u.keyboard.columns per row, focus the key). */
void sc_screen_menu_keyboard(struct sc_ui *ui, const struct sc_frame *f,
                             const struct sc_ui_menu *menu);
/* REPORT kind (screen_admin_report.c): the month's chart as on HOME, the
 * requirement met or not, and the items as figures beside it. */
void sc_screen_menu_report(struct sc_ui *ui, const struct sc_frame *f,
                           const struct sc_ui_menu *menu);
/* CALENDAR kind (screen_admin_calendar.c): the month grid with per-day course
 * counts and conflicts, today, the focused day; the day's items beside it. */
void sc_screen_menu_calendar(struct sc_ui *ui, const struct sc_frame *f,
                             const struct sc_ui_menu *menu);
/* GUIDE kind (screen_admin_guide.c): services x time from the EIT, the
 * focused event's description below. */
void sc_screen_menu_guide(struct sc_ui *ui, const struct sc_frame *f,
                          const struct sc_ui_menu *menu);
/* The focus highlight around r. */
void sc_focus_ring(const struct sc_frame *f, SDL_Rect r, int radius);
void sc_screen_toast(struct sc_ui *ui, const struct sc_frame *f);

/* Formatting helpers (format.c) */
void sc_fmt_duration(char *buf, size_t size, int64_t seconds); /* 1:05:09 or 05:09 */
/* "3 天 04:05:06"-style countdown with translated words */
void sc_fmt_countdown(struct sc_ui *ui, char *buf, size_t size, int64_t seconds);
const char *sc_signal_text(struct sc_ui *ui, enum sc_ui_signal signal);
SDL_Color sc_signal_color(enum sc_ui_signal signal);

#endif
