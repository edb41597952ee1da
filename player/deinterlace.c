/* Deinterlacing (bwdif) and format conversion with libavfilter. Only frames
 * that need it go through the graph; progressive presentable frames bypass it.
 *
 * libavfilter is loaded with dlopen() when a stream first needs it: linked
 * normally it and the ~30 libraries it alone depends on were loaded at every
 * start (~1000 page faults, a third of the dynamic loader's work), which a
 * progressive HD course never uses. */
#include "player/internal.h"

#include <dlfcn.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/version_major.h>
#include <libavutil/avstring.h>
#include <libavutil/pixdesc.h>
#include <string.h>

#define AVFILTER_SONAME "libavfilter.so." AV_STRINGIFY(LIBAVFILTER_VERSION_MAJOR)

/* Resolves one function; `sizeof` checks the prototype against the header's
 * without referencing the symbol. */
#define RESOLVE(api, field, symbol)                                                                \
    do {                                                                                           \
        (void)sizeof((api)->field = symbol);                                                       \
        void *sym_ = dlsym((api)->handle, #symbol);                                                \
        if (!sym_) goto fail;                                                                      \
        memcpy(&(api)->field, &sym_, sizeof(sym_));                                                \
    } while (0)

int player_avfilter_load(struct player_avfilter_api *api, struct sc_log *log)
{
    if (api->handle) return 0;
    if (api->failed) return AVERROR(ENOSYS);
    /* never closed: frames the graphs made may outlive the graphs */
    api->handle = dlopen(AVFILTER_SONAME, RTLD_LAZY | RTLD_LOCAL); /* lazy: as linked at start */
    if (!api->handle) goto fail;
    RESOLVE(api, graph_alloc, avfilter_graph_alloc);
    RESOLVE(api, graph_free, avfilter_graph_free);
    RESOLVE(api, graph_create_filter, avfilter_graph_create_filter);
    RESOLVE(api, get_by_name, avfilter_get_by_name);
    RESOLVE(api, inout_alloc, avfilter_inout_alloc);
    RESOLVE(api, inout_free, avfilter_inout_free);
    RESOLVE(api, graph_parse_ptr, avfilter_graph_parse_ptr);
    RESOLVE(api, graph_config, avfilter_graph_config);
    RESOLVE(api, buffersrc_write_frame, av_buffersrc_write_frame);
    RESOLVE(api, buffersrc_add_frame, av_buffersrc_add_frame);
    RESOLVE(api, buffersink_get_frame_flags, av_buffersink_get_frame_flags);
    RESOLVE(api, buffersink_get_time_base, av_buffersink_get_time_base);
    RESOLVE(api, buffersink_get_frame_rate, av_buffersink_get_frame_rate);
    SC_DEBUG(log, "loaded %s", AVFILTER_SONAME);
    return 0;
fail:
    SC_WARN(log, "cannot load %s (%s): interlaced pictures are shown as they are", AVFILTER_SONAME,
            dlerror());
    *api = (struct player_avfilter_api){.failed = true};
    return AVERROR(ENOSYS);
}

static void *load_main(void *arg)
{
    struct player_avfilter_loader *l = arg;
    player_avfilter_load(&l->api, l->log);
    atomic_store(&l->done, true);
    return NULL;
}

void player_avfilter_loader_start(struct player_avfilter_loader *l, struct sc_log *log)
{
    if (l->started) return;
    l->log = log;
    l->started = true;
    if (pthread_create(&l->thread, NULL, load_main, l) != 0) {
        l->joined = true; /* no thread: load here and now */
        load_main(l);
    }
}

const struct player_avfilter_api *player_avfilter_loader_get(struct player_avfilter_loader *l,
                                                             struct sc_log *log, bool wait)
{
    player_avfilter_loader_start(l, log);
    if (!wait && !atomic_load(&l->done)) return NULL;
    player_avfilter_loader_finish(l);
    return l->api.handle ? &l->api : NULL;
}

void player_avfilter_loader_finish(struct player_avfilter_loader *l)
{
    if (!l->started || l->joined) return;
    pthread_join(l->thread, NULL);
    l->joined = true;
}

struct player_deinterlacer {
    const struct player_avfilter_api *api;
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
    /* the input the graph was built for */
    int width, height, format;
    AVRational sar, tb;
    bool deinterlace, field_rate;
};

bool player_pixfmt_presentable(int av_pix_fmt)
{
    return av_pix_fmt == AV_PIX_FMT_YUV420P || av_pix_fmt == AV_PIX_FMT_YUVJ420P ||
           av_pix_fmt == AV_PIX_FMT_NV12;
}

void player_deinterlacer_free(struct player_deinterlacer **deint)
{
    if (!*deint) return;
    (*deint)->api->graph_free(&(*deint)->graph);
    av_freep(deint);
}

static int build(struct player_deinterlacer *d, const AVFrame *frame, AVRational tb,
                 AVRational frame_rate, struct sc_log *log)
{
    const struct player_avfilter_api *api = d->api;
    char args[256];
    d->graph = api->graph_alloc();
    if (!d->graph) return AVERROR(ENOMEM);
    d->graph->nb_threads = 2;
    AVRational sar =
        frame->sample_aspect_ratio.num ? frame->sample_aspect_ratio : (AVRational){1, 1};
    snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             frame->width, frame->height, frame->format, tb.num, tb.den, sar.num, sar.den);
    if (frame_rate.num > 0 && frame_rate.den > 0)
        av_strlcatf(args, sizeof(args), ":frame_rate=%d/%d", frame_rate.num, frame_rate.den);
    int ret =
        api->graph_create_filter(&d->src, api->get_by_name("buffer"), "in", args, NULL, d->graph);
    if (ret < 0) return ret;
    ret = api->graph_create_filter(&d->sink, api->get_by_name("buffersink"), "out", NULL, NULL,
                                   d->graph);
    if (ret < 0) return ret;

    char chain[128] = "";
    if (d->deinterlace)
        snprintf(chain, sizeof(chain), "bwdif=mode=%s:parity=auto:deint=all",
                 d->field_rate ? "send_field" : "send_frame");
    if (!player_pixfmt_presentable(frame->format))
        av_strlcatf(chain, sizeof(chain), "%sformat=yuv420p", chain[0] ? "," : "");
    if (!chain[0]) snprintf(chain, sizeof(chain), "null");

    AVFilterInOut *outputs = api->inout_alloc();
    AVFilterInOut *inputs = api->inout_alloc();
    if (!outputs || !inputs) {
        api->inout_free(&outputs);
        api->inout_free(&inputs);
        return AVERROR(ENOMEM);
    }
    outputs->name = av_strdup("in");
    outputs->filter_ctx = d->src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = d->sink;
    ret = api->graph_parse_ptr(d->graph, chain, &inputs, &outputs, NULL);
    api->inout_free(&outputs);
    api->inout_free(&inputs);
    if (ret < 0) return ret;
    ret = api->graph_config(d->graph, NULL);
    if (ret < 0) return ret;
    SC_DEBUG(log, "filter graph for %dx%d %s: %s", frame->width, frame->height,
             av_get_pix_fmt_name(frame->format), chain);
    return 0;
}

