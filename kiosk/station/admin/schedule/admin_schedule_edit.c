/* The schedule entry editor: one row per field, each changed with a picker
 * (OK starts it, up/down change the highlighted part, left/right move
 * between parts, digits type values, OK confirms, BACK undoes the picker).
 * Saving validates the entry, shows conflicts first (admin_schedule_check.c)
 * and writes through sch_db_add()/update(). */
#include "kiosk/station/admin/schedule/admin_schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field {
    F_TITLE,
    F_SOURCE,
    F_DATE,
    F_TIME,
    F_DURATION,
    F_UNTIL_END,
    F_REPEAT,
    F_KIND,
    F_COUNTS,
    F_SAVE,
    F_DELETE, /* saved entries only */
    F_COUNT
};
static const char *const field_names[F_COUNT] = {
    "title",  "source", "date",   "time", "duration", "until_event_end",
    "repeat", "kind",   "counts", "save", "delete"};

/* A choice of the title or source picker: what it sets, how it reads. */
struct choice {
    char text[SCH_LOCATION_MAX];
    char label[SCH_TITLE_MAX];
    bool keyboard; /* the title picker's last choice: type one on the on-screen keyboard */
};

struct st_sched_editor {
    struct sch_entry e;
    struct st_local when; /* the start, local wall-clock */
    bool title_auto;      /* the title follows the source and date */
    bool counts_set;      /* counts changed by hand: a new kind keeps it */
    bool editing;
    int part, typed; /* the picker's part; digits typed into it */
    struct sch_entry backup;
    struct st_local backup_when;
    bool backup_title_auto;
    struct choice *choices;
    size_t n_choices;
    int choice;
    struct st_scan *scan; /* service names and choices; NULL: none */
    bool own_scan;
};

static int n_fields(const struct st_sched_editor *ed)
{
    return ed->e.id > 0 ? F_COUNT : F_DELETE;
}

static void default_title(struct st_station *st, const struct st_sched_editor *ed, char *buf,
                          size_t size)
{
    char source[200];
    st_sched_source_label(st, &ed->e.source, ed->scan, source, sizeof(source));
    snprintf(buf, size, "%s %02d-%02d", source, ed->when.month, ed->when.day);
}

/* ---- choices for the title and source pickers ---- */

static void add_choice(struct st_sched_editor *ed, const char *text, const char *label)
{
    for (size_t i = 0; i < ed->n_choices; i++)
        if (strcmp(ed->choices[i].text, text) == 0) return;
    struct choice *grown = realloc(ed->choices, (ed->n_choices + 1) * sizeof(*grown));
    if (!grown) return; /* the picker offers fewer choices */
    ed->choices = grown;
    struct choice *c = &ed->choices[ed->n_choices++];
    snprintf(c->text, sizeof(c->text), "%s", text);
    snprintf(c->label, sizeof(c->label), "%s", label ? label : text);
    c->keyboard = false;
}

