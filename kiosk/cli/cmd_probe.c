/* studycast probe SOURCE: reads a file to its end, or a live source for a
 * while, and prints its services, guide, broadcast time and stream
 * statistics. */
#include "kiosk/cli/cli.h"
#include "demux/demux.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe_outages {
    struct dmx_outage list[256];
    size_t count;
};

static void on_outage(void *opaque, const struct dmx_outage *o)
{
    struct probe_outages *po = opaque;
    if (o->end_mono_ns == 0 && po->count < 256)
        po->list[po->count++] = *o;
    else if (o->end_mono_ns && po->count)
        po->list[po->count - 1] = *o;
}

struct probe_args {
    double duration;
    bool json;
    const char *charset;
};

static const struct cli_option options[] = {
    {"duration", 0, CLI_DOUBLE, offsetof(struct probe_args, duration), 0.001, 1e7, .def = 0,
     .def_str = "a file to its end, a live source 10 s", .metavar = "S",
     .help = "seconds to read: stream time for a file, wall time live"},
    {"json", 0, CLI_FLAG, offsetof(struct probe_args, json), .help = "one JSON object on stdout"},
    {"charset", 0, CLI_STRING, offsetof(struct probe_args, charset), .metavar = "NAME",
     .help = "table for DVB text without a selector (default iso6937;\n"
             "e.g. gb2312, utf-8, iso8859-9)"},
    {NULL},
};

static const struct cli_spec spec = {
    .prog = "studycast probe",
    .usage = "probe SOURCE [--duration S] [--json] [--charset NAME]",
    .about = "  SOURCE      a file, '-', udp://[@]HOST:PORT[?iface=IF], rtp://...,\n"
             "              http://..., dvb://CHANNEL?channels=FILE[&adapter=N]\n"
             "\nWith --json, \"services\" are this multiplex's (PAT, PMT, SDT actual) and\n"
             "\"other_services\" those of other multiplexes that its SDT other (table 0x46)\n"
             "names; each entry has \"transport_stream_id\" and \"original_network_id\"\n"
             "(0 until an SDT is seen), and an other service is known by the three ids.\n",
    .options = options,
    .min_args = 1,
    .max_args = 1,
    .args_name = "SOURCE",
};

static void iso(int64_t t, char *buf, size_t size)
{
    sc_format_iso8601_utc(t, buf, size);
}

