/* Service information through libdvbpsi: the only file that includes its
 * headers (they are not self-contained and must each be included once).
 * One dvbpsi handle per PID: PAT on 0, a PMT handle per program attached from
 * the PAT callback, subtable demuxes on NIT (0x10), SDT (0x11) and TDT/TOT
 * (0x14). EIT (0x12) uses libdvbpsi's section gathering (with its CRC check)
 * and its EIT section decoder, but section by section: the table-level EIT
 * decoder waits for a whole table, which segmented schedules and short
 * captures rarely deliver. Every libdvbpsi table is converted to our structs
 * and freed inside its callback. */
#include "demux/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dvbpsi/dvbpsi.h>
#include <dvbpsi/psi.h>
#include <dvbpsi/descriptor.h>
#include <dvbpsi/demux.h>
#include <dvbpsi/pat.h>
#include <dvbpsi/pmt.h>
#include <dvbpsi/sdt.h>
#include <dvbpsi/eit.h>
#include <dvbpsi/tot.h>
#include <dvbpsi/nit.h>

/* Exported by libdvbpsi 1.3 but declared only in its private eit header. */
void dvbpsi_eit_sections_decode(dvbpsi_eit_t *p_eit, dvbpsi_psi_section_t *p_section);

#define MAX_PMT_HANDLES 256
#define MAX_SERVICES    1024
#define EIT_SEEN_SLOTS  4096         /* (table, service) subtables remembered for dedup */
#define TIME_CEILING    4102444800LL /* 2100-01-01 */
#define TIME_MAX_STEP   30           /* s a table may run ahead of the wall clock */

struct pmt_handle {
    uint16_t pid, program;
    dvbpsi_t *h;
};

struct service {
    struct dmx_service s;
    bool in_pat, in_sdt;
};

/* Which EIT sections of which version we already converted. */
struct eit_seen {
    uint32_t key; /* 1 + (table_id << 16 | service_id); 0 = free slot */
    uint8_t version;
    uint8_t sections[32]; /* bitmap of section numbers */
};

/* A private libdvbpsi decoder for the EIT PID: its gather gets every
 * complete section whose CRC checked out. */
struct eit_decoder {
    DVBPSI_DECODER_COMMON
    struct dmx_si *si;
};

struct dmx_si {
    struct sc_log *log;
    struct sc_log_limit limit;
    struct dmx_text *text;
    struct dmx_guide *guide;
    int charset;
    int64_t time_floor;

    dvbpsi_t *pat, *nit, *sdt, *eit, *tot;
    uint16_t nit_pid;
    struct pmt_handle pmts[MAX_PMT_HANDLES];
    size_t pmt_count;

    bool has_pat;
    uint16_t ts_id;
    int pat_version;

    struct service *services;
    size_t service_count;

    struct eit_seen *eit_seen;

    /* broadcast time */
    bool time_valid, candidate_valid;
    struct dmx_time time;
    int64_t candidate_utc, candidate_mono;
    int offset_minutes;
    bool has_offset;

    uint16_t network_id;
    char *network_name;
    uint64_t crc_errors;
    unsigned changes;
};

static void on_message(dvbpsi_t *h, const dvbpsi_msg_level_t level, const char *msg)
{
    struct dmx_si *si = h->p_sys;
    if (strstr(msg, "Bad CRC")) si->crc_errors++;
    if (level == DVBPSI_MSG_ERROR) sc_logf_limited(si->log, &si->limit, SC_LOG_DEBUG, "%s", msg);
}

static dvbpsi_t *new_handle(struct dmx_si *si)
{
    dvbpsi_t *h = dvbpsi_new(on_message, DVBPSI_MSG_ERROR);
    if (h) h->p_sys = si;
    return h;
}

static void delete_handle(dvbpsi_t *h, void (*detach)(dvbpsi_t *))
{
    if (!h) return;
    if (h->p_decoder && detach)
        detach(h);
    else if (h->p_decoder)
        dvbpsi_decoder_delete(h->p_decoder), h->p_decoder = NULL;
    dvbpsi_delete(h);
}

/* ---- services -------------------------------------------------------------- */

static void service_clear(struct dmx_service *s)
{
    free(s->name);
    free(s->provider);
    free(s->streams);
}

/* Is s this service of another multiplex (original network, TS)? */
static bool same_other(const struct dmx_service *s, uint16_t tsid, uint16_t onid)
{
    return !s->actual && s->transport_stream_id == tsid && s->original_network_id == onid;
}

