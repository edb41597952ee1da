/* DVB source through libdvbv5:
 *   dvb://CHANNEL?channels=FILE[&adapter=N][&frontend=N][&demux=N]
 * CHANNEL (percent-encoded) names an entry of a dvbv5 channel file as
 * dvbv5-scan writes it (or its service id). The frontend is tuned with the
 * entry's properties, the demux passes the whole TS (PID 0x2000) to the dvr
 * device, which is read. The frontend's lock, strength, CNR and quality are
 * polled at most twice a second and reported through the signal call. */
#include "demux/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libdvbv5/dvb-demux.h>
#include <libdvbv5/dvb-fe.h>
#include <libdvbv5/dvb-file.h>
#include <libdvbv5/dvb-sat.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DVR_BUFFER (4 << 20)

struct dvb_source {
    struct dvb_v5_fe_parms *fe;
    int dmx_fd, dvr_fd;
    struct sc_log *log;
    struct sc_log_limit limit;
    int64_t stats_at_ns;
    struct dmx_signal signal;
    int service_id; /* of the channel tuned, -1 if the file gives none */
};

static bool dvb_accepts(const char *url)
{
    return strncmp(url, "dvb://", 6) == 0;
}

static void percent_decode(const char *in, size_t len, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < size; i++) {
        unsigned v;
        if (in[i] == '%' && i + 2 < len && sscanf(in + i + 1, "%2x", &v) == 1) {
            out[k++] = (char)v;
            i += 2;
        } else {
            out[k++] = in[i] == '+' ? ' ' : in[i];
        }
    }
    out[k] = 0;
}

static struct dvb_entry *find_entry(struct dvb_file *file, const char *name)
{
    char *end;
    long sid = strtol(name, &end, 10);
    bool numeric = *name && !*end;
    for (struct dvb_entry *e = file->first_entry; e; e = e->next) {
        if ((e->channel && strcmp(e->channel, name) == 0) ||
            (e->vchannel && strcmp(e->vchannel, name) == 0) || (numeric && e->service_id == sid))
            return e;
    }
    return NULL;
}

static bool entry_prop(const struct dvb_entry *e, unsigned cmd, uint32_t *value)
{
    for (unsigned i = 0; i < e->n_props; i++) {
        if (e->props[i].cmd == cmd) {
            *value = e->props[i].u.data;
            return true;
        }
    }
    return false;
}

static struct dvb_file *read_channels(const char *path)
{
    if (access(path, R_OK) != 0) return NULL;
    return dvb_read_file_format(path, SYS_UNDEFINED, FILE_DVBV5);
}

int dmx_dvb_find_channel(const char *path, const char *name, struct dmx_dvb_channel *out)
{
    struct dvb_file *file = read_channels(path);
    if (!file) return DMX_ERR_CHANNEL;
    struct dvb_entry *e = find_entry(file, name);
    int r = DMX_ERR_CHANNEL;
    if (e) {
        *out = (struct dmx_dvb_channel){.service_id = e->service_id, .n_props = e->n_props};
        entry_prop(e, DTV_FREQUENCY, &out->frequency);
        entry_prop(e, DTV_DELIVERY_SYSTEM, &out->delivery_system);
        r = 0;
    }
    dvb_file_free(file);
    return r;
}

static void dvb_close(void *priv)
{
    struct dvb_source *d = priv;
    if (!d) return;
    if (d->dvr_fd >= 0) close(d->dvr_fd);
    if (d->dmx_fd >= 0) dvb_dmx_close(d->dmx_fd);
    if (d->fe) dvb_fe_close(d->fe);
    free(d);
}

static void read_signal(struct dvb_source *d)
{
    int64_t now = sc_mono_ns();
    if (d->stats_at_ns && now - d->stats_at_ns < 500000000) return;
    d->stats_at_ns = now;
    struct dmx_signal s = {
        .valid = true, .strength_dbm = NAN, .strength_percent = NAN, .cnr_db = NAN};
    if (dvb_fe_get_stats(d->fe) == 0) {
        uint32_t status = 0;
        if (dvb_fe_retrieve_stats(d->fe, DTV_STATUS, &status) == 0) s.locked = status & FE_HAS_LOCK;
        struct dtv_stats *st = dvb_fe_retrieve_stats_layer(d->fe, DTV_STAT_SIGNAL_STRENGTH, 0);
        if (st && st->scale == FE_SCALE_DECIBEL)
            s.strength_dbm = st->svalue / 1000.0;
        else if (st && st->scale == FE_SCALE_RELATIVE)
            s.strength_percent = st->uvalue * 100.0 / 65535.0;
        st = dvb_fe_retrieve_stats_layer(d->fe, DTV_STAT_CNR, 0);
        if (st && st->scale == FE_SCALE_DECIBEL) s.cnr_db = st->svalue / 1000.0;
        s.quality = (int)dvb_fe_retrieve_quality(d->fe, 0);
    }
    if (s.locked != d->signal.locked || !d->signal.valid)
        SC_INFO(d->log, "frontend %s", s.locked ? "locked" : "without lock");
    d->signal = s;
}

