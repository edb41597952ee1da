/* The kiosk's side of the ui: the copied view, the clock, the toast, and
 * when time-dependent text (clock, countdowns, durations) needs a redraw. */
#include "ui/screens.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOAST_DEFAULT_NS 3000000000LL
#define NS               1000000000LL

int ui_kiosk_init(struct ui *ui, const struct ui_opts *opts)
{
    struct ui_kiosk *k = calloc(1, sizeof(*k));
    if (!k) return -ENOMEM;
    ui->kiosk = k;
    snprintf(k->language, sizeof(k->language), "zh_CN");
    if ((opts->font && !(k->font_path = strdup(opts->font))) ||
        (opts->locale_dir && !(k->locale_dir_opt = strdup(opts->locale_dir))))
        return -ENOMEM; /* the caller's fail path frees */
    k->drawn_key = -1;
    return 0;
}

static void *load_text(void *opaque)
{
    struct ui *ui = opaque;
    struct ui_kiosk *k = ui->kiosk;
    /* the main thread touches neither the fonts nor SDL2_ttf until it joins */
    if (ui_text_create(ui->renderer, k->font_path, ui->log, &k->text) == 0)
        ui_text_open_faces(k->text, UI_PX_BODY);
    return NULL;
}

void ui_kiosk_start_text(struct ui *ui)
{
    struct ui_kiosk *k = ui->kiosk;
    /* without the thread, the first ui_text_ensure() opens them */
    k->text_loading = pthread_create(&k->text_loader, NULL, load_text, ui) == 0;
}

static void text_loaded(struct ui_kiosk *k)
{
    if (!k->text_loading) return;
    pthread_join(k->text_loader, NULL);
    k->text_loading = false;
    if (!k->text) k->text_failed = true; /* logged by the loader */
}

void ui_kiosk_free(struct ui *ui)
{
    struct ui_kiosk *k = ui->kiosk;
    if (!k) return;
    text_loaded(k);
    ui_text_destroy(k->text);
    free(k->arena);
    free(k->font_path);
    free(k->locale_dir_opt);
    free(k);
    ui->kiosk = NULL;
}

/* ---- copying a view: pass 1 measures (arena NULL), pass 2 copies ---- */

struct arena {
    char *base;
    size_t used;
};

static void *arena_take(struct arena *a, size_t size)
{
    size_t at = (a->used + 15) & ~(size_t)15;
    a->used = at + size;
    return a->base ? a->base + at : NULL;
}

static const char *copy_str(struct arena *a, const char *s)
{
    if (!s) return NULL;
    size_t len = strlen(s) + 1;
    char *p = arena_take(a, len);
    if (p) memcpy(p, s, len);
    return p;
}

static const struct ui_member *copy_members(struct arena *a, const struct ui_member *m, size_t n)
{
    if (!m || n == 0) return NULL;
    struct ui_member *out = arena_take(a, sizeof(*m) * n);
    for (size_t i = 0; i < n; i++) {
        const char *number = copy_str(a, m[i].number), *name = copy_str(a, m[i].name);
        if (out) {
            out[i] = m[i];
            out[i].number = number;
            out[i].name = name;
        }
    }
    return out;
}

static void copy_roster(struct arena *a, struct ui_roster *dst, const struct ui_roster *src)
{
    *dst = *src;
    dst->members = copy_members(a, src->members, src->n_members);
    if (!src->members) dst->n_members = 0;
    dst->digits = copy_str(a, src->digits);
}

static void copy_picture(struct arena *a, struct ui_picture *dst, const struct ui_picture *p)
{
    dst->note = copy_str(a, p->note);
    dst->title = copy_str(a, p->title);
    bool valid = p->argb && p->width > 0 && p->height > 0 && p->stride >= 4 * p->width;
    size_t size = valid ? (size_t)p->stride * (size_t)p->height : 0;
    uint8_t *pixels = size ? arena_take(a, size) : NULL;
    if (pixels) memcpy(pixels, p->argb, size);
    dst->argb = pixels;
    if (!valid) dst->argb = NULL;
}

