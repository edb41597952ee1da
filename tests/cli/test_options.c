/* The CLI option tables: every type, ranges, defaults, unknown options,
 * missing values, repeatable options, choices, sub-commands and --help. */
#include "kiosk/cli/cli.h"
#include "tests/test.h"

#include <errno.h>
#include <unistd.h>

struct demo_args {
    bool json;
    int volume, service, mode;
    double duration;
    const char *title, *dir;
    struct cli_strings members;
    struct cli_size window;
};

static const char *const modes[] = {"field", "frame", "off", NULL};

static const struct cli_option demo_options[] = {
    {"json", 'j', CLI_FLAG, offsetof(struct demo_args, json), .help = "JSON out"},
    {"volume", 0, CLI_INT, offsetof(struct demo_args, volume), 0, 100, .def = 100, .metavar = "N",
     .help = "the volume"},
    {"service", 's', CLI_INT, offsetof(struct demo_args, service), 0, 65535, .def = -1,
     .def_str = "the first with video", .metavar = "N", .help = "the program"},
    {"duration", 0, CLI_DOUBLE, offsetof(struct demo_args, duration), 0.001, 86400, .def = 10,
     .metavar = "S", .help = "seconds\nto read"},
    {"mode", 0, CLI_CHOICE, offsetof(struct demo_args, mode), .choices = modes, .def = -1,
     .metavar = "MODE", .help = "deinterlacing"},
    {"title", 0, CLI_STRING, offsetof(struct demo_args, title), 1, .metavar = "T",
     .help = "the course"},
    {"data-dir", 0, CLI_STRING, offsetof(struct demo_args, dir), .def_str = "/var/lib/x",
     .metavar = "DIR", .help = "data"},
    {"member", 0, CLI_STRINGS, offsetof(struct demo_args, members), .metavar = "N",
     .help = "a member present"},
    {"window", 0, CLI_SIZE, offsetof(struct demo_args, window), 16, 16384, .metavar = "WxH",
     .help = "a window"},
    {NULL},
};

static const struct cli_spec demo = {
    .prog = "studycast demo",
    .usage = "demo [SOURCE] [OPTIONS]",
    .about = "Demonstrates.\n",
    .epilog = "exit status: 0 fine\n",
    .options = demo_options,
    .max_args = 1,
    .args_name = "SOURCE",
};

/* Parses a NULL-terminated argument list; *err gets what went to stderr. */
static int parse_argv(const struct cli_spec *spec, const char **list, struct demo_args *a,
                      struct cli_args *pos, char *err, size_t size)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = "demo";
    while (*list)
        argv[argc++] = (char *)*list++;
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *capture = tmpfile();
    ASSERT_NOT_NULL(capture);
    dup2(fileno(capture), STDERR_FILENO);
    int rc = cli_parse(spec, argc, argv, a, pos);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(capture);
    size_t n = fread(err, 1, size - 1, capture);
    err[n] = '\0';
    fclose(capture);
    return rc;
}

#define PARSE(rc_want, ...)                                                                        \
    do {                                                                                           \
        const char *list_[] = {__VA_ARGS__, NULL};                                                 \
        memset(&a, 0x5a, sizeof(a));                                                               \
        ASSERT_EQ(parse_argv(&demo, list_, &a, &pos, err, sizeof(err)), rc_want);                  \
    } while (0)

#define ASSERT_HAS(text, part)                                                                     \
    do {                                                                                           \
        if (!strstr(text, part)) TEST_FAIL("'%s' lacks '%s'", text, part);                         \
    } while (0)

static void defaults_and_types(void)
{
    struct demo_args a;
    struct cli_args pos;
    char err[1024];
    PARSE(0, "file.ts");
    ASSERT_FALSE(a.json);
    ASSERT_EQ(a.volume, 100);
    ASSERT_EQ(a.service, -1);
    ASSERT_NEAR(a.duration, 10, 0);
    ASSERT_EQ(a.mode, -1);
    ASSERT_TRUE(a.title == NULL);
    ASSERT_STR_EQ(a.dir, "/var/lib/x");
    ASSERT_EQ(a.members.count, 0);
    ASSERT_EQ(a.window.w, 0);
    ASSERT_EQ(pos.count, 1);
    ASSERT_STR_EQ(pos.v[0], "file.ts");
    ASSERT_STR_EQ(err, "");

    PARSE(0, "-j", "--volume", "0", "-s", "65535", "--duration=2.5", "--mode", "off", "--title",
          "农业", "--data-dir=/d", "--window", "1280x720", "--", "--x");
    ASSERT_TRUE(a.json);
    ASSERT_EQ(a.volume, 0);
    ASSERT_EQ(a.service, 65535);
    ASSERT_NEAR(a.duration, 2.5, 0);
    ASSERT_EQ(a.mode, 2);
    ASSERT_STR_EQ(a.title, "农业");
    ASSERT_STR_EQ(a.dir, "/d");
    ASSERT_EQ(a.window.w, 1280);
    ASSERT_EQ(a.window.h, 720);
    ASSERT_EQ(pos.count, 1);
    ASSERT_STR_EQ(pos.v[0], "--x"); /* after "--", an argument */
    PARSE(0, "-");
    ASSERT_STR_EQ(pos.v[0], "-"); /* standard input, not an option */
}

