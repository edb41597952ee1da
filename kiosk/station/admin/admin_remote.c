/* Settings -> Remote: learning a remote's keys. Each row is an action with
 * the keys bound to it now; OK on a row waits for a key ("press the key for
 * OK"), which is added to that action (the other keys keep working), written
 * at once to the keymap file (rc_keymap_format, atomically) and used at once:
 * the reader thread and SDL look keys up in the same keymap. A key already
 * bound to another action is pointed out: OK moves it, BACK skips it. A key
 * that means BACK now, or BACK from the control socket, cancels the wait.
 * Keys come from SDL, from input devices (kernel names) and from the control
 * socket's "key" command alike (st_page_remote_key). The last row restores
 * the built-in keys.
 *
 * The keymap file is the one the kiosk loaded (st_keymap_path); when it
 * cannot be written (a read-only /etc, a kiosk user that does not own it),
 * the map goes to DATA_DIR/keymap.conf, which the kiosk loads from then on. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The actions a remote is taught, in the order the page lists them. */
static const struct {
    enum rc_action action;
    const char *label; /* msgid */
} rows[] = {
    {RC_ACTION_OK, N_("OK")},
    {RC_ACTION_BACK, N_("BACK")},
    {RC_ACTION_MENU, N_("MENU")},
    {RC_ACTION_UP, N_("Up")},
    {RC_ACTION_DOWN, N_("Down")},
    {RC_ACTION_LEFT, N_("Left")},
    {RC_ACTION_RIGHT, N_("Right")},
    {RC_ACTION_DIGIT_0 + 1, N_("Digit 1")},
    {RC_ACTION_DIGIT_0 + 2, N_("Digit 2")},
    {RC_ACTION_DIGIT_0 + 3, N_("Digit 3")},
    {RC_ACTION_DIGIT_0 + 4, N_("Digit 4")},
    {RC_ACTION_DIGIT_0 + 5, N_("Digit 5")},
    {RC_ACTION_DIGIT_0 + 6, N_("Digit 6")},
    {RC_ACTION_DIGIT_0 + 7, N_("Digit 7")},
    {RC_ACTION_DIGIT_0 + 8, N_("Digit 8")},
    {RC_ACTION_DIGIT_0 + 9, N_("Digit 9")},
    {RC_ACTION_DIGIT_0, N_("Digit 0")},
    {RC_ACTION_INFO, N_("Info")},
    {RC_ACTION_VOLUME_UP, N_("Volume up")},
    {RC_ACTION_VOLUME_DOWN, N_("Volume down")},
    {RC_ACTION_MUTE, N_("Mute")},
    {RC_ACTION_CHANNEL_UP, N_("Channel up")},
    {RC_ACTION_CHANNEL_DOWN, N_("Channel down")},
};
#define N_ACTIONS   (sizeof(rows) / sizeof(rows[0]))
#define ROW_DEFAULT ((int)N_ACTIONS) /* "restore the built-in keys" */
#define N_ROWS      (N_ACTIONS + 1)
#define MAX_SHOWN   4 /* keys named per row */
/* the same press from SDL and from an input device: only the first is learnt */
#define TWIN_NS (2 * ST_INPUT_TWIN_NS)

enum remote_state {
    REMOTE_IDLE,
    REMOTE_WAIT,     /* for a key for rows[focus] */
    REMOTE_CONFLICT, /* key is bound to other: OK moves it, BACK skips */
    REMOTE_RESET,    /* OK restores the built-in keys */
};

struct remote_page {
    enum remote_state state;
    char key[RC_KEY_NAME_MAX];
    enum rc_action other;
    int64_t learnt_ns; /* the last key taken, for TWIN_NS */
    char learnt[RC_KEY_NAME_MAX];
};

static const char *action_label(struct st_station *st, enum rc_action action)
{
    for (size_t i = 0; i < N_ACTIONS; i++)
        if (rows[i].action == action) return st_tr(st, rows[i].label);
    return rc_action_name(action);
}

/* The keys of an action as one line ("Return, KEY_OK, ..."). */
static const char *keys_text(struct st_station *st, struct st_menu *m, enum rc_action action)
{
    char names[MAX_SHOWN][RC_KEY_NAME_MAX];
    size_t n = rc_keymap_keys(st->keymap, action, names, MAX_SHOWN);
    if (n == 0) return st_tr(st, "(no key)");
    char line[MAX_SHOWN * (RC_KEY_NAME_MAX + 2) + 8] = "";
    for (size_t i = 0; i < n && i < MAX_SHOWN; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? ", " : "", names[i]);
    if (n > MAX_SHOWN) snprintf(line + strlen(line), sizeof(line) - strlen(line), ", …");
    return st_menu_str(m, "%s", line);
}

