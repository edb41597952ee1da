/* The video decoder's picture buffers. libavcodec's default allocator zeroes
 * every new buffer (one page fault per 4 KiB page, ~13000 faults for the
 * first dozen 1080p pictures); on a virtual machine a fault costs tens of
 * microseconds, so the start of playback went mostly into faulting memory
 * in. Here buffers are carved from large anonymous mappings advised as
 * transparent huge pages (one fault per 2 MiB where the kernel allows it).
 * Fresh anonymous memory is zero, as the default allocator's is; reused
 * buffers keep old content, as the default pool's do: the decoded pictures
 * are bit-identical. */
#include "player/internal.h"

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE   (2u << 20)
#define SLAB_MIN    (16u << 20)
#define PLANE_ALIGN 64                 /* the widest SIMD the decoders use (AVX-512) */
#define PLANE_SLACK (16 + PLANE_ALIGN) /* over-reads past a plane, as libavcodec allows */

/* The slabs one AVBufferPool's buffers are carved from; freed with the pool,
 * i.e. once the pool is released and its last buffer came back. Touched only
 * under the pool's own lock (its alloc and free callbacks). */
struct slab {
    struct slab *next;
    uint8_t *base;
    size_t size, used;
};

struct slabs {
    struct slab *head;
};

static void no_free(void *opaque, uint8_t *data)
{
    (void)opaque;
    (void)data; /* the memory belongs to the slab */
}

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

static AVBufferRef *slab_alloc(void *opaque, size_t size)
{
    struct slabs *slabs = opaque;
    size_t need = (size + PLANE_ALIGN - 1) & ~(size_t)(PLANE_ALIGN - 1);
    struct slab *s = slabs->head;
    if (!s || s->size - s->used < need) {
        /* room for several pictures per slab: the decoder keeps a dozen alive */
        s = slab_new(need * 4);
        if (!s) return NULL;
        s->next = slabs->head;
        slabs->head = s;
    }
    uint8_t *data = s->base + s->used;
    s->used += need;
    return av_buffer_create(data, size, no_free, NULL, 0);
}

static void slabs_free(void *opaque)
{
    struct slabs *slabs = opaque;
    for (struct slab *s = slabs->head, *next; s; s = next) {
        next = s->next;
        munmap(s->base, s->size);
        free(s);
    }
    free(slabs);
}

int player_frame_pool_init(struct player_frame_pool *fp)
{
    *fp = (struct player_frame_pool){.format = AV_PIX_FMT_NONE};
    return pthread_mutex_init(&fp->lock, NULL) == 0 ? 0 : AVERROR(ENOMEM);
}

void player_frame_pool_destroy(struct player_frame_pool *fp)
{
    /* pictures still out (in queues, on screen) keep the slabs until they return */
    av_buffer_pool_uninit(&fp->pool);
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
        av_buffer_pool_uninit(&fp->pool);
        struct slabs *slabs = calloc(1, sizeof(*slabs));
        fp->pool = slabs ? av_buffer_pool_init2(total, slabs, slab_alloc, slabs_free) : NULL;
        if (!fp->pool) free(slabs);
        fp->size = total;
        fp->format = frame->format;
    }
    AVBufferRef *buf = fp->pool ? av_buffer_pool_get(fp->pool) : NULL;
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
