/* The standard control-socket commands (press, key, status, actions); see remote.h. */
#include "kiosk/remote/remote.h"

#include <string.h>

const char *rc_handle_request(void *opaque, const struct sc_jv *request, struct sc_json *out)
{
    const struct rc_callbacks *cb = opaque;
    const char *command = sc_jv_get_string(request, "command");
    if (!command) return "missing \"command\"";
    if (strcmp(command, "press") == 0) {
        const char *name = sc_jv_get_string(request, "action");
        enum rc_action action;
        if (!name) return "missing \"action\"";
        if (rc_action_parse(name, &action) || action == RC_ACTION_NONE) return "unknown action";
        if (!cb->press) return "not supported";
        if (cb->press(cb->opaque, action) != 0) return "action not possible now";
        sc_json_kv_string(out, "action", rc_action_name(action));
        return NULL;
    }
    if (strcmp(command, "key") == 0) {
        const char *name = sc_jv_get_string(request, "name");
        char key[RC_KEY_NAME_MAX];
        if (!name) return "missing \"name\"";
        if (rc_keymap_canonical(name, key) < 0) return "unknown key name";
        if (!cb->key) return "not supported";
        if (cb->key(cb->opaque, key) != 0) return "key not possible now";
        sc_json_kv_string(out, "key", key);
        return NULL;
    }
    if (strcmp(command, "status") == 0) {
        if (!cb->status) return "not supported";
        cb->status(cb->opaque, out);
        return NULL;
    }
    if (strcmp(command, "actions") == 0) {
        sc_json_key(out, "actions");
        sc_json_array_begin(out);
        for (int a = RC_ACTION_NONE + 1; a < RC_ACTION_COUNT; a++)
            sc_json_string(out, rc_action_name((enum rc_action)a));
        sc_json_array_end(out);
        return NULL;
    }
    return "unknown command";
}
