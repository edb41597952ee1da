/* Recording a `play` as a study session; see play_session.h. */
#include "kiosk/cli/play_session.h"
#include "kiosk/record/record.h"
#include "kiosk/snapshot/snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBERS 512

struct cli_session {
    struct rec *rec;
    struct rec_session *session;
    struct snap_taker *snap;
    char *title;
    char *member_list; /* owns the strings members[] point into */
    const char *members[MAX_MEMBERS];
    size_t n_members;
    bool opened; /* the session was opened (even if it has failed since) */
    bool signal; /* last signal state recorded */
    bool paused;
    const char *problem;
    char problem_text[160];
    char failed[160]; /* the first recording call that failed, "" none */
    struct sc_log *log;
};

/* Remembers a failed recording call for the screen; playback goes on. */
static void note_failure(struct cli_session *ps, const char *what, int code)
{
    if (code >= 0) return;
    snprintf(ps->problem_text, sizeof(ps->problem_text), "%s: %s", what, rec_strerror(code));
    ps->problem = ps->problem_text;
    if (!ps->failed[0]) snprintf(ps->failed, sizeof(ps->failed), "%s", ps->problem_text);
    SC_ERR(ps->log, "%s", ps->problem_text);
}

static int split_members(struct cli_session *ps, const char *list)
{
    if (!list || !*list) return 0;
    ps->member_list = strdup(list);
    if (!ps->member_list) return -ENOMEM;
    char *save = NULL;
    for (char *tok = strtok_r(ps->member_list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (!*tok) continue;
        for (size_t i = 0; i < ps->n_members; i++)
            if (strcmp(ps->members[i], tok) == 0) return -EEXIST;
        if (ps->n_members == MAX_MEMBERS) return -E2BIG;
        ps->members[ps->n_members++] = tok;
    }
    return 0;
}

/* Every listed member must be on the roster: a typo must not silently leave
 * someone without credit. Returns 0, or prints why and returns -1. */
static int check_roster(struct cli_session *ps)
{
    if (ps->n_members == 0) return 0;
    struct rec_member *roster = NULL;
    size_t count = 0;
    int ret = rec_members_list(ps->rec, &roster, &count);
    if (ret < 0) {
        fprintf(stderr, "studycast play: cannot read the roster: %s\n", rec_strerror(ret));
        return -1;
    }
    int missing = 0;
    for (size_t i = 0; i < ps->n_members; i++) {
        bool found = false;
        for (size_t j = 0; j < count && !found; j++)
            found = strcmp(roster[j].number, ps->members[i]) == 0;
        if (!found) {
            fprintf(stderr,
                    "studycast play: member %s is not on the roster "
                    "(studycast members list shows it)\n",
                    ps->members[i]);
            missing++;
        }
    }
    rec_members_free(roster, count);
    return missing ? -1 : 0;
}

int cli_session_prepare(const struct cli_session_opts *opts, struct sc_log *log,
                        struct cli_session **out)
{
    *out = NULL;
    struct cli_session *ps = calloc(1, sizeof(*ps));
    if (!ps) {
        fprintf(stderr, "studycast play: out of memory\n");
        return 1;
    }
    ps->log = log;
    ps->signal = true;
    if (sc_text_has_control(opts->title)) {
        fprintf(stderr, "studycast play: --session TITLE cannot contain control characters\n");
        free(ps);
        return 2;
    }
    if (!*opts->title || strlen(opts->title) > REC_COURSE_MAX) {
        fprintf(stderr,
                "studycast play: --session TITLE must be 1 to %d bytes; nothing was played or "
                "recorded\n",
                REC_COURSE_MAX);
        free(ps);
        return 2;
    }
    ps->title = strdup(opts->title);
    int ret = ps->title ? split_members(ps, opts->members) : -ENOMEM;
    if (ret == -EEXIST || ret == -E2BIG) {
        fprintf(stderr, "studycast play: --members lists a member twice or more than %d\n",
                MAX_MEMBERS);
        cli_session_finish(ps, false);
        return 2;
    }
    if (ret < 0) {
        fprintf(stderr, "studycast play: out of memory\n");
        cli_session_finish(ps, false);
        return 1;
    }
    struct rec_options ro = {.data_dir = opts->data_dir, .heartbeat_ms = opts->heartbeat_ms};
    ret = rec_open(&ro, log, &ps->rec);
    if (ret < 0) {
        fprintf(stderr, "studycast play: cannot open the study record in %s: %s\n",
                opts->data_dir ? opts->data_dir : REC_DEFAULT_DATA_DIR, rec_strerror(ret));
        cli_session_finish(ps, false);
        return 1;
    }
    if (check_roster(ps) < 0) {
        cli_session_finish(ps, false);
        return 2;
    }
    struct snap_opts so = {.interval_ns = (int64_t)opts->snapshot_s * 1000000000,
                           .wakeup = opts->wakeup,
                           .wakeup_opaque = opts->wakeup_opaque,
                           .log = log};
    if (snap_create(&so, &ps->snap) < 0) {
        fprintf(stderr, "studycast play: cannot start the snapshot worker\n");
        cli_session_finish(ps, false);
        return 1;
    }
    *out = ps;
    return 0;
}

static void open_session(struct cli_session *ps)
{
    ps->opened = true;
    int ret = rec_session_open(ps->rec, ps->title, ps->members, ps->n_members, &ps->session);
    if (ret < 0) {
        ps->session = NULL;
        note_failure(ps, "cannot open the study session", ret);
        return;
    }
    SC_INFO(ps->log, "study session %s opened: %s", rec_session_id(ps->session), ps->title);
    if (!ps->signal)
        note_failure(ps, "recording the signal", rec_session_signal(ps->session, false));
    note_failure(ps, "recording playback", rec_session_playback(ps->session, REC_PLAYBACK_STARTED));
}

void cli_session_presented(struct cli_session *ps, const struct player_picture *picture)
{
    if (!ps) return;
    if (!ps->opened) open_session(ps);
    if (ps->session) snap_presented(ps->snap, picture);
}

/* The snapshots the worker finished, handed to the record (its writer
 * thread stores the file, then the event). */
static void store_snapshots(struct cli_session *ps)
{
    struct snap_result r;
    while (snap_take(ps->snap, &r)) {
        int64_t began = sc_mono_ns();
        if (ps->session) note_failure(ps, "recording a snapshot", snap_record(ps->session, &r));
        SC_DEBUG(ps->log, "%s snapshot handed to the record in %.1f ms", snap_kind_name(r.kind),
                 (double)(sc_mono_ns() - began) / 1e6);
        snap_result_free(&r);
    }
}

void cli_session_paused(struct cli_session *ps, bool paused)
{
    if (!ps || ps->paused == paused) return;
    ps->paused = paused;
    if (ps->session)
        note_failure(
            ps, "recording the pause",
            rec_session_playback(ps->session, paused ? REC_PLAYBACK_PAUSED : REC_PLAYBACK_RESUMED));
}

void cli_session_signal(struct cli_session *ps, bool present, int64_t lost_since_ns)
{
    if (!ps || ps->signal == present) return;
    ps->signal = present;
    if (!ps->session) return;
    if (present || lost_since_ns <= 0)
        note_failure(ps, "recording the signal", rec_session_signal(ps->session, present));
    else /* declared outage_ms after the last data: it began then */
        note_failure(ps, "recording the outage",
                     rec_session_signal_lost_since(ps->session, lost_since_ns));
}

int64_t cli_session_tick(struct cli_session *ps)
{
    if (!ps || !ps->session) return INT64_MAX;
    store_snapshots(ps);
    int ret = rec_session_tick(ps->session);
    note_failure(ps, "recording the heartbeat", ret);
    return rec_session_next_tick_ns(ps->session);
}

const char *cli_session_take_problem(struct cli_session *ps)
{
    if (!ps) return NULL;
    const char *problem = ps->problem;
    ps->problem = NULL;
    return problem;
}

int cli_session_finish(struct cli_session *ps, bool complete)
{
    if (!ps) return 0;
    if (ps->session) {
        snap_finish(ps->snap); /* the last picture shown, before the close */
        store_snapshots(ps);
        note_failure(ps, "recording the end of playback",
                     rec_session_playback(ps->session, REC_PLAYBACK_STOPPED));
        const char *id = rec_session_id(ps->session);
        SC_INFO(ps->log, "study session %s closed (%s)", id, complete ? "complete" : "interrupted");
        int ret =
            rec_session_close(ps->session, complete ? REC_CLOSE_COMPLETE : REC_CLOSE_INTERRUPTED);
        if (ret < 0)
            fprintf(stderr,
                    "studycast play: closing the study session failed: %s "
                    "(it will be closed as interrupted next time)\n",
                    rec_strerror(ret));
        if (ret < 0 && !ps->failed[0]) snprintf(ps->failed, sizeof(ps->failed), "closing");
    }
    int status = 0;
    if (ps->failed[0]) {
        fprintf(stderr, "studycast play: the study session was not %s (%s)\n",
                ps->session ? "recorded in full" : "recorded", ps->failed);
        status = -1;
    }
    snap_destroy(ps->snap);
    rec_close(ps->rec);
    free(ps->title);
    free(ps->member_list);
    free(ps);
    return status;
}
