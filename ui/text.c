/* Text: a CJK font found through fontconfig, rendered with SDL2_ttf into
 * textures that are cached (bounded, least recently used out first), since
 * the same labels are drawn on every frame. */
#include "ui/screens.h"

#include <SDL_ttf.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SIZE  384
#define CACHE_BYTES (24 << 20) /* RGBA text textures: a countdown makes a new one each second */

struct cached_text {
    uint64_t hash;
    char *utf8;
    int px, style;
    uint32_t rgba;
    SDL_Texture *texture;
    int w, h;
    uint64_t last_used;
};

/* One open font per style, resized as asked: each open face of a CJK font
 * costs ~2.7 MB (FreeType's parse of its tables), and a face per pixel size
 * grew the process by tens of MB as screens used new sizes. */
struct sized_font {
    int px;
    TTF_Font *font;
};

struct ui_text {
    struct sc_log *log;
    SDL_Renderer *renderer;
    char file[PATH_MAX], bold_file[PATH_MAX];
    int index, bold_index;
    struct sized_font fonts[2]; /* UI_TEXT_REGULAR, UI_TEXT_BOLD */
    struct cached_text cache[CACHE_SIZE];
    int n_cached;
    size_t cached_bytes;
    uint64_t tick;
    long renders;
    bool ttf_inited;
    bool cjk; /* the font has Chinese characters */
};

/* 中文学习签到: a font without these cannot show the Chinese screens */
static const FcChar32 CJK_NEEDED[] = {0x4E2D, 0x6587, 0x5B66, 0x4E60, 0x7B7E, 0x5230};
static const FcChar32 LATIN_NEEDED[] = {'A', 'z', '0', '9', ':'};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* fontconfig: the first font in the pattern's preference order that has all
 * the needed characters; 0 or -ENOENT. */
static int match_font(FcConfig *config, const char *pattern_text, const FcChar32 *needed,
                      size_t n_needed, char *file, size_t size, int *index)
{
    FcPattern *pattern = FcNameParse((const FcChar8 *)pattern_text);
    if (!pattern) return -ENOMEM;
    FcConfigSubstitute(config, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result;
    FcFontSet *set = FcFontSort(config, pattern, FcFalse, NULL, &result);
    FcPatternDestroy(pattern);
    int ret = -ENOENT;
    for (int i = 0; set && i < set->nfont && ret != 0; i++) {
        FcCharSet *chars;
        FcChar8 *path;
        if (FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &chars) != FcResultMatch ||
            FcPatternGetString(set->fonts[i], FC_FILE, 0, &path) != FcResultMatch)
            continue;
        bool covers = true;
        for (size_t k = 0; k < n_needed; k++)
            covers = covers && FcCharSetHasChar(chars, needed[k]);
        if (!covers) continue;
        if (FcPatternGetInteger(set->fonts[i], FC_INDEX, 0, index) != FcResultMatch) *index = 0;
        snprintf(file, size, "%s", (const char *)path);
        ret = 0;
    }
    if (set) FcFontSetDestroy(set);
    return ret;
}

/* The regular and bold faces for a pattern; bold falls back to regular. */
static int match_pair(struct ui_text *t, FcConfig *config, const char *regular, const char *bold,
                      const FcChar32 *needed, size_t n_needed)
{
    int ret = match_font(config, regular, needed, n_needed, t->file, sizeof(t->file), &t->index);
    if (ret == 0 && match_font(config, bold, needed, n_needed, t->bold_file, sizeof(t->bold_file),
                               &t->bold_index) != 0) {
        snprintf(t->bold_file, sizeof(t->bold_file), "%s", t->file);
        t->bold_index = t->index;
    }
    return ret;
}

