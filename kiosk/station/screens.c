/* What each remote action does on each screen, the screens' timeouts, and
 * the views handed to the ui. Keys and control-socket presses both arrive
 * here through st_action(). */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

static void show_course(struct st_station *st)
{
    st_set_screen(st, st->course.signal_lost ? UI_SCREEN_OUTAGE : UI_SCREEN_PLAYING);
}

static int volume_action(struct st_station *st, enum rc_action action)
{
    struct player *player = st->course.player;
    switch (action) {
    case RC_ACTION_VOLUME_UP:
    case RC_ACTION_VOLUME_DOWN:
        st->volume += action == RC_ACTION_VOLUME_UP ? 10 : -10;
        st->volume = st->volume < 0 ? 0 : st->volume > 100 ? 100 : st->volume;
        if (player) player_set_volume(player, st->volume);
        st_toast(st, false, "Volume %d", st->volume);
        return 0;
    case RC_ACTION_MUTE:
        st->muted = !st->muted;
        if (player) player_set_muted(player, st->muted);
        st_toast(st, false, st->muted ? "Sound off" : "Sound on");
        return 0;
    default:
        return -ENOTSUP;
    }
}

/* Actions on the course from any of its screens. */
static int course_action(struct st_station *st, enum rc_action action)
{
    struct st_course *c = &st->course;
    if (action == RC_ACTION_STOP) {
        st_course_end(st);
        return 0;
    }
    if (action != RC_ACTION_PLAY_PAUSE) return -ENOTSUP;
    if (c->live) {
        st_toast(st, false, "A live broadcast cannot be paused.");
        return -ENOTSUP;
    }
    st_course_set_paused(st, !c->paused);
    return 0;
}

static int rollcall_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    st->roster.until_ns = sc_mono_ns() + (int64_t)ST_ROLLCALL_IDLE_S * NS_PER_S;
    if (action == RC_ACTION_BACK) {
        if (st->roster.digits[0])
            st->roster.digits[0] = '\0';
        else
            show_course(st); /* roll-call done: the course fullscreen */
        return 0;
    }
    if (action == RC_ACTION_INFO) {
        st->show_info = true;
        show_course(st);
        return 0;
    }
    if (action == RC_ACTION_STOP || action == RC_ACTION_PLAY_PAUSE)
        return course_action(st, action);
    return st_roster_action(st, action, time_ns);
}

static int playing_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    if (st->show_roster) {
        if (action == RC_ACTION_BACK) {
            if (st->roster.digits[0])
                st->roster.digits[0] = '\0';
            else
                st->show_roster = false;
            return 0;
        }
        if (st_roster_action(st, action, time_ns) == 0) return 0;
    }
    if (rc_action_digit(action) >= 0) { /* a late arrival's number or card */
        st->show_roster = true;
        return st_roster_action(st, action, time_ns);
    }
    switch (action) {
    case RC_ACTION_OK:
        st->show_roster = true; /* late check-in / check-out */
        return 0;
    case RC_ACTION_INFO:
        st->show_info = !st->show_info;
        return 0;
    case RC_ACTION_BACK:
        if (!st->show_info) return -ENOTSUP;
        st->show_info = false;
        return 0;
    case RC_ACTION_CHANNEL_UP:
    case RC_ACTION_CHANNEL_DOWN:
        return st_course_zap(st, action == RC_ACTION_CHANNEL_UP ? 1 : -1);
    default:
        return course_action(st, action);
    }
}

