/* Settings: the station's name (on-screen keyboard) and id, village or
 * township station, volume, language, clock source, the TV's standby after
 * the last course (HDMI-CEC), the Remote page (admin_remote.c) and the county
 * server (its own page, admin_county.c). Every change is a
 * settings_changed event in the study record (rec_setting_set), applied at
 * once, and read back at the next start (st_settings_load). Choices are
 * pickers: OK on a row starts one, up/down change it, OK saves, BACK leaves
 * it unchanged. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row {
    ROW_NAME,
    ROW_ID,
    ROW_TYPE,
    ROW_VOLUME,
    ROW_LANGUAGE,
    ROW_CLOCK,
    ROW_TV_STANDBY,
    ROW_REMOTE,
    ROW_COUNTY,
    N_ROWS
};

#define VOLUME_STEP 10
#define N_VOLUMES   (100 / VOLUME_STEP + 1)

/* The picker rows' choices: the setting's value and its label (msgid). */
struct choice {
    const char *value, *label;
};
static const struct choice type_choices[] = {
    {"village", N_("Village station: 3 sessions a month")},
    {"township", N_("Township station: 4 sessions a month")},
};
/* languages are named in themselves: whoever set the wrong one can read it */
static const struct choice language_choices[] = {{"zh_CN", "中文"}, {"en", "English"}};
static const struct choice clock_choices[] = {
    {"auto", N_("Automatic: broadcast time when the stream has it")},
    {"system", N_("System clock only")},
};
static const struct choice standby_choices[] = {
    {"off", N_("Off: the TV stays as it is")},
    {"on", N_("On: standby when no course follows within the hour")},
};

struct settings_page {
    bool editing;
    int choice; /* the picker's position while editing */
};

static int n_choices(enum row row)
{
    switch (row) {
    case ROW_TYPE:
        return 2;
    case ROW_VOLUME:
        return N_VOLUMES;
    case ROW_LANGUAGE:
        return 2;
    case ROW_CLOCK:
    case ROW_TV_STANDBY:
        return 2;
    default:
        return 0;
    }
}

static bool township(struct st_station *st)
{
    char type[16];
    return rec_setting_get(st->rec, "station_type", type, sizeof(type)) == 0 &&
           strcmp(type, "township") == 0;
}

/* The picker's position of the current value. */
static int current_choice(struct st_station *st, enum row row)
{
    switch (row) {
    case ROW_TYPE:
        return township(st) ? 1 : 0;
    case ROW_VOLUME:
        return (st->volume + VOLUME_STEP / 2) / VOLUME_STEP;
    case ROW_LANGUAGE:
        return strcmp(ui_language(st->ui), "en") == 0 ? 1 : 0;
    case ROW_CLOCK:
        return st->clock.system_only ? 1 : 0;
    case ROW_TV_STANDBY:
        return st_tv_standby_setting(st) ? 1 : 0;
    default:
        return 0;
    }
}

static const char *choice_label(struct st_station *st, struct st_menu *m, enum row row, int i)
{
    switch (row) {
    case ROW_TYPE:
        return st_tr(st, type_choices[i].label);
    case ROW_VOLUME:
        return st_menu_str(m, "%d", i * VOLUME_STEP);
    case ROW_LANGUAGE:
        return language_choices[i].label;
    case ROW_CLOCK:
        return st_tr(st, clock_choices[i].label);
    case ROW_TV_STANDBY:
        return st_tr(st, standby_choices[i].label);
    default:
        return "";
    }
}

static const char *clock_now_name(struct st_station *st)
{
    switch (st->clock.source) {
    case REC_CLOCK_BROADCAST:
        return st_tr(st, "broadcast time");
    case REC_CLOCK_NTP:
        return st_tr(st, "network time");
    default:
        return st_tr(st, "system clock");
    }
}

static void save_failed(struct st_station *st, int rc)
{
    st_admin_message(st, true, "Cannot save the setting (nothing changed): %s", rec_strerror(rc));
}

