/* The PIN page: the way into the menu (and choosing a new PIN). Wrong entries
 * and the lock-out are counted on disk by pin.c, so switching the receiver
 * off and on gives no fresh tries. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum pin_mode {
    PIN_ENTER,  /* the PIN opens the menu */
    PIN_NEW,    /* choosing a PIN */
    PIN_REPEAT, /* the new PIN once more */
};

struct pin_page {
    enum pin_mode mode;
    bool changing; /* from the root page: back there when done */
    char digits[ST_PIN_MAX_DIGITS + 1];
    char first[ST_PIN_MAX_DIGITS + 1]; /* PIN_REPEAT: what was typed under PIN_NEW */
    struct st_pin_state state;
    int damaged; /* -EBADMSG damaged, -EIO unreadable PIN file: the menu stays shut */
};

static void wipe(struct pin_page *p)
{
    sodium_memzero(p->digits, sizeof(p->digits));
}

static int64_t lock_left_s(struct st_station *st, const struct pin_page *p)
{
    int64_t left = p->state.locked_until_utc - st_now_utc(st);
    return left > 0 ? left : 0;
}

static void wrong(struct st_station *st, struct pin_page *p, int rc)
{
    if (rc == -EAGAIN || p->state.locked_until_utc > st_now_utc(st)) {
        int64_t minutes = (lock_left_s(st, p) + 59) / 60;
        st_admin_message(st, true, "Too many wrong PINs: locked for %d more minutes", (int)minutes);
    } else if (rc == -EACCES) {
        st_admin_message(st, true, "Wrong PIN: %d tries left",
                         ST_PIN_MAX_TRIES - p->state.failures);
    } else if (rc == -EBADMSG) {
        p->damaged = rc;
        st_admin_message(st, true,
                         "The PIN file is damaged: set a new PIN with 'studycast pin set'");
    } else if (rc == -EIO) {
        p->damaged = rc;
        st_admin_message(st, true,
                         "The PIN file cannot be read: set a new PIN with 'studycast pin set'");
    } else {
        st_admin_message(st, true, "Cannot check the PIN: %s", strerror(-rc));
    }
}

static int submit(struct st_station *st, struct pin_page *p)
{
    size_t n = strlen(p->digits);
    if (p->mode != PIN_ENTER && n < ST_PIN_MIN_DIGITS) {
        st_admin_message(st, true, "A PIN has %d to %d digits", ST_PIN_MIN_DIGITS,
                         ST_PIN_MAX_DIGITS);
        return 0;
    }
    if (p->mode == PIN_NEW) {
        memcpy(p->first, p->digits, sizeof(p->first));
        wipe(p);
        p->mode = PIN_REPEAT;
        return 0;
    }
    if (p->mode == PIN_REPEAT) {
        bool same = strcmp(p->first, p->digits) == 0;
        sodium_memzero(p->first, sizeof(p->first));
        int rc = same ? st_station_pin_set(st->base_data_dir, p->digits) : 0;
        wipe(p);
        p->mode = PIN_NEW;
        if (!same) {
            st_admin_message(st, true, "The two PINs differ: choose the PIN again");
            return 0;
        }
        if (rc < 0) {
            st_admin_message(st, true, "Cannot save the PIN: %s", strerror(-rc));
            return 0;
        }
        SC_INFO(st->log, "menu: a new PIN was set");
        bool changing = p->changing;
        if (changing) {
            st_admin_pop(st);
        } else if (st_page_root_open(st) < 0) {
            return -ENOMEM;
        }
        st_admin_message(st, false, "The new PIN is saved");
        return 0;
    }
    int rc = st_station_pin_check(st->base_data_dir, p->digits, st_now_utc(st), &p->state);
    wipe(p);
    if (rc == 0) {
        SC_INFO(st->log, "menu: PIN accepted");
        return st_page_root_open(st);
    }
    if (rc == -ENOENT) { /* the PIN file went away meanwhile: choose one */
        p->mode = PIN_NEW;
        return 0;
    }
    SC_WARN(st->log, "menu: PIN refused (%s, %d wrong in a row)", strerror(-rc), p->state.failures);
    wrong(st, p, rc);
    return 0;
}

