/* Every kiosk screen drawn with Chinese sample data in a real SDL window (run
 * under Xvfb at the size given), read back and checked for what a viewer
 * depends on: Chinese glyphs (not the .notdef box), text where it belongs,
 * nothing outside the title-safe area, the focus following the model, the
 * language switch. Each screen is saved as NAME-WxH.png in OUTDIR.
 *
 * usage: test_ui_screens W H OUTDIR */
#include "ui/screens.h"
#include "tests/test.h"

#include <SDL.h>
#include <errno.h>

struct shot {
    int w, h;
    uint32_t *px; /* ARGB8888 */
};

struct ctx {
    struct ui *ui;
    struct sc_log *log;
    int w, h;
    const char *outdir;
    struct shot shot;
};

static void grab(struct ctx *c)
{
    ASSERT_TRUE(ui_present(c->ui) == 1);
    free(c->shot.px);
    c->shot.w = c->w;
    c->shot.h = c->h;
    c->shot.px = malloc((size_t)c->w * c->h * 4);
    ASSERT_NOT_NULL(c->shot.px);
    ASSERT_EQ(
        SDL_RenderReadPixels(c->ui->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, c->shot.px, c->w * 4),
        0);
}

static void save(struct ctx *c, const char *name)
{
    char bmp[512], png[512], cmd[1600];
    snprintf(bmp, sizeof(bmp), "%s/%s-%dx%d.bmp", c->outdir, name, c->w, c->h);
    snprintf(png, sizeof(png), "%s/%s-%dx%d.png", c->outdir, name, c->w, c->h);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(c->shot.px, c->w, c->h, 32, c->w * 4,
                                                        SDL_PIXELFORMAT_ARGB8888);
    ASSERT_NOT_NULL(s);
    ASSERT_EQ(SDL_SaveBMP(s, bmp), 0);
    SDL_FreeSurface(s);
    snprintf(cmd, sizeof(cmd), "convert '%s' '%s' && rm -f '%s'", bmp, png, bmp);
    ASSERT_EQ(system(cmd), 0);
}

static uint32_t at(const struct shot *s, int x, int y)
{
    return s->px[(size_t)y * s->w + x] & 0xFFFFFF;
}

static int luma(uint32_t p)
{
    return (int)(((p >> 16) & 255) * 3 + ((p >> 8) & 255) * 6 + (p & 255)) / 10;
}

/* Pixels in the rectangle brighter than `min_luma` (text is near white). */
static long bright_in(const struct shot *s, SDL_Rect r, int min_luma)
{
    long n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            n += luma(at(s, x, y)) >= min_luma;
    return n;
}

/* Nothing outside the title-safe area (5% each side): the margins are one
 * colour, the background's. */
static void assert_margins_clean(const struct ctx *c, const char *what)
{
    int mx = c->w / 20, my = c->h / 20;
    uint32_t bg = at(&c->shot, 0, 0);
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            bool inside = x >= mx && x < c->w - mx && y >= my && y < c->h - my;
            if (!inside && at(&c->shot, x, y) != bg)
                TEST_FAIL("%s: pixel %d,%d outside the safe area is %06x, background %06x", what, x,
                          y, at(&c->shot, x, y), bg);
        }
}

/* The centre of the focus colour's pixels (the focus ring is the only thing
 * drawn in it); false if none is drawn. */
static bool focus_centre(const struct shot *s, int *cx, int *cy)
{
    long sx = 0, sy = 0, n = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            if (at(s, x, y) == 0xFFC400) {
                sx += x;
                sy += y;
                n++;
            }
    if (n < 50) return false;
    *cx = (int)(sx / n);
    *cy = (int)(sy / n);
    return true;
}

/* The safe rectangle in pixels for a band given in fractions of its height. */
static SDL_Rect band(const struct ctx *c, double from, double to)
{
    int mx = c->w / 20, my = c->h / 20, sh = c->h - 2 * my;
    return (SDL_Rect){mx, my + (int)(sh * from), c->w - 2 * mx, (int)(sh * (to - from))};
}

