/* Members: the roster (number, name, category, card), and importing a
 * roster CSV from a USB stick with rec_members_import: on bad rows (or a file
 * with no members) nothing is imported and every problem is listed with its
 * line; an import that would remove members lists them and asks: OK imports
 * and removes them, BACK cancels; on success the counts show and the
 * roll-call roster is reloaded. */
#include "kiosk/station/admin/admin.h"
#include "kiosk/station/drives.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_FILES 64

/* ---- the roster ---- */

struct members_page {
    struct rec_member *members;
    size_t n;
    int error; /* the roster could not be read */
};

static void members_load(struct st_station *st, struct members_page *p)
{
    rec_members_free(p->members, p->n);
    p->members = NULL;
    p->n = 0;
    p->error = rec_members_list(st->rec, &p->members, &p->n);
    if (p->error < 0) {
        p->members = NULL;
        p->n = 0;
    }
}

static const char *category_text(struct st_station *st, enum rec_category c)
{
    return st_tr(st, c == REC_PARTY_MEMBER ? "Party member"
                     : c == REC_CADRE      ? "Cadre"
                                           : "Villager");
}

static int open_import(struct st_station *st);

static int members_action(struct st_station *st, struct st_page *page, enum rc_action action,
                          int64_t time_ns)
{
    (void)time_ns;
    struct members_page *p = page->state;
    if (st_page_list_move(page, p->n + 1, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus == 0) return open_import(st);
    return 0; /* a member's row: nothing to open */
}

static void members_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct members_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_menu_str(m, st_tr(st, "Members (%zu)"), p->n);
    m->view.hint = st_tr(st, "Up/down: scroll · OK: import · BACK: return");
    st_menu_item(m, st_tr(st, "Import a roster from a USB stick"), NULL);
    for (size_t i = 0; i < p->n; i++) {
        const struct rec_member *mem = &p->members[i];
        const char *cat = category_text(st, mem->category);
        st_menu_item(m, st_menu_str(m, "%s  %s", mem->number, mem->name),
                     mem->card && *mem->card ? st_menu_str(m, "%s · %s", cat, mem->card) : cat);
    }
    if (!m->view.message && p->error < 0) {
        m->view.message =
            st_menu_str(m, st_tr(st, "The roster cannot be read: %s"), rec_strerror(p->error));
        m->view.message_error = true;
    } else if (!m->view.message && p->n == 0) {
        m->view.message = st_tr(st, "No members yet: import a roster from a USB stick");
    }
    m->view.focus = page->focus;
}

static void members_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct members_page *p = page->state;
    sc_json_kv_int(j, "members", (int64_t)p->n);
}

static void members_resume(struct st_station *st, struct st_page *page)
{
    members_load(st, page->state);
}

static void members_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct members_page *p = page->state;
    if (p) rec_members_free(p->members, p->n);
    free(p);
}

static const struct st_page_ops members_ops = {
    .name = "members",
    .action = members_action,
    .view = members_view,
    .status = members_status,
    .resume = members_resume,
    .destroy = members_destroy,
};

int st_page_members_open(struct st_station *st)
{
    struct members_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    members_load(st, p);
    return st_admin_push(st, &members_ops, p);
}

/* ---- the problems of a roster that was not imported ---- */

struct problems_page {
    char file[256];
    struct rec_import_result result;
};

/* The record's problem texts (kiosk/record/roster.c) are English: the fixed
 * ones are msgids here, the ones with values are matched and re-worded. */
static const char *const fixed_problems[] = {
    N_("the header must be number,name,category,card"),
    N_("the member number is empty"),
    N_("the member number is invalid"),
    N_("the name is empty"),
    N_("the name is invalid"),
    N_("the card id is invalid"),
    N_("a quoted field is never closed"),
    N_("the file is empty (expected the header number,name,category,card)"),
    N_("this is not a text file (it contains NUL bytes)"),
    N_("the file is neither UTF-8 nor GB18030 text"),
    N_("the roster lists no members (only the header)"),
};

