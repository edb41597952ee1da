/* The staged export: the one flow behind `record export --out` and the
 * menu's export to a USB stick. The target is hostile ground (a stick may
 * hold links, others' files, odd names): everything is opened relative to
 * the parent folder the caller holds, with O_NOFOLLOW, and nothing is removed
 * but an export's own regular files in a real folder. The export is written
 * into a staging folder the export creates itself (NAME.incomplete beside
 * NAME), verified with the station's own key, and only then put in place, so
 * a failure at any point leaves a previous export at NAME as it was. */
#include "kiosk/record/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The staging folder inside a target that is a mount point (place_mount). */
#define INNER_STAGING ".studycast-staging"

bool rec_is_export_name(const char *name)
{
    static const char *const fixed[] = {
        "sessions.csv", "attendance.csv", "member_hours.csv", "xapi-statements.json",
        "events.tsv",   REC_PUBLIC_NAME,  "manifest.json",    "manifest.sig"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        size_t n = strlen(fixed[i]);
        if (strncmp(name, fixed[i], n) == 0 &&
            (name[n] == '\0' || strncmp(name + n, ".tmp.", 5) == 0))
            return true;
    }
    if (rec_is_snapshot_export_name(name)) return true;
    int year, month;
    char tail[32] = "";
    return sscanf(name, "record-book-%4d-%2d.pd%31s", &year, &month, tail) == 3 &&
           (strcmp(tail, "f") == 0 || strncmp(tail, "f.tmp.", 6) == 0);
}

static bool is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* A listing of dirfd with a file position of its own (a dup would share it). */
static DIR *list_dir(int dirfd)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return NULL;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

static bool is_export_file(int dirfd, const char *name)
{
    struct stat sb;
    return rec_is_export_name(name) && fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(sb.st_mode);
}

/* 0 if the folder holds only an export's regular files, else -EEXIST with
 * the first other entry (a link, a folder, a stranger's file) in `other`. */
static int only_export_files(int dirfd, char *other, size_t size)
{
    DIR *d = list_dir(dirfd);
    if (!d) return -errno;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (is_dot(e->d_name) || is_export_file(dirfd, e->d_name)) continue;
        if (other) snprintf(other, size, "%s", e->d_name);
        rc = -EEXIST;
    }
    closedir(d);
    return rc;
}

/* Removes the export files in dirfd except those in keep[0..n_keep). */
static int remove_export_files(int dirfd, char *const *keep, size_t n_keep)
{
    DIR *d = list_dir(dirfd);
    if (!d) return -errno;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool kept = is_dot(e->d_name) || !is_export_file(dirfd, e->d_name);
        for (size_t k = 0; !kept && k < n_keep; k++)
            kept = strcmp(keep[k], e->d_name) == 0;
        if (!kept && unlinkat(dirfd, e->d_name, 0) != 0 && errno != ENOENT && rc == 0) rc = -errno;
    }
    closedir(d);
    return rc;
}

int rec_export_remove(int parent_fd, const char *name)
{
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : errno == ELOOP ? -ENOTDIR : -errno;
    int rc = only_export_files(fd, NULL, 0); /* all or nothing: check before removing */
    if (rc == 0) rc = remove_export_files(fd, NULL, 0);
    close(fd);
    if (rc == 0 && unlinkat(parent_fd, name, AT_REMOVEDIR) != 0) rc = -errno;
    return rc;
}

static int sync_dir(int dirfd)
{
    return fsync(dirfd) == 0 || errno == EINVAL ? 0 : -errno;
}

enum target_kind {
    TARGET_NEW,     /* NAME does not exist */
    TARGET_REPLACE, /* NAME is a previous export (or an empty folder) */
    TARGET_MOUNT,   /* ... and a mount point: it cannot be renamed */
};

struct staged {
    struct rec *rec;
    const struct rec_export_request *req;
    const char *label;
    enum target_kind kind;
    int target_fd; /* NAME, when it exists */
    int stage_dir; /* the folder holding the staging folder (not owned) */
    char stage_name[NAME_MAX + 1];
    char stage_label[PATH_MAX];
    int stage_fd;
};

