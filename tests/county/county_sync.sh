#!/bin/sh
# Two stations' records synced into a county database (a real PostgreSQL the
# test starts): everything stored once and verified, a second sync uploads
# nothing, another station's credentials are refused before anything is
# sent, a wrong password says so, a station's role can neither write nor
# read another station's rows nor change stored ones, and an event a
# superuser edits in the database is found by `county verify`.
# usage: county_sync.sh STUDYCAST RECORD_FIXTURE WORKDIR
set -eu
studycast=$1 fixture=$2 W=$3
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/lib.sh"
need_tools psql sqlite3
test_workdir
county_setup
grep -q "created at version 2" "$W/init.out" || fail "init: $(cat "$W/init.out")"
"$studycast" county init --db "$CDB" | grep -q "up to date (version 2)" || fail "init twice"
# a version 1 database (events tied to batches by a foreign key) migrates to 2
pg_psql c postgres -c "CREATE DATABASE v1"
"$studycast" county init --db "$(pg_conninfo c v1)" > /dev/null || fail "init v1"
pg_psql c v1 -c "DROP TRIGGER events_in_batches ON studycast.events;
  DROP FUNCTION studycast.check_event_batches(); DELETE FROM studycast.schema_version
  WHERE version = 2; ALTER TABLE studycast.events ADD CONSTRAINT events_batch FOREIGN KEY
  (station_id, batch_first_seq, batch_last_seq, month) REFERENCES studycast.batches
  (station_id, first_seq, last_seq, month)"
"$studycast" county init --db "$(pg_conninfo c v1)" | grep -q "migrated to version 2" ||
  fail "v1 not migrated"
