#!/bin/sh
# test_lifecycle.sh — the lifecycle tables of doc/LIFECYCLES.md on two
# synced nodes, Tomsk (the mentor's and the host's region) and Chelyabinsk
# (the mentee's and the applicant's region), so that the deciding region is
# never the writing one.  Every allowed transition of each table is made,
# and every refused one is tried: a refusal exits 65 (64 for a missing
# argument), names the current state and who may act, and leaves the
# node's digest as it was (and non-empty).  Then the same across a
# partition: both sides act on what they hold, and after the heal both
# nodes show the same states and the tables held.  Refusals are tried both
# through the verbs and as raw puts, since the check is in the records
# layer, not in the verbs.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 102

mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
up tom && up che
ok $? "two nodes, Tomsk and Chelyabinsk, linked"

T() { "$MF" -d "$T_TMP/tom" "$@"; }
C() { "$MF" -d "$T_TMP/che" "$@"; }
# the record id a write prints ("proposed RU-CHE:mentoring_pair:…")
rid() { tr ' ' '\n' | grep -E '^RU-[A-Z]+:' | tail -1; }
put_id() { "$MF" -d "$T_TMP/$1" put | tail -1; }
sync2() { wait_equal 20 tom che; }

# refused NODE CODE PATTERN DESCRIPTION CMD...: CMD on NODE exits CODE,
# its message matches PATTERN (grep -E), the digest is unchanged, non-empty
# (both nodes up: first let them converge, so that no record arriving
# from the other node changes the digest meanwhile)
BOTH_UP=1
refused() {
	r_node=$1 r_code=$2 r_pat=$3 r_desc=$4
	shift 4
	[ "$BOTH_UP" = 1 ] && sync2
	r_before=$(digest "$r_node")
	"$MF" -d "$T_TMP/$r_node" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	r_rc=$?
	r_after=$(digest "$r_node")
	r_msg=$(cat "$T_TMP/err")
	if [ "$r_rc" = "$r_code" ] && [ -n "$r_before" ] && [ "$r_before" = "$r_after" ] &&
	    printf '%s' "$r_msg" | grep -Eq -- "$r_pat"; then
		ok 0 "$r_desc"
	else
		ok 1 "$r_desc"
		diag "exit $r_rc (expected $r_code); digest '$r_before' -> '$r_after'"
		diag "message: $r_msg"
		diag "expected: $r_pat"
	fi
}

# pstate NODE PROPOSAL: the pair's state as NODE shows it
pstate() {
	"$MF" -d "$T_TMP/$1" --json pair list |
		python3 -c 'import json,sys; print(" ".join(p["state"] for p in json.load(sys.stdin) if p["proposal"]==sys.argv[1]) or "none")' "$2"
}
# astates NODE OFFER: "APP=STATE ..." of the offer's applications, as NODE shows them
astate() {
	"$MF" -d "$T_TMP/$1" --json internship show "$2" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(a["decision"] for a in d["applications"] if a["application"]==sys.argv[1]) or "none")' "$3"
}
show() { "$MF" -d "$T_TMP/$1" --json internship show "$2" | python3 -c "import json,sys; d=json.load(sys.stdin); print($3)"; }

A=$(echo '{"kind":"school","key":"A","body":{"name":"Школа А (Томск, лига)","municipality":"г. Томск"}}' | put_id tom)
B=$(echo '{"kind":"school","key":"B","body":{"name":"Школа Б (Томск)","municipality":"г. Северск"}}' | put_id tom)
S=$(echo '{"kind":"school","key":"C","body":{"name":"Школа В (Челябинск)","municipality":"г. Челябинск"}}' | put_id che)
M=$(echo '{"kind":"school","key":"M","body":{"name":"Школа-подопечная","municipality":"г. Копейск"}}' | put_id che)
sync2; ok $? "schools of both regions on both nodes"

# ------------------------------------------------------------ pairs
# proposed -> confirmed | declined (the mentor's region, RU-TOM);
# confirmed -> ended with a reason (RU-TOM); proposals by RU-CHE.
P1=$(C pair propose --mentor "$A" --mentee "$M" --direction knowledge --direction health --start 2025-09-01 | rid)
like "$P1" '^RU-CHE:mentoring_pair:' "pair: new -> proposed by the mentee's region (RU-CHE)"
refused tom 65 "the mentee .* is not a school of RU-TOM" "pair: the mentor's region may not propose (verb)" \
	pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2025-10-01