static void source_choices(struct st_station *st, struct st_sched_editor *ed)
{
    char text[SCH_LOCATION_MAX], label[SCH_TITLE_MAX];
    struct sch_source s;
    sch_source_format(&ed->e.source, text, sizeof(text));
    st_sched_source_label(st, &ed->e.source, ed->scan, label, sizeof(label));
    add_choice(ed, text, label);
    struct st_scan_info info;
    if (ed->scan && st_scan_services(ed->scan, &info) == 0) { /* the station's services */
        for (size_t i = 0; i < info.n_services; i++) {
            if (!info.services[i].actual) continue;
            snprintf(text, sizeof(text), "service:%u", info.services[i].id);
            if (sch_source_parse(text, &s, NULL, 0) < 0) continue;
            st_sched_source_label(st, &s, ed->scan, label, sizeof(label));
            add_choice(ed, text, label);
        }
        st_scan_info_free(&info);
    }
    for (size_t i = 0; i < st->plan.n_entries; i++) { /* captures, then sources in use */
        if (st->plan.entries[i].kind != SCH_CAPTURE) continue;
        snprintf(text, sizeof(text), "capture:%lld", (long long)st->plan.entries[i].id);
        if (sch_source_parse(text, &s, NULL, 0) < 0) continue;
        st_sched_source_label(st, &s, ed->scan, label, sizeof(label));
        add_choice(ed, text, label);
    }
    struct sch_library_item *items = NULL;
    size_t n_items = 0;
    if (sch_library_list(st->data_dir, st->utc_offset_s, &items, &n_items) == 0) {
        for (size_t i = 0; i < n_items; i++) {
            if (items[i].capture_entry_id > 0 || items[i].state != SCH_LIBRARY_COMPLETE) continue;
            const char *slash = strrchr(items[i].path, '/');
            snprintf(text, sizeof(text), "file:%.1000s", slash ? slash + 1 : items[i].path);
            add_choice(ed, text, slash ? slash + 1 : items[i].path);
        }
        free(items);
    }
    for (size_t i = 0; i < st->plan.n_entries; i++) {
        const struct sch_source *es = &st->plan.entries[i].source;
        if (es->type == SCH_SOURCE_CAPTURE) continue;
        sch_source_format(es, text, sizeof(text));
        st_sched_source_label(st, es, ed->scan, label, sizeof(label));
        add_choice(ed, text, label);
    }
}

static void title_choices(struct st_station *st, struct st_sched_editor *ed)
{
    char label[SCH_TITLE_MAX + 64];
    add_choice(ed, ed->e.title, NULL);
    if (!ed->title_auto) { /* the automatic title is one of the choices */
        char title[SCH_TITLE_MAX];
        default_title(st, ed, title, sizeof(title));
        add_choice(ed, title, NULL);
    }
    if (ed->scan && ed->e.source.type == SCH_SOURCE_SERVICE) { /* the guide's coming events */
        struct dmx_event *events = NULL;
        size_t n = 0;
        if (st_scan_events(ed->scan, ed->e.source.service_id, &events, &n) == 0) {
            int64_t now = st_now_utc(st);
            for (size_t i = 0; i < n; i++)
                if (events[i].start + events[i].duration > now && events[i].title[0])
                    add_choice(ed, events[i].title, NULL);
            dmx_events_free(events, n);
        }
    }
    struct sch_library_item *items = NULL; /* the course library's files */
    size_t n_items = 0;
    if (sch_library_list(st->data_dir, st->utc_offset_s, &items, &n_items) == 0) {
        for (size_t i = 0; i < n_items; i++) {
            if (items[i].capture_entry_id > 0) continue;
            const char *name = strrchr(items[i].path, '/');
            snprintf(label, sizeof(label), "%.250s", name ? name + 1 : items[i].path);
            char *dot = strrchr(label, '.');
            if (dot && dot != label) *dot = '\0';
            add_choice(ed, label, NULL);
        }
        free(items);
    }
    for (size_t i = 0; i < st->plan.n_entries; i++) /* the courses planned already */
        add_choice(ed, st->plan.entries[i].title, NULL);
    size_t before = ed->n_choices;
    add_choice(ed, "", st_tr(st, "Type a title…"));
    if (ed->n_choices > before) ed->choices[before].keyboard = true;
}

static void apply_choice(struct st_station *st, struct st_sched_editor *ed, int field)
{
    if (ed->n_choices == 0) return;
    const struct choice *c = &ed->choices[ed->choice];
    if (field == F_TITLE && c->keyboard) return; /* OK opens the keyboard */
    if (field == F_TITLE) {
        snprintf(ed->e.title, sizeof(ed->e.title), "%.*s", SCH_TITLE_MAX - 1, c->text);
        ed->title_auto = false;
        return;
    }
    struct sch_source s;
    if (sch_source_parse(c->text, &s, NULL, 0) == 0) ed->e.source = s;
    if (ed->e.source.type != SCH_SOURCE_SERVICE) ed->e.until_event_end = false;
    if (ed->title_auto) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
}