/* An actual service by id, or a service of another multiplex by id, TS and
 * original network (onid is ignored for actual services). */
static struct service *find_service(struct dmx_si *si, uint16_t id, bool actual, uint16_t tsid,
                                    uint16_t onid, bool create)
{
    for (size_t i = 0; i < si->service_count; i++) {
        struct dmx_service *s = &si->services[i].s;
        if (s->id == id && (actual ? s->actual : same_other(s, tsid, onid)))
            return &si->services[i];
    }
    if (!create || si->service_count >= MAX_SERVICES) return NULL;
    struct service *n = realloc(si->services, (si->service_count + 1) * sizeof *n);
    if (!n) return NULL;
    si->services = n;
    struct service *sv = &si->services[si->service_count];
    *sv = (struct service){.s = {.id = id,
                                 .actual = actual,
                                 .transport_stream_id = tsid,
                                 .original_network_id = actual ? 0 : onid,
                                 .pcr_pid = PID_NULL,
                                 .name = strdup(""),
                                 .provider = strdup("")}};
    if (!sv->s.name || !sv->s.provider) {
        service_clear(&sv->s);
        return NULL;
    }
    si->service_count++;
    return sv;
}

static void drop_unreferenced(struct dmx_si *si)
{
    for (size_t i = 0; i < si->service_count;) {
        struct service *sv = &si->services[i];
        if (!sv->in_pat && !sv->in_sdt) {
            service_clear(&sv->s);
            memmove(sv, sv + 1, (si->service_count - i - 1) * sizeof *sv);
            si->service_count--;
        } else {
            i++;
        }
    }
}

/* ---- PMT --------------------------------------------------------------------- */

/* Copies a dvbpsi descriptor list back into raw bytes for the codec guess. */
static size_t raw_descriptors(const dvbpsi_descriptor_t *d, uint8_t *out, size_t size)
{
    size_t n = 0;
    for (; d; d = d->p_next) {
        if (n + 2 + d->i_length > size) break;
        out[n] = d->i_tag;
        out[n + 1] = d->i_length;
        memcpy(out + n + 2, d->p_data, d->i_length);
        n += 2 + (size_t)d->i_length;
    }
    return n;
}

static void on_pmt(void *data, dvbpsi_pmt_t *pmt)
{
    struct dmx_si *si = data;
    if (!pmt->b_current_next) { /* announces the next version: not in force yet */
        dvbpsi_pmt_delete(pmt);
        return;
    }
    struct service *sv = find_service(si, pmt->i_program_number, true, si->ts_id, 0, true);
    if (sv) {
        size_t n = 0;
        for (dvbpsi_pmt_es_t *es = pmt->p_first_es; es; es = es->p_next)
            n++;
        struct dmx_stream *streams = calloc(n ? n : 1, sizeof *streams);
        if (streams) {
            size_t k = 0;
            for (dvbpsi_pmt_es_t *es = pmt->p_first_es; es; es = es->p_next, k++) {
                uint8_t raw[1024];
                size_t rl = raw_descriptors(es->p_first_descriptor, raw, sizeof raw);
                streams[k].pid = es->i_pid;
                streams[k].stream_type = es->i_type;
                snprintf(streams[k].codec, sizeof streams[k].codec, "%s",
                         dmx_codec_name(es->i_type, raw, rl));
                for (dvbpsi_descriptor_t *d = es->p_first_descriptor; d; d = d->p_next)
                    dmx_desc_languages(d->i_tag, d->p_data, d->i_length, streams[k].language,
                                       sizeof streams[k].language);
            }
            free(sv->s.streams);
            sv->s.streams = streams;
            sv->s.stream_count = n;
        }
        sv->s.pcr_pid = pmt->i_pcr_pid;
        si->changes |= DMX_SI_SERVICES;
    }
    dvbpsi_pmt_delete(pmt);
}

/* ---- PAT ---------------------------------------------------------------------- */

static void attach_nit(struct dmx_si *si, uint16_t pid);

static bool pmt_wanted(const dvbpsi_pat_t *pat, const struct pmt_handle *ph)
{
    for (const dvbpsi_pat_program_t *p = pat->p_first_program; p; p = p->p_next)
        if (p->i_number == ph->program && p->i_pid == ph->pid) return true;
    return false;
}

