/* HTTP(S) source through libavformat's avio. A thread of its own does the
 * blocking reads into a ring, so the pipeline's read can honour its timeout
 * (and notice outages) without interrupting avio mid-request. A response
 * without a length is a live stream; avio reconnects dropped streams. */
#include "demux/internal.h"

#include <libavformat/avio.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING_SIZE (1u << 20)

struct http_source {
    AVIOContext *io;
    bool live;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint8_t *ring;
    size_t head, len; /* guarded by lock */
    int end;          /* 0, DMX_EOF or an error; guarded by lock */
    atomic_bool stop;
    struct sc_log *log;
};

static bool http_accepts(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

static int interrupted(void *opaque)
{
    struct http_source *h = opaque;
    return atomic_load(&h->stop);
}

static void *http_thread(void *arg)
{
    struct http_source *h = arg;
    uint8_t chunk[32768];
    for (;;) {
        int n = avio_read_partial(h->io, chunk, sizeof chunk);
        pthread_mutex_lock(&h->lock);
        if (n <= 0) {
            h->end = n == AVERROR_EOF || n == 0 ? DMX_EOF : DMX_ERR_IO;
            pthread_cond_broadcast(&h->cond);
            pthread_mutex_unlock(&h->lock);
            if (n < 0 && n != AVERROR_EOF && n != AVERROR_EXIT) {
                char msg[128];
                av_strerror(n, msg, sizeof msg);
                SC_WARN(h->log, "http: %s", msg);
            }
            return NULL;
        }
        /* wait for room; a reader that stopped reading is woken by stop */
        while (RING_SIZE - h->len < (size_t)n && !atomic_load(&h->stop))
            pthread_cond_wait(&h->cond, &h->lock);
        if (atomic_load(&h->stop)) {
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        for (int i = 0; i < n; i++)
            h->ring[(h->head + h->len + (size_t)i) % RING_SIZE] = chunk[i];
        h->len += (size_t)n;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
    }
}

static int http_open(void **priv, const char *url, const struct dmx_options *options,
                     struct sc_log *log)
{
    (void)options;
    struct http_source *h = calloc(1, sizeof *h);
    if (!h) return DMX_ERR_NOMEM;
    h->log = log;
    h->ring = malloc(RING_SIZE);
    atomic_init(&h->stop, false);
    if (!h->ring) {
        free(h);
        return DMX_ERR_NOMEM;
    }
    avformat_network_init();
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "rw_timeout", "10000000", 0);
    av_dict_set(&opts, "reconnect", "1", 0);
    av_dict_set(&opts, "reconnect_streamed", "1", 0);
    av_dict_set(&opts, "reconnect_delay_max", "4", 0);
    AVIOInterruptCB cb = {.callback = interrupted, .opaque = h};
    int r = avio_open2(&h->io, url, AVIO_FLAG_READ, &cb, &opts);
    av_dict_free(&opts);
    if (r < 0) {
        char msg[128];
        av_strerror(r, msg, sizeof msg);
        SC_DEBUG(log, "http: %s: %s", url, msg);
        avformat_network_deinit();
        free(h->ring);
        free(h);
        return DMX_ERR_OPEN;
    }
    h->live = avio_size(h->io) <= 0;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    if (pthread_create(&h->thread, NULL, http_thread, h) != 0) {
        avio_closep(&h->io);
        avformat_network_deinit();
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->cond);
        free(h->ring);
        free(h);
        return DMX_ERR_NOMEM;
    }
    *priv = h;
    return 0;
}

static int http_read(void *priv, uint8_t *buf, size_t size, int timeout_ms)
{
    struct http_source *h = priv;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&h->lock);
    while (h->len == 0 && h->end == 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&h->cond, &h->lock);
        else if (pthread_cond_timedwait(&h->cond, &h->lock, &deadline) != 0)
            break;
    }
    int r;
    if (h->len > 0) {
        size_t n = h->len < size ? h->len : size;
        for (size_t i = 0; i < n; i++)
            buf[i] = h->ring[(h->head + i) % RING_SIZE];
        h->head = (h->head + n) % RING_SIZE;
        h->len -= n;
        pthread_cond_broadcast(&h->cond);
        r = (int)n;
    } else {
        r = h->end;
    }
    pthread_mutex_unlock(&h->lock);
    return r;
}

static void http_close(void *priv)
{
    struct http_source *h = priv;
    if (!h) return;
    pthread_mutex_lock(&h->lock);
    atomic_store(&h->stop, true);
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    avio_closep(&h->io);
    avformat_network_deinit();
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
    free(h->ring);
    free(h);
}

static bool http_is_live(void *priv)
{
    return ((struct http_source *)priv)->live;
}

const struct dmx_source_driver dmx_source_http = {
    .name = "http",
    .accepts = http_accepts,
    .open = http_open,
    .read = http_read,
    .close = http_close,
    .is_live = http_is_live,
};
