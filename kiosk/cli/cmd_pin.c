/* `studycast pin set | status`: the administrator's PIN, for the county's
 * technician setting up a receiver (the menu itself asks for a PIN on its
 * first use and changes it from its root page). */
#include "kiosk/cli/cli.h"
#include "kiosk/station/station.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct pin_args {
    const char *data_dir;
};

static const struct cli_option options[] = {
    {"data-dir", 0, CLI_STRING, offsetof(struct pin_args, data_dir), .def_str = ST_DEFAULT_DATA_DIR,
     .metavar = "DIR", .help = "the station's data"},
    {NULL},
};

static const struct cli_spec subs[] = {
    {"studycast pin", "set", "pin set [--data-dir DIR]      (reads the PIN from stdin)",
     .options = options},
    {"studycast pin", "status", "pin status [--data-dir DIR]", .options = options},
    {NULL},
};

/* The PIN's limits are the station's: the help text is made from them. */
#define STR_(x) #x
#define STR(x)  STR_(x)
_Static_assert(ST_PIN_LOCK_S == 15 * 60, "the help says 15 minutes");
static const struct cli_group group = {
    .prog = "studycast pin",
    .about = "\nThe PIN guards the administrator's menu: " STR(ST_PIN_MIN_DIGITS) " to " STR(
        ST_PIN_MAX_DIGITS) " digits, stored as an\nArgon2id hash in "
                           "DIR/admin-pin.json. " STR(ST_PIN_MAX_TRIES) " wrong entries in "
                                                                        "a row lock "
                                                                        "the\nmenu for 15 "
                                                                        "minutes, across "
                                                                        "restarts; setting "
                                                                        "a new PIN ends a "
                                                                        "lock-out.\n",
    .subs = subs,
};

static int read_pin(char *pin, size_t size)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "new PIN (%d-%d digits): ", ST_PIN_MIN_DIGITS, ST_PIN_MAX_DIGITS);
    if (!fgets(pin, (int)size, stdin)) return -EINVAL;
    pin[strcspn(pin, "\r\n")] = '\0';
    return 0;
}

static int pin_status(const char *data_dir)
{
    struct st_pin_state state;
    int rc = st_station_pin_state(data_dir, (int64_t)time(NULL), &state);
    if (rc == -EBADMSG) {
        printf("damaged: set a new PIN with 'studycast pin set'\n");
        return 1;
    }
    if (rc == -EIO) {
        printf("the PIN file %s/admin-pin.json cannot be read (its owner or mode?): set a new "
               "PIN with 'studycast pin set'\n",
               data_dir);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "studycast pin: %s: %s\n", data_dir, strerror(-rc));
        return 1;
    }
    if (!state.set) {
        printf("no PIN set: the menu asks for a new one on its first use\n");
        return 0;
    }
    int64_t left = state.locked_until_utc - (int64_t)time(NULL);
    if (left > 0)
        printf("set; locked for %lld more seconds after %d wrong entries\n", (long long)left,
               state.failures);
    else
        printf("set; %d wrong entries since the last right one\n", state.failures);
    return 0;
}

int cli_pin(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    struct pin_args a = {0};
    struct cli_args pos;
    const struct cli_spec *sub = NULL;
    int rc = cli_parse_group(&group, argc, argv, &a, &pos, &sub);
    if (rc) return cli_status(rc);
    const char *data_dir = a.data_dir;
    if (strcmp(sub->name, "status") == 0) return pin_status(data_dir);
    char pin[64];
    rc = read_pin(pin, sizeof(pin));
    if (rc == 0) rc = st_station_pin_set(data_dir, pin);
    memset(pin, 0, sizeof(pin));
    if (rc == -EINVAL) {
        fprintf(stderr, "studycast pin: a PIN has %d to %d digits\n", ST_PIN_MIN_DIGITS,
                ST_PIN_MAX_DIGITS);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "studycast pin: cannot save the PIN in %s: %s\n", data_dir, strerror(-rc));
        return 1;
    }
    printf("PIN set in %s\n", data_dir);
    return 0;
}
