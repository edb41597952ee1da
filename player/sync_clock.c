/* Presentation clocks (ffplay's model) and the live-source speed controller. */
#include "player/queue.h"

#include <math.h>
#include <time.h>

int player_clock_init(struct player_clock *c)
{
    *c = (struct player_clock){.pts = NAN, .pts_drift = NAN, .speed = 1.0, .serial = -1};
    if (pthread_mutex_init(&c->lock, NULL) != 0) return AVERROR(ENOMEM);
    return 0;
}

void player_clock_destroy(struct player_clock *c)
{
    pthread_mutex_destroy(&c->lock);
}

double player_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double get_locked(const struct player_clock *c, double now)
{
    if (c->paused) return c->pts;
    return c->pts_drift + now - (now - c->last_updated) * (1.0 - c->speed);
}

static void set_locked(struct player_clock *c, double pts, int serial, double now)
{
    c->pts = pts;
    c->last_updated = now;
    c->pts_drift = pts - now;
    c->serial = serial;
}

double player_clock_get_at(struct player_clock *c, double now)
{
    pthread_mutex_lock(&c->lock);
    double v = get_locked(c, now);
    pthread_mutex_unlock(&c->lock);
    return v;
}

double player_clock_get(struct player_clock *c)
{
    return player_clock_get_at(c, player_clock_now());
}

void player_clock_set_at(struct player_clock *c, double pts, int serial, double now)
{
    pthread_mutex_lock(&c->lock);
    set_locked(c, pts, serial, now);
    pthread_mutex_unlock(&c->lock);
}

void player_clock_set(struct player_clock *c, double pts, int serial)
{
    player_clock_set_at(c, pts, serial, player_clock_now());
}

void player_clock_set_speed_at(struct player_clock *c, double speed, double now)
{
    pthread_mutex_lock(&c->lock);
    if (!isnan(c->pts)) set_locked(c, get_locked(c, now), c->serial, now);
    c->speed = speed;
    pthread_mutex_unlock(&c->lock);
}

double player_clock_speed(struct player_clock *c)
{
    pthread_mutex_lock(&c->lock);
    double speed = c->speed;
    pthread_mutex_unlock(&c->lock);
    return speed;
}

void player_clock_set_paused_at(struct player_clock *c, bool paused, double now)
{
    pthread_mutex_lock(&c->lock);
    if (paused != c->paused) {
        if (paused) {
            c->pts = get_locked(c, now);
        }
        c->paused = paused;
        if (!paused && !isnan(c->pts)) set_locked(c, c->pts, c->serial, now);
    }
    pthread_mutex_unlock(&c->lock);
}

int player_clock_serial(struct player_clock *c)
{
    pthread_mutex_lock(&c->lock);
    int serial = c->serial;
    pthread_mutex_unlock(&c->lock);
    return serial;
}

void player_clock_sync_to(struct player_clock *c, struct player_clock *other, double threshold)
{
    double now = player_clock_now();
    double mine = player_clock_get_at(c, now);
    double theirs = player_clock_get_at(other, now);
    int serial = player_clock_serial(other);
    if (!isnan(theirs) && (isnan(mine) || fabs(mine - theirs) > threshold))
        player_clock_set_at(c, theirs, serial, now);
}

double player_clock_live_speed(double buffered_s, double target_s)
{
    /* 2 % of speed per second of excess: a sender 0.5 % fast settles 0.25 s above
     * the target instead of drifting away; the clamp keeps the pitch change of the
     * resampled audio inaudible. */
    double speed = 1.0 + (buffered_s - target_s) * 0.02;
    if (speed < 0.97) speed = 0.97;
    if (speed > 1.03) speed = 1.03;
    return speed;
}