static void json_streams(struct sc_json *j, const struct dmx_service *s)
{
    sc_json_key(j, "streams");
    sc_json_array_begin(j);
    for (size_t k = 0; k < s->stream_count; k++) {
        const struct dmx_stream *st = &s->streams[k];
        sc_json_object_begin(j);
        sc_json_kv_int(j, "pid", st->pid);
        sc_json_kv_int(j, "stream_type", st->stream_type);
        sc_json_kv_string(j, "codec", st->codec);
        sc_json_kv_string(j, "language", st->language);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
}

static void json_services(struct sc_json *j, const char *key, const struct dmx_service *sv,
                          size_t n, bool actual)
{
    sc_json_key(j, key);
    sc_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        const struct dmx_service *s = &sv[i];
        if (s->actual != actual) continue;
        sc_json_object_begin(j);
        sc_json_kv_int(j, "id", s->id);
        sc_json_kv_string(j, "name", s->name);
        sc_json_kv_string(j, "provider", s->provider);
        sc_json_kv_int(j, "type", s->type);
        sc_json_kv_int(j, "transport_stream_id", s->transport_stream_id);
        sc_json_kv_int(j, "original_network_id", s->original_network_id);
        sc_json_kv_int(j, "pmt_pid", s->pmt_pid);
        sc_json_kv_int(j, "pcr_pid", s->pcr_pid);
        sc_json_kv_bool(j, "scrambled", s->scrambled);
        json_streams(j, s);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
}

static void json_events(struct sc_json *j, const struct dmx_event *ev, size_t n)
{
    char when[32];
    sc_json_key(j, "events");
    sc_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        const struct dmx_event *e = &ev[i];
        sc_json_object_begin(j);
        sc_json_kv_int(j, "service_id", e->service_id);
        sc_json_kv_int(j, "event_id", e->event_id);
        iso(e->start, when, sizeof when);
        sc_json_kv_string(j, "start", when);
        sc_json_kv_int(j, "duration", e->duration);
        sc_json_kv_string(j, "title", e->title);
        sc_json_kv_string(j, "description", e->description);
        sc_json_kv_string(j, "extended", e->extended);
        sc_json_kv_int(j, "running_status", e->running_status);
        sc_json_kv_string(j, "language", e->language);
        sc_json_kv_int(j, "genre", e->genre);
        sc_json_kv_int(j, "table_id", e->table_id);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
}

static void json_stats(struct sc_json *j, const struct dmx_stats *t, const struct dmx_pid_stats *ps,
                       size_t n)
{
    sc_json_key(j, "stats");
    sc_json_object_begin(j);
    for (size_t i = 0; i < n; i++) {
        char key[8];
        snprintf(key, sizeof key, "%u", ps[i].pid);
        sc_json_key(j, key);
        sc_json_object_begin(j);
        sc_json_kv_int(j, "packets", (int64_t)ps[i].packets);
        sc_json_kv_int(j, "cc_errors", ps[i].cc_errors);
        sc_json_kv_int(j, "tei", ps[i].tei);
        sc_json_kv_int(j, "scrambled", ps[i].scrambled);
        sc_json_kv_int(j, "pcr_jumps", ps[i].pcr_jumps);
        sc_json_kv_int(j, "duplicates", ps[i].duplicates);
        sc_json_kv_int(j, "discontinuities", ps[i].discontinuities);
        sc_json_kv_int(j, "dropped", ps[i].dropped);
        sc_json_object_end(j);
    }
    sc_json_object_end(j);
    sc_json_key(j, "transport");
    sc_json_object_begin(j);
    sc_json_kv_int(j, "bytes", (int64_t)t->bytes_in);
    sc_json_kv_int(j, "packet_size", t->packet_size);
    sc_json_kv_int(j, "packets", (int64_t)t->packets);
    sc_json_kv_int(j, "packets_clean", (int64_t)t->packets_out);
    sc_json_kv_int(j, "cc_errors", (int64_t)t->cc_errors);
    sc_json_kv_int(j, "tei", (int64_t)t->tei);
    sc_json_kv_int(j, "scrambled", (int64_t)t->scrambled);
    sc_json_kv_int(j, "pcr_jumps", (int64_t)t->pcr_jumps);
    sc_json_kv_int(j, "sync_losses", t->sync_losses);
    sc_json_kv_int(j, "skipped_bytes", (int64_t)t->skipped_bytes);
    sc_json_kv_int(j, "truncated_bytes", t->truncated_bytes);
    sc_json_kv_int(j, "section_crc_errors", (int64_t)t->section_crc_errors);
    sc_json_kv_int(j, "rtp_lost", (int64_t)t->rtp_lost);
    sc_json_kv_int(j, "rtp_reordered", (int64_t)t->rtp_reordered);
    sc_json_kv_double(j, "stream_seconds", t->stream_seconds);
    sc_json_object_end(j);
}

struct probe_result {
    struct dmx_service *services;
    size_t service_count;
    struct dmx_event *events;
    size_t event_count;
    struct dmx_pid_stats *pids;
    size_t pid_count;
    struct dmx_stats totals;
    struct dmx_time time;
    bool has_time;
    char network[256];
    uint16_t network_id;
    bool has_network;
    struct dmx_signal signal;
};

static void print_json(const char *source, const struct probe_result *r,
                       const struct probe_outages *po, int64_t t0)
{
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, true);
    sc_json_object_begin(&j);
    sc_json_kv_string(&j, "source", source);
    json_services(&j, "services", r->services, r->service_count, true);
    json_services(&j, "other_services", r->services, r->service_count, false);
    json_events(&j, r->events, r->event_count);
    sc_json_key(&j, "time");
    sc_json_object_begin(&j);
    char when[32];
    if (r->has_time) {
        iso(r->time.utc, when, sizeof when);
        sc_json_kv_string(&j, "utc", when);
    } else {
        sc_json_key(&j, "utc");
        sc_json_null(&j);
    }
    sc_json_key(&j, "local_offset_minutes");
    if (r->has_time && r->time.has_offset)
        sc_json_int(&j, r->time.local_offset_minutes);
    else
        sc_json_null(&j);
    sc_json_object_end(&j);
    if (r->has_network) {
        sc_json_key(&j, "network");
        sc_json_object_begin(&j);
        sc_json_kv_int(&j, "id", r->network_id);
        sc_json_kv_string(&j, "name", r->network);
        sc_json_object_end(&j);
    }
    json_stats(&j, &r->totals, r->pids, r->pid_count);
    sc_json_key(&j, "outages");
    sc_json_array_begin(&j);
    for (size_t i = 0; i < po->count; i++) {
        sc_json_object_begin(&j);
        sc_json_kv_double(&j, "start", (po->list[i].start_mono_ns - t0) / 1e9);
        sc_json_key(&j, "end");
        if (po->list[i].end_mono_ns)
            sc_json_double(&j, (po->list[i].end_mono_ns - t0) / 1e9);
        else
            sc_json_null(&j);
        sc_json_kv_string(&j, "cause", dmx_outage_cause_name(po->list[i].cause));
        sc_json_object_end(&j);
    }
    sc_json_array_end(&j);
    if (r->signal.valid) {
        sc_json_key(&j, "signal");
        sc_json_object_begin(&j);
        sc_json_kv_bool(&j, "locked", r->signal.locked);
        sc_json_kv_double(&j, "strength_dbm", r->signal.strength_dbm);
        sc_json_kv_double(&j, "strength_percent", r->signal.strength_percent);
        sc_json_kv_double(&j, "cnr_db", r->signal.cnr_db);
        sc_json_kv_int(&j, "quality", r->signal.quality);
        sc_json_object_end(&j);
    }
    sc_json_object_end(&j);
    sc_buf_puts(&buf, "\n");
    if (!buf.failed) fwrite(buf.data, 1, buf.len, stdout);
    sc_buf_free(&buf);
}

