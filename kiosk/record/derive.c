/* Derivations: sessions and attendance replayed from the event log.
 *
 * Time is measured on CLOCK_MONOTONIC only: a session's played time is the
 * sum of the monotonic intervals during which playback was running (started
 * or resumed, not paused or stopped) and the signal was present; a member is
 * credited with the part of those intervals during which they were checked
 * in. Wall-clock corrections therefore never add or remove minutes. Monotonic
 * times from different boots (boot_id) are never subtracted.
 *
 * A session closed as interrupted (a crash or power cut) and then resumed
 * (`session_resumed`, same session id) goes on as one session: the close is
 * undone, the time from it (the last durable event before the cut) to the
 * resume is an interruption, neither played nor credited, and whoever was
 * present at the cut stays present. */
#include "kiosk/record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct presence {
    char *member;
    bool present;
    int64_t ns;
};

struct session_state {
    struct rec_session_summary *out;
    char boot_id[40];
    int64_t last_mono;
    int64_t base_utc, base_mono; /* the opening's or the last resume's times: end_utc */
    int64_t closed_utc_ns;       /* the last close's UTC time: an interruption's start */
    bool playing, signal_ok, closed;
    int64_t played_ns;
    struct presence *members;
    size_t n_members, cap_members;
};

static struct presence *find_presence(struct session_state *st, const char *member, bool add)
{
    for (size_t i = 0; i < st->n_members; i++)
        if (strcmp(st->members[i].member, member) == 0) return &st->members[i];
    if (!add) return NULL;
    if (st->n_members == st->cap_members) {
        size_t cap = st->cap_members ? 2 * st->cap_members : 16;
        struct presence *grown = realloc(st->members, cap * sizeof(*grown));
        if (!grown) return NULL;
        st->members = grown;
        st->cap_members = cap;
    }
    char *copy = strdup(member);
    if (!copy) return NULL;
    st->members[st->n_members] = (struct presence){.member = copy};
    return &st->members[st->n_members++];
}

/* Credits the time since the previous event, then applies this one. */
static void advance(struct session_state *st, int64_t mono, const char *boot_id)
{
    if (strcmp(boot_id, st->boot_id) != 0) {
        /* another boot: the two monotonic clocks are unrelated */
        st->playing = false;
        return;
    }
    int64_t dt = mono - st->last_mono;
    if (dt < 0) dt = 0;
    if (st->playing && st->signal_ok) {
        st->played_ns += dt;
        for (size_t i = 0; i < st->n_members; i++)
            if (st->members[i].present) st->members[i].ns += dt;
    }
    if (mono > st->last_mono) st->last_mono = mono;
}

/* A signal_lost recorded at `mono` that says the data stopped at `since`:
 * credit up to since only. When events were derived past since already (a
 * heartbeat in between), their credit after since is taken back from the
 * played time and from whoever is present now. */
static void backdate_outage(struct session_state *st, int64_t since, int64_t mono,
                            const char *boot_id)
{
    if (strcmp(boot_id, st->boot_id) != 0 || !st->signal_ok) return;
    int64_t earliest = mono - (int64_t)REC_BACKDATE_MAX_S * 1000000000;
    if (since < earliest) since = earliest;
    if (since < st->base_mono) since = st->base_mono;
    if (since >= mono) return;
    if (since >= st->last_mono) {
        advance(st, since, boot_id);
    } else if (st->playing) {
        int64_t back = st->last_mono - since;
        st->played_ns = st->played_ns > back ? st->played_ns - back : 0;
        for (size_t i = 0; i < st->n_members; i++)
            if (st->members[i].present)
                st->members[i].ns = st->members[i].ns > back ? st->members[i].ns - back : 0;
    }
    st->signal_ok = false;
}

