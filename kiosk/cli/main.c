/* studycast: the entry point. Dispatches git-style subcommands. */
#include "kiosk/cli/cli.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(FILE *out)
{
    fprintf(out, "usage: studycast [--log-level LEVEL] COMMAND [ARGS]\n\ncommands:\n");
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'studycast COMMAND --help' describes a command.\n");
}

static const struct cli_command *find_command(const char *name)
{
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

int main(int argc, char **argv)
{
    /* glibc raises its mmap threshold each time a large block is freed, up
     * to 32 MiB, after which the decoders' packet and table buffers come
     * from the threads' heaps, where freed pages stay resident: over a
     * two-hour course with outages the heaps crept up by megabytes. A fixed
     * threshold (glibc's initial one) maps and unmaps those blocks: a few
     * system calls a second, and memory that stays flat. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    enum sc_log_level level = SC_LOG_WARN;
    const char *env_level = getenv("STUDYCAST_LOG");
    if (env_level && sc_log_level_parse(env_level) >= 0)
        level = (enum sc_log_level)sc_log_level_parse(env_level);
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--log-level") == 0) {
        if (sc_log_level_parse(argv[2]) < 0) {
            fprintf(stderr, "studycast: unknown log level '%s'\n", argv[2]);
            return 2;
        }
        level = (enum sc_log_level)sc_log_level_parse(argv[2]);
        first = 3;
    }
    if (argc > first && (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0)) {
        print_usage(stdout);
        return 0;
    }
    if (argc > first && strcmp(argv[first], "--version") == 0) {
        printf("studycast %s\n", STUDYCAST_VERSION);
        return 0;
    }

    /* With no command the receiver does its main job; options without a
     * command ("studycast --data-dir D --ipc P") are the main job's. */
    const char *default_command = find_command("kiosk") ? "kiosk" : "play";
    char **cmd_argv = argv + first;
    int cmd_argc = argc - first;
    char **default_argv = NULL;
    if (argc == first || argv[first][0] == '-') {
        default_argv = calloc((size_t)(argc - first) + 2, sizeof(*default_argv));
        if (!default_argv) {
            fprintf(stderr, "studycast: out of memory\n");
            return 1;
        }
        default_argv[0] = (char *)default_command;
        for (int i = first; i < argc; i++)
            default_argv[i - first + 1] = argv[i];
        cmd_argv = default_argv;
        cmd_argc = argc - first + 1;
    }

    const struct cli_command *command = find_command(cmd_argv[0]);
    if (!command) {
        fprintf(stderr, "studycast: '%s' is not a command\n", cmd_argv[0]);
        print_usage(stderr);
        free(default_argv);
        return 2;
    }
    struct sc_log *log = sc_log_create(stderr, level);
    if (!log) {
        fprintf(stderr, "studycast: out of memory\n");
        free(default_argv);
        return 1;
    }
    int status = command->run(cmd_argc, cmd_argv, log);
    sc_log_destroy(log);
    free(default_argv);
    return status;
}