refused tom 65 "(only RU-CHE \(the mentee's region\) may propose the pair|is a school of RU-CHE, not of RU-TOM)" \
	"pair: the mentor's region may not propose (raw put, records layer)" put <<J
{"kind":"mentoring_pair","key":"raw proposal","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge"],"start_date":"2025-10-01","state":"proposed"}}
J
refused che 65 "a proposal is written in state proposed, not confirmed" \
	"pair: a proposal cannot be written confirmed (raw put)" put <<J
{"kind":"mentoring_pair","key":"self confirmed","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge"],"start_date":"2025-10-01","state":"confirmed"}}
J
sync2
refused che 65 "only RU-TOM \(the mentor's region\) may confirm the pair" "pair: proposed -> confirmed by the mentee's region refused (verb)" \
	pair confirm "$P1"
refused che 65 "(the pair $P1 is proposed; only RU-TOM \(the mentor's region\) may confirm it, not RU-CHE|is a school of RU-TOM, not of RU-CHE: only the mentor's region answers)" \
	"pair: proposed -> confirmed by the mentee's region refused (raw put)" put <<J
{"kind":"mentoring_pair","key":"answer|$P1","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge","health"],"start_date":"2025-09-01","state":"confirmed","proposal_id":"$P1"}}
J
refused tom 65 "the pair $P1 is proposed; only RU-TOM \(the mentor's region\) may confirm or decline it \(proposed -> ended is not a transition" \
	"pair: proposed -> ended refused, naming who may do what" pair end "$P1" --reason "не начата"
refused che 65 "the pair $P1 is proposed; only RU-TOM .*a proposal is never rewritten" \
	"pair: proposed -> proposed (a rewrite with other directions) refused" \
	pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2025-09-01
out=$(T pair confirm "$P1"); ok $? "pair: proposed -> confirmed by the mentor's region (RU-TOM)"
ANS1=$(echo "$out" | rid)
out=$(T pair confirm "$P1"); like "$out" "unchanged" "pair: confirming again is no transition: unchanged"
sync2; ok $? "converged after the confirmation"
is "$(pstate tom "$P1")/$(pstate che "$P1")" "confirmed/confirmed" "pair: both nodes show it confirmed"
# the issue's rows: a repeated propose rewrote the confirmed pair; a
# decline after confirm silently declined it
refused che 65 "the pair $P1 is confirmed; only RU-TOM \(the mentor's region\) may end it.*a proposal is never rewritten" \
	"pair: re-proposing the confirmed pair (same mentor, mentee, start) is refused" \
	pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2025-09-01
refused tom 65 "the pair $P1 is confirmed; only RU-TOM \(the mentor's region\) may end it \(confirmed -> declined" \
	"pair: confirmed -> declined refused" pair decline "$P1"
refused tom 64 "--reason is required" "pair: ending needs a reason (verb: usage)" pair end "$P1"
refused tom 65 "ending the pair $P1 needs a reason" "pair: ending without a reason refused (raw put)" put <<J
{"kind":"mentoring_pair","id":"$ANS1","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge","health"],"start_date":"2025-09-01","state":"ended","proposal_id":"$P1"}}
J
refused che 65 "(the pair $P1 is confirmed; only RU-TOM \(the mentor's region\) may end it, not RU-CHE|is a school of RU-TOM, not of RU-CHE: only the mentor's region answers)" \
	"pair: the mentee's region may not end it (raw put of its own answer)" put <<J
{"kind":"mentoring_pair","key":"my end","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge"],"start_date":"2025-09-01","state":"ended","end_reason":"x","proposal_id":"$P1"}}
J
refused tom 65 "the pair $P1 is confirmed by the answer $ANS1; only that record may change" \
	"pair: a second answer record of the mentor's region is refused" put <<J
{"kind":"mentoring_pair","key":"second answer","body":{"mentor_school_id":"$A","mentee_school_id":"$M","directions":["knowledge"],"start_date":"2025-09-01","state":"ended","end_reason":"x","proposal_id":"$P1"}}
J
refused che 65 "is a step of a lifecycle .* never deleted" "pair: a proposal is never deleted" delete "$P1"
T pair end "$P1" --reason "наставник уволился" >/dev/null
ok $? "pair: confirmed -> ended by the mentor's region, with a reason"
sync2
is "$(pstate che "$P1")" "ended" "pair: Chelyabinsk shows it ended"
reason=$(C --json pair list | python3 -c 'import json,sys; print([p["reason"] for p in json.load(sys.stdin) if p["proposal"]==sys.argv[1]][0])' "$P1")
is "$reason" "наставник уволился" "pair: the end records its reason"
refused tom 65 "the pair $P1 is ended; it is final: nobody may change it" "pair: ended -> confirmed refused" pair confirm "$P1"
P2=$(C pair propose --mentor "$A" --mentee "$M" --direction creativity --start 2025-10-01 | rid)
sync2
T pair decline "$P2" --reason "нет свободных наставников" >/dev/null
ok $? "pair: proposed -> declined by the mentor's region"
refused tom 65 "the pair $P2 is declined; it is final" "pair: declined -> confirmed refused" pair confirm "$P2"
sync2
P2b=$(C pair propose --mentor "$A" --mentee "$M" --direction creativity --start 2025-10-01 | rid)
[ -n "$P2b" ] && [ "$P2b" != "$P2" ]; ok $? "pair: proposing again after a decline makes a new proposal (a new record)"
P1b=$(C pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2025-09-01 | rid)
[ -n "$P1b" ] && [ "$P1b" != "$P1" ]; ok $? "pair: and after an end too"
sync2
is "$(pstate tom "$P2")/$(pstate tom "$P2b")/$(pstate che "$P2b")" "declined/proposed/proposed" "pair: the old stays declined, the new is proposed, on both"

