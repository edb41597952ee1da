/* Monotonic and wall clocks, ISO 8601 formatting and parsing; see base.h. */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sc_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t sc_utc_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

void sc_format_iso8601_utc(int64_t unix_seconds, char *buf, size_t size)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "invalid");
        return;
    }
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int read_digits(const char **p, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += count;
    *value = v;
    return 0;
}

int sc_parse_iso8601(const char *text, int64_t *unix_seconds)
{
    const char *p = text;
    int year, mon, day, hour = 0, min = 0, sec = 0;
    if (!p || read_digits(&p, 4, &year) || *p++ != '-' || read_digits(&p, 2, &mon) ||
        *p++ != '-' || read_digits(&p, 2, &day))
        return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (read_digits(&p, 2, &hour) || *p++ != ':' || read_digits(&p, 2, &min))
            return -1;
        if (*p == ':') {
            p++;
            if (read_digits(&p, 2, &sec))
                return -1;
        }
    }
    int offset_minutes = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (read_digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (read_digits(&p, 2, &om))
            return -1;
        offset_minutes = sign * (oh * 60 + om);
    }
    if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60)
        return -1;
    struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
                    .tm_hour = hour, .tm_min = min, .tm_sec = sec};
    time_t t = timegm(&tm);
    if (tm.tm_mday != day) /* 31 February and the like normalise to another day */
        return -1;
    *unix_seconds = (int64_t)t - offset_minutes * 60;
    return 0;
}