static void copy_menu(struct arena *a, struct ui_menu *dst, const struct ui_menu *m)
{
    dst->title = copy_str(a, m->title);
    dst->hint = copy_str(a, m->hint);
    dst->message = copy_str(a, m->message);
    struct ui_menu_item *items =
        m->items && m->n_items ? arena_take(a, sizeof(*items) * m->n_items) : NULL;
    for (size_t i = 0; m->items && i < m->n_items; i++) {
        const char *label = copy_str(a, m->items[i].label);
        const char *value = copy_str(a, m->items[i].value);
        if (items) {
            items[i] = m->items[i];
            items[i].label = label;
            items[i].value = value;
        }
    }
    dst->items = items;
    if (!m->items) dst->n_items = 0;
    if (m->kind == UI_MENU_KEYBOARD) dst->u.keyboard.text = copy_str(a, m->u.keyboard.text);
    if (m->kind == UI_MENU_REPORT) dst->u.report.period = copy_str(a, m->u.report.period);
    if (m->kind == UI_MENU_PICTURE) copy_picture(a, &dst->u.picture, &m->u.picture);
    if (m->kind == UI_MENU_GUIDE) {
        const struct ui_guide *g = &m->u.guide;
        struct ui_guide *out = &dst->u.guide;
        out->description = copy_str(a, g->description);
        struct ui_guide_service *services =
            g->services && g->n_services ? arena_take(a, sizeof(*services) * g->n_services) : NULL;
        for (size_t i = 0; g->services && i < g->n_services; i++) {
            const char *name = copy_str(a, g->services[i].name);
            if (services) services[i] = (struct ui_guide_service){name, g->services[i].service_id};
        }
        struct ui_guide_event *events =
            g->events && g->n_events ? arena_take(a, sizeof(*events) * g->n_events) : NULL;
        for (size_t i = 0; g->events && i < g->n_events; i++) {
            const char *title = copy_str(a, g->events[i].title);
            if (events) {
                events[i] = g->events[i];
                events[i].title = title;
            }
        }
        out->services = services;
        out->events = events;
        if (!g->services) out->n_services = 0;
        if (!g->events) out->n_events = 0;
    }
}

static void copy_view(struct arena *a, struct ui_view *dst, const struct ui_view *src)
{
    *dst = *src;
    switch (src->screen) {
    case UI_SCREEN_HOME:
        dst->u.home.station_name = copy_str(a, src->u.home.station_name);
        dst->u.home.next_course = copy_str(a, src->u.home.next_course);
        dst->u.home.banner = copy_str(a, src->u.home.banner);
        dst->u.home.service_name = copy_str(a, src->u.home.service_name);
        dst->u.home.event_title = copy_str(a, src->u.home.event_title);
        break;
    case UI_SCREEN_ROLLCALL:
        dst->u.rollcall.course = copy_str(a, src->u.rollcall.course);
        copy_roster(a, &dst->u.rollcall.roster, &src->u.rollcall.roster);
        break;
    case UI_SCREEN_PLAYING:
        dst->u.playing.course = copy_str(a, src->u.playing.course);
        dst->u.playing.service_name = copy_str(a, src->u.playing.service_name);
        dst->u.playing.event_title = copy_str(a, src->u.playing.event_title);
        copy_roster(a, &dst->u.playing.roster, &src->u.playing.roster);
        break;
    case UI_SCREEN_OUTAGE:
        dst->u.outage.course = copy_str(a, src->u.outage.course);
        break;
    case UI_SCREEN_SUMMARY:
        dst->u.summary.course = copy_str(a, src->u.summary.course);
        dst->u.summary.attendees =
            copy_members(a, src->u.summary.attendees, src->u.summary.n_attendees);
        if (!src->u.summary.attendees) dst->u.summary.n_attendees = 0;
        break;
    case UI_SCREEN_PRETUNE:
        dst->u.pretune.course = copy_str(a, src->u.pretune.course);
        dst->u.pretune.service_name = copy_str(a, src->u.pretune.service_name);
        dst->u.pretune.event_title = copy_str(a, src->u.pretune.event_title);
        break;
    case UI_SCREEN_MENU:
        copy_menu(a, &dst->u.menu, &src->u.menu);
        break;
    default:
        break;
    }
}

