/* One decoder thread per stream: packets in, frames out. The video thread also
 * drops frames that are already late and deinterlaces the rest. */
#include "player/internal.h"

#include <libavutil/cpu.h>
#include <math.h>

/* A decoder context for the stream: frame threads for video (as many as
 * asked, 0: libavcodec's choice, as ffmpeg's), pictures from d's frame pool. */
static int open_context(struct player_decoder *d, AVStream *stream, AVCodecContext **out)
{
    const AVCodec *codec = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!codec) return AVERROR_DECODER_NOT_FOUND;
    AVCodecContext *avctx = avcodec_alloc_context3(codec);
    if (!avctx) return AVERROR(ENOMEM);
    int ret = avcodec_parameters_to_context(avctx, stream->codecpar);
    avctx->pkt_timebase = stream->time_base;
    AVDictionary *opts = NULL;
    if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
        /* 0: one per core (libavcodec's own choice is one more, which costs
         * a decoder context and a frame of start-up delay and gains nothing
         * at 25 pictures/s; at most 16, as libavcodec advises) */
        int threads =
            d->player->opts.threads > 0 ? d->player->opts.threads : FFMIN(av_cpu_count(), 16);
        av_dict_set_int(&opts, "threads", threads, 0);
        avctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        if (d->frame_pool_ready) {
            avctx->opaque = &d->frame_pool;
            avctx->get_buffer2 = player_frame_pool_get_buffer;
        }
    }
    if (ret >= 0) ret = avcodec_open2(avctx, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        avcodec_free_context(&avctx);
        return ret;
    }
    *out = avctx;
    return 0;
}

int player_decoder_open(struct player_decoder *d, struct player *p, AVStream *stream)
{
    d->player = p;
    d->is_video = stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO;
    if (d->is_video && !d->frame_pool_ready)
        d->frame_pool_ready = player_frame_pool_init(&d->frame_pool) == 0;
    int ret = open_context(d, stream, &d->avctx);
    if (ret < 0) return ret;
    d->stream = stream;
    d->time_base = stream->time_base;
    d->frame_rate = av_guess_frame_rate(p->ic, stream, NULL);
    atomic_store(&d->codec_id, (int)stream->codecpar->codec_id);
    d->packets.time_base = stream->time_base; /* no packet flows yet */
    d->error_limit = (struct sc_log_limit){.burst = 5, .period_ms = 1000};
    return 0;
}

int player_decoder_prepare_switch(struct player_decoder *d, AVStream *stream, int serial)
{
    struct player *p = d->player;
    if ((stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) != d->is_video) return AVERROR(EINVAL);
    AVCodecContext *avctx;
    int ret = open_context(d, stream, &avctx);
    if (ret < 0) {
        SC_WARN(p->log, "cannot open the %s decoder for the new service: %s",
                d->is_video ? "video" : "audio", av_err2str(ret));
        return ret;
    }
    pthread_mutex_lock(&d->packets.lock);
    avcodec_free_context(&d->next_avctx); /* a switch not taken yet */
    d->next_avctx = avctx;
    d->next_time_base = stream->time_base;
    d->next_frame_rate = av_guess_frame_rate(p->ic, stream, NULL);
    d->next_serial = serial;
    pthread_mutex_unlock(&d->packets.lock);
    d->stream = stream;
    atomic_store(&d->codec_id, (int)stream->codecpar->codec_id);
    return 0;
}

/* Decoder thread, at a new serial: takes the context a service change left. */
static void take_switch(struct player_decoder *d, int serial)
{
    pthread_mutex_lock(&d->packets.lock);
    AVCodecContext *next = d->next_serial == serial ? d->next_avctx : NULL;
    if (next) {
        d->next_avctx = NULL;
        d->time_base = d->next_time_base;
        d->frame_rate = d->next_frame_rate;
    }
    pthread_mutex_unlock(&d->packets.lock);
    if (next) {
        avcodec_free_context(&d->avctx);
        d->avctx = next;
    }
}

void player_decoder_close(struct player_decoder *d)
{
    avcodec_free_context(&d->avctx);
    avcodec_free_context(&d->next_avctx);
    player_deinterlacer_free(&d->deint);
    player_avfilter_loader_finish(&d->filters);
    if (d->frame_pool_ready) player_frame_pool_destroy(&d->frame_pool);
    d->frame_pool_ready = false;
}

bool player_decoder_done(struct player_decoder *d)
{
    return atomic_load(&d->finished_serial) == player_pktq_serial(&d->packets) &&
           player_frameq_size(&d->frames) == 0;
}

