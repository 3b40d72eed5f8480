#!/bin/sh
# test_cuts.sh — documents that shrink are refused, never half-believed
# (issue 11, item 3).
#
# Every real document of tests/data is cut at every line boundary (the
# first K lines, K = 0 .. all but the last):
#
#   A. in-process, every cut point, through the plugin host's import
#      (tests/plugin_tool): a format that states what makes it complete
#      (doc/PLUGIN.md, "Complete documents") gives the full document's
#      records or a refusal naming FILE:LINE, never a part of them;
#   B. through a running daemon, every cut point, after the full document
#      was imported: each cut is refused (65) or changes nothing, and the
#      store's digest (non-empty) is the full import's after every one of
#      them — never a partial store;
#   C. `import --dry-run` and `--replace` on a roadmap cut after its item 6
#      (what they print, what they store), and a refusal naming what would
#      disappear.
. "${top_srcdir:-.}/tests/lib.sh"
plan 34

TOOL="$top_builddir/tests/plugin_tool"
SO="$top_builddir/plugins/.libs"
CUTS="$T_TMP/cuts"
mkdir -p "$CUTS"

# cut_all FILE NAME: $CUTS/NAME.K for K = 0 .. (lines - 1), each the first K
# whole lines of FILE; prints the number of cuts.
cut_all() {
	python3 - "$1" "$CUTS/$2" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
lines = b.split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()          # the file ends with a newline: its last line is whole
n = 0
for k in range(len(lines)):
    open("%s.%d" % (sys.argv[2], k), "wb").write(b"".join(l + b"\n" for l in lines[:k]))
    n += 1
print(n)
EOF
}

# walk NAME REGION PLUGIN FILE: every cut through the plugin host in-process;
# prints "full refused partial-K,..." against FILE's records.
walk() {
	"$TOOL" -r "$2" -l "$SO/$3.so" "$4" > "$CUTS/$1.full" 2>/dev/null || echo "# $4 does not import"
	[ -s "$CUTS/$1.full" ] || echo "# $4 gives no records"
	_n=$(cut_all "$4" "$1")
	_full=0; _ref=0; _part=""
	_k=0
	while [ "$_k" -lt "$_n" ]; do
		if "$TOOL" -r "$2" -l "$SO/$3.so" "$CUTS/$1.$_k" > "$CUTS/$1.out" 2>/dev/null; then
			if cmp -s "$CUTS/$1.out" "$CUTS/$1.full"; then
				_full=$((_full + 1))
			else
				_part="$_part${_part:+,}$_k"
			fi
		else
			_ref=$((_ref + 1))
		fi
		_k=$((_k + 1))
	done
	echo "$_n $_full $_ref ${_part:-none}"
}

# -- A. every cut point, in-process

set -- $(walk che RU-CHE chelyabinsk "$DATA/003_c9a35ca7a92a9425.txt")
diag "Chelyabinsk roadmap: $1 cuts, $2 full, $3 refused, partial: $4"
is "$4" "none" "the Chelyabinsk roadmap cut at any of its $1 line boundaries is refused, never read in part"
is "$3" "$1" "every proper cut of it is refused (its closing line is the last line)"

set -- $(walk order RU-TOM tomsk "$DATA/001_61f92942b5c4c16e.txt")
diag "Tomsk League order: $1 cuts, $2 full, $3 refused, partial: $4"
# the plan states no number of rows (doc/PLUGIN.md): cuts between its rows
# read as a shorter plan; every cut before the plan's table is refused
hdr=$(grep -n "^Сроки" "$DATA/001_61f92942b5c4c16e.txt" | head -1 | cut -d: -f1)
early=$(echo "$4" | tr ',' '\n' | awk -v h="$hdr" '$1 != "none" && $1 <= h' | head -1)
is "${early:-none}" "none" "the League order cut before its plan's table (line $hdr) is refused at every line: annexes, list, heading"
ok $([ "$3" -ge $((hdr - 1)) ] && echo 0 || echo 1) "$3 of its $1 cuts are refused"

