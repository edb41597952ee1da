/* The keymap: SDL key names and kernel key names (KEY_OK ...) -> actions,
 * built-in defaults (per profile) plus keymap.conf; see remote.h. */
#include "kiosk/remote/remote.h"

#include <ctype.h>
#include <errno.h>
#include <libevdev/libevdev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct binding {
    char key[RC_KEY_NAME_MAX];
    enum rc_action action;
};

/* The lock: the menu changes a keymap (Settings -> Remote) while the input
 * reader's thread looks keys up in it. */
struct rc_keymap {
    struct binding *bindings;
    size_t count, cap;
    enum rc_keymap_profile profile;
    pthread_mutex_t lock;
};

/* Key names exactly as SDL 2.26's SDL_GetKeyName() reports them. */
static const struct {
    const char *key;
    enum rc_action action;
} default_bindings[] = {
    /* keyboards (and card readers, which type digits and Enter) */
    {"Up", RC_ACTION_UP},
    {"Down", RC_ACTION_DOWN},
    {"Left", RC_ACTION_LEFT},
    {"Right", RC_ACTION_RIGHT},
    {"Return", RC_ACTION_OK},
    {"Keypad Enter", RC_ACTION_OK},
    {"Escape", RC_ACTION_BACK},
    {"Backspace", RC_ACTION_BACK},
    {"M", RC_ACTION_MENU},
    {"Home", RC_ACTION_MENU},
    {"I", RC_ACTION_INFO},
    {"F1", RC_ACTION_INFO},
    {"Space", RC_ACTION_PLAY_PAUSE},
    {"P", RC_ACTION_PLAY_PAUSE},
    {"S", RC_ACTION_STOP},
    {"PageUp", RC_ACTION_CHANNEL_UP},
    {"PageDown", RC_ACTION_CHANNEL_DOWN},
    {"=", RC_ACTION_VOLUME_UP},
    {"+", RC_ACTION_VOLUME_UP},
    {"Keypad +", RC_ACTION_VOLUME_UP},
    {"-", RC_ACTION_VOLUME_DOWN},
    {"Keypad -", RC_ACTION_VOLUME_DOWN},
    {"0", RC_ACTION_DIGIT_0},
    {"1", RC_ACTION_DIGIT_0 + 1},
    {"2", RC_ACTION_DIGIT_0 + 2},
    {"3", RC_ACTION_DIGIT_0 + 3},
    {"4", RC_ACTION_DIGIT_0 + 4},
    {"5", RC_ACTION_DIGIT_0 + 5},
    {"6", RC_ACTION_DIGIT_0 + 6},
    {"7", RC_ACTION_DIGIT_0 + 7},
    {"8", RC_ACTION_DIGIT_0 + 8},
    {"9", RC_ACTION_DIGIT_9},
    {"Keypad 0", RC_ACTION_DIGIT_0},
    {"Keypad 1", RC_ACTION_DIGIT_0 + 1},
    {"Keypad 2", RC_ACTION_DIGIT_0 + 2},
    {"Keypad 3", RC_ACTION_DIGIT_0 + 3},
    {"Keypad 4", RC_ACTION_DIGIT_0 + 4},
    {"Keypad 5", RC_ACTION_DIGIT_0 + 5},
    {"Keypad 6", RC_ACTION_DIGIT_0 + 6},
    {"Keypad 7", RC_ACTION_DIGIT_0 + 7},
    {"Keypad 8", RC_ACTION_DIGIT_0 + 8},
    {"Keypad 9", RC_ACTION_DIGIT_9},
    /* remotes through rc-core and media keyboards (see remote.h) */
    {"Menu", RC_ACTION_MENU},
    {"Application", RC_ACTION_MENU},
    {"AC Home", RC_ACTION_MENU},
    {"AC Back", RC_ACTION_BACK},
    {"Help", RC_ACTION_INFO},
    {"Select", RC_ACTION_OK},
    {"Mute", RC_ACTION_MUTE},
    {"AudioMute", RC_ACTION_MUTE},
    {"VolumeUp", RC_ACTION_VOLUME_UP},
    {"VolumeDown", RC_ACTION_VOLUME_DOWN},
    {"AudioPlay", RC_ACTION_PLAY_PAUSE},
    {"Pause", RC_ACTION_PLAY_PAUSE},
    {"AudioStop", RC_ACTION_STOP},
    {"Stop", RC_ACTION_STOP},
    {"AudioNext", RC_ACTION_CHANNEL_UP},
    {"AudioPrev", RC_ACTION_CHANNEL_DOWN},
    /* kernel key names (<linux/input-event-codes.h>), for the keys the kiosk
     * reads from event devices itself (kiosk/input): set-top remotes' keys
     * that SDL has no name for, and keyboards and card readers as above.
     * KEY_POWER and the colour keys have no default. */
    {"KEY_UP", RC_ACTION_UP},
    {"KEY_DOWN", RC_ACTION_DOWN},
    {"KEY_LEFT", RC_ACTION_LEFT},
    {"KEY_RIGHT", RC_ACTION_RIGHT},
    {"KEY_OK", RC_ACTION_OK},
    {"KEY_SELECT", RC_ACTION_OK},
    {"KEY_ENTER", RC_ACTION_OK},
    {"KEY_KPENTER", RC_ACTION_OK},
    {"KEY_EXIT", RC_ACTION_BACK},
    {"KEY_BACK", RC_ACTION_BACK},
    {"KEY_ESC", RC_ACTION_BACK},
    {"KEY_BACKSPACE", RC_ACTION_BACK},
    {"KEY_MENU", RC_ACTION_MENU},
    {"KEY_HOMEPAGE", RC_ACTION_MENU},
    {"KEY_HOME", RC_ACTION_MENU},
    {"KEY_M", RC_ACTION_MENU},
    {"KEY_INFO", RC_ACTION_INFO},
    {"KEY_EPG", RC_ACTION_INFO},
    {"KEY_HELP", RC_ACTION_INFO},
    {"KEY_I", RC_ACTION_INFO},
    {"KEY_F1", RC_ACTION_INFO},
    {"KEY_CHANNELUP", RC_ACTION_CHANNEL_UP},
    {"KEY_CHANNELDOWN", RC_ACTION_CHANNEL_DOWN},
    {"KEY_PAGEUP", RC_ACTION_CHANNEL_UP},
    {"KEY_PAGEDOWN", RC_ACTION_CHANNEL_DOWN},
    {"KEY_NEXTSONG", RC_ACTION_CHANNEL_UP},
    {"KEY_PREVIOUSSONG", RC_ACTION_CHANNEL_DOWN},
    {"KEY_VOLUMEUP", RC_ACTION_VOLUME_UP},
    {"KEY_VOLUMEDOWN", RC_ACTION_VOLUME_DOWN},
    {"KEY_EQUAL", RC_ACTION_VOLUME_UP},
    {"KEY_KPPLUS", RC_ACTION_VOLUME_UP},
    {"KEY_MINUS", RC_ACTION_VOLUME_DOWN},
    {"KEY_KPMINUS", RC_ACTION_VOLUME_DOWN},
    {"KEY_MUTE", RC_ACTION_MUTE},
    {"KEY_PLAYPAUSE", RC_ACTION_PLAY_PAUSE},
    {"KEY_PLAY", RC_ACTION_PLAY_PAUSE},
    {"KEY_PAUSE", RC_ACTION_PLAY_PAUSE},
    {"KEY_SPACE", RC_ACTION_PLAY_PAUSE},
    {"KEY_P", RC_ACTION_PLAY_PAUSE},
    {"KEY_STOP", RC_ACTION_STOP},
    {"KEY_STOPCD", RC_ACTION_STOP},
    {"KEY_S", RC_ACTION_STOP},
};

