/* ui: the window on the TV. Owns SDL video: the window, the renderer, the
 * video texture, text (SDL2_ttf with a CJK font found through fontconfig)
 * and the kiosk's screens; reports input as events, a key press by its
 * name. What a key means is not the ui's business: the kiosk and `play` map
 * the name through the remote's keymap (kiosk/remote/remote.h holds the one
 * action vocabulary; ui/ sits below it and cannot include it). Messages are
 * translated with gettext (domain "studycast", Chinese by default): the
 * first sc_ui_show(), sc_ui_set_language() or sc_ui_tr() binds the catalog
 * and, if LC_MESSAGES is "C", moves it to C.UTF-8 and sets LANGUAGE (see
 * i18n.c): the kiosk makes one of these calls before it starts threads that
 * read the environment.
 *
 * Threads: everything on the main thread (the one that created the ui), except
 * sc_ui_wakeup(), which any thread may call. No SDL_* type crosses this header. */
#ifndef STUDYCAST_UI_H
#define STUDYCAST_UI_H

#include "base/base.h"
#include "player/player.h"

#include <stdbool.h>
#include <stdint.h>

struct sc_ui;

enum sc_ui_renderer {
    SC_UI_RENDERER_AUTO = 0, /* GPU if the GL driver is a real GPU, else software */
    SC_UI_RENDERER_GPU,      /* YUV/NV12 textures converted and scaled by the GPU */
    SC_UI_RENDERER_SOFTWARE, /* libswscale converts and scales into the texture */
};

