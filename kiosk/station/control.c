/* The control socket's view of the station (status) and its presses, which
 * take the same path as the remote's keys (st_action). */
#include "kiosk/station/admin/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *signal_name(enum ui_signal s)
{
    return s == UI_SIGNAL_GOOD ? "good" : s == UI_SIGNAL_NONE ? "none" : "unknown";
}

static void kv_time(struct sc_json *j, const struct st_station *st, const char *key, int64_t utc)
{
    char text[40];
    sch_format_local(utc, st->utc_offset_s, text, sizeof(text));
    sc_json_kv_string(j, key, text);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Key press to flip, over the last ST_LATENCY_RING keys. */
static void latency(struct sc_json *j, const struct st_station *st)
{
    size_t n = st->latency.n < ST_LATENCY_RING ? st->latency.n : ST_LATENCY_RING;
    sc_json_key(j, "input_latency_ms");
    sc_json_object_begin(j);
    sc_json_kv_int(j, "count", (int64_t)st->latency.n);
    if (n > 0) {
        double sorted[ST_LATENCY_RING];
        memcpy(sorted, st->latency.ms, n * sizeof(double));
        qsort(sorted, n, sizeof(double), compare_double);
        sc_json_kv_double(j, "p50", sorted[n / 2]);
        sc_json_kv_double(j, "p99", sorted[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
        sc_json_kv_double(j, "max", sorted[n - 1]);
    }
    sc_json_object_end(j);
}

/* The course's player: pictures shown and dropped, A/V offset (tests and
 * soaks judge the picture by it). */
static void playback(struct sc_json *j, struct player *player)
{
    if (!player) return;
    struct player_stats s;
    player_get_stats(player, &s);
    sc_json_key(j, "playback");
    sc_json_object_begin(j);
    sc_json_kv_int(j, "frames_presented", s.frames_presented);
    sc_json_kv_int(j, "frames_dropped", s.frames_dropped_early + s.frames_dropped_late);
    sc_json_kv_double(j, "av_offset_p99_ms", s.av_offset_p99_ms);
    sc_json_kv_double(j, "av_offset_max_ms", s.av_offset_max_ms);
    sc_json_object_end(j);
}

void st_control_status(void *opaque, struct sc_json *j)
{
    struct st_station *st = opaque;
    const struct st_course *c = &st->course;
    int64_t now_ns = sc_mono_ns();
    sc_json_kv_string(j, "screen", ui_screen_name(st->screen));
    sc_json_kv_string(j, "course", c->active ? c->entry.title : NULL);
    sc_json_kv_string(j, "session_id", c->session_id[0] ? c->session_id : NULL);
    sc_json_key(j, "present");
    sc_json_array_begin(j);
    for (size_t i = 0; i < st->roster.n; i++)
        if (c->active && st->roster.present[i]) sc_json_string(j, st->roster.members[i].number);
    sc_json_array_end(j);
    sc_json_kv_string(j, "signal", signal_name(st_reception_signal(&st->reception, now_ns)));
    sc_json_kv_int(j, "guests", c->active ? st->roster.guests : 0);
    sc_json_kv_string(j, "digits", st->roster.digits);
    sc_json_kv_int(j, "focus", st->roster.focus);
    sc_json_kv_int(j, "roster_size", (int64_t)st->roster.n);
    sc_json_kv_bool(j, "info", st->show_info);
    sc_json_kv_bool(j, "roster_overlay", st->show_roster);
    sc_json_kv_int(j, "input_devices", in_reader_device_count(st->input.reader));
    if (c->active) {
        sc_json_kv_int(j, "entry", c->entry.id);
        sc_json_kv_string(j, "kind", sch_kind_name(c->entry.kind));
        kv_time(j, st, "start", c->start_utc);
        kv_time(j, st, "end", c->end_utc);
        sc_json_kv_bool(j, "pretune", c->pretune);
        sc_json_kv_bool(j, "late", c->late);
        sc_json_kv_int(j, "late_by_s", c->late_by_s);
        sc_json_kv_bool(j, "resumed", c->resumed);
        sc_json_kv_bool(j, "playback_started", c->playback_started);
        sc_json_kv_bool(j, "paused", c->paused);
        sc_json_kv_int(j, "elapsed",
                       c->started_mono_ns ? (now_ns - c->started_mono_ns) / 1000000000LL : 0);
        sc_json_kv_int(j, "played_seconds", st_course_played_s(c, now_ns));
        sc_json_kv_string(j, "source", c->source);
        sc_json_kv_int(j, "service", st_course_service(c));
        sc_json_kv_int(j, "scheduled_service", c->service);
        playback(j, c->player);
    }
    if (st->screen == UI_SCREEN_SUMMARY) {
        sc_json_kv_int(j, "rating", st->summary.rating);
        sc_json_kv_bool(j, "needs_repeat", st->summary.needs_repeat);
        sc_json_kv_int(j, "summary_focus", st->summary.focus);
        if (st->summary.snapshot)
            sc_json_kv_int(j, "summary_played_seconds", st->summary.snapshot->played_seconds);
    }
    sc_json_kv_string(j, "next_course", st->plan.next_title[0] ? st->plan.next_title : NULL);
    if (st->plan.next_start_utc) kv_time(j, st, "next_start", st->plan.next_start_utc);
    sc_json_key(j, "capturing");
    sc_json_array_begin(j);
    const char *titles[ST_MAX_CAPTURES];
    size_t n = st_capture_titles(st, titles, ST_MAX_CAPTURES);
    for (size_t i = 0; i < n; i++)
        sc_json_string(j, titles[i]);
    sc_json_array_end(j);
    sc_json_kv_int(j, "volume", st->volume);
    sc_json_kv_bool(j, "muted", st->muted);
    /* the SDT/EIT names of what plays (or is being captured); "" unknown */
    char service[128] = "", event[SCH_TITLE_MAX] = "";
    enum ui_signal capture_signal;
    if (c->active) {
        snprintf(service, sizeof(service), "%s", st->reception.service_name);
        snprintf(event, sizeof(event), "%s", st->reception.event_title);
    } else if (st_capture_reception(st, &capture_signal, service, sizeof(service), event,
                                    sizeof(event))) {
        sc_json_kv_string(j, "capture_signal", signal_name(capture_signal));
    }
    sc_json_kv_string(j, "service_name", service);
    sc_json_kv_string(j, "event_title", event);
    sc_json_kv_int(j, "missed", st->plan.n_missed);
    sc_json_kv_string(j, "missed_note", st->plan.missed_note);
    sc_json_kv_string(j, "clock_source", rec_clock_source_name(st->clock.source));
    kv_time(j, st, "now", st_now_utc(st));
    sc_json_kv_string(j, "language", ui_language(st->ui));
    sc_json_kv_bool(j, "demo", st->demo);
    sc_json_kv_string(j, "data_dir", st->data_dir);
    sc_json_kv_int(j, "sessions_this_month", st->plan.month.n_sessions);
    st_sync_status(st, j);
    latency(j, st);
    st_admin_status(st, j);
}

int st_control_press(void *opaque, enum rc_action action)
{
    struct st_station *st = opaque;
    return st_action(st, action, sc_mono_ns());
}

int st_control_key(void *opaque, const char *key_name)
{
    return st_key(opaque, key_name, sc_mono_ns());
}

void st_control_event(struct st_station *st, const char *screen)
{
    if (!st->ipc) return;
    char line[128];
    snprintf(line, sizeof(line), "{\"event\":\"screen\",\"screen\":\"%s\"}", screen);
    rc_ipc_server_send_event(st->ipc, line);
}
