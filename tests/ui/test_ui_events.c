/* The kiosk's input events from real X key presses (xdotool, XTEST) into a
 * real SDL window under Xvfb: key names as the keymap expects them, the text
 * a key types, timestamps that tell a USB card reader (a burst of digits and
 * Return a few ms apart) from a person on a remote; wakeups from another
 * thread; the timeout. Run under xvfb-run. */
#include "ui/screens.h"
#include "tests/test.h"

#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MS 1000000LL

static pid_t run_xdotool(const char *script)
{
    pid_t pid;
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    ASSERT_EQ(posix_spawnp(&pid, "sh", NULL, NULL, argv, environ), 0);
    return pid;
}

static void wait_child(pid_t pid)
{
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The next n key events (other events skipped), within 10 s. */
static void keys(struct ui *ui, struct ui_event *out, int n)
{
    int64_t deadline = sc_mono_ns() + 10000 * MS;
    for (int got = 0; got < n;) {
        int64_t left = deadline - sc_mono_ns();
        if (left <= 0) TEST_FAIL("only %d of %d key events arrived", got, n);
        struct ui_event ev;
        if (ui_wait_event(ui, left, &ev) == 1 && ev.type == UI_EVENT_KEY) {
            fprintf(stderr, "key %-8s text \"%s\" at %.1f ms\n", ev.key_name, ev.text,
                    (double)ev.time_ns / 1e6);
            out[got++] = ev;
        }
    }
}

static void test_remote_keys(struct ui *ui)
{
    /* a person: 150 ms between keys at the least */
    pid_t pid = run_xdotool("xdotool key --delay 150 Up Return 5 a BackSpace");
    struct ui_event ev[5];
    keys(ui, ev, 5);
    wait_child(pid);
    const char *names[5] = {"Up", "Return", "5", "A", "Backspace"};
    const char *texts[5] = {"", "", "5", "a", ""};
    for (int i = 0; i < 5; i++) {
        ASSERT_STR_EQ(ev[i].key_name, names[i]);
        ASSERT_STR_EQ(ev[i].text, texts[i]);
        ASSERT_FALSE(ev[i].repeat);
        if (i > 0) ASSERT_GE(ev[i].time_ns - ev[i - 1].time_ns, 100 * MS);
    }
    ASSERT_LE(ev[4].time_ns, sc_mono_ns());
}

static void test_card_reader(struct ui *ui)
{
    /* a card reader types its id and Return within milliseconds */
    pid_t pid = run_xdotool("xdotool key --delay 4 1 2 3 4 5 6 7 8 Return");
    struct ui_event ev[9];
    keys(ui, ev, 9);
    wait_child(pid);
    for (int i = 0; i < 8; i++) {
        char digit[2] = {(char)('1' + i), 0};
        ASSERT_STR_EQ(ev[i].key_name, digit);
        ASSERT_STR_EQ(ev[i].text, digit);
    }
    ASSERT_STR_EQ(ev[8].key_name, "Return");
    ASSERT_STR_EQ(ev[8].text, "");
    /* every gap far below a person's (>= 100 ms above), in order */
    for (int i = 1; i < 9; i++) {
        ASSERT_GE(ev[i].time_ns, ev[i - 1].time_ns);
        ASSERT_LT(ev[i].time_ns - ev[i - 1].time_ns, 60 * MS);
    }
}

static void test_card_reader_typed(struct ui *ui)
{
    /* the same id through xdotool's text typing (keysyms looked up per
     * character, as a reader in a different keyboard layout would) */
    pid_t pid = run_xdotool("xdotool type --delay 4 87654321 && xdotool key Return");
    struct ui_event ev[9];
    keys(ui, ev, 9);
    wait_child(pid);
    int fast = 0;
    for (int i = 0; i < 8; i++) {
        char digit[2] = {(char)('8' - i), 0};
        ASSERT_STR_EQ(ev[i].text, digit);
        if (i > 0) fast += ev[i].time_ns - ev[i - 1].time_ns < 60 * MS;
    }
    /* xdotool's type sometimes pauses after its first character (keymap
     * look-ups), so all but one gap must look like a reader */
    ASSERT_GE(fast, 6);
    ASSERT_STR_EQ(ev[8].key_name, "Return");
}

static void *wake_later(void *ui)
{
    usleep(50000);
    ui_wakeup(ui);
    return NULL;
}

static void test_wakeup_and_timeout(struct ui *ui)
{
    struct ui_event ev;
    while (ui_wait_event(ui, 200 * MS, &ev) == 1) {
    } /* drain window events */
    int64_t t0 = sc_mono_ns();
    ASSERT_EQ(ui_wait_event(ui, 150 * MS, &ev), 0);
    ASSERT_EQ(ev.type, UI_EVENT_NONE);
    ASSERT_GE(sc_mono_ns() - t0, 145 * MS);
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, NULL, wake_later, ui), 0);
    t0 = sc_mono_ns();
    ASSERT_EQ(ui_wait_event(ui, -1, &ev), 1);
    ASSERT_EQ(ev.type, UI_EVENT_WAKEUP);
    ASSERT_GE(sc_mono_ns() - t0, 40 * MS);
    pthread_join(thread, NULL);
    /* the window closed (the desktop's close button): QUIT */
    SDL_Event quit = {.type = SDL_QUIT};
    SDL_PushEvent(&quit);
    ASSERT_EQ(ui_wait_event(ui, 1000 * MS, &ev), 1);
    ASSERT_EQ(ev.type, UI_EVENT_QUIT);
}

int main(void)
{
    struct sc_log *log = sc_log_create(stderr, SC_LOG_INFO);
    struct ui_opts opts = {.fullscreen = true, .title = "studycast-events", .log = log};
    struct ui *ui;
    ASSERT_EQ(ui_create(&opts, &ui), 0);
    struct ui_view v = {.screen = UI_SCREEN_HOME};
    ASSERT_EQ(ui_show(ui, &v), 0);
    ui_present(ui);
    /* the window is mapped and has the keyboard before keys are sent */
    pid_t pid = run_xdotool("xdotool search --sync --name studycast-events windowfocus --sync");
    struct ui_event ev;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0)
        ui_wait_event(ui, 20 * MS, &ev); /* keep the window answering */
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    test_remote_keys(ui);
    test_card_reader(ui);
    test_card_reader_typed(ui);
    test_wakeup_and_timeout(ui);
    ui_destroy(ui);
    sc_log_destroy(log);
    fprintf(stderr, "ok\n");
    return 0;
}
