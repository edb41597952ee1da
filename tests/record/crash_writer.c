/* crash_writer DATA_DIR HEARTBEAT_MS: records one study session for ever on
 * the real clocks (playback, pauses, outages, check-ins and heartbeats),
 * writing "SEQ TYPE MONO_NS SESSION" to stdout after each call returns, i.e.
 * once the event is durable. The crash test SIGKILLs it at random instants. */
#include "kiosk/record/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void report(struct rec *rec, struct rec_session *s, const char *type)
{
    char line[160];
    int n = snprintf(line, sizeof(line), "%" PRId64 " %s %" PRId64 " %s\n",
                     rec_last_recorded_seq(rec), type, sc_mono_ns(), s ? rec_session_id(s) : "-");
    if (write(STDOUT_FILENO, line, (size_t)n) != n) _exit(3);
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
    report(rec, NULL, "opened");
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
    report(rec, s, "member_checked_in"); /* the open ends with the check-ins */
    check(rec_session_playback(s, REC_PLAYBACK_STARTED), "start");
    report(rec, s, "playback_started");
    unsigned seed = (unsigned)getpid();
    bool paused = false, outage = false, present3 = false;
    for (;;) {
        if (check(rec_session_tick(s), "tick") == 1) report(rec, s, "heartbeat");
        switch (rand_r(&seed) % 40) {
        case 0:
            check(rec_session_playback(s, paused ? REC_PLAYBACK_RESUMED : REC_PLAYBACK_PAUSED),
                  "pause");
            report(rec, s, paused ? "playback_resumed" : "playback_paused");
            paused = !paused;
            break;
        case 1:
            check(rec_session_signal(s, outage), "signal");
            report(rec, s, outage ? "signal_back" : "signal_lost");
            outage = !outage;
            break;
        case 2:
            check(present3 ? rec_session_check_out(s, "003") : rec_session_check_in(s, "003"),
                  "member");
            report(rec, s, present3 ? "member_checked_out" : "member_checked_in");
            present3 = !present3;
            break;
        default:
            break;
        }
        struct timespec nap = {0, 2000000}; /* 2 ms: the loop's wake-up */
        nanosleep(&nap, NULL);
    }
}