static const struct ui_member roster[] = {
    {"001", "张伟", UI_CATEGORY_PARTY_MEMBER, true, 7100},
    {"002", "王芳", UI_CATEGORY_VILLAGER, false, 0},
    {"003", "李娜", UI_CATEGORY_CADRE, true, 6900},
    {"004", "刘洋", UI_CATEGORY_VILLAGER, false, 0},
    {"005", "陈静", UI_CATEGORY_PARTY_MEMBER, true, 5400},
    {"006", "杨磊", UI_CATEGORY_VILLAGER, false, 0},
    {"007", "赵敏", UI_CATEGORY_VILLAGER, true, 7180},
    {"008", "黄晓明", UI_CATEGORY_CADRE, false, 0},
    {"009", "周杰", UI_CATEGORY_VILLAGER, true, 3000},
    {"010", "吴秀兰", UI_CATEGORY_PARTY_MEMBER, false, 0},
    {"011", "欧阳建国", UI_CATEGORY_VILLAGER, true, 7200},
    {"012", "孙丽", UI_CATEGORY_VILLAGER, false, 0},
    {"013", "马超", UI_CATEGORY_VILLAGER, false, 0},
    {"014", "朱红", UI_CATEGORY_CADRE, true, 7000},
};
#define N_ROSTER (sizeof(roster) / sizeof(roster[0]))
#define COURSE   "乡村振兴与现代农业技术（第三讲）：设施蔬菜的病虫害绿色防控"

static void test_glyphs(struct ctx *c)
{
    struct ui_view v = {.screen = UI_SCREEN_MENU};
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c); /* opens the fonts */
    struct ui_text *t = c->ui->kiosk->text;
    ASSERT_NOT_NULL(t);
    fprintf(stderr, "font: %s\n", ui_text_font_file(t));
    ASSERT_TRUE(ui_text_has_cjk(t));
    ASSERT_TRUE(ui_text_has_glyphs(t, "学习签到无信号正在自动恢复"));
    ASSERT_FALSE(ui_text_has_glyphs(t, "\xCD\xB8")); /* U+0378, unassigned */
    /* drawn: 学, 习 and two unassigned code points (both .notdef) */
    const char *texts[4] = {"学", "习", "\xCD\xB8", "\xCD\xB9"};
    uint32_t *img[4];
    int px = 80;
    for (int i = 0; i < 4; i++) {
        SDL_SetRenderDrawColor(c->ui->renderer, 0, 0, 0, 255);
        SDL_RenderClear(c->ui->renderer);
        ui_text_draw(t, texts[i], px, UI_TEXT_REGULAR, UI_COL_TEXT, 10, 60, 0, 0);
        img[i] = malloc(120 * 120 * 4);
        SDL_Rect r = {0, 0, 120, 120};
        ASSERT_EQ(
            SDL_RenderReadPixels(c->ui->renderer, &r, SDL_PIXELFORMAT_ARGB8888, img[i], 120 * 4),
            0);
    }
    long ink_xue = 0, diff_notdef = 0, diff_two = 0, diff_boxes = 0;
    for (int i = 0; i < 120 * 120; i++) {
        ink_xue += (img[0][i] & 0xFF) > 128;
        diff_notdef += img[0][i] != img[2][i];
        diff_two += img[0][i] != img[1][i];
        diff_boxes += img[2][i] != img[3][i];
    }
    ASSERT_GT(ink_xue, 300);     /* 学 has ink */
    ASSERT_GT(diff_notdef, 300); /* and is not the .notdef box */
    ASSERT_GT(diff_two, 300);    /* 学 and 习 are different glyphs */
    ASSERT_EQ(diff_boxes, 0);    /* the reference: two unassigned points look alike */
    for (int i = 0; i < 4; i++)
        free(img[i]);
}

static void set_clock(struct ctx *c)
{
    /* 2026-11-28 19:20:00 +08:00, from the broadcast */
    struct ui_clock clock = {.valid = true,
                             .utc_minus_mono_ns = 1795864800LL * 1000000000 - sc_mono_ns(),
                             .utc_offset_s = 8 * 3600,
                             .source = UI_CLOCK_BROADCAST};
    ui_set_clock(c->ui, &clock);
}

static int64_t utc_now(void)
{
    return 1795864800LL;
}

