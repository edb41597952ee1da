/* studycast play [SOURCE]: plays a file, '-', or a URL in a window or
 * fullscreen; without SOURCE the built-in demo stream. */
#include "kiosk/cli/cli.h"
#include "kiosk/cli/play_session.h"
#include "kiosk/remote/remote.h"
#include "player/player.h"
#include "kiosk/cli/stop_signals.h"
#include "ui/ui.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct play_args {
    const char *source;
    const char *stats_path;
    const char *keymap; /* NULL: RC_KEYMAP_DEFAULT_PATH if present, as the kiosk */
    int window_w, window_h;
    bool windowed;
    int service;
    int threads;
    double duration;
    int stats_every; /* seconds between snapshots of --stats while playing; 0 none */
    bool no_audio;
    bool no_deinterlace;
    int field_rate; /* -1 auto, 0 frame rate, 1 field rate */
    int volume;
    int audio_channels, audio_rate;
    enum ui_renderer renderer;
    struct cli_session_opts session; /* session.title set: record a study session */
};

/* What the table parses into; parse_args turns it into play_args. */
struct play_opts {
    struct cli_size window;
    int service, threads, volume, audio_channels, audio_rate, heartbeat, snapshot_interval,
        stats_every;
    int deinterlace, renderer; /* indexes into the choices below */
    double duration;
    bool no_audio;
    const char *stats, *session, *members, *data_dir, *keymap;
};

static const char *const deinterlace_modes[] = {"field", "frame", "off", NULL};
static const char *const renderers[] = {"auto", "gpu", "software", NULL}; /* ui_renderer */

#define O(field) offsetof(struct play_opts, field)
static const struct cli_option options[] = {
    {"window", 0, CLI_SIZE, O(window), 16, 16384, .metavar = "WxH",
     .help = "a window of that size instead of fullscreen"},
    {"service", 0, CLI_INT, O(service), 0, 65535, .def = -1, .def_str = "the first with video",
     .metavar = "N", .help = "the program number to play"},
    {"duration", 0, CLI_DOUBLE, O(duration), 0.001, 1e7, .metavar = "S",
     .help = "stop after S seconds"},
    {"stats", 0, CLI_STRING, O(stats), .metavar = "FILE",
     .help = "write playback statistics as JSON at exit"},
    {"stats-every", 0, CLI_INT, O(stats_every), 1, 86400, .metavar = "S",
     .help = "also rewrite the --stats file every S seconds while playing\n"
             "(a long run's figures as it goes; exit_status is null until the end)"},
    {"no-audio", 0, CLI_FLAG, O(no_audio), .help = "do not play the sound"},
    {"volume", 0, CLI_INT, O(volume), 0, 100, .def = 100, .metavar = "N", .help = "initial volume"},
    {"audio-channels", 0, CLI_INT, O(audio_channels), 1, 8, .def_str = "the stream's",
     .metavar = "N", .help = "ask the audio device for N channels"},
    {"audio-rate", 0, CLI_INT, O(audio_rate), 8000, 192000, .def_str = "the stream's",
     .metavar = "HZ", .help = "ask the audio device for this rate"},
    {"deinterlace", 0, CLI_CHOICE, O(deinterlace), .choices = deinterlace_modes, .def = -1,
     .def_str = "field if the display runs at >= 50 Hz", .metavar = "MODE",
     .help = "field (one picture per field), frame, or off"},
    {"renderer", 0, CLI_CHOICE, O(renderer), .choices = renderers, .def = UI_RENDERER_AUTO,
     .metavar = "R", .help = "how pictures reach the screen"},
    {"threads", 0, CLI_INT, O(threads), 0, 64, .def_str = "one per core", .metavar = "N",
     .help = "video decoder threads"},
    {"keymap", 0, CLI_STRING, O(keymap), .metavar = "FILE",
     .help = "key bindings, as the kiosk's (default " RC_KEYMAP_DEFAULT_PATH " if present)"},
    {"session", 0, CLI_STRING, O(session), 1, .metavar = "TITLE",
     .help = "record this playback as a study session of course TITLE"},
    {"members", 0, CLI_STRING, O(members), .metavar = "001,002",
     .help = "with --session: roster members present throughout"},
    {"data-dir", 0, CLI_STRING, O(data_dir), .metavar = "DIR",
     .help = "with --session: the station's data (default /var/lib/studycast)"},
    {"heartbeat", 0, CLI_INT, O(heartbeat), 1, 10, .def_str = "10", .metavar = "S",
     .help = "with --session: seconds between heartbeats\n"
             "(at most this much is lost in a power cut)"},
    {"snapshot-interval", 0, CLI_INT, O(snapshot_interval), 1, 86400, .def_str = "1800",
     .metavar = "S",
     .help = "with --session: seconds between the snapshots of the picture\n"
             "(proof of viewing; the first and the last are always taken)"},
    {NULL},
};
#undef O

