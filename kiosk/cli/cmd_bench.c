/* studycast bench SOURCE: the player's reader and decoders with no pacing and
 * no output, as fast as the machine decodes; optionally a framemd5 list. */
#include "kiosk/cli/cli.h"
#include "player/player.h"
#include "kiosk/cli/stop_signals.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_args {
    const char *source, *framemd5_path;
    bool json, no_audio;
    int threads, service;
};

/* Written on the video decoder thread only; read after the player is destroyed. */
struct bench_frames {
    FILE *md5_out;
    int64_t count;
    double first_pts, last_pts, last_duration;
    int write_errors;
};

static const struct cli_option options[] = {
    {"json", 0, CLI_FLAG, offsetof(struct bench_args, json),
     .help = "one JSON object on standard output"},
    {"threads", 0, CLI_INT, offsetof(struct bench_args, threads), 0, 64, .def_str = "one per core",
     .metavar = "N", .help = "video decoder threads"},
    {"service", 0, CLI_INT, offsetof(struct bench_args, service), 0, 65535, .def = -1,
     .def_str = "the first with video", .metavar = "N", .help = "the program number"},
    {"no-audio", 0, CLI_FLAG, offsetof(struct bench_args, no_audio),
     .help = "do not decode the sound"},
    {"framemd5", 0, CLI_STRING, offsetof(struct bench_args, framemd5_path), .metavar = "FILE",
     .help = "one line per decoded video frame with the MD5 of its\n"
             "planes (as ffmpeg -f framemd5 computes it); '-' = stdout"},
    {NULL},
};

static const struct cli_spec spec = {
    .prog = "studycast bench",
    .usage = "bench SOURCE [OPTIONS]",
    .about = "Decodes SOURCE as fast as possible (no pacing, no output) and reports the speed.\n",
    .options = options,
    .min_args = 1,
    .max_args = 1,
    .args_name = "SOURCE",
};

static void on_frame(void *opaque, const struct player_picture *picture)
{
    struct bench_frames *f = opaque;
    double pts = player_picture_pts(picture);
    if (!isnan(pts)) {
        if (f->count == 0 || pts < f->first_pts) f->first_pts = pts;
        if (f->count == 0 || pts > f->last_pts) f->last_pts = pts;
    }
    f->count++;
    if (!f->md5_out) return;
    char hex[33];
    int size = 0;
    if (player_picture_md5(picture, hex, &size) < 0) {
        f->write_errors++;
        return;
    }
    int64_t pts_raw = player_picture_pts_raw(picture);
    if (fprintf(f->md5_out, "0, %10" PRId64 ", %10" PRId64 ", %8d, %8d, %s\n", pts_raw, pts_raw, 1,
                size, hex) < 0)
        f->write_errors++;
}

static void stop_player(void *opaque)
{
    player_stop(opaque);
}

/* The speed: on stdout, or stderr when the checksums went to stdout. */
static void print_report(const struct bench_args *a, const struct player_stats *s,
                         const struct bench_frames *frames)
{
    double wall = s->seconds_played;
    double media = frames->count > 1 ? frames->last_pts - frames->first_pts : 0;
    if (frames->count > 1)
        media += media / (double)(frames->count - 1); /* the last frame's own duration */
    double fps = wall > 0 ? (double)s->frames_decoded / wall : 0;
    double speed = wall > 0 ? media / wall : 0;
    FILE *out = frames->md5_out == stdout ? stderr : stdout;
    if (a->json) {
        struct sc_buf buf = {0};
        struct sc_json json;
        sc_json_init(&json, &buf, false);
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "source", a->source);
        sc_json_kv_int(&json, "video_frames", s->frames_decoded);
        sc_json_kv_int(&json, "audio_frames", s->audio_frames_decoded);
        sc_json_kv_double(&json, "seconds", wall);
        sc_json_kv_double(&json, "fps", fps);
        sc_json_kv_double(&json, "speed", speed);
        sc_json_kv_double(&json, "media_seconds", media);
        sc_json_kv_int(&json, "decode_errors", s->decode_errors);
        sc_json_kv_int(&json, "video_width", s->video_width);
        sc_json_kv_int(&json, "video_height", s->video_height);
        sc_json_object_end(&json);
        fprintf(out, "%s\n", buf.failed ? "{}" : buf.data);
        sc_buf_free(&buf);
    } else {
        fprintf(out,
                "%s: %" PRId64 " video frames, %" PRId64 " audio frames in %.3f s: %.1f fps, "
                "%.2fx real time (%" PRId64 " decode errors)\n",
                a->source, s->frames_decoded, s->audio_frames_decoded, wall, fps, speed,
                s->decode_errors);
    }
}

int cli_bench(int argc, char **argv, struct sc_log *log)
{
    struct bench_args a;
    struct cli_args pos;
    int ret = cli_parse(&spec, argc, argv, &a, &pos);
    if (ret != 0) return cli_status(ret);
    a.source = pos.v[0];
    struct bench_frames frames = {0};
    if (a.framemd5_path) {
        frames.md5_out = strcmp(a.framemd5_path, "-") == 0 ? stdout : fopen(a.framemd5_path, "w");
        if (!frames.md5_out) {
            fprintf(stderr, "studycast bench: cannot write %s: %s\n", a.framemd5_path,
                    strerror(errno));
            return 1;
        }
        fprintf(frames.md5_out, "#format: frame checksums\n#version: 2\n#hash: MD5\n"
                                "#tb 0: stream time base\n#media_type 0: video\n");
    }
    struct cli_stop_signals signals;
    if (cli_stop_signals_start(&signals, stop_player) < 0) {
        fprintf(stderr, "studycast: cannot set up signal handling\n");
        return 1;
    }
    struct player_opts opts = {.source = a.source,
                               .service = a.service,
                               .threads = a.threads,
                               .no_audio = a.no_audio,
                               .bench = true,
                               .on_decoded_frame = on_frame,
                               .decoded_opaque = &frames,
                               .start_ns = sc_mono_ns(),
                               .log = log};
    struct player *player = NULL;
    if (player_create(&opts, &player) < 0) {
        fprintf(stderr, "studycast: cannot start the player: out of memory\n");
        cli_stop_signals_finish(&signals);
        return 1;
    }
    cli_stop_signals_set_opaque(&signals, player);
    int status = 0;
    if (player_wait(player, -1) == PLAYER_FAILED) {
        fprintf(stderr, "studycast: %s\n", player_error(player));
        status = 1;
    }
    struct player_stats s;
    player_get_stats(player, &s);
    cli_stop_signals_set_opaque(&signals, NULL);
    cli_stop_signals_finish(&signals);
    player_destroy(player); /* joins the decoder threads: `frames` is ours again */
    if (frames.md5_out && frames.md5_out != stdout && fclose(frames.md5_out) != 0)
        frames.write_errors++;
    if (frames.write_errors) {
        fprintf(stderr, "studycast bench: %d frame checksums could not be written\n",
                frames.write_errors);
        status = 1;
    }
    if (status != 0) return status;

    print_report(&a, &s, &frames);
    return 0;
}