static int summary_action(struct st_station *st, enum rc_action action)
{
    int digit = rc_action_digit(action);
    st->summary.until_ns = sc_mono_ns() + (int64_t)st->opts.summary_timeout_s * NS_PER_S;
    if (digit >= 1 && digit <= 5) {
        st->summary.rating = digit;
        st->summary.focus = UI_SUMMARY_RATING;
        return 0;
    }
    switch (action) {
    case RC_ACTION_UP:
        if (st->summary.focus > UI_SUMMARY_RATING) st->summary.focus--;
        return 0;
    case RC_ACTION_DOWN:
        if (st->summary.focus < UI_SUMMARY_DONE) st->summary.focus++;
        return 0;
    case RC_ACTION_LEFT:
    case RC_ACTION_RIGHT:
        if (st->summary.focus != UI_SUMMARY_RATING) return -ENOTSUP;
        st->summary.rating += action == RC_ACTION_RIGHT ? 1 : -1;
        st->summary.rating = st->summary.rating < 1   ? 1
                             : st->summary.rating > 5 ? 5
                                                      : st->summary.rating;
        return 0;
    case RC_ACTION_OK:
        if (st->summary.focus == UI_SUMMARY_RATING)
            st->summary.focus = UI_SUMMARY_REPEAT;
        else if (st->summary.focus == UI_SUMMARY_REPEAT)
            st->summary.needs_repeat = !st->summary.needs_repeat;
        else
            st_course_finish(st);
        return 0;
    case RC_ACTION_BACK:
        st_course_finish(st);
        return 0;
    default:
        return -ENOTSUP;
    }
}

int st_screen_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    if (volume_action(st, action) == 0) return 0;
    switch (st->screen) {
    case UI_SCREEN_ROLLCALL:
        return rollcall_action(st, action, time_ns);
    case UI_SCREEN_PLAYING:
    case UI_SCREEN_OUTAGE:
        return playing_action(st, action, time_ns);
    case UI_SCREEN_SUMMARY:
        return summary_action(st, action);
    case UI_SCREEN_MENU:
        return st_admin_action(st, action, time_ns);
    case UI_SCREEN_HOME:
    case UI_SCREEN_PRETUNE:
        return action == RC_ACTION_MENU ? st_admin_open(st) : -ENOTSUP;
    default:
        return -ENOTSUP;
    }
}

int64_t st_screen_deadline_ns(struct st_station *st)
{
    int64_t deadline = INT64_MAX;
    if (st->screen == UI_SCREEN_ROLLCALL) deadline = st->roster.until_ns;
    if (st->screen == UI_SCREEN_SUMMARY) deadline = st->summary.until_ns;
    if (st->screen == UI_SCREEN_MENU) deadline = st_admin_deadline_ns(st);
    if (st->roster.digits[0]) {
        int64_t forget = st->roster.digits_last_ns + (int64_t)ST_DIGITS_IDLE_S * NS_PER_S;
        if (forget < deadline) deadline = forget;
    }
    return deadline;
}

void st_screen_timeouts(struct st_station *st, int64_t now_ns)
{
    if (st->screen == UI_SCREEN_MENU) st_admin_timeouts(st, now_ns);
    if (st->roster.digits[0] &&
        now_ns >= st->roster.digits_last_ns + (int64_t)ST_DIGITS_IDLE_S * NS_PER_S) {
        st->roster.digits[0] = '\0';
        st->view_dirty = true;
    }
    if (st->screen == UI_SCREEN_ROLLCALL && now_ns >= st->roster.until_ns) show_course(st);
    if (st->screen == UI_SCREEN_SUMMARY && now_ns >= st->summary.until_ns) {
        SC_INFO(st->log, "the summary closes by itself");
        st_course_finish(st);
    }
}

/* ---- views ---- */

/* HOME's scratch text: lives until ui_show has copied the view. */
struct home_text {
    char banner[320];
    char service[128];
    char event[SCH_TITLE_MAX];
};

static void home_view(struct st_station *st, struct ui_home *h, struct home_text *text)
{
    char *banner = text->banner;
    size_t size = sizeof(text->banner);
    h->station_name = st->home.station_name[0] ? st->home.station_name : NULL;
    h->next_course = st->plan.next_title[0] ? st->plan.next_title : NULL;
    h->next_start_utc = st->plan.next_start_utc;
    h->month = st->plan.month;
    h->signal = UI_SIGNAL_UNKNOWN;
    /* a broadcast being captured: its signal and names */
    if (st_capture_reception(st, &h->signal, text->service, sizeof(text->service), text->event,
                             sizeof(text->event))) {
        h->service_name = text->service;
        h->event_title = text->event;
    }
    const char *capturing[ST_MAX_CAPTURES];
    size_t n = st_capture_titles(st, capturing, ST_MAX_CAPTURES);
    if (n > 0) {
        snprintf(banner, size, st_tr(st, "Capturing: %s"), capturing[0]);
        h->banner = banner;
    } else if (st->home.banner[0]) {
        h->banner = st->home.banner;
        h->banner_error = st->home.banner_error;
    } else if (st->plan.missed_note[0]) { /* courses missed while the station was off */
        if (st->plan.n_missed > 1)
            snprintf(banner, size, st_tr(st, "%s (and %d more)"), st->plan.missed_note,
                     st->plan.n_missed - 1);
        else
            snprintf(banner, size, "%s", st->plan.missed_note);
        h->banner = banner;
        h->banner_error = true;
    } else if (st->demo) {
        h->banner = st_tr(st, "Demo: a sample course, roster and schedule");
    }
}

