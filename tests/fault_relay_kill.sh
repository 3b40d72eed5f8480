#!/bin/sh
# Fault: kill -9 of a relay during a sync (issue 12, "faults as tests").
#
# Three nodes in a chain, Tomsk -> Novosibirsk (the relay) -> Chelyabinsk;
# Chelyabinsk has no link to Tomsk and gets Tomsk's records only through
# the relay.  Tomsk writes N records (default 20,000) in 300 puts
# while the relay is killed with SIGKILL CYCLES times (default
# 30) at random moments and restarted at once.  At the end every node holds
# all N, digests are equal and non-empty, no fork is logged or counted.
# MF_FAULT_RELAY_N and MF_FAULT_RELAY_CYCLES scale it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
. "$top_srcdir/tests/fault_lib.sh"
N=${MF_FAULT_RELAY_N:-20000}
CYCLES=${MF_FAULT_RELAY_CYCLES:-30}
plan 8

mk_node tom RU-TOM && mk_node nsk RU-NSK && mk_node che RU-CHE
link tom nsk && link nsk che
"$MF" -d "$T_TMP/tom" trust "$T_TMP/che.card" >/dev/null
"$MF" -d "$T_TMP/che" trust "$T_TMP/tom.card" >/dev/null
f_start "$T_TMP/tom" && f_start "$T_TMP/nsk" && f_start "$T_TMP/che" && f_writable "$T_TMP/tom"
ok $? "three nodes up (Tomsk -> relay -> Chelyabinsk)"

# The writer: Tomsk puts N records (about 1 KiB each) in 300 puts, one
# after another with 50 ms pauses, so that records keep flowing through the
# relay for the whole run.  The killer: CYCLES times, kill -9 the relay and
# restart it after 0-300 ms; every other kill comes as soon as the relay
# holds records that Chelyabinsk lacks (it is passing them on), the others
# 150-900 ms after it answered.
python3 -c "
import json,sys
pad='.' * 900
for i in range($N):
    print(json.dumps({'kind':'school','key':'r%d' % i,'body':{'name':'School r %d %s' % (i, pad),'municipality':'District %d' % (i % 40)}}))" >"$T_TMP/all.jsonl"
mkdir "$T_TMP/puts"
split -n "l/300" -d -a 3 "$T_TMP/all.jsonl" "$T_TMP/puts/p."
(
	for f in "$T_TMP"/puts/p.*; do
		timeout 120 "$MF" --timeout 100 -d "$T_TMP/tom" put "$f" >/dev/null 2>>"$T_TMP/put.err" ||
			echo "$f" >>"$T_TMP/put.failed"
		sleep 0.05
	done
) &
writer=$!
T_PIDS="$T_PIDS $writer"
t0=$(now_ms)
behind=0
relaying=0
restart_failed=0
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	# odd cycles: kill as soon as the relay holds records Chelyabinsk
	# lacks (it is passing them on); even: after a random 150-900 ms
	r=$(timeout 30 python3 -c "
import os,random,signal,sqlite3,time
def conn(n): return sqlite3.connect('file:$T_TMP/%s/store.db?mode=ro' % n, uri=True, timeout=5)
def held(c):
    try:
        r=c.execute('select seq from vv where origin=?', ('RU-TOM',)).fetchone()
        return r[0] if r else 0
    except Exception: return 0
nsk,che,tom=conn('nsk'),conn('che'),conn('tom')
if $i % 2:
    end=time.time()+10
    while time.time()<end and held(nsk) <= held(che): time.sleep(0.0005)
else:
    time.sleep(random.uniform(0.15, 0.9))
c,n,t=held(che),held(nsk),held(tom)
os.kill($(cat "$T_TMP/nsk/daemon.pid"), signal.SIGKILL)
print('%d %d %d' % (c, n, t))")
	f_kill9 "$T_TMP/nsk"
	set -- $r
	[ "${1:-0}" -lt "${3:-0}" ] && behind=$((behind + 1))
	[ "${1:-0}" -lt "${2:-0}" ] && relaying=$((relaying + 1))
	f_ms "$(f_rand 0 300)"
	f_start "$T_TMP/nsk" || restart_failed=$((restart_failed + 1))
done
kill_end=$(( $(now_ms) - t0 ))
wait "$writer"
diag "writer done $(( ($(now_ms) - t0) / 1000 )) s after the first kill"
put_failed=$(cat "$T_TMP/put.failed" 2>/dev/null | wc -l | tr -d ' ')
diag "relay killed $CYCLES times in $((kill_end / 1000)) s: $behind times while Chelyabinsk was behind Tomsk, $relaying of them while the relay held records Chelyabinsk lacked"
is "$restart_failed" "0" "the relay restarted after each of its $CYCLES kill -9s"
[ "$relaying" -ge $((CYCLES / 4)) ]
ok $? "at least a quarter of the kills ($relaying of $CYCLES) came while the relay held records Chelyabinsk lacked"
is "$put_failed" "0" "Tomsk confirmed all 300 puts ($N records)"

t1=$(now_ms)
f_wait_equal 150 "$T_TMP/tom" "$T_TMP/nsk" "$T_TMP/che"
ok $? "after the last kill: equal non-empty digests on all three"
diag "converged $(( ($(now_ms) - t1) / 1000 )) s after the last kill"
is "$(nregion tom RU-TOM)/$(nregion nsk RU-TOM)/$(nregion che RU-TOM)" "$N/$N/$N" "Tomsk, the relay and Chelyabinsk hold all $N of Tomsk's records"
is "$(jget che "j['version_vector']['RU-TOM']")" "$(jget tom "j['version_vector']['RU-TOM']")" "Chelyabinsk holds Tomsk's chain to the same seq as Tomsk"
is "$(f_forks "$T_TMP/tom" "$T_TMP/nsk" "$T_TMP/che")" "0" "no FORK logged or counted on any node"
for n in nsk che; do
	diag "$n counters: $(jget $n "' '.join('%s=%s' % kv for kv in sorted(j['sync']['counters'].items()) if kv[1])")"
done
done_testing
