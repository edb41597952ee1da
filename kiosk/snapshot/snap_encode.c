/* The worker's picture work: scale the presented picture to 320 pixels wide
 * (swscale), measure its luma, compare it with the previous snapshot, encode
 * it as JPEG (libavcodec's mjpeg); and the way back, JPEG to ARGB pixels. */
#include "kiosk/snapshot/snap_internal.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JPEG_QUALITY 4 /* mjpeg's qscale: small files, faces and text still legible */

void snap_luma_free(struct snap_luma *luma)
{
    free(luma->pixels);
    *luma = (struct snap_luma){0};
}

/* The snapshot's height for SNAP_WIDTH, so that it shows the display aspect
 * (a 720x576 16:9 picture becomes 320x180); even, for 4:2:0. */
static int scaled_height(const struct player_picture *picture)
{
    int num, den;
    player_picture_sample_aspect(picture, &num, &den);
    double display_w = (double)player_picture_width(picture) * num / den;
    long h = lround(SNAP_WIDTH * (double)player_picture_height(picture) / display_w);
    h &= ~1L;
    return h < 2 ? 2 : h > 4 * SNAP_WIDTH ? 4 * SNAP_WIDTH : (int)h;
}

/* Scales into a full-range 4:2:0 frame (what JPEG carries). */
static int scale(const struct player_picture *picture, AVFrame *dst)
{
    enum player_pixfmt fmt = player_picture_format(picture);
    if (fmt == PLAYER_PIXFMT_OTHER) return -EINVAL;
    enum AVPixelFormat src_fmt = fmt == PLAYER_PIXFMT_NV12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
    int w = player_picture_width(picture), h = player_picture_height(picture);
    dst->width = SNAP_WIDTH;
    dst->height = scaled_height(picture);
    dst->format = AV_PIX_FMT_YUV420P;
    int rc = av_frame_get_buffer(dst, 0);
    if (rc < 0) return rc;
    struct SwsContext *sws = sws_getContext(w, h, src_fmt, dst->width, dst->height,
                                            AV_PIX_FMT_YUV420P, SWS_AREA, NULL, NULL, NULL);
    if (!sws) return -ENOMEM;
    int src_cs = player_picture_colorspace(picture) == PLAYER_COLORSPACE_BT709 ? SWS_CS_ITU709
                                                                               : SWS_CS_ITU601;
    sws_setColorspaceDetails(sws, sws_getCoefficients(src_cs), player_picture_full_range(picture),
                             sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
    const uint8_t *src[4] = {0};
    int pitch[4] = {0};
    for (int i = 0; i < 3; i++)
        src[i] = player_picture_plane(picture, i, &pitch[i]);
    rc = sws_scale(sws, src, pitch, 0, h, dst->data, dst->linesize);
    sws_freeContext(sws);
    return rc == dst->height ? 0 : rc < 0 ? rc : -EINVAL;
}

/* Mean luma, and the mean absolute difference against *previous (then
 * replaced by this picture's luma). */
static int analyse(const AVFrame *f, struct snap_luma *previous, struct snap_result *result)
{
    size_t n = (size_t)f->width * f->height;
    uint8_t *luma = malloc(n);
    if (!luma) return -ENOMEM;
    uint64_t sum = 0;
    for (int y = 0; y < f->height; y++) {
        const uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];
        memcpy(luma + (size_t)y * f->width, row, (size_t)f->width);
        for (int x = 0; x < f->width; x++)
            sum += row[x];
    }
    result->mean_luma = (double)sum / (double)n;
    result->black = result->mean_luma < SNAP_BLACK_LUMA;
    result->diff_previous = -1;
    if (previous->pixels && previous->width == f->width && previous->height == f->height) {
        uint64_t diff = 0;
        for (size_t i = 0; i < n; i++)
            diff += (uint64_t)abs((int)luma[i] - (int)previous->pixels[i]);
        result->diff_previous = (double)diff / (double)n;
    }
    result->frozen = result->diff_previous >= 0 && result->diff_previous <= SNAP_FROZEN_DIFF;
    snap_luma_free(previous);
    *previous = (struct snap_luma){.pixels = luma, .width = f->width, .height = f->height};
    return 0;
}

