/* SIGINT/SIGTERM as a clean stop, without a global flag: the signals are
 * blocked in every thread and one watcher thread sigwait()s for them, sets
 * `stop` and calls the caller's notify function (e.g. a ui or player wakeup). */
#ifndef STUDYCAST_KIOSK_STOP_SIGNALS_H
#define STUDYCAST_KIOSK_STOP_SIGNALS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct cli_stop_signals {
    atomic_bool stop;
    atomic_int signal;            /* the signal that asked for the stop, 0 */
    void (*notify)(void *opaque); /* called on the watcher thread; may be NULL */
    void *_Atomic opaque;
    pthread_t thread;
    bool started;
};

/* Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
 * created afterwards) and starts the watcher. Call before creating threads.
 * Returns 0 or a negative error code. */
int cli_stop_signals_start(struct cli_stop_signals *s, void (*notify)(void *opaque));
/* Sets what notify is called with (NULL: notify is not called). */
void cli_stop_signals_set_opaque(struct cli_stop_signals *s, void *opaque);
/* Stops the watcher thread. Accepts a never-started one. */
void cli_stop_signals_finish(struct cli_stop_signals *s);

/* The monotonic time (sc_mono_ns) at which this process started, from
 * /proc/self/stat (10 ms resolution); `fallback` if that cannot be read. */
int64_t process_start_mono_ns(int64_t fallback);

#endif
