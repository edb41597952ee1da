/* remote: what the TV remote means to studycast, independent of SDL.
 *
 *  - Actions (up, ok, menu, digits ...) and their names: THE action
 *    vocabulary of studycast. The kiosk, `studycast play`, the keymap file
 *    and the control socket all speak it; there is no other.
 *  - The keymap: key names as SDL_GetKeyName() reports them ("Return",
 *    "Keypad 5", "AC Back", "VolumeUp") -> actions, with built-in defaults for
 *    keyboards and remotes (a kiosk and a play profile), overridden by a text
 *    file (keymap.conf).
 *  - The control socket (`--ipc PATH`, JSON lines in the spirit of mpv's JSON
 *    IPC): a Unix socket server whose own thread accepts clients and reads
 *    requests, while the requests are HANDLED ON THE CORE LOOP'S THREAD: the
 *    server queues them and calls the wakeup callback; the core loop calls
 *    rc_ipc_server_poll(), which runs the handler for each pending request and
 *    hands the response back to the server thread to write.
 *  - The client side (`studycast ctl`): one request, one response, a timeout.
 *
 * Why the vocabulary lives here and not in ui/: ui sits below kiosk and must
 * not include kiosk headers, and the vocabulary belongs with the keymap and
 * the socket that speak it. So ui knows no actions at all: it reports a key
 * press by name (ui_wait_event(), struct ui_event.key_name) and the
 * command above it, kiosk or play, maps the name through its keymap.
 * Dependencies still point one way (kiosk/cli, kiosk/station -> ui and
 * -> remote; remote -> base only).
 *
 * How the kiosk and play use it: rc_keymap_open(profile, --keymap or NULL
 * for RC_KEYMAP_DEFAULT_PATH); on a key event, rc_keymap_lookup(map,
 * ev.key_name). With --ipc (the kiosk),
 * rc_ipc_server_create() with a wakeup that wakes the core loop (an eventfd
 * it polls, or SDL_PushEvent of a user event); when woken, the core loop calls
 * rc_ipc_server_poll(server, rc_handle_request, &callbacks), whose
 * press callback feeds the same action path as the keys, so a socket press
 * acts exactly as the remote does.
 *
 * Remote key codes and SDL 2.26. SDL names the kernel's KEY_MENU "Menu",
 * KEY_BACK "AC Back", KEY_HOMEPAGE "AC Home", KEY_MUTE "Mute" (X11 may report
 * "AudioMute"), KEY_VOLUMEUP/DOWN "VolumeUp"/"VolumeDown", KEY_PLAYPAUSE and
 * KEY_PLAY "AudioPlay", KEY_STOPCD "AudioStop", KEY_STOP "Stop",
 * KEY_NEXTSONG/PREVIOUSSONG "AudioNext"/"AudioPrev", KEY_PAGEUP/DOWN
 * "PageUp"/"PageDown", KEY_HELP "Help"; all of these have defaults. SDL 2.26
 * has no scancode for KEY_OK, KEY_INFO, KEY_EXIT, KEY_CHANNELUP/DOWN or
 * KEY_NUMERIC_0..9, so the kiosk reads event devices itself (kiosk/input) and
 * reports their keys by kernel name ("KEY_OK", as
 * libevdev_event_code_get_name() gives it). The keymap holds both kinds of
 * name: a name starting with KEY_ or BTN_ is a kernel name (any name libevdev
 * knows, case-insensitive; an unknown one is a bad line), anything else an
 * SDL name. The kernel names of remotes' keys have defaults (KEY_OK and
 * KEY_SELECT ok, KEY_EXIT and KEY_BACK back, KEY_NUMERIC_n, KEY_n and KEY_KPn
 * digit n, KEY_CHANNELUP/DOWN, KEY_INFO and KEY_EPG info, KEY_MENU, volume,
 * mute ...); KEY_POWER and the colour keys have none. */
