/* The option tables of the subcommands: parsing, usage errors and --help,
 * all from one const table per command (see cli.h). */
#include "kiosk/cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_OPTIONS 64 /* per table; `required` is checked among these */

int cli_parse_long(const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end) return -EINVAL;
    if (errno || v < min || v > max) return -ERANGE;
    *out = v;
    return 0;
}

static void vreport(const struct cli_spec *spec, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", spec->prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: studycast %s\n(see '%s --help')\n", spec->usage, spec->prog);
}

int cli_error(const struct cli_spec *spec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(spec, fmt, ap);
    va_end(ap);
    return 2;
}

/* As cli_error, for the parser: returns -EINVAL. */
static int fail(const struct cli_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(const struct cli_spec *spec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(spec, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int parse_choice(const struct cli_spec *spec, const struct cli_option *o, const char *val,
                        int *out)
{
    for (int i = 0; o->choices[i]; i++) {
        if (strcmp(o->choices[i], val) == 0) {
            *out = i;
            return 0;
        }
    }
    char names[256] = "";
    for (int i = 0; o->choices[i]; i++)
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                 o->choices[i]);
    return fail(spec, "--%s: '%s' is not one of %s", o->name, val, names);
}

static int parse_size(const struct cli_spec *spec, const struct cli_option *o, const char *val,
                      struct cli_size *out)
{
    int w, h;
    char extra;
    if (sscanf(val, "%dx%d%c", &w, &h, &extra) != 2)
        return fail(spec, "--%s: '%s' is not WIDTHxHEIGHT", o->name, val);
    if (w < o->min || h < o->min || w > o->max || h > o->max)
        return fail(spec, "--%s: %dx%d is out of range %.0fx%.0f..%.0fx%.0f", o->name, w, h, o->min,
                    o->min, o->max, o->max);
    *out = (struct cli_size){w, h};
    return 0;
}

/* Stores one option's value (NULL for a flag) into args. */
static int store(const struct cli_spec *spec, const struct cli_option *o, const char *val,
                 void *args)
{
    void *slot = (char *)args + o->offset;
    long long n;
    char *end;
    switch (o->type) {
    case CLI_FLAG:
        *(bool *)slot = true;
        return 0;
    case CLI_INT: {
        int rc = cli_parse_long(val, (long long)o->min, (long long)o->max, &n);
        if (rc == -EINVAL) return fail(spec, "--%s: '%s' is not a whole number", o->name, val);
        if (rc)
            return fail(spec, "--%s: %s is out of range %.0f..%.0f", o->name, val, o->min, o->max);
        *(int *)slot = (int)n;
        return 0;
    }
    case CLI_DOUBLE: {
        double d = strtod(val, &end);
        if (end == val || *end || !isfinite(d))
            return fail(spec, "--%s: '%s' is not a number", o->name, val);
        if (d < o->min || d > o->max)
            return fail(spec, "--%s: %s is out of range %g..%g", o->name, val, o->min, o->max);
        *(double *)slot = d;
        return 0;
    }
    case CLI_STRING:
        if (o->min >= 1 && !*val) return fail(spec, "--%s: the value is empty", o->name);
        *(const char **)slot = val;
        return 0;
    case CLI_STRINGS: {
        struct cli_strings *list = slot;
        if (list->count == CLI_MAX_REPEAT)
            return fail(spec, "--%s: at most %d times", o->name, CLI_MAX_REPEAT);
        list->items[list->count++] = val;
        return 0;
    }
    case CLI_CHOICE:
        return parse_choice(spec, o, val, slot);
    case CLI_SIZE:
        return parse_size(spec, o, val, slot);
    }
    return -EINVAL;
}

static void set_defaults(const struct cli_option *table, void *args)
{
    for (const struct cli_option *o = table; o->name; o++) {
        void *slot = (char *)args + o->offset;
        switch (o->type) {
        case CLI_FLAG:
            *(bool *)slot = false;
            break;
        case CLI_INT:
        case CLI_CHOICE:
            *(int *)slot = (int)o->def;
            break;
        case CLI_DOUBLE:
            *(double *)slot = o->def;
            break;
        case CLI_STRING:
            *(const char **)slot = o->def_str;
            break;
        case CLI_STRINGS:
            ((struct cli_strings *)slot)->count = 0;
            break;
        case CLI_SIZE:
            *(struct cli_size *)slot = (struct cli_size){0, 0};
            break;
        }
    }
}

/* "--name", "--name=value" or "-x": the table entry, and the inline value. */
static const struct cli_option *lookup(const struct cli_option *table, const char *arg,
                                       const char **inline_val)
{
    *inline_val = NULL;
    for (const struct cli_option *o = table; o->name; o++) {
        if (arg[1] != '-') {
            if (o->short_name && arg[1] == o->short_name && !arg[2]) return o;
            continue;
        }
        size_t n = strlen(o->name);
        if (strncmp(arg + 2, o->name, n) != 0) continue;
        if (arg[2 + n] == '=') *inline_val = arg + 3 + n;
        if (arg[2 + n] == '=' || !arg[2 + n]) return o;
    }
    return NULL;
}

/* One option at argv[*i]; advances *i past a separate value. */
static int take_option(const struct cli_spec *spec, int argc, char **argv, int *i, void *args,
                       const struct cli_option **taken)
{
    const char *arg = argv[*i], *val;
    const struct cli_option *o = lookup(spec->options, arg, &val);
    if (!o) return fail(spec, "unknown option '%s'", arg);
    *taken = o;
    if (o->type == CLI_FLAG) {
        if (val) return fail(spec, "--%s takes no value", o->name);
        return store(spec, o, NULL, args);
    }
    if (!val) {
        /* "--title --start ..." is a forgotten value, not a title (one
         * starting with "--" is given as --title=--x) */
        if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
            return fail(spec, "--%s: missing value (needs a value: --%s %s)", o->name, o->name,
                        o->metavar ? o->metavar : "VALUE");
        val = argv[++*i];
    }
    return store(spec, o, val, args);
}

static int check_required(const struct cli_spec *spec, const bool *seen)
{
    int k = 0;
    for (const struct cli_option *o = spec->options; o->name; o++, k++)
        if (o->required && !seen[k]) return fail(spec, "needs --%s", o->name);
    return 0;
}

static int parse(const struct cli_spec *spec, const void *help_of, bool group, int argc,
                 char **argv, void *args, struct cli_args *pos)
{
    bool seen[CLI_MAX_OPTIONS] = {false};
    bool options_end = false;
    pos->count = 0;
    set_defaults(spec->options, args);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_end && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            if (group)
                cli_group_help(help_of, stdout);
            else
                cli_help(help_of, stdout);
            return 1;
        }
        if (!options_end && strcmp(arg, "--") == 0) {
            options_end = true;
        } else if (!options_end && arg[0] == '-' && arg[1]) {
            const struct cli_option *o = NULL;
            int rc = take_option(spec, argc, argv, &i, args, &o);
            if (rc) return rc;
            if (o - spec->options < CLI_MAX_OPTIONS) seen[o - spec->options] = true;
        } else if (pos->count < spec->max_args && pos->count < CLI_MAX_ARGS) {
            pos->v[pos->count++] = arg;
        } else {
            return fail(spec, "unexpected argument '%s'", arg);
        }
    }
    int rc = check_required(spec, seen);
    if (rc) return rc;
    if (pos->count < spec->min_args)
        return fail(spec, "needs %s", spec->args_name ? spec->args_name : "an argument");
    return 0;
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *args, struct cli_args *pos)
{
    return parse(spec, spec, false, argc, argv, args, pos);
}

int cli_parse_group(const struct cli_group *group, int argc, char **argv, void *args,
                    struct cli_args *pos, const struct cli_spec **sub)
{
    const char *name = argc > 1 ? argv[1] : NULL;
    if (name && (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)) {
        cli_group_help(group, stdout);
        return 1;
    }
    for (const struct cli_spec *s = group->subs; name && s->name; s++) {
        if (strcmp(s->name, name) == 0) {
            *sub = s;
            return parse(s, group, true, argc - 1, argv + 1, args, pos);
        }
    }
    if (name)
        fprintf(stderr, "%s: unknown subcommand '%s'\n", group->prog, name);
    else
        fprintf(stderr, "%s: which one?\n", group->prog);
    for (const struct cli_spec *s = group->subs; s->name; s++)
        fprintf(stderr, "%s studycast %s\n", s == group->subs ? "usage:" : "      ", s->usage);
    fprintf(stderr, "(see '%s --help')\n", group->prog);
    return -EINVAL;
}
