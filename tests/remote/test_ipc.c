/* remote: the control socket over real Unix sockets. Several clients at
 * once with request_id echo; malformed lines answered in order; an
 * overlong line; a client that disconnects mid-line and one that half-closes;
 * more clients than slots (the longest-idle makes room); idle clients timed
 * out; the stale / live / foreign socket file cases; the client
 * helper's timeout and errors. The handler must run on the thread that polls
 * (the "core loop": this test's main thread); that is asserted on every call. */
#include "kiosk/remote/remote.h"
#include "tests/test.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct core {
    pthread_t thread; /* the core loop's thread */
    int wakeup_fd;
    atomic_int wakeups;
    int presses; /* touched only by the handler, on the core thread */
    int statuses;
    enum rc_action last;
    char last_key[RC_KEY_NAME_MAX];
    struct rc_callbacks callbacks;
};

static void wakeup(void *opaque)
{
    struct core *core = opaque;
    atomic_fetch_add(&core->wakeups, 1);
    uint64_t one = 1;
    ASSERT_EQ(write(core->wakeup_fd, &one, sizeof(one)), (ssize_t)sizeof(one));
}

static int on_press(void *opaque, enum rc_action action)
{
    struct core *core = opaque;
    ASSERT_TRUE(pthread_equal(pthread_self(), core->thread));
    if (action == RC_ACTION_STOP) return -EBUSY; /* "not possible now" */
    core->presses++;
    core->last = action;
    return 0;
}

static int on_key(void *opaque, const char *key_name)
{
    struct core *core = opaque;
    ASSERT_TRUE(pthread_equal(pthread_self(), core->thread));
    if (strcmp(key_name, "F13") == 0) return -ENOENT; /* not mapped: "not possible now" */
    snprintf(core->last_key, sizeof(core->last_key), "%s", key_name);
    return 0;
}

static void on_status(void *opaque, struct sc_json *out)
{
    struct core *core = opaque;
    ASSERT_TRUE(pthread_equal(pthread_self(), core->thread));
    core->statuses++;
    sc_json_kv_string(out, "screen", "home");
    sc_json_kv_int(out, "presses", core->presses);
    sc_json_kv_string(out, "last", rc_action_name(core->last));
}

static void core_init(struct core *core)
{
    memset(core, 0, sizeof(*core));
    core->thread = pthread_self();
    core->wakeup_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ASSERT_GE(core->wakeup_fd, 0);
    core->callbacks = (struct rc_callbacks){
        .press = on_press, .key = on_key, .status = on_status, .opaque = core};
}

/* One turn of the core loop: sleep until woken (or timeout), then answer. */
static int core_turn(struct core *core, struct rc_ipc_server *server, int timeout_ms)
{
    struct pollfd p = {.fd = core->wakeup_fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) > 0) {
        uint64_t n;
        ASSERT_EQ(read(core->wakeup_fd, &n, sizeof(n)), (ssize_t)sizeof(n));
    }
    return rc_ipc_server_poll(server, rc_handle_request, &core->callbacks);
}

static void socket_path(char *path, size_t size, const char *name)
{
    snprintf(path, size, "/tmp/rc_ipc_%d_%s.sock", (int)getpid(), name);
    unlink(path);
}

static struct rc_ipc_server *start(struct core *core, const char *path, size_t max_line)
{
    struct rc_ipc_server_config config = {
        .path = path, .max_line = max_line, .wakeup = wakeup, .wakeup_opaque = core};
    struct rc_ipc_server *server;
    ASSERT_EQ(rc_ipc_server_create(&config, &server), 0);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_TRUE(S_ISSOCK(st.st_mode));
    return server;
}

