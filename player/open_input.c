/* Opening the input. A transport stream goes through the demux pipeline (sync,
 * continuity checks, damaged PES dropped, SI, outage detection): libavformat's
 * mpegts demuxer reads it through a custom AVIOContext. Anything else (an MP4
 * in the course library) is opened by libavformat directly. */
#include "player/internal.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define AVIO_BUFFER       (188 * 64)
#define READ_TIMEOUT_MS   200
#define NOTHING_ARRIVED   5000000000LL /* ns: a live source silent since the open */
#define SNIFF_BYTES       (188 * 40)
#define SNIFF_MIN_PACKETS 5

static bool is_url(const char *source)
{
    return strcmp(source, "-") == 0 || strstr(source, "://") != NULL;
}

/* The schemes the pipeline reads; a path is read by it only if it holds TS. */
static bool pipeline_scheme(const char *source)
{
    static const char *const schemes[] = {"udp://",   "rtp://", "http://",
                                          "https://", "dvb://", NULL};
    if (strcmp(source, "-") == 0) return true;
    for (const char *const *s = schemes; *s; s++)
        if (strncmp(source, *s, strlen(*s)) == 0) return true;
    return false;
}

/* True when the file's first bytes hold 0x47 at a packet spacing (188, 192 or
 * 204) several times in a row, from some offset in the first packet. */
static bool file_holds_ts(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    uint8_t buf[SNIFF_BYTES];
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n <= 0) return false;
    static const int sizes[] = {188, 192, 204};
    for (int s = 0; s < 3; s++) {
        for (int off = 0; off < sizes[s] && off < n; off++) {
            int run = 0;
            for (ssize_t i = off; i < n && buf[i] == 0x47; i += sizes[s])
                run++;
            long possible = (long)(n - off + sizes[s] - 1) / sizes[s];
            if (run >= SNIFF_MIN_PACKETS || (run >= 1 && run == possible && n - off >= 188))
                return true;
        }
    }
    return false;
}

static bool is_live_url(const char *source)
{
    static const char *const live_prefixes[] = {"udp:", "rtp:", "srt:", "rist:", "pipe:", NULL};
    if (strcmp(source, "-") == 0) return true;
    for (const char *const *p = live_prefixes; *p; p++)
        if (strncmp(source, *p, strlen(*p)) == 0) return true;
    return false;
}

/* The AVIOContext's read callback (reader thread): whole packets from the
 * pipeline, staged so that any size libavformat asks for can be served. */
static int read_pipeline(void *opaque, uint8_t *buf, int size)
{
    struct player *p = opaque;
    struct player_source *src = &p->src;
    for (;;) {
        if (atomic_load(&p->abort_request)) return AVERROR_EXIT;
        if (atomic_load(&p->rx.requested_service) >= 0 && atomic_load(&p->streams_open))
            return AVERROR_EXIT; /* the reader reopens for the new service */
        if (src->stage_pos < src->stage_len) {
            size_t n = src->stage_len - src->stage_pos;
            if (n > (size_t)size) n = (size_t)size;
            memcpy(buf, src->stage + src->stage_pos, n);
            src->stage_pos += n;
            return (int)n;
        }
        int n = dmx_pipeline_read(src->pipeline, src->stage, sizeof(src->stage), READ_TIMEOUT_MS);
        if (n > 0) {
            src->got_data = true;
            src->stage_pos = 0;
            src->stage_len = (size_t)n;
            player_reception_saw(p, src->stage, (size_t)n);
            continue;
        }
        if (n == DMX_EOF) return AVERROR_EOF;
        if (n == DMX_ERR_ABORTED) return AVERROR_EXIT;
        if (n < 0) {
            SC_WARN(p->log, "reading %s: %s", p->opts.source, dmx_strerror(n));
            return AVERROR(EIO);
        }
        player_reception_saw(p, NULL, 0);
        if (src->live && !src->got_data && sc_mono_ns() - src->opened_ns > NOTHING_ARRIVED)
            return AVERROR(ETIMEDOUT);
    }
}

static void set_probe_limits(AVDictionary **opts)
{
    /* A broadcast TS needs little probing: PAT/PMT arrive every 100 ms, and a
     * channel change must reach its first picture within a GOP + 0.5 s. */
    av_dict_set(opts, "probesize", "1000000", 0);
    av_dict_set(opts, "analyzeduration", "700000", 0);
    av_dict_set(opts, "fpsprobesize", "0", 0);
}

static void interrupt_setup(struct player *p, AVFormatContext *ic);

