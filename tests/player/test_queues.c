/* The player's packet queue (bounds by bytes and by duration, flush by serial,
 * abort) and frame ring, with real producer/consumer threads. */
#include "player/queue.h"
#include "tests/test.h"

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static AVPacket *make_packet(int size, int64_t duration)
{
    AVPacket *pkt = av_packet_alloc();
    ASSERT_NOT_NULL(pkt);
    ASSERT_EQ(av_new_packet(pkt, size), 0);
    memset(pkt->data, 0x47, size);
    pkt->duration = duration;
    return pkt;
}

static void put(struct player_pktq *q, int size, int64_t duration)
{
    AVPacket *pkt = make_packet(size, duration);
    ASSERT_EQ(player_pktq_put(q, pkt), 0);
    av_packet_free(&pkt);
}

struct producer {
    struct player_pktq *q;
    int size;
    int64_t duration;
    atomic_int done; /* 1 when put returned 0, -1 when it returned an error */
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    AVPacket *pkt = make_packet(p->size, p->duration);
    int ret = player_pktq_put(p->q, pkt);
    av_packet_free(&pkt);
    atomic_store(&p->done, ret == 0 ? 1 : -1);
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (bounded) for the producer to finish; returns its result or 0. */
static int wait_done(struct producer *p, int ms)
{
    for (int i = 0; i < ms && atomic_load(&p->done) == 0; i++)
        sleep_ms(1);
    return atomic_load(&p->done);
}

static void test_bound_by_bytes(void)
{
    struct player_pktq q;
    /* 3 packets of 1000 bytes exceed 2500 bytes; durations stay far from the bound */
    ASSERT_EQ(player_pktq_init(&q, 2500, 1000000000, (AVRational){1, 90000}), 0);
    put(&q, 1000, 1);
    put(&q, 1000, 1);
    put(&q, 1000, 1); /* accepted: the bound was not yet reached */
    int packets;
    int64_t bytes;
    player_pktq_level(&q, &packets, &bytes, NULL);
    ASSERT_EQ(packets, 3);
    ASSERT_GE(bytes, 3000);

    struct producer p = {.q = &q, .size = 1000, .duration = 1};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, produce, &p), 0);
    sleep_ms(100);
    ASSERT_EQ(atomic_load(&p.done), 0); /* full: the put waits */
    AVPacket *pkt = av_packet_alloc();
    int serial = -1;
    ASSERT_EQ(player_pktq_get(&q, pkt, &serial, true), 1);
    ASSERT_EQ(pkt->size, 1000);
    av_packet_unref(pkt);
    ASSERT_EQ(player_pktq_get(&q, pkt, &serial, true), 1);
    av_packet_unref(pkt);
    ASSERT_EQ(wait_done(&p, 5000), 1); /* room again: the put went through */
    pthread_join(t, NULL);
    player_pktq_level(&q, &packets, NULL, NULL);
    ASSERT_EQ(packets, 2);
    av_packet_free(&pkt);
    player_pktq_destroy(&q);
}

static void test_bound_by_duration(void)
{
    struct player_pktq q;
    /* 1/90000 time base: 3600 ticks = 40 ms; the bound is 100 ms, bytes unlimited */
    ASSERT_EQ(player_pktq_init(&q, INT64_MAX, 100000, (AVRational){1, 90000}), 0);
    put(&q, 10, 3600);
    put(&q, 10, 3600);
    int64_t duration_us;
    player_pktq_level(&q, NULL, NULL, &duration_us);
    ASSERT_EQ(duration_us, 80000);
    put(&q, 10, 3600); /* 80 ms < 100 ms: accepted, now 120 ms */
    player_pktq_level(&q, NULL, NULL, &duration_us);
    ASSERT_EQ(duration_us, 120000);

    struct producer p = {.q = &q, .size = 10, .duration = 3600};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, produce, &p), 0);
    sleep_ms(100);
    ASSERT_EQ(atomic_load(&p.done), 0); /* 120 ms >= 100 ms: the put waits */
    AVPacket *pkt = av_packet_alloc();
    ASSERT_EQ(player_pktq_get(&q, pkt, NULL, true), 1);
    av_packet_unref(pkt);
    ASSERT_EQ(wait_done(&p, 5000), 1);
    pthread_join(t, NULL);
    player_pktq_level(&q, NULL, NULL, &duration_us);
    ASSERT_EQ(duration_us, 120000);
    av_packet_free(&pkt);
    player_pktq_destroy(&q);
}