[ "$(pg_psql c v1 -At -c "SELECT count(*) FROM pg_constraint WHERE conname = 'events_batch'")
$(pg_psql c v1 -At -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'events_in_batches'")" = "0
1" ] || fail "v1 migrated without its statement check"

# the schema's month of an instant is test_county_month's (the C side cuts batches by it)
[ "$(sql "SELECT string_agg(studycast.utc_month(v)::text, ' ' ORDER BY o) FROM unnest(ARRAY[
  0, -1, 1764547199999999999, 1764547200000000000, 1798761599999999999, 1798761600000000000,
  951782400000000000, 9223372036854775807, -9223372036854775808]::bigint[]) WITH ORDINALITY t(v, o)")" = \
  "1970-01-01 1969-12-01 2025-11-01 2025-12-01 2026-12-01 2027-01-01 2000-02-01 2262-04-01 1677-09-01" ] ||
  fail "studycast.utc_month differs from cty_utc_month"

"$fixture" "$W/a" > /dev/null || fail "fixture a"
"$fixture" "$W/b" > /dev/null || fail "fixture b"
cp -a "$W/b" "$W/b-old" # b's record as a backup would keep it
A=$(station_id "$W/a") B=$(station_id "$W/b")
CA=$(add_station "$W/a" a) CB=$(add_station "$W/b" b)
[ "$(json_get "$W/a.add.json" role)" = "station_$(echo "$A" | cut -c1-8)" ] || fail "role name"
"$studycast" county add-station --db "$CDB" --key "$W/a/station.pub" --station-id "$A" \
  --name again --township x 2> "$W/err" && fail "a station registered twice"
grep -q "registered already" "$W/err" || fail "no message for a second registration"

# 1. both synced (small batches: several per station), stored once, verified;
# a's by two syncs at once (the kiosk's own and one run by hand): the batches
# one of them finds stored already are skipped, and both end complete
na=$(record_events "$W/a") nb=$(record_events "$W/b")
"$studycast" sync --db "$CA" --data-dir "$W/a" --batch 100 --json > "$W/s1a2.json" 2>&1 &
other=$!
"$studycast" sync --db "$CA" --data-dir "$W/a" --batch 100 --json > "$W/s1a.json" || fail "sync a"
wait "$other" || fail "the second sync of a at once: $(cat "$W/s1a2.json")"
"$studycast" sync --db "$CB" --data-dir "$W/b" --json > "$W/s1b.json" || fail "sync b"
[ $(($(json_get "$W/s1a.json" uploaded) + $(json_get "$W/s1a2.json" uploaded))) = "$na" ] ||
  fail "a uploaded $(cat "$W/s1a.json") and $(cat "$W/s1a2.json"), not $na in all"
[ "$(json_get "$W/s1a.json" pending)" = 0 ] || fail "a pending"
[ "$(json_get "$W/s1a2.json" pending)" = 0 ] || fail "a pending (the second sync)"
[ "$(json_get "$W/s1b.json" last_seq)" = "$nb" ] || fail "b last_seq $(cat "$W/s1b.json")"
[ "$(sql "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || max(seq) FROM studycast.events
  WHERE station_id = '$A'")" = "$na $na $na" ] || fail "a's rows are not 1..$na once each"
[ "$(sql "SELECT count(*) FROM studycast.batches WHERE station_id = '$A'")" -ge 10 ] ||
  fail "a's 100-event batches"
"$studycast" county verify --db "$CDB" --json > "$W/v1.json" || fail "verify after sync"
"$python" - "$W/v1.json" "$A" "$B" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
ids = [s["station_id"] for s in v["stations"]]
assert sorted(ids) == sorted(sys.argv[2:4]), ids
assert all(s["ok"] and s["problems"] == [] for s in v["stations"]), v
PY
[ "$(sql "SELECT name || ' ' || type || ' ' || pending || ' ' || last_seq || ' ' ||
  record_check_ok || ' ' || (version IS NOT NULL) || ' ' || (free_disk_bytes > 0)
  FROM studycast.station_status WHERE station_id = '$A'")" = "张家村学习站 village 0 $na true true true" ] ||
  fail "a's status row: $(sql "SELECT * FROM studycast.station_status WHERE station_id = '$A'")"

# 2. a second sync uploads nothing (and says the county holds everything)
"$studycast" sync --db "$CA" --data-dir "$W/a" --json > "$W/s2.json" || fail "second sync"
[ "$(json_get "$W/s2.json" uploaded)" = 0 ] || fail "second sync uploaded $(cat "$W/s2.json")"

# 3. a's credentials with b's data dir: refused before anything is sent
"$studycast" record settings --data-dir "$W/b" --station-name 新名字 > /dev/null
seen=$(sql "SELECT last_seen FROM studycast.station_status WHERE station_id = '$A'")
rows=$(sql "SELECT count(*) FROM studycast.events")
"$studycast" sync --db "$CA" --data-dir "$W/b" 2> "$W/err" && fail "a's credentials synced b"
grep -q "refused: these credentials are station $A's, but .* holds station $B" "$W/err" ||
  fail "no clear refusal: $(cat "$W/err")"
[ "$(wc -l < "$W/err")" = 1 ] || fail "more than one line: $(cat "$W/err")"
[ "$(sql "SELECT count(*) FROM studycast.events")" = "$rows" ] || fail "rows were sent"
[ "$(sql "SELECT last_seen FROM studycast.station_status WHERE station_id = '$A'")" = "$seen" ] ||
  fail "a's status row changed"

# 3b. b's record replaced by an older copy: refused, whether it lags or has gone its own way
"$studycast" sync --db "$CB" --data-dir "$W/b" --json > "$W/s3.json" || fail "sync b's new name"
[ "$(json_get "$W/s3.json" uploaded)" = 1 ] || fail "b's new name: $(cat "$W/s3.json")"
"$studycast" sync --db "$CB" --data-dir "$W/b-old" 2> "$W/err" && fail "an older copy synced"
grep -q "refused: the county holds events up to $((nb + 1)) of station $B but this record ends at $nb" \
  "$W/err" || fail "older copy: $(cat "$W/err")"
"$studycast" record settings --data-dir "$W/b-old" --station-name 另一个 > /dev/null
"$studycast" sync --db "$CB" --data-dir "$W/b-old" 2> "$W/err" && fail "a diverged copy synced"
grep -q "refused: the county's event $((nb + 1)) of station $B differs from this record's" \
  "$W/err" || fail "diverged copy: $(cat "$W/err")"

# 4. a wrong password, a database that is not there: one clear line each
bad=$(echo "$CA" | sed "s/password='[^']*'/password='wrong'/")
"$studycast" sync --db "$bad" --data-dir "$W/a" 2> "$W/err" && fail "a wrong password synced"
grep -q "refused the login: password authentication failed" "$W/err" || fail "$(cat "$W/err")"
"$studycast" sync --db "host=127.0.0.1 port=$(free_port tcp) user=x dbname=y" --data-dir "$W/a" \
  2> "$W/err" && fail "synced to nothing"
grep -q "cannot reach the county database" "$W/err" || fail "no network: $(cat "$W/err")"

# 5. station a's own role: nothing of b's, nothing changed
as_a() { psql -X -q -At -v ON_ERROR_STOP=1 "$CA" -c "$1" 2>&1; }
[ "$(as_a "SELECT count(*) FROM studycast.events WHERE station_id = '$B'")" = 0 ] ||
  fail "a reads b's events"
[ "$(as_a "SELECT count(DISTINCT station_id) FROM studycast.batches")" = 1 ] || fail "a reads b's batches"
[ "$(as_a "SELECT station_id FROM studycast.stations")" = "$A" ] || fail "a reads b's station row"
[ "$(as_a "SELECT count(*) FROM studycast.station_status")" = 1 ] || fail "a reads b's status"
as_a "INSERT INTO studycast.batches (station_id, first_seq, last_seq, month, prev_hash,
  last_hash, signature, source) VALUES ('$B', 9000, 9000, '2026-11-01', '\\x$(printf '%064d' 0)',
  '\\x$(printf '%064d' 0)', '\\x$(printf '%0128d' 0)', 'sync')" | grep -q "row-level security" ||
  fail "a inserted a batch of b's"
as_a "INSERT INTO studycast.events SELECT * FROM studycast.events WHERE false
  UNION ALL SELECT '$B', 9000, 'x', 0, 'system', 0, 'b', NULL, '{}', prev_hash, hash, month,
  batch_first_seq, batch_last_seq FROM studycast.events LIMIT 1" |
  grep -q "row-level security" || fail "a inserted an event of b's"
# an event naming a batch the county does not hold (what keeps a seq in one batch)
as_a "INSERT INTO studycast.events SELECT station_id, 9000, type, utc_ns, clock_source, mono_ns,
  boot_id, session, payload, prev_hash, hash, month, 9000, 9000 FROM studycast.events
  WHERE seq = 3" | grep -q "batch 9000..9000 of $A (.*) is not held by the county" ||
  fail "a stored an event outside its batches"
[ "$(as_a "UPDATE studycast.station_status SET pending = 7 WHERE station_id = '$B'; SELECT 'done'")" = done ] ||
  fail "update of b's status"
[ "$(sql "SELECT pending FROM studycast.station_status WHERE station_id = '$B'")" = 0 ] ||
  fail "a changed b's status row"
as_a "UPDATE studycast.events SET payload = '{}' WHERE seq = 3" | grep -q "permission denied" ||
  fail "a updated an event"
as_a "DELETE FROM studycast.batches" | grep -q "permission denied" || fail "a deleted batches"
part=$(sql "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'studycast.events'::regclass LIMIT 1")
as_a "SELECT count(*) FROM studycast.$part" | grep -q "permission denied" ||
  fail "a reads a partition directly"

# 6. append-only for the owner too; a superuser's edit with triggers off is found
pg_psql c county -c "UPDATE studycast.events SET payload = '{}' WHERE station_id = '$B' AND seq = 5" \
  2> "$W/err" && fail "the owner updated an event"
grep -q "append-only" "$W/err" || fail "no append-only message: $(cat "$W/err")"
pg_psql c county -c "DELETE FROM studycast.batches" 2> /dev/null && fail "the owner deleted"
pg_psql c county -c "SET session_replication_role = replica;
  UPDATE studycast.events SET payload = replace(payload, '}', ',\"x\":1}')
  WHERE station_id = '$B' AND seq = 40"
"$studycast" county verify --db "$CDB" --json > "$W/v2.json" && fail "verify missed the edit"
"$python" - "$W/v2.json" "$A" "$B" <<'PY'
import json, sys
v = {s["station_id"]: s for s in json.load(open(sys.argv[1]))["stations"]}
a, b = v[sys.argv[2]], v[sys.argv[3]]
assert a["ok"] and not a["problems"], a
assert not b["ok"], b
assert any("event 40 " in p and "edited" in p for p in b["problems"]), b["problems"]
assert any("signature does not verify" in p for p in b["problems"]), b["problems"]
PY
echo "county_sync: ok"