static int connect_raw(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static void send_text(int fd, const char *text)
{
    size_t len = strlen(text);
    ASSERT_EQ(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads one response line (blocking up to 5 s) and parses it. */
static struct sc_jv *read_response(int fd, struct sc_buf *pending)
{
    for (;;) {
        char *nl = pending->len ? memchr(pending->data, '\n', pending->len) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - pending->data);
            struct sc_jv *v;
            char err[128];
            if (sc_json_parse(pending->data, len, &v, err, sizeof(err)) != 0)
                TEST_FAIL("response is not JSON (%s): %.*s", err, (int)len, pending->data);
            memmove(pending->data, nl + 1, pending->len - len - 1);
            pending->len -= len + 1;
            return v;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) != 1) TEST_FAIL("no response within 5 s");
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return NULL;
        sc_buf_append(pending, chunk, (size_t)n);
    }
}

/* ---- several clients at once ------------------------------------------------ */

struct client_job {
    const char *path;
    int index;
    int requests;
    atomic_int *done;
};

static void *client_thread(void *arg)
{
    struct client_job *job = arg;
    int fd = connect_raw(job->path);
    struct sc_buf pending = {0};
    /* Pipelined: all requests first, then all answers, in order. */
    struct sc_buf out = {0};
    for (int i = 0; i < job->requests; i++) {
        int id = job->index * 1000 + i;
        if (i % 2 == 0)
            sc_buf_printf(&out, "{\"command\":\"press\",\"action\":\"%d\",\"request_id\":%d}\n",
                          i % 10, id);
        else
            sc_buf_printf(&out, "{\"request_id\":\"s-%d\",\"command\":\"status\"}\n", id);
    }
    send_text(fd, out.data);
    for (int i = 0; i < job->requests; i++) {
        struct sc_jv *r = read_response(fd, &pending);
        ASSERT_NOT_NULL(r);
        ASSERT_TRUE(sc_jv_get(r, "error") == NULL); /* success: no error */
        int id = job->index * 1000 + i;
        if (i % 2 == 0) {
            int64_t got;
            ASSERT_EQ(sc_jv_get_int(r, "request_id", &got), 0);
            ASSERT_EQ(got, id);
            char digit[2] = {(char)('0' + i % 10), 0};
            ASSERT_STR_EQ(sc_jv_get_string(r, "action"), digit);
        } else {
            char want[32];
            snprintf(want, sizeof(want), "s-%d", id);
            ASSERT_STR_EQ(sc_jv_get_string(r, "request_id"), want);
            ASSERT_STR_EQ(sc_jv_get_string(r, "screen"), "home");
        }
        sc_jv_free(r);
    }
    sc_buf_free(&out);
    sc_buf_free(&pending);
    close(fd);
    atomic_fetch_add(job->done, 1);
    return NULL;
}

static void several_clients(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "many");
    struct rc_ipc_server *server = start(&core, path, 0);
    enum { CLIENTS = 6, REQUESTS = 40 };
    atomic_int done = 0;
    pthread_t threads[CLIENTS];
    struct client_job jobs[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (struct client_job){path, i + 1, REQUESTS, &done};
        ASSERT_EQ(pthread_create(&threads[i], NULL, client_thread, &jobs[i]), 0);
    }
    int answered = 0;
    int64_t deadline = sc_mono_ns() + 20 * 1000000000LL;
    while (atomic_load(&done) < CLIENTS) {
        answered += core_turn(&core, server, 100);
        ASSERT_LT(sc_mono_ns(), deadline);
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);
    ASSERT_EQ(answered, CLIENTS * REQUESTS);
    ASSERT_EQ(core.presses, CLIENTS * REQUESTS / 2);
    ASSERT_EQ(core.statuses, CLIENTS * REQUESTS / 2);
    ASSERT_GT(atomic_load(&core.wakeups), 0);
    /* Clients gone: the server notices. */
    while (rc_ipc_server_client_count(server) > 0)
        ASSERT_LT(sc_mono_ns(), deadline);
    rc_ipc_server_destroy(server);
    /* The socket file is removed. */
    ASSERT_EQ(access(path, F_OK), -1);
    close(core.wakeup_fd);
}