static int apply(struct session_state *st, const char *type, const char *member, const char *status,
                 int64_t count)
{
    if (strcmp(type, "playback_started") == 0 || strcmp(type, "playback_resumed") == 0) {
        st->playing = true;
    } else if (strcmp(type, "playback_paused") == 0 || strcmp(type, "playback_stopped") == 0) {
        st->playing = false;
    } else if (strcmp(type, "signal_lost") == 0) {
        st->signal_ok = false;
    } else if (strcmp(type, "signal_back") == 0) {
        st->signal_ok = true;
    } else if (strcmp(type, "member_checked_in") == 0 && member) {
        struct presence *p = find_presence(st, member, true);
        if (!p) return -ENOMEM;
        p->present = true;
    } else if (strcmp(type, "member_checked_out") == 0 && member) {
        struct presence *p = find_presence(st, member, false);
        if (p) p->present = false;
    } else if (strcmp(type, "guests_counted") == 0) {
        st->out->guests = (int)count;
    } else if (strcmp(type, "session_closed") == 0) {
        st->closed = true;
        st->playing = false;
        st->out->interrupted = status && strcmp(status, "interrupted") == 0;
    }
    return 0;
}

static int compare_attendance(const void *a, const void *b)
{
    return strcmp(((const struct rec_attendance *)a)->member,
                  ((const struct rec_attendance *)b)->member);
}

static int finish(struct session_state *st)
{
    struct rec_session_summary *out = st->out;
    out->open = !st->closed;
    out->played_seconds = st->played_ns / 1000000000;
    out->end_utc = st->base_utc + (st->last_mono - st->base_mono) / 1000000000;
    out->attendance = st->n_members ? calloc(st->n_members, sizeof(*out->attendance)) : NULL;
    if (st->n_members && !out->attendance) return -ENOMEM;
    for (size_t i = 0; i < st->n_members; i++) {
        out->attendance[i].member = st->members[i].member;
        out->attendance[i].seconds = st->members[i].ns / 1000000000;
        out->attendance[i].present = st->members[i].present;
        st->members[i].member = NULL;
    }
    out->n_attendance = st->n_members;
    if (out->n_attendance > 0)
        qsort(out->attendance, out->n_attendance, sizeof(*out->attendance), compare_attendance);
    return 0;
}

static void state_free(struct session_state *st)
{
    for (size_t i = 0; i < st->n_members; i++)
        free(st->members[i].member);
    free(st->members);
    memset(st, 0, sizeof(*st));
}

static int compare_sessions(const void *a, const void *b)
{
    const struct rec_session_summary *x = a, *y = b;
    if (x->start_utc != y->start_utc) return x->start_utc < y->start_utc ? -1 : 1;
    return strcmp(x->id, y->id);
}

