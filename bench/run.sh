#!/bin/bash
# bench/run.sh — mentorfed's federation benchmarks (issue 7), the driver of
# `make bench-sync` (and so of `make bench`).  See bench/README.md.
#
#   bench/run.sh [--records N] [--latency-samples N] [--out FILE]
#                [--builddir DIR] [--workdir DIR] [--keep] [--no-pg]
#
# Everything runs on loopback with real mentorfedd processes, in one run
# with its baselines (A: the store's own SQLite limit, bench/sqlite_baseline;
# B: PostgreSQL 15 logical replication, bench/pg_baseline.sh), and ends with
# a table (what | mentorfed | baseline | ratio) on stdout and as Markdown in
# --out (default: bench/RESULTS.md in the source tree).
#
# Default --records 1000000 (issue 7's size); the other sizes follow it:
# memory's small size, the catch-up set and the streaming set are each a
# tenth of it.  The whole default run took 7-8 minutes on a 2-core machine
# (see RESULTS.md for the measured wall time of the last run); use e.g.
# --records 100000 for a quick look.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=1000000
SAMPLES=1000
OUT=
BUILDDIR=${top_builddir:-}
WORK=
KEEP=0
NOPG=0
while [ $# -gt 0 ]; do
	case $1 in
	--records) RECORDS=$2; shift ;;
	--latency-samples) SAMPLES=$2; shift ;;
	--out) OUT=$2; shift ;;
	--builddir) BUILDDIR=$2; shift ;;
	--workdir) WORK=$2; shift ;;
	--keep) KEEP=1 ;;
	--no-pg) NOPG=1 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$OUT" ] || OUT=$SRCDIR/bench/RESULTS.md
if [ -z "$BUILDDIR" ]; then
	if [ -x ./mentorfedd ]; then BUILDDIR=$PWD; else BUILDDIR=$SRCDIR; fi
fi
BUILDDIR=$(cd "$BUILDDIR" && pwd)
MF=$BUILDDIR/mentorfed
MFD=$BUILDDIR/mentorfedd
SQLB=$BUILDDIR/bench/sqlite_baseline
PGLAT=$BUILDDIR/bench/pg_latency
PLUGINS=$BUILDDIR/plugins/.libs
GEN=$SRCDIR/bench/gen_workload.py
for f in "$MF" "$MFD" "$SQLB"; do
	[ -x "$f" ] || { echo "run.sh: $f is not built (run 'make bench-sync')" >&2; exit 1; }
