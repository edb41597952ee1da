/* ui: the window on the TV. Owns SDL video: the window, the renderer, the
 * video texture, text (SDL2_ttf with a CJK font found through fontconfig)
 * and the kiosk's screens; reports input as events, a key press by its
 * name. What a key means is not the ui's business: the kiosk and `play` map
 * the name through the remote's keymap (kiosk/remote/remote.h holds the one
 * action vocabulary; ui/ sits below it and cannot include it). Messages are
 * translated with gettext (domain "studycast", Chinese by default): the
 * first ui_show(), ui_set_language() or ui_tr() binds the catalog
 * and, if LC_MESSAGES is "C", moves it to C.UTF-8 and sets LANGUAGE (see
 * i18n.c): the kiosk makes one of these calls before it starts threads that
 * read the environment.
 *
 * Threads: everything on the main thread (the one that created the ui), except
 * ui_wakeup(), which any thread may call. No SDL_* type crosses this header. */
#ifndef STUDYCAST_UI_H
#define STUDYCAST_UI_H

#include "base/base.h"
#include "player/player.h"

#include <stdbool.h>
#include <stdint.h>

struct ui;

enum ui_renderer {
    UI_RENDERER_AUTO = 0, /* GPU if the GL driver is a real GPU, else software */
    UI_RENDERER_GPU,      /* YUV/NV12 textures converted and scaled by the GPU */
    UI_RENDERER_SOFTWARE, /* libswscale converts and scales into the texture */
};

struct ui_opts {
    bool fullscreen;   /* fullscreen on the current display (the default for play) */
    int width, height; /* window size when not fullscreen; 0: 1024x576 */
    const char *title; /* copied */
    enum ui_renderer renderer;
    struct sc_log *log; /* parent log, not owned; the ui logs as "ui" */
    /* Text (kiosk screens; `play` leaves these NULL). Both copied.
     * font: a font file, or NULL to ask fontconfig for a CJK sans-serif
     * (Noto Sans CJK SC first). locale_dir: where LANG/LC_MESSAGES/studycast.mo
     * live, or NULL for the install tree, then the build tree. */
    const char *font;
    const char *locale_dir;
};

/* SDL's memory through an allocator that backs large blocks (window-sized
 * surfaces and streaming textures, 8 MiB at 1080p) with transparent huge
 * pages: one page fault per 2 MiB instead of one per 4 KiB. On the
 * receiver's virtual machines a fault costs tens of microseconds, and the
 * first picture waits for the video texture to be created (docs/performance.md,
 * "Player"). Small blocks go to malloc as before. Main thread, before the
 * first SDL call of the process (SDL requires that memory it allocated is
 * freed by the same functions). Returns 0 or a negative error code (SDL then
 * keeps its own allocator). */
int ui_memory_use_huge_pages(void);

/* Opens the window. Returns 0 or a negative error code (no display: -ENODEV). */
int ui_create(const struct ui_opts *opts, struct ui **out);
void ui_destroy(struct ui *ui); /* accepts NULL */

/* Any thread: makes the main thread's ui_wait_event() return an
 * UI_EVENT_WAKEUP soon. Cheap and coalescing: pass it as the player's
 * wakeup callback. */
void ui_wakeup(void *ui);

/* Takes ownership of the picture (freeing the previous one) and converts or
 * uploads it into the video texture now. The picture stays valid, for the
 * caller to read, until the next ui_set_picture() or ui_destroy().
 * Returns 0 or a negative error code. */
int ui_set_picture(struct ui *ui, struct player_picture *picture);
/* Draws and flips if anything changed since the last flip (a new picture, a
 * resize, an expose). Returns 1 if it flipped, 0 if nothing was due. */
int ui_present(struct ui *ui);
void ui_toggle_fullscreen(struct ui *ui);
void ui_set_picture_none(struct ui *ui); /* black instead of the last picture */
/* The display's refresh rate in Hz, 0 if unknown. */
int ui_refresh_rate(const struct ui *ui);
/* "gpu (opengl)" or "software": what presents the pictures. */
const char *ui_renderer_name(const struct ui *ui);

/* ==== Input events (the kiosk and play), the kiosk's screens, language =====
 * The kiosk core owns the model (record, schedule, player state) and fills in
 * plain structs; the ui copies what it needs and draws. Nothing in ui/ reads
 * a database or calls the player for a screen. All calls on the main thread. */

/* ---- input events ---- */