/* RC_KEYMAP_PLAY: applied over the defaults above. Esc/q quit, m mute and
 * f fullscreen are what `play` has always answered to (README); the kiosk
 * keeps Escape for back and M for the menu, and has nothing that quits. */
static const struct {
    const char *key;
    enum rc_action action;
} play_bindings[] = {
    {"Escape", RC_ACTION_QUIT},  {"Q", RC_ACTION_QUIT},           {"M", RC_ACTION_MUTE},
    {"F", RC_ACTION_FULLSCREEN}, {"KEY_ESC", RC_ACTION_QUIT},     {"KEY_Q", RC_ACTION_QUIT},
    {"KEY_M", RC_ACTION_MUTE},   {"KEY_F", RC_ACTION_FULLSCREEN},
};

/* The digit keys, by kernel name: KEY_n, KEY_NUMERIC_n (remotes), KEY_KPn. */
static int bind_kernel_digits(struct rc_keymap *map);

/* A kernel key name ("KEY_OK", "key_numeric_5", "BTN_LEFT") in the form the
 * keymap keeps it: the name libevdev_event_code_get_name() gives its code, as
 * kiosk/input reports an event device's key. Returns 1 and fills out when name is a kernel key
 * name, 0 when it is not one (an SDL name), -EINVAL for a KEY_/BTN_ name libevdev does not know. */
