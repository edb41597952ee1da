/* input: key repeat and the release timeout; the reader on FIFOs of raw
 * records (a remote, a card reader), and a watched directory where devices
 * appear and disappear, one of them mid-press. */
#include "kiosk/input/input.h"
#include "tests/test.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS 1000000LL

static void key_hold(void)
{
    struct in_held h = {0};
    enum rc_action a = RC_ACTION_NONE;
    ASSERT_EQ(in_held_deadline(&h), INT64_MAX);
    /* an arrow repeats after the delay, at the period, until released */
    in_held_press(&h, 0, KEY_DOWN, RC_ACTION_DOWN, 0);
    ASSERT_EQ(in_held_turn(&h, 100 * MS, &a), 0);
    ASSERT_EQ(in_held_deadline(&h), IN_REPEAT_DELAY_MS * MS);
    in_held_still(&h, 0, KEY_DOWN, 300 * MS);
    ASSERT_EQ(in_held_turn(&h, IN_REPEAT_DELAY_MS * MS, &a), 1);
    ASSERT_EQ(a, RC_ACTION_DOWN);
    ASSERT_EQ(in_held_turn(&h, (IN_REPEAT_DELAY_MS + 10) * MS, &a), 0);
    ASSERT_EQ(in_held_turn(&h, (IN_REPEAT_DELAY_MS + IN_REPEAT_PERIOD_MS) * MS, &a), 1);
    in_held_release(&h, 1, KEY_DOWN); /* another device's key: nothing */
    ASSERT_TRUE(h.active);
    in_held_release(&h, 0, KEY_DOWN);
    ASSERT_FALSE(h.active);
    /* a press without a release stops repeating after the release timeout */
    in_held_press(&h, 0, KEY_UP, RC_ACTION_UP, 0);
    int repeats = 0;
    for (int64_t t = 0; t < 3000 * MS; t += 10 * MS)
        repeats += in_held_turn(&h, t, &a);
    ASSERT_FALSE(h.active);
    ASSERT_GT(repeats, 2);
    ASSERT_LT(repeats, 1 + IN_RELEASE_TIMEOUT_MS / IN_REPEAT_PERIOD_MS);
    /* other keys never repeat; a device going releases its key */
    in_held_press(&h, 2, KEY_OK, RC_ACTION_OK, 0);
    ASSERT_EQ(in_held_turn(&h, 900 * MS, &a), 0);
    in_held_release(&h, 2, UINT32_MAX);
    ASSERT_FALSE(h.active);
}

static void put(int fd, unsigned code, int value)
{
    unsigned char rec[24] = {0};
    uint16_t type = EV_KEY, c = (uint16_t)code;
    int32_t v = value;
    memcpy(rec + 16, &type, 2);
    memcpy(rec + 18, &c, 2);
    memcpy(rec + 20, &v, 4);
    ASSERT_EQ(write(fd, rec, sizeof(rec)), 24);
    uint16_t syn = EV_SYN; /* a SYN_REPORT as the kernel sends, ignored */
    memset(rec + 16, 0, 8);
    memcpy(rec + 16, &syn, 2);
    ASSERT_EQ(write(fd, rec, sizeof(rec)), 24);
}

/* Collects events for ms milliseconds. */
static size_t collect(struct in_reader *r, struct in_event *out, size_t max, int ms)
{
    size_t n = 0;
    for (int t = 0; t < ms; t += 10) {
        usleep(10000);
        n += in_reader_drain(r, out + n, max - n);
    }
    return n;
}

static size_t count_action(const struct in_event *ev, size_t n, enum rc_action a)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ev[i].kind == IN_EVENT_ACTION && ev[i].action == a;
    return c;
}

