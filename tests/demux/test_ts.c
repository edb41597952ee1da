/* The TS reader against streams built and damaged here: every count it
 * reports must equal what was injected, and damaged PES must not pass. */
#include "demux/internal.h"
#include "tests/test.h"
#include "tests/demux/ts_builder.h"

struct sink {
    unsigned out[2];      /* clean packets per PID 0x100/0x101 */
    bool expect_start[2]; /* the next packet on the PID must start a PES */
    bool violation;
};

static void on_packet(void *opaque, const uint8_t *p)
{
    struct sink *s = opaque;
    unsigned pid = ((unsigned)(p[1] & 0x1F) << 8) | p[2];
    if (pid != 0x100 && pid != 0x101) return;
    s->out[pid - 0x100]++;
    if (s->expect_start[pid - 0x100] && !(p[1] & 0x40) && (p[3] & 0x10)) s->violation = true;
    s->expect_start[pid - 0x100] = false;
}

struct result {
    struct dmx_stats st;
    struct dmx_pid_stats pid[2];
    struct sink sink;
};

/* Runs the reader over data in chunks of `chunk` bytes (0: all at once). */
static struct result run(const uint8_t *data, size_t len, size_t chunk)
{
    struct result r = {0};
    struct dmx_ts *ts = dmx_ts_create(on_packet, &r.sink, NULL);
    ASSERT_NOT_NULL(ts);
    size_t pos = 0;
    unsigned step = 1;
    while (pos < len) {
        size_t n = chunk ? chunk : len;
        if (chunk == 1000) /* irregular chunks */
            n = 1 + (step = step * 1103515245u + 12345u) % 700;
        if (n > len - pos) n = len - pos;
        dmx_ts_push(ts, data + pos, n, false);
        pos += n;
    }
    dmx_ts_push(ts, NULL, 0, true);
    dmx_ts_stats(ts, &r.st);
    struct dmx_pid_stats *ps;
    size_t count;
    ASSERT_EQ(dmx_ts_pid_stats(ts, &ps, &count), 0);
    for (size_t i = 0; i < count; i++)
        if (ps[i].pid == 0x100 || ps[i].pid == 0x101) r.pid[ps[i].pid - 0x100] = ps[i];
    free(ps);
    dmx_ts_destroy(ts);
    return r;
}

static void test_clean_stream_any_chunking(void)
{
    struct ts_stream s = ts_build(2000);
    size_t chunks[] = {0, 1, 188, 1000, 4096};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct result r = run(s.data, s.len, chunks[c]);
        ASSERT_EQ(r.st.packets, 2000);
        ASSERT_EQ(r.st.packet_size, 188);
        ASSERT_EQ(r.st.cc_errors, 0);
        ASSERT_EQ(r.st.tei, 0);
        ASSERT_EQ(r.st.sync_losses, 0);
        ASSERT_EQ(r.st.skipped_bytes, 0);
        ASSERT_EQ(r.st.truncated_bytes, 0);
        ASSERT_EQ(r.pid[0].duplicates, 0);
        /* 2000 - 50 nulls = 1950 PID packets, all clean */
        ASSERT_EQ(r.sink.out[0] + r.sink.out[1], 1950);
    }
    free(s.data);
}

static void test_dropped_packets(void)
{
    struct ts_stream s = ts_build(2000);
    struct ts_stream d = {0};
    /* drop 7 payload packets of PID 0x100 and 5 of 0x101, spread out */
    unsigned dropped[2] = {0, 0};
    for (unsigned i = 0; i < 2000; i++) {
        const uint8_t *p = s.data + i * 188;
        unsigned pid = ((unsigned)(p[1] & 0x1F) << 8) | p[2];
        bool payload = (p[3] & 0x30) == 0x10;
        bool drop = payload && pid == 0x100 && i % 200 == 100 && i < 1400;
        drop |= payload && pid == 0x101 && i % 200 == 1 && i > 1 && i < 1002;
        if (drop) {
            dropped[pid - 0x100]++;
            continue;
        }
        ts_append(&d, p, 188);
    }
    ASSERT_EQ(dropped[0], 7);
    ASSERT_EQ(dropped[1], 5);
    struct result r = run(d.data, d.len, 1000);
    ASSERT_EQ(r.pid[0].cc_errors, 7);
    ASSERT_EQ(r.pid[1].cc_errors, 5);
    ASSERT_EQ(r.st.cc_errors, 12);
    ASSERT_EQ(r.st.sync_losses, 0);
    /* after each loss the PID's PES continuation was held back */
    ASSERT_GT(r.pid[0].dropped + r.pid[1].dropped, 0);
    ASSERT_FALSE(r.sink.violation);
    free(s.data);
    free(d.data);
}

