/* The TV policy (kiosk/tv) against a recording fake adapter: what it sends
 * and when, the TV remote's codes as actions, no adapter at all; and the
 * libcec adapter itself on a machine with no CEC adapter. */
#include "kiosk/tv/tv.h"
#include "tests/test.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

/* The fake: records every call in order ("on", "active", "standby",
 * "power"), and keeps the code callback so the test can press TV keys. */
struct fake {
    pthread_mutex_t lock;
    char calls[512];
    enum tv_power power;
    tv_code_fn on_code;
    void *opaque;
    bool closed;
    bool absent; /* open fails as libcec does with no adapter */
};

static void record(struct fake *f, const char *what)
{
    pthread_mutex_lock(&f->lock);
    size_t len = strlen(f->calls);
    snprintf(f->calls + len, sizeof(f->calls) - len, "%s%s", len ? " " : "", what);
    pthread_mutex_unlock(&f->lock);
}

static int fake_on(void *impl)
{
    struct fake *f = impl;
    record(f, "on");
    f->power = TV_POWER_ON;
    return 0;
}

static int fake_standby(void *impl)
{
    struct fake *f = impl;
    record(f, "standby");
    f->power = TV_POWER_STANDBY;
    return 0;
}

static int fake_active(void *impl)
{
    record(impl, "active");
    return 0;
}

static enum tv_power fake_power(void *impl)
{
    struct fake *f = impl;
    record(f, "power");
    return f->power;
}

static void fake_close(void *impl)
{
    struct fake *f = impl;
    f->closed = true;
}

static const struct tv_adapter_ops fake_ops = {
    .power_on = fake_on,
    .standby = fake_standby,
    .set_active_source = fake_active,
    .power_state = fake_power,
    .close = fake_close,
};

static int fake_open(tv_code_fn on_code, void *opaque, struct sc_log *log, struct tv_adapter *out,
                     void *open_opaque)
{
    (void)log;
    struct fake *f = open_opaque;
    if (f->absent) return -ENODEV;
    f->on_code = on_code;
    f->opaque = opaque;
    *out = (struct tv_adapter){.ops = &fake_ops, .impl = f, .name = "fake", .port = "/dev/fake0"};
    return 0;
}

static void take_calls(struct fake *f, char *out, size_t size)
{
    pthread_mutex_lock(&f->lock);
    snprintf(out, size, "%s", f->calls);
    f->calls[0] = '\0';
    pthread_mutex_unlock(&f->lock);
}

static atomic_int wakeups;
static void count_wakeup(void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&wakeups, 1);
}

static struct tv *open_fake(struct fake *f, bool standby)
{
    *f = (struct fake){.power = TV_POWER_STANDBY, .absent = f->absent};
    pthread_mutex_init(&f->lock, NULL);
    struct tv_config config = {.open_adapter = fake_open,
                               .open_opaque = f,
                               .standby_after_last = standby,
                               .wakeup = count_wakeup};
    struct tv *tv = NULL;
    ASSERT_EQ(tv_create(&config, &tv), 0);
    ASSERT_NOT_NULL(tv);
    tv_sync(tv);
    return tv;
}

static void close_fake(struct tv *tv, struct fake *f)
{
    tv_destroy(tv);
    pthread_mutex_destroy(&f->lock);
}

#define HOUR 3600
#define NOW  1800000000LL

static void wake_before_a_course(void)
{
    struct fake f = {0};
    struct tv *tv = open_fake(&f, false);
    char calls[512];
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "power"); /* the TV's state asked at the start */
    ASSERT_TRUE(tv_adapter_present(tv));
    char name[64], port[128];
    enum tv_power power;
    tv_describe(tv, name, sizeof(name), port, sizeof(port), &power);
    ASSERT_STR_EQ(name, "fake");
    ASSERT_STR_EQ(port, "/dev/fake0");
    ASSERT_EQ(power, TV_POWER_STANDBY);
    tv_course_coming(tv, "农业新闻");
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "on active power");
    tv_describe(tv, name, sizeof(name), port, sizeof(port), &power);
    ASSERT_EQ(power, TV_POWER_ON);
    ASSERT_STR_EQ(tv_power_name(power), "on");
    /* the setting is off: no standby, whatever follows */
    ASSERT_FALSE(tv_session_over(tv, NOW, 0));
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "");
    close_fake(tv, &f);
    ASSERT_TRUE(f.closed);
}

static void standby_after_the_last(void)
{
    struct fake f = {0};
    struct tv *tv = open_fake(&f, true);
    char calls[512];
    take_calls(&f, calls, sizeof(calls));
    ASSERT_TRUE(tv_standby_after_last(tv));
    tv_course_coming(tv, "a");
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    /* a course 59 minutes later: the TV stays on */
    ASSERT_FALSE(tv_session_over(tv, NOW, NOW + HOUR - 60));
    /* exactly an hour later still counts as "within the hour" */
    ASSERT_FALSE(tv_session_over(tv, NOW, NOW + HOUR));
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "");
    /* the next course in 61 minutes, or none at all: standby */
    ASSERT_TRUE(tv_session_over(tv, NOW, NOW + HOUR + 60));
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "standby power");
    ASSERT_TRUE(tv_session_over(tv, NOW, 0));
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "standby power");
    /* switched off in the menu: nothing more */
    tv_set_standby_after_last(tv, false);
    ASSERT_FALSE(tv_session_over(tv, NOW, 0));
    tv_sync(tv);
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "");
    close_fake(tv, &f);
}