# ------------------------------------------------------------ offers
O1=$(T internship offer --host "$A" --title "Стажировка 1" --direction knowledge --month 2025-03 --places 3 --open | rid)
like "$O1" '^RU-TOM:internship_offer:' "offer: new -> open by the host's region"
sync2
refused che 65 "the offer $O1 is RU-TOM's: only RU-TOM \(the host's region\) decides" "offer: the applicant's region may not close it" \
	internship close "$O1"
refused tom 65 "(only RU-CHE \(the applicant's region\) may apply|is a school of RU-CHE, not of RU-TOM)" \
	"application: the host's region may not apply for another region's school (raw put)" put <<J
{"kind":"internship_application","key":"raw app","body":{"offer_id":"$O1","applicant_school_id":"$S","participants":1}}
J
# the issue's rows: 50 participants to a place-limited offer, accepted and
# declined later with numbers that did not match
refused che 65 "the offer $O1 has 3 places, 0 taken by accepted applications, 3 left: 50 requested do not fit" \
	"application: larger than the free places, refused at apply time with the numbers" \
	internship apply "$O1" --school "$S" --participants 50
AC=$(C internship apply "$O1" --school "$S" --participants 2 | rid)
like "$AC" '^RU-CHE:internship_application:' "application: new -> submitted by the applicant's region"
refused che 65 "only RU-TOM \(the host's region\) decides" "application: submitted -> accepted by the applicant's region refused (verb)" \
	internship accept "$AC"
refused che 65 "RU-TOM|host" "application: submitted -> accepted by the applicant's region refused (raw put)" put <<J
{"kind":"internship_decision","key":"self accept","body":{"application_id":"$AC","decision":"accepted","places_granted":2}}
J
sync2
refused tom 65 "only RU-CHE \(the applicant's region\) may withdraw it, not RU-TOM" \
	"application: submitted -> withdrawn by the host's region refused" internship withdraw "$AC"
T internship accept "$AC" >/dev/null; ok $? "application: submitted -> accepted by the host's region"
refused tom 65 "the application $AC is accepted; only RU-CHE \(the applicant's region\) may withdraw it \(accepted -> declined" \
	"application: accepted -> declined refused" internship decline "$AC"
refused tom 65 "the application $AC is accepted; only RU-CHE .*accepted -> waitlisted" \
	"application: accepted -> waitlisted refused" internship waitlist "$AC"
refused tom 65 "the application $AC is accepted; .*accepted -> accepted" \
	"application: a second acceptance with another reason is refused" internship accept "$AC" --reason "ещё раз"
sync2
refused che 65 "the application $AC is accepted; only RU-CHE \(the applicant's region\) may withdraw it \(accepted -> submitted .*never edited" \
	"application: re-applying after the decision (other participants) is refused, not an edit" \
	internship apply "$O1" --school "$S" --participants 1
refused che 65 "the offer $O1 has 3 places, 2 taken by accepted applications, 1 left: 2 requested do not fit" \
	"application: the free places count the accepted ones" internship apply "$O1" --school "$M" --participants 2
