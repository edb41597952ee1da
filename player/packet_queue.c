/* The bounded packet queue between the reader and one decoder. */
#include "player/queue.h"

#include <stdlib.h>

struct sc_pktq_entry {
    AVPacket *pkt;
    int serial;
    int64_t duration_us;
    struct sc_pktq_entry *next;
};

int sc_pktq_init(struct sc_pktq *q, int64_t max_bytes, int64_t max_duration_us,
                 AVRational time_base)
{
    *q = (struct sc_pktq){
        .max_bytes = max_bytes, .max_duration_us = max_duration_us, .time_base = time_base};
    if (pthread_mutex_init(&q->lock, NULL) != 0) return AVERROR(ENOMEM);
    if (pthread_cond_init(&q->cond, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        return AVERROR(ENOMEM);
    }
    return 0;
}

static void drop_all_locked(struct sc_pktq *q)
{
    struct sc_pktq_entry *e = q->first;
    while (e) {
        struct sc_pktq_entry *next = e->next;
        av_packet_free(&e->pkt);
        free(e);
        e = next;
    }
    q->first = q->last = NULL;
    q->packets = 0;
    q->bytes = 0;
    q->duration_us = 0;
}

void sc_pktq_destroy(struct sc_pktq *q)
{
    drop_all_locked(q);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}

static bool full_locked(const struct sc_pktq *q)
{
    if (q->packets == 0) return false;
    return q->bytes >= q->max_bytes || q->duration_us >= q->max_duration_us;
}

int sc_pktq_put(struct sc_pktq *q, AVPacket *pkt)
{
    struct sc_pktq_entry *e = malloc(sizeof(*e));
    AVPacket *copy = av_packet_alloc();
    if (!e || !copy) {
        free(e);
        av_packet_free(&copy);
        av_packet_unref(pkt);
        return AVERROR(ENOMEM);
    }
    av_packet_move_ref(copy, pkt);
    e->pkt = copy;
    e->next = NULL;
    e->duration_us = copy->duration > 0
                         ? av_rescale_q(copy->duration, q->time_base, (AVRational){1, 1000000})
                         : 0;

    pthread_mutex_lock(&q->lock);
    while (!q->aborted && full_locked(q))
        pthread_cond_wait(&q->cond, &q->lock);
    if (q->aborted) {
        pthread_mutex_unlock(&q->lock);
        av_packet_free(&e->pkt);
        free(e);
        return AVERROR_EXIT;
    }
    e->serial = q->serial;
    if (q->last)
        q->last->next = e;
    else
        q->first = e;
    q->last = e;
    q->packets++;
    q->bytes += copy->size + (int64_t)sizeof(*e);
    q->duration_us += e->duration_us;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int sc_pktq_get(struct sc_pktq *q, AVPacket *pkt, int *serial, bool block)
{
    int ret;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->aborted) {
            ret = AVERROR_EXIT;
            break;
        }
        struct sc_pktq_entry *e = q->first;
        if (e) {
            q->first = e->next;
            if (!q->first) q->last = NULL;
            q->packets--;
            q->bytes -= e->pkt->size + (int64_t)sizeof(*e);
            q->duration_us -= e->duration_us;
            av_packet_move_ref(pkt, e->pkt);
            if (serial) *serial = e->serial;
            av_packet_free(&e->pkt);
            free(e);
            pthread_cond_broadcast(&q->cond);
            ret = 1;
            break;
        }
        if (!block) {
            ret = 0;
            break;
        }
        pthread_cond_wait(&q->cond, &q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return ret;
}

int sc_pktq_flush(struct sc_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    drop_all_locked(q);
    int serial = ++q->serial;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return serial;
}

void sc_pktq_abort(struct sc_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void sc_pktq_start(struct sc_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = false;
    pthread_mutex_unlock(&q->lock);
}

int sc_pktq_serial(struct sc_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    int serial = q->serial;
    pthread_mutex_unlock(&q->lock);
    return serial;
}

void sc_pktq_level(struct sc_pktq *q, int *packets, int64_t *bytes, int64_t *duration_us)
{
    pthread_mutex_lock(&q->lock);
    if (packets) *packets = q->packets;
    if (bytes) *bytes = q->bytes;
    if (duration_us) *duration_us = q->duration_us;
    pthread_mutex_unlock(&q->lock);
}
