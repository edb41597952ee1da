/* The station's stream, from the Services page: a multicast address on the
 * telecom's network (udp:// or rtp://, each octet and the port a picker:
 * left/right choose the part, up/down or digits change it) or a channel of a
 * DVB channel file (dvbv5 format: /etc/studycast/channels.conf or
 * DATA_DIR/channels.conf). "Save" keeps it as the setting "source" (the
 * stream of "service:N" entries without one) and the Services page scans it. */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_CHANNELS "/etc/studycast/channels.conf"
#define MAX_CHANNELS    256

enum src_kind { SRC_UDP, SRC_RTP, SRC_DVB, N_KINDS };
enum src_row { ROW_KIND, ROW_WHERE, ROW_SAVE, N_ROWS };
#define N_FIELDS 5 /* four octets and the port */

struct channel {
    char name[128];
    char file[PATH_MAX];
};

struct source_page {
    enum src_kind kind;
    int parts[N_FIELDS]; /* a.b.c.d:port */
    int field;           /* the part the address picker changes */
    bool editing;
    bool typed; /* a digit was typed into the field: the next one appends */
    struct channel *channels;
    size_t n_channels;
    int channel; /* index into channels, -1 none */
    /* what the row showed before editing (BACK restores it) */
    enum src_kind kind_before;
    int parts_before[N_FIELDS], channel_before;
};

static const char *const kind_labels[N_KINDS] = {N_("Multicast UDP (telecom network)"),
                                                 N_("Multicast RTP (telecom network)"),
                                                 N_("DVB channel (antenna)")};

static int part_min(int field)
{
    return field == 0 ? 224 : field == 4 ? 1 : 0; /* multicast: 224.0.0.0/4 */
}

static int part_max(int field)
{
    return field == 0 ? 239 : field == 4 ? 65535 : 255;
}

static void read_channels(struct source_page *p, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof(line), f) && p->n_channels < MAX_CHANNELS) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (line[0] != '[' || n < 3 || line[n - 1] != ']') continue;
        struct channel *grown = realloc(p->channels, (p->n_channels + 1) * sizeof(*grown));
        if (!grown) break;
        p->channels = grown;
        struct channel *c = &p->channels[p->n_channels++];
        snprintf(c->name, sizeof(c->name), "%.*s", (int)(n - 2), line + 1);
        snprintf(c->file, sizeof(c->file), "%s", path);
    }
    fclose(f);
}

