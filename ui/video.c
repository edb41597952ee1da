/* The video texture: uploads pictures as YUV/NV12 for the GPU to convert and
 * scale, or converts and scales them with libswscale straight into a
 * streaming texture in the window's format when the renderer is the CPU. */
#include "ui/internal.h"

#include <libavutil/opt.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>

void ui_video_texture_init(struct ui_video_texture *v, bool software)
{
    *v = (struct ui_video_texture){.software = software};
}

void ui_video_texture_free(struct ui_video_texture *v)
{
    if (v->texture) SDL_DestroyTexture(v->texture);
    sws_freeContext(v->sws);
    v->texture = NULL;
    v->sws = NULL;
}

void ui_video_texture_layout(struct ui *ui)
{
    struct ui_video_texture *v = &ui->video;
    int out_w = 0, out_h = 0;
    SDL_GetRendererOutputSize(ui->renderer, &out_w, &out_h);
    if (!v->has_picture || out_w <= 0 || out_h <= 0) {
        v->dst = (SDL_Rect){0, 0, out_w, out_h};
        return;
    }
    /* display aspect = width x sample aspect / height (anamorphic SD included) */
    double dar = (double)v->picture_w * v->sar_num / ((double)v->picture_h * v->sar_den);
    int w = out_w, h = (int)(out_w / dar + 0.5);
    if (h > out_h) {
        h = out_h;
        w = (int)(out_h * dar + 0.5);
    }
    w &= ~1;
    h &= ~1;
    v->dst = (SDL_Rect){(out_w - w) / 2, (out_h - h) / 2, w, h};
}

static enum AVPixelFormat av_format(enum player_pixfmt f)
{
    return f == PLAYER_PIXFMT_NV12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
}

/* The libswscale output format that matches an SDL texture format. */
static enum AVPixelFormat sdl_to_av(Uint32 format)
{
    switch (format) {
    case SDL_PIXELFORMAT_RGB888:
        return AV_PIX_FMT_BGR0; /* XRGB in a little-endian 32-bit word */
    case SDL_PIXELFORMAT_BGR888:
        return AV_PIX_FMT_RGB0;
    case SDL_PIXELFORMAT_ARGB8888:
        return AV_PIX_FMT_BGRA;
    case SDL_PIXELFORMAT_ABGR8888:
        return AV_PIX_FMT_RGBA;
    default:
        return AV_PIX_FMT_NONE;
    }
}

static int ensure_texture(struct ui *ui, Uint32 format, int w, int h)
{
    struct ui_video_texture *v = &ui->video;
    if (v->texture && v->texture_format == format && v->texture_w == w && v->texture_h == h)
        return 0;
    if (v->texture) SDL_DestroyTexture(v->texture);
    v->texture = SDL_CreateTexture(ui->renderer, format, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!v->texture) {
        SC_ERR(ui->log, "cannot create a %dx%d texture: %s", w, h, SDL_GetError());
        return -1;
    }
    v->texture_format = format;
    v->texture_w = w;
    v->texture_h = h;
    return 0;
}

static int upload_yuv(struct ui *ui, const struct player_picture *pic)
{
    struct ui_video_texture *v = &ui->video;
    enum player_pixfmt fmt = player_picture_format(pic);
    Uint32 format = fmt == PLAYER_PIXFMT_NV12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV;
    if (ensure_texture(ui, format, v->picture_w, v->picture_h) < 0) return -1;
    SDL_SetYUVConversionMode(player_picture_full_range(pic) ? SDL_YUV_CONVERSION_JPEG
                             : player_picture_colorspace(pic) == PLAYER_COLORSPACE_BT709
                                 ? SDL_YUV_CONVERSION_BT709
                                 : SDL_YUV_CONVERSION_BT601);
    int p0, p1, p2;
    const uint8_t *y = player_picture_plane(pic, 0, &p0);
    const uint8_t *u = player_picture_plane(pic, 1, &p1);
    if (fmt == PLAYER_PIXFMT_NV12) return SDL_UpdateNVTexture(v->texture, NULL, y, p0, u, p1);
    const uint8_t *vv = player_picture_plane(pic, 2, &p2);
    if (p0 < 0 || p1 < 0 || p2 < 0)
        return -1; /* bottom-up pictures are never produced by our decoders */
    return SDL_UpdateYUVTexture(v->texture, NULL, y, p0, u, p1, vv, p2);
}