static int tune(struct dvb_source *d, const struct dvb_entry *e, int lock_timeout_ms)
{
    uint32_t delsys;
    if (!entry_prop(e, DTV_DELIVERY_SYSTEM, &delsys) ||
        dvb_set_compat_delivery_system(d->fe, delsys) != 0) {
        SC_INFO(d->log, "the frontend does not support this channel's delivery system");
        return DMX_ERR_TUNE;
    }
    for (unsigned i = 0; i < e->n_props; i++)
        if (e->props[i].cmd != DTV_DELIVERY_SYSTEM)
            dvb_fe_store_parm(d->fe, e->props[i].cmd, e->props[i].u.data);
    if (e->lnb) {
        int lnb = dvb_sat_search_lnb(e->lnb);
        if (lnb < 0) {
            SC_INFO(d->log, "unknown LNB '%s' in the channel file", e->lnb);
            return DMX_ERR_CHANNEL;
        }
        d->fe->lnb = dvb_sat_get_lnb(lnb);
        d->fe->sat_number = e->sat_number;
        d->fe->freq_bpf = e->freq_bpf;
        d->fe->diseqc_wait = e->diseqc_wait;
    }
    if (dvb_fe_set_parms(d->fe) < 0) {
        SC_INFO(d->log, "the frontend refused the tuning parameters");
        return DMX_ERR_TUNE;
    }
    /* wait for lock, but start anyway without it: the signal may come later
     * and an outage is reported meanwhile */
    int64_t deadline = sc_mono_ns() + (int64_t)lock_timeout_ms * 1000000;
    do {
        d->stats_at_ns = 0;
        read_signal(d);
        if (d->signal.locked) return 0;
        nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
    } while (sc_mono_ns() < deadline);
    SC_WARN(d->log, "no lock after %d ms; reading anyway", lock_timeout_ms);
    return 0;
}

static int dvb_open(void **priv, const char *url, const struct dmx_options *options,
                    struct sc_log *log)
{
    char channel[256], channels[1024], num[16];
    int adapter = 0, frontend = 0, demux = 0;
    const char *name = url + 6;
    percent_decode(name, strcspn(name, "?"), channel, sizeof channel);
    if (!channel[0] || !dmx_url_param(url, "channels", channels, sizeof channels)) {
        SC_INFO(log, "a DVB address needs a channel and a channel file: "
                     "dvb://NAME?channels=FILE");
        return DMX_ERR_URL;
    }
    if (dmx_url_param(url, "adapter", num, sizeof num)) adapter = atoi(num);
    if (dmx_url_param(url, "frontend", num, sizeof num)) frontend = atoi(num);
    if (dmx_url_param(url, "demux", num, sizeof num)) demux = atoi(num);

    struct dvb_file *file = read_channels(channels);
    if (!file) {
        SC_INFO(log, "cannot read the dvbv5 channel file %s", channels);
        return DMX_ERR_CHANNEL;
    }
    struct dvb_entry *entry = find_entry(file, channel);
    if (!entry) {
        SC_INFO(log, "no channel '%s' in %s", channel, channels);
        dvb_file_free(file);
        return DMX_ERR_CHANNEL;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/dvb/adapter%d/frontend%d", adapter, frontend);
    if (access(path, F_OK) != 0) {
        SC_INFO(log, "no DVB adapter: %s does not exist", path);
        dvb_file_free(file);
        return DMX_ERR_NO_DEVICE;
    }
    int r = DMX_ERR_OPEN;
    struct dvb_source *d = calloc(1, sizeof *d);
    if (!d) {
        dvb_file_free(file);
        return DMX_ERR_NOMEM;
    }
    d->dmx_fd = d->dvr_fd = -1;
    d->log = log;
    d->limit.burst = 3;
    d->limit.period_ms = 5000;
    d->fe = dvb_fe_open(adapter, frontend, 0, 0);
    if (!d->fe) {
        SC_INFO(log, "cannot open %s", path);
        goto fail;
    }
    if ((r = tune(d, entry, options->dvb_lock_timeout_ms)) < 0) goto fail;
    r = DMX_ERR_OPEN;
    d->dmx_fd = dvb_dmx_open(adapter, demux);
    if (d->dmx_fd < 0 ||
        dvb_set_pesfilter(d->dmx_fd, 0x2000, DMX_PES_OTHER, DMX_OUT_TS_TAP, DVR_BUFFER) < 0) {
        SC_INFO(log, "cannot set up demux%d of adapter%d", demux, adapter);
        goto fail;
    }
    snprintf(path, sizeof path, "/dev/dvb/adapter%d/dvr%d", adapter, demux);
    d->dvr_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (d->dvr_fd < 0) {
        SC_INFO(log, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    d->service_id = entry->service_id ? entry->service_id : -1;
    dvb_file_free(file);
    *priv = d;
    return 0;
fail:
    dvb_file_free(file);
    dvb_close(d);
    return r;
}

static int dvb_read(void *priv, uint8_t *buf, size_t size, int timeout_ms)
{
    struct dvb_source *d = priv;
    read_signal(d);
    struct pollfd pfd = {.fd = d->dvr_fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    if (r <= 0) return r == 0 || errno == EINTR ? 0 : -errno;
    ssize_t n = read(d->dvr_fd, buf, size);
    if (n > 0) return (int)n;
    if (n < 0 && errno == EOVERFLOW) { /* the kernel buffer overran: packets lost */
        sc_logf_limited(d->log, &d->limit, SC_LOG_WARN, "dvr buffer overflow");
        return 0;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return DMX_ERR_IO;
}

static bool dvb_is_live(void *priv)
{
    (void)priv;
    return true;
}

static void dvb_signal(void *priv, struct dmx_signal *out)
{
    struct dvb_source *d = priv;
    read_signal(d);
    *out = d->signal;
}

static int dvb_service_id(void *priv)
{
    return ((struct dvb_source *)priv)->service_id;
}

const struct dmx_source_driver dmx_source_dvb = {
    .name = "dvb",
    .accepts = dvb_accepts,
    .open = dvb_open,
    .read = dvb_read,
    .close = dvb_close,
    .is_live = dvb_is_live,
    .signal = dvb_signal,
    .service_id = dvb_service_id,
};
