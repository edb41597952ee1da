/* The reader thread: opens the source, picks the service and its streams,
 * starts the decoders and feeds them packets until the end or an abort. */
#include "player/internal.h"

#include <stdarg.h>
#include <string.h>

static void fail(struct player *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct player *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->status.error, sizeof(p->status.error), fmt, ap);
    va_end(ap);
    player_set_state(p, PLAYER_FAILED);
}

static bool usable(const AVStream *st, enum AVMediaType type)
{
    const AVCodecParameters *par = st->codecpar;
    if (par->codec_type != type || par->codec_id == AV_CODEC_ID_NONE) return false;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) return false;
    return avcodec_find_decoder(par->codec_id) != NULL;
}

/* Prefers streams whose parameters the probe found (a damaged PMT can list
 * phantom streams that never carry anything). */
static int pick_stream(AVFormatContext *ic, const unsigned *indices, unsigned count,
                       enum AVMediaType type)
{
    int best = -1;
    for (unsigned i = 0; i < count; i++) {
        const AVStream *st = ic->streams[indices[i]];
        if (!usable(st, type)) continue;
        bool known = type == AVMEDIA_TYPE_VIDEO
                         ? st->codecpar->width > 0
                         : st->codecpar->sample_rate > 0 && st->codecpar->ch_layout.nb_channels > 0;
        if (known) return (int)indices[i];
        if (best < 0) best = (int)indices[i];
    }
    return best;
}

static bool program_has(AVFormatContext *ic, const AVProgram *prog, enum AVMediaType type)
{
    for (unsigned i = 0; i < prog->nb_stream_indexes; i++)
        if (usable(ic->streams[prog->stream_index[i]], type)) return true;
    return false;
}

static int select_streams(struct player *p, int service, int *video, int *audio)
{
    AVFormatContext *ic = p->ic;
    const AVProgram *prog = NULL;
    if (service >= 0) {
        for (unsigned i = 0; i < ic->nb_programs && !prog; i++)
            if (ic->programs[i]->id == service) prog = ic->programs[i];
        if (!prog) return -ENOENT;
    } else {
        for (unsigned i = 0; i < ic->nb_programs && !prog; i++)
            if (program_has(ic, ic->programs[i], AVMEDIA_TYPE_VIDEO)) prog = ic->programs[i];
        for (unsigned i = 0; i < ic->nb_programs && !prog; i++)
            if (program_has(ic, ic->programs[i], AVMEDIA_TYPE_AUDIO)) prog = ic->programs[i];
    }
    unsigned all[256], count = 0;
    const unsigned *indices = all;
    if (prog) {
        indices = prog->stream_index;
        count = prog->nb_stream_indexes;
        SC_INFO(p->log, "service %d", prog->id);
        atomic_store(&p->rx.service, prog->id);
    } else {
        for (unsigned i = 0; i < ic->nb_streams && i < 256; i++)
            all[count++] = i;
    }
    *video = pick_stream(ic, indices, count, AVMEDIA_TYPE_VIDEO);
    *audio = p->opts.no_audio ? -1 : pick_stream(ic, indices, count, AVMEDIA_TYPE_AUDIO);
    if (*video < 0 && *audio < 0 && p->opts.no_audio)
        *audio = -2; /* distinguishes "sound only, but not wanted" below */
    return 0;
}

/* The PID the outage watch follows (mpegts gives a stream its PID as id):
 * the pictures when there are any (a course without them is not being
 * received, even if its sound still is), else the sound. */
static void watch_streams(struct player *p, int video, int audio)
{
    int pid = video >= 0 ? p->ic->streams[video]->id : audio >= 0 ? p->ic->streams[audio]->id : -1;
    player_reception_watch(p, &pid, pid >= 0 ? 1 : 0);
}

