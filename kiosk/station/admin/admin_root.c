/* The menu's first page: the sections. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>

static int change_pin(struct st_station *st)
{
    return st_page_pin_change(st);
}

/* The sections in the order the remote walks them. */
static const struct {
    const char *label; /* msgid */
    int (*open)(struct st_station *st);
} sections[] = {
    {N_("Schedule"), st_page_schedule_open}, {N_("Guide"), st_page_guide_open},
    {N_("Services"), st_page_services_open}, {N_("Members"), st_page_members_open},
    {N_("Records"), st_page_records_open},   {N_("Settings"), st_page_settings_open},
    {N_("About"), st_page_about_open},       {N_("Change the PIN"), change_pin},
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static int root_action(struct st_station *st, struct st_page *page, enum rc_action action,
                       int64_t time_ns)
{
    (void)time_ns;
    if (st_page_list_move(page, N_SECTIONS, action) == 0) return 0;
    int digit = rc_action_digit(action);
    if (digit >= 1 && digit <= (int)N_SECTIONS) { /* digits jump straight to a section */
        page->focus = digit - 1;
        action = RC_ACTION_OK;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    return sections[page->focus].open(st);
}

static void root_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "Administrator's menu");
    m->view.hint = st_tr(st, "Up/down or digits: choose · OK: open · MENU: leave");
    for (size_t i = 0; i < N_SECTIONS; i++)
        st_menu_item(m, st_menu_str(m, "%zu  %s", i + 1, st_tr(st, sections[i].label)), NULL);
    m->view.focus = page->focus;
}

static const struct st_page_ops root_ops = {
    .name = "root",
    .action = root_action,
    .view = root_view,
};

int st_page_root_open(struct st_station *st)
{
    return st_admin_replace(st, &root_ops, NULL);
}
