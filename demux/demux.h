/* demux: broadcast reception. Reads a transport stream from a source (file,
 * stdin, udp://, rtp://, http://, dvb://), resynchronises and cleans it
 * (per-PID statistics, continuity and TEI checks, damaged PES dropped), keeps
 * the service information (services, guide, broadcast time) and reports signal
 * outages.
 *
 * Threading and ownership
 * - A dmx_pipeline has one *reader thread*: the thread that calls
 *   dmx_pipeline_read(). dmx_pipeline_create() and _destroy() may run on any
 *   thread but not concurrently with a read.
 * - All callbacks in struct dmx_callbacks run on the reader thread, inside
 *   dmx_pipeline_read(), with no pipeline lock held: they may call the
 *   snapshot functions below but must not call dmx_pipeline_read().
 * - The snapshot functions (stats, services, events, time, outages, signal),
 *   dmx_pipeline_select_service(), dmx_pipeline_abort() and the guide
 *   save/load are thread-safe: any thread may call them at any time. They
 *   return copies owned by the caller.
 * - Strings are UTF-8, owned by the struct that holds them.
 *
 * The player's reader thread does:
 *     dmx_pipeline_create(&p, url, &opts, &callbacks, log);
 *     dmx_pipeline_select_service(p, service_id);        optional
 *     in the AVIOContext read callback:
 *         n = dmx_pipeline_read(p, buf, size, 200);     cleaned TS bytes
 *         n == 0: no data within the timeout (check quit flags, call again);
 *         n == DMX_EOF: end of a file; n < 0: error (dmx_strerror(n)).
 *     outages and SI changes arrive through the callbacks during the read.
 */
#ifndef STUDYCAST_DEMUX_H
#define STUDYCAST_DEMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* ---- errors ----------------------------------------------------------- */

enum {
    DMX_EOF = -1000,           /* end of a file source */
    DMX_ERR_URL = -1001,       /* unknown scheme or malformed source address */
    DMX_ERR_OPEN = -1002,      /* the source exists but cannot be opened */
    DMX_ERR_NO_DEVICE = -1003, /* no such DVB adapter */
    DMX_ERR_CHANNEL = -1004,   /* channel not in the channel file / bad file */
    DMX_ERR_TUNE = -1005,      /* the frontend did not accept the parameters */
    DMX_ERR_IO = -1006,        /* read error */
    DMX_ERR_NOMEM = -1007,
    DMX_ERR_ABORTED = -1008, /* dmx_pipeline_abort() was called */
    DMX_ERR_FORMAT = -1009,  /* a saved guide file is malformed */
};
/* A static English message for a DMX_* code or a negative errno. */
const char *dmx_strerror(int code);

/* ---- DVB text (EN 300 468 annex A) ------------------------------------ */

/* Character tables. The values 1..15 are ISO/IEC 8859-1..15. */
enum dmx_charset {
    DMX_CHARSET_DEFAULT = 0, /* table 00: ISO 6937 with the euro sign at 0xA4 */
    DMX_CHARSET_UCS2 = 0x111,
    DMX_CHARSET_KSX1001 = 0x112, /* EUC-KR */
    DMX_CHARSET_GB2312 = 0x113,  /* decoded as GB18030, its superset */
    DMX_CHARSET_BIG5 = 0x114,
    DMX_CHARSET_UTF8 = 0x115,
};
/* Parses "iso6937", "iso8859-N" (also "latin1"), "ucs2", "euc-kr"/"ksx1001",
 * "gb2312"/"gb18030", "big5", "utf-8". Returns the charset or -1. */
int dmx_charset_parse(const char *name);

/* Decodes one DVB string (selector byte included) to a malloc'd NUL-terminated
 * UTF-8 string. `default_charset` applies when the string has no selector.
 * Emphasis codes are dropped, CR/LF codes become '\n', invalid bytes U+FFFD.
 * Returns NULL only when out of memory. */
char *dmx_text_to_utf8(const uint8_t *data, size_t len, int default_charset);

/* ---- service information ---------------------------------------------- */

struct dmx_stream {
    uint16_t pid;
    uint8_t stream_type; /* ISO 13818-1 stream_type */
    char codec[24];      /* as the PMT declares it: "mpeg2video", "h264", "aac" ... */
    char language[16];   /* ISO 639 codes joined by ',' ("" when none) */
};

struct dmx_service {
    uint16_t id;      /* program_number = service_id */
    uint16_t pmt_pid; /* 0 when not in the PAT */
    uint16_t pcr_pid; /* 0x1FFF when unknown */
    uint16_t transport_stream_id;
    uint16_t original_network_id; /* from its SDT; 0 before the SDT is seen */
    /* false: from SDT other (table 0x46), a service of another multiplex,
     * known by (original_network_id, transport_stream_id, id) */
    bool actual;
    bool scrambled; /* free_CA_mode */
    uint8_t type;   /* service_type (0x01 TV, 0x02 radio, 0x19 HD ...) */
    char *name;     /* never NULL ("" when unknown) */
    char *provider; /* never NULL */
    struct dmx_stream *streams;
    size_t stream_count;
};

