/* remote: action names, the built-in keymap (keyboards and the names SDL
 * gives remote keys) in its kiosk and play profiles, keymap files overriding
 * it, and bad lines reported by line number with the defaults kept. */
#include "kiosk/remote/remote.h"
#include "tests/test.h"

#include <errno.h>
#include <unistd.h>

static void action_names(void)
{
    for (int a = 0; a < RC_ACTION_COUNT; a++) {
        enum rc_action parsed;
        ASSERT_EQ(rc_action_parse(rc_action_name((enum rc_action)a), &parsed), 0);
        ASSERT_EQ(parsed, a);
    }
    enum rc_action a;
    ASSERT_EQ(rc_action_parse("OK", &a), 0);
    ASSERT_EQ(a, RC_ACTION_OK);
    ASSERT_EQ(rc_action_parse("digit_7", &a), 0);
    ASSERT_EQ(rc_action_digit(a), 7);
    ASSERT_EQ(rc_action_parse("play_pause", &a), 0);
    ASSERT_EQ(a, RC_ACTION_PLAY_PAUSE);
    ASSERT_EQ(rc_action_digit(a), -1);
    ASSERT_EQ(rc_action_parse("Quit", &a), 0); /* play's, in the one vocabulary */
    ASSERT_EQ(a, RC_ACTION_QUIT);
    ASSERT_EQ(rc_action_parse("fullscreen", &a), 0);
    ASSERT_EQ(a, RC_ACTION_FULLSCREEN);
    ASSERT_STR_EQ(rc_action_name(RC_ACTION_CHANNEL_DOWN), "channel_down");
    ASSERT_STR_EQ(rc_action_name(RC_ACTION_DIGIT_0 + 3), "3");
    ASSERT_EQ(rc_action_parse("10", &a), -EINVAL);
    ASSERT_EQ(rc_action_parse("digit_", &a), -EINVAL);
    ASSERT_EQ(rc_action_parse("", &a), -EINVAL);
    ASSERT_EQ(rc_action_parse(NULL, &a), -EINVAL);
}

static void defaults(void)
{
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    static const struct {
        const char *key;
        enum rc_action action;
    } expected[] = {
        {"Up", RC_ACTION_UP},
        {"Down", RC_ACTION_DOWN},
        {"Left", RC_ACTION_LEFT},
        {"Right", RC_ACTION_RIGHT},
        {"Return", RC_ACTION_OK},
        {"Keypad Enter", RC_ACTION_OK},
        {"Escape", RC_ACTION_BACK},
        {"Backspace", RC_ACTION_BACK},
        {"M", RC_ACTION_MENU},
        {"I", RC_ACTION_INFO},
        {"Space", RC_ACTION_PLAY_PAUSE},
        {"0", RC_ACTION_DIGIT_0},
        {"9", RC_ACTION_DIGIT_9},
        {"Keypad 0", RC_ACTION_DIGIT_0},
        {"Keypad 5", RC_ACTION_DIGIT_0 + 5},
        {"Keypad +", RC_ACTION_VOLUME_UP},
        {"Keypad -", RC_ACTION_VOLUME_DOWN},
        {"=", RC_ACTION_VOLUME_UP},
        {"-", RC_ACTION_VOLUME_DOWN},
        /* what SDL 2.26 calls the rc-core keys it knows */
        {"Menu", RC_ACTION_MENU},
        {"AC Back", RC_ACTION_BACK},
        {"AC Home", RC_ACTION_MENU},
        {"Mute", RC_ACTION_MUTE},
        {"AudioMute", RC_ACTION_MUTE},
        {"VolumeUp", RC_ACTION_VOLUME_UP},
        {"VolumeDown", RC_ACTION_VOLUME_DOWN},
        {"AudioPlay", RC_ACTION_PLAY_PAUSE},
        {"AudioStop", RC_ACTION_STOP},
        {"Stop", RC_ACTION_STOP},
        {"PageUp", RC_ACTION_CHANNEL_UP},
        {"PageDown", RC_ACTION_CHANNEL_DOWN},
        {"AudioNext", RC_ACTION_CHANNEL_UP},
        {"AudioPrev", RC_ACTION_CHANNEL_DOWN},
        {"Help", RC_ACTION_INFO},
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (rc_keymap_lookup(map, expected[i].key) != expected[i].action)
            TEST_FAIL("default for '%s' is %s, expected %s", expected[i].key,
                      rc_action_name(rc_keymap_lookup(map, expected[i].key)),
                      rc_action_name(expected[i].action));
    }
    /* Case does not matter; unknown keys and NULL map to nothing. */
    ASSERT_EQ(rc_keymap_lookup(map, "return"), RC_ACTION_OK);
    ASSERT_EQ(rc_keymap_lookup(map, "ac back"), RC_ACTION_BACK);
    ASSERT_EQ(rc_keymap_lookup(map, "F13"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, ""), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, NULL), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(NULL, "Return"), RC_ACTION_NONE);
    rc_keymap_destroy(map);
    rc_keymap_destroy(NULL);
}