static int kernel_key_name(const char *name, char out[RC_KEY_NAME_MAX])
{
    if (strncasecmp(name, "KEY_", 4) != 0 && strncasecmp(name, "BTN_", 4) != 0) return 0;
    char upper[RC_KEY_NAME_MAX];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof(upper); i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[i] = '\0';
    int code = libevdev_event_code_from_name(EV_KEY, upper);
    const char *canonical = code < 0 ? NULL : libevdev_event_code_get_name(EV_KEY, (unsigned)code);
    if (!canonical) return -EINVAL;
    snprintf(out, RC_KEY_NAME_MAX, "%s", canonical);
    return 1;
}

/* Sets key -> action, replacing an earlier binding of the same key. */
static int bind(struct rc_keymap *map, const char *key, enum rc_action action)
{
    char kernel[RC_KEY_NAME_MAX];
    if (kernel_key_name(key, kernel) > 0) key = kernel;
    for (size_t i = 0; i < map->count; i++) {
        if (strcasecmp(map->bindings[i].key, key) == 0) {
            map->bindings[i].action = action;
            return 0;
        }
    }
    if (map->count == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 64;
        struct binding *bigger = realloc(map->bindings, cap * sizeof(*bigger));
        if (!bigger) return -ENOMEM;
        map->bindings = bigger;
        map->cap = cap;
    }
    struct binding *b = &map->bindings[map->count++];
    snprintf(b->key, sizeof(b->key), "%s", key);
    b->action = action;
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int bind_defaults(struct rc_keymap *map)
{
    map->count = 0;
    for (size_t i = 0; i < COUNT(default_bindings); i++)
        if (bind(map, default_bindings[i].key, default_bindings[i].action)) return -ENOMEM;
    for (size_t i = 0; map->profile == RC_KEYMAP_PLAY && i < COUNT(play_bindings); i++)
        if (bind(map, play_bindings[i].key, play_bindings[i].action)) return -ENOMEM;
    return bind_kernel_digits(map);
}

int rc_keymap_create(enum rc_keymap_profile profile, struct rc_keymap **out)
{
    *out = NULL;
    struct rc_keymap *map = calloc(1, sizeof(*map));
    if (!map) return -ENOMEM;
    map->profile = profile;
    if (pthread_mutex_init(&map->lock, NULL) != 0) {
        free(map);
        return -ENOMEM;
    }
    if (bind_defaults(map)) {
        rc_keymap_destroy(map);
        return -ENOMEM;
    }
    *out = map;
    return 0;
}

void rc_keymap_destroy(struct rc_keymap *map)
{
    if (!map) return;
    pthread_mutex_destroy(&map->lock);
    free(map->bindings);
    free(map);
}

static int bind_kernel_digits(struct rc_keymap *map)
{
    static const char *const forms[] = {"KEY_%d", "KEY_NUMERIC_%d", "KEY_KP%d"};
    for (size_t f = 0; f < COUNT(forms); f++) {
        for (int d = 0; d <= 9; d++) {
            char key[RC_KEY_NAME_MAX];
            snprintf(key, sizeof(key), forms[f], d);
            if (bind(map, key, (enum rc_action)(RC_ACTION_DIGIT_0 + d))) return -ENOMEM;
        }
    }
    return 0;
}

enum rc_action rc_keymap_lookup(const struct rc_keymap *map, const char *key_name)
{
    if (!map || !key_name) return RC_ACTION_NONE;
    char kernel[RC_KEY_NAME_MAX];
    int kind = kernel_key_name(key_name, kernel);
    if (kind < 0) return RC_ACTION_NONE;
    if (kind > 0) key_name = kernel;
    struct rc_keymap *m = (struct rc_keymap *)map; /* the lock only */
    enum rc_action action = RC_ACTION_NONE;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < map->count; i++)
        if (strcasecmp(map->bindings[i].key, key_name) == 0) {
            action = map->bindings[i].action;
            break;
        }
    pthread_mutex_unlock(&m->lock);
    return action;
}