static int pin_action(struct st_station *st, struct st_page *page, enum rc_action action,
                      int64_t time_ns)
{
    (void)time_ns;
    struct pin_page *p = page->state;
    size_t n = strlen(p->digits);
    int digit = rc_action_digit(action);
    bool shut = p->mode == PIN_ENTER && (p->damaged || lock_left_s(st, p) > 0);
    if (shut && (digit >= 0 || action == RC_ACTION_OK)) { /* say why, every time */
        wrong(st, p, p->damaged ? p->damaged : -EAGAIN);
        return 0;
    }
    if (digit >= 0) {
        if (n < ST_PIN_MAX_DIGITS) {
            p->digits[n] = (char)('0' + digit);
            p->digits[n + 1] = '\0';
        }
        return 0;
    }
    if (action == RC_ACTION_LEFT || (action == RC_ACTION_BACK && n > 0)) {
        if (n > 0) p->digits[n - 1] = '\0';
        return 0;
    }
    if (action == RC_ACTION_OK) return n > 0 ? submit(st, p) : 0;
    return -ENOTSUP;
}

static void pin_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct pin_page *p = page->state;
    m->view.kind = UI_MENU_PIN;
    m->view.title = p->mode == PIN_ENTER ? st_tr(st, "Administrator's PIN")
                    : p->mode == PIN_NEW ? st_tr(st, "Choose the administrator's PIN")
                                         : st_tr(st, "Enter the new PIN again");
    m->view.hint = st_tr(st, "Digits: PIN · OK: enter · BACK: delete or leave");
    m->view.u.pin.entered = (int)strlen(p->digits);
    m->view.u.pin.length = p->mode == PIN_ENTER ? 0 : ST_PIN_MAX_DIGITS;
    m->view.u.pin.locked_until_utc = lock_left_s(st, p) > 0 ? p->state.locked_until_utc : 0;
    if (!m->view.message && p->mode == PIN_NEW)
        m->view.message =
            st_menu_str(m, st_tr(st, "%d to %d digits"), ST_PIN_MIN_DIGITS, ST_PIN_MAX_DIGITS);
}

static void pin_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct pin_page *p = page->state;
    static const char *const modes[] = {"enter", "new", "repeat"};
    sc_json_kv_string(j, "pin_mode", modes[p->mode]);
    sc_json_kv_int(j, "pin_entered", (int64_t)strlen(p->digits));
    sc_json_kv_int(j, "pin_failures", p->state.failures);
    sc_json_kv_int(j, "pin_locked_s", lock_left_s(st, p));
}

/* The lock-out's end changes the page by itself. */
static int64_t pin_deadline(struct st_station *st, struct st_page *page)
{
    struct pin_page *p = page->state;
    int64_t left = lock_left_s(st, p);
    return left > 0 ? sc_mono_ns() + left * 1000000000LL : INT64_MAX;
}

static void pin_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct pin_page *p = page->state;
    if (p) sodium_memzero(p, sizeof(*p));
    free(p);
}

static const struct st_page_ops pin_ops = {
    .name = "pin",
    .action = pin_action,
    .view = pin_view,
    .status = pin_status,
    .deadline_ns = pin_deadline,
    .destroy = pin_destroy,
};

static int open_pin(struct st_station *st, bool changing)
{
    struct pin_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->changing = changing;
    int rc = changing ? 0 : st_station_pin_state(st->base_data_dir, st_now_utc(st), &p->state);
    p->mode = changing || (rc == 0 && !p->state.set) ? PIN_NEW : PIN_ENTER;
    int pushed = st_admin_push(st, &pin_ops, p);
    if (pushed < 0) return pushed;
    if (rc < 0)
        wrong(st, p, rc);
    else if (p->mode == PIN_ENTER && lock_left_s(st, p) > 0)
        wrong(st, p, -EAGAIN);
    return 0;
}

int st_page_pin_open(struct st_station *st)
{
    return open_pin(st, false);
}

int st_page_pin_change(struct st_station *st)
{
    return open_pin(st, true);
}