static const char *problem_text(struct st_station *st, struct st_menu *m, const char *text)
{
    for (size_t i = 0; i < sizeof(fixed_problems) / sizeof(fixed_problems[0]); i++)
        if (strcmp(text, fixed_problems[i]) == 0) return st_tr(st, fixed_problems[i]);
    unsigned a, b;
    char word[128];
    int line;
    if (sscanf(text, "expected %u columns, found %u", &a, &b) == 2)
        return st_menu_str(m, st_tr(st, "expected %u columns, found %u"), a, b);
    if (sscanf(text, "unknown category '%127[^']'", word) == 1)
        return st_menu_str(m, st_tr(st, "unknown category '%s' (use 党员, 干部 or 群众)"), word);
    if (sscanf(text, "duplicate member number %127s (first on line %d)", word, &line) == 2)
        return st_menu_str(m, st_tr(st, "member number %s twice (first on line %d)"), word, line);
    if (sscanf(text, "duplicate card %127s (first on line %d)", word, &line) == 2)
        return st_menu_str(m, st_tr(st, "card %s twice (first on line %d)"), word, line);
    return text;
}

static int problems_action(struct st_station *st, struct st_page *page, enum rc_action action,
                           int64_t time_ns)
{
    (void)st;
    (void)time_ns;
    struct problems_page *p = page->state;
    if (st_page_list_move(page, p->result.n_problems, action) == 0) return 0;
    return action == RC_ACTION_OK ? 0 : -ENOTSUP;
}

static void problems_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct problems_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "The roster was not imported");
    m->view.hint = st_tr(st, "Up/down: scroll · BACK: return");
    /* line and problem in one label: the whole width for the text */
    for (size_t i = 0; i < p->result.n_problems; i++) {
        const struct rec_import_problem *q = &p->result.problems[i];
        const char *where =
            q->line > 0 ? st_menu_str(m, st_tr(st, "Line %d"), q->line) : st_tr(st, "The file");
        st_menu_item(m, st_menu_str(m, st_tr(st, "%s: %s"), where, problem_text(st, m, q->message)),
                     NULL)
            ->warning = true;
    }
    if (!m->view.message) {
        m->view.message = st_menu_str(m, st_tr(st, "%s: %zu problems, nothing imported"), p->file,
                                      p->result.n_problems);
        m->view.message_error = true;
    }
    m->view.focus = page->focus;
}

static void problems_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct problems_page *p = page->state;
    sc_json_key(j, "problems");
    sc_json_array_begin(j);
    for (size_t i = 0; i < p->result.n_problems; i++) {
        sc_json_object_begin(j);
        sc_json_kv_int(j, "line", p->result.problems[i].line);
        sc_json_kv_string(j, "message", p->result.problems[i].message);
        sc_json_object_end(j);
    }
    sc_json_array_end(j);
}

static void problems_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct problems_page *p = page->state;
    if (p) rec_import_result_free(&p->result);
    free(p);
}

static const struct st_page_ops problems_ops = {
    .name = "members_problems",
    .action = problems_action,
    .view = problems_view,
    .status = problems_status,
    .destroy = problems_destroy,
};

/* ---- import: choose the stick, then the file ---- */

struct import_page {
    struct st_drive_list drives;
    int drive; /* the chosen stick (index into drives), -1: choosing one */
    struct st_drive chosen;
    char files[MAX_FILES][256];
    int64_t sizes[MAX_FILES];
    size_t n_files;
    int list_error;  /* the stick's folder could not be read */
    int drive_focus; /* the stick row to come back to */
};

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The *.csv files at the top of the stick, sorted by name. */
static int list_files(struct import_page *p)
{
    p->n_files = 0;
    DIR *d = opendir(p->chosen.path);
    if (!d) return -errno;
    struct dirent *e;
    while ((e = readdir(d)) && p->n_files < MAX_FILES) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || len >= sizeof(p->files[0]) ||
            strcasecmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        memcpy(p->files[p->n_files], e->d_name, len + 1);
        p->n_files++;
    }
    closedir(d);
    qsort(p->files, p->n_files, sizeof(p->files[0]), by_name);
    for (size_t i = 0; i < p->n_files; i++) {
        char path[PATH_MAX + 260];
        struct stat sb;
        snprintf(path, sizeof(path), "%s/%s", p->chosen.path, p->files[i]);
        p->sizes[i] = stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
    }
    return 0;
}

static void back_to_drives(struct st_station *st, struct st_page *page, struct import_page *p)
{
    p->drive = -1;
    page->focus = p->drive_focus;
    st_drive_list_scan(st, &p->drives);
}

static void stick_gone(struct st_station *st, struct st_page *page, struct import_page *p)
{
    back_to_drives(st, page, p);
    st_admin_message(st, true, "The USB stick was pulled out: insert it again");
}

/* The roster was imported: the roll-call follows, the roster page shows the
 * counts. `pages` pages close (the file list, and the confirmation). */
