/* The action vocabulary's names; see remote.h. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <strings.h>

static const char *const action_names[SC_ACTION_COUNT] = {
    [SC_ACTION_NONE] = "none",
    [SC_ACTION_UP] = "up",
    [SC_ACTION_DOWN] = "down",
    [SC_ACTION_LEFT] = "left",
    [SC_ACTION_RIGHT] = "right",
    [SC_ACTION_OK] = "ok",
    [SC_ACTION_BACK] = "back",
    [SC_ACTION_MENU] = "menu",
    [SC_ACTION_INFO] = "info",
    [SC_ACTION_DIGIT_0] = "0",
    [SC_ACTION_DIGIT_0 + 1] = "1",
    [SC_ACTION_DIGIT_0 + 2] = "2",
    [SC_ACTION_DIGIT_0 + 3] = "3",
    [SC_ACTION_DIGIT_0 + 4] = "4",
    [SC_ACTION_DIGIT_0 + 5] = "5",
    [SC_ACTION_DIGIT_0 + 6] = "6",
    [SC_ACTION_DIGIT_0 + 7] = "7",
    [SC_ACTION_DIGIT_0 + 8] = "8",
    [SC_ACTION_DIGIT_9] = "9",
    [SC_ACTION_PLAY_PAUSE] = "play_pause",
    [SC_ACTION_STOP] = "stop",
    [SC_ACTION_CHANNEL_UP] = "channel_up",
    [SC_ACTION_CHANNEL_DOWN] = "channel_down",
    [SC_ACTION_VOLUME_UP] = "volume_up",
    [SC_ACTION_VOLUME_DOWN] = "volume_down",
    [SC_ACTION_MUTE] = "mute",
    [SC_ACTION_QUIT] = "quit",
    [SC_ACTION_FULLSCREEN] = "fullscreen",
};

const char *sc_action_name(enum sc_action action)
{
    return (unsigned)action < SC_ACTION_COUNT ? action_names[action] : "none";
}

int sc_action_parse(const char *name, enum sc_action *action)
{
    if (!name) return -EINVAL;
    if (strncasecmp(name, "digit_", 6) == 0 && name[6] >= '0' && name[6] <= '9' && !name[7]) {
        *action = (enum sc_action)(SC_ACTION_DIGIT_0 + (name[6] - '0'));
        return 0;
    }
    for (int i = 0; i < SC_ACTION_COUNT; i++) {
        if (strcasecmp(name, action_names[i]) == 0) {
            *action = (enum sc_action)i;
            return 0;
        }
    }
    return -EINVAL;
}

int sc_action_digit(enum sc_action action)
{
    if (action >= SC_ACTION_DIGIT_0 && action <= SC_ACTION_DIGIT_9)
        return (int)(action - SC_ACTION_DIGIT_0);
    return -1;
}
