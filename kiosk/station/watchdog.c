/* The service manager's watchdog and status (sd_notify, libsystemd).
 *
 * Under the studycast.service unit (Type=notify, WatchdogSec=) systemd waits
 * for READY=1 before it counts the kiosk as started, and restarts it when
 * WATCHDOG=1 stops coming: the keep-alive is sent from the core loop itself,
 * so a loop stuck in a deadlock, a blocking call or an endless loop is
 * restarted, while a loop that merely sleeps until its next deadline is not
 * (the watchdog's own deadline is one of the loop's deadlines). Outside
 * systemd (no NOTIFY_SOCKET) every call here does nothing. */
#include "kiosk/station/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

void st_watchdog_init(struct st_station *st)
{
    struct st_watchdog *wd = &st->watchdog;
    memset(wd, 0, sizeof(*wd));
    wd->notify = getenv("NOTIFY_SOCKET") != NULL;
    uint64_t usec = 0;
    /* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is us */
    int rc = sd_watchdog_enabled(0, &usec);
    if (rc > 0 && usec > 0) {
        /* systemd's advice: notify at half the interval, so one late turn
         * (a slow disk, a busy machine) does not get the kiosk killed */
        wd->interval_ns = (int64_t)(usec * 1000 / 2);
        SC_INFO(st->log, "service watchdog: %.0f ms, notified every %.0f ms", (double)usec / 1e3,
                (double)wd->interval_ns / 1e6);
    } else if (rc < 0) {
        SC_WARN(st->log, "service watchdog: bad WATCHDOG_USEC/WATCHDOG_PID: %s", strerror(-rc));
    }
}

/* sd_notify() errors are logged once: a service manager that went away is
 * not worth a message every turn. */
static void notify(struct st_station *st, const char *message)
{
    struct st_watchdog *wd = &st->watchdog;
    int rc = sd_notify(0, message);
    if (rc < 0 && !wd->failed) {
        SC_WARN(st->log, "cannot notify the service manager: %s", strerror(-rc));
        wd->failed = true;
    }
}

/* What `systemctl status studycast` shows: the screen and the course on it. */
static void describe(const struct st_station *st, char *out, size_t size)
{
    const char *title = st->course.active ? st->course.entry.title : "";
    snprintf(out, size, "%s%s%s%s", ui_screen_name(st->screen), title[0] ? ": " : "", title,
             st->demo ? " (demo)" : "");
}

void st_watchdog_ready(struct st_station *st)
{
    struct st_watchdog *wd = &st->watchdog;
    if (!wd->notify) return;
    describe(st, wd->status, sizeof(wd->status));
    char message[sizeof(wd->status) + 32];
    snprintf(message, sizeof(message), "READY=1\nSTATUS=%s", wd->status);
    notify(st, message);
}

void st_watchdog_turn(struct st_station *st, int64_t now_ns)
{
    struct st_watchdog *wd = &st->watchdog;
    if (!wd->notify) return;
    if (wd->interval_ns > 0 && (wd->last_ns == 0 || now_ns - wd->last_ns >= wd->interval_ns)) {
        notify(st, "WATCHDOG=1");
        wd->last_ns = now_ns;
    }
    char status[sizeof(wd->status)];
    describe(st, status, sizeof(status));
    if (strcmp(status, wd->status) == 0) return;
    memcpy(wd->status, status, sizeof(status));
    char message[sizeof(status) + 16];
    snprintf(message, sizeof(message), "STATUS=%s", status);
    notify(st, message);
}

int64_t st_watchdog_deadline_ns(const struct st_station *st)
{
    const struct st_watchdog *wd = &st->watchdog;
    if (!wd->notify || wd->interval_ns <= 0) return INT64_MAX;
    return wd->last_ns + wd->interval_ns;
}

void st_watchdog_stopping(struct st_station *st)
{
    if (st->watchdog.notify) notify(st, "STOPPING=1\nSTATUS=stopping");
}