int player_deinterlacer_push(struct player_deinterlacer **deint,
                             const struct player_avfilter_api *api, const AVFrame *frame,
                             AVRational tb, AVRational frame_rate, bool deinterlace,
                             bool field_rate, struct sc_log *log)
{
    struct player_deinterlacer *d = *deint;
    AVRational sar = frame->sample_aspect_ratio;
    if (d &&
        (d->width != frame->width || d->height != frame->height || d->format != frame->format ||
         av_cmp_q(d->sar, sar) != 0 || av_cmp_q(d->tb, tb) != 0 || d->deinterlace != deinterlace ||
         d->field_rate != field_rate))
        player_deinterlacer_free(deint);
    if (!*deint) {
        d = av_mallocz(sizeof(*d));
        if (!d) return AVERROR(ENOMEM);
        *d = (struct player_deinterlacer){.api = api,
                                          .width = frame->width,
                                          .height = frame->height,
                                          .format = frame->format,
                                          .sar = sar,
                                          .tb = tb,
                                          .deinterlace = deinterlace,
                                          .field_rate = field_rate};
        *deint = d;
        int ret = build(d, frame, tb, frame_rate, log);
        if (ret < 0) {
            player_deinterlacer_free(deint);
            return ret;
        }
    }
    return d->api->buffersrc_write_frame(d->src, frame);
}

int player_deinterlacer_pull(struct player_deinterlacer *d, AVFrame *out, AVRational *tb,
                             AVRational *frame_rate)
{
    int ret = d->api->buffersink_get_frame_flags(d->sink, out, 0);
    if (ret == AVERROR(EAGAIN)) return 0;
    if (ret < 0) return ret;
    *tb = d->api->buffersink_get_time_base(d->sink);
    *frame_rate = d->api->buffersink_get_frame_rate(d->sink);
    return 1;
}

int player_deinterlacer_drain(struct player_deinterlacer *d)
{
    return d->api->buffersrc_add_frame(d->src, NULL);
}
