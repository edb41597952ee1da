/* The video decoder's picture buffers (player/frame_pool.c): a picture's
 * planes are laid out and aligned as libavcodec's own allocator does; a
 * buffer comes back to the pool when its picture is dropped and is taken
 * again first; buffers left idle after a busy spell (more pictures in flight
 * than usual) give their memory back (mincore: not resident) while the ones
 * in use keep theirs, and work when taken again; a pool outlives the
 * decoder while pictures are still out; threads taking and dropping at
 * once (also under TSan). */
#include "player/internal.h"
#include "tests/test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BUSY 12 /* pictures in flight during the busy spell */

static AVCodecContext *h264_context(struct player_frame_pool *fp)
{
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    ASSERT_NOT_NULL(codec);
    AVCodecContext *avctx = avcodec_alloc_context3(codec);
    ASSERT_NOT_NULL(avctx);
    avctx->width = avctx->coded_width = 1920;
    avctx->height = avctx->coded_height = 1080;
    avctx->pix_fmt = AV_PIX_FMT_YUV420P;
    avctx->opaque = fp;
    return avctx;
}

static AVFrame *take(AVCodecContext *avctx)
{
    AVFrame *frame = av_frame_alloc();
    ASSERT_NOT_NULL(frame);
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = 1920;
    frame->height = 1080;
    ASSERT_EQ(player_frame_pool_get_buffer(avctx, frame, 0), 0);
    for (int i = 0; i < 3; i++) {
        ASSERT_NOT_NULL(frame->data[i]);
        ASSERT_EQ((uintptr_t)frame->data[i] % 64, 0);
        ASSERT_GE(frame->linesize[i], i ? 960 : 1920);
    }
    return frame;
}

/* Pages wholly inside [data, data + len). */
static size_t pages_in(const uint8_t *data, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)data + page - 1) & ~(page - 1);
    uintptr_t to = ((uintptr_t)data + len) & ~(page - 1);
    return (to - from) / page;
}

/* Of those, the pages resident. */
static size_t resident_pages(const uint8_t *data, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)data + page - 1) & ~(page - 1);
    uintptr_t to = ((uintptr_t)data + len) & ~(page - 1);
    size_t n = (to - from) / page, count = 0;
    unsigned char *vec = malloc(n);
    ASSERT_NOT_NULL(vec);
    ASSERT_EQ(mincore((void *)from, to - from, vec), 0);
    for (size_t i = 0; i < n; i++)
        count += vec[i] & 1;
    free(vec);
    return count;
}

static void fill(AVFrame *f, int value)
{
    memset(f->data[0], value, (size_t)f->linesize[0] * 1080);
    memset(f->data[1], value, (size_t)f->linesize[1] * 540);
    memset(f->data[2], value, (size_t)f->linesize[2] * 540);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_busy_spell_gives_memory_back(void)
{
    struct player_frame_pool fp;
    ASSERT_EQ(player_frame_pool_init(&fp), 0);
    fp.trim_idle_ns = 200 * 1000000LL;
    AVCodecContext *avctx = h264_context(&fp);
    /* a busy spell: BUSY pictures at once, each written as a decoder does */
    AVFrame *f[BUSY];
    uint8_t *luma[BUSY];
    for (int i = 0; i < BUSY; i++) {
        f[i] = take(avctx);
        fill(f[i], 0x40 + i);
        luma[i] = f[i]->data[0];
        for (int j = 0; j < i; j++)
            ASSERT_TRUE(luma[j] != luma[i]); /* each its own memory */
    }
    size_t plane = (size_t)f[0]->linesize[0] * 1080;
    ASSERT_GT(pages_in(luma[0], plane), 500);
    for (int i = 0; i < BUSY; i++)
        ASSERT_EQ(resident_pages(luma[i], plane), pages_in(luma[i], plane));
    /* back to normal: the pictures dropped, the newest first taken again */
    for (int i = 0; i < BUSY; i++)
        av_frame_free(&f[i]);
    AVFrame *a = take(avctx);
    ASSERT_TRUE(a->data[0] == luma[BUSY - 1]);
    ASSERT_EQ(a->data[0][0], 0x40 + BUSY - 1); /* reused as it was: not cleared */
    /* playing on with two pictures in turn while the rest lie idle */
    AVFrame *b = take(avctx);
    for (int turn = 0; turn < 6; turn++) {
        sleep_ms(60);
        av_frame_free(&a);
        a = take(avctx);
        fill(a, 0x10);
        AVFrame *t = a;
        a = b;
        b = t;
    }
    /* the idle ones gave their pages back; the two in use kept theirs */
    size_t idle_resident = 0;
    for (int i = 0; i < BUSY; i++)
        if (luma[i] != a->data[0] && luma[i] != b->data[0])
            idle_resident += resident_pages(luma[i], plane);
    ASSERT_EQ(idle_resident, 0);
    ASSERT_EQ(resident_pages(a->data[0], plane), pages_in(a->data[0], plane));
    ASSERT_EQ(resident_pages(b->data[0], plane), pages_in(b->data[0], plane));
    /* a busy spell again: the given back buffers work, read as zero first */
    AVFrame *c[BUSY - 2];
    for (int i = 0; i < BUSY - 2; i++) {
        c[i] = take(avctx);
        ASSERT_EQ(c[i]->data[0][plane / 2], 0);
        fill(c[i], 0x77);
        ASSERT_EQ(c[i]->data[2][0], 0x77);
    }
    /* the decoder goes while pictures are still out (on screen, queued):
     * they stay valid and the pool goes with the last of them (ASan) */
    player_frame_pool_destroy(&fp);
    avcodec_free_context(&avctx);
    ASSERT_EQ(b->data[0][0], 0x10);
    for (int i = 0; i < BUSY - 2; i++)
        av_frame_free(&c[i]);
    av_frame_free(&a);
    av_frame_free(&b);
}

struct worker {
    AVCodecContext *avctx;
    int turns;
};

static void *take_and_drop(void *arg)
{
    struct worker *w = arg;
    AVFrame *held[3] = {NULL};
    for (int i = 0; i < w->turns; i++) {
        av_frame_free(&held[i % 3]);
        held[i % 3] = take(w->avctx);
        held[i % 3]->data[0][0] = (uint8_t)i;
    }
    for (int i = 0; i < 3; i++)
        av_frame_free(&held[i]);
    return NULL;
}

static void test_threads(void)
{
    struct player_frame_pool fp;
    ASSERT_EQ(player_frame_pool_init(&fp), 0);
    fp.trim_idle_ns = 1000000; /* 1 ms: trims while the others take and drop */
    AVCodecContext *avctx = h264_context(&fp);
    struct worker w = {.avctx = avctx, .turns = 300};
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, take_and_drop, &w), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    player_frame_pool_destroy(&fp);
    avcodec_free_context(&avctx);
}

int main(void)
{
    RUN_TEST(test_busy_spell_gives_memory_back);
    RUN_TEST(test_threads);
    return 0;
}