static const struct cli_spec spec = {
    .prog = "studycast play",
    .usage = "play [SOURCE] [OPTIONS]",
    .about = "Plays SOURCE (a file, '-' for standard input, udp://, rtp://, http:// ...);\n"
             "without SOURCE the built-in demo stream.\n",
    .epilog = "keys: Space pause, Esc/q quit, m mute, +/- volume, f fullscreen, i info,\n"
              "      PageUp/PageDown the next/previous service with video, and the remote's\n"
              "      keys; the keymap file changes them as it does the kiosk's\n"
              "exit status: 0 played (to the end, --duration, or stopped); 1 the source\n"
              "cannot be opened or nothing of it could be played, the --keymap file cannot\n"
              "be read, or with --session the session could not be recorded (full disk);\n"
              "2 bad arguments\n",
    .options = options,
    .max_args = 1,
};

/* Returns -1 to play, else the exit status: 0 after --help, 2 for bad
 * arguments, 1 without SOURCE when the demo stream is not installed. */
static int parse_args(int argc, char **argv, struct play_args *a)
{
    struct play_opts o;
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &o, &pos);
    if (rc) return cli_status(rc);
    if (o.stats_every && !o.stats) return cli_error(&spec, "--stats-every goes with --stats");
    if ((o.members || o.data_dir || o.heartbeat || o.snapshot_interval) && !o.session)
        return cli_error(&spec, "--members, --data-dir, --heartbeat and --snapshot-interval go "
                                "with --session");
    *a = (struct play_args){
        .source = pos.count ? pos.v[0] : player_demo_path(),
        .stats_path = o.stats,
        .stats_every = o.stats_every,
        .window_w = o.window.w,
        .window_h = o.window.h,
        .windowed = o.window.w > 0,
        .service = o.service,
        .threads = o.threads,
        .duration = o.duration,
        .no_audio = o.no_audio,
        .no_deinterlace = o.deinterlace == 2,
        .field_rate = o.deinterlace == 0   ? 1
                      : o.deinterlace == 1 ? 0
                                           : -1,
        .volume = o.volume,
        .audio_channels = o.audio_channels,
        .audio_rate = o.audio_rate,
        .renderer = (enum ui_renderer)o.renderer,
        .keymap = o.keymap,
        .session = {.title = o.session,
                    .members = o.members,
                    .data_dir = o.data_dir,
                    .heartbeat_ms = o.heartbeat * 1000,
                    .snapshot_s = o.snapshot_interval},
    };
    if (!a->source) {
        fprintf(stderr, "studycast: no SOURCE given and the demo stream is not installed\n");
        return 1;
    }
    return -1;
}

/* Each service change (PageUp/PageDown, a remote's channel keys) and the
 * time from the key to the new service's first picture. */
static void write_service_changes(struct sc_json *json, const struct player *player)
{
    struct player_service_change changes[PLAYER_MAX_ZAPS];
    int n = player_service_changes(player, changes, PLAYER_MAX_ZAPS);
    sc_json_key(json, "service_changes");
    sc_json_array_begin(json);
    for (int i = 0; i < n; i++) {
        sc_json_object_begin(json);
        sc_json_kv_int(json, "service", changes[i].service);
        sc_json_kv_double(json, "ms", changes[i].ms);
        sc_json_object_end(json);
    }
    sc_json_array_end(json);
}

static void write_outages(struct sc_json *json, struct player *player)
{
    struct player_outage *outages = NULL;
    size_t count = 0;
    player_outages(player, &outages, &count);
    sc_json_key(json, "outages");
    sc_json_array_begin(json);
    for (size_t i = 0; i < count; i++) {
        sc_json_object_begin(json);
        sc_json_kv_double(json, "start", outages[i].start);
        sc_json_key(json, "end");
        if (outages[i].end >= 0)
            sc_json_double(json, outages[i].end);
        else
            sc_json_null(json);       /* still without signal at exit */
        sc_json_key(json, "picture"); /* the first picture after it */
        if (outages[i].picture >= 0)
            sc_json_double(json, outages[i].picture);
        else
            sc_json_null(json);
        sc_json_kv_string(json, "cause", outages[i].cause);
        sc_json_object_end(json);
    }
    sc_json_array_end(json);
    free(outages);
}