/* %XX for what would end the channel's name early (the demux decodes it). */
static void url_escape(char *out, size_t size, const char *in)
{
    size_t o = 0;
    for (; *in && o + 4 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c <= ' ' || c == '%' || c == '?' || c == '&' || c == '#' || c == '+' || c >= 0x7f)
            o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

/* 0, or -ENAMETOOLONG when the URL does not fit (a channel file's long path):
 * a cut URL would name another file. */
static int make_url(const struct source_page *p, char *url, size_t size)
{
    int n;
    if (p->kind == SRC_DVB) {
        const struct channel *c = &p->channels[p->channel];
        char name[400];
        url_escape(name, sizeof(name), c->name);
        /* the demux decodes the channel's name, not the parameters */
        n = snprintf(url, size, "dvb://%s?channels=%s", name, c->file);
    } else {
        n = snprintf(url, size, "%s://%d.%d.%d.%d:%d", p->kind == SRC_RTP ? "rtp" : "udp",
                     p->parts[0], p->parts[1], p->parts[2], p->parts[3], p->parts[4]);
    }
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The current source into the page's parts, when it is one of ours. */
static void parse_current(struct source_page *p, const char *url)
{
    static const int defaults[N_FIELDS] = {239, 0, 0, 1, 1234};
    memcpy(p->parts, defaults, sizeof(p->parts));
    p->kind = SRC_UDP;
    p->channel = p->n_channels ? 0 : -1;
    if (!url) return;
    int a, b, c, d, port;
    char scheme[4];
    if (sscanf(url, "%3[a-z]://%d.%d.%d.%d:%d", scheme, &a, &b, &c, &d, &port) == 6 ||
        sscanf(url, "%3[a-z]://@%d.%d.%d.%d:%d", scheme, &a, &b, &c, &d, &port) == 6) {
        int v[N_FIELDS] = {a, b, c, d, port};
        bool ok = strcmp(scheme, "udp") == 0 || strcmp(scheme, "rtp") == 0;
        for (int i = 0; i < N_FIELDS; i++)
            ok = ok && v[i] >= part_min(i) && v[i] <= part_max(i);
        if (ok) {
            memcpy(p->parts, v, sizeof(p->parts));
            p->kind = strcmp(scheme, "rtp") == 0 ? SRC_RTP : SRC_UDP;
        }
        return;
    }
    if (strncmp(url, "dvb://", 6) != 0) return;
    p->kind = SRC_DVB;
    for (size_t i = 0; i < p->n_channels; i++) {
        char name[400];
        url_escape(name, sizeof(name), p->channels[i].name);
        size_t n = strlen(name);
        if (strncmp(url + 6, name, n) == 0 && (url[6 + n] == '?' || !url[6 + n])) {
            p->channel = (int)i;
            break;
        }
    }
}

static int save(struct st_station *st, struct source_page *p)
{
    if (p->kind == SRC_DVB && p->channel < 0) {
        st_admin_message(st, true,
                         "No DVB channels: put a dvbv5 channel file in %s or %s/channels.conf",
                         SYSTEM_CHANNELS, st->base_data_dir);
        return 0;
    }
    char url[SCH_LOCATION_MAX];
    if (make_url(p, url, sizeof(url)) < 0) {
        st_admin_message(st, true, "The channel file's path is too long: move it to %s",
                         SYSTEM_CHANNELS);
        return 0;
    }
    char *copy = strdup(url);
    int rc = copy ? rec_setting_set(st->rec, "source", url) : -ENOMEM;
    if (rc < 0) {
        free(copy);
        st_admin_message(st, true, "Cannot save the setting (nothing changed): %s",
                         rec_strerror(rc));
        return 0;
    }
    free(st->source);
    st->source = copy;
    SC_INFO(st->log, "settings: source = %s", url);
    st_admin_pop(st); /* the Services page resumes and scans it */
    st_admin_message(st, false, "Saved: the station's stream is %s", url);
    return 0;
}

static void set_part(struct source_page *p, int value)
{
    int lo = part_min(p->field), hi = part_max(p->field);
    p->parts[p->field] = value < lo ? hi : value > hi ? lo : value;
}

static int edit_action(struct st_station *st, struct source_page *p, enum src_row row,
                       enum rc_action action)
{
    (void)st;
    int digit = rc_action_digit(action);
    bool address = row == ROW_WHERE && p->kind != SRC_DVB;
    int step = action == RC_ACTION_UP ? 1 : action == RC_ACTION_DOWN ? -1 : 0;
    if (action == RC_ACTION_OK) {
        p->editing = false;
        return 0;
    }
    if (action == RC_ACTION_BACK) { /* as it was */
        p->kind = p->kind_before;
        memcpy(p->parts, p->parts_before, sizeof(p->parts));
        p->channel = p->channel_before;
        p->editing = false;
        return 0;
    }
    if (row == ROW_KIND) {
        if (action == RC_ACTION_LEFT) step = -1;
        if (action == RC_ACTION_RIGHT) step = 1;
        if (step) p->kind = (enum src_kind)((p->kind + step + N_KINDS) % N_KINDS);
        return step || digit >= 0 ? 0 : -ENOTSUP;
    }
    if (!address) { /* the channel picker */
        if (action == RC_ACTION_LEFT) step = -1;
        if (action == RC_ACTION_RIGHT) step = 1;
        if (step && p->n_channels)
            p->channel = (int)((p->channel + step + (int)p->n_channels) % (int)p->n_channels);
        return step || digit >= 0 ? 0 : -ENOTSUP;
    }
    if (action == RC_ACTION_LEFT || action == RC_ACTION_RIGHT) {
        p->field = (p->field + (action == RC_ACTION_LEFT ? -1 : 1) + N_FIELDS) % N_FIELDS;
        p->typed = false;
        return 0;
    }
    if (step) {
        set_part(p, p->parts[p->field] + step);
        p->typed = false;
        return 0;
    }
    if (digit >= 0) { /* digits shift in; a value too big starts again */
        int v = p->typed ? p->parts[p->field] * 10 + digit : digit;
        if (v > part_max(p->field)) v = digit;
        p->parts[p->field] = v; /* below the minimum is allowed while typing */
        p->typed = true;
        return 0;
    }
    return -ENOTSUP;
}

static int source_action(struct st_station *st, struct st_page *page, enum rc_action action,
                         int64_t time_ns)
{
    (void)time_ns;
    struct source_page *p = page->state;
    if (p->editing) {
        int rc = edit_action(st, p, (enum src_row)page->focus, action);
        /* leaving the address: a part typed below its minimum is raised to it */
        for (int i = 0; !p->editing && i < N_FIELDS; i++)
            if (p->parts[i] < part_min(i)) p->parts[i] = part_min(i);
        return rc;
    }
    if (st_page_list_move(page, N_ROWS, action) == 0) return 0;
    if (action != RC_ACTION_OK) return -ENOTSUP;
    if (page->focus == ROW_SAVE) return save(st, p);
    if (page->focus == ROW_WHERE && p->kind == SRC_DVB && p->channel < 0) {
        st_admin_message(st, true,
                         "No DVB channels: put a dvbv5 channel file in %s or %s/channels.conf",
                         SYSTEM_CHANNELS, st->base_data_dir);
        return 0;
    }
    p->kind_before = p->kind;
    memcpy(p->parts_before, p->parts, sizeof(p->parts));
    p->channel_before = p->channel;
    p->editing = true;
    p->typed = false;
    p->field = 0;
    return 0;
}

static void source_view(struct st_station *st, struct st_page *page, struct st_menu *m)
{
    struct source_page *p = page->state;
    m->view.kind = UI_MENU_LIST;
    m->view.title = st_tr(st, "The station's stream");
    struct ui_menu_item *kind = st_menu_item(m, st_tr(st, "Kind"), st_tr(st, kind_labels[p->kind]));
    kind->editing = p->editing && page->focus == ROW_KIND;
    if (p->kind == SRC_DVB) {
        const char *value = p->channel >= 0 ? st_menu_str(m, "%s", p->channels[p->channel].name)
                                            : st_tr(st, "no channel file");
        struct ui_menu_item *it = st_menu_item(m, st_tr(st, "Channel"), value);
        it->editing = p->editing && page->focus == ROW_WHERE;
        it->warning = p->channel < 0;
    } else {
        char text[64];
        int at[N_FIELDS], len[N_FIELDS], n = 0;
        for (int i = 0; i < N_FIELDS; i++) {
            if (i) n += snprintf(text + n, sizeof(text) - (size_t)n, i == 4 ? ":" : ".");
            at[i] = n;
            len[i] = snprintf(text + n, sizeof(text) - (size_t)n, "%d", p->parts[i]);
            n += len[i];
        }
        struct ui_menu_item *it =
            st_menu_item(m, st_tr(st, "Multicast address : port"), st_menu_str(m, "%s", text));
        it->editing = p->editing && page->focus == ROW_WHERE;
        it->sel_start = at[p->field];
        it->sel_len = len[p->field];
    }
    char url[SCH_LOCATION_MAX] = "";
    if ((p->kind != SRC_DVB || p->channel >= 0) && make_url(p, url, sizeof(url)) < 0) url[0] = 0;
    st_menu_item(m, st_tr(st, "Save and scan"), st_menu_str(m, "%s", url));
    m->view.focus = page->focus;
    if (p->editing)
        m->view.hint = page->focus == ROW_WHERE && p->kind != SRC_DVB
                           ? st_tr(st, "Left/right: part · up/down or digits: change · OK: done")
                           : st_tr(st, "Up/down: change · OK: done · BACK: as it was");
}

static void source_status(struct st_station *st, struct st_page *page, struct sc_json *j)
{
    (void)st;
    struct source_page *p = page->state;
    char url[SCH_LOCATION_MAX] = "";
    if ((p->kind != SRC_DVB || p->channel >= 0) && make_url(p, url, sizeof(url)) < 0) url[0] = 0;
    sc_json_kv_string(j, "url", url);
    sc_json_kv_int(j, "channels", (int64_t)p->n_channels);
}

static void source_destroy(struct st_station *st, struct st_page *page)
{
    (void)st;
    struct source_page *p = page->state;
    if (p) free(p->channels);
    free(p);
}

static const struct st_page_ops source_ops = {
    .name = "source",
    .action = source_action,
    .view = source_view,
    .status = source_status,
    .destroy = source_destroy,
};

int st_page_source_open(struct st_station *st)
{
    struct source_page *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    char own[PATH_MAX];
    read_channels(p, SYSTEM_CHANNELS);
    if (snprintf(own, sizeof(own), "%s/channels.conf", st->base_data_dir) < (int)sizeof(own))
        read_channels(p, own);
    parse_current(p, st->source);
    return st_admin_push(st, &source_ops, p);
}