struct sc_ui_opts {
    bool fullscreen;   /* fullscreen on the current display (the default for play) */
    int width, height; /* window size when not fullscreen; 0: 1024x576 */
    const char *title; /* copied */
    enum sc_ui_renderer renderer;
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
int sc_ui_memory_use_huge_pages(void);

/* Opens the window. Returns 0 or a negative error code (no display: -ENODEV). */
int sc_ui_create(const struct sc_ui_opts *opts, struct sc_ui **out);
void sc_ui_destroy(struct sc_ui *ui); /* accepts NULL */

/* Any thread: makes the main thread's sc_ui_wait_event() return an
 * SC_UI_EVENT_WAKEUP soon. Cheap and coalescing: pass it as the player's
 * wakeup callback. */
void sc_ui_wakeup(void *ui);

/* Takes ownership of the picture (freeing the previous one) and converts or
 * uploads it into the video texture now. The picture stays valid, for the
 * caller to read, until the next sc_ui_set_picture() or sc_ui_destroy().
 * Returns 0 or a negative error code. */
int sc_ui_set_picture(struct sc_ui *ui, struct sc_picture *picture);
/* Draws and flips if anything changed since the last flip (a new picture, a
 * resize, an expose). Returns 1 if it flipped, 0 if nothing was due. */
int sc_ui_present(struct sc_ui *ui);
void sc_ui_toggle_fullscreen(struct sc_ui *ui);
void sc_ui_set_picture_none(struct sc_ui *ui); /* black instead of the last picture */
/* The display's refresh rate in Hz, 0 if unknown. */
int sc_ui_refresh_rate(const struct sc_ui *ui);
/* "gpu (opengl)" or "software": what presents the pictures. */
const char *sc_ui_renderer_name(const struct sc_ui *ui);

/* ==== Input events (the kiosk and play), the kiosk's screens, language =====
 * The kiosk core owns the model (record, schedule, player state) and fills in
 * plain structs; the ui copies what it needs and draws. Nothing in ui/ reads
 * a database or calls the player for a screen. All calls on the main thread. */

/* ---- input events ---- */

enum sc_ui_event_type {
    SC_UI_EVENT_NONE = 0, /* nothing within the timeout */
    SC_UI_EVENT_KEY,      /* a key press (auto-repeat included, see repeat) */
    SC_UI_EVENT_WAKEUP,   /* someone called sc_ui_wakeup() */
    SC_UI_EVENT_QUIT,     /* the window was closed */
    SC_UI_EVENT_WINDOW,   /* resized or exposed: the ui re-laid out, present again */
};

#define SC_UI_KEY_NAME_MAX 64
#define SC_UI_TEXT_MAX     32

struct sc_ui_event {
    enum sc_ui_event_type type;
    /* KEY: the key's name as SDL_GetKeyName() gives it ("Return", "5",
     * "Keypad 5", "AC Back"), for sc_keymap_lookup(); "" if SDL has none. */
    char key_name[SC_UI_KEY_NAME_MAX];
    /* KEY: the UTF-8 text the key typed ("5", "a"), "" for keys that type
     * nothing (arrows, Return). A card reader types digits then Return. */
    char text[SC_UI_TEXT_MAX];
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
int sc_ui_wait_event(struct sc_ui *ui, int64_t timeout_ns, struct sc_ui_event *ev);

/* ---- language ---- */

/* "zh_CN" (the default) or "en". Returns 0, or -EINVAL for another name.
 * zh_CN without its catalog (not installed) shows English and logs why.
 * Marks the screen dirty: the next present draws in the new language. */
int sc_ui_set_language(struct sc_ui *ui, const char *language);
const char *sc_ui_language(const struct sc_ui *ui); /* "zh_CN" or "en" */
/* The current language's translation of an English msgid from the
 * "studycast" domain (the kiosk marks its own texts with N_() and passes
 * them through here before sc_ui_toast or a banner). Static lifetime. */
const char *sc_ui_tr(const struct sc_ui *ui, const char *msgid);

/* ---- the model the screens show ---- */

enum sc_ui_screen {
    SC_UI_SCREEN_HOME = 0,
    SC_UI_SCREEN_ROLLCALL, /* the roster grid before the course (no video) */
    SC_UI_SCREEN_PLAYING,  /* the video, with the info / roster overlays on demand */
    SC_UI_SCREEN_OUTAGE,   /* no signal: over the last picture (or black) */
    SC_UI_SCREEN_SUMMARY,  /* end of session: minutes, attendance, feedback */
    SC_UI_SCREEN_PRETUNE,  /* tuned ahead of a live course */
    SC_UI_SCREEN_MENU,     /* the administrator's menu (issue 6): a list */
    SC_UI_SCREEN_COUNT
};
/* "home", "rollcall", "playing", "outage", "summary", "pretune", "menu". */
const char *sc_ui_screen_name(enum sc_ui_screen screen);

enum sc_ui_signal {
    SC_UI_SIGNAL_UNKNOWN = 0, /* no source open */
    SC_UI_SIGNAL_NONE,        /* tuned, nothing arrives */
    SC_UI_SIGNAL_GOOD,
};

enum sc_ui_clock_source {
    SC_UI_CLOCK_SYSTEM = 0, /* the system clock, not known to be right */
    SC_UI_CLOCK_NTP,
    SC_UI_CLOCK_BROADCAST, /* TDT/TOT from the stream */
};

/* The station's wall clock. The ui reads sc_mono_ns() and shows
 * local time = mono + utc_minus_mono_ns + utc_offset_s; it redraws by itself
 * when the shown second (or a countdown) changes, see sc_ui_next_redraw_ns. */
struct sc_ui_clock {
    bool valid; /* false: the time is unknown ("--:--") */
    int64_t utc_minus_mono_ns;
    int32_t utc_offset_s; /* station local time - UTC */
    enum sc_ui_clock_source source;
};

enum sc_ui_category {
    SC_UI_CATEGORY_NONE = 0,
    SC_UI_CATEGORY_PARTY_MEMBER, /* 党员 */
    SC_UI_CATEGORY_CADRE,        /* 干部 */
    SC_UI_CATEGORY_VILLAGER,     /* 群众 */
};

/* One roster card / one summary row. Strings borrowed for the call. */
struct sc_ui_member {
    const char *number;
    const char *name;
    enum sc_ui_category category;
    bool present;    /* checked in now */
    int64_t seconds; /* SUMMARY: attended seconds (credited) */
};

/* The roster grid: ROLLCALL, and PLAYING's check-in overlay. The ui lays the
 * cards out in sc_ui_roster_columns() columns and scrolls to the focus. */
struct sc_ui_roster {
    const struct sc_ui_member *members;
    size_t n_members;
    /* the focused card: 0..n_members-1 a member, n_members the guest card
     * (OK adds a guest), -1 none */
    int focus;
    const char *digits; /* member number typed so far ("" or NULL: none) */
    int guests;
    int present_count; /* members checked in */
};

/* HOME's month chart: one bar per session held this month. */
#define SC_UI_MONTH_MAX_SESSIONS 31
struct sc_ui_month {
    int sessions_required; /* 3 village, 4 township */
    int minutes_required_each;
    int n_sessions; /* held so far (the bars), at most SC_UI_MONTH_MAX_SESSIONS shown */
    int session_minutes[SC_UI_MONTH_MAX_SESSIONS];
    int sessions_counted; /* sessions that reach minutes_required_each */
};

struct sc_ui_home {
    const char *station_name;
    const char *next_course; /* NULL: nothing scheduled */
    int64_t next_start_utc;  /* its start (Unix s): the countdown */
    struct sc_ui_month month;
    enum sc_ui_signal signal;
    const char *banner; /* status line, already translated (sc_ui_tr); NULL: none */
    bool banner_error;  /* shown as an error (red) */
    /* what the receiver is tuned to (a broadcast being captured), from the
     * SDT and the EIT: shown beside the signal; NULL or "": unknown */
    const char *service_name;
    const char *event_title;
};

struct sc_ui_rollcall {
    const char *course;
    int64_t start_utc; /* the course's start: "starts in" (0: not shown) */
    struct sc_ui_roster roster;
};

struct sc_ui_playing {
    const char *course;
    int64_t end_utc;  /* the slot's end: remaining time (0: unknown) */
    int64_t played_s; /* credited playing time at played_mono_ns */
    int64_t played_mono_ns;
    bool advancing; /* playing now: the elapsed time keeps counting */
    int attendance; /* members present + guests */
    enum sc_ui_signal signal;
    bool show_info;   /* the INFO overlay */
    bool show_roster; /* the late check-in / check-out overlay */
    struct sc_ui_roster roster;
    const char *service_name; /* INFO: the SDT's service name; NULL or "": unknown */
    const char *event_title;  /* INFO: the EIT event airing now; NULL or "": unknown */
};

struct sc_ui_outage {
    const char *course;
    int64_t since_mono_ns; /* when the signal went: the outage duration */
};

enum sc_ui_summary_focus {
    SC_UI_SUMMARY_RATING = 0, /* left/right or digits 1-5 change the rating */
    SC_UI_SUMMARY_REPEAT,     /* OK toggles "needs repeating" */
    SC_UI_SUMMARY_DONE,       /* OK saves and returns home */
};

struct sc_ui_summary {
    const char *course;
    int64_t played_s;
    const struct sc_ui_member *attendees; /* seconds filled in */
    size_t n_attendees;
    int guests;
    int rating; /* 0: not rated yet, 1..5 */
    bool needs_repeat;
    enum sc_ui_summary_focus focus;
};

struct sc_ui_pretune {
    const char *course;
    int64_t start_utc;
    enum sc_ui_signal signal;
    const char *service_name; /* the SDT's service name; NULL or "": unknown */
    const char *event_title;  /* the EIT event airing now; NULL or "": unknown */
};

/* MENU: the administrator's pages. Every page has a title, a hint line, an
 * optional status message and a list of items; `kind` says how they are laid
 * out and what the kind-specific part (u) adds. The core builds the view from
 * its page state; the ui only draws it. */
enum sc_ui_menu_kind {
    /* Rows of label and value, one focused (menus, settings, the roster, the
     * month's entries, import problems, export progress). A row being edited
     * (a picker: date, time, duration, repetition, kind) shows its value with
     * the part that the arrows and digits change highlighted. */
    SC_UI_MENU_LIST = 0,
    SC_UI_MENU_PIN,      /* PIN entry: dots for typed digits, lock-out countdown */
    SC_UI_MENU_CALENDAR, /* a month grid; items: the focused day's entries */
    SC_UI_MENU_GUIDE,    /* services x time grid from the EIT; items unused */
    SC_UI_MENU_REPORT,   /* the month's report: chart + items as figures */
    SC_UI_MENU_KEYBOARD, /* on-screen keyboard: items are the keys, a grid */
};

struct sc_ui_menu_item {
    const char *label; /* already translated */
    const char *value; /* right-aligned, NULL: none */
    bool disabled;     /* dimmed, cannot be chosen */
    bool editing;      /* LIST: this row's value is being changed with a picker */
    /* editing: the bytes of value that the arrows/digits change now (e.g.
     * the minutes of "2026-12-03 19:30"); sel_len 0: the whole value */
    int sel_start, sel_len;
    bool warning; /* drawn in the error colour (a conflict, a bad row) */
};

struct sc_ui_pin {
    int entered;              /* digits typed so far (dots) */
    int length;               /* boxes to draw (choosing: the maximum), 0: as many as typed */
    int64_t locked_until_utc; /* > 0: locked out until then (a countdown) */
};

#define SC_UI_CALENDAR_DAYS 31
struct sc_ui_calendar_day {
    int courses;   /* entries on that day */
    bool conflict; /* two of them overlap */
};
struct sc_ui_calendar {
    int year, month;   /* month 1-12 */
    int focus_day;     /* 1..days in month */
    int today;         /* day of month today, 0: another month */
    int first_weekday; /* weekday of the 1st: 0 Monday .. 6 Sunday */
    int days_in_month;
    struct sc_ui_calendar_day days[SC_UI_CALENDAR_DAYS];
    bool items_focused; /* the focus is in the day's list (items), not the grid */
};

struct sc_ui_guide_service {
    const char *name; /* the SDT's service name */
    int service_id;
};
struct sc_ui_guide_event {
    int row; /* index into services */
    int64_t start_utc, end_utc;
    const char *title;
    bool scheduled; /* already in the schedule */
};
struct sc_ui_guide {
    const struct sc_ui_guide_service *services;
    size_t n_services;
    int64_t from_utc, to_utc; /* the visible time window */
    const struct sc_ui_guide_event *events;
    size_t n_events;
    int focus;               /* index into events, -1: none */
    const char *description; /* the focused event's description, NULL: none */
};

struct sc_ui_report {
    struct sc_ui_month month; /* the chart, as on HOME */
    bool requirement_met;
    const char *period; /* "2026-11" */
};

struct sc_ui_menu {
    enum sc_ui_menu_kind kind;
    const char *title;
    const char *hint;    /* bottom line, NULL: the kind's default */
    const char *message; /* status line above the hint, NULL: none */
    bool message_error;  /* the message in the error colour */
    const struct sc_ui_menu_item *items;
    size_t n_items;
    int focus; /* index into items, -1: none (CALENDAR: in the grid) */
    union {
        struct sc_ui_pin pin;
        struct sc_ui_calendar calendar;
        struct sc_ui_guide guide;
        struct sc_ui_report report;
        struct {
            const char *text; /* typed so far */
            int columns;      /* keys per row */
        } keyboard;
    } u;
};

struct sc_ui_view {
    enum sc_ui_screen screen;
    union {
        struct sc_ui_home home;
        struct sc_ui_rollcall rollcall;
        struct sc_ui_playing playing;
        struct sc_ui_outage outage;
        struct sc_ui_summary summary;
        struct sc_ui_pretune pretune;
        struct sc_ui_menu menu;
    } u;
};

/* Copies the view (strings and arrays included) and marks the screen dirty;
 * the next sc_ui_present() draws the video (PLAYING, OUTAGE) and the screen.
 * Returns 0, -EINVAL (bad screen) or -ENOMEM (the previous view stays). */
int sc_ui_show(struct sc_ui *ui, const struct sc_ui_view *view);
enum sc_ui_screen sc_ui_current_screen(const struct sc_ui *ui);
void sc_ui_set_clock(struct sc_ui *ui, const struct sc_ui_clock *clock);

/* A transient message over any screen ("记录写入失败：磁盘已满"), already
 * translated, for duration_ns (<= 0: 3 s). A newer one replaces it. */
void sc_ui_toast(struct sc_ui *ui, const char *text, bool error, int64_t duration_ns);

/* Columns of the roster grid for the current output size (4:3 has fewer):
 * the core moves the focus by +-1 (left/right) and +-columns (up/down). */
int sc_ui_roster_columns(struct sc_ui *ui);

/* The sc_mono_ns() time at which what is shown next changes by itself (the
 * clock's second, a countdown, a toast's end), INT64_MAX if never: the core
 * sleeps until min(this, its own deadlines) and then calls sc_ui_present(),
 * which draws only if something changed. */
int64_t sc_ui_next_redraw_ns(struct sc_ui *ui);

#endif