/* Loads text with a logger writing into a temporary file; returns what was
 * logged (malloc'd). */
static char *load_logged(struct rc_keymap *map, const char *text, int *bad)
{
    FILE *f = tmpfile();
    ASSERT_NOT_NULL(f);
    struct sc_log *log = sc_log_create(f, SC_LOG_INFO);
    *bad = rc_keymap_load_text(map, text, strlen(text), "keymap.conf", log);
    sc_log_destroy(log);
    long size = ftell(f);
    char *out = calloc(1, (size_t)size + 1);
    rewind(f);
    ASSERT_EQ(fread(out, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return out;
}

static void file_overrides(void)
{
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    const char *text = "# studycast keymap\n"
                       "\n"
                       "   # indented comment\n"
                       "F5 = menu\n"
                       "Return=info\r\n"
                       "  Keypad =   =  ok  \n"
                       "\"#\" = 7\n"
                       "Backspace = none\n"
                       "a = CHANNEL_UP\n";
    int bad;
    char *logged = load_logged(map, text, &bad);
    ASSERT_EQ(bad, 0);
    ASSERT_STR_EQ(logged, "");
    free(logged);
    ASSERT_EQ(rc_keymap_lookup(map, "F5"), RC_ACTION_MENU);
    ASSERT_EQ(rc_keymap_lookup(map, "Return"), RC_ACTION_INFO); /* overridden */
    ASSERT_EQ(rc_keymap_lookup(map, "Keypad ="), RC_ACTION_OK);
    ASSERT_EQ(rc_keymap_lookup(map, "#"), RC_ACTION_DIGIT_0 + 7);
    ASSERT_EQ(rc_keymap_lookup(map, "Backspace"), RC_ACTION_NONE); /* unmapped */
    ASSERT_EQ(rc_keymap_lookup(map, "A"), RC_ACTION_CHANNEL_UP);
    ASSERT_EQ(rc_keymap_lookup(map, "Escape"), RC_ACTION_BACK); /* defaults stay */
    ASSERT_EQ(rc_keymap_lookup(map, "Keypad Enter"), RC_ACTION_OK);

    /* A real file on disk, then a missing one: the map is unchanged. */
    char path[] = "/tmp/rc_keymap_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const char *file_text = "VolumeUp = channel_up\nVolumeDown = channel_down\n";
    ASSERT_EQ(write(fd, file_text, strlen(file_text)), (ssize_t)strlen(file_text));
    close(fd);
    ASSERT_EQ(rc_keymap_load_file(map, path, NULL), 0);
    ASSERT_EQ(rc_keymap_lookup(map, "VolumeUp"), RC_ACTION_CHANNEL_UP);
    ASSERT_EQ(rc_keymap_lookup(map, "VolumeDown"), RC_ACTION_CHANNEL_DOWN);
    unlink(path);
    ASSERT_EQ(rc_keymap_load_file(map, path, NULL), -ENOENT);
    ASSERT_EQ(rc_keymap_lookup(map, "VolumeUp"), RC_ACTION_CHANNEL_UP);
    rc_keymap_destroy(map);
}

static void errors_by_line(void)
{
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    const char *text = "Return = ok\n"        /* 1 fine */
                       "Escape\n"             /* 2 no '=' */
                       "F2 = teleport\n"      /* 3 unknown action */
                       "# comment\n"          /* 4 */
                       " = menu\n"            /* 5 empty key */
                       "F3 =\n"               /* 6 no action */
                       "\"F4 = menu\n"        /* 7 unterminated quote */
                       "F6 = menu\n"          /* 8 fine */
                       "M = menu # comment\n" /* 9 no inline comments */
                       "Return = back";       /* 10 fine, no final newline */
    int bad;
    char *logged = load_logged(map, text, &bad);
    ASSERT_EQ(bad, 6);
    const char *want[] = {
        "keymap.conf:2: expected 'KEYNAME = action'",  "keymap.conf:3: unknown action",
        "keymap.conf:5: the key name is empty",        "keymap.conf:6: the action is missing",
        "keymap.conf:7: unterminated quoted key name", "keymap.conf:9: unknown action"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(logged, want[i])) TEST_FAIL("log lacks '%s':\n%s", want[i], logged);
    ASSERT_TRUE(strstr(logged, "keymap.conf:1:") == NULL);
    ASSERT_TRUE(strstr(logged, "keymap.conf:8:") == NULL);
    free(logged);
    /* Good lines applied, bad ones skipped, defaults kept. */
    ASSERT_EQ(rc_keymap_lookup(map, "F6"), RC_ACTION_MENU);
    ASSERT_EQ(rc_keymap_lookup(map, "Return"), RC_ACTION_BACK);
    ASSERT_EQ(rc_keymap_lookup(map, "Escape"), RC_ACTION_BACK);
    ASSERT_EQ(rc_keymap_lookup(map, "F2"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, "M"), RC_ACTION_MENU);

    /* A key name too long for the table, and binary junk. */
    char long_line[200];
    memset(long_line, 'K', 100);
    snprintf(long_line + 100, sizeof(long_line) - 100, " = ok\n");
    logged = load_logged(map, long_line, &bad);
    ASSERT_EQ(bad, 1);
    ASSERT_TRUE(strstr(logged, "keymap.conf:1: the key name is too long") != NULL);
    free(logged);
    static const char junk[] = "\x01\x02 = \xff\xfe\n";
    logged = load_logged(map, junk, &bad);
    ASSERT_EQ(bad, 1);
    free(logged);
    rc_keymap_destroy(map);
}

/* play: the kiosk's bindings, except the keys play has always answered to
 * differently (README); the kiosk keeps nothing that quits. */
static void play_profile(void)
{
    struct rc_keymap *play, *kiosk;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_PLAY, &play), 0);
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &kiosk), 0);
    static const struct {
        const char *key;
        enum rc_action action;
    } expected[] = {
        {"Space", RC_ACTION_PLAY_PAUSE},
        {"Escape", RC_ACTION_QUIT},
        {"Q", RC_ACTION_QUIT},
        {"M", RC_ACTION_MUTE},
        {"+", RC_ACTION_VOLUME_UP},
        {"=", RC_ACTION_VOLUME_UP},
        {"Keypad +", RC_ACTION_VOLUME_UP},
        {"-", RC_ACTION_VOLUME_DOWN},
        {"Keypad -", RC_ACTION_VOLUME_DOWN},
        {"F", RC_ACTION_FULLSCREEN},
        {"I", RC_ACTION_INFO},
        {"PageUp", RC_ACTION_CHANNEL_UP},
        {"PageDown", RC_ACTION_CHANNEL_DOWN},
        /* the remote's keys, as in the kiosk */
        {"Mute", RC_ACTION_MUTE},
        {"VolumeUp", RC_ACTION_VOLUME_UP},
        {"AudioPlay", RC_ACTION_PLAY_PAUSE},
        {"AudioNext", RC_ACTION_CHANNEL_UP},
        {"Help", RC_ACTION_INFO},
        {"AC Back", RC_ACTION_BACK},
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (rc_keymap_lookup(play, expected[i].key) != expected[i].action)
            TEST_FAIL("play's default for '%s' is %s, expected %s", expected[i].key,
                      rc_action_name(rc_keymap_lookup(play, expected[i].key)),
                      rc_action_name(expected[i].action));
    }
    ASSERT_EQ(rc_keymap_lookup(kiosk, "Escape"), RC_ACTION_BACK);
    ASSERT_EQ(rc_keymap_lookup(kiosk, "M"), RC_ACTION_MENU);
    ASSERT_EQ(rc_keymap_lookup(kiosk, "Q"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(kiosk, "F"), RC_ACTION_NONE);
    rc_keymap_destroy(play);
    rc_keymap_destroy(kiosk);
}

