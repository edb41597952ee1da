/* The SIGINT/SIGTERM watcher thread and the process start time. */
#include "kiosk/cli/stop_signals.h"

#include "base/base.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *watch(void *arg)
{
    struct cli_stop_signals *s = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1); /* sent by cli_stop_signals_finish */
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == SIGUSR1) return NULL;
        atomic_store(&s->signal, sig);
        atomic_store(&s->stop, true);
        void *opaque = atomic_load(&s->opaque);
        if (s->notify && opaque) s->notify(opaque);
    }
}

int cli_stop_signals_start(struct cli_stop_signals *s, void (*notify)(void *opaque))
{
    atomic_init(&s->stop, false);
    atomic_init(&s->signal, 0);
    atomic_init(&s->opaque, NULL);
    s->notify = notify;
    s->started = false;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    int ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (ret != 0) return -ret;
    ret = pthread_create(&s->thread, NULL, watch, s);
    if (ret != 0) return -ret;
    s->started = true;
    return 0;
}

void cli_stop_signals_set_opaque(struct cli_stop_signals *s, void *opaque)
{
    atomic_store(&s->opaque, opaque);
}

void cli_stop_signals_finish(struct cli_stop_signals *s)
{
    if (!s->started) return;
    pthread_kill(s->thread, SIGUSR1);
    pthread_join(s->thread, NULL);
    s->started = false;
}

int64_t process_start_mono_ns(int64_t fallback)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return fallback;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* field 22 (starttime, clock ticks since boot) counts from after the ')' */
    char *p = strrchr(buf, ')');
    unsigned long long start_ticks = 0;
    if (!p || sscanf(p + 2,
                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                     "%*d %*d %llu",
                     &start_ticks) != 1)
        return fallback;
    long hz = sysconf(_SC_CLK_TCK);
    struct timespec boot;
    if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return fallback;
    int64_t since_boot = (int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec;
    int64_t started = (int64_t)(start_ticks * (1000000000ULL / (unsigned long long)hz));
    int64_t age = since_boot - started;
    if (age < 0 || age > 60LL * 1000000000) return fallback;
    return sc_mono_ns() - age;
}