static void imported(struct st_station *st, const char *path, const struct rec_import_result *r,
                     int pages)
{
    SC_INFO(st->log, "menu: roster %s imported: %d added, %d updated, %d removed, %d unchanged",
            path, r->added, r->updated, r->removed, r->unchanged);
    if (st_roster_load(st) < 0) st_toast(st, true, "The roster cannot be read.");
    for (int i = 0; i < pages; i++)
        st_admin_pop(st); /* the roster page resumes: reloaded */
    st_admin_message(st, false, "Roster imported: %d added, %d updated, %d removed", r->added,
                     r->updated, r->removed);
}

/* ---- an import that would remove members: listed, OK to confirm ---- */

struct confirm_page {
    char path[PATH_MAX + 260];
    char file[256];
    struct rec_import_result result; /* the refused import's counts and removals */
};

static int confirm_action(struct st_station *st, struct st_page *page, enum rc_action action,
                          int64_t time_ns)
{
    (void)time_ns;
    struct confirm_page *p = page->state;
    if (st_page_list_move(page, p->result.n_removals, action) == 0) return 0;
    if (action == RC_ACTION_BACK) {
        SC_INFO(st->log, "menu: roster %s not imported (removals not confirmed)", p->path);
        st_admin_pop(st);
        st_admin_message(st, false, "Not imported: the roster is unchanged");
        return 0;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    struct rec_import_result r = {0};
    int rc = rec_members_import(st->rec, p->path, REC_IMPORT_REPLACE, &r);
    if (rc == 0) {
        struct rec_import_result counts = r;
        rec_import_result_free(&r);
        imported(st, p->path, &counts, 2);
        return 0;
    }
    rec_import_result_free(&r);
    char file[sizeof(p->file)];
    snprintf(file, sizeof(file), "%s", p->file);
    st_admin_pop(st); /* back to the files (frees p); the stick may have gone */
    st_admin_message(st, true, "Cannot import %s: %s", file, rec_strerror(rc));
    return 0;
}

static void confirm_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct confirm_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_menu_str(m, st_tr(st, "%s removes %d members"), p->file, p->result.removed);
    m->view.hint = st_tr(st, "OK: import and remove them · BACK: cancel");
    for (size_t i = 0; i < p->result.n_removals; i++) {
        const struct rec_member *mem = &p->result.removals[i];
        st_menu_item(m, st_menu_str(m, "%s  %s", mem->number, mem->name), NULL)->warning = true;
    }
    if (!m->view.message) {
        m->view.message = st_menu_str(
            m,
            st_tr(st, "These %d members are not in the file. Import it as the whole roster "
                      "(%d added, %d updated)? Their past attendance stays."),
            p->result.removed, p->result.added, p->result.updated);
        m->view.message_error = true;
    }
    m->view.focus = p->result.n_removals ? page->focus : -1;
}

static void confirm_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct confirm_page *p = page->state;
    sc_json_kv_int(j, "removing", p->result.removed);
    sc_json_kv_int(j, "adding", p->result.added);
    sc_json_kv_int(j, "updating", p->result.updated);
}

static void confirm_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct confirm_page *p = page->state;
    if (p) rec_import_result_free(&p->result);
    free(p);
}

static const struct st_page_ops confirm_ops = {
    .name = "members_confirm",
    .action = confirm_action,
    .view = confirm_view,
    .status = confirm_status,
    .destroy = confirm_destroy,
};

static int ask_to_confirm(struct st_station *st, const char *path, const char *name,
                          struct rec_import_result *result)
{
    struct confirm_page *q = calloc(1, sizeof(*q));
    if (!q) {
        rec_import_result_free(result);
        return -ENOMEM;
    }
    snprintf(q->path, sizeof(q->path), "%s", path);
    snprintf(q->file, sizeof(q->file), "%s", name);
    q->result = *result; /* owned by the page now */
    return st_admin_push(st, &confirm_ops, q);
}

