/* Internal to the ui: the window context and the video texture. */
#ifndef STUDYCAST_UI_INTERNAL_H
#define STUDYCAST_UI_INTERNAL_H

#include "ui/ui.h"

#include <SDL.h>
#include <stdatomic.h>

struct SwsContext;

/* The video texture and where it goes in the window (video.c). */
struct ui_video_texture {
    bool software; /* convert with libswscale into a window-format texture */
    SDL_Texture *texture;
    Uint32 texture_format;
    int texture_w, texture_h;
    struct SwsContext *sws;
    int sws_src_w, sws_src_h, sws_src_format, sws_dst_w, sws_dst_h;
    int sws_colorspace;
    bool sws_full_range;
    /* the last picture's geometry */
    int picture_w, picture_h, sar_num, sar_den;
    bool has_picture;
    SDL_Rect dst; /* the picture's rectangle in the output, aspect kept */
};

struct ui {
    struct sc_log *log;
    SDL_Window *window;
    SDL_Renderer *renderer;
    char renderer_name[64];
    Uint32 wakeup_event; /* const after create */
    atomic_bool wakeup_pending;
    bool fullscreen;
    int window_w, window_h;         /* the size when not fullscreen */
    bool dirty;                     /* something changed since the last flip */
    struct player_picture *picture; /* the one on screen, owned */
    struct ui_video_texture video;
    struct ui_kiosk *kiosk; /* screens, text, language (screens.h) */
};

/* video.c */
void ui_video_texture_init(struct ui_video_texture *v, bool software);
void ui_video_texture_free(struct ui_video_texture *v);
int ui_video_texture_update(struct ui *ui, const struct player_picture *picture);
/* Recomputes the picture rectangle for the current output size. */
void ui_video_texture_layout(struct ui *ui);
void ui_video_texture_draw(struct ui *ui);

#endif
