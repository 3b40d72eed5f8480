#!/bin/sh
# Fault: kill -9 of a writer during `put` (issue 12, "faults as tests").
#
# A put is one transaction (check, seal, store): after a kill -9 anywhere
# in it and a restart, the store holds either none or all of that put's
# records, never part, and every put the client confirmed is there.  Tomsk
# is killed ROUNDS times (default 10) at moments spread from the start of
# a put of M records (default 2,000) to past its end (the duration of one
# uninterrupted put is measured first).  Chelyabinsk, its peer, must end
# with exactly what Tomsk holds: no part of a killed put leaks out, and no
# seq is used twice.  MF_FAULT_PUT_M and MF_FAULT_PUT_ROUNDS scale it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
. "$top_srcdir/tests/fault_lib.sh"
M=${MF_FAULT_PUT_M:-2000}
ROUNDS=${MF_FAULT_PUT_ROUNDS:-10}
WAL_ROUNDS=3
plan 10

# wal_stamp FILE: FILE's size and modification time in ns ("0.0" if none).
wal_stamp() {
	python3 -c "
import os
try:
    st=os.stat('$1'); print('%d.%d' % (st.st_size, st.st_mtime_ns))
except OSError: print('0.0')"
}

# gen_put N PREFIX: N school records (about 500 bytes each) as JSON lines.
gen_put() {
	python3 -c "
import json
pad='.' * 400
for i in range($1):
    print(json.dumps({'kind':'school','key':'$2%d' % i,'body':{'name':'School $2 %d %s' % (i, pad),'municipality':'District %d' % (i % 40)}}))"
}

mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
f_start "$T_TMP/tom" && f_start "$T_TMP/che" && f_writable "$T_TMP/tom"
ok $? "Tomsk and Chelyabinsk up"

# One put without a kill: how long a put of M records takes here, now.
gen_put "$M" base_ >"$T_TMP/base.jsonl"
t=$(now_ms)
timeout 120 "$MF" --timeout 100 -d "$T_TMP/tom" put "$T_TMP/base.jsonl" >/dev/null
ok $? "a put of $M records without a kill"
D=$(( $(now_ms) - t ))
diag "one put of $M records: $D ms"
confirmed=$M

# ROUNDS kills, round k after ((k - 1) * 1.6 / ROUNDS) put durations: the early
# ones land while the request is read and checked or the transaction runs
# (the transaction's pages stay in SQLite's cache until the commit), the
# late ones after the commit (and perhaps before the reply).  Then
# WAL_ROUNDS kills the moment the WAL file is written to: while the commit
# itself is being written.
partial=0 lost=0 none=0 mid=0 all=0 restart_failed=0 round=0
while [ $round -lt $((ROUNDS + WAL_ROUNDS)) ]; do
	round=$((round + 1))
	gen_put "$M" "k${round}_" >"$T_TMP/k$round.jsonl"
	delay=$(( D * 16 * (round - 1) / (10 * ROUNDS) ))
	# the WAL's size and modification time (ns): any write changes them
	wal0=$(wal_stamp "$T_TMP/tom/store.db-wal")
	timeout 120 "$MF" --timeout 100 -d "$T_TMP/tom" put "$T_TMP/k$round.jsonl" \
		>"$T_TMP/k$round.out" 2>&1 &
	client=$!
	if [ "$round" -gt "$ROUNDS" ]; then
		# kill the moment the WAL is written to: the commit is being
		# written (the put is the only writer)
		when="as the WAL was written"
		timeout 30 python3 -c "
import os,signal,time
end=time.time()+20
def stamp():
    try:
        st=os.stat('$T_TMP/tom/store.db-wal')
        return '%d.%d' % (st.st_size, st.st_mtime_ns)
    except OSError: return '0.0'
while time.time()<end and stamp() == '$wal0': pass
os.kill($(cat "$T_TMP/tom/daemon.pid"), signal.SIGKILL)"
	else
		f_ms "$delay"
		when="after $delay ms"
	fi
	f_kill9 "$T_TMP/tom"
	wal=$(wal_stamp "$T_TMP/tom/store.db-wal")
	wait "$client"
	rc=$?
	f_start "$T_TMP/tom" && f_writable "$T_TMP/tom" || restart_failed=$((restart_failed + 1))
	got=$(f_count "$T_TMP/tom" "School k${round}_ ")
	total=$(nregion tom RU-TOM)
	if [ "$got" -eq "$M" ]; then
		all=$((all + 1)); confirmed=$((confirmed + M))
	elif [ "$got" -eq 0 ]; then
		none=$((none + 1))
		# the WAL was written, yet nothing was kept: killed while the
		# commit was written
		[ "$wal" != "$wal0" ] && mid=$((mid + 1))
		[ "$rc" -eq 0 ] && lost=$((lost + 1))	# confirmed, yet not there
	else
		partial=$((partial + 1))
	fi
	[ "$total" -eq "$confirmed" ] || lost=$((lost + 1))
	diag "round $round: killed $when, client exit $rc, WAL size.mtime $wal0 -> $wal, $got of $M kept, $total records in the store"
done
is "$restart_failed" "0" "Tomsk restarted after each of its $((ROUNDS + WAL_ROUNDS)) kill -9s"
is "$partial" "0" "no put was kept in part ($none kept none, $all kept all)"
is "$lost" "0" "no record of a confirmed put lost"
# (whether a kill "as the WAL was written" lands inside the commit depends
# on the scheduler: counted, not required)
[ "$none" -ge 1 ] && [ "$all" -ge 1 ]
ok $? "kills landed before the commit ($none; $mid of them after the WAL was written to) and after it ($all)"

# The chain goes on where the store says: the next put takes the next seq.
held=$(jget tom "j['version_vector']['RU-TOM']")
echo '{"kind":"school","key":"after-kills","body":{"name":"After","municipality":"Tomsk"}}' |
	timeout 60 "$MF" --timeout 50 -d "$T_TMP/tom" put >"$T_TMP/after.out" 2>&1
like "$(cat "$T_TMP/after.out")" "seq $((held + 1))\.\.$((held + 1))" "the next put takes seq $((held + 1)), right after the chain's head"
f_wait_equal 60 "$T_TMP/tom" "$T_TMP/che"
ok $? "Chelyabinsk converges on Tomsk: equal non-empty digests"
is "$(nregion che RU-TOM)" "$((confirmed + 1))" "Chelyabinsk holds exactly the $((confirmed + 1)) records Tomsk kept"
is "$(f_forks "$T_TMP/tom" "$T_TMP/che")" "0" "no FORK logged or counted"
done_testing
