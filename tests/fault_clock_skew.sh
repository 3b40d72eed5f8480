#!/bin/sh
# Fault: clock skew of a year (issue 12, "faults as tests").  Needs
# libfaketime (Debian package faketime); skips (TAP "1..0 # SKIP") without
# it.
#
# Tomsk runs a year ahead (FAKETIME=+365d), then on the true clock, then a
# year behind (-365d); Chelyabinsk, its peer, on the true clock throughout.
# Sync does not look at wall clocks, so it must converge in every phase.
# HLC timestamps order versions for people: Tomsk's must show the skew
# (a year ahead), and never go back when its clock does, so that on both
# nodes the later write of a record still wins, and carries the larger
# HLC, after the clock jumped back by one and then by two years.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
. "$top_srcdir/tests/fault_lib.sh"

# libfaketime itself, preloaded through env(1) (which execs, so the pid is
# the daemon's; the faketime(1) wrapper forks and would not pass signals on)
FT_LIB=""
for l in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
	 /usr/local/lib/faketime/libfaketime.so.1; do
	[ -f "$l" ] && FT_LIB=$l && break
done
if [ -z "$FT_LIB" ]; then
	echo "1..0 # SKIP libfaketime is not installed (Debian package faketime)"
	exit 0
fi
# libfaketime is preloaded before the sanitizer runtime in an ASan build
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# timers (heartbeats, peer timeouts) run on the monotonic clock: skew only
# the wall clock, as a wrong system time does
export FAKETIME_DONT_FAKE_MONOTONIC=1
if [ "$(env LD_PRELOAD="$FT_LIB" FAKETIME=+365d date -u +%Y 2>"$T_TMP/faketime.err")" != "$(( $(date -u +%Y) + 1 ))" ]; then
	echo "1..0 # SKIP libfaketime does not work here: $(head -1 "$T_TMP/faketime.err")"
	exit 0
fi
plan 22
YEAR=$((365 * 86400 * 1000))

mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
tom=$T_TMP/tom che=$T_TMP/che

# hlc_ms NODE ID: the HLC of the node's version of ID, in ms (48 high bits).
hlc() { "$MF" --timeout 30 --json -d "$T_TMP/$1" get "$2" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["hlc"])' 2>/dev/null; }
# muni NODE ID: the municipality field of the node's version of ID.
muni() { "$MF" --timeout 30 --json -d "$T_TMP/$1" get "$2" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["municipality"])' 2>/dev/null; }
# write NODE KEY VERSION: put the school KEY with municipality VERSION.
write() { echo "{\"kind\":\"school\",\"key\":\"$2\",\"body\":{\"name\":\"School $2\",\"municipality\":\"$3\"}}" |
	timeout 60 "$MF" --timeout 50 -d "$T_TMP/$1" put 2>/dev/null | tail -1; }
# both_show ID VERSION: wait until both nodes hold VERSION of ID.
both_show() { wait_for 60 sh -c "[ \"\$(\"$MF\" --json -d \"$tom\" get $1 2>/dev/null | grep -c '\"$2\"')\" = 1 ] &&
	[ \"\$(\"$MF\" --json -d \"$che\" get $1 2>/dev/null | grep -c '\"$2\"')\" = 1 ]"; }
# links_up: each node shows its peer connected.
links_up() { [ "$(jget tom "[p['connected'] for p in j['sync']['peers']]")" = "[True]" ] &&
	[ "$(jget che "[p['connected'] for p in j['sync']['peers']]")" = "[True]" ]; }

# Phase 1: Tomsk a year ahead.
f_start "$tom" env LD_PRELOAD="$FT_LIB" FAKETIME=+365d && f_start "$che" && f_writable "$tom" && f_writable "$che"
ok $? "Tomsk up a year ahead (FAKETIME=+365d), Chelyabinsk on the true clock"
k=$(write tom k v1)
c=$(write che c w1)
like "$k/$c" "^RU-TOM:school:[0-9a-f]+/RU-CHE:school:[0-9a-f]+$" "both nodes accept writes"
h1=$(hlc tom "$k")
skew=$(( (h1 >> 16) - $(now_ms) ))
[ "$skew" -gt $((YEAR - 86400000)) ] && [ "$skew" -lt $((YEAR + 86400000)) ]
ok $? "Tomsk's HLC runs a year ahead ($(( (skew + 43200000) / 86400000 )) days)"
put_schools tom 200 a_ && put_schools che 200 b_
f_wait_equal 60 "$tom" "$che"
ok $? "a year ahead: equal digests (402 records)"
wait_for 10 links_up
ok $? "a year ahead: both links up"
write tom k v2 >/dev/null
h2=$(hlc tom "$k")
[ "$h2" -gt "$h1" ]; ok $? "a year ahead: the later write has the larger HLC"
both_show "$k" v2
ok $? "a year ahead: the later write of Tomsk's record wins on both nodes"
hc1=$(hlc che "$c")
write che c w2 >/dev/null
both_show "$c" w2
ok $? "a year ahead: the later write of Chelyabinsk's record wins on both nodes"

# Phase 2: Tomsk's clock goes back a year (restart on the true clock).
stop_node "$tom"
f_start "$tom" && f_writable "$tom"
ok $? "Tomsk restarted on the true clock (a year back)"
write tom k v3 >/dev/null
h3=$(hlc tom "$k")
[ "$h3" -gt "$h2" ]; ok $? "after the clock went back a year: the later write still has the larger HLC"
both_show "$k" v3
ok $? "after the clock went back a year: the later write wins on both nodes"
is "$(hlc che "$k")" "$h3" "Chelyabinsk holds Tomsk's version with Tomsk's HLC"
put_schools tom 100 c_ && put_schools che 100 d_
f_wait_equal 60 "$tom" "$che"
ok $? "true clock: equal digests (602 records)"

# Phase 3: Tomsk a year behind.
stop_node "$tom"
f_start "$tom" env LD_PRELOAD="$FT_LIB" FAKETIME=-365d && f_writable "$tom"
ok $? "Tomsk restarted a year behind (FAKETIME=-365d)"
write tom k v4 >/dev/null
h4=$(hlc tom "$k")
[ "$h4" -gt "$h3" ]; ok $? "after the clock went back two years: the later write still has the larger HLC"
both_show "$k" v4
ok $? "a year behind: the later write wins on both nodes"
put_schools tom 100 e_ && put_schools che 100 f_
write che c w3 >/dev/null
both_show "$c" w3
ok $? "a year behind: Chelyabinsk's later write wins on both nodes"
hc3=$(hlc che "$c")
[ "$hc3" -gt "$hc1" ]; ok $? "Chelyabinsk's own HLCs unaffected by Tomsk's skew (increasing)"
f_wait_equal 60 "$tom" "$che"
ok $? "a year behind: equal digests (802 records)"
wait_for 10 links_up
ok $? "a year behind: both links up"
diag "HLCs of Tomsk's record (ms): v1 $((h1 >> 16)), v2 $((h2 >> 16)), v3 $((h3 >> 16)), v4 $((h4 >> 16)); now $(now_ms)"
tail -1 "$tom/daemon.log" | grep -q "^$(( $(date -u +%Y) - 1 ))-"
ok $? "Tomsk's log shows it runs a year behind"
is "$(nrecords tom)/$(nrecords che)/$(f_forks "$tom" "$che")" "802/802/0" "802 records on both nodes, no fork"
done_testing
