/* Text forms of schedule entries (sources, repetition, kinds, local times)
 * and entry validation; see schedule.h. */
#include "kiosk/schedule/schedule.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[] = {"live", "capture", "replay"};
/* The kinds' names before "record" came to mean only the study record;
 * read (in scripts and by the schema migration), never written. */
static const char *const old_kind_names[] = {NULL, "record", "recording"};
static const char *const weekday_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

const char *sch_kind_name(enum sch_kind kind)
{
    return (unsigned)kind < 3 ? kind_names[kind] : "unknown";
}

int sch_kind_parse(const char *name, enum sch_kind *kind)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, kind_names[i]) == 0 ||
            (old_kind_names[i] && strcmp(name, old_kind_names[i]) == 0)) {
            *kind = (enum sch_kind)i;
            return 0;
        }
    }
    return -EINVAL;
}

bool sch_kind_counts_by_default(enum sch_kind kind)
{
    return kind != SCH_CAPTURE;
}

int sch_repeat_parse(const char *text, uint8_t *weekdays)
{
    if (strcmp(text, "daily") == 0) {
        *weekdays = SCH_DAILY;
        return 0;
    }
    if (strcmp(text, "once") == 0) {
        *weekdays = SCH_ONCE;
        return 0;
    }
    uint8_t set = 0;
    const char *p = text;
    for (;;) {
        int day = -1;
        for (int i = 0; i < 7; i++)
            if (strncmp(p, weekday_names[i], 3) == 0 && (p[3] == ',' || p[3] == '\0')) day = i;
        if (day < 0 || (set & (1u << day))) return -EINVAL;
        set |= (uint8_t)(1u << day);
        if (p[3] == '\0') break;
        p += 4;
    }
    *weekdays = set;
    return 0;
}

void sch_repeat_format(uint8_t weekdays, char *buf, size_t size)
{
    if (weekdays == SCH_ONCE) {
        snprintf(buf, size, "once");
        return;
    }
    if ((weekdays & SCH_DAILY) == SCH_DAILY) {
        snprintf(buf, size, "daily");
        return;
    }
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < 7; i++) {
        if (!(weekdays & (1u << i))) continue;
        int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", weekday_names[i]);
        if (n < 0 || (size_t)n >= size - len) return;
        len += (size_t)n;
    }
}

static int source_error(char *err, size_t err_size, const char *what)
{
    if (err && err_size) snprintf(err, err_size, "%s", what);
    return -EINVAL;
}

static bool has_url_scheme(const char *text)
{
    static const char *const schemes[] = {"udp://",   "rtp://", "http://",
                                          "https://", "srt://", "dvb://"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (strncmp(text, schemes[i], strlen(schemes[i])) == 0)
            return strlen(text) > strlen(schemes[i]);
    return false;
}

/* Parses a positive decimal number that fits in max; returns 0 or -EINVAL. */
static int parse_positive(const char *text, const char **end, int64_t max, int64_t *value)
{
    if (*text < '0' || *text > '9') return -EINVAL;
    errno = 0;
    char *stop;
    long long v = strtoll(text, &stop, 10);
    if (errno || v <= 0 || v > max) return -EINVAL;
    *end = stop;
    *value = v;
    return 0;
}

int sch_source_parse(const char *text, struct sch_source *source, char *err, size_t err_size)
{
    memset(source, 0, sizeof(*source));
    if (!text || !*text) return source_error(err, err_size, "the source is empty");
    if (strlen(text) >= SCH_LOCATION_MAX)
        return source_error(err, err_size, "the source is too long");
    const char *end;
    int64_t number;
    if (strncmp(text, "service:", 8) == 0) {
        if (parse_positive(text + 8, &end, 65535, &number))
            return source_error(err, err_size,
                                "a service is 'service:N' with N the service number 1-65535");
        source->type = SCH_SOURCE_SERVICE;
        source->service_id = (int)number;
        if (*end == '@') {
            if (!has_url_scheme(end + 1))
                return source_error(err, err_size,
                                    "the stream after 'service:N@' must be a udp://, rtp://, "
                                    "http(s)://, srt:// or dvb:// URL");
            snprintf(source->location, sizeof(source->location), "%s", end + 1);
        } else if (*end != '\0') {
            return source_error(err, err_size, "junk after the service number");
        }
        return 0;
    }
    /* "recording:ID" is the old name of "capture:ID", still read. */
    size_t prefix = strncmp(text, "capture:", 8) == 0      ? 8
                    : strncmp(text, "recording:", 10) == 0 ? 10
                                                           : 0;
    if (prefix) {
        if (parse_positive(text + prefix, &end, INT64_MAX, &number) || *end != '\0')
            return source_error(err, err_size,
                                "a capture is 'capture:ID' with ID a capture entry's id");
        source->type = SCH_SOURCE_CAPTURE;
        source->capture_entry_id = number;
        return 0;
    }
    if (has_url_scheme(text)) {
        source->type = SCH_SOURCE_URL;
        snprintf(source->location, sizeof(source->location), "%s", text);
        return 0;
    }
    if (strstr(text, "://"))
        return source_error(err, err_size,
                            "unsupported URL scheme (udp, rtp, http, https, "
                            "srt, dvb)");
    const char *path = strncmp(text, "file:", 5) == 0 ? text + 5 : text;
    if (!*path) return source_error(err, err_size, "'file:' needs a file name");
    /* A library name stays inside the library: no way up and out of it. */
    if (path[0] != '/' &&
        (strncmp(path, "../", 3) == 0 || strstr(path, "/../") || strcmp(path, "..") == 0))
        return source_error(err, err_size, "a library file name may not contain '..'");
    source->type = SCH_SOURCE_FILE;
    snprintf(source->location, sizeof(source->location), "%s", path);
    return 0;
}

void sch_source_format(const struct sch_source *source, char *buf, size_t size)
{
    switch (source->type) {
    case SCH_SOURCE_SERVICE:
        if (source->location[0])
            snprintf(buf, size, "service:%d@%s", source->service_id, source->location);
        else
            snprintf(buf, size, "service:%d", source->service_id);
        break;
    case SCH_SOURCE_CAPTURE:
        snprintf(buf, size, "capture:%" PRId64, source->capture_entry_id);
        break;
    case SCH_SOURCE_URL:
        snprintf(buf, size, "%s", source->location);
        break;
    case SCH_SOURCE_FILE:
        snprintf(buf, size, "%s%s", source->location[0] == '/' ? "" : "file:", source->location);
        break;
    default:
        snprintf(buf, size, "invalid");
        break;
    }
}

void sch_format_local(int64_t utc, int32_t utc_offset_s, char *buf, size_t size)
{
    time_t t = (time_t)(utc + utc_offset_s);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "invalid");
        return;
    }
    int32_t off = utc_offset_s < 0 ? -utc_offset_s : utc_offset_s;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             utc_offset_s < 0 ? '-' : '+', (int)(off / 3600), (int)(off % 3600 / 60));
}

