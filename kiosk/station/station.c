/* The station: start-up, the core loop and input dispatch. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int64_t st_now_utc(const struct st_station *st)
{
    return (sc_mono_ns() + st->clock.utc_minus_mono_ns) / 1000000000LL;
}

int64_t st_utc_to_mono(const struct st_station *st, int64_t utc)
{
    if (utc >= INT64_MAX / 1000000000LL) return INT64_MAX;
    return utc * 1000000000LL - st->clock.utc_minus_mono_ns;
}

const char *st_tr(const struct st_station *st, const char *msgid)
{
    return st->ui ? ui_tr(st->ui, msgid) : msgid;
}

void st_toast(struct st_station *st, bool error, const char *fmt_msgid, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt_msgid);
    vsnprintf(text, sizeof(text), st_tr(st, fmt_msgid), ap);
    va_end(ap);
    sc_logf(st->log, error ? SC_LOG_WARN : SC_LOG_INFO, "message: %s", text);
    if (st->ui) ui_toast(st->ui, text, error, error ? 8000000000LL : 0);
    if (st->ipc) {
        struct sc_buf buf = {0};
        struct sc_json j;
        sc_json_init(&j, &buf, false);
        sc_json_object_begin(&j);
        sc_json_kv_string(&j, "event", "message");
        sc_json_kv_string(&j, "text", text);
        sc_json_kv_bool(&j, "error", error);
        sc_json_object_end(&j);
        if (!buf.failed) rc_ipc_server_send_event(st->ipc, buf.data);
        sc_buf_free(&buf);
    }
}

void st_set_screen(struct st_station *st, enum ui_screen screen)
{
    st->view_dirty = true;
    if (st->screen == screen) return;
    /* a course taking the screen closes the menu (its unsaved edit is lost) */
    if (st->screen == UI_SCREEN_MENU && st_admin_top(st)) {
        st->screen = screen;
        st_admin_close(st);
    }
    st->screen = screen;
    if (screen == UI_SCREEN_MENU) st_clock_scan_release(st); /* its pages scan the stream */
    SC_INFO(st->log, "screen: %s", ui_screen_name(screen));
    st_control_event(st, ui_screen_name(screen));
}

/* The station clock: the stream's broadcast time where a course's player or
 * the idle clock scan (clock_scan.c) learned it, even over NTP: the schedule
 * and the guide are in broadcast time, and the clock then does not jump when
 * a course tunes in; else the system clock (NTP when the kernel says it is
 * synchronised). */
static void update_clock(struct st_station *st)
{
    int64_t utc_minus_mono;
    enum rec_clock_source source;
    if (!st->clock.system_only && st_clock_broadcast(st, &utc_minus_mono) == 0) {
        source = REC_CLOCK_BROADCAST;
    } else {
        utc_minus_mono = sc_utc_ns() - sc_mono_ns();
        struct timex tx = {0};
        int state = adjtimex(&tx);
        source =
            /* adjtimex refused (e.g. a seccomp filter) says nothing about NTP */
            state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC) ? REC_CLOCK_NTP
                                                                           : REC_CLOCK_SYSTEM;
    }
    bool changed = source != st->clock.source ||
                   llabs(utc_minus_mono - st->clock.utc_minus_mono_ns) > 500000000LL;
    st->clock.utc_minus_mono_ns = utc_minus_mono;
    if (!changed) return;
    if (source != st->clock.source) SC_INFO(st->log, "clock: %s", rec_clock_source_name(source));
    st->clock.source = source;
    if (source == REC_CLOCK_BROADCAST) rec_set_clock(st->rec, REC_CLOCK_BROADCAST, utc_minus_mono);
    struct ui_clock clock = {
        .valid = true,
        .utc_minus_mono_ns = utc_minus_mono,
        .utc_offset_s = st->utc_offset_s,
        .source = source == REC_CLOCK_BROADCAST ? UI_CLOCK_BROADCAST
                  : source == REC_CLOCK_NTP     ? UI_CLOCK_NTP
                                                : UI_CLOCK_SYSTEM,
    };
    if (st->ui) ui_set_clock(st->ui, &clock);
}

