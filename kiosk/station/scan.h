/* A background scan of the station's stream for the administrator's menu
 * (Guide, Services, the schedule editor's source picker) while no course
 * plays: the demux pipeline on its own thread collects the services (PAT,
 * PMT, SDT names), the reception state and the EIT guide.
 *
 *   struct st_scan *scan;
 *   st_scan_start(log, "udp://@239.1.1.1:1234", &scan);   any source URL/path
 *   ... st_scan_services(scan, &services, &n);              snapshots, any time
 *   ... st_scan_events(scan, service_id, &events, &n);
 *   st_scan_stop(scan);                                     joins, frees
 *
 * A file is read once to its end (its SI stays available); a live source is
 * read until st_scan_stop(). Threads: start and stop on one thread (the core
 * loop); the snapshot functions may be called from any thread. The scan's
 * thread never calls the caller back. */
#ifndef STUDYCAST_KIOSK_STATION_SCAN_H
#define STUDYCAST_KIOSK_STATION_SCAN_H

#include "base/base.h"
#include "demux/demux.h"

#include <stdbool.h>
#include <stddef.h>

struct st_scan;

enum st_scan_state {
    ST_SCAN_OPENING,   /* the source is being opened (a DVB tune takes seconds) */
    ST_SCAN_RECEIVING, /* data arrives */
    ST_SCAN_NO_SIGNAL, /* open, but nothing clean arrives (an outage) */
    ST_SCAN_DONE,      /* a file was read to its end: the snapshots are complete */
    ST_SCAN_FAILED,    /* the source could not be opened or failed: see error */
};

/* What the scan saw, with the services found (free with st_scan_info_free). */
struct st_scan_info {
    enum st_scan_state state;
    int error;                    /* FAILED: the DMX_* / -errno code */
    struct dmx_signal signal;     /* a DVB frontend's reading (valid false otherwise) */
    uint64_t packets;             /* clean packets so far */
    uint64_t cc_errors;           /* continuity errors so far */
    struct dmx_service *services; /* actual first, by id; names never NULL */
    size_t n_services;
};

/* Starts scanning url (copied). log is borrowed and must outlive the scan.
 * Returns 0 or a negative code (-ENOMEM, -EAGAIN: no thread); opening errors
 * arrive as state FAILED. */
int st_scan_start(struct sc_log *log, const char *url, struct st_scan **out);
/* Stops the thread (promptly: the read is aborted), joins it and frees
 * everything. Accepts NULL. */
void st_scan_stop(struct st_scan *scan);
/* The source being scanned (as given to start). */
const char *st_scan_url(const struct st_scan *scan);
/* A snapshot of the state and the services. 0 or -ENOMEM. */
int st_scan_services(struct st_scan *scan, struct st_scan_info *out);
void st_scan_info_free(struct st_scan_info *info);
/* A snapshot of the guide of one service (service_id >= 0) or all (-1), by
 * service then start; free with dmx_events_free(). -ENOENT before the source
 * is open. */
int st_scan_events(struct st_scan *scan, int service_id, struct dmx_event **out, size_t *count);
/* The broadcast time the stream told (TDT/TOT): 0, or -ENOENT. */
int st_scan_time(struct st_scan *scan, struct dmx_time *out);
/* A short English name of a state ("receiving", ...), for logs and status. */
const char *st_scan_state_name(enum st_scan_state state);

#endif
