# fault_lib.sh — helpers for the fault tests (tests/fault_*.sh; source after
# lib.sh and sync_lib.sh, which stay untouched).
#
# A fault test leaves things behind that outlive its processes: network
# namespaces, tmpfs mounts.  f_undo registers a command that removes one;
# f_cleanup runs them in reverse order after the daemons are gone (a busy
# mount cannot be unmounted), then does what lib.sh's t_cleanup does.  It
# runs on EXIT, and on TERM/INT/HUP too: dash runs no EXIT trap when a
# signal kills the shell, and tests/deadline.sh's timeout(1) ends a test
# with SIGTERM.

F_UNDO=""

# f_undo COMMAND: run COMMAND (a string, eval'd) at clean-up.
f_undo() { F_UNDO="$1
$F_UNDO"; }

f_cleanup() {
	_rc=$?
	trap - EXIT TERM INT HUP
	for p in $T_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	# a failed (or timed-out) test shows the end of each daemon's log
	if [ "$T_FAIL" -gt 0 ] || [ "$_rc" -ne 0 ]; then
		find "$T_TMP" -type f -name '*.log' 2>/dev/null | sort | while IFS= read -r _l; do
			echo "# --- last lines of $_l"
			grep -v 'plugin directory' "$_l" | tail -15 | sed 's/^/#   /'
		done
	fi
	printf '%s\n' "$F_UNDO" | while IFS= read -r _c; do
		[ -n "$_c" ] && eval "$_c" >/dev/null 2>&1
	done
	# MF_FAULT_KEEP=1 keeps the directories to look into after a failure
	[ -n "${MF_FAULT_KEEP:-}" ] && echo "# kept $T_TMP" || rm -rf "$T_TMP"
}
trap f_cleanup EXIT
trap 'exit 143' TERM INT HUP

# f_start DIR [PREFIX...]: start mentorfedd on DIR in the foreground under
# PREFIX (ip netns exec NS, env VAR=..., ...: a prefix that execs the
# daemon, so that the pid is the daemon's own and kill -9 hits it; not the
# faketime(1) wrapper, which forks), log to DIR/daemon.log, wait (up to
# 30 s) until it answers.
f_start() {
	_dir=$1; shift
	"$@" "$MFD" -d "$_dir" -f >>"$_dir/daemon.log" 2>&1 &
	_pid=$!
	T_PIDS="$T_PIDS $_pid"
	echo "$_pid" >"$_dir/daemon.pid"
	_end=$(( $(date +%s) + 30 ))
	while [ "$(date +%s)" -lt "$_end" ]; do
		# (the answer must come from this daemon, not an older one that
		# still holds the socket)
		[ -S "$_dir/control.sock" ] && "$MF" --timeout 5 -d "$_dir" digest >/dev/null 2>&1 &&
			kill -0 "$_pid" 2>/dev/null && return 0
		kill -0 "$_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# f_writable DIR: wait (up to 30 s) until the node accepts local writes: a
# node with a new store and peers first learns from them how far they hold
# its own chain (doc/OPERATIONS.md) and refuses writes until then.
f_writable() {
	wait_for 30 sh -c "\"$MF\" --timeout 10 -d \"$1\" status --json 2>/dev/null |
		python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(1 if j.get(\"recovering\") or j.get(\"writes_refused\") else 0)'"
}

# f_kill9 DIR: kill -9 the daemon of DIR and reap it.
f_kill9() {
	_pid=$(cat "$1/daemon.pid")
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	true
}

# f_mk_node DIR REGION ENDPOINT [TIMEOUT_MS]: a fresh node listening on
# ENDPOINT (any address, not only loopback), with sync_lib.sh's short
# heartbeats; its card is DIR.card.
f_mk_node() {
	_to=${4:-1000}
	"$MF" -d "$1" init --region "$2" --listen "$3" >/dev/null || return 1
	sed -i "s/^\[node\]\$/[node]\nheartbeat_ms = $((_to / 5))\npeer_timeout_ms = $_to/" "$1/mentorfed.conf"
	"$MF" -d "$1" card >"$1.card"
}

# f_held DIR ORIGIN: the seq of ORIGIN that DIR's store holds, read from the
# store file directly (read-only, works while the daemon is down or busy).
f_held() {
	timeout 10 python3 -c "
import sqlite3,sys
try:
    r=sqlite3.connect('file:$1/store.db?mode=ro', uri=True, timeout=5).execute('select seq from vv where origin=?', ('$2',)).fetchone()
    print(r[0] if r else 0)
except Exception: print(0)" 2>/dev/null
}

# f_count DIR PATTERN: current records of DIR whose export line contains
# PATTERN (fixed string); the daemon must be up.
f_count() {
	"$MF" --timeout 60 -d "$1" export 2>/dev/null | grep -cF -- "$2"
}

# f_forks DIR...: FORK lines in the logs of the DIRs, and the daemons' own
# fork count, summed (0 when nothing is known of a fork).
f_forks() {
	_n=0
	for _d in "$@"; do
		_l=$(grep -c 'FORK' "$_d/daemon.log" 2>/dev/null)
		_j=$("$MF" --timeout 10 -d "$_d" status --json 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["forks"])' 2>/dev/null)
		_n=$((_n + ${_l:-0} + ${_j:-0}))
	done
	echo "$_n"
}

# f_digest DIR: the node's digest (empty on error).
f_digest() { "$MF" --timeout 30 -d "$1" digest 2>/dev/null; }

# f_wait_equal SECONDS DIR...: until all DIRs show one non-empty digest.
f_wait_equal() {
	_t=$1; shift
	_end=$(( $(date +%s) + _t ))
	while :; do
		_first=$(f_digest "$1"); _same=1
		[ -n "$_first" ] || _same=0
		for _n in "$@"; do [ "$(f_digest "$_n")" = "$_first" ] || _same=0; done
		[ $_same -eq 1 ] && return 0
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.2
	done
}

# f_rand LO HI: a random integer in [LO, HI].
f_rand() { awk -v lo="$1" -v hi="$2" -v s="$(od -An -N4 -tu4 /dev/urandom)" \
	'BEGIN { srand(s); printf "%d\n", lo + int(rand() * (hi - lo + 1)) }'; }

# f_ms MS: sleep MS milliseconds.
f_ms() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }

# f_nregion DIR REGION: current records of REGION held by the node in DIR.
f_nregion() { "$MF" --timeout 60 -d "$1" export --region "$2" 2>/dev/null | wc -l | tr -d ' '; }
