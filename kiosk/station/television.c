/* The station's side of kiosk/tv: the TV over HDMI-CEC. The adapter opens at
 * start-up (none: one info line), the TV remote's keys act as the remote's,
 * the TV wakes before a course (course.c) and may stand by after the last
 * one (the setting "tv_standby", off unless chosen in Settings). */
#include "kiosk/station/internal.h"

#include <string.h>

static void tv_wakeup(void *opaque)
{
    struct st_station *st = opaque;
    if (st->ui) ui_wakeup(st->ui);
}

bool st_tv_standby_setting(struct st_station *st)
{
    char v[8];
    return rec_setting_get(st->rec, "tv_standby", v, sizeof(v)) == 0 && strcmp(v, "on") == 0;
}

int st_tv_open(struct st_station *st)
{
    if (st->opts.no_cec) {
        SC_INFO(st->log, "HDMI-CEC is switched off (--no-cec): the TV is left as it is");
        return 0;
    }
    struct tv_config config = {.standby_after_last = st_tv_standby_setting(st),
                               .wakeup = tv_wakeup,
                               .wakeup_opaque = st,
                               .log = st->log};
    int rc = tv_create(&config, &st->tv);
    if (rc < 0) SC_ERR(st->log, "HDMI-CEC: %s", strerror(-rc));
    return rc;
}

void st_tv_close(struct st_station *st)
{
    tv_destroy(st->tv);
    st->tv = NULL;
}

void st_tv_turn(struct st_station *st)
{
    enum rc_action actions[TV_MAX_QUEUED];
    size_t n = tv_drain(st->tv, actions, TV_MAX_QUEUED);
    for (size_t i = 0; i < n && !atomic_load(&st->stop); i++) {
        SC_DEBUG(st->log, "TV remote: %s", rc_action_name(actions[i]));
        st_action(st, actions[i], sc_mono_ns());
    }
}

void st_tv_session_over(struct st_station *st)
{
    int64_t now_utc = st_now_utc(st);
    st_planner_refresh_home(st, now_utc);
    tv_session_over(st->tv, now_utc, st->plan.next_start_utc);
}
