#!/bin/sh
# test_cli.sh — the node end to end through the client: init, daemon,
# put/get/list/delete/export/digest, bad input of every kind, a second
# daemon, clean stop.
. "${top_srcdir:-.}/tests/lib.sh"
plan 54

N="$T_TMP/tom"
"$MF" -d "$N" init --region RU-TOM >/dev/null; ok $? "init creates a node"
m=$(stat -c %a "$N/signing.key")$(stat -c %a "$N/curve.key")$(stat -c %a "$N")
is "$m" "600600700" "secret key files are 0600 and the directory 0700"
"$MF" -d "$N" init --region RU-TOM >/dev/null 2>&1; is $? 73 "init on an existing node refuses (EX_CANTCREAT)"
"$MF" -d "$T_TMP/bad" init --region tomsk >/dev/null 2>&1; is $? 73 "init with a bad region code fails"
"$MF" -d "$N" status >/dev/null 2>&1; is $? 69 "status without a daemon: EX_UNAVAILABLE"

start_node "$N"; ok $? "mentorfedd starts"
"$MFD" -d "$N" -f >"$T_TMP/second.log" 2>&1; rc=$?
is $rc 75 "a second daemon on the same directory exits EX_TEMPFAIL"
like "$(cat "$T_TMP/second.log")" "another mentorfedd is running" "and says why"
s=$(stat -c %a "$N/control.sock"); is "$s" 600 "control socket is owner-only"

out=$(echo '{"kind":"school","key":"МАОУ СОШ № 14|г. Томск","body":{"name":"МАОУ СОШ № 14","municipality":"г. Томск","memberships":[{"body":"Наставническая лига Томской области","since":"2025-01-22"}]}}' | "$MF" -d "$N" put)
ok $? "put one record from stdin"
ID=$(printf '%s\n' "$out" | tail -1)
like "$ID" '^RU-TOM:school:[0-9a-f]{16}$' "put prints the derived id"
"$MF" -d "$N" get "$ID" > "$T_TMP/get.json"; ok $? "get the record"
like "$(cat "$T_TMP/get.json")" '"municipality": "г. Томск"' "get returns the body as written"
like "$(cat "$T_TMP/get.json")" '"seq": 1' "first version has seq 1"

cat > "$T_TMP/recs.jsonl" <<J
{"kind":"roadmap_item","key":"plan-1","body":{"number":"1","title":"Вебинар","timing":{"raw":"Февраль","intervals":[{"from":"2025-02-01","to":"2025-02-28"}]},"lead":"ТОИПКРО"}}

{"kind":"competency_card","key":"card-14","body":{"school_id":"$ID","directions":["knowledge","career_guidance"],"offers":["internship"]}}
{"kind":"target","key":"t1","body":{"indicator":"доля ОО","value":75,"unit":"%","deadline":"2023-01-01","forms":["teacher_student","student_student"]}}
J
"$MF" -d "$N" put "$T_TMP/recs.jsonl" >/dev/null; ok $? "put JSON lines from a file"
n=$("$MF" -d "$N" --json list | grep -c '"id"'); is "$n" 4 "list shows 4 records"
n=$("$MF" -d "$N" --json list --kind target | grep -c '"id"'); is "$n" 1 "list --kind filters"
n=$("$MF" -d "$N" --json list --region RU-CHE | grep -c '"id"'); is "$n" 0 "list --region filters"
"$MF" -d "$N" list | head -1 | grep -q '^ID  *KIND  *ORIGIN  *SEQ'; ok $? "list prints a table with a header"

D1=$("$MF" -d "$N" digest)
like "$D1" '^[0-9a-f]{64}$' "digest prints the hash alone"
"$MF" -d "$N" put "$T_TMP/recs.jsonl" > "$T_TMP/again.txt"; ok $? "re-put the same records"
like "$(cat "$T_TMP/again.txt")" '^0 changed, 3 unchanged' "re-put creates no versions"
is "$("$MF" -d "$N" digest)" "$D1" "digest unchanged by an idempotent put"

"$MF" -d "$N" export > "$T_TMP/export.jsonl"; ok $? "export"
is "$(wc -l < "$T_TMP/export.jsonl" | tr -d ' ')" 4 "export writes one line per record"
"$MF" -d "$N" put "$T_TMP/export.jsonl" > "$T_TMP/back.txt"; ok $? "put accepts export's output back"
like "$(cat "$T_TMP/back.txt")" '^0 changed, 4 unchanged' "and it changes nothing"

# bad input: each refused with a clear error and nothing stored
printf '{"kind":"school","key":"a","body":{"name":"x"}}\n{"kind":"school","key":"b","body":{"name":\n' > "$T_TMP/bad1.jsonl"
err=$("$MF" -d "$N" put "$T_TMP/bad1.jsonl" 2>&1); rc=$?
is $rc 65 "malformed JSON line: EX_DATAERR"
like "$err" "bad1.jsonl:2:" "error names the file and line"
printf '{"kind":"school","key":"a","body":{"name":"x"}}\n{"kind":"schoool","key":"b","body":{}}\n' > "$T_TMP/bad2.jsonl"
err=$("$MF" -d "$N" put "$T_TMP/bad2.jsonl" 2>&1)
like "$err" "bad2.jsonl:2: .*unknown kind 'schoool'" "unknown kind names line and kind"
printf '{"kind":"school","key":"a","body":{"name":"x","colour":"red"}}\n' > "$T_TMP/bad3.jsonl"
err=$("$MF" -d "$N" put "$T_TMP/bad3.jsonl" 2>&1)
like "$err" "body.colour: unknown field" "unknown field named with its path"
printf '{"kind":"competency_card","key":"c","body":{"directions":["cooking"]}}\n' > "$T_TMP/bad4.jsonl"
err=$("$MF" -d "$N" put "$T_TMP/bad4.jsonl" 2>&1)
like "$err" "'cooking' is not one of: knowledge" "bad enum value lists the valid ones"
printf '{"kind":"school","id":"RU-CHE:school:abc","body":{"name":"x"}}\n' > "$T_TMP/bad5.jsonl"
err=$("$MF" -d "$N" put "$T_TMP/bad5.jsonl" 2>&1)
like "$err" "belongs to another region" "a record of another region is refused"
"$MF" -d "$N" delete RU-TOM:school:ffffffffffffffff >/dev/null 2>&1; is $? 65 "deleting a missing record fails"
is "$("$MF" -d "$N" digest)" "$D1" "no bad input changed the store"