/* ---- the schedule file watcher: a change by `studycast schedule` wakes the loop ---- */

static void *watch_main(void *opaque)
{
    struct st_station *st = opaque;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        struct pollfd fds[2] = {{.fd = st->watcher.fd, .events = POLLIN},
                                {.fd = st->watcher.stop_fd, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        ssize_t n = read(st->watcher.fd, buf, sizeof(buf));
        if (n <= 0) continue;
        bool wake = false;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->len && strncmp(ev->name, "schedule.db", 11) == 0) wake = true;
            if (ev->len && strcmp(ev->name, "county.conninfo") == 0) {
                atomic_store(&st->watcher.county_changed, true);
                wake = true;
            }
            p += sizeof(*ev) + ev->len;
        }
        if (wake && st->ui) ui_wakeup(st->ui);
    }
    return NULL;
}

static void watch_start(struct st_station *st)
{
    st->watcher.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    st->watcher.stop_fd = eventfd(0, EFD_CLOEXEC);
    if (st->watcher.fd < 0 || st->watcher.stop_fd < 0 ||
        inotify_add_watch(st->watcher.fd, st->data_dir,
                          IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE) < 0 ||
        pthread_create(&st->watcher.thread, NULL, watch_main, st) != 0) {
        SC_WARN(st->log,
                "cannot watch %s for schedule changes (%s): they are noticed at the "
                "next scheduled moment",
                st->data_dir, strerror(errno));
        return;
    }
    st->watcher.started = true;
}

static void watch_finish(struct st_station *st)
{
    if (st->watcher.started) {
        uint64_t one = 1;
        if (write(st->watcher.stop_fd, &one, sizeof(one)) < 0) { /* the thread then never ends */
        }
        pthread_join(st->watcher.thread, NULL);
        st->watcher.started = false;
    }
    if (st->watcher.fd >= 0) close(st->watcher.fd);
    if (st->watcher.stop_fd >= 0) close(st->watcher.stop_fd);
    st->watcher.fd = st->watcher.stop_fd = st->watcher.lock_fd = -1;
}

/* ---- start-up ---- */

static void ipc_wakeup(void *opaque)
{
    struct st_station *st = opaque;
    if (st->ui) ui_wakeup(st->ui);
}

/* mkdir -p, the directories it makes 0750 (the data dir is not for others). */
static int make_dir(const char *path)
{
    char copy[PATH_MAX];
    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) return -ENAMETOOLONG;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0750) != 0 && errno != EEXIST) return -errno;
        *p = saved;
        if (saved == '\0') return 0;
    }
}

/* One kiosk per data dir: DATA_DIR/kiosk.lock, flocked for the kiosk's life
 * (the lock goes with the process, so a killed kiosk leaves none behind). */
static int lock_data_dir(struct st_station *st)
{
    char path[PATH_MAX];
    int rc = make_dir(st->base_data_dir);
    if (rc == 0 &&
        snprintf(path, sizeof(path), "%s/kiosk.lock", st->base_data_dir) >= (int)sizeof(path))
        rc = -ENAMETOOLONG;
    if (rc == 0) {
        st->watcher.lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (st->watcher.lock_fd < 0) rc = -errno;
    }
    if (rc < 0) {
        SC_ERR(st->log, "cannot use the data dir %s: %s", st->base_data_dir, strerror(-rc));
        return rc;
    }
    if (flock(st->watcher.lock_fd, LOCK_EX | LOCK_NB) == 0) return 0;
    rc = -errno;
    if (rc == -EWOULDBLOCK) {
        SC_ERR(st->log,
               "another kiosk is already running on the data dir %s; stop it first "
               "(systemctl stop studycast) or give another --data-dir",
               st->base_data_dir);
        return -EBUSY;
    }
    SC_ERR(st->log, "cannot lock %s: %s", path, strerror(-rc));
    return rc;
}

