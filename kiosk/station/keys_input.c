/* The station's side of kiosk/input: opening the reader (--input,
 * --input-dir, else /dev/input), acting on what it delivered, and dropping a
 * key press that arrives twice, once from an event device and once from SDL
 * (see struct st_input). */
#include "kiosk/station/internal.h"

#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void input_wakeup(void *opaque)
{
    struct st_station *st = opaque;
    if (st->ui) ui_wakeup(st->ui);
}

int st_input_open(struct st_station *st)
{
    struct in_config config = {.paths = (const char *const *)st->opts.inputs,
                               .n_paths = (size_t)st->opts.n_inputs,
                               .dir = st->opts.input_dir,
                               .keymap = st->keymap,
                               .grab = !st->opts.windowed,
                               .card_readers = st->opts.card_readers,
                               .wakeup = input_wakeup,
                               .wakeup_opaque = st,
                               .log = st->log};
    int rc = in_reader_create(&config, &st->input.reader);
    if (rc < 0) SC_ERR(st->log, "cannot read the input devices: %s", strerror(-rc));
    return rc;
}

int st_keymap_open(struct st_station *st)
{
    char learnt[PATH_MAX + 16];
    snprintf(learnt, sizeof(learnt), "%s/%s", st->base_data_dir, ST_KEYMAP_LEARNT);
    const char *configured = st->opts.keymap_path ? st->opts.keymap_path : RC_KEYMAP_DEFAULT_PATH;
    const char *path = st->opts.keymap_path;
    if (access(learnt, F_OK) == 0) {
        SC_INFO(st->log, "keymap: %s (written by the menu where %s could not be) instead of %s",
                learnt, configured, configured);
        path = learnt;
    }
    snprintf(st->input.keymap_file, sizeof(st->input.keymap_file), "%s", path ? path : configured);
    return rc_keymap_open(RC_KEYMAP_KIOSK, path, st->log, &st->keymap);
}

int st_key(struct st_station *st, const char *key_name, int64_t time_ns)
{
    if (st_page_remote_key(st, key_name, time_ns)) return 0;
    enum rc_action action = rc_keymap_lookup(st->keymap, key_name);
    if (action == RC_ACTION_NONE) {
        SC_DEBUG(st->log, "key '%s' is not mapped", key_name);
        return -ENOENT;
    }
    return st_action(st, action, time_ns);
}

void st_input_close(struct st_station *st)
{
    in_reader_destroy(st->input.reader);
    st->input.reader = NULL;
}

static bool twin(const int64_t *other_ns, enum rc_action action, int64_t time_ns, int64_t window)
{
    int64_t t = other_ns[action];
    return t && time_ns - t <= window && t - time_ns <= window;
}

bool st_input_sdl_twin(struct st_station *st, enum rc_action action, bool repeat, int64_t time_ns)
{
    if (!st->input.reader || action <= RC_ACTION_NONE || action >= RC_ACTION_COUNT) return false;
    /* SDL's own repeats of a key an input device holds: the device repeats */
    int64_t window = repeat ? IN_RELEASE_TIMEOUT_MS * 1000000LL : ST_INPUT_TWIN_NS;
    if (twin(st->input.evdev_ns, action, time_ns, window)) {
        SC_DEBUG(st->log, "key %s from SDL already came from an input device",
                 rc_action_name(action));
        return true;
    }
    st->input.sdl_ns[action] = time_ns;
    return false;
}

void st_input_turn(struct st_station *st)
{
    struct in_event events[64];
    size_t n;
    while (st->input.reader && (n = in_reader_drain(st->input.reader, events, 64)) > 0) {
        for (size_t i = 0; i < n && !atomic_load(&st->stop); i++) {
            const struct in_event *ev = &events[i];
            if (ev->kind == IN_EVENT_CARD) {
                st_roster_card(st, ev->card);
                st->view_dirty = true;
                continue;
            }
            if (!ev->repeat && ev->key_name[0] && st_page_remote_key(st, ev->key_name, ev->time_ns))
                continue;
            if (ev->action == RC_ACTION_NONE) continue; /* not mapped (the reader logged it) */
            if (!ev->repeat && twin(st->input.sdl_ns, ev->action, ev->time_ns, ST_INPUT_TWIN_NS)) {
                SC_DEBUG(st->log, "key %s from an input device already came from SDL",
                         rc_action_name(ev->action));
                continue;
            }
            st->input.evdev_ns[ev->action] = ev->time_ns;
            SC_DEBUG(st->log, "input: %s %s", ev->repeat ? "repeat" : ev->key_name,
                     rc_action_name(ev->action));
            st_action(st, ev->action, ev->time_ns);
        }
    }
}