#ifndef STUDYCAST_KIOSK_REMOTE_H
#define STUDYCAST_KIOSK_REMOTE_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- actions ------------------------------------------------------------- */

enum rc_action {
    RC_ACTION_NONE = 0,
    RC_ACTION_UP,
    RC_ACTION_DOWN,
    RC_ACTION_LEFT,
    RC_ACTION_RIGHT,
    RC_ACTION_OK,
    RC_ACTION_BACK,
    RC_ACTION_MENU,
    RC_ACTION_INFO,
    RC_ACTION_DIGIT_0, /* DIGIT_0 + n is digit n */
    RC_ACTION_DIGIT_9 = RC_ACTION_DIGIT_0 + 9,
    RC_ACTION_PLAY_PAUSE,
    RC_ACTION_STOP,
    RC_ACTION_CHANNEL_UP,
    RC_ACTION_CHANNEL_DOWN,
    RC_ACTION_VOLUME_UP,
    RC_ACTION_VOLUME_DOWN,
    RC_ACTION_MUTE,
    /* `play` only: the kiosk is an appliance, it neither quits nor leaves
     * fullscreen on a key (its screens refuse these, -ENOTSUP). */
    RC_ACTION_QUIT,
    RC_ACTION_FULLSCREEN,
    RC_ACTION_COUNT
};

/* "none", "up", "down", "left", "right", "ok", "back", "menu", "info", "0".."9",
 * "play_pause", "stop", "channel_up", "channel_down", "volume_up",
 * "volume_down", "mute", "quit", "fullscreen". */
const char *rc_action_name(enum rc_action action);
/* Parses a name above (case-insensitive; "digit_5" is accepted for "5").
 * Returns 0 or -EINVAL. "none" parses to RC_ACTION_NONE. */
int rc_action_parse(const char *name, enum rc_action *action);
/* The digit of a digit action (0-9), or -1. */
int rc_action_digit(enum rc_action action);

/* ---- keymap -------------------------------------------------------------- */

#define RC_KEYMAP_DEFAULT_PATH "/etc/studycast/keymap.conf"
#define RC_KEY_NAME_MAX        64

/* Key name -> action. Built at start-up; the menu's Settings -> Remote changes
 * it while the kiosk runs (rc_keymap_bind, rc_keymap_reset). A lock inside
 * makes lookups from any thread (the input reader's) safe at all times. */
struct rc_keymap;

/* The built-in defaults a keymap starts from. Both profiles share every
 * keyboard and remote binding except the few keys whose meaning differs
 * between the kiosk and a player; a keymap file applies to both. */
enum rc_keymap_profile {
    RC_KEYMAP_KIOSK = 0, /* Escape/Backspace back, M menu; nothing quits */
    RC_KEYMAP_PLAY,      /* the kiosk's, but Escape and Q quit, M mute, F fullscreen */
};

/* A keymap holding the profile's built-in defaults. Returns 0 or -ENOMEM. */
int rc_keymap_create(enum rc_keymap_profile profile, struct rc_keymap **out);
void rc_keymap_destroy(struct rc_keymap *map); /* accepts NULL */

/* The keymap a command starts with: the profile's defaults, then the file at
 * path (--keymap), or RC_KEYMAP_DEFAULT_PATH when path is NULL, whose absence
 * is normal. Bad lines are logged and skipped (rc_keymap_load_text). Returns
 * 0, -ENOMEM, or -errno when a path given cannot be read (logged as
 * "keymap PATH: reason"; *out is NULL then). An unreadable default file is
 * logged and the defaults are used. */
int rc_keymap_open(enum rc_keymap_profile profile, const char *path, struct sc_log *log,
                   struct rc_keymap **out);

