#!/bin/sh
# 100,000 records initial sync (timed), then kill -9 of the receiver and of
# the sender in the middle of large syncs: after restart the nodes converge
# with nothing lost or duplicated.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 12

# held_seq NODE ORIGIN: the vector entry, read from the store directly
# (fast enough to catch a sync in the middle).
held_seq() {
	python3 -c "import sqlite3,sys; r=sqlite3.connect('file:$T_TMP/$1/store.db?mode=ro', uri=True, timeout=5).execute('select seq from vv where origin=?', ('$2',)).fetchone(); print(r[0] if r else 0)" 2>/dev/null
}
# held_gt NODE ORIGIN SEQ: wait (tight loop) until NODE holds more than SEQ.
held_gt() {
	python3 -c "
import sqlite3,time
end=time.time()+60
while time.time()<end:
    try:
        r=sqlite3.connect('file:$T_TMP/$1/store.db?mode=ro', uri=True, timeout=5).execute('select seq from vv where origin=?', ('$2',)).fetchone()
        if r and r[0] > $3: break
    except Exception: pass
    time.sleep(0.005)"
}
N=${MF_BULK_N:-100000}

mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
up tom
gen_schools "$N" b >"$T_TMP/bulk.jsonl"
"$MF" -d "$T_TMP/tom" put "$T_TMP/bulk.jsonl" >/dev/null
is "$(nrecords tom)" "$N" "Tomsk holds $N records"
t0=$(now_ms)
up che
wait_for 300 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/che\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version_vector\"].get(\"RU-TOM\",0))')\" -ge $N ]"
ok $? "initial sync of $N records finished"
ms=$(( $(now_ms) - t0 ))
diag "initial sync of $N records: ${ms} ms ($(( N * 1000 / (ms > 0 ? ms : 1) )) records/s, incl. daemon start)"
wait_equal 30 tom che
ok $? "equal digests after the initial sync"
is "$(nrecords che)" "$N" "Chelyabinsk holds exactly $N records"
# every batch is applied in one transaction with the loop stopped; the
# heartbeats sent meanwhile keep both sides from taking the other for dead
is "$(counter che reconnects)/$(grep -c 'inbound link of peer RU-CHE is down' "$T_TMP/tom/daemon.log")" "0/0" "the pulling link stayed up through the bulk sync (heartbeats kept up while applying)"

# kill -9 the receiver in the middle of a sync.
down che
gen_schools "$N" c >"$T_TMP/bulk2.jsonl"
"$MF" -d "$T_TMP/tom" put "$T_TMP/bulk2.jsonl" >/dev/null
up che
held_gt che RU-TOM "$N"
# The progress shows while a stream is in flight; between two batches (the
# next Want not sent yet) there is none: look a few times.
for _ in $(seq 1 40); do
	"$MF" -d "$T_TMP/che" status > "$T_TMP/catchup.txt"
	grep -Eq "RU-TOM [0-9]+\.\.[0-9]+ of $((2 * N)) \([0-9]+%\)" "$T_TMP/catchup.txt" && break
	sleep 0.05
done
kill9 che
like "$(cat "$T_TMP/catchup.txt")" "RU-TOM [0-9]+\.\.[0-9]+ of $((2 * N)) \([0-9]+%\)" "status shows the running catch-up's progress"
held=$(python3 -c "import sqlite3; print(sqlite3.connect('$T_TMP/che/store.db').execute('select seq from vv where origin=\"RU-TOM\"').fetchone()[0])" 2>/dev/null)
[ "${held:-0}" -gt "$N" ] && [ "${held:-0}" -lt $((2 * N)) ]; ok $? "receiver killed mid-sync (held $held of $((2 * N)))"
up che
wait_equal 120 tom che
ok $? "after kill -9 of the receiver mid-sync: equal digests"
is "$(nrecords che)" "$((2 * N))" "nothing lost or duplicated ($((2 * N)) records)"

# kill -9 the sender in the middle of a sync.
mk_node kya RU-KYA && link kya tom
"$MF" -d "$T_TMP/kya" trust "$T_TMP/che.card" >/dev/null
up kya
held_gt kya RU-TOM 0
# Freeze the receiver as soon as it holds something, so that the sender is
# certainly killed in the middle of the stream (credit and socket buffers
# hold far less than the rest), then let the receiver drain what reached it.
kill -STOP "$(cat "$T_TMP/kya/daemon.pid")"
kill9 tom
kill -CONT "$(cat "$T_TMP/kya/daemon.pid")"
sleep 1.5
h=$(held_seq kya RU-TOM)
[ "${h:-0}" -gt 0 ] && [ "${h:-0}" -lt $((2 * N)) ]; ok $? "sender killed mid-sync (receiver held $h of $((2 * N)))"
up tom
wait_equal 120 tom che kya
ok $? "after kill -9 of the sender mid-sync: all three equal"
is "$(nrecords kya)" "$((2 * N))" "the new node holds exactly $((2 * N)) records"
done_testing
