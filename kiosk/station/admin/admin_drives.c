/* The USB sticks a menu page offers (members import, records export): the
 * list, its re-scan on the page's deadline, its rows. */
#include "kiosk/station/admin/admin.h"
#include "kiosk/station/drives.h"

#include <string.h>

struct st_drives_env st_drives_env(const struct st_station *st)
{
    return (struct st_drives_env){.media_dir = st->opts.media_dir};
}

void st_drive_list_scan(const struct st_station *st, struct st_drive_list *list)
{
    struct st_drives_env env = st_drives_env(st);
    struct st_drive now[ST_DRIVES_MAX];
    size_t n = 0;
    int rc = st_drives_scan(&env, now, &n);
    if (rc < 0 && rc != list->error)
        SC_WARN(st->log, "cannot look for USB sticks (%s): %s",
                st->opts.media_dir ? st->opts.media_dir : "/proc/self/mountinfo", strerror(-rc));
    if (!st_drives_same(list->items, list->n, now, n) || rc != list->error) {
        for (size_t i = 0; i < n; i++) {
            bool known = false;
            for (size_t k = 0; k < list->n; k++)
                known |= strcmp(list->items[k].path, now[i].path) == 0;
            if (!known) SC_INFO(st->log, "USB stick found: %s (%s)", now[i].label, now[i].path);
        }
        for (size_t k = 0; k < list->n; k++) {
            bool still = false;
            for (size_t i = 0; i < n; i++)
                still |= strcmp(list->items[k].path, now[i].path) == 0;
            if (!still) SC_INFO(st->log, "USB stick gone: %s", list->items[k].path);
        }
        memcpy(list->items, now, n * sizeof(now[0]));
        list->n = n;
        list->changed = true;
    }
    list->error = rc < 0 ? rc : 0;
    list->next_scan_ns = sc_mono_ns() + ST_DRIVES_RESCAN_NS;
}

int64_t st_drive_list_deadline(const struct st_station *st, struct st_drive_list *list)
{
    if (sc_mono_ns() >= list->next_scan_ns) st_drive_list_scan(st, list);
    return list->changed ? 0 : list->next_scan_ns;
}

void st_drive_list_rows(struct st_station *st, struct st_menu *m, struct st_drive_list *list)
{
    list->changed = false;
    if (list->n == 0) {
        st_menu_item(m, st_tr(st, "No USB stick: insert one"), NULL)->disabled = true;
        return;
    }
    for (size_t i = 0; i < list->n; i++) {
        const struct st_drive *d = &list->items[i];
        char space[32];
        st_drive_format_bytes(d->free_bytes, space, sizeof(space));
        const char *value =
            d->read_only ? st_tr(st, "read-only") : st_menu_str(m, st_tr(st, "%s free"), space);
        st_menu_item(m, st_menu_str(m, "USB  %s", d->label), value);
    }
}