"$MF" -d "$N" delete "$ID" >/dev/null; ok $? "delete writes a tombstone"
n=$("$MF" -d "$N" --json list | grep -c '"id"'); is "$n" 3 "deleted record leaves list"
"$MF" -d "$N" get "$ID" | grep -q '"deleted": true'; ok $? "get shows the tombstone"
D2=$("$MF" -d "$N" digest)

for v in init status put get list delete export digest card peer trust import plugin roadmap reload stop; do
	"$MF" "$v" --help >/dev/null 2>&1 || { echo "# $v --help failed"; false; } || break
done
ok $? "every verb has --help"

stop_node "$N"; is $? 0 "SIGTERM stops the daemon with status 0"
start_node "$N"; ok $? "restart"
is "$("$MF" -d "$N" digest)" "$D2" "records survive the restart"
stop_node "$N"

# an unreadable/exposed key and a corrupt store are refused at start
chmod 644 "$N/signing.key"
"$MFD" -d "$N" -f >"$T_TMP/key.log" 2>&1; rc=$?
chmod 600 "$N/signing.key"
like "$(cat "$T_TMP/key.log")" "signing.key: signing key is readable by others" "a key readable by others is refused (exit $rc)"
C="$T_TMP/corrupt"
"$MF" -d "$C" init --region RU-CHE >/dev/null
head -c 8192 /dev/urandom > "$C/store.db"
"$MFD" -d "$C" -f >"$T_TMP/corrupt.log" 2>&1; rc=$?
is $rc 78 "a corrupt store: EX_CONFIG"
like "$(cat "$T_TMP/corrupt.log")" "store.db: (file is not a database|not an SQLite database)" "and the error names the file"
F="$T_TMP/foreign"
"$MF" -d "$F" init --region RU-CHE >/dev/null
cp "$N/store.db" "$F/store.db"
"$MFD" -d "$F" -f >"$T_TMP/foreign.log" 2>&1
like "$(cat "$T_TMP/foreign.log")" "belongs to region RU-TOM, not RU-CHE" "another region's store is refused"
# a daemon that holds the lock but never answers, then goes away
( flock -x 9; sleep 1.5 ) 9>"$N/mentorfedd.lock" &
holder=$!
sleep 0.3
"$MF" -d "$N" status >"$T_TMP/dead.log" 2>&1; rc=$?
wait "$holder"
like "$rc:$(cat "$T_TMP/dead.log")" "^69:.*stopped without answering" "a daemon that dies mid-request is reported, not waited on"

# identity cards: errors name the file and line; a card as an operator may
# edit it (indented, CRLF, long comments, a long official name) is read
P="$T_TMP/che"
"$MF" -d "$P" init --region RU-CHE >/dev/null
"$MF" -d "$N" card > "$T_TMP/tom.card"
printf '# a card\n\nregion = RU-TOM\nsigning_key\n' > "$T_TMP/bad1.card"
err=$("$MF" -d "$P" trust "$T_TMP/bad1.card" 2>&1); rc=$?
like "$rc:$err" "^65:.*bad1.card:4: expected KEY = VALUE" "a card line without '=' is refused at its line"
sed 's/^name = .*/colour = red/' "$T_TMP/tom.card" > "$T_TMP/bad2.card"
err=$("$MF" -d "$P" trust "$T_TMP/bad2.card" 2>&1)
like "$err" "bad2.card:4: unknown key 'colour' \(expected region, name, endpoint, signing_key, curve_key\)" "an unknown key names the expected ones"
grep -v '^region' "$T_TMP/tom.card" > "$T_TMP/bad3.card"
err=$("$MF" -d "$P" trust "$T_TMP/bad3.card" 2>&1)
like "$err" "bad3.card: region missing or not an ISO 3166-2 code" "a card without a region is refused"
sed 's/^signing_key = .*/signing_key = 12ab/' "$T_TMP/tom.card" > "$T_TMP/bad4.card"
err=$("$MF" -d "$P" peer add --endpoint tcp://127.0.0.1:1 "$T_TMP/bad4.card" 2>&1); rc=$?
like "$rc:$err" "^65:.*bad4.card: signing_key missing or not 64 hex digits" "a bad signing key is refused"
long="Томское областное государственное бюджетное учреждение дополнительного профессионального образования «Томский областной институт повышения квалификации»"
sed -e "1s/^#.*/# $long $long/" -e "s/^name = .*/  name = $long/" -e 's/^signing_key/\tsigning_key/' -e 's/$/\r/' "$T_TMP/tom.card" > "$T_TMP/ok.card"
"$MF" -d "$P" trust "$T_TMP/ok.card" >/dev/null; ok $? "an indented CRLF card with a long name is read"
grep -qF "name = $long" "$P/mentorfed.conf"; ok $? "and the long name is kept whole"
is "$(grep -c '^\[region RU-TOM\]' "$P/mentorfed.conf")" 1 "no card error wrote to the config"
done_testing