static void on_pat(void *data, dvbpsi_pat_t *pat)
{
    struct dmx_si *si = data;
    if (!pat->b_current_next) {
        dvbpsi_pat_delete(pat);
        return;
    }
    si->has_pat = true;
    si->ts_id = pat->i_ts_id;
    si->pat_version = pat->i_version;
    /* a new version replaces the old: detach PMTs of programs that left */
    for (size_t i = 0; i < si->pmt_count;) {
        if (!pmt_wanted(pat, &si->pmts[i])) {
            delete_handle(si->pmts[i].h, dvbpsi_pmt_detach);
            si->pmts[i] = si->pmts[--si->pmt_count];
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < si->service_count; i++)
        if (si->services[i].s.actual) si->services[i].in_pat = false;
    for (dvbpsi_pat_program_t *p = pat->p_first_program; p; p = p->p_next) {
        if (p->i_number == 0) {
            if (p->i_pid != si->nit_pid && p->i_pid > 0x1F && p->i_pid < PID_NULL)
                attach_nit(si, p->i_pid);
            continue;
        }
        struct service *sv = find_service(si, p->i_number, true, pat->i_ts_id, 0, true);
        if (!sv) continue;
        sv->in_pat = true;
        sv->s.pmt_pid = p->i_pid;
        sv->s.transport_stream_id = pat->i_ts_id;
        bool have = false;
        for (size_t i = 0; i < si->pmt_count; i++)
            have |= si->pmts[i].program == p->i_number && si->pmts[i].pid == p->i_pid;
        if (have || si->pmt_count >= MAX_PMT_HANDLES || p->i_pid >= PID_NULL) continue;
        dvbpsi_t *h = new_handle(si);
        if (!h) continue;
        if (!dvbpsi_pmt_attach(h, p->i_number, on_pmt, si)) {
            dvbpsi_delete(h);
            continue;
        }
        si->pmts[si->pmt_count++] = (struct pmt_handle){p->i_pid, p->i_number, h};
    }
    drop_unreferenced(si);
    si->changes |= DMX_SI_SERVICES;
    dvbpsi_pat_delete(pat);
}

/* ---- SDT ----------------------------------------------------------------------- */

static void on_sdt(void *data, dvbpsi_sdt_t *sdt)
{
    struct dmx_si *si = data;
    if (!sdt->b_current_next) {
        dvbpsi_sdt_delete(sdt);
        return;
    }
    bool actual = sdt->i_table_id == 0x42;
    uint16_t tsid = sdt->i_extension, onid = sdt->i_network_id;
    /* the new version replaces the old one of this transport stream */
    for (size_t i = 0; i < si->service_count; i++) {
        struct service *sv = &si->services[i];
        if (actual ? sv->s.actual : same_other(&sv->s, tsid, onid)) sv->in_sdt = false;
    }
    for (dvbpsi_sdt_service_t *ss = sdt->p_first_service; ss; ss = ss->p_next) {
        struct service *sv = find_service(si, ss->i_service_id, actual, tsid, onid, true);
        if (!sv) continue;
        sv->in_sdt = true;
        sv->s.transport_stream_id = tsid;
        sv->s.original_network_id = onid;
        sv->s.scrambled = ss->b_free_ca;
        for (dvbpsi_descriptor_t *d = ss->p_first_descriptor; d; d = d->p_next) {
            if (d->i_tag != 0x48) continue;
            uint8_t type;
            char *provider = NULL, *name = NULL;
            if (dmx_desc_service(si->text, si->charset, d->p_data, d->i_length, &type, &provider,
                                 &name) == 0) {
                free(sv->s.name);
                free(sv->s.provider);
                sv->s.name = name;
                sv->s.provider = provider;
                sv->s.type = type;
            } else {
                free(provider);
                free(name);
            }
            break;
        }
    }
    /* a service the new version no longer describes loses its description */
    for (size_t i = 0; i < si->service_count; i++) {
        struct service *sv = &si->services[i];
        if (sv->in_sdt || !(actual ? sv->s.actual : same_other(&sv->s, tsid, onid))) continue;
        char *empty_name = strdup(""), *empty_provider = strdup("");
        if (empty_name && empty_provider) {
            free(sv->s.name);
            free(sv->s.provider);
            sv->s.name = empty_name;
            sv->s.provider = empty_provider;
            sv->s.type = 0;
        } else {
            free(empty_name);
            free(empty_provider);
        }
    }
    drop_unreferenced(si);
    si->changes |= DMX_SI_SERVICES;
    dvbpsi_sdt_delete(sdt);
}

/* ---- NIT ------------------------------------------------------------------------ */

static void on_nit(void *data, dvbpsi_nit_t *nit)
{
    struct dmx_si *si = data;
    if (nit->i_table_id == 0x40 && nit->b_current_next) {
        si->network_id = nit->i_network_id;
        for (dvbpsi_descriptor_t *d = nit->p_first_descriptor; d; d = d->p_next) {
            if (d->i_tag != 0x40) continue;
            char *name = dmx_text_strdup(si->text, d->p_data, d->i_length, si->charset);
            if (name) {
                free(si->network_name);
                si->network_name = name;
            }
        }
        si->changes |= DMX_SI_SERVICES;
    }
    dvbpsi_nit_delete(nit);
}

/* ---- TDT / TOT -------------------------------------------------------------------- */

/* A time is used only once two consecutive tables agree: after the floor,
 * before 2100, not going back, not running ahead of the elapsed time by more
 * than TIME_MAX_STEP seconds. */
static void time_received(struct dmx_si *si, int64_t utc)
{
    int64_t now = sc_mono_ns();
    if (utc < si->time_floor || utc >= TIME_CEILING) {
        sc_logf_limited(si->log, &si->limit, SC_LOG_INFO, "implausible broadcast time %lld ignored",
                        (long long)utc);
        return;
    }
    bool consistent = false;
    if (si->candidate_valid) {
        int64_t step = utc - si->candidate_utc;
        int64_t elapsed = (now - si->candidate_mono) / 1000000000;
        consistent = step >= 0 && step <= elapsed + TIME_MAX_STEP;
    }
    si->candidate_utc = utc;
    si->candidate_mono = now;
    si->candidate_valid = true;
    if (!consistent) return;
    si->time_valid = true;
    si->time.utc = utc;
    si->time.received_mono_ns = now;
    si->time.local_offset_minutes = si->offset_minutes;
    si->time.has_offset = si->has_offset;
    si->changes |= DMX_SI_TIME;
}

static void on_tot(void *data, dvbpsi_tot_t *tot)
{
    struct dmx_si *si = data;
    int64_t utc = dmx_mjd_bcd_to_unix(tot->i_utc_time);
    if (utc >= 0) {
        if (tot->i_table_id == 0x73) {
            for (dvbpsi_descriptor_t *d = tot->p_first_descriptor; d; d = d->p_next) {
                int minutes;
                if (d->i_tag == 0x58 &&
                    dmx_desc_local_offset(d->p_data, d->i_length, utc, &minutes)) {
                    si->offset_minutes = minutes;
                    si->has_offset = true;
                    break;
                }
            }
        }
        time_received(si, utc);
    }
    dvbpsi_tot_delete(tot);
}

/* ---- subtable demuxes ---------------------------------------------------------------- */

static void on_new_subtable(dvbpsi_t *h, uint8_t table_id, uint16_t extension, void *data)
{
    struct dmx_si *si = data;
    if (h == si->sdt && (table_id == 0x42 || table_id == 0x46))
        dvbpsi_sdt_attach(h, table_id, extension, on_sdt, si);
    else if (h == si->nit && (table_id == 0x40 || table_id == 0x41))
        dvbpsi_nit_attach(h, table_id, extension, on_nit, si);
    else if (h == si->tot && (table_id == 0x70 || table_id == 0x73))
        dvbpsi_tot_attach(h, table_id, extension, on_tot, si);
}

static void detach_all(dvbpsi_t *h)
{
    dvbpsi_DetachDemux(h);
}

static void attach_nit(struct dmx_si *si, uint16_t pid)
{
    delete_handle(si->nit, detach_all);
    si->nit = new_handle(si);
    si->nit_pid = pid;
    if (si->nit && !dvbpsi_AttachDemux(si->nit, on_new_subtable, si)) {
        dvbpsi_delete(si->nit);
        si->nit = NULL;
    }
}

/* ---- EIT ------------------------------------------------------------------------------- */

static struct eit_seen *eit_slot(struct dmx_si *si, uint8_t table_id, uint16_t service_id)
{
    uint32_t key = 1 + ((uint32_t)table_id << 16 | service_id);
    uint32_t h = (key * 2654435761u) % EIT_SEEN_SLOTS;
    for (unsigned probe = 0; probe < EIT_SEEN_SLOTS; probe++) {
        struct eit_seen *e = &si->eit_seen[(h + probe) % EIT_SEEN_SLOTS];
        if (e->key == key) return e;
        if (e->key == 0) {
            *e = (struct eit_seen){.key = key, .version = 0xFF};
            return e;
        }
    }
    return NULL; /* full: no dedup, every section is converted */
}

/* The event loop must stay inside the section before libdvbpsi walks it. */
static bool eit_loop_valid(const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        if (end - p < 12) return false;
        size_t dl = ((size_t)(p[10] & 0x0F) << 8) | p[11];
        if ((size_t)(end - p) < 12 + dl) return false;
        p += 12 + dl;
    }
    return true;
}

