/* The administrator's menu: the page stack, the view builder, the MENU
 * screen's actions, its idle timeout and its part of `ctl status`. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

/* ---- the view builder ---- */

static void *grow(void *array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return array;
    size_t cap2 = *cap ? *cap * 2 : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(array, cap2 * size);
    if (p) *cap = cap2;
    return p;
}

const char *st_menu_str(struct st_menu *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    char **strings =
        n < 0 ? NULL : grow(m->strings, &m->cap_strings, m->n_strings + 1, sizeof(*m->strings));
    if (!strings) {
        free(n < 0 ? NULL : s);
        m->failed = true;
        return "";
    }
    m->strings = strings;
    m->strings[m->n_strings++] = s;
    return s;
}

struct ui_menu_item *st_menu_item(struct st_menu *m, const char *label, const char *value)
{
    static const struct ui_menu_item blank;
    struct ui_menu_item *items = grow(m->items, &m->cap_items, m->n_items + 1, sizeof(*m->items));
    if (!items) {
        m->failed = true;
        m->scratch = blank; /* a row nobody shows: the caller may still set its flags */
        return &m->scratch;
    }
    m->items = items;
    struct ui_menu_item *it = &m->items[m->n_items++];
    *it = blank;
    it->label = label ? label : "";
    it->value = value;
    return it;
}

static void menu_free(struct st_menu *m)
{
    for (size_t i = 0; i < m->n_strings; i++)
        free(m->strings[i]);
    free(m->strings);
    free(m->items);
}

/* Runs the top page's view into m (the caller frees it with menu_free). */
static void build(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    memset(m, 0, sizeof(*m));
    m->view.focus = -1;
    struct st_admin *a = st->admin;
    if (a->message[0]) {
        m->view.message = a->message;
        m->view.message_error = a->message_error;
    }
    page->ops->view(st, page, m);
    m->view.items = m->items;
    m->view.n_items = m->n_items;
    if (m->view.focus >= (int)m->n_items) m->view.focus = (int)m->n_items - 1;
}

/* ---- the stack ---- */

struct st_page *st_admin_top(struct st_station *st)
{
    struct st_admin *a = st->admin;
    return a && a->depth > 0 ? &a->pages[a->depth - 1] : NULL;
}

static void destroy_page(struct st_station *st, struct st_page *page)
{
    struct st_page copy = *page;
    memset(page, 0, sizeof(*page));
    if (copy.ops && copy.ops->destroy) copy.ops->destroy(st, &copy);
}

static void touched(struct st_station *st)
{
    st->admin->idle_until_ns = sc_mono_ns() + (int64_t)ST_ADMIN_IDLE_S * NS_PER_S;
    st->view_dirty = true;
}

int st_admin_push(struct st_station *st, const struct st_page_ops *ops, void *state)
{
    struct st_admin *a = st->admin;
    struct st_page page = {.ops = ops, .state = state};
    if (a->depth >= ST_ADMIN_DEPTH) {
        SC_ERR(st->log, "menu: too many pages open to open '%s'", ops->name);
        destroy_page(st, &page);
        return -E2BIG;
    }
    a->pages[a->depth++] = page;
    a->message[0] = '\0';
    SC_DEBUG(st->log, "menu: page %s", ops->name);
    touched(st);
    st_set_screen(st, UI_SCREEN_MENU);
    return 0;
}

int st_admin_replace(struct st_station *st, const struct st_page_ops *ops, void *state)
{
    struct st_admin *a = st->admin;
    if (a->depth > 0) destroy_page(st, &a->pages[--a->depth]);
    return st_admin_push(st, ops, state);
}

void st_admin_close(struct st_station *st)
{
    struct st_admin *a = st->admin;
    if (!a) return;
    bool was_open = a->depth > 0;
    while (a->depth > 0)
        destroy_page(st, &a->pages[--a->depth]);
    a->message[0] = '\0';
    if (was_open) SC_INFO(st->log, "menu closed");
    if (atomic_load(&st->stop))
        while (a->n_orphans > 0)
            pthread_join(a->orphans[--a->n_orphans], NULL);
    if (st->screen == UI_SCREEN_MENU) st_set_screen(st, UI_SCREEN_HOME);
}

int st_admin_orphan(struct st_station *st, pthread_t thread)
{
    struct st_admin *a = st->admin;
    for (int i = 0; i < a->n_orphans;) /* those already finished first */
        if (pthread_tryjoin_np(a->orphans[i], NULL) == 0)
            a->orphans[i] = a->orphans[--a->n_orphans];
        else
            i++;
    if (a->n_orphans >= ST_ADMIN_ORPHANS) return -ENOSPC;
    a->orphans[a->n_orphans++] = thread;
    return 0;
}

void st_admin_pop(struct st_station *st)
{
    struct st_admin *a = st->admin;
    if (a->depth <= 1) {
        st_admin_close(st);
        return;
    }
    destroy_page(st, &a->pages[--a->depth]);
    struct st_page *top = st_admin_top(st);
    if (top->ops->resume) top->ops->resume(st, top);
    touched(st);
}

