/* Tagged, levelled, thread-safe logging; see base.h. */
#include "base/base.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct sc_log_root {
    FILE *out;
    pthread_mutex_t lock;
    _Atomic int level;
};

struct sc_log {
    struct sc_log_root *root;
    bool owns_root;
    char tag[32];
};

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

struct sc_log *sc_log_create(FILE *out, enum sc_log_level level)
{
    struct sc_log *log = calloc(1, sizeof(*log));
    struct sc_log_root *root = calloc(1, sizeof(*root));
    if (!log || !root)
        goto fail;
    root->out = out ? out : stderr;
    root->level = level;
    if (pthread_mutex_init(&root->lock, NULL) != 0)
        goto fail;
    log->root = root;
    log->owns_root = true;
    snprintf(log->tag, sizeof(log->tag), "studycast");
    return log;
fail:
    free(root);
    free(log);
    return NULL;
}

struct sc_log *sc_log_child(struct sc_log *parent, const char *tag)
{
    if (!parent)
        return NULL;
    struct sc_log *log = calloc(1, sizeof(*log));
    if (!log)
        return NULL;
    log->root = parent->root;
    snprintf(log->tag, sizeof(log->tag), "%s", tag ? tag : "");
    return log;
}

void sc_log_destroy(struct sc_log *log)
{
    if (!log)
        return;
    if (log->owns_root) {
        pthread_mutex_destroy(&log->root->lock);
        free(log->root);
    }
    free(log);
}

void sc_log_set_level(struct sc_log *log, enum sc_log_level level)
{
    if (log)
        log->root->level = level;
}

int sc_log_level_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

bool sc_log_enabled(const struct sc_log *log, enum sc_log_level level)
{
    return log && (int)level <= log->root->level;
}

void sc_logv(struct sc_log *log, enum sc_log_level level, const char *fmt, va_list ap)
{
    if (!sc_log_enabled(log, level))
        return;
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&log->root->lock);
    fprintf(log->root->out, "%02d:%02d:%02d.%03ld %-5s [%s] %s\n", tm.tm_hour, tm.tm_min,
            tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], log->tag, msg);
    fflush(log->root->out);
    pthread_mutex_unlock(&log->root->lock);
}

void sc_logf(struct sc_log *log, enum sc_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sc_logv(log, level, fmt, ap);
    va_end(ap);
}

void sc_logf_limited(struct sc_log *log, struct sc_log_limit *limit, enum sc_log_level level,
                     const char *fmt, ...)
{
    if (!sc_log_enabled(log, level))
        return;
    unsigned burst = limit->burst ? limit->burst : 5;
    int64_t period = (int64_t)(limit->period_ms ? limit->period_ms : 1000) * 1000000;
    int64_t now = sc_mono_ns();
    if (limit->window_start_ns == 0 || now - limit->window_start_ns >= period) {
        if (limit->suppressed)
            sc_logf(log, level, "(%u similar messages suppressed)", limit->suppressed);
        limit->window_start_ns = now;
        limit->in_window = 0;
        limit->suppressed = 0;
    }
    if (limit->in_window >= burst) {
        limit->suppressed++;
        return;
    }
    limit->in_window++;
    va_list ap;
    va_start(ap, fmt);
    sc_logv(log, level, fmt, ap);
    va_end(ap);
}
