/* crash_writer DATA_DIR HEARTBEAT_MS: records one study session for ever on
 * the real clocks (playback, pauses, outages, check-ins and heartbeats). The
 * calls only queue their events; whenever the record says more of them are
 * durable (rec_durability), it writes "SEQ TYPE MONO_NS SESSION" to stdout
 * for each, in the order they were queued (SEQ is known for the last one of
 * a batch, 0 for the others). The crash test SIGKILLs it at random instants
 * and checks that every event reported durable is in the record. */
#include "kiosk/record/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void write_line(int64_t seq, const char *type, const char *session)
{
    char line[160];
    int n = snprintf(line, sizeof(line), "%" PRId64 " %s %" PRId64 " %s\n", seq, type, sc_mono_ns(),
                     session);
    if (write(STDOUT_FILENO, line, (size_t)n) != n) _exit(3);
}

/* The types of the events queued so far, in order (1-based as the record
 * counts them), and how many were reported durable. */
struct queued {
    const char *types[1 << 16];
    uint64_t n, reported;
};

/* Notes the call's event(s) as queued, then reports what became durable. */
static void report(struct rec *rec, struct rec_session *s, const char *type, struct queued *q)
{
    struct rec_durability d;
    rec_durability(rec, &d);
    while (s && q->n < d.queued && q->n + 1 < sizeof(q->types) / sizeof(q->types[0]))
        q->types[++q->n] = type;
    if (!s) {
        write_line(rec_last_recorded_seq(rec), type, "-");
        return;
    }
    if (d.done > q->n) _exit(4); /* the record counts events this program did not queue */
    for (uint64_t i = q->reported + 1; i <= d.done; i++)
        write_line(i == d.done ? d.last_seq : 0, q->types[i], rec_session_id(s));
    q->reported = d.done;
}

static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "crash_writer: %s: %s\n", what, rec_strerror(rc));
        _exit(2);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    struct rec_options o = {.data_dir = argv[1], .heartbeat_ms = atoi(argv[2])};
    struct rec *rec = NULL;
    check(rec_open(&o, NULL, &rec), "open");
    static struct queued q;
    report(rec, NULL, "opened", &q);
    FILE *roster = NULL;
    char path[4096];
    snprintf(path, sizeof(path), "%s/roster.csv", argv[1]);
    if (access(path, F_OK) != 0) {
        roster = fopen(path, "w");
        if (!roster) return 2;
        fputs("number,name,category,card\n001,甲,党员,\n002,乙,干部,\n003,丙,群众,\n", roster);
        fclose(roster);
    }
    struct rec_import_result result;
    check(rec_members_import(rec, path, 0, &result), "import");
    rec_import_result_free(&result);
    const char *present[] = {"001", "002"};
    struct rec_session *s = NULL;
    check(rec_session_open(rec, "断电测试", present, 2, &s), "session");
    q.types[1] = "session_opened"; /* then the two check-ins */
    q.n = 1;
    report(rec, s, "member_checked_in", &q);
    check(rec_session_playback(s, REC_PLAYBACK_STARTED), "start");
    report(rec, s, "playback_started", &q);
    unsigned seed = (unsigned)getpid();
    bool paused = false, outage = false, present3 = false;
    for (;;) {
        if (check(rec_session_tick(s), "tick") == 1) report(rec, s, "heartbeat", &q);
        switch (rand_r(&seed) % 40) {
        case 0:
            check(rec_session_playback(s, paused ? REC_PLAYBACK_RESUMED : REC_PLAYBACK_PAUSED),
                  "pause");
            report(rec, s, paused ? "playback_resumed" : "playback_paused", &q);
            paused = !paused;
            break;
        case 1:
            check(rec_session_signal(s, outage), "signal");
            report(rec, s, outage ? "signal_back" : "signal_lost", &q);
            outage = !outage;
            break;
        case 2:
            check(present3 ? rec_session_check_out(s, "003") : rec_session_check_in(s, "003"),
                  "member");
            report(rec, s, present3 ? "member_checked_out" : "member_checked_in", &q);
            present3 = !present3;
            break;
        default:
            report(rec, s, "none", &q); /* nothing queued: what became durable */
            break;
        }
        struct timespec nap = {0, 2000000}; /* 2 ms: the loop's wake-up */
        nanosleep(&nap, NULL);
    }
}
