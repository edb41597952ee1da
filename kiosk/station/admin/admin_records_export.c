/* Records: exporting a month to a USB stick. The administrator chooses the
 * stick; a worker thread runs the record's staged export
 * (rec_export_staged, with its own record handle): CSV, xAPI, PDF, the
 * event chain and the signed manifest written into
 * STICK/studycast-<station>-<month>.incomplete, verified against the
 * station's public key, and only then renamed to its final name. Any failure
 * removes that folder (or, if the stick is gone, leaves it named
 * .incomplete); the record on the receiver is only read. A stick is hostile
 * ground: it is opened once and every name on it is looked at relative to
 * that fd without following links, and nothing on it is removed but an
 * unfinished export of ours. The loop stays responsive: the worker wakes it
 * when done (ui_wakeup) and the page shows the stage and the time taken
 * meanwhile.
 *
 * Threads: the page on the loop's thread; export_main on the worker, which
 * touches only its job (inputs read-only, outputs read after pthread_join)
 * and the atomics. */
#include "kiosk/station/admin/admin.h"
#include "kiosk/station/drives.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL

enum stage { STAGE_WRITING = 0, STAGE_VERIFYING, STAGE_FINISHING };

struct export_job {
    /* inputs, set before the thread starts */
    char data_dir[PATH_MAX];
    char stick[PATH_MAX];   /* the stick's mount point */
    int stick_fd;           /* it, opened when the export started; owned */
    char name[256];         /* NAME: the final folder's name on the stick */
    char partial[PATH_MAX]; /* STICK/NAME.incomplete */
    char final[PATH_MAX];   /* STICK/NAME */
    int64_t from_utc, to_utc;
    struct sc_log *log;
    struct ui *ui;
    /* progress */
    atomic_int stage;
    atomic_bool done;
    /* the page went (the menu closed) while the worker ran: the worker then
     * frees the job and wakes nobody. Both under lock. */
    pthread_mutex_t lock;
    bool abandoned;
    /* outputs, read after the join */
    int rc;            /* 0, or what failed */
    int failed_stage;  /* where */
    int n_problems;    /* verification problems */
    char problem[200]; /* the first of them */
    int n_files;       /* in the verified folder */
    int64_t upto_seq;  /* the last event when the export began (pruning) */
    bool partial_left; /* the .incomplete folder could not be removed */
    /* REC_ECHAIN: the altered event (the record's fault, not the stick's) */
    struct rec_chain_fault fault;
};

static void job_free(struct export_job *job)
{
    if (!job) return;
    if (job->stick_fd >= 0) close(job->stick_fd);
    pthread_mutex_destroy(&job->lock);
    free(job);
}

