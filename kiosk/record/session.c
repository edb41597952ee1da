/* A live study session: each call queues one event for the writer thread
 * (writer.c) and returns; opening, resuming and closing wait for theirs. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

struct rec_session {
    struct rec *rec;
    char id[REC_UUID_STR_LEN];
    int64_t next_tick_ns;
    bool playing_started;
};

const char *rec_session_id(const struct rec_session *s)
{
    return s->id;
}

int64_t rec_session_next_tick_ns(const struct rec_session *s)
{
    return s->next_tick_ns;
}

static void next_tick_from_now(struct rec_session *s)
{
    struct rec_clock_reading now;
    rec_now(s->rec, &now);
    s->next_tick_ns = now.mono_ns + (int64_t)s->rec->heartbeat_ms * 1000000;
}

/* Queues one session event; every event also counts as a heartbeat (it
 * proves the session was alive then), so the next tick moves on. Queued even
 * while writing fails: what happened in a session (who came and left,
 * outages, pauses) is kept with its time and committed once writing works
 * again, rather than lost or recorded late. */
static int session_event(struct rec_session *s, const char *type, struct sc_buf *payload)
{
    if (payload && payload->failed) return -ENOMEM;
    int rc = rec_enqueue(s->rec, type, s->id, payload ? payload->data : "{}", REC_QUEUE_ALWAYS);
    if (rc == 0) next_tick_from_now(s);
    return rc;
}

/* Records one session event and waits until it is durable. */
static int session_event_durable(struct rec_session *s, const char *type, struct sc_buf *payload)
{
    if (payload && payload->failed) return -ENOMEM;
    int rc = rec_append(s->rec, type, s->id, payload ? payload->data : "{}", NULL);
    if (rc == 0) next_tick_from_now(s);
    return rc;
}

static int member_event(struct rec_session *s, const char *type, const char *member)
{
    if (!member || !*member) return -EINVAL;
    int rc = rec_member_exists(s->rec, member);
    if (rc < 0) return rc;
    if (rc == 0) {
        SC_WARN(s->rec->log, "study record: member %s is not on the roster", member);
        return -ENOENT;
    }
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "member", member);
    sc_json_object_end(&json);
    rc = session_event(s, type, &payload);
    sc_buf_free(&payload);
    return rc;
}

int rec_session_open(struct rec *rec, const char *course, const char *const *members,
                     size_t n_members, struct rec_session **out)
{
    *out = NULL;
    if (!course || !*course || strlen(course) > REC_COURSE_MAX) return -EINVAL;
    if (rec->read_only) return -EROFS; /* opened for reading only */
    for (size_t i = 0; i < n_members; i++) {
        int rc = rec_member_exists(rec, members[i]);
        if (rc <= 0) {
            if (rc == 0)
                SC_ERR(rec->log, "study record: member %s is not on the roster", members[i]);
            return rc == 0 ? -ENOENT : rc;
        }
    }
    if (flock(rec->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        SC_ERR(rec->log, "study record: another process is recording a session in %s",
               rec->data_dir);
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    }
    struct rec_session *s = calloc(1, sizeof(*s));
    int rc = s ? 0 : -ENOMEM;
    if (rc == 0) rc = rec_recover(rec); /* a session this lock's previous holder left open */
    if (rc != 0) goto fail;
    s->rec = rec;
    rec_uuid_v4(s->id);
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "course", course);
    sc_json_kv_int(&json, "heartbeat_ms", rec->heartbeat_ms);
    sc_json_object_end(&json);
    rc = session_event_durable(s, "session_opened", &payload);
    sc_buf_free(&payload);
    if (rc != 0) goto fail;
    rec->session_live = true;
    /* the check-ins go in one commit, and the open returns once they hold */
    for (size_t i = 0; i < n_members && rc == 0; i++)
        rc = member_event(s, "member_checked_in", members[i]);
    if (rc == 0) rc = rec_flush(rec);
    if (rc != 0) {
        rec_session_close(s, REC_CLOSE_INTERRUPTED);
        return rc;
    }
    *out = s;
    return 0;
fail:
    free(s);
    flock(rec->lock_fd, LOCK_UN);
    return rc;
}

