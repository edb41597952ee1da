/* Removable drives: the USB sticks the system has mounted, for the
 * administrator's records and members pages (issue 6).
 *
 * A stick is a mount under /media, /run/media or /mnt whose block device is
 * removable (/sys/block/<disk>/removable, or a device on a USB bus), read
 * from /proc/self/mountinfo. With a media dir (kiosk --media-dir DIR, for
 * tests and receivers that mount elsewhere) each subdirectory of DIR counts
 * as a mounted stick instead.
 *
 * Pages re-scan every ST_DRIVES_RESCAN_NS on their deadline (a stick is
 * plugged in or pulled out while the page is open); nothing polls faster.
 * Plain functions on the caller's thread; no state kept between calls. */
#ifndef STUDYCAST_KIOSK_STATION_DRIVES_H
#define STUDYCAST_KIOSK_STATION_DRIVES_H

#include "base/base.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_DRIVES_MAX       16
#define ST_DRIVES_RESCAN_NS 1500000000LL

struct st_drive {
    char path[PATH_MAX]; /* where it is mounted (or the media dir's subdirectory) */
    char label[128];     /* the file system's label, else the mount point's name */
    char device[64];     /* "sdb1"; "" for a media dir's subdirectory */
    int64_t free_bytes, total_bytes;
    bool read_only;
};

/* Where the scan looks: NULL members take the system's paths. Tests point
 * them into a scratch tree. */
struct st_drives_env {
    const char *media_dir; /* non-NULL: its subdirectories are the sticks */
    const char *mountinfo; /* /proc/self/mountinfo */
    const char *sys_root;  /* "" (real /sys/dev/block/...) or a prefix */
    const char *by_label;  /* /dev/disk/by-label */
};

/* Fills out[0..*count) (at most ST_DRIVES_MAX, sorted by label). Returns 0,
 * or a negative code when the mount table (or the media dir) cannot be read:
 * then *count is 0. */
int st_drives_scan(const struct st_drives_env *env, struct st_drive *out, size_t *count);

/* True when the two lists name the same sticks with the same state (free
 * space within 1 MiB: a growing export does not count as a change). */
bool st_drives_same(const struct st_drive *a, size_t n_a, const struct st_drive *b, size_t n_b);

/* Whether the stick is still there: its path exists and, outside a media
 * dir, is still a mount point of the same device. */
bool st_drive_present(const struct st_drives_env *env, const struct st_drive *drive);

/* "14.2 GB" / "512 MB" / "980 kB" free space, in decimal units like the
 * stick's packaging. */
void st_drive_format_bytes(int64_t bytes, char *buf, size_t size);

/* ---- the sticks a menu page offers (admin_drives.c) ---- */

struct st_drive_list {
    struct st_drive items[ST_DRIVES_MAX];
    size_t n;
    int error;            /* the last scan's failure (0: none) */
    int64_t next_scan_ns; /* sc_mono_ns() of the next re-scan */
    bool changed;         /* since the page last built its view */
};

struct st_station;
struct st_menu;

/* The station's drives_env (its --media-dir). */
struct st_drives_env st_drives_env(const struct st_station *st);
/* Scans now (page opened, or OK pressed on a stick). */
void st_drive_list_scan(const struct st_station *st, struct st_drive_list *list);
/* For a page's deadline_ns: re-scans when due; returns 0 (now) when the
 * list changed and the view must be rebuilt, else the next scan's time. */
int64_t st_drive_list_deadline(const struct st_station *st, struct st_drive_list *list);
/* One row per stick (label; free space or "read-only"), or one disabled
 * row "No USB stick: insert one". */
void st_drive_list_rows(struct st_station *st, struct st_menu *m, struct st_drive_list *list);

#endif
