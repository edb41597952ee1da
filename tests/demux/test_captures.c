/* The real captures in STUDYCAST_MEDIA_DIR (see SOURCES.md there): their
 * services, guide, time and damage as the demux pipeline reports them. */
#include "demux/demux.h"
#include "tests/test.h"

#include <errno.h>

struct capture {
    struct dmx_pipeline *p;
    struct dmx_service *sv;
    size_t sv_count;
    struct dmx_event *ev;
    size_t ev_count;
    struct dmx_pid_stats *pids;
    size_t pid_count;
    struct dmx_stats st;
};

static struct capture probe(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", STUDYCAST_MEDIA_DIR, name);
    struct capture c = {0};
    ASSERT_EQ(dmx_pipeline_create(&c.p, path, NULL, NULL, NULL), 0);
    ASSERT_FALSE(dmx_pipeline_is_live(c.p));
    ASSERT_EQ(dmx_pipeline_default_service(c.p), -1); /* a file names no service */
    uint8_t buf[188 * 128];
    int n;
    while ((n = dmx_pipeline_read(c.p, buf, sizeof buf, 1000)) > 0)
        ;
    ASSERT_EQ(n, DMX_EOF);
    ASSERT_EQ(dmx_pipeline_services(c.p, &c.sv, &c.sv_count), 0);
    ASSERT_EQ(dmx_pipeline_events(c.p, -1, &c.ev, &c.ev_count), 0);
    ASSERT_EQ(dmx_pipeline_pid_stats(c.p, &c.pids, &c.pid_count), 0);
    dmx_pipeline_stats(c.p, &c.st);
    return c;
}

static void release(struct capture *c)
{
    dmx_services_free(c->sv, c->sv_count);
    dmx_events_free(c->ev, c->ev_count);
    free(c->pids);
    dmx_pipeline_destroy(c->p);
}

static const struct dmx_service *service(const struct capture *c, int id)
{
    for (size_t i = 0; i < c->sv_count; i++)
        if (c->sv[i].id == id && c->sv[i].actual) return &c->sv[i];
    TEST_FAIL("no service %d", id);
}

static const struct dmx_pid_stats *pid(const struct capture *c, int pid)
{
    for (size_t i = 0; i < c->pid_count; i++)
        if (c->pids[i].pid == pid) return &c->pids[i];
    TEST_FAIL("no PID %d", pid);
}

static const struct dmx_event *event_titled(const struct capture *c, int sid, const char *title)
{
    for (size_t i = 0; i < c->ev_count; i++)
        if (c->ev[i].service_id == sid && strcmp(c->ev[i].title, title) == 0) return &c->ev[i];
    TEST_FAIL("no event '%s' on service %d", title, sid);
}

static int64_t iso(const char *s)
{
    int64_t t;
    ASSERT_EQ(sc_parse_iso8601(s, &t), 0);
    return t;
}