/* ---- changes while in use ---- */

int rc_keymap_canonical(const char *key_name, char out[RC_KEY_NAME_MAX])
{
    size_t len = key_name ? strlen(key_name) : 0;
    if (len == 0 || len >= RC_KEY_NAME_MAX) return -EINVAL;
    int kind = kernel_key_name(key_name, out);
    if (kind < 0) return -EINVAL;
    if (kind == 0) memcpy(out, key_name, len + 1);
    return 0;
}

int rc_keymap_bind(struct rc_keymap *map, const char *key_name, enum rc_action action)
{
    char key[RC_KEY_NAME_MAX];
    if (action < RC_ACTION_NONE || action >= RC_ACTION_COUNT ||
        rc_keymap_canonical(key_name, key) < 0)
        return -EINVAL;
    pthread_mutex_lock(&map->lock);
    int rc = bind(map, key, action);
    pthread_mutex_unlock(&map->lock);
    return rc;
}

size_t rc_keymap_keys(const struct rc_keymap *map, enum rc_action action,
                      char (*names)[RC_KEY_NAME_MAX], size_t max)
{
    struct rc_keymap *m = (struct rc_keymap *)map; /* the lock only */
    size_t n = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < map->count; i++) {
        if (map->bindings[i].action != action || action == RC_ACTION_NONE) continue;
        if (n < max) memcpy(names[n], map->bindings[i].key, RC_KEY_NAME_MAX);
        n++;
    }
    pthread_mutex_unlock(&m->lock);
    return n;
}

int rc_keymap_reset(struct rc_keymap *map)
{
    pthread_mutex_lock(&map->lock);
    int rc = bind_defaults(map);
    pthread_mutex_unlock(&map->lock);
    return rc;
}

/* One "KEY = action" line; a name starting with '#' or '"' is quoted. */
static void format_line(struct sc_buf *out, const char *key, enum rc_action action)
{
    if (key[0] == '#' || key[0] == '"')
        sc_buf_printf(out, "\"%s\" = %s\n", key, rc_action_name(action));
    else
        sc_buf_printf(out, "%s = %s\n", key, rc_action_name(action));
}

int rc_keymap_format(const struct rc_keymap *map, struct sc_buf *out)
{
    struct rc_keymap *defaults;
    if (rc_keymap_create(map->profile, &defaults) < 0) return -ENOMEM;
    struct rc_keymap *m = (struct rc_keymap *)map; /* the lock only */
    int n = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < map->count; i++) {
        const struct binding *b = &map->bindings[i];
        if (rc_keymap_lookup(defaults, b->key) == b->action) continue;
        format_line(out, b->key, b->action);
        n++;
    }
    pthread_mutex_unlock(&m->lock);
    rc_keymap_destroy(defaults);
    return out->failed ? -ENOMEM : n;
}

