#!/bin/bash
# query_bench.sh — the federation's queries at 200,000 records (issue 14):
# p50/p95 of mentor find (two directions given; every direction for a
# school «Ниже базового»), offer search by direction and month, school
# search by name, a school's page, report roadmaps --at and status, timed
# at the control socket (bench/ctl_bench: the client's own start-up is
# left out).  With --old BUILDDIR (a build of the code before, e.g. of
# `git archive HEAD`), the store is written by the old build, measured
# under it, then copied and opened by this build (which migrates it to
# schema 2: the reindex time is printed) and measured again: before and
# after in one run, on the same records.
#
#   bench/query_bench.sh --builddir B [--old OLDB] [--records 160000]
#       [--schools 40000] [--offers 2000] [--runs 40] [--old-runs 8]
#       [--keep DIR]
#
# (The old build takes seconds per mentor find: it is timed --old-runs
# times, this build --runs times; report roadmaps 5 times on both, after
# ctl_bench's warm-up; then once at a new date, and once with --all.)
#
# The workload: gen_workload.py's anchors with --schools schools (its
# ANCHOR_SCHOOLS raised from 1,000) and 20 roadmaps, then --records records
# (roadmap items, practices, schools, competency cards referring to the
# anchors), then --offers internship offers of the anchor schools: about
# 200,000 records.  Figures go to bench/QUERIES.md by hand.
set -eu
S=$(cd "$(dirname "$0")/.." && pwd)
B="" OLD="" RECORDS=160000 SCHOOLS=40000 OFFERS=2000 RUNS=40 OLD_RUNS=8 KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) B=$2; shift ;;
	--old) OLD=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	--schools) SCHOOLS=$2; shift ;;
	--offers) OFFERS=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--old-runs) OLD_RUNS=$2; shift ;;
	--keep) KEEP=$2; shift ;;
	*) echo "query_bench: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