/* ---- pickers ---- */

/* The numeric parts of a picker: where the value is and its width. */
static int *part_value(struct st_sched_editor *ed, int field, int part, int *width)
{
    *width = 2;
    if (field == F_DATE) {
        if (part == 0) {
            *width = 4;
            return &ed->when.year;
        }
        return part == 1 ? &ed->when.month : &ed->when.day;
    }
    if (field == F_TIME) return part == 0 ? &ed->when.hour : &ed->when.minute;
    if (field == F_DURATION) {
        *width = 4;
        return &ed->e.duration_min;
    }
    return NULL;
}

static int n_parts(int field)
{
    return field == F_DATE ? 3 : field == F_TIME ? 2 : field == F_REPEAT ? 7 : 1;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void normalize(struct st_sched_editor *ed)
{
    ed->when.year = clamp(ed->when.year, 2000, 2099);
    ed->when.month = clamp(ed->when.month, 1, 12);
    ed->when.day = clamp(ed->when.day, 1, st_days_in_month(ed->when.year, ed->when.month));
    ed->when.hour = clamp(ed->when.hour, 0, 23);
    ed->when.minute = clamp(ed->when.minute, 0, 59);
    ed->e.duration_min = clamp(ed->e.duration_min, 1, SCH_MAX_MINUTES);
    ed->typed = 0;
    struct st_local day;
    st_local_from_utc(st_local_to_utc(&ed->when, 0), 0, &day);
    ed->when.weekday = day.weekday;
}

static int wrap(int v, int lo, int hi)
{
    int span = hi - lo + 1;
    return lo + ((v - lo) % span + span) % span;
}

static void step(struct st_station *st, struct st_sched_editor *ed, int field, int dir)
{
    normalize(ed);
    switch (field) {
    case F_TITLE:
    case F_SOURCE:
        if (ed->n_choices == 0) return;
        ed->choice = wrap(ed->choice + dir, 0, (int)ed->n_choices - 1);
        apply_choice(st, ed, field);
        return;
    case F_DATE:
        if (ed->part == 0) ed->when.year = clamp(ed->when.year + dir, 2000, 2099);
        if (ed->part == 1) ed->when.month = wrap(ed->when.month + dir, 1, 12);
        if (ed->part == 2)
            ed->when.day =
                wrap(ed->when.day + dir, 1, st_days_in_month(ed->when.year, ed->when.month));
        normalize(ed);
        break;
    case F_TIME:
        if (ed->part == 0) ed->when.hour = wrap(ed->when.hour + dir, 0, 23);
        if (ed->part == 1) ed->when.minute = wrap(ed->when.minute / 5 * 5 + 5 * dir, 0, 59);
        break;
    case F_DURATION:
        ed->e.duration_min = clamp(ed->e.duration_min / 5 * 5 + 5 * dir, 5, SCH_MAX_MINUTES);
        return;
    case F_REPEAT:
        ed->e.weekdays ^= (uint8_t)(1u << ed->part);
        return;
    case F_KIND:
        ed->e.kind = (enum sch_kind)wrap((int)ed->e.kind + dir, SCH_LIVE, SCH_REPLAY);
        if (!ed->counts_set) ed->e.counts = sch_kind_counts_by_default(ed->e.kind);
        return;
    default:
        return;
    }
    if (ed->title_auto) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
}

static void type_digit(struct st_station *st, struct st_sched_editor *ed, int field, int digit)
{
    if (field == F_REPEAT) {
        if (digit >= 1 && digit <= 7) {
            ed->part = digit - 1;
            ed->e.weekdays ^= (uint8_t)(1u << (digit - 1));
        }
        return;
    }
    int width;
    int *v = part_value(ed, field, ed->part, &width);
    if (!v) return;
    *v = ed->typed == 0 ? digit : *v * 10 + digit;
    if (++ed->typed >= width) {
        if (ed->part + 1 < n_parts(field)) {
            ed->part++;
            normalize(ed);
        } else {
            ed->typed = 0;
        }
    }
    if (ed->title_auto && field == F_DATE) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
}

static void picker_start(struct st_station *st, struct st_sched_editor *ed, int field)
{
    ed->backup = ed->e;
    ed->backup_when = ed->when;
    ed->backup_title_auto = ed->title_auto;
    ed->editing = true;
    ed->part = 0;
    ed->typed = 0;
    free(ed->choices);
    ed->choices = NULL;
    ed->n_choices = 0;
    ed->choice = 0;
    if (field == F_TITLE) title_choices(st, ed);
    if (field == F_SOURCE) source_choices(st, ed);
}

static void picker_end(struct st_station *st, struct st_sched_editor *ed, bool keep)
{
    if (!keep) {
        ed->e = ed->backup;
        ed->when = ed->backup_when;
        ed->title_auto = ed->backup_title_auto;
    }
    ed->editing = false;
    normalize(ed);
    if (ed->title_auto) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
}

static bool on_keyboard_choice(const struct st_sched_editor *ed, int field)
{
    return field == F_TITLE && ed->editing && ed->n_choices > 0 && ed->choices[ed->choice].keyboard;
}

/* The keyboard's Done: the typed title (the editor lies below it). */
static int title_typed(struct st_station *st, void *opaque, const char *text)
{
    struct st_sched_editor *ed = opaque;
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n == 0) {
        st_admin_message(st, true, "A course needs a title");
        return -EINVAL;
    }
    snprintf(ed->e.title, sizeof(ed->e.title), "%.*s", (int)n, text);
    ed->title_auto = false;
    return 0;
}