static bool is_mount_root(int parent_fd, const char *name, const struct stat *sb)
{
    struct stat parent;
    if (fstat(parent_fd, &parent) == 0 && parent.st_dev != sb->st_dev) return true;
#ifdef STATX_ATTR_MOUNT_ROOT
    /* a bind mount of the same file system keeps st_dev */
    struct statx stx;
    if (statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
        (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#else
    (void)name;
#endif
    return false;
}

/* NAME: absent, a previous export (or empty folder) to replace, or refused:
 * a link is never followed and others' files are not ours to replace. */
static int inspect_target(struct staged *x)
{
    const struct rec_export_request *req = x->req;
    struct sc_log *log = x->rec->log;
    struct stat sb;
    if (fstatat(req->parent_fd, req->name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        int rc = -errno;
        if (rc == -ENOENT) {
            x->kind = TARGET_NEW;
            return 0;
        }
        SC_ERR(log, "export: cannot look at %s: %s", x->label, rec_strerror(rc));
        return rc;
    }
    if (S_ISLNK(sb.st_mode)) {
        SC_ERR(log,
               "export: %s is a symbolic link: studycast does not follow links when it writes "
               "an export (a link could point anywhere); name a real folder",
               x->label);
        return -ELOOP;
    }
    if (!S_ISDIR(sb.st_mode)) {
        SC_ERR(log, "export: %s exists and is not a folder", x->label);
        return -ENOTDIR;
    }
    x->target_fd =
        openat(req->parent_fd, req->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x->target_fd < 0) {
        int rc = -errno;
        SC_ERR(log, "export: cannot open %s: %s", x->label, rec_strerror(rc));
        return rc;
    }
    x->kind = is_mount_root(req->parent_fd, req->name, &sb) ? TARGET_MOUNT : TARGET_REPLACE;
    /* an interrupted export into this mount point left its staging folder */
    int rc = rec_export_remove(x->target_fd, INNER_STAGING);
    char other[NAME_MAX + 1] = INNER_STAGING;
    if (rc == 0) rc = only_export_files(x->target_fd, other, sizeof(other));
    if (rc == -EEXIST || rc == -ENOTDIR || rc == -ENOTEMPTY) {
        SC_ERR(log,
               "export: %s already holds other files (%s); export into a new or empty folder, "
               "for example %s/studycast",
               x->label, other, x->label);
        return -EEXIST;
    }
    if (rc != 0) SC_ERR(log, "export: cannot read %s: %s", x->label, rec_strerror(rc));
    return rc;
}

/* Creates the staging folder; a leftover of an earlier attempt is removed if
 * it is ours, anything else of that name is left alone and refused. */
static int make_staging(struct staged *x)
{
    struct sc_log *log = x->rec->log;
    if (mkdirat(x->stage_dir, x->stage_name, 0755) != 0) {
        int rc = -errno;
        if (rc == -EEXIST) {
            rc = rec_export_remove(x->stage_dir, x->stage_name);
            if (rc == 0) {
                SC_INFO(log, "export: removed the unfinished export %s", x->stage_label);
                rc = mkdirat(x->stage_dir, x->stage_name, 0755) == 0 ? 0 : -errno;
            } else if (rc == -EEXIST || rc == -ENOTDIR || rc == -ENOTEMPTY) {
                SC_ERR(log,
                       "export: %s is in the way and was not made by studycast (a link or "
                       "other files): remove it or export elsewhere",
                       x->stage_label);
                return -EEXIST;
            }
        }
        if (rc != 0) {
            SC_ERR(log, "export: cannot create %s: %s", x->stage_label, rec_strerror(rc));
            return rc;
        }
    }
    x->stage_fd =
        openat(x->stage_dir, x->stage_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x->stage_fd < 0) {
        int rc = -errno;
        SC_ERR(log, "export: cannot open %s: %s", x->stage_label, rec_strerror(rc));
        unlinkat(x->stage_dir, x->stage_name, AT_REMOVEDIR);
        return rc;
    }
    return 0;
}

static int add_name(char ***names, size_t *n, const char *name)
{
    char **grown = realloc(*names, (*n + 1) * sizeof(**names));
    if (!grown) return -ENOMEM;
    *names = grown;
    if (!(grown[*n] = strdup(name))) return -ENOMEM;
    (*n)++;
    return 0;
}

/* Moves the staged files into the existing folder NAME, the manifest last,
 * then removes what the previous export there had and this one did not
 * write. Only renames within one file system happen here: nothing can run
 * out of space, and a crash in the middle leaves a folder that fails
 * verification until the next export, never a wrong one that passes. */
static int move_into_target(struct staged *x)
{
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    DIR *d = list_dir(x->stage_fd);
    if (!d) rc = -errno;
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d)) != NULL)
        if (!is_dot(e->d_name) && strncmp(e->d_name, "manifest.", 9) != 0)
            rc = add_name(&names, &n, e->d_name);
    if (d) closedir(d);
    if (rc == 0) rc = add_name(&names, &n, "manifest.sig");
    if (rc == 0) rc = add_name(&names, &n, "manifest.json");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (renameat(x->stage_fd, names[i], x->target_fd, names[i]) != 0) rc = -errno;
    if (rc == 0) rc = remove_export_files(x->target_fd, names, n);
    if (rc == 0) rc = sync_dir(x->target_fd);
    if (rc != 0)
        SC_ERR(x->rec->log, "export: cannot move the new files into %s: %s", x->label,
               rec_strerror(rc));
    else if (unlinkat(x->stage_dir, x->stage_name, AT_REMOVEDIR) != 0) /* empty by now */
        SC_WARN(x->rec->log, "export: cannot remove the empty %s: %s", x->stage_label,
                strerror(errno));
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static bool cannot_rename_so(int error)
{
    return error == EINVAL || error == ENOSYS || error == ENOTSUP;
}

static int place(struct staged *x)
{
    const struct rec_export_request *req = x->req;
    struct sc_log *log = x->rec->log;
    int parent = req->parent_fd, rc = 0;
    switch (x->kind) {
    case TARGET_NEW:
        if (renameat2(parent, x->stage_name, parent, req->name, RENAME_NOREPLACE) != 0) {
            rc = -errno;
            /* a file system without RENAME_NOREPLACE (some FUSE ones): a plain
             * rename of a folder still never replaces files or a link, at most
             * an empty folder that appeared meanwhile */
            if (cannot_rename_so(-rc))
                rc = renameat(parent, x->stage_name, parent, req->name) == 0 ? 0 : -errno;
        }
        if (rc == 0) rc = sync_dir(parent);
        break;
    case TARGET_REPLACE:
        if (renameat2(parent, x->stage_name, parent, req->name, RENAME_EXCHANGE) == 0) {
            rc = sync_dir(parent);
            /* the previous export now has the staging name; it held only
             * export files (inspect_target), so it is ours to remove */
            int old = rec_export_remove(parent, x->stage_name);
            if (old != 0)
                SC_WARN(log, "export: cannot remove the previous export, now %s: %s",
                        x->stage_label, rec_strerror(old));
            break;
        }
        rc = -errno;
        /* no exchange on this file system (vfat before Linux 6.0, some FUSE
         * ones): move the verified files into the existing folder instead */
        if (cannot_rename_so(-rc)) return move_into_target(x);
        break;
    case TARGET_MOUNT:
        /* a mount point cannot be renamed or exchanged: the staging folder
         * is inside it (on the same stick) and the files move out of it */
        return move_into_target(x);
    }
    if (rc != 0)
        SC_ERR(log, "export: cannot put %s in place as %s: %s", x->stage_label, x->label,
               rec_strerror(rc));
    return rc;
}

static void log_problem(void *ctx, const char *message)
{
    struct rec *rec = ctx;
    SC_ERR(rec->log, "export check: %s", message);
}

static void set_stage(const struct rec_export_request *req, enum rec_export_stage stage)
{
    if (req->stage) req->stage(req->ctx, stage);
}

int rec_export_staged(struct rec *rec, const struct rec_export_request *req)
{
    if (!req->name || !req->name[0] || strchr(req->name, '/') || is_dot(req->name) ||
        req->formats <= 0 || req->formats > REC_EXPORT_ALL)
        return -EINVAL;
    if (rec->from_events) return -EROFS; /* no secret key: nothing to sign with */
    /* Nothing is signed from an altered record: the export carries only its
     * range, so an edit before it would verify as intact (docs/record.md). */
    int chain = rec_chain_check_db(rec);
    if (chain != 0) return chain;
    struct staged x = {.rec = rec,
                       .req = req,
                       .label = req->label ? req->label : req->name,
                       .target_fd = -1,
                       .stage_fd = -1};
    bool gone = false; /* still_there said no: the staging folder is left as it is */
    int rc = inspect_target(&x);
    if (rc == 0) {
        bool inner = x.kind == TARGET_MOUNT;
        x.stage_dir = inner ? x.target_fd : req->parent_fd;
        if (snprintf(x.stage_name, sizeof(x.stage_name), "%s%s", inner ? INNER_STAGING : req->name,
                     inner ? "" : REC_EXPORT_STAGING_SUFFIX) >= (int)sizeof(x.stage_name))
            rc = -ENAMETOOLONG;
        snprintf(x.stage_label, sizeof(x.stage_label), "%s%s", x.label,
                 inner ? "/" INNER_STAGING : REC_EXPORT_STAGING_SUFFIX);
    }
    if (rc == 0) rc = make_staging(&x);
    if (rc != 0) goto out;
    set_stage(req, REC_STAGE_WRITING);
    int64_t upto_seq = rec_last_seq(rec); /* what the export can hold at most */
    rc = rec_export_into(rec, x.stage_fd, x.stage_label, req->from_utc, req->to_utc, req->formats);
    if (rc == 0) {
        set_stage(req, REC_STAGE_VERIFYING);
        char key[65];
        rec_station_public_key_hex(rec, key);
        rc = rec_verify_export_at(x.stage_fd, key, req->problem ? req->problem : log_problem,
                                  req->problem ? req->ctx : rec);
        if (rc != 0)
            SC_ERR(rec->log, "export: what was written to %s does not verify: %s", x.stage_label,
                   rec_strerror(rc));
    }
    if (rc == 0) {
        set_stage(req, REC_STAGE_PLACING);
        gone = req->still_there && !req->still_there(req->ctx);
        rc = gone ? -ENODEV : place(&x);
    }
    /* the period's snapshots are on the verified export now: a finished
     * period's go (a failure here leaves them, the export stands) */
    if (rc == 0) {
        int pruned = rec_snapshots_prune(rec, req->from_utc, req->to_utc, upto_seq);
        if (pruned != 0)
            SC_WARN(rec->log, "export: the exported snapshots were kept: %s", rec_strerror(pruned));
    }
    if (rc != 0 && !gone && x.stage_fd >= 0) {
        /* ours, made above: its export files, then the folder itself */
        if (remove_export_files(x.stage_fd, NULL, 0) != 0 ||
            unlinkat(x.stage_dir, x.stage_name, AT_REMOVEDIR) != 0)
            SC_WARN(rec->log, "export: cannot remove the unfinished %s: %s", x.stage_label,
                    strerror(errno));
    }
out:
    if (x.stage_fd >= 0) close(x.stage_fd);
    if (x.target_fd >= 0) close(x.target_fd);
    return rc;
}

int rec_export(struct rec *rec, const char *dir, int64_t from_utc, int64_t to_utc, int formats)
{
    char *copy = strdup(dir);
    if (!copy) return -ENOMEM;
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *name = slash ? slash + 1 : copy, *parent = ".";
    if (slash == copy)
        parent = "/";
    else if (slash) {
        *slash = '\0';
        parent = copy;
    }
    int rc = 0;
    if (!name[0] || is_dot(name)) {
        SC_ERR(rec->log, "export: give the export folder's own name, not %s", dir);
        rc = -EINVAL;
    }
    /* the parent is the caller's own path: links on the way are the caller's;
     * only the export folder itself is checked (a link there is refused) */
    int parent_fd = rc == 0 ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (rc == 0 && parent_fd < 0) {
        rc = -errno;
        SC_ERR(rec->log, "export: cannot create %s: %s", dir, rec_strerror(rc));
    }
    if (rc == 0) {
        struct rec_export_request req = {.parent_fd = parent_fd,
                                         .name = name,
                                         .label = dir,
                                         .from_utc = from_utc,
                                         .to_utc = to_utc,
                                         .formats = formats};
        rc = rec_export_staged(rec, &req);
    }
    if (parent_fd >= 0) close(parent_fd);
    free(copy);
    return rc;
}
