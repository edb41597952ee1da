/* The studycast subcommands and their option tables. Each takes the arguments after its name
 * (argv[0] is the subcommand name) and the process's root logger, and returns
 * the process exit status. Called on the main thread only. */
#ifndef STUDYCAST_KIOSK_CLI_H
#define STUDYCAST_KIOSK_CLI_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv, struct sc_log *log);
};

/* NULL-terminated table, in the order `studycast --help` lists them. */
extern const struct cli_command cli_commands[];

int cli_kiosk(int argc, char **argv, struct sc_log *log);
int cli_play(int argc, char **argv, struct sc_log *log);
int cli_bench(int argc, char **argv, struct sc_log *log);
int cli_schedule(int argc, char **argv, struct sc_log *log);
int cli_ctl(int argc, char **argv, struct sc_log *log);
int cli_record(int argc, char **argv, struct sc_log *log);
int cli_members(int argc, char **argv, struct sc_log *log);
int cli_verify(int argc, char **argv, struct sc_log *log);
int cli_probe(int argc, char **argv, struct sc_log *log);
int cli_pin(int argc, char **argv, struct sc_log *log);
int cli_sync(int argc, char **argv, struct sc_log *log);
int cli_county(int argc, char **argv, struct sc_log *log);

/* `studycast county SUB`: one row per sub-command (county_table.c), each run
 * with argv[0] the sub-command's name, like a command. */
struct cli_county_sub {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv, struct sc_log *log);
};
extern const struct cli_county_sub cli_county_subs[]; /* NULL-terminated */
int cli_county_init(int argc, char **argv, struct sc_log *log);
int cli_county_add_station(int argc, char **argv, struct sc_log *log);
int cli_county_import(int argc, char **argv, struct sc_log *log);
int cli_county_verify(int argc, char **argv, struct sc_log *log);
/* cmd_county_report.c: the inspector's side */
int cli_county_report(int argc, char **argv, struct sc_log *log);
int cli_county_stations(int argc, char **argv, struct sc_log *log);
int cli_county_subscribe(int argc, char **argv, struct sc_log *log);

/* ---- options: one const table per command, from which parsing, usage
 * errors and --help come (options.c; mpv's m_option in small). ---- */
enum cli_type {
    CLI_FLAG,    /* bool; no value */
    CLI_INT,     /* int in min..max */
    CLI_DOUBLE,  /* double in min..max, finite */
    CLI_STRING,  /* const char * into argv; min 1: must not be empty */
    CLI_STRINGS, /* struct cli_strings: repeatable, each use adds one */
    CLI_CHOICE,  /* int: the index of the value in choices */
    CLI_SIZE,    /* struct cli_size: WIDTHxHEIGHT, each side in min..max */
};

#define CLI_MAX_REPEAT 16
#define CLI_MAX_ARGS   4

struct cli_strings {
    const char *items[CLI_MAX_REPEAT];
    int count;
};

struct cli_size {
    int w, h; /* 0x0: not given */
};

struct cli_option {
    const char *name; /* without "--"; NULL ends a table */
    char short_name;  /* 0: none */
    enum cli_type type;
    size_t offset; /* offsetof() into the command's own args struct */
    double min, max;
    const char *const *choices; /* CLI_CHOICE: NULL-terminated */
    double def;                 /* default of CLI_INT, CLI_DOUBLE, CLI_CHOICE */
    /* CLI_STRING: its default; other types: what --help says the default is
     * (else def, when it lies in min..max: a default outside is "not given") */
    const char *def_str;
    bool required;
    const char *metavar;
    const char *help; /* '\n' continues on an indented line */
};

/* A command, or one sub-command of a group (`schedule add`). */
struct cli_spec {
    const char *prog;  /* "studycast schedule": the prefix of errors */
    const char *name;  /* the sub-command ("add"); NULL for a plain command */
    const char *usage; /* after "usage: studycast " */
    const char *about; /* --help: before the options; may be NULL */
    const char *epilog;
    const struct cli_option *options;
    int min_args, max_args; /* positional arguments, at most CLI_MAX_ARGS */
    const char *args_name;  /* "SOURCE": named when missing */
};

/* Sub-commands sharing one args struct; subs ends with {NULL}. */
struct cli_group {
    const char *prog;
    const char *about;
    const char *epilog;
    const struct cli_spec *subs;
};

struct cli_args {
    const char *v[CLI_MAX_ARGS];
    int count;
};

/* Sets the table's defaults in args, then parses argv[1..argc-1] into it
 * ("--name value", "--name=value", "-x value", "--" ends the options).
 * Returns 0; 1 if --help/-h was given and the help printed (exit 0); or
 * -EINVAL after printing a usage error to stderr (exit 2). */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *args, struct cli_args *pos);
/* As cli_parse, argv[1] naming the sub-command; *sub is set to it. */
int cli_parse_group(const struct cli_group *group, int argc, char **argv, void *args,
                    struct cli_args *pos, const struct cli_spec **sub);
/* The exit status for a cli_parse result that is not 0: 0 or 2. */
static inline int cli_status(int rc)
{
    return rc > 0 ? 0 : 2;
}
/* A usage error found after parsing: message, usage line, pointer to --help.
 * Returns 2, the exit status. */
int cli_error(const struct cli_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_help(const struct cli_spec *spec, FILE *out);
void cli_group_help(const struct cli_group *group, FILE *out);
/* What to tell the administrator when the study record's disk cannot be
 * written (code -EROFS or -ENOSPC): what is wrong, what to do, and which
 * commands still work (they open the record read-only). cmd_record.c. */
const char *cli_record_unwritable(int code);
/* Prints text padded (or cut) to `cells` terminal cells, CJK characters
 * taking two (cmd_record.c). */
void cli_print_cells(const char *text, int cells);
/* Decimal text to an integer in min..max: 0 or -EINVAL (-ERANGE outside). */
int cli_parse_long(const char *text, long long min, long long max, long long *out);

#endif