static void ranges_and_syntax(void)
{
    struct demo_args a;
    struct cli_args pos;
    char err[1024];
    PARSE(-EINVAL, "--volume", "101");
    ASSERT_HAS(err, "studycast demo: --volume: 101 is out of range 0..100");
    ASSERT_HAS(err, "usage: studycast demo [SOURCE] [OPTIONS]");
    PARSE(-EINVAL, "--volume", "9x");
    ASSERT_HAS(err, "--volume: '9x' is not a whole number");
    PARSE(-EINVAL, "--volume", "99999999999999999999");
    ASSERT_HAS(err, "out of range 0..100");
    PARSE(-EINVAL, "--duration", "0");
    ASSERT_HAS(err, "--duration: 0 is out of range 0.001..86400");
    PARSE(-EINVAL, "--duration", "nan");
    ASSERT_HAS(err, "--duration: 'nan' is not a number");
    PARSE(-EINVAL, "--window", "12x");
    ASSERT_HAS(err, "studycast demo: --window: '12x' is not WIDTHxHEIGHT");
    PARSE(-EINVAL, "--window", "10x720");
    ASSERT_HAS(err, "--window: 10x720 is out of range 16x16..16384x16384");
    PARSE(-EINVAL, "--title", "");
    ASSERT_HAS(err, "--title: the value is empty");
    PARSE(-EINVAL, "--json=yes");
    ASSERT_HAS(err, "--json takes no value");
}

static void unknown_missing_unexpected(void)
{
    struct demo_args a;
    struct cli_args pos;
    char err[1024];
    PARSE(-EINVAL, "--colour", "red");
    ASSERT_HAS(err, "unknown option '--colour'");
    PARSE(-EINVAL, "-x");
    ASSERT_HAS(err, "unknown option '-x'");
    PARSE(-EINVAL, "--volumes", "3"); /* a prefix is not a match */
    ASSERT_HAS(err, "unknown option '--volumes'");
    PARSE(-EINVAL, "--title");
    ASSERT_HAS(err, "--title: missing value");
    PARSE(-EINVAL, "--title", "--json"); /* a forgotten value, not a title */
    ASSERT_HAS(err, "--title: missing value");
    PARSE(0, "--title=--json");
    ASSERT_STR_EQ(a.title, "--json");
    ASSERT_FALSE(a.json);
    PARSE(-EINVAL, "a.ts", "b.ts");
    ASSERT_HAS(err, "unexpected argument 'b.ts'");
}

static void repeatable_and_choices(void)
{
    struct demo_args a;
    struct cli_args pos;
    char err[1024];
    PARSE(0, "--member", "001", "--member=002", "--member", "003");
    ASSERT_EQ(a.members.count, 3);
    ASSERT_STR_EQ(a.members.items[0], "001");
    ASSERT_STR_EQ(a.members.items[1], "002");
    ASSERT_STR_EQ(a.members.items[2], "003");
    const char *many[2 * CLI_MAX_REPEAT + 3];
    for (int i = 0; i < CLI_MAX_REPEAT + 1; i++) {
        many[2 * i] = "--member";
        many[2 * i + 1] = "7";
    }
    many[2 * CLI_MAX_REPEAT + 2] = NULL;
    memset(&a, 0, sizeof(a));
    ASSERT_EQ(parse_argv(&demo, many, &a, &pos, err, sizeof(err)), -EINVAL);
    ASSERT_HAS(err, "--member: at most 16 times");
    PARSE(0, "--mode", "field");
    ASSERT_EQ(a.mode, 0);
    PARSE(0, "--mode=frame");
    ASSERT_EQ(a.mode, 1);
    PARSE(-EINVAL, "--mode", "weave");
    ASSERT_HAS(err, "--mode: 'weave' is not one of field, frame, off");
}