static const char *text_or_null(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int64_t seconds_to_ns(int64_t s)
{
    if (s <= INT64_MIN / 1000000000) return INT64_MIN;
    if (s >= INT64_MAX / 1000000000) return INT64_MAX;
    return s * 1000000000;
}

/* The growing result of rec_sessions. */
struct sessions_out {
    struct rec_session_summary **list;
    size_t *n, *cap;
};

/* A session_opened row (its course in column 5, its time in column 1): a new
 * summary at the end of the list, which the state then follows. */
static int open_summary(struct session_state *state, struct sessions_out *out, sqlite3_stmt *st,
                        const char *session, int64_t mono, const char *boot)
{
    if (*out->n == *out->cap) {
        size_t grown_cap = *out->cap ? 2 * *out->cap : 32;
        struct rec_session_summary *grown = realloc(*out->list, grown_cap * sizeof(*grown));
        if (!grown) return -ENOMEM;
        *out->list = grown;
        *out->cap = grown_cap;
    }
    struct rec_session_summary *s = &(*out->list)[(*out->n)++];
    memset(s, 0, sizeof(*s));
    snprintf(s->id, sizeof(s->id), "%s", session);
    const char *course = text_or_null(st, 5);
    s->course = strdup(course ? course : "");
    if (!s->course) return -ENOMEM;
    s->start_utc = sqlite3_column_int64(st, 1) / 1000000000;
    state->out = s;
    state->last_mono = state->base_mono = mono;
    state->base_utc = s->start_utc;
    state->signal_ok = true;
    snprintf(state->boot_id, sizeof(state->boot_id), "%s", boot);
    return 0;
}

/* A session_resumed row: undoes an interrupted close made before the slot's
 * end (column 12, until_utc); the time since the close is an interruption.
 * A resume of a session not closed as interrupted, or at or after its slot's
 * end, is ignored: the session stays as it was closed. */
static int resume(struct session_state *state, sqlite3_stmt *st, int64_t mono, const char *boot)
{
    struct rec_session_summary *s = state->out;
    int64_t utc_ns = sqlite3_column_int64(st, 1);
    if (!state->closed || !s->interrupted) return 0;
    if (sqlite3_column_type(st, 12) == SQLITE_INTEGER &&
        utc_ns / 1000000000 >= sqlite3_column_int64(st, 12))
        return 0;
    struct rec_interruption *grown =
        realloc(s->interruptions, (s->n_interruptions + 1) * sizeof(*grown));
    if (!grown) return -ENOMEM;
    s->interruptions = grown;
    int64_t from_utc = state->closed_utc_ns / 1000000000, to_utc = utc_ns / 1000000000;
    grown[s->n_interruptions++] = (struct rec_interruption){
        .from_utc = from_utc,
        .to_utc = to_utc > from_utc ? to_utc : from_utc,
        .resumed_seq = sqlite3_column_int64(st, 9),
    };
    state->closed = s->interrupted = false;
    s->close_seq = 0;
    s->close_hash_hex[0] = '\0';
    /* playback starts again with a playback_started of its own; the members
     * present at the cut stay present */
    state->playing = false;
    state->signal_ok = true;
    state->last_mono = state->base_mono = mono;
    state->base_utc = to_utc;
    snprintf(state->boot_id, sizeof(state->boot_id), "%s", boot);
    return 0;
}

int rec_sessions(struct rec *rec, int64_t from_utc, int64_t to_utc,
                 struct rec_session_summary **sessions, size_t *count)
{
    *sessions = NULL;
    *count = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        rec->db,
        "SELECT e.type, e.utc_ns, e.mono_ns, e.boot_id, e.session, "
        "json_extract(e.payload, '$.course'), json_extract(e.payload, '$.member'), "
        "json_extract(e.payload, '$.status'), json_extract(e.payload, '$.count'), e.seq, e.hash, "
        "json_extract(e.payload, '$.since_mono_ns'), json_extract(e.payload, '$.until_utc') "
        "FROM events e WHERE e.session IN (SELECT session FROM events WHERE type = "
        "'session_opened' AND utc_ns >= ?1 AND utc_ns < ?2) ORDER BY e.session, e.seq",
        -1, &st, NULL);
    if (rc != SQLITE_OK) return rec_map_sqlite(rec, rc, "deriving sessions");
    sqlite3_bind_int64(st, 1, seconds_to_ns(from_utc));
    sqlite3_bind_int64(st, 2, seconds_to_ns(to_utc));

    struct rec_session_summary *list = NULL;
    size_t n = 0, cap = 0;
    struct session_state state = {0};
    int result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = text_or_null(st, 0);
        const char *session = text_or_null(st, 4);
        int64_t mono = sqlite3_column_int64(st, 2);
        const char *boot = text_or_null(st, 3);
        if (!type || !session || !boot) continue;
        if (strcmp(type, "session_opened") == 0) {
            if (state.out && (result = finish(&state)) != 0) break;
            state_free(&state);
            struct sessions_out out = {&list, &n, &cap};
            if ((result = open_summary(&state, &out, st, session, mono, boot)) != 0) break;
            continue;
        }
        if (!state.out || strcmp(state.out->id, session) != 0) continue; /* opened before */
        if (strcmp(type, "session_resumed") == 0) {
            if ((result = resume(&state, st, mono, boot)) != 0) break;
            continue;
        }
        if (state.closed) continue; /* after its close */
        if (strcmp(type, "signal_lost") == 0 && sqlite3_column_type(st, 11) == SQLITE_INTEGER)
            backdate_outage(&state, sqlite3_column_int64(st, 11), mono, boot);
        advance(&state, mono, boot);
        result = apply(&state, type, text_or_null(st, 6), text_or_null(st, 7),
                       sqlite3_column_int64(st, 8));
        if (result != 0) break;
        if (strcmp(type, "session_closed") == 0) {
            state.closed_utc_ns = sqlite3_column_int64(st, 1);
            state.out->close_seq = sqlite3_column_int64(st, 9);
            if (sqlite3_column_bytes(st, 10) == REC_HASH_BYTES)
                rec_hex(sqlite3_column_blob(st, 10), REC_HASH_BYTES, state.out->close_hash_hex);
        }
    }
    if (result == 0 && rc != SQLITE_DONE) result = rec_map_sqlite(rec, rc, "deriving sessions");
    if (result == 0 && state.out) result = finish(&state);
    state_free(&state);
    sqlite3_finalize(st);
    if (result != 0) {
        rec_sessions_free(list, n);
        return result;
    }
    if (n > 0) qsort(list, n, sizeof(*list), compare_sessions);
    *sessions = list;
    *count = n;
    return 0;
}

