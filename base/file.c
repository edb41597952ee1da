/* Whole-file helpers: atomic replace and bounded read, by path or relative to
 * an open directory; see base.h. */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Creates NAME.tmp.XXXXXX in dirfd, never through an existing name. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t size)
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char r[6];
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            int64_t t = sc_mono_ns() + attempt; /* no entropy yet: unique enough with O_EXCL */
            memcpy(r, &t, sizeof(r));
        }
        char suffix[7];
        for (int i = 0; i < 6; i++)
            suffix[i] = digits[r[i] % (sizeof(digits) - 1)];
        suffix[6] = '\0';
        if (snprintf(tmp, size, "%s.tmp.%s", name, suffix) >= (int)size) return -ENAMETOOLONG;
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd >= 0 ? fd : -errno;
    }
    return -EEXIST;
}

int sc_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len,
                            unsigned mode)
{
    size_t n = strlen(name) + 16;
    char *tmp = malloc(n);
    if (!tmp) return -ENOMEM;
    int fd = create_temp(dirfd, name, tmp, n);
    if (fd < 0) {
        free(tmp);
        return fd;
    }
    int rc = write_all(fd, data, len);
    if (rc == 0 && fchmod(fd, (mode_t)mode) != 0) rc = -errno;
    if (rc == 0 && fsync(fd) != 0) rc = -errno;
    if (close(fd) != 0 && rc == 0) rc = -errno;
    if (rc == 0 && renameat(dirfd, tmp, dirfd, name) != 0) rc = -errno;
    if (rc != 0) {
        unlinkat(dirfd, tmp, 0);
        free(tmp);
        return rc;
    }
    free(tmp);
    /* the rename is durable only once the directory is */
    int dfd = dirfd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : dirfd;
    if (dfd < 0) return -errno;
    if (fsync(dfd) != 0 && errno != EINVAL) rc = -errno; /* EINVAL: cannot sync a directory */
    if (dfd != dirfd) close(dfd);
    return rc;
}

int sc_write_file_atomic(const char *path, const void *data, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return sc_write_file_atomic_at(AT_FDCWD, path, data, len, 0600);
    size_t dir_len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = strndup(path, dir_len);
    if (!dir) return -ENOMEM;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dirfd < 0) return -errno;
    int rc = sc_write_file_atomic_at(dirfd, slash + 1, data, len, 0600);
    close(dirfd);
    return rc;
}

static int read_fd(int fd, size_t max_bytes, char **data, size_t *len)
{
    struct sc_buf buf = {0};
    char chunk[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0) break;
        if (buf.len + (size_t)n > max_bytes) {
            rc = -EFBIG;
            break;
        }
        sc_buf_append(&buf, chunk, (size_t)n);
    }
    if (rc == 0 && buf.failed) rc = -ENOMEM;
    if (rc != 0) {
        sc_buf_free(&buf);
        return rc;
    }
    if (!buf.data) {
        buf.data = calloc(1, 1);
        if (!buf.data) return -ENOMEM;
    }
    *data = buf.data;
    *len = buf.len;
    return 0;
}

int sc_read_file(const char *path, size_t max_bytes, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = read_fd(fd, max_bytes, data, len);
    close(fd);
    return rc;
}

int sc_create_file(const char *path, unsigned mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) return errno == EEXIST ? 0 : -errno;
    close(fd);
    return 0;
}

int sc_read_file_at(int dirfd, const char *name, size_t max_bytes, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO someone left there must not hang the reader */
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat sb;
    int rc = fstat(fd, &sb) != 0 ? -errno : S_ISREG(sb.st_mode) ? 0 : -EINVAL;
    if (rc == 0 && fcntl(fd, F_SETFL, 0) != 0) rc = -errno;
    if (rc == 0) rc = read_fd(fd, max_bytes, data, len);
    close(fd);
    return rc;
}
