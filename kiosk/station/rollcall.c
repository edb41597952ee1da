/* Roll-call: the roster as a grid (arrows + OK toggle a member), a member
 * number typed on the remote's digits + OK, a card reader's burst of digits
 * + Enter, and the guest card (OK or right adds a guest, left removes one).
 * Checking in someone already present by number or card only says so: the
 * record gets one check-in. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ui_category st_category(enum rec_category c)
{
    switch (c) {
    case REC_PARTY_MEMBER:
        return UI_CATEGORY_PARTY_MEMBER;
    case REC_CADRE:
        return UI_CATEGORY_CADRE;
    case REC_VILLAGER:
        return UI_CATEGORY_VILLAGER;
    }
    return UI_CATEGORY_NONE;
}

void st_roster_free(struct st_roster *r)
{
    rec_members_free(r->members, r->n);
    free(r->present);
    free(r->checked_in_mono);
    memset(r, 0, sizeof(*r));
}

int st_roster_load(struct st_station *st)
{
    struct st_roster *r = &st->roster;
    st_roster_free(r);
    int rc = rec_members_list(st->rec, &r->members, &r->n);
    if (rc < 0) {
        SC_ERR(st->log, "cannot read the roster: %s", rec_strerror(rc));
        r->members = NULL;
        r->n = 0;
        return rc;
    }
    r->present = calloc(r->n ? r->n : 1, sizeof(*r->present));
    r->checked_in_mono = calloc(r->n ? r->n : 1, sizeof(*r->checked_in_mono));
    if (!r->present || !r->checked_in_mono) {
        st_roster_free(r);
        return -ENOMEM;
    }
    SC_INFO(st->log, "roster: %zu members", r->n);
    return 0;
}

void st_roster_reset(struct st_station *st)
{
    /* the roster may have been imported since the last course */
    if (st_roster_load(st) < 0) st_toast(st, true, "The roster cannot be read.");
    struct st_roster *r = &st->roster;
    r->focus = 0;
    r->guests = 0;
    r->digits[0] = '\0';
}

void st_roster_restore(struct st_station *st)
{
    struct st_roster *r = &st->roster;
    struct st_course *c = &st->course;
    struct rec_session_summary *sessions = NULL;
    size_t n = 0;
    if (!c->session ||
        rec_sessions(st->rec, c->start_utc - 86400, c->end_utc + 1, &sessions, &n) < 0)
        return;
    int64_t now_ns = sc_mono_ns();
    for (size_t s = 0; s < n; s++) {
        if (strcmp(sessions[s].id, c->session_id) != 0) continue;
        r->guests = sessions[s].guests;
        c->played_ns = sessions[s].played_seconds * 1000000000LL;
        for (size_t a = 0; a < sessions[s].n_attendance; a++) {
            if (!sessions[s].attendance[a].present) continue;
            for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->members[i].number, sessions[s].attendance[a].member) == 0) {
                    r->present[i] = true;
                    r->checked_in_mono[i] = now_ns;
                }
        }
        SC_INFO(st->log, "session %s: %d members still checked in", c->session_id,
                st_roster_present_count(r));
    }
    rec_sessions_free(sessions, n);
}

int st_roster_present_count(const struct st_roster *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->present[i];
    return n;
}

static bool all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

/* "7" finds member "007": numbers are compared without leading zeros. */
static bool same_number(const char *a, const char *b)
{
    if (strcmp(a, b) == 0) return true;
    if (!all_digits(a) || !all_digits(b)) return false;
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    return strcmp(a, b) == 0;
}

static int find_member(const struct st_roster *r, const char *typed, bool card_first)
{
    for (int pass = 0; pass < 2; pass++) {
        bool by_card = (pass == 0) == card_first;
        for (size_t i = 0; i < r->n; i++) {
            const struct rec_member *m = &r->members[i];
            if (by_card ? (m->card && strcmp(m->card, typed) == 0) : same_number(m->number, typed))
                return (int)i;
        }
    }
    return -1;
}

/* A full or read-only disk: the record keeps the event with its time and
 * commits it once writing works again (record.h, Durability). */
static bool kept_for_later(int rc)
{
    return rc == -ENOSPC || rc == -EROFS || rc == -EIO;
}

static void check_in(struct st_station *st, int i)
{
    struct st_roster *r = &st->roster;
    const struct rec_member *m = &r->members[i];
    if (r->present[i]) {
        SC_INFO(st->log, "member %s is already present: not checked in again", m->number);
        st_toast(st, false, "%s (%s) is already checked in.", m->name, m->number);
        return;
    }
    int rc = st->course.session ? rec_session_check_in(st->course.session, m->number) : 0;
    if (rc < 0) {
        SC_ERR(st->log, "check-in of %s: %s", m->number, rec_strerror(rc));
        if (!kept_for_later(rc)) {
            st_toast(st, true, "The check-in of %s could not be recorded.", m->name);
            return;
        }
    }
    r->present[i] = true;
    r->checked_in_mono[i] = sc_mono_ns();
    if (rc < 0)
        st_toast(st, true, "%s (%s) checked in; recorded once the disk can be written.", m->name,
                 m->number);
    else
        st_toast(st, false, "%s (%s) checked in.", m->name, m->number);
}

