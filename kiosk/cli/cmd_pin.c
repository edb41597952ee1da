/* `studycast pin set | status`: the administrator's PIN, for the county's
 * technician setting up a receiver (the menu itself asks for a PIN on its
 * first use and changes it from its root page). */
#include "kiosk/cli/cli.h"
#include "kiosk/station/station.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: studycast pin set [--data-dir DIR]      (reads the PIN from stdin)\n"
            "       studycast pin status [--data-dir DIR]\n"
            "\n"
            "The PIN guards the administrator's menu: %d to %d digits, stored as an\n"
            "Argon2id hash in DIR/admin-pin.json. %d wrong entries in a row lock the\n"
            "menu for %d minutes, across restarts; setting a new PIN ends a lock-out.\n",
            SC_PIN_MIN_DIGITS, SC_PIN_MAX_DIGITS, SC_PIN_MAX_TRIES, SC_PIN_LOCK_S / 60);
}

static int read_pin(char *pin, size_t size)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "new PIN (%d-%d digits): ", SC_PIN_MIN_DIGITS, SC_PIN_MAX_DIGITS);
    if (!fgets(pin, (int)size, stdin)) return -EINVAL;
    pin[strcspn(pin, "\r\n")] = '\0';
    return 0;
}

static int pin_status(const char *data_dir)
{
    struct sc_pin_state state;
    int rc = sc_station_pin_state(data_dir, &state);
    if (rc == -EBADMSG) {
        printf("damaged: set a new PIN with 'studycast pin set'\n");
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

int cmd_pin(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *data_dir = SC_STATION_DEFAULT_DATA_DIR;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (strncmp(argv[i], "--data-dir=", 11) == 0) {
            data_dir = argv[i] + 11;
        } else {
            fprintf(stderr, "studycast pin: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (strcmp(argv[1], "status") == 0) return pin_status(data_dir);
    if (strcmp(argv[1], "set") != 0) {
        usage(stderr);
        return 2;
    }
    char pin[64];
    int rc = read_pin(pin, sizeof(pin));
    if (rc == 0) rc = sc_station_pin_set(data_dir, pin);
    memset(pin, 0, sizeof(pin));
    if (rc == -EINVAL) {
        fprintf(stderr, "studycast pin: a PIN has %d to %d digits\n", SC_PIN_MIN_DIGITS,
                SC_PIN_MAX_DIGITS);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "studycast pin: cannot save the PIN in %s: %s\n", data_dir, strerror(-rc));
        return 1;
    }
    printf("PIN set in %s\n", data_dir);
    return 0;
}
