/* studycast ctl: talk to a running kiosk through its control socket.
 * Exit status: 0 done, 1 no kiosk / no answer / refused, 2 bad usage. */
#include "kiosk/cli/cli.h"
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct ctl_args {
    const char *ipc;
    int timeout_ms;
};

static const struct cli_option options[] = {
    {"ipc", 0, CLI_STRING, offsetof(struct ctl_args, ipc), .required = true, .metavar = "PATH",
     .help = "the kiosk's control socket (studycast kiosk --ipc PATH)"},
    {"timeout", 0, CLI_INT, offsetof(struct ctl_args, timeout_ms), 1, 600000, .def = 3000,
     .metavar = "MS", .help = "how long to wait for the answer"},
    {NULL},
};

static const struct cli_spec spec = {
    .prog = "studycast ctl",
    .usage = "ctl --ipc PATH [--timeout MS] status\n"
             "       studycast ctl --ipc PATH [--timeout MS] press ACTION\n"
             "       studycast ctl --ipc PATH [--timeout MS] key KEYNAME\n"
             "       studycast ctl --ipc PATH [--timeout MS] actions",
    .about = "\nstatus prints the kiosk's state as one JSON object (screen, course, session_id,\n"
             "present, signal ...). press acts exactly as the remote does; ACTION is one of\n"
             "up down left right ok back menu info 0-9 play_pause stop channel_up\n"
             "channel_down volume_up volume_down mute. key acts as that key of a remote or\n"
             "keyboard would (KEY_OK, \"Return\": keymap.conf's names), and is what Settings ->\n"
             "Remote learns while it waits for a key. The timeout defaults to 3000 ms.\n",
    .options = options,
    .min_args = 1,
    .max_args = 2,
    .args_name = "a command: status, press ACTION, key KEYNAME or actions",
};

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

/* The request for `command [argument]`; 0, or 2 after a usage error. */
static int build_request(const char *command, const char *argument, struct sc_buf *request)
{
    struct sc_json j;
    sc_json_init(&j, request, false);
    sc_json_object_begin(&j);
    if (strcmp(command, "press") == 0) {
        enum rc_action action;
        if (!argument || rc_action_parse(argument, &action) || action == RC_ACTION_NONE)
            return cli_error(&spec, "press needs an action: up down left right ok back "
                                    "menu info 0-9 play_pause stop channel_up channel_down "
                                    "volume_up volume_down mute");
        sc_json_kv_string(&j, "command", "press");
        sc_json_kv_string(&j, "action", rc_action_name(action));
    } else if (strcmp(command, "key") == 0) {
        if (!argument || !argument[0])
            return cli_error(&spec, "key needs a key name (KEY_OK, Return ...)");
        sc_json_kv_string(&j, "command", "key");
        sc_json_kv_string(&j, "name", argument);
    } else if ((strcmp(command, "status") == 0 || strcmp(command, "actions") == 0) && !argument) {
        sc_json_kv_string(&j, "command", command);
    } else {
        return cli_error(&spec, "unknown command '%s' (status, press ACTION, key KEYNAME, actions)",
                         command);
    }
    sc_json_object_end(&j);
    return 0;
}

/* Says why talking to the kiosk failed (rc from rc_request). */
static void report_failure(const char *ipc, int rc, int timeout_ms)
{
    switch (rc) {
    case -ENOENT:
        fprintf(stderr,
                "studycast ctl: no kiosk at %s (the socket does not exist; is "
                "'studycast kiosk --ipc %s' running?)\n",
                ipc, ipc);
        break;
    case -ECONNREFUSED:
        fprintf(stderr, "studycast ctl: no kiosk listening at %s (stale socket)\n", ipc);
        break;
    case -ETIMEDOUT:
        fprintf(stderr, "studycast ctl: the kiosk at %s did not answer within %d ms\n", ipc,
                timeout_ms);
        break;
    case -ECONNRESET:
        fprintf(stderr, "studycast ctl: the kiosk at %s closed the connection\n", ipc);
        break;
    case -EPROTO:
        fprintf(stderr, "studycast ctl: %s answered with something that is not JSON\n", ipc);
        break;
    default:
        fprintf(stderr, "studycast ctl: cannot talk to %s: %s\n", ipc, strerror(-rc));
    }
}

int cli_ctl(int argc, char **argv, struct sc_log *log)
{
    (void)log;
    struct ctl_args a;
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    const char *command = pos.v[0], *argument = pos.count > 1 ? pos.v[1] : NULL;
    struct sc_buf request = {0};
    if ((rc = build_request(command, argument, &request))) {
        sc_buf_free(&request);
        return rc;
    }
    struct sc_jv *response = NULL;
    rc = request.failed ? -ENOMEM : rc_request(a.ipc, request.data, a.timeout_ms, &response);
    sc_buf_free(&request);
    if (rc) {
        report_failure(a.ipc, rc, a.timeout_ms);
        return 1;
    }
    const char *error = sc_jv_get_string(response, "error");
    int status = 0;
    if (sc_jv_get(response, "error")) { /* present only when the request failed */
        fprintf(stderr, "studycast ctl: the kiosk refused: %s\n",
                error && *error ? error : "(no reason given)");
        status = 1;
    } else if (strcmp(command, "press") != 0 && strcmp(command, "key") != 0) {
        struct sc_buf out = {0};
        struct sc_json j;
        sc_json_init(&j, &out, true);
        write_value(&j, response, true);
        printf("%s\n", out.data ? out.data : "{}");
        sc_buf_free(&out);
    }
    sc_jv_free(response);
    return status;
}