/* The packets after a continuity error on a PID must not pass before the
 * next payload_unit_start; the ones before must. */
static void test_damaged_pes_dropped_until_unit_start(void)
{
    struct ts_stream s = {0};
    uint8_t p[188];
    /* PID 0x100: PES starts at packets 0 and 8; packet 3 is lost */
    for (unsigned i = 0; i < 12; i++) {
        if (i == 3) continue;
        ts_packet(p, 0x100, i, i % 8 == 0, 0, i);
        ts_append(&s, p, 188);
    }
    struct result r = run(s.data, s.len, 0);
    ASSERT_EQ(r.pid[0].cc_errors, 1);
    /* passed: 0,1,2 then 8,9,10,11; held back: 4,5,6,7 */
    ASSERT_EQ(r.sink.out[0], 7);
    ASSERT_EQ(r.pid[0].dropped, 4);
    free(s.data);
}

static void test_tei_packets(void)
{
    struct ts_stream s = ts_build(1500);
    unsigned flagged = 0;
    for (unsigned i = 5; i < 1500; i += 97) {
        uint8_t *p = s.data + i * 188;
        p[1] |= 0x80;
        flagged++;
    }
    struct result r = run(s.data, s.len, 1000);
    ASSERT_EQ(r.st.tei, flagged);
    ASSERT_EQ(r.st.cc_errors, 0); /* the counter of a TEI packet still counts */
    ASSERT_EQ(r.st.packets, 1500);
    ASSERT_FALSE(r.sink.violation);
    free(s.data);
}

static void test_garbage_between_packets(void)
{
    struct ts_stream s = ts_build(1200);
    struct ts_stream d = {0};
    size_t garbage = 0;
    unsigned inserted = 0, seed = 7;
    for (unsigned i = 0; i < 1200; i++) {
        if (i > 0 && i % 150 == 0) {
            uint8_t junk[333];
            size_t n = 13 + (i % 7) * 41;
            for (size_t k = 0; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                junk[k] = (uint8_t)(seed >> 16);
                if (junk[k] == 0x47) junk[k] = 0x46;
            }
            ts_append(&d, junk, n);
            garbage += n;
            inserted++;
        }
        ts_append(&d, s.data + i * 188, 188);
    }
    struct result r = run(d.data, d.len, 1000);
    ASSERT_EQ(r.st.sync_losses, inserted);
    ASSERT_EQ(r.st.skipped_bytes, garbage);
    ASSERT_EQ(r.st.packets, 1200);
    ASSERT_EQ(r.st.cc_errors, 0);
    free(s.data);
    free(d.data);
}

static void test_lost_byte_inside_packet(void)
{
    struct ts_stream s = ts_build(600);
    /* remove one byte from the middle of packet 300 (PID 0x100, payload) */
    size_t cut = 300 * 188 + 90;
    memmove(s.data + cut, s.data + cut + 1, s.len - cut - 1);
    s.len--;
    struct result r = run(s.data, s.len, 1000);
    ASSERT_EQ(r.st.sync_losses, 1);
    ASSERT_EQ(r.st.packets, 599); /* the short packet is gone */
    ASSERT_EQ(r.st.skipped_bytes, 187);
    ASSERT_EQ(r.pid[0].cc_errors, 1);
    ASSERT_EQ(r.pid[1].cc_errors, 0);
    free(s.data);
}

static void test_sync_byte_flipped(void)
{
    struct ts_stream s = ts_build(600);
    s.data[201 * 188] = 0x46; /* packet 201: PID 0x101 */
    struct result r = run(s.data, s.len, 1000);
    ASSERT_EQ(r.st.sync_losses, 1);
    ASSERT_EQ(r.st.skipped_bytes, 188);
    ASSERT_EQ(r.st.packets, 599);
    ASSERT_EQ(r.pid[1].cc_errors, 1);
    ASSERT_EQ(r.pid[0].cc_errors, 0);
    free(s.data);
}