/* ---- one client, driven from this thread ------------------------------------ */

/* Sends text, runs the core until `count` answers arrived, returns them. */
static void exchange(struct core *core, struct rc_ipc_server *server, int fd, const char *text,
                     struct sc_buf *pending, struct sc_jv **answers, int count)
{
    if (text) send_text(fd, text);
    for (int i = 0; i < count; i++) {
        for (;;) {
            core_turn(core, server, 20);
            struct pollfd p = {.fd = fd, .events = POLLIN};
            char *nl = pending->len ? memchr(pending->data, '\n', pending->len) : NULL;
            if (nl || poll(&p, 1, 20) == 1) break;
        }
        answers[i] = read_response(fd, pending);
        ASSERT_NOT_NULL(answers[i]);
    }
}

static void malformed_lines(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "bad");
    struct rc_ipc_server *server = start(&core, path, 0);
    int fd = connect_raw(path);
    struct sc_buf pending = {0};
    struct sc_jv *a[11];
    exchange(&core, server, fd,
             "not json\n"
             "[1,2]\n"
             "\n"
             "   \n"
             "{\"command\":\"fly\",\"request_id\":1}\n"
             "{\"command\":\"press\",\"action\":\"warp\",\"request_id\":2}\n"
             "{\"command\":\"press\",\"request_id\":3}\n"
             "{\"action\":\"ok\",\"request_id\":4}\n"
             "{\"command\":\"press\",\"action\":\"stop\",\"request_id\":5}\n"
             "{\"command\":\"press\",\"action\":\"OK\",\"request_id\":6}\r\n"
             "{\"command\":\"actions\",\"request_id\":[1]}\n"
             "{\"command\":\"press\",\"action\":\"ok\",\"action\":\"stop\"}\n"
             "{\"command\":\"press\",\"action\":\"ok\\u0000stop\"}\n",
             &pending, a, 11);
    ASSERT_TRUE(strncmp(sc_jv_get_string(a[0], "error"), "invalid JSON: ", 14) == 0);
    ASSERT_TRUE(sc_jv_get(a[0], "request_id") == NULL);
    ASSERT_STR_EQ(sc_jv_get_string(a[1], "error"), "a request must be a JSON object");
    ASSERT_STR_EQ(sc_jv_get_string(a[2], "error"), "unknown command");
    ASSERT_STR_EQ(sc_jv_get_string(a[3], "error"), "unknown action");
    ASSERT_STR_EQ(sc_jv_get_string(a[4], "error"), "missing \"action\"");
    ASSERT_STR_EQ(sc_jv_get_string(a[5], "error"), "missing \"command\"");
    ASSERT_STR_EQ(sc_jv_get_string(a[6], "error"), "action not possible now");
    ASSERT_TRUE(sc_jv_get(a[7], "error") == NULL); /* success: no error */
    ASSERT_STR_EQ(sc_jv_get_string(a[7], "action"), "ok");
    for (int i = 2; i < 8; i++) {
        int64_t id;
        ASSERT_EQ(sc_jv_get_int(a[i], "request_id", &id), 0);
        ASSERT_EQ(id, i - 1);
    }
    /* A request_id that is neither a number nor a string is not echoed. */
    ASSERT_TRUE(sc_jv_get(a[8], "error") == NULL); /* success: no error */
    ASSERT_TRUE(sc_jv_get(a[8], "request_id") == NULL);
    ASSERT_EQ(sc_jv_get(a[8], "actions")->count, RC_ACTION_COUNT - 1);
    /* An error response carries nothing the handler may have written. */
    ASSERT_EQ(a[6]->count, 2);
    /* Requests two readers could take differently are refused, not pressed:
     * a repeated name, and a NUL that would cut "ok\u0000stop" to "ok". */
    ASSERT_TRUE(
        strncmp(sc_jv_get_string(a[9], "error"), "invalid JSON: duplicate object key", 34) == 0);
    ASSERT_TRUE(strncmp(sc_jv_get_string(a[10], "error"), "invalid JSON: \\u0000", 20) == 0);
    for (int i = 0; i < 11; i++)
        sc_jv_free(a[i]);
    ASSERT_EQ(core.presses, 1);
    ASSERT_EQ(core.last, RC_ACTION_OK);
    sc_buf_free(&pending);
    close(fd);
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

