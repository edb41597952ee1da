/* The record's writer thread: events are queued by the handle's owner and
 * committed here, on a database connection of the writer's own, so that a
 * slow fsync (hundreds of ms on a cheap SD card) never stalls the loop that
 * presents the picture. Whatever is waiting when a commit ends goes into the
 * next transaction: one fsync for many events. The chain is computed at
 * insert time from the database's last event, exactly as a direct append. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Events waiting beyond this mean the disk has stopped answering (at the
 * loop's rates, for hours): a call waits up to QUEUE_FULL_WAIT_MS for room,
 * then fails (-EBUSY) rather than grow memory without bound. */
#define QUEUE_MAX          4096
#define QUEUE_FULL_WAIT_MS 1000
/* Events per transaction at most: a commit stays short. */
#define BATCH_MAX 256

struct pending {
    struct pending *next;
    uint64_t ticket; /* 1, 2 ... in queue order */
    struct rec_clock_reading at;
    bool has_session;
    char session[REC_UUID_STR_LEN];
    char *type, *payload;
    char *file_name; /* a snapshot stored just before the event, or NULL */
    void *file_bytes;
    size_t file_size;
    bool keep;   /* queued without waiting: kept and retried after a disk failure */
    int rc;      /* the commit's result */
    int64_t seq; /* its sequence number once committed */
};

struct rec_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *rollback, *last_event, *insert_event;
    /* guarded by lock */
    struct pending *head, *tail;
    size_t n_waiting;
    /* events a full or read-only disk refused, retried (first, in order)
     * with the next commit, which the next event (a heartbeat at least)
     * starts */
    struct pending *held;
    size_t n_held;
    bool stop, last_try;
    uint64_t queued, processed; /* tickets given, tickets committed or failed */
    int64_t last_seq;           /* the last event this writer committed */
    int fail;                   /* the last commit's failure; 0 once one works again */
    int unreported;             /* a failure not yet returned to the owner */
    /* results of the tickets a caller waits for: only the last batch's */
    struct pending *finished;
};

