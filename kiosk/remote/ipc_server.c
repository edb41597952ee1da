/* The control socket server: a thread that accepts clients on a Unix socket
 * and reads JSON lines; requests are queued for the core loop's thread,
 * which answers them in rc_ipc_server_poll(); the thread writes the answers.
 * See remote.h.
 *
 * Locking: server->lock guards the request queue, every client's output
 * buffer and id, `stop` and `client_count`. Client fds, input buffers, the
 * idle clocks and the listening socket belong to the server thread alone.
 *
 * Idle clients: a client is idle while it owes us no complete request and
 * we owe it no answer; after idle_ns of that it is closed, and when every
 * slot is taken the longest-idle one makes room for a newcomer, so a pile of
 * forgotten connections never locks the administrator out. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_OUTPUT (1024 * 1024) /* a client that never reads is dropped */

struct pending {
    uint64_t client_id;
    struct sc_jv *request; /* NULL when malformed */
    char error[160];       /* why it is malformed */
    struct pending *next;
};

struct client {
    int fd; /* -1: free slot */
    uint64_t id;
    char *line; /* the line being read (server thread only) */
    size_t line_len;
    bool discarding;   /* skipping the rest of an overlong line */
    bool eof;          /* the client shut down its side: answer, then close */
    int in_flight;     /* guarded by lock: requests queued, not yet answered */
    struct sc_buf out; /* guarded by lock */
    size_t out_sent;   /* guarded by lock */
    bool overflow;     /* guarded by lock */
    int64_t active_ns; /* last complete line, connect, or answer owed */
};

struct rc_ipc_server {
    char *path;
    size_t max_line;
    int64_t idle_ns;
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
    struct sc_log *log;
    int listen_fd;
    int event_fd; /* wakes the thread: stop, or output to write */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    bool stop;
    struct pending *head, *tail;
    size_t pending_count;
    int client_count;
    uint64_t next_client_id;
    struct client clients[RC_IPC_MAX_CLIENTS];
};

static void poke(struct rc_ipc_server *s)
{
    uint64_t one = 1;
    ssize_t n = write(s->event_fd, &one, sizeof(one));
    (void)n; /* the counter saturating still leaves the fd readable */
}

/* Appends a response line for a client; called with the lock held. */
static void queue_output_locked(struct rc_ipc_server *s, uint64_t client_id, const char *text,
                                size_t len, bool answers_request)
{
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        struct client *c = &s->clients[i];
        if (c->fd < 0 || c->id != client_id) continue;
        if (answers_request) c->in_flight--;
        if (c->out.len - c->out_sent + len > MAX_OUTPUT) {
            c->overflow = true;
            return;
        }
        sc_buf_append(&c->out, text, len);
        sc_buf_append(&c->out, "\n", 1);
        if (c->out.failed) c->overflow = true;
        return;
    }
    /* The client left before its answer was ready: nothing to do. */
}

static void answer_error_now(struct rc_ipc_server *s, struct client *c, const char *error)
{
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, false);
    sc_json_object_begin(&j);
    sc_json_kv_string(&j, "error", error);
    sc_json_object_end(&j);
    if (!buf.failed) {
        pthread_mutex_lock(&s->lock);
        queue_output_locked(s, c->id, buf.data, buf.len, false);
        pthread_mutex_unlock(&s->lock);
    }
    sc_buf_free(&buf);
}

