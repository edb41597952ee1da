/* Service information: streams built here with libdvbpsi's generators,
 * carrying GB2312, UTF-8 and UCS-2 names and titles, read back through the
 * demux pipeline. Also versioning, bad CRCs, the broadcast time checks,
 * service selection (PAT rewrite) and the guide's bounds and save/reload.
 * With "--write DIR" it only writes the streams for probe_si.sh. */
#include "demux/demux.h"
#include "tests/demux/si_builder.h"
#include "tests/test.h"

#include <unistd.h>

#define T0 1772352000 /* 2026-03-01T08:00:00Z */

/* Expected UTF-8 strings and their DVB forms. */
#define SVC1_NAME     "乡村教育频道"
#define SVC1_NAME_GB  "\x13\xCF\xE7\xB4\xE5\xBD\xCC\xD3\xFD\xC6\xB5\xB5\xC0"
#define SVC1_PROV     "县农业局"
#define SVC1_PROV_U8  "\x15县农业局"
#define SVC2_NAME     "学习频道"
#define SVC2_NAME_U16 "\x11\x5B\x66\x4E\x60\x98\x91\x90\x53"
#define EV100_TITLE   "水稻种植技术 第一讲"
#define EV100_TITLE_GB                                                                             \
    "\x13\xCB\xAE\xB5\xBE\xD6\xD6\xD6\xB2\xBC\xBC\xCA\xF5\x20\xB5\xDA\xD2\xBB\xBD\xB2"
#define EV100_DESC "主讲：李教授，农业大学"
#define EV100_DESC_GB                                                                              \
    "\x13\xD6\xF7\xBD\xB2\xA3\xBA\xC0\xEE\xBD\xCC\xCA\xDA\xA3\xAC\xC5\xA9\xD2\xB5\xB4\xF3\xD1\xA7"
#define EV101_TITLE     "果树修剪 (UTF-8)"
#define EV200_TITLE     "农业技术课堂"
#define EV200_TITLE_U16 "\x11\x51\x9C\x4E\x1A\x62\x80\x67\x2F\x8B\xFE\x58\x02"
#define S(lit)          lit, sizeof(lit) - 1

static void put_pat(struct si_writer *w, uint8_t version)
{
    dvbpsi_pat_t *pat = dvbpsi_pat_new(0x0101, version, true);
    dvbpsi_pat_program_add(pat, 0, 0x10);
    dvbpsi_pat_program_add(pat, 1, 0x1000);
    dvbpsi_pat_program_add(pat, 2, 0x1010);
    si_put_sections(w, 0, dvbpsi_pat_sections_generate(w->h, pat, 253));
    dvbpsi_pat_delete(pat);
}

static void put_pmts(struct si_writer *w)
{
    uint8_t lang_chi[4] = {'c', 'h', 'i', 0}, lang_eng[4] = {'e', 'n', 'g', 0};
    dvbpsi_pmt_t *pmt = dvbpsi_pmt_new(1, 0, true, 0x1001);
    dvbpsi_pmt_es_add(pmt, 0x02, 0x1001);
    dvbpsi_pmt_es_t *es = dvbpsi_pmt_es_add(pmt, 0x03, 0x1002);
    dvbpsi_pmt_es_descriptor_add(es, 0x0A, 4, lang_chi);
    es = dvbpsi_pmt_es_add(pmt, 0x03, 0x1003);
    dvbpsi_pmt_es_descriptor_add(es, 0x0A, 4, lang_eng);
    si_put_sections(w, 0x1000, dvbpsi_pmt_sections_generate(w->h, pmt));
    dvbpsi_pmt_delete(pmt);
    pmt = dvbpsi_pmt_new(2, 0, true, 0x1011);
    dvbpsi_pmt_es_add(pmt, 0x1B, 0x1011);
    es = dvbpsi_pmt_es_add(pmt, 0x0F, 0x1012);
    dvbpsi_pmt_es_descriptor_add(es, 0x0A, 4, lang_chi);
    si_put_sections(w, 0x1010, dvbpsi_pmt_sections_generate(w->h, pmt));
    dvbpsi_pmt_delete(pmt);
}

