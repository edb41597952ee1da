/* Settings > County server: the county's database as `studycast county
 * add-station --json` gave it (host, port, database, user, password), each
 * typed on the on-screen keyboard from the county's sheet, then saved: the
 * credentials into DATA_DIR/county.conninfo (0600), the server without the
 * password into the record (setting county_server), and the station syncs at
 * once and from then on by itself (sync.c). "Stop syncing" clears both. The
 * last two rows tell how the sync goes; it never blocks the menu. */
#include "kiosk/station/admin/admin.h"
#include "kiosk/county/county.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row {
    ROW_HOST,
    ROW_PORT,
    ROW_DBNAME,
    ROW_USER,
    ROW_PASSWORD,
    ROW_SAVE,
    ROW_CLEAR,
    ROW_SYNC_LAST,
    ROW_SYNC_STATUS,
    N_ROWS
};
#define N_FIELDS (ROW_PASSWORD + 1)

static const char *const labels[N_ROWS] = {
    [ROW_HOST] = N_("Server address"), [ROW_PORT] = N_("Port"),
    [ROW_DBNAME] = N_("Database"),     [ROW_USER] = N_("User"),
    [ROW_PASSWORD] = N_("Password"),   [ROW_SAVE] = N_("Save and connect"),
    [ROW_CLEAR] = N_("Stop syncing"),
};
/* the conninfo's key of each field */
static const char *const keys[N_FIELDS] = {"host", "port", "dbname", "user", "password"};

struct county_page {
    char fields[N_FIELDS][128];
    enum row editing; /* the field the keyboard edits */
};

/* The fields of the conninfo kept now (key=value form; a URI is left to the
 * shell: the fields stay empty). */
static void load_fields(struct st_station *st, struct county_page *p)
{
    char conninfo[ST_COUNTY_CONNINFO_MAX + 1], key[64], value[ST_COUNTY_CONNINFO_MAX + 1];
    if (st_station_county_get(st->data_dir, conninfo, sizeof(conninfo)) < 0) return;
    const char *cursor = conninfo;
    while (st_conninfo_pair(&cursor, key, sizeof(key), value, sizeof(value)) > 0)
        for (int i = 0; i < N_FIELDS; i++)
            if (strcmp(key, keys[i]) == 0 && strlen(value) < sizeof(p->fields[i]))
                memcpy(p->fields[i], value, strlen(value) + 1);
}

static int field_done(struct st_station *st, void *opaque, const char *text)
{
    struct county_page *p = opaque;
    if (p->editing == ROW_PORT && text[0] &&
        (strspn(text, "0123456789") != strlen(text) || atol(text) < 1 || atol(text) > 65535)) {
        st_admin_message(st, true, "The port is a number from 1 to 65535");
        return -EINVAL;
    }
    if (strpbrk(text, " ") && p->editing != ROW_PASSWORD) {
        st_admin_message(st, true, "No spaces here");
        return -EINVAL;
    }
    snprintf(p->fields[p->editing], sizeof(p->fields[0]), "%s", text);
    return 0;
}

/* key='value' with ' and \ escaped, as libpq reads it. */
static void append_pair(char *out, size_t size, const char *key, const char *value)
{
    size_t n = strlen(out);
    n += (size_t)snprintf(out + n, size - n, "%s%s='", n ? " " : "", key);
    for (; *value && n + 3 < size; value++) {
        if (*value == '\'' || *value == '\\') out[n++] = '\\';
        out[n++] = *value;
    }
    snprintf(out + n, size - n, "'");
}

/* The conninfo and the record's setting, or the old ones back. */
static int store(struct st_station *st, const char *conninfo)
{
    char old[ST_COUNTY_CONNINFO_MAX + 1] = "", shown[ST_COUNTY_CONNINFO_MAX + 1];
    st_station_county_get(st->data_dir, old, sizeof(old));
    int rc = st_station_county_set(st->data_dir, conninfo, shown, sizeof(shown));
    if (rc < 0) {
        st_admin_message(st, true, "Cannot save the county server: %s", strerror(-rc));
        return rc;
    }
    rc = rec_setting_set(st->rec, "county_server", shown);
    if (rc < 0) {
        st_station_county_set(st->data_dir, old, shown, sizeof(shown));
        st_admin_message(st, true, "Cannot save the setting (nothing changed): %s",
                         rec_strerror(rc));
        return rc;
    }
    SC_INFO(st->log, "settings: county_server = %s", shown[0] ? shown : "(none)");
    st_sync_reload(st);
    return 0;
}