# a card file that states its number of cards
sed 's/^Год: 2025$/Год: 2025\nКарточек: 3/' "$DATA/cards/tomsk-cards.txt" > "$T_TMP/cards3.txt"
grep -q "^Карточек: 3" "$T_TMP/cards3.txt"; ok $? "(a card file with «Карточек: 3»)"
set -- $(walk cards3 RU-TOM tomsk "$T_TMP/cards3.txt")
diag "competency cards with «Карточек: 3»: $1 cuts, $2 full, $3 refused, partial: $4"
# what no count can see: the last card's own optional lines («Предлагает:»)
last=$(grep -n "^Школа:" "$T_TMP/cards3.txt" | tail -1 | cut -d: -f1)
early=$(echo "$4" | tr ',' '\n' | awk -v h="$last" '$1 != "none" && $1 <= h' | head -1)
is "${early:-none}" "none" "a card file that states its number of cards is refused when cut before its last card (line $last)"
sed 's/^Карточек: 3$/Карточек: 4/' "$T_TMP/cards3.txt" > "$T_TMP/cards4.txt"
out=$("$TOOL" -r RU-TOM -l "$SO/tomsk.so" "$T_TMP/cards4.txt" 2>&1); rc=$?
like "$rc:$out" "^1:.*cards4.txt:5: incomplete document: it states 4 competency_card records \(«Карточек: 4»\), but 3 were read" \
	"a card file short of the cards it states is refused at the line that states them"

# the formats without a signal: how they fare is shown, B is their guard
for d in "news 000_022d9e61d4ef58db.txt" "letter 002_d68d02b4e53f9a5a.txt" \
	 "page 004_1dcc4fc04c00c22d.txt" "cards cards/tomsk-cards.txt"; do
	set -- $d
	set -- $(walk "$1" RU-TOM tomsk "$DATA/$2") "$1"
	diag "$5 (no completeness signal): $1 cuts, $2 full, $3 refused, read in part: $4"
done