static void test_home(struct ctx *c)
{
    struct ui_view v = {.screen = UI_SCREEN_HOME};
    struct ui_home *h = &v.u.home;
    h->station_name = "东湖村党员学习站";
    h->next_course = COURSE;
    h->next_start_utc = utc_now() + 600;
    h->month = (struct ui_month){.sessions_required = 3,
                                 .minutes_required_each = 120,
                                 .n_sessions = 2,
                                 .session_minutes = {125, 95},
                                 .sessions_counted = 1};
    h->signal = UI_SIGNAL_GOOD;
    h->banner = "记录写入失败：磁盘已满";
    h->banner_error = true;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    ASSERT_STR_EQ(ui_screen_name(ui_current_screen(c->ui)), "home");
    grab(c);
    save(c, "home");
    assert_margins_clean(c, "home");
    /* the header (station name, clock), the panels and the banner carry text */
    ASSERT_GT(bright_in(&c->shot, band(c, 0, 0.12), 200), 500);
    ASSERT_GT(bright_in(&c->shot, band(c, 0.2, 0.5), 200), 500);
    /* the banner is red: the error line stands out */
    SDL_Rect b = band(c, 0.84, 0.90);
    long red = 0;
    for (int y = b.y; y < b.y + b.h; y++)
        for (int x = b.x; x < b.x + b.w; x++)
            red += at(&c->shot, x, y) == 0xEB463C;
    ASSERT_GT(red, b.w * b.h / 4);

    /* nothing changed: no new flip. With the time unknown nothing ticks. */
    struct ui_clock unknown = {.valid = false};
    ui_set_clock(c->ui, &unknown);
    ASSERT_EQ(ui_present(c->ui), 1);
    ASSERT_EQ(ui_present(c->ui), 0);
    ASSERT_EQ(ui_next_redraw_ns(c->ui), INT64_MAX);
    /* with the clock: the next second is a redraw deadline, and a flip */
    set_clock(c);
    ASSERT_EQ(ui_present(c->ui), 1);
    int64_t next = ui_next_redraw_ns(c->ui);
    ASSERT_LE(next, sc_mono_ns() + 1000000000LL);
    if (next > sc_mono_ns()) SDL_Delay((Uint32)((next - sc_mono_ns()) / 1000000 + 5));
    ASSERT_EQ(ui_present(c->ui), 1);

    /* English: the title band changes, the translation is gone */
    uint32_t *zh = malloc((size_t)c->w * c->h * 4);
    memcpy(zh, c->shot.px, (size_t)c->w * c->h * 4);
    ASSERT_STR_EQ(ui_tr(c->ui, "Next course"), "下一课程");
    ASSERT_EQ(ui_set_language(c->ui, "en"), 0);
    ASSERT_STR_EQ(ui_tr(c->ui, "Next course"), "Next course");
    ASSERT_EQ(ui_set_language(c->ui, "fr"), -EINVAL);
    grab(c);
    save(c, "home-en");
    SDL_Rect panel = band(c, 0.15, 0.30); /* "Next course" / "This month" labels */
    long differ = 0;
    for (int y = panel.y; y < panel.y + panel.h; y++)
        for (int x = panel.x; x < panel.x + panel.w; x++)
            differ += (zh[(size_t)y * c->w + x] & 0xFFFFFF) != at(&c->shot, x, y);
    ASSERT_GT(differ, 1000);
    free(zh);
    ASSERT_EQ(ui_set_language(c->ui, "zh_CN"), 0);
}

static void rollcall_view(struct ui_view *v, int focus, const char *digits)
{
    *v = (struct ui_view){.screen = UI_SCREEN_ROLLCALL};
    v->u.rollcall.course = COURSE;
    v->u.rollcall.start_utc = utc_now() + 95;
    v->u.rollcall.roster = (struct ui_roster){
        roster, N_ROSTER, focus, digits, 2, 7,
    };
}

static void test_rollcall(struct ctx *c)
{
    struct ui_view v;
    int cols = ui_roster_columns(c->ui);
    ASSERT_GE(cols, 3);
    if (c->w * 3 == c->h * 4) ASSERT_LE(cols, 4); /* 4:3 gets fewer columns */
    if (c->w * 9 == c->h * 16) ASSERT_GE(cols, 5);
    rollcall_view(&v, 0, "");
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "rollcall");
    assert_margins_clean(c, "rollcall");
    int x0, y0, x1, y1, x2, y2;
    ASSERT_TRUE(focus_centre(&c->shot, &x0, &y0));
    /* right by one card, same row */
    rollcall_view(&v, 1, "12");
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "rollcall-focus1");
    ASSERT_TRUE(focus_centre(&c->shot, &x1, &y1));
    ASSERT_GT(x1 - x0, c->w / (cols + 1));
    ASSERT_LT(abs(y1 - y0), 4);
    /* down by one row */
    rollcall_view(&v, cols, "");
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    ASSERT_TRUE(focus_centre(&c->shot, &x2, &y2));
    ASSERT_LT(abs(x2 - x0), 4);
    ASSERT_GT(y2 - y0, c->h / 10);
    /* the guest card at the end scrolls into view and takes the focus */
    rollcall_view(&v, (int)N_ROSTER, "");
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "rollcall-guest");
    assert_margins_clean(c, "rollcall scrolled");
    ASSERT_TRUE(focus_centre(&c->shot, &x2, &y2));
    ASSERT_LT(y2, c->h * 95 / 100);
}