static void convert_event(struct dmx_si *si, const dvbpsi_eit_t *eit, const dvbpsi_eit_event_t *e,
                          uint8_t section, struct dmx_event *out)
{
    *out = (struct dmx_event){.service_id = eit->i_extension,
                              .event_id = e->i_event_id,
                              .start = dmx_mjd_bcd_to_unix(e->i_start_time),
                              .duration = dmx_bcd_duration(e->i_duration),
                              .running_status = e->i_running_status,
                              .table_id = eit->i_table_id,
                              .section_number = section};
    if (out->start < 0) out->start = 0;
    if (out->duration < 0) out->duration = 0;
    struct dmx_extended ext = {0};
    for (dvbpsi_descriptor_t *d = e->p_first_descriptor; d; d = d->p_next) {
        if (d->i_tag == 0x4D && !out->title) {
            if (dmx_desc_short_event(si->text, si->charset, d->p_data, d->i_length, out->language,
                                     &out->title, &out->description) < 0) {
                free(out->title);
                free(out->description);
                out->title = out->description = NULL;
            }
        } else if (d->i_tag == 0x4E) {
            dmx_desc_extended_add(&ext, si->text, si->charset, d->p_data, d->i_length);
        } else if (d->i_tag == 0x54 && d->i_length >= 2 && !out->genre) {
            out->genre = d->p_data[0];
        }
    }
    out->extended = dmx_desc_extended_finish(&ext, si->text, si->charset);
}

