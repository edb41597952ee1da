/* `studycast county SUB`: the county's database. The sub-commands are rows of
 * cli_county_subs (county_table.c); this file holds the dispatcher and init,
 * add-station, import and verify. */
#include "kiosk/cli/cli.h"
#include "kiosk/county/county.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void county_usage(FILE *out)
{
    fprintf(out, "usage: studycast county SUB --db CONNINFO [OPTIONS]\n\nsub-commands:\n");
    for (const struct cli_county_sub *s = cli_county_subs; s->name; s++)
        fprintf(out, "  %-12s %s\n", s->name, s->summary);
    fprintf(out, "\nCONNINFO is a libpq connection string (\"host=... dbname=... user=...\")\n"
                 "or a postgresql:// URI. 'studycast county SUB --help' describes one.\n");
}

int cli_county(int argc, char **argv, struct sc_log *log)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        county_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (const struct cli_county_sub *s = cli_county_subs; s->name; s++)
        if (strcmp(s->name, argv[1]) == 0) return s->run(argc - 1, argv + 1, log);
    fprintf(stderr, "studycast county: unknown sub-command '%s'\n", argv[1]);
    county_usage(stderr);
    return 2;
}

/* Opens the database or says why not (exit status 1). */
static int open_db(const char *prog, const char *conninfo, struct sc_log *log, struct cty_db **db)
{
    char message[256];
    int rc = cty_db_connect(conninfo, 0, log, db, message, sizeof(message));
    if (rc != 0) fprintf(stderr, "%s: %s\n", prog, message);
    return rc;
}

/* ---- init ------------------------------------------------------------------ */

struct init_args {
    const char *db;
};

static const struct cli_option init_options[] = {
    {"db", 0, CLI_STRING, offsetof(struct init_args, db), .required = true, .metavar = "CONNINFO",
     .help = "the county database, as its owner (a role that may create roles)"},
    {NULL},
};

static const struct cli_spec init_spec = {
    .prog = "studycast county init",
    .usage = "county init --db CONNINFO",
    .about = "Creates the schema `studycast` in the county database or migrates it to\n"
             "this studycast's version (running it again changes nothing), and makes\n"
             "the monthly partitions of events from 24 months back to 24 ahead (run it\n"
             "again every year or so to add months).\n",
    .options = init_options,
};

