#!/bin/sh
# test_plughost.sh — plugin code runs in mentorfed-plugin-host, confined,
# never in the daemon: through a real daemon, plugins that read the signing
# key, open a socket, loop forever or crash each fail only their import,
# with a message naming the plugin (and the document); a plugin that calls
# a daemon function is refused at load ("undefined symbol"), one built for
# ABI 1 too; one built against an older, smaller host table imports.
# After each, the node still answers and its digest has not moved.
. "${top_srcdir:-.}/tests/lib.sh"
plan 22

N="$T_TMP/node"; P="$T_TMP/plugins"; X="$T_TMP/extra"
mkdir -p "$P" "$X"
cp "$top_builddir/tests/.libs/oldhost.so" "$P/"
for m in readkey opensocket loopforever crash daemonsym abione; do
	cp "$top_builddir/tests/.libs/$m.so" "$X/"
done
chmod 755 "$P" "$X"; chmod 644 "$P"/*.so "$X"/*.so

mf() { timeout 30 "$MF" -d "$N" "$@"; }

# the daemon exports nothing a plugin could call
syms=$(nm -D --defined-only "$MFD" | awk '{print $3}' | grep -c '^mf_')
is "$syms" 0 "mentorfedd exports no mf_* symbol (nm -D)"

"$MF" -d "$N" init --region RU-TOM --plugin-dir "$P" --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
# a short deadline for the plugin host, so the looping plugin costs ~1.5 s
sed -i 's/^\[node\]$/[node]\nplugin_timeout_ms = 1500/' "$N/mentorfed.conf"
start_node "$N"; ok $? "the node starts with a plugin directory"

names=$(mf --json plugin list | python3 -c 'import json,sys; print(" ".join(p["name"] for p in json.load(sys.stdin)))')
is "$names" "oldhost" "plugin list: the plugin directory, as the plugin host read it"

# a plugin built against an older, smaller struct mf_host_api
printf 'OLD HOST TEST\nШкола № 1\nФевраль 2025\n' > "$T_TMP/old.txt"
out=$(mf import "$T_TMP/old.txt" 2>&1); rc=$?
is $rc 0 "a plugin built against the older host table imports"
like "$out" "oldhost/old-host-doc: 1 record" "  through its format"
D1=$(mf digest)
like "$D1" "^[0-9a-f]{16,}" "the node has a digest"

# a document that is not UTF-8 is still refused with FILE:LINE
printf 'OLD HOST TEST\n\377\n' > "$T_TMP/cp1251.txt"
out=$(mf import "$T_TMP/cp1251.txt" 2>&1)
like "$out" "cp1251.txt:2: invalid UTF-8" "a document that is not UTF-8: FILE:LINE, as before"

load() { mf plugin load "$X/$1.so" 2>&1; }
hostile() {
	printf 'HOSTILE TEST\n%s\n' "$2" > "$T_TMP/$1.txt"
	mf import --plugin "$1" "$T_TMP/$1.txt" 2>&1
}

load readkey >/dev/null; ok $? "plugin load readkey"
out=$(hostile readkey "$N/signing.key")
like "$out" "readkey.txt: plugin readkey: forbidden system call (open|openat)" \
	"reading the signing key: refused, the plugin and the document named"
case "$out" in *"got something"*) ok 1 "  and nothing of the key comes back";; *) ok 0 "  and nothing of the key comes back";; esac

load opensocket >/dev/null
out=$(hostile opensocket "127.0.0.1")
like "$out" "plugin opensocket: forbidden system call socket" "opening a socket: refused"

load loopforever >/dev/null
t0=$(date +%s)
out=$(hostile loopforever "")
t1=$(date +%s)
like "$out" "plugin loopforever: (killed at the deadline|exceeded its CPU time)" "a plugin that loops forever: killed"
[ $((t1 - t0)) -le 10 ]; ok $? "  within the deadline ($((t1 - t0)) s)"

load crash >/dev/null
out=$(hostile crash "")
like "$out" "plugin crash: crashed \(SIG(SEGV|BUS)\)" "a plugin that crashes: named, with the signal"

out=$(load daemonsym); rc=$?
[ $rc -ne 0 ]; ok $? "a plugin that calls a daemon function is refused at load"
like "$out" "daemonsym.so: refused: dlopen failed: .*undefined symbol: mf_key_sign" "  with 'undefined symbol'"

out=$(load abione); rc=$?
like "$out" "built for plugin ABI version 1, this host speaks version 2: rebuild" \
	"a plugin built for ABI 1 is refused: rebuild against the new header"

names=$(mf --json plugin list | python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(sys.stdin))))')
is "$names" "crash loopforever oldhost opensocket readkey" "the loaded plugins stay listed, the refused ones are not"

mf status >/dev/null; ok $? "the node still answers after all of it"
is "$(mf digest)" "$D1" "and its digest has not moved"
out=$(mf import "$T_TMP/old.txt" 2>&1)
like "$out" "oldhost/old-host-doc: 1 record" "imports still work"
mf roadmap RU-TOM >/dev/null; ok $? "roadmap judging runs through the plugin host"

stop_node "$N"
done_testing