static void on_eit_section(dvbpsi_t *h, dvbpsi_psi_section_t *s)
{
    struct dmx_si *si = h->p_sys;
    s->p_next = NULL;
    if (s->i_table_id < 0x4E || s->i_table_id > 0x6F || !s->b_syntax_indicator ||
        !s->b_current_next || s->p_payload_end - s->p_payload_start < 6 ||
        !eit_loop_valid(s->p_payload_start + 6, s->p_payload_end)) {
        dvbpsi_DeletePSISections(s);
        return;
    }
    /* The guide is keyed by service id: an "other" table about a service of
     * another multiplex that shares an id with one of ours would mix its
     * events into our service's guide, so it is left out. */
    uint16_t eit_ts_id = (uint16_t)(s->p_payload_start[0] << 8 | s->p_payload_start[1]);
    bool other_table = s->i_table_id == 0x4F || s->i_table_id >= 0x60;
    if (other_table && si->has_pat && eit_ts_id != si->ts_id &&
        find_service(si, s->i_extension, true, si->ts_id, 0, false)) {
        dvbpsi_DeletePSISections(s);
        return;
    }
    struct eit_seen *seen = eit_slot(si, s->i_table_id, s->i_extension);
    if (seen) {
        if (seen->version != s->i_version) { /* a new version replaces the old */
            seen->version = s->i_version;
            memset(seen->sections, 0, sizeof seen->sections);
        } else if (seen->sections[s->i_number / 8] & (1u << (s->i_number % 8))) {
            dvbpsi_DeletePSISections(s);
            return;
        }
        seen->sections[s->i_number / 8] |= (uint8_t)(1u << (s->i_number % 8));
    }
    const uint8_t *ps = s->p_payload_start;
    dvbpsi_eit_t *eit = dvbpsi_eit_new(s->i_table_id, s->i_extension, s->i_version,
                                       s->b_current_next, (uint16_t)(ps[0] << 8 | ps[1]),
                                       (uint16_t)(ps[2] << 8 | ps[3]), ps[4], ps[5]);
    if (!eit) {
        dvbpsi_DeletePSISections(s);
        return;
    }
    dvbpsi_eit_sections_decode(eit, s);
    size_t n = 0;
    for (dvbpsi_eit_event_t *e = eit->p_first_event; e; e = e->p_next)
        n++;
    struct dmx_event *events = calloc(n ? n : 1, sizeof *events);
    if (events) {
        size_t k = 0;
        for (dvbpsi_eit_event_t *e = eit->p_first_event; e; e = e->p_next)
            convert_event(si, eit, e, s->i_number, &events[k++]);
        int64_t now = si->time_valid ? si->time.utc : 0;
        dmx_guide_put_section(si->guide, eit->i_extension, eit->i_table_id, s->i_number, events, n,
                              now);
        free(events);
        si->changes |= DMX_SI_GUIDE;
    }
    dvbpsi_eit_delete(eit);
    dvbpsi_DeletePSISections(s);
}

