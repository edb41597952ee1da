/* studycast_demo_si: a build-time tool that gives the demo stream the service
 * information a real broadcast carries, in Chinese: an SDT naming the service
 * and an EIT (present/following and a day's schedule) with Chinese titles.
 *
 *   studycast_demo_si IN.ts OUT.ts [UNIX-TIME]
 *
 * It copies IN.ts packet by packet, drops the SDT the muxer wrote (PID 0x11)
 * and inserts its own SDT and EIT sections about every 2,000 packets (well
 * under a second of the 4 Mbit/s demo), so a receiver tuning in anywhere, or
 * a player looping the file, has the names within a second. The events start
 * at UNIX-TIME (default: now) rounded down to the hour. No TDT/TOT is written:
 * the demo must never set a station's clock to the day it was built.
 * Text is UTF-8 (EN 300 468 selector 0x15). Exit status 0, or 1 with a message. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dvbpsi/dvbpsi.h>
#include <dvbpsi/psi.h>
#include <dvbpsi/descriptor.h>
#include <dvbpsi/sdt.h>
#include <dvbpsi/eit.h>

#define TS_PACKET      188
#define SDT_PID        0x11
#define EIT_PID        0x12
#define REPEAT_PACKETS 2000
#define NETWORK_ID     0x2001

static const char service_name[] = "乡村振兴课堂";
static const char service_provider[] = "县远程教育中心";

struct demo_event {
    const char *title;
    const char *text;
    int minutes;
};

/* The day's programme, from the hour the stream was made. */
static const struct demo_event demo_events[] = {
    {"现代农业种植技术", "第一讲：春耕备播与科学施肥", 60},
    {"基层党建工作实务", "村党支部如何开好组织生活会", 45},
    {"农村电商入门", "网店开设、产品拍照与物流对接", 45},
    {"乡村文明建设", "移风易俗与村规民约", 30},
    {"畜禽养殖防疫", "常见疫病的预防与科学用药", 60},
    {"农村法律知识", "土地承包经营权流转中的法律问题", 40},
};
#define N_EVENTS (sizeof(demo_events) / sizeof(demo_events[0]))

struct writer {
    FILE *out;
    uint8_t cc[8192];
    dvbpsi_t *dvbpsi;
    bool failed;
};

static void put_packet(struct writer *w, const uint8_t *p)
{
    if (fwrite(p, 1, TS_PACKET, w->out) != TS_PACKET) w->failed = true;
}

/* Packs one section into TS packets of `pid`, pointer field in the first. */
static void put_section_bytes(struct writer *w, unsigned pid, const uint8_t *data, size_t len)
{
    size_t pos = 0;
    bool first = true;
    while (pos < len || first) {
        uint8_t p[TS_PACKET];
        memset(p, 0xFF, sizeof p);
        p[0] = 0x47;
        p[1] = (uint8_t)((first ? 0x40 : 0) | (pid >> 8));
        p[2] = (uint8_t)pid;
        p[3] = (uint8_t)(0x10 | (w->cc[pid]++ & 15));
        size_t at = 4;
        if (first) p[at++] = 0;
        size_t n = len - pos < TS_PACKET - at ? len - pos : TS_PACKET - at;
        memcpy(p + at, data + pos, n);
        pos += n;
        first = false;
        put_packet(w, p);
    }
}

static void put_sections(struct writer *w, unsigned pid, dvbpsi_psi_section_t *sections)
{
    if (!sections) {
        w->failed = true;
        return;
    }
    for (dvbpsi_psi_section_t *s = sections; s; s = s->p_next)
        put_section_bytes(w, pid, s->p_data, 3u + s->i_length);
    dvbpsi_DeletePSISections(sections);
}

/* Unix seconds to MJD + BCD (EN 300 468 annex C). */
static uint64_t mjd_bcd(int64_t t)
{
    uint64_t mjd = (uint64_t)(t / 86400 + 40587);
    int s = (int)(t % 86400), h = s / 3600, m = s / 60 % 60, sec = s % 60;
    return mjd << 24 | (uint64_t)((h / 10) << 4 | h % 10) << 16 |
           (uint64_t)((m / 10) << 4 | m % 10) << 8 | (uint64_t)((sec / 10) << 4 | sec % 10);
}