static void test_playing(struct ctx *c)
{
    ui_set_picture_none(c->ui);
    struct ui_view v = {.screen = UI_SCREEN_PLAYING};
    struct ui_playing *p = &v.u.playing;
    p->course = COURSE;
    p->end_utc = utc_now() + 3600;
    p->played_s = 1800;
    p->played_mono_ns = sc_mono_ns();
    p->advancing = true;
    p->attendance = 9;
    p->signal = UI_SIGNAL_GOOD;
    /* no overlay: the video alone (black without a picture) */
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    ASSERT_EQ(bright_in(&c->shot, (SDL_Rect){0, 0, c->w, c->h}, 40), 0);
    p->show_info = true;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "playing-info");
    assert_margins_clean(c, "playing info");
    ASSERT_GT(bright_in(&c->shot, band(c, 0.7, 1.0), 200), 1000); /* the panel at the bottom */
    ASSERT_EQ(bright_in(&c->shot, band(c, 0.0, 0.6), 40), 0);     /* the picture stays clear */
    p->show_info = false;
    p->show_roster = true;
    p->roster = (struct ui_roster){roster, N_ROSTER, 3, NULL, 2, 7};
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "playing-checkin");
    assert_margins_clean(c, "playing check-in");
    int x, y;
    ASSERT_TRUE(focus_centre(&c->shot, &x, &y));
}

static void test_outage_summary_pretune_menu(struct ctx *c)
{
    struct ui_view v = {.screen = UI_SCREEN_OUTAGE};
    v.u.outage.course = COURSE;
    v.u.outage.since_mono_ns = sc_mono_ns() - 75 * 1000000000LL;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "outage");
    assert_margins_clean(c, "outage");
    ASSERT_GT(bright_in(&c->shot, band(c, 0.3, 0.7), 150), 1000);
    ASSERT_STR_EQ(ui_tr(c->ui, "No signal, resuming by itself…"), "无信号，正在自动恢复…");

    v = (struct ui_view){.screen = UI_SCREEN_SUMMARY};
    struct ui_summary *s = &v.u.summary;
    s->course = COURSE;
    s->played_s = 7140;
    struct ui_member attended[N_ROSTER];
    size_t n_attended = 0;
    for (size_t i = 0; i < N_ROSTER; i++)
        if (roster[i].seconds > 0) attended[n_attended++] = roster[i];
    s->attendees = attended;
    s->n_attendees = n_attended;
    s->guests = 2;
    s->rating = 4;
    s->needs_repeat = true;
    s->focus = UI_SUMMARY_RATING;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "summary");
    assert_margins_clean(c, "summary");
    int x0, y0, x1, y1;
    ASSERT_TRUE(focus_centre(&c->shot, &x0, &y0));
    s->focus = UI_SUMMARY_DONE;
    s->attendees = roster; /* everyone, absent ones with 0 minutes: a longer list */
    s->n_attendees = N_ROSTER;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "summary-done");
    ASSERT_TRUE(focus_centre(&c->shot, &x1, &y1));
    ASSERT_GT(y1 - y0, c->h / 10); /* the focus went down to the button */

    v = (struct ui_view){.screen = UI_SCREEN_PRETUNE};
    v.u.pretune.course = COURSE;
    v.u.pretune.start_utc = utc_now() + 118;
    v.u.pretune.signal = UI_SIGNAL_NONE;
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    grab(c);
    save(c, "pretune");
    assert_margins_clean(c, "pretune");
    ASSERT_GT(bright_in(&c->shot, band(c, 0.3, 0.6), 150), 1000);

    struct ui_menu_item items[] = {
        {.label = "课程安排", .value = "本月 6 项"},
        {.label = "节目指南"},
        {.label = "频道与信号", .value = "CCTV-17 农业农村"},
        {.label = "成员名单", .value = "14 人"},
        {.label = "学习记录"},
        {.label = "设置"},
    };
    v = (struct ui_view){.screen = UI_SCREEN_MENU};
    v.u.menu = (struct ui_menu){
        .kind = UI_MENU_LIST, .title = "管理员菜单", .items = items, .n_items = 6, .focus = 2};
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    ASSERT_STR_EQ(ui_screen_name(ui_current_screen(c->ui)), "menu");
    ui_toast(c->ui, "该成员已签到", false, 0);
    grab(c);
    save(c, "menu-toast");
    assert_margins_clean(c, "menu");
    ASSERT_TRUE(focus_centre(&c->shot, &x0, &y0));
    /* the toast's end is a redraw deadline */
    ASSERT_LE(ui_next_redraw_ns(c->ui), sc_mono_ns() + 3000000000LL);
}

