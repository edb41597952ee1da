/* The subcommand table: one line per command, implemented in cmd_<name>.c. */
#include "commands.h"

const struct studycast_command studycast_commands[] = {
    {"play", "play a stream (file, '-', udp://, rtp://, http://); no SOURCE: the demo", cmd_play},
    {"bench", "decode a stream as fast as possible and report the speed", cmd_bench},
    {"schedule", "plan courses: add, list, remove", cmd_schedule},
    {NULL, NULL, NULL},
};