/* The session's last event: its seq, type, UTC time and payload status. */
struct last_event {
    int64_t seq, utc_ns, closed_at_seq;
    char type[48], status[16];
};

static int session_last_event(struct rec *rec, const char *id, struct last_event *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(rec->db,
                                "SELECT seq, type, utc_ns, json_extract(payload, '$.status'), "
                                "json_extract(payload, '$.closed_at_seq') FROM events "
                                "WHERE session = ? ORDER BY seq DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "finding the interrupted session");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->seq = sqlite3_column_int64(st, 0);
        snprintf(out->type, sizeof(out->type), "%s", (const char *)sqlite3_column_text(st, 1));
        out->utc_ns = sqlite3_column_int64(st, 2);
        const char *status = (const char *)sqlite3_column_text(st, 3);
        snprintf(out->status, sizeof(out->status), "%s", status ? status : "");
        out->closed_at_seq = sqlite3_column_type(st, 4) == SQLITE_INTEGER
                                 ? sqlite3_column_int64(st, 4)
                                 : out->seq - 1;
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : rec_map_sqlite(rec, rc, "finding the session");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Whether session `id` may be resumed now: closed as interrupted (by
 * recovery or by the kiosk), and its slot not over. */
static int resumable(struct rec *rec, const char *id, int64_t until_utc, struct last_event *last)
{
    int rc = session_last_event(rec, id, last);
    if (rc != 0) return rc;
    if (strcmp(last->type, "session_closed") != 0 || strcmp(last->status, "interrupted") != 0) {
        SC_ERR(rec->log, "study record: session %s was not interrupted: it cannot be resumed", id);
        return REC_ESTATE;
    }
    struct rec_clock_reading now;
    rec_now(rec, &now);
    if (now.utc_ns / 1000000000 >= until_utc) {
        SC_WARN(rec->log, "study record: session %s: its slot is over, it is not resumed", id);
        return REC_ESTATE;
    }
    return 0;
}

int rec_session_resume(struct rec *rec, const char *id, int64_t until_utc, struct rec_session **out)
{
    *out = NULL;
    if (!id || strlen(id) != REC_UUID_STR_LEN - 1) return -EINVAL;
    if (flock(rec->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        SC_ERR(rec->log, "study record: another process is recording a session in %s",
               rec->data_dir);
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    }
    struct last_event last;
    struct rec_session *s = calloc(1, sizeof(*s));
    int rc = s ? 0 : -ENOMEM;
    if (rc == 0) rc = rec_recover(rec); /* closes it at its last durable event if still open */
    if (rc == 0) rc = resumable(rec, id, until_utc, &last);
    if (rc != 0) goto fail;
    s->rec = rec;
    snprintf(s->id, sizeof(s->id), "%s", id);
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_int(&json, "interrupted_at_seq", last.closed_at_seq);
    sc_json_kv_int(&json, "interrupted_utc_ns", last.utc_ns);
    sc_json_kv_int(&json, "closed_seq", last.seq);
    sc_json_kv_int(&json, "until_utc", until_utc);
    sc_json_kv_int(&json, "heartbeat_ms", rec->heartbeat_ms);
    sc_json_object_end(&json);
    rc = session_event_durable(s, "session_resumed", &payload);
    sc_buf_free(&payload);
    if (rc != 0) goto fail;
    rec->session_live = true;
    *out = s;
    return 0;
fail:
    free(s);
    flock(rec->lock_fd, LOCK_UN);
    return rc;
}

int rec_session_playback(struct rec_session *s, enum rec_playback what)
{
    static const char *const types[] = {
        [REC_PLAYBACK_STARTED] = "playback_started",
        [REC_PLAYBACK_PAUSED] = "playback_paused",
        [REC_PLAYBACK_RESUMED] = "playback_resumed",
        [REC_PLAYBACK_STOPPED] = "playback_stopped",
    };
    if ((unsigned)what > REC_PLAYBACK_STOPPED) return -EINVAL;
    return session_event(s, types[what], NULL);
}

int rec_session_signal(struct rec_session *s, bool present)
{
    return session_event(s, present ? "signal_back" : "signal_lost", NULL);
}

int rec_session_signal_lost_since(struct rec_session *s, int64_t since_mono_ns)
{
    struct rec_clock_reading now;
    rec_now(s->rec, &now);
    int64_t earliest = now.mono_ns - (int64_t)REC_BACKDATE_MAX_S * 1000000000;
    if (since_mono_ns > now.mono_ns) since_mono_ns = now.mono_ns;
    if (since_mono_ns < earliest) since_mono_ns = earliest;
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_int(&json, "since_mono_ns", since_mono_ns);
    sc_json_object_end(&json);
    int rc = session_event(s, "signal_lost", &payload);
    sc_buf_free(&payload);
    return rc;
}

int rec_session_check_in(struct rec_session *s, const char *member)
{
    return member_event(s, "member_checked_in", member);
}

int rec_session_check_out(struct rec_session *s, const char *member)
{
    return member_event(s, "member_checked_out", member);
}

int rec_session_guests(struct rec_session *s, int count)
{
    if (count < 0 || count > 100000) return -EINVAL;
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_int(&json, "count", count);
    sc_json_object_end(&json);
    int rc = session_event(s, "guests_counted", &payload);
    sc_buf_free(&payload);
    return rc;
}

int rec_session_feedback(struct rec_session *s, const char *member, int rating, const char *text)
{
    if (rating < 0 || rating > 5 || (text && strlen(text) > 2000)) return -EINVAL;
    if (member) {
        int rc = rec_member_exists(s->rec, member);
        if (rc <= 0) return rc == 0 ? -ENOENT : rc;
    }
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    if (member) sc_json_kv_string(&json, "member", member);
    if (rating) sc_json_kv_int(&json, "rating", rating);
    if (text) sc_json_kv_string(&json, "text", text);
    sc_json_object_end(&json);
    int rc = session_event(s, "feedback_given", &payload);
    sc_buf_free(&payload);
    return rc;
}

int rec_session_heartbeat(struct rec_session *s)
{
    /* queued even while writing fails: it finds out when writing works again */
    return session_event(s, "heartbeat", NULL);
}

int rec_session_tick(struct rec_session *s)
{
    struct rec_clock_reading now;
    rec_now(s->rec, &now);
    if (now.mono_ns < s->next_tick_ns) return rec_writer_take_unreported(s->rec);
    int rc = rec_session_heartbeat(s);
    if (rc != 0) /* full or read-only disk: retry next interval, not every loop turn */
        s->next_tick_ns = now.mono_ns + (int64_t)s->rec->heartbeat_ms * 1000000;
    return rc == 0 ? 1 : rc;
}

int rec_session_close(struct rec_session *s, enum rec_close_status status)
{
    if (!s) return 0;
    struct sc_buf payload = {0};
    struct sc_json json;
    sc_json_init(&json, &payload, false);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "status", status == REC_CLOSE_COMPLETE ? "complete" : "interrupted");
    sc_json_object_end(&json);
    /* queued even after a failure (the close matters most), then everything
     * queued is committed: the result is the first failure not reported yet */
    int rc = session_event(s, "session_closed", &payload);
    int flushed = rec_flush(s->rec);
    if (rc == 0) rc = flushed;
    sc_buf_free(&payload);
    s->rec->session_live = false;
    flock(s->rec->lock_fd, LOCK_UN);
    free(s);
    return rc;
}

int rec_session_event(struct rec_session *s, const char *type, struct sc_buf *payload)
{
    return session_event(s, type, payload);
}

int rec_session_event_durable(struct rec_session *s, const char *type, struct sc_buf *payload)
{
    return session_event_durable(s, type, payload);
}

struct rec *rec_session_owner(struct rec_session *s)
{
    return s->rec;
}
