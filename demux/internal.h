/* demux internals shared by the files of the module (and its tests and fuzz
 * target). Nothing here is for other modules: they use demux.h. */
#ifndef STUDYCAST_DEMUX_INTERNAL_H
#define STUDYCAST_DEMUX_INTERNAL_H

#include "demux/demux.h"

#include <stdatomic.h>

#define TS_PACKET 188
#define PID_COUNT 8192
#define PID_NULL  0x1FFF

/* ---- sources -------------------------------------------------------------- */

/* A source backend: one per kind, in a NULL-terminated registry (source.c).
 * All calls happen on the pipeline's reader thread. */
struct dmx_source_driver {
    const char *name;
    /* True when this backend handles `url`. */
    bool (*accepts)(const char *url);
    /* Opens `url`; *priv receives the backend's state. Returns 0 or DMX_ERR_*. */
    int (*open)(void **priv, const char *url, const struct dmx_options *options,
                struct sc_log *log);
    /* Reads up to size bytes, waiting at most timeout_ms (-1: forever).
     * Returns bytes, 0 on timeout, DMX_EOF or an error. */
    int (*read)(void *priv, uint8_t *buf, size_t size, int timeout_ms);
    void (*close)(void *priv);
    /* True when the source is a live signal (time passes without us). */
    bool (*is_live)(void *priv);
    /* Optional: RTP counters and frontend state; NULL when not applicable. */
    void (*counters)(void *priv, uint64_t *rtp_lost, uint64_t *rtp_reordered);
    void (*signal)(void *priv, struct dmx_signal *out);
    /* Optional: the service the address names (a DVB channel), or -1. */
    int (*service_id)(void *priv);
};

extern const struct dmx_source_driver dmx_source_file;
extern const struct dmx_source_driver dmx_source_udp;
extern const struct dmx_source_driver dmx_source_http;
extern const struct dmx_source_driver dmx_source_dvb;

/* The registry lookup: the backend for url, or NULL. */
const struct dmx_source_driver *dmx_source_find(const char *url);

/* Parses "key=value" from the query part of url ("...?a=1&b=2") into out.
 * Returns true when found. */
bool dmx_url_param(const char *url, const char *key, char *out, size_t size);

/* RTP (RFC 3550): returns the payload offset in a datagram and its length,
 * or -1 when it is not an RTP v2 packet. */
int dmx_rtp_payload(const uint8_t *data, size_t len, size_t *payload_len, uint16_t *seq);

/* DVB channel lookup (source_dvb.c), exposed for the tests: reads a dvbv5
 * channel file and copies the named channel's frequency, delivery system and
 * service id. Returns 0 or DMX_ERR_CHANNEL. */
struct dmx_dvb_channel {
    uint32_t frequency;
    uint32_t delivery_system; /* enum fe_delivery_system */
    uint16_t service_id;
    unsigned n_props;
};
int dmx_dvb_find_channel(const char *path, const char *name, struct dmx_dvb_channel *out);

/* ---- DVB text ---------------------------------------------------------------- */

struct dmx_text;
struct dmx_text *dmx_text_create(void);
void dmx_text_destroy(struct dmx_text *text);
/* Appends the UTF-8 form of a DVB string to out (not NUL-cleared first). */
void dmx_text_decode(struct dmx_text *text, const uint8_t *data, size_t len, int default_charset,
                     struct sc_buf *out);
/* Same, into a malloc'd string; NULL only when out of memory. */
char *dmx_text_strdup(struct dmx_text *text, const uint8_t *data, size_t len, int default_charset);

/* ---- the TS reader ------------------------------------------------------------ */

struct dmx_ts;
/* Called for each clean packet, in order. `pkt` is 188 bytes. */
typedef void (*dmx_ts_packet_fn)(void *opaque, const uint8_t *pkt);
struct dmx_ts *dmx_ts_create(dmx_ts_packet_fn on_packet, void *opaque, struct sc_log *log);
void dmx_ts_destroy(struct dmx_ts *ts);
/* Feeds raw bytes in any chunking. With eof, the remaining partial bytes are
 * counted as truncated. Returns the number of clean packets emitted. */
size_t dmx_ts_push(struct dmx_ts *ts, const uint8_t *data, size_t len, bool eof);
void dmx_ts_stats(const struct dmx_ts *ts, struct dmx_stats *out);
int dmx_ts_pid_stats(const struct dmx_ts *ts, struct dmx_pid_stats **out, size_t *count);
/* Clean packets that carried something other than null padding since the last call. */
uint64_t dmx_ts_take_good(struct dmx_ts *ts);
/* Stream time so far (ms), from the PCR of the first PID that carried one. */
int64_t dmx_ts_clock_ms(const struct dmx_ts *ts);

/* ---- the packet window (packet_window.c) ----------------------------------
 * The last max_ms of stream time (and at most max_bytes) of clean packets of
 * every PID, oldest first. Used under the pipeline's lock. */
struct dmx_window;
/* NULL when out of memory or when the bounds are zero (no window). */
struct dmx_window *dmx_window_create(size_t max_bytes, int max_ms);
void dmx_window_destroy(struct dmx_window *w);
void dmx_window_push(struct dmx_window *w, const uint8_t *pkt, int64_t now_ms);
size_t dmx_window_count(const struct dmx_window *w); /* 0 for NULL */
const uint8_t *dmx_window_at(const struct dmx_window *w, size_t i);
void dmx_window_clear(struct dmx_window *w);
/* Whether this packet starts a PES whose picture a decoder can start at
 * (sequence header, SPS/IDR, VPS/SPS/IRAP; the random_access_indicator for
 * other stream types). */
