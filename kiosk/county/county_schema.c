/* The county schema and its migrations (`studycast county init`).
 *
 * Why the tables look as they do:
 * - events is partitioned by month (the UTC month of utc_ns, in the column
 *   `month`, which a CHECK ties to studycast.utc_month(utc_ns), so a resent
 *   event always lands in the partition it went to first). PostgreSQL wants
 *   the partition key in every unique index, so the unique index is
 *   (station_id, seq, month). (station_id, seq) is still unique for real,
 *   by three constraints together:
 *     1. every event names its batch, (station_id, batch_first_seq,
 *        batch_last_seq, month), which batches must hold (a foreign key in
 *        v1; since v2 a statement-level trigger checks each batch a
 *        statement's rows name once, not each row), and a CHECK keeps seq
 *        within batch_first_seq..batch_last_seq;
 *     2. an exclusion constraint keeps a station's batches from overlapping
 *        in seq, so one seq of a station lies in at most one batch;
 *     3. so two events with the same (station_id, seq) name the same batch,
 *        hence the same month, and the unique index refuses the second.
 *   A batch therefore never spans two months: sync and import cut their
 *   runs where the UTC month changes. The default partition takes any month
 *   without its own (a station whose clock was wrong).
 * - Append-only: triggers refuse UPDATE, DELETE and TRUNCATE on events and
 *   batches (and changing a station's id, key or role) for everyone; the
 *   migrations run as the owner, who alone may disable them. A superuser
 *   can still edit rows: `county verify` recomputes every hash and
 *   signature, so such an edit is found.
 * - Stations log in with a role each, member of studycast_station, which
 *   may SELECT/INSERT events and batches and SELECT/INSERT/UPDATE
 *   station_status, only where station_id is its own (row-level security:
 *   the stations row whose role_name is current_user), and read only its own
 *   stations row. It has no privilege on the partitions themselves.
 * - Payloads stay text: the hash covers their exact bytes. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The station the current role logs in for (an InitPlan: once a query). */
#define OWN_STATION                                                                                \
    "(SELECT s.station_id FROM studycast.stations s WHERE s.role_name = current_user)"