enum ui_event_type {
    UI_EVENT_NONE = 0, /* nothing within the timeout */
    UI_EVENT_KEY,      /* a key press (auto-repeat included, see repeat) */
    UI_EVENT_WAKEUP,   /* someone called ui_wakeup() */
    UI_EVENT_QUIT,     /* the window was closed */
    UI_EVENT_WINDOW,   /* resized or exposed: the ui re-laid out, present again */
};

#define UI_KEY_NAME_MAX 64
#define UI_TEXT_MAX     32

struct ui_event {
    enum ui_event_type type;
    /* KEY: the key's name as SDL_GetKeyName() gives it ("Return", "5",
     * "Keypad 5", "AC Back"), for rc_keymap_lookup(); "" if SDL has none. */
    char key_name[UI_KEY_NAME_MAX];
    /* KEY: the UTF-8 text the key typed ("5", "a"), "" for keys that type
     * nothing (arrows, Return). A card reader types digits then Return. */
    char text[UI_TEXT_MAX];
    bool repeat; /* KEY: auto-repeat of a held key */
    /* sc_mono_ns() time at which the window system delivered the event
     * (millisecond resolution). A USB card reader types a key every few ms,
     * a person on a remote every 100 ms or more. */
    int64_t time_ns;
};

/* Waits at most timeout_ns (< 0: no limit) for one event; key presses are
 * returned one by one in order. Returns 1 with *ev filled in, 0 if the
 * timeout passed (ev->type NONE). Window changes (resize, expose) are
 * handled here before they are returned. */
int ui_wait_event(struct ui *ui, int64_t timeout_ns, struct ui_event *ev);

/* ---- language ---- */

/* "zh_CN" (the default) or "en". Returns 0, or -EINVAL for another name.
 * zh_CN without its catalog (not installed) shows English and logs why.
 * Marks the screen dirty: the next present draws in the new language. */
int ui_set_language(struct ui *ui, const char *language);
const char *ui_language(const struct ui *ui); /* "zh_CN" or "en" */
/* The current language's translation of an English msgid from the
 * "studycast" domain (the kiosk marks its own texts with N_() and passes
 * them through here before ui_toast or a banner). Static lifetime. */
const char *ui_tr(const struct ui *ui, const char *msgid);

/* ---- the model the screens show ---- */

enum ui_screen {
    UI_SCREEN_HOME = 0,
    UI_SCREEN_ROLLCALL, /* the roster grid before the course (no video) */
    UI_SCREEN_PLAYING,  /* the video, with the info / roster overlays on demand */
    UI_SCREEN_OUTAGE,   /* no signal: over the last picture (or black) */
    UI_SCREEN_SUMMARY,  /* end of session: minutes, attendance, feedback */
    UI_SCREEN_PRETUNE,  /* tuned ahead of a live course */
    UI_SCREEN_MENU,     /* the administrator's menu (issue 6): a list */
    UI_SCREEN_COUNT
};
/* "home", "rollcall", "playing", "outage", "summary", "pretune", "menu". */
const char *ui_screen_name(enum ui_screen screen);

enum ui_signal {
    UI_SIGNAL_UNKNOWN = 0, /* no source open */
    UI_SIGNAL_NONE,        /* tuned, nothing arrives */
    UI_SIGNAL_GOOD,
};

enum ui_clock_source {
    UI_CLOCK_SYSTEM = 0, /* the system clock, not known to be right */
    UI_CLOCK_NTP,
    UI_CLOCK_BROADCAST, /* TDT/TOT from the stream */
};

/* The station's wall clock. The ui reads sc_mono_ns() and shows
 * local time = mono + utc_minus_mono_ns + utc_offset_s; it redraws by itself
 * when the shown second (or a countdown) changes, see ui_next_redraw_ns. */
struct ui_clock {
    bool valid; /* false: the time is unknown ("--:--") */
    int64_t utc_minus_mono_ns;
    int32_t utc_offset_s; /* station local time - UTC */
    enum ui_clock_source source;
};

enum ui_category {
    UI_CATEGORY_NONE = 0,
    UI_CATEGORY_PARTY_MEMBER, /* 党员 */
    UI_CATEGORY_CADRE,        /* 干部 */
    UI_CATEGORY_VILLAGER,     /* 群众 */
};

/* One roster card / one summary row. Strings borrowed for the call. */
struct ui_member {
    const char *number;
    const char *name;
    enum ui_category category;
    bool present;    /* checked in now */
    int64_t seconds; /* SUMMARY: attended seconds (credited) */
};