bool dmx_window_keyframe(const uint8_t *pkt, uint8_t stream_type);

/* ---- the guide --------------------------------------------------------------- */

struct dmx_guide;
struct dmx_guide *dmx_guide_create(size_t max_per_service, size_t max_total);
void dmx_guide_destroy(struct dmx_guide *guide);
/* Adds or replaces (service_id, event_id). Takes ownership of the strings in
 * `ev` (also on failure). `now` (Unix s, 0 unknown) lets ended events go first
 * when a bound is reached. Returns 0 or -ENOMEM. */
int dmx_guide_put(struct dmx_guide *guide, struct dmx_event *ev, int64_t now);
/* A new EIT section: removes the events this (service, table, section) carried
 * before that it no longer lists, then puts `count` events (strings taken). */
int dmx_guide_put_section(struct dmx_guide *guide, uint16_t service_id, uint8_t table_id,
                          uint8_t section_number, struct dmx_event *events, size_t count,
                          int64_t now);
size_t dmx_guide_count(const struct dmx_guide *guide);
int dmx_guide_copy(const struct dmx_guide *guide, int service_id, struct dmx_event **out,
                   size_t *count);
/* Writes events (as dmx_guide_copy returns them) to path atomically. */
int dmx_guide_save(const struct dmx_event *events, size_t count, const char *path);
/* Merges a saved guide; events already present are kept. */
int dmx_guide_load(struct dmx_guide *guide, const char *path, int64_t now);

/* ---- service information (si.c: the only file that includes libdvbpsi) ----- */

struct dmx_si;
struct dmx_si *dmx_si_create(const struct dmx_options *options, struct dmx_guide *guide,
                             struct sc_log *log);
void dmx_si_destroy(struct dmx_si *si);
/* Feeds one clean packet. */
void dmx_si_push(struct dmx_si *si, const uint8_t *pkt);
/* Which changes happened since the last call (DMX_SI_CHANGED_* bits). */
enum { DMX_SI_SERVICES = 1, DMX_SI_GUIDE = 2, DMX_SI_TIME = 4 };
unsigned dmx_si_take_changes(struct dmx_si *si);
int dmx_si_services(const struct dmx_si *si, struct dmx_service **out, size_t *count);
int dmx_si_time(const struct dmx_si *si, struct dmx_time *out);
/* PIDs of a service (PMT, PCR, elementary streams) for the output filter:
 * sets the bits in `pids` (PID_COUNT bits). Returns false if unknown. */
bool dmx_si_service_pids(const struct dmx_si *si, uint16_t service_id, uint8_t *pids,
                         uint16_t *pmt_pid);
/* How many elementary streams the service's PMT lists (0 before its PMT),
 * and its first video stream's PID and stream_type (*video_pid = 0: none). */
size_t dmx_si_service_streams(const struct dmx_si *si, uint16_t service_id, uint16_t *video_pid,
                              uint8_t *video_type);
/* Sections dropped for a bad CRC so far. */
uint64_t dmx_si_crc_errors(const struct dmx_si *si);
/* The NIT's network name (NULL before one) and id. */
const char *dmx_si_network(const struct dmx_si *si, uint16_t *network_id);
/* The PAT's transport_stream_id and whether a PAT was seen. */
bool dmx_si_ts_id(const struct dmx_si *si, uint16_t *ts_id);

/* ---- descriptor and time helpers (si_desc.c) ------------------------------------ */

/* MJD + BCD UTC (40 bits as in EIT/TDT) to Unix seconds; -1 if malformed. */
int64_t dmx_mjd_bcd_to_unix(uint64_t mjd_utc);
/* BCD hhmmss (24 bits) to seconds; -1 if malformed. */
int32_t dmx_bcd_duration(uint32_t bcd);
/* A codec name for a PMT stream_type and its descriptors (raw loop). */
const char *dmx_codec_name(uint8_t stream_type, const uint8_t *descs, size_t len);
/* Descriptor bodies (after tag and length). Strings are malloc'd UTF-8. */
int dmx_desc_service(struct dmx_text *text, int charset, const uint8_t *d, size_t len,
                     uint8_t *type, char **provider, char **name);
int dmx_desc_short_event(struct dmx_text *text, int charset, const uint8_t *d, size_t len,
                         char language[4], char **title, char **description);
struct dmx_extended {
    struct sc_buf items, raw;
    uint8_t selector[3];
    size_t selector_len;
};
void dmx_desc_extended_add(struct dmx_extended *acc, struct dmx_text *text, int charset,
                           const uint8_t *d, size_t len);
/* Frees the accumulator's buffers; returns the text or NULL when out of memory. */
char *dmx_desc_extended_finish(struct dmx_extended *acc, struct dmx_text *text, int charset);
/* local_time_offset_descriptor: the offset in force at utc, in minutes. */
bool dmx_desc_local_offset(const uint8_t *d, size_t len, int64_t utc, int *minutes);
/* Appends the ISO 639 codes of an ISO_639 (0x0A), teletext (0x56/0x46) or
 * subtitling (0x59) descriptor to out ("eng,fra"), each once. */
void dmx_desc_languages(uint8_t tag, const uint8_t *d, size_t len, char *out, size_t size);
/* The MPEG-2 CRC-32 of a section. */
uint32_t dmx_crc32(const uint8_t *data, size_t len);

#endif
