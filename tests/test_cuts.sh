#!/bin/sh
# test_cuts.sh — documents that shrink are refused, never half-believed
# (issue 11).
#
# Every document of tests/data is cut at every line boundary (the first K
# lines, K = 0 .. all but the last), and each cut is imported:
#
#   A. in-process, through the plugin host's import (tests/plugin_tool):
#      each cut gives exactly the full document's records or a refusal
#      naming FILE:LINE, never a part of them — each format checks what
#      makes its document complete (doc/PLUGIN.md, "Complete documents");
#      then each of those checks refuses a cut with its own message;
#   F. through a running daemon, as the FIRST import into a fresh node:
#      refused (65) with nothing stored, or stores exactly the full
#      document's records (compared record by record, ids and bodies) —
#      never a partial store;
#   B. through a running daemon, after the full document was imported:
#      each cut is refused (65) or changes nothing, and the store's digest
#      (non-empty) is the full import's after every one of them;
#   C. `import --dry-run` and `--replace` on a roadmap cut after its item 6
#      (what they print, what they store), and a refusal naming what would
#      disappear; D. a report on a row the document drops goes with it.
#
# The competency-card example (tests/data/cards) ends with its closing line
# «Всего карточек: N» (doc/formats/competency-card.md): every cut lacks it
# and is refused (host->incomplete; `import --whole` would take such a file
# as whole, tests/test_whole.sh); a wrong number is refused outright.  The
# older header form «Карточек: N» is still checked.
. "${top_srcdir:-.}/tests/lib.sh"
plan 60

TOOL="$top_builddir/tests/plugin_tool"
SO="$top_builddir/plugins/.libs"
CUTS="$T_TMP/cuts"
mkdir -p "$CUTS"

# cut_all FILE NAME: $CUTS/NAME.K for K = 0 .. (lines - 1), each the first K
# whole lines of FILE; prints the number of cuts.
cut_all() {
	python3 - "$1" "$CUTS/$2" <<'PY'
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
PY
}

# walk NAME REGION PLUGIN FILE: every cut through the plugin host in-process;
# prints "cuts full refused partial-K,... unlined-K,..." against FILE's
# records (unlined: refusals whose message names no FILE:LINE).
walk() {
	timeout 30 "$TOOL" -r "$2" -l "$SO/$3.so" "$4" > "$CUTS/$1.full" 2>/dev/null ||
		echo "# $4 does not import"
	[ -s "$CUTS/$1.full" ] || echo "# $4 gives no records"
	_n=$(cut_all "$4" "$1")
	_full=0; _ref=0; _part=""; _unl=""
	_k=0
	while [ "$_k" -lt "$_n" ]; do
		if timeout 30 "$TOOL" -r "$2" -l "$SO/$3.so" "$CUTS/$1.$_k" > "$CUTS/$1.out" \
			2>"$CUTS/$1.err"; then
			if cmp -s "$CUTS/$1.out" "$CUTS/$1.full"; then
				_full=$((_full + 1))
			else
				_part="$_part${_part:+,}$_k"
			fi
		else
			_ref=$((_ref + 1))
			grep -q "^error: $CUTS/$1\.$_k:[0-9][0-9]*: " "$CUTS/$1.err" ||
				_unl="$_unl${_unl:+,}$_k"
		fi
		_k=$((_k + 1))
	done
	echo "$_n $_full $_ref ${_part:-none} ${_unl:-none}"
}

# -- A. every cut point of every document, in-process

for d in "che RU-CHE chelyabinsk 003_c9a35ca7a92a9425.txt Chelyabinsk-roadmap" \
	 "order RU-TOM tomsk 001_61f92942b5c4c16e.txt League-order" \
	 "letter RU-TOM tomsk 002_d68d02b4e53f9a5a.txt webinar-letter" \
	 "page RU-TOM tomsk 004_1dcc4fc04c00c22d.txt school-page" \
	 "news RU-TOM tomsk 000_022d9e61d4ef58db.txt League-news"; do
	set -- $d
	name=$1; what=$5
	set -- $(walk "$1" "$2" "$3" "$DATA/$4")
	diag "$what: $1 cuts, $2 full, $3 refused, read in part: $4"
	is "$4" "none" "$what: each of its $1 cuts gives the full document's records or a refusal, never a part"
	is "$5" "none" "$what: every refusal of a cut names FILE:LINE"
	[ "$name" = che ] &&
		is "$3" "$1" "every proper cut of the Chelyabinsk roadmap is refused (its closing line is the last line)"
done