static void test_flush_by_serial(void)
{
    struct player_pktq q;
    ASSERT_EQ(player_pktq_init(&q, 1 << 20, 10000000, (AVRational){1, 90000}), 0);
    put(&q, 100, 1);
    put(&q, 101, 1);
    int first_serial = player_pktq_serial(&q);
    int serial = player_pktq_flush(&q);
    ASSERT_NE(serial, first_serial);
    int packets;
    int64_t bytes, duration;
    player_pktq_level(&q, &packets, &bytes, &duration);
    ASSERT_EQ(packets, 0);
    ASSERT_EQ(bytes, 0);
    ASSERT_EQ(duration, 0);
    put(&q, 102, 1);
    AVPacket *pkt = av_packet_alloc();
    int got_serial = -1;
    ASSERT_EQ(player_pktq_get(&q, pkt, &got_serial, false), 1);
    ASSERT_EQ(pkt->size, 102); /* the stale packets are gone */
    ASSERT_EQ(got_serial, serial);
    av_packet_unref(pkt);
    ASSERT_EQ(player_pktq_get(&q, pkt, &got_serial, false), 0); /* empty, no wait */

    /* a flush also releases a producer waiting on a full queue */
    struct player_pktq small;
    ASSERT_EQ(player_pktq_init(&small, 100, 10000000, (AVRational){1, 90000}), 0);
    put(&small, 200, 1);
    struct producer p = {.q = &small, .size = 50, .duration = 1};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, produce, &p), 0);
    sleep_ms(50);
    ASSERT_EQ(atomic_load(&p.done), 0);
    int new_serial = player_pktq_flush(&small);
    ASSERT_EQ(wait_done(&p, 5000), 1);
    pthread_join(t, NULL);
    ASSERT_EQ(player_pktq_get(&small, pkt, &got_serial, false), 1);
    ASSERT_EQ(pkt->size, 50);
    ASSERT_EQ(got_serial, new_serial);
    av_packet_free(&pkt);
    player_pktq_destroy(&small);
    player_pktq_destroy(&q);
}

struct consumer {
    struct player_pktq *q;
    atomic_int result; /* 0 running, else the get's return value */
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    AVPacket *pkt = av_packet_alloc();
    int ret = player_pktq_get(c->q, pkt, NULL, true);
    av_packet_free(&pkt);
    atomic_store(&c->result, ret == 0 ? 99 : ret);
    return NULL;
}

static void test_abort(void)
{
    struct player_pktq q;
    ASSERT_EQ(player_pktq_init(&q, 1000, 10000000, (AVRational){1, 90000}), 0);
    /* a consumer blocked on an empty queue */
    struct consumer c = {.q = &q};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, consume, &c), 0);
    sleep_ms(50);
    ASSERT_EQ(atomic_load(&c.result), 0);
    /* and a producer blocked on... the same queue once full */
    put(&q, 2000, 1);
    for (int i = 0; i < 5000 && atomic_load(&c.result) == 0; i++)
        sleep_ms(1);
    ASSERT_EQ(atomic_load(&c.result), 1); /* the consumer got it */
    pthread_join(t, NULL);
    put(&q, 2000, 1);
    struct producer p = {.q = &q, .size = 10, .duration = 1};
    ASSERT_EQ(pthread_create(&t, NULL, produce, &p), 0);
    sleep_ms(50);
    ASSERT_EQ(atomic_load(&p.done), 0);
    player_pktq_abort(&q);
    ASSERT_EQ(wait_done(&p, 5000), -1); /* the waiting put gives up */
    pthread_join(t, NULL);
    AVPacket *pkt = av_packet_alloc();
    ASSERT_EQ(player_pktq_get(&q, pkt, NULL, true), AVERROR_EXIT); /* no wait after abort */
    player_pktq_start(&q);
    ASSERT_EQ(player_pktq_get(&q, pkt, NULL, false), 1);
    av_packet_free(&pkt);
    player_pktq_destroy(&q);
}

