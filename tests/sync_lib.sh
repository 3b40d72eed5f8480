# sync_lib.sh — helpers for the multi-node sync tests (source after lib.sh).
#
# Ports: every listener gets a port the kernel just handed out (free_port in
# lib.sh binds port 0 and reads it back), so parallel test runs, and
# parallel tests in one run, do not collide.  Heartbeats are shortened
# (200 ms, peer dead after 1 s) so that fault tests run quickly.

# mk_node NAME REGION [TIMEOUT_MS]: a fresh node in $T_TMP/NAME listening
# on a free port; heartbeat every TIMEOUT/5 ms (default 1000 ms timeout).
mk_node() {
	_d="$T_TMP/$1"
	_p=$(free_port)
	_to=${3:-1000}
	"$MF" -d "$_d" init --region "$2" --listen "tcp://127.0.0.1:$_p" >/dev/null || return 1
	sed -i "s/^\[node\]\$/[node]\nheartbeat_ms = $((_to / 5))\npeer_timeout_ms = $_to/" "$_d/mentorfed.conf"
	"$MF" -d "$_d" card >"$_d.card"
}

# link A B: A and B add each other as peers (config only; the daemons
# pick it up at start, or through the reload `peer add` sends).
link() {
	"$MF" -d "$T_TMP/$1" peer add "$T_TMP/$2.card" >/dev/null &&
	"$MF" -d "$T_TMP/$2" peer add "$T_TMP/$1.card" >/dev/null
}

up() { start_node "$T_TMP/$1"; }
down() { stop_node "$T_TMP/$1"; }
kill9() { kill -KILL "$(cat "$T_TMP/$1/daemon.pid")" 2>/dev/null; wait "$(cat "$T_TMP/$1/daemon.pid")" 2>/dev/null; true; }

digest() { "$MF" -d "$T_TMP/$1" digest 2>/dev/null; }

# jget NODE EXPR: a value of `status --json` (EXPR in Python on j).
jget() {
	"$MF" -d "$T_TMP/$1" status --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($2)" 2>/dev/null
}
counter() { jget "$1" "j['sync']['counters']['$2']"; }
nrecords() { jget "$1" "j['records']"; }
# nregion NODE REGION: current records of REGION held by NODE.
nregion() { "$MF" -d "$T_TMP/$1" export --region "$2" 2>/dev/null | wc -l | tr -d ' '; }

# wait_equal SECONDS NODE...: wait until all nodes show one digest.
wait_equal() {
	_t=$1; shift
	_end=$(( $(date +%s) + _t ))
	while :; do
		_first=$(digest "$1"); _same=1
		[ -n "$_first" ] || _same=0
		for _n in "$@"; do [ "$(digest "$_n")" = "$_first" ] || _same=0; done
		[ $_same -eq 1 ] && return 0
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.1
	done
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	_t=$1; shift
	_end=$(( $(date +%s) + _t ))
	until "$@"; do
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.1
	done
}

# gen_schools N PREFIX: N school records as JSON lines.
gen_schools() {
	python3 -c "
import json,sys
n,p=int(sys.argv[1]),sys.argv[2]
for i in range(n):
    print(json.dumps({'kind':'school','key':'%s%d'%(p,i),'body':{'name':'School %s %d'%(p,i),'municipality':'District %d'%(i%40)}}))" "$1" "$2"
}

put_schools() { gen_schools "$2" "$3" >"$T_TMP/put.$$" && "$MF" -d "$T_TMP/$1" put "$T_TMP/put.$$" >/dev/null; }

now_ms() { date +%s%3N; }

# peer_setup: what tests/peer.py needs — python3 with zmq, protobuf and
# cryptography, and the protoc-generated modules in $MF_PB_DIR — or a TAP
# skip of the whole test.  Sets PY.
peer_setup() {
	PY=${PYTHON:-/usr/bin/python3}
	[ -x "$PY" ] || PY=python3
	if ! "$PY" -c 'import zmq, google.protobuf, cryptography' 2>/dev/null; then
		echo "1..0 # SKIP python3-zmq, python3-protobuf or python3-cryptography missing"
		exit 0
	fi
	MF_PB_DIR="$T_TMP/pb"
	export MF_PB_DIR
	mkdir -p "$MF_PB_DIR"
	if ! protoc --python_out="$MF_PB_DIR" -I "$top_srcdir/proto" \
		"$top_srcdir/proto/records.proto" "$top_srcdir/proto/wire.proto"; then
		echo "1..0 # SKIP protoc (protobuf-compiler) missing"
		exit 0
	fi
}
