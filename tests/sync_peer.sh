#!/bin/sh
# Authenticity and robustness against a hostile peer: tests/peer.py speaks
# the protocol of doc/PROTOCOL.md and sends forged blocks (wrong key),
# altered records, withheld versions, a fork, a block that does not link,
# garbage and oversized frames, a wrong protocol version, and connects with
# an unknown CURVE key.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"

peer_setup
PEER="$PY $top_srcdir/tests/peer.py"
plan 33

# run_scenario NAME: a fresh RU-CHE node that has the test peer (region
# RU-EVL) as its only peer; the peer serves scenario NAME.
pp=$(free_port)
$PEER keys "$T_TMP/evl" --endpoint "tcp://127.0.0.1:$pp" >/dev/null
# Only one scenario node runs at a time: all talk to the peer's one port.
prev=""
run_scenario() {
	[ -n "$prev" ] && down "$prev"
	prev="n_$1"
	mk_node "n_$1" RU-CHE
	"$MF" -d "$T_TMP/n_$1" peer add "$T_TMP/evl/peer.card" >/dev/null
	$PEER serve "$T_TMP/evl" --scenario "$1" --timeout "${2:-3}" >"$T_TMP/$1.out" &
	ppid=$!
	up "n_$1"
	wait $ppid
}

# 1. A well-behaved stream first, so the peer is known to speak the protocol.
run_scenario good
is "$(nregion n_good RU-EVL)" "4" "good stream: the 4 current records of RU-EVL are stored"
is "$(counter n_good rejected)" "0" "good stream: nothing rejected"
is "$(jget n_good "j['version_vector']['RU-EVL']")" "5" "good stream: vector of RU-EVL at 5"
like "$(cat "$T_TMP/good.out")" '"wants": \[\["RU-EVL", 0, [0-9]+\]\]' "the node asked the peer for RU-EVL after 0"

run_scenario forged
is "$(nregion n_forged RU-EVL)" "0" "forged block (wrong key): nothing stored"
is "$(counter n_forged rejected_bad_signature)" "1" "forged block counted as bad signature"
like "$(cat "$T_TMP/n_forged/daemon.log")" 'rejected a block of RU-EVL .*from peer RU-EVL: bad signature' "forged block logged with the sending peer"
like "$(cat "$T_TMP/forged.out")" '"errors": \[\[5, ' "the peer was told (error REJECTED)"

run_scenario altered
is "$(nregion n_altered RU-EVL)" "0" "altered record: nothing of its block stored"
is "$(counter n_altered rejected_bad_version)" "1" "altered record counted as bad version"
like "$(cat "$T_TMP/n_altered/daemon.log")" 'from peer RU-EVL: bad version' "altered record logged with the peer"

run_scenario withheld
is "$(nregion n_withheld RU-EVL)" "0" "withheld version: the stream's records are undone"
is "$(jget n_withheld "j['version_vector'].get('RU-EVL', 0)")" "0" "withheld version: the vector goes back"
is "$(counter n_withheld withheld_versions)" "1" "withheld version counted"
like "$(cat "$T_TMP/n_withheld/daemon.log")" 'peer RU-EVL withheld 1 still-current version' "withholding logged with the peer"
like "$(cat "$T_TMP/withheld.out")" '"errors": \[\[6, ' "the peer was told (error WITHHELD)"

run_scenario fork 4
is "$(counter n_fork rejected_fork)" "1" "fork: a second signed block for seqs 1..3 detected"
is "$(jget n_fork "j['forks']")" "1" "fork: evidence kept in the store"
is "$(jget n_fork "j['sync']['origins']['RU-EVL']['fork_flag']")" "True" "fork: the origin is flagged in status"
is "$(nregion n_fork RU-EVL)" "4" "fork: the first chain stays, the forked block is not applied"

run_scenario nolink
is "$(counter n_nolink rejected_no_link)" "1" "a block that does not link to the chain is rejected"
is "$(nregion n_nolink RU-EVL)" "2" "nolink: the valid first block stays (2 current records), the bad one is not stored"

# Rejected data is never relayed, accepted data is: a node linked to the
# node that got the forged stream holds nothing of RU-EVL; one linked to
# the node that got the good stream holds its 4 records.
mk_node relay RU-KYA 3000; mk_node relay2 RU-KYA 3000
for r in relay relay2; do "$MF" -d "$T_TMP/$r" trust "$T_TMP/evl/peer.card" >/dev/null; done
down "$prev"; prev=""
link relay n_forged; link relay2 n_good
up n_forged; up n_good; up relay; up relay2
wait_for 40 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/relay2\" export --region RU-EVL | wc -l)\" -eq 4 ]"
ok $? "records accepted from the peer are relayed onwards"
wait_for 10 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/relay\" status --json | grep -c '\"connected\": true')\" -ge 1 ]"
sleep 1
is "$(nregion relay RU-EVL)" "0" "nothing of the rejected stream is relayed"

# 2. The test peer as a client of a node's listener.
mk_node target RU-TOM 5000
"$MF" -d "$T_TMP/target" peer add "$T_TMP/evl/peer.card" >/dev/null
sed -i "s|^endpoint = tcp://127.0.0.1:$pp|endpoint = tcp://127.0.0.1:1|" "$T_TMP/target/mentorfed.conf"
up target
put_schools target 10 x
TEP=$(grep '^endpoint' "$T_TMP/target.card" | sed 's/^endpoint = //')
TKEY=$(grep '^curve_key' "$T_TMP/target.card" | sed 's/^curve_key = //')

out=$($PEER client "$T_TMP/evl" --connect "$TEP" --server-key="$TKEY" --scenario unknownkey)
like "$out" '"replies": \[\]' "unknown CURVE key: no answer"
r=$(counter target zap_denied); [ "${r:-0}" -ge 1 ]; ok $? "unknown CURVE key refused by ZAP (zap_denied $r)"

out=$($PEER client "$T_TMP/evl" --connect "$TEP" --server-key="$TKEY" --scenario garbage --want RU-TOM)
like "$out" '"hello"' "after garbage frames the node still answers a hello"
like "$out" '"origin": "RU-TOM", "blocks": 1, "complete_to": 10, "end": true' "and serves its records to the peer"
m=$(counter target frames_malformed); [ "${m:-0}" -ge 25 ]; ok $? "garbage frames counted as malformed ($m)"
is "$(counter target frames_oversized)" "1" "the 17 MiB frame counted as oversized"
kill -0 "$(cat "$T_TMP/target/daemon.pid")"; ok $? "the node survived"

out=$($PEER client "$T_TMP/evl" --connect "$TEP" --server-key="$TKEY" --scenario version)
like "$out" '"errors": \[\[1, "protocol version 9 is not supported; node RU-TOM speaks protocol versions 1\.\.2' "protocol version mismatch: the peer gets a clear error"
like "$(cat "$T_TMP/target/daemon.log")" 'peer RU-EVL speaks protocol version 9; this node speaks versions 1\.\.2: link refused' "and the node logs it"
done_testing