/* The A/V offset histogram's non-empty bins as [bin, count] pairs (bin i:
 * [i, i + 1) * bin_ms), so a soak can take percentiles over any window. */
static void write_av_bins(struct sc_json *json, struct player *player)
{
    uint32_t *bins = calloc(PLAYER_AV_BINS, sizeof(*bins));
    sc_json_key(json, "av_offset_bins");
    sc_json_object_begin(json);
    sc_json_kv_double(json, "bin_ms", PLAYER_AV_BIN_MS);
    sc_json_key(json, "counts");
    sc_json_array_begin(json);
    if (bins) player_av_offset_bins(player, bins, PLAYER_AV_BINS);
    for (int i = 0; bins && i < PLAYER_AV_BINS; i++) {
        if (!bins[i]) continue;
        sc_json_array_begin(json);
        sc_json_int(json, i);
        sc_json_int(json, bins[i]);
        sc_json_array_end(json);
    }
    sc_json_array_end(json);
    sc_json_object_end(json);
    free(bins);
}

/* A snapshot while playing goes through a temporary name without fsync: it
 * is a measurement, and the loop that presents pictures writes it. */
static int write_snapshot(const char *path, const struct sc_buf *buf)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) return -ENOMEM;
    snprintf(tmp, n, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    int ret = f ? 0 : -errno;
    if (f && fwrite(buf->data, 1, buf->len, f) != buf->len) ret = -EIO;
    if (f && fclose(f) != 0 && ret == 0) ret = -errno;
    if (ret == 0 && rename(tmp, path) != 0) ret = -errno;
    free(tmp);
    return ret;
}

/* exit_status < 0: a snapshot while playing (exit_status null). */
static int write_stats(const char *path, const char *source, const char *renderer,
                       struct player *player, const struct player_stats *s, int exit_status)
{
    struct sc_buf buf = {0};
    struct sc_json json;
    sc_json_init(&json, &buf, true);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "source", source);
    sc_json_kv_int(&json, "frames_decoded", s->frames_decoded);
    sc_json_kv_int(&json, "frames_presented", s->frames_presented);
    sc_json_kv_int(&json, "frames_dropped_early", s->frames_dropped_early);
    sc_json_kv_int(&json, "frames_dropped_late", s->frames_dropped_late);
    sc_json_key(&json, "first_picture_ms");
    if (s->first_picture_ms >= 0)
        sc_json_double(&json, s->first_picture_ms);
    else
        sc_json_null(&json);
    sc_json_kv_int(&json, "audio_underruns", s->audio_underruns);
    sc_json_key(&json, "av_offset_ms");
    sc_json_object_begin(&json);
    sc_json_kv_double(&json, "mean", s->av_offset_mean_ms);
    sc_json_kv_double(&json, "p99", s->av_offset_p99_ms);
    sc_json_kv_double(&json, "max", s->av_offset_max_ms);
    sc_json_object_end(&json);
    sc_json_kv_int(&json, "decode_errors", s->decode_errors);
    sc_json_kv_double(&json, "seconds_played", s->seconds_played);
    sc_json_kv_int(&json, "audio_frames_decoded", s->audio_frames_decoded);
    sc_json_kv_int(&json, "video_width", s->video_width);
    sc_json_kv_int(&json, "video_height", s->video_height);
    sc_json_kv_bool(&json, "live", s->live);
    sc_json_kv_int(&json, "cc_errors", s->cc_errors);
    write_outages(&json, player);
    write_service_changes(&json, player);
    sc_json_kv_int(&json, "service", player_service(player));
    sc_json_kv_string(&json, "renderer", renderer);
    write_av_bins(&json, player);
    sc_json_key(&json, "exit_status");
    if (exit_status >= 0)
        sc_json_int(&json, exit_status);
    else
        sc_json_null(&json);
    sc_json_object_end(&json);
    sc_buf_puts(&buf, "\n");
    int ret = buf.failed        ? -ENOMEM
              : exit_status < 0 ? write_snapshot(path, &buf)
                                : sc_write_file_atomic(path, buf.data, buf.len);
    sc_buf_free(&buf);
    if (ret < 0) fprintf(stderr, "studycast play: cannot write %s: %s\n", path, strerror(-ret));
    return ret;
}

