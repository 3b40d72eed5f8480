#!/bin/sh
# test_import.sh — region plugins through a running daemon: the plugin
# directory loaded at start, `plugin list`, `plugin load` refusing bad
# plugins with the node still serving, `import` of the real documents
# (own region only, atomic, idempotent, one school across documents) and
# `roadmap` judged by the owner region's model.
. "${top_srcdir:-.}/tests/lib.sh"
plan 39

# the plugins as built (libtool keeps the loadable objects in .libs)
P="$T_TMP/plugins"
mkdir -p "$P"
cp "$top_builddir"/plugins/.libs/tomsk.so "$top_builddir"/plugins/.libs/chelyabinsk.so "$P/"
chmod 755 "$P"; chmod 644 "$P"/*.so

TOM="$T_TMP/tom"; CHE="$T_TMP/che"
"$MF" -d "$TOM" init --region RU-TOM --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$CHE" init --region RU-CHE --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$TOM" card > "$T_TMP/tom.card"
"$MF" -d "$CHE" card > "$T_TMP/che.card"
"$MF" -d "$TOM" peer add "$T_TMP/che.card" >/dev/null
"$MF" -d "$CHE" peer add "$T_TMP/tom.card" >/dev/null
start_node "$TOM"; ok $? "Tomsk node starts with its plugin directory"
start_node "$CHE"

names=$("$MF" -d "$TOM" --json plugin list | python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(sys.stdin))))')
is "$names" "chelyabinsk tomsk" "plugin list shows the plugins loaded at start"

# -- Tomsk: the League order, then the practices letter
out=$("$MF" -d "$TOM" import "$DATA/001_61f92942b5c4c16e.txt"); rc=$?
is $rc 0 "import of the League order"
like "$out" "with tomsk/tomsk-league-order: 18 records" "the plugin and format are found by probing"
"$MF" -d "$TOM" import "$DATA/002_d68d02b4e53f9a5a.txt" >/dev/null; ok $? "import of the practices letter"
"$MF" -d "$TOM" --json list --kind school > "$T_TMP/schools.json"
r=$(python3 -c '
import json,sys,collections
s=json.load(open(sys.argv[1]))
c=collections.Counter(x["body"]["name"] for x in s)
league=[x for x in s if x["body"].get("memberships")]
k=[x["body"] for x in s if "Кожевниковская" in x["body"]["name"]]
print(max(c.values()), len(league), len(k), len(k[0].get("memberships",[])), k[0].get("municipality"), "письмо" in k[0].get("source",""))' "$T_TMP/schools.json")
is "$r" "1 12 1 1 Кожевниковский район True" "a school named in both documents is one record: League membership and municipality kept, both sources"
for f in 004_1dcc4fc04c00c22d.txt 000_022d9e61d4ef58db.txt cards/tomsk-cards.txt; do
	"$MF" -d "$TOM" import "$DATA/$f" >/dev/null || echo "# import of $f failed"
done
D1=$("$MF" -d "$TOM" digest)
n1=$("$MF" -d "$TOM" --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
changed=0
for f in 001_61f92942b5c4c16e.txt 002_d68d02b4e53f9a5a.txt 004_1dcc4fc04c00c22d.txt 000_022d9e61d4ef58db.txt cards/tomsk-cards.txt; do
	c=$("$MF" -d "$TOM" --json import "$DATA/$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["changed"])')
	changed=$((changed + ${c:-1}))
done
is "$changed" 0 "re-importing every document changes nothing"
is "$("$MF" -d "$TOM" digest)" "$D1" "and leaves the digest as it was"
n2=$("$MF" -d "$TOM" --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n2" "$n1" "no duplicates ($n1 records)"

# -- a changed document updates just what changed
sed 's/более 50 человек/более 60 человек/' "$DATA/002_d68d02b4e53f9a5a.txt" > "$T_TMP/002-changed.txt"
c=$("$MF" -d "$TOM" --json import "$T_TMP/002-changed.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["changed"], d["records"])')
is "$c" "1 15" "a changed document (the webinar's participants) updates just that record"
"$MF" -d "$TOM" import "$DATA/002_d68d02b4e53f9a5a.txt" >/dev/null
D1=$("$MF" -d "$TOM" digest)

# -- refusals: nothing stored
out=$("$MF" -d "$TOM" import "$DATA/003_c9a35ca7a92a9425.txt" 2>&1); rc=$?
is $rc 65 "a Chelyabinsk document is refused by the Tomsk node (EX_DATAERR)"
like "$out" "003_c9a35ca7a92a9425.txt.*region RU-CHE.*only its own region" "and the error says why"
head -c 3000 "$DATA/001_61f92942b5c4c16e.txt" > "$T_TMP/001-truncated.txt"
printf 'garbage\001\002 not a document\n' > "$T_TMP/junk.txt"
"$MF" -d "$TOM" import "$T_TMP/junk.txt" >"$T_TMP/junk.out" 2>&1; rc=$?
is $rc 65 "an unrecognised document is refused"
like "$(cat "$T_TMP/junk.out")" "junk.txt:[0-9]+: .*no loaded plugin recognises" "naming the file and line"
"$MF" -d "$TOM" import --plugin tomsk --format tomsk-league-order "$T_TMP/001-truncated.txt" >"$T_TMP/tr.out" 2>&1
like "$?:$(cat "$T_TMP/tr.out")" "^65:.*001-truncated.txt:[0-9]+: .*truncated" "a truncated document is refused with its file and line"
iconv -f UTF-8 -t CP1251 "$DATA/001_61f92942b5c4c16e.txt" > "$T_TMP/001-cp1251.txt"
"$MF" -d "$TOM" import "$T_TMP/001-cp1251.txt" >"$T_TMP/cp.out" 2>&1
like "$?:$(cat "$T_TMP/cp.out")" "^65:.*001-cp1251.txt:[0-9]+: (error: )?invalid UTF-8" "a CP1251 document is refused with its file and line"
"$MF" -d "$TOM" import "$T_TMP/nonexistent.txt" >"$T_TMP/ne.out" 2>&1; rc=$?
like "$rc:$(cat "$T_TMP/ne.out")" "^6[56]:.*nonexistent.txt" "a missing file is named"
is "$("$MF" -d "$TOM" digest)" "$D1" "no refused or truncated document changed the store"

# -- a re-import that would drop what the earlier import created (issue 11)
grep -v "^· 50% охват" "$DATA/002_d68d02b4e53f9a5a.txt" > "$T_TMP/002-short.txt"
"$MF" -d "$TOM" import "$T_TMP/002-short.txt" >"$T_TMP/short.out" 2>&1; rc=$?
like "$rc:$(tr '\n' ' ' <"$T_TMP/short.out")" "^65:.*письмо от 2022-08-26 № 774.* would remove 1 target \(«охват" \
	"the letter without its second target: refused, naming the target that would disappear"
"$MF" -d "$TOM" import --dry-run "$DATA/002_d68d02b4e53f9a5a.txt" >"$T_TMP/dry.out" 2>&1
like "$(tr '\n' ' ' <"$T_TMP/dry.out")" "nothing was written: +add: nothing +change: nothing +remove: nothing +unchanged: 15" \
	"--dry-run of the letter as imported: nothing to add, change or remove"
is "$("$MF" -d "$TOM" digest)" "$D1" "neither changed the store"
c=$("$MF" -d "$TOM" --json plugin list | python3 -c '
import json,sys
f={x["name"]: x.get("complete") for p in json.load(sys.stdin) for x in p["formats"]}
print(bool(f["tomsk-league-order"]), bool(f["chelyabinsk-garant-roadmap"]), bool(f["tomsk-league-news"]))')
is "$c" "True True True" "plugin list says what makes each format's document complete"

# -- plugin load: bad plugins are refused, the node keeps serving
for b in badabi noentry incomplete; do
	cp "$top_builddir/tests/.libs/$b.so" "$P/$b.so"; chmod 644 "$P/$b.so"
done
"$MF" -d "$TOM" plugin load "$P/badabi.so" >"$T_TMP/l1" 2>&1; rc1=$?
"$MF" -d "$TOM" plugin load "$P/noentry.so" >"$T_TMP/l2" 2>&1; rc2=$?
"$MF" -d "$TOM" plugin load "$P/incomplete.so" >"$T_TMP/l3" 2>&1; rc3=$?
is "$rc1 $rc2 $rc3" "65 65 65" "wrong ABI, missing entry point, incomplete descriptor: refused"
like "$(cat "$T_TMP/l1")" "ABI" "the ABI mismatch is named"
cp "$P/tomsk.so" "$P/tomsk-again.so"; chmod 644 "$P/tomsk-again.so"
"$MF" -d "$TOM" plugin load "$P/tomsk-again.so" >"$T_TMP/l4" 2>&1
like "$?:$(cat "$T_TMP/l4")" "^65:.*tomsk" "a second plugin with a name already loaded is refused"
cp "$P/tomsk.so" "$T_TMP/ww.so"; chmod 666 "$T_TMP/ww.so"
"$MF" -d "$TOM" plugin load "$T_TMP/ww.so" >"$T_TMP/l5" 2>&1
like "$?:$(cat "$T_TMP/l5")" "^65:.*writable" "a world-writable plugin file is refused"
"$MF" -d "$TOM" status >/dev/null; ok $? "the node still serves after every refusal"

# -- roadmaps, judged by the owner's model, on any node that has the plugin
"$MF" -d "$CHE" import "$DATA/003_c9a35ca7a92a9425.txt" >/dev/null; ok $? "Chelyabinsk imports its roadmap"
"$MF" -d "$CHE" --json roadmap RU-CHE --at 2024-06-01 > "$T_TMP/rm.json"
r=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); its=d["roadmaps"][0]["items"]
print(d["model"], len(its), len({i["section"] for i in its}), sum(i["status"]=="unknown" for i in its), all(i["timing_raw"] for i in its))' "$T_TMP/rm.json")
is "$r" "chelyabinsk-roadmap 19 5 1 True" "19 items in 5 sections, the uncertain period kept raw with status unknown"
"$MF" -d "$TOM" --json roadmap RU-TOM --at 2025-06-01 > "$T_TMP/rt.json"
r=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); its=[i for r in d["roadmaps"] for i in r["items"]]
st={i["status"] for i in its}
print(d["model"], len(its) > 0, "continuous" in st, "done" in st)' "$T_TMP/rt.json")
is "$r" "tomsk-league-plan True True False" "Tomsk's plan judged by its model: «В течение года» is continuous, nothing done without a report"
# -- both regions' roadmaps side by side, on either node, after sync
for _ in $(seq 1 200); do
	[ "$("$MF" -d "$TOM" digest)" = "$("$MF" -d "$CHE" digest)" ] && break
	sleep 0.05
done
is "$("$MF" -d "$TOM" digest)" "$("$MF" -d "$CHE" digest)" "the two nodes converge"
"$MF" -d "$TOM" --json report roadmaps --at 2024-06-01 > "$T_TMP/rep.json"
r=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (x["region"], x["model"]) for x in sorted(d, key=lambda x: x["region"])))
tg=[t for x in d for r in x["roadmaps"] for t in r.get("targets", [])] + [t for x in d for t in x["targets"]]
print(sorted({t.get("goal") for t in tg if "учитель" in t.get("indicator","").lower()}))' "$T_TMP/rep.json")
like "$r" "RU-CHE=chelyabinsk-roadmap RU-TOM=tomsk-league-plan" "one report judges each region's roadmap by its own model (on the Tomsk node)"
"$MF" -d "$TOM" --csv report roadmaps --at 2024-06-01 > "$T_TMP/rep.csv"
r=$(python3 -c '
import csv,sys
rows=list(csv.reader(open(sys.argv[1])))
items=[x for x in rows if len(x) == 7 and x[0] != "REGION"]
rank={"overdue":0,"in_progress":1,"continuous":2,"planned":3,"unknown":4,"done":5}
st=[rank.get(x[3],9) for x in items]
print(items[0][3], st == sorted(st), len({x[0] for x in items}))' "$T_TMP/rep.csv")
is "$r" "overdue True 2" "CSV: items of both regions, overdue first, ordered by status"
grep -q "75" "$T_TMP/rep.csv"; ok $? "targets are shown against their goals (75 %)"

# -- the report in summary: counts by status per roadmap, the first 10
# items of each (Chelyabinsk's roadmap has 19), every item with --all; a
# summary kept from an earlier request is not served once the region wrote
# (report_summary PREFIX: for Chelyabinsk's roadmap, items_total, the items
# shown, the counts' sum, done)
report_summary() {
	"$MF" -d "$TOM" --json report roadmaps --at 2024-06-01 "$@" | python3 -c '
import json,sys
d={x["region"]:x for x in json.load(sys.stdin)}
rm=d["RU-CHE"]["roadmaps"][0]; c=rm.get("counts",{})
print(rm.get("items_total","-"), len(rm["items"]), sum(c.values()) if c else "-", c.get("done","-"))'
}
is "$(report_summary)" "19 10 19 0" "the report counts Chelyabinsk's 19 items by status and shows the first 10"
is "$(report_summary --all)" "- 19 - -" "--all: every item, as the web page asks"
"$MF" -d "$CHE" --json roadmap RU-CHE --at 2024-06-01 | python3 -c '
import json,sys
it=json.load(sys.stdin)["roadmaps"][0]["items"][0]
print(json.dumps({"kind":"roadmap_item_report","key":"done-1","body":{"item_id":it["id"],"status":"done","as_of":"2024-05-30","evidence":["https://example.org/report"]}}))' >"$T_TMP/done.jsonl"
"$MF" -d "$CHE" put "$T_TMP/done.jsonl" >/dev/null; ok $? "Chelyabinsk reports one item done"
for _ in $(seq 1 200); do
	[ "$("$MF" -d "$TOM" digest)" = "$("$MF" -d "$CHE" digest)" ] && break
	sleep 0.05
done
is "$(report_summary)" "19 10 19 1" "the report at the same date judges Chelyabinsk anew after it wrote: 1 done"
"$MF" -d "$CHE" --json report overview > "$T_TMP/ov.json"
r=$(python3 -c '
import json,sys
d={x["region"]:x for x in json.load(open(sys.argv[1]))}
t=d["RU-TOM"]
print(t["league_members"], t["schools"] >= 12, bool(t.get("last_arrived")), d["RU-CHE"]["schools"] > 0)' "$T_TMP/ov.json")
is "$r" "12 True True True" "overview on Chelyabinsk: Tomsk's 12 League members, when its data arrived"
done_testing
