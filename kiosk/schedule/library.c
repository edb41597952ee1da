/* The course library: DATA_DIR/library holds the transport streams that
 * capture entries write. Names are derived from the entry and the local
 * start of the occurrence, so they sort by time and a restart finds its
 * file again; the suffix tells the state. The names keep their old "rec-"
 * prefix so that existing libraries stay found. See schedule.h. */
#include "kiosk/schedule/schedule.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const state_suffix[] = {".ts.part", ".ts", ".partial.ts"};

int sch_library_dir(const char *data_dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/library", data_dir);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sch_library_ensure(const char *data_dir)
{
    char dir[SCH_LOCATION_MAX];
    int rc = sch_library_dir(data_dir, dir, sizeof(dir));
    if (rc) return rc;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) return -errno;
    return 0;
}

/* "rec-<id>-YYYYMMDD-HHMM" for the occurrence, in local time. */
static int base_name(int64_t entry_id, int64_t occurrence_utc, int32_t utc_offset_s, char *buf,
                     size_t size)
{
    time_t t = (time_t)(occurrence_utc + utc_offset_s);
    struct tm tm;
    if (entry_id <= 0 || !gmtime_r(&t, &tm)) return -EINVAL;
    int n = snprintf(buf, size, "rec-%" PRId64 "-%04d%02d%02d-%02d%02d", entry_id,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sch_library_capture_path(const char *data_dir, int64_t capture_entry_id, int64_t occurrence_utc,
                             int32_t utc_offset_s, enum sch_library_state state, char *buf,
                             size_t size)
{
    if ((unsigned)state > SCH_LIBRARY_PARTIAL) return -EINVAL;
    char name[64];
    int rc = base_name(capture_entry_id, occurrence_utc, utc_offset_s, name, sizeof(name));
    if (rc) return rc;
    int n = snprintf(buf, size, "%s/library/%s%s", data_dir, name, state_suffix[state]);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sch_library_finish_capture(const char *data_dir, int64_t capture_entry_id,
                               int64_t occurrence_utc, int32_t utc_offset_s, bool complete)
{
    char from[SCH_LOCATION_MAX], to[SCH_LOCATION_MAX];
    int rc = sch_library_capture_path(data_dir, capture_entry_id, occurrence_utc, utc_offset_s,
                                      SCH_LIBRARY_WRITING, from, sizeof(from));
    if (!rc)
        rc = sch_library_capture_path(data_dir, capture_entry_id, occurrence_utc, utc_offset_s,
                                      complete ? SCH_LIBRARY_COMPLETE : SCH_LIBRARY_PARTIAL, to,
                                      sizeof(to));
    if (rc) return rc;
    return rename(from, to) == 0 ? 0 : -errno;
}

/* Parses "rec-<id>-YYYYMMDD-HHMM<suffix>"; returns false for other names. */
static bool parse_name(const char *name, int32_t utc_offset_s, int64_t *entry_id,
                       int64_t *occurrence_utc, enum sch_library_state *state)
{
    long long id;
    int year, mon, day, hour, min, consumed = 0;
    if (sscanf(name, "rec-%lld-%4d%2d%2d-%2d%2d%n", &id, &year, &mon, &day, &hour, &min,
               &consumed) != 6 ||
        id <= 0)
        return false;
    const char *suffix = name + consumed;
    int found = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(suffix, state_suffix[i]) == 0) found = i;
    if (found < 0) return false;
    char iso[32];
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d", year, mon, day, hour, min);
    int64_t t;
    if (sch_parse_local(iso, utc_offset_s, &t) != 0) return false;
    *entry_id = id;
    *occurrence_utc = t;
    *state = (enum sch_library_state)found;
    return true;
}

int sch_library_find_newest(const char *data_dir, int64_t capture_entry_id, int64_t before_utc,
                            int32_t utc_offset_s, bool allow_partial, struct sch_library_item *out)
{
    char dir_path[SCH_LOCATION_MAX];
    int rc = sch_library_dir(data_dir, dir_path, sizeof(dir_path));
    if (rc) return rc;
    DIR *dir = opendir(dir_path);
    if (!dir) return errno == ENOENT ? -ENOENT : -errno;
    bool found = false;
    struct dirent *d;
    while ((d = readdir(dir))) {
        int64_t id, when;
        enum sch_library_state state;
        if (!parse_name(d->d_name, utc_offset_s, &id, &when, &state) || id != capture_entry_id ||
            when >= before_utc || state == SCH_LIBRARY_WRITING ||
            (state == SCH_LIBRARY_PARTIAL && !allow_partial))
            continue;
        /* Newest wins; at the same time a complete file beats a partial one. */
        if (found && (when < out->occurrence_utc ||
                      (when == out->occurrence_utc && state != SCH_LIBRARY_COMPLETE)))
            continue;
        int n = snprintf(out->path, sizeof(out->path), "%s/%s", dir_path, d->d_name);
        if (n < 0 || (size_t)n >= sizeof(out->path)) continue;
        out->capture_entry_id = id;
        out->occurrence_utc = when;
        out->state = state;
        found = true;
    }
    closedir(dir);
    return found ? 0 : -ENOENT;
}

static int compare_newest_first(const void *a, const void *b)
{
    const struct sch_library_item *x = a, *y = b;
    if (x->occurrence_utc != y->occurrence_utc)
        return x->occurrence_utc > y->occurrence_utc ? -1 : 1;
    return strcmp(x->path, y->path);
}

int sch_library_list(const char *data_dir, int32_t utc_offset_s, struct sch_library_item **items,
                     size_t *count)
{
    *items = NULL;
    *count = 0;
    char dir_path[SCH_LOCATION_MAX];
    int rc = sch_library_dir(data_dir, dir_path, sizeof(dir_path));
    if (rc) return rc;
    DIR *dir = opendir(dir_path);
    if (!dir) return errno == ENOENT ? 0 : -errno;
    struct sch_library_item *list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *d;
    while ((d = readdir(dir))) {
        if (d->d_name[0] == '.') continue;
        struct sch_library_item item = {0};
        int len = snprintf(item.path, sizeof(item.path), "%s/%s", dir_path, d->d_name);
        struct stat st;
        if (len < 0 || (size_t)len >= sizeof(item.path) || stat(item.path, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (!parse_name(d->d_name, utc_offset_s, &item.capture_entry_id, &item.occurrence_utc,
                        &item.state)) {
            item.capture_entry_id = 0;
            item.state = SCH_LIBRARY_COMPLETE;
            item.occurrence_utc = st.st_mtime;
        }
        if (n == cap) {
            size_t new_cap = cap ? cap * 2 : 32;
            struct sch_library_item *bigger = realloc(list, new_cap * sizeof(*bigger));
            if (!bigger) {
                free(list);
                closedir(dir);
                return -ENOMEM;
            }
            list = bigger;
            cap = new_cap;
        }
        list[n++] = item;
    }
    closedir(dir);
    if (n > 1) qsort(list, n, sizeof(*list), compare_newest_first);
    *items = list;
    *count = n;
    return 0;
}