/* libavformat's mpegts demuxer over the pipeline (a fresh AVIOContext). */
static int open_over_pipeline(struct player *p)
{
    struct player_source *src = &p->src;
    uint8_t *buffer = av_malloc(AVIO_BUFFER);
    if (!buffer) return AVERROR(ENOMEM);
    src->avio = avio_alloc_context(buffer, AVIO_BUFFER, 0, p, read_pipeline, NULL, NULL);
    if (!src->avio) {
        av_free(buffer);
        return AVERROR(ENOMEM);
    }
    src->avio->seekable = 0;
    AVFormatContext *ic = avformat_alloc_context();
    if (!ic) return AVERROR(ENOMEM);
    ic->pb = src->avio;
    ic->flags |= AVFMT_FLAG_CUSTOM_IO;
    interrupt_setup(p, ic);
    AVDictionary *opts = NULL;
    set_probe_limits(&opts);
    int ret = avformat_open_input(&ic, p->opts.source, av_find_input_format("mpegts"), &opts);
    av_dict_free(&opts);
    if (ret < 0) return ret; /* avformat_open_input freed ic */
    p->ic = ic;
    return 0;
}

static int interrupt_cb(void *opaque)
{
    struct player *p = opaque;
    return atomic_load(&p->abort_request);
}

static void interrupt_setup(struct player *p, AVFormatContext *ic)
{
    ic->interrupt_callback = (AVIOInterruptCB){interrupt_cb, p};
}

static int open_directly(struct player *p)
{
    AVFormatContext *ic = avformat_alloc_context();
    if (!ic) return AVERROR(ENOMEM);
    interrupt_setup(p, ic);
    AVDictionary *opts = NULL;
    set_probe_limits(&opts);
    const char *source = p->opts.source;
    if (strncmp(source, "udp:", 4) == 0 || strncmp(source, "rtp:", 4) == 0) {
        av_dict_set(&opts, "fifo_size", "1000000", 0);
        av_dict_set(&opts, "overrun_nonfatal", "1", 0);
        av_dict_set(&opts, "timeout", "5000000", 0);
    }
    int ret = avformat_open_input(&ic, source, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0) return ret;
    p->ic = ic;
    p->src.live = is_live_url(source);
    return 0;
}

static int pipeline_error(int code)
{
    switch (code) {
    case DMX_ERR_NOMEM:
        return AVERROR(ENOMEM);
    case DMX_ERR_OPEN:
    case DMX_ERR_NO_DEVICE:
        return AVERROR(ENOENT);
    case DMX_ERR_ABORTED:
        return AVERROR_EXIT;
    default:
        return code < 0 && code > -4096 ? code : AVERROR(EIO);
    }
}

int player_source_open(struct player *p, int service)
{
    const char *source = p->opts.source;
    bool through_pipeline = pipeline_scheme(source) || (!is_url(source) && file_holds_ts(source));
    if (!through_pipeline) return open_directly(p);
    struct player_source *src = &p->src;
    struct dmx_options dopts;
    dmx_options_default(&dopts);
    p->rx.outage_ms = dopts.outage_ms;
    struct dmx_callbacks cb;
    player_reception_callbacks(p, &cb);
    src->opened_ns = sc_mono_ns();
    int ret = dmx_pipeline_create(&src->pipeline, source, &dopts, &cb, p->log);
    if (ret < 0) {
        SC_INFO(p->log, "cannot open %s: %s", source, dmx_strerror(ret));
        return pipeline_error(ret);
    }
    src->live = dmx_pipeline_is_live(src->pipeline);
    if (service < 0) service = dmx_pipeline_default_service(src->pipeline);
    if (service >= 0) dmx_pipeline_select_service(src->pipeline, service);
    atomic_store(&p->rx.pipeline_ready, true);
    return open_over_pipeline(p);
}

bool player_source_has_service(struct player *p, int service)
{
    struct dmx_service *services = NULL;
    size_t count = 0;
    if (!p->src.pipeline || dmx_pipeline_services(p->src.pipeline, &services, &count) < 0)
        return false;
    bool found = false;
    for (size_t i = 0; i < count; i++)
        found |= services[i].id == service && services[i].pmt_pid != 0;
    dmx_services_free(services, count);
    return found;
}

static void close_format(struct player *p)
{
    avformat_close_input(&p->ic);
    if (p->src.avio) {
        av_freep(&p->src.avio->buffer);
        avio_context_free(&p->src.avio);
    }
}

int player_source_reopen(struct player *p, int service)
{
    close_format(p);
    dmx_pipeline_select_service(p->src.pipeline, service);
    /* the staged bytes belong to the old selection */
    p->src.stage_pos = p->src.stage_len = 0;
    return open_over_pipeline(p);
}

void player_source_close(struct player *p)
{
    close_format(p);
    atomic_store(&p->rx.pipeline_ready, false);
    dmx_pipeline_destroy(p->src.pipeline);
    p->src.pipeline = NULL;
}