static int open_streams(struct player *p)
{
    int video, audio;
    if (select_streams(p, p->opts.service, &video, &audio) < 0) {
        fail(p, "%s: no service %d in this stream", p->opts.source, p->opts.service);
        return -1;
    }
    if (video < 0 && audio < 0) {
        fail(p, "%s: no playable video or audio stream", p->opts.source);
        return -1;
    }
    for (unsigned i = 0; i < p->ic->nb_streams; i++)
        p->ic->streams[i]->discard =
            (int)i == video || (int)i == audio ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if (video >= 0) {
        int ret = player_decoder_open(&p->video, p, p->ic->streams[video]);
        if (ret < 0) SC_WARN(p->log, "cannot open the video decoder: %s", av_err2str(ret));
        p->has_video = ret >= 0;
        /* an interlaced stream needs libavfilter: load it now, before the
         * clock runs (loading while pictures flow competes with decoding) */
        enum AVFieldOrder order = p->ic->streams[video]->codecpar->field_order;
        if (p->has_video && !p->opts.bench && !p->opts.no_deinterlace &&
            order != AV_FIELD_UNKNOWN && order != AV_FIELD_PROGRESSIVE)
            player_avfilter_loader_get(&p->video.filters, p->log, true);
    }
    if (audio >= 0) {
        int ret = player_decoder_open(&p->audio, p, p->ic->streams[audio]);
        if (ret < 0) SC_WARN(p->log, "cannot open the audio decoder: %s", av_err2str(ret));
        p->has_audio = ret >= 0;
    }
    if (p->has_audio && !p->opts.bench && player_audio_out_open(p, &p->audio_out) < 0) {
        player_decoder_close(&p->audio); /* no device: play the pictures alone */
        p->has_audio = false;
    }
    if (!p->has_video && !p->has_audio) {
        fail(p, "%s: no stream could be decoded", p->opts.source);
        return -1;
    }
    /* The sound is the master clock when there is sound, else a clock of our
     * own. For a live source that master runs slightly faster or slower (the
     * sound resampled by up to 3 %) as the buffer fills or drains, so that it
     * follows the sender's clock. */
    p->master = p->has_audio ? PLAYER_MASTER_AUDIO : PLAYER_MASTER_EXTERNAL;
    if (p->has_video)
        SC_INFO(p->log, "video: %s %dx%d, stream %d", avcodec_get_name(p->video.avctx->codec_id),
                p->video.avctx->width, p->video.avctx->height, video);
    if (p->has_audio)
        SC_INFO(p->log, "audio: %s, stream %d", avcodec_get_name(p->audio.avctx->codec_id), audio);
    watch_streams(p, p->has_video ? video : -1, p->has_audio ? audio : -1);
    return 0;
}

/* A service change (reader thread): drop what is queued, reopen libavformat
 * over the same pipeline for the new service, hand the decoders their new
 * contexts for the new serial. The threads keep running. */
static int change_service(struct player *p, int service)
{
    SC_INFO(p->log, "changing to service %d", service);
    int ret = player_source_reopen(p, service);
    if (ret >= 0) ret = avformat_find_stream_info(p->ic, NULL);
    if (ret < 0) {
        SC_WARN(p->log, "service %d: cannot read its streams: %s", service, av_err2str(ret));
        return ret;
    }
    int video, audio;
    if (select_streams(p, service, &video, &audio) < 0) {
        SC_WARN(p->log, "service %d is not in this stream", service);
        return AVERROR_STREAM_NOT_FOUND;
    }
    if (!p->has_video) video = -1;
    if (!p->has_audio) audio = -1;
    for (unsigned i = 0; i < p->ic->nb_streams; i++)
        p->ic->streams[i]->discard =
            (int)i == video || (int)i == audio ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    int vserial = p->has_video ? player_pktq_flush(&p->video.packets) : 0;
    int aserial = p->has_audio ? player_pktq_flush(&p->audio.packets) : 0;
    if (video >= 0 && player_decoder_prepare_switch(&p->video, p->ic->streams[video], vserial) < 0)
        video = -1;
    if (audio >= 0 && player_decoder_prepare_switch(&p->audio, p->ic->streams[audio], aserial) < 0)
        audio = -1;
    if (video < 0) p->video.stream = NULL; /* the old one went with the old context */
    if (audio < 0) p->audio.stream = NULL;
    watch_streams(p, video, audio);
    atomic_fetch_add(&p->resync, 1);
    player_wakeup(p);
    return 0;
}

/* Packets without a duration (MPEG-2 video in TS) get the nominal frame
 * duration, so that the queue's duration bound holds. */
static void fill_duration(struct player_decoder *d, AVPacket *pkt)
{
    if (pkt->duration > 0) return;
    AVRational rate =
        d->stream->avg_frame_rate.num ? d->stream->avg_frame_rate : d->stream->r_frame_rate;
    if (d->is_video && rate.num > 0 && rate.den > 0)
        pkt->duration = av_rescale_q(1, av_inv_q(rate), d->stream->time_base);
    else if (!d->is_video && d->stream->codecpar->frame_size > 0 &&
             d->stream->codecpar->sample_rate > 0)
        pkt->duration =
            av_rescale_q(d->stream->codecpar->frame_size,
                         (AVRational){1, d->stream->codecpar->sample_rate}, d->stream->time_base);
}

