/* xAPI 1.0.3 statements: for each member's attendance of a closed session an
 * "attended" statement (result.duration = their credited time) and, when they
 * were present for the required 120 minutes of playback, a "completed" one.
 *
 * Identifiers: the actor is an account on the station, homePage
 * https://studycast.invalid/station/<station uuid>. The spec requires homePage
 * to be an IRL (a URL); the reserved .invalid domain (RFC 2606) makes it a
 * URL that can never belong to anyone else, where a urn: would fail strict
 * LRS validation. Statement ids are UUID v5 of the session_closed event's
 * hash, the verb and the member, so a re-export yields the same ids and an
 * LRS never stores a statement twice. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <string.h>

#define XAPI_BASE      "https://studycast.invalid/station/"
#define VERB_ATTENDED  "http://adlnet.gov/expapi/verbs/attended"
#define VERB_COMPLETED "http://adlnet.gov/expapi/verbs/completed"
#define ACTIVITY_TYPE  "http://adlnet.gov/expapi/activities/meeting"
/* The namespace of studycast's statement ids (a fixed random UUID). */
#define STATEMENT_NAMESPACE "6f1c2b0e-8a4d-4c47-9a0e-5b2f7d3e9c11"

/* Percent-encodes everything outside RFC 3986's unreserved set. */
static void iri_segment(struct sc_buf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            sc_buf_append(out, p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            sc_buf_append(out, esc, 3);
        }
    }
}

static void lang_map(struct sc_json *json, const char *key, const char *zh, const char *en)
{
    sc_json_key(json, key);
    sc_json_object_begin(json);
    if (zh) sc_json_kv_string(json, "zh-CN", zh);
    sc_json_kv_string(json, "en-US", en);
    sc_json_object_end(json);
}

static int statement(struct rec_export_ctx *ctx, struct sc_json *json, const char *station,
                     const struct rec_session_summary *s, const struct rec_attendance *a,
                     bool completed)
{
    const char *verb = completed ? VERB_COMPLETED : VERB_ATTENDED;
    char name[256], id[REC_UUID_STR_LEN], text[128];
    int n = snprintf(name, sizeof(name), "%s|%s|%s", s->close_hash_hex, verb, a->member);
    if (n < 0 || (size_t)n >= sizeof(name) ||
        rec_uuid_v5(STATEMENT_NAMESPACE, name, (size_t)n, id) != 0)
        return -EINVAL;
    sc_json_object_begin(json);
    sc_json_kv_string(json, "id", id);

    sc_json_key(json, "actor");
    sc_json_object_begin(json);
    sc_json_kv_string(json, "objectType", "Agent");
    sc_json_key(json, "account");
    sc_json_object_begin(json);
    snprintf(text, sizeof(text), XAPI_BASE "%s", station);
    sc_json_kv_string(json, "homePage", text);
    sc_json_kv_string(json, "name", a->member);
    sc_json_object_end(json);
    sc_json_object_end(json);

    sc_json_key(json, "verb");
    sc_json_object_begin(json);
    sc_json_kv_string(json, "id", verb);
    lang_map(json, "display", completed ? "完成" : "参加", completed ? "completed" : "attended");
    sc_json_object_end(json);

    struct sc_buf activity = {0};
    sc_buf_printf(&activity, XAPI_BASE "%s/course/", station);
    iri_segment(&activity, s->course);
    sc_json_key(json, "object");
    sc_json_object_begin(json);
    sc_json_kv_string(json, "objectType", "Activity");
    sc_json_kv_string(json, "id", activity.data);
    sc_json_key(json, "definition");
    sc_json_object_begin(json);
    lang_map(json, "name", s->course, s->course);
    sc_json_kv_string(json, "type", ACTIVITY_TYPE);
    sc_json_object_end(json);
    sc_json_object_end(json);
    bool failed = activity.failed;
    sc_buf_free(&activity);

    sc_json_key(json, "result");
    sc_json_object_begin(json);
    rec_iso_duration(a->seconds, text, sizeof(text));
    sc_json_kv_string(json, "duration", text);
    if (completed) sc_json_kv_bool(json, "completion", true);
    sc_json_object_end(json);

    sc_json_key(json, "context");
    sc_json_object_begin(json);
    sc_json_kv_string(json, "registration", s->id);
    sc_json_kv_string(json, "platform", "studycast");
    sc_json_kv_string(json, "language", "zh-CN");
    sc_json_key(json, "extensions");
    sc_json_object_begin(json);
    sc_json_kv_int(json, "https://studycast.invalid/xapi/session-played-seconds",
                   s->played_seconds);
    sc_json_kv_string(json, "https://studycast.invalid/xapi/session-status",
                      s->interrupted ? "interrupted" : "complete");
    sc_json_object_end(json);
    sc_json_object_end(json);

    sc_format_iso8601_utc(completed ? s->end_utc : s->start_utc, text, sizeof(text));
    sc_json_kv_string(json, "timestamp", text);
    sc_json_object_end(json);
    (void)ctx;
    return failed ? -ENOMEM : 0;
}

int rec_export_xapi(struct rec_export_ctx *ctx)
{
    char station[REC_UUID_STR_LEN];
    rec_setting_get(ctx->rec, "station_id", station, sizeof(station));
    struct sc_buf out = {0};
    struct sc_json json;
    sc_json_init(&json, &out, true);
    sc_json_array_begin(&json);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ctx->n_sessions; i++) {
        const struct rec_session_summary *s = &ctx->sessions[i];
        if (s->open) continue; /* its attendance is not final yet */
        for (size_t a = 0; rc == 0 && a < s->n_attendance; a++) {
            if (s->attendance[a].seconds <= 0) continue;
            rc = statement(ctx, &json, station, s, &s->attendance[a], false);
            if (rc == 0 && s->attendance[a].seconds >= REC_REQUIRED_MINUTES_EACH * 60)
                rc = statement(ctx, &json, station, s, &s->attendance[a], true);
        }
    }
    sc_json_array_end(&json);
    sc_buf_puts(&out, "\n");
    if (rc == 0)
        rc = out.failed ? -ENOMEM : rec_export_file(ctx, "xapi-statements.json", out.data, out.len);
    sc_buf_free(&out);
    return rc;
}