void rec_sessions_free(struct rec_session_summary *sessions, size_t count)
{
    if (!sessions) return;
    for (size_t i = 0; i < count; i++) {
        free(sessions[i].course);
        for (size_t j = 0; j < sessions[i].n_attendance; j++)
            free(sessions[i].attendance[j].member);
        free(sessions[i].attendance);
        free(sessions[i].interruptions);
    }
    free(sessions);
}

int64_t rec_local_month_start(int year, int month, int offset_seconds)
{
    while (month > 12) {
        month -= 12;
        year++;
    }
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 1};
    return (int64_t)timegm(&tm) - offset_seconds;
}

int rec_period_parse(struct rec *rec, char kind, const char *text, struct rec_period *out)
{
    memset(out, 0, sizeof(*out));
    int year = 0, n = 0;
    char tail = 0;
    if (!text || strlen(text) != (kind == 'm' ? 7u : 7u)) return -EINVAL;
    if (kind == 'm') {
        if (sscanf(text, "%4d-%2d%c", &year, &n, &tail) != 2 || text[4] != '-' || n < 1 || n > 12)
            return -EINVAL;
        out->first_month = n;
        out->n_months = 1;
    } else if (kind == 'q' || kind == 'h') {
        char letter = kind == 'q' ? 'Q' : 'H';
        if (sscanf(text, "%4d-%*c%1d%c", &year, &n, &tail) != 2 || text[4] != '-' ||
            (text[5] != letter && text[5] != letter + 32))
            return -EINVAL;
        int parts = kind == 'q' ? 4 : 2;
        if (n < 1 || n > parts) return -EINVAL;
        out->n_months = 12 / parts;
        out->first_month = (n - 1) * out->n_months + 1;
    } else {
        return -EINVAL;
    }
    if (year < 2000 || year > 9999) return -EINVAL;
    out->year = year;
    int offset = rec_utc_offset_seconds(rec);
    out->from_utc = rec_local_month_start(year, out->first_month, offset);
    out->to_utc = rec_local_month_start(year, out->first_month + out->n_months, offset);
    if (kind == 'm')
        snprintf(out->label, sizeof(out->label), "%04d-%02d", year, n);
    else
        snprintf(out->label, sizeof(out->label), "%04d-%c%d", year, kind == 'q' ? 'Q' : 'H', n);
    return 0;
}

int rec_requirement_for(struct rec *rec, const struct rec_session_summary *sessions, size_t count,
                        struct rec_requirement *out)
{
    memset(out, 0, sizeof(*out));
    if (rec_setting_get(rec, "station_type", out->station_type, sizeof(out->station_type)) != 0)
        snprintf(out->station_type, sizeof(out->station_type), "village");
    out->sessions_required = strcmp(out->station_type, "township") == 0 ? 4 : 3;
    out->minutes_required_each = REC_REQUIRED_MINUTES_EACH;
    for (size_t i = 0; i < count; i++)
        if (!sessions[i].open &&
            sessions[i].played_seconds >= (int64_t)REC_REQUIRED_MINUTES_EACH * 60)
            out->sessions_held++;
    out->met = out->sessions_held >= out->sessions_required;
    return 0;
}
