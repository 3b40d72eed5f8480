#!/bin/sh
# A region's identity over years (doc/KEYS.md), three real nodes with a
# relay: Tomsk (tom) - Chelyabinsk (che) - Kurgan (kur); Kurgan peers only
# with Chelyabinsk and trusts Tomsk's card.  Tomsk is named at init and
# renamed later; it rotates its key while Kurgan is offline (Kurgan
# catches up across the rotation seq through the relay); restarts keep
# the keyring; a thief with the old key after the rotation is refused; a
# thief with the current key is refused after its revocation, and a block
# it got in before is flagged by verify and cut; Tomsk re-joins with a
# new key and card; the digests end equal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 48

# jkeys NODE EXPR: a value of `key list --json` (EXPR in Python on j)
jkeys() {
	"$MF" -d "$T_TMP/$1" key list --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($2)" 2>/dev/null
}
vv() { jget "$1" "j['version_vector'].get('$2', 0)"; }
# thief NAME KEYFILE: a copy of Tomsk's directory (Tomsk stopped) that
# signs with KEYFILE: the same region, endpoint and CURVE key.  Its
# background check is off: a thief's software does not check what it
# forges (ours would find the forgery and stop serving it).
thief() {
	rm -rf "$T_TMP/$1"
	cp -a "$T_TMP/tom" "$T_TMP/$1"
	rm -f "$T_TMP/$1/daemon.log" "$T_TMP/$1/control.sock"
	cp "$2" "$T_TMP/$1/signing.key"
	chmod 600 "$T_TMP/$1/signing.key"
	sed -i "s/^\[node\]\$/[node]\nscrub_rate = 0/" "$T_TMP/$1/mentorfed.conf"
}

_p=$(free_port)
"$MF" -d "$T_TMP/tom" init --region RU-TOM --name "Томская область" --listen "tcp://127.0.0.1:$_p" >/dev/null
ok $? "init --region RU-TOM --name «Томская область»"
sed -i "s/^\[node\]\$/[node]\nheartbeat_ms = 200\npeer_timeout_ms = 1000/" "$T_TMP/tom/mentorfed.conf"
"$MF" -d "$T_TMP/tom" card >"$T_TMP/tom.card"
is "$(grep '^name' "$T_TMP/tom.card")" "name = Томская область" "the card carries the name"
mk_node che RU-CHE && mk_node kur RU-KGN && link tom che && link che kur &&
	"$MF" -d "$T_TMP/kur" trust "$T_TMP/tom.card" >/dev/null
ok $? "Kurgan peers with Chelyabinsk only and trusts Tomsk's card"
is "$(grep -A3 '^\[region RU-TOM\]' "$T_TMP/kur/mentorfed.conf" | grep '^name')" "name = Томская область" \
	"the name reached Kurgan's config with the card"
orig=$(sed -n 's/^signing_key = //p' "$T_TMP/tom.card")

up tom && up che && up kur && put_schools tom 10 a && put_schools che 3 c
wait_equal 20 tom che kur
ok $? "three nodes converge through the relay"

