/* The programme guide: events per service, bounded in memory (per service
 * and in total; ended events go first, then the earliest), saved to and
 * loaded from a small text file.
 *
 * File format (UTF-8, one record per line, fields separated by TAB; in text
 * fields '\\' '\t' '\n' are written as "\\\\" "\\t" "\\n"):
 *   studycast-guide<TAB>1
 *   service_id event_id start duration running_status table_id genre language title
 *   description extended
 * start is Unix seconds (UTC), duration seconds; the file is replaced
 * atomically (sc_write_file_atomic). */
#include "demux/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct service_events {
    uint16_t service_id;
    struct dmx_event *events;
    size_t count, cap;
};

struct dmx_guide {
    struct service_events *services;
    size_t service_count, service_cap;
    size_t total, max_per_service, max_total;
};

struct dmx_guide *dmx_guide_create(size_t max_per_service, size_t max_total)
{
    struct dmx_guide *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->max_per_service = max_per_service ? max_per_service : 512;
    g->max_total = max_total ? max_total : 8192;
    return g;
}

static void event_clear(struct dmx_event *ev)
{
    free(ev->title);
    free(ev->description);
    free(ev->extended);
    ev->title = ev->description = ev->extended = NULL;
}

void dmx_guide_destroy(struct dmx_guide *g)
{
    if (!g) return;
    for (size_t s = 0; s < g->service_count; s++) {
        for (size_t i = 0; i < g->services[s].count; i++)
            event_clear(&g->services[s].events[i]);
        free(g->services[s].events);
    }
    free(g->services);
    free(g);
}

size_t dmx_guide_count(const struct dmx_guide *g)
{
    return g->total;
}

static struct service_events *find_service(struct dmx_guide *g, uint16_t sid, bool create)
{
    for (size_t s = 0; s < g->service_count; s++)
        if (g->services[s].service_id == sid) return &g->services[s];
    if (!create) return NULL;
    if (g->service_count == g->service_cap) {
        size_t cap = g->service_cap ? g->service_cap * 2 : 16;
        struct service_events *n = realloc(g->services, cap * sizeof *n);
        if (!n) return NULL;
        g->services = n;
        g->service_cap = cap;
    }
    struct service_events *se = &g->services[g->service_count++];
    *se = (struct service_events){.service_id = sid};
    return se;
}

/* Lower is evicted first: ended events, then by start. */
static bool evict_before(const struct dmx_event *a, const struct dmx_event *b, int64_t now)
{
    bool a_ended = now > 0 && a->start + a->duration < now;
    bool b_ended = now > 0 && b->start + b->duration < now;
    if (a_ended != b_ended) return a_ended;
    return a->start < b->start;
}

static void remove_at(struct dmx_guide *g, struct service_events *se, size_t i)
{
    event_clear(&se->events[i]);
    memmove(&se->events[i], &se->events[i + 1], (se->count - i - 1) * sizeof se->events[0]);
    se->count--;
    g->total--;
}

static void evict_one(struct dmx_guide *g, struct service_events *only, int64_t now)
{
    struct service_events *vs = NULL;
    size_t vi = 0;
    for (size_t s = 0; s < g->service_count; s++) {
        struct service_events *se = &g->services[s];
        if (only && se != only) continue;
        for (size_t i = 0; i < se->count; i++)
            if (!vs || evict_before(&se->events[i], &vs->events[vi], now)) vs = se, vi = i;
    }
    if (vs) remove_at(g, vs, vi);
}