static void print_text(const struct probe_result *r, const struct probe_outages *po, int64_t t0)
{
    char when[32];
    printf("services:\n");
    for (size_t i = 0; i < r->service_count; i++) {
        const struct dmx_service *s = &r->services[i];
        if (s->actual)
            printf("  %5u %-28s %-20s type 0x%02x\n", s->id, s->name, s->provider, s->type);
        else
            printf("  %5u %-28s %-20s type 0x%02x (other multiplex: ts %u, network %u)\n", s->id,
                   s->name, s->provider, s->type, s->transport_stream_id, s->original_network_id);
        for (size_t k = 0; k < s->stream_count; k++)
            printf("        pid %4u  %-14s %s\n", s->streams[k].pid, s->streams[k].codec,
                   s->streams[k].language);
    }
    printf("events: %zu\n", r->event_count);
    for (size_t i = 0; i < r->event_count; i++) {
        const struct dmx_event *e = &r->events[i];
        iso(e->start, when, sizeof when);
        printf("  %5u %s %4d min  %s\n", e->service_id, when, e->duration / 60, e->title);
    }
    if (r->has_time) {
        iso(r->time.utc, when, sizeof when);
        printf("time: %s", when);
        if (r->time.has_offset) printf(" (local offset %+d min)", r->time.local_offset_minutes);
        printf("\n");
    } else {
        printf("time: none\n");
    }
    if (r->has_network) printf("network: %u %s\n", r->network_id, r->network);
    const struct dmx_stats *t = &r->totals;
    printf("stream: %" PRIu64 " packets of %u bytes, %.2f s; %" PRIu64 " CC errors, %" PRIu64
           " TEI, %" PRIu64 " scrambled, %" PRIu64 " PCR jumps, %u sync losses\n",
           t->packets, t->packet_size, t->stream_seconds, t->cc_errors, t->tei, t->scrambled,
           t->pcr_jumps, t->sync_losses);
    printf("  pid   packets  cc_err     tei  scrambled\n");
    for (size_t i = 0; i < r->pid_count; i++)
        printf("  %5u %8" PRIu64 " %7u %7u %10u\n", r->pids[i].pid, r->pids[i].packets,
               r->pids[i].cc_errors, r->pids[i].tei, r->pids[i].scrambled);
    for (size_t i = 0; i < po->count; i++)
        printf("outage: %.1f s .. %.1f s (%s)\n", (po->list[i].start_mono_ns - t0) / 1e9,
               po->list[i].end_mono_ns ? (po->list[i].end_mono_ns - t0) / 1e9 : NAN,
               dmx_outage_cause_name(po->list[i].cause));
}