/* The roster grid: ROLLCALL, and PLAYING's check-in overlay. The ui lays the
 * cards out in ui_roster_columns() columns and scrolls to the focus. */
struct ui_roster {
    const struct ui_member *members;
    size_t n_members;
    /* the focused card: 0..n_members-1 a member, n_members the guest card
     * (OK adds a guest), -1 none */
    int focus;
    const char *digits; /* member number typed so far ("" or NULL: none) */
    int guests;
    int present_count; /* members checked in */
};

/* HOME's month chart: one bar per session held this month. */
#define UI_MONTH_MAX_SESSIONS 31
struct ui_month {
    int sessions_required; /* 3 village, 4 township */
    int minutes_required_each;
    int n_sessions; /* held so far (the bars), at most UI_MONTH_MAX_SESSIONS shown */
    int session_minutes[UI_MONTH_MAX_SESSIONS];
    int sessions_counted; /* sessions that reach minutes_required_each */
};

struct ui_home {
    const char *station_name;
    const char *next_course; /* NULL: nothing scheduled */
    int64_t next_start_utc;  /* its start (Unix s): the countdown */
    struct ui_month month;
    enum ui_signal signal;
    const char *banner; /* status line, already translated (ui_tr); NULL: none */
    bool banner_error;  /* shown as an error (red) */
    /* what the receiver is tuned to (a broadcast being captured), from the
     * SDT and the EIT: shown beside the signal; NULL or "": unknown */
    const char *service_name;
    const char *event_title;
};

struct ui_rollcall {
    const char *course;
    int64_t start_utc; /* the course's start: "starts in" (0: not shown) */
    struct ui_roster roster;
};

struct ui_playing {
    const char *course;
    int64_t end_utc;  /* the slot's end: remaining time (0: unknown) */
    int64_t played_s; /* credited playing time at played_mono_ns */
    int64_t played_mono_ns;
    bool advancing; /* playing now: the elapsed time keeps counting */
    int attendance; /* members present + guests */
    enum ui_signal signal;
    bool show_info;   /* the INFO overlay */
    bool show_roster; /* the late check-in / check-out overlay */
    struct ui_roster roster;
    const char *service_name; /* INFO: the SDT's service name; NULL or "": unknown */
    const char *event_title;  /* INFO: the EIT event airing now; NULL or "": unknown */
};

struct ui_outage {
    const char *course;
    int64_t since_mono_ns; /* when the signal went: the outage duration */
};

enum ui_summary_focus {
    UI_SUMMARY_RATING = 0, /* left/right or digits 1-5 change the rating */
    UI_SUMMARY_REPEAT,     /* OK toggles "needs repeating" */
    UI_SUMMARY_DONE,       /* OK saves and returns home */
};

struct ui_summary {
    const char *course;
    int64_t played_s;
    const struct ui_member *attendees; /* seconds filled in */
    size_t n_attendees;
    int guests;
    int rating; /* 0: not rated yet, 1..5 */
    bool needs_repeat;
    enum ui_summary_focus focus;
};

struct ui_pretune {
    const char *course;
    int64_t start_utc;
    enum ui_signal signal;
    const char *service_name; /* the SDT's service name; NULL or "": unknown */
    const char *event_title;  /* the EIT event airing now; NULL or "": unknown */
};

/* MENU: the administrator's pages. Every page has a title, a hint line, an
 * optional status message and a list of items; `kind` says how they are laid
 * out and what the kind-specific part (u) adds. The core builds the view from
 * its page state; the ui only draws it. */
enum ui_menu_kind {
    /* Rows of label and value, one focused (menus, settings, the roster, the
     * month's entries, import problems, export progress). A row being edited
     * (a picker: date, time, duration, repetition, kind) shows its value with
     * the part that the arrows and digits change highlighted. */
    UI_MENU_LIST = 0,
    UI_MENU_PIN,      /* PIN entry: dots for typed digits, lock-out countdown */
    UI_MENU_CALENDAR, /* a month grid; items: the focused day's entries */
    UI_MENU_GUIDE,    /* services x time grid from the EIT; items unused */
    UI_MENU_REPORT,   /* the month's report: chart + items as figures */
    UI_MENU_KEYBOARD, /* on-screen keyboard: items are the keys, a grid */
    UI_MENU_PICTURE,  /* a picture (a viewing snapshot) left, its figures (items) right */
};