/* Writes the keymap where it was loaded from, else to the data dir. */
static int save(struct st_station *st)
{
    struct sc_buf text = {0};
    char when[40];
    sch_format_local(st_now_utc(st), st->utc_offset_s, when, sizeof(when));
    sc_buf_printf(&text,
                  "# studycast keymap: KEYNAME = action, over the built-in keys.\n"
                  "# Written by the kiosk's Settings -> Remote on %s.\n",
                  when);
    int rc = rc_keymap_format(st->keymap, &text);
    if (rc >= 0) rc = sc_write_file_atomic(st->input.keymap_file, text.data, text.len);
    if (rc == -EACCES || rc == -EPERM || rc == -EROFS || rc == -ENOENT || rc == -ENOTDIR) {
        char fallback[PATH_MAX + 16];
        snprintf(fallback, sizeof(fallback), "%s/%s", st->base_data_dir, ST_KEYMAP_LEARNT);
        SC_WARN(st->log, "keymap %s cannot be written (%s): writing %s, used from now on",
                st->input.keymap_file, strerror(-rc), fallback);
        rc = sc_write_file_atomic(fallback, text.data, text.len);
        if (rc == 0) {
            st_admin_message(st, false, "Saved in %s (%s cannot be written): used from now on",
                             fallback, st->input.keymap_file);
            snprintf(st->input.keymap_file, sizeof(st->input.keymap_file), "%s", fallback);
            sc_buf_free(&text);
            return 1;
        }
    }
    sc_buf_free(&text);
    if (rc < 0) {
        SC_ERR(st->log, "keymap %s: %s", st->input.keymap_file, strerror(-rc));
        st_admin_message(st, true, "The keys work now but cannot be kept: %s", strerror(-rc));
        return rc;
    }
    SC_INFO(st->log, "keymap written to %s", st->input.keymap_file);
    return 0;
}

/* key -> the focused row's action, saved; the focus moves on. */
static void learn(struct st_station *st, struct st_page *page, const char *key)
{
    struct remote_page *p = page->state;
    enum rc_action action = rows[page->focus].action;
    p->state = REMOTE_IDLE;
    int rc = rc_keymap_bind(st->keymap, key, action);
    if (rc < 0) {
        st_admin_message(st, true, "The key %s cannot be learnt: %s", key, strerror(-rc));
        return;
    }
    SC_INFO(st->log, "remote: %s learnt for %s", key, rc_action_name(action));
    if (save(st) == 0)
        st_admin_message(st, false, "Saved: %s is a key for %s", key, action_label(st, action));
    if (page->focus + 1 < ROW_DEFAULT) page->focus++;
}

static const struct st_page_ops remote_ops;

bool st_page_remote_key(struct st_station *st, const char *key_name, int64_t time_ns)
{
    struct st_page *page = st->screen == UI_SCREEN_MENU ? st_admin_top(st) : NULL;
    if (!page || page->ops != &remote_ops) return false;
    struct remote_page *p = page->state;
    char key[RC_KEY_NAME_MAX];
    if (p->learnt_ns && time_ns - p->learnt_ns < TWIN_NS && time_ns >= p->learnt_ns) {
        SC_DEBUG(st->log, "remote: %s right after %s: the same press", key_name, p->learnt);
        return true;
    }
    if (p->state != REMOTE_WAIT) return false;
    st->view_dirty = true;
    st->admin->idle_until_ns = sc_mono_ns() + (int64_t)ST_ADMIN_IDLE_S * 1000000000LL;
    st->admin->message[0] = '\0';
    if (rc_keymap_canonical(key_name, key) < 0) {
        st_admin_message(st, true, "The key %s cannot be learnt", key_name);
        return true;
    }
    p->learnt_ns = time_ns;
    snprintf(p->learnt, sizeof(p->learnt), "%s", key);
    enum rc_action want = rows[page->focus].action, now = rc_keymap_lookup(st->keymap, key);
    if (now == want) {
        p->state = REMOTE_IDLE;
        st_admin_message(st, false, "%s is already a key for %s", key, action_label(st, want));
        if (page->focus + 1 < ROW_DEFAULT) page->focus++;
    } else if (now == RC_ACTION_BACK) {
        p->state = REMOTE_IDLE;
        st_admin_message(st, false, "Cancelled: nothing changed");
    } else if (now == RC_ACTION_NONE) {
        learn(st, page, key);
    } else {
        p->state = REMOTE_CONFLICT;
        snprintf(p->key, sizeof(p->key), "%s", key);
        p->other = now;
    }
    return true;
}

