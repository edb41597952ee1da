/* CH+/CH- while a course plays: the next or previous service of the same
 * multiplex, as a viewer expects of a TV. The course stays the course (its
 * session, slot and roll-call go on); the switch is the viewer's choice, so
 * the record notes it ("service_changed") and the screen names the service
 * for a moment. A player reopened later (a live source retried, a file
 * looping) opens the service chosen last. */
#include "kiosk/station/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_SERVICES 64 /* a multiplex carries a dozen or so */

static bool has_video(const struct dmx_service *s)
{
    for (size_t j = 0; j < s->stream_count; j++) {
        uint8_t t = s->streams[j].stream_type;
        if (t == 0x01 || t == 0x02 || t == 0x10 || t == 0x1B || t == 0x24) return true;
    }
    return false;
}

int st_course_service(const struct st_course *c)
{
    if (c->watching > 0) return c->watching;
    if (c->service >= 0) return c->service;
    return c->player ? player_service(c->player) : -1;
}

static void note_change(struct st_station *st, int from, int to, const char *name)
{
    struct st_course *c = &st->course;
    struct sc_buf buf = {0};
    struct sc_json j;
    sc_json_init(&j, &buf, false);
    sc_json_object_begin(&j);
    sc_json_kv_string(&j, "session", c->session_id[0] ? c->session_id : NULL);
    sc_json_kv_int(&j, "entry", c->entry.id);
    sc_json_kv_int(&j, "from", from);
    sc_json_kv_int(&j, "to", to);
    sc_json_kv_string(&j, "to_name", name);
    sc_json_kv_int(&j, "scheduled", c->service);
    sc_json_kv_bool(&j, "scheduled_service", to == c->service);
    sc_json_object_end(&j);
    int rc = buf.failed ? -ENOMEM : rec_note(st->rec, "service_changed", buf.data);
    if (rc < 0) SC_ERR(st->log, "study record: noting the service change: %s", rec_strerror(rc));
    sc_buf_free(&buf);
}

/* The services with pictures, in the multiplex's order; *current their
 * index of the one playing (-1: none of them). Returns how many. */
static int video_services(struct player *player, int playing, int *ids, char names[][64],
                          int *current)
{
    struct dmx_service *services = NULL;
    size_t count = 0;
    *current = -1;
    if (player_services(player, &services, &count) < 0) return 0;
    int n = 0;
    for (size_t i = 0; i < count && n < MAX_SERVICES; i++) {
        if (!services[i].actual || !services[i].pmt_pid || !has_video(&services[i])) continue;
        if (services[i].id == playing) *current = n;
        snprintf(names[n], 64, "%s", services[i].name);
        ids[n++] = services[i].id;
    }
    dmx_services_free(services, count);
    return n;
}

int st_course_zap(struct st_station *st, int step)
{
    struct st_course *c = &st->course;
    if (!c->active || c->ended || !c->player) return -ENOTSUP;
    int ids[MAX_SERVICES], current, from = st_course_service(c);
    char names[MAX_SERVICES][64];
    int n = video_services(c->player, from, ids, names, &current);
    if (n < 2 && !(n == 1 && current < 0)) {
        st_toast(st, false, "This broadcast has no other service.");
        return -ENOTSUP;
    }
    int next = current < 0 ? 0 : ((current + step) % n + n) % n;
    int rc = player_select_service(c->player, ids[next]);
    if (rc < 0) {
        SC_WARN(st->log, "cannot change to service %d: %s", ids[next], strerror(-rc));
        st_toast(st, true, "The service cannot be changed now.");
        return rc;
    }
    c->watching = ids[next] == c->service ? 0 : ids[next];
    st->reception.names_checked_ns = 0; /* the new service's names at the next turn */
    SC_INFO(st->log, "service %d -> %d (%s) during \"%s\"", from, ids[next], names[next],
            c->entry.title);
    if (ids[next] == c->service)
        st_toast(st, false, "Back to the course's service %d %s", ids[next], names[next]);
    else
        st_toast(st, false, "Service %d %s", ids[next], names[next]);
    note_change(st, from, ids[next], names[next]);
    return 0;
}