static void put_sdt_next(struct si_writer *w, uint8_t version, const char *name1, size_t n1len,
                         bool current)
{
    uint8_t d[256];
    dvbpsi_sdt_t *sdt = dvbpsi_sdt_new(0x42, 0x0101, version, current, 0x2000);
    dvbpsi_sdt_service_t *s = dvbpsi_sdt_service_add(sdt, 1, true, true, 4, false);
    size_t n = si_service_desc(d, 0x01, S(SVC1_PROV_U8), name1, n1len);
    dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)n, d);
    s = dvbpsi_sdt_service_add(sdt, 2, false, true, 4, false);
    n = si_service_desc(d, 0x19, S("Provider A"), S(SVC2_NAME_U16));
    dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)n, d);
    s = dvbpsi_sdt_service_add(sdt, 3, false, false, 1, true);
    n = si_service_desc(d, 0x02,
                        S("\x10\x00\x02\xA3\xF3"
                          "d\xBC"),
                        S("\x15课程三"));
    dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)n, d);
    si_put_sections(w, 0x11, dvbpsi_sdt_sections_generate(w->h, sdt));
    dvbpsi_sdt_delete(sdt);
    /* SDT other: a service of another multiplex */
    sdt = dvbpsi_sdt_new(0x46, 0x0202, 0, true, 0x2000);
    s = dvbpsi_sdt_service_add(sdt, 7, false, false, 4, false);
    n = si_service_desc(d, 0x01, S("Other"), S("Other One"));
    dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)n, d);
    /* libdvbpsi 1.3.3's generator always writes table_id 0x42: patch, reseal */
    dvbpsi_psi_section_t *sec = dvbpsi_sdt_sections_generate(w->h, sdt);
    sec->i_table_id = 0x46;
    sec->p_data[0] = 0x46;
    dvbpsi_BuildPSISection(w->h, sec);
    si_put_sections(w, 0x11, sec);
    dvbpsi_sdt_delete(sdt);
}

/* One SDT other (table 0x46) for transport stream tsid of network onid,
 * describing services first_id, first_id + 1 ... named names[]. */
static void put_sdt_other(struct si_writer *w, uint16_t tsid, uint16_t onid, uint16_t first_id,
                          const char *const *names, int count)
{
    uint8_t d[256];
    dvbpsi_sdt_t *sdt = dvbpsi_sdt_new(0x46, tsid, 0, true, onid);
    for (int i = 0; i < count; i++) {
        dvbpsi_sdt_service_t *s =
            dvbpsi_sdt_service_add(sdt, (uint16_t)(first_id + i), false, false, 4, false);
        size_t n = si_service_desc(d, 0x01, S("Net"), names[i], strlen(names[i]));
        dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)n, d);
    }
    dvbpsi_psi_section_t *sec = dvbpsi_sdt_sections_generate(w->h, sdt);
    sec->i_table_id = 0x46; /* see put_sdt_next */
    sec->p_data[0] = 0x46;
    dvbpsi_BuildPSISection(w->h, sec);
    si_put_sections(w, 0x11, sec);
    dvbpsi_sdt_delete(sdt);
}

/* Other multiplexes: TS 0x0404 of another network (0x2001), whose service 7
 * is not the "Other One" of TS 0x0202, and a TS 0x0303 with two services.
 * (The same TS id on two networks cannot be told apart: libdvbpsi's demux
 * keys a subtable by table id and TS id only.) */
static void put_sdt_others(struct si_writer *w)
{
    static const char *const two[] = {"Other Two"};
    static const char *const three[] = {"\x15其他八", "Other Nine"};
    put_sdt_other(w, 0x0404, 0x2001, 7, two, 1);
    put_sdt_other(w, 0x0303, 0x2000, 8, three, 2);
}

static void put_sdt(struct si_writer *w, uint8_t version, const char *name1, size_t n1len)
{
    put_sdt_next(w, version, name1, n1len, true);
}

