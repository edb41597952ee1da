# PostgreSQL clusters of a test's own (sourced, after tests/lib.sh): each
# made by initdb in a mktemp dir, its Unix socket in that dir and a free TCP
# port on 127.0.0.1, run as the `postgres` OS user when the test runs as
# root, stopped and removed at exit. wal_level=logical (the province test
# replicates), fsync off for speed (a test's cluster outlives no power cut;
# synchronous_commit stays on, so a commit survives `pg_ctl restart -m
# immediate`). The superuser `postgres` logs in without a password; every
# other role needs its password (scram-sha-256), as a station's does.
#   pg_start NAME            start cluster NAME (any number of them)
#   pg_conninfo NAME [DB] [USER]   libpq conninfo (DB: postgres, USER: postgres)
#   pg_psql NAME DB ARGS...  psql as the superuser, stopping at the first error
#   pg_restart NAME [MODE]   pg_ctl restart (MODE fast|immediate; fast)
#   pg_cleanup               stop and remove every cluster (pg_start sets the EXIT trap:
#                            pg_cleanup then lib.sh's cleanup_procs)

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_NAMES=""

# runs a server program as the cluster's owner
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_dir() { eval "echo \"\${PG_DIR_$1:?no cluster $1}\""; }
pg_port() { eval "echo \"\${PG_PORT_$1:?no cluster $1}\""; }

pg_start() {
  [ -x "$PG_BIN/initdb" ] || fail "no PostgreSQL 15 in $PG_BIN (packaging/deps.sh test installs postgresql-15)"
  _dir=$(mktemp -d /tmp/studycast-pg.XXXXXX) || fail "mktemp"
  [ "$(id -u)" = 0 ] && chown postgres: "$_dir"
  _port=$(free_port tcp)
  eval "PG_DIR_$1=\$_dir PG_PORT_$1=\$_port"
  PG_NAMES="$PG_NAMES $1"
  trap 'pg_cleanup; cleanup_procs' EXIT
  trap 'exit 1' INT TERM
  pg_as_owner "$PG_BIN/initdb" -D "$_dir/data" -U postgres -E UTF8 --locale=C.UTF-8 -N \
    -A trust > "$_dir/initdb.log" 2>&1 || { cat "$_dir/initdb.log" >&2; fail "initdb $1"; }
  cat > "$_dir/data/pg_hba.conf" <<HBA
local all postgres trust
local all all scram-sha-256
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
local replication postgres trust
host replication postgres 127.0.0.1/32 trust
HBA
  cat >> "$_dir/data/postgresql.conf" <<CONF
port = $_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$_dir'
fsync = off
full_page_writes = off
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_connections = 40
shared_buffers = 32MB
password_encryption = 'scram-sha-256'
CONF
  [ "$(id -u)" = 0 ] && chown postgres: "$_dir/data/pg_hba.conf"
  pg_as_owner "$PG_BIN/pg_ctl" -D "$_dir/data" -l "$_dir/server.log" -w -t 60 start \
    > /dev/null || { cat "$_dir/server.log" >&2; fail "cannot start PostgreSQL $1"; }
}

pg_conninfo() {
  echo "host=$(pg_dir "$1") port=$(pg_port "$1") dbname=${2:-postgres} user=${3:-postgres}"
}

pg_psql() {
  _name=$1 _db=$2
  shift 2
  psql -X -q -v ON_ERROR_STOP=1 "$(pg_conninfo "$_name" "$_db")" "$@"
}

pg_restart() {
  _dir=$(pg_dir "$1")
  pg_as_owner "$PG_BIN/pg_ctl" -D "$_dir/data" -l "$_dir/server.log" -w -t 60 \
    -m "${2:-fast}" restart > /dev/null || { cat "$_dir/server.log" >&2; fail "restart $1"; }
}

pg_cleanup() {
  for _name in $PG_NAMES; do
    _dir=$(pg_dir "$_name")
    pg_as_owner "$PG_BIN/pg_ctl" -D "$_dir/data" -m immediate -w stop > /dev/null 2>&1 || true
    rm -rf "$_dir"
  done
  PG_NAMES=""
}