/* Saves the picker's choice and applies it now. */
static void save(struct st_station *st, enum row row, int i)
{
    char volume[8];
    const char *key = NULL, *value = NULL;
    switch (row) {
    case ROW_TYPE:
        key = "station_type", value = type_choices[i].value;
        break;
    case ROW_VOLUME:
        snprintf(volume, sizeof(volume), "%d", i * VOLUME_STEP);
        key = "volume", value = volume;
        break;
    case ROW_LANGUAGE:
        key = "language", value = language_choices[i].value;
        break;
    case ROW_CLOCK:
        key = "clock_source", value = clock_choices[i].value;
        break;
    case ROW_TV_STANDBY:
        key = "tv_standby", value = standby_choices[i].value;
        break;
    default:
        return;
    }
    int rc = rec_setting_set(st->rec, key, value);
    if (rc < 0) {
        save_failed(st, rc);
        return;
    }
    SC_INFO(st->log, "settings: %s = %s", key, value);
    switch (row) {
    case ROW_TYPE:
        st_planner_refresh_month(st); /* the month's requirement follows the type */
        st_admin_message(st, false, "Saved: this month needs %d sessions",
                         st->plan.month.sessions_required);
        break;
    case ROW_VOLUME:
        st->volume = i * VOLUME_STEP;
        if (st->course.player) player_set_volume(st->course.player, st->volume);
        st_admin_message(st, false, "Saved: volume %d", st->volume);
        break;
    case ROW_LANGUAGE:
        ui_set_language(st->ui, value);
        st_admin_message(st, false, "Saved: the screens speak this language now");
        break;
    case ROW_TV_STANDBY:
        tv_set_standby_after_last(st->tv, i == 1);
        if (i == 1 && !tv_adapter_present(st->tv))
            st_admin_message(st, false, "Saved; no HDMI-CEC adapter is connected now");
        else
            st_admin_message(st, false, "Saved: TV standby");
        break;
    default: /* ROW_CLOCK: update_clock follows it at the loop's next turn */
        st->clock.system_only = i == 1;
        st_admin_message(st, false, "Saved: clock source");
        break;
    }
}

static int name_done(struct st_station *st, void *opaque, const char *text)
{
    (void)opaque;
    if (!text[0]) {
        st_admin_message(st, true, "The station name cannot be empty");
        return -EINVAL;
    }
    if (sc_text_has_control(text)) {
        st_admin_message(st, true, "The station name cannot contain control characters");
        return -EINVAL;
    }
    int rc = rec_setting_set(st->rec, "station_name", text);
    if (rc < 0) {
        if (rc == -EINVAL)
            st_admin_message(st, true, "The station name is too long");
        else
            save_failed(st, rc);
        return rc;
    }
    snprintf(st->home.station_name, sizeof(st->home.station_name), "%s", text);
    SC_INFO(st->log, "settings: station_name = %s", text);
    st_admin_message(st, false, "Saved: station name");
    return 0;
}

