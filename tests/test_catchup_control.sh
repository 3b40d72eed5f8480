#!/bin/sh
# Issue 14: control requests are answered while a catch-up of 200,000
# records is still running — an order check, not a timing.  The receiver
# applies a large catch-up batch after batch (sync.c yields to the loop
# after RX_BUDGET_MS); `mentorfed status` and a `put` sent meanwhile must
# be answered before the catch-up ends: the status they return shows fewer
# records than the end state, and the catch-up then completes with equal,
# non-empty digests.  Also: a live write on the sender reaches the caught-up
# peer by a push (PROTOCOL.md 6a), not a Want.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 13
N=${MF_CATCHUP_N:-200000}

# held NODE ORIGIN: the vector entry, from the store (read-only, cheap).
held() {
	timeout 20 python3 -c "import sqlite3; r=sqlite3.connect('file:$T_TMP/$1/store.db?mode=ro', uri=True, timeout=5).execute('select seq from vv where origin=?', ('$2',)).fetchone(); print(r[0] if r else 0)" 2>/dev/null || echo 0
}

mk_node tom RU-TOM 3000 && mk_node che RU-CHE 3000 && link tom che
up tom
gen_schools "$N" b >"$T_TMP/bulk.jsonl"
timeout 300 "$MF" -d "$T_TMP/tom" put "$T_TMP/bulk.jsonl" >/dev/null
is "$(nrecords tom)" "$N" "Tomsk holds $N records"
up che
# The catch-up has begun once Chelyabinsk holds some of them.
wait_for 60 sh -c "[ \$(python3 -c \"import sqlite3; r=sqlite3.connect('file:$T_TMP/che/store.db?mode=ro', uri=True, timeout=5).execute('select seq from vv where origin=\\\"RU-TOM\\\"').fetchone(); print(r[0] if r else 0)\" 2>/dev/null || echo 0) -gt 0 ]"
ok $? "the catch-up of $N records began"

# While it runs: status (the control socket, with a deadline of its own)
# and a local write.
st1=$(timeout 30 "$MF" -d "$T_TMP/che" status --json 2>"$T_TMP/st1.err"); rc1=$?
echo '{"kind":"school","key":"during","body":{"name":"Школа, записанная во время догонялки"}}' >"$T_TMP/one.jsonl"
put=$(timeout 30 "$MF" -d "$T_TMP/che" put "$T_TMP/one.jsonl" 2>&1); rcp=$?
st2=$(timeout 30 "$MF" -d "$T_TMP/che" status --json 2>"$T_TMP/st2.err"); rc2=$?
tomv=$(echo "$st1" | python3 -c "import json,sys; print(json.load(sys.stdin)['version_vector'].get('RU-TOM',0))" 2>/dev/null)
tomv2=$(echo "$st2" | python3 -c "import json,sys; print(json.load(sys.stdin)['version_vector'].get('RU-TOM',0))" 2>/dev/null)
diag "status during the catch-up: RU-TOM at ${tomv:-?}, then ${tomv2:-?} of $N (after a put: $put)"
is "$rc1" "0" "status answers while the catch-up runs"
[ "${tomv:-0}" -gt 0 ] && [ "${tomv:-0}" -lt "$N" ]
ok $? "and shows the catch-up unfinished (RU-TOM at ${tomv:-?} of $N)"
# The order within the catch-up: the sender's first batch holds ~52 of
# these 1,000-record blocks (4 MiB).  Applied as one transaction, nothing
# of it is visible before all of it is, and the control socket waits for
# it; applied in slices (sync_pull.c), the first status after the first
# records became visible comes before a quarter of the catch-up.
[ "${tomv:-$N}" -lt $((N / 4)) ]
ok $? "status is answered within the first batch, before a quarter of the catch-up (${tomv:-?} < $((N / 4)))"
is "$rcp" "0" "a put is answered while the catch-up runs"
[ "$rc2" -eq 0 ] && [ "${tomv2:-0}" -lt "$N" ]
ok $? "a second status still within the catch-up (RU-TOM at ${tomv2:-?} of $N)"
like "$(timeout 30 "$MF" -d "$T_TMP/che" status 2>&1)" "RU-TOM" "status as text during the catch-up names the origin being caught up"

wait_equal 240 tom che
ok $? "the catch-up completes: equal digests"
[ -n "$(digest che)" ]; ok $? "(and not empty)"
is "$(nrecords che)" "$((N + 1))" "Chelyabinsk holds the $N records and its own"

# Live: Chelyabinsk is caught up now, so a write on Tomsk is pushed to it.
p0=$(counter che pushes_received)
gen_schools 1 live >"$T_TMP/live.jsonl"
id=$(timeout 30 "$MF" --json -d "$T_TMP/tom" put "$T_TMP/live.jsonl" 2>/dev/null |
	python3 -c "import json,sys; print(json.load(sys.stdin)['ids'][0])" 2>/dev/null)
wait_for 10 sh -c "timeout 10 \"$MF\" -d \"$T_TMP/che\" get '${id:-none}' >/dev/null 2>&1"
ok $? "a live write on Tomsk reaches the caught-up Chelyabinsk"
p1=$(counter che pushes_received)
[ "${p1:-0}" -gt "${p0:-0}" ]; ok $? "by a push (pushes_received ${p0:-?} -> ${p1:-?})"
