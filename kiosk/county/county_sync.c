/* `studycast sync`: the station uploads what the county lacks. The county is
 * asked which seqs it holds (its batches' ranges) before each run of
 * batches; each batch is its own transaction, so whatever cuts the sync
 * leaves either a whole committed batch or nothing, and the next sync asks
 * again. The record is opened read-only: sync never writes in the data dir
 * (it works on a full disk) and never holds the session lock. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/statvfs.h>

#ifndef STUDYCAST_VERSION
#error "the build defines STUDYCAST_VERSION (the project's version)"
#endif

#define MAX_CONFLICTS 5 /* batches refused as held already, in a row, before giving up */
/* pg_advisory_lock's first key for a station's sync (the second: its id's
 * hashtext); how long a sync waits for another one of the same station */
#define SYNC_LOCK_CLASS   "1937337955" /* "sync" in ASCII */
#define SYNC_LOCK_TIMEOUT "120s"

struct sync {
    const struct cty_sync_options *o;
    struct cty_sync_result *r;
    struct rec *rec;
    struct cty_db *db;
    char station_id[64];
    int batch_max;
    /* the run read for the next batch: seqs run_start.., strings owned */
    int64_t run_start;
    struct rec_chain_event *events;
    size_t n_events;
    char month[11];           /* events[0]'s UTC month: a batch stays in one */
    unsigned char anchor[32]; /* the hash before run_start */
    bool have_anchor;
    struct cty_batch batch; /* s->events signed, to send */
    /* the batch sent and not yet acknowledged: first..last, 0 events if none */
    int64_t flight_first, flight_last;
};

static int say(struct sync *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(struct sync *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->r->message, sizeof(s->r->message), fmt, ap);
    va_end(ap);
    SC_INFO(s->o->log, "sync: %s", s->r->message);
    return code;
}

/* A failure on the connection: its one line becomes the result's. */
static int db_failed(struct sync *s, int code)
{
    return say(s, code, "%s", cty_db_message(s->db));
}

static void free_events(struct sync *s)
{
    for (size_t i = 0; i < s->n_events; i++) {
        struct rec_chain_event *e = &s->events[i];
        free((char *)e->type);
        free((char *)e->clock_source);
        free((char *)e->boot_id);
        free((char *)e->session);
        free((char *)e->payload);
    }
    s->n_events = 0;
    s->have_anchor = false;
}

/* rec_events_read's callback: the anchor (the event before the run), then
 * the run's events up to the first of another UTC month (1: stop there). */
static int take_event(void *ctx, const struct rec_chain_event *e)
{
    struct sync *s = ctx;
    if (e->seq == s->run_start - 1) {
        memcpy(s->anchor, e->hash, 32);
        s->have_anchor = true;
        return 0;
    }
    if (e->seq != s->run_start + (int64_t)s->n_events) return REC_ECHAIN; /* a hole */
    char month[11];
    cty_utc_month(e->utc_ns, month);
    if (s->n_events == 0)
        memcpy(s->month, month, sizeof(month));
    else if (strcmp(month, s->month) != 0)
        return 1;
    struct rec_chain_event *c = &s->events[s->n_events];
    *c = *e;
    c->type = strdup(e->type ? e->type : "");
    c->clock_source = strdup(e->clock_source ? e->clock_source : "");
    c->boot_id = strdup(e->boot_id ? e->boot_id : "");
    c->session = e->session ? strdup(e->session) : NULL;
    c->payload = strdup(e->payload ? e->payload : "");
    s->n_events++; /* counted first: free_events frees whatever was copied */
    if (!c->type || !c->clock_source || !c->boot_id || (e->session && !c->session) || !c->payload)
        return -ENOMEM;
    return 0;
}

/* Reads the run start..end (cut at a month's end) into s->events. */
static int read_run(struct sync *s, int64_t start, int64_t end)
{
    free_events(s);
    s->run_start = start;
    if (start == 1) {
        memset(s->anchor, 0, sizeof(s->anchor));
        s->have_anchor = true;
    }
    int rc = rec_events_read(s->rec, start > 1 ? start - 1 : 1, end, take_event, s);
    if (rc == 1) rc = 0;
    if (rc == 0 && (!s->have_anchor || s->n_events == 0)) rc = REC_ECHAIN;
    if (rc == REC_ECHAIN)
        return say(s, CTY_ERECORD,
                   "the study record lacks event %" PRId64 " (run studycast record check)",
                   !s->have_anchor ? start - 1 : start + (int64_t)s->n_events);
    if (rc != 0) return say(s, CTY_ERECORD, "cannot read the study record: %s", rec_strerror(rc));
    return 0;
}

