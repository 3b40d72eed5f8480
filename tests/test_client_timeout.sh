#!/bin/sh
# test_client_timeout.sh — the client gives up on a daemon that holds its
# lock but does not answer (stopped with SIGSTOP): --timeout and
# MENTORFED_TIMEOUT, exit 75 (EX_TEMPFAIL) with a message saying how to
# check, and the same daemon answers again once continued.
#
# Helpers copied from tests/lib.sh, with every process under timeout(1).

: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
MF="$top_builddir/mentorfed"
MFD="$top_builddir/mentorfedd"
T_N=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mf-test.XXXXXX")
DPID=""

t_cleanup() {
	if [ -n "$DPID" ]; then
		# a stopped daemon would keep SIGTERM pending for ever
		kill -CONT "$DPID" 2>/dev/null
		kill -TERM "$DPID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$DPID" 2>/dev/null
	fi
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT

ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAIL=$((T_FAIL + 1))
	fi
}
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; echo "#   '$1'"; echo "#   does not match '$2'"; fi
}
mf() { timeout 30 "$MF" "$@"; }

echo "1..12"
N="$T_TMP/tom"
mf -d "$N" init --region RU-TOM >/dev/null; ok $? "init"
# The daemon's own pid (not timeout's): the shell execs it.
timeout 120 sh -c 'echo $$ > "$1/daemon.pid"; exec "$2" -d "$1" -f' sh "$N" "$MFD" \
	>>"$N/daemon.log" 2>&1 &
started=1
for _ in $(seq 1 100); do
	[ -s "$N/daemon.pid" ] && mf -d "$N" digest >/dev/null 2>&1 && { started=0; break; }
	sleep 0.05
done
DPID=$(cat "$N/daemon.pid" 2>/dev/null)
ok $started "mentorfedd starts"
mf -d "$N" --timeout 2 status >/dev/null; ok $? "status answers with --timeout 2"

kill -STOP "$DPID"
t0=$(date +%s)
err=$(mf -d "$N" --timeout 2 status 2>&1); rc=$?
t1=$(date +%s)
is "$rc" 75 "a stopped daemon: EX_TEMPFAIL after --timeout"
like "$err" "did not answer within 2 s" "the message says how long it waited"
like "$err" "mentorfed -d .* status.*log" "and how to check the daemon"
el=$((t1 - t0))
[ "$el" -ge 2 ] && [ "$el" -le 8 ]; ok $? "it gave up after about 2 s (took $el s)"
err=$(MENTORFED_TIMEOUT=1 mf -d "$N" digest 2>&1); rc=$?
like "$rc:$err" "^75:.*within 1 s" "MENTORFED_TIMEOUT sets it too"
mf -d "$N" --timeout soon status >/dev/null 2>&1; is $? 64 "a bad --timeout is a usage error"
kill -CONT "$DPID"
out=$(mf -d "$N" --timeout 10 status); rc=$?
is "$rc" 0 "continued, the daemon answers again"
like "$out" "^region +RU-TOM" "with its status"

kill -TERM "$DPID"
wait 2>/dev/null
kill -0 "$DPID" 2>/dev/null; is $? 1 "and stops on SIGTERM"
DPID=""
[ "$T_FAIL" -eq 0 ]
