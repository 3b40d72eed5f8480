#!/bin/sh
# test_memstat.sh — `status` says where the node's memory goes (issue 14:
# "say where every MiB goes"): the resident set from the kernel, SQLite's
# own allocations and the store's page cache within its ceiling, the C
# heap; figures that add up, and one line for the person at the screen.
. "${top_srcdir:-.}/tests/lib.sh"
plan 8

N="$T_TMP/tom"
"$MF" -d "$N" init --region RU-TOM >/dev/null || exit 1
start_node "$N"; ok $? "mentorfedd starts"
# some records, so the page cache holds pages
i=0; : > "$T_TMP/recs.jsonl"
while [ $i -lt 300 ]; do
	echo "{\"kind\":\"event\",\"key\":\"e$i\",\"body\":{\"title\":\"Вебинар $i\",\"date\":\"2025-03-0$((i % 9 + 1))\"}}" >> "$T_TMP/recs.jsonl"
	i=$((i + 1))
done
"$MF" -d "$N" put "$T_TMP/recs.jsonl" >/dev/null; ok $? "put 300 records"
"$MF" -d "$N" --json status > "$T_TMP/st.json"; ok $? "status --json"
python3 - "$T_TMP/st.json" > "$T_TMP/check.out" <<'P'
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
bad = []
if not m["rss"] > 1 << 20: bad.append("rss %d" % m["rss"])
if not m["rss_anon"] + m["rss_file"] + m["rss_shmem"] <= m["rss"] + 4096: bad.append("rss parts exceed rss")
if not 0 < m["sqlite_cache"] <= m["sqlite_cache_limit"] + (1 << 20): bad.append("cache %d limit %d" % (m["sqlite_cache"], m["sqlite_cache_limit"]))
if not m["sqlite_cache"] + m["sqlite_statements"] <= m["sqlite_used"] + (1 << 16): bad.append("sqlite parts exceed its total")
if not m["sqlite_used"] <= m["sqlite_peak"]: bad.append("peak below current")
# glibc's heap; -1 under an allocator that reports none (ASan)
if m["heap_used"] != -1 and not (m["heap_used"] > 0 and m["heap_arena"] + m["heap_mmap"] >= m["heap_used"]): bad.append("heap %d of %d" % (m["heap_used"], m["heap_arena"]))
if m["sqlite_cache_limit"] != 32 << 20: bad.append("cache limit %d (expected the configured 32 MiB)" % m["sqlite_cache_limit"])
print("ok" if not bad else "; ".join(bad))
P
is "$(cat "$T_TMP/check.out")" ok "the memory figures are present and consistent"
env -u LC_ALL -u LANGUAGE LANG=ru_RU.UTF-8 MENTORFED_LOCALEDIR="$top_builddir/po" "$MF" -d "$N" status > "$T_TMP/st.txt" 2>&1
like "$(grep '^память' "$T_TMP/st.txt")" '^память +[0-9.]+ МиБ в памяти: SQLite [0-9.]+ МиБ \(кэш страниц [0-9.]+ из 32\.0\)' "status shows one line in Russian"
env -u LC_ALL -u LANGUAGE LANG=C "$MF" -d "$N" status > "$T_TMP/st.en" 2>&1
like "$(grep '^memory' "$T_TMP/st.en")" 'MiB resident: SQLite' "and in English under LANG=C"
# the figures move with the work: the WAL grows with writes
w=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["memory"]["wal_bytes"])' "$T_TMP/st.json")
[ "$w" -gt 0 ]; ok $? "the WAL's size is reported ($w bytes)"
stop_node "$N"; ok $? "stops cleanly"
done_testing