B=$(cd "${B:?--builddir is required}" && pwd)
[ -z "$OLD" ] || OLD=$(cd "$OLD" && pwd)
CB=$B/bench/ctl_bench
[ -x "$CB" ] || { echo "query_bench: $CB missing (make bench/ctl_bench)" >&2; exit 1; }
W=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/mf-querybench.XXXXXX")}
mkdir -p "$W"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.5
	[ -n "$KEEP" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The store is written by the old build when there is one (a store of the
# new schema would not open under it).
WB=${OLD:-$B}
N0=$W/node
if [ ! -f "$N0/mentorfed.conf" ]; then
	"$WB/mentorfed" -d "$N0" init --region RU-TOM --listen "tcp://127.0.0.1:$(port)" \
		--plugin-dir "$WB/plugins/.libs" >/dev/null
	python3 - "$S/bench" "$W" "$SCHOOLS" "$RECORDS" "$OFFERS" <<'PY'
import json, random, sys
sys.path.insert(0, sys.argv[1])
import gen_workload as g
w, schools, records, offers = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
g.ANCHOR_SCHOOLS = schools
class A: pass
a = A(); a.seed = "mentorfed-bench-1"; a.origin = "RU-TOM"; a.out = w + "/anchors.json"
g.anchors(a)
step = 20000
for n in range(0, records, step):
    a = A(); a.seed = "mentorfed-bench-1"; a.origin = "RU-TOM"; a.prefix = "b"
    a.start = n; a.count = min(step, records - n); a.out = "%s/rec%03d.json" % (w, n // step)
    g.records(a)
r = random.Random(14)
with open(w + "/offers.json", "w") as f:
    for i in range(offers):
        m = 1 + i % 12
        f.write(json.dumps({"kind": "internship_offer", "key": "offer%d" % i, "body": {
            "host_school_id": g.anchor_id("RU-TOM", "school", r.randrange(schools)),
            "title": "Стажировка %d" % i, "directions": r.sample(g.DIRECTIONS, 2),
            "dates": [{"from": "2025-%02d-%02d" % (m, 1 + i % 14),
                       "to": "2025-%02d-%02d" % (m, 15 + i % 14)}],
            "places": 5, "open_to_other_regions": True}}, ensure_ascii=False) + "\n")
# the mentees: an anchor school at «Ниже базового» (every direction is
# needed) and another one for the search with two directions given
gen = g.Gen("mentorfed-bench-1", "anchor", "RU-TOM")
below = None
for n in range(schools):
    if gen.body("school", n)["self_diagnosis_level"] == "below_basic":
        below = n
        break
open(w + "/mentees", "w").write("%s %s\n" % (g.anchor_id("RU-TOM", "school", below),
                                            g.anchor_id("RU-TOM", "school", (below + 1) % schools)))
PY
	timeout 3600 "$WB/mentorfedd" -d "$N0" -f >"$W/write.log" 2>&1 &
	PIDS+=($!)
	until "$WB/mentorfed" -d "$N0" digest >/dev/null 2>&1; do sleep 0.2; done
	t0=$(date +%s)
	for f in "$W/anchors.json" "$W"/rec*.json "$W/offers.json"; do
		"$WB/mentorfed" -d "$N0" put "$f" >/dev/null
	done
	echo "wrote the store in $(( $(date +%s) - t0 )) s with $WB"
	"$WB/mentorfed" -d "$N0" stop >/dev/null
	wait "${PIDS[-1]}" || true
fi
read -r MB MD <"$W/mentees"

# The integrity pass of a start reads every record: measure after it, as
# a node that has been running would answer.
wait_checked() {	# BUILD NODE
	python3 - "$1/mentorfed" "$2" <<'PY'
import json, subprocess, sys, time
for _ in range(1200):
    r = subprocess.run([sys.argv[1], "-d", sys.argv[2], "status", "--json"],
                       capture_output=True, timeout=120)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = {}
    if (j.get("integrity") or {}).get("last_check"):
        print("records:", j.get("records"))
        break
    time.sleep(1)
PY
}

# The start-up integrity pass reads every record at scrub_rate (1,000/s
# by default: 200 s here); the copies measured run it at 100,000/s so that
# it is over in seconds (a running node has it behind it either way).
fast_check() {
	sed -i 's/^\[node\]$/[node]\nscrub_rate = 100000/' "$1"
}

measure() {	# LABEL BUILD NODE RUNS
	local label=$1 b=$2 n=$3 runs=$4 t0
	t0=$(date +%s.%N)
	timeout 3600 "$b/mentorfedd" -d "$n" -f >"$W/$label.log" 2>&1 &
	PIDS+=($!)
	until "$b/mentorfed" -d "$n" digest >/dev/null 2>&1; do sleep 0.1; done
	echo "== $label ($b): answering after $(python3 -c "import time; print('%.1f' % (time.time() - $t0))") s"
	grep -h "indexed .* records" "$W/$label.log" || true
	wait_checked "$b" "$n"
	local ep="ipc://$n/control.sock"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$CB" "$ep" "$runs" \
		"mentor find (2 directions)" "{\"cmd\":\"mentor_find\",\"school\":\"$MD\",\"directions\":[\"knowledge\",\"health\"],\"limit\":20}" \
		"mentor find (every direction)" "{\"cmd\":\"mentor_find\",\"school\":\"$MB\",\"directions\":[],\"limit\":20}" \
		"offers by direction and month" '{"cmd":"offers","directions":["health"],"month":"2025-10"}' \
		"school search «школа № 12»" '{"cmd":"web_schools","q":"школа № 12","limit":50}' \
		"school page" "{\"cmd\":\"web_school\",\"id\":\"$MD\"}" \
		"status" '{"cmd":"status"}'
	"$CB" "$ep" 5 "report roadmaps --at 2025-06-01" '{"cmd":"report_roadmaps","at":"2025-06-01"}' ||
		echo "report roadmaps: failed (see $W/$label.log)"
	# ctl_bench's two warm-up requests judge the report once; what the
	# first request at a date costs (every item of every region judged in
	# the plugin host, as after any region wrote), and every item (--all,
	# what the web page asks), timed once each through the client
	for q in "report roadmaps --at 2025-05-01" "report roadmaps --at 2025-04-01 --all"; do
		t0=$(date +%s.%N)
		# shellcheck disable=SC2086
		if "$b/mentorfed" -d "$n" --timeout 600 --json $q >/dev/null 2>"$W/$label.rr.err"; then
			printf '%-40s %8.0f ms  (one request, the first at that date, through the client)\n' "$q" \
				"$(python3 -c "import time; print((time.time() - $t0) * 1000)")"
		else
			echo "$q: failed: $(head -c 300 "$W/$label.rr.err")"
		fi
	done
	"$b/mentorfed" -d "$n" stop >/dev/null
	wait "${PIDS[-1]}" || true
}

if [ -n "$OLD" ]; then
	rm -rf "$W/before" "$W/after"
	cp -a "$N0" "$W/before"
	fast_check "$W/before/mentorfed.conf"
	measure before "$OLD" "$W/before" "$OLD_RUNS"
	cp -a "$N0" "$W/after"
	sed -i "s|$OLD/plugins/.libs|$B/plugins/.libs|" "$W/after/mentorfed.conf"
	fast_check "$W/after/mentorfed.conf"
	measure after "$B" "$W/after" "$RUNS"
else
	rm -rf "$W/after"
	cp -a "$N0" "$W/after"
	fast_check "$W/after/mentorfed.conf"
	measure after "$B" "$W/after" "$RUNS"
fi
