/* studycast bench SOURCE: the player's reader and decoders with no pacing and
 * no output, as fast as the machine decodes; optionally a framemd5 list. */
#include "kiosk/cli/cli.h"
#include "player/player.h"
#include "kiosk/cli/stop_signals.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
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

static void usage(FILE *out)
{
    fprintf(out, "usage: studycast bench SOURCE [OPTIONS]\n"
                 "Decodes SOURCE as fast as possible (no pacing, no output) and reports the "
                 "speed.\n\n"
                 "  --json             one JSON object on standard output\n"
                 "  --threads N        video decoder threads (default: one per core)\n"
                 "  --service N        the program number (default: the first with video)\n"
                 "  --no-audio         do not decode the sound\n"
                 "  --framemd5 FILE    one line per decoded video frame with the MD5 of its\n"
                 "                     planes (as ffmpeg -f framemd5 computes it); '-' = stdout\n");
}

static int parse_args(int argc, char **argv, struct bench_args *a)
{
    *a = (struct bench_args){.service = -1};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "--no-audio") == 0) {
            a->no_audio = true;
        } else if (arg[0] == '-' && arg[1] == '-' && !val) {
            fprintf(stderr, "studycast bench: %s needs a value\n", arg);
            return -1;
        } else if (strcmp(arg, "--threads") == 0 || strcmp(arg, "--service") == 0) {
            errno = 0;
            long v = strtol(val, &end, 10);
            long max = strcmp(arg, "--threads") == 0 ? 64 : 65535;
            if (errno || end == val || *end || v < 0 || v > max) {
                fprintf(stderr, "studycast bench: %s wants a number 0..%ld\n", arg, max);
                return -1;
            }
            *(strcmp(arg, "--threads") == 0 ? &a->threads : &a->service) = (int)v;
            i++;
        } else if (strcmp(arg, "--framemd5") == 0) {
            a->framemd5_path = val;
            i++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "studycast bench: unknown option '%s'\n", arg);
            return -1;
        } else if (a->source) {
            fprintf(stderr, "studycast bench: one SOURCE only\n");
            return -1;
        } else {
            a->source = arg;
        }
    }
    if (!a->source) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static void on_frame(void *opaque, const struct sc_picture *picture)
{
    struct bench_frames *f = opaque;
    double pts = sc_picture_pts(picture);
    if (!isnan(pts)) {
        if (f->count == 0 || pts < f->first_pts) f->first_pts = pts;
        if (f->count == 0 || pts > f->last_pts) f->last_pts = pts;
    }
    f->count++;
    if (!f->md5_out) return;
    char hex[33];
    int size = 0;
    if (sc_picture_md5(picture, hex, &size) < 0) {
        f->write_errors++;
        return;
    }
    int64_t pts_raw = sc_picture_pts_raw(picture);
    if (fprintf(f->md5_out, "0, %10" PRId64 ", %10" PRId64 ", %8d, %8d, %s\n", pts_raw, pts_raw, 1,
                size, hex) < 0)
        f->write_errors++;
}

static void stop_player(void *opaque)
{
    sc_player_stop(opaque);
}

int cmd_bench(int argc, char **argv, struct sc_log *log)
{
    struct bench_args a;
    int ret = parse_args(argc, argv, &a);
    if (ret != 0) return ret > 0 ? 0 : 2;
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
    struct stop_signals signals;
    if (stop_signals_start(&signals, stop_player) < 0) {
        fprintf(stderr, "studycast: cannot set up signal handling\n");
        return 1;
    }
    struct sc_player_opts opts = {.source = a.source,
                                  .service = a.service,
                                  .threads = a.threads,
                                  .no_audio = a.no_audio,
                                  .bench = true,
                                  .on_decoded_frame = on_frame,
                                  .decoded_opaque = &frames,
                                  .start_ns = sc_mono_ns(),
                                  .log = log};
    struct sc_player *player = NULL;
    if (sc_player_create(&opts, &player) < 0) {
        fprintf(stderr, "studycast: cannot start the player: out of memory\n");
        stop_signals_finish(&signals);
        return 1;
    }
    stop_signals_set_opaque(&signals, player);
    int status = 0;
    if (sc_player_wait(player, -1) == SC_PLAYER_FAILED) {
        fprintf(stderr, "studycast: %s\n", sc_player_error(player));
        status = 1;
    }
    struct sc_player_stats s;
    sc_player_get_stats(player, &s);
    stop_signals_set_opaque(&signals, NULL);
    stop_signals_finish(&signals);
    sc_player_destroy(player); /* joins the decoder threads: `frames` is ours again */
    if (frames.md5_out && frames.md5_out != stdout && fclose(frames.md5_out) != 0)
        frames.write_errors++;
    if (frames.write_errors) {
        fprintf(stderr, "studycast bench: %d frame checksums could not be written\n",
                frames.write_errors);
        status = 1;
    }
    if (status != 0) return status;

    double wall = s.seconds_played;
    double media = frames.count > 1 ? frames.last_pts - frames.first_pts : 0;
    if (frames.count > 1)
        media += media / (double)(frames.count - 1); /* the last frame's own duration */
    double fps = wall > 0 ? (double)s.frames_decoded / wall : 0;
    double speed = wall > 0 ? media / wall : 0;
    FILE *out = frames.md5_out == stdout ? stderr : stdout;
    if (a.json) {
        struct sc_buf buf = {0};
        struct sc_json json;
        sc_json_init(&json, &buf, false);
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "source", a.source);
        sc_json_kv_int(&json, "video_frames", s.frames_decoded);
        sc_json_kv_int(&json, "audio_frames", s.audio_frames_decoded);
        sc_json_kv_double(&json, "seconds", wall);
        sc_json_kv_double(&json, "fps", fps);
        sc_json_kv_double(&json, "speed", speed);
        sc_json_kv_double(&json, "media_seconds", media);
        sc_json_kv_int(&json, "decode_errors", s.decode_errors);
        sc_json_kv_int(&json, "video_width", s.video_width);
        sc_json_kv_int(&json, "video_height", s.video_height);
        sc_json_object_end(&json);
        fprintf(out, "%s\n", buf.failed ? "{}" : buf.data);
        sc_buf_free(&buf);
    } else {
        fprintf(out,
                "%s: %" PRId64 " video frames, %" PRId64 " audio frames in %.3f s: %.1f fps, "
                "%.2fx real time (%" PRId64 " decode errors)\n",
                a.source, s.frames_decoded, s.audio_frames_decoded, wall, fps, speed,
                s.decode_errors);
    }
    return 0;
}
