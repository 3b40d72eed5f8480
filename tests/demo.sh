#!/bin/sh
# demo.sh BUILDDIR — the main job: a two-region federation on loopback.
#
# Creates the Tomsk (RU-TOM) and Chelyabinsk (RU-CHE) nodes with their own
# keys, exchanges their identity cards, starts both daemons, imports each
# region's real documents (tests/data/) through its plugin, waits until both
# nodes hold the same records (equal digests), and shows what each sees.
# Then starts each node's web page (mentorfed-web, issue 13) and prints its
# address and a login; with a terminal it keeps them running until Enter
# (DEMO_WAIT=0: never wait, DEMO_WAIT=1: always).
set -eu
B=$(cd "${1:?usage: demo.sh BUILDDIR}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
MF="$B/mentorfed"
MFD="$B/mentorfedd"
DATA="$S/tests/data"
W="${DEMO_DIR:-$B/demo}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# the plugins as built (libtool keeps the loadable objects in .libs)
PLUGDIR="$W/plugins"
rm -rf "$W"
mkdir -p "$PLUGDIR"
for so in "$B"/plugins/*/.libs/*.so "$B"/plugins/.libs/*.so; do
	[ -f "$so" ] && cp "$so" "$PLUGDIR/"
done
chmod 755 "$PLUGDIR"; chmod 644 "$PLUGDIR"/*.so 2>/dev/null || true

TOM="$W/tomsk"; CHE="$W/chelyabinsk"
PT=$(port); PC=$(port)
say "creating the nodes"
"$MF" -d "$TOM" init --region RU-TOM --listen "tcp://127.0.0.1:$PT" --plugin-dir "$PLUGDIR"
"$MF" -d "$CHE" init --region RU-CHE --listen "tcp://127.0.0.1:$PC" --plugin-dir "$PLUGDIR"

say "exchanging identity cards"
"$MF" -d "$TOM" card > "$W/tomsk.card"
"$MF" -d "$CHE" card > "$W/chelyabinsk.card"
cat "$W/tomsk.card"
"$MF" -d "$CHE" peer add "$W/tomsk.card"
"$MF" -d "$TOM" peer add "$W/chelyabinsk.card"

say "starting both daemons (logs in $W/*/daemon.log)"
PIDS=""
cleanup() { for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for n in "$TOM" "$CHE"; do
	"$MFD" -d "$n" -f >"$n/daemon.log" 2>&1 &
	PIDS="$PIDS $!"
done
for n in "$TOM" "$CHE"; do
	i=0
	until "$MF" -d "$n" digest >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "daemon in $n did not start:"; cat "$n/daemon.log"; exit 1; }
		sleep 0.1
	done
done
"$MF" -d "$TOM" plugin list

say "Tomsk imports its documents"
for f in 001_61f92942b5c4c16e.txt 002_d68d02b4e53f9a5a.txt 004_1dcc4fc04c00c22d.txt 000_022d9e61d4ef58db.txt; do
	"$MF" -d "$TOM" import "$DATA/$f"
done
[ -f "$DATA/cards/tomsk-cards.txt" ] && "$MF" -d "$TOM" import "$DATA/cards/tomsk-cards.txt"
say "Chelyabinsk imports its roadmap"
"$MF" -d "$CHE" import "$DATA/003_c9a35ca7a92a9425.txt"

say "waiting for the nodes to converge"
i=0
while :; do
	dt=$("$MF" -d "$TOM" digest); dc=$("$MF" -d "$CHE" digest)
	[ "$dt" = "$dc" ] && break
	i=$((i + 1)); [ $i -lt 300 ] || { echo "no convergence: $dt vs $dc"; exit 1; }
	sleep 0.1
done
echo "Tomsk       digest $dt"
echo "Chelyabinsk digest $dc  (equal: both hold the same records)"

say "Chelyabinsk's node holds Tomsk's League schools"
"$MF" -d "$CHE" list --kind school --region RU-TOM
say "Tomsk's node holds Chelyabinsk's roadmap, judged by Chelyabinsk's model at 2024-06-01"
"$MF" -d "$TOM" roadmap RU-CHE --at 2024-06-01
say "Chelyabinsk's node judges Tomsk's 2025 work plan at 2025-06-01"
"$MF" -d "$CHE" roadmap RU-TOM --at 2025-06-01

say "a record written on Chelyabinsk arrives on Tomsk"
"$MF" -d "$CHE" put <<'J'
{"kind":"event","key":"demo-webinar","body":{"type":"webinar","title":"Региональный вебинар наставников (демо)","date":"2025-03-12","organiser":"ЧИППКРО"}}
J
i=0
until "$MF" -d "$TOM" --json list --kind event --region RU-CHE | grep -q 'демо'; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "not propagated"; exit 1; }
	sleep 0.05
done
echo "arrived on Tomsk after ~$((i * 50)) ms"
"$MF" -d "$TOM" list --kind event

