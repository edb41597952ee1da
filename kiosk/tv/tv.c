/* The TV policy (tv.h): the adapter is looked for and commands asked by the
 * core loop are carried out on a thread of our own, in order (libcec takes
 * tens of milliseconds to find no adapter and up to half a second to let go
 * of it: the kiosk's start-up does not wait for that); the TV remote's codes
 * become queued actions. */
#include "kiosk/tv/tv.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POWER_REFRESH_S 60

enum tv_command {
    TV_CMD_WAKE = 1,    /* power on + active source */
    TV_CMD_STANDBY = 2, /* standby */
    TV_CMD_POWER = 4,   /* ask the power state */
};

struct tv {
    struct tv_config config;
    struct tv_adapter adapter; /* filled by the thread before present is set */
    atomic_bool present;
    bool standby_after_last; /* loop thread only */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;                 /* commands asked, or stop */
    pthread_cond_t idle;                 /* the thread is waiting with nothing to do */
    unsigned pending;                    /* enum tv_command bits, under lock */
    bool busy, stop;                     /* under lock */
    enum tv_power power;                 /* under lock */
    enum rc_action queue[TV_MAX_QUEUED]; /* under lock */
    size_t queued;
};

const char *tv_power_name(enum tv_power power)
{
    switch (power) {
    case TV_POWER_ON:
        return "on";
    case TV_POWER_STANDBY:
        return "standby";
    case TV_POWER_TO_ON:
        return "waking";
    case TV_POWER_TO_STANDBY:
        return "going to standby";
    default:
        return "unknown";
    }
}

/* On the adapter's thread. */
static void on_code(void *opaque, int code)
{
    struct tv *tv = opaque;
    enum rc_action action = tv_code_action(code);
    if (action == RC_ACTION_NONE) {
        SC_DEBUG(tv->config.log, "TV remote: code 0x%02x is not used", (unsigned)code);
        return;
    }
    pthread_mutex_lock(&tv->lock);
    bool queued = tv->queued < TV_MAX_QUEUED;
    if (queued) tv->queue[tv->queued++] = action;
    pthread_mutex_unlock(&tv->lock);
    if (!queued) SC_WARN(tv->config.log, "TV remote: too many keys waiting; one dropped");
    if (tv->config.wakeup) tv->config.wakeup(tv->config.wakeup_opaque);
}

static void run(struct tv *tv, unsigned commands)
{
    const struct tv_adapter_ops *ops = tv->adapter.ops;
    struct sc_log *log = tv->config.log;
    int rc;
    if (commands & TV_CMD_WAKE) {
        if ((rc = ops->power_on(tv->adapter.impl)) < 0)
            SC_WARN(log, "HDMI-CEC: the TV did not take 'power on': %s", strerror(-rc));
        if ((rc = ops->set_active_source(tv->adapter.impl)) < 0)
            SC_WARN(log, "HDMI-CEC: cannot make the kiosk the active source: %s", strerror(-rc));
    }
    if ((commands & TV_CMD_STANDBY) && (rc = ops->standby(tv->adapter.impl)) < 0)
        SC_WARN(log, "HDMI-CEC: the TV did not take 'standby': %s", strerror(-rc));
    enum tv_power power = ops->power_state(tv->adapter.impl);
    pthread_mutex_lock(&tv->lock);
    if (power != tv->power) SC_INFO(log, "HDMI-CEC: the TV is %s", tv_power_name(power));
    tv->power = power;
    pthread_mutex_unlock(&tv->lock);
}

static int open_adapter(struct tv *tv);

/* On the thread: the adapter, or the one info line saying there is none. */
static void look_for_adapter(struct tv *tv)
{
    struct sc_log *log = tv->config.log;
    int rc = open_adapter(tv);
    if (rc < 0) {
        SC_INFO(log, "no HDMI-CEC adapter (%s): the TV is left as it is",
                rc == -ENODEV ? "none found" : strerror(-rc));
        return;
    }
    SC_INFO(log, "HDMI-CEC: %s on %s; standby after the last course: %s", tv->adapter.name,
            tv->adapter.port, tv->config.standby_after_last ? "on" : "off");
    atomic_store(&tv->present, true);
}

static void *thread_main(void *opaque)
{
    struct tv *tv = opaque;
    look_for_adapter(tv);
    pthread_mutex_lock(&tv->lock);
    if (!atomic_load(&tv->present)) tv->pending = 0; /* nothing to carry out, ever */
    while (!tv->stop) {
        if (!tv->pending) {
            tv->busy = false;
            pthread_cond_broadcast(&tv->idle);
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += POWER_REFRESH_S;
            if (pthread_cond_timedwait(&tv->cond, &tv->lock, &until) == ETIMEDOUT)
                tv->pending |= TV_CMD_POWER;
            continue;
        }
        unsigned commands = tv->pending;
        tv->pending = 0;
        tv->busy = true;
        pthread_mutex_unlock(&tv->lock);
        if (atomic_load(&tv->present)) run(tv, commands);
        pthread_mutex_lock(&tv->lock);
    }
    tv->busy = false;
    pthread_cond_broadcast(&tv->idle);
    pthread_mutex_unlock(&tv->lock);
    return NULL;
}

