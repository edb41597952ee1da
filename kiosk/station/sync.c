/* The county sync (issue 10): with a county server set
 * (DATA_DIR/county.conninfo), the record's events go up to the county's
 * PostgreSQL by cty_sync after each session and every sync_every_s; a failed
 * sync (no network, the server down or refusing) is retried quietly after
 * min(30 s, sync_every_s), doubling up to ST_SYNC_RETRY_MAX_NS. Nothing of it
 * ever shows a blocking screen: About and `ctl status` tell how it goes.
 *
 * cty_sync blocks on the network, so it runs on a worker thread of its own.
 * The loop owns every state: it hands the worker one request at a time (the
 * conninfo, what plays and what is next) and takes the result after the
 * worker's ui_wakeup. At exit a sync in progress gets ST_SYNC_STOP_WAIT_MS
 * (libpq's connect_timeout and keepalives bound it anyway); past that the
 * worker is detached and frees its job itself: the job holds its own copies
 * and its own log, nothing of the station's.
 *
 * The last success (local time of the station clock) and the county's last
 * acknowledged seq are kept in DATA_DIR/county-sync.json by the worker, so
 * that About can tell them after a restart without the network.
 *
 * Threads: st_sync_* on the loop's thread; worker_main on the worker, which
 * touches only its job, under job->lock. */
#include "kiosk/station/internal.h"
#include "kiosk/county/county.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S             1000000000LL
#define ST_SYNC_EVERY_S      300
#define ST_SYNC_RETRY_S      30
#define ST_SYNC_RETRY_MAX_NS (30 * 60 * NS_PER_S)
#define ST_SYNC_CONNECT_S    5
#define ST_SYNC_STOP_WAIT_MS 3000
#define ST_SYNC_STATE_FILE   "county-sync.json"

/* Shared by the loop and the worker, under lock. */
struct sync_job {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    struct sc_log *root, *log; /* the job's own: it may outlive the station */
    struct ui *ui;             /* woken while !abandoned */
    bool stop, abandoned, finished;
    /* the request (the loop sets it, requested true) */
    bool requested;
    char conninfo[ST_COUNTY_CONNINFO_MAX + 1];
    char data_dir[PATH_MAX];
    char playing[SCH_TITLE_MAX], next[SCH_TITLE_MAX];
    int64_t utc_minus_mono_ns; /* the station clock, for the time of a success */
    /* the result (the worker sets it, done true) */
    bool done;
    int rc;
    struct cty_sync_result result;
    int64_t ok_utc;
};

struct st_sync {
    struct sync_job *job;                      /* NULL: no worker (it could not start) */
    char conninfo[ST_COUNTY_CONNINFO_MAX + 1]; /* "" off */
    struct st_sync_view view;
    bool running;     /* a request is with the worker */
    bool stale;       /* the conninfo changed while it ran: its result is dropped */
    int64_t next_ns;  /* the next sync (mono) */
    int64_t retry_ns; /* the back-off now, 0: none */
    int64_t acked_seq;
};

const char *st_sync_state_name(enum st_sync_state state)
{
    static const char *const names[] = {"off", "idle", "syncing", "retrying", "error"};
    return names[state];
}

static void job_free(struct sync_job *job)
{
    pthread_mutex_destroy(&job->lock);
    pthread_cond_destroy(&job->cond);
    sc_log_destroy(job->log);
    sc_log_destroy(job->root);
    free(job);
}

/* DATA_DIR/county-sync.json: {"last_ok": UTC seconds, "last_seq": N}. */
static void save_state(struct sync_job *job, int64_t ok_utc, int64_t last_seq)
{
    char path[PATH_MAX], text[128];
    if (snprintf(path, sizeof(path), "%s/" ST_SYNC_STATE_FILE, job->data_dir) >= (int)sizeof(path))
        return;
    int n = snprintf(text, sizeof(text), "{\"last_ok\": %lld, \"last_seq\": %lld}\n",
                     (long long)ok_utc, (long long)last_seq);
    int rc = sc_write_file_atomic(path, text, (size_t)n);
    if (rc < 0) SC_WARN(job->log, "cannot keep the sync's state in %s: %s", path, strerror(-rc));
}

