#!/bin/sh
# Upgrades (issue 15, point 6): the data directory of a Tomsk node made by
# the previous release (tests/data/upgrade/RELEASE, made by
# tests/make_upgrade_fixture.sh with that release's code) opens with this
# release — migrated if the schema moved — with every record, verifies,
# writes on, and syncs with a new node of this release.  A store of a
# newer release (user_version above ours) is refused with what to do,
# nothing written.  With MF_OLD_BUILD=DIR (a build of the previous release,
# as tests/make_upgrade_fixture.sh makes one) a node running the old code
# also syncs with one of this release, and is held back, not refused, at
# a key rotation it cannot read (doc/PROTOCOL.md, "Versions between
# releases"); without it those checks are skipped.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 26

FIX="$top_srcdir/tests/data/upgrade/0.1.0"
exp() { sed -n "s/^$1=//p" "$FIX/expected"; }
uv() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$1"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

# copy_fixture DIR: the old node's directory as an administrator would
# find it after installing the new release: same files, its own port, no
# peers (the old RU-CHE node of the fixture is gone).  Files in git lose
# their modes: the keys and config are the node's secrets again.
copy_fixture() {
	mkdir -p "$1" && cp "$FIX"/tom/* "$1/" && chmod 700 "$1" &&
	chmod 600 "$1"/*.key "$1/mentorfed.conf" &&
	python3 - "$1/mentorfed.conf" "$(free_port)" <<'P'
import re, sys
path, port = sys.argv[1], sys.argv[2]
out, skip = [], False
for line in open(path):
    if line.startswith("["):
        skip = line.startswith("[peer ")
    if skip:
        continue
    if line.startswith("listen ="):
        line = "listen = tcp://127.0.0.1:%s\n" % port
    out.append(line)
    if line.strip() == "[node]":
        out.append("heartbeat_ms = 200\npeer_timeout_ms = 1000\n")
open(path, "w").write("".join(out))
P
}

[ -s "$FIX/tom/store.db" ] && [ -n "$(exp digest)" ]
ok $? "the fixture of release $(exp release) is there (commit $(exp commit))"
copy_fixture "$T_TMP/tom"
is "$(uv "$T_TMP/tom/store.db")" "$(exp user_version)" "its store has the old schema ($(exp user_version))"

up tom
ok $? "this release starts on the old data directory"
ours=$(uv "$T_TMP/tom/store.db")
[ "$ours" -ge "$(exp user_version)" ]; ok $? "the schema is ours now ($ours; migrations ran if it moved)"
is "$(nrecords tom)" "$(exp records)" "every record is there ($(exp records))"
is "$(nregion tom RU-TOM)/$(nregion tom RU-CHE)" "$(exp records_RU-TOM)/$(exp records_RU-CHE)" \
	"Tomsk's own and Chelyabinsk's synced records"
D=$(digest tom)
is "$D" "$(exp digest)" "the digest is the one the old release reported"
[ -n "$D" ]; ok $? "(and not empty)"
"$MF" -d "$T_TMP/tom" verify >"$T_TMP/verify.out" 2>&1
ok $? "verify passes on the migrated store"
is "$(jget tom "j['version_vector']['RU-TOM']")/$(jget tom "j['version_vector']['RU-CHE']")" \
	"$(exp held | sed 's/.*RU-TOM=\([0-9]*\).*/\1/')/$(exp held | sed 's/.*RU-CHE=\([0-9]*\).*/\1/')" \
	"the chains are held as far as before"

# Writing on: the old chain goes on under the new release.
echo '{"kind":"school","key":"after-upgrade","body":{"name":"Школа после обновления","municipality":"г. Томск"}}' |
	"$MF" -d "$T_TMP/tom" put >/dev/null
ok $? "a put after the upgrade"

# A new node of this release (a third region) syncs with it.
"$MF" -d "$T_TMP/tom" card >"$T_TMP/tom.card"
mk_node nvs RU-NVS && link tom nvs && "$MF" -d "$T_TMP/nvs" trust "$FIX/che.card" >/dev/null
ok $? "a new node RU-NVS peers with it and trusts RU-CHE's card"
"$MF" -d "$T_TMP/tom" reload >/dev/null 2>&1
up nvs && put_schools nvs 5 n
wait_equal 30 tom nvs
ok $? "they converge: equal digests"
D2=$(digest nvs)
[ -n "$D2" ] && [ "$D2" != "$D" ]; ok $? "(not empty, and moved on from the old one)"
is "$(nregion nvs RU-TOM)/$(nregion nvs RU-CHE)" "$(($(exp records_RU-TOM) + 1))/$(exp records_RU-CHE)" \
	"the new node holds the old node's records and what it relayed from RU-CHE"
is "$(nregion tom RU-NVS)" "5" "and the upgraded node the new node's"
is "$(counter nvs rejected)" "0" "nothing rejected"
"$MF" -d "$T_TMP/nvs" verify >/dev/null 2>&1
ok $? "verify passes on the new node"
down tom

# A store of a newer release: refused, nothing written.
copy_fixture "$T_TMP/newer"
newer=$((ours + 1))
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version=%d" % int(sys.argv[2])); c.commit(); c.close()' \
	"$T_TMP/newer/store.db" "$newer"
before=$(sum "$T_TMP/newer/store.db")
err=$(timeout 20 "$MFD" -d "$T_TMP/newer" -f 2>&1); rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ]; ok $? "a store with schema $newer (ours is $ours) is refused (exit $rc)"
like "$err" "schema version $newer is newer than this mentorfed knows \($ours\)" "the message says the store is newer"
like "$err" "install that release .*or restore a backup made with this release" "... and what to do"
[ "$(sum "$T_TMP/newer/store.db")" = "$before" ] && [ ! -e "$T_TMP/newer/store.db-wal" ] &&
	[ "$(uv "$T_TMP/newer/store.db")" = "$newer" ]
ok $? "nothing written to it"

# An old node and a new one, live (only with MF_OLD_BUILD).
OLD=${MF_OLD_BUILD:-}
if [ -z "$OLD" ] || [ ! -x "$OLD/mentorfedd" ]; then
	for i in 1 2 3 4; do ok 0 "# SKIP MF_OLD_BUILD not set: no node of the previous release to run"; done
else
	NEWMF=$MF; NEWMFD=$MFD
	MF=$OLD/mentorfed; MFD=$OLD/mentorfedd
	mk_node old RU-OMS && up old && put_schools old 4 o
	MF=$NEWMF; MFD=$NEWMFD
	mk_node new RU-KEM && link new old && up new && put_schools new 5 k
	wait_equal 30 new old && [ -n "$(digest new)" ]
	ok $? "a node of release $(exp release) and one of this release converge"
	"$MF" -d "$T_TMP/new" key rotate --reason "upgrade test" >/dev/null 2>&1
	put_schools new 2 k2
	wait_for 10 grep -q "speaks protocol version 1 only: blocks of RU-KEM after seq 5" "$T_TMP/new/daemon.log"
	ok $? "after a key rotation the new node holds RU-KEM back from the old one, and says why"
	sleep 1
	is "$(MF=$OLD/mentorfed jget old "j['version_vector']['RU-KEM']")" "5" \
		"the old node stays at the block before the rotation"
	is "$(MF=$OLD/mentorfed counter old rejected)" "0" "and rejected nothing"
fi
done_testing
