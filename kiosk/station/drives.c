/* Removable drives: /proc/self/mountinfo, /sys and /dev/disk/by-label, or a
 * media dir's subdirectories (see drives.h). */
#include "kiosk/station/drives.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Copies as much of src as fits (labels are cut, never overflow). */
static void copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *or_default(const char *value, const char *fallback)
{
    return value ? value : fallback;
}

/* mountinfo writes space, tab, newline and backslash as \ooo octal. */
static void unescape_octal(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

/* udev writes unsafe bytes of a label as \xNN. */
static void unescape_hex(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        unsigned v;
        if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1 && p[2] && p[3]) {
            *out++ = (char)v;
            p += 3;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static bool under_media(const char *mount_point)
{
    static const char *const roots[] = {"/media/", "/run/media/", "/mnt/"};
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
        if (strncmp(mount_point, roots[i], strlen(roots[i])) == 0) return true;
    return strcmp(mount_point, "/mnt") == 0;
}

static bool read_flag(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) return false;
    int c = fgetc(f);
    fclose(f);
    return c == '1';
}

/* The block device behind major:minor is removable: its disk says so, or it
 * hangs off a USB bus (card readers and some sticks report removable=0). */
static bool removable(const char *sys_root, unsigned major, unsigned minor, char *device,
                      size_t device_size)
{
    char link[PATH_MAX], real[PATH_MAX], flag[PATH_MAX + 32];
    snprintf(link, sizeof(link), "%s/sys/dev/block/%u:%u", sys_root, major, minor);
    if (!realpath(link, real)) return false;
    const char *base = strrchr(real, '/');
    copy_cut(device, device_size, base ? base + 1 : real);
    snprintf(flag, sizeof(flag), "%s/partition", real);
    if (access(flag, F_OK) == 0) { /* a partition: the disk is the parent */
        char *slash = strrchr(real, '/');
        if (slash) *slash = '\0';
    }
    snprintf(flag, sizeof(flag), "%s/removable", real);
    return read_flag(flag) || strstr(real, "/usb") != NULL;
}

static void label_of(const char *by_label, const char *device, char *label, size_t size)
{
    DIR *d = opendir(by_label);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX], target[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", by_label, e->d_name);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        if (strcmp(base ? base + 1 : target, device) != 0) continue;
        copy_cut(label, size, e->d_name);
        unescape_hex(label);
        break;
    }
    closedir(d);
}

static void fill_space(struct st_drive *d)
{
    struct statvfs sv;
    if (statvfs(d->path, &sv) != 0) return;
    d->free_bytes = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
    d->total_bytes = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize;
    if (sv.f_flag & ST_RDONLY) d->read_only = true;
}

static int by_label(const void *a, const void *b)
{
    const struct st_drive *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    return c ? c : strcmp(x->path, y->path);
}

static int scan_media_dir(const char *dir, struct st_drive *out, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) return -errno;
    struct dirent *e;
    while ((e = readdir(d)) && *count < ST_DRIVES_MAX) {
        if (e->d_name[0] == '.') continue;
        struct st_drive *drive = &out[*count];
        memset(drive, 0, sizeof(*drive));
        if (snprintf(drive->path, sizeof(drive->path), "%s/%s", dir, e->d_name) >=
            (int)sizeof(drive->path))
            continue;
        struct stat sb;
        if (stat(drive->path, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue;
        copy_cut(drive->label, sizeof(drive->label), e->d_name);
        fill_space(drive);
        /* root writes anywhere on a writable file system: only the mount's
         * flag or a refused access() tell a read-only stick */
        if (access(drive->path, W_OK) != 0) drive->read_only = true;
        (*count)++;
    }
    closedir(d);
    return 0;
}

/* One mountinfo line into a drive; false when it is not a removable stick. */
static bool parse_line(const struct st_drives_env *env, char *line, struct st_drive *drive)
{
    unsigned major = 0, minor = 0;
    char mount_point[PATH_MAX], options[256];
    if (sscanf(line, "%*u %*u %u:%u %*s %4095s %255s", &major, &minor, mount_point, options) != 4)
        return false;
    if (major == 0) return false; /* not a block device (tmpfs, fuse ...) */
    unescape_octal(mount_point);
    if (!under_media(mount_point)) return false;
    memset(drive, 0, sizeof(*drive));
    if (!removable(or_default(env->sys_root, ""), major, minor, drive->device,
                   sizeof(drive->device)))
        return false;
    snprintf(drive->path, sizeof(drive->path), "%s", mount_point);
    /* per-mount options: "ro" alone or first/last in the list */
    char opts[260];
    snprintf(opts, sizeof(opts), ",%s,", options);
    drive->read_only = strstr(opts, ",ro,") != NULL;
    label_of(or_default(env->by_label, "/dev/disk/by-label"), drive->device, drive->label,
             sizeof(drive->label));
    if (!drive->label[0]) {
        const char *base = strrchr(mount_point, '/');
        snprintf(drive->label, sizeof(drive->label), "%s", base && base[1] ? base + 1 : "USB");
    }
    fill_space(drive);
    return true;
}

static int scan_mounts(const struct st_drives_env *env, struct st_drive *out, size_t *count)
{
    FILE *f = fopen(or_default(env->mountinfo, "/proc/self/mountinfo"), "re");
    if (!f) return -errno;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0 && *count < ST_DRIVES_MAX) {
        struct st_drive *drive = &out[*count];
        if (!parse_line(env, line, drive)) continue;
        bool seen = false; /* a stick mounted twice is offered once */
        for (size_t i = 0; i < *count; i++)
            seen |= strcmp(out[i].device, drive->device) == 0;
        if (!seen) (*count)++;
    }
    free(line);
    fclose(f);
    return 0;
}

int st_drives_scan(const struct st_drives_env *env, struct st_drive *out, size_t *count)
{
    *count = 0;
    int rc =
        env->media_dir ? scan_media_dir(env->media_dir, out, count) : scan_mounts(env, out, count);
    if (rc < 0) {
        *count = 0;
        return rc;
    }
    qsort(out, *count, sizeof(*out), by_label);
    return 0;
}

bool st_drives_same(const struct st_drive *a, size_t n_a, const struct st_drive *b, size_t n_b)
{
    if (n_a != n_b) return false;
    for (size_t i = 0; i < n_a; i++) {
        if (strcmp(a[i].path, b[i].path) != 0 || strcmp(a[i].label, b[i].label) != 0 ||
            a[i].read_only != b[i].read_only || llabs(a[i].free_bytes - b[i].free_bytes) > 1048576)
            return false;
    }
    return true;
}

bool st_drive_present(const struct st_drives_env *env, const struct st_drive *drive)
{
    struct st_drive now[ST_DRIVES_MAX];
    size_t n = 0;
    if (st_drives_scan(env, now, &n) < 0) return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(now[i].path, drive->path) == 0 && strcmp(now[i].device, drive->device) == 0)
            return true;
    return false;
}

void st_drive_format_bytes(int64_t bytes, char *buf, size_t size)
{
    if (bytes >= 1000000000LL)
        snprintf(buf, size, "%.1f GB", (double)bytes / 1e9);
    else if (bytes >= 1000000LL)
        snprintf(buf, size, "%lld MB", (long long)(bytes / 1000000));
    else if (bytes >= 1000)
        snprintf(buf, size, "%lld kB", (long long)(bytes / 1000));
    else
        snprintf(buf, size, "%lld B", (long long)(bytes > 0 ? bytes : 0));
}
