/* Input events for the kiosk and `play`: key presses by name with their text
 * and time, wakeups, quit and window changes, one at a time and in order. */
#include "ui/screens.h"

#include <string.h>

/* SDL stamps events with SDL_GetTicks() when it pumps them from the window
 * system; turn that into sc_mono_ns() time. */
static int64_t event_time_ns(Uint32 timestamp_ms)
{
    int64_t now = sc_mono_ns();
    int64_t age_ms = (int64_t)(Uint32)(SDL_GetTicks() - timestamp_ms);
    return now - age_ms * 1000000;
}

/* On X11 a key's SDL_TEXTINPUT is queued right behind its SDL_KEYDOWN:
 * take it along so the core sees one event per key. */
static void take_text(char *text, size_t size)
{
    SDL_Event next;
    text[0] = 0;
    if (SDL_PeepEvents(&next, 1, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) == 1 &&
        next.type == SDL_TEXTINPUT) {
        SDL_PeepEvents(&next, 1, SDL_GETEVENT, SDL_TEXTINPUT, SDL_TEXTINPUT);
        snprintf(text, size, "%s", next.text.text);
    }
}

/* 1 if the event becomes *ev, 0 if it is nothing for the core. */
static int convert(struct ui *ui, const SDL_Event *e, struct ui_event *ev)
{
    if (e->type == ui->wakeup_event) {
        atomic_store(&ui->wakeup_pending, false);
        ev->type = UI_EVENT_WAKEUP;
        ev->time_ns = sc_mono_ns();
        return 1;
    }
    switch (e->type) {
    case SDL_QUIT:
        ev->type = UI_EVENT_QUIT;
        ev->time_ns = sc_mono_ns();
        return 1;
    case SDL_KEYDOWN:
        ev->type = UI_EVENT_KEY;
        snprintf(ev->key_name, sizeof(ev->key_name), "%s", SDL_GetKeyName(e->key.keysym.sym));
        ev->repeat = e->key.repeat != 0;
        ev->time_ns = event_time_ns(e->key.timestamp);
        take_text(ev->text, sizeof(ev->text));
        return 1;
    case SDL_WINDOWEVENT:
        switch (e->window.event) {
        case SDL_WINDOWEVENT_SIZE_CHANGED:
            ui_video_texture_layout(ui);
            /* fall through */
        case SDL_WINDOWEVENT_EXPOSED:
            ui->dirty = true;
            ev->type = UI_EVENT_WINDOW;
            ev->time_ns = event_time_ns(e->window.timestamp);
            return 1;
        case SDL_WINDOWEVENT_CLOSE:
            ev->type = UI_EVENT_QUIT;
            ev->time_ns = sc_mono_ns();
            return 1;
        default:
            return 0;
        }
    default:
        return 0; /* text without a key, mouse, ... */
    }
}

int ui_wait_event(struct ui *ui, int64_t timeout_ns, struct ui_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : sc_mono_ns() + timeout_ns;
    if (!SDL_IsTextInputActive()) SDL_StartTextInput(); /* SDL2 turns it on by default */
    for (;;) {
        SDL_Event e;
        int64_t left = deadline == INT64_MAX ? -1 : deadline - sc_mono_ns();
        int got;
        if (left < 0 && deadline != INT64_MAX)
            got = SDL_PollEvent(&e);
        else if (left < 0)
            got = SDL_WaitEvent(&e);
        else
            got = SDL_WaitEventTimeout(&e, (int)((left + 999999) / 1000000));
        if (!got) {
            if (deadline != INT64_MAX && sc_mono_ns() >= deadline) return 0;
            continue;
        }
        if (convert(ui, &e, ev)) return 1;
        if (deadline != INT64_MAX && sc_mono_ns() >= deadline) return 0;
    }
}