refused che 65 "never deleted: withdraw it" "application: never deleted" delete "$AC"
refused tom 65 "2 places of the offer are taken by accepted applications: it cannot shrink to 1" \
	"offer: open -> open (amend) may not shrink below the places taken" \
	internship offer --host "$A" --title "Стажировка 1" --direction knowledge --month 2025-03 --places 1 --open
T internship offer --host "$A" --title "Стажировка 1" --direction knowledge --month 2025-03 --places 4 --open >/dev/null
ok $? "offer: open -> open (amend: 4 places) by the host's region"
AB=$(T internship apply "$O1" --school "$B" --participants 1 | rid)
T internship decline "$AB" --reason "не та тема" >/dev/null; ok $? "application: submitted -> declined by the host's region"
refused tom 65 "the application $AB is declined; it is final.*a decision is final" "application: declined -> accepted refused" \
	internship accept "$AB"
AB2=$(T internship apply "$O1" --school "$B" --participants 1 | rid)
[ -n "$AB2" ] && [ "$AB2" != "$AB" ]; ok $? "application: applying again after a decline makes a new application"
AM=$(C internship apply "$O1" --school "$M" --participants 1 | rid)
C internship withdraw "$AM" --reason "заболел" >/dev/null; ok $? "application: submitted -> withdrawn by the applicant's region"
sync2
refused tom 65 "the application $AM is withdrawn; it is final" "application: withdrawn -> accepted refused" internship accept "$AM"
refused tom 65 "the application $AM is withdrawn; it is final: nobody may change it \(withdrawn -> accepted is not a transition" \
	"application: withdrawn -> accepted refused (raw put, records layer)" put <<J
{"kind":"internship_decision","key":"late accept","body":{"application_id":"$AM","decision":"accepted","places_granted":1,"reason":"x"}}
J
refused che 65 "the application $AM is withdrawn; it is final" "application: withdrawn -> withdrawn (another reason) refused" \
	internship withdraw "$AM" --reason "другая причина"
T internship close "$O1" --reason "набор завершён" >/dev/null; ok $? "offer: open -> closed by the host's region"
sync2
refused che 65 "the offer $O1 is closed — набор завершён: it takes no applications" "offer: a closed offer takes no applications" \
	internship apply "$O1" --school "$M" --participants 1
refused tom 65 "the offer $O1 is closed; it is final: nobody may change it \(closed -> open" "offer: closed -> open (re-offer) refused" \
	internship offer --host "$A" --title "Стажировка 1" --direction knowledge --month 2025-03 --places 4 --open
refused tom 65 "the offer $O1 is closed; it is final.*closed -> cancelled" "offer: closed -> cancelled refused" internship cancel "$O1"
T internship accept "$AB2" >/dev/null; ok $? "application: a closed offer still decides what it received (submitted -> accepted)"
refused tom 65 "never deleted: close or cancel" "offer: never deleted" delete "$O1"
is "$(show che "$O1" '(d["state"], d["places"], d["places_taken"])')" "('closed', 4, 3)" "offer: Chelyabinsk shows it closed, 3 of 4 places taken"

# ------------------------------------------------------------ the waiting list
O3=$(T internship offer --host "$A" --title "Стажировка 3" --direction health --month 2025-04 --places 2 --open | rid)
sync2
W1=$(C internship apply "$O3" --school "$S" --participants 2 | rid)
W2=$(C internship apply "$O3" --school "$M" --participants 1 | rid)
sync2
W3=$(T internship apply "$O3" --school "$B" --participants 1 | rid)
T --json internship decide "$O3" --waitlist > "$T_TMP/d3.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(x["decision"] for x in d["decisions"]))' "$T_TMP/d3.json")" \
	"accepted waitlisted waitlisted" "decide --waitlist: in submission order, the first fits, the rest go on the waiting list"
like "$(cat "$T_TMP/d3.json")" "on the waiting list: 2 places, 2 taken by accepted applications: none left; 1 requested" \
	"decide: the reason's words match the numbers"
sync2
is "$(show che "$O3" '" ".join(w["application"] for w in d["waiting_list"])')" "$W2 $W3" "internship show: the waiting list is explicit and ordered (on Chelyabinsk)"
T internship show "$O3" > "$T_TMP/show.txt"
like "$(cat "$T_TMP/show.txt")" "waitlisted \(2\)" "internship show as text: the waiting position"
refused tom 65 "cannot accept $W2: the offer $O3 has 2 places, 2 taken by accepted applications: none left; 1 requested" \
	"application: waitlisted -> accepted refused while no place is free, with the numbers" internship accept "$W2"
