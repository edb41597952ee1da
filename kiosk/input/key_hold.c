/* Key repeat and the release timeout of kiosk/input (see input.h): one held
 * key at a time, the latest pressed. */
#include "kiosk/input/input.h"

#define MS 1000000LL

static bool is_arrow(enum rc_action a)
{
    return a == RC_ACTION_UP || a == RC_ACTION_DOWN || a == RC_ACTION_LEFT || a == RC_ACTION_RIGHT;
}

void in_held_press(struct in_held *h, int device, unsigned code, enum rc_action action, int64_t now)
{
    *h = (struct in_held){.active = true,
                          .device = device,
                          .code = code,
                          .action = action,
                          .repeats = is_arrow(action),
                          .last_event_ns = now,
                          .next_repeat_ns = now + IN_REPEAT_DELAY_MS * MS};
}

void in_held_still(struct in_held *h, int device, unsigned code, int64_t now)
{
    if (h->active && h->device == device && h->code == code) h->last_event_ns = now;
}

void in_held_release(struct in_held *h, int device, unsigned code)
{
    if (h->active && h->device == device && (code == UINT32_MAX || h->code == code))
        h->active = false;
}

int in_held_turn(struct in_held *h, int64_t now, enum rc_action *action)
{
    if (!h->active) return 0;
    if (now - h->last_event_ns >= IN_RELEASE_TIMEOUT_MS * MS) {
        h->active = false; /* the release never came */
        return 0;
    }
    if (!h->repeats || now < h->next_repeat_ns) return 0;
    /* a steady rate: late turns do not add a burst of repeats */
    h->next_repeat_ns = now + IN_REPEAT_PERIOD_MS * MS;
    *action = h->action;
    return 1;
}

int64_t in_held_deadline(const struct in_held *h)
{
    if (!h->active) return INT64_MAX;
    int64_t release = h->last_event_ns + IN_RELEASE_TIMEOUT_MS * MS;
    if (h->repeats && h->next_repeat_ns < release) return h->next_repeat_ns;
    return release;
}
