#!/bin/sh
# test_whole.sh — `import --whole` (issue 11): the operator states that a
# document is whole as it is.
#
# A plugin reports what a document's genre ends with and the document
# lacks (host->incomplete: a news item's contact paragraph, a letter's
# targets or signature, a card file's closing line «Всего карточек: N»):
# without --whole the import is refused exactly like an error (FILE:LINE,
# exit 65, nothing stored) and the refusal says how to import a whole
# document; with --whole the import goes on, the report shows a warning.
# What the format itself states (the ГАРАНТ export's closing line, a wrong
# «Всего карточек: N») is refused even with --whole.  `--dry-run --whole`
# writes nothing.  The client's hint is in Russian under LANG=ru_RU.UTF-8.
. "${top_srcdir:-.}/tests/lib.sh"
plan 34

P="$T_TMP/plugins"
mkdir -p "$P"
cp "$top_builddir"/plugins/.libs/tomsk.so "$top_builddir"/plugins/.libs/chelyabinsk.so "$P/"
chmod 755 "$P"; chmod 644 "$P"/*.so

TOM="$T_TMP/tom"; CHE="$T_TMP/che"
"$MF" -d "$TOM" init --region RU-TOM --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$CHE" init --region RU-CHE --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
start_node "$TOM"; ok $? "Tomsk node starts"
start_node "$CHE"; ok $? "Chelyabinsk node starts"
EMPTY=$(printf '' | sha256sum | cut -d' ' -f1)
is "$("$MF" -d "$TOM" digest)" "$EMPTY" "(the Tomsk store is empty)"

# count KIND: records of KIND on the Tomsk node
count() {
	"$MF" -d "$TOM" --json list --kind "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# -- the seed news without its closing contact paragraph: a whole text of
# another kind of news (nothing after its last webinar is missing)
N0="$DATA/000_022d9e61d4ef58db.txt"
grep -v "^Дополнительная информация" "$N0" > "$T_TMP/news-nocontact.txt"
n=$(grep -c . "$T_TMP/news-nocontact.txt")
out=$("$MF" -d "$TOM" import "$T_TMP/news-nocontact.txt" 2>&1); rc=$?
is "$rc" 65 "the news without its contact paragraph is refused (65)"
like "$(echo "$out" | tr '\n' ' ')" "news-nocontact.txt:$n: the news stops here without its closing paragraph.*nothing was imported; if the document is whole as it is, import it with --whole" \
	"at FILE:LINE, saying what it lacks and how to import it as whole"
is "$("$MF" -d "$TOM" digest)" "$EMPTY" "nothing stored"
out=$(env -u LC_ALL -u LANGUAGE LANG=ru_RU.UTF-8 MENTORFED_LOCALEDIR="$top_builddir/po" \
	"$MF" -d "$TOM" import "$T_TMP/news-nocontact.txt" 2>&1 >/dev/null | grep "^mentorfed:")
like "$out" "news-nocontact.txt:$n: .*; если документ полный, как есть, импортируйте его с ключом --whole$" \
	"the client gives the hint in Russian (LANG=ru_RU.UTF-8)"

out=$("$MF" -d "$TOM" import --dry-run --whole "$T_TMP/news-nocontact.txt" 2>&1); rc=$?
like "$rc:$(echo "$out" | tr '\n' ' ')" "^0:.*warning: the news stops here without its closing paragraph.*nothing was written.*taken as whole \(--whole\), line $n:" \
	"--dry-run --whole: read, with the warning, nothing written"
is "$("$MF" -d "$TOM" digest)" "$EMPTY" "--dry-run --whole writes nothing"

out=$("$MF" -d "$TOM" import --whole "$T_TMP/news-nocontact.txt" 2>"$T_TMP/err"); rc=$?
is "$rc" 0 "--whole imports it"
like "$(tr '\n' ' ' <"$T_TMP/err")" "news-nocontact.txt:$n: warning: the news stops here without its closing paragraph" \
	"the warning names the line and what the news lacks"
like "$(echo "$out" | tr '\n' ' ')" "^imported .*news-nocontact.txt with tomsk/tomsk-league-news: [1-9][0-9]* records.*taken as whole \(--whole\), line $n: the news stops here" \
	"the import's summary says it was taken as whole"
ev=$(count event)
ok $([ "$ev" -ge 2 ] && echo 0 || echo 1) "its webinars are stored ($ev events)"
"$MF" -d "$TOM" --json import --whole "$T_TMP/news-nocontact.txt" | python3 -c '
import json,sys
d=json.load(sys.stdin)
w=[x for x in d["diagnostics"] if x.get("incomplete")]
sys.exit(0 if d["changed"] == 0 and len(w) == 1 and w[0]["level"] == "warning" else 1)'
ok $? "--json: the warning is marked incomplete; a second --whole import changes nothing"

# -- the letter without its targets (and, copied, without its signature)
L="$DATA/002_d68d02b4e53f9a5a.txt"
sed '/^Стремиться к/d; /^· [0-9]*% охват/d; /^· создать условия для представления/d' "$L" > "$T_TMP/letter-notargets.txt"
ok $(grep -q "охват" "$T_TMP/letter-notargets.txt" && echo 1 || echo 0) "(the letter with its targets removed)"
D=$("$MF" -d "$TOM" digest)
out=$("$MF" -d "$TOM" import "$T_TMP/letter-notargets.txt" 2>&1); rc=$?
like "$rc:$(echo "$out" | tr '\n' ' ')" "^65:.*letter-notargets.txt:[0-9]+: the letter stops here, with no signature and before its targets.*import it with --whole" \
	"the letter without targets or signature is refused, with the hint"
is "$("$MF" -d "$TOM" digest)" "$D" "nothing stored"
"$MF" -d "$TOM" import --whole "$T_TMP/letter-notargets.txt" >/dev/null 2>&1; rc=$?
is "$rc:$(count target)" "0:0" "--whole imports it: its records, and no target (it states none)"
ok $([ "$(count mentoring_practice)" -ge 1 ] && echo 0 || echo 1) "its mentoring forms are stored"

# -- the card example without its closing line (a file of the format
# before the line existed)
C="$DATA/cards/tomsk-cards.txt"
grep -v "^Всего карточек:" "$C" > "$T_TMP/cards-open.txt"
D=$("$MF" -d "$TOM" digest)
out=$("$MF" -d "$TOM" import "$T_TMP/cards-open.txt" 2>&1); rc=$?
like "$rc:$(echo "$out" | tr '\n' ' ')" "^65:.*cards-open.txt:[0-9]+: the card file stops here without its closing line «Всего карточек: N».*import it with --whole" \
	"a card file without «Всего карточек: N» is refused, with the hint"
is "$("$MF" -d "$TOM" digest)" "$D" "nothing stored"
"$MF" -d "$TOM" import --whole "$T_TMP/cards-open.txt" >/dev/null 2>&1; rc=$?
is "$rc:$(count competency_card)" "0:3" "--whole imports its 3 cards"
sed 's/^Всего карточек: 3$/Всего карточек: 4/' "$C" > "$T_TMP/cards-4.txt"
D=$("$MF" -d "$TOM" digest)
out=$("$MF" -d "$TOM" import --whole "$T_TMP/cards-4.txt" 2>&1); rc=$?
like "$rc:$(echo "$out" | tr '\n' ' ')" "^65:.*cards-4.txt:[0-9]+: the closing line «Всего карточек: 4» states 4 cards, but 3 were read" \
	"a wrong «Всего карточек: N» is refused even with --whole"
ok $(echo "$out" | grep -q -- "--whole" && echo 1 || echo 0) "and its refusal does not suggest --whole"
is "$("$MF" -d "$TOM" digest)" "$D" "nothing stored"

# -- a hard signal: the ГАРАНТ roadmap without its closing line
G="$DATA/003_c9a35ca7a92a9425.txt"
grep -v "^Если вы являетесь пользователем интернет-версии" "$G" > "$T_TMP/garant-open.txt"
out=$("$MF" -d "$CHE" import --whole "$T_TMP/garant-open.txt" 2>&1); rc=$?
like "$rc:$(echo "$out" | tr '\n' ' ')" "^65:.*garant-open.txt:[0-9]+: .*ГАРАНТ" \
	"the ГАРАНТ roadmap without its closing line is refused even with --whole"
ok $(echo "$out" | grep -q -- "--whole" && echo 1 || echo 0) "and its refusal does not suggest --whole"
is "$("$MF" -d "$CHE" digest)" "$EMPTY" "nothing stored on the Chelyabinsk node"

# -- the web page's import: «Документ полный, как есть» passes whole
WEB="$top_builddir/mentorfed-web"
MENTORFED_LOCALEDIR="$top_builddir/po"
MENTORFED_WEB_STATIC="$top_srcdir/daemon/web/static"
export MENTORFED_LOCALEDIR MENTORFED_WEB_STATIC
PORT=$(free_port)
U="http://127.0.0.1:$PORT"
printf 'operator-pw-1\n' | "$MF" -d "$TOM" user add olga --role operator >/dev/null
timeout 120 "$WEB" -d "$TOM" -f -l "127.0.0.1:$PORT" >>"$T_TMP/web.log" 2>&1 &
T_PIDS="$T_PIDS $!"
for _ in $(seq 1 100); do
	curl -s -o /dev/null --max-time 2 "$U/static/web.css" && break
	sleep 0.05
done
# c ARGS...: curl with the operator's cookie jar, headers and body
c() { curl -s -i --max-time 20 -b "$T_TMP/jar" -c "$T_TMP/jar" "$@"; }
csrf() { c "$U$1" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
t=$(csrf /login)
c "$U/login" --data-urlencode "csrf=$t" --data-urlencode "user=olga" \
	--data-urlencode "password=operator-pw-1" >/dev/null
P4="$DATA/004_1dcc4fc04c00c22d.txt"
n=$(grep -n "E-mail" "$P4" | tail -1 | cut -d: -f1)
head -n $((n - 1)) "$P4" > "$T_TMP/page-nofooter.txt"
t=$(csrf /import)
like "$(c "$U/import" | tr '\n' ' ')" 'type="checkbox" name="whole".*Документ полный, как есть' \
	"the web import form has the box «Документ полный, как есть»"
D=$("$MF" -d "$TOM" digest)
out=$(c -F "csrf=$t" -F action=preview -F "document=@$T_TMP/page-nofooter.txt" "$U/import" | tr '\n' ' ')
like "$out" "^HTTP/1.1 409 .*the page stops here without the site.*отметьте «Документ полный, как есть» и загрузите его снова" \
	"without the box: the preview refuses the page, saying to tick it"
out=$(c -F "csrf=$t" -F action=preview -F whole=1 -F "document=@$T_TMP/page-nofooter.txt" "$U/import" | tr '\n' ' ')
like "$out" "^HTTP/1.1 200 .*the page stops here without the site.*name=\"whole\" value=\"1\"" \
	"with it: the preview shows the warning and keeps whole for the confirmation"
up=$(echo "$out" | sed -n 's/.*name="upload" value="\([0-9a-f]*\)".*/\1/p' | head -1)
is "$("$MF" -d "$TOM" digest)" "$D" "the preview writes nothing"
c --data-urlencode "csrf=$t" --data "action=confirm&upload=$up&whole=1" "$U/import" | head -1 | grep -q " 303 "
ok $? "the confirmed import with the box ticked succeeds"
ok $([ "$("$MF" -d "$TOM" digest)" != "$D" ] && echo 0 || echo 1) "and stores the page's records"

done_testing