/* Signs s->events as one batch (s->batch). */
static int sign_run(struct sync *s)
{
    struct cty_batch *b = &s->batch;
    *b = (struct cty_batch){.station_id = s->station_id,
                            .first_seq = s->run_start,
                            .last_seq = s->run_start + (int64_t)s->n_events - 1,
                            .source = "sync",
                            .events = s->events,
                            .n_events = s->n_events};
    memcpy(b->month, s->month, sizeof(b->month));
    memcpy(b->prev_hash, s->anchor, 32);
    memcpy(b->last_hash, s->events[s->n_events - 1].hash, 32);
    struct sc_buf bytes = {0};
    cty_batch_bytes(s->station_id, b->first_seq, b->last_seq, b->prev_hash, b->last_hash, s->events,
                    s->n_events, &bytes);
    int rc = bytes.failed ? -ENOMEM : rec_station_sign(s->rec, bytes.data, bytes.len, b->signature);
    sc_buf_free(&bytes);
    return rc == 0 ? 0 : say(s, CTY_ERECORD, "cannot sign: %s", rec_strerror(rc));
}

/* Sends s->batch in its own transaction without waiting: the county stores
 * it while the next run is read and signed. */
static int send_run(struct sync *s)
{
    int rc = cty_batch_send(s->db, &s->batch);
    if (rc == 0) {
        s->flight_first = s->batch.first_seq;
        s->flight_last = s->batch.last_seq;
    }
    return rc;
}

/* The outcome of the batch in flight, if any: acknowledged only once its
 * COMMIT has returned. */
static int finish_sent(struct sync *s)
{
    if (s->flight_last == 0) return 0;
    int rc = cty_pipeline_finish(s->db, "storing a batch");
    if (rc == 0) {
        s->r->uploaded += s->flight_last - s->flight_first + 1;
        SC_DEBUG(s->o->log, "sync: events %" PRId64 "..%" PRId64 " stored", s->flight_first,
                 s->flight_last);
    }
    s->flight_first = s->flight_last = 0;
    return rc;
}

/* The first seq at or after `from` the county lacks, and where that gap ends. */
static bool next_gap(const struct cty_range *r, size_t n, int64_t from, int64_t last,
                     int64_t *gap_first, int64_t *gap_last)
{
    int64_t at = from;
    for (size_t i = 0; i < n && at <= last; i++) {
        if (r[i].last < at) continue;
        if (r[i].first > at) {
            *gap_first = at;
            *gap_last = r[i].first - 1 < last ? r[i].first - 1 : last;
            return true;
        }
        at = r[i].last + 1;
    }
    if (at > last) return false;
    *gap_first = at;
    *gap_last = last;
    return true;
}

/* Uploads every gap; a batch refused as held already (another sync or an
 * import got there first) is rolled back and the county asked again. */
static int upload_all(struct sync *s, int64_t record_last)
{
    int conflicts = 0, rc = 0;
    for (;;) {
        struct cty_range *r = NULL;
        size_t n = 0;
        int64_t uploaded = s->r->uploaded;
        rc = cty_stored_ranges(s->db, s->station_id, &r, &n);
        if (rc != 0) return db_failed(s, rc);
        int64_t at = 1, first, last;
        rc = 0;
        /* the next run is read and signed while the county stores the last */
        while (rc == 0 && next_gap(r, n, at, record_last, &first, &last)) {
            int64_t end = last - first + 1 > s->batch_max ? first + s->batch_max - 1 : last;
            rc = read_run(s, first, end);
            if (rc == 0) rc = sign_run(s);
            if (rc == 0) rc = finish_sent(s);
            if (rc == 0) rc = send_run(s);
            if (rc == 0) at = s->run_start + (int64_t)s->n_events;
        }
        int sent = finish_sent(s);
        if (rc == 0) rc = sent;
        free(r);
        if (s->r->uploaded > uploaded) conflicts = 0; /* in a row: another sync is ahead */
        if (rc == CTY_EEXIST && ++conflicts < MAX_CONFLICTS) continue;
        if (rc != 0 && rc != CTY_ERECORD) return db_failed(s, rc);
        return rc;
    }
}

/* One sync of a station at a time (the kiosk's own and one run by hand):
 * two at once would send the same batches, the one behind refused each
 * time. The lock is the session's: a killed sync or a dropped link lets go
 * of it. */
static int wait_for_other_syncs(struct sync *s)
{
    const char *params[] = {s->station_id};
    int rc = cty_exec(s->db, "SET lock_timeout = '" SYNC_LOCK_TIMEOUT "'", 0, NULL,
                      PGRES_COMMAND_OK, "setting a timeout", NULL);
    if (rc == 0)
        rc = cty_exec(s->db, "SELECT pg_advisory_lock(" SYNC_LOCK_CLASS ", hashtext($1))", 1,
                      params, PGRES_TUPLES_OK, "waiting for another sync of this station", NULL);
    if (rc == 0)
        rc = cty_exec(s->db, "RESET lock_timeout", 0, NULL, PGRES_COMMAND_OK, "a timeout", NULL);
    return rc == 0 ? 0 : db_failed(s, rc);
}