/* "key": a key by name, kernel names in the keymap's spelling. */
static void key_command(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "key");
    struct rc_ipc_server *server = start(&core, path, 0);
    int fd = connect_raw(path);
    struct sc_buf pending = {0};
    struct sc_jv *a[4];
    exchange(&core, server, fd,
             "{\"command\":\"key\",\"name\":\"key_green\",\"request_id\":1}\n"
             "{\"command\":\"key\",\"name\":\"KEY_NO_SUCH\",\"request_id\":2}\n"
             "{\"command\":\"key\",\"request_id\":3}\n"
             "{\"command\":\"key\",\"name\":\"F13\",\"request_id\":4}\n",
             &pending, a, 4);
    ASSERT_TRUE(sc_jv_get(a[0], "error") == NULL);
    ASSERT_STR_EQ(sc_jv_get_string(a[0], "key"), "KEY_GREEN");
    ASSERT_STR_EQ(sc_jv_get_string(a[1], "error"), "unknown key name");
    ASSERT_STR_EQ(sc_jv_get_string(a[2], "error"), "missing \"name\"");
    ASSERT_STR_EQ(sc_jv_get_string(a[3], "error"), "key not possible now");
    ASSERT_STR_EQ(core.last_key, "KEY_GREEN");
    for (int i = 0; i < 4; i++)
        sc_jv_free(a[i]);
    sc_buf_free(&pending);
    close(fd);
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

static void long_lines(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "long");
    struct rc_ipc_server *server = start(&core, path, 256);
    int fd = connect_raw(path);
    struct sc_buf pending = {0};
    struct sc_jv *a[3];
    /* 100 KB without a newline, sent in pieces, then the newline. */
    char *big = malloc(100001);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    send_text(fd, big);
    free(big);
    /* A line of exactly the limit is fine: pad a valid request with spaces. */
    char exact[300];
    const char *req = "{\"command\":\"status\",\"request_id\":8}";
    memset(exact, ' ', 256);
    memcpy(exact, req, strlen(req));
    exact[256] = '\n';
    exact[257] = '\0';
    struct sc_buf text = {0};
    sc_buf_puts(&text, "\n");
    sc_buf_puts(&text, exact);
    exact[256] = ' ';
    exact[257] = '\n'; /* one byte over */
    exact[258] = '\0';
    sc_buf_puts(&text, exact);
    exchange(&core, server, fd, text.data, &pending, a, 3);
    sc_buf_free(&text);
    ASSERT_STR_EQ(sc_jv_get_string(a[0], "error"), "line too long");
    ASSERT_TRUE(sc_jv_get(a[1], "error") == NULL); /* success: no error */
    ASSERT_STR_EQ(sc_jv_get_string(a[1], "screen"), "home");
    ASSERT_STR_EQ(sc_jv_get_string(a[2], "error"), "line too long");
    for (int i = 0; i < 3; i++)
        sc_jv_free(a[i]);
    /* The connection still works afterwards. */
    exchange(&core, server, fd, "{\"command\":\"status\"}\n", &pending, a, 1);
    ASSERT_TRUE(sc_jv_get(a[0], "error") == NULL); /* success: no error */
    sc_jv_free(a[0]);
    sc_buf_free(&pending);
    close(fd);
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

