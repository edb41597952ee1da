/* studycast kiosk (and plain `studycast`): the station's main job. Scheduled
 * courses start by themselves, members check in, the session is recorded.
 * Exit status: 0 stopped (SIGTERM/SIGINT, window closed), 1 cannot run (no
 * display, record or schedule unusable, socket taken), 2 bad arguments. */
#include "kiosk/cli/cli.h"
#include "kiosk/station/station.h"
#include "kiosk/cli/stop_signals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: studycast [kiosk] [OPTIONS]\n"
    "Runs the study station: courses start at their scheduled time, members check in\n"
    "with the remote (arrows/OK, their number, or a card reader), the session is\n"
    "recorded. With no schedule and no tuner it runs the demo (a course a minute from now).\n\n"
    "  --data-dir DIR      record, schedule and course library (default /var/lib/studycast;\n"
    "                      the demo uses DIR/demo)\n"
    "  --ipc PATH          serve the control socket (studycast ctl --ipc PATH status|press X)\n"
    "  --window WxH        a window of that size instead of fullscreen\n"
    "  --keymap FILE       key bindings (default /etc/studycast/keymap.conf if present)\n"
    "  --no-audio          no sound\n"
    "  --lead-minutes N    tune N minutes before a live course (0-60, default 2)\n"
    "  --source URL        the station's broadcast stream for service:N courses\n"
    "  --demo              run the demo even if the station has a schedule\n"
    "  --language L        zh_CN (default) or en\n"
    "  --media-dir DIR     each subdirectory of DIR counts as a mounted USB stick (tests,\n"
    "                      receivers that mount sticks elsewhere than /media, /run/media, /mnt)\n\n"
    "Without a display: xvfb-run -a studycast, or headless\n"
    "  SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy studycast kiosk --ipc /tmp/sc.sock\n";

static int parse_int(const char *text, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return -1;
    *out = (int)v;
    return 0;
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "studycast kiosk: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'studycast kiosk --help')\n");
    return 2;
}

static int parse_args(int argc, char **argv, struct sc_station_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(arg, "--no-audio") == 0) {
            o->no_audio = true;
            continue;
        } else if (strcmp(arg, "--demo") == 0) {
            o->demo = true;
            continue;
        } else if (strncmp(arg, "--", 2) != 0) {
            return -bad("unexpected argument '%s'", arg);
        } else if (!val) {
            return -bad("%s needs a value", arg);
        } else if (strcmp(arg, "--data-dir") == 0) {
            o->data_dir = val;
        } else if (strcmp(arg, "--ipc") == 0) {
            o->ipc_path = val;
        } else if (strcmp(arg, "--keymap") == 0) {
            o->keymap = val;
        } else if (strcmp(arg, "--source") == 0) {
            o->source = val;
        } else if (strcmp(arg, "--media-dir") == 0) {
            o->media_dir = val;
        } else if (strcmp(arg, "--window") == 0) {
            char extra;
            if (sscanf(val, "%dx%d%c", &o->width, &o->height, &extra) != 2 || o->width < 16 ||
                o->height < 16 || o->width > 16384 || o->height > 16384)
                return -bad("--window wants WxH, e.g. 1280x720 (not '%s')", val);
            o->windowed = true;
        } else if (strcmp(arg, "--lead-minutes") == 0) {
            if (parse_int(val, 0, 60, &o->lead_minutes) < 0)
                return -bad("--lead-minutes wants 0 to 60 (not '%s')", val);
        } else if (strcmp(arg, "--language") == 0) {
            if (strcmp(val, "zh_CN") != 0 && strcmp(val, "en") != 0)
                return -bad("--language wants zh_CN or en (not '%s')", val);
            o->language = val;
        } else {
            return -bad("unknown option '%s'", arg);
        }
        i++;
    }
    return 0;
}

int cmd_kiosk(int argc, char **argv, struct sc_log *log)
{
    struct sc_station_opts opts = {.lead_minutes = -1, .log = log};
    opts.start_ns = process_start_mono_ns(sc_mono_ns());
    int rc = parse_args(argc, argv, &opts);
    if (rc != 0) return rc > 0 ? 0 : 2;
    struct stop_signals signals;
    if (stop_signals_start(&signals, sc_station_stop) < 0) {
        fprintf(stderr, "studycast: cannot set up signal handling\n");
        return 1;
    }
    struct sc_station *station = NULL;
    rc = sc_station_create(&opts, &station);
    if (rc < 0) {
        fprintf(stderr, "studycast: the kiosk cannot start (%s); see the messages above\n",
                strerror(-rc));
        stop_signals_finish(&signals);
        return 1;
    }
    stop_signals_set_opaque(&signals, station);
    if (atomic_load(&signals.stop)) sc_station_stop(station); /* arrived during start-up */
    rc = sc_station_run(station);
    stop_signals_finish(&signals);
    sc_station_destroy(station);
    return rc < 0 ? 1 : 0;
}
