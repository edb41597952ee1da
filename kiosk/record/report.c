/* The period report as JSON: sessions with attendance, hours per member and
 * whether the station met its monthly requirement (per month for a quarter
 * or half year). */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rec_format_local(int64_t utc, int offset_seconds, char *buf, size_t size)
{
    time_t t = (time_t)(utc + offset_seconds);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "?");
        return;
    }
    strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

void rec_iso_duration(int64_t seconds, char *buf, size_t size)
{
    if (seconds < 0) seconds = 0;
    int64_t h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    if (h > 0)
        snprintf(buf, size, "PT%lldH%lldM%lldS", (long long)h, (long long)m, (long long)s);
    else if (m > 0)
        snprintf(buf, size, "PT%lldM%lldS", (long long)m, (long long)s);
    else
        snprintf(buf, size, "PT%lldS", (long long)s);
}

static void iso_utc(struct sc_json *json, const char *key, int64_t utc)
{
    char text[32];
    sc_format_iso8601_utc(utc, text, sizeof(text));
    sc_json_kv_string(json, key, text);
}

static size_t credited_members(const struct rec_session_summary *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_attendance; i++)
        n += s->attendance[i].seconds > 0;
    return n;
}

static void write_requirement_fields(struct sc_json *json, const struct rec_requirement *req)
{
    sc_json_kv_string(json, "station_type", req->station_type);
    sc_json_kv_int(json, "sessions_required", req->sessions_required);
    sc_json_kv_int(json, "sessions_held", req->sessions_held);
    sc_json_kv_int(json, "minutes_required_each", req->minutes_required_each);
    sc_json_kv_bool(json, "met", req->met);
}

static int write_requirement(struct rec *rec, struct sc_json *json, const struct rec_period *period,
                             const struct rec_session_summary *sessions, size_t count)
{
    struct rec_requirement total = {0};
    int rc = rec_requirement_for(rec, sessions, count, &total);
    if (rc != 0) return rc;
    sc_json_key(json, "requirement");
    sc_json_object_begin(json);
    if (period->n_months == 1) {
        write_requirement_fields(json, &total);
        sc_json_object_end(json);
        return 0;
    }
    /* quarter or half: each month must meet the rule on its own */
    struct rec_requirement months[6];
    int offset = rec_utc_offset_seconds(rec);
    bool all_met = true;
    total.sessions_required = total.sessions_held = 0;
    for (int m = 0; m < period->n_months; m++) {
        int64_t from = rec_local_month_start(period->year, period->first_month + m, offset);
        int64_t to = rec_local_month_start(period->year, period->first_month + m + 1, offset);
        size_t first = 0, n = 0;
        while (first < count && sessions[first].start_utc < from)
            first++;
        while (first + n < count && sessions[first + n].start_utc < to)
            n++;
        rec_requirement_for(rec, sessions + first, n, &months[m]);
        total.sessions_required += months[m].sessions_required;
        total.sessions_held += months[m].sessions_held;
        all_met = all_met && months[m].met;
    }
    total.met = all_met;
    write_requirement_fields(json, &total);
    sc_json_key(json, "months");
    sc_json_array_begin(json);
    for (int m = 0; m < period->n_months; m++) {
        char label[16];
        snprintf(label, sizeof(label), "%04d-%02d", period->year, period->first_month + m);
        sc_json_object_begin(json);
        sc_json_kv_string(json, "month", label);
        write_requirement_fields(json, &months[m]);
        sc_json_object_end(json);
    }
    sc_json_array_end(json);
    sc_json_object_end(json);
    return 0;
}

static void write_members(struct sc_json *json, const struct rec_member *members, size_t n_members,
                          const struct rec_session_summary *sessions, size_t count)
{
    sc_json_key(json, "members");
    sc_json_array_begin(json);
    for (size_t i = 0; i < n_members; i++) {
        int64_t seconds = 0;
        int attended = 0;
        for (size_t s = 0; s < count; s++)
            for (size_t a = 0; a < sessions[s].n_attendance; a++)
                if (strcmp(sessions[s].attendance[a].member, members[i].number) == 0) {
                    seconds += sessions[s].attendance[a].seconds;
                    attended += sessions[s].attendance[a].seconds > 0;
                }
        sc_json_object_begin(json);
        sc_json_kv_string(json, "number", members[i].number);
        sc_json_kv_string(json, "name", members[i].name);
        sc_json_kv_string(json, "category", rec_category_name(members[i].category));
        sc_json_kv_int(json, "sessions", attended);
        sc_json_kv_int(json, "seconds", seconds);
        sc_json_kv_double(json, "hours", (double)(seconds / 36) / 100.0);
        sc_json_object_end(json);
    }
    sc_json_array_end(json);
}