static int check_identity(struct sync *s)
{
    PGresult *res = NULL;
    int rc = cty_schema_check(s->db);
    if (rc == 0)
        rc = cty_exec(s->db,
                      "SELECT station_id, public_key, current_user FROM studycast.stations "
                      "WHERE role_name = current_user",
                      0, NULL, PGRES_TUPLES_OK, "asking which station these credentials are", &res);
    if (rc != 0) return db_failed(s, rc);
    unsigned char mine[32], theirs[32];
    rec_station_public_key(s->rec, mine);
    if (PQntuples(res) != 1) {
        rc = say(s, CTY_ENOTREG,
                 "refused: these credentials are not a registered station's (register it "
                 "with studycast county add-station); nothing was sent");
    } else if (strcmp(PQgetvalue(res, 0, 0), s->station_id) != 0) {
        rc = say(s, CTY_EMISMATCH,
                 "refused: these credentials are station %s's, but %s holds station %s; "
                 "nothing was sent",
                 PQgetvalue(res, 0, 0), s->o->data_dir ? s->o->data_dir : REC_DEFAULT_DATA_DIR,
                 s->station_id);
    } else if (cty_get_bytes(res, 0, 1, theirs, 32) != 0 || memcmp(mine, theirs, 32) != 0) {
        rc = say(s, CTY_EMISMATCH,
                 "refused: the county registered another key for station %s than this "
                 "station's station.pub; nothing was sent",
                 s->station_id);
    }
    PQclear(res);
    return rc;
}

static int take_hash(void *ctx, const struct rec_chain_event *e)
{
    memcpy(ctx, e->hash, 32);
    return 0;
}

/* The county's rows and this record must be one history: a record restored
 * from an older copy (or replaced) would write new events under seqs the
 * county holds already, which no later sync could upload. Compared at the
 * county's last event the record has: its hash covers the whole chain. */
static int check_same_history(struct sync *s, int64_t record_last)
{
    char last[24];
    snprintf(last, sizeof(last), "%" PRId64, record_last);
    const char *params[] = {s->station_id, last};
    PGresult *res = NULL;
    int rc =
        cty_exec(s->db,
                 "SELECT max(last_seq), (SELECT seq || ' ' || encode(hash, 'hex') FROM "
                 "studycast.events WHERE station_id = $1 AND seq <= $2 ORDER BY seq DESC "
                 "LIMIT 1) FROM studycast.batches WHERE station_id = $1",
                 2, params, PGRES_TUPLES_OK, "comparing the county's rows with the record", &res);
    if (rc != 0) return db_failed(s, rc);
    int64_t county_last = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    int64_t seq = 0;
    char hex[65] = "";
    if (!PQgetisnull(res, 0, 1)) sscanf(PQgetvalue(res, 0, 1), "%" SCNd64 " %64s", &seq, hex);
    PQclear(res);
    if (county_last > record_last)
        return say(s, CTY_EMISMATCH,
                   "refused: the county holds events up to %" PRId64 " of station %s but this "
                   "record ends at %" PRId64 " (an older copy of the record?); nothing was sent",
                   county_last, s->station_id, record_last);
    if (seq == 0) return 0;
    unsigned char mine[32] = {0}, theirs[32];
    size_t n = 0;
    rc = rec_events_read(s->rec, seq, seq, take_hash, mine);
    if (rc == 0 && (sodium_hex2bin(theirs, 32, hex, strlen(hex), NULL, &n, NULL) != 0 || n != 32 ||
                    memcmp(mine, theirs, 32) != 0))
        return say(s, CTY_EMISMATCH,
                   "refused: the county's event %" PRId64 " of station %s differs from this "
                   "record's (the record was replaced or altered); nothing was sent",
                   seq, s->station_id);
    if (rc != 0) return say(s, CTY_ERECORD, "cannot read the study record: %s", rec_strerror(rc));
    return 0;
}

static int64_t free_disk(const char *dir)
{
    struct statvfs st;
    if (statvfs(dir, &st) != 0) return -1;
    return (int64_t)st.f_bavail * (int64_t)st.f_frsize;
}

