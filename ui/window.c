/* The window and its renderer; waiting for input and wakeups; flipping. */
#include "ui/internal.h"
#include "ui/screens.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define GL_RENDERER_STRING 0x1F01

/* An "accelerated" OpenGL renderer may be Mesa's llvmpipe, i.e. the CPU: then
 * converting and scaling with libswscale's SIMD paths is cheaper than emulated
 * shaders (measured in docs/performance.md). */
static bool gl_is_software(SDL_Renderer *renderer)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(renderer, &info) != 0) return true;
    if (strncmp(info.name, "opengl", 6) != 0) return (info.flags & SDL_RENDERER_ACCELERATED) == 0;
    typedef const unsigned char *(*get_string_fn)(unsigned);
    get_string_fn get_string = (get_string_fn)SDL_GL_GetProcAddress("glGetString");
    const char *name = get_string ? (const char *)get_string(GL_RENDERER_STRING) : NULL;
    if (!name) return false;
    return strstr(name, "llvmpipe") || strstr(name, "softpipe") || strstr(name, "Software");
}

/* Without a DRM render node Mesa can only be llvmpipe: asking OpenGL would
 * cost a ~0.5 s context creation just to learn that. */
static bool has_render_node(void)
{
    for (int i = 128; i < 136; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
        if (access(path, R_OK | W_OK) == 0) return true;
    }
    return false;
}

