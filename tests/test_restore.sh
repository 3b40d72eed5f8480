#!/bin/sh
# Issue 12, failure 1: a region never reuses its own seq.  Node B (RU-CHE)
# is put back to an earlier backup while its peer A (RU-TOM) holds more of
# B's chain: B refuses local writes until it has its own chain back, then
# writes after the highest seq; no fork.  A store copied back by hand is
# caught when a peer reports more; a fork made anyway is shown on both
# nodes and `mentorfed fork adopt` is the way out.  doc/OPERATIONS.md.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 36

B="$T_TMP/b"
own_seq() { jget "$1" "j['version_vector'].get('RU-CHE', 0)"; }
recovering() { [ "$(jget "$1" "j['recovering']")" = "True" ]; }
not_recovering() { [ "$(jget "$1" "j['recovering']")" = "False" ]; }
forks() { jget "$1" "j['forks']"; }
nfork_logs() { grep -c 'FORK' "$T_TMP/$1/daemon.log"; }
# put_one NODE KEY: one school; prints the client's output (and its exit code).
put_one() {
	echo "{\"kind\":\"school\",\"key\":\"$2\",\"body\":{\"name\":\"School $2\",\"municipality\":\"Chel\"}}" |
		"$MF" -d "$T_TMP/$1" put >"$T_TMP/put.out" 2>&1
	_rc=$?
	echo "$(tr '\n' ' ' <"$T_TMP/put.out")exit=$_rc"
}
# restore_by_hand NODE FILE: the store file replaced without `restore`.
restore_by_hand() {
	rm -f "$T_TMP/$1/store.db-wal" "$T_TMP/$1/store.db-shm" &&
	cp "$2" "$T_TMP/$1/store.db"
}

mk_node a RU-TOM && mk_node b RU-CHE && link a b
ok $? "two nodes, A (RU-TOM) and B (RU-CHE), introduced to each other"
up a && up b && put_schools b 10 first && put_schools a 3 tom
wait_equal 20 a b
ok $? "B's first 10 records reach A"

# --- backup, online ----------------------------------------------------
out=$("$MF" -d "$B" backup "$T_TMP/b-10.db" 2>&1)
like "$out" "^backup written to $T_TMP/b-10.db \(own records to seq 10\)" "backup through the running daemon ($out)"
sqlite3 "$T_TMP/b-10.db" "PRAGMA integrity_check" 2>/dev/null | grep -qx ok
ok $? "the backup is a sound SQLite database"
"$MF" -d "$B" backup "$T_TMP/b-10.db" >/dev/null 2>&1
ok $(( $? == 0 )) "a backup never overwrites a file"

put_schools b 8 second
wait_for 20 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/a\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version_vector\"].get(\"RU-CHE\",0))')\" = 18 ]"
ok $? "A holds B's chain to seq 18"

# --- restore with A unreachable: writes refused until recovered ----------
down b && down a
out=$("$MF" -d "$B" restore "$T_TMP/b-10.db" 2>&1)
like "$out" "store of RU-CHE restored from .*b-10.db \(own records to seq 10\)" "restore puts the backup in place ($(echo "$out" | head -1))"
[ -f "$B/store.db.before-restore" ]; ok $? "the replaced store is kept as store.db.before-restore"
up b
is "$(own_seq b)" "10" "B started from the backup: its own chain ends at seq 10"
recovering b; ok $? "status: B is recovering"
out=$(put_one b during)
like "$out" "recovering its own records from peers after a restore" "put refused with the reason while A is unreachable"
like "$out" "exit=75" "... and exit 75 (EX_TEMPFAIL)"
"$MF" -d "$B" status | grep -q "RECOVERING own records from peers"
ok $? "status as text says RECOVERING"
out=$("$MF" -d "$B" fork show 2>&1)
like "$out" "writes refused +the node is recovering" "fork show: why writes are refused"
up a
wait_for 20 not_recovering b
ok $? "A back: B recovers its own chain and leaves recovery"
is "$(own_seq b)" "18" "B holds its own chain to seq 18 again"
out=$(put_one b after)
like "$out" "^1 changed, 0 unchanged \(seq 19\.\.19" "writes continue after the highest seq ($(echo "$out" | head -1))"
wait_equal 20 a b
ok $? "digests converge"
[ -n "$(digest a)" ]; ok $? "digests are not empty"
is "$(nregion a RU-CHE)" "19" "A holds all 19 of B's records"
is "$(nfork_logs a)/$(nfork_logs b)" "0/0" "no FORK logged on either node"
is "$(forks a)/$(forks b)" "0/0" "forks detected 0 on both"

# --- a store copied back by hand: the seal mark shows it went back -----
down b && down a
restore_by_hand b "$T_TMP/b-10.db"
up b
out=$(put_one b byhand)
like "$out" "store ends below the records it sealed.*exit=75" "a store copied back by hand, A down: put refused ($(echo "$out" | cut -c1-90)...)"
grep -q "holds its own records only to seq 10 but this node sealed them up to seq 19" "$B/daemon.log"
ok $? "the log says how far the store went back"
up a
wait_for 20 not_recovering b
ok $? "A back: B recovers"
is "$(own_seq b)/$(nfork_logs b)" "19/0" "B's chain back to seq 19, no fork"

# --- a fork made anyway, and the way out --------------------------------
# The whole data directory put back by hand (the seal mark too) while A is
# down: B cannot know, accepts writes (seq 11, 12 again), and forks its
# region; when A returns, B learns A holds more of its chain (to 19).
down b && down a
restore_by_hand b "$T_TMP/b-10.db" && rm -f "$B/store.db.sealed"
up b
put_one b forkx >/dev/null && put_one b forky >/dev/null
is "$(own_seq b)" "12" "B, copied back by hand with A down, sealed seq 11..12 again"
up a
wait_for 20 sh -c "[ \"\$(\"$MF\" -d \"$B\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"forks\"])')\" -ge 1 ]"
ok $? "B detects the fork of its own region"
wait_for 20 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/a\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"forks\"])')\" -ge 1 ]"
ok $? "A shows it too (forks detected $(forks a))"
out=$(put_one b forkz)
like "$out" "forked at seq 11.*exit=75" "B stops local writes: $(echo "$out" | head -1)"
out=$("$MF" -d "$B" fork show 2>&1)
like "$out" "FORKED at seq 11" "fork show names the seq"
out=$("$MF" -d "$B" fork adopt 2>&1)
like "$out" "^2 local-only record\(s\) from seq 11 saved to" "fork adopt saves B's 2 local-only records ($out)"
wait_for 20 sh -c "[ \"\$(\"$MF\" -d \"$B\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version_vector\"].get(\"RU-CHE\",0))')\" = 21 ]"
ok $? "B takes A's chain (to 19) and seals its 2 records again after it (to 21)"
wait_equal 20 a b
ok $? "digests converge after the fork"
ok $("$MF" -d "$T_TMP/a" export --region RU-CHE | grep -c '"School forky"' | grep -qx 1; echo $?) "B's local-only record reached A as a new version"
out=$(put_one b later)
like "$out" "^1 changed, 0 unchanged \(seq 22\.\.22" "writes continue after the adopted chain ($(echo "$out" | head -1))"
done_testing