static void run_request(struct sync_job *job, struct cty_sync_result *result, int *rc)
{
    struct cty_station_status status = {.playing = job->playing[0] ? job->playing : NULL,
                                        .next = job->next[0] ? job->next : NULL};
    struct cty_sync_options options = {.conninfo = job->conninfo,
                                       .data_dir = job->data_dir,
                                       .log = job->log,
                                       .status = &status,
                                       .connect_timeout_s = ST_SYNC_CONNECT_S};
    memset(result, 0, sizeof(*result));
    int64_t t0 = sc_mono_ns();
    *rc = cty_sync(&options, result);
    if (*rc == 0)
        SC_INFO(job->log, "synced with the county: %lld events up in %.1f s, county at seq %lld",
                (long long)result->uploaded, (double)(sc_mono_ns() - t0) / 1e9,
                (long long)result->last_seq);
    else
        SC_INFO(job->log, "sync failed (%s): %s", cty_strerror(*rc), result->message);
}

static void *worker_main(void *opaque)
{
    struct sync_job *job = opaque;
    pthread_mutex_lock(&job->lock);
    for (;;) {
        while (!job->stop && !job->requested)
            pthread_cond_wait(&job->cond, &job->lock);
        if (job->stop) break;
        pthread_mutex_unlock(&job->lock); /* the request is not touched until done */
        struct cty_sync_result result;
        int rc;
        run_request(job, &result, &rc);
        int64_t ok_utc = (sc_mono_ns() + job->utc_minus_mono_ns) / NS_PER_S;
        if (rc == 0) save_state(job, ok_utc, result.last_seq);
        pthread_mutex_lock(&job->lock);
        job->rc = rc;
        job->result = result;
        job->ok_utc = ok_utc;
        job->requested = false;
        job->done = true;
        if (!job->abandoned) ui_wakeup(job->ui);
    }
    job->finished = true;
    bool orphan = job->abandoned;
    pthread_mutex_unlock(&job->lock);
    if (orphan) job_free(job);
    return NULL;
}

/* A log of the job's own on stderr at the station's level: a detached
 * worker may log after the station's log is gone. */
static struct sc_log *own_root(struct st_station *st)
{
    enum sc_log_level level = SC_LOG_ERROR;
    while (level < SC_LOG_TRACE && sc_log_enabled(st->log, level + 1))
        level++;
    return sc_log_create(stderr, level);
}

static int start_worker(struct st_station *st, struct st_sync *s)
{
    struct sync_job *job = calloc(1, sizeof(*job));
    if (!job) return -ENOMEM;
    job->ui = st->ui;
    snprintf(job->data_dir, sizeof(job->data_dir), "%s", st->data_dir);
    pthread_mutex_init(&job->lock, NULL);
    pthread_cond_init(&job->cond, NULL);
    job->root = own_root(st);
    job->log = sc_log_child(job->root, "kiosk/sync");
    int rc = !job->log ? ENOMEM : pthread_create(&job->thread, NULL, worker_main, job);
    if (rc != 0) {
        job_free(job);
        return -rc;
    }
    s->job = job;
    return 0;
}

static void load_state(struct st_station *st, struct st_sync *s)
{
    char path[PATH_MAX], *text = NULL;
    size_t len;
    if (snprintf(path, sizeof(path), "%s/" ST_SYNC_STATE_FILE, st->data_dir) >= (int)sizeof(path) ||
        sc_read_file(path, 4096, &text, &len) < 0)
        return;
    struct sc_jv *root = NULL;
    int64_t ok = 0, seq = 0;
    if (sc_json_parse(text, len, &root, NULL, 0) == 0 && sc_jv_get_int(root, "last_ok", &ok) == 0 &&
        sc_jv_get_int(root, "last_seq", &seq) == 0 && ok > 0 && seq >= 0) {
        s->view.last_ok_utc = ok;
        s->acked_seq = seq;
    }
    sc_jv_free(root);
    free(text);
}

