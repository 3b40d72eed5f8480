#!/bin/sh
# pg_baseline.sh — baseline B of bench/run.sh (issue 7): PostgreSQL 15 logical
# replication of the same rows between two throwaway local clusters.
#
#   pg_baseline.sh --initial CSV --stream CSV [--latency-samples N]
#                  [--pg-latency PATH] [--port P] [--keep]
#
# CSV files hold rows of the mentorfed store (id, kind, origin, seq, hlc,
# deleted, body, hash, school, date_from, date_to; bytea as \x hex), exported
# by run.sh from the sender's store.db, so PostgreSQL replicates exactly the
# rows mentorfed syncs.  Prints key=value lines on stdout, progress on stderr.
#
# Set-up (all in a temporary directory, torn down at exit):
#  - postgresql-15 (and libpq-dev for pg_latency) are installed from Debian
#    with apt-get if missing;
#  - two clusters made by initdb as the postgres user, on 127.0.0.1 ports
#    P and P+1, wal_level=logical, otherwise PostgreSQL's defaults
#    (synchronous_commit=on on the publisher: with it off, the walsender
#    only ships WAL once the WAL writer flushes it, every wal_writer_delay
#    = 200 ms, which measured p50 ~200 ms latency — not a fair baseline;
#    a subscription's apply worker commits with synchronous_commit=off by
#    default), shared_buffers 128 MB;
#  - the subscriber's wal_retrieve_retry_interval is lowered to 100 ms so the
#    logical replication launcher does not idle 5 s before starting a worker
#    (a known pitfall of measuring logical replication);
#  - the table has the store's columns, primary key and secondary indexes.
#
# Figures:
#  initial copy:   CREATE SUBSCRIPTION ... WITH (copy_data = true) on a
#                  publisher holding the initial rows, until the table's
#                  sync state is 'r' (ready); clock starts just before
#                  CREATE SUBSCRIPTION (worker start-up included).
#  streaming:      with the apply worker running (pg_stat_subscription shows
#                  its pid), COPY the stream rows into the publisher in one
#                  transaction (as `mentorfed put` writes one), then wait for
#                  the last row on the subscriber.  Reported from the COPY's
#                  commit (replication only) and from its start.
#  latency:        pg_latency: single-row INSERT on the publisher until a
#                  prepared SELECT on the subscriber (polled every 100 µs)
#                  sees it.
set -eu

INITIAL= STREAM= SAMPLES=1000 PGLAT= PORT=${PG_BENCH_PORT:-55432} KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--initial) INITIAL=$2; shift ;;
	--stream) STREAM=$2; shift ;;
	--latency-samples) SAMPLES=$2; shift ;;
	--pg-latency) PGLAT=$2; shift ;;
	--port) PORT=$2; shift ;;
	--keep) KEEP=1 ;;
	*) echo "usage: pg_baseline.sh --initial CSV --stream CSV [--latency-samples N] [--pg-latency PATH] [--port P]" >&2; exit 2 ;;
	esac
	shift
done
[ -r "$INITIAL" ] && [ -r "$STREAM" ] || { echo "pg_baseline: --initial and --stream CSV files are required" >&2; exit 2; }

log() { echo "pg_baseline: $*" >&2; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x $PGBIN/initdb ]; then
	log "installing postgresql-15 from Debian"
	[ "$(id -u)" = 0 ] || { echo "pg_baseline: postgresql-15 missing and not root (apt-get install postgresql-15)" >&2; exit 1; }
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
	# Debian's package starts a default cluster; it is not used here.
fi
command -v bc >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bc >&2; }
if [ -z "$PGLAT" ]; then
	PGLAT=$(dirname "$0")/pg_latency
fi
if [ ! -x "$PGLAT" ]; then
	log "building pg_latency"
	pkg-config --exists libpq 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev >&2
	PGLAT=$(mktemp /tmp/pg_latency.XXXXXX)
	cc -O2 -std=c11 -D_GNU_SOURCE $(pkg-config --cflags libpq) -o "$PGLAT" "$(dirname "$0")/pg_latency.c" $(pkg-config --libs libpq)
fi

# The clusters run as postgres (initdb refuses root).
if [ "$(id -u)" = 0 ]; then
	AS="runuser -u postgres --"
else
	AS=""
