/* The bounded packet queue between the reader and one decoder. */
#include "player/queue.h"

#include <stdlib.h>

struct player_pktq_entry {
    AVPacket *pkt;
    int serial;
    int64_t duration_us;
    struct player_pktq_entry *next;
};

int player_pktq_init(struct player_pktq *q, int64_t max_bytes, int64_t max_duration_us,
                     AVRational time_base)
{
    *q = (struct player_pktq){
        .max_bytes = max_bytes, .max_duration_us = max_duration_us, .time_base = time_base};
    if (pthread_mutex_init(&q->lock, NULL) != 0) return AVERROR(ENOMEM);
    if (pthread_cond_init(&q->cond, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        return AVERROR(ENOMEM);
    }
    return 0;
}

static void drop_all_locked(struct player_pktq *q)
{
    struct player_pktq_entry *e = q->first;
    while (e) {
        struct player_pktq_entry *next = e->next;
        av_packet_free(&e->pkt);
        free(e);
        e = next;
    }
    q->first = q->last = NULL;
    q->packets = 0;
    q->bytes = 0;
    q->duration_us = 0;
}

void player_pktq_destroy(struct player_pktq *q)
{
    drop_all_locked(q);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}

static bool full_locked(const struct player_pktq *q)
{
    if (q->packets == 0) return false;
    return q->bytes >= q->max_bytes || q->duration_us >= q->max_duration_us;
}

int player_pktq_put(struct player_pktq *q, AVPacket *pkt)
{
    struct player_pktq_entry *e = malloc(sizeof(*e));
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

int player_pktq_get(struct player_pktq *q, AVPacket *pkt, int *serial, bool block)
{
    int ret;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->aborted) {
            ret = AVERROR_EXIT;
            break;
        }
        struct player_pktq_entry *e = q->first;
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

int player_pktq_flush(struct player_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    drop_all_locked(q);
    int serial = ++q->serial;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return serial;
}

void player_pktq_abort(struct player_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void player_pktq_start(struct player_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = false;
    pthread_mutex_unlock(&q->lock);
}

int player_pktq_serial(struct player_pktq *q)
{
    pthread_mutex_lock(&q->lock);
    int serial = q->serial;
    pthread_mutex_unlock(&q->lock);
    return serial;
}

void player_pktq_level(struct player_pktq *q, int *packets, int64_t *bytes, int64_t *duration_us)
{
    pthread_mutex_lock(&q->lock);
    if (packets) *packets = q->packets;
    if (bytes) *bytes = q->bytes;
    if (duration_us) *duration_us = q->duration_us;
    pthread_mutex_unlock(&q->lock);
}
