/* The keymap: SDL key names -> actions, built-in defaults (per profile)
 * plus keymap.conf; see remote.h. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct binding {
    char key[SC_KEY_NAME_MAX];
    enum sc_action action;
};

struct sc_keymap {
    struct binding *bindings;
    size_t count, cap;
};

/* Key names exactly as SDL 2.26's SDL_GetKeyName() reports them. */
static const struct {
    const char *key;
    enum sc_action action;
} default_bindings[] = {
    /* keyboards (and card readers, which type digits and Enter) */
    {"Up", SC_ACTION_UP},
    {"Down", SC_ACTION_DOWN},
    {"Left", SC_ACTION_LEFT},
    {"Right", SC_ACTION_RIGHT},
    {"Return", SC_ACTION_OK},
    {"Keypad Enter", SC_ACTION_OK},
    {"Escape", SC_ACTION_BACK},
    {"Backspace", SC_ACTION_BACK},
    {"M", SC_ACTION_MENU},
    {"Home", SC_ACTION_MENU},
    {"I", SC_ACTION_INFO},
    {"F1", SC_ACTION_INFO},
    {"Space", SC_ACTION_PLAY_PAUSE},
    {"P", SC_ACTION_PLAY_PAUSE},
    {"S", SC_ACTION_STOP},
    {"PageUp", SC_ACTION_CHANNEL_UP},
    {"PageDown", SC_ACTION_CHANNEL_DOWN},
    {"=", SC_ACTION_VOLUME_UP},
    {"+", SC_ACTION_VOLUME_UP},
    {"Keypad +", SC_ACTION_VOLUME_UP},
    {"-", SC_ACTION_VOLUME_DOWN},
    {"Keypad -", SC_ACTION_VOLUME_DOWN},
    {"0", SC_ACTION_DIGIT_0},
    {"1", SC_ACTION_DIGIT_0 + 1},
    {"2", SC_ACTION_DIGIT_0 + 2},
    {"3", SC_ACTION_DIGIT_0 + 3},
    {"4", SC_ACTION_DIGIT_0 + 4},
    {"5", SC_ACTION_DIGIT_0 + 5},
    {"6", SC_ACTION_DIGIT_0 + 6},
    {"7", SC_ACTION_DIGIT_0 + 7},
    {"8", SC_ACTION_DIGIT_0 + 8},
    {"9", SC_ACTION_DIGIT_9},
    {"Keypad 0", SC_ACTION_DIGIT_0},
    {"Keypad 1", SC_ACTION_DIGIT_0 + 1},
    {"Keypad 2", SC_ACTION_DIGIT_0 + 2},
    {"Keypad 3", SC_ACTION_DIGIT_0 + 3},
    {"Keypad 4", SC_ACTION_DIGIT_0 + 4},
    {"Keypad 5", SC_ACTION_DIGIT_0 + 5},
    {"Keypad 6", SC_ACTION_DIGIT_0 + 6},
    {"Keypad 7", SC_ACTION_DIGIT_0 + 7},
    {"Keypad 8", SC_ACTION_DIGIT_0 + 8},
    {"Keypad 9", SC_ACTION_DIGIT_9},
    /* remotes through rc-core and media keyboards (see remote.h) */
    {"Menu", SC_ACTION_MENU},
    {"Application", SC_ACTION_MENU},
    {"AC Home", SC_ACTION_MENU},
    {"AC Back", SC_ACTION_BACK},
    {"Help", SC_ACTION_INFO},
    {"Select", SC_ACTION_OK},
    {"Mute", SC_ACTION_MUTE},
    {"AudioMute", SC_ACTION_MUTE},
    {"VolumeUp", SC_ACTION_VOLUME_UP},
    {"VolumeDown", SC_ACTION_VOLUME_DOWN},
    {"AudioPlay", SC_ACTION_PLAY_PAUSE},
    {"Pause", SC_ACTION_PLAY_PAUSE},
    {"AudioStop", SC_ACTION_STOP},
    {"Stop", SC_ACTION_STOP},
    {"AudioNext", SC_ACTION_CHANNEL_UP},
    {"AudioPrev", SC_ACTION_CHANNEL_DOWN},
};