static int find_fonts(struct ui_text *t)
{
    FcConfig *config = FcInitLoadConfigAndFonts();
    if (!config) return -ENOMEM;
    /* Noto Sans CJK SC (fonts-noto-cjk) first, then any sans-serif for zh-cn */
    t->cjk = true;
    int ret = match_pair(t, config, "Noto Sans CJK SC:lang=zh-cn",
                         "Noto Sans CJK SC:lang=zh-cn:weight=bold", CJK_NEEDED, COUNT(CJK_NEEDED));
    if (ret != 0)
        ret = match_pair(t, config, "sans-serif:lang=zh-cn", "sans-serif:lang=zh-cn:weight=bold",
                         CJK_NEEDED, COUNT(CJK_NEEDED));
    if (ret != 0) {
        /* English still reads with any sans-serif that has Latin letters */
        t->cjk = false;
        SC_ERR(t->log, "no font with Chinese characters found through fontconfig: install "
                       "fonts-noto-cjk; showing English meanwhile");
        ret = match_pair(t, config, "sans-serif", "sans-serif:weight=bold", LATIN_NEEDED,
                         COUNT(LATIN_NEEDED));
    }
    FcConfigDestroy(config);
    return ret;
}

int ui_text_create(SDL_Renderer *renderer, const char *font_path, struct sc_log *log,
                   struct ui_text **out)
{
    struct ui_text *t = calloc(1, sizeof(*t));
    if (!t) return -ENOMEM;
    t->log = log;
    t->renderer = renderer;
    int ret;
    if (font_path) {
        snprintf(t->file, sizeof(t->file), "%s", font_path);
        snprintf(t->bold_file, sizeof(t->bold_file), "%s", font_path);
    } else if ((ret = find_fonts(t)) != 0) {
        SC_ERR(log, "no usable font found through fontconfig: install fonts-noto-cjk");
        goto fail;
    }
    if (TTF_Init() != 0) {
        SC_ERR(log, "SDL2_ttf: %s", TTF_GetError());
        ret = -EIO;
        goto fail;
    }
    t->ttf_inited = true;
    /* open once to fail early on a bad file */
    TTF_Font *probe = TTF_OpenFontIndex(t->file, 20, t->index);
    if (!probe) {
        SC_ERR(log, "cannot open the font %s: %s", t->file, TTF_GetError());
        ret = -ENOENT;
        goto fail;
    }
    if (font_path) {
        t->cjk = true;
        for (size_t i = 0; i < COUNT(CJK_NEEDED); i++)
            t->cjk = t->cjk && TTF_GlyphIsProvided32(probe, CJK_NEEDED[i]);
        if (!t->cjk)
            SC_ERR(log, "the font %s has no Chinese characters: showing English", font_path);
    }
    TTF_CloseFont(probe);
    SC_INFO(log, "font: %s (face %d), bold %s (face %d)", t->file, t->index, t->bold_file,
            t->bold_index);
    *out = t;
    return 0;
fail:
    ui_text_destroy(t);
    return ret;
}

void ui_text_destroy(struct ui_text *t)
{
    if (!t) return;
    for (int i = 0; i < t->n_cached; i++) {
        SDL_DestroyTexture(t->cache[i].texture);
        free(t->cache[i].utf8);
    }
    for (int i = 0; i < 2; i++)
        if (t->fonts[i].font) TTF_CloseFont(t->fonts[i].font);
    if (t->ttf_inited) TTF_Quit();
    free(t);
}

bool ui_text_has_cjk(const struct ui_text *t)
{
    return t->cjk;
}

const char *ui_text_font_file(const struct ui_text *t)
{
    return t->file;
}

/* The font at a pixel size (SDL2_ttf sizes are points at 72 dpi = pixels):
 * the style's one font, set to that size (which empties its glyph cache;
 * rendered texts are cached as textures, so a size changes rarely per text).
 * Valid until the next call for the same style at another size. */