int dmx_guide_put(struct dmx_guide *g, struct dmx_event *ev, int64_t now)
{
    struct service_events *se = find_service(g, ev->service_id, true);
    if (!se) {
        event_clear(ev);
        return -ENOMEM;
    }
    for (size_t i = 0; i < se->count; i++) {
        if (se->events[i].event_id == ev->event_id) {
            remove_at(g, se, i);
            break;
        }
    }
    /* a full guide makes room, unless the newcomer would be the first to go */
    while (se->count >= g->max_per_service || g->total >= g->max_total) {
        bool per_service = se->count >= g->max_per_service;
        const struct dmx_event *victim = NULL;
        for (size_t s = 0; s < g->service_count; s++) {
            const struct service_events *o = &g->services[s];
            if (per_service && o != se) continue;
            for (size_t i = 0; i < o->count; i++)
                if (!victim || evict_before(&o->events[i], victim, now)) victim = &o->events[i];
        }
        if (victim && evict_before(ev, victim, now)) {
            event_clear(ev);
            return 0;
        }
        evict_one(g, per_service ? se : NULL, now);
    }
    if (se->count == se->cap) {
        size_t cap = se->cap ? se->cap * 2 : 16;
        struct dmx_event *n = realloc(se->events, cap * sizeof *n);
        if (!n) {
            event_clear(ev);
            return -ENOMEM;
        }
        se->events = n;
        se->cap = cap;
    }
    size_t at = se->count; /* keep each service sorted by start */
    while (at > 0 && se->events[at - 1].start > ev->start)
        at--;
    memmove(&se->events[at + 1], &se->events[at], (se->count - at) * sizeof *se->events);
    se->events[at] = *ev;
    if (!ev->title) se->events[at].title = strdup("");
    if (!ev->description) se->events[at].description = strdup("");
    if (!ev->extended) se->events[at].extended = strdup("");
    se->count++;
    g->total++;
    *ev = (struct dmx_event){0};
    return 0;
}

int dmx_guide_put_section(struct dmx_guide *g, uint16_t service_id, uint8_t table_id,
                          uint8_t section_number, struct dmx_event *events, size_t count,
                          int64_t now)
{
    struct service_events *se = find_service(g, service_id, false);
    for (size_t i = 0; se && i < se->count;) {
        const struct dmx_event *old = &se->events[i];
        bool listed = false;
        for (size_t k = 0; k < count && !listed; k++)
            listed = events[k].event_id == old->event_id;
        if (!listed && old->table_id == table_id && old->section_number == section_number)
            remove_at(g, se, i);
        else
            i++;
    }
    int r = 0;
    for (size_t k = 0; k < count; k++)
        if (dmx_guide_put(g, &events[k], now) < 0) r = -ENOMEM;
    return r;
}

static int copy_event(struct dmx_event *dst, const struct dmx_event *src)
{
    *dst = *src;
    dst->title = strdup(src->title ? src->title : "");
    dst->description = strdup(src->description ? src->description : "");
    dst->extended = strdup(src->extended ? src->extended : "");
    if (!dst->title || !dst->description || !dst->extended) {
        event_clear(dst);
        return -ENOMEM;
    }
    return 0;
}

void dmx_events_free(struct dmx_event *events, size_t count)
{
    if (!events) return;
    for (size_t i = 0; i < count; i++)
        event_clear(&events[i]);
    free(events);
}

static int by_service(const void *a, const void *b)
{
    const struct service_events *x = a, *y = b;
    return (int)x->service_id - (int)y->service_id;
}

int dmx_guide_copy(const struct dmx_guide *g, int service_id, struct dmx_event **out, size_t *count)
{
    *out = calloc(g->total ? g->total : 1, sizeof **out);
    *count = 0;
    if (!*out) return -ENOMEM;
    /* order by service id without reordering the guide itself */
    struct service_events *order =
        malloc((g->service_count ? g->service_count : 1) * sizeof *order);
    if (!order) {
        free(*out);
        *out = NULL;
        return -ENOMEM;
    }
    if (g->service_count) memcpy(order, g->services, g->service_count * sizeof *order);
    qsort(order, g->service_count, sizeof *order, by_service);
    for (size_t s = 0; s < g->service_count; s++) {
        if (service_id >= 0 && order[s].service_id != service_id) continue;
        for (size_t i = 0; i < order[s].count; i++) {
            if (copy_event(&(*out)[*count], &order[s].events[i]) < 0) {
                free(order);
                dmx_events_free(*out, *count);
                *out = NULL;
                *count = 0;
                return -ENOMEM;
            }
            (*count)++;
        }
    }
    free(order);
    return 0;
}

static void put_escaped(struct sc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\')
            sc_buf_puts(b, "\\\\");
        else if (*s == '\t')
            sc_buf_puts(b, "\\t");
        else if (*s == '\n')
            sc_buf_puts(b, "\\n");
        else if (*s == '\r')
            sc_buf_puts(b, "\\r");
        else
            sc_buf_append(b, s, 1);
    }
}

