/* The action vocabulary's names; see remote.h. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <strings.h>

static const char *const action_names[RC_ACTION_COUNT] = {
    [RC_ACTION_NONE] = "none",
    [RC_ACTION_UP] = "up",
    [RC_ACTION_DOWN] = "down",
    [RC_ACTION_LEFT] = "left",
    [RC_ACTION_RIGHT] = "right",
    [RC_ACTION_OK] = "ok",
    [RC_ACTION_BACK] = "back",
    [RC_ACTION_MENU] = "menu",
    [RC_ACTION_INFO] = "info",
    [RC_ACTION_DIGIT_0] = "0",
    [RC_ACTION_DIGIT_0 + 1] = "1",
    [RC_ACTION_DIGIT_0 + 2] = "2",
    [RC_ACTION_DIGIT_0 + 3] = "3",
    [RC_ACTION_DIGIT_0 + 4] = "4",
    [RC_ACTION_DIGIT_0 + 5] = "5",
    [RC_ACTION_DIGIT_0 + 6] = "6",
    [RC_ACTION_DIGIT_0 + 7] = "7",
    [RC_ACTION_DIGIT_0 + 8] = "8",
    [RC_ACTION_DIGIT_9] = "9",
    [RC_ACTION_PLAY_PAUSE] = "play_pause",
    [RC_ACTION_STOP] = "stop",
    [RC_ACTION_CHANNEL_UP] = "channel_up",
    [RC_ACTION_CHANNEL_DOWN] = "channel_down",
    [RC_ACTION_VOLUME_UP] = "volume_up",
    [RC_ACTION_VOLUME_DOWN] = "volume_down",
    [RC_ACTION_MUTE] = "mute",
    [RC_ACTION_QUIT] = "quit",
    [RC_ACTION_FULLSCREEN] = "fullscreen",
};

const char *rc_action_name(enum rc_action action)
{
    return (unsigned)action < RC_ACTION_COUNT ? action_names[action] : "none";
}

int rc_action_parse(const char *name, enum rc_action *action)
{
    if (!name) return -EINVAL;
    if (strncasecmp(name, "digit_", 6) == 0 && name[6] >= '0' && name[6] <= '9' && !name[7]) {
        *action = (enum rc_action)(RC_ACTION_DIGIT_0 + (name[6] - '0'));
        return 0;
    }
    for (int i = 0; i < RC_ACTION_COUNT; i++) {
        if (strcasecmp(name, action_names[i]) == 0) {
            *action = (enum rc_action)i;
            return 0;
        }
    }
    return -EINVAL;
}

int rc_action_digit(enum rc_action action)
{
    if (action >= RC_ACTION_DIGIT_0 && action <= RC_ACTION_DIGIT_9)
        return (int)(action - RC_ACTION_DIGIT_0);
    return -1;
}
