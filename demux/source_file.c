/* File and standard input ('-') sources. A regular file is not live; a
 * pipe, FIFO or socket on stdin (or a named FIFO) is. */
#include "demux/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_source {
    int fd;
    bool own_fd;
    bool live;
};

static bool file_accepts(const char *url)
{
    return strstr(url, "://") == NULL || strncmp(url, "file://", 7) == 0;
}

static int file_open(void **priv, const char *url, const struct dmx_options *options,
                     struct sc_log *log)
{
    (void)options;
    struct file_source *f = calloc(1, sizeof *f);
    if (!f) return DMX_ERR_NOMEM;
    if (strcmp(url, "-") == 0) {
        f->fd = STDIN_FILENO;
    } else {
        const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
        f->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0) {
            int err = errno;
            SC_DEBUG(log, "open %s: %s", path, strerror(err));
            free(f);
            return -err;
        }
        f->own_fd = true;
    }
    struct stat st;
    if (fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (f->own_fd) close(f->fd);
        free(f);
        return -EISDIR;
    }
    f->live = fstat(f->fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
    *priv = f;
    return 0;
}

static int file_read(void *priv, uint8_t *buf, size_t size, int timeout_ms)
{
    struct file_source *f = priv;
    if (f->live) {
        struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0) return 0;
        if (r < 0) return errno == EINTR ? 0 : -errno;
    }
    for (;;) {
        ssize_t n = read(f->fd, buf, size);
        if (n > 0) return (int)n;
        if (n == 0) return DMX_EOF;
        if (errno != EINTR) return errno == EAGAIN ? 0 : DMX_ERR_IO;
    }
}

static void file_close(void *priv)
{
    struct file_source *f = priv;
    if (f && f->own_fd) close(f->fd);
    free(f);
}

static bool file_is_live(void *priv)
{
    return ((struct file_source *)priv)->live;
}

const struct dmx_source_driver dmx_source_file = {
    .name = "file",
    .accepts = file_accepts,
    .open = file_open,
    .read = file_read,
    .close = file_close,
    .is_live = file_is_live,
};