/* rc_keymap_open: the profile, then the file; a file named but missing is
 * an error, the default file missing is not. */
static void open_with_file(void)
{
    char path[] = "/tmp/rc_keymap_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const char *text = "N = channel_down\nPageDown = none\nX = quit\n";
    ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_open(RC_KEYMAP_PLAY, path, NULL, &map), 0);
    ASSERT_EQ(rc_keymap_lookup(map, "N"), RC_ACTION_CHANNEL_DOWN);
    ASSERT_EQ(rc_keymap_lookup(map, "PageDown"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, "X"), RC_ACTION_QUIT);
    ASSERT_EQ(rc_keymap_lookup(map, "Q"), RC_ACTION_QUIT); /* the profile stays */
    rc_keymap_destroy(map);
    unlink(path);
    map = (struct rc_keymap *)1;
    ASSERT_EQ(rc_keymap_open(RC_KEYMAP_KIOSK, path, NULL, &map), -ENOENT);
    ASSERT_TRUE(map == NULL);
}

/* Kernel key names (event devices read by kiosk/input): the remote keys SDL
 * has no name for have defaults; keymap.conf accepts every name libevdev
 * knows, in any case and by any alias, and refuses KEY_ names it does not. */
static void kernel_names(void)
{
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    static const struct {
        const char *key;
        enum rc_action action;
    } expected[] = {
        {"KEY_OK", RC_ACTION_OK},
        {"KEY_SELECT", RC_ACTION_OK},
        {"KEY_ENTER", RC_ACTION_OK},
        {"KEY_EXIT", RC_ACTION_BACK},
        {"KEY_BACK", RC_ACTION_BACK},
        {"KEY_INFO", RC_ACTION_INFO},
        {"KEY_MENU", RC_ACTION_MENU},
        {"KEY_CHANNELUP", RC_ACTION_CHANNEL_UP},
        {"KEY_CHANNELDOWN", RC_ACTION_CHANNEL_DOWN},
        {"KEY_NUMERIC_0", RC_ACTION_DIGIT_0},
        {"KEY_NUMERIC_7", RC_ACTION_DIGIT_0 + 7},
        {"KEY_0", RC_ACTION_DIGIT_0},
        {"KEY_9", RC_ACTION_DIGIT_9},
        {"KEY_KP3", RC_ACTION_DIGIT_0 + 3},
        {"KEY_VOLUMEUP", RC_ACTION_VOLUME_UP},
        {"KEY_VOLUMEDOWN", RC_ACTION_VOLUME_DOWN},
        {"KEY_MUTE", RC_ACTION_MUTE},
        {"KEY_UP", RC_ACTION_UP},
        {"KEY_DOWN", RC_ACTION_DOWN},
        {"key_numeric_5", RC_ACTION_DIGIT_0 + 5}, /* case does not matter */
        {"KEY_RED", RC_ACTION_NONE},
        {"KEY_POWER", RC_ACTION_NONE},
        {"KEY_NO_SUCH_KEY", RC_ACTION_NONE},
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (rc_keymap_lookup(map, expected[i].key) != expected[i].action)
            TEST_FAIL("default for '%s' is %s, expected %s", expected[i].key,
                      rc_action_name(rc_keymap_lookup(map, expected[i].key)),
                      rc_action_name(expected[i].action));
    }
    const char *text = "KEY_RED = 1\n"
                       "key_blue = menu\n"
                       "KEY_POWER = info\n"
                       "KEY_OK = none\n"
                       "key_mute = volume_up\n"
                       "KEY_NOT_A_KEY = ok\n"
                       "KEY_EPG = channel_up\n";
    int bad;
    char *logged = load_logged(map, text, &bad);
    ASSERT_EQ(bad, 1);
    ASSERT_TRUE(strstr(logged, "keymap.conf:6: unknown kernel key name") != NULL);
    free(logged);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_RED"), RC_ACTION_DIGIT_0 + 1);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_BLUE"), RC_ACTION_MENU);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_POWER"), RC_ACTION_INFO);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_OK"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_MUTE"), RC_ACTION_VOLUME_UP);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_EPG"), RC_ACTION_CHANNEL_UP);
    /* SDL names are untouched by kernel names */
    ASSERT_EQ(rc_keymap_lookup(map, "Mute"), RC_ACTION_MUTE);
    ASSERT_EQ(rc_keymap_lookup(map, "Return"), RC_ACTION_OK);
    rc_keymap_destroy(map);

    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_PLAY, &map), 0);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_ESC"), RC_ACTION_QUIT);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_M"), RC_ACTION_MUTE);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_OK"), RC_ACTION_OK);
    rc_keymap_destroy(map);
}

