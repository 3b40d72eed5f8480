#!/bin/sh
# A three-node chain Tomsk <-> hub <-> Chelyabinsk with relay; a partition
# (the hub stopped while both ends write) and convergence; disaster
# recovery of a node whose store files are deleted.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 12

mk_node tom RU-TOM && mk_node hub RU-NSK && mk_node che RU-CHE
link tom hub && link hub che
# The ends trust each other's keys without a direct link (relayed records).
"$MF" -d "$T_TMP/tom" trust "$T_TMP/che.card" >/dev/null
"$MF" -d "$T_TMP/che" trust "$T_TMP/tom.card" >/dev/null
up tom && up hub && up che
put_schools tom 300 t; put_schools che 200 c; put_schools hub 10 h
wait_equal 30 tom hub che
ok $? "chain with relay: all three equal"
is "$(nregion che RU-TOM)/$(nregion tom RU-CHE)" "300/200" "Tomsk's records reached Chelyabinsk through the hub and back"
is "$(jget che "[p['name'] for p in j['sync']['peers']]")" "['RU-NSK']" "Chelyabinsk has no direct link to Tomsk"

# Partition: the hub is down while both ends keep writing.
down hub
put_schools tom 100 tp; put_schools che 150 cp
sleep 1
is "$(nregion che RU-TOM)" "300" "during the partition nothing crosses"
is "$(jget che "[p['connected'] for p in j['sync']['peers']]")" "[False]" "status shows the hub disconnected"
up hub
wait_equal 30 tom hub che
ok $? "after the partition heals: all three equal"
is "$(nrecords tom)" "760" "760 records everywhere (310 + 200 + 250 new)"

# Disaster recovery: Tomsk loses its store; keys and config stay.
seq_before=$(jget hub "j['version_vector']['RU-TOM']")
down tom
rm -f "$T_TMP/tom/store.db" "$T_TMP/tom/store.db-wal" "$T_TMP/tom/store.db-shm"
up tom
wait_equal 30 tom hub che
ok $? "after losing its store Tomsk recovers everything from its peer"
is "$(nregion tom RU-TOM)" "400" "its own 400 records are back"
wait_for 10 sh -c "! \"$MF\" -d \"$T_TMP/tom\" status --json | grep -q '\"recovering\": true'"
echo '{"kind":"school","key":"after-recovery","body":{"name":"After","municipality":"Tomsk"}}' | "$MF" -d "$T_TMP/tom" put >"$T_TMP/put.out" 2>&1
like "$(cat "$T_TMP/put.out")" "seq $((seq_before + 1))\.\.$((seq_before + 1))" "the next local write continues after the highest seq peers hold ($seq_before)"
wait_equal 20 tom hub che
ok $? "the new record reaches the others: no fork, all equal"
is "$(jget che "j['forks']")" "0" "no fork evidence anywhere"
done_testing
