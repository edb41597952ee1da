/* The TV remote's CEC user control codes (HDMI-CEC 1.4, "UI Command
 * Codes") as the kiosk's actions. The numbers are the standard's, so this
 * file needs no libcec header. */
#include "kiosk/tv/tv.h"

enum rc_action tv_code_action(int code)
{
    if (code >= 0x20 && code <= 0x29) return (enum rc_action)(RC_ACTION_DIGIT_0 + (code - 0x20));
    switch (code) {
    case 0x00: /* select */
    case 0x2B: /* enter */
        return RC_ACTION_OK;
    case 0x01:
        return RC_ACTION_UP;
    case 0x02:
        return RC_ACTION_DOWN;
    case 0x03:
        return RC_ACTION_LEFT;
    case 0x04:
        return RC_ACTION_RIGHT;
    case 0x09: /* root menu */
    case 0x0A: /* setup menu */
        return RC_ACTION_MENU;
    case 0x0D: /* exit */
    case 0x91: /* return (AN_RETURN) */
        return RC_ACTION_BACK;
    case 0x30:
        return RC_ACTION_CHANNEL_UP;
    case 0x31:
        return RC_ACTION_CHANNEL_DOWN;
    case 0x35: /* display information */
    case 0x53: /* electronic programme guide */
        return RC_ACTION_INFO;
    case 0x41:
        return RC_ACTION_VOLUME_UP;
    case 0x42:
        return RC_ACTION_VOLUME_DOWN;
    case 0x43: /* mute */
    case 0x65: /* mute function */
        return RC_ACTION_MUTE;
    case 0x44: /* play */
    case 0x46: /* pause */
    case 0x61: /* pause-play function */
        return RC_ACTION_PLAY_PAUSE;
    case 0x45: /* stop */
    case 0x64: /* stop function */
        return RC_ACTION_STOP;
    default:
        return RC_ACTION_NONE;
    }
}