/* SC_KEYMAP_PLAY: applied over the defaults above. Esc/q quit, m mute and
 * f fullscreen are what `play` has always answered to (README); the kiosk
 * keeps Escape for back and M for the menu, and has nothing that quits. */
static const struct {
    const char *key;
    enum sc_action action;
} play_bindings[] = {
    {"Escape", SC_ACTION_QUIT},
    {"Q", SC_ACTION_QUIT},
    {"M", SC_ACTION_MUTE},
    {"F", SC_ACTION_FULLSCREEN},
};

/* Sets key -> action, replacing an earlier binding of the same key. */
static int bind(struct sc_keymap *map, const char *key, enum sc_action action)
{
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

int sc_keymap_create(enum sc_keymap_profile profile, struct sc_keymap **out)
{
    *out = NULL;
    struct sc_keymap *map = calloc(1, sizeof(*map));
    if (!map) return -ENOMEM;
    for (size_t i = 0; i < COUNT(default_bindings); i++)
        if (bind(map, default_bindings[i].key, default_bindings[i].action)) goto fail;
    for (size_t i = 0; profile == SC_KEYMAP_PLAY && i < COUNT(play_bindings); i++)
        if (bind(map, play_bindings[i].key, play_bindings[i].action)) goto fail;
    *out = map;
    return 0;
fail:
    sc_keymap_destroy(map);
    return -ENOMEM;
}

void sc_keymap_destroy(struct sc_keymap *map)
{
    if (!map) return;
    free(map->bindings);
    free(map);
}

enum sc_action sc_keymap_lookup(const struct sc_keymap *map, const char *key_name)
{
    if (!map || !key_name) return SC_ACTION_NONE;
    for (size_t i = 0; i < map->count; i++)
        if (strcasecmp(map->bindings[i].key, key_name) == 0) return map->bindings[i].action;
    return SC_ACTION_NONE;
}

static void trim(char **start, char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t'))
        (*start)++;
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Parses one non-comment line into key and action; returns NULL or why not. */
static const char *parse_line(char *line, char *end, char *key, enum sc_action *action)
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
    if (key_len >= SC_KEY_NAME_MAX) return "the key name is too long";
    memcpy(key, p, key_len);
    key[key_len] = '\0';
    char *value = rest + 1, *value_end = end;
    trim(&value, &value_end);
    if (value == value_end) return "the action is missing";
    char name[32];
    size_t value_len = (size_t)(value_end - value);
    if (value_len >= sizeof(name)) return "unknown action";
    memcpy(name, value, value_len);
    name[value_len] = '\0';
    if (sc_action_parse(name, action))
        return "unknown action (up, down, left, right, ok, back, menu, info, 0-9, play_pause, "
               "stop, channel_up, channel_down, volume_up, volume_down, mute, quit, fullscreen, "
               "none)";
    return NULL;
}

int sc_keymap_load_text(struct sc_keymap *map, const char *text, size_t len, const char *name,
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
        char key[SC_KEY_NAME_MAX];
        enum sc_action action;
        const char *why = parse_line(start, end, key, &action);
        if (why) {
            SC_WARN(log, "%s:%d: %s; line ignored", name, line_no, why);
            bad++;
            continue;
        }
        if (bind(map, key, action)) {
            free(copy);
            return -ENOMEM;
        }
    }
    free(copy);
    return bad;
}

int sc_keymap_load_file(struct sc_keymap *map, const char *path, struct sc_log *log)
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
    rc = sc_keymap_load_text(map, text, len, path, log);
    free(text);
    return rc;
}

int sc_keymap_open(enum sc_keymap_profile profile, const char *path, struct sc_log *log,
                   struct sc_keymap **out)
{
    *out = NULL;
    struct sc_keymap *map;
    int rc = sc_keymap_create(profile, &map);
    if (rc < 0) return rc;
    const char *file = path ? path : SC_KEYMAP_DEFAULT_PATH;
    rc = sc_keymap_load_file(map, file, log);
    if (rc < 0 && (path || rc != -ENOENT)) {
        SC_ERR(log, "keymap %s: %s", file, strerror(-rc));
        if (path) { /* asked for by name: running without it would surprise */
            sc_keymap_destroy(map);
            return rc;
        }
    }
    *out = map;
    return 0;
}