static int encode(AVFrame *f, struct snap_result *result)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec) return -ENOSYS;
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    int rc = c && pkt ? 0 : -ENOMEM;
    if (rc == 0) {
        c->width = f->width;
        c->height = f->height;
        c->pix_fmt = AV_PIX_FMT_YUVJ420P; /* full range, as scaled */
        c->time_base = (AVRational){1, 25};
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * JPEG_QUALITY;
        c->thread_count = 1;
        rc = avcodec_open2(c, codec, NULL);
    }
    if (rc == 0) {
        f->format = AV_PIX_FMT_YUVJ420P;
        f->quality = c->global_quality;
        f->pts = 0;
        rc = avcodec_send_frame(c, f);
    }
    if (rc == 0) rc = avcodec_receive_packet(c, pkt);
    if (rc == 0) {
        result->jpeg = malloc((size_t)pkt->size);
        if (result->jpeg) {
            memcpy(result->jpeg, pkt->data, (size_t)pkt->size);
            result->size = (size_t)pkt->size;
            result->width = f->width;
            result->height = f->height;
        } else {
            rc = -ENOMEM;
        }
    }
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    return rc;
}

int snap_make(const struct player_picture *picture, struct snap_luma *previous,
              struct snap_result *result)
{
    AVFrame *f = av_frame_alloc();
    if (!f) return -ENOMEM;
    int rc = scale(picture, f);
    if (rc == 0) rc = analyse(f, previous, result);
    if (rc == 0) rc = encode(f, result);
    av_frame_free(&f);
    return rc;
}

/* The decoded JPEG as ARGB, scaled to fit max_width. */
static int to_argb(const AVFrame *f, int max_width, uint8_t **pixels, int *width, int *height,
                   int *stride)
{
    int w = f->width, h = f->height;
    if (max_width > 0 && w > max_width) {
        h = (int)((int64_t)h * max_width / w);
        w = max_width;
    }
    if (w < 1 || h < 1) return -EINVAL;
    /* the decoder says yuvj420p; swscale wants the plain format and the range */
    enum AVPixelFormat src = f->format == AV_PIX_FMT_YUVJ420P   ? AV_PIX_FMT_YUV420P
                             : f->format == AV_PIX_FMT_YUVJ422P ? AV_PIX_FMT_YUV422P
                             : f->format == AV_PIX_FMT_YUVJ444P ? AV_PIX_FMT_YUV444P
                                                                : (enum AVPixelFormat)f->format;
    struct SwsContext *sws = sws_getContext(f->width, f->height, src, w, h, AV_PIX_FMT_RGB32,
                                            SWS_AREA, NULL, NULL, NULL);
    if (!sws) return -EINVAL;
    sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_ITU601), 1,
                             sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
    int rc = 0;
    *stride = w * 4;
    *pixels = malloc((size_t)*stride * h);
    if (!*pixels) rc = -ENOMEM;
    if (rc == 0) {
        uint8_t *dst[4] = {*pixels};
        int pitch[4] = {*stride};
        if (sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                      pitch) != h) {
            free(*pixels);
            *pixels = NULL;
            rc = -EINVAL;
        }
    }
    sws_freeContext(sws);
    *width = w;
    *height = h;
    return rc;
}

int snap_decode_argb(const void *jpeg, size_t size, int max_width, uint8_t **pixels, int *width,
                     int *height, int *stride)
{
    *pixels = NULL;
    if (!jpeg || size == 0 || size > INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE) return -EINVAL;
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    if (!codec) return -ENOSYS;
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    int rc = c && pkt && f ? av_new_packet(pkt, (int)size) : -ENOMEM;
    if (rc == 0) {
        memcpy(pkt->data, jpeg, size);
        c->thread_count = 1;
        rc = avcodec_open2(c, codec, NULL);
    }
    if (rc == 0) rc = avcodec_send_packet(c, pkt);
    if (rc == 0) rc = avcodec_send_packet(c, NULL); /* one picture: drain it */
    if (rc == 0) rc = avcodec_receive_frame(c, f);
    if (rc == 0)
        rc = to_argb(f, max_width, pixels, width, height, stride);
    else if (rc != AVERROR(ENOMEM))
        rc = -EINVAL;
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    return rc;
}