static const char schema_v1[] =
    "CREATE SCHEMA IF NOT EXISTS studycast;\n"
    "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA studycast;\n"
    "CREATE TABLE studycast.schema_version (version integer PRIMARY KEY,\n"
    "  applied_at timestamptz NOT NULL DEFAULT now());\n"
    /* floor division: a clock before 1970 still gets its month */
    "CREATE FUNCTION studycast.utc_month(utc_ns bigint) RETURNS date\n"
    "  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$\n"
    "  SELECT (date_trunc('month', to_timestamp((CASE WHEN utc_ns >= 0 THEN utc_ns / 1000000000\n"
    "    ELSE -((-(utc_ns + 1)) / 1000000000) - 1 END)::double precision)\n"
    "    AT TIME ZONE 'UTC'))::date $$;\n"
    "CREATE TABLE studycast.stations (\n"
    "  station_id text PRIMARY KEY CHECK (station_id ~ '^[0-9a-z][0-9a-z-]{0,62}$'),\n"
    "  public_key bytea NOT NULL UNIQUE CHECK (octet_length(public_key) = 32),\n"
    "  name text NOT NULL,\n"
    "  township text NOT NULL,\n"
    "  type text NOT NULL CHECK (type IN ('village', 'township')),\n"
    "  role_name text NOT NULL UNIQUE,\n"
    "  registered_at timestamptz NOT NULL DEFAULT now());\n"
    "CREATE TABLE studycast.batches (\n"
    "  station_id text NOT NULL REFERENCES studycast.stations,\n"
    "  first_seq bigint NOT NULL CHECK (first_seq >= 1),\n"
    "  last_seq bigint NOT NULL,\n"
    "  month date NOT NULL CHECK (month = date_trunc('month', month)::date),\n"
    "  prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),\n"
    "  last_hash bytea NOT NULL CHECK (octet_length(last_hash) = 32),\n"
    "  signature bytea NOT NULL CHECK (octet_length(signature) = 64),\n"
    "  source text NOT NULL CHECK (source IN ('sync', 'usb')),\n"
    "  evidence text,\n"
    "  received_at timestamptz NOT NULL DEFAULT now(),\n"
    "  PRIMARY KEY (station_id, first_seq),\n"
    "  CHECK (last_seq >= first_seq),\n"
    "  CHECK ((source = 'usb') = (evidence IS NOT NULL)),\n"
    "  UNIQUE (station_id, first_seq, last_seq, month),\n"
    "  CONSTRAINT batches_no_overlap EXCLUDE USING gist\n"
    "    (station_id WITH =, int8range(first_seq, last_seq, '[]') WITH &&));\n"
    "CREATE TABLE studycast.events (\n"
    "  station_id text NOT NULL,\n"
    "  seq bigint NOT NULL CHECK (seq >= 1),\n"
    "  type text NOT NULL,\n"
    "  utc_ns bigint NOT NULL,\n"
    "  clock_source text NOT NULL,\n"
    "  mono_ns bigint NOT NULL,\n"
    "  boot_id text NOT NULL,\n"
    "  session text CHECK (session <> ''),\n"
    "  payload text NOT NULL,\n"
    "  prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),\n"
    "  hash bytea NOT NULL CHECK (octet_length(hash) = 32),\n"
    "  month date NOT NULL CHECK (month = studycast.utc_month(utc_ns)),\n"
    "  batch_first_seq bigint NOT NULL,\n"
    "  batch_last_seq bigint NOT NULL,\n"
    "  CHECK (seq BETWEEN batch_first_seq AND batch_last_seq),\n"
    "  CONSTRAINT events_station_seq UNIQUE (station_id, seq, month),\n"
    "  CONSTRAINT events_batch FOREIGN KEY (station_id, batch_first_seq, batch_last_seq, month)\n"
    "    REFERENCES studycast.batches (station_id, first_seq, last_seq, month)\n"
    ") PARTITION BY RANGE (month);\n"
    "CREATE TABLE studycast.events_default PARTITION OF studycast.events DEFAULT;\n"
    "CREATE TABLE studycast.station_status (\n"
    "  station_id text PRIMARY KEY REFERENCES studycast.stations,\n"
    "  last_seen timestamptz, version text, name text, type text, playing text, next text,\n"
    "  free_disk_bytes bigint, record_check_ok boolean, record_check_message text,\n"
    "  pending bigint, last_seq bigint);\n"
    "CREATE FUNCTION studycast.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  RAISE EXCEPTION 'studycast.% is append-only: % refused', TG_TABLE_NAME, TG_OP\n"
    "    USING ERRCODE = 'insufficient_privilege';\n"
    "END $$;\n"
    "CREATE FUNCTION studycast.refuse_station_change() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'DELETE' OR NEW.station_id <> OLD.station_id\n"
    "     OR NEW.public_key <> OLD.public_key OR NEW.role_name <> OLD.role_name THEN\n"
    "    RAISE EXCEPTION 'studycast.stations: a station''s id, key and role never change'\n"
    "      USING ERRCODE = 'insufficient_privilege';\n"
    "  END IF;\n"
    "  RETURN NEW;\n"
    "END $$;\n"
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON studycast.events\n"
    "  FOR EACH ROW EXECUTE FUNCTION studycast.refuse_change();\n"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON studycast.events\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION studycast.refuse_change();\n"
    "CREATE TRIGGER batches_append_only BEFORE UPDATE OR DELETE ON studycast.batches\n"
    "  FOR EACH ROW EXECUTE FUNCTION studycast.refuse_change();\n"
    "CREATE TRIGGER batches_no_truncate BEFORE TRUNCATE ON studycast.batches\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION studycast.refuse_change();\n"
    "CREATE TRIGGER stations_keep BEFORE UPDATE OR DELETE ON studycast.stations\n"
    "  FOR EACH ROW EXECUTE FUNCTION studycast.refuse_station_change();\n"
    "DO $$ BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" CTY_STATION_GROUP "') THEN\n"
    "    CREATE ROLE " CTY_STATION_GROUP " NOLOGIN;\n"
    "  END IF;\n"
    "END $$;\n"
    "REVOKE ALL ON SCHEMA studycast FROM PUBLIC;\n"
    "GRANT USAGE ON SCHEMA studycast TO " CTY_STATION_GROUP ";\n"
    "GRANT SELECT ON studycast.stations, studycast.schema_version TO " CTY_STATION_GROUP ";\n"
    "GRANT SELECT, INSERT ON studycast.batches, studycast.events TO " CTY_STATION_GROUP ";\n"
    "GRANT SELECT, INSERT, UPDATE ON studycast.station_status TO " CTY_STATION_GROUP ";\n"
    "ALTER TABLE studycast.stations ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE studycast.batches ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE studycast.events ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE studycast.station_status ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY own_station ON studycast.stations FOR SELECT TO " CTY_STATION_GROUP "\n"
    "  USING (role_name = current_user);\n"
    "CREATE POLICY own_batches_read ON studycast.batches FOR SELECT TO " CTY_STATION_GROUP "\n"
    "  USING (station_id = " OWN_STATION ");\n"
    "CREATE POLICY own_batches_write ON studycast.batches FOR INSERT TO " CTY_STATION_GROUP "\n"
    "  WITH CHECK (station_id = " OWN_STATION ");\n"
    "CREATE POLICY own_events_read ON studycast.events FOR SELECT TO " CTY_STATION_GROUP "\n"
    "  USING (station_id = " OWN_STATION ");\n"
    "CREATE POLICY own_events_write ON studycast.events FOR INSERT TO " CTY_STATION_GROUP "\n"
    "  WITH CHECK (station_id = " OWN_STATION ");\n"
    "CREATE POLICY own_status ON studycast.station_status FOR ALL TO " CTY_STATION_GROUP "\n"
    "  USING (station_id = " OWN_STATION ")\n"
    "  WITH CHECK (station_id = " OWN_STATION ");\n"
    /* the partitions of a range of months; a month whose rows already sit in
     * the default partition keeps them there (moving them would be an UPDATE) */
    "CREATE FUNCTION studycast.make_month_partitions(first date, last date) RETURNS integer\n"
    "  LANGUAGE plpgsql AS $$\n"
    "DECLARE m date := date_trunc('month', first)::date; made integer := 0; name text;\n"
    "BEGIN\n"
    "  WHILE m <= last LOOP\n"
    "    name := 'events_' || to_char(m, '\"y\"YYYY\"m\"MM');\n"
    "    IF to_regclass('studycast.' || name) IS NULL AND NOT EXISTS\n"
    "       (SELECT 1 FROM studycast.events_default WHERE month = m) THEN\n"
    "      EXECUTE format('CREATE TABLE studycast.%I PARTITION OF studycast.events\n"
    "        FOR VALUES FROM (%L) TO (%L)', name, m, (m + interval '1 month')::date);\n"
    "      made := made + 1;\n"
    "    END IF;\n"
    "    m := (m + interval '1 month')::date;\n"
    "  END LOOP;\n"
    "  RETURN made;\n"
    "END $$;\n";

