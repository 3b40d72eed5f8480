#!/bin/sh
# Two nodes, Tomsk and Chelyabinsk, syncing both ways: initial catch-up,
# live updates (latency), tombstones, status, and a peer added at runtime.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 19

mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
ok $? "two nodes created and introduced to each other"

up tom && up che && put_schools tom 50 t && put_schools che 30 c
wait_equal 20 tom che
ok $? "initial catch-up both ways: equal digests"
is "$(nrecords tom)/$(nrecords che)" "80/80" "both hold 50 + 30 records"
is "$(nregion che RU-TOM)" "50" "Chelyabinsk holds Tomsk's 50"

# Live update: a record written on one node is visible on the other soon.
t0=$(now_ms)
echo '{"kind":"school","key":"live1","body":{"name":"Live school","municipality":"Tomsk"}}' | "$MF" -d "$T_TMP/tom" put >/dev/null
id=$("$MF" -d "$T_TMP/tom" export --region RU-TOM | grep 'Live school' | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
wait_for 10 sh -c "\"$MF\" -d \"$T_TMP/che\" get '$id' >/dev/null 2>&1"
ok $? "a new Tomsk record reaches Chelyabinsk"
lat=$(( $(now_ms) - t0 ))
diag "live update latency (put to visible, incl. client start-up): ${lat} ms"
[ "$lat" -lt 1000 ]; ok $? "live update within a second (${lat} ms)"

echo '{"kind":"school","key":"live2","body":{"name":"Live C","municipality":"Chel"}}' | "$MF" -d "$T_TMP/che" put >/dev/null
"$MF" -d "$T_TMP/tom" delete "$id" >/dev/null
wait_equal 10 tom che
ok $? "an update the other way and a tombstone converge"
is "$("$MF" -d "$T_TMP/che" get "$id" 2>/dev/null | grep -c '"deleted": *true')" "1" "the tombstone arrived"

is "$(jget tom "[p['connected'] for p in j['sync']['peers']]")" "[True]" "status: Tomsk's peer is connected"
is "$(jget che "j['sync']['origins']['RU-TOM']['lag']")" "0" "status: no lag once converged"
"$MF" -d "$T_TMP/tom" status > "$T_TMP/status.txt"
like "$(grep -A3 '^peers' "$T_TMP/status.txt")" "RU-CHE +tcp://[^ ]+ +(outbound|inbound) +connected" "status as text: the peer, its link, connected"
like "$(grep -A3 '^origins' "$T_TMP/status.txt")" "RU-CHE +[0-9]+ +[0-9]+ \(RU-CHE\) +0 +yes +0" "status as text: each origin with its lag"
r=$(counter che records_applied); [ "${r:-0}" -ge 51 ]; ok $? "counter records_applied ($r) counts what arrived"
is "$(counter che rejected)" "0" "nothing rejected"

# Large bodies: 300 records of ~60 KB in one put are sealed into several
# blocks (at most 8 MiB of bodies each), so every block fits in a frame.
python3 -c "
import json
for i in range(300):
    print(json.dumps({'kind':'school','key':'big%d'%i,'body':{'name':'Big %d '%i + 'x'*60000}}))" > "$T_TMP/big.jsonl"
out=$("$MF" -d "$T_TMP/tom" put "$T_TMP/big.jsonl" | head -1)
like "$out" "^300 changed, 0 unchanged \(seq [0-9]+\.\.[0-9]+ in [3-9] blocks\)" "300 bodies of 60 KB are sealed into blocks of at most 8 MiB ($out)"
wait_equal 60 tom che
ok $? "and they reach Chelyabinsk"
is "$(nregion che RU-TOM)" "$(nregion tom RU-TOM)" "all of them"

# A third region's node joins at runtime: peer add on a running daemon.
mk_node kra RU-KYA
"$MF" -d "$T_TMP/kra" peer add "$T_TMP/tom.card" >/dev/null
up kra && put_schools kra 5 k
"$MF" -d "$T_TMP/tom" peer add "$T_TMP/kra.card" >/dev/null
ok $? "peer add on a running node"
"$MF" -d "$T_TMP/che" trust "$T_TMP/kra.card" >/dev/null
"$MF" -d "$T_TMP/kra" trust "$T_TMP/che.card" >/dev/null
wait_equal 20 tom che kra
ok $? "the joined node converges with both (relayed through Tomsk) without restarts"
done_testing
