/* studycast kiosk (and plain `studycast`): the station's main job. Scheduled
 * courses start by themselves, members check in, the session is recorded.
 * Exit status: 0 stopped (SIGTERM/SIGINT, window closed), 1 cannot run (no
 * display, record or schedule unusable, socket taken), 2 bad arguments. */
#include "kiosk/cli/cli.h"
#include "kiosk/station/station.h"
#include "kiosk/cli/stop_signals.h"

#include <stdio.h>
#include <stddef.h>
#include <string.h>

struct kiosk_args {
    struct st_station_opts station;
    struct cli_size window;
    struct cli_strings inputs;
    int language;
};

static const char *const languages[] = {"zh_CN", "en", NULL};

#define O(field) offsetof(struct kiosk_args, station.field)
static const struct cli_option options[] = {
    {"data-dir", 0, CLI_STRING, O(data_dir), .metavar = "DIR",
     .help = "record, schedule and course library (default /var/lib/studycast;\n"
             "the demo uses DIR/demo)"},
    {"ipc", 0, CLI_STRING, O(ipc_path), .metavar = "PATH",
     .help = "serve the control socket (studycast ctl --ipc PATH status|press X)"},
    {"window", 0, CLI_SIZE, offsetof(struct kiosk_args, window), 16, 16384, .metavar = "WxH",
     .help = "a window of that size instead of fullscreen"},
    {"keymap", 0, CLI_STRING, O(keymap), .metavar = "FILE",
     .help = "key bindings (default /etc/studycast/keymap.conf if present)"},
    {"input", 0, CLI_STRINGS, offsetof(struct kiosk_args, inputs), .metavar = "PATH",
     .help = "read keys from this event device, FIFO or file of raw input_event\n"
             "records instead of the devices in /dev/input"},
    {"input-dir", 0, CLI_STRING, O(input_dir), .metavar = "DIR",
     .help = "watch DIR for event* devices instead of /dev/input (with --input:\n"
             "both)"},
    {"card-readers", 0, CLI_STRING, O(card_readers), .metavar = "LIST",
     .help = "input devices that are card readers: name substrings or vvvv:pppp\n"
             "(USB vendor:product), comma-separated; default card,rfid,barcode"},
    {"no-audio", 0, CLI_FLAG, O(no_audio), .help = "no sound"},
    {"no-cec", 0, CLI_FLAG, O(no_cec),
     .help = "leave the TV alone: no HDMI-CEC (waking it, standby, its remote)"},
    {"lead-minutes", 0, CLI_INT, O(lead_minutes), 0, 60, .def = -1, .def_str = "2", .metavar = "N",
     .help = "tune N minutes before a live course"},
    {"source", 0, CLI_STRING, O(source), .metavar = "URL",
     .help = "the station's broadcast stream for service:N courses"},
    {"demo", 0, CLI_FLAG, O(demo), .help = "run the demo even if the station has a schedule"},
    {"language", 0, CLI_CHOICE, offsetof(struct kiosk_args, language), .choices = languages,
     .def = -1, .def_str = "zh_CN", .metavar = "L", .help = "the screens' language"},
    {"sync-every", 0, CLI_INT, O(sync_every_s), 1, 86400, .def = 300, .def_str = "300",
     .metavar = "S",
     .help = "with a county server set, sync the record every S seconds (and after\n"
             "each session)"},
    {"media-dir", 0, CLI_STRING, O(media_dir), .metavar = "DIR",
     .help = "each subdirectory of DIR counts as a mounted USB stick (tests,\n"
             "receivers that mount sticks elsewhere than /media, /run/media, /mnt)"},
    {"snapshot-interval", 0, CLI_INT, O(snapshot_interval_s), 1, 86400, .def_str = "1800",
     .metavar = "S",
     .help = "seconds between a session's snapshots of the picture (proof of\n"
             "viewing; the first and the last are always taken)"},
    {NULL},
};
#undef O

static const struct cli_spec spec = {
    .prog = "studycast kiosk",
    .usage = "[kiosk] [OPTIONS]",
    .about = "Runs the study station: courses start at their scheduled time, members check in\n"
             "with the remote (arrows/OK, their number, or a card reader), the session is\n"
             "recorded. With no schedule and no tuner it runs the demo (a course a minute from "
             "now).\n",
    .epilog = "Without a display: xvfb-run -a studycast, or headless\n"
              "  SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy studycast kiosk --ipc /tmp/sc.sock\n",
    .options = options,
};

int cli_kiosk(int argc, char **argv, struct sc_log *log)
{
    struct kiosk_args args = {.station = {.log = log}};
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &args, &pos);
    if (rc != 0) return cli_status(rc);
    struct st_station_opts opts = args.station;
    opts.start_ns = process_start_mono_ns(sc_mono_ns());
    opts.windowed = args.window.w > 0;
    opts.width = args.window.w;
    opts.height = args.window.h;
    if (args.language >= 0) opts.language = languages[args.language];
    opts.inputs = args.inputs.items;
    opts.n_inputs = args.inputs.count;
    struct cli_stop_signals signals;
    if (cli_stop_signals_start(&signals, st_station_stop) < 0) {
        fprintf(stderr, "studycast: cannot set up signal handling\n");
        return 1;
    }
    struct st_station *station = NULL;
    rc = st_station_create(&opts, &station);
    if (rc < 0) {
        fprintf(stderr, "studycast: the kiosk cannot start (%s); see the messages above\n",
                strerror(-rc));
        cli_stop_signals_finish(&signals);
        return 1;
    }
    cli_stop_signals_set_opaque(&signals, station);
    if (atomic_load(&signals.stop)) st_station_stop(station); /* arrived during start-up */
    rc = st_station_run(station);
    cli_stop_signals_finish(&signals);
    st_station_destroy(station);
    return rc < 0 ? 1 : 0;
}