static void codes_to_actions(void)
{
    static const struct {
        int code;
        enum rc_action action;
    } table[] = {
        {0x00, RC_ACTION_OK},          {0x2B, RC_ACTION_OK},         {0x01, RC_ACTION_UP},
        {0x02, RC_ACTION_DOWN},        {0x03, RC_ACTION_LEFT},       {0x04, RC_ACTION_RIGHT},
        {0x09, RC_ACTION_MENU},        {0x0A, RC_ACTION_MENU},       {0x0D, RC_ACTION_BACK},
        {0x91, RC_ACTION_BACK},        {0x20, RC_ACTION_DIGIT_0},    {0x25, RC_ACTION_DIGIT_0 + 5},
        {0x29, RC_ACTION_DIGIT_0 + 9}, {0x30, RC_ACTION_CHANNEL_UP}, {0x31, RC_ACTION_CHANNEL_DOWN},
        {0x35, RC_ACTION_INFO},        {0x53, RC_ACTION_INFO},       {0x41, RC_ACTION_VOLUME_UP},
        {0x42, RC_ACTION_VOLUME_DOWN}, {0x43, RC_ACTION_MUTE},       {0x44, RC_ACTION_PLAY_PAUSE},
        {0x46, RC_ACTION_PLAY_PAUSE},  {0x45, RC_ACTION_STOP},       {0x40, RC_ACTION_NONE},
        {0x71, RC_ACTION_NONE},        {0x2A, RC_ACTION_NONE},       {-1, RC_ACTION_NONE},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        ASSERT_EQ(tv_code_action(table[i].code), table[i].action);

    /* pressed on the TV remote: queued in order, the loop woken, unused codes dropped */
    struct fake f = {0};
    struct tv *tv = open_fake(&f, false);
    int before = atomic_load(&wakeups);
    f.on_code(f.opaque, 0x02);
    f.on_code(f.opaque, 0x40); /* power: the TV's own business */
    f.on_code(f.opaque, 0x23);
    f.on_code(f.opaque, 0x00);
    ASSERT_EQ(atomic_load(&wakeups) - before, 3);
    enum rc_action got[8];
    ASSERT_EQ(tv_drain(tv, got, 2), 2);
    ASSERT_EQ(got[0], RC_ACTION_DOWN);
    ASSERT_EQ(got[1], RC_ACTION_DIGIT_0 + 3);
    ASSERT_EQ(tv_drain(tv, got, 8), 1);
    ASSERT_EQ(got[0], RC_ACTION_OK);
    ASSERT_EQ(tv_drain(tv, got, 8), 0);
    /* a burst beyond the queue: the excess is dropped, nothing overflows */
    for (int i = 0; i < TV_MAX_QUEUED + 10; i++)
        f.on_code(f.opaque, 0x01);
    enum rc_action many[TV_MAX_QUEUED + 10];
    ASSERT_EQ(tv_drain(tv, many, TV_MAX_QUEUED + 10), TV_MAX_QUEUED);
    close_fake(tv, &f);
}

static void no_adapter(void)
{
    struct fake f = {.absent = true};
    struct tv *tv = open_fake(&f, true);
    ASSERT_FALSE(tv_adapter_present(tv));
    tv_course_coming(tv, "a");
    ASSERT_FALSE(tv_session_over(tv, NOW, 0));
    enum rc_action got[4];
    ASSERT_EQ(tv_drain(tv, got, 4), 0);
    char name[64], port[128];
    enum tv_power power;
    tv_describe(tv, name, sizeof(name), port, sizeof(port), &power);
    ASSERT_STR_EQ(name, "");
    ASSERT_EQ(power, TV_POWER_UNKNOWN);
    char calls[512];
    take_calls(&f, calls, sizeof(calls));
    ASSERT_STR_EQ(calls, "");
    close_fake(tv, &f);
    /* NULL (--no-cec) is accepted everywhere */
    tv_course_coming(NULL, "a");
    ASSERT_FALSE(tv_session_over(NULL, NOW, 0));
    ASSERT_EQ(tv_drain(NULL, got, 4), 0);
    tv_destroy(NULL);
}

/* The real libcec path, linked and run: this machine has no CEC adapter,
 * so it answers -ENODEV, and the policy on top of it is the do-nothing one. */
static void libcec_without_adapter(void)
{
    struct tv_adapter adapter;
    int rc = tv_libcec_open(NULL, NULL, NULL, &adapter);
    if (rc == 0) { /* a machine with an adapter: it opened; close it again */
        fprintf(stderr, "an HDMI-CEC adapter is present: %s on %s\n", adapter.name, adapter.port);
        adapter.ops->close(adapter.impl);
        return;
    }
    ASSERT_EQ(rc, -ENODEV);
    struct tv_config config = {0};
    struct tv *tv = NULL;
    int64_t t0 = sc_mono_ns();
    ASSERT_EQ(tv_create(&config, &tv), 0);
    /* the start-up does not wait for libcec (it takes 25 ms to 0.5 s to find none) */
    ASSERT_LT(sc_mono_ns() - t0, 200000000LL);
    tv_sync(tv);
    ASSERT_FALSE(tv_adapter_present(tv));
    tv_destroy(tv);
}

int main(void)
{
    RUN_TEST(wake_before_a_course);
    RUN_TEST(standby_after_the_last);
    RUN_TEST(codes_to_actions);
    RUN_TEST(no_adapter);
    RUN_TEST(libcec_without_adapter);
    return 0;
}