/* Queues one complete line from client c. Returns true if queued. */
static bool queue_line(struct rc_ipc_server *s, struct client *c, const char *line, size_t len,
                       const char *error)
{
    if (!error) {
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i == len) return false; /* blank lines are ignored, as mpv does */
    }
    struct pending *p = calloc(1, sizeof(*p));
    if (!p) {
        answer_error_now(s, c, "out of memory");
        return false;
    }
    p->client_id = c->id;
    if (error) {
        snprintf(p->error, sizeof(p->error), "%s", error);
    } else {
        char why[120];
        int rc = sc_json_parse(line, len, &p->request, why, sizeof(why));
        if (rc == -ENOMEM) {
            snprintf(p->error, sizeof(p->error), "out of memory");
        } else if (rc) {
            snprintf(p->error, sizeof(p->error), "invalid JSON: %s", why);
        } else if (p->request->type != SC_JV_OBJECT) {
            snprintf(p->error, sizeof(p->error), "a request must be a JSON object");
            sc_jv_free(p->request);
            p->request = NULL;
        }
    }
    pthread_mutex_lock(&s->lock);
    bool full = s->pending_count >= RC_IPC_MAX_PENDING;
    if (!full) {
        if (s->tail)
            s->tail->next = p;
        else
            s->head = p;
        s->tail = p;
        s->pending_count++;
        c->in_flight++;
    }
    pthread_mutex_unlock(&s->lock);
    if (full) {
        sc_jv_free(p->request);
        free(p);
        answer_error_now(s, c, "busy: too many requests waiting");
        return false;
    }
    return true;
}

static void close_client(struct rc_ipc_server *s, struct client *c)
{
    close(c->fd);
    free(c->line);
    c->line = NULL;
    c->line_len = 0;
    c->discarding = false;
    c->eof = false;
    pthread_mutex_lock(&s->lock);
    c->fd = -1;
    c->in_flight = 0;
    c->id = 0;
    sc_buf_free(&c->out);
    c->out_sent = 0;
    c->overflow = false;
    s->client_count--;
    pthread_mutex_unlock(&s->lock);
}

/* Splits what arrived into lines. Returns the number of requests queued. */
static int take_input(struct rc_ipc_server *s, struct client *c, const char *data, size_t len)
{
    int queued = 0;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t chunk = nl ? (size_t)(nl - data) : len;
        if (c->discarding) {
            /* already answered "line too long": drop up to the newline */
        } else if (c->line_len + chunk > s->max_line) {
            queued += queue_line(s, c, NULL, 0, "line too long");
            c->discarding = true;
            c->line_len = 0;
        } else {
            memcpy(c->line + c->line_len, data, chunk);
            c->line_len += chunk;
        }
        if (!nl) break;
        c->active_ns = sc_mono_ns();
        if (!c->discarding) queued += queue_line(s, c, c->line, c->line_len, NULL);
        c->discarding = false;
        c->line_len = 0;
        data = nl + 1;
        len -= chunk + 1;
    }
    return queued;
}

/* The client that has been idle longest (none owed an answer), or NULL. */
static struct client *longest_idle(struct rc_ipc_server *s)
{
    struct client *oldest = NULL;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        struct client *c = &s->clients[i];
        if (c->fd < 0 || c->in_flight > 0) continue;
        if (!oldest || c->active_ns < oldest->active_ns) oldest = c;
    }
    pthread_mutex_unlock(&s->lock);
    return oldest;
}

static struct client *free_slot(struct rc_ipc_server *s)
{
    struct client *slot = NULL;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < RC_IPC_MAX_CLIENTS && !slot; i++)
        if (s->clients[i].fd < 0) slot = &s->clients[i];
    pthread_mutex_unlock(&s->lock);
    return slot;
}

static void accept_client(struct rc_ipc_server *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    char *line = malloc(s->max_line);
    struct client *slot = free_slot(s);
    if (!slot && line && (slot = longest_idle(s))) {
        SC_INFO(s->log,
                "control socket: all %d slots taken; closing the client idle for "
                "%lld ms to admit a new one",
                RC_IPC_MAX_CLIENTS, (long long)((sc_mono_ns() - slot->active_ns) / 1000000));
        close_client(s, slot);
    }
    pthread_mutex_lock(&s->lock);
    if (slot && line) {
        slot->fd = fd;
        slot->id = ++s->next_client_id;
        slot->line = line;
        slot->active_ns = sc_mono_ns();
        s->client_count++;
    }
    pthread_mutex_unlock(&s->lock);
    if (!slot || !line) {
        static const char busy[] = "{\"error\":\"too many clients\"}\n";
        ssize_t n = send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
        (void)n;
        close(fd);
        free(line);
        SC_WARN(s->log, "control socket: refused a client (%s)",
                line ? "too many clients" : "out of memory");
    }
}

