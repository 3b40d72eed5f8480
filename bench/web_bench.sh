#!/bin/sh
# web_bench.sh — mentorfed-web under load (issue 13): a node with 10,000
# schools among 100,000 records, mentorfed-web in front of it, and wrk
# against the federation page and the school search (a folded name search
# over every school, the slowest read page).  Prints p50/p95/p99 latency
# of each; the issue asks every page under 100 ms at p95.
#
#   bench/web_bench.sh BUILDDIR [SECONDS] [CONNECTIONS]
#
# Needs wrk (apt-get install wrk).  Run on demand (`make bench-web`), not
# by `make check`.
set -eu
B=$(cd "${1:?usage: web_bench.sh BUILDDIR [SECONDS] [CONNECTIONS]}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
SECS=${2:-10}
CONNS=${3:-4}
command -v wrk >/dev/null || { echo "web_bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
# WEB_BENCH_DIR=DIR keeps the node there (and reuses it when it exists)
W=${WEB_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mf-webbench.XXXXXX")}
mkdir -p "$W"
PIDS=""
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.5
	[ -n "${WEB_BENCH_DIR:-}" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

N="$W/node"
NEW=0
[ -f "$N/mentorfed.conf" ] || { NEW=1; "$B/mentorfed" -d "$N" init --region RU-TOM --listen "tcp://127.0.0.1:$(port)" >/dev/null; }
timeout 3600 "$B/mentorfedd" -d "$N" -f >"$W/daemon.log" 2>&1 &
PIDS="$PIDS $!"
until "$B/mentorfed" -d "$N" digest >/dev/null 2>&1; do sleep 0.1; done

# 10,000 schools with Cyrillic names in 40 municipalities, then 90,000
# other records (cards and practices of those schools, events), in puts of
# 10,000.
[ $NEW = 1 ] && python3 - "$W" <<'PY'
import hashlib, json, random, sys
rnd = random.Random(13)
def sid(i):	# the id the node gives key "s<i>" (kinds.c: mf_make_id)
    return "RU-TOM:school:" + hashlib.sha256(b"school\0" + b"s%d" % i).hexdigest()[:16]
w = sys.argv[1]
kinds = ["МАОУ", "МБОУ", "МОУ", "МКОУ"]
places = ["Томск", "Северск", "Стрежевой", "Колпашево", "Асино", "Кожевниково",
          "Бакчар", "Каргасок", "Парабель", "Зырянское", "Тегульдет", "Мельниково"]
def school(i):
    return {"kind": "school", "key": "s%d" % i, "body": {
        "name": "%s «%s СОШ № %d»" % (rnd.choice(kinds), rnd.choice(places), i),
        "short_name": "СОШ № %d" % i, "municipality": "Район %d" % (i % 40),
        "region": "RU-TOM"}}
recs = [school(i) for i in range(10000)]
dirs = ["knowledge", "upbringing", "health", "creativity", "career_guidance", "teacher_team"]
for i in range(30000):
    recs.append({"kind": "competency_card", "key": "c%d" % i, "body": {
        "school_id": sid(i % 10000), "directions": rnd.sample(dirs, 2),
        "description": "Опыт работы %d: наставничество, методическое сопровождение" % i}})
forms = ["teacher_student", "student_student", "teacher_teacher"]
for i in range(30000):
    recs.append({"kind": "mentoring_practice", "key": "p%d" % i, "body": {
        "school_id": sid(i % 10000), "region": "RU-TOM", "form": rnd.choice(forms),
        "goal": "Цель практики %d" % i}})
for i in range(30000):
    recs.append({"kind": "event", "key": "e%d" % i, "body": {
        "type": "webinar", "title": "Вебинар %d" % i,
        "date": "2025-%02d-%02d" % (1 + i % 12, 1 + i % 28), "organiser": "ТОИПКРО"}})
for n in range(0, len(recs), 10000):
    with open("%s/put%03d.json" % (w, n // 10000), "w") as f:
        for r in recs[n:n + 10000]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
[ $NEW = 1 ] && for f in "$W"/put*.json; do
	"$B/mentorfed" -d "$N" put "$f" >/dev/null
done
# the daemon's start-up check of the store reads every record: measure
# the pages after it, as a node that has been running would serve them
python3 - "$B/mentorfed" "$N" <<'PY'
import json, subprocess, sys, time
for _ in range(600):
    j = json.loads(subprocess.run([sys.argv[1], "-d", sys.argv[2], "status", "--json"],
                                  capture_output=True, timeout=60).stdout)
    if (j.get("integrity") or {}).get("last_check"):
        break
    time.sleep(1)
PY
"$B/mentorfed" -d "$N" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print("records:", j["records"], "by kind:", j["by_kind"])'

printf 'bench-password-1\n' | "$B/mentorfed" -d "$N" user add bench --role viewer >/dev/null
P=$(port)
MENTORFED_WEB_STATIC="$S/daemon/web/static" timeout 3600 "$B/mentorfed-web" -d "$N" -f \
	-l "127.0.0.1:$P" 2>"$W/web.log" &
PIDS="$PIDS $!"
until curl -s -o /dev/null "http://127.0.0.1:$P/static/web.css"; do sleep 0.1; done
J="$W/jar"
T=$(curl -s -c "$J" -b "$J" "http://127.0.0.1:$P/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
curl -s -o /dev/null -c "$J" -b "$J" --data "csrf=$T&user=bench&password=bench-password-1" \
	"http://127.0.0.1:$P/login"
SID=$(awk '$6 == "mfsession" {print $7}' "$J")
[ -n "$SID" ] || { echo "web_bench: login failed" >&2; exit 1; }

cat >"$W/p95.lua" <<'LUA'
done = function(summary, latency, requests)
	io.write(string.format("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  (%d requests, %.0f/s, %d errors)\n",
		latency:percentile(50) / 1000, latency:percentile(95) / 1000,
		latency:percentile(99) / 1000, summary.requests,
		summary.requests / (summary.duration / 1e6),
		summary.errors.status + summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout))
end
LUA
run() {	# run NAME PATH
	curl -s -o /dev/null -H "Cookie: mfsession=$SID" "http://127.0.0.1:$P$2"	# warm
	printf '%-34s ' "$1"
	wrk -t2 -c"$CONNS" -d"${SECS}s" -H "Cookie: mfsession=$SID" -s "$W/p95.lua" \
		"http://127.0.0.1:$P$2" | tail -1
}
echo "wrk -t2 -c$CONNS -d${SECS}s per page; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run federation /federation
run "school search «сош № 12»" "/schools?q=%D1%81%D0%BE%D1%88+%E2%84%96+12"
run "schools of a municipality" "/schools?municipality=%D0%A0%D0%B0%D0%B9%D0%BE%D0%BD+7"
SCH=$("$B/mentorfed" -d "$N" --json list --kind competency_card | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["body"]["school_id"])')
run "a school's page" "/school?id=$SCH"