fi
T=$(mktemp -d /tmp/mf-pgbench.XXXXXX)
chmod 755 "$T"
P1=$PORT P2=$((PORT + 1))
cleanup() {
	for c in pub sub; do
		[ -f "$T/$c/postmaster.pid" ] && $AS $PGBIN/pg_ctl -D "$T/$c" -m immediate -w stop >/dev/null 2>&1 || true
	done
	[ $KEEP = 1 ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
[ -n "$AS" ] && chown postgres "$T"
cp "$INITIAL" "$T/initial.csv"
cp "$STREAM" "$T/stream.csv"
chmod 644 "$T"/*.csv

for c in pub sub; do
	$AS $PGBIN/initdb -D "$T/$c" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >> "$T/$c/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$T'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_logical_replication_workers = 4
max_sync_workers_per_subscription = 2
wal_retrieve_retry_interval = 100ms
max_wal_size = 4GB
logging_collector = off
EOF
done
$AS $PGBIN/pg_ctl -D "$T/pub" -o "-p $P1" -l "$T/pub.log" -w start >/dev/null
$AS $PGBIN/pg_ctl -D "$T/sub" -o "-p $P2" -l "$T/sub.log" -w start >/dev/null
PUB="host=127.0.0.1 port=$P1 user=postgres dbname=bench"
SUB="host=127.0.0.1 port=$P2 user=postgres dbname=bench"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
DDL="CREATE TABLE records(id TEXT PRIMARY KEY, kind TEXT NOT NULL, origin TEXT NOT NULL,
 seq BIGINT NOT NULL, hlc BIGINT NOT NULL, deleted INTEGER NOT NULL, body BYTEA NOT NULL,
 hash BYTEA NOT NULL, school TEXT, date_from TEXT, date_to TEXT);
CREATE INDEX records_origin_seq ON records(origin, seq);
CREATE INDEX records_kind_origin ON records(kind, origin);
CREATE INDEX records_school ON records(school) WHERE school IS NOT NULL;
CREATE INDEX records_dates ON records(date_from, date_to) WHERE date_from IS NOT NULL;"
for p in $P1 $P2; do
	q "host=127.0.0.1 port=$p user=postgres dbname=postgres" -c "CREATE DATABASE bench"
	q "host=127.0.0.1 port=$p user=postgres dbname=bench" -c "$DDL"
done
echo "pg_version=$(q "$PUB" -c 'SHOW server_version')"

NI=$(wc -l < "$T/initial.csv")
NS=$(wc -l < "$T/stream.csv")
log "loading $NI rows into the publisher (COPY)"
t0=$(now)
q "$PUB" -c "COPY records FROM '$T/initial.csv' WITH (FORMAT csv)"
t1=$(now)
echo "load_rows=$NI"
echo "load_secs=$(secs $t0 $t1)"
q "$PUB" -c "CHECKPOINT"
q "$PUB" -c "CREATE PUBLICATION p FOR TABLE records"

log "initial copy of $NI rows (copy_data = true)"
t0=$(now)
q "$SUB" -c "CREATE SUBSCRIPTION s CONNECTION '$PUB' PUBLICATION p WITH (copy_data = true)"
"$PGLAT" wait "$SUB" "SELECT string_agg(srsubstate::text, '') FROM pg_subscription_rel" r 1800 >/dev/null
t1=$(now)
got=$(q "$SUB" -c "SELECT count(*) FROM records")
[ "$got" = "$NI" ] || { echo "pg_baseline: subscriber holds $got rows, expected $NI" >&2; exit 1; }
echo "initial_rows=$NI"
echo "initial_secs=$(secs $t0 $t1)"

# The apply worker must be running before the streaming clock starts.
"$PGLAT" wait "$SUB" "SELECT count(pid) > 0 FROM pg_stat_subscription WHERE relid IS NULL" t 60 >/dev/null
LAST=$(tail -n 1 "$T/stream.csv" | cut -d, -f1 | tr -d '"')
log "streaming $NS rows (one COPY transaction)"
"$PGLAT" wait "$SUB" "SELECT count(*) FROM records WHERE id = '$LAST'" 1 1800 > "$T/wait.out" &
WP=$!
t0=$(now)
q "$PUB" -c "COPY records FROM '$T/stream.csv' WITH (FORMAT csv)"
tc=$(now)
wait $WP
t1=$(now)
got=$(q "$SUB" -c "SELECT count(*) FROM records")
[ "$got" = "$((NI + NS))" ] || { echo "pg_baseline: subscriber holds $got rows, expected $((NI + NS))" >&2; exit 1; }
echo "stream_rows=$NS"
echo "stream_copy_secs=$(secs $t0 $tc)"
echo "stream_apply_secs=$(secs $tc $t1)"
echo "stream_total_secs=$(secs $t0 $t1)"

log "latency: $SAMPLES single-row inserts"
"$PGLAT" latency "$PUB" "$SUB" "$SAMPLES" | tr ' ' '\n' | sed 's/^/latency_/'
echo "peak_rss_sub_kb=$(for p in $(pgrep -u postgres -f "postgres: .*logical replication" 2>/dev/null); do grep VmHWM /proc/$p/status 2>/dev/null | awk '{print $2}'; done | sort -n | tail -1)"