static int open_ui(struct st_station *st)
{
    struct ui_opts opts = {.fullscreen = !st->opts.windowed,
                           .width = st->opts.width,
                           .height = st->opts.height,
                           .title = "studycast",
                           .log = st->log};
    int rc = ui_create(&opts, &st->ui);
    if (rc == -ENODEV) {
        SC_ERR(st->log, "no display to show the kiosk on: no X11 or Wayland display and no "
                        "KMS/DRM screen (/dev/dri/card*, with a TV connected and the user in "
                        "group video). On a machine without any, run it under a virtual X "
                        "server: xvfb-run -a studycast; headless, for tests "
                        "or a remote bridge: SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "
                        "studycast kiosk --ipc /tmp/studycast.sock (then studycast ctl --ipc "
                        "/tmp/studycast.sock status)");
        return rc;
    }
    if (rc < 0) {
        SC_ERR(st->log, "cannot open the window: %s", strerror(-rc));
        return rc;
    }
    if (st->opts.language && ui_set_language(st->ui, st->opts.language) < 0) {
        SC_ERR(st->log, "unknown language '%s' (zh_CN or en)", st->opts.language);
        return -EINVAL;
    }
    return 0;
}

static int open_ipc(struct st_station *st)
{
    if (!st->opts.ipc_path) return 0;
    struct rc_ipc_server_config config = {
        .path = st->opts.ipc_path, .wakeup = ipc_wakeup, .wakeup_opaque = st, .log = st->log};
    int rc = rc_ipc_server_create(&config, &st->ipc);
    if (rc == -EADDRINUSE)
        SC_ERR(st->log, "another kiosk answers on %s", st->opts.ipc_path);
    else if (rc < 0)
        SC_ERR(st->log, "cannot serve the control socket %s: %s", st->opts.ipc_path, strerror(-rc));
    return rc;
}

static int open_record(struct st_station *st)
{
    struct rec_options ro = {.data_dir = st->data_dir};
    int rc = rec_open(&ro, st->log, &st->rec);
    if (rc < 0) {
        SC_ERR(st->log, "cannot open the study record in %s: %s", st->data_dir, rec_strerror(rc));
        return rc;
    }
    /* The station's local time (the record's utc_offset setting, +08:00 by
     * default): schedule entries are wall-clock times at this offset. */
    st->utc_offset_s = rec_utc_offset_seconds(st->rec);
    if (rec_setting_get(st->rec, "station_name", st->home.station_name,
                        sizeof(st->home.station_name)) < 0)
        st->home.station_name[0] = '\0';
    st_settings_load(st);
    rc = sch_db_open(st->data_dir, st->log, &st->plan.schedule);
    if (rc < 0) {
        SC_ERR(st->log, "cannot open the schedule in %s: %s", st->data_dir, strerror(-rc));
        return rc;
    }
    return 0;
}

/* The schedule's "until the broadcast event ends": the guide of the stream
 * playing now (only the course's own player knows one). */
static int resolve_end(void *opaque, const struct sch_entry *entry, int64_t start_utc,
                       int64_t *end_utc)
{
    struct st_station *st = opaque;
    if (!st->course.active || entry->source.type != SCH_SOURCE_SERVICE) return -ENOENT;
    const char *stream = entry->source.location[0] ? entry->source.location : st->source;
    if (!stream || strcmp(stream, st->course.source) != 0) return -ENOENT; /* another stream */
    return st_reception_event_end(&st->reception, entry->source.service_id, start_utc, end_utc);
}

static int copy_input_opts(struct st_station *st, const struct st_station_opts *opts)
{
    st->opts.input_dir = dup_or_null(opts->input_dir);
    st->opts.card_readers = dup_or_null(opts->card_readers);
    st->opts.inputs = calloc((size_t)opts->n_inputs + 1, sizeof(char *));
    if ((opts->input_dir && !st->opts.input_dir) ||
        (opts->card_readers && !st->opts.card_readers) || !st->opts.inputs)
        return -ENOMEM;
    for (; st->opts.n_inputs < opts->n_inputs; st->opts.n_inputs++)
        if (!(st->opts.inputs[st->opts.n_inputs] = strdup(opts->inputs[st->opts.n_inputs])))
            return -ENOMEM;
    return 0;
}