/* ---- the handle set ------------------------------------------------------------------ */

static dvbpsi_t *new_demux(struct dmx_si *si)
{
    dvbpsi_t *h = new_handle(si);
    if (h && !dvbpsi_AttachDemux(h, on_new_subtable, si)) {
        dvbpsi_delete(h);
        return NULL;
    }
    return h;
}

struct dmx_si *dmx_si_create(const struct dmx_options *options, struct dmx_guide *guide,
                             struct sc_log *log)
{
    struct dmx_si *si = calloc(1, sizeof *si);
    if (!si) return NULL;
    si->log = log;
    si->limit.burst = 5;
    si->limit.period_ms = 5000;
    si->guide = guide;
    si->charset = options->default_charset;
    si->time_floor = options->time_floor;
    si->pat_version = -1;
    si->nit_pid = 0x10;
    si->text = dmx_text_create();
    si->eit_seen = calloc(EIT_SEEN_SLOTS, sizeof *si->eit_seen);
    si->pat = new_handle(si);
    if (!si->text || !si->eit_seen || !si->pat || !dvbpsi_pat_attach(si->pat, on_pat, si))
        goto fail;
    si->nit = new_demux(si);
    si->sdt = new_demux(si);
    si->tot = new_demux(si);
    si->eit = new_handle(si);
    if (!si->nit || !si->sdt || !si->tot || !si->eit) goto fail;
    struct eit_decoder *dec = dvbpsi_decoder_new(on_eit_section, 4096, true, sizeof *dec);
    if (!dec) goto fail;
    dec->si = si;
    si->eit->p_decoder = DVBPSI_DECODER(dec);
    return si;
fail:
    dmx_si_destroy(si);
    return NULL;
}

void dmx_si_destroy(struct dmx_si *si)
{
    if (!si) return;
    if (si->pat && si->pat->p_decoder) dvbpsi_pat_detach(si->pat);
    if (si->pat) dvbpsi_delete(si->pat);
    for (size_t i = 0; i < si->pmt_count; i++)
        delete_handle(si->pmts[i].h, dvbpsi_pmt_detach);
    delete_handle(si->nit, detach_all);
    delete_handle(si->sdt, detach_all);
    delete_handle(si->tot, detach_all);
    delete_handle(si->eit, NULL);
    for (size_t i = 0; i < si->service_count; i++)
        service_clear(&si->services[i].s);
    free(si->services);
    free(si->eit_seen);
    free(si->network_name);
    dmx_text_destroy(si->text);
    free(si);
}

void dmx_si_push(struct dmx_si *si, const uint8_t *pkt)
{
    unsigned pid = ((unsigned)(pkt[1] & 0x1F) << 8) | pkt[2];
    /* the pointer field must stay inside the packet (libdvbpsi trusts it) */
    if ((pkt[3] & 0x10) && (pkt[1] & 0x40)) {
        unsigned start = (pkt[3] & 0x20) ? 5u + pkt[4] : 4u;
        if (start >= TS_PACKET || start + 1u + pkt[start] >= TS_PACKET) return;
    }
    uint8_t *p = (uint8_t *)pkt; /* libdvbpsi takes a non-const pointer but only reads */
    if (pid == 0)
        dvbpsi_packet_push(si->pat, p);
    else if (pid == si->nit_pid && si->nit)
        dvbpsi_packet_push(si->nit, p);
    else if (pid == 0x11)
        dvbpsi_packet_push(si->sdt, p);
    else if (pid == 0x12)
        dvbpsi_packet_push(si->eit, p);
    else if (pid == 0x14)
        dvbpsi_packet_push(si->tot, p);
    for (size_t i = 0; i < si->pmt_count; i++)
        if (si->pmts[i].pid == pid) dvbpsi_packet_push(si->pmts[i].h, p);
}