struct dmx_event {
    uint16_t service_id;
    uint16_t event_id;
    int64_t start;          /* Unix seconds, UTC */
    int32_t duration;       /* seconds */
    uint8_t running_status; /* 0 undefined, 1 not running, 2 starts soon, 3 pausing, 4 running */
    uint8_t table_id;       /* 0x4E..0x6F: p/f or schedule, actual or other */
    uint8_t section_number; /* of the EIT section that carried it */
    char language[4];       /* ISO 639-2 of the short event descriptor */
    uint8_t genre;          /* first content_nibble pair of the content descriptor, 0 if none */
    char *title;            /* never NULL */
    char *description;      /* short event text, never NULL */
    char *extended;         /* extended event items + text concatenated, never NULL */
};

struct dmx_time {
    int64_t utc;              /* Unix seconds of the last TDT/TOT */
    int64_t received_mono_ns; /* sc_mono_ns() when it arrived, to extrapolate */
    int local_offset_minutes; /* from the TOT's local_time_offset_descriptor */
    bool has_offset;          /* a TOT with an offset was seen */
};

/* ---- statistics --------------------------------------------------------- */

struct dmx_pid_stats {
    uint16_t pid;
    uint64_t packets;         /* packets seen on this PID (TEI ones included) */
    uint32_t cc_errors;       /* continuity counter discontinuities */
    uint32_t tei;             /* transport_error_indicator set */
    uint32_t scrambled;       /* transport_scrambling_control != 0 */
    uint32_t pcr_jumps;       /* PCR going backwards or jumping > 1 s, unannounced */
    uint32_t duplicates;      /* repeated packets (allowed once, dropped) */
    uint32_t discontinuities; /* CC jumps announced by discontinuity_indicator */
    uint32_t dropped;         /* packets not passed on (damaged PES, TEI, scrambled) */
};

struct dmx_stats {
    uint64_t bytes_in;                             /* bytes read from the source */
    uint64_t packets;                              /* synchronised packets */
    uint64_t packets_out;                          /* packets passed on as clean */
    uint32_t packet_size;                          /* 188, 192 or 204; 0 before the first lock */
    uint32_t sync_losses;                          /* times sync was lost after being locked */
    uint64_t skipped_bytes;                        /* bytes thrown away while looking for sync */
    uint32_t truncated_bytes;                      /* a partial packet at the end of a file */
    uint64_t cc_errors, tei, scrambled, pcr_jumps; /* sums over the PIDs */
    uint64_t rtp_lost;                             /* RTP sequence gaps (packets) */
    uint64_t rtp_reordered;                        /* RTP packets late or duplicated */
    double stream_seconds;                         /* stream time covered, from the PCR */
    uint64_t section_crc_errors;                   /* PSI/SI sections discarded for a bad CRC */
};

/* ---- outages and signal --------------------------------------------------- */

enum dmx_outage_cause {
    DMX_OUTAGE_NO_DATA = 1,     /* the source delivered nothing */
    DMX_OUTAGE_UNDECODABLE = 2, /* bytes arrived but no clean packet */
    DMX_OUTAGE_NO_LOCK = 3,     /* the DVB frontend lost lock */
};
const char *dmx_outage_cause_name(enum dmx_outage_cause cause);

struct dmx_outage {
    int64_t start_mono_ns; /* the last clean data before the outage */
    int64_t end_mono_ns;   /* the first clean data after it; 0 while ongoing */
    enum dmx_outage_cause cause;
};

struct dmx_signal {
    bool valid; /* the source has a frontend (DVB only) */
    bool locked;
    double strength_dbm;     /* NaN when the driver does not say */
    double strength_percent; /* 0..100, NaN when unknown */
    double cnr_db;           /* NaN when unknown */
    int quality;             /* libdvbv5's verdict: 0 unknown, 1 poor, 2 ok, 3 good */
};

/* ---- the pipeline --------------------------------------------------------- */

struct dmx_options {
    int outage_ms;                /* no clean data for this long = outage (2000) */
    int default_charset;          /* DVB text without selector (DMX_CHARSET_DEFAULT) */
    size_t guide_max_per_service; /* events kept per service (512) */
    size_t guide_max_total;       /* events kept in all (8192) */
    int64_t time_floor;           /* broadcast times before this are implausible
                                     (Unix seconds; default 2015-01-01) */
    int udp_rcvbuf;               /* SO_RCVBUF for UDP/RTP (4 MiB) */
    int dvb_lock_timeout_ms;      /* wait for frontend lock at open (5000) */
    int window_ms;                /* recent packets of every PID kept for a service's
                                     start (1500; 0: none, wait for the next keyframe) */
    size_t window_bytes;          /* and at most this much of them (8 MiB) */
};
void dmx_options_default(struct dmx_options *options);