/* The station's row in station_status: what the county's fleet view shows. */
static int update_status(struct sync *s)
{
    char name[128] = "", type[16] = "village", disk[24] = "", pending[24], last[24];
    rec_setting_get(s->rec, "station_name", name, sizeof(name));
    rec_setting_get(s->rec, "station_type", type, sizeof(type));
    int64_t bytes = free_disk(s->o->data_dir ? s->o->data_dir : REC_DEFAULT_DATA_DIR);
    if (bytes >= 0) snprintf(disk, sizeof(disk), "%" PRId64, bytes);
    snprintf(pending, sizeof(pending), "%" PRId64, s->r->pending);
    snprintf(last, sizeof(last), "%" PRId64, s->r->last_seq);
    struct rec_chain_fault fault;
    bool chain_ok = rec_check_chain(s->rec, &fault) == 0;
    const struct cty_station_status *st = s->o->status;
    const char *params[] = {s->station_id,
                            STUDYCAST_VERSION,
                            name[0] ? name : NULL,
                            type,
                            st ? st->playing : NULL,
                            st ? st->next : NULL,
                            disk[0] ? disk : NULL,
                            chain_ok ? "true" : "false",
                            chain_ok ? "ok" : fault.message,
                            pending,
                            last};
    int rc = cty_exec(
        s->db,
        "INSERT INTO studycast.station_status AS s (station_id, last_seen, version, name, type, "
        "playing, next, free_disk_bytes, record_check_ok, record_check_message, pending, "
        "last_seq) VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (station_id) DO UPDATE SET last_seen = now(), version = EXCLUDED.version, "
        "name = EXCLUDED.name, type = EXCLUDED.type, playing = EXCLUDED.playing, "
        "next = EXCLUDED.next, free_disk_bytes = EXCLUDED.free_disk_bytes, "
        "record_check_ok = EXCLUDED.record_check_ok, "
        "record_check_message = EXCLUDED.record_check_message, pending = EXCLUDED.pending, "
        "last_seq = EXCLUDED.last_seq",
        11, params, PGRES_COMMAND_OK, "updating the station's status", NULL);
    return rc;
}

/* What the county holds of the record's 1..record_last: its highest seq and
 * how many of the record's events it lacks. */
static int count_pending(struct sync *s, int64_t record_last)
{
    struct cty_range *r = NULL;
    size_t n = 0;
    int rc = cty_stored_ranges(s->db, s->station_id, &r, &n);
    if (rc != 0) return rc;
    int64_t held = 0;
    s->r->last_seq = n ? r[n - 1].last : 0;
    for (size_t i = 0; i < n; i++) {
        int64_t first = r[i].first, last = r[i].last < record_last ? r[i].last : record_last;
        if (last >= first) held += last - first + 1;
    }
    s->r->pending = record_last - held;
    free(r);
    return 0;
}

static int run(struct sync *s)
{
    struct rec_options ro = {.data_dir = s->o->data_dir, .read_only = true};
    int rc = rec_open(&ro, s->o->log, &s->rec);
    if (rc != 0)
        return say(s, CTY_ERECORD, "cannot read the study record in %s: %s",
                   ro.data_dir ? ro.data_dir : REC_DEFAULT_DATA_DIR, rec_strerror(rc));
    rec_setting_get(s->rec, "station_id", s->station_id, sizeof(s->station_id));
    int64_t record_last = rec_last_seq(s->rec);
    s->r->pending = record_last;
    rc = cty_db_connect(s->o->conninfo, s->o->connect_timeout_s, s->o->log, &s->db, s->r->message,
                        sizeof(s->r->message));
    if (rc != 0) return rc;
    rc = check_identity(s);
    if (rc == 0) rc = wait_for_other_syncs(s);
    if (rc == 0) rc = check_same_history(s, record_last);
    if (rc != 0) return rc;
    s->events = calloc((size_t)s->batch_max, sizeof(*s->events));
    if (!s->events) return say(s, -ENOMEM, "out of memory");
    rc = upload_all(s, record_last);
    /* the status row even after a failed upload, while the link holds */
    int counted = count_pending(s, record_last);
    if (counted == 0) counted = update_status(s);
    if (rc == 0 && counted != 0) rc = db_failed(s, counted);
    if (rc == 0 && s->r->pending > 0)
        rc = say(s, CTY_EDB, "%" PRId64 " events are still pending", s->r->pending);
    return rc;
}

int cty_sync(const struct cty_sync_options *options, struct cty_sync_result *result)
{
    *result = (struct cty_sync_result){0};
    struct sync s = {.o = options, .r = result};
    if (!options->conninfo || !options->conninfo[0]) {
        snprintf(result->message, sizeof(result->message), "no county database given");
        return -EINVAL;
    }
    s.batch_max = options->batch_events > 0 ? options->batch_events : CTY_DEFAULT_BATCH;
    if (s.batch_max > CTY_MAX_BATCH) s.batch_max = CTY_MAX_BATCH;
    int rc = run(&s);
    free_events(&s);
    free(s.events);
    cty_db_close(s.db);
    rec_close(s.rec);
    if (rc == 0)
        snprintf(result->message, sizeof(result->message),
                 "%" PRId64 " events uploaded; the county holds every event", result->uploaded);
    return rc;
}