static void count_error(struct player_decoder *d, int err, const char *what)
{
    atomic_fetch_add(&d->player->count.decode_errors, 1);
    sc_logf_limited(d->player->log, &d->error_limit, SC_LOG_INFO, "%s %s: %s",
                    d->is_video ? "video" : "audio", what, av_err2str(err));
}

static double to_seconds(int64_t ts, AVRational tb)
{
    return ts == AV_NOPTS_VALUE ? NAN : (double)ts * av_q2d(tb);
}

/* Hands one picture to the presenter; waits for a free slot. */
static int queue_picture(struct player_decoder *d, AVFrame *frame, int64_t ts, AVRational tb,
                         AVRational frame_rate, int per_source_frame)
{
    struct player_frame *slot = player_frameq_peek_writable(&d->frames);
    if (!slot) {
        av_frame_unref(frame);
        return AVERROR_EXIT;
    }
    slot->pts = to_seconds(ts, tb);
    sc_logf(d->player->log, SC_LOG_TRACE, "picture pts %.4f ts %lld tb %d/%d", slot->pts,
            (long long)ts, tb.num, tb.den);
    slot->duration = frame_rate.num > 0 && frame_rate.den > 0 ? av_q2d(av_inv_q(frame_rate)) : 0;
    slot->serial = d->pkt_serial;
    slot->flags = ++d->output_count % per_source_frame == 0 ? PLAYER_FRAME_ENDS_SOURCE_FRAME : 0;
    av_frame_move_ref(slot->frame, frame);
    player_frameq_push(&d->frames);
    player_wakeup(d->player);
    return 0;
}

static int pull_filtered(struct player_decoder *d, AVFrame *out)
{
    for (;;) {
        AVRational tb, frame_rate;
        int ret = player_deinterlacer_pull(d->deint, out, &tb, &frame_rate);
        if (ret <= 0) return ret == AVERROR_EOF ? 0 : ret;
        /* filters keep best_effort_timestamp in the input's time base: use pts */
        ret = queue_picture(d, out, out->pts, tb, frame_rate, d->outputs_per_frame);
        if (ret < 0) return ret;
    }
}

static bool late_already(struct player_decoder *d, const AVFrame *frame)
{
    struct player *p = d->player;
    double pts = to_seconds(frame->best_effort_timestamp, d->time_base);
    double diff = pts - player_master_clock(p);
    int queued = 0;
    player_pktq_level(&d->packets, &queued, NULL, NULL);
    /* ffplay's early drop: behind the master clock, with more packets waiting,
     * and the presenter running on this serial */
    return !isnan(diff) && fabs(diff) < PLAYER_NOSYNC_THRESHOLD && diff < 0 &&
           player_clock_serial(&p->video_clock) == d->pkt_serial && queued > 0;
}

static int handle_video_frame(struct player_decoder *d, AVFrame *frame, AVFrame *out)
{
    struct player *p = d->player;
    if (atomic_fetch_add(&p->count.frames_decoded, 1) == 0)
        player_milestone(p, "first picture decoded");
    atomic_store(&p->video_width, frame->width);
    atomic_store(&p->video_height, frame->height);
    if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT))
        atomic_fetch_add(&p->count.decode_errors, 1);
    if (p->opts.on_decoded_frame) {
        struct player_picture lent = {
            .frame = frame, .pts = to_seconds(frame->best_effort_timestamp, d->time_base)};
        p->opts.on_decoded_frame(p->opts.decoded_opaque, &lent);
    }
    if (p->opts.bench) {
        av_frame_unref(frame);
        return 0;
    }
    if (late_already(d, frame)) {
        atomic_fetch_add(&p->count.dropped_early, 1);
        av_frame_unref(frame);
        return 0;
    }
    AVRational frame_rate = d->frame_rate;
    bool deinterlace = !p->opts.no_deinterlace && (frame->interlaced_frame || d->deint);
    bool presentable = player_pixfmt_presentable(frame->format);
    const struct player_avfilter_api *filters = NULL;
    if (deinterlace || !presentable) {
        /* a presentable picture does not wait for libavfilter to load: the
         * first ones are shown woven (a fraction of a second), the rest
         * deinterlaced; one that cannot be shown without it waits */
        filters = player_avfilter_loader_get(&d->filters, p->log, !presentable);
        if (!filters && !presentable) {
            count_error(d, AVERROR(ENOSYS), "filter");
            av_frame_unref(frame);
            return 0;
        }
        if (!filters) deinterlace = false;
    }
    if (filters) {
        /* once a stream shows interlaced pictures, all its pictures go through
         * the deinterlacer, so that each yields the same number of fields */
        frame->pts = frame->best_effort_timestamp;
        bool field_rate = atomic_load(&p->field_rate);
        if (d->deint && field_rate != d->deint_field_rate) {
            /* the rate changed: finish the fields in flight, then rebuild */
            player_deinterlacer_drain(d->deint);
            int ret = pull_filtered(d, out);
            player_deinterlacer_free(&d->deint);
            d->output_count = 0;
            if (ret < 0) return ret;
        }
        if (!d->deint)
            d->output_count = 0; /* the pictures so far were one per frame: all complete */
        d->deint_field_rate = field_rate;
        d->outputs_per_frame = deinterlace && field_rate ? 2 : 1;
        int ret = player_deinterlacer_push(&d->deint, filters, frame, d->time_base, frame_rate,
                                           deinterlace, d->deint_field_rate, p->log);
        av_frame_unref(frame);
        if (ret < 0) {
            count_error(d, ret, "filter");
            return 0;
        }
        return pull_filtered(d, out);
    }
    return queue_picture(d, frame, frame->best_effort_timestamp, d->time_base, frame_rate, 1);
}

