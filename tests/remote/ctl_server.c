/* A stand-in kiosk for the `studycast ctl` tests: a control socket at
 * argv[1] whose core loop (this main thread) answers status and press like
 * the kiosk will; it refuses the stop action ("action not possible now"), as
 * the kiosk refuses what a screen cannot do. With --mute it accepts connections but never answers.
 * Runs until SIGTERM or SIGINT, then removes its socket. */
#include "kiosk/remote/remote.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct kiosk {
    pthread_t core_thread;
    int wakeup_fd;
    int presses;
    int present[8];
    int present_count;
    enum rc_action last;
    bool wrong_thread;
};

static void wakeup(void *opaque)
{
    struct kiosk *k = opaque;
    uint64_t one = 1;
    if (write(k->wakeup_fd, &one, sizeof(one)) < 0) abort();
}

static int press(void *opaque, enum rc_action action)
{
    struct kiosk *k = opaque;
    if (!pthread_equal(pthread_self(), k->core_thread)) k->wrong_thread = true;
    if (action == RC_ACTION_STOP) return -ENOTSUP;
    k->presses++;
    k->last = action;
    int digit = rc_action_digit(action);
    if (digit >= 0 && k->present_count < 8) k->present[k->present_count++] = digit;
    return 0;
}

static void status(void *opaque, struct sc_json *out)
{
    struct kiosk *k = opaque;
    sc_json_kv_string(out, "screen", "home");
    sc_json_key(out, "course");
    sc_json_null(out);
    sc_json_key(out, "session_id");
    sc_json_null(out);
    sc_json_key(out, "present");
    sc_json_array_begin(out);
    for (int i = 0; i < k->present_count; i++)
        sc_json_int(out, k->present[i]);
    sc_json_array_end(out);
    sc_json_kv_string(out, "signal", "none");
    sc_json_kv_int(out, "presses", k->presses);
    sc_json_kv_string(out, "last_action", rc_action_name(k->last));
    sc_json_kv_bool(out, "handled_on_core_thread", !k->wrong_thread);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ctl_server SOCKET [--mute]\n");
        return 2;
    }
    bool mute = argc > 2 && strcmp(argv[2], "--mute") == 0;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before the server thread starts */
    int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
    struct kiosk k = {.core_thread = pthread_self()};
    k.wakeup_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct sc_log *log = sc_log_create(stderr, SC_LOG_INFO);
    struct rc_ipc_server_config config = {
        .path = argv[1], .wakeup = wakeup, .wakeup_opaque = &k, .log = log};
    struct rc_ipc_server *server;
    int rc = rc_ipc_server_create(&config, &server);
    if (rc || signal_fd < 0 || k.wakeup_fd < 0) {
        fprintf(stderr, "ctl_server: cannot listen on %s: %s\n", argv[1], strerror(-rc));
        sc_log_destroy(log);
        return 1;
    }
    struct rc_callbacks callbacks = {.press = press, .status = status, .opaque = &k};
    for (;;) {
        struct pollfd fds[2] = {{.fd = signal_fd, .events = POLLIN},
                                {.fd = k.wakeup_fd, .events = mute ? 0 : POLLIN}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) break;
        if (fds[1].revents & POLLIN) {
            uint64_t n;
            if (read(k.wakeup_fd, &n, sizeof(n)) < 0 && errno != EAGAIN) break;
            rc_ipc_server_poll(server, rc_handle_request, &callbacks);
        }
    }
    rc_ipc_server_destroy(server);
    sc_log_destroy(log);
    close(signal_fd);
    close(k.wakeup_fd);
    return 0;
}
