/* Live UDP and RTP on 127.0.0.1: a sender thread streams TS, stops for
 * about 3 s and resumes; the pipeline must report exactly that interval as
 * an outage, and RTP headers (CSRC, extension, padding) and sequence gaps
 * must be handled. A sender of garbage makes an "undecodable" outage. */
#include "demux/demux.h"
#include "tests/test.h"
#include "tests/demux/ts_builder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { PLAIN, RTP, GARBAGE };

struct sender {
    enum mode mode;
    uint16_t port;
    int pause_ms;
    int skip_rtp;               /* RTP sequence numbers skipped once */
    _Atomic int64_t paused_at;  /* sc_mono_ns of the last datagram before the pause */
    _Atomic int64_t resumed_at; /* of the first datagram after it */
    atomic_int datagrams;
    atomic_bool done;
};

struct seen {
    pthread_mutex_t lock;
    struct dmx_outage outages[8];
    int count;
    int64_t reported_at[8];
};

static void on_outage(void *opaque, const struct dmx_outage *o)
{
    struct seen *s = opaque;
    pthread_mutex_lock(&s->lock);
    if (o->end_mono_ns == 0 && s->count < 8) {
        s->reported_at[s->count] = sc_mono_ns();
        s->outages[s->count++] = *o;
    } else if (o->end_mono_ns && s->count) {
        s->outages[s->count - 1] = *o;
    }
    pthread_mutex_unlock(&s->lock);
}

static void sleep_ms(int ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static size_t rtp_wrap(uint8_t *out, const uint8_t *ts, size_t len, uint16_t seq, int variant)
{
    size_t at = 0;
    int csrc = variant % 3 == 1 ? 2 : 0;
    bool ext = variant % 4 == 2, pad = variant % 5 == 3;
    out[at++] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | csrc);
    out[at++] = 33; /* MP2T */
    out[at++] = (uint8_t)(seq >> 8);
    out[at++] = (uint8_t)seq;
    memset(out + at, 0, 8); /* timestamp, SSRC */
    at += 8;
    for (int i = 0; i < csrc * 4; i++)
        out[at++] = 0x47; /* CSRC bytes that look like sync must not confuse */
    if (ext) {
        out[at++] = 0xBE;
        out[at++] = 0xDE;
        out[at++] = 0;
        out[at++] = 1;
        memset(out + at, 0x47, 4);
        at += 4;
    }
    memcpy(out + at, ts, len);
    at += len;
    if (pad) {
        memset(out + at, 0, 3);
        out[at + 3] = 4;
        at += 4;
    }
    return at;
}

static void *send_thread(void *arg)
{
    struct sender *s = arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    struct ts_stream ts = ts_build(7 * 1000);
    uint16_t seq = 65500; /* wraps during the run */
    size_t i = 0;
    int after_pause = 0;
    bool skipped = false;
    int64_t phase_end = sc_mono_ns() + 800 * 1000000LL;
    for (int phase = 0; phase < 2; phase++) {
        while (sc_mono_ns() < phase_end) {
            uint8_t dgram[1500];
            size_t len = 7 * 188;
            const uint8_t *payload = ts.data + (i % 1000) * len;
            uint8_t junk[7 * 188];
            if (s->mode == GARBAGE && phase == 1) {
                memset(junk, 0x55, sizeof junk);
                payload = junk;
            }
            if (s->mode == RTP) {
                if (phase == 1 && s->skip_rtp && !skipped && ++after_pause == 20) {
                    skipped = true;
                    seq = (uint16_t)(seq + s->skip_rtp);
                    i++; /* those packets are lost */
                    continue;
                }
                len = rtp_wrap(dgram, payload, len, seq++, (int)i);
            } else {
                memcpy(dgram, payload, len);
            }
            sendto(fd, dgram, len, 0, (struct sockaddr *)&to, sizeof to);
            atomic_fetch_add(&s->datagrams, 1);
            i++;
            sleep_ms(4);
        }
        if (phase == 0) {
            atomic_store(&s->paused_at, sc_mono_ns());
            if (s->mode != GARBAGE) sleep_ms(s->pause_ms);
            atomic_store(&s->resumed_at, sc_mono_ns());
            phase_end = sc_mono_ns() + (s->mode == GARBAGE ? 3000 : 800) * 1000000LL;
        }
    }
    if (s->mode == GARBAGE) { /* clean data again to end the outage */
        for (int k = 0; k < 100; k++) {
            sendto(fd, ts.data + (size_t)k * 7 * 188, 7 * 188, 0, (struct sockaddr *)&to,
                   sizeof to);
            sleep_ms(4);
        }
    }
    free(ts.data);
    close(fd);
    atomic_store(&s->done, true);
    return NULL;
}

/* A port nobody uses right now. */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ASSERT_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

struct run {
    struct seen seen;
    struct dmx_stats st;
    struct sender snd;
};