static int collect(struct dmx_pipeline *p, struct probe_result *r)
{
    if (dmx_pipeline_services(p, &r->services, &r->service_count) < 0 ||
        dmx_pipeline_events(p, -1, &r->events, &r->event_count) < 0 ||
        dmx_pipeline_pid_stats(p, &r->pids, &r->pid_count) < 0)
        return -ENOMEM;
    dmx_pipeline_stats(p, &r->totals);
    r->has_time = dmx_pipeline_time(p, &r->time) == 0;
    r->has_network = dmx_pipeline_network(p, r->network, sizeof r->network, &r->network_id) == 0;
    dmx_pipeline_signal(p, &r->signal);
    return 0;
}

#define PROBE_LIVE_SECONDS 10.0 /* a live source without --duration */

/* Reads until the source ends or `duration` seconds have passed: stream
 * time for a file, wall time for a live source. duration 0 (not given):
 * a file to its end, a live source PROBE_LIVE_SECONDS. Returns 0 or 1. */
static int read_for(struct dmx_pipeline *p, const char *source, double duration, int64_t t0)
{
    bool live = dmx_pipeline_is_live(p);
    if (duration <= 0) duration = live ? PROBE_LIVE_SECONDS : INFINITY;
    uint8_t *buf = malloc(188 * 256);
    int status = buf ? 0 : 1;
    while (buf) {
        int n = dmx_pipeline_read(p, buf, 188 * 256, 200);
        if (n == DMX_EOF) break;
        if (n < 0) {
            fprintf(stderr, "studycast probe: %s: %s\n", source, dmx_strerror(n));
            status = 1;
            break;
        }
        if (live) {
            if ((sc_mono_ns() - t0) / 1e9 >= duration) break;
        } else {
            struct dmx_stats st;
            dmx_pipeline_stats(p, &st);
            if (st.stream_seconds >= duration) break;
        }
    }
    free(buf);
    return status;
}

int cli_probe(int argc, char **argv, struct sc_log *log)
{
    struct probe_args a;
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    const char *source = pos.v[0];
    struct dmx_options opts;
    dmx_options_default(&opts);
    if (a.charset) {
        opts.default_charset = dmx_charset_parse(a.charset);
        if (opts.default_charset < 0) return cli_error(&spec, "unknown charset '%s'", a.charset);
    }
    struct probe_outages outages = {.count = 0};
    struct dmx_callbacks cb = {.opaque = &outages, .outage = on_outage};
    struct sc_log *dlog = sc_log_child(log, "demux");
    struct dmx_pipeline *p;
    int64_t t0 = sc_mono_ns();
    int r = dmx_pipeline_create(&p, source, &opts, &cb, dlog);
    if (r < 0) {
        fprintf(stderr, "studycast probe: cannot open %s: %s\n", source, dmx_strerror(r));
        sc_log_destroy(dlog);
        return 1;
    }
    int status = read_for(p, source, a.duration, t0);
    struct probe_result res = {0};
    if (collect(p, &res) < 0) {
        fprintf(stderr, "studycast probe: out of memory\n");
        status = 1;
    } else if (a.json) {
        print_json(source, &res, &outages, t0);
    } else {
        print_text(&res, &outages, t0);
    }
    if (status == 0 && res.totals.packets == 0) { /* zeros, noise, another format */
        fprintf(stderr, "studycast probe: %s: no MPEG transport stream found\n", source);
        status = 1;
    }
    dmx_services_free(res.services, res.service_count);
    dmx_events_free(res.events, res.event_count);
    free(res.pids);
    dmx_pipeline_destroy(p);
    sc_log_destroy(dlog);
    return status;
}
