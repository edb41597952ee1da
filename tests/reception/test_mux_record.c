/* What the pipeline passes for one service of a multiplex, which is what a
 * recording of that service writes (kiosk/station/recorder.c) and what the
 * player's libavformat reads: for each service of the multiplex, the output
 * starts with a PAT naming that service alone, then its PMT, then only its
 * PIDs, the video from a keyframe; written to OUTDIR/recordN.ts, which
 * mux_services.sh then decodes against the service remuxed alone. Also the
 * packet window's bounds (bytes and stream time).
 *
 * usage: test_mux_record MULTIPLEX OUTDIR SERVICE... */
#include "demux/internal.h"
#include "tests/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned pid_of(const uint8_t *pkt)
{
    return ((unsigned)(pkt[1] & 0x1F) << 8) | pkt[2];
}

static void check_window_bounds(void)
{
    uint8_t pkt[TS_PACKET] = {0x47, 0x01, 0x00, 0x10};
    struct dmx_window *w = dmx_window_create(10 * TS_PACKET, 1000);
    ASSERT_TRUE(w != NULL);
    for (int i = 0; i < 15; i++) {
        pkt[4] = (uint8_t)i;
        dmx_window_push(w, pkt, i);
    }
    ASSERT_EQ(dmx_window_count(w), (size_t)10); /* the byte bound */
    ASSERT_EQ(dmx_window_at(w, 0)[4], 5);
    ASSERT_EQ(dmx_window_at(w, 9)[4], 14);
    pkt[4] = 99;
    dmx_window_push(w, pkt, 1010); /* more than 1 s after packets 5..9 */
    ASSERT_EQ(dmx_window_count(w), (size_t)6);
    ASSERT_EQ(dmx_window_at(w, 0)[4], 10);
    ASSERT_EQ(dmx_window_at(w, 5)[4], 99);
    dmx_window_destroy(w);
    ASSERT_TRUE(dmx_window_create(10 * TS_PACKET, 0) == NULL); /* no window */
}

static void record(const char *mux, const char *dir, int service)
{
    struct sc_log *log = sc_log_create(stderr, SC_LOG_WARN);
    struct dmx_pipeline *p = NULL;
    ASSERT_EQ(dmx_pipeline_create(&p, mux, NULL, NULL, log), 0);
    dmx_pipeline_select_service(p, service);
    size_t cap = 64 << 20, len = 0;
    uint8_t *out = malloc(cap);
    ASSERT_TRUE(out != NULL);
    for (;;) {
        int n = dmx_pipeline_read(p, out + len, 188 * 64, 1000);
        if (n == DMX_EOF) break;
        ASSERT_GE(n, 0);
        len += (size_t)n;
        ASSERT_LT(len + 188 * 64, cap);
    }
    struct dmx_service *services = NULL;
    size_t count = 0;
    ASSERT_EQ(dmx_pipeline_services(p, &services, &count), 0);
    const struct dmx_service *s = NULL;
    for (size_t i = 0; i < count; i++)
        if (services[i].id == service) s = &services[i];
    ASSERT_TRUE(s != NULL);
    ASSERT_GT(len, (size_t)100 * TS_PACKET);
    /* a PAT of one program, this one, then its PMT */
    ASSERT_EQ(pid_of(out), 0u);
    ASSERT_EQ(out[5 + 2], 13); /* section_length: one program */
    ASSERT_EQ((out[5 + 8] << 8) | out[5 + 9], service);
    ASSERT_EQ(pid_of(out + TS_PACKET), s->pmt_pid);
    int video = -1, video_type = 0;
    for (size_t k = 0; k < s->stream_count && video < 0; k++)
        if (strcmp(s->streams[k].codec, "mpeg2video") == 0 ||
            strcmp(s->streams[k].codec, "h264") == 0 || strcmp(s->streams[k].codec, "hevc") == 0) {
            video = s->streams[k].pid;
            video_type = s->streams[k].stream_type;
        }
    bool seen_video = false;
    for (size_t off = 0; off < len; off += TS_PACKET) {
        unsigned pid = pid_of(out + off);
        bool ours = pid == 0 || pid == s->pmt_pid || pid == s->pcr_pid;
        for (size_t k = 0; k < s->stream_count; k++)
            ours |= pid == s->streams[k].pid;
        ASSERT_TRUE(ours);
        if ((int)pid == video && !seen_video) {
            seen_video = true;
            ASSERT_TRUE(dmx_window_keyframe(out + off, (uint8_t)video_type));
        }
    }
    ASSERT_EQ(seen_video, video >= 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/record%d.ts", dir, service);
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(fwrite(out, 1, len, f), len);
    ASSERT_EQ(fclose(f), 0);
    printf("service %d: %zu packets, PAT and PMT first, video from a keyframe: %s\n", service,
           len / TS_PACKET, video >= 0 ? "yes" : "no video");
    dmx_services_free(services, count);
    free(out);
    dmx_pipeline_destroy(p);
    sc_log_destroy(log);
}

int main(int argc, char **argv)
{
    ASSERT_GE(argc, 4);
    check_window_bounds();
    for (int i = 3; i < argc; i++)
        record(argv[1], argv[2], atoi(argv[i]));
    printf("ok\n");
    return 0;
}