/* Mediaset DVB-T: 20 SDT services, two PMTs, TDT/TOT 12:35:05..08. */
static void test_018(void)
{
    struct capture c = probe("tsduck_tsduck-test__input_test-018.ts");
    ASSERT_EQ(c.sv_count, 20);
    static const struct {
        int id;
        const char *name, *provider;
    } expect[] = {{1, "Italia 1", "Mediaset"},
                  {2, "Canale 5", "Mediaset"},
                  {3, "Rete 4", "Mediaset"},
                  {4, "Iris", "Mediaset"},
                  {6, "Boing", "Mediaset"},
                  {7, "La 5", "Mediaset"},
                  {8, "TgCom24", "Mediaset"},
                  {9, "Mediaset EXTRA", "Mediaset"},
                  {10, "Mediaset ITALIA DUE", "Mediaset"},
                  {12, "Topcrime", "Mediaset"},
                  {13, "Cartoonito", ""},
                  {71, "LA7", ""},
                  {72, "LA7d", ""},
                  {101, "Radio R101", ""},
                  {102, "Radio Monte Carlo", ""},
                  {103, "Radio Monte Carlo 2", ""},
                  {104, "Virgin radio", ""},
                  {105, "Radio 105", ""},
                  {805, "Mediaset On Demand", ""},
                  {899, "Infinity", ""}};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const struct dmx_service *s = service(&c, expect[i].id);
        ASSERT_STR_EQ(s->name, expect[i].name);
        if (expect[i].provider[0]) ASSERT_STR_EQ(s->provider, expect[i].provider);
    }
    const struct dmx_service *s = service(&c, 1);
    ASSERT_EQ(s->pmt_pid, 0x100);
    ASSERT_EQ(s->stream_count, 9);
    ASSERT_EQ(s->streams[0].pid, 0x654);
    ASSERT_STR_EQ(s->streams[0].codec, "mpeg2video");
    ASSERT_EQ(s->streams[1].pid, 0x655);
    ASSERT_STR_EQ(s->streams[1].language, "ita");
    ASSERT_STR_EQ(s->streams[2].language, "eng");
    ASSERT_STR_EQ(s->streams[3].codec, "teletext");
    ASSERT_EQ(service(&c, 2)->streams[0].pid, 0x64a);
    ASSERT_EQ(service(&c, 3)->stream_count, 0); /* its PMT is not in the 100 packets */
    struct dmx_time t;
    ASSERT_EQ(dmx_pipeline_time(c.p, &t), 0);
    ASSERT_GE(t.utc, iso("2018-02-13T12:35:05Z"));
    ASSERT_LE(t.utc, iso("2018-02-13T12:35:08Z"));
    ASSERT_TRUE(t.has_offset);
    ASSERT_EQ(t.local_offset_minutes, 60); /* Italy in February: CET */
    ASSERT_EQ(c.st.packets, 100);
    ASSERT_EQ(c.pid_count, 9);
    ASSERT_EQ(c.st.cc_errors + c.st.tei + c.st.sync_losses + c.st.truncated_bytes, 0);
    ASSERT_EQ(pid(&c, 0x14)->packets, 7);
    ASSERT_EQ(pid(&c, 0x11)->packets, 6);
    ASSERT_EQ(c.ev_count, 0);
    release(&c);
}

/* French satellite EIT extract: 324 events, 9 TEI, 6 CC errors. */
static void test_030(void)
{
    struct capture c = probe("tsduck_tsduck-test__input_test-030.ts");
    ASSERT_EQ(c.ev_count, 324);
    ASSERT_EQ(c.st.tei, 9);
    ASSERT_EQ(c.st.cc_errors, 6);
    ASSERT_EQ(pid(&c, 0x112)->cc_errors, 5);
    ASSERT_EQ(pid(&c, 0x12)->cc_errors, 1);
    ASSERT_EQ(c.st.packets, 1145);
    ASSERT_EQ(c.sv_count, 11); /* the PAT's programs; no SDT */
    const struct dmx_event *e =
        event_titled(&c, 6912, "CHAINE CHINOISE DE DOCUMENTAIRES EN ANGLAIS");
    ASSERT_EQ(e->start, iso("2017-08-23T10:00:00Z"));
    ASSERT_STR_EQ(e->language, "fre");
    e = event_titled(&c, 9001, "WILLIAM & KATE : ROMANCE ROYALE");
    ASSERT_EQ(e->start, iso("2017-08-23T11:55:00Z"));
    e = event_titled(&c, 8707, "LITTLEST PETSHOP, DES ANIMAUX TROP MIGNONS");
    ASSERT_EQ(e->start, iso("2017-08-23T11:51:00Z"));
    event_titled(&c, 8012, "PLAYLIST");
    ASSERT_EQ(dmx_pipeline_time(c.p, &(struct dmx_time){0}), -ENOENT); /* no TDT/TOT */
    release(&c);
}

/* Animal Planet HD, heavily damaged: 131 CC discontinuities of which 3 are
 * announced by discontinuity_indicator, 19 TEI, 562 scrambled, PCR jumps. */
static void test_143(void)
{
    struct capture c = probe("tsduck_tsduck-test__input_test-143.ts");
    const struct dmx_service *s = service(&c, 60);
    ASSERT_STR_EQ(s->name, "Animal Planet Europe HD");
    ASSERT_STR_EQ(s->provider, "Warner Bros. Discovery");
    ASSERT_EQ(s->pmt_pid, 0x3c);
    /* every copy of its PMT has bit errors: a bad CRC, so discarded */
    ASSERT_EQ(s->stream_count, 0);
    ASSERT_GE(c.st.section_crc_errors, 10);
    ASSERT_EQ(c.st.tei, 19);
    ASSERT_EQ(c.st.scrambled, 562);
    uint64_t announced = 0;
    for (size_t i = 0; i < c.pid_count; i++)
        announced += c.pids[i].discontinuities;
    ASSERT_EQ(c.st.cc_errors + announced, 131);
    ASSERT_EQ(announced, 3);
    ASSERT_GT(c.st.pcr_jumps, 0);
    ASSERT_EQ(c.st.packets, 4000);
    ASSERT_LT(c.st.packets_out, c.st.packets - 562 - 19);
    release(&c);
}