/* One EIT section for one event (sections are numbered by the caller). */
static void put_eit_event(struct si_writer *w, uint8_t table_id, uint16_t sid, uint8_t version,
                          uint8_t section, uint8_t last_section, uint16_t event_id, int64_t start,
                          int duration, uint8_t running, const char *title, size_t tlen,
                          const char *text, size_t xlen, bool extended)
{
    dvbpsi_eit_t *eit =
        dvbpsi_eit_new(table_id, sid, version, true, w->eit_ts_id ? w->eit_ts_id : 0x0101, 0x2000,
                       last_section, table_id);
    dvbpsi_eit_event_t *e = dvbpsi_eit_event_add(eit, event_id, si_mjd(start),
                                                 si_bcd_duration(duration), running, false, 0);
    uint8_t d[256];
    size_t n = si_short_event(d, "chi", title, tlen, text, xlen);
    dvbpsi_eit_event_descriptor_add(e, 0x4D, (uint8_t)n, d);
    if (extended) { /* two parts in UCS-2, the second without a repeated item */
        n = si_extended_event(d, 0, 1, "chi", S("\x11\x51\x85\x5B\xB9"), S("\x11\x6C\x34\x7A\x3B"),
                              S("\x11\x7B\x2C\x4E\x8C"));
        dvbpsi_eit_event_descriptor_add(e, 0x4E, (uint8_t)n, d);
        n = si_extended_event(d, 1, 1, "chi", NULL, 0, NULL, 0, S("\x11\x90\xE8\x52\x06"));
        dvbpsi_eit_event_descriptor_add(e, 0x4E, (uint8_t)n, d);
        uint8_t content[2] = {0x90, 0x00}; /* education */
        dvbpsi_eit_event_descriptor_add(e, 0x54, 2, content);
    }
    dvbpsi_psi_section_t *s = dvbpsi_eit_sections_generate(w->h, eit, table_id);
    /* the generator numbers from 0: renumber and reseal */
    s->i_number = section;
    s->p_data[6] = section;
    s->i_last_number = last_section;
    s->p_data[7] = last_section;
    s->p_data[12] = last_section; /* segment_last_section_number */
    dvbpsi_BuildPSISection(w->h, s);
    si_put_sections(w, 0x12, s);
    dvbpsi_eit_delete(eit);
}

/* TDT through libdvbpsi's generator; the TOT by hand, because libdvbpsi
 * 1.3.3's TOT generator leaves out the CRC_32. */
static void put_time(struct si_writer *w, int64_t utc, bool tot)
{
    uint64_t mjd = si_mjd(utc);
    if (!tot) {
        dvbpsi_tot_t *t = dvbpsi_tot_new(0x70, 0, 0, true, mjd);
        si_put_sections(w, 0x14, dvbpsi_tot_sections_generate(w->h, t));
        dvbpsi_tot_delete(t);
        return;
    }
    /* China: +08:00, no change planned */
    uint8_t s[64] = {0x73, 0x70, 0};
    size_t at = 3;
    for (int i = 0; i < 5; i++)
        s[at++] = (uint8_t)(mjd >> (32 - 8 * i));
    s[at++] = 0xF0;
    s[at++] = 15;
    uint8_t lto[15] = {0x58, 13, 'C', 'H', 'N', 0x02, 0x08, 0x00};
    uint64_t change = si_mjd(T0 + 86400 * 365);
    for (int i = 0; i < 5; i++)
        lto[8 + i] = (uint8_t)(change >> (32 - 8 * i));
    lto[13] = 0x08;
    lto[14] = 0x00;
    memcpy(s + at, lto, sizeof lto);
    at += sizeof lto;
    s[2] = (uint8_t)(at + 4 - 3);
    uint32_t crc = si_crc32(s, at);
    for (int i = 0; i < 4; i++)
        s[at++] = (uint8_t)(crc >> (24 - 8 * i));
    si_put_bytes(w, 0x14, s, at);
}

static void put_av(struct si_writer *w, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint8_t p[188];
        unsigned pid = i % 2 ? 0x1002 : 0x1011;
        ts_packet(p, pid, w->cc[pid]++, i % 6 < 2, 0, i);
        ts_append(&w->ts, p, 188);
    }
}