int ui_show(struct ui *ui, const struct ui_view *view)
{
    struct ui_kiosk *k = ui->kiosk;
    if (!view || (unsigned)view->screen >= UI_SCREEN_COUNT) return -EINVAL;
    ui_i18n_init(ui);
    struct arena measure = {0};
    struct ui_view scratch;
    copy_view(&measure, &scratch, view);
    struct arena a = {malloc(measure.used ? measure.used : 1), 0};
    if (!a.base) return -ENOMEM;
    copy_view(&a, &k->view, view);
    free(k->arena);
    k->arena = a.base;
    k->has_view = true;
    ui->dirty = true;
    return 0;
}

enum ui_screen ui_current_screen(const struct ui *ui)
{
    return ui->kiosk->has_view ? ui->kiosk->view.screen : UI_SCREEN_HOME;
}

const char *ui_screen_name(enum ui_screen screen)
{
    static const char *const names[UI_SCREEN_COUNT] = {"home",    "rollcall", "playing", "outage",
                                                       "summary", "pretune",  "menu"};
    return (unsigned)screen < UI_SCREEN_COUNT ? names[screen] : "unknown";
}

void ui_set_clock(struct ui *ui, const struct ui_clock *clock)
{
    ui->kiosk->clock = *clock;
    ui->dirty = true;
}

void ui_toast(struct ui *ui, const char *text, bool error, int64_t duration_ns)
{
    struct ui_kiosk *k = ui->kiosk;
    snprintf(k->toast, sizeof(k->toast), "%s", text ? text : "");
    k->toast_error = error;
    k->toast_until_ns = sc_mono_ns() + (duration_ns > 0 ? duration_ns : TOAST_DEFAULT_NS);
    ui->dirty = true;
}

bool ui_local_now(const struct ui *ui, int64_t *local_s, int64_t *utc_s)
{
    const struct ui_clock *c = &ui->kiosk->clock;
    if (!c->valid) return false;
    int64_t utc_ns = sc_mono_ns() + c->utc_minus_mono_ns;
    int64_t utc = utc_ns >= 0 ? utc_ns / NS : -((-utc_ns + NS - 1) / NS);
    if (utc_s) *utc_s = utc;
    if (local_s) *local_s = utc + c->utc_offset_s;
    return true;
}

/* Time-dependent content is a function of whole seconds of two clocks: the
 * wall clock (clock, countdowns, remaining time) and the monotonic clock
 * shifted by a view's reference (elapsed playing time, outage duration).
 * The key combines them with the toast's visibility: when it changes, the
 * screen is redrawn. `next` receives when it changes next. */
static int64_t time_key(struct ui *ui, int64_t now, int64_t *next)
{
    struct ui_kiosk *k = ui->kiosk;
    int64_t key = 0, soonest = INT64_MAX;
    bool toast = k->toast_until_ns > now;
    if (toast && k->toast_until_ns < soonest) soonest = k->toast_until_ns;
    key = toast;
    if (!k->has_view) goto done;
    enum ui_screen s = k->view.screen;
    /* MENU: its header clock and the PIN page's lock-out countdown */
    bool wall = s == UI_SCREEN_HOME || s == UI_SCREEN_ROLLCALL || s == UI_SCREEN_PRETUNE ||
                (s == UI_SCREEN_PLAYING && k->view.u.playing.show_info) || s == UI_SCREEN_OUTAGE ||
                s == UI_SCREEN_MENU;
    if (wall && k->clock.valid) {
        int64_t t = now + k->clock.utc_minus_mono_ns;
        int64_t sec = t >= 0 ? t / NS : -((-t + NS - 1) / NS);
        key = key * 31 + sec;
        int64_t at = (sec + 1) * NS - k->clock.utc_minus_mono_ns;
        if (at < soonest) soonest = at;
    }
    int64_t ref = INT64_MIN;
    if (s == UI_SCREEN_PLAYING && k->view.u.playing.show_info && k->view.u.playing.advancing)
        ref = k->view.u.playing.played_mono_ns;
    if (s == UI_SCREEN_OUTAGE) ref = k->view.u.outage.since_mono_ns;
    if (ref != INT64_MIN && now >= ref) {
        int64_t sec = (now - ref) / NS;
        key = key * 31 + sec;
        int64_t at = ref + (sec + 1) * NS;
        if (at < soonest) soonest = at;
    }
done:
    if (next) *next = soonest;
    return key;
}