static struct SwsContext *make_sws(struct ui *ui, const struct player_picture *pic,
                                   enum AVPixelFormat dst_format)
{
    struct ui_video_texture *v = &ui->video;
    enum AVPixelFormat src_format = av_format(player_picture_format(pic));
    int colorspace =
        player_picture_colorspace(pic) == PLAYER_COLORSPACE_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    bool full_range = player_picture_full_range(pic);
    if (v->sws && v->sws_src_w == v->picture_w && v->sws_src_h == v->picture_h &&
        v->sws_src_format == src_format && v->sws_dst_w == v->dst.w && v->sws_dst_h == v->dst.h &&
        v->sws_colorspace == colorspace && v->sws_full_range == full_range)
        return v->sws;
    sws_freeContext(v->sws);
    v->sws = sws_alloc_context();
    if (!v->sws) return NULL;
    /* bilinear: for a TV picture it is indistinguishable from bicubic at a third
     * of the cost; slice threads use the second core */
    av_opt_set_int(v->sws, "srcw", v->picture_w, 0);
    av_opt_set_int(v->sws, "srch", v->picture_h, 0);
    av_opt_set_int(v->sws, "src_format", src_format, 0);
    av_opt_set_int(v->sws, "dstw", v->dst.w, 0);
    av_opt_set_int(v->sws, "dsth", v->dst.h, 0);
    av_opt_set_int(v->sws, "dst_format", dst_format, 0);
    av_opt_set_int(v->sws, "sws_flags", SWS_BILINEAR, 0);
    av_opt_set_int(v->sws, "threads", 2, 0);
    if (sws_init_context(v->sws, NULL, NULL) < 0) {
        sws_freeContext(v->sws);
        v->sws = NULL;
        return NULL;
    }
    sws_setColorspaceDetails(v->sws, sws_getCoefficients(colorspace), full_range,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    v->sws_src_w = v->picture_w;
    v->sws_src_h = v->picture_h;
    v->sws_src_format = src_format;
    v->sws_dst_w = v->dst.w;
    v->sws_dst_h = v->dst.h;
    v->sws_colorspace = colorspace;
    v->sws_full_range = full_range;
    return v->sws;
}

static int convert_into_texture(struct ui *ui, const struct player_picture *pic)
{
    struct ui_video_texture *v = &ui->video;
    if (v->dst.w <= 0 || v->dst.h <= 0) return 0;
    Uint32 format = SDL_GetWindowPixelFormat(ui->window);
    if (sdl_to_av(format) == AV_PIX_FMT_NONE) format = SDL_PIXELFORMAT_ARGB8888;
    if (ensure_texture(ui, format, v->dst.w, v->dst.h) < 0) return -1;
    struct SwsContext *sws = make_sws(ui, pic, sdl_to_av(format));
    if (!sws) return -1;
    const uint8_t *src[4] = {NULL};
    int src_pitch[4] = {0};
    for (int i = 0; i < 3; i++)
        src[i] = player_picture_plane(pic, i, &src_pitch[i]);
    void *pixels;
    int pitch;
    if (SDL_LockTexture(v->texture, NULL, &pixels, &pitch) != 0) return -1;
    uint8_t *dst[4] = {pixels};
    int dst_pitch[4] = {pitch};
    sws_scale(sws, src, src_pitch, 0, v->picture_h, dst, dst_pitch);
    SDL_UnlockTexture(v->texture);
    return 0;
}

int ui_video_texture_update(struct ui *ui, const struct player_picture *pic)
{
    struct ui_video_texture *v = &ui->video;
    int sar_num, sar_den;
    player_picture_sample_aspect(pic, &sar_num, &sar_den);
    int w = player_picture_width(pic), h = player_picture_height(pic);
    if (!v->has_picture || w != v->picture_w || h != v->picture_h || sar_num != v->sar_num ||
        sar_den != v->sar_den) {
        v->picture_w = w;
        v->picture_h = h;
        v->sar_num = sar_num;
        v->sar_den = sar_den;
        v->has_picture = true;
        ui_video_texture_layout(ui);
    }
    if (player_picture_format(pic) == PLAYER_PIXFMT_OTHER)
        return -1; /* the player converts everything else before it gets here */
    return v->software ? convert_into_texture(ui, pic) : upload_yuv(ui, pic);
}

void ui_video_texture_draw(struct ui *ui)
{
    struct ui_video_texture *v = &ui->video;
    if (!v->texture || !v->has_picture) return;
    if (v->software && (v->texture_w != v->dst.w || v->texture_h != v->dst.h) && ui->picture &&
        convert_into_texture(ui, ui->picture) < 0)
        return; /* resized since the last conversion: convert the picture again */
    SDL_RenderCopy(ui->renderer, v->texture, NULL, &v->dst);
}
