#!/bin/sh
# make_seeds.sh BUILDDIR OUTDIR — the seed corpora of the fuzz targets
# (doc/FUZZING.md), one directory per target under OUTDIR, built from
# tests/data and from frames of the test peer (make_frames.py):
#
#   fuzz_datexpr   the date expressions of tests/test_datexpr.c and those
#                  the sample documents' plans use
#   fuzz_conf      the sample config, a node's config after init and after
#                  `peer add` / `trust` of another node's card
#   fuzz_card      `mentorfed card` of two fresh nodes, and variants
#   fuzz_put       the records the importers read from tests/data, as
#                  `mentorfed put` sends them (made by mentorfed-plugin-host)
#   fuzz_apply, fuzz_wire   make_frames.py
#   fuzz_import_*  every document of tests/data (all to every importer:
#                  a seed of another format is a good mutant too)
#
# Needs the build's mentorfed and mentorfed-plugin-host and, for the
# frames, python3 with zmq, protobuf and cryptography and protoc (as
# tests/sync_peer.sh); without them those two corpora stay empty and the
# targets start from nothing.
set -eu
B=$(cd "$1" && pwd)
OUT=$2
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
S=$top_srcdir
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mf-seeds.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$OUT"
for t in datexpr conf card put apply wire import; do mkdir -p "$OUT/fuzz_$t"; done

# ---------------------------------------------------------------- dates
timeout 30 "$PY" - "$S/tests/test_datexpr.c" "$OUT/fuzz_datexpr" <<'PY'
import re, sys, hashlib, os
src, out = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
exprs = set(m.group(1) for m in re.finditer(r'mf_parse_period\("((?:[^"\\]|\\.)*)"', text))
exprs |= {"Февраль", "12.02.2025", "Апрель, сентябрь", "В течение года", "Декабрь",
          "Январь-февраль 2023 г.", "Март-апрель 2023 г. Март-апрель 2024 г.,",
          "III - IV кварталы 2023 г. I II - IV кварталы 2024 г.",
          "2023 г. - ноябрь 2024 г. - ноябрь", "IV квартал 2023 г. IV квартал 2024 г.",
          "В течение всего периода", "до 10.02.2025", "12.02.2025 - 14.02.2025",
          "I полугодие 2024", "2023-2024 годы", "21 февраля", "учитель – ученик", "2025-02-12"}
for e in sorted(exprs):
    e = e.encode().decode("unicode_escape").encode("latin-1") if "\\" in e else e.encode()
    for year in (0, 1):
        data = bytes([year]) + e
        open(os.path.join(out, hashlib.sha1(data).hexdigest()[:16]), "wb").write(data)
PY

# ---------------------------------------------------------------- nodes: conf, card
export MENTORFED_PLUGIN_HOST="$B/mentorfed-plugin-host"
mk() {	# mk DIR REGION PORT
	timeout 30 "$B/mentorfed" -d "$1" init --region "$2" --listen "tcp://127.0.0.1:$3" >/dev/null
}
mk "$TMP/tom" RU-TOM 7701 && mk "$TMP/che" RU-CHE 7702
timeout 30 "$B/mentorfed" -d "$TMP/tom" card >"$TMP/tom.card"
timeout 30 "$B/mentorfed" -d "$TMP/che" card >"$TMP/che.card"
cp "$S/etc/mentorfed.conf.sample" "$OUT/fuzz_conf/sample"
cp "$TMP/tom/mentorfed.conf" "$OUT/fuzz_conf/init"
timeout 30 "$B/mentorfed" -d "$TMP/tom" peer add "$TMP/che.card" >/dev/null 2>&1 || true
cp "$TMP/tom/mentorfed.conf" "$OUT/fuzz_conf/peer"
cp "$TMP/tom.card" "$OUT/fuzz_card/tom"
cp "$TMP/che.card" "$OUT/fuzz_card/che"
# a card with no comments, one with a long official name, one with CRLF
grep -v '^#' "$TMP/tom.card" >"$OUT/fuzz_card/bare"
sed 's/^name = .*/name = Министерство образования и науки Челябинской области, Челябинский институт переподготовки и повышения квалификации работников образования/' \
	"$TMP/che.card" >"$OUT/fuzz_card/longname"
sed 's/$/\r/' "$TMP/tom.card" >"$OUT/fuzz_card/crlf"

# ---------------------------------------------------------------- importers, put
n=0
for f in "$S"/tests/data/*.txt "$S"/tests/data/cards/*.txt; do
	n=$((n + 1))
	cp "$f" "$OUT/fuzz_import/$(basename "$f")"
	case $(basename "$f") in 003_*) region=RU-CHE ;; *) region=RU-TOM ;; esac
	len=$(wc -c <"$f")
	# the plugin host's protocol (daemon/plughost/plughost_main.c)
	{ printf '{"op":"import","region":"%s","plugin_dir":"%s","path":"%s","doc_len":%s,"year":2025}\n' \
		"$region" "$B/plugins/.libs" "$(basename "$f")" "$len"; cat "$f"; } |
		timeout 30 "$B/mentorfed-plugin-host" >"$TMP/imp.$n.json" 2>/dev/null || true
	# the records, made RU-TOM's (fuzz_put's node), as put takes them
	timeout 30 "$PY" - "$TMP/imp.$n.json" "$OUT/fuzz_put/import-$n" <<'PY' || true
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("ok") and r.get("records"):
    recs = r["records"]
    for x in recs:
        x["id"] = x["id"].replace("RU-CHE:", "RU-TOM:")
    json.dump(recs, open(sys.argv[2], "w"), ensure_ascii=False)
    json.dump(recs[:3], open(sys.argv[2] + "-3", "w"), ensure_ascii=False)
    json.dump([dict(recs[0], deleted=True, body=None)] if recs else [], open(sys.argv[2] + "-del", "w"))
PY
done
printf '[{"kind":"school","key":"s1","body":{"name":"Школа 1","municipality":"Томск"}}]' >"$OUT/fuzz_put/school"
printf '[{"kind":"school","key":"s1","deleted":true}]' >"$OUT/fuzz_put/delete"
printf '[]' >"$OUT/fuzz_put/empty"

# ---------------------------------------------------------------- frames
if command -v protoc >/dev/null 2>&1 &&
   "$PY" -c 'import zmq, google.protobuf, cryptography' 2>/dev/null; then
	mkdir -p "$TMP/pb"
	protoc --python_out="$TMP/pb" -I "$S/proto" "$S/proto/records.proto" "$S/proto/wire.proto"
	MF_PB_DIR="$TMP/pb" timeout 60 "$PY" "$S/tests/fuzz/make_frames.py" "$TMP/frames" >/dev/null
	cp "$TMP"/frames/apply/* "$OUT/fuzz_apply/"
	cp "$TMP"/frames/wire/* "$OUT/fuzz_wire/"
else
	echo "make_seeds.sh: protoc or python3-zmq/protobuf/cryptography missing: no frame seeds" >&2
fi
for d in "$OUT"/fuzz_*; do
	printf '%s: %s seeds\n' "$(basename "$d")" "$(ls "$d" | wc -l)"
done