/* Entries in the folder `name` on the stick (never through a link). */
static int count_files(int stick_fd, const char *name)
{
    int fd = openat(stick_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int rc = -errno;
        if (fd >= 0) close(fd);
        return rc;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void on_problem(void *opaque, const char *message)
{
    struct export_job *job = opaque;
    if (job->n_problems++ == 0) snprintf(job->problem, sizeof(job->problem), "%s", message);
    SC_WARN(job->log, "export check: %s", message);
}

static void on_stage(void *opaque, enum rec_export_stage stage)
{
    struct export_job *job = opaque;
    atomic_store(&job->stage, stage == REC_STAGE_WRITING     ? STAGE_WRITING
                              : stage == REC_STAGE_VERIFYING ? STAGE_VERIFYING
                                                             : STAGE_FINISHING);
}

/* Whether the stick's mount point still holds the folder we opened: a stick
 * pulled out (or its directory moved away) no longer does. */
static bool stick_still_there(void *opaque)
{
    struct export_job *job = opaque;
    struct stat now, opened;
    return stat(job->stick, &now) == 0 && fstat(job->stick_fd, &opened) == 0 &&
           now.st_dev == opened.st_dev && now.st_ino == opened.st_ino;
}

/* The record book's snapshots: the record does not decode pictures. */
static int decode_snapshot(void *ctx, const void *data, size_t size, int max_width, uint8_t **argb,
                           int *width, int *height, int *stride)
{
    (void)ctx;
    return snap_decode_argb(data, size, max_width, argb, width, height, stride);
}

static int run_export(struct export_job *job)
{
    struct rec *rec = NULL;
    /* the export only reads the record (and writes the stick) */
    struct rec_options options = {.data_dir = job->data_dir, .read_only = true};
    int rc = rec_open(&options, job->log, &rec); /* a handle of this thread's own */
    if (rc < 0) return rc;
    job->upto_seq = rec_last_seq(rec); /* what the export can hold at most */
    rec_set_picture_decoder(rec, decode_snapshot, NULL);
    struct rec_export_request req = {
        .parent_fd = job->stick_fd,
        .name = job->name,
        .label = job->final,
        .from_utc = job->from_utc,
        .to_utc = job->to_utc,
        .formats = REC_EXPORT_ALL,
        .stage = on_stage,
        .still_there = stick_still_there,
        .problem = on_problem,
        .ctx = job,
    };
    rc = rec_export_staged(rec, &req);
    if (rc == REC_ECHAIN) job->fault = *rec_chain_fault(rec); /* the record's fault */
    rec_close(rec);
    if (rc < 0) return rc;
    job->n_files = count_files(job->stick_fd, job->name);
    return job->n_files < 0 ? job->n_files : 0;
}

static void *export_main(void *opaque)
{
    struct export_job *job = opaque;
    int64_t t0 = sc_mono_ns();
    job->rc = run_export(job);
    job->failed_stage = atomic_load(&job->stage);
    if (job->rc < 0) {
        SC_WARN(job->log, "export to %s failed: %s", job->final, rec_strerror(job->rc));
        /* the export removed its staging folder, unless the stick went */
        struct stat sb;
        char partial[sizeof(job->name) + 16];
        snprintf(partial, sizeof(partial), "%s%s", job->name, REC_EXPORT_STAGING_SUFFIX);
        job->partial_left = fstatat(job->stick_fd, partial, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    } else {
        SC_INFO(job->log, "export to %s verified (%d files) in %.1f s", job->final, job->n_files,
                (double)(sc_mono_ns() - t0) / 1e9);
    }
    pthread_mutex_lock(&job->lock);
    atomic_store(&job->done, true);
    bool abandoned = job->abandoned;
    if (!abandoned) ui_wakeup(job->ui);
    pthread_mutex_unlock(&job->lock);
    if (abandoned) job_free(job);
    return NULL;
}

/* ---- the page ---- */

enum export_state { EXPORT_CHOOSE, EXPORT_RUNNING, EXPORT_DONE, EXPORT_FAILED };

struct export_page {
    int year, month;
    char label[16];
    int64_t from_utc, to_utc;
    struct st_drive_list drives;
    enum export_state state;
    struct st_drive chosen;
    struct export_job *job;
    pthread_t thread;
    bool thread_started;
    int64_t started_ns, finished_ns;
    int64_t redraw_ns; /* running: the shown time's next second */
    char folder[256];  /* the final folder's name */
};

static bool errno_full(int rc)
{
    return rc == -ENOSPC || rc == -EDQUOT || rc == -EFBIG;
}
static bool errno_read_only(int rc)
{
    return rc == -EROFS || rc == -EACCES || rc == -EPERM;
}
static bool errno_gone(int rc)
{
    return rc == -EIO || rc == -ENOENT || rc == -ENODEV || rc == -ENXIO || rc == -ESTALE ||
           rc == -ENOTDIR;
}

static void finish(struct st_station *st, struct export_page *p)
{
    pthread_join(p->thread, NULL);
    p->thread_started = false;
    p->finished_ns = sc_mono_ns();
    struct export_job *job = p->job;
    struct st_drives_env env = st_drives_env(st);
    bool present = st_drive_present(&env, &p->chosen);
    st_drive_list_scan(st, &p->drives);
    if (job->rc == 0) {
        p->state = EXPORT_DONE;
        /* the worker's handle only read: the finished month's snapshots,
         * now on a verified export, are pruned through the loop's own */
        int pruned = rec_snapshots_prune(st->rec, job->from_utc, job->to_utc, job->upto_seq);
        if (pruned < 0)
            SC_WARN(st->log, "the exported month's snapshots were kept: %s", rec_strerror(pruned));
        st_admin_message(st, false, "Verified: %d files, signature good", job->n_files);
        return;
    }
    p->state = EXPORT_FAILED;
    const char *kept =
        job->partial_left ? st_tr(st, " (the unfinished folder is marked .incomplete)") : "";
    if (job->rc == REC_ECHAIN) {
        char where[96];
        snprintf(where, sizeof(where), st_tr(st, "event %lld, %s"), (long long)job->fault.seq,
                 job->fault.type);
        st_admin_message(st, true,
                         "Not exported: the study record on this receiver has been altered "
                         "(%s). Nothing is signed from an altered record.",
                         job->fault.seq ? where : rec_strerror(job->rc));
    } else if (!present || (errno_gone(job->rc) && job->rc != -ENOENT))
        st_admin_message(st, true,
                         "The USB stick was pulled out during the export%s. The record on the "
                         "receiver is unchanged: insert the stick and export again.",
                         kept);
    else if (errno_full(job->rc))
        st_admin_message(st, true,
                         "The USB stick is full: nothing was exported%s. Free some space or use "
                         "another stick.",
                         kept);
    else if (errno_read_only(job->rc))
        st_admin_message(st, true,
                         "The USB stick is read-only (is its lock switch on?): nothing was "
                         "exported. Use another stick.");
    else if (job->rc == REC_ETAMPER)
        st_admin_message(st, true,
                         "What was written to the stick does not check out (%s): it was removed. "
                         "Try another stick.",
                         job->problem);
    else
        st_admin_message(st, true,
                         "The export failed: %s. The record on the receiver is unchanged.",
                         rec_strerror(job->rc));
}

/* Picks STICK/studycast-<station>-<month>[-N]: the first N where nothing of
 * that name is on the stick (a link of that name counts: it is never
 * followed) and NAME.incomplete is absent or an unfinished export of ours
 * from an earlier attempt, which is removed. Anything else of that name (a
 * link, a stranger's folder) is left alone and the next N is tried. */
static int choose_folder(struct st_station *st, struct export_page *p, struct export_job *job)
{
    char id[64] = "station";
    rec_setting_get(st->rec, "station_id", id, sizeof(id));
    id[8] = '\0';
    for (int n = 1; n < 100; n++) {
        char suffix[8] = "";
        if (n > 1) snprintf(suffix, sizeof(suffix), "-%d", n);
        snprintf(p->folder, sizeof(p->folder), "studycast-%s-%s%s", id, p->label, suffix);
        snprintf(job->name, sizeof(job->name), "%s", p->folder);
        if (snprintf(job->final, sizeof(job->final), "%s/%s", p->chosen.path, p->folder) >=
                (int)sizeof(job->final) ||
            snprintf(job->partial, sizeof(job->partial), "%s%s", job->final,
                     REC_EXPORT_STAGING_SUFFIX) >= (int)sizeof(job->partial))
            return -ENAMETOOLONG;
        struct stat sb;
        if (fstatat(job->stick_fd, job->name, &sb, AT_SYMLINK_NOFOLLOW) == 0) continue;
        if (errno != ENOENT) return -errno;
        char partial[sizeof(job->name) + 16];
        snprintf(partial, sizeof(partial), "%s%s", job->name, REC_EXPORT_STAGING_SUFFIX);
        bool unfinished = fstatat(job->stick_fd, partial, &sb, AT_SYMLINK_NOFOLLOW) == 0;
        int rc = rec_export_remove(job->stick_fd, partial);
        if (rc == 0) {
            if (unfinished)
                SC_INFO(st->log, "menu: removed the unfinished export %s", job->partial);
            return 0;
        }
        SC_WARN(st->log, "menu: %s is not an unfinished export of ours (%s): left alone",
                job->partial, rc == -ENOTDIR ? "a link or not a folder" : rec_strerror(rc));
    }
    return -EEXIST;
}

static int start(struct st_station *st, struct export_page *p)
{
    struct export_job *job = calloc(1, sizeof(*job));
    if (!job) return -ENOMEM;
    pthread_mutex_init(&job->lock, NULL);
    snprintf(job->stick, sizeof(job->stick), "%s", p->chosen.path);
    /* the mount point is ours (the drive list's); what is on it is not */
    job->stick_fd = open(job->stick, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = job->stick_fd < 0 ? -errno : choose_folder(st, p, job);
    if (rc < 0) {
        job_free(job);
        st_admin_message(st, true,
                         "The export failed: %s. The record on the receiver is unchanged.",
                         strerror(-rc));
        return 0;
    }
    snprintf(job->data_dir, sizeof(job->data_dir), "%s", st->data_dir);
    job->from_utc = p->from_utc;
    job->to_utc = p->to_utc;
    job->log = st->log;
    job->ui = st->ui;
    atomic_init(&job->stage, STAGE_WRITING);
    atomic_init(&job->done, false);
    job_free(p->job);
    p->job = job;
    SC_INFO(st->log, "menu: exporting %s to %s", p->label, job->final);
    if ((rc = pthread_create(&p->thread, NULL, export_main, job)) != 0) {
        st_admin_message(st, true,
                         "The export failed: %s. The record on the receiver is unchanged.",
                         strerror(rc));
        return 0;
    }
    p->thread_started = true;
    p->state = EXPORT_RUNNING;
    p->started_ns = sc_mono_ns();
    p->redraw_ns = p->started_ns + NS_PER_S;
    return 0;
}

static int export_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct export_page *p = page->state;
    if (p->state == EXPORT_RUNNING) {
        /* BACK and MENU wait: the folder on the stick must not be left half written */
        if (action == RC_ACTION_BACK || action == RC_ACTION_MENU)
            st_admin_message(st, false, "Exporting: please wait, do not pull out the stick");
        return 0;
    }
    if (st_page_list_move(page, p->drives.n, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (p->drives.n == 0) {
        st_drive_list_scan(st, &p->drives);
        if (p->drives.n == 0) st_admin_message(st, true, "No USB stick: insert one");
        return 0;
    }
    p->chosen = p->drives.items[page->focus];
    return start(st, p);
}

static void export_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct export_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_menu_str(m, st_tr(st, "Export %s to a USB stick"), p->label);
    if (p->state == EXPORT_RUNNING) {
        p->drives.changed = false;
        int stage = atomic_load(&p->job->stage);
        int64_t elapsed = (sc_mono_ns() - p->started_ns) / NS_PER_S;
        p->redraw_ns = p->started_ns + (elapsed + 1) * NS_PER_S;
        m->view.hint = st_tr(st, "Please wait: do not pull out the stick");
        st_menu_item(m, st_tr(st, "USB stick"), st_menu_str(m, "%s", p->chosen.label));
        st_menu_item(m, st_tr(st, "Folder"), st_menu_str(m, "%s", p->folder));
        char partial[sizeof(p->folder) + 16];
        snprintf(partial, sizeof(partial), "%s%s", p->folder, REC_EXPORT_STAGING_SUFFIX);
        int written =
            count_files(p->job->stick_fd, partial); /* the fd is the job's: read-only use */
        st_menu_item(
            m,
            stage == STAGE_WRITING     ? st_tr(st, "Writing CSV, xAPI, PDF and the manifest…")
            : stage == STAGE_VERIFYING ? st_tr(st, "Checking what was written…")
                                       : st_tr(st, "Finishing…"),
            st_menu_str(m, "%lld:%02lld", (long long)(elapsed / 60), (long long)(elapsed % 60)));
        if (written >= 0)
            st_menu_item(m, st_tr(st, "Files written"), st_menu_str(m, "%d", written));
        m->view.focus = 2;
        return;
    }
    m->view.hint = st_tr(st, "Up/down: choose the stick · OK: export · BACK: return");
    if (p->state == EXPORT_DONE) {
        st_menu_item(m, st_tr(st, "Exported and verified"), st_menu_str(m, "%s", p->folder));
        if (!m->view.message) {
            m->view.message =
                st_menu_str(m, st_tr(st, "Verified: %d files, signature good"), p->job->n_files);
        }
    }
    st_drive_list_rows(st, m, &p->drives);
    int first = p->state == EXPORT_DONE ? 1 : 0;
    m->view.focus = p->drives.n ? first + page->focus : -1;
}

static void export_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct export_page *p = page->state;
    static const char *const states[] = {"choose", "running", "done", "failed"};
    sc_json_kv_string(j, "export_state", states[p->state]);
    sc_json_kv_int(j, "sticks", (int64_t)p->drives.n);
    sc_json_kv_string(j, "export_folder", p->state == EXPORT_CHOOSE ? "" : p->folder);
    if (p->job && p->state != EXPORT_RUNNING) {
        sc_json_kv_int(j, "export_files", p->job->n_files);
        sc_json_kv_string(j, "export_error", p->job->rc < 0 ? rec_strerror(p->job->rc) : "");
        sc_json_kv_bool(j, "export_partial_left", p->job->partial_left);
    }
}

/* Running: the clock on screen each second, and the worker's end at once
 * (its wakeup turns the loop; the join is immediate then). */
static int64_t export_deadline(struct st_station *st, struct st_page *page)
{
    struct export_page *p = page->state;
    if (p->state == EXPORT_RUNNING) {
        if (atomic_load(&p->job->done)) {
            finish(st, p);
            return 0;
        }
        return p->redraw_ns;
    }
    return st_drive_list_deadline(st, &p->drives);
}

static void export_destroy(struct st_station *st, struct st_page *page)
{
    struct export_page *p = page->state;
    if (!p) return;
    if (p->thread_started) {
        /* the menu closes while the stick is written (a course, idle): the
         * worker finishes the folder (or removes it) on its own, and the
         * station joins it when it stops; at the station's stop, wait now */
        struct export_job *job = p->job;
        pthread_mutex_lock(&job->lock);
        bool done = atomic_load(&job->done);
        job->abandoned = !done && !atomic_load(&st->stop);
        bool orphaned = job->abandoned;
        pthread_mutex_unlock(&job->lock);
        if (orphaned && st_admin_orphan(st, p->thread) == 0) {
            SC_INFO(st->log, "menu: the export to %s finishes in the background", p->chosen.path);
            p->job = NULL; /* the worker frees it */
        } else {
            if (!done)
                SC_INFO(st->log, "menu: waiting for the export to %s to end", p->chosen.path);
            pthread_join(p->thread, NULL);
            if (orphaned) p->job = NULL; /* it was abandoned: the worker freed it */
        }
    }
    job_free(p->job);
    free(p);
}

static const struct st_page_ops export_ops = {
    .name = "records_export",
    .action = export_action,
    .view = export_view,
    .status = export_status,
    .deadline_ns = export_deadline,
    .destroy = export_destroy,
};

int st_page_records_export_open(struct st_station *st, int year, int month)
{
    struct export_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->year = year;
    p->month = month;
    snprintf(p->label, sizeof(p->label), "%04d-%02d", year, month);
    struct rec_period period;
    int rc = rec_period_parse(st->rec, 'm', p->label, &period);
    if (rc < 0) {
        free(p);
        return rc;
    }
    p->from_utc = period.from_utc;
    p->to_utc = period.to_utc;
    st_drive_list_scan(st, &p->drives);
    return st_admin_push(st, &export_ops, p);
}
