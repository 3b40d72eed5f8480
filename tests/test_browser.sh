#!/bin/sh
# test_browser.sh — mentorfed-web in a real browser (issue 13): Debian's
# chromium driven by playwright-core (pinned in tests/browser/package.json
# and package-lock.json, installed here with `npm ci` into the build
# directory, never into the source tree).
#
# Two real nodes, Tomsk and Chelyabinsk, with their real documents
# (tests/data) and each its mentorfed-web; users made with `mentorfed user
# add`.  tests/browser/exchange.test.js then, in the browser: logs in;
# finds a mentor on the Chelyabinsk page and proposes a pair; confirms it
# on the Tomsk page; both show it confirmed; offers an internship on Tomsk,
# applies from Chelyabinsk, decides, sees the decision on both; views the
# roadmaps at a date with the chart and reports an item done; imports a
# real document with its preview; shows a hostile school name from a peer
# as text; refuses a form without its CSRF token; lets a viewer change
# nothing.  Screenshots of each page go to BUILDDIR/tests/browser/screenshots.
#
# Without node, npm or chromium the test FAILS, saying what is missing
# (run.sh installs chromium; it is never skipped silently).  Every step has
# a deadline; chromium, the web servers and the nodes are killed at the end.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"

NJS=16		# lines exchange.test.js prints
plan $((9 + NJS))

MFW="$top_builddir/mentorfed-web"
BDIR="$(cd "$top_builddir" && pwd)/tests/browser"
SHOTS="$BDIR/screenshots"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# ---- what the test needs: fail, clearly, when it is missing
missing=""
command -v node >/dev/null 2>&1 || missing="$missing node (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || missing="$missing npm (apt-get install npm)"
[ -x "$CHROMIUM" ] || missing="$missing chromium at $CHROMIUM (apt-get install chromium; run.sh installs it)"
[ -x "$MFW" ] || missing="$missing $MFW (not built)"
if [ -n "$missing" ]; then
	echo "Bail out! test_browser.sh needs:$missing"
	exit 1
fi
ok 0 "node, npm, chromium and mentorfed-web are there"