static void wait_clients(struct core *core, struct rc_ipc_server *server, int count)
{
    int64_t deadline = sc_mono_ns() + 5 * 1000000000LL;
    while (rc_ipc_server_client_count(server) != count) {
        core_turn(core, server, 10);
        if (sc_mono_ns() > deadline)
            TEST_FAIL("client count %d, expected %d", rc_ipc_server_client_count(server), count);
    }
}

static void disconnects(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "gone");
    struct rc_ipc_server *server = start(&core, path, 0);

    /* Half a request, then gone: nothing is executed, nothing breaks. */
    int fd = connect_raw(path);
    wait_clients(&core, server, 1);
    send_text(fd, "{\"command\":\"press\",\"action\":\"ok\"");
    close(fd);
    wait_clients(&core, server, 0);
    ASSERT_EQ(core.presses, 0);

    /* A full request, then gone before the answer: executed, answer dropped. */
    fd = connect_raw(path);
    send_text(fd, "{\"command\":\"press\",\"action\":\"menu\"}\n");
    close(fd);
    int64_t deadline = sc_mono_ns() + 5 * 1000000000LL;
    while (core.presses == 0 && sc_mono_ns() < deadline)
        core_turn(&core, server, 10);
    wait_clients(&core, server, 0);
    ASSERT_EQ(core.presses, 1);
    ASSERT_EQ(core.last, RC_ACTION_MENU);

    /* Request, then shutdown of its sending side: it still gets the answer
     * (as `socat` and `nc -N` do). */
    fd = connect_raw(path);
    send_text(fd, "{\"command\":\"status\",\"request_id\":77}\n");
    ASSERT_EQ(shutdown(fd, SHUT_WR), 0);
    struct sc_buf pending = {0};
    struct sc_jv *a[1];
    exchange(&core, server, fd, NULL, &pending, a, 1);
    int64_t id;
    ASSERT_EQ(sc_jv_get_int(a[0], "request_id", &id), 0);
    ASSERT_EQ(id, 77);
    sc_jv_free(a[0]);
    /* ...and then the server closes its side. */
    wait_clients(&core, server, 0);
    char byte;
    ASSERT_EQ(recv(fd, &byte, 1, 0), 0);
    close(fd);
    sc_buf_free(&pending);

    /* More clients than slots, all of them idle: the extra one is admitted
     * and the longest-idle (the first) is closed to make room. */
    int fds[RC_IPC_MAX_CLIENTS];
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++) {
        fds[i] = connect_raw(path);
        wait_clients(&core, server, i + 1); /* in order: fds[0] idles longest */
    }
    int extra = connect_raw(path);
    send_text(extra, "{\"command\":\"status\",\"request_id\":5}\n");
    struct sc_buf buf = {0};
    struct sc_jv *admitted[1];
    exchange(&core, server, extra, NULL, &buf, admitted, 1);
    ASSERT_STR_EQ(sc_jv_get_string(admitted[0], "screen"), "home");
    sc_jv_free(admitted[0]);
    sc_buf_free(&buf);
    ASSERT_EQ(recv(fds[0], &byte, 1, 0), 0); /* the evicted one sees EOF */
    ASSERT_EQ(rc_ipc_server_client_count(server), RC_IPC_MAX_CLIENTS);
    close(extra);
    for (int i = 0; i < RC_IPC_MAX_CLIENTS; i++)
        close(fds[i]);
    wait_clients(&core, server, 0);
    /* Destroying with clients connected and requests queued is clean. */
    int wakeups_before = atomic_load(&core.wakeups);
    fd = connect_raw(path);
    send_text(fd, "{\"command\":\"status\"}\n");
    /* Wait until the request is queued (the wakeup is called after), without
     * running the core loop, so it stays unanswered. */
    int64_t until = sc_mono_ns() + 5 * 1000000000LL;
    while (atomic_load(&core.wakeups) == wakeups_before) {
        ASSERT_LT(sc_mono_ns(), until);
        usleep(1000);
    }
    ASSERT_EQ(rc_ipc_server_client_count(server), 1);
    rc_ipc_server_destroy(server);
    ASSERT_EQ(recv(fd, &byte, 1, 0), 0);
    close(fd);
    close(core.wakeup_fd);
}