/* ---- saving ---- */

/* The entry as it will be stored. 0, or -EINVAL with a message shown. */
static int finished_entry(struct st_station *st, struct st_sched_editor *ed)
{
    normalize(ed);
    ed->e.utc_offset_s = st->utc_offset_s;
    ed->e.start_utc = st_local_to_utc(&ed->when, st->utc_offset_s);
    if (ed->title_auto) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
    enum sch_source_type t = ed->e.source.type;
    bool fits = ed->e.kind == SCH_LIVE      ? t != SCH_SOURCE_CAPTURE
                : ed->e.kind == SCH_CAPTURE ? t == SCH_SOURCE_SERVICE || t == SCH_SOURCE_URL
                                            : t == SCH_SOURCE_CAPTURE || t == SCH_SOURCE_FILE;
    if (!fits) {
        st_admin_message(
            st, true,
            ed->e.kind == SCH_REPLAY
                ? N_("A replay plays a capture from the course library: choose a capture as the "
                     "source")
            : ed->e.kind == SCH_CAPTURE
                ? N_("Only a broadcast service or a stream can be captured: choose another source")
                : N_("A capture is played with the kind 'Replay a captured course'"));
        return -EINVAL;
    }
    char err[200];
    if (sch_entry_validate(&ed->e, err, sizeof(err)) < 0 ||
        sch_check_references(st->plan.entries, st->plan.n_entries, &ed->e, err, sizeof(err)) < 0) {
        st_admin_message(st, true, "Cannot save: %s", err);
        return -EINVAL;
    }
    return 0;
}

int st_sched_editor_commit(struct st_station *st, struct st_sched_editor *ed)
{
    bool added = ed->e.id == 0;
    int rc =
        added ? sch_db_add(st->plan.schedule, &ed->e) : sch_db_update(st->plan.schedule, &ed->e);
    if (rc < 0) {
        st_admin_message(st, true, "Cannot save the course: %s", strerror(-rc));
        return 0;
    }
    char start[40];
    sch_format_local(ed->e.start_utc, ed->e.utc_offset_s, start, sizeof(start));
    SC_INFO(st->log, "menu: schedule entry %lld %s: \"%s\" at %s", (long long)ed->e.id,
            added ? "added" : "changed", ed->e.title, start);
    char title[SCH_TITLE_MAX];
    snprintf(title, sizeof(title), "%s", ed->e.title);
    st_sched_saved(st);
    st_admin_pop(st); /* ed is gone from here on */
    st_admin_message(st, false, added ? N_("Added: %s") : N_("Saved: %s"), title);
    return 0;
}