static void run_live(struct run *r, enum mode mode, int skip_rtp)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->seen.lock, NULL);
    r->snd.mode = mode;
    r->snd.pause_ms = 3000;
    r->snd.skip_rtp = skip_rtp;
    r->snd.port = free_port();
    char url[64];
    snprintf(url, sizeof url, "%s://127.0.0.1:%u", mode == RTP ? "rtp" : "udp", r->snd.port);
    struct dmx_callbacks cb = {.opaque = &r->seen, .outage = on_outage};
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, url, NULL, &cb, NULL), 0);
    ASSERT_TRUE(dmx_pipeline_is_live(p));
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, send_thread, &r->snd), 0);
    uint8_t buf[188 * 64];
    /* read until 0.8 s after the sender's last datagram: less than the
     * 2 s that would make the end of the test an outage */
    int64_t stop = 0;
    while (!stop || sc_mono_ns() < stop) {
        int n = dmx_pipeline_read(p, buf, sizeof buf, 100);
        ASSERT_GE(n, 0);
        if (!stop && atomic_load(&r->snd.done)) stop = sc_mono_ns() + 800 * 1000000LL;
    }
    pthread_join(t, NULL);
    dmx_pipeline_stats(p, &r->st);
    struct dmx_outage *list;
    size_t count;
    ASSERT_EQ(dmx_pipeline_outages(p, &list, &count), 0);
    ASSERT_EQ((int)count, r->seen.count);
    free(list);
    dmx_pipeline_destroy(p);
    pthread_mutex_destroy(&r->seen.lock);
}

static void check_outage(const struct run *r, enum dmx_outage_cause cause)
{
    ASSERT_EQ(r->seen.count, 1);
    const struct dmx_outage *o = &r->seen.outages[0];
    ASSERT_EQ(o->cause, cause);
    ASSERT_NE(o->end_mono_ns, 0);
    int64_t paused = atomic_load(&r->snd.paused_at), resumed = atomic_load(&r->snd.resumed_at);
    if (cause == DMX_OUTAGE_UNDECODABLE) /* garbage from paused_at for ~3 s */
        resumed = paused + 3000 * 1000000LL;
    /* the interval is the silence, within scheduling noise (sanitizers, a
     * loaded 2-core machine) */
    ASSERT_NEAR((o->start_mono_ns - paused) / 1e9, 0, 0.5);
    ASSERT_NEAR((o->end_mono_ns - resumed) / 1e9, 0, 0.6);
    ASSERT_NEAR((o->end_mono_ns - o->start_mono_ns) / 1e9, 3.0, 0.6);
    /* reported once 2 s of silence had passed, before the signal came back */
    double reported = (r->seen.reported_at[0] - o->start_mono_ns) / 1e9;
    ASSERT_TRUE(reported >= 1.95 && reported < 2.9);
    ASSERT_LT(r->seen.reported_at[0], o->end_mono_ns);
}

static void test_udp_outage(void)
{
    struct run r;
    run_live(&r, PLAIN, 0);
    check_outage(&r, DMX_OUTAGE_NO_DATA);
    /* every packet but the last, held until the next sync byte confirms it */
    ASSERT_EQ(r.st.packets, atomic_load(&r.snd.datagrams) * 7 - 1);
    ASSERT_EQ(r.st.sync_losses, 0);
}

static void test_rtp_outage_and_gaps(void)
{
    struct run r;
    run_live(&r, RTP, 3);
    check_outage(&r, DMX_OUTAGE_NO_DATA);
    ASSERT_EQ(r.st.rtp_lost, 3);
    ASSERT_EQ(r.st.rtp_reordered, 0);
    ASSERT_EQ(r.st.packets, atomic_load(&r.snd.datagrams) * 7 - 1);
    ASSERT_EQ(r.st.sync_losses, 0);
    ASSERT_GE(r.st.cc_errors, 1); /* the lost datagram's packets */
}

static void test_undecodable_outage(void)
{
    struct run r;
    run_live(&r, GARBAGE, 0);
    check_outage(&r, DMX_OUTAGE_UNDECODABLE);
}

/* Multicast joined on the loopback interface, by name and by address. */
static void multicast_once(const char *query)
{
    uint16_t port = free_port();
    char url[96];
    snprintf(url, sizeof url, "udp://@239.255.77.%u:%u?%s", port % 200 + 1, port, query);
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, url, NULL, NULL, NULL), 0);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct in_addr lo;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    ASSERT_EQ(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo), 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    char group[32];
    snprintf(group, sizeof group, "239.255.77.%u", port % 200 + 1);
    inet_pton(AF_INET, group, &to.sin_addr);
    struct ts_stream ts = ts_build(7 * 50);
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(sendto(fd, ts.data + (size_t)i * 7 * 188, 7 * 188, 0, (struct sockaddr *)&to,
                         sizeof to),
                  7 * 188);
    uint8_t buf[188 * 64];
    int64_t stop = sc_mono_ns() + 1000 * 1000000LL;
    while (sc_mono_ns() < stop)
        ASSERT_GE(dmx_pipeline_read(p, buf, sizeof buf, 100), 0);
    struct dmx_stats st;
    dmx_pipeline_stats(p, &st);
    ASSERT_EQ(st.packets, 50 * 7 - 1);
    ASSERT_EQ(st.cc_errors, 0);
    close(fd);
    free(ts.data);
    dmx_pipeline_destroy(p);
}

static void test_multicast(void)
{
    multicast_once("iface=lo");
    multicast_once("localaddr=127.0.0.1");
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, "udp://239.255.77.1:5000?iface=nosuchif0", NULL, NULL, NULL),
              DMX_ERR_OPEN);
    ASSERT_EQ(dmx_pipeline_create(&p, "udp://239.255.77.1:5000?localaddr=x", NULL, NULL, NULL),
              DMX_ERR_URL);
}

int main(void)
{
    RUN_TEST(test_multicast);
    RUN_TEST(test_udp_outage);
    RUN_TEST(test_rtp_outage_and_gaps);
    RUN_TEST(test_undecodable_outage);
    return 0;
}
