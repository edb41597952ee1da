/* "capture" entries: while the broadcast airs, the transport stream of the
 * service (PAT rewritten to it, its PMT, streams and PCR: what the demux's
 * service filter passes) is written as it arrives to the course library's
 * WRITING file, then renamed COMPLETE, or PARTIAL when the capture was cut
 * (outage, write error, or a restart that resumed into the same file).
 * One thread per capture reads and writes; the loop starts, watches and
 * finishes it. No session: nobody watches a capture being made. */
#include "kiosk/station/internal.h"

#include "demux/demux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE     (188 * 348)
#define SYNC_EVERY_NS 5000000000LL

struct st_capture {
    char title[SCH_TITLE_MAX];
    char url[SCH_LOCATION_MAX];
    char path[PATH_MAX];
    int64_t entry_id, start_utc, end_utc;
    int service;
    bool resumed; /* the file already held part of this broadcast */
    int fd;
    struct dmx_pipeline *pipeline;
    struct ui *ui; /* woken when the thread stops by itself */
    struct sc_log *log;
    pthread_t thread;
    atomic_bool stop, finished;
    atomic_int error; /* 0, or the -errno / DMX code that ended it */
    atomic_llong bytes;
    bool error_shown;
};

static int write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static void *capture_main(void *opaque)
{
    struct st_capture *r = opaque;
    uint8_t *buf = malloc(READ_SIZE);
    int64_t synced = sc_mono_ns();
    int rc = buf ? 0 : -ENOMEM;
    while (rc == 0 && !atomic_load(&r->stop)) {
        int n = dmx_pipeline_read(r->pipeline, buf, READ_SIZE, 500);
        if (n == DMX_EOF) break; /* a file source has ended */
        if (n == DMX_ERR_ABORTED) break;
        if (n < 0) {
            rc = n;
            break;
        }
        if (n == 0) continue;
        rc = write_all(r->fd, buf, (size_t)n);
        atomic_fetch_add(&r->bytes, n);
        if (rc == 0 && sc_mono_ns() - synced > SYNC_EVERY_NS) {
            if (fdatasync(r->fd) < 0) rc = -errno;
            synced = sc_mono_ns();
        }
    }
    free(buf);
    atomic_store(&r->error, rc);
    atomic_store(&r->finished, true);
    ui_wakeup(r->ui);
    return NULL;
}

static void destroy(struct st_capture *r)
{
    if (r->pipeline) dmx_pipeline_destroy(r->pipeline);
    if (r->fd >= 0) close(r->fd);
    free(r);
}

int st_capture_start(struct st_station *st, const struct sch_occurrence *occ)
{
    size_t slot = 0;
    while (slot < ST_MAX_CAPTURES && st->captures[slot])
        slot++;
    if (slot == ST_MAX_CAPTURES) {
        SC_ERR(st->log, "too many captures at once: \"%s\" not captured", occ->entry->title);
        return -EBUSY;
    }
    const struct sch_source *s = &occ->entry->source;
    const char *url = s->location[0] ? s->location : st->source;
    if (!url) {
        SC_ERR(st->log, "capture \"%s\": no stream (--source URL)", occ->entry->title);
        st_toast(st, true, "The broadcast \"%s\" cannot be captured: no stream is set.",
                 occ->entry->title);
        return -ENOENT;
    }
    struct st_capture *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    r->fd = -1;
    r->ui = st->ui;
    r->log = st->log;
    snprintf(r->title, sizeof(r->title), "%s", occ->entry->title);
    snprintf(r->url, sizeof(r->url), "%s", url);
    r->entry_id = occ->entry->id;
    r->start_utc = occ->start_utc;
    r->end_utc = occ->end_utc;
    r->service = s->type == SCH_SOURCE_SERVICE ? s->service_id : -1;
    int rc = sch_library_ensure(st->data_dir);
    if (rc == 0)
        rc = sch_library_capture_path(st->data_dir, r->entry_id, r->start_utc, st->utc_offset_s,
                                      SCH_LIBRARY_WRITING, r->path, sizeof(r->path));
    if (rc == 0) {
        r->fd = open(r->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (r->fd < 0) rc = -errno;
    }
    struct stat sb;
    if (rc == 0 && fstat(r->fd, &sb) == 0) r->resumed = sb.st_size > 0;
    if (rc == 0) {
        st_clock_scan_release(st); /* a DVB tuner opens once */
        rc = dmx_pipeline_create(&r->pipeline, r->url, NULL, NULL, st->log);
        if (rc == 0 && r->service >= 0) dmx_pipeline_select_service(r->pipeline, r->service);
    }
    if (rc == 0 && pthread_create(&r->thread, NULL, capture_main, r) != 0) rc = -EAGAIN;
    if (rc < 0) {
        SC_ERR(st->log, "cannot capture \"%s\" from %s: %s", r->title, r->url,
               rc <= DMX_EOF ? dmx_strerror(rc) : strerror(-rc));
        st_toast(st, true, "The broadcast \"%s\" cannot be captured.", r->title);
        destroy(r);
        return rc;
    }
    SC_INFO(st->log, "capturing \"%s\" from %s into %s%s", r->title, r->url, r->path,
            r->resumed ? " (resumed)" : "");
    st->captures[slot] = r;
    st->view_dirty = true;
    return 0;
}

/* Ends a capture. Before its slot's end at shutdown the file stays WRITING,
 * so that a restart within the slot appends to it. */
static void finish(struct st_station *st, size_t slot, bool shutdown)
{
    struct st_capture *r = st->captures[slot];
    atomic_store(&r->stop, true);
    dmx_pipeline_abort(r->pipeline);
    pthread_join(r->thread, NULL);
    int error = atomic_load(&r->error);
    if (fsync(r->fd) < 0 && error == 0) error = -errno;
    struct dmx_outage *outages = NULL;
    size_t n_outages = 0;
    dmx_pipeline_outages(r->pipeline, &outages, &n_outages);
    free(outages);
    bool cut_short = st_now_utc(st) < r->end_utc;
    if (shutdown && cut_short) {
        SC_INFO(st->log, "capture \"%s\" paused at shutdown: %s stays open for a restart", r->title,
                r->path);
        destroy(r);
        st->captures[slot] = NULL;
        return;
    }
    bool complete = error == 0 && !r->resumed && n_outages == 0 && !cut_short;
    int rc = sch_library_finish_capture(st->data_dir, r->entry_id, r->start_utc, st->utc_offset_s,
                                        complete);
    SC_INFO(st->log, "capture \"%s\" finished: %lld bytes, %s%s", r->title,
            (long long)atomic_load(&r->bytes), complete ? "complete" : "partial",
            rc < 0 ? " (could not rename the file)" : "");
    char note[SCH_TITLE_MAX + 200];
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, false);
    sc_json_object_begin(&j);
    sc_json_kv_int(&j, "entry", r->entry_id);
    sc_json_kv_string(&j, "course", r->title);
    sc_json_kv_int(&j, "bytes", atomic_load(&r->bytes));
    sc_json_kv_bool(&j, "complete", complete);
    sc_json_kv_int(&j, "outages", (int64_t)n_outages);
    sc_json_object_end(&j);
    snprintf(note, sizeof(note), "%s", buf.failed ? "{}" : buf.data);
    sc_buf_free(&buf);
    rec_note(st->rec, "course_captured", note);
    destroy(r);
    st->captures[slot] = NULL;
    st->view_dirty = true;
}