static void required_and_minimum_args(void)
{
    static const struct cli_option options[] = {
        {"title", 0, CLI_STRING, offsetof(struct demo_args, title), .required = true,
         .metavar = "T", .help = "the course"},
        {NULL},
    };
    struct cli_spec spec = {.prog = "studycast demo",
                            .usage = "demo DIR --title T",
                            .options = options,
                            .min_args = 1,
                            .max_args = 1,
                            .args_name = "DIR"};
    struct demo_args a;
    struct cli_args pos;
    char err[1024];
    const char *no_title[] = {"d", NULL};
    ASSERT_EQ(parse_argv(&spec, no_title, &a, &pos, err, sizeof(err)), -EINVAL);
    ASSERT_HAS(err, "studycast demo: needs --title");
    const char *no_dir[] = {"--title", "t", NULL};
    ASSERT_EQ(parse_argv(&spec, no_dir, &a, &pos, err, sizeof(err)), -EINVAL);
    ASSERT_HAS(err, "needs DIR");
    const char *both[] = {"--title", "t", "d", NULL};
    ASSERT_EQ(parse_argv(&spec, both, &a, &pos, err, sizeof(err)), 0);
    ASSERT_STR_EQ(pos.v[0], "d");
    ASSERT_EQ(cli_status(-EINVAL), 2);
    ASSERT_EQ(cli_status(1), 0);
}

static void help_lists_every_option(void)
{
    FILE *out = tmpfile();
    ASSERT_NOT_NULL(out);
    cli_help(&demo, out);
    char text[4096];
    rewind(out);
    size_t n = fread(text, 1, sizeof(text) - 1, out);
    text[n] = '\0';
    fclose(out);
    ASSERT_HAS(text, "usage: studycast demo [SOURCE] [OPTIONS]\nDemonstrates.\n");
    for (const struct cli_option *o = demo_options; o->name; o++) {
        char name[64];
        snprintf(name, sizeof(name), "--%s", o->name);
        ASSERT_HAS(text, name);
        if (!strchr(o->help, '\n')) ASSERT_HAS(text, o->help);
    }
    ASSERT_HAS(text, "-j, --json");
    ASSERT_HAS(text, "--volume N");
    ASSERT_HAS(text, "(0..100; default 100)");
    ASSERT_HAS(text, "(0..65535; default the first with video)");
    ASSERT_HAS(text, "(field|frame|off)");
    ASSERT_HAS(text, "(default /var/lib/x)");
    ASSERT_HAS(text, "(repeatable)");
    ASSERT_HAS(text, "seconds\n                           to read (0.001..86400; default 10)");
    ASSERT_HAS(text, "-h, --help");
    ASSERT_HAS(text, "\nexit status: 0 fine\n");

    struct demo_args a;
    struct cli_args pos;
    char err[64];
    const char *help[] = {"--volume", "3", "-h", NULL};
    ASSERT_EQ(parse_argv(&demo, help, &a, &pos, err, sizeof(err)), 1);
}

static void groups(void)
{
    static const struct cli_option add_options[] = {
        {"title", 0, CLI_STRING, offsetof(struct demo_args, title), .metavar = "T",
         .help = "the course"},
        {NULL},
    };
    static const struct cli_option no_options[] = {{NULL}};
    static const struct cli_spec subs[] = {
        {"studycast g", "add", "g add --title T", .options = add_options},
        {"studycast g", "remove", "g remove ID", .options = no_options, 1, 1, "ID"},
        {NULL},
    };
    static const struct cli_group group = {"studycast g", "About g.\n", "Exit 0.\n", subs};
    struct demo_args a;
    struct cli_args pos;
    const struct cli_spec *sub = NULL;
    char *add[] = {"g", "add", "--title", "x"};
    ASSERT_EQ(cli_parse_group(&group, 4, add, &a, &pos, &sub), 0);
    ASSERT_STR_EQ(sub->name, "add");
    ASSERT_STR_EQ(a.title, "x");
    char *remove[] = {"g", "remove", "7"};
    ASSERT_EQ(cli_parse_group(&group, 3, remove, &a, &pos, &sub), 0);
    ASSERT_STR_EQ(sub->name, "remove");
    ASSERT_STR_EQ(pos.v[0], "7");
    FILE *out = tmpfile();
    cli_group_help(&group, out);
    char text[1024];
    rewind(out);
    text[fread(text, 1, sizeof(text) - 1, out)] = '\0';
    fclose(out);
    ASSERT_HAS(text, "usage: studycast g add --title T\n       studycast g remove ID\nAbout g.\n");
    ASSERT_HAS(text, "add options:\n  --title T");
    ASSERT_HAS(text, "Exit 0.\n");
}

int main(void)
{
    RUN_TEST(defaults_and_types);
    RUN_TEST(ranges_and_syntax);
    RUN_TEST(unknown_missing_unexpected);
    RUN_TEST(repeatable_and_choices);
    RUN_TEST(required_and_minimum_args);
    RUN_TEST(help_lists_every_option);
    RUN_TEST(groups);
    return 0;
}
