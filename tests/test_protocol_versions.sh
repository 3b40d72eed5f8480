#!/bin/sh
# Protocol versions between releases (doc/PROTOCOL.md, "Versions between
# releases"): this release speaks 1..2.  tests/peer.py plays a node of the
# first release (Hello.protocol = 1, no protocol_max), one of this release
# (1..2), one that overlaps (2..5) and a future one (3..4, refused with
# both ranges named, the node staying up).  A record kind of version 2
# (region_key) is held back from a version-1 peer: its vector and streams
# stop at the block before.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"

peer_setup
PEER="timeout 30 $PY $top_srcdir/tests/peer.py"
plan 31

mk_node tom RU-TOM && up tom && put_schools tom 10 t
ok $? "a node of this release with 10 records"
pp=$(free_port)
$PEER keys "$T_TMP/evl" --endpoint "tcp://127.0.0.1:$pp" >/dev/null
"$MF" -d "$T_TMP/tom" peer add "$T_TMP/evl/peer.card" >/dev/null
TEP=$(grep '^endpoint' "$T_TMP/tom.card" | sed 's/^endpoint = //')
TKEY=$(grep '^curve_key' "$T_TMP/tom.card" | sed 's/^curve_key = //')
D0=$(digest tom)
client() { $PEER client "$T_TMP/evl" --connect "$TEP" --server-key="$TKEY" "$@"; }
# field OUT EXPR: a value of peer.py's JSON line (EXPR in Python on j)
field() { printf '%s\n' "$1" | tail -1 | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)" 2>/dev/null; }
log() { cat "$T_TMP/tom/daemon.log"; }

# 1. A node of the first release: protocol 1 and nothing else.
out=$(client --scenario hello --want RU-TOM)
is "$(field "$out" "j['errors']")" "[]" "v1 peer: no error"
is "$(field "$out" "j['node_hello']['protocol']")" "1" "the node's Hello keeps protocol = 1 (the oldest it speaks)"
is "$(field "$out" "j['node_hello']['protocol_max']")" "2" "and says protocol_max = 2"
is "$(field "$out" "[b['complete_to'] for b in j['batches']][-1]")" "10" "v1 peer is served RU-TOM to seq 10"
is "$(field "$out" "sum(b['blocks'] for b in j['batches'])")" "1" "in its one block"
like "$(log)" "link with peer RU-EVL \(RU-EVL, inbound, protocol version 1\) is up" "the node logs the link at version 1"

# 2. This release and an overlapping newer one.
out=$(client --scenario hello --protocol 1 --protocol-max 2)
is "$(field "$out" "j['errors']")" "[]" "1..2 peer: no error"
like "$(log)" "link with peer RU-EVL \(RU-EVL, inbound, protocol version 2\) is up" "1..2 peer linked at version 2"
out=$(client --scenario hello --protocol 2 --protocol-max 5)
is "$(field "$out" "j['errors']")" "[]" "2..5 peer (a later release that dropped 1): linked"
is "$(grep -c 'inbound, protocol version 2) is up' "$T_TMP/tom/daemon.log")" "2" "at version 2, the highest both speak"

# 3. A future node that no longer speaks 1 or 2.
out=$(client --scenario version --protocol 3 --protocol-max 4)
is "$(field "$out" "j['errors'][0][0]")" "1" "3..4 peer: error PROTOCOL_VERSION"
is "$(field "$out" "j['errors'][0][1]")" \
	"protocol versions 3..4 are not supported; node RU-TOM speaks protocol versions 1..2" \
	"the error names both ranges"
like "$(log)" "peer RU-EVL speaks protocol versions 3\.\.4; this node speaks versions 1\.\.2: link refused \(the peer runs a newer mentorfed: upgrade this node\)" \
	"the node logs both ranges and what to do"
is "$(field "$out" "'batch' in j['replies'] or 'hello' in j['replies']")" "False" "and neither says Hello nor serves"
out=$(client --scenario version --protocol 0)
is "$(field "$out" "j['errors'][0]")" "[1, 'protocol version 0 is not supported; node RU-TOM speaks protocol versions 1..2']" \
	"protocol 0 (no version at all) refused"
kill -0 "$(cat "$T_TMP/tom/daemon.pid")"; ok $? "the node stays up"
is "$(digest tom)" "$D0" "digest unchanged after the refusals"
[ -n "$D0" ]; ok $? "(and not empty)"
r=$(counter tom protocol_mismatches); [ "${r:-0}" -ge 2 ]; ok $? "refusals counted (protocol_mismatches $r)"

# 4. A kind of version 2 held back from a version-1 peer.  The record is
# written by `key rotate` where it exists, else put as a record.
krec=""
if "$MF" -d "$T_TMP/tom" key rotate --reason "upgrade test" >/dev/null 2>&1; then
	krec="key rotate"
elif printf '%s\n' '{"kind":"region_key","key":"00","body":{"reason":"upgrade test"}}' |
	"$MF" -d "$T_TMP/tom" put >/dev/null 2>&1; then
	krec="put"
fi
if [ -z "$krec" ]; then
	for i in 1 2 3 4 5 6 7 8 9 10; do ok 0 "# SKIP no way to write a region_key record on this node"; done
else
	diag "region_key written by $krec"
	put_schools tom 3 after
	hs=$(jget tom "j['version_vector']['RU-TOM']")
	is "$hs" "14" "RU-TOM at seq 14: 10 schools, the key record, 3 schools"
	out=$(client --scenario hello --want RU-TOM)
	is "$(field "$out" "j['errors']")" "[]" "v1 peer: still no error"
	is "$(field "$out" "j['node_hello']['vv']['RU-TOM']")" "10" "the node's Hello to it stops RU-TOM at seq 10"
	is "$(field "$out" "[b['complete_to'] for b in j['batches']][-1]")" "10" "its stream ends complete to 10"
	is "$(field "$out" "sum(b['blocks'] for b in j['batches'])")" "1" "without the key block or anything after it"
	like "$(log)" "peer RU-EVL speaks protocol version 1 only: blocks of RU-TOM after seq 10 hold record kinds of version 2" \
		"the node says why and what to do"
	out=$(client --scenario hello --protocol 1 --protocol-max 2 --want RU-TOM)
	is "$(field "$out" "j['node_hello']['vv']['RU-TOM']")" "14" "a 1..2 peer is told the whole chain"
	is "$(field "$out" "[b['complete_to'] for b in j['batches']][-1]")" "14" "and served all of it"

	# Outbound: the node connects to a first-release peer; its first Hello
	# went out before it knew the version, so it says Hello again, cut.
	mk_node che RU-CHE
	pp2=$(free_port)
	$PEER keys "$T_TMP/old" --region RU-CHE --endpoint "tcp://127.0.0.1:$pp2" >/dev/null
	"$MF" -d "$T_TMP/tom" peer add "$T_TMP/old/peer.card" >/dev/null
	out=$($PEER serve "$T_TMP/old" --scenario good --timeout 3)
	is "$(field "$out" "j['node_protocol']")/$(field "$out" "j['node_protocol_max']")" "1/2" \
		"outbound to a v1 peer: the node's Hello says 1..2"
	is "$(nregion tom RU-CHE)" "4" "and the node pulls the v1 peer's records"
fi
kill -0 "$(cat "$T_TMP/tom/daemon.pid")"; ok $? "the node is still up at the end"
done_testing