/* The main test stream: everything, repeated three times. */
static void build_main(struct si_writer *w)
{
    for (int round = 0; round < 3; round++) {
        put_pat(w, 0);
        put_pmts(w);
        put_sdt(w, 1, S(SVC1_NAME_GB));
        put_sdt_others(w);
        put_eit_event(w, 0x4E, 1, 1, 0, 1, 100, T0 - 600, 2700, 4, S(EV100_TITLE_GB),
                      S(EV100_DESC_GB), true);
        put_eit_event(w, 0x4E, 1, 1, 1, 1, 101, T0 + 2100, 1800, 1, S("\x15" EV101_TITLE),
                      S("\x15"), false);
        put_eit_event(w, 0x4E, 2, 3, 0, 0, 200, T0 - 60, 3600, 4, S(EV200_TITLE_U16),
                      S("\x11\x00\x41"), false);
        put_eit_event(w, 0x50, 1, 0, 0, 8, 102, T0 + 86400, 5400, 1, S("\x13\xB9\xFB\xCA\xF7"),
                      S(""), false);
        put_eit_event(w, 0x50, 1, 0, 8, 8, 103, T0 + 2 * 86400, 5400, 1,
                      S("Latin \xC2"
                        "e"),
                      S("\x05\xDD"), false);
        put_time(w, T0 + round * 10, false);
        put_time(w, T0 + round * 10 + 5, true);
        put_av(w, 40);
    }
}

static struct dmx_pipeline *read_all(const char *path, const struct dmx_options *opts)
{
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, path, opts, NULL, NULL), 0);
    uint8_t buf[188 * 64];
    int n;
    while ((n = dmx_pipeline_read(p, buf, sizeof buf, 1000)) > 0)
        ;
    ASSERT_EQ(n, DMX_EOF);
    return p;
}

static void write_stream(const struct si_writer *w, const char *path)
{
    ASSERT_EQ(sc_write_file_atomic(path, w->ts.data, w->ts.len), 0);
}

static const struct dmx_event *find_event(const struct dmx_event *ev, size_t n, int sid, int eid)
{
    for (size_t i = 0; i < n; i++)
        if (ev[i].service_id == sid && ev[i].event_id == eid) return &ev[i];
    return NULL;
}