# the card example: its closing line «Всего карточек: 3» is its last line
tail -n 1 "$DATA/cards/tomsk-cards.txt" | grep -q "^Всего карточек: 3$"
ok $? "(the card example ends with «Всего карточек: 3»)"
set -- $(walk cards RU-TOM tomsk "$DATA/cards/tomsk-cards.txt")
diag "competency cards: $1 cuts, $2 full, $3 refused, read in part: $4"
is "$4" "none" "competency cards: each cut gives the full file's records or a refusal"
is "$3" "$1" "every proper cut of the card example is refused (its closing line is the last line)"
is "$5" "none" "competency cards: every refusal of a cut names FILE:LINE"

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
like "$rc:$out" "^1:.*cards4.txt:[0-9]+: incomplete or damaged document: «Всего карточек: 3» says 3 competency_card records, but line 5 \(«Карточек: 4»\) says 4" \
	"a card file whose header states another number of cards than its closing line: refused"
sed 's/^Всего карточек: 3$/Всего карточек: 2/' "$T_TMP/cards3.txt" > "$T_TMP/cards-2.txt"
out=$("$TOOL" -r RU-TOM -l "$SO/tomsk.so" "$T_TMP/cards-2.txt" 2>&1); rc=$?
like "$rc:$out" "^1:.*cards-2.txt:[0-9]+: the closing line «Всего карточек: 2» states 2 cards, but 3 were read" \
	"a card file with another number of cards than its closing line states is refused there"

# each format's own signal, with its message (FILE:LINE)
# imp FILE: the in-process import's first error line ("error: FILE:LINE: …")
imp() { timeout 30 "$TOOL" -r RU-TOM -l "$SO/tomsk.so" "$1" 2>&1 >/dev/null | grep "^error:" | head -1; }
O="$DATA/001_61f92942b5c4c16e.txt"
n=$(grep -n "^В течение года	" "$O" | cut -d: -f1)
head -n $((n + 2)) "$O" > "$T_TMP/order-sep.txt"
like "$(imp "$T_TMP/order-sep.txt")" "order-sep.txt:$((n + 2)): the work plan for 2025 stops here, its last dated activity ending 2025-09-30: a year's plan runs to the year's last quarter" \
	"the League order cut after its «В течение года» row (with its continuation): the year's plan stops in September"
L="$DATA/002_d68d02b4e53f9a5a.txt"
n=$(grep -n "^· 75% охват" "$L" | cut -d: -f1)
head -n "$n" "$L" > "$T_TMP/letter-75.txt"
like "$(imp "$T_TMP/letter-75.txt")" "letter-75.txt:$n: the letter stops here in the middle of a list or a sentence \(its last line does not end with «\.»\)" \
	"the letter cut after its first target («…;»): refused mid-list"
n=$(grep -n "^Стремиться" "$L" | cut -d: -f1)
head -n $((n - 1)) "$L" > "$T_TMP/letter-notargets.txt"
like "$(imp "$T_TMP/letter-notargets.txt")" "letter-notargets.txt:[0-9]+: the letter stops here, with no signature and before its targets" \
	"the letter cut before its targets: refused"
# a letter that ends with its signature block is whole by it
n=$(grep -n "^В завершении" "$L" | cut -d: -f1)
{ head -n "$n" "$L"; printf '\nНачальник департамента\t\tИ.О. Фамилия\n\nИсп. Исполнитель И.О.\n8 (3822) 00-00-00\n'; } > "$T_TMP/letter-signed.txt"
timeout 30 "$TOOL" -r RU-TOM -l "$SO/tomsk.so" "$T_TMP/letter-signed.txt" >/dev/null 2>&1
ok $? "a letter without targets but with its signature block («Начальник …  И.О. Фамилия», «Исп.», telephone) is whole"
{ cat "$T_TMP/letter-75.txt"; printf '\nНачальник департамента\t\tИ.О. Фамилия\n'; } > "$T_TMP/letter-75-signed.txt"
like "$(imp "$T_TMP/letter-75-signed.txt")" "letter-75-signed.txt:[0-9]+: the letter's text stops here in the middle of a list or a sentence, above its signature" \
	"a signed letter whose text stops mid-list above the signature: refused"
P4="$DATA/004_1dcc4fc04c00c22d.txt"
n=$(grep -n "E-mail" "$P4" | tail -1 | cut -d: -f1)
head -n $((n - 1)) "$P4" > "$T_TMP/page-nofooter.txt"
like "$(imp "$T_TMP/page-nofooter.txt")" "page-nofooter.txt:[0-9]+: the page stops here without the site's footer" \
	"the school page without its footer (the school's contacts): refused"