/* Writes what is queued for c. Returns false if the client must go. */
static bool flush_client(struct rc_ipc_server *s, struct client *c)
{
    bool keep = true;
    pthread_mutex_lock(&s->lock);
    if (c->overflow) {
        keep = false;
    } else {
        while (c->out_sent < c->out.len) {
            ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c->out_sent += (size_t)n;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
            keep = false;
            break;
        }
        if (c->out_sent == c->out.len) {
            sc_buf_reset(&c->out);
            c->out_sent = 0;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return keep;
}

/* Closes the clients idle for idle_ns; a client owed an answer is not idle
 * (its clock restarts). Returns the poll timeout until the next one could
 * expire, in ms, or -1. */
static int sweep_idle(struct rc_ipc_server *s)
{
    int64_t now = sc_mono_ns(), next = -1;
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        struct client *c = &s->clients[i];
        pthread_mutex_lock(&s->lock);
        bool open = c->fd >= 0, owed = c->in_flight > 0;
        pthread_mutex_unlock(&s->lock);
        if (!open) continue;
        if (owed) c->active_ns = now;
        int64_t left = c->active_ns + s->idle_ns - now;
        if (left <= 0) {
            SC_INFO(s->log, "control socket: closing a client idle for %lld ms",
                    (long long)((now - c->active_ns) / 1000000));
            close_client(s, c);
        } else if (next < 0 || left < next) {
            next = left;
        }
    }
    return next < 0 ? -1 : (int)((next + 999999) / 1000000);
}

static void *server_thread(void *arg)
{
    struct rc_ipc_server *s = arg;
    struct pollfd fds[2 + RC_IPC_MAX_CLIENTS];
    struct client *owners[2 + RC_IPC_MAX_CLIENTS];
    struct client *finished[RC_IPC_MAX_CLIENTS];
    char chunk[4096];
    for (;;) {
        int n = 0, n_finished = 0, timeout_ms = sweep_idle(s);
        fds[n] = (struct pollfd){.fd = s->event_fd, .events = POLLIN};
        owners[n++] = NULL;
        fds[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        owners[n++] = NULL;
        pthread_mutex_lock(&s->lock);
        bool stop = s->stop;
        for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
            struct client *c = &s->clients[i];
            if (c->fd < 0) continue;
            bool output = c->out_sent < c->out.len || c->overflow;
            if (c->eof && !output && c->in_flight == 0) {
                finished[n_finished++] = c; /* answered everything it asked */
                continue;
            }
            short events = (short)((c->eof ? 0 : POLLIN) | (output ? POLLOUT : 0));
            fds[n] = (struct pollfd){.fd = c->fd, .events = events};
            owners[n++] = c;
        }
        pthread_mutex_unlock(&s->lock);
        for (int i = 0; i < n_finished; i++)
            close_client(s, finished[i]);
        if (stop) break;
        if (poll(fds, (nfds_t)n, timeout_ms) < 0) {
            if (errno == EINTR) continue;
            SC_ERR(s->log, "control socket: poll failed: %s", strerror(errno));
            break;
        }
        if (fds[0].revents & POLLIN) {
            uint64_t count;
            ssize_t r = read(s->event_fd, &count, sizeof(count));
            (void)r;
        }
        int queued = 0;
        for (int i = 2; i < n; i++) {
            struct client *c = owners[i];
            bool keep = true;
            if (fds[i].revents & POLLOUT) keep = flush_client(s, c);
            if (keep && c->eof && (fds[i].revents & (POLLHUP | POLLERR)))
                keep = false; /* gone entirely while answers were pending */
            if (keep && !c->eof && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t got = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
                if (got > 0) {
                    queued += take_input(s, c, chunk, (size_t)got);
                } else if (got == 0) {
                    /* End of its requests (a partial last line is dropped);
                     * it may still be waiting for answers. */
                    c->eof = true;
                } else if (errno != EAGAIN && errno != EINTR) {
                    keep = false;
                }
            }
            if (!keep) close_client(s, c);
        }
        /* After the clients: admitting one may close the longest-idle. */
        if (fds[1].revents & POLLIN) accept_client(s);
        if (queued > 0 && s->wakeup) s->wakeup(s->wakeup_opaque);
    }
    return NULL;
}

/* Replaces a stale socket file; refuses a live one or a non-socket. */
static int clear_path(const char *path, const struct sockaddr_un *addr)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) return -EEXIST;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    int err = errno;
    close(fd);
    if (rc == 0) return -EADDRINUSE;
    if (err != ECONNREFUSED) return -err;
    return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
}