static int save(struct st_station *st, struct st_sched_editor *ed)
{
    if (finished_entry(st, ed) < 0) return 0;
    struct sch_conflict *conflicts = NULL;
    int n = st_sched_find_conflicts(st, &ed->e, &conflicts);
    if (n < 0) {
        st_admin_message(st, true, "Cannot check for conflicts: %s", strerror(-n));
        return 0;
    }
    if (n > 0) return st_sched_conflicts_open(st, ed, &ed->e, conflicts, (size_t)n);
    return st_sched_editor_commit(st, ed);
}

/* ---- the page ---- */

static int edit_action(struct st_station *st, struct st_page *page, enum rc_action action,
                       int64_t time_ns)
{
    (void)time_ns;
    struct st_sched_editor *ed = page->state;
    int field = page->focus, digit = rc_action_digit(action);
    if (ed->editing) {
        switch (action) {
        case RC_ACTION_UP:
            step(st, ed, field, +1);
            return 0;
        case RC_ACTION_DOWN:
            step(st, ed, field, -1);
            return 0;
        case RC_ACTION_LEFT:
        case RC_ACTION_RIGHT:
            normalize(ed);
            ed->part = wrap(ed->part + (action == RC_ACTION_RIGHT ? 1 : -1), 0, n_parts(field) - 1);
            return 0;
        case RC_ACTION_OK:
            if (on_keyboard_choice(ed, field)) {
                picker_end(st, ed, false);
                return st_page_keyboard_open(st, st_tr(st, "Title"),
                                             ed->title_auto ? "" : ed->e.title, SCH_TITLE_MAX - 1,
                                             title_typed, ed);
            }
            picker_end(st, ed, true);
            return 0;
        case RC_ACTION_BACK:
            picker_end(st, ed, false);
            return 0;
        default:
            if (digit >= 0) type_digit(st, ed, field, digit);
            return digit >= 0 || action != RC_ACTION_MENU ? 0 : -ENOTSUP;
        }
    }
    if (st_page_list_move(page, (size_t)n_fields(ed), action) == 0) return 0;
    bool numeric = field == F_DATE || field == F_TIME || field == F_DURATION || field == F_REPEAT;
    if (digit >= 0 && numeric) { /* digits on a row start its picker */
        picker_start(st, ed, field);
        type_digit(st, ed, field, digit);
        return 0;
    }
    if (action != RC_ACTION_OK) return -ENOTSUP;
    switch (field) {
    case F_UNTIL_END:
        if (!ed->e.until_event_end && ed->e.source.type != SCH_SOURCE_SERVICE) {
            st_admin_message(st, true, "Only a broadcast service has events: choose a service");
            return 0;
        }
        ed->e.until_event_end = !ed->e.until_event_end;
        return 0;
    case F_COUNTS:
        ed->e.counts = !ed->e.counts;
        ed->counts_set = true;
        return 0;
    case F_SAVE:
        return save(st, ed);
    case F_DELETE:
        return st_sched_delete_open(st, &ed->e);
    default:
        picker_start(st, ed, field);
        return 0;
    }
}