/* ---- socket files ---------------------------------------------------------- */

static void socket_files(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "file");
    /* A stale socket (its owner died without removing it) is replaced. */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ(bind(stale, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(stale);
    ASSERT_EQ(access(path, F_OK), 0);
    struct rc_ipc_server *server = start(&core, path, 0);

    /* A live one is not taken over, and survives the attempt. */
    struct rc_ipc_server_config config = {.path = path};
    struct rc_ipc_server *second = (struct rc_ipc_server *)1;
    ASSERT_EQ(rc_ipc_server_create(&config, &second), -EADDRINUSE);
    ASSERT_TRUE(second == NULL);
    int fd = connect_raw(path);
    struct sc_buf pending = {0};
    struct sc_jv *a[1];
    exchange(&core, server, fd, "{\"command\":\"status\"}\n", &pending, a, 1);
    ASSERT_TRUE(sc_jv_get(a[0], "error") == NULL); /* success: no error */
    sc_jv_free(a[0]);
    sc_buf_free(&pending);
    close(fd);
    rc_ipc_server_destroy(server);
    ASSERT_EQ(access(path, F_OK), -1);

    /* Some other file is never deleted. */
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs("precious", f);
    fclose(f);
    ASSERT_EQ(rc_ipc_server_create(&config, &second), -EEXIST);
    ASSERT_EQ(access(path, F_OK), 0);
    unlink(path);
    /* Paths too long for a Unix socket, and empty ones, are refused. */
    char longer[200];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[0] = '/';
    longer[sizeof(longer) - 1] = '\0';
    config.path = longer;
    ASSERT_EQ(rc_ipc_server_create(&config, &second), -ENAMETOOLONG);
    config.path = "";
    ASSERT_EQ(rc_ipc_server_create(&config, &second), -EINVAL);
    /* A directory that does not exist. */
    config.path = "/nonexistent/dir/sock";
    ASSERT_LT(rc_ipc_server_create(&config, &second), 0);
    rc_ipc_server_destroy(NULL);
    close(core.wakeup_fd);
}

/* ---- the client helper ----------------------------------------------------- */

struct request_job {
    const char *path;
    const char *request;
    int timeout_ms;
    int rc;
    struct sc_jv *response;
    atomic_int done;
};

static void *request_thread(void *arg)
{
    struct request_job *job = arg;
    job->rc = rc_request(job->path, job->request, job->timeout_ms, &job->response);
    atomic_store(&job->done, 1);
    return NULL;
}

static void client_helper(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "client");
    struct sc_jv *response = (struct sc_jv *)1;
    /* No socket file. */
    ASSERT_EQ(rc_request(path, "{\"command\":\"status\"}", 500, &response), -ENOENT);
    ASSERT_TRUE(response == NULL);
    /* A stale socket file: nobody listening. */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(sock);
    ASSERT_EQ(rc_request(path, "{\"command\":\"status\"}", 500, &response), -ECONNREFUSED);
    unlink(path);
    /* Listening but never answering: a timeout, on time. */
    sock = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ASSERT_EQ(listen(sock, 4), 0);
    int64_t t0 = sc_mono_ns();
    ASSERT_EQ(rc_request(path, "{\"command\":\"status\"}", 300, &response), -ETIMEDOUT);
    int64_t took_ms = (sc_mono_ns() - t0) / 1000000;
    ASSERT_GE(took_ms, 290);
    ASSERT_LT(took_ms, 3000);
    close(sock);
    unlink(path);
    /* Bad request text is refused before connecting. */
    ASSERT_EQ(rc_request(path, "[1]", 300, &response), -EINVAL);
    ASSERT_EQ(rc_request(path, "{", 300, &response), -EINVAL);

    /* A real server: the helper runs on another thread, the core here. */
    struct rc_ipc_server *server = start(&core, path, 0);
    const char *requests[] = {"{\"command\":\"press\",\n \"action\":\"info\"}", "{}"};
    for (int i = 0; i < 2; i++) {
        struct request_job job = {.path = path, .request = requests[i], .timeout_ms = 5000};
        pthread_t thread;
        ASSERT_EQ(pthread_create(&thread, NULL, request_thread, &job), 0);
        while (!atomic_load(&job.done))
            core_turn(&core, server, 20);
        pthread_join(thread, NULL);
        ASSERT_EQ(job.rc, 0);
        if (i == 0) {
            ASSERT_TRUE(sc_jv_get(job.response, "error") == NULL); /* success: no error */
            ASSERT_EQ(core.last, RC_ACTION_INFO);
        } else {
            ASSERT_STR_EQ(sc_jv_get_string(job.response, "error"), "missing \"command\"");
        }
        sc_jv_free(job.response);
    }
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

/* ---- idle clients ------------------------------------------------------------ */

static struct rc_ipc_server *start_idle(struct core *core, const char *path, int idle_ms)
{
    struct rc_ipc_server_config config = {
        .path = path, .wakeup = wakeup, .wakeup_opaque = core, .idle_timeout_ms = idle_ms};
    struct rc_ipc_server *server;
    ASSERT_EQ(rc_ipc_server_create(&config, &server), 0);
    return server;
}

/* Waits up to ms for the server to close fd; returns the ms it took, or -1. */
static int closed_within(int fd, int ms)
{
    int64_t t0 = sc_mono_ns();
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, ms) == 1) {
        char chunk[256];
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return (int)((sc_mono_ns() - t0) / 1000000);
        ms -= (int)((sc_mono_ns() - t0) / 1000000);
        if (ms <= 0) break;
    }
    return -1;
}