# the ABI: the formats say what makes them complete (plugin list)
c=$("$TOOL" -L -r RU-CHE -l "$SO/chelyabinsk.so" | python3 -c '
import json,sys; print(json.load(sys.stdin)[0]["formats"][0].get("complete") or "")')
like "$c" "closing line" "plugin list shows what makes a Chelyabinsk roadmap complete"

# -- B. every cut point through the daemon, after the full import

P="$T_TMP/plugins"
mkdir -p "$P"
cp "$SO/tomsk.so" "$SO/chelyabinsk.so" "$P/"
chmod 755 "$P"; chmod 644 "$P"/*.so
TOM="$T_TMP/tom"; CHE="$T_TMP/che"
"$MF" -d "$TOM" init --region RU-TOM --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$CHE" init --region RU-CHE --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
start_node "$TOM"; ok $? "Tomsk node starts"
start_node "$CHE"; ok $? "Chelyabinsk node starts"

for f in 001_61f92942b5c4c16e.txt 002_d68d02b4e53f9a5a.txt 004_1dcc4fc04c00c22d.txt \
	 000_022d9e61d4ef58db.txt cards/tomsk-cards.txt; do
	"$MF" -d "$TOM" import "$DATA/$f" >/dev/null 2>&1 || echo "# import of $f failed"
done
"$MF" -d "$CHE" import "$DATA/003_c9a35ca7a92a9425.txt" >/dev/null 2>&1 || echo "# import of 003 failed"
DT=$("$MF" -d "$TOM" digest); DC=$("$MF" -d "$CHE" digest)
ok $([ -n "$DT" ] && [ -n "$DC" ] && [ "$DT" != "$DC" ] && echo 0 || echo 1) "both nodes hold their documents (non-empty digests)"

# dwalk NODE DIGEST NAME: every cut of NAME imported; prints
# "accepted refused bad" where bad lists the cuts that changed the store or
# failed otherwise than with 65.
dwalk() {
	_acc=0; _ref=0; _bad=""
	for _f in $(ls "$CUTS" | grep -E "^$3\.[0-9]+$" | sort -t. -k2 -n); do
		"$MF" -d "$1" import "$CUTS/$_f" >/dev/null 2>&1
		_rc=$?
		_d=$("$MF" -d "$1" digest)
		if [ -z "$_d" ] || [ "$_d" != "$2" ]; then
			_bad="$_bad${_bad:+,}${_f#$3.}(digest)"
			# put the full document back for the next cut
			"$MF" -d "$1" import --replace "$4" >/dev/null 2>&1
		elif [ "$_rc" -eq 0 ]; then
			_acc=$((_acc + 1))
		elif [ "$_rc" -eq 65 ]; then
			_ref=$((_ref + 1))
		else
			_bad="$_bad${_bad:+,}${_f#$3.}(rc $_rc)"
		fi
	done
	echo "$_acc $_ref ${_bad:-none}"
}

start=$(date +%s)
set -- $(dwalk "$CHE" "$DC" che "$DATA/003_c9a35ca7a92a9425.txt")
diag "Chelyabinsk roadmap through the daemon: $1 accepted unchanged, $2 refused, bad: $3"
is "$3" "none" "every cut of the Chelyabinsk roadmap leaves the store as the full import left it"
for d in "order 001_61f92942b5c4c16e.txt" "letter 002_d68d02b4e53f9a5a.txt" \
	 "page 004_1dcc4fc04c00c22d.txt" "news 000_022d9e61d4ef58db.txt" \
	 "cards cards/tomsk-cards.txt"; do
	set -- $d
	name=$1; file=$2
	set -- $(dwalk "$TOM" "$DT" "$name" "$DATA/$file")
	diag "$file through the daemon: $1 accepted unchanged, $2 refused, bad: $3"
	is "$3" "none" "every cut of $file is refused or changes nothing (digest as the full import's)"
done
diag "daemon walk: $(( $(date +%s) - start )) s"
is "$("$MF" -d "$TOM" digest)" "$DT" "the Tomsk store is the full import's after all the cuts"

# -- C. a roadmap cut cleanly after item 6 (with the export's closing line)
F="$DATA/003_c9a35ca7a92a9425.txt"
n7=$(grep -n "^7\. |" "$F" | cut -d: -f1)
{ head -n $((n7 - 1)) "$F"; tail -n 1 "$F"; } > "$T_TMP/che-six.txt"
out=$("$MF" -d "$CHE" import "$T_TMP/che-six.txt" 2>&1); rc=$?
is "$rc" 65 "re-importing the roadmap cut after item 6 is refused (EX_DATAERR)"
like "$out" "refused: this document .*01/288.* would remove 13 roadmap_item \(7\. «Проведение областного.*sections III, IV, V" \
	"naming what would disappear: the items by number and title, the sections"
is "$("$MF" -d "$CHE" digest)" "$DC" "and nothing is stored"

"$MF" -d "$CHE" import --dry-run "$T_TMP/che-six.txt" >"$T_TMP/o" 2>&1; rc=$?; out=$(tr '\n' ' ' <"$T_TMP/o")
like "$rc:$out" "^0:.*nothing was written.*change: 1 roadmap.*remove: 13 roadmap_item.*- roadmap_item 7\. «.*- roadmap_item 19\. «.*- section V «Мониторинговые" \
	"--dry-run prints what would change and be removed"
is "$("$MF" -d "$CHE" digest)" "$DC" "--dry-run writes nothing"

"$MF" -d "$CHE" import --replace "$T_TMP/che-six.txt" >"$T_TMP/o" 2>&1; rc=$?; out=$(tr '\n' ' ' <"$T_TMP/o")
like "$rc:$out" "^0:.*7 records.*13 removed \(--replace\)" "--replace imports the shorter roadmap and says what it removed"
r=$("$MF" -d "$CHE" --json list --kind roadmap_item | python3 -c '
import json,sys
items=json.load(sys.stdin)
print(len(items), sorted(int(i["body"]["number"]) for i in items) == list(range(1,7)))')
rm=$("$MF" -d "$CHE" --json list --kind roadmap | python3 -c '
import json,sys; print(",".join(s["number"] for s in json.load(sys.stdin)[0]["body"]["sections"]))')
is "$r $rm" "6 True I,II" "the store holds items 1-6 and sections I, II: nothing points at a section that is gone"

out=$("$MF" -d "$CHE" import --dry-run "$F" 2>&1 | tr '\n' ' ')
like "$out" "add: 13 roadmap_item.*remove: nothing" "--dry-run of the full document: 13 items to add back"
"$MF" -d "$CHE" import "$F" >/dev/null 2>&1
is "$("$MF" -d "$CHE" digest | wc -c)" "65" "the full roadmap imports again"

# -- D. a report on an item the document drops goes with it (--replace);
# a record that loses a part of itself is a shrink too
id5=$("$MF" -d "$TOM" --json list --kind roadmap_item | python3 -c '
import json,sys; print([i["id"] for i in json.load(sys.stdin) if i["body"]["number"] == "5"][0])')
printf '{"kind":"roadmap_item_report","key":"report-on-5","body":{"item_id":"%s","status":"done","as_of":"2025-12-20","evidence":["https://toipkro.ru/sbornik"]}}\n' "$id5" |
	"$MF" -d "$TOM" put >/dev/null 2>&1; ok $? "(a report on the plan's item 5)"
DT=$("$MF" -d "$TOM" digest)
O="$DATA/001_61f92942b5c4c16e.txt"
n5=$(grep -n "^Декабрь	" "$O" | cut -d: -f1)
head -n $((n5 - 1)) "$O" > "$T_TMP/order-four.txt"
"$MF" -d "$TOM" import "$T_TMP/order-four.txt" >"$T_TMP/o" 2>&1; rc=$?
like "$rc:$(tr '\n' ' ' <"$T_TMP/o")" "^65:.*№ 102.* would remove 1 roadmap_item, 1 roadmap_item_report \(5\. «Издание электронного сборника" \
	"the League order without its last plan row: refused, naming the row and the report on it"
is "$("$MF" -d "$TOM" digest)" "$DT" "nothing stored"
"$MF" -d "$TOM" import --replace "$T_TMP/order-four.txt" >/dev/null 2>&1; rc=$?
r=$("$MF" -d "$TOM" --json list --kind roadmap_item_report | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
i=$("$MF" -d "$TOM" --json list --kind roadmap_item | python3 -c 'import json,sys; print(sorted(x["body"]["number"] for x in json.load(sys.stdin)))')
is "$rc:$r:$i" "0:0:['1', '2', '3', '4']" \
	"--replace deletes the row and the report on it in the same write: nothing dangles"
"$MF" -d "$TOM" import "$O" >/dev/null 2>&1; ok $? "the full order imports again"

P4="$DATA/004_1dcc4fc04c00c22d.txt"
n3=$(grep -n "^3\\." "$P4" | head -1 | cut -d: -f1)
head -n "$n3" "$P4" > "$T_TMP/page-cut.txt"
DT=$("$MF" -d "$TOM" digest)
"$MF" -d "$TOM" import "$T_TMP/page-cut.txt" >"$T_TMP/o" 2>&1; rc=$?
like "$rc:$(tr '\n' ' ' <"$T_TMP/o")" "^65:.*would remove .*from mentoring_practice .*tasks: 2 of 5 gone" \
	"a school page cut inside a task list: refused, the practice would lose 2 of its 5 tasks"
is "$("$MF" -d "$TOM" digest)" "$DT" "nothing stored"

done_testing