/* The next (step 1) or previous (-1) service with video after the one playing. */
static void change_channel(struct player *player, int step)
{
    struct dmx_service *services = NULL;
    size_t count = 0;
    if (player_services(player, &services, &count) < 0) return;
    int ids[256], n = 0, current = -1;
    for (size_t i = 0; i < count && n < 256; i++) {
        bool video = false;
        for (size_t j = 0; j < services[i].stream_count; j++) {
            uint8_t t = services[i].streams[j].stream_type;
            video |= t == 0x01 || t == 0x02 || t == 0x10 || t == 0x1B || t == 0x24;
        }
        if (!services[i].actual || !services[i].pmt_pid || !video) continue;
        if (services[i].id == player_service(player)) current = n;
        ids[n++] = services[i].id;
    }
    dmx_services_free(services, count);
    if (n == 0 || (n == 1 && current == 0)) return;
    int next = current < 0 ? 0 : ((current + step) % n + n) % n;
    if (player_select_service(player, ids[next]) == 0) printf("service %d\n", ids[next]);
    fflush(stdout);
}

/* What a remote action does in play. Returns true to quit. Actions that
 * need the kiosk's screens (menu, ok, digits ...) do nothing here. */
static bool handle_action(enum rc_action action, struct player *player, struct ui *ui,
                          struct cli_session *session)
{
    char info[512];
    switch (action) {
    case RC_ACTION_QUIT:
        return true;
    case RC_ACTION_PLAY_PAUSE:
        player_set_paused(player, !player_paused(player));
        cli_session_paused(session, player_paused(player));
        break;
    case RC_ACTION_MUTE:
        player_set_muted(player, !player_muted(player));
        break;
    case RC_ACTION_VOLUME_UP:
        player_set_volume(player, player_volume(player) + 10);
        break;
    case RC_ACTION_VOLUME_DOWN:
        player_set_volume(player, player_volume(player) - 10);
        break;
    case RC_ACTION_FULLSCREEN:
        ui_toggle_fullscreen(ui);
        break;
    case RC_ACTION_INFO:
        player_info(player, info, sizeof(info));
        printf("%s\n", info);
        fflush(stdout);
        break;
    case RC_ACTION_CHANNEL_UP:
    case RC_ACTION_CHANNEL_DOWN:
        change_channel(player, action == RC_ACTION_CHANNEL_UP ? 1 : -1);
        break;
    default:
        break;
    }
    return false;
}

/* Returns true to quit: the window was closed, or a key meant quit. Window
 * changes need nothing: the ui marked itself for the next present. */
static bool handle_event(const struct ui_event *ev, const struct rc_keymap *keymap,
                         struct player *player, struct ui *ui, struct cli_session *session,
                         struct sc_log *log)
{
    if (ev->type == UI_EVENT_QUIT) return true;
    if (ev->type != UI_EVENT_KEY) return false;
    enum rc_action action = rc_keymap_lookup(keymap, ev->key_name);
    if (action == RC_ACTION_NONE) {
        SC_DEBUG(log, "key '%s' is not mapped", ev->key_name);
        return false;
    }
    return handle_action(action, player, ui, session);
}

/* Wakeups from the player and the signal watcher, before and after the ui exists. */
struct wakeup_target {
    struct ui *_Atomic ui;
};

static void wake_ui(void *opaque)
{
    struct wakeup_target *target = opaque;
    struct ui *ui = atomic_load(&target->ui);
    if (ui) ui_wakeup(ui);
}

/* No signal: the OUTAGE screen over black until the player resumes by itself. */
static void show_signal(struct ui *ui, const char *source, bool signal, bool *outage_shown)
{
    if (signal == !*outage_shown) return;
    struct ui_view view = {.screen = signal ? UI_SCREEN_PLAYING : UI_SCREEN_OUTAGE};
    if (!signal) {
        view.u.outage = (struct ui_outage){.course = source, .since_mono_ns = sc_mono_ns()};
        ui_set_picture_none(ui);
    }
    if (ui_show(ui, &view) == 0) *outage_shown = !signal;
}

/* --stats-every: rewrites the stats file when due and bounds the loop's
 * sleep by the next snapshot. */