static void test_text_cache(struct ctx *c)
{
    int entries;
    long renders, renders2;
    size_t bytes;
    /* a clock that does not tick, so that both draws show the same text */
    struct ui_clock unknown = {.valid = false};
    ui_set_clock(c->ui, &unknown);
    grab(c);
    ui_text_cache_stats(c->ui->kiosk->text, &entries, &renders, &bytes);
    ASSERT_GT(entries, 10);
    /* drawing the same screen again renders no new text */
    c->ui->dirty = true;
    grab(c);
    ui_text_cache_stats(c->ui->kiosk->text, &entries, &renders2, &bytes);
    ASSERT_EQ(renders2, renders);
    /* a countdown running for hours stays within the cache's bounds */
    struct ui_text *t = c->ui->kiosk->text;
    for (int s = 0; s < 3000; s++) {
        char text[16];
        snprintf(text, sizeof(text), "%02d:%02d", s / 60, s % 60);
        ASSERT_GT(ui_text_draw(t, text, 150, UI_TEXT_BOLD, UI_COL_TEXT, 100, 100, 0, 0), 0);
    }
    ui_text_cache_stats(t, &entries, &renders2, &bytes);
    ASSERT_GE(renders2, renders + 3000);
    ASSERT_LE(entries, 384);
    ASSERT_LE(bytes, (size_t)24 << 20);
}

/* A font without Chinese (a box without fonts-noto-cjk): the screens fall
 * back to English instead of drawing boxes. */
static void test_latin_font_fallback(struct ctx *c)
{
    char path[512] = "";
    FILE *p = popen("fc-match -f '%{file}' 'DejaVu Sans'", "r");
    ASSERT_NOT_NULL(p);
    ASSERT_NOT_NULL(fgets(path, sizeof(path), p));
    pclose(p);
    ASSERT_TRUE(strstr(path, "DejaVu") != NULL);
    struct ui_opts opts = {
        .fullscreen = true, .title = "studycast-test", .log = c->log, .font = path};
    ASSERT_EQ(ui_create(&opts, &c->ui), 0);
    struct ui_view v = {.screen = UI_SCREEN_OUTAGE};
    v.u.outage.since_mono_ns = sc_mono_ns();
    ASSERT_EQ(ui_show(c->ui, &v), 0);
    ASSERT_STR_EQ(ui_tr(c->ui, "No signal, resuming by itself…"), "No signal, resuming by itself…");
    ASSERT_FALSE(ui_text_has_cjk(c->ui->kiosk->text));
    grab(c);
    save(c, "outage-latin-font");
    ASSERT_GT(bright_in(&c->shot, band(c, 0.3, 0.7), 150), 1000);
    ui_destroy(c->ui);
    c->ui = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s W H OUTDIR\n", argv[0]);
        return 2;
    }
    struct ctx c = {.w = atoi(argv[1]), .h = atoi(argv[2]), .outdir = argv[3]};
    c.log = sc_log_create(stderr, SC_LOG_INFO);
    struct ui_opts opts = {.fullscreen = true, .title = "studycast-test", .log = c.log};
    ASSERT_EQ(ui_create(&opts, &c.ui), 0);
    int w, h;
    SDL_GetRendererOutputSize(c.ui->renderer, &w, &h);
    ASSERT_EQ(w, c.w);
    ASSERT_EQ(h, c.h);
    ASSERT_STR_EQ(ui_language(c.ui), "zh_CN");
    set_clock(&c);
    test_glyphs(&c);
    test_home(&c);
    test_rollcall(&c);
    test_playing(&c);
    test_outage_summary_pretune_menu(&c);
    test_text_cache(&c);
    ui_destroy(c.ui);
    test_latin_font_fallback(&c);
    sc_log_destroy(c.log);
    free(c.shot.px);
    fprintf(stderr, "ok %dx%d\n", c.w, c.h);
    return 0;
}