static int64_t pending(struct rec *rec, const struct st_sync *s)
{
    /* not rec_last_seq: ctl status and About ask on the core loop, which
     * must not wait for the writer's fsyncs */
    int64_t n = rec_last_recorded_seq(rec) - s->acked_seq;
    return n > 0 ? n : 0;
}

void st_sync_reload(struct st_station *st)
{
    struct st_sync *s = st->sync;
    if (!s) return;
    char conninfo[ST_COUNTY_CONNINFO_MAX + 1] = "";
    int rc = st->demo ? -ENOENT : st_station_county_get(st->data_dir, conninfo, sizeof(conninfo));
    if (rc < 0 && rc != -ENOENT)
        SC_WARN(st->log, "the county server in %s/county.conninfo is unusable (%s): not syncing",
                st->data_dir, strerror(-rc));
    if (strcmp(conninfo, s->conninfo) == 0) return;
    snprintf(s->conninfo, sizeof(s->conninfo), "%s", conninfo);
    st_station_county_shown(conninfo, s->view.server, sizeof(s->view.server));
    s->stale = s->running;
    s->view.state = conninfo[0] ? ST_SYNC_IDLE : ST_SYNC_OFF;
    s->view.message[0] = '\0';
    s->view.error = 0;
    s->next_ns = sc_mono_ns();
    s->retry_ns = 0;
    SC_INFO(st->log, "county server: %s", conninfo[0] ? s->view.server : "none (not syncing)");
    st->view_dirty = true;
}

int st_sync_create(struct st_station *st)
{
    struct st_sync *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    st->sync = s;
    load_state(st, s);
    int rc = start_worker(st, s);
    if (rc < 0) {
        SC_WARN(st->log, "cannot start the county sync's thread (%s): not syncing", strerror(-rc));
        return 0; /* the station runs without */
    }
    st_sync_reload(st);
    return 0;
}