static int create_renderer(struct ui *ui, enum ui_renderer wanted)
{
    bool software =
        wanted == UI_RENDERER_SOFTWARE || (wanted == UI_RENDERER_AUTO && !has_render_node());
    if (!software) {
        ui->renderer = SDL_CreateRenderer(ui->window, -1,
                                          SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (ui->renderer && wanted == UI_RENDERER_AUTO && gl_is_software(ui->renderer)) {
            SDL_DestroyRenderer(ui->renderer);
            ui->renderer = NULL;
        }
        if (!ui->renderer) software = true;
    }
    if (software) ui->renderer = SDL_CreateRenderer(ui->window, -1, SDL_RENDERER_SOFTWARE);
    if (!ui->renderer) return -1;
    SDL_RendererInfo info;
    SDL_GetRendererInfo(ui->renderer, &info);
    snprintf(ui->renderer_name, sizeof(ui->renderer_name), "%s (%s)", software ? "software" : "gpu",
             info.name);
    ui_video_texture_init(&ui->video, software);
    return 0;
}

/* Starts SDL video. With no display SDL falls back to its invisible
 * offscreen driver by itself: a TV that shows nothing. Only a driver asked
 * for by name (SDL_VIDEODRIVER=dummy for tests) may be one that shows
 * nothing. Returns the driver's name, or NULL (logged). */
static const char *open_video(struct sc_log *log)
{
    /* signals are the CLI's business (it stops playback cleanly) */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        SC_ERR(log, "cannot open the display: %s", SDL_GetError());
        return NULL;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *wanted = getenv("SDL_VIDEODRIVER");
    if (driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        !(wanted && strcmp(wanted, driver) == 0)) {
        SC_ERR(log, "no display: SDL found no screen to draw on (only '%s')", driver);
        SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
        return NULL;
    }
    SC_INFO(log, "video driver: %s", driver ? driver : "?");
    return driver ? driver : "?";
}

static int create_window(struct ui *ui, const struct ui_opts *opts, const char *driver)
{
    int w = opts->width > 0 ? opts->width : 1024, h = opts->height > 0 ? opts->height : 576;
    if (strcmp(driver, "x11") == 0 && (opts->renderer == UI_RENDERER_SOFTWARE ||
                                       (opts->renderer == UI_RENDERER_AUTO && !has_render_node())))
        /* draw into the X11 framebuffer (XShm) directly; otherwise SDL first
         * creates an OpenGL context to decide (~0.5 s with llvmpipe). Must be
         * set before the window exists. Only X11 has such a framebuffer:
         * KMSDRM (a receiver without X) has none, and the software renderer
         * needs SDL's texture framebuffer there. */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    ui->window_w = w;
    ui->window_h = h;
    SDL_DisplayMode desktop;
    int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
    if (opts->fullscreen && SDL_GetDesktopDisplayMode(0, &desktop) == 0) {
        /* the desktop's size from the start: without a window manager (a kiosk)
         * nobody else resizes the window */
        w = desktop.w;
        h = desktop.h;
        x = y = 0;
    }
    /* "Fullscreen" is a borderless window covering the desktop: on a kiosk
     * display there is no window manager to answer a fullscreen request, and
     * SDL would wait ~100 ms for one before the first picture. */
    Uint32 flags = opts->fullscreen ? SDL_WINDOW_BORDERLESS : SDL_WINDOW_RESIZABLE;
    ui->window = SDL_CreateWindow(opts->title ? opts->title : "studycast", x, y, w, h, flags);
    if (!ui->window) {
        SC_ERR(ui->log, "cannot create the window: %s", SDL_GetError());
        return -ENODEV;
    }
    return 0;
}

int ui_create(const struct ui_opts *opts, struct ui **out)
{
    struct ui *ui = calloc(1, sizeof(*ui));
    if (!ui) return -ENOMEM;
    ui->log = sc_log_child(opts->log, "ui");
    int ret = -ENODEV;
    const char *driver = open_video(ui->log);
    if (!driver) goto fail_log;
    int64_t t0 = sc_mono_ns();
    ui->wakeup_event = SDL_RegisterEvents(1);
    if (ui->wakeup_event == (Uint32)-1) goto fail;
    ui->fullscreen = opts->fullscreen;
    if (create_window(ui, opts, driver) < 0) goto fail;
    int64_t t1 = sc_mono_ns();
    if (create_renderer(ui, opts->renderer) < 0) {
        SC_ERR(ui->log, "cannot create a renderer: %s", SDL_GetError());
        goto fail;
    }
    if (opts->fullscreen) SDL_ShowCursor(SDL_DISABLE);
    /* black at once, and the first flip's set-up cost (XShm) paid before any picture */
    SDL_SetRenderDrawColor(ui->renderer, 0, 0, 0, 255);
    SDL_RenderClear(ui->renderer);
    SDL_RenderPresent(ui->renderer);
    SC_INFO(ui->log, "renderer: %s (window %.0f ms, renderer %.0f ms)", ui->renderer_name,
            (double)(t1 - t0) / 1e6, (double)(sc_mono_ns() - t1) / 1e6);
    ret = ui_kiosk_init(ui, opts);
    if (ret < 0) goto fail;
    ui_kiosk_start_text(ui);
    ui->dirty = true;
    *out = ui;
    return 0;
fail:
    ui_kiosk_free(ui);
    if (ui->renderer) SDL_DestroyRenderer(ui->renderer);
    if (ui->window) SDL_DestroyWindow(ui->window);
    SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
fail_log:
    sc_log_destroy(ui->log);
    free(ui);
    return ret;
}

void ui_destroy(struct ui *ui)
{
    if (!ui) return;
    ui_kiosk_free(ui); /* its textures before the renderer */
    ui_video_texture_free(&ui->video);
    player_picture_free(ui->picture);
    SDL_DestroyRenderer(ui->renderer);
    SDL_DestroyWindow(ui->window);
    SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    sc_log_destroy(ui->log);
    free(ui);
}

void ui_wakeup(void *opaque)
{
    struct ui *ui = opaque;
    /* one pending wakeup is enough: the main thread looks at everything */
    if (atomic_exchange(&ui->wakeup_pending, true)) return;
    SDL_Event event = {.type = ui->wakeup_event};
    if (SDL_PushEvent(&event) < 0) atomic_store(&ui->wakeup_pending, false);
}

int ui_set_picture(struct ui *ui, struct player_picture *picture)
{
    player_picture_free(ui->picture);
    ui->picture = picture;
    int ret = ui_video_texture_update(ui, picture);
    if (ret == 0) ui->dirty = true;
    return ret;
}

void ui_set_picture_none(struct ui *ui)
{
    player_picture_free(ui->picture);
    ui->picture = NULL;
    ui->video.has_picture = false;
    ui->dirty = true;
}

int ui_present(struct ui *ui)
{
    if (!ui->dirty && !ui_kiosk_due(ui)) return 0;
    SDL_SetRenderDrawColor(ui->renderer, 0, 0, 0, 255);
    SDL_RenderClear(ui->renderer);
    ui_video_texture_draw(ui);
    ui_kiosk_draw(ui);
    SDL_RenderPresent(ui->renderer);
    ui->dirty = false;
    return 1;
}

void ui_toggle_fullscreen(struct ui *ui)
{
    ui->fullscreen = !ui->fullscreen;
    SDL_SetWindowBordered(ui->window, ui->fullscreen ? SDL_FALSE : SDL_TRUE);
    SDL_SetWindowResizable(ui->window, ui->fullscreen ? SDL_FALSE : SDL_TRUE);
    SDL_DisplayMode desktop;
    if (ui->fullscreen && SDL_GetDesktopDisplayMode(0, &desktop) == 0) {
        SDL_SetWindowPosition(ui->window, 0, 0);
        SDL_SetWindowSize(ui->window, desktop.w, desktop.h);
    } else if (!ui->fullscreen) {
        SDL_SetWindowSize(ui->window, ui->window_w, ui->window_h);
        SDL_SetWindowPosition(ui->window, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED);
    }
    SDL_ShowCursor(ui->fullscreen ? SDL_DISABLE : SDL_ENABLE);
    ui_video_texture_layout(ui);
    ui->dirty = true;
}

int ui_refresh_rate(const struct ui *ui)
{
    SDL_DisplayMode mode;
    int display = SDL_GetWindowDisplayIndex(ui->window);
    if (display < 0 || SDL_GetCurrentDisplayMode(display, &mode) != 0) return 0;
    return mode.refresh_rate;
}

const char *ui_renderer_name(const struct ui *ui)
{
    return ui->renderer_name;
}