static void save(struct st_station *st, struct county_page *p)
{
    if (st->demo) {
        st_admin_message(st, true, "The demo does not sync with the county");
        return;
    }
    for (int i = 0; i < N_FIELDS; i++)
        if (i != ROW_PORT && !p->fields[i][0]) {
            st_admin_message(st, true, "%s is missing", st_tr(st, labels[i]));
            return;
        }
    char conninfo[ST_COUNTY_CONNINFO_MAX + 1] = "";
    for (int i = 0; i < N_FIELDS; i++)
        append_pair(conninfo, sizeof(conninfo), keys[i],
                    i == ROW_PORT && !p->fields[i][0] ? "5432" : p->fields[i]);
    if (store(st, conninfo) == 0)
        st_admin_message(st, false,
                         "Saved: the station syncs with the county now and then by "
                         "itself");
}

static int county_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct county_page *p = page->state;
    if (st_page_list_move(page, N_ROWS, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    enum row row = (enum row)page->focus;
    if (row < N_FIELDS) {
        p->editing = row;
        return st_page_keyboard_open(st, st_tr(st, labels[row]), p->fields[row],
                                     sizeof(p->fields[0]) - 1, field_done, p);
    }
    if (row == ROW_SAVE) save(st, p);
    if (row == ROW_CLEAR && store(st, "") == 0) {
        memset(p->fields, 0, sizeof(p->fields));
        st_admin_message(st, false, "The station no longer syncs with the county");
    }
    return 0;
}

/* What the administrator can do about a failure, in a few words. */
static const char *failure_text(int error)
{
    switch (error) {
    case CTY_ECONNECT:
        return N_("no connection to the county server, retrying by itself");
    case CTY_EAUTH:
        return N_("the county server refused the user or password");
    case CTY_ENOTREG:
        return N_("the county server does not know this station: ask the county");
    case CTY_EMISMATCH: /* another station's login, another key, or a record older than the county's
                         */
        return N_("the county holds another key or record for this station: ask the county");
    case CTY_ESCHEMA:
        return N_("the county database is not set up: ask the county");
    default:
        return N_("the sync failed, retrying by itself");
    }
}

void st_page_county_sync_rows(struct st_station *st, struct st_menu *m)
{
    struct st_sync_view v;
    st_sync_view(st, &v);
    char when[40] = "";
    if (v.last_ok_utc) { /* "YYYY-MM-DD HH:MM" of the ISO 8601 local time */
        sch_format_local(v.last_ok_utc, st->utc_offset_s, when, sizeof(when));
        when[10] = ' ';
        when[16] = '\0';
    }
    const char *last = v.state == ST_SYNC_OFF ? st_tr(st, "not set")
                       : when[0]              ? st_menu_str(m, "%s", when)
                                              : st_tr(st, "never");
    st_menu_item(m, st_tr(st, "Last sync"), last);
    const char *status = "";
    const char *waiting = st_menu_str(m, st_tr(st, "%lld events waiting"), (long long)v.pending);
    switch (v.state) {
    case ST_SYNC_OFF:
        status = st_tr(st, "not set");
        break;
    case ST_SYNC_SYNCING:
        status = st_tr(st, "syncing…");
        break;
    case ST_SYNC_IDLE:
        status = v.pending ? waiting : st_tr(st, "everything sent");
        break;
    default:
        /* TRANSLATORS: events waiting; what went wrong */
        status = st_menu_str(m, st_tr(st, "%s; %s"), waiting, st_tr(st, failure_text(v.error)));
        break;
    }
    struct ui_menu_item *row = st_menu_item(m, st_tr(st, "Sync status"), status);
    row->warning = v.state == ST_SYNC_RETRYING || v.state == ST_SYNC_ERROR;
}

static void county_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct county_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "County server");
    m->view.hint = st_tr(st, "From the county's sheet · OK: type · Save and connect when done");
    for (int i = 0; i < N_FIELDS; i++) {
        const char *value = p->fields[i];
        if (i == ROW_PASSWORD && value[0]) value = st_menu_str(m, "%s", "••••••••");
        if (i == ROW_PORT && !value[0]) value = "5432";
        st_menu_item(m, st_tr(st, labels[i]), value[0] ? value : st_tr(st, "(not set)"));
    }
    st_menu_item(m, st_tr(st, labels[ROW_SAVE]), NULL);
    st_menu_item(m, st_tr(st, labels[ROW_CLEAR]), NULL);
    st_page_county_sync_rows(st, m);
    m->view.focus = page->focus;
}

static void county_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct county_page *p = page->state;
    for (int i = 0; i < ROW_PASSWORD; i++)
        sc_json_kv_string(j, keys[i], p->fields[i]);
    sc_json_kv_bool(j, "password_set", p->fields[ROW_PASSWORD][0] != '\0');
}

static void county_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops county_ops = {
    .name = "county",
    .action = county_action,
    .view = county_view,
    .status = county_status,
    .destroy = county_destroy,
};

int st_page_county_open(struct st_station *st)
{
    struct county_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    load_fields(st, p);
    return st_admin_push(st, &county_ops, p);
}