void st_sync_destroy(struct st_station *st)
{
    struct st_sync *s = st->sync;
    if (!s) return;
    struct sync_job *job = s->job;
    if (job) {
        pthread_mutex_lock(&job->lock);
        job->stop = true;
        pthread_cond_signal(&job->cond);
        pthread_mutex_unlock(&job->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ST_SYNC_STOP_WAIT_MS / 1000;
        if (pthread_timedjoin_np(job->thread, NULL, &until) == 0) {
            job_free(job);
        } else {
            pthread_mutex_lock(&job->lock);
            bool finished = job->finished;
            job->abandoned = !finished;
            pthread_mutex_unlock(&job->lock);
            if (finished) {
                pthread_join(job->thread, NULL);
                job_free(job);
            } else {
                SC_WARN(st->log, "a county sync is still running: left to end on its own");
                pthread_detach(job->thread);
            }
        }
    }
    free(s);
    st->sync = NULL;
}

void st_sync_kick(struct st_station *st)
{
    struct st_sync *s = st->sync;
    if (s && s->conninfo[0]) s->next_ns = sc_mono_ns();
}

static void take_result(struct st_station *st, struct st_sync *s, int64_t now_ns)
{
    struct sync_job *job = s->job;
    pthread_mutex_lock(&job->lock);
    bool done = job->done;
    int rc = job->rc;
    struct cty_sync_result result = job->result;
    int64_t ok_utc = job->ok_utc;
    job->done = false;
    pthread_mutex_unlock(&job->lock);
    if (!done) return;
    s->running = false;
    st->view_dirty = true;
    if (s->stale || !s->conninfo[0]) { /* for a server no longer set */
        s->stale = false;
        return;
    }
    if (result.last_seq > s->acked_seq || rc == 0) s->acked_seq = result.last_seq;
    if (rc == 0) {
        s->view.state = ST_SYNC_IDLE;
        s->view.last_ok_utc = ok_utc;
        s->view.message[0] = '\0';
        s->view.error = 0;
        s->retry_ns = 0;
        s->next_ns = now_ns + (int64_t)st->opts.sync_every_s * NS_PER_S;
        return;
    }
    /* refused (credentials, another station, no schema): retried too, the
     * county may fix it, but it says "error" */
    bool refused = rc == CTY_EAUTH || rc == CTY_ENOTREG || rc == CTY_EMISMATCH ||
                   rc == CTY_ESCHEMA || rc == CTY_ERECORD;
    s->view.state = refused ? ST_SYNC_ERROR : ST_SYNC_RETRYING;
    s->view.error = rc;
    snprintf(s->view.message, sizeof(s->view.message), "%s",
             result.message[0] ? result.message : cty_strerror(rc));
    int64_t first = (int64_t)(st->opts.sync_every_s < ST_SYNC_RETRY_S ? st->opts.sync_every_s
                                                                      : ST_SYNC_RETRY_S) *
                    NS_PER_S;
    s->retry_ns = s->retry_ns ? s->retry_ns * 2 : first;
    if (s->retry_ns > ST_SYNC_RETRY_MAX_NS) s->retry_ns = ST_SYNC_RETRY_MAX_NS;
    s->next_ns = now_ns + s->retry_ns;
    SC_INFO(st->log, "county sync: %s; again in %lld s", s->view.message,
            (long long)(s->retry_ns / NS_PER_S));
}

static void send_request(struct st_station *st, struct st_sync *s)
{
    struct sync_job *job = s->job;
    pthread_mutex_lock(&job->lock);
    snprintf(job->conninfo, sizeof(job->conninfo), "%s", s->conninfo);
    snprintf(job->playing, sizeof(job->playing), "%s",
             st->course.active && !st->course.pretune ? st->course.entry.title : "");
    st_planner_next_course_title(st, job->next, sizeof(job->next));
    job->utc_minus_mono_ns = st->clock.utc_minus_mono_ns;
    job->requested = true;
    pthread_cond_signal(&job->cond);
    pthread_mutex_unlock(&job->lock);
    s->running = true;
    if (s->view.state == ST_SYNC_IDLE) s->view.state = ST_SYNC_SYNCING;
    st->view_dirty = true;
}

void st_sync_turn(struct st_station *st, int64_t now_ns)
{
    struct st_sync *s = st->sync;
    if (atomic_exchange(&st->watcher.county_changed, false)) st_sync_reload(st);
    if (!s || !s->job) return;
    if (s->running) take_result(st, s, now_ns);
    if (!s->running && s->conninfo[0] && now_ns >= s->next_ns) send_request(st, s);
}

int64_t st_sync_deadline_ns(const struct st_station *st)
{
    const struct st_sync *s = st->sync;
    if (!s || !s->job || s->running || !s->conninfo[0]) return INT64_MAX; /* the worker wakes us */
    return s->next_ns;
}

void st_sync_view(const struct st_station *st, struct st_sync_view *out)
{
    const struct st_sync *s = st->sync;
    if (!s) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = s->view;
    if (s->running && out->state == ST_SYNC_IDLE) out->state = ST_SYNC_SYNCING;
    out->pending = pending(st->rec, s);
}

void st_sync_status(struct st_station *st, struct sc_json *j)
{
    struct st_sync_view v;
    st_sync_view(st, &v);
    sc_json_key(j, "sync");
    sc_json_object_begin(j);
    sc_json_kv_string(j, "state", st_sync_state_name(v.state));
    if (v.last_ok_utc) {
        char when[40];
        sc_format_iso8601_utc(v.last_ok_utc, when, sizeof(when));
        sc_json_kv_string(j, "last_ok", when);
    } else {
        sc_json_kv_string(j, "last_ok", NULL);
    }
    sc_json_kv_int(j, "pending", v.pending);
    sc_json_kv_string(j, "message", v.message);
    sc_json_kv_string(j, "server", v.server);
    sc_json_object_end(j);
}