/* SD 'P1.1', SDT strings with selectors 0x03/0x04. */
static void test_025(void)
{
    struct capture c = probe("tsduck_tsduck-test__input_test-025.ts");
    ASSERT_EQ(c.sv_count, 1);
    const struct dmx_service *s = service(&c, 2064);
    ASSERT_STR_EQ(s->name, "P1.1");
    ASSERT_STR_EQ(s->provider, "DVB");
    ASSERT_EQ(s->pmt_pid, 0x810);
    ASSERT_EQ(s->pcr_pid, 0x100);
    ASSERT_EQ(s->stream_count, 2);
    ASSERT_EQ(s->streams[0].pid, 0x1000);
    ASSERT_STR_EQ(s->streams[0].codec, "mpeg2video");
    ASSERT_EQ(s->streams[1].pid, 0x1001);
    ASSERT_EQ(c.st.packets, 9751);
    ASSERT_EQ(c.st.cc_errors + c.st.tei + c.st.scrambled, 0);
    ASSERT_EQ(c.st.packets_out, 9751);
    ASSERT_NEAR(c.st.stream_seconds, 2.9, 0.5);
    release(&c);
}

/* Clean H.264 + AAC (its PMT declares the AAC as stream_type 0x04). */
static void test_072(void)
{
    struct capture c = probe("tsduck_tsduck-test__input_test-072.ts");
    const struct dmx_service *s = service(&c, 1);
    ASSERT_EQ(s->stream_count, 2);
    ASSERT_EQ(s->streams[0].pid, 0x64);
    ASSERT_EQ(s->streams[0].stream_type, 0x04);
    ASSERT_EQ(s->streams[1].pid, 0x65);
    ASSERT_STR_EQ(s->streams[1].codec, "h264");
    ASSERT_EQ(c.st.packets, 9692);
    ASSERT_EQ(c.st.packets_out, 9692);
    ASSERT_EQ(c.st.cc_errors + c.st.tei + c.st.pcr_jumps, 0);
    ASSERT_NEAR(c.st.stream_seconds, 12.0, 0.3);
    release(&c);
}

/* Arte DTT extract: EIT p/f + schedule with selectors 0x10 and 0x05, last
 * packet truncated. SOURCES.md counts 22 events: event 36 of service 1045
 * is announced twice (p/f and schedule), so the guide holds 21. */
static void test_sample_ait(void)
{
    struct capture c = probe("google_ExoPlayer__testdata_src_test_assets_media_ts_sample_ait.ts");
    ASSERT_EQ(c.ev_count, 21);
    const struct dmx_event *e = event_titled(&c, 1045, "Khéops, mystérieuses découvertes");
    ASSERT_EQ(e->start, iso("2020-01-28T14:35:00Z"));
    ASSERT_EQ(e->event_id, 36);
    e = event_titled(&c, 772, "Les bâtisseurs de l'impossible");
    ASSERT_EQ(e->start, iso("2020-01-28T15:19:00Z"));
    event_titled(&c, 1046, "La petite maison dans la prairie");
    event_titled(&c, 1544, "Les freres Scott. \"Trop...");
    event_titled(&c, 1031, "ARTE Regards - Révolte dans la Taïga ");
    ASSERT_EQ(c.st.truncated_bytes, 76);
    ASSERT_EQ(c.st.packets, 160);
    ASSERT_EQ(c.st.cc_errors + c.st.tei, 0);
    const struct dmx_service *s = service(&c, 1031);
    ASSERT_EQ(s->streams[0].pid, 0x14a);
    ASSERT_STR_EQ(s->streams[0].codec, "eac3");
    ASSERT_STR_EQ(s->streams[0].language, "fra");
    release(&c);
}

int main(void)
{
    RUN_TEST(test_018);
    RUN_TEST(test_030);
    RUN_TEST(test_143);
    RUN_TEST(test_025);
    RUN_TEST(test_072);
    RUN_TEST(test_sample_ait);
    return 0;
}
