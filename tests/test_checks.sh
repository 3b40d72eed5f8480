#!/bin/sh
# test_checks.sh — issue 11, items 1 and 4: nothing wrong gets signed, and
# a refusal helps.  Two real nodes, Chelyabinsk and Tomsk.  Every row of
# the issue's table that is about checks, and the boundaries around each,
# is one `row` line below: the command, the exit code and the message it
# must give; a refused row must also leave the node's digest as it was
# (and non-empty).  Then a reference that arrives later by sync: refused
# before, accepted after.  Then Russian terms wherever an identifier goes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"

CHE="$T_TMP/che"; TOM="$T_TMP/tom"
mk_node che RU-CHE && mk_node tom RU-TOM
ok $? "two nodes created (not yet introduced)"
up che && up tom
ok $? "both start"

# putj NODE JSON: one record through `put`.
putj() { printf '%s\n' "$2" | "$MF" -d "$1" put; }
# id of the last line `put` printed
put_id() { printf '%s\n' "$2" | "$MF" -d "$1" put | tail -1; }

# row NODE RC REGEX DESCRIPTION -- COMMAND...: run it, check the exit code
# and the message (stdout and stderr); when refused, the digest of NODE is
# unchanged and not empty.
row() {
	_node=$1 _rc=$2 _re=$3 _desc=$4
	shift 5
	_before=$("$MF" -d "$_node" digest 2>/dev/null)
	_out=$("$@" 2>&1)
	_got=$?
	is "$_got" "$_rc" "$_desc: exit $_rc"
	like "$_out" "$_re" "$_desc: says why"
	if [ "$_rc" -ne 0 ]; then
		_after=$("$MF" -d "$_node" digest 2>/dev/null)
		[ -n "$_before" ] && [ "$_before" = "$_after" ]
		ok $? "$_desc: nothing stored (digest ${_after%"${_after#????????}"}… unchanged)"
	fi
}

# -- setup: schools of both regions, not yet synced
S=$(put_id "$CHE" '{"kind":"school","key":"S","body":{"name":"МАОУ «Лицей № 31 г. Челябинска»","region":"RU-CHE"}}')
S2=$(put_id "$CHE" '{"kind":"school","key":"S2","body":{"name":"МБОУ «СОШ № 5 г. Копейска»"}}')
T=$(put_id "$TOM" '{"kind":"school","key":"T","body":{"name":"МАОУ СОШ № 14 г. Томска","region":"RU-TOM"}}')
like "$S $S2 $T" "^RU-CHE:school:[0-9a-f]{16} RU-CHE:school:[0-9a-f]{16} RU-TOM:school:[0-9a-f]{16}$" "setup: three schools"

# -- a reference that arrives later by sync
row "$CHE" 65 "mentor_school_id: no school $T on this node \(not received from RU-TOM yet: has it synced\?\)" \
	"a Tomsk mentor not yet synced" -- \
	"$MF" -d "$CHE" put <<J
{"kind":"mentoring_pair","key":"early","body":{"mentor_school_id":"$T","mentee_school_id":"$S","start_date":"2025-09-01","state":"proposed"}}
J
link che tom
wait_for 20 sh -c "\"$MF\" -d \"$CHE\" get '$T' >/dev/null 2>&1"
ok $? "the Tomsk school arrives by sync"
row "$CHE" 0 "^1 changed" "the same pair once the mentor's school is held" -- \
	"$MF" -d "$CHE" put <<J
{"kind":"mentoring_pair","key":"early","body":{"mentor_school_id":"$T","mentee_school_id":"$S","start_date":"2025-09-01","state":"proposed"}}
J

# -- dates: one reader, calendar-valid
ev() { printf '{"kind":"event","key":"%s","body":{"type":"webinar","title":"Вебинар","date":"%s"}}\n' "$1" "$2" | "$MF" -d "$CHE" put; }
row "$CHE" 65 "body\.date: 31\.02\.2025: February 2025 has 28 days" "event date 31.02.2025" -- ev e1 31.02.2025
row "$CHE" 65 "body\.date: 2025-02-31: February 2025 has 28 days" "event date 2025-02-31" -- ev e1 2025-02-31
row "$CHE" 65 "body\.date: 2025-13-01: there is no month 13" "event date 2025-13-01" -- ev e1 2025-13-01
row "$CHE" 65 "body\.date: 29\.02\.2025: February 2025 has 28 days" "29.02 of a non-leap year" -- ev e1 29.02.2025
row "$CHE" 65 "body\.date: 'soon' is not a date \(expected YYYY-MM-DD or DD\.MM\.YYYY\)" "event date 'soon'" -- ev e1 soon
row "$CHE" 0 "^1 changed" "29.02 of a leap year" -- ev e1 29.02.2024
is "$("$MF" -d "$CHE" get "$("$MF" -d "$CHE" --json list --kind event | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')" | grep -c '"date": "2024-02-29"')" 1 \
	"a Russian date is stored as ISO"
row "$CHE" 0 "^1 changed" "a date in words («12 февраля 2025 г.»)" -- ev e2 "12 февраля 2025 г."
row "$CHE" 65 "--start: 'next tuesday-ish' is not a date" "pair --start \"next tuesday-ish\"" -- \
	"$MF" -d "$CHE" pair propose --mentor "$T" --mentee "$S" --direction knowledge --start "next tuesday-ish"
row "$CHE" 65 "--start: 2025-02-30: February 2025 has 28 days" "pair --start 2025-02-30" -- \
	"$MF" -d "$CHE" pair propose --mentor "$T" --mentee "$S" --direction knowledge --start 2025-02-30
row "$CHE" 65 "--from: 'soon' is not a date" "offer --from soon" -- \
	"$MF" -d "$CHE" internship offer --host "$S" --title "Стажировка" --direction knowledge --from soon --to 2025-05-31 --places 2 --open
row "$CHE" 65 "--to 2025-04-01 is before --from 2025-05-01" "offer --to before --from" -- \
	"$MF" -d "$CHE" internship offer --host "$S" --title "Стажировка" --direction knowledge --from 2025-05-01 --to 2025-04-01 --places 2 --open
row "$CHE" 65 "body\.dates\[0\]\.to: 2025-04-01 is before from 2025-05-01" "an offer put with to before from" -- \
	putj "$CHE" "{\"kind\":\"internship_offer\",\"key\":\"o\",\"body\":{\"host_school_id\":\"$S\",\"title\":\"x\",\"dates\":[{\"from\":\"2025-05-01\",\"to\":\"2025-04-01\"}],\"places\":2}}"
row "$CHE" 65 "body\.end_date: 2025-08-01 is before start_date 2025-09-01" "a pair that ends before it starts" -- \
	putj "$CHE" "{\"kind\":\"mentoring_pair\",\"key\":\"p2\",\"body\":{\"mentor_school_id\":\"$T\",\"mentee_school_id\":\"$S\",\"start_date\":\"2025-09-01\",\"end_date\":\"2025-08-01\"}}"
row "$CHE" 65 "body\.timing\.intervals\[0\]\.from: 2023-02-29: February 2023 has 28 days" "a roadmap item's interval" -- \
	putj "$CHE" '{"kind":"roadmap_item","key":"i","body":{"title":"x","timing":{"raw":"x","intervals":[{"from":"2023-02-29","to":"2023-03-01"}]}}}'

# -- ranges and counts
row "$CHE" 65 "mentee_school_id: the mentee is the mentor \($S\)" "a pair with mentor = mentee (put)" -- \
	putj "$CHE" "{\"kind\":\"mentoring_pair\",\"key\":\"self\",\"body\":{\"mentor_school_id\":\"$S\",\"mentee_school_id\":\"$S\",\"start_date\":\"2025-09-01\"}}"
row "$CHE" 65 "--mentee is the --mentor \($S\): a school does not mentor itself" "pair propose with mentor = mentee" -- \
	"$MF" -d "$CHE" pair propose --mentor "$S" --mentee "$S" --direction knowledge --start 2025-09-01
row "$CHE" 65 "places: 0: an offer needs at least 1 place" "an offer of 0 places" -- \
	"$MF" -d "$CHE" internship offer --host "$S" --title "Стажировка" --direction knowledge --month 2025-05 --places 0 --open
row "$CHE" 65 "places: 100001 is more than the limit of 100000" "an offer of 100001 places" -- \
	"$MF" -d "$CHE" internship offer --host "$S" --title "Стажировка" --direction knowledge --month 2025-05 --places 100001 --open
row "$TOM" 0 "^offer RU-TOM:internship_offer:" "an offer of the maximum 100000 places" -- \
	"$MF" -d "$TOM" internship offer --host "$T" --title "Большая стажировка" --direction knowledge --month 2025-05 --places 100000 --open
O=$("$MF" -d "$TOM" --json internship list --month 2025-05 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["offer"])')
wait_for 20 sh -c "\"$MF\" -d \"$CHE\" get '$O' >/dev/null 2>&1"
ok $? "the offer reaches Chelyabinsk"
row "$CHE" 65 "participants: 4294967295 is more than the limit of 100000" "applying with 4,294,967,295 participants" -- \
	"$MF" -d "$CHE" internship apply "$O" --school "$S" --participants 4294967295
row "$CHE" 65 "body\.participants: 4294967295 is more than the limit of 100000" "an application put with 4,294,967,295 participants" -- \
	putj "$CHE" "{\"kind\":\"internship_application\",\"key\":\"huge\",\"body\":{\"offer_id\":\"$O\",\"applicant_school_id\":\"$S\",\"participants\":4294967295}}"
row "$CHE" 65 "participants: 0: an application is for at least 1 participant" "applying with 0 participants" -- \
	"$MF" -d "$CHE" internship apply "$O" --school "$S" --participants 0
row "$CHE" 65 "body\.participants: 0: an application is for at least 1 participant" "an application put with 0 participants" -- \
	putj "$CHE" "{\"kind\":\"internship_application\",\"key\":\"zero\",\"body\":{\"offer_id\":\"$O\",\"applicant_school_id\":\"$S\",\"participants\":0}}"
row "$CHE" 0 "^application RU-CHE:internship_application:" "applying with the maximum 100000 participants" -- \
	"$MF" -d "$CHE" internship apply "$O" --school "$S" --participants 100000

# -- references: resolving, of the right kind and region
sd() { printf '{"kind":"self_diagnosis","key":"sd","body":{%s"year":2025,"level":"below_basic"}}\n' "$1" | "$MF" -d "$CHE" put; }
row "$CHE" 65 "body\.school_id: required: the id of a school record" "self-diagnosis without school_id" -- sd ""
row "$CHE" 65 "body\.school_id: no school RU-CHE:school:ffffffffffffffff on this node" "self-diagnosis of a nonexistent school" -- \
	sd '"school_id":"RU-CHE:school:ffffffffffffffff",'
LOOK=$(printf '%s' "$S" | sed 's/school/sсhool/')	# a Cyrillic «с»
row "$CHE" 65 "body\.school_id: '$LOOK' is not a record id .*Cyrillic look-alike.*did you mean $S\?" \
	"self-diagnosis of a Cyrillic look-alike id" -- sd "\"school_id\":\"$LOOK\","
LAT=$(printf '%s' "$S" | sed 's/^\(.*\)\(.\)$/\1x/')	# one letter off
row "$CHE" 65 "no school $LAT on this node; did you mean $S \(«МАОУ «Лицей № 31" "self-diagnosis of a mistyped id: did you mean" -- \
	sd "\"school_id\":\"$LAT\","
row "$CHE" 65 "body\.school_id: $T is a school of RU-TOM, not of RU-CHE: a school's self-diagnosis is its own region's record" \
	"self-diagnosis of another region's school" -- sd "\"school_id\":\"$T\","
row "$CHE" 65 "body\.school_id: $O is a internship_offer, not a school" "self-diagnosis naming an offer" -- sd "\"school_id\":\"$O\","
row "$CHE" 0 "^1 changed" "self-diagnosis of its own school" -- sd "\"school_id\":\"$S\","
row "$CHE" 65 "body\.offer_id: no internship_offer RU-TOM:internship_offer:0000000000000000 on this node \(not received from RU-TOM yet" \
	"an application to an offer not held" -- \
	putj "$CHE" "{\"kind\":\"internship_application\",\"key\":\"a2\",\"body\":{\"offer_id\":\"RU-TOM:internship_offer:0000000000000000\",\"applicant_school_id\":\"$S\"}}"
row "$CHE" 0 "^2 changed" "a reference to a record written earlier in the same batch" -- \
	"$MF" -d "$CHE" put <<J
{"kind":"roadmap","key":"rm","body":{"title":"Дорожная карта","period_from":"01.01.2025","period_to":"2025-12-31"}}
{"kind":"roadmap_item","key":"rm-1","body":{"roadmap_id":"$(printf 'RU-CHE:roadmap:%s' "$(python3 -c 'import hashlib; print(hashlib.sha256(b"roadmap\0rm").hexdigest()[:16])')")","number":"1","title":"x"}}
J

# -- ownership: a region writes only its own, and says so in its bodies
row "$CHE" 65 "body\.region: RU-TOM is another region: this node writes only RU-CHE's records" \
	"Chelyabinsk writes a school whose body says RU-TOM" -- \
	putj "$CHE" '{"kind":"school","key":"claim","body":{"name":"Школа","region":"RU-TOM"}}'
row "$CHE" 65 "body\.region: 'ru-che': did you mean RU-CHE\?" "a school body with region ru-che" -- \
	putj "$CHE" '{"kind":"school","key":"claim","body":{"name":"Школа","region":"ru-che"}}'
row "$CHE" 65 "body\.host_school_id: $T is a school of RU-TOM, not of RU-CHE" "an offer hosted by another region's school" -- \
	putj "$CHE" "{\"kind\":\"internship_offer\",\"key\":\"o2\",\"body\":{\"host_school_id\":\"$T\",\"title\":\"x\",\"places\":1}}"

# -- answers that help: regions, months, dates of queries, schools
row "$CHE" 65 "--region: no region RU-XXX on this node \(known regions: RU-CHE, RU-TOM\)" "roadmap RU-XXX" -- \
	"$MF" -d "$CHE" roadmap RU-XXX
row "$CHE" 0 "roadmap items" "roadmap ru-che: the region read as RU-CHE" -- \
	"$MF" -d "$CHE" roadmap ru-che --at 01.06.2025
row "$CHE" 65 "--at: 2025-02-31: February 2025 has 28 days" "roadmap --at 2025-02-31" -- \
	"$MF" -d "$CHE" roadmap RU-CHE --at 2025-02-31
row "$CHE" 65 "--at: 2025-02-31: February 2025 has 28 days" "report roadmaps --at 2025-02-31" -- \
	"$MF" -d "$CHE" report roadmaps --at 2025-02-31
row "$CHE" 65 "--month: 2025-13: there is no month 13" "internship list --month 2025-13" -- \
	"$MF" -d "$CHE" internship list --month 2025-13
row "$CHE" 65 "--region: no region RU-XXX on this node \(known regions: RU-CHE, RU-TOM\)" "internship list --region RU-XXX" -- \
	"$MF" -d "$CHE" internship list --region RU-XXX
row "$CHE" 65 "--region: no region XX on this node .*a region is an ISO 3166-2 code" "list --region XX" -- \
	"$MF" -d "$CHE" list --region XX
n=$("$MF" -d "$CHE" --json internship list --region ru-tom 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 1 "internship list --region ru-tom: accepted as RU-TOM"
n=$("$MF" -d "$CHE" --json list --kind school --region ru-che 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 2 "list --region ru-che: accepted as RU-CHE"
row "$CHE" 65 "--school: no school $LAT on this node; did you mean $S" "internship apply --school with a mistyped id" -- \
	"$MF" -d "$CHE" internship apply "$O" --school "$LAT"
row "$CHE" 65 "no school $LAT.*did you mean $S" "mentor find with a mistyped id" -- \
	"$MF" -d "$CHE" mentor find "$LAT"

# -- Russian terms wherever an identifier goes
row "$CHE" 0 "^1 changed" "a card with «Знание» and Профориентация" -- \
	putj "$CHE" "{\"kind\":\"competency_card\",\"key\":\"card\",\"body\":{\"school_id\":\"$S\",\"directions\":[\"«Знание»\",\"Профориентация\"]}}"
is "$("$MF" -d "$CHE" --json list --kind competency_card | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)[0]["body"]["directions"]))')" \
	"knowledge,career_guidance" "stored as the glossary identifiers"
row "$CHE" 0 "^1 changed" "a practice of form «учитель – ученик» and a school at «Ниже базового»" -- \
	"$MF" -d "$CHE" put <<J
{"kind":"mentoring_practice","key":"pr","body":{"school_id":"$S","region":"RU-CHE","form":"учитель – ученик"}}
J
row "$CHE" 0 "^1 changed" "a school at «Ниже базового»" -- \
	putj "$CHE" '{"kind":"school","key":"S3","body":{"name":"Школа № 3","self_diagnosis_level":"Ниже базового"}}'
row "$CHE" 65 "'unspecified' is not one of" "'unspecified' is no direction" -- \
	putj "$CHE" "{\"kind\":\"competency_card\",\"key\":\"card2\",\"body\":{\"school_id\":\"$S\",\"directions\":[\"unspecified\"]}}"
n=$("$MF" -d "$CHE" --json internship list --direction Знание 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 1 "internship list --direction Знание"

# -- after all that, the two nodes still agree
wait_equal 20 che tom
ok $? "both nodes converge on what was accepted"
plan "$T_N"
done_testing
