/* `studycast verify DIR [--key HEX|FILE]`: checks an export made by
 * `studycast record export`. */
#include "kiosk/cli/cli.h"
#include "kiosk/record/record.h"

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

int cmd_verify(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    const char *dir = NULL, *key_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: studycast verify DIR [--key HEX|FILE]\n\n"
                   "Checks an export: the manifest signature (against --key, the station's\n"
                   "public key as kept by the inspector, or else the station.pub carried in\n"
                   "DIR), every file's SHA-256, missing and extra files, and the event chain.\n"
                   "Exit status 0 only if everything holds.\n");
            return 0;
        }
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key_arg = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "studycast verify: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: studycast verify DIR [--key HEX|FILE]\n");
        return 2;
    }
    char key[65];
    if (key_arg && load_key(key_arg, key) != 0) {
        fprintf(stderr, "studycast verify: --key needs 64 hex digits or a station.pub file\n");
        return 2;
    }
    int rc = rec_verify_export(dir, key_arg ? key : NULL, print_problem, (void *)dir);
    if (rc == 0) {
        printf("%s: export verified: signature, files and event chain are intact%s\n", dir,
               key_arg ? "" : " (signed by the key it carries; pass --key to check the station)");
        return 0;
    }
    if (rc == REC_ETAMPER)
        fprintf(stderr, "studycast verify: %s FAILED verification\n", dir);
    else
        fprintf(stderr, "studycast verify: cannot read %s: %s\n", dir, rec_strerror(rc));
    return 1;
}
