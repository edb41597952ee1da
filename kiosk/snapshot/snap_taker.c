/* The snapshot taker: the loop's side (a reference per presented picture,
 * a job when one is due) and the worker thread that makes the snapshots. */
#include "kiosk/snapshot/snap_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBS 4 /* queued pictures; more can only pile up if the worker stalls */
#define MAX_DONE 16

struct snap_job {
    struct player_picture *picture;
    enum snap_kind kind;
    int64_t mono_ns;
    bool repeat; /* the very picture of the previous snapshot (the last one) */
};

struct snap_taker {
    struct snap_opts opts;
    struct sc_log *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a job was queued, one finished, or stop */
    struct snap_job jobs[MAX_JOBS];
    int n_jobs;
    bool busy; /* the worker is making one (taken off jobs[]) */
    bool stop;
    struct snap_result done[MAX_DONE];
    int n_done;
    /* the loop's own (never touched by the worker) */
    struct player_picture *last_shown;
    int64_t last_shown_ns;
    int64_t next_due_ns; /* 0: the first picture is due */
    bool last_queued;    /* the last one shown was queued already */
    /* the worker's own */
    struct snap_luma previous;
    bool previous_frozen;
};

const char *snap_kind_name(enum snap_kind kind)
{
    switch (kind) {
    case SNAP_FIRST:
        return "first";
    case SNAP_PERIODIC:
        return "periodic";
    case SNAP_LAST:
        return "last";
    }
    return "?";
}

void snap_result_free(struct snap_result *result)
{
    if (!result) return;
    free(result->jpeg);
    result->jpeg = NULL;
    result->size = 0;
}

static void *worker(void *arg)
{
    struct snap_taker *t = arg;
    pthread_mutex_lock(&t->lock);
    for (;;) {
        while (!t->stop && t->n_jobs == 0)
            pthread_cond_wait(&t->cond, &t->lock);
        if (t->stop) break;
        struct snap_job job = t->jobs[0];
        memmove(&t->jobs[0], &t->jobs[1], (size_t)(t->n_jobs - 1) * sizeof(t->jobs[0]));
        t->n_jobs--;
        t->busy = true;
        pthread_mutex_unlock(&t->lock);
        struct snap_result r = {.kind = job.kind, .presented_mono_ns = job.mono_ns};
        int64_t began = sc_mono_ns();
        int rc = snap_make(job.picture, &t->previous, &r);
        SC_DEBUG(t->log, "%s snapshot: %zu bytes in %.1f ms, mean luma %.1f",
                 snap_kind_name(job.kind), r.size, (double)(sc_mono_ns() - began) / 1e6,
                 r.mean_luma);
        player_picture_free(job.picture);
        /* the same presentation again says what the previous snapshot said */
        if (rc == 0 && job.repeat) r.frozen = t->previous_frozen;
        if (rc == 0) t->previous_frozen = r.frozen;
        if (rc < 0) {
            SC_ERR(t->log, "the %s snapshot could not be made: %s", snap_kind_name(job.kind),
                   strerror(rc > -4096 ? -rc : EINVAL));
            snap_result_free(&r);
        }
        pthread_mutex_lock(&t->lock);
        t->busy = false;
        if (rc == 0 && t->n_done < MAX_DONE)
            t->done[t->n_done++] = r;
        else if (rc == 0) {
            SC_WARN(t->log, "a snapshot was dropped: %d finished ones were not taken", MAX_DONE);
            snap_result_free(&r);
        }
        pthread_cond_broadcast(&t->cond);
        if (rc == 0 && t->opts.wakeup) { /* outside the lock: it may take the ui's */
            pthread_mutex_unlock(&t->lock);
            t->opts.wakeup(t->opts.wakeup_opaque);
            pthread_mutex_lock(&t->lock);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int snap_create(const struct snap_opts *opts, struct snap_taker **out)
{
    *out = NULL;
    struct snap_taker *t = calloc(1, sizeof(*t));
    if (!t) return -ENOMEM;
    t->opts = *opts;
    if (t->opts.interval_ns <= 0)
        t->opts.interval_ns = (int64_t)SNAP_DEFAULT_INTERVAL_S * 1000000000;
    t->log = sc_log_child(opts->log, "snapshot");
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    int rc = pthread_create(&t->thread, NULL, worker, t);
    if (rc != 0) {
        pthread_cond_destroy(&t->cond);
        pthread_mutex_destroy(&t->lock);
        sc_log_destroy(t->log);
        free(t);
        return -rc;
    }
    *out = t;
    return 0;
}

void snap_destroy(struct snap_taker *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    for (int i = 0; i < t->n_jobs; i++)
        player_picture_free(t->jobs[i].picture);
    for (int i = 0; i < t->n_done; i++)
        snap_result_free(&t->done[i]);
    player_picture_free(t->last_shown);
    snap_luma_free(&t->previous);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    sc_log_destroy(t->log);
    free(t);
}

static void queue(struct snap_taker *t, const struct player_picture *picture, enum snap_kind kind,
                  int64_t mono_ns, bool repeat)
{
    struct player_picture *ref = player_picture_ref(picture);
    if (!ref) {
        SC_ERR(t->log, "the %s snapshot was skipped: out of memory", snap_kind_name(kind));
        return;
    }
    pthread_mutex_lock(&t->lock);
    bool room = t->n_jobs < MAX_JOBS;
    if (room) t->jobs[t->n_jobs++] = (struct snap_job){ref, kind, mono_ns, repeat};
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (!room) {
        SC_WARN(t->log, "the %s snapshot was skipped: the worker is behind", snap_kind_name(kind));
        player_picture_free(ref);
    }
}

void snap_presented(struct snap_taker *t, const struct player_picture *picture)
{
    if (!t || !picture) return;
    int64_t now = sc_mono_ns();
    /* the last one shown, for the snapshot at the close */
    player_picture_free(t->last_shown);
    t->last_shown = player_picture_ref(picture);
    t->last_shown_ns = now;
    t->last_queued = t->next_due_ns == 0 || now >= t->next_due_ns;
    if (t->next_due_ns == 0) {
        queue(t, picture, SNAP_FIRST, now, false);
        t->next_due_ns = now + t->opts.interval_ns;
    } else if (now >= t->next_due_ns) {
        queue(t, picture, SNAP_PERIODIC, now, false);
        /* keep the rhythm; after a long pause start again from now */
        t->next_due_ns += t->opts.interval_ns;
        if (t->next_due_ns <= now) t->next_due_ns = now + t->opts.interval_ns;
    }
}

void snap_finish(struct snap_taker *t)
{
    if (!t) return;
    /* always one "last", even when the previous snapshot showed that very
     * picture: every session then has its first and its last */
    if (t->last_shown) queue(t, t->last_shown, SNAP_LAST, t->last_shown_ns, t->last_queued);
    player_picture_free(t->last_shown);
    t->last_shown = NULL;
    pthread_mutex_lock(&t->lock);
    while (t->n_jobs > 0 || t->busy)
        pthread_cond_wait(&t->cond, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

int snap_take(struct snap_taker *t, struct snap_result *out)
{
    if (!t) return 0;
    pthread_mutex_lock(&t->lock);
    int got = t->n_done > 0;
    if (got) {
        *out = t->done[0];
        memmove(&t->done[0], &t->done[1], (size_t)(t->n_done - 1) * sizeof(t->done[0]));
        t->n_done--;
    }
    pthread_mutex_unlock(&t->lock);
    return got;
}
