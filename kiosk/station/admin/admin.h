/* The administrator's menu inside the station (issue 6): a stack of pages on
 * the MENU screen. Each page keeps its own state and answers the remote's
 * actions; the framework (admin.c) owns the stack, opens the menu behind the
 * PIN, closes it when a course starts or after ST_ADMIN_IDLE_S without a key,
 * builds the page's view for the ui and its part of `ctl status`.
 *
 * Pages live in admin_<name>.c. A page is opened by its own
 *   int st_page_<name>_open(struct st_station *st, ...)
 * which allocates its state and calls st_admin_push(). The root page
 * (admin_root.c) lists the sections in its table.
 *
 * Everything runs on the core loop's thread. */
#ifndef STUDYCAST_KIOSK_STATION_ADMIN_H
#define STUDYCAST_KIOSK_STATION_ADMIN_H

#include "kiosk/station/internal.h"

/* Marks an English msgid for xgettext without translating it here (st_tr
 * translates it when shown). */
#define N_(msgid) msgid

#define ST_ADMIN_DEPTH   8
#define ST_ADMIN_IDLE_S  300 /* the menu closes (and locks) after this without a key */
#define ST_ADMIN_ORPHANS 4

struct st_page;

/* Builds one view of the top page. Strings handed to it must live until
 * st_admin_show() returns: translations (st_tr), the page's own state, or
 * copies made with st_menu_str(). */
struct st_menu {
    struct ui_menu view; /* kind, title, hint, message, focus, u */
    struct ui_menu_item *items;
    size_t n_items, cap_items;
    char **strings;
    size_t n_strings, cap_strings;
    bool failed; /* out of memory: the view is shown without the failed parts */
    struct ui_menu_item scratch;
};