C internship withdraw "$W2" >/dev/null; ok $? "application: waitlisted -> withdrawn by the applicant's region"
C internship withdraw "$W1" --reason "не едем" >/dev/null; ok $? "application: accepted -> withdrawn by the applicant's region (frees 2 places)"
sync2
T --json internship decide "$O3" > "$T_TMP/d4.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(x["application"]+"="+x["was"]+">"+x["decision"] for x in d["decisions"]))' "$T_TMP/d4.json")" \
	"$W3=waitlisted>accepted" "application: waitlisted -> accepted by the host's region when a place freed"
W1b=$(C internship apply "$O3" --school "$S" --participants 1 | rid)
[ -n "$W1b" ] && [ "$W1b" != "$W1" ]; ok $? "application: applying again after a withdrawal makes a new application"
sync2
T internship waitlist "$W1b" >/dev/null; ok $? "application: submitted -> waitlisted by the host's region"
refused che 65 "only RU-TOM \(the host's region\) decides" "application: waitlisted -> accepted by the applicant's region refused" \
	internship accept "$W1b"
T internship decline "$W1b" --reason "группа набрана" >/dev/null; ok $? "application: waitlisted -> declined by the host's region"
sync2
is "$(astate che "$O3" "$W1")/$(astate che "$O3" "$W2")/$(astate che "$O3" "$W3")/$(astate che "$O3" "$W1b")" \
	"withdrawn/withdrawn/accepted/declined" "the states on Chelyabinsk"
is "$(show tom "$O3" 'd["places_taken"]')/$(show che "$O3" 'd["places_taken"]')" "1/1" "1 of 2 places taken on both"

# ------------------------------------------------------------ cancel
O4=$(T internship offer --host "$A" --title "Стажировка 4" --direction health --month 2025-05 --places 2 --open | rid)
sync2
X1=$(C internship apply "$O4" --school "$S" --participants 1 | rid)
sync2
T internship cancel "$O4" --reason "карантин" >/dev/null; ok $? "offer: open -> cancelled by the host's region"
refused tom 65 "the offer $O4 is cancelled: nobody is accepted any more, only declined" \
	"application: nobody is accepted on a cancelled offer" internship accept "$X1"
refused tom 65 "the offer $O4 is cancelled; it is final.*cancelled -> closed" "offer: cancelled -> closed refused" internship close "$O4"
T --json internship decide "$O4" > "$T_TMP/d5.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(x["decision"], x["reason"]) for x in d["decisions"]])' "$T_TMP/d5.json")" \
	"[('declined', 'the offer was cancelled: карантин')]" "decide on a cancelled offer declines, saying why"

# ------------------------------------------------------------ one batch
# The check sees the batch: a record may step on one earlier in the same put,
# and a refused record refuses the whole put.
out=$(T put 2>&1 <<J
{"kind":"mentoring_pair","id":"RU-TOM:mentoring_pair:batch-proposal","body":{"mentor_school_id":"$A","mentee_school_id":"$B","directions":["knowledge"],"start_date":"2026-09-01","state":"proposed"}}
{"kind":"mentoring_pair","id":"RU-TOM:mentoring_pair:batch-answer","body":{"mentor_school_id":"$A","mentee_school_id":"$B","directions":["knowledge"],"start_date":"2026-09-01","state":"confirmed","proposal_id":"RU-TOM:mentoring_pair:batch-proposal"}}
J
)
like "$out" "^2 changed" "batch: a proposal and its answer in one put (a same-region pair)"
refused tom 65 "record 4 \(RU-TOM:internship_application:batch-app-2\): the offer RU-TOM:internship_offer:batch-offer has 1 place, 1 taken by accepted applications: none left; 1 requested" \
	"batch: a second application to a 1-place offer whose first was accepted in the same put refuses the whole put" put <<J
{"kind":"internship_offer","id":"RU-TOM:internship_offer:batch-offer","body":{"host_school_id":"$A","title":"b","places":1,"dates":[{"from":"2026-05-01","to":"2026-05-31"}]}}
{"kind":"internship_application","id":"RU-TOM:internship_application:batch-app-1","body":{"offer_id":"RU-TOM:internship_offer:batch-offer","applicant_school_id":"$B","participants":1}}
{"kind":"internship_decision","id":"RU-TOM:internship_decision:batch-decision","body":{"application_id":"RU-TOM:internship_application:batch-app-1","decision":"accepted","places_granted":1}}
{"kind":"internship_application","id":"RU-TOM:internship_application:batch-app-2","body":{"offer_id":"RU-TOM:internship_offer:batch-offer","applicant_school_id":"$A","participants":1}}
J
T export --region RU-TOM > "$T_TMP/tom.jsonl"
out=$(T put "$T_TMP/tom.jsonl" 2>&1)
like "$out" "^0 changed, [0-9]+ unchanged" "batch: the region's export put back is unchanged, none of it refused"