static void read_loop(struct player *p)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt) return;
    struct sc_log_limit limit = {.burst = 5, .period_ms = 1000};
    int consecutive_errors = 0;
    bool logged_first_video = false;
    while (!atomic_load(&p->abort_request)) {
        int service = atomic_exchange(&p->rx.requested_service, -1);
        if (service >= 0 && change_service(p, service) < 0) break;
        if (!p->ic) break;
        int ret = av_read_frame(p->ic, pkt);
        if (ret < 0) {
            if (atomic_load(&p->rx.requested_service) >= 0) continue;
            if (ret == AVERROR_EOF || ret == AVERROR_EXIT || avio_feof(p->ic->pb)) break;
            if (p->ic->pb && p->ic->pb->error) {
                SC_WARN(p->log, "reading %s: %s", p->opts.source, av_err2str(p->ic->pb->error));
                break;
            }
            sc_logf_limited(p->log, &limit, SC_LOG_INFO, "read: %s", av_err2str(ret));
            if (++consecutive_errors > 1000) break;
            continue;
        }
        consecutive_errors = 0;
        struct player_decoder *d = NULL;
        if (p->has_video && p->video.stream && pkt->stream_index == p->video.stream->index)
            d = &p->video;
        else if (p->has_audio && p->audio.stream && pkt->stream_index == p->audio.stream->index)
            d = &p->audio;
        if (!d) {
            av_packet_unref(pkt);
            continue;
        }
        fill_duration(d, pkt);
        if (d == &p->video && !logged_first_video) {
            logged_first_video = true;
            player_milestone(p, "first video packet queued");
        }
        if (player_pktq_put(&d->packets, pkt) < 0) break;
    }
    /* end of stream: an empty packet tells each decoder to drain */
    atomic_store(&p->reader_eof, true);
    if (!atomic_load(&p->abort_request)) {
        if (p->has_video) player_pktq_put(&p->video.packets, pkt);
        if (p->has_audio) player_pktq_put(&p->audio.packets, pkt);
    }
    av_packet_free(&pkt);
    player_wakeup(p);
}

void *player_reader_main(void *arg)
{
    struct player *p = arg;
    int ret = player_source_open(p, p->opts.service);
    player_milestone(p, "source open");
    /* standard input counts as live even from a file: nobody can tell its pace */
    p->live = p->src.live || strcmp(p->opts.source, "-") == 0;
    if (ret < 0) {
        bool network =
            strncmp(p->opts.source, "udp:", 4) == 0 || strncmp(p->opts.source, "rtp:", 4) == 0;
        if (ret == AVERROR_EXIT)
            fail(p, "%s: stopped while opening", p->opts.source);
        else if (network && (ret == AVERROR(EIO) || ret == AVERROR(ETIMEDOUT)))
            fail(p, "cannot open %s: nothing arrived within 5 s", p->opts.source);
        else
            fail(p, "cannot open %s: %s", p->opts.source, av_err2str(ret));
        return NULL;
    }
    ret = avformat_find_stream_info(p->ic, NULL);
    if (ret < 0 && p->opts.service >= 0 && !player_source_has_service(p, p->opts.service)) {
        fail(p, "%s: no service %d in this stream", p->opts.source, p->opts.service);
        return NULL;
    }
    if (ret < 0 && p->src.live && !p->src.got_data) {
        fail(p, "cannot open %s: nothing arrived within 5 s", p->opts.source);
        return NULL;
    }
    if (ret < 0) {
        fail(p, "%s: cannot read its streams: %s", p->opts.source, av_err2str(ret));
        return NULL;
    }
    player_milestone(p, "streams probed");
    if (open_streams(p) < 0) return NULL;
    if ((p->has_video && player_decoder_start(&p->video) < 0) ||
        (p->has_audio && player_decoder_start(&p->audio) < 0)) {
        fail(p, "cannot start the decoder threads");
        return NULL;
    }
    atomic_store(&p->streams_open, true);
    player_set_state(p, PLAYER_PLAYING);
    read_loop(p);
    return NULL;
}