/* Applies keymap text on top of what the map holds. One binding per line:
 *     KEYNAME = action
 * with KEYNAME as SDL names it or as the kernel does (case-insensitive), e.g.
 * "AC Back = back", "KEY_RED = info",
 * "Keypad = = ok" (the last '=' separates), '"#" = info' (quote a name
 * that starts with '#' or '"'), "Backspace = none" (unmaps a default).
 * Blank lines and lines starting with '#' are comments. A bad line is
 * logged as "NAME:LINE: reason" (NAME is the file name given) and skipped;
 * the good lines and the defaults stay. Returns the number of bad lines
 * (0 when all is well) or -ENOMEM. */
int rc_keymap_load_text(struct rc_keymap *map, const char *text, size_t len, const char *name,
                        struct sc_log *log);
/* The same from a file (at most 64 KiB). Returns the number of bad lines,
 * or -errno when the file cannot be read (the map is unchanged then). */
int rc_keymap_load_file(struct rc_keymap *map, const char *path, struct sc_log *log);

/* The action for an SDL key name or a kernel key name ("KEY_OK"), or
 * RC_ACTION_NONE. */
enum rc_action rc_keymap_lookup(const struct rc_keymap *map, const char *key_name);

/* ---- learning keys (Settings -> Remote) ------------------------------------ */

/* The form the keymap keeps a key name in: a kernel name as libevdev spells
 * it ("key_ok" -> "KEY_OK"), an SDL name as given. 0, or -EINVAL (empty, too
 * long, or a KEY_/BTN_ name libevdev does not know). */
int rc_keymap_canonical(const char *key_name, char out[RC_KEY_NAME_MAX]);
/* key_name -> action (RC_ACTION_NONE unbinds it), replacing what that key
 * meant; other keys of the action keep it. 0, -EINVAL, -ENOMEM. */
int rc_keymap_bind(struct rc_keymap *map, const char *key_name, enum rc_action action);
/* The keys bound to action, in the order they were bound (defaults first):
 * up to max copied into names; returns how many there are. */
size_t rc_keymap_keys(const struct rc_keymap *map, enum rc_action action,
                      char (*names)[RC_KEY_NAME_MAX], size_t max);
/* Back to the profile's built-in defaults. 0 or -ENOMEM. */
int rc_keymap_reset(struct rc_keymap *map);
/* Appends, as keymap.conf lines, every binding that differs from the
 * profile's defaults ("KEY_RED = ok", "Backspace = none"), so that the
 * defaults plus the text give this map again. Returns the number of lines
 * or -ENOMEM. */
int rc_keymap_format(const struct rc_keymap *map, struct sc_buf *out);

/* ---- control socket server ------------------------------------------------- */

#define RC_IPC_DEFAULT_MAX_LINE 65536
#define RC_IPC_MAX_CLIENTS      32
#define RC_IPC_MAX_PENDING      256
#define RC_IPC_DEFAULT_IDLE_MS  30000

/* Answers one request, ON THE THREAD CALLING rc_ipc_server_poll(). request is
 * the parsed JSON object (borrowed for the call). The handler writes the
 * response's own members into `out`, an object already opened; the server
 * adds "request_id". Returns NULL for success (the response then has no
 * "error" member at all), or an error text with static lifetime ("unknown
 * command"), in which case what was written into out is discarded and the
 * response is {"error": text}. A response has "error" exactly when the
 * request failed, and its value is always a message saying why. */
typedef const char *(*rc_ipc_handler_fn)(void *opaque, const struct sc_jv *request,
                                         struct sc_json *out);

struct rc_ipc_server_config {
    const char *path; /* the socket file; a stale one is replaced */
    size_t max_line;  /* request line limit in bytes; 0 means RC_IPC_DEFAULT_MAX_LINE */
    /* A client that sends no complete request line for this long, while
     * nothing of its own is being answered or written, is closed; 0 means
     * RC_IPC_DEFAULT_IDLE_MS. There is no event subscription: a client that
     * only listens for events is idle too and must send a request (status)
     * now and then to stay. When all RC_IPC_MAX_CLIENTS slots are taken, a
     * new client is still admitted: the longest-idle client is closed for
     * it (only when every client has a request in flight is it refused with
     * "too many clients"). */
    int idle_timeout_ms;
    /* Called on the server thread whenever requests were queued; must be
     * cheap and thread-safe (an eventfd write, SDL_PushEvent ...). */
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
    struct sc_log *log; /* borrowed; may be NULL */
};