int st_station_create(const struct st_station_opts *opts, struct st_station **out)
{
    *out = NULL;
    struct st_station *st = calloc(1, sizeof(*st));
    if (!st) return -ENOMEM;
    st->watcher.fd = st->watcher.stop_fd = st->watcher.lock_fd = -1;
    st->volume = 100;
    st->screen = UI_SCREEN_HOME;
    st->view_dirty = true;
    st->start_ns = opts->start_ns ? opts->start_ns : sc_mono_ns();
    st->opts.windowed = opts->windowed;
    st->opts.width = opts->width;
    st->opts.height = opts->height;
    st->opts.no_audio = opts->no_audio;
    st->opts.no_cec = opts->no_cec;
    st->opts.lead_s = opts->lead_minutes < 0 ? 120 : opts->lead_minutes * 60;
    st->opts.summary_timeout_s = opts->summary_timeout_s > 0 ? opts->summary_timeout_s : 120;
    st->opts.snapshot_interval_s = opts->snapshot_interval_s; /* 0: the default */
    st->opts.sync_every_s = opts->sync_every_s > 0 ? opts->sync_every_s : 300;
    st->clock.source = -1;
    int rc = -ENOMEM;
    if (!(st->admin = calloc(1, sizeof(*st->admin)))) goto fail;
    st->log = sc_log_child(opts->log, "kiosk");
    st->opts.ipc_path = dup_or_null(opts->ipc_path);
    st->opts.keymap_path = dup_or_null(opts->keymap);
    st->opts.language = dup_or_null(opts->language);
    st->source = dup_or_null(opts->source);
    st->opts.media_dir = dup_or_null(opts->media_dir);
    if (!st->log || (opts->ipc_path && !st->opts.ipc_path) ||
        (opts->keymap && !st->opts.keymap_path) || (opts->language && !st->opts.language) ||
        (opts->source && !st->source) || (opts->media_dir && !st->opts.media_dir))
        goto fail;
    if ((rc = copy_input_opts(st, opts)) < 0) goto fail;
    rc = -ENOMEM;
    snprintf(st->base_data_dir, sizeof(st->base_data_dir), "%s",
             opts->data_dir ? opts->data_dir : ST_DEFAULT_DATA_DIR);
    if ((rc = lock_data_dir(st)) < 0) goto fail;

    /* The demo lives in its own data dir (DATA_DIR/demo), so that demo
     * sessions and the demo roster never enter a station's real record. */
    st->demo = opts->demo || st_demo_wanted(st->base_data_dir, st->log);
    if (st->demo) {
        rc = 0;
        if (snprintf(st->data_dir, sizeof(st->data_dir), "%s/demo", st->base_data_dir) >=
            (int)sizeof(st->data_dir))
            rc = -ENAMETOOLONG;
        if (rc == 0) rc = make_dir(st->data_dir);
        if (rc < 0) {
            SC_ERR(st->log, "cannot make the demo's data dir under %s: %s", st->base_data_dir,
                   strerror(-rc));
            goto fail;
        }
        SC_INFO(st->log, "demo mode: data in %s", st->data_dir);
    } else {
        snprintf(st->data_dir, sizeof(st->data_dir), "%s", st->base_data_dir);
    }

    if ((rc = open_record(st)) < 0) goto fail;
    if ((rc = st_clock_scan_create(&st->clock.scan)) < 0) goto fail;
    if (st->demo && (rc = st_demo_prepare(st)) < 0) goto fail;
    sch_query_init(&st->plan.query, st->utc_offset_s);
    st->plan.query.resolve_end = resolve_end;
    st->plan.query.resolve_opaque = st;
    st->plan.query.pretune_lead_s = st->opts.lead_s > 0 ? st->opts.lead_s : -1;
    if ((rc = st_planner_load(st)) < 0) goto fail;
    if ((rc = st_roster_load(st)) < 0) goto fail;
    if ((rc = st_keymap_open(st)) < 0) goto fail;
    if ((rc = open_ui(st)) < 0) goto fail;
    if ((rc = open_ipc(st)) < 0) goto fail;
    if ((rc = st_input_open(st)) < 0) goto fail;
    if ((rc = st_sync_create(st)) < 0) goto fail;
    if ((rc = st_tv_open(st)) < 0) goto fail;
    st_watchdog_init(st);
    watch_start(st);
    update_clock(st);
    st_planner_refresh_month(st);
    *out = st;
    return 0;
fail:
    st_station_destroy(st);
    return rc;
}