N0="$DATA/000_022d9e61d4ef58db.txt"
head -n 3 "$N0" > "$T_TMP/news-3.txt"
like "$(imp "$T_TMP/news-3.txt")" "news-3.txt:3: the news stops here without its closing paragraph" \
	"the news without its closing contact paragraph: refused at its last line"

# the ABI: the formats say what makes them complete (plugin list)
c=$("$TOOL" -L -r RU-TOM -l "$SO/tomsk.so" -l "$SO/chelyabinsk.so" | python3 -c '
import json,sys
print(" ".join(f["name"] for p in json.load(sys.stdin) for f in p["formats"] if not f.get("complete")) or "none")')
is "$c" "none" "plugin list shows what makes a document of every format complete"
c=$("$TOOL" -L -r RU-CHE -l "$SO/chelyabinsk.so" | python3 -c '
import json,sys; print(json.load(sys.stdin)[0]["formats"][0].get("complete") or "")')
like "$c" "closing line" "plugin list shows what makes a Chelyabinsk roadmap complete"

P="$T_TMP/plugins"
mkdir -p "$P"
cp "$SO/tomsk.so" "$SO/chelyabinsk.so" "$P/"
chmod 755 "$P"; chmod 644 "$P"/*.so

# -- F. every cut point as the first import into a fresh node

# records NODE: the node's records, id kind body, one per line, sorted
records() {
	"$MF" -d "$1" --json list | timeout 30 python3 -c '
import json,sys
for r in sorted(json.load(sys.stdin), key=lambda r: r["id"]):
    print(r["id"], r["kind"], json.dumps(r["body"], sort_keys=True, ensure_ascii=False))'
}

# fresh REGION: a new node of REGION, started, in $FN
NF=0
fresh() {
	NF=$((NF + 1))
	FN="$T_TMP/fresh$NF"
	"$MF" -d "$FN" init --region "$1" --plugin-dir "$P" \
		--listen "tcp://127.0.0.1:$(free_port)" >/dev/null && start_node "$FN"
}

# drop_node DIR: stop a node without waiting for it (a daemon takes about
# 2 s to stop; t_cleanup waits for all of them at the end)
drop_node() { kill -TERM "$(cat "$1/daemon.pid")" 2>/dev/null; }

EMPTY=$(printf '' | sha256sum | cut -d' ' -f1)

# fwalk REGION NAME FILE: every cut of NAME as a first import; sets
# W_REF (refused, nothing stored), W_FULL, W_PART (the cuts that stored
# other records than FILE's), W_BAD (another exit status, or a refusal that
# stored something).  A node that took a cut is replaced by a fresh one.
fwalk() {
	W_REF=0; W_FULL=0; W_PART=""; W_BAD=""; _last=none
	fresh "$1" || { W_BAD=node; return; }
	"$MF" -d "$FN" import "$3" >/dev/null 2>&1 || echo "# $3 does not import"
	records "$FN" > "$CUTS/$2.frecs"
	[ -s "$CUTS/$2.frecs" ] || echo "# $3: no records"
	drop_node "$FN"
	fresh "$1" || { W_BAD=node; return; }
	for _f in $(ls "$CUTS" | grep -E "^$2\.[0-9]+$" | sort -t. -k2 -n); do
		timeout 60 "$MF" -d "$FN" import "$CUTS/$_f" >"$CUTS/$2.fout" 2>&1
		_rc=$?
		if [ "$_rc" -eq 65 ]; then
			# nothing stored: the node's digest stays the empty store's,
			# checked when the node is let go; an accepted cut's import
			# would find a refusal's leftovers too (below)
			W_REF=$((W_REF + 1))
			_last=${_f#$2.}
			continue
		fi
		if [ "$_rc" -ne 0 ]; then
			W_BAD="$W_BAD${W_BAD:+,}${_f#$2.}(rc $_rc)"
		elif ! grep -q " 0 unchanged" "$CUTS/$2.fout"; then
			W_BAD="$W_BAD${W_BAD:+,}${_f#$2.}(the node was not empty)"
		elif records "$FN" | cmp -s - "$CUTS/$2.frecs"; then
			W_FULL=$((W_FULL + 1))
		else
			W_PART="$W_PART${W_PART:+,}${_f#$2.}"
		fi
		drop_node "$FN"
		fresh "$1" || { W_BAD="$W_BAD${W_BAD:+,}node"; return; }
	done
	[ "$("$MF" -d "$FN" digest)" = "$EMPTY" ] || W_BAD="$W_BAD${W_BAD:+,}stored-by-a-refusal-up-to-$_last"
	drop_node "$FN"
}

start=$(date +%s)
for d in "RU-CHE che 003_c9a35ca7a92a9425.txt" "RU-TOM order 001_61f92942b5c4c16e.txt" \
	 "RU-TOM letter 002_d68d02b4e53f9a5a.txt" "RU-TOM page 004_1dcc4fc04c00c22d.txt" \
	 "RU-TOM news 000_022d9e61d4ef58db.txt"; do
	set -- $d
	fwalk "$1" "$2" "$DATA/$3"
	diag "$3, first import into a fresh node: $W_REF refused, $W_FULL full, partial: ${W_PART:-none}, bad: ${W_BAD:-none}"
	is "${W_PART:-none} ${W_BAD:-none}" "none none" "every cut of $3, imported first into a fresh node, is refused with nothing stored or stores the full document"
done
fwalk RU-TOM cards "$DATA/cards/tomsk-cards.txt"
diag "cards/tomsk-cards.txt, first import into a fresh node: $W_REF refused, $W_FULL full, partial: ${W_PART:-none}, bad: ${W_BAD:-none}"
is "${W_PART:-none} ${W_BAD:-none}" "none none" "every cut of the card example, imported first into a fresh node, is refused or stores the full file"
diag "fresh-node walk: $(( $(date +%s) - start )) s"

# -- B. every cut point through the daemon, after the full import

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
# a record that loses a part of itself is a shrink too.  The documents
# here are whole by their formats' signals (each ends as its format
# ends): what they lack is only seen against the earlier import.
O="$DATA/001_61f92942b5c4c16e.txt"
row=$(grep "^Апрель, сентябрь	" "$O" | cut -f2)
id3=$("$MF" -d "$TOM" --json list --kind roadmap_item | python3 -c '
import json,sys; print([i["id"] for i in json.load(sys.stdin) if i["body"]["title"] == sys.argv[1]][0])' "$row")
printf '{"kind":"roadmap_item_report","key":"report-on-3","body":{"item_id":"%s","status":"done","as_of":"2025-09-30","evidence":["https://toipkro.ru/stazhirovki"]}}\n' "$id3" |
	"$MF" -d "$TOM" put >/dev/null 2>&1; ok $? "(a report on the plan's item 3, the internships)"
DT=$("$MF" -d "$TOM" digest)
grep -v "^Апрель, сентябрь	" "$O" > "$T_TMP/order-four.txt"
"$MF" -d "$TOM" import "$T_TMP/order-four.txt" >"$T_TMP/o" 2>&1; rc=$?
like "$rc:$(tr '\n' ' ' <"$T_TMP/o")" "^65:.*№ 102.* would remove 1 roadmap_item, 1 roadmap_item_report \(3\. «Организация и проведение стажировок" \
	"the League order without one of its plan rows: refused, naming the row and the report on it"
is "$("$MF" -d "$TOM" digest)" "$DT" "nothing stored"
"$MF" -d "$TOM" import --replace "$T_TMP/order-four.txt" >/dev/null 2>&1; rc=$?
r=$("$MF" -d "$TOM" --json list --kind roadmap_item_report | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
i=$("$MF" -d "$TOM" --json list --kind roadmap_item | python3 -c 'import json,sys; print(sorted(x["body"]["number"] for x in json.load(sys.stdin)))')
is "$rc:$r:$i" "0:0:['1', '2', '3', '4']" \
	"--replace deletes the row and the report on it in the same write: nothing dangles"
"$MF" -d "$TOM" import "$O" >/dev/null 2>&1; ok $? "the full order imports again"

P4="$DATA/004_1dcc4fc04c00c22d.txt"
sed '/Прививать молодому специалисту/d; /Ускорить процесс профессионального/d' "$P4" > "$T_TMP/page-cut.txt"
DT=$("$MF" -d "$TOM" digest)
"$MF" -d "$TOM" import "$T_TMP/page-cut.txt" >"$T_TMP/o" 2>&1; rc=$?
like "$rc:$(tr '\n' ' ' <"$T_TMP/o")" "^65:.*would remove .*from mentoring_practice .*tasks: 2 of 5 gone" \
	"a school page whose first form lost its last two tasks: refused, the practice would lose 2 of its 5 tasks"
is "$("$MF" -d "$TOM" digest)" "$DT" "nothing stored"

done_testing