/* Binds and listens under a temporary name, then links it to the path: a
 * client that sees the socket file can connect (a bound socket that does
 * not listen yet refuses, which a slow start-up made visible). link, unlike
 * rename, never replaces a socket that appeared there meanwhile. A path too
 * long for the temporary name is bound directly. */
static int bind_listening(int fd, const struct sockaddr_un *addr)
{
    struct sockaddr_un tmp = {.sun_family = AF_UNIX};
    int n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld~", addr->sun_path, (long)getpid());
    bool linked = n > 0 && (size_t)n < sizeof(tmp.sun_path);
    const struct sockaddr_un *first = linked ? &tmp : addr;
    if (linked) unlink(tmp.sun_path); /* left by a process with our pid before */
    if (bind(fd, (const struct sockaddr *)first, sizeof(*first)) != 0) return -errno;
    if (listen(fd, 16) != 0 || (linked && link(tmp.sun_path, addr->sun_path) != 0)) {
        int rc = errno == EEXIST ? -EADDRINUSE : -errno;
        unlink(first->sun_path);
        return rc;
    }
    if (linked) unlink(tmp.sun_path);
    return 0;
}

int rc_ipc_server_create(const struct rc_ipc_server_config *config, struct rc_ipc_server **out)
{
    *out = NULL;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!config->path || !*config->path) return -EINVAL;
    if (strlen(config->path) >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
    memcpy(addr.sun_path, config->path, strlen(config->path) + 1);

    struct rc_ipc_server *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->listen_fd = -1;
    s->event_fd = -1;
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++)
        s->clients[i].fd = -1;
    pthread_mutex_init(&s->lock, NULL);
    s->max_line = config->max_line ? config->max_line : RC_IPC_DEFAULT_MAX_LINE;
    s->idle_ns =
        (int64_t)(config->idle_timeout_ms > 0 ? config->idle_timeout_ms : RC_IPC_DEFAULT_IDLE_MS) *
        1000000;
    s->wakeup = config->wakeup;
    s->wakeup_opaque = config->wakeup_opaque;
    s->log = config->log;
    int rc;
    if (!(s->path = strdup(config->path))) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((rc = clear_path(s->path, &addr))) {
        SC_ERR(s->log, "control socket %s: %s", s->path,
               rc == -EADDRINUSE ? "another studycast is listening there"
               : rc == -EEXIST   ? "exists and is not a socket"
                                 : strerror(-rc));
        free(s->path);
        s->path = NULL; /* not ours: never unlink it */
        goto fail;
    }
    s->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->event_fd < 0 || s->listen_fd < 0) {
        rc = -errno;
        goto fail;
    }
    if ((rc = bind_listening(s->listen_fd, &addr)) != 0) {
        SC_ERR(s->log, "control socket %s: %s", s->path, strerror(-rc));
        if (rc == -EADDRINUSE) {
            free(s->path); /* someone else's socket appeared meanwhile */
            s->path = NULL;
        }
        goto fail;
    }
    if ((rc = -pthread_create(&s->thread, NULL, server_thread, s))) goto fail;
    s->thread_started = true;
    *out = s;
    return 0;
