/* The control-socket client: one request, its response, a deadline; see
 * remote.h. Used by `studycast ctl` and the tests. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_RESPONSE (1024 * 1024)

static int connect_to(const char *path, int *fd_out)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    *fd_out = fd;
    return 0;
}

static int remaining_ms(int64_t deadline_ns)
{
    int64_t left = deadline_ns - sc_mono_ns();
    return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

static int send_all(int fd, const char *data, size_t len, int64_t deadline_ns)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return -errno;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int ms = remaining_ms(deadline_ns);
        if (ms == 0 || poll(&p, 1, ms) == 0) return -ETIMEDOUT;
    }
    return 0;
}

/* Is this response line ours? */
static bool matches(const struct sc_jv *response, int64_t request_id)
{
    int64_t id;
    return sc_jv_get_int(response, "request_id", &id) == 0 && id == request_id;
}

/* Reads lines until the one answering request_id (events and other
 * clients' answers are skipped) or the deadline. */
static int await_response(int fd, int64_t request_id, int64_t deadline, struct sc_jv **response)
{
    struct sc_buf in = {0};
    size_t scanned = 0;
    int rc = -ETIMEDOUT;
    for (;;) {
        char *nl = in.len > scanned ? memchr(in.data + scanned, '\n', in.len - scanned) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - in.data);
            struct sc_jv *v;
            if (sc_json_parse(in.data, len, &v, NULL, 0) != 0) {
                rc = -EPROTO;
                break;
            }
            if (matches(v, request_id)) {
                *response = v;
                rc = 0;
                break;
            }
            sc_jv_free(v); /* an event or someone else's answer */
            memmove(in.data, nl + 1, in.len - len - 1);
            in.len -= len + 1;
            scanned = 0;
            continue;
        }
        scanned = in.len;
        if (in.len > MAX_RESPONSE) {
            rc = -EPROTO;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = remaining_ms(deadline);
        if (ms == 0 || poll(&p, 1, ms) == 0) {
            rc = -ETIMEDOUT;
            break;
        }
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
        if (n > 0) {
            sc_buf_append(&in, chunk, (size_t)n);
            if (in.failed) {
                rc = -ENOMEM;
                break;
            }
        } else if (n == 0) {
            rc = -ECONNRESET;
            break;
        } else if (errno != EAGAIN && errno != EINTR) {
            rc = -errno;
            break;
        }
    }
    sc_buf_free(&in);
    return rc;
}

int rc_request(const char *path, const char *request_json, int timeout_ms, struct sc_jv **response)
{
    *response = NULL;
    struct sc_jv *request;
    if (sc_json_parse(request_json, strlen(request_json), &request, NULL, 0) != 0) return -EINVAL;
    bool empty = request->type == SC_JV_OBJECT && request->count == 0;
    bool is_object = request->type == SC_JV_OBJECT;
    sc_jv_free(request);
    if (!is_object) return -EINVAL;

    struct stat st;
    if (stat(path, &st) != 0) return -errno;
    int fd = -1, rc = connect_to(path, &fd);
    if (rc) return rc;
    int64_t deadline = sc_mono_ns() + (int64_t)timeout_ms * 1000000;
    /* Unique enough among the clients of one kiosk. */
    int64_t request_id = ((int64_t)getpid() << 20) ^ (sc_mono_ns() & 0xfffff);

    struct sc_buf line = {0};
    const char *brace = strchr(request_json, '{');
    sc_buf_append(&line, request_json, (size_t)(brace - request_json) + 1);
    sc_buf_printf(&line, "\"request_id\":%lld%s", (long long)request_id, empty ? "" : ",");
    sc_buf_puts(&line, brace + 1);
    sc_buf_puts(&line, "\n");
    if (line.failed) {
        rc = -ENOMEM;
        goto done;
    }
    /* One line: the request must not contain raw newlines (JSON strings
     * cannot; whitespace between tokens can, so flatten it). */
    for (size_t i = 0; i + 1 < line.len; i++)
        if (line.data[i] == '\n' || line.data[i] == '\r') line.data[i] = ' ';
    if ((rc = send_all(fd, line.data, line.len, deadline)) == 0)
        rc = await_response(fd, request_id, deadline, response);
done:
    sc_buf_free(&line);
    close(fd);
    return rc;
}
