#!/bin/sh
# test_i18n.sh — the command-line client in Russian (issue 13), on a real
# daemon: under LANG=ru_RU.UTF-8 (not generated on this machine: the
# client falls back to C.UTF-8 and keeps the language) and LANGUAGE=ru it
# prints Russian help, table headers, enum values (the glossary's terms),
# decision reasons and dates, whole names; under C the English as before;
# --json and --csv stay untranslated; --excel is CSV for a Russian Excel.
# A direction typed in Russian, in any case, finds the same mentors as its
# identifier; an unknown one is refused with the accepted terms.
. "${top_srcdir:-.}/tests/lib.sh"
plan 41

export MENTORFED_LOCALEDIR="$top_builddir/po"
unset LC_ALL LC_MESSAGES LANGUAGE
RU="env LANG=ru_RU.UTF-8 $MF"
EN="env LANG=C $MF"

# -- help, no daemon needed
out=$($RU --help)
like "$out" "^использование: mentorfed" "LANG=ru_RU.UTF-8: the usage is in Russian"
like "$($RU mentor --help)" "визитки компетенций" "a verb's help text is in Russian"
like "$(env LANG=C.UTF-8 LANGUAGE=ru "$MF" pair --help)" "Наставнические пары" "LANGUAGE=ru under C.UTF-8 too"
like "$($EN --help)" "^usage: mentorfed" "LANG=C: English, as before"
like "$($EN mentor --help)" "competency cards cover" "LANG=C: the verb's help in English"

# -- one node with schools, cards, a self-diagnosis
TOM="$T_TMP/tom"
"$MF" -d "$TOM" init --region RU-TOM --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
start_node "$TOM"; ok $? "the node starts"
put_id() { "$MF" -d "$TOM" put | tail -1; }
LONG="Муниципальное автономное общеобразовательное учреждение средняя общеобразовательная школа № 4 имени Героя Советского Союза"
A=$(echo "{\"kind\":\"school\",\"key\":\"A\",\"body\":{\"name\":\"$LONG\",\"municipality\":\"г. Томск\"}}" | put_id)
B=$(echo '{"kind":"school","key":"B","body":{"name":"Школа Б","municipality":"г. Северск"}}' | put_id)
M=$(echo '{"kind":"school","key":"M","body":{"name":"Школа-подопечная","municipality":"г. Асино","self_diagnosis_level":"below_basic"}}' | put_id)
"$MF" -d "$TOM" put >/dev/null <<J
{"kind":"competency_card","key":"card A","body":{"school_id":"$A","directions":["knowledge","health"],"offers":["internship"]}}
{"kind":"competency_card","key":"card B","body":{"school_id":"$B","directions":["knowledge"],"offers":["consultation"]}}
{"kind":"self_diagnosis","key":"M 2025","body":{"school_id":"$M","year":2025,"level":"below_basic","scores":[{"direction":"knowledge","critical_zero":true},{"direction":"health","critical_zero":true}]}}
J
ok $? "schools, cards and a self-diagnosis written"

# -- mentor search: Russian headers, reasons, whole names (not a tty)
out=$($RU -d "$TOM" mentor find "$M")
like "$out" "^нужны направления: Знание, Здоровье \(критические показатели на нуле в самодиагностике 2025 года\)" \
	"what the school needs and why, in Russian"
like "$out" "кандидаты в наставники \(2\)" "the table's title in Russian"
like "$out" "МЕСТО +ШКОЛА +РЕГИОН" "table headers in Russian"
like "$out" "покрывает 2 из 2 нужных \(Знание, Здоровье\); тот же регион; не в лиге; 0 подопечных школ" \
	"the reason why a candidate ranks, in Russian, directions as the glossary names them"
printf '%s\n' "$out" | grep -qF "$LONG"; ok $? "a long school name is shown whole (output is not a terminal)"
printf '%s\n' "$out" | grep -q "…"; is $? 1 "nothing is cut with …"
printf '%s\n' "$out" | grep -q "ИДЕНТИФИКАТОР ШКОЛЫ.*" && printf '%s\n' "$out" | grep -qF "$A"
ok $? "each candidate's id is in the table, for pair propose --mentor"
out=$($EN -d "$TOM" mentor find "$M")
like "$out" "RANK +SCHOOL +REGION" "under C the headers stay English"
like "$out" "covers 2 of 2 needed \(knowledge, health\)" "under C the reason stays English"

# -- a direction typed in Russian, in any case, or ё for е: the same mentors
ref=$("$MF" -d "$TOM" --json mentor find "$M" --direction knowledge | python3 -c 'import json,sys; print(" ".join(c["school"] for c in json.load(sys.stdin)["candidates"]))')
[ -n "$ref" ]; ok $? "the identifier 'knowledge' finds mentors ($ref)"
for d in "Знание" "знание" "ЗНАНИЕ" "KNOWLEDGE"; do
	got=$($RU -d "$TOM" --json mentor find "$M" --direction "$d" | python3 -c 'import json,sys; print(" ".join(c["school"] for c in json.load(sys.stdin)["candidates"]))')
	is "$got" "$ref" "--direction '$d' finds the same mentors"
