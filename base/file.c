/* Whole-file helpers: atomic replace and bounded read; see base.h. */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int sc_write_file_atomic(const char *path, const void *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    char *dir = strdup(path);
    int rc = 0, fd = -1;
    if (!tmp || !dir) {
        rc = -ENOMEM;
        goto out;
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    rc = write_all(fd, data, len);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    fd = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0) {
        unlink(tmp);
        goto out;
    }
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd); /* the rename is durable only once the directory is */
        close(dfd);
    }
out:
    free(tmp);
    free(dir);
    return rc;
}

int sc_read_file(const char *path, size_t max_bytes, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    struct sc_buf buf = {0};
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf.len + n > max_bytes) {
            rc = -EFBIG;
            break;
        }
        sc_buf_append(&buf, chunk, n);
    }
    if (rc == 0 && ferror(f))
        rc = -EIO;
    if (rc == 0 && buf.failed)
        rc = -ENOMEM;
    fclose(f);
    if (rc != 0) {
        sc_buf_free(&buf);
        return rc;
    }
    if (!buf.data) {
        buf.data = calloc(1, 1);
        if (!buf.data)
            return -ENOMEM;
    }
    *data = buf.data;
    *len = buf.len;
    return 0;
}