void st_station_destroy(struct st_station *st)
{
    if (!st) return;
    atomic_store(&st->stop, true); /* the menu's orphan threads are joined now */
    st_admin_close(st);
    free(st->admin);
    st_course_abort(st);
    st_capture_stop_all(st);
    st_clock_scan_destroy(st);
    st_sync_destroy(st); /* before the ui its worker wakes */
    watch_finish(st);
    rc_ipc_server_destroy(st->ipc);
    st_input_close(st);
    st_tv_close(st);
    rec_sessions_free(st->summary.sessions, st->summary.n_sessions);
    st_roster_free(&st->roster);
    ui_destroy(st->ui);
    rc_keymap_destroy(st->keymap);
    free(st->plan.entries);
    free(st->plan.handled);
    sch_db_close(st->plan.schedule);
    rec_close(st->rec);
    if (st->watcher.lock_fd >= 0) close(st->watcher.lock_fd); /* the data dir's lock */
    free(st->opts.ipc_path);
    free(st->opts.keymap_path);
    free(st->opts.language);
    free(st->source);
    free(st->opts.media_dir);
    for (int i = 0; i < st->opts.n_inputs; i++)
        free(st->opts.inputs[i]);
    free(st->opts.inputs);
    free(st->opts.input_dir);
    free(st->opts.card_readers);
    sc_log_destroy(st->log);
    free(st);
}

void st_station_stop(void *opaque)
{
    struct st_station *st = opaque;
    atomic_store(&st->stop, true);
    if (st->ui) ui_wakeup(st->ui);
}

const char *st_station_data_dir(const struct st_station *st)
{
    return st->data_dir;
}

bool st_station_is_demo(const struct st_station *st)
{
    return st->demo;
}

/* ---- the loop ---- */

int st_action(struct st_station *st, enum rc_action action, int64_t time_ns)
{
    SC_DEBUG(st->log, "action %s on %s", rc_action_name(action), ui_screen_name(st->screen));
    st->latency.pending_key_ns = time_ns;
    int rc = st_screen_action(st, action, time_ns);
    st->view_dirty = true;
    return rc;
}

