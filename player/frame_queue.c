/* The small frame ring between a decoder thread and the presenter/audio callback. */
#include "player/queue.h"

int player_frameq_init(struct player_frameq *q, int capacity)
{
    *q = (struct player_frameq){.capacity =
                                    capacity < PLAYER_FRAMEQ_MAX ? capacity : PLAYER_FRAMEQ_MAX};
    for (int i = 0; i < q->capacity; i++) {
        q->slots[i].frame = av_frame_alloc();
        if (!q->slots[i].frame) goto fail;
    }
    if (pthread_mutex_init(&q->lock, NULL) != 0) goto fail;
    if (pthread_cond_init(&q->cond, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        goto fail;
    }
    return 0;
fail:
    for (int i = 0; i < q->capacity; i++)
        av_frame_free(&q->slots[i].frame);
    q->capacity = 0;
    return AVERROR(ENOMEM);
}

void player_frameq_destroy(struct player_frameq *q)
{
    for (int i = 0; i < q->capacity; i++)
        av_frame_free(&q->slots[i].frame);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}

struct player_frame *player_frameq_peek_writable(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->size >= q->capacity && !q->aborted)
        pthread_cond_wait(&q->cond, &q->lock);
    bool aborted = q->aborted;
    pthread_mutex_unlock(&q->lock);
    /* the writer owns slot write_index until it pushes: the reader never touches it */
    return aborted ? NULL : &q->slots[q->write_index];
}

void player_frameq_push(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    q->write_index = (q->write_index + 1) % q->capacity;
    q->size++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

struct player_frame *player_frameq_peek(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    struct player_frame *f = q->size > 0 ? &q->slots[q->read_index] : NULL;
    pthread_mutex_unlock(&q->lock);
    return f;
}

struct player_frame *player_frameq_peek_next(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    struct player_frame *f = q->size > 1 ? &q->slots[(q->read_index + 1) % q->capacity] : NULL;
    pthread_mutex_unlock(&q->lock);
    return f;
}

void player_frameq_next(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->size > 0) {
        av_frame_unref(q->slots[q->read_index].frame);
        q->read_index = (q->read_index + 1) % q->capacity;
        q->size--;
        pthread_cond_broadcast(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
}

int player_frameq_size(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    int size = q->size;
    pthread_mutex_unlock(&q->lock);
    return size;
}

void player_frameq_drop_stale(struct player_frameq *q, int serial)
{
    pthread_mutex_lock(&q->lock);
    while (q->size > 0 && q->slots[q->read_index].serial != serial) {
        av_frame_unref(q->slots[q->read_index].frame);
        q->read_index = (q->read_index + 1) % q->capacity;
        q->size--;
    }
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void player_frameq_abort(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void player_frameq_start(struct player_frameq *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = false;
    pthread_mutex_unlock(&q->lock);
}