/* SUMMARY rows: who attended, with their credited seconds, from the record. */
static size_t summary_rows(const struct st_station *st, struct ui_member *rows, size_t max)
{
    const struct rec_session_summary *s = st->summary.snapshot;
    size_t n = 0;
    for (size_t i = 0; s && i < s->n_attendance && n < max; i++) {
        const struct rec_attendance *a = &s->attendance[i];
        struct ui_member row = {.number = a->member, .name = a->member, .seconds = a->seconds};
        for (size_t k = 0; k < st->roster.n; k++)
            if (strcmp(st->roster.members[k].number, a->member) == 0) {
                row.name = st->roster.members[k].name;
                row.category = st_category(st->roster.members[k].category);
            }
        row.present = a->present;
        rows[n++] = row;
    }
    return n;
}

int st_screen_show(struct st_station *st, int64_t now_ns)
{
    if (st->screen == UI_SCREEN_MENU && st_admin_top(st)) return st_admin_show(st);
    struct st_course *c = &st->course;
    struct ui_view view = {.screen = st->screen};
    size_t cards_n = st->roster.n + 1;
    struct ui_member *cards = calloc(cards_n, sizeof(*cards));
    if (!cards) return -ENOMEM;
    struct home_text home_text;
    switch (st->screen) {
    case UI_SCREEN_HOME:
        home_view(st, &view.u.home, &home_text);
        break;
    case UI_SCREEN_PRETUNE:
        view.u.pretune = (struct ui_pretune){.course = c->entry.title,
                                             .start_utc = c->start_utc,
                                             .signal = st_reception_signal(&st->reception, now_ns),
                                             .service_name = st->reception.service_name,
                                             .event_title = st->reception.event_title};
        break;
    case UI_SCREEN_ROLLCALL:
        view.u.rollcall.course = c->entry.title;
        view.u.rollcall.start_utc = c->start_utc;
        st_roster_view(st, &view.u.rollcall.roster, cards);
        break;
    case UI_SCREEN_PLAYING: {
        struct ui_playing *p = &view.u.playing;
        p->course = c->entry.title;
        p->end_utc = c->end_utc;
        p->played_s = st_course_played_s(c, now_ns);
        p->played_mono_ns = now_ns;
        p->advancing = c->playing_since_ns != 0;
        p->attendance = st_roster_present_count(&st->roster) + st->roster.guests;
        p->signal = st_reception_signal(&st->reception, now_ns);
        p->show_info = st->show_info;
        p->show_roster = st->show_roster;
        p->service_name = st->reception.service_name;
        p->event_title = st->reception.event_title;
        st_roster_view(st, &p->roster, cards);
        break;
    }
    case UI_SCREEN_OUTAGE:
        view.u.outage.course = c->entry.title;
        view.u.outage.since_mono_ns = c->outage_since_ns;
        break;
    case UI_SCREEN_SUMMARY: {
        struct ui_summary *s = &view.u.summary;
        const struct rec_session_summary *snap = st->summary.snapshot;
        s->course = st->summary.course;
        s->played_s = snap ? snap->played_seconds : st_course_played_s(c, now_ns);
        s->attendees = cards;
        s->n_attendees = summary_rows(st, cards, cards_n);
        s->guests = snap ? snap->guests : st->roster.guests;
        s->rating = st->summary.rating;
        s->needs_repeat = st->summary.needs_repeat;
        s->focus = st->summary.focus;
        break;
    }
    default:
        break;
    }
    int rc = ui_show(st->ui, &view);
    free(cards);
    if (rc < 0)
        SC_WARN(st->log, "cannot show the %s screen: %s", ui_screen_name(st->screen),
                strerror(-rc));
    return rc;
}