static void stats_snapshot(const struct play_args *a, struct player *player, struct ui *ui,
                           bool picture, int64_t *next_ns, int64_t *wait_ns)
{
    if (!a->stats_path || a->stats_every <= 0) return;
    int64_t now = sc_mono_ns(), period = (int64_t)a->stats_every * 1000000000;
    if (*next_ns == 0) *next_ns = now + period;
    if (now >= *next_ns) {
        struct player_stats stats;
        player_get_stats(player, &stats);
        write_stats(a->stats_path, a->source, ui_renderer_name(ui), player, &stats, -1);
        *next_ns = now + period;
    }
    int64_t until = *next_ns - now;
    if (*wait_ns > until || (*wait_ns < 0 && !picture)) *wait_ns = until;
}

/* How run() ended: the source played to its end or --duration, a stop (a
 * signal, a quit key, the window closed), or the source failed. */
enum run_end { RUN_PLAYED, RUN_STOPPED, RUN_FAILED };

/* The core loop: present what is due, then sleep until the next deadline,
 * an input event or a wakeup. */
static enum run_end run(struct player *player, struct ui *ui, const struct rc_keymap *keymap,
                        const struct play_args *a, struct cli_stop_signals *signals,
                        struct cli_session *session, struct sc_log *log)
{
    int64_t stop_at = a->duration > 0 ? sc_mono_ns() + (int64_t)(a->duration * 1e9) : 0;
    bool outage_shown = false;
    int64_t next_snapshot = 0;
    for (;;) {
        if (atomic_load(&signals->stop)) return RUN_STOPPED;
        enum player_state state = player_state(player);
        if (state == PLAYER_FAILED) {
            fprintf(stderr, "studycast: %s\n", player_error(player));
            return RUN_FAILED;
        }
        if (state == PLAYER_ENDED) return RUN_PLAYED;
        bool signal = player_signal(player);
        show_signal(ui, a->source, signal, &outage_shown);
        /* an outage is not credited */
        cli_session_signal(session, signal, signal ? 0 : player_outage_began_ns(player));
        int64_t wait_ns;
        struct player_picture *picture = player_next_picture(player, &wait_ns);
        if (picture) ui_set_picture(ui, picture); /* the ui owns it now, and keeps it on screen */
        if (ui_present(ui) && picture) {
            player_presented(player, picture);
            cli_session_presented(session, picture); /* still the ui's: valid until the next */
        }
        int64_t next_heartbeat = cli_session_tick(session);
        const char *problem = cli_session_take_problem(session);
        if (problem) ui_toast(ui, problem, true, 0);
        if (picture && wait_ns < 0)
            wait_ns = 0; /* look again right away: the next one may be due, or the end */
        stats_snapshot(a, player, ui, picture, &next_snapshot, &wait_ns);
        if (next_heartbeat != INT64_MAX) {
            int64_t until = next_heartbeat - sc_mono_ns();
            if (until < 0) until = 0;
            if (wait_ns < 0 || wait_ns > until) wait_ns = until;
        }
        if (stop_at) {
            int64_t left = stop_at - sc_mono_ns();
            if (left <= 0) return RUN_PLAYED;
            if (wait_ns < 0 || wait_ns > left) wait_ns = left;
        }
        struct ui_event ev;
        /* take every event that is already there before the next turn */
        if (ui_wait_event(ui, wait_ns, &ev) > 0) {
            do
                if (handle_event(&ev, keymap, player, ui, session, log)) return RUN_STOPPED;
            while (ui_wait_event(ui, 0, &ev) > 0);
        }
    }
}

/* The source ended (or --duration passed) without one picture or sound:
 * nothing could be played (only tables, no known codec); says so. */
static bool nothing_played(const struct play_args *a, const struct player_stats *stats)
{
    if (stats->frames_presented > 0 || stats->audio_frames_decoded > 0) return false;
    fprintf(stderr, "studycast: nothing could be played from %s (no picture, no sound)\n",
            a->source);
    return true;
}

