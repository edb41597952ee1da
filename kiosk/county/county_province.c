/* The province: every county database publishes its tables (county init makes
 * the publication), and the province's database, with the same schema,
 * subscribes to each county by PostgreSQL's logical replication. The report's
 * caches are not published: the province derives its own. */
#include "kiosk/county/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Two publications: the stations and their status rows with every change
 * (both have primary keys), and the append-only events and batches with
 * inserts only, so that the county's UPDATE and DELETE on them stay refused
 * by the triggers rather than by replication (no replica identity is needed)
 * and an edit a superuser forces on the county is not carried to the
 * province (the county's own verify finds it). events is partitioned:
 * publish_via_partition_root sends its rows as rows of studycast.events,
 * which the province routes into its own partitions. */
int cty_publication_init(struct cty_db *db)
{
    return cty_exec(
        db,
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '" CTY_PUBLICATION
        "') THEN\n"
        "    CREATE PUBLICATION " CTY_PUBLICATION
        " FOR TABLE studycast.stations, studycast.station_status;\n"
        "  END IF;\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '" CTY_PUBLICATION_EVENTS
        "') THEN\n"
        "    CREATE PUBLICATION " CTY_PUBLICATION_EVENTS
        " FOR TABLE studycast.batches, studycast.events\n"
        "      WITH (publish = 'insert', publish_via_partition_root = true);\n"
        "  END IF;\n"
        "END $$",
        0, NULL, PGRES_COMMAND_OK, "creating the publications", NULL);
}

static bool valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n > 0 && n <= 40 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
           !(name[0] >= '0' && name[0] <= '9');
}

/* Tables of the subscription not yet copied and caught up; -1 on failure. */
static int tables_not_ready(struct cty_db *db, const char *name, int *total)
{
    const char *params[] = {name};
    PGresult *res = NULL;
    int rc = cty_exec(db,
                      "SELECT count(*) FILTER (WHERE r.srsubstate NOT IN ('r', 's')), count(*) "
                      "FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid "
                      "WHERE s.subname = $1",
                      1, params, PGRES_TUPLES_OK, "reading the subscription's state", &res);
    if (rc != 0) return -1;
    int waiting = atoi(PQgetvalue(res, 0, 0));
    *total = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    return waiting;
}

int cty_subscribe(struct cty_db *db, const char *name, const char *county_conninfo,
                  int wait_seconds, struct cty_subscribe_result *result)
{
    memset(result, 0, sizeof(*result));
    if (!valid_name(name))
        return cty_fail(db, -EINVAL,
                        "'%s' is not a subscription name (a-z, 0-9 and _, at most 40, not "
                        "starting with a digit)",
                        name ? name : "");
    int rc = cty_schema_check(db);
    if (rc != 0) return rc;
    const char *params[] = {name};
    PGresult *res = NULL;
    rc = cty_exec(db, "SELECT 1 FROM pg_subscription WHERE subname = $1", 1, params,
                  PGRES_TUPLES_OK, "looking for the subscription", &res);
    if (rc != 0) return rc;
    bool exists = PQntuples(res) > 0;
    PQclear(res);
    if (exists)
        return cty_fail(db, CTY_EEXIST,
                        "this database subscribes as %s already (DROP SUBSCRIPTION %s to "
                        "subscribe anew)",
                        name, name);
    char *literal = PQescapeLiteral(db->conn, county_conninfo, strlen(county_conninfo));
    if (!literal) return cty_fail(db, -ENOMEM, "escaping the county's conninfo");
    struct sc_buf sql = {0};
    /* not in a transaction: CREATE SUBSCRIPTION makes the slot on the county */
    sc_buf_printf(&sql,
                  "CREATE SUBSCRIPTION %s CONNECTION %s PUBLICATION " CTY_PUBLICATION
                  ", " CTY_PUBLICATION_EVENTS,
                  name, literal);
    PQfreemem(literal);
    rc = sql.failed
             ? -ENOMEM
             : cty_exec(db, sql.data, 0, NULL, PGRES_COMMAND_OK, "subscribing to the county", NULL);
    sc_buf_free(&sql);
    if (rc != 0) return rc;
    /* the first copy of every table; later rows stream as the county commits */
    int64_t deadline = sc_mono_ns() + (int64_t)wait_seconds * 1000000000;
    for (;;) {
        int waiting = tables_not_ready(db, name, &result->tables);
        if (waiting < 0) return CTY_EDB; /* the message says why */
        result->ready = waiting == 0 && result->tables > 0;
        if (result->ready || sc_mono_ns() >= deadline) break;
        usleep(200000);
    }
    return 0;
}
