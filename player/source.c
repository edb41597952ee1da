/* Opening the input: the one function the demux module's TS reader will
 * replace (it will hand libavformat a custom AVIOContext fed from its own
 * reader). Everything else in the player sees only the AVFormatContext. */
#include "internal.h"

#include <string.h>

static bool is_live_source(const char *source)
{
    static const char *const live_prefixes[] = {"udp:", "rtp:", "srt:", "rist:", "pipe:", NULL};
    if (strcmp(source, "-") == 0) return true;
    for (const char *const *p = live_prefixes; *p; p++)
        if (strncmp(source, *p, strlen(*p)) == 0) return true;
    return false;
}

int sc_source_open(const char *source, const AVIOInterruptCB *interrupt_cb, AVFormatContext **out,
                   bool *live)
{
    AVFormatContext *ic = avformat_alloc_context();
    if (!ic) return AVERROR(ENOMEM);
    ic->interrupt_callback = *interrupt_cb;
    AVDictionary *opts = NULL;
    /* A broadcast TS needs little probing: PAT/PMT arrive every 100 ms, and a
     * channel change must reach its first picture within a GOP + 0.5 s. */
    av_dict_set(&opts, "probesize", "1000000", 0);
    av_dict_set(&opts, "analyzeduration", "700000", 0);
    av_dict_set(&opts, "fpsprobesize", "0", 0);
    if (strncmp(source, "udp:", 4) == 0 || strncmp(source, "rtp:", 4) == 0) {
        av_dict_set(&opts, "fifo_size", "1000000", 0); /* ~200 MB of 188-byte units */
        av_dict_set(&opts, "overrun_nonfatal", "1", 0);
        av_dict_set(&opts, "timeout", "5000000", 0);
    }
    const char *url = strcmp(source, "-") == 0 ? "pipe:0" : source;
    int ret = avformat_open_input(&ic, url, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0) return ret; /* avformat_open_input freed ic */
    *live = is_live_source(source);
    *out = ic;
    return 0;
}

void sc_source_close(AVFormatContext **ic)
{
    avformat_close_input(ic);
}
