#!/bin/sh
# test_client_timeout.sh — the client gives up on a daemon that holds its
# lock but does not answer (stopped with SIGSTOP): --timeout and
# MENTORFED_TIMEOUT, exit 75 (EX_TEMPFAIL) with a message saying how to
# check, and the same daemon answers again once continued.
#
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
DPID=""
# A stopped daemon would keep SIGTERM pending for ever: continue it first.
cont_cleanup() {
	[ -n "$DPID" ] && kill -CONT "$DPID" 2>/dev/null
	t_cleanup
}
trap cont_cleanup EXIT

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
T_PIDS="$T_PIDS $DPID"
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