static int handle_audio_frame(struct player_decoder *d, AVFrame *frame)
{
    struct player *p = d->player;
    atomic_fetch_add(&p->count.audio_frames_decoded, 1);
    if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT))
        atomic_fetch_add(&p->count.decode_errors, 1);
    if (p->opts.bench) {
        av_frame_unref(frame);
        return 0;
    }
    struct player_frame *slot = player_frameq_peek_writable(&d->frames);
    if (!slot) {
        av_frame_unref(frame);
        return AVERROR_EXIT;
    }
    slot->pts = to_seconds(frame->best_effort_timestamp, d->time_base);
    slot->duration = frame->sample_rate > 0 ? (double)frame->nb_samples / frame->sample_rate : 0;
    slot->serial = d->pkt_serial;
    slot->flags = 0;
    av_frame_move_ref(slot->frame, frame);
    player_frameq_push(&d->frames);
    if (!atomic_load(&p->audio_started))
        player_wakeup(p); /* the main thread starts the device once enough is here */
    return 0;
}

static void finish(struct player_decoder *d, AVFrame *out)
{
    struct player *p = d->player;
    if (d->deint && player_deinterlacer_drain(d->deint) >= 0) pull_filtered(d, out);
    player_deinterlacer_free(&d->deint);
    avcodec_flush_buffers(d->avctx); /* ready for the next serial */
    atomic_store(&d->finished_serial, d->pkt_serial);
    if (p->opts.bench) player_check_bench_end(p);
    player_wakeup(p);
}

static void *decoder_main(void *arg)
{
    struct player_decoder *d = arg;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    AVFrame *out = av_frame_alloc();
    if (!pkt || !frame || !out) {
        SC_ERR(d->player->log, "decoder: out of memory");
        goto done;
    }
    for (;;) {
        int serial;
        if (player_pktq_get(&d->packets, pkt, &serial, true) < 0) break;
        if (serial != d->pkt_serial) {
            /* a flush: forget the old stream position without restarting */
            take_switch(d, serial);
            avcodec_flush_buffers(d->avctx);
            player_deinterlacer_free(&d->deint);
            d->output_count = 0;
            d->pkt_serial = serial;
        }
        bool draining = !pkt->data && pkt->size == 0;
        int ret = avcodec_send_packet(d->avctx, draining ? NULL : pkt);
        av_packet_unref(pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) count_error(d, ret, "packet");
        for (;;) {
            ret = avcodec_receive_frame(d->avctx, frame);
            if (ret == AVERROR(EAGAIN)) break;
            if (ret == AVERROR_EOF) {
                finish(d, out);
                break;
            }
            if (ret < 0) {
                count_error(d, ret, "frame");
                break;
            }
            ret = d->is_video ? handle_video_frame(d, frame, out) : handle_audio_frame(d, frame);
            if (ret == AVERROR_EXIT) goto done;
        }
    }
done:
    av_packet_free(&pkt);
    av_frame_free(&frame);
    av_frame_free(&out);
    return NULL;
}

int player_decoder_start(struct player_decoder *d)
{
    int ret = pthread_create(&d->thread, NULL, decoder_main, d);
    if (ret != 0) return AVERROR(ret);
    d->thread_started = true;
    return 0;
}

void player_decoder_stop(struct player_decoder *d)
{
    player_pktq_abort(&d->packets);
    player_frameq_abort(&d->frames);
    if (d->thread_started) {
        pthread_join(d->thread, NULL);
        d->thread_started = false;
    }
}