static int prepare(struct rec *rec, struct rec_writer *w, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v3(w->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return rc == SQLITE_OK ? 0 : rec_map_sqlite_db(rec, w->db, rc, "preparing the writer");
}

/* The writer's own connection to the database rec_open has set up. */
static int open_connection(struct rec *rec, struct rec_writer *w, bool no_sync)
{
    size_t n = strlen(rec->data_dir) + sizeof(REC_DB_NAME) + 2;
    char *path = malloc(n);
    if (!path) return -ENOMEM;
    snprintf(path, n, "%s/%s", rec->data_dir, REC_DB_NAME);
    int rc = sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    free(path);
    if (rc != SQLITE_OK) return rec_map_sqlite_db(rec, w->db, rc, "opening the writer's database");
    sqlite3_extended_result_codes(w->db, 1);
    sqlite3_busy_timeout(w->db, 5000);
    /* synchronous is per connection: this one's commits are the durable ones */
    rc = sqlite3_exec(w->db, no_sync ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite_db(rec, w->db, rc, "setting durability");
    int err = prepare(rec, w, "BEGIN IMMEDIATE", &w->begin);
    if (!err) err = prepare(rec, w, "COMMIT", &w->commit);
    if (!err) err = prepare(rec, w, "ROLLBACK", &w->rollback);
    if (!err)
        err = prepare(rec, w, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                      &w->last_event);
    if (!err)
        err = prepare(rec, w,
                      "INSERT INTO events (seq, type, utc_ns, clock_source, mono_ns, boot_id, "
                      "session, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                      &w->insert_event);
    return err;
}

static void free_list(struct pending *p)
{
    while (p) {
        struct pending *next = p->next;
        free(p->type);
        free(p->payload);
        free(p->file_name);
        free(p->file_bytes);
        free(p);
        p = next;
    }
}

static void rollback(struct rec *rec, struct rec_writer *w)
{
    if (!sqlite3_get_autocommit(w->db)) rec_step_done(rec, w->rollback, "rolling back");
}

/* Inserts events from..to (inclusive, or to the end) in one transaction. */
static int commit_range(struct rec *rec, struct rec_writer *w, struct pending *from,
                        const struct pending *to)
{
    struct rec_conn conn = {.last_event = w->last_event, .insert_event = w->insert_event};
    int rc = rec_step_done(rec, w->begin, "starting a transaction");
    for (struct pending *p = from; rc == 0 && p; p = p->next) {
        if (p->file_name)
            rc =
                rec_snapshot_store_file(rec, p->session, p->file_name, p->file_bytes, p->file_size);
        if (rc == 0)
            rc = rec_chain_insert(rec, &conn, p->type, p->has_session ? p->session : NULL,
                                  p->payload, &p->at, NULL, &p->seq);
        if (p == to) break;
    }
    if (rc == 0) rc = rec_step_done(rec, w->commit, "committing");
    if (rc != 0) rollback(rec, w);
    return rc;
}

static bool disk_failure(int rc)
{
    return rc == -ENOSPC || rc == -EROFS || rc == -EIO || rc == -EACCES || rc == -EBUSY;
}

/* Commits a batch: all in one transaction; if that fails for a reason of
 * one event's (not the disk's), each event on its own, so that one bad event
 * does not take the others with it. */
static void commit_batch(struct rec *rec, struct rec_writer *w, struct pending *batch)
{
    int rc = commit_range(rec, w, batch, NULL);
    bool disk = disk_failure(rc);
    for (struct pending *p = batch; p; p = p->next) {
        if (rc != 0 && batch->next && !disk) {
            p->rc = commit_range(rec, w, p, p);
        } else {
            p->rc = rc;
        }
        if (p->rc != 0) p->seq = 0;
    }
}

/* Caller holds w->lock: the batch's results; events to retry go back to
 * held, the others to finished (for the callers that wait). */
static void publish(struct rec_writer *w, struct pending *batch)
{
    free_list(w->finished);
    w->finished = NULL;
    struct pending **fin = &w->finished, **held = &w->held;
    while (*held)
        held = &(*held)->next;
    for (struct pending *p = batch, *next; p; p = next) {
        next = p->next;
        p->next = NULL;
        bool retry = p->rc != 0 && p->keep && disk_failure(p->rc) && w->n_held < QUEUE_MAX;
        *(retry ? held : fin) = p;
        if (retry) {
            held = &p->next;
            w->n_held++;
        } else {
            fin = &p->next;
        }
        if (p->ticket > w->processed) w->processed = p->ticket;
        if (p->rc == 0) {
            w->last_seq = p->seq;
            w->fail = 0;
        } else {
            /* a failure that goes on was reported when it began: the
             * events queued since then were refused, or their callers
             * (heartbeats, the calls that wait) were told */
            if (w->fail != p->rc) w->unreported = p->rc;
            w->fail = p->rc;
        }
    }
    pthread_cond_broadcast(&w->done);
}

/* Caller holds w->lock: the held events, then up to BATCH_MAX from the
 * queue's head. */
static struct pending *take_batch(struct rec_writer *w)
{
    struct pending *held = w->held;
    w->held = NULL;
    w->n_held = 0;
    if (!w->head) return held;
    struct pending *batch = w->head, *last = batch;
    size_t n = 1;
    while (last->next && n < BATCH_MAX) {
        last = last->next;
        n++;
    }
    w->head = last->next;
    if (!w->head) w->tail = NULL;
    last->next = NULL;
    w->n_waiting -= n;
    if (!held) return batch;
    struct pending *tail = held;
    while (tail->next)
        tail = tail->next;
    tail->next = batch;
    return held;
}

static void *writer_main(void *arg)
{
    struct rec *rec = arg;
    struct rec_writer *w = rec->writer;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->lock);
        /* stopping: nothing left, or the held events had their last try */
        if (!w->head && (!w->held || w->last_try)) break;
        if (!w->head) w->last_try = true;
        struct pending *batch = take_batch(w);
        pthread_mutex_unlock(&w->lock);
        commit_batch(rec, w, batch);
        pthread_mutex_lock(&w->lock);
        publish(w, batch);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void destroy(struct rec_writer *w)
{
    sqlite3_finalize(w->begin);
    sqlite3_finalize(w->commit);
    sqlite3_finalize(w->rollback);
    sqlite3_finalize(w->last_event);
    sqlite3_finalize(w->insert_event);
    if (w->db) sqlite3_close_v2(w->db);
    free_list(w->head);
    free_list(w->held);
    free_list(w->finished);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->done);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

int rec_writer_start(struct rec *rec, bool no_sync)
{
    struct rec_writer *w = calloc(1, sizeof(*w));
    if (!w) return -ENOMEM;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    int rc = open_connection(rec, w, no_sync);
    if (rc == 0 && sqlite3_step(w->last_event) == SQLITE_ROW) /* durable already */
        w->last_seq = sqlite3_column_int64(w->last_event, 0);
    if (w->last_event) sqlite3_reset(w->last_event);
    rec->writer = w;
    if (rc == 0 && pthread_create(&w->thread, NULL, writer_main, rec) != 0) rc = -EAGAIN;
    if (rc != 0) {
        rec->writer = NULL;
        destroy(w);
    }
    return rc;
}

void rec_writer_stop(struct rec *rec)
{
    struct rec_writer *w = rec->writer;
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    w->stop = true; /* the thread commits what is queued first */
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    if (w->held || w->unreported)
        SC_ERR(rec->log, "study record: events queued before closing could not be recorded: %s",
               rec_strerror(w->fail ? w->fail : w->unreported));
    rec->writer = NULL;
    destroy(w);
}

/* Caller holds w->lock. Queues one event read at `at`; returns its ticket. */
static uint64_t push(struct rec_writer *w, struct pending *p)
{
    p->ticket = ++w->queued;
    if (w->tail)
        w->tail->next = p;
    else
        w->head = p;
    w->tail = p;
    w->n_waiting++;
    pthread_cond_signal(&w->work);
    return p->ticket;
}

static struct pending *make(struct rec *rec, const char *type, const char *session,
                            const char *payload)
{
    struct pending *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    rec_now(rec, &p->at); /* the event's time is the call's, not the commit's */
    p->type = strdup(type);
    p->payload = strdup(payload ? payload : "{}");
    p->has_session = session != NULL;
    if (session) snprintf(p->session, sizeof(p->session), "%s", session);
    if (!p->type || !p->payload) {
        free_list(p);
        return NULL;
    }
    return p;
}

/* Caller holds w->lock: waits a while for the writer to take the queue. */
static bool wait_for_room(struct rec_writer *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += QUEUE_FULL_WAIT_MS / 1000;
    while (w->n_waiting >= QUEUE_MAX)
        if (pthread_cond_timedwait(&w->done, &w->lock, &until) == ETIMEDOUT) break;
    return w->n_waiting < QUEUE_MAX;
}

int rec_enqueue(struct rec *rec, const char *type, const char *session, const char *payload,
                enum rec_queue_kind kind)
{
    struct rec_writer *w = rec->writer;
    if (!w) return -EROFS; /* a reading handle */
    struct pending *p = make(rec, type, session, payload);
    if (!p) return -ENOMEM;
    p->keep = true;
    pthread_mutex_lock(&w->lock);
    int rc = w->fail ? w->fail : w->unreported;
    w->unreported = 0;
    bool queue = w->fail == 0 || kind == REC_QUEUE_ALWAYS;
    if (queue && w->n_waiting >= QUEUE_MAX && !wait_for_room(w)) {
        queue = false;
        rc = -EBUSY;
    }
    if (queue) push(w, p);
    pthread_mutex_unlock(&w->lock);
    if (!queue) free_list(p);
    if (rc == -EBUSY && !w->fail)
        SC_ERR(rec->log, "study record: %d events wait for the disk; %s is not recorded", QUEUE_MAX,
               type);
    return rc;
}

int rec_enqueue_with_file(struct rec *rec, const char *type, const char *session,
                          const char *payload, const char *file_name, const void *bytes,
                          size_t size)
{
    struct rec_writer *w = rec->writer;
    if (!w) return -EROFS;
    struct pending *p = make(rec, type, session, payload);
    if (!p) return -ENOMEM;
    p->file_name = strdup(file_name);
    p->file_bytes = malloc(size);
    if (!p->file_name || !p->file_bytes) {
        free_list(p);
        return -ENOMEM;
    }
    memcpy(p->file_bytes, bytes, size);
    p->file_size = size;
    pthread_mutex_lock(&w->lock);
    /* an earlier failure not yet returned stays for the owner's next call */
    bool queue = w->fail == 0 && (w->n_waiting < QUEUE_MAX || wait_for_room(w));
    int rc = queue ? 0 : w->fail ? w->fail : -EBUSY;
    if (queue) push(w, p);
    pthread_mutex_unlock(&w->lock);
    if (!queue) free_list(p);
    return rc;
}

int rec_append(struct rec *rec, const char *type, const char *session, const char *payload,
               int64_t *seq)
{
    struct rec_writer *w = rec->writer;
    if (!w) return -EROFS;
    struct pending *p = make(rec, type, session, payload);
    if (!p) return -ENOMEM;
    pthread_mutex_lock(&w->lock);
    uint64_t ticket = push(w, p);
    while (w->processed < ticket)
        pthread_cond_wait(&w->done, &w->lock);
    /* the ticket was in the last batch: nothing else is committed while the
     * owner (this thread) waits here */
    int rc = -EIO;
    for (const struct pending *f = w->finished; f; f = f->next)
        if (f->ticket == ticket) {
            rc = f->rc;
            if (rc == 0 && seq) *seq = f->seq;
        }
    if (rc != 0 && w->unreported == rc) w->unreported = 0; /* returned here */
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void rec_writer_drain(struct rec *rec)
{
    struct rec_writer *w = rec->writer;
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    while (w->processed < w->queued)
        pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

int rec_writer_take_unreported(struct rec *rec)
{
    struct rec_writer *w = rec->writer;
    if (!w) return 0;
    pthread_mutex_lock(&w->lock);
    int rc = w->unreported;
    w->unreported = 0;
    pthread_mutex_unlock(&w->lock);
    return rc;
}

int rec_flush(struct rec *rec)
{
    rec_writer_drain(rec);
    return rec_writer_take_unreported(rec);
}

void rec_durability(const struct rec *rec, struct rec_durability *out)
{
    memset(out, 0, sizeof(*out));
    struct rec_writer *w = rec->writer;
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    out->queued = w->queued;
    out->done = w->processed;
    out->last_seq = w->last_seq;
    out->failure = w->fail;
    pthread_mutex_unlock(&w->lock);
}

void rec_writer_saw_seq(struct rec *rec, int64_t seq)
{
    struct rec_writer *w = rec->writer;
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    if (seq > w->last_seq) w->last_seq = seq;
    pthread_mutex_unlock(&w->lock);
}

int64_t rec_last_recorded_seq(const struct rec *rec)
{
    struct rec_durability d;
    rec_durability(rec, &d);
    return d.last_seq;
}