static int settings_action(struct st_station *st, struct st_page *page, enum rc_action action,
                           int64_t time_ns)
{
    (void)time_ns;
    struct settings_page *p = page->state;
    enum row row = (enum row)page->focus;
    if (p->editing) {
        int n = n_choices(row), digit = rc_action_digit(action);
        switch (action) {
        case RC_ACTION_UP:
        case RC_ACTION_RIGHT:
            p->choice = (p->choice + 1) % n;
            return 0;
        case RC_ACTION_DOWN:
        case RC_ACTION_LEFT:
            p->choice = (p->choice + n - 1) % n;
            return 0;
        case RC_ACTION_OK:
            p->editing = false;
            save(st, row, p->choice);
            return 0;
        case RC_ACTION_BACK:
            p->editing = false;
            return 0;
        default:
            /* digits pick directly: volume N*10, the other choices 1, 2 */
            if (digit >= 0 && row == ROW_VOLUME) p->choice = digit;
            if (digit >= 1 && row != ROW_VOLUME && digit <= n) p->choice = digit - 1;
            return digit >= 0 ? 0 : -ENOTSUP;
        }
    }
    if (st_page_list_move(page, N_ROWS, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    switch (row) {
    case ROW_NAME:
        return st_page_keyboard_open(st, st_tr(st, "Station name"), st->home.station_name, 120,
                                     name_done, p);
    case ROW_REMOTE:
        return st_page_remote_open(st);
    case ROW_ID:
        st_admin_message(st, false,
                         "The station id is made at the first start and never changes: the "
                         "signed records carry it");
        return 0;
    case ROW_COUNTY:
        return st_page_county_open(st);
    default:
        p->editing = true;
        p->choice = current_choice(st, row);
        return 0;
    }
}

static void settings_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct settings_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "Settings");
    char id[64] = "";
    rec_setting_get(st->rec, "station_id", id, sizeof(id));
    st_menu_item(m, st_tr(st, "Station name"),
                 st->home.station_name[0] ? st->home.station_name : st_tr(st, "(not set)"));
    st_menu_item(m, st_tr(st, "Station id"), st_menu_str(m, "%s", id));
    for (enum row row = ROW_TYPE; row < ROW_REMOTE; row++) {
        static const char *const labels[N_ROWS] = {[ROW_TYPE] = N_("Station type"),
                                                   [ROW_VOLUME] = N_("Volume"),
                                                   [ROW_LANGUAGE] = N_("Language"),
                                                   [ROW_CLOCK] = N_("Clock source"),
                                                   [ROW_TV_STANDBY] =
                                                       N_("TV standby after the last course")};
        bool editing = p->editing && page->focus == (int)row;
        int i = editing ? p->choice : current_choice(st, row);
        const char *value = choice_label(st, m, row, i);
        if (row == ROW_CLOCK && !editing && i == 0) /* say what "automatic" gives now */
            value = st_menu_str(m, st_tr(st, "Automatic (now: %s)"), clock_now_name(st));
        struct ui_menu_item *it = st_menu_item(m, st_tr(st, labels[row]), value);
        it->editing = editing;
    }
    st_menu_item(m, st_tr(st, "Remote"), st_tr(st, "learn the keys of a remote…"));
    struct st_sync_view sync;
    st_sync_view(st, &sync);
    st_menu_item(m, st_tr(st, "County server"),
                 sync.server[0] ? st_menu_str(m, "%s", sync.server) : st_tr(st, "(not set)"));
    m->view.focus = page->focus;
    if (p->editing) m->view.hint = st_tr(st, "Up/down: change · OK: save · BACK: keep as it was");
}

static void settings_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)page;
    sc_json_kv_string(j, "station_type", township(st) ? "township" : "village");
    sc_json_kv_int(j, "sessions_required", st->plan.month.sessions_required);
    sc_json_kv_string(j, "clock_setting", st->clock.system_only ? "system" : "auto");
    sc_json_kv_string(j, "station_name", st->home.station_name);
    sc_json_kv_string(j, "tv_standby", st_tv_standby_setting(st) ? "on" : "off");
}

static void settings_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops settings_ops = {
    .name = "settings",
    .action = settings_action,
    .view = settings_view,
    .status = settings_status,
    .destroy = settings_destroy,
};

int st_page_settings_open(struct st_station *st)
{
    struct settings_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    return st_admin_push(st, &settings_ops, p);
}

/* ---- start-up ---- */

static int setting_int(struct st_station *st, const char *key, int fallback)
{
    char v[16];
    if (rec_setting_get(st->rec, key, v, sizeof(v)) != 0) return fallback;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    return end != v && !*end ? (int)n : fallback;
}

void st_settings_load(struct st_station *st)
{
    char v[256];
    st->volume = setting_int(st, "volume", st->volume);
    st->service = setting_int(st, "service", 0);
    st->clock.system_only =
        rec_setting_get(st->rec, "clock_source", v, sizeof(v)) == 0 && strcmp(v, "system") == 0;
    /* options given on the command line win over what was kept */
    if (!st->opts.language && rec_setting_get(st->rec, "language", v, sizeof(v)) == 0)
        st->opts.language = strdup(v);
    if (!st->source && rec_setting_get(st->rec, "source", v, sizeof(v)) == 0)
        st->source = strdup(v);
    SC_INFO(st->log, "settings: volume %d, clock %s, language %s, source %s, service %d",
            st->volume, st->clock.system_only ? "system" : "auto",
            st->opts.language ? st->opts.language : "default", st->source ? st->source : "none",
            st->service);
}