static TTF_Font *font_at(struct ui_text *t, int px, int style)
{
    bool bold = style == UI_TEXT_BOLD;
    struct sized_font *f = &t->fonts[bold ? 1 : 0];
    if (f->font && f->px == px) return f->font;
    if (f->font) {
        if (TTF_SetFontSize(f->font, px) == 0) {
            f->px = px;
            return f->font;
        }
        sc_logf_limited(t->log, NULL, SC_LOG_ERROR, "cannot set the font to %d px: %s", px,
                        TTF_GetError());
        return NULL;
    }
    TTF_Font *font =
        TTF_OpenFontIndex(bold ? t->bold_file : t->file, px, bold ? t->bold_index : t->index);
    if (!font) {
        sc_logf_limited(t->log, NULL, SC_LOG_ERROR, "cannot open the font at %d px: %s", px,
                        TTF_GetError());
        return NULL;
    }
    if (bold && strcmp(t->bold_file, t->file) == 0 && t->bold_index == t->index)
        TTF_SetFontStyle(font, TTF_STYLE_BOLD);
    TTF_SetFontHinting(font, TTF_HINTING_LIGHT);
    *f = (struct sized_font){px, font};
    return font;
}

void ui_text_open_faces(struct ui_text *t, int px)
{
    font_at(t, px, UI_TEXT_REGULAR);
    font_at(t, px, UI_TEXT_BOLD);
}

static uint64_t hash_key(const char *utf8, int px, int style, uint32_t rgba)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)utf8; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ (uint64_t)px) * 1099511628211ULL;
    h = (h ^ (uint64_t)style) * 1099511628211ULL;
    return (h ^ rgba) * 1099511628211ULL;
}