static void record_latency(struct st_station *st, int64_t flipped_ns)
{
    if (!st->latency.pending_key_ns) return;
    double ms = (double)(flipped_ns - st->latency.pending_key_ns) / 1e6;
    st->latency.ms[st->latency.n % ST_LATENCY_RING] = ms;
    st->latency.n++;
    SC_DEBUG(st->log, "key to screen: %.1f ms", ms);
    st->latency.pending_key_ns = 0;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* One turn's due work; returns the earliest deadline (mono ns, INT64_MAX none). */
static int64_t turn(struct st_station *st)
{
    st_clock_scan_turn(st, sc_mono_ns());
    update_clock(st);
    int64_t now_ns = sc_mono_ns();
    st_watchdog_turn(st, now_ns);
    int64_t now_utc = st_now_utc(st);
    if (sch_db_changed_elsewhere(st->plan.schedule)) {
        SC_INFO(st->log, "the schedule changed: reloading");
        st_planner_load(st);
        st->view_dirty = true;
    }
    int64_t picture_wait = st_course_turn(st, now_ns, now_utc);
    st_planner_turn(st, now_utc);
    st_capture_turn(st, now_utc);
    st_screen_timeouts(st, now_ns);
    if (st->ipc) {
        struct rc_callbacks callbacks = {.press = st_control_press,
                                         .key = st_control_key,
                                         .status = st_control_status,
                                         .opaque = st};
        rc_ipc_server_poll(st->ipc, rc_handle_request, &callbacks);
    }
    st_input_turn(st);
    st_sync_turn(st, sc_mono_ns());
    st_tv_turn(st);
    if (st->view_dirty) {
        st_planner_refresh_home(st, now_utc);
        st_screen_show(st, now_ns);
        st->view_dirty = false;
    }
    if (ui_present(st->ui) > 0) {
        record_latency(st, sc_mono_ns());
        st_course_presented(st);
    }
    st->course.shown = NULL;

    now_ns = sc_mono_ns();
    int64_t deadline = INT64_MAX;
    if (picture_wait >= 0) deadline = now_ns + picture_wait;
    deadline = min64(deadline, st_utc_to_mono(st, st_planner_next_wakeup_utc(st, now_utc)));
    deadline = min64(deadline, st_utc_to_mono(st, st_capture_deadline_utc(st)));
    deadline = min64(deadline, st_course_deadline_ns(st, now_ns));
    deadline = min64(deadline, st_screen_deadline_ns(st));
    deadline = min64(deadline, ui_next_redraw_ns(st->ui));
    deadline = min64(deadline, st_watchdog_deadline_ns(st));
    deadline = min64(deadline, st_clock_scan_deadline_ns(st));
    deadline = min64(deadline, st_sync_deadline_ns(st));
    return deadline;
}

static void dispatch(struct st_station *st, const struct ui_event *ev)
{
    if (ev->type == UI_EVENT_QUIT) {
        atomic_store(&st->stop, true);
    } else if (ev->type == UI_EVENT_WINDOW) {
        st->view_dirty = true;
    } else if (ev->type == UI_EVENT_KEY) {
        if (!ev->repeat && st_page_remote_key(st, ev->key_name, ev->time_ns)) return;
        enum rc_action action = rc_keymap_lookup(st->keymap, ev->key_name);
        if (action == RC_ACTION_NONE) {
            SC_DEBUG(st->log, "key '%s' is not mapped", ev->key_name);
            return;
        }
        if (st_input_sdl_twin(st, action, ev->repeat, ev->time_ns)) return;
        st_action(st, action, ev->time_ns);
    }
}

int st_station_run(struct st_station *st)
{
    SC_INFO(st->log, "kiosk up %.0f ms after the process start (data %s%s)",
            (double)(sc_mono_ns() - st->start_ns) / 1e6, st->data_dir, st->demo ? ", demo" : "");
    bool first = true;
    while (!atomic_load(&st->stop)) {
        int64_t deadline = turn(st);
        if (first) {
            SC_INFO(st->log, "home screen shown %.0f ms after the process start",
                    (double)(sc_mono_ns() - st->start_ns) / 1e6);
            st_watchdog_ready(st);
            first = false;
        }
        if (atomic_load(&st->stop)) break;
        int64_t wait = deadline == INT64_MAX ? -1 : deadline - sc_mono_ns();
        if (deadline != INT64_MAX && wait < 0) wait = 0;
        struct ui_event ev;
        /* take every event that is already there before the next turn */
        if (ui_wait_event(st->ui, wait, &ev) > 0) {
            do
                dispatch(st, &ev);
            while (!atomic_load(&st->stop) && ui_wait_event(st->ui, 0, &ev) > 0);
        }
    }
    SC_INFO(st->log, "stopping");
    st_watchdog_stopping(st);
    st_clock_scan_release(st);
    st_course_abort(st);
    st_capture_stop_all(st);
    return 0;
}
