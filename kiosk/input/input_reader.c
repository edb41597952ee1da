/* kiosk/input's reader: the thread polling the devices, the inotify watch of
 * the device directory, key repeat, and the queue the core loop drains. See
 * input.h. Locking: r->lock guards the queue; everything else belongs to the
 * reader thread once it runs. */
#include "kiosk/input/input_internal.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

void in_queue_push(struct in_reader *r, const struct in_event *ev)
{
    pthread_mutex_lock(&r->lock);
    bool full = r->count == IN_QUEUE;
    if (full)
        r->dropped++;
    else
        r->queue[(r->head + r->count++) % IN_QUEUE] = *ev;
    pthread_mutex_unlock(&r->lock);
    if (!full && r->config.wakeup) r->config.wakeup(r->config.wakeup_opaque);
}

size_t in_reader_drain(struct in_reader *r, struct in_event *out, size_t max)
{
    if (!r) return 0;
    pthread_mutex_lock(&r->lock);
    size_t n = 0;
    for (; n < max && r->count > 0; n++, r->count--, r->head = (r->head + 1) % IN_QUEUE)
        out[n] = r->queue[r->head];
    size_t dropped = r->dropped;
    r->dropped = 0;
    pthread_mutex_unlock(&r->lock);
    if (dropped) SC_WARN(r->config.log, "input: %zu key events dropped (queue full)", dropped);
    return n;
}

int in_reader_device_count(struct in_reader *r)
{
    return r ? atomic_load(&r->device_count) : 0;
}

/* A directory entry worth opening: event devices (and test FIFOs so named). */
static bool wanted_name(const char *name)
{
    return strncmp(name, "event", 5) == 0;
}

static void open_in_dir(struct in_reader *r, const char *name, bool quiet)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", r->dir, name) >= (int)sizeof(path)) return;
    int rc = in_device_open(r, path);
    if (rc < 0 && rc != -ENOKEY && !(quiet && rc == -EACCES))
        SC_DEBUG(r->config.log, "input: %s not read: %s", path, strerror(-rc));
}

static void scan_dir(struct in_reader *r)
{
    DIR *dir = opendir(r->dir);
    if (!dir) return;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (wanted_name(e->d_name)) open_in_dir(r, e->d_name, false);
    closedir(dir);
}

static void dir_changed(struct in_reader *r)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while ((n = read(r->inotify_fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            p += sizeof(*e) + e->len;
            if (!e->len || !wanted_name(e->name)) continue;
            if (e->mask & (IN_DELETE | IN_MOVED_FROM)) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", r->dir, e->name);
                int slot = in_device_find(r, path);
                if (slot >= 0) {
                    SC_INFO(r->config.log, "input: %s removed", path);
                    in_device_close(r, slot);
                }
            } else {
                open_in_dir(r, e->name, (e->mask & IN_CREATE) != 0);
            }
        }
    }
}

static int poll_timeout_ms(const struct in_reader *r)
{
    int64_t deadline = in_held_deadline(&r->held);
    if (deadline == INT64_MAX) return -1;
    int64_t wait = deadline - sc_mono_ns();
    return wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
}

static void *reader_thread(void *arg)
{
    struct in_reader *r = arg;
    for (;;) {
        struct pollfd fds[2 + IN_MAX_DEVICES];
        int slots[2 + IN_MAX_DEVICES];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = r->stop_fd, .events = POLLIN};
        if (r->inotify_fd >= 0) fds[n++] = (struct pollfd){.fd = r->inotify_fd, .events = POLLIN};
        for (int i = 0; i < IN_MAX_DEVICES; i++) {
            if (r->devices[i].fd < 0) continue;
            slots[n] = i;
            fds[n++] = (struct pollfd){.fd = r->devices[i].fd, .events = POLLIN};
        }
        int rc = poll(fds, n, poll_timeout_ms(r));
        if (rc < 0 && errno != EINTR) break;
        if (fds[0].revents) break;
        int64_t now = sc_mono_ns();
        for (nfds_t i = 1; rc > 0 && i < n; i++) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == r->inotify_fd)
                dir_changed(r);
            else if (r->devices[slots[i]].fd == fds[i].fd)
                in_device_read(r, slots[i], now);
        }
        enum rc_action action;
        if (in_held_turn(&r->held, sc_mono_ns(), &action)) {
            struct in_event ev = {
                .kind = IN_EVENT_ACTION, .action = action, .repeat = true, .time_ns = now};
            in_queue_push(r, &ev);
        }
    }
    return NULL;
}