/* A picker row's value with the highlighted part as a byte range. */
static const char *picker_value(struct st_station *st, struct st_sched_editor *ed, int field,
                                struct st_menu *m, int *sel_start, int *sel_len)
{
    const struct st_local *w = &ed->when;
    *sel_start = *sel_len = 0;
    switch (field) {
    case F_DATE: {
        static const int starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
        *sel_start = starts[ed->part];
        *sel_len = lens[ed->part];
        return st_menu_str(m, "%04d-%02d-%02d", w->year, w->month, w->day);
    }
    case F_TIME:
        *sel_start = ed->part ? 3 : 0;
        *sel_len = 2;
        return st_menu_str(m, "%02d:%02d", w->hour, w->minute);
    case F_DURATION: {
        const char *v = st_menu_str(m, st_tr(st, "%d min"), ed->e.duration_min);
        const char *d = strpbrk(v, "0123456789");
        *sel_start = d ? (int)(d - v) : 0;
        *sel_len = (int)strspn(v + *sel_start, "0123456789");
        return v;
    }
    case F_REPEAT: {
        char buf[128];
        size_t used = 0;
        for (int d = 0; d < 7; d++) {
            bool on = ed->e.weekdays & (1u << d);
            if (d == ed->part) *sel_start = (int)used + (used ? 1 : 0);
            int n = snprintf(buf + used, sizeof(buf) - used, "%s%s%s%s", used ? " " : "",
                             on ? "[" : "", st_weekday_short(st, d), on ? "]" : "");
            if (n < 0 || (size_t)n >= sizeof(buf) - used) break;
            if (d == ed->part) *sel_len = n - (used ? 1 : 0);
            used += (size_t)n;
        }
        return st_menu_str(m, "%s", buf);
    }
    default:
        return NULL;
    }
}

static void edit_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct st_sched_editor *ed = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = ed->e.id > 0 ? st_tr(st, "Edit the course") : st_tr(st, "New course");
    char buf[SCH_LOCATION_MAX];
    const char *values[F_COUNT] = {0};
    values[F_TITLE] = st_menu_str(m, "%s", ed->e.title);
    st_sched_source_label(st, &ed->e.source, ed->scan, buf, sizeof(buf));
    values[F_SOURCE] = st_menu_str(m, "%s", buf);
    values[F_DATE] = st_menu_str(m, "%04d-%02d-%02d  %s", ed->when.year, ed->when.month,
                                 ed->when.day, st_weekday_short(st, ed->when.weekday));
    values[F_TIME] = st_menu_str(m, "%02d:%02d", ed->when.hour, ed->when.minute);
    values[F_DURATION] = st_menu_str(m, st_tr(st, "%d min"), ed->e.duration_min);
    values[F_UNTIL_END] = ed->e.until_event_end ? st_tr(st, "Yes") : st_tr(st, "No");
    st_sched_repeat_label(st, ed->e.weekdays, buf, sizeof(buf));
    values[F_REPEAT] = st_menu_str(m, "%s", buf);
    values[F_KIND] = st_sched_kind_label(st, ed->e.kind);
    values[F_COUNTS] = ed->e.counts ? st_tr(st, "Yes") : st_tr(st, "No");
    static const char *const labels[F_COUNT] = {N_("Title"),
                                                N_("Source"),
                                                N_("Date"),
                                                N_("Start"),
                                                N_("Duration"),
                                                N_("Until the broadcast event ends"),
                                                N_("Repeat"),
                                                N_("Kind"),
                                                N_("Counts towards the requirement"),
                                                N_("Save"),
                                                N_("Delete this course")};
    for (int f = 0; f < n_fields(ed); f++) {
        struct ui_menu_item *it = st_menu_item(m, st_tr(st, labels[f]), values[f]);
        if (f == F_DURATION && ed->e.until_event_end) it->disabled = true;
        if (f == F_DELETE) it->warning = true;
        if (!ed->editing || f != page->focus) continue;
        it->editing = true;
        int start, len;
        const char *v = picker_value(st, ed, f, m, &start, &len);
        if (v) it->value = v;
        if (on_keyboard_choice(ed, f)) it->value = ed->choices[ed->choice].label;
        it->sel_start = start;
        it->sel_len = len;
    }
    m->view.focus = page->focus;
    if (ed->editing)
        m->view.hint = page->focus == F_TITLE || page->focus == F_SOURCE || page->focus == F_KIND
                           ? st_tr(st, "Up/down: choose · OK: done · BACK: undo")
                       : page->focus == F_REPEAT
                           ? st_tr(st, "Left/right: day · up/down or 1-7: on/off · OK: done")
                           : st_tr(st, "Up/down or digits: change · left/right: move · OK: done");
    else
        m->view.hint = st_tr(st, "OK: change · digits: type · BACK: leave without saving");
}