done
got=$($EN -d "$TOM" --json mentor find "$M" --direction "ЗДОРОВЬЕ" | python3 -c 'import json,sys; print(" ".join(c["school"] for c in json.load(sys.stdin)["candidates"]))')
is "$got" "$A" "Russian input works under C as well (ЗДОРОВЬЕ: only the school that covers health)"
err=$($RU -d "$TOM" mentor find "$M" --direction "Знания" 2>&1 >/dev/null); code=$?
is "$code" 64 "an unknown direction is a usage error"
like "$err" "«Знания» — не направление; допустимы: «Знание», «Воспитание»" "the error lists the accepted terms in Russian"
like "$($EN -d "$TOM" mentor find "$M" --direction nope 2>&1)" "'nope' is not a direction; accepted: knowledge, upbringing" \
	"under C the accepted identifiers in English"

# -- an internship: dates, states and the decision's reason in Russian
O=$("$MF" -d "$TOM" internship offer --host "$A" --title "Стажировка: Знание" --direction Знание --month 2025-03 --places 3 --open | awk '{print $2}')
like "$O" '^RU-TOM:internship_offer:' "an offer with a direction given in Russian"
out=$($RU -d "$TOM" internship list)
like "$out" "1 марта 2025 г. – 31 марта 2025 г." "offer dates in the Russian long form"
like "$out" "Знание" "the offer's direction as the glossary names it"
"$MF" -d "$TOM" internship apply "$O" --school "$B" --participants 2 >/dev/null
out=$($RU -d "$TOM" internship decide "$O")
like "$out" "принята в порядке подачи: 3 места, до неё занято 0; выделено 2" "the decision's reason in Russian"
"$MF" -d "$TOM" --json internship show "$O" > "$T_TMP/show.json"
r=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["applications"][0]; print(a["decision"], a.get("reason_code"), a.get("reason_args"))' "$T_TMP/show.json")
is "$r" "accepted accepted_in_order ['3', '0', '2']" "--json: English values, with the reason's code and arguments"
out=$($RU -d "$TOM" internship show "$O")
like "$out" "СОСТОЯНИЕ" "internship show: Russian headers"
like "$out" "принята +2 +принята в порядке подачи" "internship show: the state and the reason in Russian"

# -- a pair: state, directions, start date
P=$("$MF" -d "$TOM" pair propose --mentor "$A" --mentee "$M" --direction знание --start 2025-09-01 | awk '{print $2}')
like "$P" '^RU-TOM:mentoring_pair:' "a pair proposed with a lower-case Russian direction"
out=$($RU -d "$TOM" pair list)
like "$out" "Знание +1 сентября 2025 г. +предложена" "pair list: direction, start date and state in Russian"

# -- the overview: Russian headers, the last arrival's date in words
out=$($RU -d "$TOM" report overview)
printf '%s\n' "$out" | grep -q "ПОСЛЕДНИЕ ДАННЫЕ (UTC)" &&
	printf '%s\n' "$out" | grep -Eq "^RU-TOM .* [0-9]+ [^ ]+ 20[0-9][0-9] г\., [0-9:]{8}\$"
ok $? "report overview: headers and the last arrival's date in Russian"

# -- records: the kind as the glossary names it
like "$($RU -d "$TOM" list --kind school)" "общеобразовательная организация" "list: the kind in Russian"
like "$($EN -d "$TOM" list --kind competency_card)" "→ Школа Б" "list: a card is summarised by its school's name, not a bare id"

# -- CSV: --csv stays data for scripts; --excel is for a Russian Excel
first=$($RU -d "$TOM" --csv mentor find "$M" | head -1)
is "$first" "RANK,SCHOOL,REGION,COVERS,SAME REGION,LEAGUE,MENTEES,WHY,SCHOOL ID" "--csv under a Russian locale: English headers, as for scripts"
$RU -d "$TOM" --excel mentor find "$M" > "$T_TMP/x.csv"
head -c 3 "$T_TMP/x.csv" | od -An -tx1 | grep -q "ef bb bf"; ok $? "--excel starts with the UTF-8 BOM"
like "$(head -1 "$T_TMP/x.csv" | tr -d '\r')" "МЕСТО;ШКОЛА;РЕГИОН;ПОКРЫВАЕТ" "--excel: ';' and Russian headers"
[ "$(head -1 "$T_TMP/x.csv" | od -c | grep -c '\\r')" -ge 1 ]; ok $? "--excel: CRLF line ends"

stop_node "$TOM"
done_testing