unsigned dmx_si_take_changes(struct dmx_si *si)
{
    unsigned c = si->changes;
    si->changes = 0;
    return c;
}

static int by_actual_then_id(const void *a, const void *b)
{
    const struct dmx_service *x = a, *y = b;
    if (x->actual != y->actual) return x->actual ? -1 : 1;
    if (x->original_network_id != y->original_network_id && !x->actual)
        return (int)x->original_network_id - (int)y->original_network_id;
    if (x->transport_stream_id != y->transport_stream_id && !x->actual)
        return (int)x->transport_stream_id - (int)y->transport_stream_id;
    return (int)x->id - (int)y->id;
}

void dmx_services_free(struct dmx_service *services, size_t count)
{
    if (!services) return;
    for (size_t i = 0; i < count; i++)
        service_clear(&services[i]);
    free(services);
}

int dmx_si_services(const struct dmx_si *si, struct dmx_service **out, size_t *count)
{
    *count = 0;
    *out = calloc(si->service_count ? si->service_count : 1, sizeof **out);
    if (!*out) return -ENOMEM;
    for (size_t i = 0; i < si->service_count; i++) {
        const struct dmx_service *s = &si->services[i].s;
        struct dmx_service *d = &(*out)[i];
        *d = *s;
        d->name = strdup(s->name);
        d->provider = strdup(s->provider);
        d->streams = malloc((s->stream_count ? s->stream_count : 1) * sizeof *d->streams);
        *count = i + 1;
        if (!d->name || !d->provider || !d->streams) {
            dmx_services_free(*out, *count);
            *out = NULL;
            *count = 0;
            return -ENOMEM;
        }
        if (s->stream_count) memcpy(d->streams, s->streams, s->stream_count * sizeof *d->streams);
    }
    qsort(*out, *count, sizeof **out, by_actual_then_id);
    return 0;
}

int dmx_si_time(const struct dmx_si *si, struct dmx_time *out)
{
    if (!si->time_valid) return -ENOENT;
    *out = si->time;
    return 0;
}

bool dmx_si_service_pids(const struct dmx_si *si, uint16_t service_id, uint8_t *pids,
                         uint16_t *pmt_pid)
{
    for (size_t i = 0; i < si->service_count; i++) {
        const struct dmx_service *s = &si->services[i].s;
        if (!s->actual || s->id != service_id || !s->pmt_pid) continue;
        *pmt_pid = s->pmt_pid;
        pids[s->pmt_pid / 8] |= (uint8_t)(1u << (s->pmt_pid % 8));
        if (s->pcr_pid < PID_NULL) pids[s->pcr_pid / 8] |= (uint8_t)(1u << (s->pcr_pid % 8));
        for (size_t k = 0; k < s->stream_count; k++)
            pids[s->streams[k].pid / 8] |= (uint8_t)(1u << (s->streams[k].pid % 8));
        return true;
    }
    return false;
}

size_t dmx_si_service_streams(const struct dmx_si *si, uint16_t service_id, uint16_t *video_pid,
                              uint8_t *video_type)
{
    static const uint8_t video_types[] = {0x01, 0x02, 0x10, 0x1B, 0x24, 0x42, 0xD1, 0xEA};
    *video_pid = 0;
    *video_type = 0;
    for (size_t i = 0; i < si->service_count; i++) {
        const struct dmx_service *s = &si->services[i].s;
        if (!s->actual || s->id != service_id || !s->pmt_pid) continue;
        for (size_t k = 0; k < s->stream_count && !*video_pid; k++)
            if (memchr(video_types, s->streams[k].stream_type, sizeof video_types)) {
                *video_pid = s->streams[k].pid;
                *video_type = s->streams[k].stream_type;
            }
        return s->stream_count;
    }
    return 0;
}

bool dmx_si_ts_id(const struct dmx_si *si, uint16_t *ts_id)
{
    *ts_id = si->ts_id;
    return si->has_pat;
}

uint64_t dmx_si_crc_errors(const struct dmx_si *si)
{
    return si->crc_errors;
}

const char *dmx_si_network(const struct dmx_si *si, uint16_t *network_id)
{
    *network_id = si->network_id;
    return si->network_name;
}