struct rc_ipc_server;

/* Binds and listens on config->path and starts the server thread. If the
 * path is a socket nobody answers on, it is replaced; if a server answers
 * there, returns -EADDRINUSE; if it is some other file, -EEXIST (never
 * deleted). Also -ENAMETOOLONG, -errno. */
int rc_ipc_server_create(const struct rc_ipc_server_config *config, struct rc_ipc_server **out);
/* Stops the thread, closes every client and removes the socket file.
 * Accepts NULL. Not concurrently with rc_ipc_server_poll(). */
void rc_ipc_server_destroy(struct rc_ipc_server *server);
/* Runs handler for every queued request, in arrival order, and queues the
 * responses for writing. Malformed requests are answered here too, without
 * calling the handler, so each client gets its answers in order. Returns the
 * number of requests answered. Call from one thread (the core loop). */
int rc_ipc_server_poll(struct rc_ipc_server *server, rc_ipc_handler_fn handler, void *opaque);
/* Sends an event line (a JSON object such as {"event":"screen","screen":
 * "rollcall"}, without newline) to every connected client, as mpv's IPC
 * does, so a test or a bridge can wait for a change instead of polling
 * status. Clients match responses by request_id and skip events. Any thread.
 * Returns the number of clients it was queued for, or -EINVAL for text that
 * is not one JSON object on one line. */
int rc_ipc_server_send_event(struct rc_ipc_server *server, const char *json_object);
/* The number of connected clients (for tests and the status screen). */
int rc_ipc_server_client_count(struct rc_ipc_server *server);

/* The standard commands, for the kiosk to plug its state into:
 *   {"command":"press","action":"ok"}   -> callbacks->press(action), {"action":"ok"}
 *   {"command":"key","name":"KEY_OK"}   -> callbacks->key(name), {"key":"KEY_OK"}
 *   {"command":"status"}                -> {...status members}
 *   {"command":"actions"}               -> {"actions":["up","down",...]}
 * and {"error":"unknown action"} and the like when a request fails.
 * Pass rc_handle_request as the handler and the callbacks as opaque. */
struct rc_callbacks {
    /* Acts as the remote does. Returns 0, or a negative code: the response
     * is then {"error":"action not possible now"}. */
    int (*press)(void *opaque, enum rc_action action);
    /* Optional: a key pressed by name, as if a remote had sent it (the
     * keymap maps it; Settings -> Remote learns it). Returns 0 or negative:
     * {"error":"key not possible now"}. */
    int (*key)(void *opaque, const char *key_name);
    /* Writes the status members ("screen", "course", "session_id",
     * "present", "signal" ...) into out, an open object. */
    void (*status)(void *opaque, struct sc_json *out);
    void *opaque;
};
const char *rc_handle_request(void *callbacks, const struct sc_jv *request, struct sc_json *out);

/* ---- client ----------------------------------------------------------------- */

/* Sends one request object (text without the newline; a "request_id" is
 * added) to the server at path and waits up to timeout_ms for its response
 * line, which is parsed into *response (caller frees with sc_jv_free).
 * Returns 0, -ENOENT (no socket file), -ECONNREFUSED (nobody listening),
 * -ETIMEDOUT, -EPROTO (an answer that is not JSON), -EINVAL (bad request
 * text) or -errno. Lines without our request_id (events) are skipped. */
int rc_request(const char *path, const char *request_json, int timeout_ms, struct sc_jv **response);

#endif