static uint32_t bcd_duration(int seconds)
{
    int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    return (uint32_t)((h / 10) << 20 | (h % 10) << 16 | (m / 10) << 12 | (m % 10) << 8 |
                      (s / 10) << 4 | s % 10);
}

/* A DVB string: selector 0x15 (UTF-8) then the text; returns its length. */
static size_t dvb_utf8(uint8_t *out, const char *text)
{
    size_t n = strlen(text);
    out[0] = 0x15;
    memcpy(out + 1, text, n);
    return n + 1;
}

static void put_sdt(struct writer *w, uint16_t ts_id, uint16_t service_id)
{
    dvbpsi_sdt_t *sdt = dvbpsi_sdt_new(0x42, ts_id, 0, true, NETWORK_ID);
    if (!sdt) {
        w->failed = true;
        return;
    }
    dvbpsi_sdt_service_t *s = dvbpsi_sdt_service_add(sdt, service_id, true, true, 4, false);
    uint8_t d[256], text[128];
    size_t at = 0;
    d[at++] = 0x01; /* digital television */
    size_t n = dvb_utf8(text, service_provider);
    d[at++] = (uint8_t)n;
    memcpy(d + at, text, n);
    at += n;
    n = dvb_utf8(text, service_name);
    d[at++] = (uint8_t)n;
    memcpy(d + at, text, n);
    at += n;
    if (s) dvbpsi_sdt_service_descriptor_add(s, 0x48, (uint8_t)at, d);
    put_sections(w, SDT_PID, dvbpsi_sdt_sections_generate(w->dvbpsi, sdt));
    dvbpsi_sdt_delete(sdt);
}

/* One event with a short event descriptor (Chinese) and an education genre. */
static void add_event(dvbpsi_eit_t *eit, uint16_t event_id, int64_t start,
                      const struct demo_event *e, uint8_t running)
{
    dvbpsi_eit_event_t *ev = dvbpsi_eit_event_add(eit, event_id, mjd_bcd(start),
                                                  bcd_duration(e->minutes * 60), running, false, 0);
    if (!ev) return;
    uint8_t d[256], title[128], text[128];
    size_t tlen = dvb_utf8(title, e->title), xlen = dvb_utf8(text, e->text);
    memcpy(d, "chi", 3);
    d[3] = (uint8_t)tlen;
    memcpy(d + 4, title, tlen);
    d[4 + tlen] = (uint8_t)xlen;
    memcpy(d + 5 + tlen, text, xlen);
    dvbpsi_eit_event_descriptor_add(ev, 0x4D, (uint8_t)(5 + tlen + xlen), d);
    uint8_t content[2] = {0x90, 0x00}; /* education/science/factual */
    dvbpsi_eit_event_descriptor_add(ev, 0x54, 2, content);
}

/* One EIT section holding `count` events from `first`; renumbered and resealed
 * because libdvbpsi's generator numbers every table from section 0. */
static void put_eit(struct writer *w, uint8_t table_id, uint16_t ts_id, uint16_t service_id,
                    uint8_t section, uint8_t last_section, size_t first, size_t count,
                    int64_t day_start, bool present_following)
{
    dvbpsi_eit_t *eit =
        dvbpsi_eit_new(table_id, service_id, 0, true, ts_id, NETWORK_ID, last_section, table_id);
    if (!eit) {
        w->failed = true;
        return;
    }
    int64_t start = day_start;
    for (size_t i = 0; i < first; i++)
        start += demo_events[i].minutes * 60;
    for (size_t i = first; i < first + count && i < N_EVENTS; i++) {
        uint8_t running = present_following ? (i == first && section == 0 ? 4 : 1) : 0;
        add_event(eit, (uint16_t)(0x100 + i), start, &demo_events[i], running);
        start += demo_events[i].minutes * 60;
    }
    dvbpsi_psi_section_t *s = dvbpsi_eit_sections_generate(w->dvbpsi, eit, table_id);
    if (s) {
        s->i_number = section;
        s->p_data[6] = section;
        s->i_last_number = last_section;
        s->p_data[7] = last_section;
        s->p_data[12] = last_section; /* segment_last_section_number */
        dvbpsi_BuildPSISection(w->dvbpsi, s);
    }
    put_sections(w, EIT_PID, s);
    dvbpsi_eit_delete(eit);
}

