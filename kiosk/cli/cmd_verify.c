/* `studycast verify DIR [--key HEX|FILE]`: checks an export made by
 * `studycast record export`. */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_problem(void *ctx, const char *message)
{
    fprintf(stdout, "%s: %s\n", (const char *)ctx, message);
}

/* --key takes the 64 hex digits or a file holding them (station.pub). */
static int load_key(const char *arg, char out[65])
{
    char *data = NULL;
    size_t len = 0;
    const char *text = arg;
    bool hex = strlen(arg) == 64 && strspn(arg, "0123456789abcdefABCDEF") == 64;
    if (!hex && sc_read_file(arg, 4096, &data, &len) == 0) text = data;
    int n = snprintf(out, 65, "%.*s", (int)strcspn(text, " \r\n"), text);
    free(data);
    return n == 64 ? 0 : -1;
}

struct verify_args {
    const char *key;
};

static const struct cli_option options[] = {
    {"key", 0, CLI_STRING, offsetof(struct verify_args, key), .metavar = "HEX|FILE",
     .help = "the station's public key as kept by the inspector: 64 hex digits\n"
             "or a station.pub file (default: the station.pub carried in DIR)"},
    {NULL},
};

static const struct cli_spec spec = {
    .prog = "studycast verify",
    .usage = "verify DIR [--key HEX|FILE]",
    .about = "Checks an export: the manifest signature (against --key, the station's\n"
             "public key as kept by the inspector, or else the station.pub carried in\n"
             "DIR), every file's SHA-256, missing and extra files, and the event chain.\n",
    .epilog = "Exit status 0 only if everything holds.\n",
    .options = options,
    .min_args = 1,
    .max_args = 1,
    .args_name = "DIR",
};

int cli_verify(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    struct verify_args a;
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    const char *dir = pos.v[0], *key_arg = a.key;
    char key[65];
    if (key_arg && load_key(key_arg, key) != 0)
        return cli_error(&spec, "--key needs 64 hex digits or a station.pub file");
    rc = rec_verify_export(dir, key_arg ? key : NULL, print_problem, (void *)dir);
    if (rc == 0) {
        printf("%s: export verified: signature, files and event chain are intact%s\n", dir,
               key_arg ? ""
                       : " (signed by the key it carries, which station_created binds when the "
                         "export holds it; pass --key to check the station)");
        return 0;
    }
    if (rc == REC_ETAMPER)
        fprintf(stderr, "studycast verify: %s FAILED verification\n", dir);
    else
        fprintf(stderr, "studycast verify: cannot read %s: %s\n", dir, rec_strerror(rc));
    return 1;
}
