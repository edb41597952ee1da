/* The studycast subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand name) and the process's root logger, and returns
 * the process exit status. Called on the main thread only. */
#ifndef STUDYCAST_KIOSK_CLI_H
#define STUDYCAST_KIOSK_CLI_H

#include "base/base.h"

struct studycast_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv, struct sc_log *log);
};

/* NULL-terminated table, in the order `studycast --help` lists them. */
extern const struct studycast_command studycast_commands[];

int cmd_kiosk(int argc, char **argv, struct sc_log *log);
int cmd_play(int argc, char **argv, struct sc_log *log);
int cmd_bench(int argc, char **argv, struct sc_log *log);
int cmd_schedule(int argc, char **argv, struct sc_log *log);
int cmd_ctl(int argc, char **argv, struct sc_log *log);
int cmd_record(int argc, char **argv, struct sc_log *log);
int cmd_members(int argc, char **argv, struct sc_log *log);
int cmd_verify(int argc, char **argv, struct sc_log *log);
int cmd_probe(int argc, char **argv, struct sc_log *log);
int cmd_pin(int argc, char **argv, struct sc_log *log);

#endif