# ------------------------------------------------------------ partition
# Tomsk down: Chelyabinsk acts on what it holds; then Chelyabinsk down and
# Tomsk acts; then both up.
P3=$(C pair propose --mentor "$A" --mentee "$M" --direction upbringing --start 2026-01-12 | rid)
P4=$(C pair propose --mentor "$A" --mentee "$M" --direction health --start 2026-02-02 | rid)
O5=$(T internship offer --host "$A" --title "Стажировка 5" --direction knowledge --month 2026-03 --places 2 --open | rid)
sync2
Y1=$(C internship apply "$O5" --school "$S" --participants 2 | rid)
sync2; ok $? "before the partition: proposals, an offer and an application on both nodes"
down tom
BOTH_UP=0
P5=$(C pair propose --mentor "$A" --mentee "$M" --direction creativity --start 2026-03-02 | rid)
like "$P5" '^RU-CHE:' "partition, Chelyabinsk side: a new proposal"
refused che 65 "the pair $P3 is proposed; .*never rewritten" "partition, Chelyabinsk side: rewriting a proposal is still refused" \
	pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2026-01-12
C internship withdraw "$Y1" --reason "передумали" >/dev/null; ok $? "partition, Chelyabinsk side: the application is withdrawn"
Y2=$(C internship apply "$O5" --school "$M" --participants 1 | rid)
like "$Y2" '^RU-CHE:' "partition, Chelyabinsk side: another school applies"
down che
up tom
T pair confirm "$P3" >/dev/null; ok $? "partition, Tomsk side: the mentor's region confirms one proposal"
T pair decline "$P4" >/dev/null; ok $? "partition, Tomsk side: and declines another"
refused tom 65 "no pair proposal $P5" "partition, Tomsk side: a proposal it has not received cannot be answered" pair confirm "$P5"
T internship accept "$Y1" >/dev/null; ok $? "partition, Tomsk side: the host accepts the application it holds as submitted"
refused tom 65 "the offer $O5 has 2 places, 2 taken by accepted applications: none left; 1 requested" \
	"partition, Tomsk side: a full offer takes no more" internship apply "$O5" --school "$B" --participants 1
up che
BOTH_UP=1
sync2; ok $? "the partition heals: both nodes converge"
is "$(pstate tom "$P3") $(pstate tom "$P4") $(pstate tom "$P5")" "confirmed declined proposed" "after the heal, Tomsk: confirmed, declined, proposed"
is "$(pstate che "$P3") $(pstate che "$P4") $(pstate che "$P5")" "confirmed declined proposed" "after the heal, Chelyabinsk: the same"
# the withdrawal crossed the acceptance: withdrawn wins and frees the places
is "$(astate tom "$O5" "$Y1")/$(astate che "$O5" "$Y1")" "withdrawn/withdrawn" "a withdrawal that crossed the acceptance: withdrawn on both"
is "$(show tom "$O5" 'd["places_taken"]')/$(show che "$O5" 'd["places_taken"]')" "0/0" "and its places are free on both"
refused tom 65 "the application $Y1 is withdrawn; it is final" "after the heal the table holds: withdrawn -> accepted refused" \
	internship accept "$Y1"
T --json internship decide "$O5" > "$T_TMP/d6.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(x["application"]+"="+x["decision"] for x in d["decisions"]))' "$T_TMP/d6.json")" \
	"$Y2=accepted" "after the heal the host decides the application that arrived"
T pair confirm "$P5" >/dev/null; ok $? "after the heal the mentor's region answers the proposal that arrived"
sync2; ok $? "both converge again"
is "$(pstate che "$P5")/$(astate che "$O5" "$Y2")" "confirmed/accepted" "Chelyabinsk shows the answers"
done_testing