static void test_services_guide_time(void)
{
    struct si_writer w;
    si_writer_init(&w);
    build_main(&w);
    write_stream(&w, "si_main.ts");
    struct dmx_pipeline *p = read_all("si_main.ts", NULL);

    struct dmx_service *sv;
    size_t n;
    ASSERT_EQ(dmx_pipeline_services(p, &sv, &n), 0);
    /* 1, 2 (PAT + SDT), 3 (SDT only); SDT other: 7 of TS 0x0202 and of TS 0x0404 (networks
     * 0x2000 and 0x2001), 8 and 9 of TS 0x0303 */
    ASSERT_EQ(n, 7);
    ASSERT_EQ(sv[0].original_network_id, 0x2000);
    ASSERT_EQ(sv[0].transport_stream_id, 0x0101);
    ASSERT_EQ(sv[0].id, 1);
    ASSERT_STR_EQ(sv[0].name, SVC1_NAME);
    ASSERT_STR_EQ(sv[0].provider, SVC1_PROV);
    ASSERT_EQ(sv[0].type, 0x01);
    ASSERT_EQ(sv[0].pmt_pid, 0x1000);
    ASSERT_EQ(sv[0].pcr_pid, 0x1001);
    ASSERT_EQ(sv[0].stream_count, 3);
    ASSERT_STR_EQ(sv[0].streams[0].codec, "mpeg2video");
    ASSERT_STR_EQ(sv[0].streams[1].codec, "mpeg1audio");
    ASSERT_STR_EQ(sv[0].streams[1].language, "chi");
    ASSERT_STR_EQ(sv[0].streams[2].language, "eng");
    ASSERT_STR_EQ(sv[1].name, SVC2_NAME);
    ASSERT_STR_EQ(sv[1].provider, "Provider A");
    ASSERT_EQ(sv[1].type, 0x19);
    ASSERT_STR_EQ(sv[1].streams[0].codec, "h264");
    ASSERT_STR_EQ(sv[1].streams[1].codec, "aac");
    ASSERT_STR_EQ(sv[2].name, "课程三");
    ASSERT_STR_EQ(sv[2].provider, "Łódź");
    ASSERT_EQ(sv[2].pmt_pid, 0);
    ASSERT_TRUE(sv[2].scrambled);
    ASSERT_FALSE(sv[3].actual);
    ASSERT_EQ(sv[3].id, 7);
    ASSERT_EQ(sv[3].transport_stream_id, 0x0202);
    ASSERT_EQ(sv[3].original_network_id, 0x2000);
    ASSERT_STR_EQ(sv[3].name, "Other One");
    ASSERT_EQ(sv[4].id, 8);
    ASSERT_EQ(sv[4].transport_stream_id, 0x0303);
    ASSERT_STR_EQ(sv[4].name, "其他八");
    ASSERT_EQ(sv[5].id, 9);
    ASSERT_STR_EQ(sv[5].name, "Other Nine");
    ASSERT_STR_EQ(sv[5].provider, "Net");
    ASSERT_FALSE(sv[6].actual);
    ASSERT_EQ(sv[6].id, 7);
    ASSERT_EQ(sv[6].transport_stream_id, 0x0404);
    ASSERT_EQ(sv[6].original_network_id, 0x2001);
    ASSERT_STR_EQ(sv[6].name, "Other Two");
    dmx_services_free(sv, n);

    struct dmx_event *ev;
    ASSERT_EQ(dmx_pipeline_events(p, -1, &ev, &n), 0);
    ASSERT_EQ(n, 5);
    const struct dmx_event *e = find_event(ev, n, 1, 100);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->title, EV100_TITLE);
    ASSERT_STR_EQ(e->description, EV100_DESC);
    ASSERT_STR_EQ(e->extended, "内容: 水稻\n第二部分");
    ASSERT_EQ(e->start, T0 - 600);
    ASSERT_EQ(e->duration, 2700);
    ASSERT_EQ(e->running_status, 4);
    ASSERT_STR_EQ(e->language, "chi");
    ASSERT_EQ(e->genre, 0x90);
    e = find_event(ev, n, 1, 101);
    ASSERT_STR_EQ(e->title, EV101_TITLE);
    ASSERT_EQ(e->running_status, 1);
    e = find_event(ev, n, 2, 200);
    ASSERT_STR_EQ(e->title, EV200_TITLE);
    ASSERT_STR_EQ(e->description, "A");
    e = find_event(ev, n, 1, 102);
    ASSERT_STR_EQ(e->title, "果树");
    ASSERT_EQ(e->table_id, 0x50);
    e = find_event(ev, n, 1, 103);
    ASSERT_STR_EQ(e->title, "Latin é");
    ASSERT_STR_EQ(e->description, "İ");
    /* by service, then start */
    ASSERT_EQ(ev[0].event_id, 100);
    ASSERT_EQ(ev[4].event_id, 200);
    dmx_events_free(ev, n);

    struct dmx_time t;
    ASSERT_EQ(dmx_pipeline_time(p, &t), 0);
    ASSERT_EQ(t.utc, T0 + 25);
    ASSERT_TRUE(t.has_offset);
    ASSERT_EQ(t.local_offset_minutes, 480);

    struct dmx_stats st;
    dmx_pipeline_stats(p, &st);
    ASSERT_EQ(st.cc_errors, 0);
    ASSERT_EQ(st.section_crc_errors, 0);
    dmx_pipeline_destroy(p);
    si_writer_free(&w);
}

/* A new version replaces the old; a section with a bad CRC changes nothing. */
static void test_versions_and_bad_crc(void)
{
    struct si_writer w;
    si_writer_init(&w);
    put_pat(&w, 0);
    put_pmts(&w);
    put_sdt(&w, 1, S("Old name"));
    put_eit_event(&w, 0x4E, 1, 1, 0, 1, 100, T0, 600, 4, S("First"), S(""), false);
    put_eit_event(&w, 0x4E, 1, 1, 1, 1, 101, T0 + 600, 600, 1, S("Second"), S(""), false);
    put_sdt(&w, 2, S("New name"));
    /* p/f moves on: 101 present, 102 following; 100 leaves the table */
    put_eit_event(&w, 0x4E, 1, 2, 0, 1, 101, T0 + 600, 600, 4, S("Second"), S(""), false);
    put_eit_event(&w, 0x4E, 1, 2, 1, 1, 102, T0 + 1200, 600, 1, S("Third"), S(""), false);
    /* EIT other about a service of another multiplex that shares our id 1:
     * kept out of our service's guide */
    w.eit_ts_id = 0x0303;
    put_eit_event(&w, 0x4F, 1, 0, 0, 0, 900, T0, 600, 4, S("Other mux"), S(""), false);
    w.eit_ts_id = 0;
    /* the next version announced (current_next_indicator 0): not in force */
    put_sdt_next(&w, 4, S("Next name"), false);
    /* version 3 with a broken CRC: must be discarded */
    size_t before = w.ts.len;
    put_sdt(&w, 3, S("Bad name"));
    /* the actual SDT is the first section written: corrupt its last CRC byte */
    uint8_t *pkt = w.ts.data + before;
    size_t sec_len = 3u + (((pkt[6] & 0x0F) << 8) | pkt[7]);
    ASSERT_LT(sec_len, 183);
    pkt[5 + sec_len - 1] ^= 0x5A;
    write_stream(&w, "si_versions.ts");
    struct dmx_pipeline *p = read_all("si_versions.ts", NULL);

    struct dmx_service *sv;
    size_t n;
    ASSERT_EQ(dmx_pipeline_services(p, &sv, &n), 0);
    ASSERT_STR_EQ(sv[0].name, "New name");
    dmx_services_free(sv, n);
    struct dmx_event *ev;
    ASSERT_EQ(dmx_pipeline_events(p, 1, &ev, &n), 0);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(ev[0].event_id, 101);
    ASSERT_EQ(ev[0].running_status, 4);
    ASSERT_EQ(ev[1].event_id, 102);
    dmx_events_free(ev, n);
    struct dmx_stats st;
    dmx_pipeline_stats(p, &st);
    ASSERT_EQ(st.section_crc_errors, 1);
    dmx_pipeline_destroy(p);
    si_writer_free(&w);
}

