/* The on-screen keyboard: text entry with the remote where it cannot be
 * avoided (the station name, the county server). Latin letters, digits, space and a few marks;
 * Chinese names arrive by roster import or from the guide, but a text that
 * already holds Chinese (an imported station name) is shown and kept, and
 * BACK deletes it a whole character at a time.
 *
 * Layout: rows of KB_COLUMNS keys, then a short row (shift, space, delete,
 * done, cancel) that the ui spreads over the full width. Arrows move over the
 * keys, OK types the focused one, digits on the remote type themselves. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_COLUMNS  10
#define KB_TEXT_MAX 255

/* the character rows; lower case is the shifted form of the letters, and
 * of ',' the '_' that database user names hold */
static const char *const char_rows[] = {"1234567890", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ-.,/"};
#define KB_CHAR_ROWS 4
#define KB_CHAR_KEYS (KB_CHAR_ROWS * KB_COLUMNS)

enum kb_special { KB_SHIFT, KB_SPACE, KB_DELETE, KB_DONE, KB_CANCEL, KB_SPECIALS };
static const char *const special_labels[KB_SPECIALS] = {N_("abc"), N_("Space"), N_("Delete"),
                                                        N_("Done"), N_("Cancel")};
#define KB_KEYS (KB_CHAR_KEYS + KB_SPECIALS)

struct kb_page {
    char title[128];
    char text[KB_TEXT_MAX + 1];
    size_t max_bytes;
    bool lower;
    st_keyboard_done_fn done;
    void *opaque;
};

static char key_char(const struct kb_page *k, int key)
{
    char c = char_rows[key / KB_COLUMNS][key % KB_COLUMNS];
    if (c == ',' && k->lower) return '_';
    return k->lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void type_char(struct st_station *st, struct kb_page *k, char c)
{
    size_t n = strlen(k->text);
    if (n + 1 > k->max_bytes) {
        st_admin_message(st, true, "The text is full (%d characters at most)", (int)k->max_bytes);
        return;
    }
    k->text[n] = c;
    k->text[n + 1] = '\0';
}

/* Deletes the last character: a whole UTF-8 sequence (Chinese included). */
static void delete_char(struct kb_page *k)
{
    size_t n = strlen(k->text);
    while (n > 0 && ((unsigned char)k->text[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0) n--;
    k->text[n] = '\0';
}

static int finish(struct st_station *st, struct kb_page *k)
{
    int rc = k->done(st, k->opaque, k->text);
    if (rc < 0) return 0; /* refused: the callback said why, the text stays for fixing */
    st_admin_pop(st);
    return 0;
}

/* Up/down between the character rows and the short row: the short row's keys
 * stand over two columns each. */
static int move(struct st_page *page, enum rc_action action)
{
    int f = page->focus;
    bool in_specials = f >= KB_CHAR_KEYS;
    int col = in_specials ? (f - KB_CHAR_KEYS) * KB_COLUMNS / KB_SPECIALS : f % KB_COLUMNS;
    int row = in_specials ? KB_CHAR_ROWS : f / KB_COLUMNS;
    switch (action) {
    case RC_ACTION_LEFT:
    case RC_ACTION_RIGHT: {
        int step = action == RC_ACTION_LEFT ? -1 : 1;
        if (in_specials)
            page->focus = KB_CHAR_KEYS + (f - KB_CHAR_KEYS + step + KB_SPECIALS) % KB_SPECIALS;
        else
            page->focus = row * KB_COLUMNS + (col + step + KB_COLUMNS) % KB_COLUMNS;
        return 0;
    }
    case RC_ACTION_UP:
    case RC_ACTION_DOWN:
        row = (row + (action == RC_ACTION_UP ? -1 : 1) + KB_CHAR_ROWS + 1) % (KB_CHAR_ROWS + 1);
        page->focus = row == KB_CHAR_ROWS ? KB_CHAR_KEYS + col * KB_SPECIALS / KB_COLUMNS
                                          : row * KB_COLUMNS + col;
        return 0;
    default:
        return -ENOTSUP;
    }
}

static int kb_action(struct st_station *st, struct st_page *page, enum rc_action action,
                     int64_t time_ns)
{
    (void)time_ns;
    struct kb_page *k = page->state;
    if (move(page, action) == 0) return 0;
    int digit = rc_action_digit(action);
    if (digit >= 0) {
        type_char(st, k, (char)('0' + digit));
        return 0;
    }
    if (action == RC_ACTION_BACK) {
        if (!k->text[0]) return -ENOTSUP; /* empty: BACK leaves, nothing changed */
        delete_char(k);
        return 0;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus < KB_CHAR_KEYS) {
        type_char(st, k, key_char(k, page->focus));
        return 0;
    }
    switch (page->focus - KB_CHAR_KEYS) {
    case KB_SHIFT:
        k->lower = !k->lower;
        return 0;
    case KB_SPACE:
        type_char(st, k, ' ');
        return 0;
    case KB_DELETE:
        delete_char(k);
        return 0;
    case KB_DONE:
        return finish(st, k);
    default: /* KB_CANCEL */
        st_admin_pop(st);
        return 0;
    }
}

static void kb_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct kb_page *k = page->state;
    m->view.kind = UI_MENU_KEYBOARD;
    m->view.title = k->title;
    m->view.hint = st_tr(st, "Arrows, OK: type a key · digits type · BACK: delete");
    m->view.u.keyboard.text = k->text;
    m->view.u.keyboard.columns = KB_COLUMNS;
    for (int i = 0; i < KB_CHAR_KEYS; i++)
        st_menu_item(m, st_menu_str(m, "%c", key_char(k, i)), NULL);
    for (int i = 0; i < KB_SPECIALS; i++) {
        const char *label = st_tr(st, special_labels[i]);
        if (i == KB_SHIFT && k->lower) label = st_tr(st, "ABC"); /* back to capitals */
        st_menu_item(m, label, NULL);
    }
    m->view.focus = page->focus;
}

static void kb_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct kb_page *k = page->state;
    sc_json_kv_string(j, "text", k->text);
    sc_json_kv_bool(j, "lower", k->lower);
}

static void kb_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops kb_ops = {
    .name = "keyboard",
    .action = kb_action,
    .view = kb_view,
    .status = kb_status,
    .destroy = kb_destroy,
};

int st_page_keyboard_open(struct st_station *st, const char *title, const char *initial,
                          size_t max_bytes, st_keyboard_done_fn done, void *opaque)
{
    struct kb_page *k = calloc(1, sizeof(*k));
    if (!k) return -ENOMEM;
    snprintf(k->title, sizeof(k->title), "%s", title ? title : "");
    k->max_bytes = max_bytes > 0 && max_bytes < KB_TEXT_MAX ? max_bytes : KB_TEXT_MAX;
    /* an initial text longer than allowed is cut at a character boundary */
    snprintf(k->text, k->max_bytes + 1, "%s", initial ? initial : "");
    size_t n = strlen(k->text);
    if (initial && strlen(initial) > n) {
        while (n > 0 && ((unsigned char)initial[n] & 0xC0) == 0x80)
            n--;
        k->text[n] = '\0';
    }
    k->done = done;
    k->opaque = opaque;
    int rc = st_admin_push(st, &kb_ops, k);
    if (rc < 0) return rc;
    st_admin_top(st)->focus = KB_COLUMNS; /* on "A": letters come first in a name */
    return 0;
}