/* Plays a->source in a window until it ends, a key quits or a signal stops. */
static int play(const struct play_args *a, const struct rc_keymap *keymap, int64_t start_ns,
                struct sc_log *log)
{
    /* The player starts first: the reader opens and probes the source while
     * the window opens, both take time. Its wakeups reach the ui once there is one. */
    /* The record first: opening it closes a session a crash left open, and
     * bad members are refused before anything plays. */
    struct wakeup_target target = {.ui = NULL};
    struct cli_session *session = NULL;
    if (a->session.title) {
        struct cli_session_opts so = a->session;
        so.wakeup = wake_ui; /* a snapshot is ready to record */
        so.wakeup_opaque = &target;
        int prep = cli_session_prepare(&so, log, &session);
        if (prep != 0) return prep;
    }
    struct cli_stop_signals signals;
    if (cli_stop_signals_start(&signals, wake_ui) < 0) {
        fprintf(stderr, "studycast: cannot set up signal handling\n");
        cli_session_finish(session, false);
        return 1;
    }
    cli_stop_signals_set_opaque(&signals, &target);
    struct player_opts opts = {.source = a->source,
                               .service = a->service,
                               .threads = a->threads,
                               .no_audio = a->no_audio,
                               .no_deinterlace = a->no_deinterlace,
                               .field_rate = a->field_rate != 0, /* TVs run at >= 50 Hz */
                               .volume = a->volume,
                               .audio_channels = a->audio_channels,
                               .audio_rate = a->audio_rate,
                               .wakeup = wake_ui,
                               .wakeup_opaque = &target,
                               .start_ns = start_ns,
                               .log = log};
    struct player *player = NULL;
    if (player_create(&opts, &player) < 0) {
        fprintf(stderr, "studycast: cannot start the player: out of memory\n");
        cli_stop_signals_finish(&signals);
        cli_session_finish(session, false);
        return 1;
    }
    struct ui *ui = NULL;
    struct ui_opts ui_opts = {.fullscreen = !a->windowed,
                              .width = a->window_w,
                              .height = a->window_h,
                              .title = "studycast",
                              .renderer = a->renderer,
                              .log = log};
    if (ui_create(&ui_opts, &ui) < 0) {
        fprintf(stderr, "studycast: cannot open a window (no display?)\n");
        player_destroy(player);
        cli_stop_signals_finish(&signals);
        cli_session_finish(session, false);
        return 1;
    }
    SC_DEBUG(log, "window ready %.0f ms after the process start",
             (double)(sc_mono_ns() - start_ns) / 1e6);
    int refresh = ui_refresh_rate(ui);
    if (a->field_rate < 0 && refresh > 0 && refresh < 50)
        player_set_field_rate(player, false); /* fields faster than the display */
    atomic_store(&target.ui, ui);
    ui_wakeup(ui); /* whatever the player reported before the ui existed */
    enum run_end end = run(player, ui, keymap, a, &signals, session, log);
    int status = end == RUN_FAILED ? 1 : 0;
    /* Quitting, a stop signal, --duration and the end of the stream all close
     * the session as complete (its played time says how much was seen); a
     * source that failed during playback leaves it interrupted. */
    if (cli_session_finish(session, status == 0) < 0 && status == 0)
        status = 1; /* played, but the record does not hold it: the line above says why */
    struct player_stats stats;
    player_get_stats(player, &stats);
    if (end == RUN_PLAYED && nothing_played(a, &stats)) status = 1;
    if (a->stats_path &&
        write_stats(a->stats_path, a->source, ui_renderer_name(ui), player, &stats, status) < 0 &&
        status == 0)
        status = 1;
    player_destroy(player);
    cli_stop_signals_finish(&signals); /* before the ui they wake goes away */
    ui_destroy(ui);
    return status;
}

int cli_play(int argc, char **argv, struct sc_log *log)
{
    int64_t start_ns = process_start_mono_ns(sc_mono_ns());
    SC_DEBUG(log, "play entered %.0f ms after the process start",
             (double)(sc_mono_ns() - start_ns) / 1e6);
    struct play_args a = {0};
    int ret = parse_args(argc, argv, &a);
    if (ret >= 0) return ret;
    /* before anything calls SDL: its window-sized buffers on huge pages */
    if (ui_memory_use_huge_pages() < 0) SC_DEBUG(log, "SDL keeps its own allocator");
    /* The keys as the kiosk has them: a remote set up for the station works
     * here too. A --keymap that cannot be read stops play before anything. */
    struct rc_keymap *keymap = NULL;
    ret = rc_keymap_open(RC_KEYMAP_PLAY, a.keymap, log, &keymap);
    if (ret < 0) {
        if (!a.keymap) fprintf(stderr, "studycast: cannot make the keymap: %s\n", strerror(-ret));
        return 1; /* else rc_keymap_open logged "keymap FILE: why" */
    }
    int status = play(&a, keymap, start_ns, log);
    rc_keymap_destroy(keymap);
    return status;
}
