/* UDP and RTP sources, unicast or multicast (IPv4).
 *   udp://[@][HOST]:PORT[?iface=NAME|localaddr=ADDR][&rcvbuf=BYTES]
 *   rtp://...  the same, each datagram an RTP packet (RFC 3550) carrying TS
 * A multicast HOST is joined on the interface named by iface= or owning
 * localaddr= (default: the kernel's choice); a unicast HOST is the local
 * address to bind. udp:// also accepts RTP-wrapped TS when it sees it. */
#include "demux/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MIN_DATAGRAM_SPACE 2048

struct udp_source {
    int fd;
    bool rtp; /* rtp://: every datagram must be RTP */
    bool seq_valid;
    uint16_t last_seq;
    uint64_t lost, reordered;
    struct sc_log *log;
    struct sc_log_limit limit;
};

static bool udp_accepts(const char *url)
{
    return strncmp(url, "udp://", 6) == 0 || strncmp(url, "rtp://", 6) == 0;
}

/* Splits "[@]host:port[?...]" into host and port. */
static int parse_address(const char *url, char *host, size_t host_size, uint16_t *port)
{
    const char *a = url + 6;
    if (*a == '@') a++;
    size_t n = strcspn(a, "?");
    char hp[256];
    if (n == 0 || n >= sizeof hp) return DMX_ERR_URL;
    memcpy(hp, a, n);
    hp[n] = 0;
    char *colon = strrchr(hp, ':');
    if (!colon) return DMX_ERR_URL;
    *colon = 0;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535 || strlen(hp) + 1 > host_size) return DMX_ERR_URL;
    snprintf(host, host_size, "%s", hp);
    *port = (uint16_t)p;
    return 0;
}

static int resolve(const char *host, struct in_addr *out)
{
    if (!*host) {
        out->s_addr = htonl(INADDR_ANY);
        return 0;
    }
    if (inet_pton(AF_INET, host, out) == 1) return 0;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) return DMX_ERR_URL;
    *out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

static int udp_open(void **priv, const char *url, const struct dmx_options *options,
                    struct sc_log *log)
{
    char host[256], iface[IF_NAMESIZE + 1] = "", localaddr[64] = "", rcvbuf_s[16];
    uint16_t port;
    struct in_addr addr, local = {.s_addr = htonl(INADDR_ANY)};
    int r = parse_address(url, host, sizeof host, &port);
    if (r < 0 || (r = resolve(host, &addr)) < 0) return r;
    dmx_url_param(url, "iface", iface, sizeof iface);
    if (dmx_url_param(url, "localaddr", localaddr, sizeof localaddr) &&
        inet_pton(AF_INET, localaddr, &local) != 1)
        return DMX_ERR_URL;
    int rcvbuf = options->udp_rcvbuf;
    if (dmx_url_param(url, "rcvbuf", rcvbuf_s, sizeof rcvbuf_s)) rcvbuf = atoi(rcvbuf_s);

    struct udp_source *u = calloc(1, sizeof *u);
    if (!u) return DMX_ERR_NOMEM;
    u->rtp = strncmp(url, "rtp://", 6) == 0;
    u->log = log;
    u->limit.burst = 3;
    u->limit.period_ms = 5000;
    u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (u->fd < 0) {
        r = -errno;
        goto fail;
    }
    int one = 1;
    setsockopt(u->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* a big kernel buffer rides out scheduling hiccups at broadcast rates */
    if (rcvbuf > 0 && setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    bool multicast = IN_MULTICAST(ntohl(addr.s_addr));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = addr};
    if (bind(u->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        r = -errno;
        SC_INFO(log, "cannot bind %s:%u: %s", host, port, strerror(errno));
        goto fail;
    }
    if (multicast) {
        struct ip_mreqn mreq = {.imr_multiaddr = addr, .imr_address = local};
        if (iface[0] && !(mreq.imr_ifindex = (int)if_nametoindex(iface))) {
            SC_INFO(log, "no network interface '%s'", iface);
            r = DMX_ERR_OPEN;
            goto fail;
        }
        if (setsockopt(u->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) {
            r = -errno;
            SC_INFO(log, "cannot join %s: %s", host, strerror(errno));
            goto fail;
        }
        int zero = 0; /* only the groups this socket joined */
        setsockopt(u->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
    }
    *priv = u;
    return 0;
fail:
    if (u->fd >= 0) close(u->fd);
    free(u);
    return r;
}

/* Strips an RTP header in place; returns the payload length, or -1 to drop
 * the datagram (not RTP where RTP is required, or late/duplicate). */
static int strip_rtp(struct udp_source *u, uint8_t *d, size_t len)
{
    bool looks_ts = len > 0 && d[0] == 0x47;
    if (!u->rtp && looks_ts) return (int)len;
    size_t plen;
    uint16_t seq;
    int off = dmx_rtp_payload(d, len, &plen, &seq);
    if (off < 0) return u->rtp ? -1 : (int)len;
    if (u->seq_valid) {
        uint16_t gap = (uint16_t)(seq - u->last_seq - 1);
        if (gap >= 0x8000) { /* behind the last one: late or repeated */
            u->reordered++;
            return -1;
        }
        if (gap) {
            u->lost += gap;
            sc_logf_limited(u->log, &u->limit, SC_LOG_DEBUG, "RTP: %u packets lost", gap);
        }
    }
    u->seq_valid = true;
    u->last_seq = seq;
    memmove(d, d + off, plen);
    return (int)plen;
}

static int udp_read(void *priv, uint8_t *buf, size_t size, int timeout_ms)
{
    struct udp_source *u = priv;
    struct pollfd pfd = {.fd = u->fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    if (r <= 0) return r == 0 || errno == EINTR ? 0 : -errno;
    size_t used = 0;
    /* take every datagram already queued that fits */
    while (size - used >= MIN_DATAGRAM_SPACE) {
        ssize_t n = recv(u->fd, buf + used, size - used, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return used ? (int)used : -errno;
        }
        int kept = strip_rtp(u, buf + used, (size_t)n);
        if (kept > 0) used += (size_t)kept;
    }
    return (int)used;
}

static void udp_close(void *priv)
{
    struct udp_source *u = priv;
    if (!u) return;
    close(u->fd);
    free(u);
}

static bool udp_is_live(void *priv)
{
    (void)priv;
    return true;
}

static void udp_counters(void *priv, uint64_t *lost, uint64_t *reordered)
{
    struct udp_source *u = priv;
    *lost = u->lost;
    *reordered = u->reordered;
}

const struct dmx_source_driver dmx_source_udp = {
    .name = "udp",
    .accepts = udp_accepts,
    .open = udp_open,
    .read = udp_read,
    .close = udp_close,
    .is_live = udp_is_live,
    .counters = udp_counters,
};