fail:
    rc_ipc_server_destroy(s);
    return rc;
}

void rc_ipc_server_destroy(struct rc_ipc_server *s)
{
    if (!s) return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_mutex_unlock(&s->lock);
        poke(s);
        pthread_join(s->thread, NULL);
    }
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        if (s->clients[i].fd >= 0) {
            close(s->clients[i].fd);
            free(s->clients[i].line);
            sc_buf_free(&s->clients[i].out);
        }
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        if (s->path) unlink(s->path);
    }
    if (s->event_fd >= 0) close(s->event_fd);
    while (s->head) {
        struct pending *p = s->head;
        s->head = p->next;
        sc_jv_free(p->request);
        free(p);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

int rc_ipc_server_client_count(struct rc_ipc_server *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->client_count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void write_request_id(struct sc_json *j, const struct sc_jv *request)
{
    const struct sc_jv *id = sc_jv_get(request, "request_id");
    if (!id) return;
    if (id->type == SC_JV_NUMBER && id->is_integer)
        sc_json_kv_int(j, "request_id", id->integer);
    else if (id->type == SC_JV_STRING)
        sc_json_kv_string(j, "request_id", id->string);
}

/* Builds the response line for one pending request. */
static void answer(struct pending *p, rc_ipc_handler_fn handler, void *opaque, struct sc_buf *buf)
{
    struct sc_json j;
    sc_json_init(&j, buf, false);
    sc_json_object_begin(&j);
    const char *error = p->request ? NULL : p->error;
    if (!error) {
        error = handler(opaque, p->request, &j);
        if (error) {
            /* Drop what the handler wrote: an error carries only itself. */
            sc_buf_reset(buf);
            sc_json_init(&j, buf, false);
            sc_json_object_begin(&j);
        }
    }
    if (error) sc_json_kv_string(&j, "error", error); /* success carries none */
    if (p->request) write_request_id(&j, p->request);
    sc_json_object_end(&j);
}

int rc_ipc_server_poll(struct rc_ipc_server *s, rc_ipc_handler_fn handler, void *opaque)
{
    pthread_mutex_lock(&s->lock);
    struct pending *list = s->head;
    s->head = s->tail = NULL;
    s->pending_count = 0;
    pthread_mutex_unlock(&s->lock);
    int answered = 0;
    struct sc_buf buf = {0};
    while (list) {
        struct pending *p = list;
        list = p->next;
        sc_buf_reset(&buf);
        answer(p, handler, opaque, &buf);
        if (buf.failed) {
            sc_buf_free(&buf);
            buf = (struct sc_buf){0};
            sc_buf_puts(&buf, "{\"error\":\"out of memory\"}");
        }
        pthread_mutex_lock(&s->lock);
        queue_output_locked(s, p->client_id, buf.data, buf.len, true);
        pthread_mutex_unlock(&s->lock);
        sc_jv_free(p->request);
        free(p);
        answered++;
    }
    sc_buf_free(&buf);
    if (answered) poke(s);
    return answered;
}

int rc_ipc_server_send_event(struct rc_ipc_server *s, const char *json_object)
{
    size_t len = strlen(json_object);
    struct sc_jv *check;
    if (memchr(json_object, '\n', len) || sc_json_parse(json_object, len, &check, NULL, 0) != 0)
        return -EINVAL;
    bool is_object = check->type == SC_JV_OBJECT;
    sc_jv_free(check);
    if (!is_object) return -EINVAL;
    int sent = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        if (s->clients[i].fd < 0) continue;
        queue_output_locked(s, s->clients[i].id, json_object, len, false);
        sent++;
    }
    pthread_mutex_unlock(&s->lock);
    if (sent) poke(s);
    return sent;
}