#define DAY_S      86400
#define MAX_ZONE_S (14 * 3600) /* UTC-14 .. UTC+14, as entries allow */
#define ZONE_FORMS "Z, +hh:mm, +hhmm or +hh"
#define TIME_FORMS "2026-12-01T19:30 or 2026-12-01T19:30+08:00"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int reason(char *err, size_t err_size, const char *fmt, const char *arg)
{
    if (err && err_size) snprintf(err, err_size, fmt, arg);
    return -EINVAL;
}

/* Exactly n decimal digits at *p (n <= 4), advancing past them. */
static bool digits(const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9') return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *value = v;
    return true;
}

int sch_parse_zone(const char *text, int32_t *offset)
{
    if (!text) return -EINVAL;
    if ((text[0] == 'Z' || text[0] == 'z') && text[1] == '\0') {
        *offset = 0;
        return 0;
    }
    const char *p = text + 1;
    int h, m = 0;
    if ((text[0] != '+' && text[0] != '-') || !digits(&p, 2, &h)) return -EINVAL;
    bool colon = *p == ':'; /* then minutes must follow: "+08:" is cut short */
    if (colon) p++;
    if ((colon || *p != '\0') && (!digits(&p, 2, &m) || *p != '\0')) return -EINVAL;
    if (m > 59) return -EINVAL;
    int32_t s = h * 3600 + m * 60;
    if (s > MAX_ZONE_S) return -ERANGE;
    *offset = text[0] == '-' ? -s : s;
    return 0;
}

/* The wall-clock time in text read as if at UTC, and its zone if any. */
static int parse_time(const char *text, int64_t *wall, bool *zoned, int32_t *zone, char *err,
                      size_t err_size)
{
    if (!text || !*text) return reason(err, err_size, "%s", "no time given");
    const char *p = text;
    int year, mon, day, hour = 0, min = 0, sec = 0;
    if (!digits(&p, 4, &year) || *p++ != '-' || !digits(&p, 2, &mon) || *p++ != '-' ||
        !digits(&p, 2, &day))
        return reason(err, err_size, "expected %s", TIME_FORMS);
    bool has_time = *p == 'T' || *p == 't' || *p == ' ';
    if (has_time) {
        p++;
        if (!digits(&p, 2, &hour) || *p++ != ':' || !digits(&p, 2, &min))
            return reason(err, err_size, "expected %s", TIME_FORMS);
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec)) return reason(err, err_size, "expected %s", TIME_FORMS);
        }
    }
    *zoned = false;
    if (*p != '\0') {
        if (*p != 'Z' && *p != 'z' && *p != '+' && *p != '-')
            return reason(err, err_size, "unexpected '%s' after the time", p);
        if (!has_time) return reason(err, err_size, "%s", "a zone needs a time of day");
        int rc = sch_parse_zone(p, zone);
        if (rc == -ERANGE)
            return reason(err, err_size, "the zone '%s' is out of range (-14:00 to +14:00)", p);
        if (rc) return reason(err, err_size, "the zone '%s' is not " ZONE_FORMS, p);
        *zoned = true;
    }
    if (hour > 23 || min > 59 || sec > 59)
        return reason(err, err_size, "%s", "the time of day is out of range");
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    /* 30 February and the like normalise to another day. */
    if (mon < 1 || mon > 12 || day < 1 || tm.tm_mday != day || tm.tm_mon != mon - 1)
        return reason(err, err_size, "%s", "there is no such day");
    *wall = (int64_t)t;
    return 0;
}