/* Cuts the session was resumed after: not played, not credited. */
static void write_interruptions(struct sc_json *json, const struct rec_session_summary *s)
{
    sc_json_key(json, "interruptions");
    sc_json_array_begin(json);
    for (size_t i = 0; i < s->n_interruptions; i++) {
        const struct rec_interruption *cut = &s->interruptions[i];
        sc_json_object_begin(json);
        iso_utc(json, "from", cut->from_utc);
        iso_utc(json, "to", cut->to_utc);
        sc_json_kv_int(json, "seconds", cut->to_utc - cut->from_utc);
        sc_json_kv_int(json, "resumed_seq", cut->resumed_seq);
        sc_json_object_end(json);
    }
    sc_json_array_end(json);
}

int rec_report_json(struct rec *rec, const struct rec_period *period, struct sc_buf *out)
{
    struct rec_session_summary *sessions = NULL;
    struct rec_member *members = NULL;
    size_t count = 0, n_members = 0;
    /* an altered chain still gives its report, which says so first */
    int rc = rec_chain_check_db(rec);
    if (rc == REC_ECHAIN) rc = 0;
    if (rc == 0) rc = rec_sessions(rec, period->from_utc, period->to_utc, &sessions, &count);
    if (rc == 0) rc = rec_members_list(rec, &members, &n_members);
    if (rc != 0) goto out;
    char value[128];
    struct sc_json json;
    sc_json_init(&json, out, true);
    sc_json_object_begin(&json);
    sc_json_key(&json, "record_check");
    sc_json_object_begin(&json);
    sc_json_kv_bool(&json, "ok", rec->fault.seq == 0);
    if (rec->fault.seq != 0) {
        sc_json_kv_int(&json, "first_bad_seq", rec->fault.seq);
        sc_json_kv_string(&json, "type", rec->fault.type);
        sc_json_kv_string(&json, "message", rec->fault.message);
    }
    sc_json_object_end(&json);
    sc_json_key(&json, "station");
    sc_json_object_begin(&json);
    rec_setting_get(rec, "station_id", value, sizeof(value));
    sc_json_kv_string(&json, "id", value);
    if (rec_setting_get(rec, "station_name", value, sizeof(value)) != 0) value[0] = '\0';
    sc_json_kv_string(&json, "name", value);
    sc_json_object_end(&json);
    sc_json_key(&json, "period");
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "label", period->label);
    iso_utc(&json, "from", period->from_utc);
    iso_utc(&json, "to", period->to_utc);
    sc_json_object_end(&json);

    sc_json_key(&json, "sessions");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < count; i++) {
        const struct rec_session_summary *s = &sessions[i];
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "id", s->id);
        sc_json_kv_string(&json, "course", s->course);
        iso_utc(&json, "start", s->start_utc);
        iso_utc(&json, "end", s->end_utc);
        sc_json_kv_int(&json, "played_seconds", s->played_seconds);
        sc_json_kv_string(&json, "status",
                          s->open          ? "open"
                          : s->interrupted ? "interrupted"
                                           : "complete");
        sc_json_kv_int(&json, "guests", s->guests);
        sc_json_kv_double(&json, "participation_rate",
                          n_members ? (double)credited_members(s) / (double)n_members : 0.0);
        write_interruptions(&json, s);
        sc_json_key(&json, "attendance");
        sc_json_array_begin(&json);
        for (size_t a = 0; a < s->n_attendance; a++) {
            sc_json_object_begin(&json);
            sc_json_kv_string(&json, "member", s->attendance[a].member);
            sc_json_kv_int(&json, "seconds", s->attendance[a].seconds);
            sc_json_object_end(&json);
        }
        sc_json_array_end(&json);
        sc_json_object_end(&json);
    }
    sc_json_array_end(&json);
    write_members(&json, members, n_members, sessions, count);
    rc = write_requirement(rec, &json, period, sessions, count);
    sc_json_object_end(&json);
    sc_buf_puts(out, "\n");
    if (rc == 0 && out->failed) rc = -ENOMEM;
out:
    rec_sessions_free(sessions, count);
    rec_members_free(members, n_members);
    return rc;
}
