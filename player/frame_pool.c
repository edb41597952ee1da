/* The video decoder's picture buffers. libavcodec's default allocator zeroes
 * every new buffer (one page fault per 4 KiB page, ~13000 faults for the
 * first dozen 1080p pictures); on a virtual machine a fault costs tens of
 * microseconds, so the start of playback went mostly into faulting memory
 * in. Here buffers are carved from large anonymous mappings advised as
 * transparent huge pages (one fault per 2 MiB where the kernel allows it).
 * Fresh anonymous memory is zero, as the default allocator's is; reused
 * buffers keep old content, as the default pool's do: the decoded pictures
 * are bit-identical. Buffers idle for a while give their pages back, so that
 * a busy spell that needed more pictures in flight does not keep its memory
 * for the rest of a two-hour course. */
#include "player/internal.h"

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE   (2u << 20)
#define SLAB_MIN    (16u << 20)
#define PLANE_ALIGN 64                 /* the widest SIMD the decoders use (AVX-512) */
#define PLANE_SLACK (16 + PLANE_ALIGN) /* over-reads past a plane, as libavcodec allows */

/* The slabs a pool's buffers are carved from; freed with the pool, i.e.
 * once the pool is retired and its last buffer came back. */
struct slab {
    struct slab *next;
    uint8_t *base;
    size_t size, used;
};

static struct slab *slab_new(size_t at_least)
{
    size_t size =
        at_least < SLAB_MIN ? SLAB_MIN : (at_least + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    struct slab *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    /* over-map by one huge page so that the slab can start on a boundary */
    uint8_t *map =
        mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        free(s);
        return NULL;
    }
    uint8_t *base = (uint8_t *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (base > map) munmap(map, (size_t)(base - map));
    munmap(base + size, (size_t)(map + HUGE_PAGE - base));
#ifdef MADV_HUGEPAGE
    madvise(base, size, MADV_HUGEPAGE); /* advice only: without THP it is 4 KiB pages */
#endif
    s->base = base;
    s->size = size;
    return s;
}

/* One picture buffer of a pool; on the pool's free list while not in use. */
struct pool_buffer {
    struct pool_buffer *next;
    struct picture_pool *pool;
    uint8_t *data;
    int64_t returned_ns; /* sc_mono_ns when it came back */
    bool resident;       /* its pages hold memory (not given back) */
};

/* Buffers of one size. Returned buffers are taken again last in, first
 * out, so the decoder's working set stays on a few warm buffers; the ones a
 * busy spell needed on top (a loaded machine keeps more pictures in flight)
 * lie idle and give their memory back after trim_idle_ns. Any thread: the
 * decoder's threads take, whoever drops a picture's last reference returns. */
struct picture_pool {
    pthread_mutex_t lock;
    size_t size;
    int64_t trim_idle_ns;
    struct slab *slabs;
    struct pool_buffer *free; /* most recently returned first */
    int out;                  /* buffers in use */
    bool retired;             /* no more takes: freed when the last comes back */
};

static void pool_free(struct picture_pool *pool)
{
    for (struct pool_buffer *b = pool->free, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    for (struct slab *s = pool->slabs, *next; s; s = next) {
        next = s->next;
        munmap(s->base, s->size);
        free(s);
    }
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

/* Caller holds the lock: gives back the pages of buffers idle long enough
 * (whole pages inside the buffer: its neighbours' pages stay). A given back
 * buffer reads as zero when it is taken again, as fresh memory does. */
static void trim_idle(struct picture_pool *pool, int64_t now)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (struct pool_buffer *b = pool->free; b; b = b->next) {
        if (!b->resident || now - b->returned_ns < pool->trim_idle_ns) continue;
        uintptr_t from = ((uintptr_t)b->data + page - 1) & ~(page - 1);
        uintptr_t to = ((uintptr_t)b->data + pool->size) & ~(page - 1);
        if (to > from) madvise((void *)from, to - from, MADV_DONTNEED);
        b->resident = false;
    }
}

static void buffer_returned(void *opaque, uint8_t *data)
{
    (void)data;
    struct pool_buffer *b = opaque;
    struct picture_pool *pool = b->pool;
    pthread_mutex_lock(&pool->lock);
    b->returned_ns = sc_mono_ns();
    b->next = pool->free;
    pool->free = b;
    bool gone = --pool->out == 0 && pool->retired;
    pthread_mutex_unlock(&pool->lock);
    if (gone) pool_free(pool);
}

/* Caller holds the lock: a buffer never used before, carved from a slab. */
static struct pool_buffer *carve(struct picture_pool *pool)
{
    size_t need = (pool->size + PLANE_ALIGN - 1) & ~(size_t)(PLANE_ALIGN - 1);
    struct slab *s = pool->slabs;
    if (!s || s->size - s->used < need) {
        /* room for several pictures per slab: the decoder keeps a dozen alive */
        s = slab_new(need * 4);
        if (!s) return NULL;
        s->next = pool->slabs;
        pool->slabs = s;
    }
    struct pool_buffer *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->pool = pool;
    b->data = s->base + s->used;
    s->used += need;
    return b;
}

static AVBufferRef *pool_take(struct picture_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    trim_idle(pool, sc_mono_ns());
    struct pool_buffer *b = pool->free;
    if (b)
        pool->free = b->next;
    else
        b = carve(pool);
    AVBufferRef *ref = b ? av_buffer_create(b->data, pool->size, buffer_returned, b, 0) : NULL;
    if (ref) {
        b->resident = true;
        pool->out++;
    } else if (b) { /* back where it was */
        b->next = pool->free;
        pool->free = b;
    }
    pthread_mutex_unlock(&pool->lock);
    return ref;
}

static struct picture_pool *pool_new(size_t size, int64_t trim_idle_ns)
{
    struct picture_pool *pool = calloc(1, sizeof(*pool));
    if (!pool) return NULL;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool);
        return NULL;
    }
    pool->size = size;
    pool->trim_idle_ns = trim_idle_ns;
    return pool;
}

