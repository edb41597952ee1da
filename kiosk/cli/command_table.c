/* The subcommand table: one line per command, implemented in cmd_<name>.c. */
#include "kiosk/cli/cli.h"

const struct studycast_command studycast_commands[] = {
    {"kiosk", "the station: scheduled courses, roll-call, the record (default)", cmd_kiosk},
    {"play", "play a stream (file, '-', udp://, rtp://, http://); no SOURCE: the demo", cmd_play},
    {"bench", "decode a stream as fast as possible and report the speed", cmd_bench},
    {"schedule", "plan courses: add, list, remove", cmd_schedule},
    {"ctl", "control a running kiosk through its socket: status, press ACTION", cmd_ctl},
    {"record", "study record: report, export, settings, check", cmd_record},
    {"members", "the roster: import a CSV, list", cmd_members},
    {"verify", "check an exported record (signature, files, event chain)", cmd_verify},
    {"pin", "the administrator's PIN: set, status", cmd_pin},
    {"probe", "read a source and print its services, guide, time and statistics", cmd_probe},
    {NULL, NULL, NULL},
};