static int64_t time_after(int64_t *times, size_t count)
{
    struct si_writer w;
    si_writer_init(&w);
    for (size_t i = 0; i < count; i++)
        put_time(&w, times[i], i % 2);
    write_stream(&w, "si_time.ts");
    struct dmx_pipeline *p = read_all("si_time.ts", NULL);
    struct dmx_time t;
    int64_t r = dmx_pipeline_time(p, &t) == 0 ? t.utc : -1;
    dmx_pipeline_destroy(p);
    si_writer_free(&w);
    return r;
}

static void test_time_plausibility(void)
{
    int64_t single[] = {T0};
    ASSERT_EQ(time_after(single, 1), -1); /* one table proves nothing */
    int64_t two[] = {T0, T0 + 5};
    ASSERT_EQ(time_after(two, 2), T0 + 5);
    int64_t old[] = {946684800, 946684805}; /* 2000: before the floor */
    ASSERT_EQ(time_after(old, 2), -1);
    int64_t back[] = {T0, T0 + 5, T0 - 3600}; /* a jump back is not used */
    ASSERT_EQ(time_after(back, 3), T0 + 5);
    int64_t wild[] = {T0, T0 + 5, T0 + 86400 * 30}; /* nor a jump ahead */
    ASSERT_EQ(time_after(wild, 3), T0 + 5);
    int64_t settle[] = {T0, T0 + 5, T0 + 86400 * 30, T0 + 86400 * 30 + 5};
    ASSERT_EQ(time_after(settle, 4), T0 + 86400 * 30 + 5); /* confirmed by the next */
}

/* Selecting a service passes its PIDs and a one-program PAT only. */
static void test_select_service(void)
{
    struct si_writer w;
    si_writer_init(&w);
    build_main(&w);
    write_stream(&w, "si_select.ts");
    struct dmx_pipeline *p;
    ASSERT_EQ(dmx_pipeline_create(&p, "si_select.ts", NULL, NULL, NULL), 0);
    dmx_pipeline_select_service(p, 2);
    uint8_t buf[188 * 16];
    int n, pats = 0, others = 0, av = 0;
    while ((n = dmx_pipeline_read(p, buf, sizeof buf, 1000)) > 0) {
        for (int i = 0; i < n; i += 188) {
            const uint8_t *pk = buf + i;
            unsigned pid = ((unsigned)(pk[1] & 0x1F) << 8) | pk[2];
            if (pid == 0) {
                pats++;
                const uint8_t *s = pk + 5;
                ASSERT_EQ(s[2], 13); /* one program */
                ASSERT_EQ((s[8] << 8) | s[9], 2);
                ASSERT_EQ(((s[10] & 0x1F) << 8) | s[11], 0x1010);
                ASSERT_EQ(si_crc32(s, 16), 0); /* CRC included: the remainder is 0 */
            } else if (pid == 0x1011 || pid == 0x1012 || pid == 0x1010) {
                av++;
            } else {
                others++;
            }
        }
    }
    ASSERT_EQ(n, DMX_EOF);
    ASSERT_GE(pats, 2); /* from the second PAT on, once the PMT is known */
    ASSERT_GT(av, 0);
    ASSERT_EQ(others, 0);
    dmx_pipeline_destroy(p);
    si_writer_free(&w);
}