static void trim(char **start, char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t'))
        (*start)++;
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Parses one non-comment line into key and action; returns NULL or why not. */
static const char *parse_line(char *line, char *end, char *key, enum rc_action *action)
{
    char *p = line, *key_end, *rest;
    if (*p == '"') {
        char *close = memchr(p + 1, '"', (size_t)(end - p - 1));
        if (!close) return "unterminated quoted key name";
        p++;
        key_end = close;
        rest = close + 1;
        while (rest < end && (*rest == ' ' || *rest == '\t'))
            rest++;
        if (rest >= end || *rest != '=') return "'=' expected after the key name";
    } else {
        /* The last '=' separates: key names may contain '=' ("Keypad ="),
         * action names never do. */
        rest = NULL;
        for (char *q = end; q > p; q--) {
            if (q[-1] == '=') {
                rest = q - 1;
                break;
            }
        }
        if (!rest) return "expected 'KEYNAME = action'";
        key_end = rest;
        trim(&p, &key_end);
    }
    size_t key_len = (size_t)(key_end - p);
    if (key_len == 0) return "the key name is empty";
    if (key_len >= RC_KEY_NAME_MAX) return "the key name is too long";
    memcpy(key, p, key_len);
    key[key_len] = '\0';
    char kernel[RC_KEY_NAME_MAX];
    if (kernel_key_name(key, kernel) < 0)
        return "unknown kernel key name (see /usr/include/linux/input-event-codes.h)";
    char *value = rest + 1, *value_end = end;
    trim(&value, &value_end);
    if (value == value_end) return "the action is missing";
    char name[32];
    size_t value_len = (size_t)(value_end - value);
    if (value_len >= sizeof(name)) return "unknown action";
    memcpy(name, value, value_len);
    name[value_len] = '\0';
    if (rc_action_parse(name, action))
        return "unknown action (up, down, left, right, ok, back, menu, info, 0-9, play_pause, "
               "stop, channel_up, channel_down, volume_up, volume_down, mute, quit, fullscreen, "
               "none)";
    return NULL;
}

int rc_keymap_load_text(struct rc_keymap *map, const char *text, size_t len, const char *name,
                        struct sc_log *log)
{
    char *copy = malloc(len + 1);
    if (!copy) return -ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    int bad = 0, line_no = 0;
    char *line = copy, *stop = copy + len;
    while (line < stop) {
        line_no++;
        char *nl = memchr(line, '\n', (size_t)(stop - line));
        char *end = nl ? nl : stop;
        char *start = line;
        line = nl ? nl + 1 : stop;
        trim(&start, &end);
        if (start == end || *start == '#') continue;
        if (memchr(start, '\0', (size_t)(end - start))) {
            SC_WARN(log, "%s:%d: NUL byte in the line; line ignored", name, line_no);
            bad++;
            continue;
        }
        char key[RC_KEY_NAME_MAX];
        enum rc_action action;
        const char *why = parse_line(start, end, key, &action);
        if (why) {
            SC_WARN(log, "%s:%d: %s; line ignored", name, line_no, why);
            bad++;
            continue;
        }
        if (rc_keymap_bind(map, key, action)) {
            free(copy);
            return -ENOMEM;
        }
    }
    free(copy);
    return bad;
}

int rc_keymap_load_file(struct rc_keymap *map, const char *path, struct sc_log *log)
{
    char *text;
    size_t len;
    int rc = sc_read_file(path, 65536, &text, &len);
    if (rc) {
        /* No keymap file is the normal case: the defaults are meant to do. */
        sc_logf(log, rc == -ENOENT ? SC_LOG_INFO : SC_LOG_WARN,
                "cannot read the keymap %s: %s; keeping the defaults", path, strerror(-rc));
        return rc;
    }
    rc = rc_keymap_load_text(map, text, len, path, log);
    free(text);
    return rc;
}

int rc_keymap_open(enum rc_keymap_profile profile, const char *path, struct sc_log *log,
                   struct rc_keymap **out)
{
    *out = NULL;
    struct rc_keymap *map;
    int rc = rc_keymap_create(profile, &map);
    if (rc < 0) return rc;
    const char *file = path ? path : RC_KEYMAP_DEFAULT_PATH;
    rc = rc_keymap_load_file(map, file, log);
    if (rc < 0 && (path || rc != -ENOENT)) {
        SC_ERR(log, "keymap %s: %s", file, strerror(-rc));
        if (path) { /* asked for by name: running without it would surprise */
            rc_keymap_destroy(map);
            return rc;
        }
    }
    *out = map;
    return 0;
}