static void ask(struct tv *tv, unsigned command)
{
    if (!tv) return;
    pthread_mutex_lock(&tv->lock);
    if (command == TV_CMD_WAKE) tv->pending &= ~(unsigned)TV_CMD_STANDBY; /* the later wins */
    if (command == TV_CMD_STANDBY) tv->pending &= ~(unsigned)TV_CMD_WAKE;
    tv->pending |= command;
    tv->busy = true;
    pthread_cond_signal(&tv->cond);
    pthread_mutex_unlock(&tv->lock);
}

static int open_adapter(struct tv *tv)
{
    const struct tv_config *c = &tv->config;
    if (c->open_adapter) return c->open_adapter(on_code, tv, c->log, &tv->adapter, c->open_opaque);
    return tv_libcec_open(on_code, tv, c->log, &tv->adapter);
}

int tv_create(const struct tv_config *config, struct tv **out)
{
    *out = NULL;
    struct tv *tv = calloc(1, sizeof(*tv));
    if (!tv) return -ENOMEM;
    tv->config = *config;
    tv->standby_after_last = config->standby_after_last;
    atomic_init(&tv->present, false);
    pthread_mutex_init(&tv->lock, NULL);
    pthread_cond_init(&tv->cond, NULL);
    pthread_cond_init(&tv->idle, NULL);
    tv->pending = TV_CMD_POWER;
    tv->busy = true;
    if (pthread_create(&tv->thread, NULL, thread_main, tv) != 0) {
        tv_destroy(tv);
        return -ENOMEM;
    }
    tv->started = true;
    *out = tv;
    return 0;
}

void tv_destroy(struct tv *tv)
{
    if (!tv) return;
    if (tv->started) {
        pthread_mutex_lock(&tv->lock);
        tv->stop = true;
        pthread_cond_signal(&tv->cond);
        pthread_mutex_unlock(&tv->lock);
        pthread_join(tv->thread, NULL);
        if (atomic_load(&tv->present)) tv->adapter.ops->close(tv->adapter.impl);
    }
    pthread_cond_destroy(&tv->idle);
    pthread_cond_destroy(&tv->cond);
    pthread_mutex_destroy(&tv->lock);
    free(tv);
}

void tv_course_coming(struct tv *tv, const char *title)
{
    if (!tv) return;
    /* asked while the adapter is still being looked for: carried out once found */
    if (atomic_load(&tv->present))
        SC_INFO(tv->config.log, "HDMI-CEC: waking the TV for \"%s\"", title ? title : "");
    ask(tv, TV_CMD_WAKE);
}

bool tv_session_over(struct tv *tv, int64_t now_utc, int64_t next_course_utc)
{
    if (!tv || !atomic_load(&tv->present) || !tv->standby_after_last) return false;
    if (next_course_utc > 0 && next_course_utc - now_utc <= TV_STANDBY_GAP_S) {
        SC_INFO(tv->config.log, "HDMI-CEC: the TV stays on: the next course starts in %lld min",
                (long long)((next_course_utc - now_utc) / 60));
        return false;
    }
    SC_INFO(tv->config.log, "HDMI-CEC: no course within the hour: the TV goes to standby");
    ask(tv, TV_CMD_STANDBY);
    return true;
}

void tv_set_standby_after_last(struct tv *tv, bool on)
{
    if (tv) tv->standby_after_last = on;
}

bool tv_standby_after_last(const struct tv *tv)
{
    return tv && tv->standby_after_last;
}

size_t tv_drain(struct tv *tv, enum rc_action *out, size_t max)
{
    if (!tv || !atomic_load(&tv->present)) return 0;
    pthread_mutex_lock(&tv->lock);
    size_t n = tv->queued < max ? tv->queued : max;
    memcpy(out, tv->queue, n * sizeof(*out));
    memmove(tv->queue, tv->queue + n, (tv->queued - n) * sizeof(*out));
    tv->queued -= n;
    pthread_mutex_unlock(&tv->lock);
    return n;
}

bool tv_adapter_present(const struct tv *tv)
{
    return tv && atomic_load(&((struct tv *)tv)->present);
}

void tv_describe(struct tv *tv, char *name, size_t name_size, char *port, size_t port_size,
                 enum tv_power *power)
{
    bool present = tv_adapter_present(tv);
    snprintf(name, name_size, "%s", present ? tv->adapter.name : "");
    snprintf(port, port_size, "%s", present ? tv->adapter.port : "");
    *power = TV_POWER_UNKNOWN;
    if (!present) return;
    pthread_mutex_lock(&tv->lock);
    *power = tv->power;
    pthread_mutex_unlock(&tv->lock);
}

void tv_sync(struct tv *tv)
{
    if (!tv || !tv->started) return;
    pthread_mutex_lock(&tv->lock);
    while (tv->busy && !tv->stop)
        pthread_cond_wait(&tv->idle, &tv->lock);
    pthread_mutex_unlock(&tv->lock);
}