static struct cached_text *cached(struct ui_text *t, const char *utf8, int px, int style,
                                  SDL_Color c)
{
    uint32_t rgba = (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
    uint64_t h = hash_key(utf8, px, style, rgba);
    for (int i = 0; i < t->n_cached; i++) {
        struct cached_text *e = &t->cache[i];
        if (e->hash == h && e->px == px && e->style == style && e->rgba == rgba &&
            strcmp(e->utf8, utf8) == 0) {
            e->last_used = ++t->tick;
            return e;
        }
    }
    TTF_Font *font = font_at(t, px, style);
    if (!font) return NULL;
    SDL_Surface *surface = TTF_RenderUTF8_Blended(font, utf8, c);
    if (!surface) return NULL;
    SDL_Texture *texture = SDL_CreateTextureFromSurface(t->renderer, surface);
    int w = surface->w, h2 = surface->h;
    SDL_FreeSurface(surface);
    char *copy = strdup(utf8);
    if (!texture || !copy) {
        if (texture) SDL_DestroyTexture(texture);
        free(copy);
        return NULL;
    }
    SDL_SetTextureBlendMode(texture, SDL_BLENDMODE_BLEND);
    t->renders++;
    /* evict the least recently used while full (entries or bytes) */
    size_t bytes = (size_t)w * h2 * 4;
    while (t->n_cached > 0 &&
           (t->n_cached == CACHE_SIZE || t->cached_bytes + bytes > CACHE_BYTES)) {
        int lru = 0;
        for (int i = 1; i < t->n_cached; i++)
            if (t->cache[i].last_used < t->cache[lru].last_used) lru = i;
        SDL_DestroyTexture(t->cache[lru].texture);
        free(t->cache[lru].utf8);
        t->cached_bytes -= (size_t)t->cache[lru].w * t->cache[lru].h * 4;
        t->cache[lru] = t->cache[--t->n_cached];
    }
    struct cached_text *slot = &t->cache[t->n_cached++];
    *slot = (struct cached_text){h, copy, px, style, rgba, texture, w, h2, ++t->tick};
    t->cached_bytes += bytes;
    return slot;
}

void ui_text_size(struct ui_text *t, const char *utf8, int px, enum ui_text_style style, int *w,
                  int *h)
{
    *w = *h = 0;
    TTF_Font *font = font_at(t, px, style);
    if (font && *utf8) TTF_SizeUTF8(font, utf8, w, h);
    if (font && !*utf8) *h = TTF_FontHeight(font);
}

/* utf8 cut to fit max_w with "…" appended, into buf. */
static void ellipsize(struct ui_text *t, const char *utf8, int px, int style, int max_w, char *buf,
                      size_t size)
{
    TTF_Font *font = font_at(t, px, style);
    int ell_w = 0, ell_h = 0;
    if (!font || TTF_SizeUTF8(font, "…", &ell_w, &ell_h) != 0 || ell_w >= max_w) {
        snprintf(buf, size, "…");
        return;
    }
    /* the longest prefix on a character boundary that fits with the ellipsis */
    size_t len = strlen(utf8), best = 0;
    for (size_t cut = 1; cut <= len && cut + 4 < size; cut++) {
        if (cut < len && ((unsigned char)utf8[cut] & 0xC0) == 0x80) continue;
        memcpy(buf, utf8, cut);
        buf[cut] = 0;
        int w, h;
        if (TTF_SizeUTF8(font, buf, &w, &h) != 0 || w + ell_w > max_w) break;
        best = cut;
    }
    memcpy(buf, utf8, best);
    snprintf(buf + best, size - best, "…");
}

int ui_text_draw(struct ui_text *t, const char *utf8, int px, enum ui_text_style style,
                 SDL_Color color, int x, int cy, int max_w, int align)
{
    if (!utf8 || !*utf8 || px <= 0) return 0;
    char buf[512];
    int w, h;
    ui_text_size(t, utf8, px, style, &w, &h);
    if (max_w > 0 && w > max_w) {
        ellipsize(t, utf8, px, style, max_w, buf, sizeof(buf));
        utf8 = buf;
    }
    struct cached_text *e = cached(t, utf8, px, style, color);
    if (!e) return 0;
    int left = align == 1 ? x - e->w / 2 : align == 2 ? x - e->w : x;
    SDL_Rect dst = {left, cy - e->h / 2, e->w, e->h};
    SDL_RenderCopy(t->renderer, e->texture, NULL, &dst);
    return e->w;
}

/* Bytes of the first `chars` UTF-8 characters of s. */
static size_t utf8_bytes(const char *s, int chars)
{
    size_t i = 0;
    for (int n = 0; s[i] && n < chars; n++) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

int ui_text_draw_wrapped(struct ui_text *t, const char *utf8, int px, enum ui_text_style style,
                         SDL_Color color, int x, int first_cy, int line_h, int max_w, int max_lines,
                         int align)
{
    TTF_Font *font = font_at(t, px, style);
    if (!font || !utf8) return 0;
    int lines = 0;
    const char *p = utf8;
    char buf[512];
    while (*p && lines < max_lines) {
        while (*p == ' ')
            p++;
        int cy = first_cy + lines * line_h;
        int extent = 0, count = 0;
        if (lines == max_lines - 1 || TTF_MeasureUTF8(font, p, max_w, &extent, &count) != 0 ||
            p[utf8_bytes(p, count)] == 0) {
            ui_text_draw(t, p, px, style, color, x, cy, max_w, align); /* the rest, ellipsized */
            return lines + 1;
        }
        size_t cut = utf8_bytes(p, count);
        /* Latin words are not split: break after the last space if there is one */
        for (size_t i = cut; i > cut / 2; i--)
            if (p[i] == ' ') {
                cut = i;
                break;
            }
        if (cut == 0) cut = utf8_bytes(p, 1);
        if (cut >= sizeof(buf)) cut = sizeof(buf) - 1;
        memcpy(buf, p, cut);
        buf[cut] = 0;
        ui_text_draw(t, buf, px, style, color, x, cy, max_w, align);
        p += cut;
        lines++;
    }
    return lines;
}

bool ui_text_has_glyphs(struct ui_text *t, const char *utf8)
{
    TTF_Font *font = font_at(t, 20, UI_TEXT_REGULAR);
    if (!font) return false;
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p) {
        uint32_t cp;
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        cp = n == 1 ? *p : n == 2 ? *p & 0x1F : n == 3 ? *p & 0x0F : *p & 0x07;
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if (!TTF_GlyphIsProvided32(font, cp)) return false;
        p += n;
    }
    return true;
}

void ui_text_cache_stats(const struct ui_text *t, int *entries, long *renders, size_t *bytes)
{
    *entries = t->n_cached;
    *renders = t->renders;
    *bytes = t->cached_bytes;
}