/* A formatted copy owned by the builder ("" on failure). */
const char *st_menu_str(struct st_menu *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a row; label and value are not copied (see above). Returns the row
 * to set flags on, or a scratch row on failure (never NULL). */
struct ui_menu_item *st_menu_item(struct st_menu *m, const char *label, const char *value);

struct st_page_ops {
    const char *name; /* "pin", "root", "schedule", ... (`ctl status`: menu.page) */
    /* An action on the page: 0 handled, -ENOTSUP not for this page (BACK then
     * closes the page, MENU closes the whole menu). */
    int (*action)(struct st_station *st, struct st_page *page, enum rc_action action,
                  int64_t time_ns);
    /* Fills in m->view (kind, title, focus, ...) and the rows. */
    void (*view)(struct st_station *st, struct st_page *page, struct st_menu *m);
    /* Optional: extra keys for `ctl status` inside its "menu" object. */
    void (*status)(struct st_station *st, struct st_page *page, struct sc_json *j);
    /* Optional: the page is on top again (the one above it closed): reload. */
    void (*resume)(struct st_station *st, struct st_page *page);
    /* Optional: when the page's view changes by itself (sc_mono_ns time),
     * INT64_MAX: never. The loop redraws then. */
    int64_t (*deadline_ns)(struct st_station *st, struct st_page *page);
    /* Optional: frees state (called on close, with the page already off the stack). */
    void (*destroy)(struct st_station *st, struct st_page *page);
};

struct st_page {
    const struct st_page_ops *ops;
    void *state; /* the page's own */
    int focus;   /* free for the page: list pages keep their row here */
};

struct st_admin {
    struct st_page pages[ST_ADMIN_DEPTH];
    int depth;
    int64_t idle_until_ns;
    char message[256]; /* shown on the top page until the next key */
    bool message_error;
    /* threads a closed page left finishing (an export writing a stick while
     * a course takes the screen): joined when the station stops */
    pthread_t orphans[ST_ADMIN_ORPHANS];
    int n_orphans;
};

/* MENU pressed outside the menu: opens it at the PIN page (the root page once
 * the PIN is right). During a course it says so instead: -EBUSY. */
int st_admin_open(struct st_station *st);
/* Pushes a page over the current one (the menu screen shows it). On failure
 * the page's destroy runs and a negative code returns. */
int st_admin_push(struct st_station *st, const struct st_page_ops *ops, void *state);
/* Replaces the top page (the PIN page by the root page). */
int st_admin_replace(struct st_station *st, const struct st_page_ops *ops, void *state);
/* Closes the top page; the page below resumes; the last one closes the menu. */
void st_admin_pop(struct st_station *st);
/* Closes every page and returns to HOME (a course starting, MENU, idle).
 * Once the station stops (st->stop), also joins the orphans. */
void st_admin_close(struct st_station *st);
/* A page's destroy hands over a thread that must finish on its own: joined
 * when the station stops. 0, or -ENOSPC (too many: the caller joins it). */
int st_admin_orphan(struct st_station *st, pthread_t thread);
/* The top page, NULL when the menu is closed. */
struct st_page *st_admin_top(struct st_station *st);
/* A message on the top page until the next key (and in the log). */
void st_admin_message(struct st_station *st, bool error, const char *fmt_msgid, ...)
    __attribute__((format(printf, 3, 4)));

/* Used by the station: the MENU screen's actions, view, deadline, status. */
int st_admin_action(struct st_station *st, enum rc_action action, int64_t time_ns);
int st_admin_show(struct st_station *st);
int64_t st_admin_deadline_ns(struct st_station *st);
void st_admin_timeouts(struct st_station *st, int64_t now_ns);
void st_admin_status(struct st_station *st, struct sc_json *j);

/* List pages: moves page->focus over n rows with up/down (wrapping), and
 * skips nothing. Returns 0 if the action was up/down, else -ENOTSUP. */
int st_page_list_move(struct st_page *page, size_t n, enum rc_action action);

/* ---- pages ---- */
int st_page_root_open(struct st_station *st);
/* The PIN page: checks the PIN, then replaces itself with the root page;
 * with no PIN set, asks for a new one (twice). */
int st_page_pin_open(struct st_station *st);
/* Choosing a new PIN (twice) from the root page. */
int st_page_pin_change(struct st_station *st);
/* The on-screen keyboard (admin_keyboard.c) over the current page. On Done,
 * done(st, opaque, text) runs: 0 closes the keyboard (the page below
 * resumes), a negative code keeps it open (done says why with
 * st_admin_message). Cancel or BACK on an empty text closes it without a
 * call. opaque is the caller's page state: it lives below the keyboard. */
typedef int (*st_keyboard_done_fn)(struct st_station *st, void *opaque, const char *text);
int st_page_keyboard_open(struct st_station *st, const char *title, const char *initial,
                          size_t max_bytes, st_keyboard_done_fn done, void *opaque);
/* Settings: station name and id, type, volume, language, clock source
 * (admin_settings.c). */
int st_page_settings_open(struct st_station *st);
/* At start-up, after the record opened: the kept settings applied (volume,
 * language and source unless given as options, clock source, service). */
void st_settings_load(struct st_station *st);
/* Settings > County server: the county's database typed in, saved, cleared
 * (admin_county.c). */
int st_page_county_open(struct st_station *st);
/* The county sync's rows "Last sync" and "Sync status" (About, County server). */
void st_page_county_sync_rows(struct st_station *st, struct st_menu *m);
/* Settings -> Remote: learning keys (admin_remote.c). */
int st_page_remote_open(struct st_station *st);
/* A key by name (SDL, an input device, the control socket) before the keymap
 * maps it: true when the Remote page was waiting for one and took it. */
bool st_page_remote_key(struct st_station *st, const char *key_name, int64_t time_ns);
/* About: version, the station's key for inspectors, data dir, space, record. */
int st_page_about_open(struct st_station *st);
/* Services: those on the station's stream, the station's service, the
 * stream's address (admin_services.c). */
int st_page_services_open(struct st_station *st);
/* The station's stream: multicast address pickers or a DVB channel, saved as
 * the setting "source" (admin_source.c). */
int st_page_source_open(struct st_station *st);
/* Schedule: the month's entries as a list and as a calendar (of year-month),
 * the entry editor (admin_schedule*.c). */
int st_page_schedule_open(struct st_station *st);
int st_page_calendar_open(struct st_station *st, int year, int month);
/* Guide: the EIT guide of the station's stream as services x time. */
int st_page_guide_open(struct st_station *st);
/* Members: the roster; importing a roster CSV from a USB stick. */
int st_page_members_open(struct st_station *st);
/* Records: the month's report with its chart; export to a USB stick. */
int st_page_records_open(struct st_station *st);
/* Exporting that month to a USB stick (from the records page). */
int st_page_records_export_open(struct st_station *st, int year, int month);
/* That month's viewing snapshots, one at a time (from the records page). */
int st_page_records_snapshots_open(struct st_station *st, int year, int month);

#endif