int dmx_guide_save(const struct dmx_event *events, size_t count, const char *path)
{
    struct sc_buf b = {0};
    sc_buf_puts(&b, "studycast-guide\t1\n");
    {
        for (size_t i = 0; i < count; i++) {
            const struct dmx_event *e = &events[i];
            sc_buf_printf(&b, "%u\t%u\t%" PRId64 "\t%d\t%u\t%u\t%u\t", e->service_id, e->event_id,
                          e->start, (int)e->duration, e->running_status, e->table_id, e->genre);
            put_escaped(&b, e->language);
            sc_buf_puts(&b, "\t");
            put_escaped(&b, e->title);
            sc_buf_puts(&b, "\t");
            put_escaped(&b, e->description);
            sc_buf_puts(&b, "\t");
            put_escaped(&b, e->extended);
            sc_buf_puts(&b, "\n");
        }
    }
    if (b.failed) {
        sc_buf_free(&b);
        return -ENOMEM;
    }
    int r = sc_write_file_atomic(path, b.data, b.len);
    sc_buf_free(&b);
    return r;
}

/* Splits the next TAB/newline-terminated field, unescaping in place. */
static char *next_field(char **cursor, char *line_end)
{
    char *start = *cursor, *w = start, *r = start;
    if (!start || start > line_end) return NULL;
    while (r < line_end && *r != '\t') {
        if (*r == '\\' && r + 1 < line_end) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
            r++;
        } else {
            *w++ = *r++;
        }
    }
    *cursor = r < line_end ? r + 1 : line_end + 1;
    *w = 0;
    return start;
}

static bool parse_uint(const char *s, int64_t min, int64_t max, int64_t *v)
{
    char *end;
    if (!s || !*s) return false;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || x < min || x > max) return false;
    *v = x;
    return true;
}

static int parse_line(char *line, char *end, struct dmx_event *e)
{
    char *c = line, *f[11];
    for (int i = 0; i < 11; i++)
        if (!(f[i] = next_field(&c, end))) return DMX_ERR_FORMAT;
    if (c <= end) return DMX_ERR_FORMAT; /* extra fields */
    int64_t v[7];
    static const int64_t max[7] = {65535, 65535, INT64_MAX / 2, 86400 * 7, 7, 255, 255};
    for (int i = 0; i < 7; i++)
        if (!parse_uint(f[i], i == 2 ? INT64_MIN / 2 : 0, max[i], &v[i])) return DMX_ERR_FORMAT;
    *e = (struct dmx_event){.service_id = (uint16_t)v[0],
                            .event_id = (uint16_t)v[1],
                            .start = v[2],
                            .duration = (int32_t)v[3],
                            .running_status = (uint8_t)v[4],
                            .table_id = (uint8_t)v[5],
                            .genre = (uint8_t)v[6]};
    snprintf(e->language, sizeof e->language, "%s", f[7]);
    e->title = strdup(f[8]);
    e->description = strdup(f[9]);
    e->extended = strdup(f[10]);
    if (!e->title || !e->description || !e->extended) {
        event_clear(e);
        return -ENOMEM;
    }
    return 0;
}

int dmx_guide_load(struct dmx_guide *g, const char *path, int64_t now)
{
    char *data;
    size_t len;
    int r = sc_read_file(path, 64u << 20, &data, &len);
    if (r < 0) return r;
    /* parse everything first: a malformed file changes nothing */
    struct dmx_event *events = NULL;
    size_t n = 0, cap = 0;
    char *line = data, *limit = data + len;
    char *nl = memchr(line, '\n', len);
    if (!nl || strncmp(line, "studycast-guide\t1\n", 18) != 0) {
        r = DMX_ERR_FORMAT;
        goto done;
    }
    for (line = nl + 1; line < limit; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(limit - line));
        if (!nl) {
            r = DMX_ERR_FORMAT;
            goto done;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct dmx_event *ne = realloc(events, cap * sizeof *ne);
            if (!ne) {
                r = -ENOMEM;
                goto done;
            }
            events = ne;
        }
        r = parse_line(line, nl, &events[n]);
        if (r < 0) goto done;
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        struct service_events *se = find_service(g, events[i].service_id, false);
        bool present = false;
        for (size_t k = 0; se && k < se->count; k++)
            present |= se->events[k].event_id == events[i].event_id;
        if (present)
            event_clear(&events[i]);
        else if (dmx_guide_put(g, &events[i], now) < 0)
            r = -ENOMEM;
    }
    n = 0;
done:
    for (size_t i = 0; i < n; i++)
        event_clear(&events[i]);
    free(events);
    free(data);
    return r;
}
