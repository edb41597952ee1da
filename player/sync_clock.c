/* Presentation clocks (ffplay's model) and the live-source speed controller. */
#include "player/queue.h"

#include <math.h>
#include <time.h>

int sc_clock_init(struct sc_clock *c)
{
    *c = (struct sc_clock){.pts = NAN, .pts_drift = NAN, .speed = 1.0, .serial = -1};
    if (pthread_mutex_init(&c->lock, NULL) != 0) return AVERROR(ENOMEM);
    return 0;
}

void sc_clock_destroy(struct sc_clock *c)
{
    pthread_mutex_destroy(&c->lock);
}

double sc_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double get_locked(const struct sc_clock *c, double now)
{
    if (c->paused) return c->pts;
    return c->pts_drift + now - (now - c->last_updated) * (1.0 - c->speed);
}

static void set_locked(struct sc_clock *c, double pts, int serial, double now)
{
    c->pts = pts;
    c->last_updated = now;
    c->pts_drift = pts - now;
    c->serial = serial;
}

double sc_clock_get_at(struct sc_clock *c, double now)
{
    pthread_mutex_lock(&c->lock);
    double v = get_locked(c, now);
    pthread_mutex_unlock(&c->lock);
    return v;
}

double sc_clock_get(struct sc_clock *c)
{
    return sc_clock_get_at(c, sc_clock_now());
}

void sc_clock_set_at(struct sc_clock *c, double pts, int serial, double now)
{
    pthread_mutex_lock(&c->lock);
    set_locked(c, pts, serial, now);
    pthread_mutex_unlock(&c->lock);
}

void sc_clock_set(struct sc_clock *c, double pts, int serial)
{
    sc_clock_set_at(c, pts, serial, sc_clock_now());
}

void sc_clock_set_speed_at(struct sc_clock *c, double speed, double now)
{
    pthread_mutex_lock(&c->lock);
    if (!isnan(c->pts)) set_locked(c, get_locked(c, now), c->serial, now);
    c->speed = speed;
    pthread_mutex_unlock(&c->lock);
}

double sc_clock_speed(struct sc_clock *c)
{
    pthread_mutex_lock(&c->lock);
    double speed = c->speed;
    pthread_mutex_unlock(&c->lock);
    return speed;
}

void sc_clock_set_paused_at(struct sc_clock *c, bool paused, double now)
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

int sc_clock_serial(struct sc_clock *c)
{
    pthread_mutex_lock(&c->lock);
    int serial = c->serial;
    pthread_mutex_unlock(&c->lock);
    return serial;
}

void sc_clock_sync_to(struct sc_clock *c, struct sc_clock *other, double threshold)
{
    double now = sc_clock_now();
    double mine = sc_clock_get_at(c, now);
    double theirs = sc_clock_get_at(other, now);
    int serial = sc_clock_serial(other);
    if (!isnan(theirs) && (isnan(mine) || fabs(mine - theirs) > threshold))
        sc_clock_set_at(c, theirs, serial, now);
}

double sc_clock_live_speed(double buffered_s, double target_s)
{
    /* 2 % of speed per second of excess: a sender 0.5 % fast settles 0.25 s above
     * the target instead of drifting away; the clamp keeps the pitch change of the
     * resampled audio inaudible. */
    double speed = 1.0 + (buffered_s - target_s) * 0.02;
    if (speed < 0.97) speed = 0.97;
    if (speed > 1.03) speed = 1.03;
    return speed;
}