static void test_truncated_and_leading_garbage(void)
{
    struct ts_stream s = ts_build(100);
    struct ts_stream d = {0};
    ts_append(&d, "\x01\x02\x03\x04\x05", 5);
    ts_append(&d, s.data, 99 * 188 + 100); /* the last packet cut after 100 bytes */
    struct result r = run(d.data, d.len, 1000);
    ASSERT_EQ(r.st.packets, 99);
    ASSERT_EQ(r.st.skipped_bytes, 5);
    ASSERT_EQ(r.st.truncated_bytes, 100);
    ASSERT_EQ(r.st.sync_losses, 0);
    ASSERT_EQ(r.st.cc_errors, 0);
    free(s.data);
    free(d.data);
}

static void test_duplicates_and_discontinuity(void)
{
    struct ts_stream s = {0};
    uint8_t p[188];
    unsigned cc = 0;
    for (unsigned i = 0; i < 20; i++, cc++) {
        ts_packet(p, 0x100, cc, i % 4 == 0, 0, i);
        ts_append(&s, p, 188);
        if (i == 5) /* sent twice: allowed */
            ts_append(&s, p, 188);
        if (i == 9) { /* sent three times: the third is an error */
            ts_append(&s, p, 188);
            ts_append(&s, p, 188);
        }
        if (i == 12) { /* adaptation-only with the same counter: fine */
            ts_packet(p, 0x100, cc, 0, 1, i);
            ts_append(&s, p, 188);
        }
        if (i == 15) { /* announced discontinuity: jump by 5 */
            cc += 5;
            ts_packet(p, 0x100, cc + 1, 1, 0, i);
            p[3] |= 0x20;
            memmove(p + 6, p + 4, 182);
            p[4] = 1;
            p[5] = 0x80;
            ts_append(&s, p, 188);
            cc++;
        }
    }
    struct result r = run(s.data, s.len, 0);
    ASSERT_EQ(r.pid[0].duplicates, 2);
    ASSERT_EQ(r.pid[0].cc_errors, 1);
    ASSERT_EQ(r.pid[0].discontinuities, 1);
    free(s.data);
}

/* 192-byte (M2TS time stamp first) and 204-byte (RS parity after) packets. */
static void test_other_packet_sizes(void)
{
    struct ts_stream s = ts_build(500);
    for (unsigned size = 192; size <= 204; size += 12) {
        struct ts_stream d = {0};
        for (unsigned i = 0; i < 500; i++) {
            uint8_t extra[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x01};
            if (size == 192) ts_append(&d, extra, 4);
            ts_append(&d, s.data + i * 188, 188);
            if (size == 204) ts_append(&d, extra, 16);
        }
        d.data[250 * size + (size == 192 ? 4 : 0) + 1] |= 0x80; /* one TEI */
        struct result r = run(d.data, d.len, 1000);
        ASSERT_EQ(r.st.packet_size, size);
        ASSERT_EQ(r.st.packets, 500);
        ASSERT_EQ(r.st.tei, 1);
        ASSERT_EQ(r.st.cc_errors, 0);
        ASSERT_EQ(r.st.sync_losses, 0);
        free(d.data);
    }
    free(s.data);
}

static void test_random_damage_never_crashes(void)
{
    struct ts_stream s = ts_build(3000);
    unsigned seed = 12345;
    for (int round = 0; round < 20; round++) {
        uint8_t *copy = malloc(s.len);
        memcpy(copy, s.data, s.len);
        for (int k = 0; k < 200; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % s.len] ^= (uint8_t)(1u << (seed % 8));
        }
        struct result r = run(copy, s.len - (seed % 500), 1000);
        ASSERT_LE(r.st.packets, 3000);
        free(copy);
    }
    free(s.data);
}

int main(void)
{
    RUN_TEST(test_clean_stream_any_chunking);
    RUN_TEST(test_dropped_packets);
    RUN_TEST(test_damaged_pes_dropped_until_unit_start);
    RUN_TEST(test_tei_packets);
    RUN_TEST(test_garbage_between_packets);
    RUN_TEST(test_lost_byte_inside_packet);
    RUN_TEST(test_sync_byte_flipped);
    RUN_TEST(test_truncated_and_leading_garbage);
    RUN_TEST(test_duplicates_and_discontinuity);
    RUN_TEST(test_other_packet_sizes);
    RUN_TEST(test_random_damage_never_crashes);
    return 0;
}