static int import_file(struct st_station *st, struct st_page *page, struct import_page *p)
{
    const char *name = p->files[page->focus];
    char path[PATH_MAX + 260];
    snprintf(path, sizeof(path), "%s/%s", p->chosen.path, name);
    struct rec_import_result result = {0};
    int rc = rec_members_import(st->rec, path, 0, &result);
    if (rc == REC_EREMOVES) return ask_to_confirm(st, path, name, &result);
    if (rc == REC_EROSTER) {
        SC_WARN(st->log, "menu: roster %s has %zu bad rows: nothing imported", path,
                result.n_problems);
        struct problems_page *q = calloc(1, sizeof(*q));
        if (!q) {
            rec_import_result_free(&result);
            return -ENOMEM;
        }
        snprintf(q->file, sizeof(q->file), "%s", name);
        q->result = result;
        return st_admin_push(st, &problems_ops, q);
    }
    struct rec_import_result counts = result; /* the counts, without the (empty) lists */
    rec_import_result_free(&result);
    if (rc < 0) {
        struct st_drives_env env = st_drives_env(st);
        if (!st_drive_present(&env, &p->chosen)) {
            stick_gone(st, page, p);
            return 0;
        }
        st_admin_message(st, true, "Cannot import %s: %s", name, rec_strerror(rc));
        return 0;
    }
    imported(st, path, &counts, 1);
    return 0;
}

static int import_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct import_page *p = page->state;
    if (p->drive < 0) {
        if (st_page_list_move(page, p->drives.n, action) == 0) return 0;
        if (action != RC_ACTION_OK) return -ENOTSUP;
        if (p->drives.n == 0) {
            st_drive_list_scan(st, &p->drives);
            if (p->drives.n == 0) st_admin_message(st, true, "No USB stick: insert one");
            return 0;
        }
        p->drive_focus = page->focus;
        p->chosen = p->drives.items[page->focus];
        p->drive = page->focus;
        p->list_error = list_files(p);
        page->focus = 0;
        if (p->list_error < 0) {
            struct st_drives_env env = st_drives_env(st);
            if (!st_drive_present(&env, &p->chosen)) stick_gone(st, page, p);
        }
        return 0;
    }
    if (action == RC_ACTION_BACK) {
        back_to_drives(st, page, p);
        return 0;
    }
    if (st_page_list_move(page, p->n_files, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (p->n_files == 0) return 0;
    return import_file(st, page, p);
}

static void import_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct import_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    if (p->drive < 0) {
        m->view.title = st_tr(st, "Import a roster: choose the USB stick");
        m->view.hint = st_tr(st, "Up/down: choose · OK: open · BACK: return");
        st_drive_list_rows(st, m, &p->drives);
        m->view.focus = p->drives.n ? page->focus : -1;
        return;
    }
    p->drives.changed = false;
    m->view.title = st_menu_str(m, st_tr(st, "Import a roster from %s"), p->chosen.label);
    m->view.hint = st_tr(st, "Up/down: choose · OK: import · BACK: another stick");
    for (size_t i = 0; i < p->n_files; i++) {
        char size[32] = "";
        if (p->sizes[i] >= 0) st_drive_format_bytes(p->sizes[i], size, sizeof(size));
        st_menu_item(m, p->files[i], size[0] ? st_menu_str(m, "%s", size) : NULL);
    }
    if (p->n_files == 0) {
        st_menu_item(m,
                     p->list_error < 0 ? st_tr(st, "The stick cannot be read")
                                       : st_tr(st, "No roster file (.csv) on this stick"),
                     NULL)
            ->disabled = true;
        if (!m->view.message)
            m->view.message =
                st_tr(st, "A roster is a CSV file with the header number,name,category,card");
    }
    m->view.focus = p->n_files ? page->focus : -1;
}

static void import_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct import_page *p = page->state;
    sc_json_kv_int(j, "sticks", (int64_t)p->drives.n);
    sc_json_kv_string(j, "stick", p->drive >= 0 ? p->chosen.path : "");
}

/* While a stick is being chosen, plugging one in or pulling it out shows. */
static int64_t import_deadline(struct st_station *st, struct st_page *page)
{
    struct import_page *p = page->state;
    int64_t deadline = st_drive_list_deadline(st, &p->drives);
    if (p->drive >= 0) {
        /* the chosen stick pulled out while its files are listed */
        bool still = false;
        for (size_t i = 0; i < p->drives.n; i++)
            still |= strcmp(p->drives.items[i].path, p->chosen.path) == 0;
        if (!still) {
            stick_gone(st, page, p);
            return 0;
        }
    }
    return deadline;
}

static void import_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    free(page->state);
}

static const struct st_page_ops import_ops = {
    .name = "members_import",
    .action = import_action,
    .view = import_view,
    .status = import_status,
    .deadline_ns = import_deadline,
    .destroy = import_destroy,
};

static int open_import(struct st_station *st)
{
    struct import_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->drive = -1;
    st_drive_list_scan(st, &p->drives);
    return st_admin_push(st, &import_ops, p);
}