int sch_parse_time(const char *text, int32_t utc_offset_s, int64_t *utc, int32_t *zone, char *err,
                   size_t err_size)
{
    int64_t wall;
    bool zoned;
    int32_t written = 0;
    int rc = parse_time(text, &wall, &zoned, &written, err, err_size);
    if (rc) return rc;
    if (!zoned) written = utc_offset_s;
    *utc = wall - written;
    if (zone) *zone = written;
    return 0;
}

int sch_parse_local(const char *text, int32_t utc_offset_s, int64_t *utc)
{
    return sch_parse_time(text, utc_offset_s, utc, NULL, NULL, 0);
}

int sch_zone_offset(const char *text, int32_t *offset)
{
    int64_t wall;
    bool zoned;
    int rc = parse_time(text, &wall, &zoned, offset, NULL, 0);
    return rc ? rc : zoned ? 0 : -ENOENT;
}

int sch_entry_set_start(struct sch_entry *entry, const char *text, int32_t utc_offset_s, char *err,
                        size_t err_size)
{
    int64_t utc;
    int32_t zone;
    int rc = sch_parse_time(text, utc_offset_s, &utc, &zone, err, err_size);
    if (rc) return rc;
    entry->start_utc = utc;
    entry->utc_offset_s = utc_offset_s;
    /* "mon" meant Mondays where the time was written; the station may
     * already be on Tuesday then (at most two days apart). */
    int shift = (int)(floor_div(utc + utc_offset_s, DAY_S) - floor_div(utc + zone, DAY_S));
    uint8_t days = entry->weekdays & SCH_DAILY, moved = 0;
    for (int i = 0; i < 7; i++)
        if (days & (1u << i)) moved |= (uint8_t)(1u << ((i + shift % 7 + 7) % 7));
    entry->weekdays = (uint8_t)((entry->weekdays & ~SCH_DAILY) | moved);
    return 0;
}

void sch_entry_init(struct sch_entry *entry)
{
    memset(entry, 0, sizeof(*entry));
    entry->duration_min = 120;
    entry->weekdays = SCH_ONCE;
    entry->kind = SCH_LIVE;
    entry->counts = true;
    entry->source.type = SCH_SOURCE_SERVICE;
}

static int invalid(char *err, size_t err_size, const char *what)
{
    if (err && err_size) snprintf(err, err_size, "%s", what);
    return -EINVAL;
}

int sch_entry_validate(const struct sch_entry *entry, char *err, size_t err_size)
{
    size_t title_len = strnlen(entry->title, sizeof(entry->title));
    if (title_len == 0) return invalid(err, err_size, "the title is empty");
    if (title_len == sizeof(entry->title)) return invalid(err, err_size, "the title is too long");
    if (sc_text_has_control(entry->title)) /* C0, DEL and C1: commands on a terminal */
        return invalid(err, err_size, "the title contains control characters");
    if ((unsigned)entry->kind > SCH_REPLAY) return invalid(err, err_size, "unknown kind");
    if (entry->utc_offset_s < -14 * 3600 || entry->utc_offset_s > 14 * 3600)
        return invalid(err, err_size, "the UTC offset is out of range (+-14:00)");
    /* 2000-01-01 .. 2100-01-01: anything else is a typo or a broken clock. */
    if (entry->start_utc < 946684800 || entry->start_utc >= 4102444800)
        return invalid(err, err_size, "the start is not between 2000 and 2100");
    if (!entry->until_event_end &&
        (entry->duration_min < 1 || entry->duration_min > SCH_MAX_MINUTES))
        return invalid(err, err_size, "the duration must be 1 to 1440 minutes");
    if (entry->weekdays & 0x80) return invalid(err, err_size, "bad weekday set");
    const struct sch_source *s = &entry->source;
    switch (entry->kind) {
    case SCH_LIVE:
        if (s->type != SCH_SOURCE_SERVICE && s->type != SCH_SOURCE_URL &&
            s->type != SCH_SOURCE_FILE)
            return invalid(err, err_size, "a live course plays a service, a URL or a library file");
        break;
    case SCH_CAPTURE:
        if (s->type != SCH_SOURCE_SERVICE && s->type != SCH_SOURCE_URL)
            return invalid(err, err_size, "a capture entry captures a service or a stream URL");
        break;
    case SCH_REPLAY:
        if (s->type != SCH_SOURCE_CAPTURE && s->type != SCH_SOURCE_FILE)
            return invalid(err, err_size, "a replay entry plays 'capture:ID' or a library file");
        break;
    }
    if (entry->until_event_end && s->type != SCH_SOURCE_SERVICE)
        return invalid(err, err_size,
                       "'until the broadcast event ends' needs a broadcast service source");
    return 0;
}
