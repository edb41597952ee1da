/* The HTTP source (avio on its own thread, a ring to the reader) against a
 * tiny HTTP server thread on 127.0.0.1: a file with a length, then a live
 * stream without one that stalls for 2.5 s (an outage) and goes on. */
#include "demux/demux.h"
#include "tests/test.h"
#include "tests/demux/ts_builder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct server {
    int listen_fd;
    uint16_t port;
    bool live;
    struct ts_stream body;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) return NULL;
    char req[2048];
    ssize_t got = recv(fd, req, sizeof req, 0);
    (void)got;
    char head[256];
    int n = s->live
                ? snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\n\r\n")
                : snprintf(head, sizeof head,
                           "HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\n"
                           "Content-Length: %zu\r\n\r\n",
                           s->body.len);
    send(fd, head, (size_t)n, MSG_NOSIGNAL);
    size_t half = s->body.len / 2 / 188 * 188;
    for (size_t pos = 0; pos < s->body.len;) {
        size_t chunk = s->body.len - pos < 7 * 188 ? s->body.len - pos : 7 * 188;
        if (send(fd, s->body.data + pos, chunk, MSG_NOSIGNAL) < 0) break;
        pos += chunk;
        if (s->live && pos == half) /* the live stream stalls */
            nanosleep(&(struct timespec){.tv_sec = 2, .tv_nsec = 500000000}, NULL);
        else if (s->live)
            nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    }
    close(fd);
    return NULL;
}

static void start(struct server *s, bool live)
{
    s->live = live;
    s->body = ts_build(1400);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ASSERT_EQ(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    ASSERT_EQ(listen(s->listen_fd, 1), 0);
    socklen_t len = sizeof a;
    getsockname(s->listen_fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
}

struct outages {
    int begun, ended;
};

static void on_outage(void *opaque, const struct dmx_outage *o)
{
    struct outages *c = opaque;
    if (o->end_mono_ns)
        c->ended++;
    else
        c->begun++;
}

static void run(bool live)
{
    struct server s;
    start(&s, live);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, serve, &s), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/stream.ts", s.port);
    struct outages seen = {0};
    struct dmx_callbacks cb = {.opaque = &seen, .outage = on_outage};
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, url, NULL, &cb, NULL), 0);
    ASSERT_EQ(dmx_pipeline_is_live(p), live);
    uint8_t buf[188 * 32];
    int n;
    size_t bytes = 0;
    struct dmx_stats st;
    int64_t give_up = sc_mono_ns() + 15 * 1000000000LL;
    /* a file ends; a live stream does not (avio would reconnect): stop
     * once everything sent has arrived and let destroy interrupt it */
    while ((n = dmx_pipeline_read(p, buf, sizeof buf, 200)) >= 0) {
        bytes += (size_t)n;
        dmx_pipeline_stats(p, &st);
        if (live && st.packets == 1399) break;
        ASSERT_LT(sc_mono_ns(), give_up);
    }
    if (!live) ASSERT_EQ(n, DMX_EOF);
    dmx_pipeline_stats(p, &st);
    ASSERT_EQ(st.packets, live ? 1399 : 1400); /* live: the last awaits the next sync */
    ASSERT_EQ(st.cc_errors, 0);
    /* all but the 35 null packets (the held-back last one is a null too) */
    ASSERT_EQ(bytes, (size_t)(1400 - 35) * 188);
    ASSERT_EQ(seen.begun, live ? 1 : 0);
    ASSERT_EQ(seen.ended, live ? 1 : 0);
    dmx_pipeline_destroy(p);
    pthread_join(t, NULL);
    close(s.listen_fd);
    free(s.body.data);
}

static void test_http_file(void)
{
    run(false);
}

static void test_http_live_with_stall(void)
{
    run(true);
}

int main(void)
{
    RUN_TEST(test_http_file);
    RUN_TEST(test_http_live_with_stall);
    return 0;
}