static int copy_config(struct in_reader *r, const struct in_config *config)
{
    r->config = *config;
    const char *cards = config->card_readers ? config->card_readers : IN_DEFAULT_CARD_READERS;
    r->card_readers = strdup(cards);
    r->dir = strdup(config->dir ? config->dir : IN_DEFAULT_DIR);
    r->paths = calloc(config->n_paths + 1, sizeof(*r->paths));
    if (!r->card_readers || !r->dir || !r->paths) return -ENOMEM;
    for (size_t i = 0; i < config->n_paths; i++)
        if (!(r->paths[i] = strdup(config->paths[i]))) return -ENOMEM;
    r->config.card_readers = r->card_readers;
    r->config.dir = config->dir ? r->dir : NULL; /* NULL: not given */
    r->config.paths = (const char *const *)r->paths;
    return 0;
}

/* --input: every path must open; the directory is watched when given or
 * when no path is. */
static int open_sources(struct in_reader *r)
{
    for (size_t i = 0; i < r->config.n_paths; i++) {
        int rc = in_device_open(r, r->paths[i]);
        if (rc < 0) {
            SC_ERR(r->config.log, "cannot read the input %s: %s", r->paths[i],
                   rc == -ENOKEY ? "the device has no keys" : strerror(-rc));
            return rc;
        }
    }
    if (r->config.n_paths && !r->config.dir) return 0;
    r->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (r->inotify_fd < 0) return -errno;
    if (inotify_add_watch(r->inotify_fd, r->dir,
                          IN_CREATE | IN_ATTRIB | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM) < 0) {
        int rc = -errno;
        close(r->inotify_fd);
        r->inotify_fd = -1;
        if (r->config.dir) { /* --input-dir: it must be there */
            SC_ERR(r->config.log, "cannot watch the input directory %s: %s", r->dir, strerror(-rc));
            return rc;
        }
        SC_INFO(r->config.log, "no input devices to read (%s: %s)", r->dir, strerror(-rc));
        return 0;
    }
    scan_dir(r);
    return 0;
}

int in_reader_create(const struct in_config *config, struct in_reader **out)
{
    *out = NULL;
    struct in_reader *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    r->inotify_fd = r->stop_fd = -1;
    for (int i = 0; i < IN_MAX_DEVICES; i++)
        r->devices[i].fd = -1;
    pthread_mutex_init(&r->lock, NULL);
    int rc = copy_config(r, config);
    if (rc == 0) rc = open_sources(r);
    if (rc == 0 && (r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) rc = -errno;
    if (rc == 0) rc = -pthread_create(&r->thread, NULL, reader_thread, r);
    if (rc < 0) {
        in_reader_destroy(r);
        return rc;
    }
    r->started = true;
    *out = r;
    return 0;
}

void in_reader_destroy(struct in_reader *r)
{
    if (!r) return;
    if (r->started) {
        uint64_t one = 1;
        if (write(r->stop_fd, &one, sizeof(one)) < 0) { /* the thread then never ends */
        }
        pthread_join(r->thread, NULL);
    }
    for (int i = 0; i < IN_MAX_DEVICES; i++)
        if (r->devices[i].fd >= 0) in_device_close(r, i);
    if (r->inotify_fd >= 0) close(r->inotify_fd);
    if (r->stop_fd >= 0) close(r->stop_fd);
    pthread_mutex_destroy(&r->lock);
    for (size_t i = 0; r->paths && i < r->config.n_paths; i++)
        free(r->paths[i]);
    free(r->paths);
    free(r->dir);
    free(r->card_readers);
    free(r);
}
