/* tv: the television over HDMI-CEC. The kiosk wakes the TV and makes itself
 * the active source before a course, may put the TV in standby after the
 * day's last course, and takes the TV remote's keys (CEC user control codes)
 * as actions.
 *
 * Two parts:
 *  - an adapter (struct tv_adapter_ops): open, power on, standby, set the
 *    active source, the TV's power state, and user control codes handed to a
 *    callback from the adapter's own thread. libcec is the product's adapter
 *    (tv_libcec_open, tv_libcec.c is the only file that sees libcec);
 *    tests give a recording fake.
 *  - the policy (struct tv): when to wake, when to stand by, which code is
 *    which action. It runs the adapter's commands on a thread of its own (a
 *    CEC bus answers in hundreds of milliseconds; the core loop never
 *    waits), and queues the actions for the core loop, which drains them after
 *    the wakeup callback (as kiosk/input does).
 *
 * The adapter is looked for on the policy's thread (libcec may take half a
 * second to find none), so tv_create returns at once; until it is found,
 * tv_adapter_present is false. With no adapter (none plugged in, or libcec
 * finds none) the policy still exists and does nothing: one info line in the
 * log says so.
 *
 * Threads: everything here from one thread (the core loop), except that the
 * adapter's code callback runs on the adapter's thread and the wakeup
 * callback on the adapter's or the policy's thread. Depends on base and
 * remote only; no libcec type appears here. */
#ifndef STUDYCAST_KIOSK_TV_H
#define STUDYCAST_KIOSK_TV_H

#include "base/base.h"
#include "kiosk/remote/remote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A course within this long after a session's summary keeps the TV on. */
#define TV_STANDBY_GAP_S 3600
#define TV_MAX_QUEUED    64

enum tv_power {
    TV_POWER_UNKNOWN = 0,
    TV_POWER_ON,
    TV_POWER_STANDBY,
    TV_POWER_TO_ON,      /* waking */
    TV_POWER_TO_STANDBY, /* going to standby */
};
/* "unknown", "on", "standby", "waking", "going to standby" */
const char *tv_power_name(enum tv_power power);

/* ---- the adapter --------------------------------------------------------- */

/* Called by an adapter, on its thread, for each user control code pressed
 * (CEC "User Control Pressed": 0x00 select ... 0x91 return). */
typedef void (*tv_code_fn)(void *opaque, int code);

struct tv_adapter_ops {
    /* Each returns 0 or a negative errno; called on the policy's thread. */
    int (*power_on)(void *impl);
    int (*standby)(void *impl);
    int (*set_active_source)(void *impl);
    enum tv_power (*power_state)(void *impl);
    void (*close)(void *impl); /* no code callback after it returns */
};

struct tv_adapter {
    const struct tv_adapter_ops *ops;
    void *impl;
    char name[64];  /* "Pulse-Eight USB-CEC Adapter", "fake" */
    char port[128]; /* "/dev/ttyACM0" */
};

/* The libcec adapter: the first adapter libcec detects, opened. Codes go to
 * on_code(opaque, code). Returns 0, -ENODEV when there is no adapter, or
 * -EIO when it cannot be opened (logged). */
int tv_libcec_open(tv_code_fn on_code, void *opaque, struct sc_log *log, struct tv_adapter *out);

/* ---- the policy ------------------------------------------------------------ */

struct tv;

struct tv_config {
    /* NULL: tv_libcec_open. Otherwise opens the adapter (a test's fake):
     * returns 0 and fills *out, or a negative code (no adapter). */
    int (*open_adapter)(tv_code_fn on_code, void *opaque, struct sc_log *log,
                        struct tv_adapter *out, void *open_opaque);
    void *open_opaque;
    bool standby_after_last;      /* the setting; off by default */
    void (*wakeup)(void *opaque); /* cheap, thread-safe */
    void *wakeup_opaque;
    struct sc_log *log; /* borrowed; may be NULL */
};

/* Starts the policy's thread, which opens the adapter (none: the info line
 * "no HDMI-CEC adapter ..." and a tv that does nothing). 0 or -ENOMEM. */
int tv_create(const struct tv_config *config, struct tv **out);
void tv_destroy(struct tv *tv); /* closes the adapter; accepts NULL */

/* A course is about to play (its pre-tune, or its start without one): wake
 * the TV, make the kiosk the active source. */
void tv_course_coming(struct tv *tv, const char *title);
/* A session's summary is over at now_utc; next_course_utc is the next
 * course's start (0: none planned). With the setting on and no course within
 * TV_STANDBY_GAP_S, the TV goes to standby. Returns true when it was sent. */
bool tv_session_over(struct tv *tv, int64_t now_utc, int64_t next_course_utc);
void tv_set_standby_after_last(struct tv *tv, bool on);
bool tv_standby_after_last(const struct tv *tv);

/* The TV remote's code as an action (RC_ACTION_NONE: not one the kiosk
 * uses): select/enter ok, arrows, exit/return back, root/setup menu menu,
 * numbers digits, channel up/down, display information/EPG info, volume,
 * mute, play/pause, stop. */
enum rc_action tv_code_action(int code);
/* Moves up to max queued actions (from the TV remote) into out. */
size_t tv_drain(struct tv *tv, enum rc_action *out, size_t max);

/* For the menu: whether an adapter is there, its name and port, and the
 * TV's power state as last asked (refreshed after each command and every
 * minute). */
bool tv_adapter_present(const struct tv *tv);
void tv_describe(struct tv *tv, char *name, size_t name_size, char *port, size_t port_size,
                 enum tv_power *power);
/* Waits until the policy's thread has carried out every command asked so far
 * (tests; the menu never waits). */
void tv_sync(struct tv *tv);

#endif