/* More idle connections than slots never lock a newcomer out: `status` is
 * answered promptly; and an idle client is closed after the timeout, while
 * one that keeps asking stays. */
static void idle_clients(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "idle");
    struct rc_ipc_server *server = start_idle(&core, path, 60000);
    enum { N_IDLE = RC_IPC_MAX_CLIENTS + 8 };
    int fds[N_IDLE];
    for (int i = 0; i < N_IDLE; i++)
        fds[i] = connect_raw(path);
    send_text(fds[N_IDLE - 1], "{\"comm"); /* half a request: still idle */
    wait_clients(&core, server, RC_IPC_MAX_CLIENTS);
    struct request_job job = {
        .path = path, .request = "{\"command\":\"status\"}", .timeout_ms = 2000};
    int64_t t0 = sc_mono_ns();
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, NULL, request_thread, &job), 0);
    while (!atomic_load(&job.done))
        core_turn(&core, server, 10);
    pthread_join(thread, NULL);
    ASSERT_EQ(job.rc, 0);
    ASSERT_LT((sc_mono_ns() - t0) / 1000000, 1000);
    ASSERT_STR_EQ(sc_jv_get_string(job.response, "screen"), "home");
    sc_jv_free(job.response);
    for (int i = 0; i < N_IDLE; i++)
        close(fds[i]);
    wait_clients(&core, server, 0);
    rc_ipc_server_destroy(server);

    /* A short timeout: the silent client and the one with half a line are
     * closed after it, the one asking every 100 ms is not. */
    server = start_idle(&core, path, 400);
    int silent = connect_raw(path), partial = connect_raw(path), busy = connect_raw(path);
    send_text(partial, "{\"command\":");
    wait_clients(&core, server, 3);
    struct sc_buf pending = {0};
    int64_t start_ns = sc_mono_ns();
    int silent_ms = -1, partial_ms = -1;
    for (int turn = 0; turn < 20; turn++) { /* 2 s: five timeouts */
        struct sc_jv *a[1];
        exchange(&core, server, busy, "{\"command\":\"status\"}\n", &pending, a, 1);
        sc_jv_free(a[0]);
        int64_t until = sc_mono_ns() + 100 * 1000000LL;
        while (sc_mono_ns() < until)
            core_turn(&core, server, 10);
        int now_ms = (int)((sc_mono_ns() - start_ns) / 1000000);
        if (silent_ms < 0 && closed_within(silent, 0) >= 0) silent_ms = now_ms;
        if (partial_ms < 0 && closed_within(partial, 0) >= 0) partial_ms = now_ms;
    }
    ASSERT_GE(silent_ms, 300); /* not before the timeout; soon after (slack for sanitizers) */
    ASSERT_LT(silent_ms, 1800);
    ASSERT_GE(partial_ms, 300);
    ASSERT_LT(partial_ms, 1800);
    ASSERT_EQ(rc_ipc_server_client_count(server), 1); /* busy stays */
    sc_buf_free(&pending);
    close(silent);
    close(partial);
    close(busy);
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

