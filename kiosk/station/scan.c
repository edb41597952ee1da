/* The menu's background scan of the station's stream (scan.h): one thread
 * runs the demux pipeline and throws the clean packets away; the pipeline
 * keeps the SI, which the snapshot functions copy out under the scan's lock.
 *
 * Stopping: st_scan_stop() sets `stop` and aborts the pipeline under the
 * lock; the thread publishes the pipeline under the same lock and looks at
 * `stop` there, so an abort is never missed, even while the source opens. */
#include "kiosk/station/scan.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define READ_BYTES   (188 * 128)
#define READ_WAIT_MS 200

struct st_scan {
    struct sc_log *log;
    char *url;
    pthread_t thread;
    pthread_mutex_t lock;
    /* under lock */
    struct dmx_pipeline *pipeline; /* NULL while opening (and after a failed open) */
    bool stop;
    enum st_scan_state state;
    int error;
    bool outage; /* an outage is ongoing (the pipeline's callback) */
};

const char *st_scan_state_name(enum st_scan_state state)
{
    static const char *const names[] = {"opening", "receiving", "no_signal", "done", "failed"};
    return (unsigned)state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

/* The pipeline's outage callback (the scan's thread). */
static void on_outage(void *opaque, const struct dmx_outage *outage)
{
    struct st_scan *scan = opaque;
    pthread_mutex_lock(&scan->lock);
    scan->outage = outage->end_mono_ns == 0;
    pthread_mutex_unlock(&scan->lock);
}

static void set_state(struct st_scan *scan, enum st_scan_state state, int error)
{
    pthread_mutex_lock(&scan->lock);
    scan->state = state;
    scan->error = error;
    pthread_mutex_unlock(&scan->lock);
}

static void *scan_thread(void *arg)
{
    struct st_scan *scan = arg;
    struct dmx_callbacks callbacks = {.opaque = scan, .outage = on_outage};
    struct dmx_pipeline *p = NULL;
    int rc = dmx_pipeline_create(&p, scan->url, NULL, &callbacks, scan->log);
    if (rc < 0) {
        SC_WARN(scan->log, "scan: cannot open %s: %s", scan->url, dmx_strerror(rc));
        set_state(scan, ST_SCAN_FAILED, rc);
        return NULL;
    }
    pthread_mutex_lock(&scan->lock);
    scan->pipeline = p;
    bool stopping = scan->stop;
    if (stopping) dmx_pipeline_abort(p);
    pthread_mutex_unlock(&scan->lock);
    SC_INFO(scan->log, "scan: reading %s", scan->url);
    uint8_t *buf = malloc(READ_BYTES);
    if (!buf) {
        set_state(scan, ST_SCAN_FAILED, -ENOMEM);
        return NULL;
    }
    for (;;) {
        int n = dmx_pipeline_read(p, buf, READ_BYTES, READ_WAIT_MS);
        if (n > 0) {
            pthread_mutex_lock(&scan->lock);
            if (scan->state == ST_SCAN_OPENING) scan->state = ST_SCAN_RECEIVING;
            pthread_mutex_unlock(&scan->lock);
            continue;
        }
        if (n == 0) continue; /* a live source without data: the outage callback tells */
        if (n == DMX_EOF) {
            SC_INFO(scan->log, "scan: %s read to its end", scan->url);
            set_state(scan, ST_SCAN_DONE, 0);
        } else if (n != DMX_ERR_ABORTED) {
            SC_WARN(scan->log, "scan: %s: %s", scan->url, dmx_strerror(n));
            set_state(scan, ST_SCAN_FAILED, n);
        }
        break;
    }
    free(buf);
    return NULL;
}

int st_scan_start(struct sc_log *log, const char *url, struct st_scan **out)
{
    *out = NULL;
    struct st_scan *scan = calloc(1, sizeof(*scan));
    if (!scan) return -ENOMEM;
    scan->log = log;
    scan->state = ST_SCAN_OPENING;
    scan->url = strdup(url);
    if (!scan->url) goto fail_alloc;
    if (pthread_mutex_init(&scan->lock, NULL) != 0) goto fail_alloc;
    if (pthread_create(&scan->thread, NULL, scan_thread, scan) != 0) {
        pthread_mutex_destroy(&scan->lock);
        free(scan->url);
        free(scan);
        return -EAGAIN;
    }
    *out = scan;
    return 0;
fail_alloc:
    free(scan->url);
    free(scan);
    return -ENOMEM;
}

void st_scan_stop(struct st_scan *scan)
{
    if (!scan) return;
    pthread_mutex_lock(&scan->lock);
    scan->stop = true;
    if (scan->pipeline) dmx_pipeline_abort(scan->pipeline);
    pthread_mutex_unlock(&scan->lock);
    pthread_join(scan->thread, NULL);
    dmx_pipeline_destroy(scan->pipeline);
    pthread_mutex_destroy(&scan->lock);
    SC_DEBUG(scan->log, "scan: %s stopped", scan->url);
    free(scan->url);
    free(scan);
}

const char *st_scan_url(const struct st_scan *scan)
{
    return scan->url;
}

int st_scan_services(struct st_scan *scan, struct st_scan_info *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&scan->lock);
    out->state = scan->state;
    out->error = scan->error;
    bool open = out->state == ST_SCAN_OPENING || out->state == ST_SCAN_RECEIVING;
    if (scan->pipeline && open && scan->outage) out->state = ST_SCAN_NO_SIGNAL;
    int rc = 0;
    if (scan->pipeline) {
        struct dmx_stats stats;
        dmx_pipeline_stats(scan->pipeline, &stats);
        out->packets = stats.packets_out;
        out->cc_errors = stats.cc_errors;
        dmx_pipeline_signal(scan->pipeline, &out->signal);
        rc = dmx_pipeline_services(scan->pipeline, &out->services, &out->n_services);
    }
    pthread_mutex_unlock(&scan->lock);
    if (rc < 0) {
        out->services = NULL;
        out->n_services = 0;
        return -ENOMEM;
    }
    return 0;
}

void st_scan_info_free(struct st_scan_info *info)
{
    if (!info) return;
    dmx_services_free(info->services, info->n_services);
    info->services = NULL;
    info->n_services = 0;
}

int st_scan_events(struct st_scan *scan, int service_id, struct dmx_event **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    pthread_mutex_lock(&scan->lock);
    int rc = scan->pipeline ? dmx_pipeline_events(scan->pipeline, service_id, out, count) : -ENOENT;
    pthread_mutex_unlock(&scan->lock);
    return rc < 0 ? rc : 0;
}

int st_scan_time(struct st_scan *scan, struct dmx_time *out)
{
    pthread_mutex_lock(&scan->lock);
    int rc = scan->pipeline ? dmx_pipeline_time(scan->pipeline, out) : -ENOENT;
    pthread_mutex_unlock(&scan->lock);
    return rc;
}