static void check_out(struct st_station *st, int i)
{
    struct st_roster *r = &st->roster;
    const struct rec_member *m = &r->members[i];
    if (st->course.session) {
        int rc = rec_session_check_out(st->course.session, m->number);
        if (rc < 0) {
            SC_ERR(st->log, "check-out of %s: %s", m->number, rec_strerror(rc));
            if (!kept_for_later(rc)) {
                st_toast(st, true, "The check-out of %s could not be recorded.", m->name);
                return;
            }
        }
    }
    r->present[i] = false;
    st_toast(st, false, "%s (%s) checked out.", m->name, m->number);
}

static void set_guests(struct st_station *st, int guests)
{
    struct st_roster *r = &st->roster;
    if (guests < 0 || guests > 999 || guests == r->guests) return;
    if (st->course.session) {
        int rc = rec_session_guests(st->course.session, guests);
        if (rc < 0) SC_ERR(st->log, "guests: %s", rec_strerror(rc));
        if (rc < 0 && !kept_for_later(rc)) st_toast(st, true, "The guests could not be recorded.");
    }
    r->guests = guests;
}

/* OK after digits: a card reader's burst (every key within ST_CARD_MAX_GAP_NS,
 * Enter included) is looked up as a card first, slow typing as a number first. */
static void enter_digits(struct st_station *st, int64_t time_ns)
{
    struct st_roster *r = &st->roster;
    bool burst = strlen(r->digits) >= ST_CARD_MIN_DIGITS &&
                 r->digits_max_gap_ns <= ST_CARD_MAX_GAP_NS &&
                 time_ns - r->digits_last_ns <= ST_CARD_MAX_GAP_NS;
    int i = find_member(r, r->digits, burst);
    SC_INFO(st->log, "%s %s entered: %s", burst ? "card" : "number", r->digits,
            i >= 0 ? r->members[i].number : "no such member");
    if (i < 0)
        st_toast(st, true, burst ? "Unknown card %s." : "No member has the number %s.", r->digits);
    else
        check_in(st, i);
    r->digits[0] = '\0';
    if (i >= 0) r->focus = i;
}

void st_roster_card(struct st_station *st, const char *card)
{
    struct st_roster *r = &st->roster;
    int i = find_member(r, card, true);
    SC_INFO(st->log, "card %s read: %s", card, i >= 0 ? r->members[i].number : "no such member");
    if (i < 0) {
        st_toast(st, true, "Unknown card %s.", card);
        return;
    }
    check_in(st, i);
    r->focus = i;
}

static void type_digit(struct st_roster *r, int digit, int64_t time_ns)
{
    size_t len = strlen(r->digits);
    if (len >= ST_MAX_DIGITS) return;
    if (len == 0) {
        r->digits_first_ns = time_ns;
        r->digits_max_gap_ns = 0;
    } else if (time_ns - r->digits_last_ns > r->digits_max_gap_ns) {
        r->digits_max_gap_ns = time_ns - r->digits_last_ns;
    }
    r->digits_last_ns = time_ns;
    r->digits[len] = (char)('0' + digit);
    r->digits[len + 1] = '\0';
}

int st_roster_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    struct st_roster *r = &st->roster;
    int guest_card = (int)r->n;
    int columns = ui_roster_columns(st->ui);
    if (columns < 1) columns = 1;
    int digit = rc_action_digit(action);
    if (digit >= 0) {
        type_digit(r, digit, time_ns);
        return 0;
    }
    switch (action) {
    case RC_ACTION_OK:
        if (r->digits[0])
            enter_digits(st, time_ns);
        else if (r->focus == guest_card)
            set_guests(st, r->guests + 1);
        else if (r->focus >= 0 && r->focus < guest_card)
            r->present[r->focus] ? check_out(st, r->focus) : check_in(st, r->focus);
        return 0;
    case RC_ACTION_LEFT:
        if (r->focus == guest_card && r->guests > 0)
            set_guests(st, r->guests - 1);
        else if (r->focus > 0 && r->focus != guest_card)
            r->focus--;
        return 0;
    case RC_ACTION_RIGHT:
        if (r->focus == guest_card)
            set_guests(st, r->guests + 1);
        else if (r->focus < guest_card)
            r->focus++;
        return 0;
    case RC_ACTION_UP:
        r->focus = r->focus - columns >= 0 ? r->focus - columns : r->focus;
        return 0;
    case RC_ACTION_DOWN:
        r->focus = r->focus + columns <= guest_card ? r->focus + columns : guest_card;
        return 0;
    default:
        return -ENOTSUP;
    }
}

void st_roster_view(const struct st_station *st, struct ui_roster *out, struct ui_member *cards)
{
    const struct st_roster *r = &st->roster;
    for (size_t i = 0; i < r->n; i++)
        cards[i] = (struct ui_member){.number = r->members[i].number,
                                      .name = r->members[i].name,
                                      .category = st_category(r->members[i].category),
                                      .present = r->present[i]};
    *out = (struct ui_roster){.members = cards,
                              .n_members = r->n,
                              .focus = r->focus,
                              .digits = r->digits,
                              .guests = r->guests,
                              .present_count = st_roster_present_count(r)};
}