struct frame_writer {
    struct player_frameq *q;
    int count;
    atomic_int written;
};

static void *write_frames(void *arg)
{
    struct frame_writer *w = arg;
    for (int i = 0; i < w->count; i++) {
        struct player_frame *f = player_frameq_peek_writable(w->q);
        if (!f) break;
        f->frame->width = i; /* a marker the reader checks */
        f->serial = i < w->count / 2 ? 1 : 2;
        f->pts = i;
        player_frameq_push(w->q);
        atomic_fetch_add(&w->written, 1);
    }
    return NULL;
}

static void test_frame_ring(void)
{
    struct player_frameq q;
    ASSERT_EQ(player_frameq_init(&q, 3), 0);
    struct frame_writer w = {.q = &q, .count = 10};
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, write_frames, &w), 0);
    for (int i = 0; i < 5000 && atomic_load(&w.written) < 3; i++)
        sleep_ms(1);
    sleep_ms(50);
    ASSERT_EQ(atomic_load(&w.written), 3); /* the ring holds 3: the writer waits */
    ASSERT_EQ(player_frameq_size(&q), 3);
    for (int expected = 0; expected < 10; expected++) {
        struct player_frame *f = NULL;
        for (int i = 0; i < 5000 && !(f = player_frameq_peek(&q)); i++)
            sleep_ms(1);
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(f->frame->width, expected); /* in order */
        player_frameq_next(&q);
    }
    pthread_join(t, NULL);
    ASSERT_EQ(player_frameq_size(&q), 0);
    ASSERT_TRUE(player_frameq_peek(&q) == NULL);

    /* stale frames (an older serial) are dropped at once */
    struct frame_writer w2 = {.q = &q, .count = 4}; /* serials 1,1,2,2; ring of 3 */
    ASSERT_EQ(pthread_create(&t, NULL, write_frames, &w2), 0);
    for (int i = 0; i < 5000 && atomic_load(&w2.written) < 3; i++)
        sleep_ms(1);
    player_frameq_drop_stale(&q, 2);
    for (int i = 0; i < 5000 && atomic_load(&w2.written) < 4; i++)
        sleep_ms(1);
    pthread_join(t, NULL);
    ASSERT_EQ(player_frameq_size(&q), 2);
    ASSERT_EQ(player_frameq_peek(&q)->serial, 2);
    ASSERT_EQ(player_frameq_peek_next(&q)->serial, 2);

    /* abort releases a writer waiting for a slot */
    player_frameq_next(&q);
    player_frameq_next(&q);
    struct frame_writer w3 = {.q = &q, .count = 5};
    ASSERT_EQ(pthread_create(&t, NULL, write_frames, &w3), 0);
    for (int i = 0; i < 5000 && atomic_load(&w3.written) < 3; i++)
        sleep_ms(1);
    player_frameq_abort(&q);
    pthread_join(t, NULL);
    ASSERT_EQ(atomic_load(&w3.written), 3);
    ASSERT_TRUE(player_frameq_peek_writable(&q) == NULL);
    player_frameq_destroy(&q);
}

int main(void)
{
    RUN_TEST(test_bound_by_bytes);
    RUN_TEST(test_bound_by_duration);
    RUN_TEST(test_flush_by_serial);
    RUN_TEST(test_abort);
    RUN_TEST(test_frame_ring);
    return 0;
}