bool ui_kiosk_due(struct ui *ui)
{
    if (!ui->kiosk) return false;
    int64_t key = time_key(ui, sc_mono_ns(), NULL);
    if (key != ui->kiosk->drawn_key) ui->dirty = true;
    return ui->dirty;
}

int64_t ui_next_redraw_ns(struct ui *ui)
{
    int64_t next;
    time_key(ui, sc_mono_ns(), &next);
    return next;
}

static void frame_init(struct ui *ui, struct ui_frame *f)
{
    text_loaded(ui->kiosk);
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(ui->renderer, &w, &h);
    f->r = ui->renderer;
    f->text = ui->kiosk->text;
    f->w = w;
    f->h = h;
    /* a unit from the height, but never so big that 4:3 overflows sideways */
    double by_h = h / 1080.0, by_w = w / 1440.0;
    f->u = by_h < by_w ? by_h : by_w;
    int mx = w / 20, my = h / 20;
    f->safe = (SDL_Rect){mx, my, w - 2 * mx, h - 2 * my};
    f->narrow = w * 9 < h * 14; /* narrower than ~14:9 */
}

int ui_roster_columns(struct ui *ui)
{
    struct ui_frame f;
    frame_init(ui, &f);
    return ui_screen_roster_columns(&f);
}

bool ui_text_ensure(const struct ui *ui)
{
    struct ui_kiosk *k = ui->kiosk;
    text_loaded(k);
    if (k->text) return true;
    if (k->text_failed) return false;
    if (ui_text_create(ui->renderer, k->font_path, ui->log, &k->text) != 0) {
        k->text_failed = true; /* logged; screens show without text rather than crash */
        return false;
    }
    return true;
}

void ui_kiosk_draw(struct ui *ui)
{
    struct ui_kiosk *k = ui->kiosk;
    k->drawn_key = time_key(ui, sc_mono_ns(), NULL);
    if (!k->has_view || !ui_text_ensure(ui)) return;
    struct ui_frame f;
    frame_init(ui, &f);
    const struct ui_view *v = &k->view;
    switch (v->screen) {
    case UI_SCREEN_HOME:
        ui_screen_home(ui, &f, &v->u.home);
        break;
    case UI_SCREEN_ROLLCALL:
        ui_screen_rollcall(ui, &f, &v->u.rollcall);
        break;
    case UI_SCREEN_PLAYING:
        ui_screen_playing(ui, &f, &v->u.playing);
        break;
    case UI_SCREEN_OUTAGE:
        ui_screen_outage(ui, &f, &v->u.outage);
        break;
    case UI_SCREEN_SUMMARY:
        ui_screen_summary(ui, &f, &v->u.summary);
        break;
    case UI_SCREEN_PRETUNE:
        ui_screen_pretune(ui, &f, &v->u.pretune);
        break;
    case UI_SCREEN_MENU:
        ui_screen_menu(ui, &f, &v->u.menu);
        break;
    default:
        break;
    }
    if (k->toast_until_ns > sc_mono_ns()) ui_screen_toast(ui, &f);
}