void st_admin_message(struct st_station *st, bool error, const char *fmt_msgid, ...)
{
    struct st_admin *a = st->admin;
    va_list ap;
    va_start(ap, fmt_msgid);
    vsnprintf(a->message, sizeof(a->message), st_tr(st, fmt_msgid), ap);
    va_end(ap);
    a->message_error = error;
    if (error)
        SC_WARN(st->log, "menu: %s", a->message);
    else
        SC_INFO(st->log, "menu: %s", a->message);
    st->view_dirty = true;
}

/* ---- the MENU screen ---- */

int st_admin_open(struct st_station *st)
{
    if (st->course.active && !st->course.pretune) {
        st_toast(st, false, "The menu opens when no course is playing.");
        return -EBUSY;
    }
    if (st->course.active) {
        st_toast(st, false, "A course starts in a moment: the menu opens after it.");
        return -EBUSY;
    }
    SC_INFO(st->log, "menu opened");
    return st_page_pin_open(st);
}

int st_page_list_move(struct st_page *page, size_t n, enum rc_action action)
{
    if (n == 0 || (action != RC_ACTION_UP && action != RC_ACTION_DOWN)) return -ENOTSUP;
    int step = action == RC_ACTION_UP ? -1 : 1;
    page->focus = (int)((page->focus + step + (int)n) % (int)n);
    return 0;
}

int st_admin_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    struct st_page *top = st_admin_top(st);
    if (!top) {
        st_set_screen(st, UI_SCREEN_HOME);
        return -ENOTSUP;
    }
    touched(st);
    st->admin->message[0] = '\0';
    int rc = top->ops->action(st, top, action, time_ns);
    if (rc != -ENOTSUP) return rc;
    if (action == RC_ACTION_BACK) {
        st_admin_pop(st);
        return 0;
    }
    if (action == RC_ACTION_MENU) {
        st_admin_close(st);
        return 0;
    }
    return -ENOTSUP;
}

int st_admin_show(struct st_station *st)
{
    struct st_page *top = st_admin_top(st);
    if (!top) return -ENOENT;
    struct st_menu m;
    build(st, top, &m);
    struct ui_view view = {.screen = UI_SCREEN_MENU, .u.menu = m.view};
    int rc = ui_show(st->ui, &view);
    menu_free(&m);
    return rc;
}

int64_t st_admin_deadline_ns(struct st_station *st)
{
    struct st_page *top = st_admin_top(st);
    if (!top) return INT64_MAX;
    int64_t deadline = st->admin->idle_until_ns;
    if (top->ops->deadline_ns) {
        int64_t own = top->ops->deadline_ns(st, top);
        if (own < deadline) deadline = own;
    }
    return deadline;
}

void st_admin_timeouts(struct st_station *st, int64_t now_ns)
{
    struct st_page *top = st_admin_top(st);
    if (!top) return;
    if (now_ns >= st->admin->idle_until_ns) {
        SC_INFO(st->log, "menu: no key for %d s, closing it", ST_ADMIN_IDLE_S);
        st_admin_close(st);
        return;
    }
    if (top->ops->deadline_ns && now_ns >= top->ops->deadline_ns(st, top)) st->view_dirty = true;
}

static const char *kind_name(enum ui_menu_kind kind)
{
    static const char *const names[] = {"list", "pin", "calendar", "guide", "report", "keyboard"};
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

/* `ctl status`: "menu": what the page shows, for tests and remote bridges. */
void st_admin_status(struct st_station *st, struct sc_json *j)
{
    struct st_page *top = st_admin_top(st);
    if (!top) return;
    struct st_menu m;
    build(st, top, &m);
    sc_json_key(j, "menu");
    sc_json_object_begin(j);
    sc_json_kv_string(j, "page", top->ops->name);
    sc_json_kv_int(j, "depth", st->admin->depth);
    sc_json_kv_string(j, "kind", kind_name(m.view.kind));
    sc_json_kv_string(j, "title", m.view.title);
    sc_json_kv_string(j, "message", m.view.message);
    sc_json_kv_bool(j, "message_error", m.view.message_error);
    sc_json_kv_int(j, "focus", m.view.focus);
    sc_json_key(j, "items");
    sc_json_array_begin(j);
    for (size_t i = 0; i < m.n_items; i++) {
        const struct ui_menu_item *it = &m.items[i];
        sc_json_object_begin(j);
        sc_json_kv_string(j, "label", it->label);
        if (it->value) sc_json_kv_string(j, "value", it->value);
        if (it->editing) sc_json_kv_bool(j, "editing", true);
        if (it->disabled) sc_json_kv_bool(j, "disabled", true);
        if (it->warning) sc_json_kv_bool(j, "warning", true);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
    if (top->ops->status) top->ops->status(st, top, j);
    sc_json_object_end(j);
    menu_free(&m);
}