/* v2: an event's batch is checked once per statement, not once per row.
 * The foreign key from events to batches ran a lookup (and a row lock on the
 * batch) for every event, a third of an upload's cost; the trigger below
 * makes one lookup per distinct batch the statement's rows name, with the
 * same outcome: a statement whose rows name a batch the county does not hold
 * (visible to the inserting role) fails whole. Batches are never deleted or
 * changed (their triggers), so the batch an event was checked against stays;
 * the foreign key's lock guarded nothing more. */
static const char schema_v2[] =
    "ALTER TABLE studycast.events DROP CONSTRAINT events_batch;\n"
    "CREATE FUNCTION studycast.check_event_batches() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "DECLARE missing record;\n"
    "BEGIN\n"
    "  SELECT n.* INTO missing FROM (SELECT DISTINCT station_id, batch_first_seq,\n"
    "      batch_last_seq, month FROM new_events) n\n"
    "    WHERE NOT EXISTS (SELECT 1 FROM studycast.batches b WHERE b.station_id = n.station_id\n"
    "      AND b.first_seq = n.batch_first_seq AND b.last_seq = n.batch_last_seq\n"
    "      AND b.month = n.month) LIMIT 1;\n"
    "  IF FOUND THEN\n"
    "    RAISE EXCEPTION 'studycast.events: batch %..% of % (%) is not held by the county',\n"
    "      missing.batch_first_seq, missing.batch_last_seq, missing.station_id,\n"
    "      missing.month USING ERRCODE = 'foreign_key_violation';\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    "CREATE TRIGGER events_in_batches AFTER INSERT ON studycast.events\n"
    "  REFERENCING NEW TABLE AS new_events\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION studycast.check_event_batches();\n";