# ---- rotation while Kurgan is offline
down kur
"$MF" -d "$T_TMP/tom" key rotate --reason "новый администратор" >"$T_TMP/rot.out"
ok $? "key rotate"
S=$("$MF" -d "$T_TMP/tom" list --kind region_key 2>/dev/null | python3 -c 'import json,sys
for l in sys.stdin:
    pass' ; sed -n 's/.* at seq \([0-9]*\),.*/\1/p' "$T_TMP/rot.out")
[ -n "$S" ] && [ "$S" -ge 11 ]; ok $? "the rotation record is at seq $S, after Tomsk's 10 records"
new=$(jget tom "j['signing_key']")
[ -n "$new" ] && [ "$new" != "$orig" ]; ok $? "status shows the new signing key"
[ -f "$T_TMP/tom/retired/signing-$S.key" ] && [ "$(stat -c %a "$T_TMP/tom/retired/signing-$S.key")" = 600 ]
ok $? "the old private key is kept in retired/signing-$S.key, mode 600"
is "$(grep -c "^key = $new from $((S + 1))\$" "$T_TMP/tom/mentorfed.conf")" "1" "Tomsk's config: the new key from seq $((S + 1))"
"$MF" -d "$T_TMP/tom" card >"$T_TMP/tom.card2"
is "$(sed -n 's/^signing_key = //p' "$T_TMP/tom.card2")/$(sed -n 's/^key = //p' "$T_TMP/tom.card2")" \
	"$orig/$new from $((S + 1))" "the card: the first key, then the new one with its seq"
put_schools tom 5 b
wait_equal 20 tom che
ok $? "records sealed with the new key reach Chelyabinsk"
is "$(vv che RU-TOM)" "$((S + 5))" "Chelyabinsk holds Tomsk's chain across the rotation"
is "$(jkeys che "[(k['from'], k['source']) for k in j['regions']['RU-TOM']['keys']]")" \
	"[(1, 'config'), ($((S + 1)), 'chain')]" "Chelyabinsk's keyring: the old key to $S, the chain's from $((S + 1))"
like "$(cat "$T_TMP/che/daemon.log")" "region RU-TOM rotated its signing key: key ${new%????????????????????????????????????????????????} in force from seq $((S + 1))" \
	"Chelyabinsk's log names the rotation"

up kur
wait_equal 20 tom che kur
ok $? "Kurgan, offline during the rotation, catches up across it through the relay"
is "$(jkeys kur "[(k['from'], k['source']) for k in j['regions']['RU-TOM']['keys']]")" \
	"[(1, 'config'), ($((S + 1)), 'chain')]" "Kurgan learned the new key from the chain (its config has the old one only)"

# ---- restarts keep the keyring
down che && down kur && up che && up kur
is "$(jkeys kur "len(j['regions']['RU-TOM']['keys'])")/$(jkeys che "len(j['regions']['RU-TOM']['keys'])")" "2/2" \
	"after restarts both keyrings hold both keys (config + stored record)"
down tom && up tom
put_schools tom 2 r
wait_equal 20 tom che kur
ok $? "after every node restarted, a new Tomsk record reaches Kurgan"
"$MF" -d "$T_TMP/che" verify >/dev/null 2>&1
ok $? "verify on Chelyabinsk: the whole chain checks, each block with its key"

# ---- a thief with the OLD key after the rotation
h=$(vv che RU-TOM)
down tom
thief thief1 "$T_TMP/tom/retired/signing-$S.key"
start_node "$T_TMP/thief1"
echo '{"kind":"school","key":"forged1","body":{"name":"Forged","municipality":"X"}}' | "$MF" -d "$T_TMP/thief1" put >/dev/null
ok $? "the thief (old key) seals a record at seq $((h + 1))"
wait_for 10 grep -q "signature does not verify against RU-TOM's key" "$T_TMP/che/daemon.log"
ok $? "Chelyabinsk refuses it: the old key does not verify past the rotation"
sleep 0.5
is "$(vv che RU-TOM)" "$h" "Chelyabinsk's chain of Tomsk did not move"
stop_node "$T_TMP/thief1"

# ---- renaming reaches the other regions
up tom
"$MF" -d "$T_TMP/tom" rename "Томская область (ТОИПКРО)" >/dev/null
ok $? "rename"
wait_for 10 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/kur\" key list 2>/dev/null | grep -c 'RU-TOM  «Томская область (ТОИПКРО)»')\" = 1 ]"
ok $? "Kurgan shows the new name (a signed record of Tomsk's, relayed)"
is "$(grep -c '^name = Томская область (ТОИПКРО)$' "$T_TMP/tom/mentorfed.conf")" "1" "Tomsk's config has the new name"
wait_equal 20 tom che kur
ok $? "converged after the rename"

# ---- the current key stolen: Kurgan revokes it, Chelyabinsk not yet
H=$(vv che RU-TOM)
"$MF" -d "$T_TMP/kur" trust --revoke "$T_TMP/tom.card2" --after "$H" >"$T_TMP/rev.out"
ok $? "trust --revoke CARD --after $H on Kurgan"
"$MF" -d "$T_TMP/kur" trust --revoke "$T_TMP/tom.card2" >/dev/null 2>&1
is "$?" "64" "--revoke without --after is a usage error"
is "$(jkeys kur "j['regions']['RU-TOM']['keys'][-1].get('revoked_after')")" "$H" "Kurgan's keyring: the key revoked after $H"
down tom
thief thief2 "$T_TMP/tom/signing.key"
start_node "$T_TMP/thief2"
echo '{"kind":"school","key":"forged2","body":{"name":"Forged 2","municipality":"X"}}' | "$MF" -d "$T_TMP/thief2" put >/dev/null
ok $? "the thief (current key) seals seq $((H + 1))"
wait_for 10 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/che\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version_vector\"][\"RU-TOM\"])')\" = $((H + 1)) ]"
ok $? "Chelyabinsk, not revoked yet, takes it"
wait_for 10 grep -q "refused a block signed by a revoked key: region RU-TOM, key ${new%????????????????????????????????????????????????} (revoked after seq $H), block seq $((H + 1))" "$T_TMP/kur/daemon.log"
ok $? "Kurgan refuses it from the relay; the log names region, key and seq"
is "$(vv kur RU-TOM)" "$H" "Kurgan's chain of Tomsk stops at $H"
r=$(jkeys kur "j['refused']['revoked_refused']"); [ "${r:-0}" -ge 1 ]
ok $? "Kurgan counts the refusal ($r)"
stop_node "$T_TMP/thief2"

# Chelyabinsk revokes too: verify flags what it stored past the point
"$MF" -d "$T_TMP/che" trust --revoke "$T_TMP/tom.card2" --after "$H" >/dev/null
"$MF" -d "$T_TMP/che" verify >"$T_TMP/verify.out" 2>&1
is "$?" "65" "verify on Chelyabinsk finds the stored block past $H"
like "$(cat "$T_TMP/verify.out")" "signed by revoked key" "verify says why: signed by the revoked key"
wait_for 10 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/che\" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version_vector\"][\"RU-TOM\"])')\" = $H ]"
ok $? "the flagged block is cut (like damage of another region's chain)"
"$MF" -d "$T_TMP/che" verify >/dev/null 2>&1
ok $? "verify is clean again after the cut"

# ---- re-join: Tomsk replaces its key, the regions trust the new card
up tom
"$MF" -d "$T_TMP/tom" key replace >"$T_TMP/repl.out"
ok $? "key replace on Tomsk"
"$MF" -d "$T_TMP/tom" card >"$T_TMP/tom.card3"
new2=$(jget tom "j['signing_key']")
is "$(grep -c "^key = $new2 from $((H + 1))\$" "$T_TMP/tom.card3")/$(grep -c "^revoke = $new after $H\$" "$T_TMP/tom.card3")" "1/1" \
	"the new card: the new key from $((H + 1)), the old revoked after $H"
"$MF" -d "$T_TMP/che" trust "$T_TMP/tom.card3" >/dev/null && "$MF" -d "$T_TMP/kur" trust "$T_TMP/tom.card3" >/dev/null
ok $? "Chelyabinsk and Kurgan trust the new card"
# Kurgan refused RU-TOM from Chelyabinsk above and backs off that (peer,
# origin) for 30 s; the reload that `trust` makes lifts the back-off, so no
# restart is needed (and 20 s are less than the 30 s back-off).
put_schools tom 3 n
wait_equal 20 tom che kur
ok $? "Tomsk's records under the new key reach both, through the relay too"
is "$(vv kur RU-TOM)" "$((H + 3))" "Kurgan holds Tomsk's chain to $((H + 3))"
is "$("$MF" -d "$T_TMP/kur" list --region RU-TOM 2>/dev/null | grep -c 'Forged')" "0" "no forged record anywhere on Kurgan"
is "$("$MF" -d "$T_TMP/che" list --region RU-TOM 2>/dev/null | grep -c 'Forged')" "0" "nor on Chelyabinsk"
d=$(digest tom)
[ -n "$d" ] && [ "$d" = "$(digest che)" ] && [ "$d" = "$(digest kur)" ]
ok $? "digests equal and non-empty at the end ($d)"
echo '{"kind":"region_key","key":"x","body":{}}' | "$MF" -d "$T_TMP/tom" put >/dev/null 2>&1
is "$?" "65" "a region_key record cannot be written by put"

done_testing
