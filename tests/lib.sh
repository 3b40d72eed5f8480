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
	_rc=$?
	for p in $T_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	# a failed test shows the end of each daemon's log (CI keeps only
	# the test's output); MF_TEST_KEEP=1 keeps the whole directory
	if [ "$T_FAIL" -gt 0 ] || [ "$_rc" -ne 0 ]; then
		find "$T_TMP" -type f -name 'daemon.log' 2>/dev/null | sort | while IFS= read -r _l; do
			echo "# --- last lines of $_l"
			grep -v 'plugin directory' "$_l" | tail -25 | sed 's/^/#   /'
		done
	fi
	[ -n "${MF_TEST_KEEP:-}" ] && echo "# kept $T_TMP" || rm -rf "$T_TMP"
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

# A free TCP port on loopback, for a daemon to listen on later.  Not one
# the kernel hands out for bind(0): those come from the ephemeral range
# (ip_local_port_range, 32768-60999 by default), from which every outgoing
# connection of every parallel test also takes its local port, so between
# this check and the daemon's bind another test's connection could take
# it (a CI run failed so).  A random port below that range that binds now:
# only another free_port can pick it, 1 in ~12,000.
free_port() {
	python3 -c '
import random, socket
lo = 20000
try:
    lo_eph = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    lo_eph = 32768
hi = max(lo + 1000, min(lo_eph, 65536)) - 1
for _ in range(200):
    p = random.randint(lo, hi)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("free_port: no free port in %d-%d" % (lo, hi))'
}

# start_node DIR: start mentorfedd in the foreground, wait for its socket.
start_node() {
	"$MFD" -d "$1" -f >>"$1/daemon.log" 2>&1 &
	_pid=$!
	T_PIDS="$T_PIDS $_pid"
	echo "$_pid" > "$1/daemon.pid"
	# (up to 30 s: a loaded machine running the suite in parallel)
	_end=$(( $(date +%s) + 30 ))
	while [ "$(date +%s)" -lt "$_end" ]; do
		[ -S "$1/control.sock" ] && "$MF" --timeout 5 -d "$1" digest >/dev/null 2>&1 && return 0
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