struct ui_menu_item {
    const char *label; /* already translated */
    const char *value; /* right-aligned, NULL: none */
    bool disabled;     /* dimmed, cannot be chosen */
    bool editing;      /* LIST: this row's value is being changed with a picker */
    /* editing: the bytes of value that the arrows/digits change now (e.g.
     * the minutes of "2026-12-03 19:30"); sel_len 0: the whole value */
    int sel_start, sel_len;
    bool warning; /* drawn in the error colour (a conflict, a bad row) */
};

struct ui_pin {
    int entered;              /* digits typed so far (dots) */
    int length;               /* boxes to draw (choosing: the maximum), 0: as many as typed */
    int64_t locked_until_utc; /* > 0: locked out until then (a countdown) */
};

#define UI_CALENDAR_DAYS 31
struct ui_calendar_day {
    int courses;   /* entries on that day */
    bool conflict; /* two of them overlap */
};
struct ui_calendar {
    int year, month;   /* month 1-12 */
    int focus_day;     /* 1..days in month */
    int today;         /* day of month today, 0: another month */
    int first_weekday; /* weekday of the 1st: 0 Monday .. 6 Sunday */
    int days_in_month;
    struct ui_calendar_day days[UI_CALENDAR_DAYS];
    bool items_focused; /* the focus is in the day's list (items), not the grid */
};

struct ui_guide_service {
    const char *name; /* the SDT's service name */
    int service_id;
};
struct ui_guide_event {
    int row; /* index into services */
    int64_t start_utc, end_utc;
    const char *title;
    bool scheduled; /* already in the schedule */
};
struct ui_guide {
    const struct ui_guide_service *services;
    size_t n_services;
    int64_t from_utc, to_utc; /* the visible time window */
    const struct ui_guide_event *events;
    size_t n_events;
    int focus;               /* index into events, -1: none */
    const char *description; /* the focused event's description, NULL: none */
};

struct ui_report {
    struct ui_month month; /* the chart, as on HOME */
    bool requirement_met;
    const char *period; /* "2026-11" */
};

/* PICTURE: 32-bit native ARGB pixels (0xAARRGGBB per uint32_t), copied by
 * ui_show; argb NULL: the note instead (a pruned or unreadable snapshot). */
struct ui_picture {
    const uint8_t *argb;
    int width, height, stride;
    const char *note;  /* shown in place of a missing picture */
    const char *title; /* above the picture: "3 / 15" */
};

struct ui_menu {
    enum ui_menu_kind kind;
    const char *title;
    const char *hint;    /* bottom line, NULL: the kind's default */
    const char *message; /* status line above the hint, NULL: none */
    bool message_error;  /* the message in the error colour */
    const struct ui_menu_item *items;
    size_t n_items;
    int focus; /* index into items, -1: none (CALENDAR: in the grid) */
    union {
        struct ui_pin pin;
        struct ui_calendar calendar;
        struct ui_guide guide;
        struct ui_report report;
        struct ui_picture picture;
        struct {
            const char *text; /* typed so far */
            int columns;      /* keys per row */
        } keyboard;
    } u;
};

struct ui_view {
    enum ui_screen screen;
    union {
        struct ui_home home;
        struct ui_rollcall rollcall;
        struct ui_playing playing;
        struct ui_outage outage;
        struct ui_summary summary;
        struct ui_pretune pretune;
        struct ui_menu menu;
    } u;
};

/* Copies the view (strings and arrays included) and marks the screen dirty;
 * the next ui_present() draws the video (PLAYING, OUTAGE) and the screen.
 * Returns 0, -EINVAL (bad screen) or -ENOMEM (the previous view stays). */
int ui_show(struct ui *ui, const struct ui_view *view);
enum ui_screen ui_current_screen(const struct ui *ui);
void ui_set_clock(struct ui *ui, const struct ui_clock *clock);

/* A transient message over any screen ("记录写入失败：磁盘已满"), already
 * translated, for duration_ns (<= 0: 3 s). A newer one replaces it. */
void ui_toast(struct ui *ui, const char *text, bool error, int64_t duration_ns);

/* Columns of the roster grid for the current output size (4:3 has fewer):
 * the core moves the focus by +-1 (left/right) and +-columns (up/down). */
int ui_roster_columns(struct ui *ui);

/* The sc_mono_ns() time at which what is shown next changes by itself (the
 * clock's second, a countdown, a toast's end), INT64_MAX if never: the core
 * sleeps until min(this, its own deadlines) and then calls ui_present(),
 * which draws only if something changed. */
int64_t ui_next_redraw_ns(struct ui *ui);

#endif
