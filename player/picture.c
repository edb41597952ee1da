/* Picture accessors: how the presenter reads a decoded frame without libav types. */
#include "player/internal.h"

#include <libavutil/imgutils.h>
#include <libavutil/md5.h>
#include <math.h>

void player_picture_free(struct player_picture *picture)
{
    if (!picture) return;
    av_frame_free(&picture->frame);
    av_free(picture);
}

struct player_picture *player_picture_ref(const struct player_picture *picture)
{
    struct player_picture *copy = av_mallocz(sizeof(*copy));
    if (!copy) return NULL;
    *copy = *picture;
    copy->frame = av_frame_clone(picture->frame);
    if (!copy->frame) {
        av_free(copy);
        return NULL;
    }
    return copy;
}

int player_picture_width(const struct player_picture *picture)
{
    return picture->frame->width;
}

int player_picture_height(const struct player_picture *picture)
{
    return picture->frame->height;
}

enum player_pixfmt player_picture_format(const struct player_picture *picture)
{
    switch (picture->frame->format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
        return PLAYER_PIXFMT_YUV420P;
    case AV_PIX_FMT_NV12:
        return PLAYER_PIXFMT_NV12;
    default:
        return PLAYER_PIXFMT_OTHER;
    }
}

enum player_colorspace player_picture_colorspace(const struct player_picture *picture)
{
    const AVFrame *f = picture->frame;
    if (f->colorspace == AVCOL_SPC_BT709) return PLAYER_COLORSPACE_BT709;
    if (f->colorspace == AVCOL_SPC_UNSPECIFIED && f->height > 576)
        return PLAYER_COLORSPACE_BT709; /* HD without signalling: assume BT.709 */
    return PLAYER_COLORSPACE_BT601;
}

bool player_picture_full_range(const struct player_picture *picture)
{
    return picture->frame->color_range == AVCOL_RANGE_JPEG ||
           picture->frame->format == AV_PIX_FMT_YUVJ420P;
}

void player_picture_sample_aspect(const struct player_picture *picture, int *num, int *den)
{
    AVRational sar = picture->frame->sample_aspect_ratio;
    if (sar.num <= 0 || sar.den <= 0) sar = (AVRational){1, 1};
    *num = sar.num;
    *den = sar.den;
}

const uint8_t *player_picture_plane(const struct player_picture *picture, int i, int *pitch)
{
    if (i < 0 || i >= AV_NUM_DATA_POINTERS || !picture->frame->data[i]) {
        *pitch = 0;
        return NULL;
    }
    *pitch = picture->frame->linesize[i];
    return picture->frame->data[i];
}

double player_picture_pts(const struct player_picture *picture)
{
    return picture->pts;
}

int64_t player_picture_pts_raw(const struct player_picture *picture)
{
    return picture->frame->best_effort_timestamp;
}

int player_picture_md5(const struct player_picture *picture, char hex[33], int *packed_size)
{
    const AVFrame *f = picture->frame;
    int size = av_image_get_buffer_size(f->format, f->width, f->height, 1);
    if (size < 0) return size;
    uint8_t *packed = av_malloc(size);
    if (!packed) return AVERROR(ENOMEM);
    /* the layout ffmpeg's rawvideo encoder produces, which framemd5 hashes */
    int ret = av_image_copy_to_buffer(packed, size, (const uint8_t *const *)f->data, f->linesize,
                                      f->format, f->width, f->height, 1);
    if (ret >= 0) {
        uint8_t digest[16];
        av_md5_sum(digest, packed, size);
        for (int i = 0; i < 16; i++)
            snprintf(hex + 2 * i, 3, "%02x", digest[i]);
        if (packed_size) *packed_size = size;
        ret = 0;
    }
    av_free(packed);
    return ret;
}