/* Index = version - 1. A migration runs in init's transaction, as the owner. */
static const char *const migrations[] = {schema_v1, schema_v2};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == CTY_SCHEMA_VERSION,
               "one migration per schema version");

/* The version in the database: 0 without a schema. */
static int read_version(struct cty_db *db, int *version)
{
    PGresult *res = NULL;
    *version = 0;
    int rc = cty_exec(db, "SELECT to_regclass('studycast.schema_version') IS NOT NULL", 0, NULL,
                      PGRES_TUPLES_OK, "reading the schema version", &res);
    if (rc != 0) return rc;
    bool present = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!present) return 0;
    rc = cty_exec(db, "SELECT coalesce(max(version), 0) FROM studycast.schema_version", 0, NULL,
                  PGRES_TUPLES_OK, "reading the schema version", &res);
    if (rc != 0) return rc;
    *version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int cty_schema_check(struct cty_db *db)
{
    int version = 0;
    int rc = read_version(db, &version);
    if (rc != 0) return rc;
    if (version == 0)
        return cty_fail(db, CTY_ESCHEMA,
                        "the database has no studycast schema (run studycast county init)");
    if (version > CTY_SCHEMA_VERSION)
        return cty_fail(db, CTY_ESCHEMA,
                        "the county schema is version %d, newer than this studycast knows (%d): "
                        "update studycast",
                        version, CTY_SCHEMA_VERSION);
    return 0;
}

static int migrate(struct cty_db *db, struct cty_init_result *result)
{
    int version = 0;
    int rc = cty_exec(db, "SELECT pg_advisory_xact_lock(hashtext('studycast.schema'))", 0, NULL,
                      PGRES_TUPLES_OK, "locking the schema", NULL);
    if (rc == 0) rc = read_version(db, &version);
    if (rc != 0) return rc;
    result->from_version = version;
    if (version > CTY_SCHEMA_VERSION)
        return cty_fail(db, CTY_ESCHEMA,
                        "the county schema is version %d, newer than this studycast knows (%d): "
                        "update studycast",
                        version, CTY_SCHEMA_VERSION);
    for (int v = version + 1; rc == 0 && v <= CTY_SCHEMA_VERSION; v++) {
        char what[64], text[16];
        snprintf(what, sizeof(what), "migrating the schema to version %d", v);
        rc = cty_exec(db, migrations[v - 1], 0, NULL, PGRES_COMMAND_OK, what, NULL);
        snprintf(text, sizeof(text), "%d", v);
        const char *params[] = {text};
        if (rc == 0)
            rc = cty_exec(db, "INSERT INTO studycast.schema_version (version) VALUES ($1)", 1,
                          params, PGRES_COMMAND_OK, what, NULL);
    }
    result->to_version = CTY_SCHEMA_VERSION;
    return rc;
}

int cty_init(struct cty_db *db, struct cty_init_result *result)
{
    *result = (struct cty_init_result){0};
    int rc = cty_begin(db);
    if (rc == 0) rc = migrate(db, result);
    /* the report's caches and the province's publication: idempotent, beside the
     * migrations (caches are the county's own, rebuilt at will) */
    if (rc == 0) rc = cty_cache_init(db);
    if (rc == 0) rc = cty_publication_init(db);
    PGresult *res = NULL;
    if (rc == 0)
        rc = cty_exec(
            db,
            "SELECT studycast.make_month_partitions("
            "(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '24 months')::date, "
            "(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '24 months')::date)",
            0, NULL, PGRES_TUPLES_OK, "making the monthly partitions", &res);
    if (rc == 0) {
        result->partitions_created = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        rc = cty_commit(db);
    }
    if (rc != 0) cty_rollback(db);
    return rc;
}