void st_capture_turn(struct st_station *st, int64_t now_utc)
{
    for (size_t i = 0; i < ST_MAX_CAPTURES; i++) {
        struct st_capture *r = st->captures[i];
        if (!r) continue;
        int error = atomic_load(&r->error);
        if (error < 0 && !r->error_shown) {
            r->error_shown = true;
            SC_ERR(st->log, "capture \"%s\": %s", r->title,
                   error <= DMX_EOF ? dmx_strerror(error) : strerror(-error));
            st_toast(st, true,
                     error == -ENOSPC ? "Capture stopped: the disk is full."
                                      : "Capture stopped: write error.");
        }
        if (now_utc >= r->end_utc || atomic_load(&r->finished)) finish(st, i, false);
    }
}

int64_t st_capture_deadline_utc(const struct st_station *st)
{
    int64_t deadline = INT64_MAX;
    for (size_t i = 0; i < ST_MAX_CAPTURES; i++)
        if (st->captures[i] && st->captures[i]->end_utc < deadline)
            deadline = st->captures[i]->end_utc;
    return deadline;
}

void st_capture_stop_all(struct st_station *st)
{
    for (size_t i = 0; i < ST_MAX_CAPTURES; i++)
        if (st->captures[i]) finish(st, i, true);
}

size_t st_capture_titles(const struct st_station *st, const char **titles, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ST_MAX_CAPTURES && n < max; i++)
        if (st->captures[i]) titles[n++] = st->captures[i]->title;
    return n;
}

bool st_capture_reception(const struct st_station *st, enum ui_signal *signal, char *service,
                          size_t service_size, char *event, size_t event_size)
{
    const struct st_capture *r = NULL;
    for (size_t i = 0; i < ST_MAX_CAPTURES && !r; i++)
        r = st->captures[i];
    if (!r) return false;
    service[0] = event[0] = '\0';
    struct dmx_outage *outages = NULL;
    size_t n = 0;
    bool down = dmx_pipeline_outages(r->pipeline, &outages, &n) == 0 && n > 0 &&
                outages[n - 1].end_mono_ns == 0;
    free(outages);
    uint64_t bytes = (uint64_t)atomic_load(&r->bytes);
    *signal = down ? UI_SIGNAL_NONE : bytes > 0 ? UI_SIGNAL_GOOD : UI_SIGNAL_UNKNOWN;
    struct dmx_service *services = NULL;
    if (dmx_pipeline_services(r->pipeline, &services, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if (services[i].actual && (int)services[i].id == r->service)
                snprintf(service, service_size, "%s", services[i].name);
        dmx_services_free(services, n);
    }
    struct dmx_event *events = NULL;
    int64_t now = st_now_utc(st);
    if (r->service >= 0 && dmx_pipeline_events(r->pipeline, r->service, &events, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if (events[i].start <= now && now < events[i].start + events[i].duration) {
                snprintf(event, event_size, "%s", events[i].title);
                break;
            }
        dmx_events_free(events, n);
    }
    return true;
}