static void fifo_remote_and_card(void)
{
    char dir[] = "/tmp/test_input_XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    char remote[256], card[256];
    snprintf(remote, sizeof(remote), "%s/remote", dir);
    snprintf(card, sizeof(card), "%s/card-reader", dir);
    ASSERT_EQ(mkfifo(remote, 0600), 0);
    ASSERT_EQ(mkfifo(card, 0600), 0);
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    const char *paths[] = {remote, card};
    struct in_config config = {.paths = paths, .n_paths = 2, .keymap = map};
    struct in_reader *r;
    ASSERT_EQ(in_reader_create(&config, &r), 0);
    ASSERT_EQ(in_reader_device_count(r), 2);
    int fd = open(remote, O_WRONLY), cfd = open(card, O_WRONLY);
    ASSERT_TRUE(fd >= 0 && cfd >= 0);
    put(fd, KEY_NUMERIC_4, 1);
    put(fd, KEY_NUMERIC_4, 0);
    put(fd, KEY_OK, 1);
    put(fd, KEY_OK, 2); /* a kernel repeat of OK: no second OK */
    put(fd, KEY_OK, 0);
    put(fd, KEY_RED, 1); /* unmapped */
    put(fd, KEY_RED, 0);
    static const unsigned card_keys[] = {KEY_1, KEY_2, KEY_3, KEY_4, KEY_ENTER};
    for (size_t i = 0; i < 5; i++) {
        put(cfd, card_keys[i], 1);
        put(cfd, card_keys[i], 0);
    }
    struct in_event ev[256];
    size_t n = collect(r, ev, 256, 300);
    ASSERT_EQ(n, 4);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_DIGIT_0 + 4), 1);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_OK), 1);
    /* an unmapped key comes by name only, for Settings -> Remote to learn */
    ASSERT_EQ(count_action(ev, n, RC_ACTION_NONE), 1);
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == IN_EVENT_ACTION && ev[i].action == RC_ACTION_NONE)
            ASSERT_STR_EQ(ev[i].key_name, "KEY_RED");
    size_t cards = 0;
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == IN_EVENT_CARD) {
            ASSERT_STR_EQ(ev[i].card, "1234");
            cards++;
        }
    ASSERT_EQ(cards, 1);
    /* a held arrow repeats at a steady rate; without a release it stops */
    put(fd, KEY_DOWN, 1);
    n = collect(r, ev, 256, 700);
    size_t downs = count_action(ev, n, RC_ACTION_DOWN);
    ASSERT_GE(downs, 2); /* the press and at least one repeat */
    n = collect(r, ev, 256, IN_RELEASE_TIMEOUT_MS);
    n = collect(r, ev, 256, 400);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_DOWN), 0);
    close(fd);
    close(cfd);
    in_reader_destroy(r);
    rc_keymap_destroy(map);
    unlink(remote);
    unlink(card);
    rmdir(dir);
}

/* A plain file of records: read to its end, then dropped. */
static void plain_file(void)
{
    char path[] = "/tmp/test_input_file_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    put(fd, KEY_INFO, 1);
    put(fd, KEY_INFO, 0);
    put(fd, KEY_CHANNELUP, 1);
    put(fd, KEY_CHANNELUP, 0);
    close(fd);
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    const char *paths[] = {path};
    struct in_config config = {.paths = paths, .n_paths = 1, .keymap = map};
    struct in_reader *r;
    ASSERT_EQ(in_reader_create(&config, &r), 0);
    struct in_event ev[16];
    size_t n = collect(r, ev, 16, 200);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(ev[0].action, RC_ACTION_INFO);
    ASSERT_STR_EQ(ev[0].key_name, "KEY_INFO");
    ASSERT_EQ(ev[1].action, RC_ACTION_CHANNEL_UP);
    ASSERT_EQ(in_reader_device_count(r), 0);
    in_reader_destroy(r);
    unlink(path);
    /* a path that cannot be read is an error */
    ASSERT_EQ(in_reader_create(&config, &r), -ENOENT);
    rc_keymap_destroy(map);
}

static void watched_dir(void)
{
    char dir[] = "/tmp/test_input_XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    struct in_config config = {.dir = dir, .keymap = map};
    struct in_reader *r;
    ASSERT_EQ(in_reader_create(&config, &r), 0);
    ASSERT_EQ(in_reader_device_count(r), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/event7", dir);
    ASSERT_EQ(mkfifo(path, 0600), 0);
    struct in_event ev[256];
    collect(r, ev, 256, 200);
    ASSERT_EQ(in_reader_device_count(r), 1);
    int fd = open(path, O_WRONLY);
    ASSERT_TRUE(fd >= 0);
    put(fd, KEY_MENU, 1);
    put(fd, KEY_MENU, 0);
    put(fd, KEY_LEFT, 1); /* held, then the device goes */
    size_t n = collect(r, ev, 256, 100);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_MENU), 1);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_LEFT), 1);
    unlink(path);
    n = collect(r, ev, 256, 200);
    ASSERT_EQ(in_reader_device_count(r), 0);
    n = collect(r, ev, 256, 800);
    ASSERT_EQ(count_action(ev, n, RC_ACTION_LEFT), 0); /* nothing stuck */
    close(fd);
    in_reader_destroy(r);
    /* a --input-dir that does not exist is an error */
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/none", dir);
    config.dir = missing;
    ASSERT_EQ(in_reader_create(&config, &r), -ENOENT);
    rc_keymap_destroy(map);
    rmdir(dir);
}

int main(void)
{
    RUN_TEST(key_hold);
    RUN_TEST(fifo_remote_and_card);
    RUN_TEST(plain_file);
    RUN_TEST(watched_dir);
    return 0;
}