/* No more takes; freed now, or when its last buffer comes back. */
static void pool_retire(struct picture_pool *pool)
{
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    pool->retired = true;
    bool gone = pool->out == 0;
    pthread_mutex_unlock(&pool->lock);
    if (gone) pool_free(pool);
}

int player_frame_pool_init(struct player_frame_pool *fp)
{
    *fp = (struct player_frame_pool){.format = AV_PIX_FMT_NONE,
                                     .trim_idle_ns = PLAYER_FRAME_POOL_TRIM_IDLE_NS};
    return pthread_mutex_init(&fp->lock, NULL) == 0 ? 0 : AVERROR(ENOMEM);
}

void player_frame_pool_destroy(struct player_frame_pool *fp)
{
    /* pictures still out (in queues, on screen) keep the slabs until they return */
    pool_retire(fp->pool);
    fp->pool = NULL;
    pthread_mutex_destroy(&fp->lock);
}

/* Plane layout for this format and coded size, as libavcodec's default
 * allocator computes it (linesizes widened until every plane is aligned). */
static int layout(AVCodecContext *avctx, const AVFrame *frame, int linesize[4], size_t offset[4],
                  size_t *total)
{
    int w = frame->width, h = frame->height;
    int align[AV_NUM_DATA_POINTERS];
    avcodec_align_dimensions2(avctx, &w, &h, align);
    int unaligned;
    do {
        int ret = av_image_fill_linesizes(linesize, frame->format, w);
        if (ret < 0) return ret;
        w += w & ~(w - 1);
        unaligned = 0;
        for (int i = 0; i < 4; i++)
            unaligned |= linesize[i] % (align[i] > PLANE_ALIGN ? align[i] : PLANE_ALIGN);
    } while (unaligned);
    ptrdiff_t linesizes[4];
    for (int i = 0; i < 4; i++)
        linesizes[i] = linesize[i];
    size_t sizes[4];
    int ret = av_image_fill_plane_sizes(sizes, frame->format, h, linesizes);
    if (ret < 0) return ret;
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        offset[i] = at;
        if (sizes[i]) at += (sizes[i] + PLANE_SLACK + PLANE_ALIGN - 1) & ~(size_t)(PLANE_ALIGN - 1);
    }
    *total = at;
    return 0;
}

int player_frame_pool_get_buffer(AVCodecContext *avctx, AVFrame *frame, int flags)
{
    struct player_frame_pool *fp = avctx->opaque;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(frame->format);
    if (!fp || !desc || !(avctx->codec->capabilities & AV_CODEC_CAP_DR1) ||
        (desc->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_PAL)))
        return avcodec_default_get_buffer2(avctx, frame, flags);
    int linesize[4];
    size_t offset[4], total;
    if (layout(avctx, frame, linesize, offset, &total) < 0)
        return avcodec_default_get_buffer2(avctx, frame, flags);
    pthread_mutex_lock(&fp->lock);
    if (!fp->pool || fp->size != total || fp->format != frame->format) {
        /* a new size or format: a new pool; the old one goes when its buffers do */
        pool_retire(fp->pool);
        fp->pool = pool_new(total, fp->trim_idle_ns);
        fp->size = total;
        fp->format = frame->format;
    }
    AVBufferRef *buf = fp->pool ? pool_take(fp->pool) : NULL;
    pthread_mutex_unlock(&fp->lock);
    if (!buf) return AVERROR(ENOMEM);
    frame->buf[0] = buf;
    for (int i = 0; i < 4; i++) {
        frame->linesize[i] = linesize[i];
        frame->data[i] = linesize[i] ? buf->data + offset[i] : NULL;
    }
    frame->extended_data = frame->data;
    return 0;
}
