/* studycast ctl: talk to a running kiosk through its control socket.
 * Exit status: 0 done, 1 no kiosk / no answer / refused, 2 bad usage. */
#include "kiosk/cli/cli.h"
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 3000

static const char usage[] =
    "usage: studycast ctl --ipc PATH [--timeout MS] status\n"
    "       studycast ctl --ipc PATH [--timeout MS] press ACTION\n"
    "       studycast ctl --ipc PATH [--timeout MS] actions\n"
    "\n"
    "status prints the kiosk's state as one JSON object (screen, course, session_id,\n"
    "present, signal ...). press acts exactly as the remote does; ACTION is one of\n"
    "up down left right ok back menu info 0-9 play_pause stop channel_up\n"
    "channel_down volume_up volume_down mute. The timeout defaults to 3000 ms.\n";

/* Writes a parsed value back as JSON (the response minus our bookkeeping). */
static void write_value(struct sc_json *j, const struct sc_jv *v, bool top)
{
    switch (v->type) {
    case SC_JV_NULL:
        sc_json_null(j);
        break;
    case SC_JV_BOOL:
        sc_json_bool(j, v->boolean);
        break;
    case SC_JV_NUMBER:
        if (v->is_integer)
            sc_json_int(j, v->integer);
        else
            sc_json_double(j, v->number);
        break;
    case SC_JV_STRING:
        sc_json_string_len(j, v->string, v->length);
        break;
    case SC_JV_ARRAY:
        sc_json_array_begin(j);
        for (size_t i = 0; i < v->count; i++)
            write_value(j, &v->items[i], false);
        sc_json_array_end(j);
        break;
    case SC_JV_OBJECT:
        sc_json_object_begin(j);
        for (size_t i = 0; i < v->count; i++) {
            const char *key = v->members[i].key;
            if (top && (strcmp(key, "error") == 0 || strcmp(key, "request_id") == 0)) continue;
            sc_json_key(j, key);
            write_value(j, &v->members[i].value, false);
        }
        sc_json_object_end(j);
        break;
    }
}

int cmd_ctl(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    const char *ipc = NULL, *command = NULL, *argument = NULL;
    long timeout_ms = DEFAULT_TIMEOUT_MS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--ipc") == 0 && i + 1 < argc) {
            ipc = argv[++i];
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            char *end;
            timeout_ms = strtol(argv[++i], &end, 10);
            if (*end || timeout_ms < 1 || timeout_ms > 600000) {
                fprintf(stderr, "studycast ctl: --timeout must be 1 to 600000 ms\n");
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "studycast ctl: unknown option or missing value: %s\n%s", argv[i],
                    usage);
            return 2;
        } else if (!command) {
            command = argv[i];
        } else if (!argument) {
            argument = argv[i];
        } else {
            fprintf(stderr, "studycast ctl: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!ipc || !command) {
        fputs(usage, stderr);
        return 2;
    }

    struct sc_buf request = {0};
    struct sc_json j;
    sc_json_init(&j, &request, false);
    sc_json_object_begin(&j);
    if (strcmp(command, "press") == 0) {
        enum sc_action action;
        if (!argument || sc_action_parse(argument, &action) || action == SC_ACTION_NONE) {
            fprintf(stderr, "studycast ctl: press needs an action: up down left right ok back "
                            "menu info 0-9 play_pause stop channel_up channel_down volume_up "
                            "volume_down mute\n");
            sc_buf_free(&request);
            return 2;
        }
        sc_json_kv_string(&j, "command", "press");
        sc_json_kv_string(&j, "action", sc_action_name(action));
    } else if ((strcmp(command, "status") == 0 || strcmp(command, "actions") == 0) && !argument) {
        sc_json_kv_string(&j, "command", command);
    } else {
        fprintf(stderr, "studycast ctl: unknown command '%s' (status, press ACTION, actions)\n",
                command);
        sc_buf_free(&request);
        return 2;
    }
    sc_json_object_end(&j);

    struct sc_jv *response = NULL;
    int rc =
        request.failed ? -ENOMEM : sc_remote_request(ipc, request.data, (int)timeout_ms, &response);
    sc_buf_free(&request);
    switch (rc) {
    case 0:
        break;
    case -ENOENT:
        fprintf(stderr,
                "studycast ctl: no kiosk at %s (the socket does not exist; is "
                "'studycast kiosk --ipc %s' running?)\n",
                ipc, ipc);
        return 1;
    case -ECONNREFUSED:
        fprintf(stderr, "studycast ctl: no kiosk listening at %s (stale socket)\n", ipc);
        return 1;
    case -ETIMEDOUT:
        fprintf(stderr, "studycast ctl: the kiosk at %s did not answer within %ld ms\n", ipc,
                timeout_ms);
        return 1;
    case -ECONNRESET:
        fprintf(stderr, "studycast ctl: the kiosk at %s closed the connection\n", ipc);
        return 1;
    case -EPROTO:
        fprintf(stderr, "studycast ctl: %s answered with something that is not JSON\n", ipc);
        return 1;
    default:
        fprintf(stderr, "studycast ctl: cannot talk to %s: %s\n", ipc, strerror(-rc));
        return 1;
    }
    const char *error = sc_jv_get_string(response, "error");
    int status = 0;
    if (!error || strcmp(error, "success") != 0) {
        fprintf(stderr, "studycast ctl: the kiosk refused: %s\n", error ? error : "(no error)");
        status = 1;
    } else if (strcmp(command, "press") != 0) {
        struct sc_buf out = {0};
        sc_json_init(&j, &out, true);
        write_value(&j, response, true);
        printf("%s\n", out.data ? out.data : "{}");
        sc_buf_free(&out);
    }
    sc_jv_free(response);
    return status;
}
