/* The guide store on its own: bounds per service and in total (ended
 * events go first, then the earliest), replacement by event id, EIT
 * sections that drop events, and a save/load round trip of awkward text. */
#include "demux/internal.h"
#include "tests/test.h"

#include <unistd.h>

#define H 3600

static struct dmx_event ev(int sid, int eid, int64_t start, const char *title)
{
    return (struct dmx_event){.service_id = (uint16_t)sid,
                              .event_id = (uint16_t)eid,
                              .start = start,
                              .duration = H,
                              .title = strdup(title),
                              .description = strdup(""),
                              .extended = strdup("")};
}

static bool has(struct dmx_guide *g, int sid, int eid)
{
    struct dmx_event *e;
    size_t n;
    ASSERT_EQ(dmx_guide_copy(g, sid, &e, &n), 0);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= e[i].event_id == eid;
    dmx_events_free(e, n);
    return found;
}

static void test_bounds(void)
{
    struct dmx_guide *g = dmx_guide_create(4, 6);
    int64_t t0 = 1772352000;
    for (int i = 0; i < 5; i++) { /* service 1: 5 events, 4 kept */
        struct dmx_event e = ev(1, 10 + i, t0 + i * H, "a");
        ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    }
    ASSERT_EQ(dmx_guide_count(g), 4);
    ASSERT_FALSE(has(g, 1, 10));  /* the earliest went */
    for (int i = 0; i < 3; i++) { /* service 2: the total bound (6) applies */
        struct dmx_event e = ev(2, 20 + i, t0 + 10 * H + i * H, "b");
        ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    }
    ASSERT_EQ(dmx_guide_count(g), 6);
    ASSERT_FALSE(has(g, 1, 11));
    ASSERT_TRUE(has(g, 2, 22));
    /* with the time known, an ended event goes before an earlier future one:
     * service 2 event 30 started long ago and has ended */
    int64_t now = t0 + 4 * H + 1800; /* events 11..13 of service 1 have ended */
    struct dmx_event e = ev(2, 23, t0 + 13 * H, "c");
    ASSERT_EQ(dmx_guide_put(g, &e, now), 0);
    ASSERT_EQ(dmx_guide_count(g), 6);
    ASSERT_TRUE(has(g, 1, 14)); /* still running at `now`: kept */
    /* a newcomer that would be the first to go is not stored */
    e = ev(1, 99, t0 - 100 * H, "old");
    ASSERT_EQ(dmx_guide_put(g, &e, now), 0);
    ASSERT_FALSE(has(g, 1, 99));
    /* the same event id replaces, it does not add */
    e = ev(2, 23, t0 + 13 * H, "c2");
    ASSERT_EQ(dmx_guide_put(g, &e, now), 0);
    ASSERT_EQ(dmx_guide_count(g), 6);
    dmx_guide_destroy(g);
}

/* Ended events go before earlier ones still running. */
static void test_ended_first(void)
{
    struct dmx_guide *g = dmx_guide_create(0, 3);
    int64_t t0 = 1772352000;
    struct dmx_event e = ev(1, 1, t0 - 10 * H, "long, still running");
    e.duration = 20 * H;
    ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    e = ev(1, 2, t0, "ended");
    ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    e = ev(1, 3, t0 + 5 * H, "future");
    ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    e = ev(1, 4, t0 + 6 * H, "newcomer");
    ASSERT_EQ(dmx_guide_put(g, &e, t0 + 2 * H), 0);
    ASSERT_EQ(dmx_guide_count(g), 3);
    ASSERT_TRUE(has(g, 1, 1));
    ASSERT_FALSE(has(g, 1, 2));
    ASSERT_TRUE(has(g, 1, 4));
    dmx_guide_destroy(g);
}

static void test_section_replacement(void)
{
    struct dmx_guide *g = dmx_guide_create(0, 0);
    struct dmx_event a[2] = {ev(5, 1, 1000, "present"), ev(5, 2, 5000, "next")};
    a[0].table_id = a[1].table_id = 0x4E;
    a[1].section_number = 0;
    ASSERT_EQ(dmx_guide_put_section(g, 5, 0x4E, 0, a, 2, 0), 0);
    ASSERT_EQ(dmx_guide_count(g), 2);
    /* the section now lists only event 2: event 1 leaves */
    struct dmx_event b[1] = {ev(5, 2, 5000, "next")};
    b[0].table_id = 0x4E;
    ASSERT_EQ(dmx_guide_put_section(g, 5, 0x4E, 0, b, 1, 0), 0);
    ASSERT_EQ(dmx_guide_count(g), 1);
    ASSERT_TRUE(has(g, 5, 2));
    /* another table's section does not touch it */
    ASSERT_EQ(dmx_guide_put_section(g, 5, 0x50, 0, NULL, 0, 0), 0);
    ASSERT_EQ(dmx_guide_count(g), 1);
    dmx_guide_destroy(g);
}

static void test_save_load_round_trip(void)
{
    struct dmx_guide *g = dmx_guide_create(0, 0);
    struct dmx_event e = ev(7, 70, 1772352000, "tab\there\nnew line \\ back");
    free(e.description);
    e.description = strdup("中文 描述");
    snprintf(e.language, sizeof e.language, "chi");
    e.genre = 0x90;
    e.running_status = 4;
    e.table_id = 0x50;
    ASSERT_EQ(dmx_guide_put(g, &e, 0), 0);
    struct dmx_event *all;
    size_t n;
    ASSERT_EQ(dmx_guide_copy(g, -1, &all, &n), 0);
    unlink("guide_rt.txt");
    ASSERT_EQ(dmx_guide_save(all, n, "guide_rt.txt"), 0);
    dmx_events_free(all, n);
    struct dmx_guide *h = dmx_guide_create(0, 0);
    ASSERT_EQ(dmx_guide_load(h, "guide_rt.txt", 0), 0);
    ASSERT_EQ(dmx_guide_copy(h, 7, &all, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(all[0].title, "tab\there\nnew line \\ back");
    ASSERT_STR_EQ(all[0].description, "中文 描述");
    ASSERT_STR_EQ(all[0].language, "chi");
    ASSERT_EQ(all[0].genre, 0x90);
    ASSERT_EQ(all[0].running_status, 4);
    ASSERT_EQ(all[0].table_id, 0x50);
    ASSERT_EQ(all[0].start, 1772352000);
    dmx_events_free(all, n);
    /* a truncated file is refused whole */
    ASSERT_EQ(
        sc_write_file_atomic("guide_cut.txt", "studycast-guide\t1\n7\t71\t1\t2\t0\t80\t0", 34), 0);
    ASSERT_EQ(dmx_guide_load(h, "guide_cut.txt", 0), DMX_ERR_FORMAT);
    ASSERT_EQ(sc_write_file_atomic("guide_cut.txt", "not a guide\n", 12), 0);
    ASSERT_EQ(dmx_guide_load(h, "guide_cut.txt", 0), DMX_ERR_FORMAT);
    ASSERT_EQ(dmx_guide_count(h), 1);
    dmx_guide_destroy(h);
    dmx_guide_destroy(g);
}

int main(void)
{
    RUN_TEST(test_bounds);
    RUN_TEST(test_ended_first);
    RUN_TEST(test_section_replacement);
    RUN_TEST(test_save_load_round_trip);
    return 0;
}
