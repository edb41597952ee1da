/* The subcommand table: one line per command, implemented in cmd_<name>.c. */
#include "commands.h"

const struct studycast_command studycast_commands[] = {
    {"schedule", "plan courses: add, list, remove", cmd_schedule},
    {NULL, NULL, NULL},
};