/* Settings -> Remote: bind while in use, list an action's keys, restore the
 * defaults, and the text written back gives the same map again. */
static void learning(void)
{
    struct rc_keymap *map;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &map), 0);
    char names[8][RC_KEY_NAME_MAX];
    size_t n = rc_keymap_keys(map, RC_ACTION_OK, names, 8);
    ASSERT_GE(n, 3);
    ASSERT_STR_EQ(names[0], "Return"); /* the defaults' order */
    char key[RC_KEY_NAME_MAX];
    ASSERT_EQ(rc_keymap_canonical("key_green", key), 0);
    ASSERT_STR_EQ(key, "KEY_GREEN");
    ASSERT_EQ(rc_keymap_canonical("F7", key), 0);
    ASSERT_STR_EQ(key, "F7");
    ASSERT_EQ(rc_keymap_canonical("KEY_NO_SUCH", key), -EINVAL);
    ASSERT_EQ(rc_keymap_canonical("", key), -EINVAL);
    ASSERT_EQ(rc_keymap_bind(map, "KEY_NO_SUCH", RC_ACTION_OK), -EINVAL);
    /* a new key for OK; the old ones stay */
    ASSERT_EQ(rc_keymap_bind(map, "key_green", RC_ACTION_OK), 0);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_GREEN"), RC_ACTION_OK);
    ASSERT_EQ(rc_keymap_keys(map, RC_ACTION_OK, names, 8), n + 1);
    ASSERT_EQ(rc_keymap_lookup(map, "Return"), RC_ACTION_OK);
    /* a key moved from one action to another, and one unbound */
    ASSERT_EQ(rc_keymap_bind(map, "M", RC_ACTION_INFO), 0);
    ASSERT_EQ(rc_keymap_bind(map, "#", RC_ACTION_MUTE), 0);
    ASSERT_EQ(rc_keymap_bind(map, "Backspace", RC_ACTION_NONE), 0);
    ASSERT_EQ(rc_keymap_keys(map, RC_ACTION_NONE, names, 8), 0);
    struct sc_buf text = {0};
    ASSERT_EQ(rc_keymap_format(map, &text), 4);
    ASSERT_TRUE(strstr(text.data, "KEY_GREEN = ok\n") != NULL);
    ASSERT_TRUE(strstr(text.data, "M = info\n") != NULL);
    ASSERT_TRUE(strstr(text.data, "\"#\" = mute\n") != NULL);
    ASSERT_TRUE(strstr(text.data, "Backspace = none\n") != NULL);
    /* the defaults plus the text: the same map */
    struct rc_keymap *again;
    ASSERT_EQ(rc_keymap_create(RC_KEYMAP_KIOSK, &again), 0);
    ASSERT_EQ(rc_keymap_load_text(again, text.data, text.len, "learnt", NULL), 0);
    static const char *const probes[] = {"KEY_GREEN", "M",      "#",      "Backspace",
                                         "Return",    "KEY_OK", "Escape", "Home"};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        ASSERT_EQ(rc_keymap_lookup(again, probes[i]), rc_keymap_lookup(map, probes[i]));
    rc_keymap_destroy(again);
    /* restore: the built-in keys, nothing to write */
    ASSERT_EQ(rc_keymap_reset(map), 0);
    ASSERT_EQ(rc_keymap_lookup(map, "KEY_GREEN"), RC_ACTION_NONE);
    ASSERT_EQ(rc_keymap_lookup(map, "M"), RC_ACTION_MENU);
    ASSERT_EQ(rc_keymap_lookup(map, "Backspace"), RC_ACTION_BACK);
    sc_buf_reset(&text);
    ASSERT_EQ(rc_keymap_format(map, &text), 0);
    sc_buf_free(&text);
    rc_keymap_destroy(map);
}

int main(void)
{
    RUN_TEST(action_names);
    RUN_TEST(defaults);
    RUN_TEST(file_overrides);
    RUN_TEST(errors_by_line);
    RUN_TEST(play_profile);
    RUN_TEST(open_with_file);
    RUN_TEST(kernel_names);
    RUN_TEST(learning);
    return 0;
}
