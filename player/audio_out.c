/* Sound out through SDL audio: the device's callback (on SDL's audio thread)
 * pulls decoded frames, resamples/downmixes them with libswresample to what the
 * device gave, applies volume and sets the audio clock. When the sound is not
 * the master clock (live sources) it stretches or squeezes the sound slightly
 * to follow the master, as ffplay's synchronize_audio does. */
#include "player/internal.h"

#include <libavutil/channel_layout.h>
#include <math.h>

#define AUDIO_DIFF_AVG_NB             20
#define SAMPLE_CORRECTION_PERCENT_MAX 10

struct player_audio_out {
    struct player *p;
    SDL_AudioDeviceID dev;
    SDL_AudioSpec spec;
    AVChannelLayout out_layout;
    int bytes_per_sec, hw_buf_size;

    /* SDL audio thread only */
    SwrContext *swr;
    AVChannelLayout swr_in_layout;
    int swr_in_format, swr_in_rate;
    uint8_t *buf;
    unsigned buf_alloc;
    int buf_size, buf_index;
    bool silence;
    double audio_clock;
    int clock_serial;
    double diff_cum, diff_avg_coef, diff_threshold;
    int diff_avg_count;
    bool had_data, in_underrun;
};

static int configure_swr(struct player_audio_out *ao, const AVFrame *f)
{
    if (ao->swr && f->format == ao->swr_in_format && f->sample_rate == ao->swr_in_rate &&
        !av_channel_layout_compare(&f->ch_layout, &ao->swr_in_layout))
        return 0;
    swr_free(&ao->swr);
    av_channel_layout_uninit(&ao->swr_in_layout);
    AVChannelLayout in_layout;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in_layout, f->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in_layout, &f->ch_layout) < 0)
        return AVERROR(ENOMEM);
    int ret = swr_alloc_set_opts2(&ao->swr, &ao->out_layout, AV_SAMPLE_FMT_S16, ao->spec.freq,
                                  &in_layout, f->format, f->sample_rate, 0, NULL);
    if (ret >= 0) ret = swr_init(ao->swr);
    if (ret < 0) {
        av_channel_layout_uninit(&in_layout);
        swr_free(&ao->swr);
        return ret;
    }
    ao->swr_in_layout = in_layout;
    ao->swr_in_format = f->format;
    ao->swr_in_rate = f->sample_rate;
    return 0;
}

/* How many samples this frame should become to follow the master clock. */
static int wanted_samples(struct player_audio_out *ao, int nb_samples, int sample_rate)
{
    struct player *p = ao->p;
    if (p->master == PLAYER_MASTER_AUDIO) {
        if (!p->live) return nb_samples;
        /* live: play faster or slower as the buffer says (speed 1.01 = 1 % fewer samples) */
        double speed = (double)atomic_load(&p->live_speed_ppm) / 1e6;
        return speed > 0 ? (int)lrint(nb_samples / speed) : nb_samples;
    }
    double diff = player_clock_get(&p->audio_clock) - player_master_clock(p);
    if (isnan(diff) || fabs(diff) >= PLAYER_NOSYNC_THRESHOLD) {
        ao->diff_avg_count = 0;
        ao->diff_cum = 0;
        return nb_samples;
    }
    ao->diff_cum = diff + ao->diff_avg_coef * ao->diff_cum;
    if (ao->diff_avg_count < AUDIO_DIFF_AVG_NB) {
        ao->diff_avg_count++;
        return nb_samples;
    }
    double avg_diff = ao->diff_cum * (1.0 - ao->diff_avg_coef);
    if (fabs(avg_diff) < ao->diff_threshold) return nb_samples;
    int wanted = nb_samples + (int)(diff * sample_rate);
    int min = nb_samples * (100 - SAMPLE_CORRECTION_PERCENT_MAX) / 100;
    int max = nb_samples * (100 + SAMPLE_CORRECTION_PERCENT_MAX) / 100;
    return av_clip(wanted, min, max);
}

/* Converts the next frame into ao->buf; returns its size in bytes or -1. */
static int next_chunk(struct player_audio_out *ao)
{
    struct player *p = ao->p;
    struct player_decoder *d = &p->audio;
    struct player_frame *af;
    for (;;) {
        af = player_frameq_peek(&d->frames);
        if (!af) return -1;
        if (af->serial == player_pktq_serial(&d->packets)) break;
        player_frameq_next(&d->frames); /* stale: from before a flush */
    }
    AVFrame *f = af->frame;
    int size = -1;
    if (configure_swr(ao, f) < 0) {
        SC_WARN(p->log, "cannot convert audio from %d Hz format %d", f->sample_rate, f->format);
        goto out;
    }
    int wanted = wanted_samples(ao, f->nb_samples, f->sample_rate);
    if (wanted != f->nb_samples) {
        int delta = (int)((int64_t)(wanted - f->nb_samples) * ao->spec.freq / f->sample_rate);
        int distance = (int)((int64_t)wanted * ao->spec.freq / f->sample_rate);
        swr_set_compensation(ao->swr, delta, distance);
    }
    int out_count = (int)((int64_t)wanted * ao->spec.freq / f->sample_rate + 256);
    int out_bytes =
        av_samples_get_buffer_size(NULL, ao->spec.channels, out_count, AV_SAMPLE_FMT_S16, 0);
    if (out_bytes < 0) goto out;
    av_fast_malloc(&ao->buf, &ao->buf_alloc, out_bytes);
    if (!ao->buf) goto out;
    uint8_t *out_planes[1] = {ao->buf};
    int converted = swr_convert(ao->swr, out_planes, out_count, (const uint8_t **)f->extended_data,
                                f->nb_samples);
    if (converted < 0) goto out;
    size = converted * ao->spec.channels * 2;
    ao->audio_clock = isnan(af->pts) ? NAN : af->pts + af->duration;
    ao->clock_serial = af->serial;
out:
    player_frameq_next(&d->frames);
    return size < 0 ? 0 : size;
}

