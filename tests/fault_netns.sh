#!/bin/sh
# Fault: a network partition between two nodes in two network namespaces
# (issue 12, "faults as tests").  Needs root and `ip netns`; skips (TAP
# "1..0 # SKIP") otherwise.
#
# Tomsk runs in one namespace, Chelyabinsk in another, joined by a veth
# pair (10.231.0.1 <-> 10.231.0.2); their control sockets are files, so
# the client reaches them from here.  Twice the link is cut while both
# sides write, then healed: first by taking the link down (both ends see
# it), then by a blackhole route on both sides (packets vanish, TCP sees
# nothing: only the heartbeats tell).  Each time nothing crosses while cut,
# both sides show the peer disconnected, writes go on on both sides, and
# after the heal both converge with every record.  The namespaces (and the
# veth pair with them) are removed even when the test fails.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
. "$top_srcdir/tests/fault_lib.sh"

NA=mfr5a$$ NB=mfr5b$$ VA=mfva$$ VB=mfvb$$
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP network namespaces need root"
	exit 0
fi
if ! ip netns add "$NA" 2>"$T_TMP/netns.err"; then
	echo "1..0 # SKIP ip netns add is not permitted here: $(head -1 "$T_TMP/netns.err")"
	exit 0
fi
f_undo "ip netns del $NA"
plan 15
ip netns add "$NB" && f_undo "ip netns del $NB" &&
	ip link add "$VA" type veth peer name "$VB" && f_undo "ip link del $VA" &&
	ip link set "$VA" netns "$NA" && ip link set "$VB" netns "$NB" &&
	ip -n "$NA" addr add 10.231.0.1/30 dev "$VA" && ip -n "$NB" addr add 10.231.0.2/30 dev "$VB" &&
	ip -n "$NA" link set lo up && ip -n "$NB" link set lo up &&
	ip -n "$NA" link set "$VA" up && ip -n "$NB" link set "$VB" up
ok $? "two namespaces joined by a veth pair"

tom=$T_TMP/tom che=$T_TMP/che
f_mk_node "$tom" RU-TOM tcp://10.231.0.1:7700 && f_mk_node "$che" RU-CHE tcp://10.231.0.2:7700 &&
	"$MF" -d "$tom" peer add "$che.card" >/dev/null && "$MF" -d "$che" peer add "$tom.card" >/dev/null
f_start "$tom" ip netns exec "$NA" && f_start "$che" ip netns exec "$NB" &&
	f_writable "$tom" && f_writable "$che"
ok $? "Tomsk in $NA, Chelyabinsk in $NB"
put_schools tom 100 t0_ && put_schools che 100 c0_
f_wait_equal 60 "$tom" "$che"
ok $? "linked across the namespaces: equal digests (200 records)"
# each daemon really runs in its namespace
ip netns pids "$NA" | grep -qx "$(cat "$tom/daemon.pid")" && ip netns pids "$NB" | grep -qx "$(cat "$che/daemon.pid")"
ok $? "each daemon runs inside its own namespace"

both_down() {
	[ "$(jget tom "[p['connected'] for p in j['sync']['peers']]")" = "[False]" ] &&
		[ "$(jget che "[p['connected'] for p in j['sync']['peers']]")" = "[False]" ]
}

# partition ROUND CUT HEAL HELD: cut the link, write on both sides, check
# that each side still holds HELD of the other's (as "TOM/CHE"), heal,
# converge.
partition() {
	eval "$2"
	put_schools tom 200 "t$1_" && put_schools che 150 "c$1_"
	ok $? "round $1: both sides accept writes while cut"
	wait_for 15 both_down
	ok $? "round $1: both sides show the peer disconnected"
	is "$(nregion che RU-TOM)/$(nregion tom RU-CHE)" "$4" "round $1: nothing crossed while cut"
	eval "$3"
	t=$(now_ms)
	f_wait_equal 90 "$tom" "$che"
	ok $? "round $1: healed, equal digests"
	diag "round $1: converged $(( $(now_ms) - t )) ms after the heal"
}

# Round 1: the link goes down (both ends see the carrier drop).
partition 1 "ip -n $NA link set $VA down" "ip -n $NA link set $VA up" 100/100
is "$(nregion che RU-TOM)/$(nregion tom RU-CHE)" "300/250" "round 1: every record crossed after the heal"
# Round 2: packets vanish silently both ways (blackhole routes); the link
# and the TCP connections stay up.
partition 2 "ip -n $NA route add blackhole 10.231.0.2/32 && ip -n $NB route add blackhole 10.231.0.1/32" \
	"ip -n $NA route del blackhole 10.231.0.2/32 && ip -n $NB route del blackhole 10.231.0.1/32" 300/250
is "$(nregion che RU-TOM)/$(nregion tom RU-CHE)" "500/400" "round 2: every record crossed after the heal"
is "$(f_forks "$tom" "$che")" "0" "no FORK logged or counted"
done_testing
