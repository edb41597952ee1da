/* Input mapping: SDL events to the actions the kiosk understands. The remote
 * control (later) maps onto the same actions. */
#include "ui/internal.h"

static enum sc_ui_action map_key(const SDL_KeyboardEvent *key)
{
    switch (key->keysym.sym) {
    case SDLK_ESCAPE:
    case SDLK_q:
        return SC_UI_QUIT;
    case SDLK_SPACE:
        return SC_UI_PAUSE;
    case SDLK_m:
        return SC_UI_MUTE;
    case SDLK_PLUS:
    case SDLK_EQUALS: /* + without shift on most layouts */
    case SDLK_KP_PLUS:
        return SC_UI_VOLUME_UP;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        return SC_UI_VOLUME_DOWN;
    case SDLK_f:
        return SC_UI_FULLSCREEN;
    case SDLK_i:
        return SC_UI_INFO;
    case SDLK_PAGEUP:
        return SC_UI_CHANNEL_UP;
    case SDLK_PAGEDOWN:
        return SC_UI_CHANNEL_DOWN;
    default:
        return SC_UI_NONE;
    }
}

enum sc_ui_action sc_ui_map_event(struct sc_ui *ui, const SDL_Event *event)
{
    switch (event->type) {
    case SDL_QUIT:
        return SC_UI_QUIT;
    case SDL_KEYDOWN: {
        enum sc_ui_action action = map_key(&event->key);
        if (action == SC_UI_FULLSCREEN) sc_ui_toggle_fullscreen(ui);
        return action;
    }
    case SDL_WINDOWEVENT:
        switch (event->window.event) {
        case SDL_WINDOWEVENT_SIZE_CHANGED:
            sc_video_texture_layout(ui);
            ui->dirty = true;
            break;
        case SDL_WINDOWEVENT_EXPOSED:
            ui->dirty = true;
            break;
        case SDL_WINDOWEVENT_CLOSE:
            return SC_UI_QUIT;
        default:
            break;
        }
        return SC_UI_NONE;
    default:
        return SC_UI_NONE;
    }
}