static void mix(struct player_audio_out *ao, Uint8 *stream, int len)
{
    int volume = atomic_load(&ao->p->volume);
    if (ao->silence || atomic_load(&ao->p->muted) || volume == 0) {
        memset(stream, 0, len);
    } else if (volume >= 100) {
        memcpy(stream, ao->buf + ao->buf_index, len);
    } else {
        memset(stream, 0, len);
        SDL_MixAudioFormat(stream, ao->buf + ao->buf_index, AUDIO_S16SYS, len,
                           volume * SDL_MIX_MAXVOLUME / 100);
    }
}

static void audio_callback(void *opaque, Uint8 *stream, int len)
{
    struct player_audio_out *ao = opaque;
    struct player *p = ao->p;
    double callback_time = player_clock_now();
    bool got_data = false;
    while (len > 0) {
        if (ao->buf_index >= ao->buf_size) {
            int size = next_chunk(ao);
            if (size < 0) {
                /* nothing decoded: play silence for the rest of this call */
                bool ended =
                    atomic_load(&p->audio.finished_serial) == player_pktq_serial(&p->audio.packets);
                if (ended) {
                    atomic_store(&p->audio_drained, true);
                    player_wakeup(p);
                } else if (ao->had_data && !ao->in_underrun) {
                    atomic_fetch_add(&p->count.underruns, 1);
                    ao->in_underrun = true;
                }
                memset(stream, 0, len);
                ao->buf_size = ao->buf_index = 0;
                break;
            }
            ao->buf_size = size;
            ao->buf_index = 0;
            ao->silence = false;
            ao->had_data = true;
            ao->in_underrun = false;
            got_data = true;
        }
        int chunk = ao->buf_size - ao->buf_index;
        if (chunk > len) chunk = len;
        mix(ao, stream, chunk);
        len -= chunk;
        stream += chunk;
        ao->buf_index += chunk;
    }
    /* Without new sound the clock keeps extrapolating: a gap in the sound must
     * not freeze the pictures. */
    if (got_data && !isnan(ao->audio_clock)) {
        int unplayed = ao->buf_size - ao->buf_index;
        player_clock_set_at(&p->audio_clock,
                            ao->audio_clock -
                                (double)(2 * ao->hw_buf_size + unplayed) / ao->bytes_per_sec,
                            ao->clock_serial, callback_time);
        if (p->master == PLAYER_MASTER_EXTERNAL)
            player_clock_sync_to(&p->external_clock, &p->audio_clock, PLAYER_NOSYNC_THRESHOLD);
    }
}

int player_audio_out_open(struct player *p, struct player_audio_out **out)
{
    const AVCodecParameters *par = p->audio.stream->codecpar;
    struct player_audio_out *ao = av_mallocz(sizeof(*ao));
    if (!ao) return AVERROR(ENOMEM);
    ao->p = p;
    ao->audio_clock = NAN;
    int channels = par->ch_layout.nb_channels > 0 ? par->ch_layout.nb_channels : 2;
    if (p->opts.audio_channels > 0) channels = p->opts.audio_channels;
    if (channels > 8) channels = 8;
    int rate = p->opts.audio_rate > 0 ? p->opts.audio_rate
               : par->sample_rate > 0 ? par->sample_rate
                                      : 48000;
    SDL_AudioSpec want = {.freq = rate,
                          .format = AUDIO_S16SYS,
                          .channels = (Uint8)channels,
                          .callback = audio_callback,
                          .userdata = ao};
    /* ~20 ms per callback: small enough for a precise clock */
    want.samples = (Uint16)FFMAX(512, 2 << av_log2(want.freq / 50));
    ao->dev =
        SDL_OpenAudioDevice(NULL, 0, &want, &ao->spec,
                            SDL_AUDIO_ALLOW_FREQUENCY_CHANGE | SDL_AUDIO_ALLOW_CHANNELS_CHANGE);
    if (ao->dev == 0) {
        SC_WARN(p->log, "cannot open the audio device: %s", SDL_GetError());
        av_free(ao);
        return AVERROR(ENODEV);
    }
    av_channel_layout_default(&ao->out_layout, ao->spec.channels);
    ao->bytes_per_sec = ao->spec.freq * ao->spec.channels * 2;
    ao->hw_buf_size = (int)ao->spec.size;
    ao->diff_avg_coef = exp(log(0.01) / AUDIO_DIFF_AVG_NB);
    ao->diff_threshold = (double)ao->hw_buf_size / ao->bytes_per_sec;
    SC_INFO(p->log, "audio: %d Hz %d ch from the stream's %d Hz %d ch; device %d Hz %d ch",
            want.freq, want.channels, par->sample_rate, par->ch_layout.nb_channels, ao->spec.freq,
            ao->spec.channels);
    *out = ao;
    return 0;
}

void player_audio_out_pause(struct player_audio_out *ao, bool paused)
{
    SDL_PauseAudioDevice(ao->dev, paused ? 1 : 0);
}

void player_audio_out_close(struct player_audio_out **out)
{
    struct player_audio_out *ao = *out;
    if (!ao) return;
    SDL_CloseAudioDevice(ao->dev); /* waits for the callback to return */
    swr_free(&ao->swr);
    av_channel_layout_uninit(&ao->swr_in_layout);
    av_channel_layout_uninit(&ao->out_layout);
    av_free(ao->buf);
    av_freep(out);
}
