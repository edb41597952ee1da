/* The menu's background scan (kiosk/station/scan.h) on real transport
 * streams: the demo course file (Chinese SDT + EIT) read to its end; the
 * same stream live over UDP on 127.0.0.1 (receiving, names and guide while
 * it runs, no signal once the sender stops, a prompt stop mid-read); a stop
 * while the source is still silent; a missing file. Threads: the scan's own
 * and a sender; run under TSan (label threads).
 * usage: test_scan DEMO-COURSE.ts */
#include "kiosk/station/scan.h"
#include "tests/test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000LL

static const char *demo_path;

static double slack(void)
{
    const char *s = getenv("STUDYCAST_TEST_SLACK");
    double v = s ? atof(s) : 1.0;
    return v >= 1.0 ? v : 1.0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls the scan until its state is `want` (or fails after seconds). */
static void wait_state(struct st_scan *scan, enum st_scan_state want, double seconds)
{
    int64_t until = sc_mono_ns() + (int64_t)(seconds * slack() * 1e9);
    struct st_scan_info info;
    for (;;) {
        ASSERT_EQ(st_scan_services(scan, &info), 0);
        enum st_scan_state state = info.state;
        st_scan_info_free(&info);
        if (state == want) return;
        if (sc_mono_ns() > until)
            TEST_FAIL("scan state %s, expected %s", st_scan_state_name(state),
                      st_scan_state_name(want));
        sleep_ms(20);
    }
}

/* The demo's SI: service 1 named 乡村振兴课堂 and its six events. */
static void check_demo_si(struct st_scan *scan)
{
    struct st_scan_info info;
    ASSERT_EQ(st_scan_services(scan, &info), 0);
    ASSERT_EQ(info.n_services, 1);
    ASSERT_TRUE(info.services[0].actual);
    ASSERT_STR_EQ(info.services[0].name, "乡村振兴课堂");
    int id = info.services[0].id;
    ASSERT_GT(info.packets, 1000);
    st_scan_info_free(&info);
    ASSERT_EQ(info.n_services, 0);
    struct dmx_event *events;
    size_t n;
    ASSERT_EQ(st_scan_events(scan, id, &events, &n), 0);
    ASSERT_EQ(n, 6);
    ASSERT_STR_EQ(events[0].title, "现代农业种植技术");
    ASSERT_EQ(events[0].duration, 3600);
    ASSERT_EQ(events[1].start, events[0].start + 3600);
    ASSERT_STR_EQ(events[1].description, "村党支部如何开好组织生活会");
    dmx_events_free(events, n);
    ASSERT_EQ(st_scan_events(scan, 4242, &events, &n), 0); /* no such service */
    ASSERT_EQ(n, 0);
    dmx_events_free(events, n);
}

static void test_file(void)
{
    struct st_scan *scan;
    ASSERT_EQ(st_scan_start(NULL, demo_path, &scan), 0);
    ASSERT_STR_EQ(st_scan_url(scan), demo_path);
    wait_state(scan, ST_SCAN_DONE, 20);
    check_demo_si(scan);
    st_scan_stop(scan);
    st_scan_stop(NULL);
}

static void test_missing_file(void)
{
    struct st_scan *scan;
    ASSERT_EQ(st_scan_start(NULL, "/nonexistent/studycast/stream.ts", &scan), 0);
    wait_state(scan, ST_SCAN_FAILED, 10);
    struct st_scan_info info;
    ASSERT_EQ(st_scan_services(scan, &info), 0);
    ASSERT_LT(info.error, 0);
    ASSERT_EQ(info.n_services, 0);
    struct dmx_event *events;
    size_t n;
    ASSERT_EQ(st_scan_events(scan, -1, &events, &n), -ENOENT);
    st_scan_stop(scan);
}

/* ---- live: the demo stream over UDP ---- */

struct sender {
    uint16_t port;
    atomic_bool stop;
    atomic_int datagrams;
    uint8_t *ts;
    size_t ts_len;
};

static void *send_thread(void *arg)
{
    struct sender *s = arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    size_t pos = 0, chunk = 7 * 188;
    while (!atomic_load(&s->stop)) {
        if (pos + chunk > s->ts_len) pos = 0; /* loop the file, as a broadcast repeats */
        if (sendto(fd, s->ts + pos, chunk, 0, (struct sockaddr *)&to, sizeof to) < 0) break;
        pos += chunk;
        if (atomic_fetch_add(&s->datagrams, 1) % 40 == 39) sleep_ms(2); /* ~25 Mbit/s */
    }
    close(fd);
    return NULL;
}

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

static void read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ASSERT_NOT_NULL(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    ASSERT_GT(size, 188 * 1000);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)size);
    ASSERT_NOT_NULL(*data);
    ASSERT_EQ(fread(*data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
}

static void test_udp(void)
{
    struct sender s = {.port = free_port()};
    read_file(demo_path, &s.ts, &s.ts_len);
    char url[64];
    snprintf(url, sizeof(url), "udp://127.0.0.1:%u", s.port);
    struct st_scan *scan;
    ASSERT_EQ(st_scan_start(NULL, url, &scan), 0);
    wait_state(scan, ST_SCAN_OPENING, 0); /* nothing arrives yet */
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, send_thread, &s), 0);
    wait_state(scan, ST_SCAN_RECEIVING, 10);
    /* names and guide while it runs (snapshots race the reader: TSan watches) */
    int64_t until = sc_mono_ns() + (int64_t)(10 * slack() * 1e9);
    size_t n = 0;
    while (n < 6) {
        struct dmx_event *events;
        ASSERT_EQ(st_scan_events(scan, -1, &events, &n), 0);
        dmx_events_free(events, n);
        ASSERT_LT(sc_mono_ns(), until);
        sleep_ms(20);
    }
    check_demo_si(scan);
    /* the sender stops: no signal after the pipeline's 2 s outage threshold */
    atomic_store(&s.stop, true);
    pthread_join(t, NULL);
    wait_state(scan, ST_SCAN_NO_SIGNAL, 6);
    /* a stop while reading a live source returns promptly */
    int64_t t0 = sc_mono_ns();
    st_scan_stop(scan);
    ASSERT_LT((sc_mono_ns() - t0) / NS_PER_MS, 1000 * slack());
    free(s.ts);
}

/* Started and stopped at once, again and again: the stop never waits for a
 * read's timeout and nothing leaks, whatever point the thread had reached. */
static void test_start_stop(void)
{
    for (int i = 0; i < 20; i++) {
        char url[64];
        snprintf(url, sizeof(url), "udp://127.0.0.1:%u", free_port());
        struct st_scan *scan;
        ASSERT_EQ(st_scan_start(NULL, i % 2 ? url : demo_path, &scan), 0);
        if (i % 4 == 3) sleep_ms(5);
        int64_t t0 = sc_mono_ns();
        st_scan_stop(scan);
        ASSERT_LT((sc_mono_ns() - t0) / NS_PER_MS, 1000 * slack());
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEMO-COURSE.ts\n", argv[0]);
        return 2;
    }
    demo_path = argv[1];
    RUN_TEST(test_file);
    RUN_TEST(test_missing_file);
    RUN_TEST(test_udp);
    RUN_TEST(test_start_stop);
    return 0;
}