# -- the mentoring exchange (issue 6): one interregional internship and one
#    mentor search, over the records both nodes now hold
pick() {	# pick NODE REGION KIND PYTHON-PREDICATE-ON-BODY: the first matching id
	"$MF" -d "$1" --json list --kind "$3" --region "$2" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    b = r.get("body", {})
    if '"$4"':
        print(r["id"]); break'
}
HOST=$(pick "$TOM" RU-TOM school '"Авдзейко" in b.get("name", "")')
GUEST=$(pick "$CHE" RU-CHE school 'True')
[ -n "$HOST" ] && [ -n "$GUEST" ] || { echo "demo: schools not found"; exit 1; }

say "Tomsk: a League school offers an internship open to other regions"
OFFER=$("$MF" -d "$TOM" internship offer --host "$HOST" --title "Стажировка: управленческие команды и направление «Знание»" \
	--direction knowledge --month 2025-04 --places 4 --open | awk '{print $2}')
echo "offer $OFFER"
wait_on() {	# wait_on NODE ID: until the record is visible on NODE
	i=0
	until "$MF" -d "$1" get "$2" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "$2 did not reach $1"; exit 1; }
		sleep 0.05
	done
}
wait_on "$CHE" "$OFFER"
say "Chelyabinsk searches offers in April 2025 for the direction «Знание»"
"$MF" -d "$CHE" internship list --direction knowledge --month 2025-04
say "a Chelyabinsk school applies (a record of Chelyabinsk's region)"
APP=$("$MF" -d "$CHE" internship apply "$OFFER" --school "$GUEST" --participants 2 | awk '{print $2}')
echo "application $APP"
wait_on "$TOM" "$APP"
say "Tomsk, the host, decides (in submission order; places never over-filled)"
"$MF" -d "$TOM" internship decide "$OFFER"
sleep 0.5
say "both nodes show the internship"
echo "-- on Tomsk:"; "$MF" -d "$TOM" internship show "$OFFER"
echo "-- on Chelyabinsk:"; "$MF" -d "$CHE" internship show "$OFFER"

say "Chelyabinsk: a school at the «Ниже базового» level looks for a mentor"
echo "(the self-diagnosis below is written for the demo: no real results are published)"
SD=$("$MF" -d "$CHE" put <<J | tail -1
{"kind":"self_diagnosis","key":"demo $GUEST 2025","body":{"school_id":"$GUEST","year":2025,"level":"below_basic","scores":[{"direction":"knowledge","critical_zero":true},{"direction":"career_guidance","critical_zero":true}]}}
J
)
echo "self-diagnosis $SD"
"$MF" -d "$CHE" mentor find "$GUEST"

say "the federation overview and both roadmaps side by side, on Chelyabinsk"
"$MF" -d "$CHE" report overview
"$MF" -d "$CHE" report roadmaps --at 2025-06-01 | head -40

say "status of the Tomsk node"
"$MF" -d "$TOM" status

# -- the web pages (issue 13): one per node, a login on each
say "the web pages of both nodes"
free_or() {	# free_or PORT: PORT when it is free on loopback, else any free one
	python3 -c 'import socket,sys
s=socket.socket()
try: s.bind(("127.0.0.1",int(sys.argv[1])))
except OSError: s.bind(("127.0.0.1",0))
print(s.getsockname()[1])' "$1"
}
DEMO_PASS="${DEMO_PASSWORD:-nastavnik-2025}"
printf '%s\n' "$DEMO_PASS" > "$W/demo.password"
chmod 600 "$W/demo.password"
for n in "$TOM" "$CHE"; do
	"$MF" -d "$n" user add metodist --role methodologist --password-file "$W/demo.password" >/dev/null
	"$MF" -d "$n" user add operator --role operator --password-file "$W/demo.password" >/dev/null
	"$MF" -d "$n" user add gost --role viewer --password-file "$W/demo.password" >/dev/null
done
# the Russian catalogue of this build (an installed one is found without it)
[ -d "$B/po/ru" ] && { MENTORFED_LOCALEDIR="${MENTORFED_LOCALEDIR:-$B/po}"; export MENTORFED_LOCALEDIR; }
WT=$(free_or 8080); WC=$(free_or 8081)
[ "$WC" != "$WT" ] || WC=$(free_or 0)
STATIC="$S/daemon/web/static"
"$B/mentorfed-web" -d "$TOM" -f -l "127.0.0.1:$WT" -s "$STATIC" >"$TOM/web.log" 2>&1 &
PIDS="$PIDS $!"
"$B/mentorfed-web" -d "$CHE" -f -l "127.0.0.1:$WC" -s "$STATIC" >"$CHE/web.log" 2>&1 &
PIDS="$PIDS $!"
for u in "http://127.0.0.1:$WT/login" "http://127.0.0.1:$WC/login"; do
	i=0
	until python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$u" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "web page $u did not start:"; cat "$TOM/web.log" "$CHE/web.log"; exit 1; }
		sleep 0.1
	done
done
echo "Томская область:      http://127.0.0.1:$WT/"
echo "Челябинская область:  http://127.0.0.1:$WC/"
echo "вход: metodist / $DEMO_PASS  (методист; также operator — оператор, gost — только просмотр)"
echo
echo "demo done; the nodes' directories stay in $W"
if [ "${DEMO_WAIT:-}" = 1 ] || { [ "${DEMO_WAIT:-}" != 0 ] && [ -t 0 ]; }; then
	printf 'the nodes and their web pages run until you press Enter... '
	read -r _ || true
fi
