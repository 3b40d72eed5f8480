#!/bin/sh
# make_upgrade_fixture.sh — rebuild tests/data/upgrade/RELEASE: the data
# directory of a Tomsk node made by an older release of mentorfed, for
# tests/test_upgrade.sh.  Not run by the test command: a fixture is made
# once per release and then kept as it is (the point is that it is old).
#
#   tests/make_upgrade_fixture.sh COMMIT [RELEASE]
#
# COMMIT is built outside the tree (git archive into a temporary directory,
# autogen, configure, make -j2; git state untouched).  OLD_BUILD=DIR skips
# that and uses a build of COMMIT already made in DIR.  RELEASE (default:
# the version in COMMIT's configure.ac) names the fixture directory.
#
# What it makes, with the old code only: node RU-TOM imports the real
# Tomsk documents of tests/data and the competency cards, puts a few
# records and deletes one (a tombstone); node RU-CHE imports the
# Chelyabinsk roadmap and puts a few records; both sync.  After a clean
# stop (no -wal/-shm left), RU-TOM's directory (store.db, mentorfed.conf,
# keys) is copied into the fixture with `expected`: the record count and
# digest the old code reported, which the test requires of the new code.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
commit=${1:?usage: $0 COMMIT [RELEASE]}
rel=${2:-$(git -C "$src" show "$commit:configure.ac" |
	sed -n 's/^AC_INIT(\[mentorfed\], \[\([^]]*\)\].*/\1/p')}
[ -n "$rel" ] || { echo "$0: no release name" >&2; exit 1; }
out="$src/tests/data/upgrade/$rel"
full=$(git -C "$src" rev-parse "$commit")

work=$(mktemp -d "${TMPDIR:-/tmp}/mf-upgfix.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 1
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -n "${OLD_BUILD:-}" ]; then
	b=$OLD_BUILD
else
	mkdir "$work/src"
	git -C "$src" archive "$commit" | tar -x -C "$work/src"
	(cd "$work/src" && ./autogen.sh >/dev/null 2>&1)
	mkdir "$work/src/_b"
	(cd "$work/src/_b" && ../configure -q && make -j2 >/dev/null)
	b="$work/src/_b"
fi
MF="$b/mentorfed"
MFD="$b/mentorfedd"
DATA="$src/tests/data"
mf() { timeout 60 "$MF" "$@"; }

port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

P="$work/plugins"
mkdir -p "$P"
cp "$b"/plugins/.libs/tomsk.so "$b"/plugins/.libs/chelyabinsk.so "$P/"
chmod 755 "$P"; chmod 644 "$P"/*.so

TOM="$work/tom"; CHE="$work/che"
mf -d "$TOM" init --region RU-TOM --plugin-dir "$P" --listen "tcp://127.0.0.1:$(port)" >/dev/null
mf -d "$CHE" init --region RU-CHE --plugin-dir "$P" --listen "tcp://127.0.0.1:$(port)" >/dev/null
mf -d "$TOM" card >"$work/tom.card"
mf -d "$CHE" card >"$work/che.card"
mf -d "$TOM" peer add "$work/che.card" >/dev/null
mf -d "$CHE" peer add "$work/tom.card" >/dev/null

start() {
	timeout 600 "$MFD" -d "$1" -f >>"$1/daemon.log" 2>&1 &
	echo $! >"$1/daemon.pid"
	pids="$pids $!"
	i=0
	until mf -d "$1" digest >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { cat "$1/daemon.log" >&2; exit 1; }
		sleep 0.05
	done
}
start "$TOM"; start "$CHE"

for f in 001_61f92942b5c4c16e.txt 002_d68d02b4e53f9a5a.txt 004_1dcc4fc04c00c22d.txt \
	000_022d9e61d4ef58db.txt cards/tomsk-cards.txt; do
	mf -d "$TOM" import "$DATA/$f" >/dev/null
done
mf -d "$CHE" import "$DATA/003_c9a35ca7a92a9425.txt" >/dev/null

# A few local writes: schools and an event, then a tombstone.
mf -d "$TOM" put >/dev/null <<'J'
{"kind":"school","key":"upg-tom-1","body":{"name":"МАОУ СОШ № 1 (фикстура обновления)","municipality":"г. Томск"}}
{"kind":"school","key":"upg-tom-2","body":{"name":"МБОУ Лицей № 2 (фикстура обновления)","municipality":"Томский район"}}
{"kind":"school","key":"upg-tom-3","body":{"name":"Школа для удаления","municipality":"г. Северск"}}
{"kind":"event","key":"upg-tom-webinar","body":{"type":"webinar","title":"Вебинар наставников Томской области","date":"2025-03-12","organiser":"ТОИПКРО"}}
J
gone=$(mf -d "$TOM" --json list --kind school --region RU-TOM |
	python3 -c 'import json,sys; print([x["id"] for x in json.load(sys.stdin) if x["body"]["name"]=="Школа для удаления"][0])')
mf -d "$TOM" delete "$gone" >/dev/null
mf -d "$CHE" put >/dev/null <<'J'
{"kind":"school","key":"upg-che-1","body":{"name":"МАОУ СОШ № 10 г. Челябинска (фикстура обновления)","municipality":"г. Челябинск"}}
{"kind":"event","key":"upg-che-webinar","body":{"type":"webinar","title":"Региональный вебинар наставников","date":"2025-04-02","organiser":"ЧИППКРО"}}
J

i=0
while :; do
	dt=$(mf -d "$TOM" digest); dc=$(mf -d "$CHE" digest)
	[ -n "$dt" ] && [ "$dt" = "$dc" ] && break
	i=$((i + 1)); [ $i -lt 600 ] || { echo "$0: the old nodes did not converge" >&2; exit 1; }
	sleep 0.1
done
mf -d "$TOM" verify >/dev/null
st=$(mf -d "$TOM" status --json)
records=$(printf '%s' "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')
ntom=$(mf -d "$TOM" export --region RU-TOM | wc -l | tr -d ' ')
nche=$(mf -d "$TOM" export --region RU-CHE | wc -l | tr -d ' ')
vv=$(printf '%s' "$st" | python3 -c '
import json,sys
o=json.load(sys.stdin)["sync"]["origins"]
print(" ".join("%s=%s" % (k, o[k]["held"] if "held" in o[k] else o[k].get("seq")) for k in sorted(o)))' 2>/dev/null || true)

# A clean stop: the daemon checkpoints and removes -wal/-shm.
for n in "$TOM" "$CHE"; do
	p=$(cat "$n/daemon.pid")
	kill -TERM "$p"
	wait "$p" || true
done
pids=""
for f in store.db-wal store.db-shm; do
	[ ! -e "$TOM/$f" ] || { echo "$0: $f left after a clean stop" >&2; exit 1; }
done

rm -rf "$out/tom" "$out/expected" "$out/che.card"	# README stays: it is written by hand
mkdir -p "$out/tom"
for f in store.db mentorfed.conf curve.key curve.pub signing.key signing.pub; do
	cp "$TOM/$f" "$out/tom/$f"
done
cp "$work/che.card" "$out/che.card"
uv=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$out/tom/store.db")
cat >"$out/expected" <<E
# what release $rel (commit $full) reported for tom/ before it stopped
commit=$full
release=$rel
user_version=$uv
records=$records
records_RU-TOM=$ntom
records_RU-CHE=$nche
digest=$dt
held=$vv
E
echo "fixture $out: $records records ($ntom RU-TOM, $nche RU-CHE), digest $dt, schema $uv"
[ -z "$vv" ] || echo "origins: $vv"
du -sh "$out"