int cli_county_init(int argc, char **argv, struct sc_log *log)
{
    struct init_args a;
    struct cli_args pos;
    int rc = cli_parse(&init_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    struct cty_db *db = NULL;
    if (open_db(init_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_init_result r;
    rc = cty_init(db, &r);
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", init_spec.prog, cty_db_message(db));
    else if (r.from_version == r.to_version)
        printf("county schema is up to date (version %d); %d monthly partitions added\n",
               r.to_version, r.partitions_created);
    else
        printf("county schema %s version %d; %d monthly partitions added\n",
               r.from_version ? "migrated to" : "created at", r.to_version, r.partitions_created);
    cty_db_close(db);
    return rc == 0 ? 0 : 1;
}

/* ---- add-station ------------------------------------------------------------- */

struct add_args {
    const char *db, *key, *station_id, *name, *township, *password_file;
    int type;
    bool json;
};

static const char *const station_types[] = {"village", "township", NULL};

static const struct cli_option add_options[] = {
    {"db", 0, CLI_STRING, offsetof(struct add_args, db), .required = true, .metavar = "CONNINFO",
     .help = "the county database, as its owner"},
    {"key", 0, CLI_STRING, offsetof(struct add_args, key), .required = true,
     .metavar = "FILE|HEX|DIR",
     .help = "the station's public key: 64 hex digits, its station.pub file, or\n"
             "a USB export folder of the station (verified; its manifest gives the\n"
             "station id and the key)"},
    {"station-id", 0, CLI_STRING, offsetof(struct add_args, station_id), .min = 1, .metavar = "ID",
     .help = "the station's id (`studycast record settings` on the station shows\n"
             "station_id); required unless --key is an export folder"},
    {"name", 0, CLI_STRING, offsetof(struct add_args, name), .min = 1, .required = true,
     .metavar = "NAME", .help = "the station's name"},
    {"township", 0, CLI_STRING, offsetof(struct add_args, township), .min = 1, .required = true,
     .metavar = "NAME", .help = "the township it belongs to"},
    {"type", 0, CLI_CHOICE, offsetof(struct add_args, type), .choices = station_types, .def = 0,
     .metavar = "TYPE", .help = "village or township"},
    {"password-file", 0, CLI_STRING, offsetof(struct add_args, password_file), .metavar = "FILE",
     .help = "the role's password: the file's first line (default: a random one,\n"
             "printed in the conninfo)"},
    {"json", 0, CLI_FLAG, offsetof(struct add_args, json),
     .help = "print {\"station_id\", \"role\", \"conninfo\"}"},
    {NULL},
};

static const struct cli_spec add_spec = {
    .prog = "studycast county add-station",
    .usage = "county add-station --db CONNINFO --key FILE|HEX|DIR [--station-id ID] --name NAME\n"
             "       --township NAME [--type village|township] [--password-file FILE] [--json]",
    .about = "Registers a station by its public key and creates its login role\n"
             "(station_<first 8 hex digits of its id>), which may insert only its own\n"
             "station's events, batches and status row, and read nothing of other\n"
             "stations. Prints the conninfo the station's `studycast sync --db` takes.\n",
    .options = add_options,
};

static bool is_hex64(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

static void print_problem(void *ctx, const char *message)
{
    fprintf(stderr, "%s: %s\n", (const char *)ctx, message);
}

/* --key: the hex digits, a station.pub, or an export folder whose manifest
 * names the station (verified first with the key it carries). */
static int resolve_key(const struct add_args *a, char key[65], char *station_id, size_t id_size)
{
    struct stat sb;
    char *data = NULL;
    size_t len = 0;
    if (is_hex64(a->key)) {
        snprintf(key, 65, "%s", a->key);
    } else if (stat(a->key, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char id[64];
        if (cty_export_station(a->key, print_problem, (void *)a->key, id, key) != 0) {
            fprintf(stderr, "%s: %s is not a verified export of a station\n", add_spec.prog,
                    a->key);
            return -EINVAL;
        }
        if (a->station_id && strcmp(a->station_id, id) != 0) {
            fprintf(stderr, "%s: the export is station %s, not --station-id %s\n", add_spec.prog,
                    id, a->station_id);
            return -EINVAL;
        }
        snprintf(station_id, id_size, "%s", id);
        return 0;
    } else if (sc_read_file(a->key, 4096, &data, &len) == 0) {
        data[strcspn(data, " \r\n")] = '\0';
        bool ok = is_hex64(data);
        if (ok) snprintf(key, 65, "%s", data);
        free(data);
        if (!ok)
            return cli_error(&add_spec, "%s does not hold a public key (64 hex digits)", a->key);
    } else {
        return cli_error(&add_spec, "--key needs 64 hex digits, a station.pub file or an export");
    }
    if (!a->station_id)
        return cli_error(&add_spec, "--station-id is needed with a key (or give an export folder)");
    snprintf(station_id, id_size, "%s", a->station_id);
    return 0;
}

static void print_added(const struct cty_station_added *out, bool json_out)
{
    if (!json_out) {
        printf("station %s registered: role %s\nconninfo for `studycast sync --db`: %s\n",
               out->station_id, out->role, out->conninfo);
        return;
    }
    struct sc_buf buf = {0};
    struct sc_json json;
    sc_json_init(&json, &buf, true);
    sc_json_object_begin(&json);
    sc_json_kv_string(&json, "station_id", out->station_id);
    sc_json_kv_string(&json, "role", out->role);
    sc_json_kv_string(&json, "conninfo", out->conninfo);
    sc_json_object_end(&json);
    printf("%s\n", buf.data);
    sc_buf_free(&buf);
}

int cli_county_add_station(int argc, char **argv, struct sc_log *log)
{
    struct add_args a;
    struct cli_args pos;
    int rc = cli_parse(&add_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    char key[65], station_id[64], password[128] = "";
    rc = resolve_key(&a, key, station_id, sizeof(station_id));
    if (rc == 2) return 2;
    if (rc != 0) return 1;
    if (a.password_file) {
        char *data = NULL;
        size_t len = 0;
        rc = sc_read_file(a.password_file, 4096, &data, &len);
        if (rc == 0) {
            data[strcspn(data, "\r\n")] = '\0';
            snprintf(password, sizeof(password), "%s", data);
            free(data);
        }
        if (rc != 0 || !password[0] || strlen(password) > 63) {
            fprintf(stderr, "%s: %s: %s\n", add_spec.prog, a.password_file,
                    rc != 0 ? strerror(-rc)
                            : "needs a password of 1 to 63 bytes on its first line");
            return 1;
        }
    }
    struct cty_db *db = NULL;
    if (open_db(add_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_station_new s = {.station_id = station_id,
                                .public_key_hex = key,
                                .name = a.name,
                                .township = a.township,
                                .type = station_types[a.type],
                                .password = password[0] ? password : NULL};
    struct cty_station_added out;
    rc = cty_add_station(db, &s, &out);
    if (rc == 0)
        print_added(&out, a.json);
    else
        fprintf(stderr, "%s: %s\n", add_spec.prog, cty_db_message(db));
    cty_db_close(db);
    return rc == 0 ? 0 : 1;
}

/* ---- import ------------------------------------------------------------------ */

struct import_args {
    const char *db;
    bool json;
};

static const struct cli_option import_options[] = {
    {"db", 0, CLI_STRING, offsetof(struct import_args, db), .required = true, .metavar = "CONNINFO",
     .help = "the county database, as its owner"},
    {"json", 0, CLI_FLAG, offsetof(struct import_args, json),
     .help = "print {\"station_id\", \"first_seq\", \"last_seq\", \"stored\", \"already\"}"},
    {NULL},
};

static const struct cli_spec import_spec = {
    .prog = "studycast county import",
    .usage = "county import DIR --db CONNINFO [--json]",
    .about = "Loads a station's USB export folder (`record export`, the menu's export)\n"
             "after verifying it against the key registered for the station it names.\n"
             "Events the county holds already (synced, or imported before) are skipped:\n"
             "each event is stored once however it arrives.\n",
    .epilog = "Exit status 0 when the export verified and its events are stored.\n",
    .options = import_options,
    .min_args = 1,
    .max_args = 1,
    .args_name = "DIR",
};

int cli_county_import(int argc, char **argv, struct sc_log *log)
{
    struct import_args a;
    struct cli_args pos;
    int rc = cli_parse(&import_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    const char *dir = pos.v[0];
    struct cty_db *db = NULL;
    if (open_db(import_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_import_result r;
    rc = cty_import(db, dir, print_problem, (void *)dir, &r);
    if (rc == 0 && a.json) {
        printf("{\"station_id\": \"%s\", \"first_seq\": %lld, \"last_seq\": %lld, \"stored\": "
               "%lld, \"already\": %lld}\n",
               r.station_id, (long long)r.first_seq, (long long)r.last_seq, (long long)r.stored,
               (long long)r.already);
    } else if (rc == 0) {
        printf("%s: station %s, events %lld..%lld: %lld stored, %lld already held\n", dir,
               r.station_id, (long long)r.first_seq, (long long)r.last_seq, (long long)r.stored,
               (long long)r.already);
    } else {
        fprintf(stderr, "%s: %s\n", import_spec.prog, cty_db_message(db));
    }
    cty_db_close(db);
    return rc == 0 ? 0 : 1;
}

/* ---- verify ------------------------------------------------------------------ */

struct verify_args {
    const char *db;
    bool json;
};

static const struct cli_option verify_options[] = {
    {"db", 0, CLI_STRING, offsetof(struct verify_args, db), .required = true, .metavar = "CONNINFO",
     .help = "the county database (a role that reads every station)"},
    {"json", 0, CLI_FLAG, offsetof(struct verify_args, json),
     .help = "print {\"stations\": [{\"station_id\", \"ok\", \"problems\": [...]}]}"},
    {NULL},
};

static const struct cli_spec verify_spec = {
    .prog = "studycast county verify",
    .usage = "county verify --db CONNINFO [--json]",
    .about = "Checks every station's rows: each batch's signature against the\n"
             "registered key (a USB import's manifest signature, and events.tsv\n"
             "rebuilt from the rows), every event's hash recomputed and linked to the\n"
             "one before, and gaps in seq. Rows edited in the database are found.\n",
    .epilog = "Exit status 0 only if every station verifies.\n",
    .options = verify_options,
};

static void print_checks(const struct cty_station_check *c, size_t n, bool json_out)
{
    if (!json_out) {
        for (size_t i = 0; i < n; i++) {
            printf("%s: %s\n", c[i].station_id, c[i].ok ? "ok" : "FAILED");
            for (size_t k = 0; k < c[i].n_problems; k++)
                printf("  %s\n", c[i].problems[k]);
        }
        return;
    }
    struct sc_buf buf = {0};
    struct sc_json json;
    sc_json_init(&json, &buf, true);
    sc_json_object_begin(&json);
    sc_json_key(&json, "stations");
    sc_json_array_begin(&json);
    for (size_t i = 0; i < n; i++) {
        sc_json_object_begin(&json);
        sc_json_kv_string(&json, "station_id", c[i].station_id);
        sc_json_kv_bool(&json, "ok", c[i].ok);
        sc_json_key(&json, "problems");
        sc_json_array_begin(&json);
        for (size_t k = 0; k < c[i].n_problems; k++)
            sc_json_string(&json, c[i].problems[k]);
        sc_json_array_end(&json);
        sc_json_object_end(&json);
    }
    sc_json_array_end(&json);
    sc_json_object_end(&json);
    printf("%s\n", buf.data);
    sc_buf_free(&buf);
}

int cli_county_verify(int argc, char **argv, struct sc_log *log)
{
    struct verify_args a;
    struct cli_args pos;
    int rc = cli_parse(&verify_spec, argc, argv, &a, &pos);
    if (rc) return cli_status(rc);
    struct cty_db *db = NULL;
    if (open_db(verify_spec.prog, a.db, log, &db) != 0) return 1;
    struct cty_station_check *checks = NULL;
    size_t n = 0;
    rc = cty_verify_all(db, &checks, &n);
    bool all_ok = rc == 0;
    if (rc == 0) {
        print_checks(checks, n, a.json);
        for (size_t i = 0; i < n; i++)
            all_ok = all_ok && checks[i].ok;
        /* the report marks what verify found (county_derived.c) */
        for (size_t i = 0; i < n; i++)
            if (cty_cache_note_check(db, &checks[i]) != 0) {
                fprintf(stderr, "%s: %s\n", verify_spec.prog, cty_db_message(db));
                all_ok = false;
                break;
            }
        if (!all_ok) fprintf(stderr, "%s: some stations FAILED verification\n", verify_spec.prog);
    } else {
        fprintf(stderr, "%s: %s\n", verify_spec.prog, cty_db_message(db));
    }
    cty_station_checks_free(checks, n);
    cty_db_close(db);
    return all_ok ? 0 : 1;
}