static void edit_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    struct st_sched_editor *ed = page->state;
    sc_json_key(j, "rows");
    sc_json_array_begin(j);
    for (int f = 0; f < n_fields(ed); f++)
        sc_json_string(j, field_names[f]);
    sc_json_array_end(j);
    sc_json_kv_string(j, "field", field_names[page->focus]);
    sc_json_kv_bool(j, "editing", ed->editing);
    sc_json_kv_int(j, "part", ed->part);
    sc_json_kv_int(j, "entry_id", ed->e.id);
    sc_json_kv_string(j, "entry_title", ed->e.title);
    char text[SCH_LOCATION_MAX];
    sch_source_format(&ed->e.source, text, sizeof(text));
    sc_json_kv_string(j, "entry_source", text);
    sc_json_kv_string(j, "entry_kind", sch_kind_name(ed->e.kind));
    sch_repeat_format(ed->e.weekdays, text, sizeof(text));
    sc_json_kv_string(j, "entry_repeat", text);
    (void)st;
}

/* The scan's names arrive by themselves: redraw while it runs. */
static int64_t edit_deadline(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct st_sched_editor *ed = page->state;
    struct st_scan_info info;
    if (!ed->own_scan || st_scan_services(ed->scan, &info) < 0) return INT64_MAX;
    bool running = info.state == ST_SCAN_OPENING || info.state == ST_SCAN_RECEIVING;
    st_scan_info_free(&info);
    return running ? sc_mono_ns() + 1000000000LL : INT64_MAX;
}

static void edit_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct st_sched_editor *ed = page->state;
    if (!ed) return;
    if (ed->own_scan) st_scan_stop(ed->scan);
    free(ed->choices);
    free(ed);
}

static const struct st_page_ops edit_ops = {
    .name = "schedule_edit",
    .action = edit_action,
    .view = edit_view,
    .status = edit_status,
    .deadline_ns = edit_deadline,
    .destroy = edit_destroy,
};

int st_sched_editor_open(struct st_station *st, const struct sch_entry *prefill, int64_t day_utc,
                         struct st_scan *scan)
{
    struct st_sched_editor *ed = calloc(1, sizeof(*ed));
    if (!ed) return -ENOMEM;
    ed->scan = scan;
    const char *stream = st_sched_station_stream(st);
    if (!scan && stream && st_scan_start(st->log, stream, &ed->scan) == 0) ed->own_scan = true;
    if (prefill) {
        ed->e = *prefill;
        st_local_from_utc(prefill->start_utc, prefill->utc_offset_s, &ed->when);
        ed->counts_set = prefill->id > 0;
    } else {
        sch_entry_init(&ed->e);
        ed->e.utc_offset_s = st->utc_offset_s;
        /* tomorrow at 19:30 (or the chosen day): the usual evening course */
        int64_t day = day_utc > 0 ? day_utc : st_now_utc(st) + 86400;
        st_local_from_utc(day, st->utc_offset_s, &ed->when);
        ed->when.hour = 19;
        ed->when.minute = 30;
        ed->e.source.type = SCH_SOURCE_SERVICE;
        ed->e.source.service_id = 1;
        struct st_scan_info info;
        if (ed->scan && st_scan_services(ed->scan, &info) == 0) {
            if (info.n_services > 0 && info.services[0].actual)
                ed->e.source.service_id = info.services[0].id;
            st_scan_info_free(&info);
        }
    }
    ed->title_auto = !prefill || !prefill->title[0];
    if (ed->title_auto) default_title(st, ed, ed->e.title, sizeof(ed->e.title));
    return st_admin_push(st, &edit_ops, ed);
}
