/* `studycast sync --db CONNINFO`: uploads the station's study record to the
 * county's database (kiosk/county) and updates its status row there. */
#include "kiosk/cli/cli.h"
#include "kiosk/county/county.h"
#include "kiosk/record/record.h"

#include <stddef.h>
#include <stdio.h>

struct sync_args {
    const char *db, *data_dir;
    bool json;
    int batch;
};

static const struct cli_option options[] = {
    {"db", 0, CLI_STRING, offsetof(struct sync_args, db), .required = true, .metavar = "CONNINFO",
     .help = "the county database with this station's role, as `county add-station`\n"
             "printed it (libpq conninfo or postgresql:// URI)"},
    {"data-dir", 0, CLI_STRING, offsetof(struct sync_args, data_dir),
     .def_str = REC_DEFAULT_DATA_DIR, .metavar = "DIR", .help = "the station's data"},
    {"batch", 0, CLI_INT, offsetof(struct sync_args, batch), 1, 5000, .def = 2000, .metavar = "N",
     .help = "events per signed batch"},
    {"json", 0, CLI_FLAG, offsetof(struct sync_args, json),
     .help = "print {\"uploaded\": N, \"pending\": N, \"last_seq\": N}"},
    {NULL},
};

static const struct cli_spec spec = {
    .prog = "studycast sync",
    .usage = "sync --db CONNINFO [--data-dir DIR] [--json]",
    .about = "Uploads the events of the study record the county does not hold yet, in\n"
             "batches signed with the station's key, each stored once and acknowledged\n"
             "only once committed; then updates the station's status row (last seen,\n"
             "version, name, type, free disk, record check, pending). An interrupted\n"
             "sync loses nothing: the next one asks the county what it holds and\n"
             "completes it. Credentials of another station are refused before anything\n"
             "is sent. The record is only read.\n",
    .epilog = "Exit status 0 when the county holds every event; else 1 with one line.\n",
    .options = options,
};

int cli_sync(int argc, char **argv, struct sc_log *log)
{
    struct sync_args a;
    struct cli_args pos;
    int rc = cli_parse(&spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    struct cty_sync_options o = {
        .conninfo = a.db, .data_dir = a.data_dir, .log = log, .batch_events = a.batch};
    struct cty_sync_result r;
    rc = cty_sync(&o, &r);
    if (a.json)
        printf("{\"uploaded\": %lld, \"pending\": %lld, \"last_seq\": %lld}\n",
               (long long)r.uploaded, (long long)r.pending, (long long)r.last_seq);
    else if (rc == 0)
        printf("synced: %lld events uploaded, the county holds every event up to %lld\n",
               (long long)r.uploaded, (long long)r.last_seq);
    if (rc != 0) fprintf(stderr, "studycast sync: %s\n", r.message);
    return rc == 0 ? 0 : 1;
}