/* Registered by the layer above; every member may be NULL. Called on the
 * reader thread (see top). */
struct dmx_callbacks {
    void *opaque;
    /* Twice per outage: when detected (end_mono_ns == 0) and when clean data returns. */
    void (*outage)(void *opaque, const struct dmx_outage *outage);
    /* The service list (PAT/PMT/SDT) changed. */
    void (*services_changed)(void *opaque);
    /* Events of the guide were added or replaced. */
    void (*guide_changed)(void *opaque);
    /* A plausible TDT/TOT arrived. */
    void (*time_changed)(void *opaque, const struct dmx_time *time);
};

struct dmx_pipeline;

/* Opens the source named by `url` ("-", a path, udp://[@]HOST:PORT[?iface=IF|
 * localaddr=A], rtp://..., http(s)://..., dvb://CHANNEL?channels=FILE
 * [&adapter=N&frontend=N&demux=N]). options/callbacks may be NULL (defaults);
 * they are copied. `log` must outlive the pipeline. Returns 0 or DMX_ERR_*. */
int dmx_pipeline_create(struct dmx_pipeline **out, const char *url,
                        const struct dmx_options *options, const struct dmx_callbacks *callbacks,
                        struct sc_log *log);
/* Closes the source. Accepts NULL. Not concurrently with a read. */
void dmx_pipeline_destroy(struct dmx_pipeline *p);

/* Reader thread. Fills buf with whole clean 188-byte packets (size must be at
 * least 188). Waits at most timeout_ms for data (-1: no limit, 0: poll the
 * source once). Returns the number of bytes, 0 on timeout, DMX_EOF at the end
 * of a file, or an error. Live sources are polled in slices of 100 ms, so an
 * abort or an outage is noticed within that even with a long timeout. */
int dmx_pipeline_read(struct dmx_pipeline *p, uint8_t *buf, size_t size, int timeout_ms);

/* True for udp/rtp/dvb/stdin pipes and http without a length. */
bool dmx_pipeline_is_live(const struct dmx_pipeline *p);

/* Passes only the PAT, the service's PMT, its elementary streams and PCR
 * (the PAT rewritten to this one program so libavformat probes nothing
 * else), or everything when service_id < 0. Takes effect at the next read:
 * what is waiting for the reader is dropped. As soon as the service's PMT is
 * known, the read starts with a PAT, that PMT, then the service's packets
 * still in the window from a keyframe on: the earliest one when the PMT
 * arrived after the selection (nothing received is lost), the latest when it
 * was known already (a service change shows a picture at once). */
void dmx_pipeline_select_service(struct dmx_pipeline *p, int service_id);

/* The service the source address itself names (a dvb:// channel's service
 * id), or -1: what the player selects when told nothing else. Any thread. */
int dmx_pipeline_default_service(const struct dmx_pipeline *p);

/* Makes the current and every later read return DMX_ERR_ABORTED promptly. */
void dmx_pipeline_abort(struct dmx_pipeline *p);

void dmx_pipeline_stats(struct dmx_pipeline *p, struct dmx_stats *out);
/* Copies the per-PID statistics of every PID seen, by PID. Caller frees *out. */
int dmx_pipeline_pid_stats(struct dmx_pipeline *p, struct dmx_pid_stats **out, size_t *count);
/* Copies the services (actual first, by id). Free with dmx_services_free(). */
int dmx_pipeline_services(struct dmx_pipeline *p, struct dmx_service **out, size_t *count);
void dmx_services_free(struct dmx_service *services, size_t count);
/* Copies the guide events of one service (service_id >= 0) or all, by service
 * then start. Free with dmx_events_free(). */
int dmx_pipeline_events(struct dmx_pipeline *p, int service_id, struct dmx_event **out,
                        size_t *count);
void dmx_events_free(struct dmx_event *events, size_t count);
/* The last plausible broadcast time: 0, or -ENOENT when none yet. */
int dmx_pipeline_time(struct dmx_pipeline *p, struct dmx_time *out);
/* Copies the outages so far (ongoing one last, end 0). Caller frees *out. */
int dmx_pipeline_outages(struct dmx_pipeline *p, struct dmx_outage **out, size_t *count);
/* The frontend's last reading (valid == false for sources without one). */
void dmx_pipeline_signal(struct dmx_pipeline *p, struct dmx_signal *out);

/* The NIT's network name and id: 0, or -ENOENT when no NIT was seen. */
int dmx_pipeline_network(struct dmx_pipeline *p, char *name, size_t size, uint16_t *network_id);

/* Writes the guide to `path` atomically (format in guide.c's header comment);
 * loads one back, merging it under what the stream has already sent (the
 * guide_changed callback follows at the next read). A malformed file changes
 * nothing (DMX_ERR_FORMAT). Return 0 or a negative code. */
int dmx_pipeline_guide_save(struct dmx_pipeline *p, const char *path);
int dmx_pipeline_guide_load(struct dmx_pipeline *p, const char *path);

#endif