done
[ "$RECORDS" -ge 3000 ] || { echo "run.sh: --records must be at least 3000" >&2; exit 2; }
[ "$SAMPLES" -ge 1 ] || { echo "run.sh: --latency-samples must be positive" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

# Python with pyzmq (Debian: python3-zmq) for the probe; the workload
# generator needs only the standard library.
PY=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import zmq, sqlite3' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
	log "installing python3-zmq from Debian"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zmq >&2
	PY=/usr/bin/python3
fi

STARTED=$(now)
[ -n "$WORK" ] || WORK=$(mktemp -d /tmp/mf-bench.XXXXXX)
mkdir -p "$WORK"
W=$WORK
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ $KEEP = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Loopback ports: a block of 10 that nothing listens on.
for try in $(seq 1 50); do
	BASE=$((20000 + (RANDOM % 4000) * 10))
	busy=$(ss -Htan "( sport >= :$BASE and sport <= :$((BASE + 9)) )" 2>/dev/null | wc -l)
	[ "$busy" = 0 ] && break
done

# ------------------------------------------------------------------ probe
cat > "$W/probe.py" <<'EOF'
"""Clocks for run.sh: poll a store's version vector, time single puts until
visible on a peer, watch a daemon's TCP byte counters."""
import json, sqlite3, subprocess, sys, time

def db(path):
    c = sqlite3.connect(path, isolation_level=None, timeout=30)
    return c

def vv(path):
    return dict(db(path).execute("SELECT origin, seq FROM vv").fetchall())

def cmd_vv(path):
    print(json.dumps(vv(path)))

class Wire:
    """TCP payload bytes (bytes_sent + bytes_received, ss -tinp) of pid's
    sockets, remembered per connection so links that close and reopen
    during the window still count (up to the last poll before they close)."""
    def __init__(self, pid):
        self.pid, self.seen = str(pid), {}
    def poll(self):
        out = subprocess.run(["ss", "-Htinp"], capture_output=True, text=True).stdout
        key = None
        for line in out.splitlines():
            if not line.startswith(("\t", " ")):
                f = line.split()
                key = (f[3], f[4]) if ("pid=%s," % self.pid) in line and len(f) > 4 else None
                continue
            if key:
                b = sum(int(x.split(":")[1]) for x in line.split()
                        if x.startswith(("bytes_sent:", "bytes_received:")))
                self.seen[key] = max(self.seen.get(key, 0), b)
        return sum(self.seen.values())

def cmd_waitvv(path, t0, targets, pid=None, timeout="3600"):
    """Poll every 2 ms until the store holds each origin up to its seq;
    print seconds since t0 (epoch), and with pid the wire bytes of pid's
    links meanwhile (ss polled every 100 ms)."""
    want = json.loads(targets)
    wire = Wire(pid) if pid else None
    c = None
    end = time.time() + float(timeout)
    next_ss = 0
    while time.time() < end:
        try:
            if c is None:
                c = db(path)
            have = dict(c.execute("SELECT origin, seq FROM vv").fetchall())
            if all(have.get(o, 0) >= s for o, s in want.items()):
                t = time.time() - float(t0)
                if wire:
                    print("%.6f %d" % (t, wire.poll()))
                else:
                    print("%.6f" % t)
                return
        except sqlite3.Error:
            c = None
        if wire and time.time() >= next_ss:
            wire.poll()
            next_ss = time.time() + 0.1
        time.sleep(0.002)
    sys.exit("probe: timed out waiting for %s to reach %s" % (path, targets))

def cmd_quiesce(pid, t0, quiet_ms="400", timeout="120"):
    """Watch pid's TCP bytes every 5 ms until they have not changed for
    quiet_ms; print 'secs bytes' (secs: t0 to the last change)."""
    t0 = float(t0)
    wire = Wire(pid)
    last_b, last_t = 0, None
    end = time.time() + float(timeout)
    while time.time() < end:
        b = wire.poll()
        t = time.time()
        if b != last_b:
            last_b, last_t = b, t
        elif last_t is not None and (t - last_t) * 1000 >= float(quiet_ms):
            print("%.6f %d" % (last_t - t0, last_b))
            return
        time.sleep(0.005)
    sys.exit("probe: pid %s never went quiet" % pid)

def cmd_latency(ctl, peer_db, jsonl, n, pause_ms="5"):
    """n times: put one record through the writer's control socket, then
    poll the peer's store with a prepared query every 100 us until the
    record is there.  Sample: just before the request is sent -> first poll
    that sees it."""
    import zmq
    n = int(n)
    ctx = zmq.Context()
    s = ctx.socket(zmq.REQ)
    s.connect(ctl)
    p = db(peer_db)
    q = "SELECT 1 FROM records WHERE id = ?"
    lat, rt = [], []
    with open(jsonl, encoding="utf-8") as f:
        recs = [f.readline() for _ in range(n)]
    for line in recs:
        req = ('{"cmd":"put","records":[%s]}' % line.strip()).encode()
        t0 = time.perf_counter()
        s.send(req)
        rep = json.loads(s.recv())
        rt.append((time.perf_counter() - t0) * 1000.0)
        if not rep.get("ok"):
            sys.exit("probe: put failed: %s" % rep)
        rid = rep["ids"][0]
        while p.execute(q, (rid,)).fetchone() is None:
            if time.perf_counter() - t0 > 30:
                sys.exit("probe: %s never arrived" % rid)
            time.sleep(0.0001)
        lat.append((time.perf_counter() - t0) * 1000.0)
        time.sleep(float(pause_ms) / 1000.0)
    lat.sort()
    rt.sort()
    print("samples=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f put_reply_p50_ms=%.3f" % (
        len(lat), lat[(len(lat) - 1) // 2], lat[int((len(lat) - 1) * 0.99)],
        sum(lat) / len(lat), lat[-1], rt[(len(rt) - 1) // 2]))

globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
EOF
probe() { "$PY" "$W/probe.py" "$@"; }

# ------------------------------------------------------------------ nodes
# hub A (RU-TOM) holds the workload of three origins and is the sender; O2
# (RU-CHE) and O3 (RU-NVS) are the other origins; B (RU-OMS) is the empty
# peer of the initial sync (and the end of the chain O2 - A - B); BS
# (RU-KEM) the empty peer of the small-size sync; IT/IC import nodes.
declare -A REGION=([A]=RU-TOM [O2]=RU-CHE [O3]=RU-NVS [B]=RU-OMS [BS]=RU-KEM [IT]=RU-TOM [IC]=RU-CHE)
declare -A PORT=([A]=$BASE [O2]=$((BASE + 1)) [O3]=$((BASE + 2)) [B]=$((BASE + 3)) [BS]=$((BASE + 4)) [IT]=$((BASE + 5)) [IC]=$((BASE + 6)))
declare -A NPID=()
init_node() {
	"$MF" -d "$W/$1" init --region "${REGION[$1]}" --listen "tcp://127.0.0.1:${PORT[$1]}" \
		--plugin-dir "$PLUGINS" >/dev/null
	"$MF" -d "$W/$1" card > "$W/$1.card"
}
start_node() {
	"$MFD" -d "$W/$1" -f >> "$W/$1.log" 2>&1 &
	NPID[$1]=$!
	PIDS+=($!)
	for _ in $(seq 1 500); do
		[ -S "$W/$1/control.sock" ] && return 0
		sleep 0.01
	done
	echo "run.sh: node $1 did not start (see $W/$1.log)" >&2
	exit 1
}
stop_node() {
	kill -TERM "${NPID[$1]}" 2>/dev/null || true
	wait "${NPID[$1]}" 2>/dev/null || true
	rm -f "$W/$1/control.sock"
}
mf() { "$MF" -d "$W/$1" "${@:2}"; }
digest() { mf "$1" digest; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

declare -A R=()		# results: key -> value
put_res() { R[$1]=$2; echo "$1=$2" >> "$W/results.txt"; }
# mem_line NODE: where the node's memory is now, from `status` (MiB)
mem_line() {
	mf "$1" --json status | python3 -c '
import json, sys
m = json.load(sys.stdin).get("memory", {})
M = lambda k: "%.1f" % (m[k] / 1048576.0) if m.get(k, -1) >= 0 else "?"
print("RSS %s = anon %s + files %s + shmem %s; SQLite %s (page cache %s of %s); heap in use %s + mmap %s, kept free %s; WAL %s" % (
    M("rss"), M("rss_anon"), M("rss_file"), M("rss_shmem"), M("sqlite_used"), M("sqlite_cache"),
    M("sqlite_cache_limit"), M("heap_used"), M("heap_mmap"), M("heap_free"), M("wal_bytes")))'
}

# ------------------------------------------------------------------ machine
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
MACHINE="$(nproc) CPUs ($CPU), $MEM RAM, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), $(date -u +%Y-%m-%dT%H:%MZ)"
log "machine: $MACHINE"
log "work dir $W, ports $BASE..$((BASE + 6)), $RECORDS records, $SAMPLES latency samples"

# The baseline must use the store's PRAGMAs: compare the sources.
p_store=$(grep -h -oE 'PRAGMA [a-z_]+ = [-A-Za-z0-9]+' "$SRCDIR"/daemon/core/store*.c | sort | tr '\n' ';')
p_base=$(grep -oE 'PRAGMA [a-z_]+ = [-A-Za-z0-9]+' "$SRCDIR/bench/sqlite_baseline.c" | sort | tr '\n' ';')
if [ "$p_store" != "$p_base" ]; then
	log "WARNING: bench/sqlite_baseline.c PRAGMAs ($p_base) differ from daemon/core/store*.c ($p_store)"
fi

# ------------------------------------------------------------------ workload
N=$RECORDS
SMALL=$((N / 10))			# memory at N/10 vs N
CATCH=$((N / 10))			# catch-up after a partition
STREAM=$((N / 10))			# streaming while connected
ORIGINS=(A O2 O3)
log "generating the workload (seed mentorfed-bench-1)"
gen_pids=()
for i in 0 1 2; do
	o=${ORIGINS[$i]}
	total=$(( N / 3 + (i < N % 3 ? 1 : 0) ))
	small=$(( SMALL / 3 + (i < SMALL % 3 ? 1 : 0) ))
	echo "$small" > "$W/$o.nsmall"
	python3 "$GEN" anchors --origin "${REGION[$o]}" --out "$W/$o.anchors.jsonl" &
	gen_pids+=($!)
	python3 "$GEN" records --origin "${REGION[$o]}" --prefix b --count "$small" --out "$W/$o.part1.jsonl" &
	gen_pids+=($!)
	python3 "$GEN" records --origin "${REGION[$o]}" --prefix b --start "$small" --count $((total - small)) --out "$W/$o.part2.jsonl" &
	gen_pids+=($!)
done
python3 "$GEN" records --origin RU-TOM --prefix s --count "$STREAM" --out "$W/stream.jsonl" &
gen_pids+=($!)
python3 "$GEN" records --origin RU-TOM --prefix c --count "$CATCH" --out "$W/catch.jsonl" &
gen_pids+=($!)
python3 "$GEN" records --origin RU-TOM --prefix l --count "$SAMPLES" --out "$W/lat-direct.jsonl" &
gen_pids+=($!)
python3 "$GEN" records --origin RU-CHE --prefix l --count "$SAMPLES" --out "$W/lat-chain.jsonl" &
gen_pids+=($!)
python3 "$GEN" roadmap --items 10000 --out "$W/roadmap-10000.txt" &
gen_pids+=($!)
for p in "${gen_pids[@]}"; do wait "$p"; done

for n in A O2 O3 B BS IT IC; do init_node $n; done
for o in O2 O3 B BS; do mf A peer add "$W/$o.card" >/dev/null; done
for o in O2 O3; do mf $o peer add "$W/A.card" >/dev/null; done
for r in B BS; do
	mf $r peer add "$W/A.card" >/dev/null
	mf $r trust "$W/O2.card" >/dev/null
	mf $r trust "$W/O3.card" >/dev/null
done

# Load the three origins and let hub A gather them.
load_origins() {	# part
	local pp=()
	for o in "${ORIGINS[@]}"; do
		mf $o put "$W/$o.$1.jsonl" > "$W/$o.$1.put" &
		pp+=($!)
	done
	for p in "${pp[@]}"; do wait "$p"; done
	local want="{"
	for o in "${ORIGINS[@]}"; do
		want+="\"${REGION[$o]}\": $(probe vv "$W/$o/store.db" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['${REGION[$o]}'])"),"
	done
	want="${want%,}}"
	probe waitvv "$W/A/store.db" "$(now)" "$want" >/dev/null
	echo "$want"
}
for n in A O2 O3; do start_node $n; done
# The schools and roadmaps the workload refers to (the node refuses dangling
# references), written and gathered before any clock starts: 1,020 records
# per origin that every later phase finds already in place.
log "writing the anchors (schools, roadmaps) the records refer to"
load_origins anchors >/dev/null
for o in "${ORIGINS[@]}"; do
	grep -q "^0 changed\|refused" "$W/$o.anchors.put" &&
		{ echo "run.sh: anchors refused on $o: $(cat "$W/$o.anchors.put")" >&2; exit 1; }
done
ANCHORS=$(sqlite3 "$W/A/store.db" "SELECT count(*) FROM records")
log "writing $SMALL records on three origins, hub gathers them"
t0=$(now)
WANT_SMALL=$(load_origins part1)
log "  done in $(calc "round($(now) - $t0, 1)") s"

# ------------------------------------------------------------------ 5. memory, small size
log "initial sync at the small size: $SMALL records A -> BS"
t0=$(now)
start_node BS
secs=$(probe waitvv "$W/BS/store.db" "$t0" "$WANT_SMALL")
put_res small_sync_secs "$secs"
put_res small_rss_kb "$(hwm_kb "${NPID[BS]}")"
put_res small_mem "$(mem_line BS)"
[ "$(digest A)" = "$(digest BS)" ] || { echo "run.sh: digests differ after the small sync" >&2; exit 1; }
stop_node BS

log "writing the remaining $((N - SMALL)) records on three origins, hub gathers them"
t0=$(now)
WANT=$(load_origins part2)
log "  done in $(calc "round($(now) - $t0, 1)") s"
BODY_BYTES=$(sqlite3 "$W/A/store.db" "SELECT sum(length(body)) FROM records")
NA=$(sqlite3 "$W/A/store.db" "SELECT count(*) FROM records")
[ "$NA" = "$((N + ANCHORS))" ] ||
	{ echo "run.sh: hub holds $NA records, expected $N + $ANCHORS anchors" >&2; exit 1; }
# From here on N counts every record the hub holds: the syncs and the
# baselines below move the anchors too.
N=$NA
put_res body_bytes "$BODY_BYTES"
put_res avg_body_bytes "$(calc "round($BODY_BYTES / $N)")"

# ------------------------------------------------------------------ baseline A
stop_node O3
log "baseline A: the same $N rows straight into SQLite (store schema and PRAGMAs)"
for txn in 1000 20000; do
	out=$("$SQLB" "$W/A/store.db" "$W/baseline-a.db" $txn)
	put_res base_a_${txn}_rps "$(echo "$out" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')"
	put_res base_a_${txn}_secs "$(echo "$out" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p')"
	rm -f "$W"/baseline-a.db*
done
# The SQLite ceiling: TEXT id + (origin, seq) only, sorted 100,000-row
# transactions (bench/sqlite_ceiling.c)
if [ -x "$BUILDDIR/bench/sqlite_ceiling" ]; then
	out=$("$BUILDDIR/bench/sqlite_ceiling" "$W/A/store.db" "$W/ceiling.db" 100000)
	put_res ceiling_rps "$(echo "$out" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')"
	rm -f "$W"/ceiling.db*
fi
if [ $NOPG = 0 ]; then
	log "exporting the same rows for PostgreSQL"
	EXPORT="SELECT id, kind, origin, seq, hlc, deleted, '\\x' || lower(hex(body)), '\\x' || lower(hex(hash)), school, date_from, date_to FROM records"
	sqlite3 -csv "$W/A/store.db" "$EXPORT ORDER BY origin, seq" > "$W/pg-initial.csv"
fi

# ------------------------------------------------------------------ 1. initial sync
log "1. initial sync: $N records A -> empty B"
t0=$(now)
start_node B
read -r secs bytes < <(probe waitvv "$W/B/store.db" "$t0" "$WANT" "${NPID[B]}")
put_res init_secs "$secs"
put_res init_wire_bytes "$bytes"
put_res init_rss_kb "$(hwm_kb "${NPID[B]}")"
put_res init_mem "$(mem_line B)"
# `status` at N records, timed at the control socket (bench/ctl_bench,
# built by `make bench`): p50 and p95 of 40 requests
if [ -x "$BUILDDIR/bench/ctl_bench" ]; then
	put_res status_ms "$("$BUILDDIR/bench/ctl_bench" "ipc://$W/B/control.sock" 40 status '{"cmd":"status"}' |
		sed -n 's/.*p50 *\([0-9.]*\) ms *p95 *\([0-9.]*\) ms.*/\1 \2/p')"
fi
DA=$(digest A)
[ "$DA" = "$(digest B)" ] || { echo "run.sh: digests differ after the initial sync" >&2; exit 1; }
put_res init_digest_equal yes

# ------------------------------------------------------------------ 4. converged reconnect
log "4. converged reconnect of A and B holding the same $N records"
stop_node B
t0=$(now)
start_node B
read -r secs bytes < <(probe quiesce "${NPID[B]}" "$t0" 400)
put_res reconnect_secs "$secs"
put_res reconnect_bytes "$bytes"
insync() {	# node: connected to its peers and not behind on any origin
	mf "$1" --json status | "$PY" -c '
import json, sys
s = json.load(sys.stdin)["sync"]
ok = all(p["connected"] for p in s["peers"] if p["region"] in ("RU-TOM", "RU-OMS"))
ok = ok and all(o.get("lag", 0) == 0 for o in s["origins"].values())
print("yes" if ok else "no")'
}
put_res reconnect_in_sync "B:$(insync B) A:$(insync A)"
R[reconnect_kb]=$(calc "round($bytes / 1024, 2)")

# ------------------------------------------------------------------ streaming
log "streaming: $STREAM records put on A while B is connected"
first=$(( $(probe vv "$W/A/store.db" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['RU-TOM'])") + 1 ))
t0=$(now)
mf A put "$W/stream.jsonl" > "$W/stream.put"
tc=$(now)
last=$(( first + STREAM - 1 ))
secs=$(probe waitvv "$W/B/store.db" "$tc" "{\"RU-TOM\": $last}")
put_res stream_apply_secs "$secs"
put_res stream_put_secs "$(calc "$tc - $t0")"
if [ $NOPG = 0 ]; then
	sqlite3 -csv "$W/A/store.db" "$EXPORT WHERE origin = 'RU-TOM' AND seq BETWEEN $first AND $last ORDER BY seq" > "$W/pg-stream.csv"
fi

# ------------------------------------------------------------------ 2. latency
log "2. live latency: $SAMPLES single puts A -> B, and O2 -> A -> B (relay chain)"
put_res lat_direct "$(probe latency "ipc://$W/A/control.sock" "$W/B/store.db" "$W/lat-direct.jsonl" "$SAMPLES")"
put_res lat_chain "$(probe latency "ipc://$W/O2/control.sock" "$W/B/store.db" "$W/lat-chain.jsonl" "$SAMPLES")"

# ------------------------------------------------------------------ 3. catch-up
log "3. catch-up: B misses $CATCH records, rejoins"
stop_node O2
stop_node B
mf A put "$W/catch.jsonl" > "$W/catch.put"
want=$(probe vv "$W/A/store.db")
t0=$(now)
start_node B
put_res catch_secs "$(probe waitvv "$W/B/store.db" "$t0" "$want")"
[ "$(digest A)" = "$(digest B)" ] || { echo "run.sh: digests differ after catch-up" >&2; exit 1; }
stop_node B
stop_node A

# ------------------------------------------------------------------ 7. import
log "7. import: the seed documents and a 10,000-item Chelyabinsk roadmap"
start_node IT
start_node IC
import_one() {	# node file [import options] -> "records secs"
	local t0 t1 out n=$1 f=$2
	shift 2
	t0=$(now)
	out=$(mf "$n" import "$f" "$@" 2>/dev/null)
	t1=$(now)
	echo "$(echo "$out" | sed -n 's/.*: \([0-9]*\) records.*/\1/p') $(calc "$t1 - $t0")"
}
seed_recs=0 seed_secs=0
for f in "$SRCDIR"/tests/data/00[0124]_*.txt; do
	read -r n s < <(import_one IT "$f")
	seed_recs=$((seed_recs + n)); seed_secs=$(calc "$seed_secs + $s")
done
read -r n s < <(import_one IC "$SRCDIR"/tests/data/003_*.txt)
seed_recs=$((seed_recs + n)); seed_secs=$(calc "$seed_secs + $s")
put_res import_seed_records "$seed_recs"
put_res import_seed_secs "$seed_secs"
# The scaled roadmap is the same order as 003 with other sections: a second
# import of it is refused as a changed document (doc/CHECKS.md) unless
# --replace says it is meant.
read -r n s < <(import_one IC "$W/roadmap-10000.txt" --replace)
put_res import_roadmap_records "$n"
put_res import_roadmap_secs "$s"
stop_node IT
stop_node IC

# ------------------------------------------------------------------ baseline B
if [ $NOPG = 0 ]; then
	log "baseline B: PostgreSQL 15 logical replication of the same rows"
	sh "$SRCDIR/bench/pg_baseline.sh" --initial "$W/pg-initial.csv" --stream "$W/pg-stream.csv" \
		--latency-samples "$SAMPLES" --pg-latency "$PGLAT" --port $((BASE + 7)) > "$W/pg.out"
	while IFS='=' read -r k v; do put_res "pg_$k" "$v"; done < "$W/pg.out"
fi

# ------------------------------------------------------------------ 6. micro-benchmarks
MICRO=
if [ -x "$BUILDDIR/bench/bench_crypto" ]; then
	log "6. crypto and codec micro-benchmarks (bench/bench_crypto)"
	MICRO=$("$BUILDDIR/bench/bench_crypto" 2>&1 || true)
fi
ELAPSED=$(calc "round($(now) - $STARTED)")

# ------------------------------------------------------------------ table
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
"$PY" - "$W/results.txt" "$OUT" "$MACHINE" "$N" "$SMALL" "$CATCH" "$STREAM" "$ELAPSED" "$NOPG" "$MICRO" <<'EOF'
import sys
res, out, machine, N, SMALL, CATCH, STREAM, elapsed, nopg, micro = sys.argv[1:]
N, SMALL, CATCH, STREAM = int(N), int(SMALL), int(CATCH), int(STREAM)
r = {}
for line in open(res, encoding="utf-8"):
    k, _, v = line.rstrip("\n").partition("=")
    r[k] = v
def lat(key):
    d = dict(f.split("=") for f in r[key].split())
    return float(d["p50_ms"]), float(d["p99_ms"])
def f(x, unit=""):
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if x >= 100:
        s = "{:,.0f}".format(x)
    elif x >= 10:
        s = "{:.1f}".format(x)
    else:
        s = "{:.2f}".format(x)
    return s + unit
def ratio(a, b):
    return "—" if a is None or b in (None, 0) else "{:.2f}×".format(a / b)
rows = []
pg = nopg == "0"
init_rps = N / float(r["init_secs"])
mb = float(r["body_bytes"]) / 1e6
a1, a20 = float(r["base_a_1000_rps"]), float(r["base_a_20000_rps"])
pg_init = N / float(r["pg_initial_secs"]) if pg else None
rows.append(("1. initial sync, %s records A→B, records/s" % f(N), f(init_rps), "A: SQLite 20,000 rows/txn " + f(a20), ratio(init_rps, a20)))
if r.get("ceiling_rps"):
    ce = float(r["ceiling_rps"])
    rows.append(("", "", "SQLite ceiling: TEXT id + (origin, seq) only, sorted 100,000-row txns " + f(ce), ratio(init_rps, ce)))
rows.append(("", "", "A: SQLite 1,000 rows/txn " + f(a1), ratio(init_rps, a1)))
rows.append(("", "", "B: PostgreSQL initial copy " + f(pg_init), ratio(init_rps, pg_init)))
rows.append(("1. initial sync, MB/s (record bodies; wire)", "%s; %s" % (f(mb / float(r["init_secs"])), f(float(r["init_wire_bytes"]) / 1e6 / float(r["init_secs"]))), "", ""))
st_rps = STREAM / float(r["stream_apply_secs"])
pg_st = STREAM / float(r["pg_stream_apply_secs"]) if pg else None
rows.append(("streaming: %s records written in one transaction on A, commit → all on B, records/s" % f(STREAM), f(st_rps), "B: PostgreSQL streaming apply " + f(pg_st), ratio(st_rps, pg_st)))
d50, d99 = lat("lat_direct")
c50, c99 = lat("lat_chain")
p50 = p99 = None
if pg:
    p50, p99 = float(r["pg_latency_p50_ms"]), float(r["pg_latency_p99_ms"])
rows.append(("2. live latency A→B, p50 (ms)", f(d50), "B: PostgreSQL p50 " + f(p50), ratio(d50, p50)))
rows.append(("2. live latency A→B, p99 (ms)", f(d99), "B: PostgreSQL p99 " + f(p99) + "; p50 " + f(p50), ratio(d99, p50) + " of p50"))
rows.append(("2. live latency, relay chain O2→A→B, p50 / p99 (ms)", "%s / %s" % (f(c50), f(c99)), "B: PostgreSQL p50 / p99 %s / %s" % (f(p50), f(p99)), ratio(c99, p50) + " (p99 of p50)"))
cs = float(r["catch_secs"])
rows.append(("3. catch-up after a partition: %s records missed, s to equal digests" % f(CATCH), f(cs), "(%s records/s)" % f(CATCH / cs), ""))
rows.append(("4. converged reconnect, %s records each: bytes / s" % f(N), "%s B / %s s" % (r["reconnect_bytes"], f(float(r["reconnect_secs"]))), "target < 10 KB", ratio(float(r["reconnect_bytes"]), 10240)))
rows.append(("5. peak RSS of receiving daemon, %s vs %s records (MiB)" % (f(SMALL), f(N)), "%s vs %s" % (f(int(r["small_rss_kb"]) / 1024), f(int(r["init_rss_kb"]) / 1024)), "SQLite page cache configured: 32 MiB", ratio(float(r["init_rss_kb"]), float(r["small_rss_kb"]))))
if r.get("status_ms", "").strip():
    s50, s95 = (float(x) for x in r["status_ms"].split())
    rows.append(("6. `status` on B at %s records, p50 / p95 (ms, 40 requests)" % f(N), "%s / %s" % (f(s50), f(s95)), "target < 10 ms", ratio(s95, 10.0)))
rows.append(("7. import: seed documents, records/s (%s records)" % r["import_seed_records"], f(int(r["import_seed_records"]) / float(r["import_seed_secs"])), "", ""))
rows.append(("7. import: Chelyabinsk roadmap scaled to 10,000 items, records/s (%s records)" % r["import_roadmap_records"], f(int(r["import_roadmap_records"]) / float(r["import_roadmap_secs"])), "", ""))
hdr = ("what", "mentorfed", "baseline", "ratio")
md = []
md.append("# mentorfed benchmark results\n")
md.append("Written by `bench/run.sh` (`make bench`); every figure below was measured in one run, "
          "baselines included. Ratios are mentorfed / baseline (for latency and bytes, lower is better).\n")
md.append("- Machine: " + machine)
md.append("- Sizes: --records %d (initial sync and converged reconnect), %d for the small memory size, "
          "%d catch-up, %d streaming; %s latency samples per path" % (N, SMALL, CATCH, STREAM, r["lat_direct"].split()[0].split("=")[1]))
md.append("- Average record body: %s B (protobuf), %s MB of bodies in the initial sync" % (r["avg_body_bytes"], f(mb)))
md.append("- Whole run: %s s wall time\n" % elapsed)
md.append("| " + " | ".join(hdr) + " |")
md.append("|---|---:|---|---:|")
for row in rows:
    md.append("| " + " | ".join(row) + " |")
md.append("")
md.append("Where the receiving daemon's memory is right after the sync (`mentorfed status`, MiB): "
          "%s records: %s; %s records: %s.\n" % (f(SMALL), r.get("small_mem", "?"), f(N), r.get("init_mem", "?")))
md.append("Raw figures (seconds unless named otherwise):\n")
md.append("```")
for k, v in r.items():
    md.append("%s=%s" % (k, v))
md.append("```")
if micro.strip():
    md.append("\nCrypto and codec micro-benchmarks (bench/bench_crypto, same run):\n")
    md.append("```\n" + micro.strip() + "\n```")
text = "\n".join(md) + "\n"
open(out, "w", encoding="utf-8").write(text)
w = [max(len(x[i]) for x in rows + [hdr]) for i in range(4)]
for row in [hdr] + rows:
    print("  ".join(row[i].ljust(w[i]) for i in range(4)))
print("\nmachine: " + machine)
print("written to " + out)
EOF
log "done in $ELAPSED s"
