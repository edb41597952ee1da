/* --help from the option tables: each option's line says its value, range,
 * choices and default, so the text cannot drift from what the parser does. */
#include "kiosk/cli/cli.h"

#include <string.h>

/* " (1..1440; default 120)", " (field|frame|off)" ... or "". */
static void describe(const struct cli_option *o, char *buf, size_t size)
{
    char range[200] = "", def[120] = "";
    if (o->type == CLI_INT || o->type == CLI_SIZE)
        snprintf(range, sizeof(range), "%.0f..%.0f", o->min, o->max);
    else if (o->type == CLI_DOUBLE)
        snprintf(range, sizeof(range), "%g..%g", o->min, o->max);
    else if (o->type == CLI_CHOICE)
        for (int i = 0; o->choices[i]; i++)
            snprintf(range + strlen(range), sizeof(range) - strlen(range), "%s%s", i ? "|" : "",
                     o->choices[i]);
    bool def_in_range = o->def >= o->min && o->def <= o->max;
    if (o->def_str)
        snprintf(def, sizeof(def), "default %s", o->def_str);
    else if ((o->type == CLI_INT || o->type == CLI_DOUBLE) && def_in_range)
        snprintf(def, sizeof(def), "default %g", o->def);
    else if (o->type == CLI_CHOICE && o->def >= 0)
        snprintf(def, sizeof(def), "default %s", o->choices[(int)o->def]);
    if (o->type == CLI_STRINGS) snprintf(range, sizeof(range), "repeatable");
    if (o->required) snprintf(def, sizeof(def), "required");
    if (!range[0] && !def[0])
        buf[0] = '\0';
    else
        snprintf(buf, size, " (%s%s%s)", range, range[0] && def[0] ? "; " : "", def);
}

static void print_options(const struct cli_option *table, FILE *out)
{
    for (const struct cli_option *o = table; o->name; o++) {
        char head[64], tail[320];
        snprintf(head, sizeof(head), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
                 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "", o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
        describe(o, tail, sizeof(tail));
        fprintf(out, "  %-24s ", o->short_name ? head : head + 1);
        for (const char *p = o->help; *p; p++) {
            fputc(*p, out);
            if (*p == '\n') fprintf(out, "%27s", "");
        }
        fprintf(out, "%s\n", tail);
    }
}

void cli_help(const struct cli_spec *spec, FILE *out)
{
    fprintf(out, "usage: studycast %s\n", spec->usage);
    if (spec->about) fprintf(out, "%s", spec->about);
    fprintf(out, "\n");
    print_options(spec->options, out);
    fprintf(out, "  %-24s this help\n", "-h, --help");
    if (spec->epilog) fprintf(out, "\n%s", spec->epilog);
}

void cli_group_help(const struct cli_group *group, FILE *out)
{
    for (const struct cli_spec *s = group->subs; s->name; s++)
        fprintf(out, "%s studycast %s\n", s == group->subs ? "usage:" : "      ", s->usage);
    if (group->about) fprintf(out, "%s", group->about);
    for (const struct cli_spec *s = group->subs; s->name; s++) {
        if (!s->options[0].name) continue;
        fprintf(out, "\n%s options:\n", s->name);
        print_options(s->options, out);
    }
    if (group->epilog) fprintf(out, "\n%s", group->epilog);
}
