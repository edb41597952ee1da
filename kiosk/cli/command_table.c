/* The subcommand table: one line per command, implemented in cmd_<name>.c. */
#include "kiosk/cli/cli.h"

const struct cli_command cli_commands[] = {
    {"kiosk", "the station: scheduled courses, roll-call, the record (default)", cli_kiosk},
    {"play", "play a stream (file, '-', udp://, rtp://, http://); no SOURCE: the demo", cli_play},
    {"bench", "decode a stream as fast as possible and report the speed", cli_bench},
    {"schedule", "plan courses: add, list, remove", cli_schedule},
    {"ctl", "control a running kiosk through its socket: status, press ACTION", cli_ctl},
    {"record", "study record: report, export, settings, check", cli_record},
    {"members", "the roster: import a CSV, list", cli_members},
    {"verify", "check an exported record (signature, files, event chain)", cli_verify},
    {"pin", "the administrator's PIN: set, status", cli_pin},
    {"sync", "upload the study record to the county's database", cli_sync},
    {"county", "the county's database: init, add-station, import, verify", cli_county},
    {"probe", "read a source and print its services, guide, time and statistics", cli_probe},
    {NULL, NULL, NULL},
};
