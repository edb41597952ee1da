/* About: what an inspector or a technician asks for. The version, the
 * station's public key (the one that signs the exports) in groups of four hex
 * digits so that it can be read aloud over the phone and compared with the
 * one the county holds, the station id, where the data is and the space left,
 * the record's size, and the county server with how its sync goes (the last
 * success in local time, the events still waiting, or the last error); OK on
 * the last row checks the whole record now. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#ifndef STUDYCAST_VERSION
#error "the build defines STUDYCAST_VERSION (the project's version)"
#endif

#define KEY_HEX    64
#define KEY_LINES  4 /* 4 lines of 4 groups of 4 hex digits */
#define KEY_GROUPS (KEY_HEX / 4)

enum row {
    ROW_VERSION,
    ROW_KEY,
    ROW_ID = ROW_KEY + KEY_LINES,
    ROW_DATA,
    ROW_SPACE,
    ROW_EVENTS,
    ROW_COUNTY,
    ROW_SYNC_LAST,
    ROW_SYNC_STATUS,
    ROW_TV,
    ROW_CHECK,
    N_ROWS
};

struct about_page {
    char key[KEY_HEX + 1];
    char grouped[KEY_LINES][24]; /* "1a2b 3c4d 5e6f 7a8b" */
    char check[128];             /* the last check's result, "" none */
    bool check_failed;
};

/* Human units, one decimal below 10. */
static void fmt_bytes(char *buf, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        u++;
    }
    snprintf(buf, size, bytes < 10 && u > 0 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static const char *space_text(struct st_station *st, struct st_menu *m)
{
    struct statvfs vfs;
    if (statvfs(st->base_data_dir, &vfs) != 0)
        return st_menu_str(m, st_tr(st, "unknown (%s)"), strerror(errno));
    char avail[32], total[32];
    fmt_bytes(avail, sizeof(avail), (double)vfs.f_bavail * vfs.f_frsize);
    fmt_bytes(total, sizeof(total), (double)vfs.f_blocks * vfs.f_frsize);
    return st_menu_str(m, st_tr(st, "%s free of %s"), avail, total);
}

/* The adapter and the TV's power state, or why there is none. */
static const char *tv_text(struct st_station *st, struct st_menu *m)
{
    if (!st->tv) return st_tr(st, "switched off (--no-cec)");
    if (!tv_adapter_present(st->tv)) return st_tr(st, "no adapter");
    char name[64], port[128];
    enum tv_power power;
    tv_describe(st->tv, name, sizeof(name), port, sizeof(port), &power);
    static const char *const powers[] = {N_("unknown"), N_("on"), N_("standby"), N_("waking"),
                                         N_("going to standby")};
    return st_menu_str(m, st_tr(st, "%s on %s · TV: %s"), name, port, st_tr(st, powers[power]));
}

static void check_record(struct st_station *st, struct about_page *p)
{
    int rc = rec_check(st->rec);
    long long events = (long long)rec_last_recorded_seq(st->rec);
    p->check_failed = rc != 0;
    if (rc == 0) {
        snprintf(p->check, sizeof(p->check), st_tr(st, "sound: %lld events, chain intact"), events);
        st_admin_message(st, false, "The record is sound: %lld events, chain intact", events);
    } else {
        snprintf(p->check, sizeof(p->check), st_tr(st, "damaged: %s"), rec_strerror(rc));
        st_admin_message(st, true, "The record failed its check: %s", rec_strerror(rc));
    }
    SC_INFO(st->log, "about: record check: %s", p->check);
}

static int about_action(struct st_station *st, struct st_page *page, enum rc_action action,
                        int64_t time_ns)
{
    (void)time_ns;
    if (st_page_list_move(page, N_ROWS, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus == ROW_CHECK) check_record(st, page->state);
    return 0;
}

static void about_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct about_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "About this station");
    m->view.hint = st_tr(st, "Up/down: read · last row, OK: check the record");
    st_menu_item(m, st_tr(st, "Version"), "studycast " STUDYCAST_VERSION);
    for (int i = 0; i < KEY_LINES; i++)
        st_menu_item(m,
                     i == 0 ? st_tr(st, "Station key (for inspectors)")
                            : st_menu_str(m, st_tr(st, "Station key, line %d"), i + 1),
                     p->grouped[i]);
    char id[64] = "";
    rec_setting_get(st->rec, "station_id", id, sizeof(id));
    st_menu_item(m, st_tr(st, "Station id"), st_menu_str(m, "%s", id));
    st_menu_item(m, st_tr(st, "Data"),
                 st->demo
                     ? st_menu_str(m, st_tr(st, "%s (demo: %s)"), st->base_data_dir, st->data_dir)
                     : st->base_data_dir);
    st_menu_item(m, st_tr(st, "Disk space"), space_text(st, m));
    st_menu_item(
        m, st_tr(st, "Record"),
        st_menu_str(m, st_tr(st, "%lld events"), (long long)rec_last_recorded_seq(st->rec)));
    struct st_sync_view sync;
    st_sync_view(st, &sync);
    char server[ST_COUNTY_CONNINFO_MAX + 1];
    st_station_county_brief(sync.server, server, sizeof(server));
    st_menu_item(m, st_tr(st, "County server"),
                 server[0] ? st_menu_str(m, "%s", server) : st_tr(st, "not set"));
    st_page_county_sync_rows(st, m);
    st_menu_item(m, st_tr(st, "TV (HDMI-CEC)"), tv_text(st, m));
    struct ui_menu_item *check =
        st_menu_item(m, st_tr(st, "Check the record now"),
                     p->check[0] ? p->check : st_tr(st, "not checked yet"));
    check->warning = p->check_failed;
    m->view.focus = page->focus;
}

static void about_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct about_page *p = page->state;
    sc_json_kv_string(j, "public_key", p->key);
    sc_json_kv_bool(j, "tv_adapter", tv_adapter_present(st->tv));
    sc_json_kv_bool(j, "cec", st->tv != NULL);
}

static void about_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops about_ops = {
    .name = "about",
    .action = about_action,
    .view = about_view,
    .status = about_status,
    .destroy = about_destroy,
};

int st_page_about_open(struct st_station *st)
{
    struct about_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    rec_station_public_key_hex(st->rec, p->key);
    for (int g = 0; g < KEY_GROUPS; g++) {
        char *line = p->grouped[g / 4];
        size_t at = strlen(line);
        snprintf(line + at, sizeof(p->grouped[0]) - at, "%s%.4s", g % 4 ? " " : "", p->key + g * 4);
    }
    return st_admin_push(st, &about_ops, p);
}