static int remote_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct remote_page *p = page->state;
    switch (p->state) {
    case REMOTE_WAIT: /* keys are taken by st_page_remote_key; presses only cancel */
        if (action == RC_ACTION_BACK) {
            p->state = REMOTE_IDLE;
            st_admin_message(st, false, "Cancelled: nothing changed");
        }
        return 0;
    case REMOTE_CONFLICT:
        if (action == RC_ACTION_OK) {
            learn(st, page, p->key);
        } else if (action == RC_ACTION_BACK) {
            p->state = REMOTE_IDLE;
            st_admin_message(st, false, "Skipped: %s stays a key for %s", p->key,
                             action_label(st, p->other));
        }
        return 0;
    case REMOTE_RESET:
        p->state = REMOTE_IDLE;
        if (action != RC_ACTION_OK) return 0;
        if (rc_keymap_reset(st->keymap) < 0) {
            st_admin_message(st, true, "Out of memory: the keys are as they were");
            return 0;
        }
        SC_INFO(st->log, "remote: the built-in keys restored");
        if (save(st) == 0) st_admin_message(st, false, "Saved: the built-in keys are back");
        return 0;
    default:
        break;
    }
    if (st_page_list_move(page, N_ROWS, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    p->state = page->focus == ROW_DEFAULT ? REMOTE_RESET : REMOTE_WAIT;
    p->learnt_ns = 0;
    return 0;
}

/* The line above the hint: what the page waits for (NULL: nothing). */
static const char *prompt(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct remote_page *p = page->state;
    if (p->state == REMOTE_WAIT)
        return st_menu_str(m, st_tr(st, "Press the key for %s on the remote"),
                           action_label(st, rows[page->focus].action));
    if (p->state == REMOTE_CONFLICT)
        return st_menu_str(m, st_tr(st, "%s is a key for %s now"), p->key,
                           action_label(st, p->other));
    if (p->state == REMOTE_RESET) return st_tr(st, "Restore the built-in keys?");
    return NULL;
}

static const char *hint(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct remote_page *p = page->state;
    switch (p->state) {
    case REMOTE_WAIT:
        return st_tr(st, "BACK: cancel");
    case REMOTE_CONFLICT:
        return st_menu_str(m, st_tr(st, "OK: make it the key for %s · BACK: skip"),
                           action_label(st, rows[page->focus].action));
    case REMOTE_RESET:
        return st_tr(st, "OK: restore the built-in keys (learnt keys are forgotten) · BACK: keep");
    default:
        return st_tr(st, "Up/down: choose · OK: learn a key · BACK: leave");
    }
}

static void remote_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct remote_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "Remote");
    for (size_t i = 0; i < N_ACTIONS; i++) {
        bool here = page->focus == (int)i;
        const char *value = keys_text(st, m, rows[i].action);
        if (here && p->state == REMOTE_WAIT) value = st_tr(st, "press a key…");
        if (here && p->state == REMOTE_CONFLICT) value = st_menu_str(m, "%s ?", p->key);
        struct ui_menu_item *it = st_menu_item(m, st_tr(st, rows[i].label), value);
        it->editing = here && (p->state == REMOTE_WAIT || p->state == REMOTE_CONFLICT);
        it->warning = here && p->state == REMOTE_CONFLICT;
    }
    struct ui_menu_item *reset = st_menu_item(m, st_tr(st, "Restore the built-in keys"), NULL);
    reset->editing = p->state == REMOTE_RESET;
    m->view.focus = page->focus;
    m->view.hint = hint(st, page, m);
    const char *waiting = prompt(st, page, m);
    if (waiting) {
        m->view.message = waiting;
        m->view.message_error = p->state != REMOTE_WAIT;
    }
}

static void remote_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct remote_page *p = page->state;
    static const char *const states[] = {"idle", "wait", "conflict", "reset"};
    sc_json_kv_string(j, "learn", states[p->state]);
    sc_json_kv_string(j, "learn_action",
                      page->focus < ROW_DEFAULT ? rc_action_name(rows[page->focus].action) : NULL);
    sc_json_kv_string(j, "conflict_key", p->state == REMOTE_CONFLICT ? p->key : NULL);
    sc_json_kv_string(j, "keymap_file", st->input.keymap_file);
    sc_json_key(j, "keys");
    sc_json_object_begin(j);
    for (size_t i = 0; i < N_ACTIONS; i++) {
        char names[16][RC_KEY_NAME_MAX];
        size_t n = rc_keymap_keys(st->keymap, rows[i].action, names, 16);
        sc_json_key(j, rc_action_name(rows[i].action));
        sc_json_array_begin(j);
        for (size_t k = 0; k < n && k < 16; k++)
            sc_json_string(j, names[k]);
        sc_json_array_end(j);
    }
    sc_json_object_end(j);
}

static void remote_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops remote_ops = {
    .name = "remote",
    .action = remote_action,
    .view = remote_view,
    .status = remote_status,
    .destroy = remote_destroy,
};

int st_page_remote_open(struct st_station *st)
{
    struct remote_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    return st_admin_push(st, &remote_ops, p);
}