static void test_guide_bounds_and_reload(void)
{
    struct si_writer w;
    si_writer_init(&w);
    put_time(&w, T0, false);
    put_time(&w, T0 + 1, true);
    /* 8 schedule events for service 1, one per section; 2 have ended */
    for (int i = 0; i < 8; i++)
        put_eit_event(&w, 0x50, 1, 0, (uint8_t)(i * 8), 56, (uint16_t)(300 + i),
                      T0 + (i - 2) * 3600, 1800, 1, S("\x15课程 "), S("\x15说明"), false);
    write_stream(&w, "si_guide.ts");
    struct dmx_options o;
    dmx_options_default(&o);
    o.guide_max_per_service = 5;
    struct dmx_pipeline *p = read_all("si_guide.ts", &o);
    struct dmx_event *ev;
    size_t n;
    ASSERT_EQ(dmx_pipeline_events(p, 1, &ev, &n), 0);
    ASSERT_EQ(n, 5);
    ASSERT_EQ(ev[0].event_id, 303); /* the earliest went first */
    ASSERT_EQ(ev[4].event_id, 307);
    dmx_events_free(ev, n);

    unlink("guide.txt");
    ASSERT_EQ(dmx_pipeline_guide_save(p, "guide.txt"), 0);
    /* a fresh pipeline (a restart) reloads the same guide */
    struct si_writer empty;
    si_writer_init(&empty);
    put_av(&empty, 4);
    write_stream(&empty, "si_empty.ts");
    struct dmx_pipeline *q = read_all("si_empty.ts", NULL);
    ASSERT_EQ(dmx_pipeline_guide_load(q, "guide.txt"), 0);
    struct dmx_event *a, *b;
    size_t na, nb;
    ASSERT_EQ(dmx_pipeline_events(p, -1, &a, &na), 0);
    ASSERT_EQ(dmx_pipeline_events(q, -1, &b, &nb), 0);
    ASSERT_EQ(na, nb);
    for (size_t i = 0; i < na; i++) {
        ASSERT_EQ(a[i].event_id, b[i].event_id);
        ASSERT_EQ(a[i].start, b[i].start);
        ASSERT_EQ(a[i].duration, b[i].duration);
        ASSERT_STR_EQ(a[i].title, b[i].title);
        ASSERT_STR_EQ(a[i].description, b[i].description);
        ASSERT_STR_EQ(a[i].language, b[i].language);
    }
    dmx_events_free(a, na);
    dmx_events_free(b, nb);
    /* a damaged file is refused and changes nothing */
    ASSERT_EQ(sc_write_file_atomic("guide_bad.txt", "studycast-guide\t1\n1\t2\tx\n", 25), 0);
    ASSERT_EQ(dmx_pipeline_guide_load(q, "guide_bad.txt"), DMX_ERR_FORMAT);
    ASSERT_EQ(dmx_pipeline_events(q, -1, &b, &nb), 0);
    ASSERT_EQ(nb, na);
    dmx_events_free(b, nb);
    ASSERT_LT(dmx_pipeline_guide_load(q, "no-such-guide.txt"), 0);
    dmx_pipeline_destroy(q);
    dmx_pipeline_destroy(p);
    si_writer_free(&empty);
    si_writer_free(&w);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        ASSERT_EQ(chdir(argv[2]), 0);
        struct si_writer w;
        si_writer_init(&w);
        build_main(&w);
        write_stream(&w, "si_main.ts");
        si_writer_free(&w);
        /* GB2312 names without a selector byte, as some operators send them */
        si_writer_init(&w);
        put_pat(&w, 0);
        put_sdt(&w, 1, SVC1_NAME_GB + 1, sizeof SVC1_NAME_GB - 2);
        write_stream(&w, "si_noselector.ts");
        si_writer_free(&w);
        return 0;
    }
    RUN_TEST(test_services_guide_time);
    RUN_TEST(test_versions_and_bad_crc);
    RUN_TEST(test_time_plausibility);
    RUN_TEST(test_select_service);
    RUN_TEST(test_guide_bounds_and_reload);
    return 0;
}