static void put_si(struct writer *w, uint16_t ts_id, uint16_t service_id, int64_t day_start)
{
    put_sdt(w, ts_id, service_id);
    /* present (section 0) and following (section 1) */
    put_eit(w, 0x4E, ts_id, service_id, 0, 1, 0, 1, day_start, true);
    put_eit(w, 0x4E, ts_id, service_id, 1, 1, 1, 1, day_start, true);
    /* the schedule: the whole programme in one section */
    put_eit(w, 0x50, ts_id, service_id, 0, 0, 0, N_EVENTS, day_start, false);
}

/* The first program of a PAT packet: its transport_stream_id and program_number. */
static bool parse_pat(const uint8_t *p, uint16_t *ts_id, uint16_t *service_id)
{
    if (!(p[1] & 0x40)) return false;
    size_t at = 4;
    if (p[3] & 0x20) at += 1u + p[4]; /* adaptation field */
    if (at >= TS_PACKET) return false;
    at += 1u + p[at]; /* pointer field */
    if (at + 12 > TS_PACKET || p[at] != 0x00) return false;
    size_t section_length = (size_t)(p[at + 1] & 0x0F) << 8 | p[at + 2];
    *ts_id = (uint16_t)(p[at + 3] << 8 | p[at + 4]);
    size_t end = at + 3 + section_length - 4; /* before the CRC */
    for (size_t i = at + 8; i + 4 <= end && i + 4 <= TS_PACKET; i += 4) {
        uint16_t program = (uint16_t)(p[i] << 8 | p[i + 1]);
        if (program != 0) {
            *service_id = program;
            return true;
        }
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s IN.ts OUT.ts [UNIX-TIME]\n", argv[0]);
        return 1;
    }
    int64_t now = argc == 4 ? strtoll(argv[3], NULL, 10) : (int64_t)time(NULL);
    int64_t day_start = now - now % 3600;
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        fprintf(stderr, "studycast_demo_si: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    struct writer w = {.out = fopen(argv[2], "wb"), .dvbpsi = dvbpsi_new(NULL, DVBPSI_MSG_NONE)};
    if (!w.out || !w.dvbpsi) {
        fprintf(stderr, "studycast_demo_si: %s: %s\n", argv[2], strerror(errno));
        fclose(in);
        if (w.out) fclose(w.out);
        if (w.dvbpsi) dvbpsi_delete(w.dvbpsi);
        return 1;
    }
    uint8_t p[TS_PACKET];
    uint16_t ts_id = 0, service_id = 0;
    bool have_pat = false;
    unsigned long since_si = REPEAT_PACKETS, packets = 0;
    while (fread(p, 1, TS_PACKET, in) == TS_PACKET && !w.failed) {
        if (p[0] != 0x47) {
            fprintf(stderr, "studycast_demo_si: %s: lost sync at packet %lu\n", argv[1], packets);
            w.failed = true;
            break;
        }
        packets++;
        unsigned pid = (unsigned)(p[1] & 0x1F) << 8 | p[2];
        if (pid == 0 && !have_pat) have_pat = parse_pat(p, &ts_id, &service_id);
        if (pid == SDT_PID) continue; /* the muxer's own SDT: replaced by ours */
        put_packet(&w, p);
        if (have_pat && ++since_si >= REPEAT_PACKETS) {
            put_si(&w, ts_id, service_id, day_start);
            since_si = 0;
        }
    }
    bool read_error = ferror(in);
    fclose(in);
    dvbpsi_delete(w.dvbpsi);
    if (fclose(w.out) != 0) w.failed = true;
    if (w.failed || read_error || !have_pat) {
        fprintf(stderr, "studycast_demo_si: cannot make %s (%s)\n", argv[2],
                !have_pat ? "no PAT in the input" : "read or write error");
        remove(argv[2]);
        return 1;
    }
    return 0;
}