# ---- playwright-core, as the lock file pins it, in the build directory
mkdir -p "$BDIR" "$SHOTS"
if ! cmp -s "$top_srcdir/tests/browser/package-lock.json" "$BDIR/package-lock.json" ||
   [ ! -f "$BDIR/node_modules/playwright-core/package.json" ]; then
	# (an in-tree build: the build directory's copy is the source's)
	[ "$(cd "$top_srcdir/tests/browser" && pwd)" = "$BDIR" ] ||
		cp "$top_srcdir/tests/browser/package.json" "$top_srcdir/tests/browser/package-lock.json" "$BDIR/"
	(cd "$BDIR" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$T_TMP/npm.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/# npm: /' "$T_TMP/npm.log" | tail -20
		echo "Bail out! npm ci of playwright-core failed (exit $rc): the registry must be reachable, or copy node_modules into $BDIR"
		exit 1
	fi
fi
[ -f "$BDIR/node_modules/playwright-core/package.json" ]
ok $? "playwright-core installed in the build directory (npm ci)"

# ---- two nodes with their real documents
mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
PLUGDIR="$T_TMP/plugins"
mkdir -p "$PLUGDIR"
for so in "$top_builddir"/plugins/*/.libs/*.so "$top_builddir"/plugins/.libs/*.so; do
	[ -f "$so" ] && cp "$so" "$PLUGDIR/"
done
for n in tom che; do
	sed -i "s|^plugin_dir *=.*|plugin_dir = $PLUGDIR|" "$T_TMP/$n/mentorfed.conf"
	grep -q '^plugin_dir' "$T_TMP/$n/mentorfed.conf" ||
		sed -i "s|^\[node\]\$|[node]\nplugin_dir = $PLUGDIR|" "$T_TMP/$n/mentorfed.conf"
done
up tom && up che
ok $? "both nodes start"

imp() { timeout 60 "$MF" -d "$T_TMP/$1" import "$2" >>"$T_TMP/import.log" 2>&1; }
r=0
for f in 001_61f92942b5c4c16e.txt 002_d68d02b4e53f9a5a.txt 004_1dcc4fc04c00c22d.txt 000_022d9e61d4ef58db.txt; do
	imp tom "$DATA/$f" || r=1
done
imp che "$DATA/003_c9a35ca7a92a9425.txt" || r=1
ok $r "the real documents are imported (Tomsk: league order, plan, schools, news; Chelyabinsk: roadmap)"
[ $r -eq 0 ] || sed 's/^/# /' "$T_TMP/import.log" | tail -20

# a school of Chelyabinsk with a hostile name: arrives at Tomsk as a peer's record
printf '%s\n' '{"kind":"school","key":"hostile","body":{"name":"<script>alert(1)</script>","municipality":"Челябинский городской округ","region":"RU-CHE"}}' |
	timeout 20 "$MF" -d "$T_TMP/che" put >/dev/null
wait_equal 30 tom che
ok $? "both nodes hold the same records (with the hostile name)"

# the names the browser types: a Chelyabinsk mentee and applicant, a Tomsk
# League school as host; the cards document is imported in the browser
pick() {	# pick NODE REGION: the first school name of REGION
	timeout 20 "$MF" -d "$T_TMP/$1" --json list --kind school --region "$2" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    n = r.get("body", {}).get("name", "")
    if n and "<" not in n:
        print(n); break'
}
MENTEE=$(pick che RU-CHE)
HOST=$(timeout 20 "$MF" -d "$T_TMP/tom" --json list --kind school --region RU-TOM | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    n = r.get("body", {}).get("name", "")
    if "Авдзейко" in n:
        print(n); break')
[ -n "$MENTEE" ] && [ -n "$HOST" ]
ok $? "schools to use: mentee «$MENTEE», host «$HOST»"
# the competency cards make Tomsk's League schools mentor candidates
imp tom "$DATA/cards/tomsk-cards.txt"
wait_equal 30 tom che

# ---- users and the web pages
PASS="Пароль-для-теста-42"
printf '%s\n' "$PASS" >"$T_TMP/pw"
r=0
for n in tom che; do
	for u in "metod:methodologist" "oper:operator" "gost:viewer"; do
		timeout 20 "$MF" -d "$T_TMP/$n" user add "${u%%:*}" --role "${u#*:}" --password-file "$T_TMP/pw" >/dev/null || r=1
	done
done
ok $r "users added with mentorfed user add (methodologist, operator, viewer)"

# the Russian catalogue as built (po/po.mk), not an installed one
MENTORFED_LOCALEDIR=${MENTORFED_LOCALEDIR:-$top_builddir/po}
export MENTORFED_LOCALEDIR
start_web() {	# start_web NODE: mentorfed-web on a free port; prints its URL
	_p=$(free_port)
	"$MFW" -d "$T_TMP/$1" -f -l "127.0.0.1:$_p" -s "$top_srcdir/daemon/web/static" >"$T_TMP/$1/web.log" 2>&1 &
	# (run in $(...): the parent adds the pid to T_PIDS from this file)
	echo $! >"$T_TMP/$1/web.pid"
	for _ in $(seq 1 100); do
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$_p/login" && { echo "http://127.0.0.1:$_p"; return 0; }
		sleep 0.1
	done
	return 1
}
TOM_URL=$(start_web tom) && CHE_URL=$(start_web che)
ok $? "both web pages answer ($TOM_URL, $CHE_URL)"
for n in tom che; do
	[ -s "$T_TMP/$n/web.pid" ] && T_PIDS="$T_PIDS $(cat "$T_TMP/$n/web.pid")"
done

# chromium's whole process group dies with the test, whatever happens
browser_cleanup() {
	if [ -s "$T_TMP/chrome.pid" ]; then
		kill -KILL -- "-$(cat "$T_TMP/chrome.pid")" 2>/dev/null
		kill -KILL "$(cat "$T_TMP/chrome.pid")" 2>/dev/null
	fi
	t_cleanup
}
trap browser_cleanup EXIT

# ---- the browser
TOM_URL="$TOM_URL" CHE_URL="$CHE_URL" PASS="$PASS" CHE_USER=metod TOM_USER=oper VIEWER=gost \
MENTEE="$MENTEE" APPLICANT="$MENTEE" HOST="$HOST" \
OFFER_TITLE="Стажировка по направлению «Знание» (браузерный тест)" \
IMPORT_FILE="$top_srcdir/tests/data/cards/tomsk-cards.txt" \
SHOTS="$SHOTS" CHROMIUM="$CHROMIUM" CHROME_PIDFILE="$T_TMP/chrome.pid" \
PW_MODULE="$BDIR/node_modules/playwright-core" STEP_MS=60000 \
	timeout -k 5 420 node "$top_srcdir/tests/browser/exchange.test.js" >"$T_TMP/js.out" 2>"$T_TMP/js.err"
rc=$?
n=0
while IFS= read -r l; do
	case "$l" in
	"ok - "*) n=$((n + 1)); ok 0 "${l#ok - }" ;;
	"not ok - "*) n=$((n + 1)); ok 1 "${l#not ok - }" ;;
	*) diag "$l" ;;
	esac
done <"$T_TMP/js.out"
[ -s "$T_TMP/js.err" ] && sed 's/^/# node: /' "$T_TMP/js.err" | tail -20
# a browser that died early leaves steps unreported: each is a failure
while [ $n -lt $NJS ]; do
	n=$((n + 1))
	ok 1 "browser step $n did not run (node exit $rc)"
done
diag "screenshots in $SHOTS: $(ls "$SHOTS" | tr '\n' ' ')"
# the web servers stop on SIGTERM; what they printed (a sanitizer's report
# in an --enable-sanitizers build) is checked after they exited
r=0
for n in tom che; do
	p=$(cat "$T_TMP/$n/web.pid" 2>/dev/null) || continue
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if grep -Eq "Sanitizer|runtime error" "$T_TMP/$n/web.log"; then
		r=1
		grep -E -A12 "Sanitizer|runtime error" "$T_TMP/$n/web.log" | head -30 | sed "s/^/# $n web: /"
	fi
done
ok $r "both web servers ran without a sanitizer report"
done_testing