/* Events reach every client, and the client helper skips them while it
 * waits for its own answer. */
static void events(void)
{
    struct core core;
    core_init(&core);
    char path[108];
    socket_path(path, sizeof(path), "events");
    struct rc_ipc_server *server = start(&core, path, 0);
    ASSERT_EQ(rc_ipc_server_send_event(server, "{\"event\":\"nobody\"}"), 0);
    int a = connect_raw(path), b = connect_raw(path);
    wait_clients(&core, server, 2);
    ASSERT_EQ(rc_ipc_server_send_event(server, "{\"event\":\"screen\",\"screen\":\"rollcall\"}"),
              2);
    ASSERT_EQ(rc_ipc_server_send_event(server, "[1]"), -EINVAL);
    ASSERT_EQ(rc_ipc_server_send_event(server, "{\n}"), -EINVAL);
    ASSERT_EQ(rc_ipc_server_send_event(server, "{"), -EINVAL);
    struct sc_buf pa = {0}, pb = {0};
    struct sc_jv *ea = read_response(a, &pa), *eb = read_response(b, &pb);
    ASSERT_STR_EQ(sc_jv_get_string(ea, "screen"), "rollcall");
    ASSERT_STR_EQ(sc_jv_get_string(eb, "event"), "screen");
    sc_jv_free(ea);
    sc_jv_free(eb);
    /* An event queued before the answer: the helper still finds its answer. */
    struct request_job job = {
        .path = path, .request = "{\"command\":\"status\"}", .timeout_ms = 5000};
    int wakeups_before = atomic_load(&core.wakeups);
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, NULL, request_thread, &job), 0);
    /* Its request is queued but not answered until the core turns. */
    int64_t until = sc_mono_ns() + 5 * 1000000000LL;
    while (atomic_load(&core.wakeups) == wakeups_before) {
        ASSERT_LT(sc_mono_ns(), until);
        usleep(1000);
    }
    ASSERT_EQ(rc_ipc_server_send_event(server, "{\"event\":\"tick\",\"request_id\":1}"), 3);
    while (!atomic_load(&job.done))
        core_turn(&core, server, 20);
    pthread_join(thread, NULL);
    ASSERT_EQ(job.rc, 0);
    ASSERT_STR_EQ(sc_jv_get_string(job.response, "screen"), "home");
    sc_jv_free(job.response);
    sc_buf_free(&pa);
    sc_buf_free(&pb);
    close(a);
    close(b);
    rc_ipc_server_destroy(server);
    close(core.wakeup_fd);
}

int main(void)
{
    RUN_TEST(several_clients);
    RUN_TEST(malformed_lines);
    RUN_TEST(key_command);
    RUN_TEST(long_lines);
    RUN_TEST(disconnects);
    RUN_TEST(socket_files);
    RUN_TEST(client_helper);
    RUN_TEST(events);
    RUN_TEST(idle_clients);
    return 0;
}
