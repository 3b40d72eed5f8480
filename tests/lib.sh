# lib.sh — shared helpers for the shell tests: TAP output, temporary
# directories, starting and stopping real daemons.  Source it; it expects
# top_builddir and top_srcdir (set by the automake harness).

: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
MF="$top_builddir/mentorfed"
MFD="$top_builddir/mentorfedd"
DATA="$top_srcdir/tests/data"

T_N=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mf-test.XXXXXX")
T_PIDS=""

t_cleanup() {
	for p in $T_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT

plan() { echo "1..$1"; }

# ok CONDITION-EXIT-STATUS DESCRIPTION
ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAIL=$((T_FAIL + 1))
	fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; fi
}

# like TEXT PATTERN DESCRIPTION (grep -E)
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; echo "#   '$1'"; echo "#   does not match '$2'"; fi
}

diag() { echo "# $*"; }

# A free TCP port on loopback (asks the kernel; parallel runs do not collide).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_node DIR: start mentorfedd in the foreground, wait for its socket.
start_node() {
	"$MFD" -d "$1" -f >>"$1/daemon.log" 2>&1 &
	_pid=$!
	T_PIDS="$T_PIDS $_pid"
	echo "$_pid" > "$1/daemon.pid"
	for _ in $(seq 1 100); do
		[ -S "$1/control.sock" ] && "$MF" -d "$1" digest >/dev/null 2>&1 && return 0
		kill -0 "$_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# stop_node DIR: SIGTERM and wait; returns the daemon's exit status.
stop_node() {
	_pid=$(cat "$1/daemon.pid")
	kill -TERM "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
}

done_testing() {
	[ "$T_FAIL" -eq 0 ]
}
