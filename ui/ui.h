/* ui: the window on the TV. Owns SDL video: the window, the renderer, the
 * video texture, and turns key presses into actions. For now it presents the
 * pictures the player hands over; the kiosk issue adds text and screens.
 *
 * Threads: everything on the main thread (the one that created the ui), except
 * sc_ui_wakeup(), which any thread may call. No SDL_* type crosses this header. */
#ifndef STUDYCAST_UI_H
#define STUDYCAST_UI_H

#include "base.h"
#include "player.h"

#include <stdbool.h>
#include <stdint.h>

struct sc_ui;

enum sc_ui_renderer {
    SC_UI_RENDERER_AUTO = 0, /* GPU if the GL driver is a real GPU, else software */
    SC_UI_RENDERER_GPU,      /* YUV/NV12 textures converted and scaled by the GPU */
    SC_UI_RENDERER_SOFTWARE, /* libswscale converts and scales into the texture */
};

struct sc_ui_opts {
    bool fullscreen;   /* fullscreen on the current display (the default for play) */
    int width, height; /* window size when not fullscreen; 0: 1024x576 */
    const char *title; /* copied */
    enum sc_ui_renderer renderer;
    struct sc_log *log; /* parent log, not owned; the ui logs as "ui" */
};

/* Opens the window. Returns 0 or a negative error code (no display: -ENODEV). */
int sc_ui_create(const struct sc_ui_opts *opts, struct sc_ui **out);
void sc_ui_destroy(struct sc_ui *ui); /* accepts NULL */

/* Any thread: makes the main thread's sc_ui_wait() return SC_UI_WAKEUP soon.
 * Cheap and coalescing: pass it as the player's wakeup callback. */
void sc_ui_wakeup(void *ui);

enum sc_ui_action {
    SC_UI_NONE = 0, /* the timeout passed, or an event the ui handled itself */
    SC_UI_WAKEUP,   /* someone called sc_ui_wakeup() */
    SC_UI_QUIT,     /* Esc, q, or the window was closed */
    SC_UI_PAUSE,    /* Space */
    SC_UI_MUTE,     /* m */
    SC_UI_VOLUME_UP,
    SC_UI_VOLUME_DOWN,
    SC_UI_FULLSCREEN, /* f (the ui has already toggled it) */
    SC_UI_INFO,       /* i */
};

/* Waits for input or a wakeup for at most timeout_ns (< 0: no limit) and
 * returns the first action. Window events (resize, expose) are handled here. */
enum sc_ui_action sc_ui_wait(struct sc_ui *ui, int64_t timeout_ns);

/* Takes ownership of the picture (freeing the previous one) and converts or
 * uploads it into the video texture now. The picture stays valid, for the
 * caller to read, until the next sc_ui_set_picture() or sc_ui_destroy().
 * Returns 0 or a negative error code. */
int sc_ui_set_picture(struct sc_ui *ui, struct sc_picture *picture);
/* Draws and flips if anything changed since the last flip (a new picture, a
 * resize, an expose). Returns 1 if it flipped, 0 if nothing was due. */
int sc_ui_present(struct sc_ui *ui);
void sc_ui_toggle_fullscreen(struct sc_ui *ui);
/* The display's refresh rate in Hz, 0 if unknown. */
int sc_ui_refresh_rate(const struct sc_ui *ui);
/* "gpu (opengl)" or "software": what presents the pictures. */
const char *sc_ui_renderer_name(const struct sc_ui *ui);

#endif
