/* The source registry and the helpers the backends share. */
#include "demux/internal.h"

#include <string.h>

/* NULL-terminated; the file backend comes last: it takes any address the
 * others do not claim. */
static const struct dmx_source_driver *const drivers[] = {
    &dmx_source_udp, &dmx_source_http, &dmx_source_dvb, &dmx_source_file, NULL,
};

const struct dmx_source_driver *dmx_source_find(const char *url)
{
    for (int i = 0; drivers[i]; i++)
        if (drivers[i]->accepts(url)) return drivers[i];
    return NULL;
}

bool dmx_url_param(const char *url, const char *key, char *out, size_t size)
{
    const char *q = strchr(url, '?');
    size_t klen = strlen(key);
    while (q) {
        q++;
        if (strncmp(q, key, klen) == 0 && q[klen] == '=') {
            const char *v = q + klen + 1;
            size_t n = strcspn(v, "&");
            if (n + 1 > size) return false;
            memcpy(out, v, n);
            out[n] = 0;
            return true;
        }
        q = strchr(q, '&');
    }
    return false;
}

int dmx_rtp_payload(const uint8_t *d, size_t len, size_t *payload_len, uint16_t *seq)
{
    if (len < 12 || (d[0] >> 6) != 2) return -1;
    size_t off = 12 + 4 * (size_t)(d[0] & 0x0F); /* CSRC list */
    if (d[0] & 0x10) {                           /* header extension */
        if (off + 4 > len) return -1;
        off += 4 + 4 * (size_t)((d[off + 2] << 8) | d[off + 3]);
    }
    size_t end = len;
    if (d[0] & 0x20) { /* padding: the last byte counts it */
        size_t pad = d[len - 1];
        if (pad == 0 || pad > len - off) return -1;
        end -= pad;
    }
    if (off > end) return -1;
    *seq = (uint16_t)((d[2] << 8) | d[3]);
    *payload_len = end - off;
    return (int)off;
}

const char *dmx_strerror(int code)
{
    switch (code) {
    case DMX_EOF:
        return "end of stream";
    case DMX_ERR_URL:
        return "unknown or malformed source address";
    case DMX_ERR_OPEN:
        return "cannot open the source";
    case DMX_ERR_NO_DEVICE:
        return "no such DVB adapter";
    case DMX_ERR_CHANNEL:
        return "channel not in the channel file (or the file is unreadable)";
    case DMX_ERR_TUNE:
        return "the tuner did not accept the channel";
    case DMX_ERR_IO:
        return "read error";
    case DMX_ERR_NOMEM:
        return "out of memory";
    case DMX_ERR_ABORTED:
        return "aborted";
    case DMX_ERR_FORMAT:
        return "malformed file";
    default:
        return code < 0 ? strerror(-code) : "no error";
    }
}

const char *dmx_outage_cause_name(enum dmx_outage_cause cause)
{
    switch (cause) {
    case DMX_OUTAGE_NO_DATA:
        return "no_data";
    case DMX_OUTAGE_UNDECODABLE:
        return "undecodable";
    case DMX_OUTAGE_NO_LOCK:
        return "no_lock";
    }
    return "unknown";
}
