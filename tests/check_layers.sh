#!/bin/sh
# check_layers.sh — the layers of daemon/ stay visible: every #include "..."
# in daemon/ and plugins/ points down, and no files include each other in
# a cycle.  Also: the core has no ZeroMQ and no dlopen, and mentorfedd
# exports no mf_* symbol (plugins link nothing of the host).
#
# Layers, from the bottom (README.md, doc/DESIGN-NOTES.md):
#   proto (generated), the plugin ABI header plugins/mentorfed-plugin.h
#   < core (daemon/core) < records (daemon/records)
#   < sync = exchange = plughost (daemon/sync, daemon/exchange, daemon/plughost)
#   < daemon (daemon/*.c) = client (daemon/client) = web (daemon/web)
# A file may include headers of its own folder and of lower layers, never of
# a higher layer or of a sibling folder of its own layer.  plugins/ may
# include plugins/ headers only.  A cycle is between modules (a .c and its
# .h are one module, and a component's internal header X_int.h belongs to
# X): A includes B and B includes A, or longer.
#
#   check_layers.sh              TAP: the self-test, then this tree
#   check_layers.sh --tree DIR   check DIR only; "FILE:LINE: why" per fault
#
# The self-test builds small trees with one deliberate fault each and
# requires the check to fail on each, naming the file and line.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

# check_tree DIR: prints the faults, exits 1 when there is one.
check_tree() {
	timeout 60 python3 - "$1" <<'PY'
import os, re, sys

root = sys.argv[1]
# -I order of Makefile.am's AM_CPPFLAGS (after the including file's folder)
IDIRS = ["", "daemon/core", "daemon/records", "daemon/sync", "daemon/exchange",
         "daemon/plughost", "daemon", "daemon/client", "daemon/web", "plugins"]
LEVEL = {"proto": 0, "abi": 0, "core": 1, "records": 2, "sync": 3, "exchange": 3,
         "plughost": 3, "daemon": 4, "client": 4, "web": 4}
faults = []

def layer(rel):
    """(layer name, folder) of a source path relative to root."""
    parts = rel.split("/")
    if parts[0] == "proto":
        return "proto"
    if rel == "plugins/mentorfed-plugin.h":
        return "abi"
    if parts[0] == "plugins":
        return "plugins"
    if parts[0] == "daemon":
        if len(parts) == 2:
            return "daemon"
        return parts[1] if parts[1] in LEVEL else "?" + parts[1]
    return "?"

files = []
for top in ("daemon", "plugins"):
    for d, _, names in os.walk(os.path.join(root, top)):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), root))
files.sort()

def resolve(src, name):
    """The included header's path relative to root, or None (generated or
    outside the tree: config.h, proto/*.pb-c.h)."""
    for base in [os.path.dirname(src)] + IDIRS:
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None

def module(path):
    """A .c and its .h are one module; so is a component's internal header
    X_int.h (shared by the X*.c files, extending X.h) with X."""
    m = os.path.splitext(path)[0]
    return m[:-4] if path.endswith("_int.h") else m

INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
edges = {}		# module -> {module: (file, line, header)}
for f in files:
    lf = layer(f)
    if lf.startswith("?"):
        faults.append("%s:1: folder %s is no known layer (add it to tests/check_layers.sh)"
                      % (f, os.path.dirname(f)))
        continue
    with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
        for ln, line in enumerate(fh, 1):
            m = INC.match(line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == "<":
                if lf == "core" and name in ("zmq.h", "dlfcn.h"):
                    faults.append("%s:%d: the core includes <%s> (no ZeroMQ, no dlopen in daemon/core)"
                                  % (f, ln, name))
                continue
            h = resolve(f, name)
            if h is None:
                continue
            lh = layer(h)
            if lf == "plugins" or lf == "abi":
                if lh not in ("plugins", "abi"):
                    faults.append('%s:%d: includes "%s" (%s): plugins/ may include only plugins/ headers'
                                  % (f, ln, name, h))
                continue
            if lh == "plugins":
                faults.append('%s:%d: includes "%s" (%s): a plugin\'s header in the daemon'
                              % (f, ln, name, h))
                continue
            if lh.startswith("?") or lh == "?":
                faults.append('%s:%d: includes "%s" (%s), outside every layer' % (f, ln, name, h))
                continue
            if os.path.dirname(f) != os.path.dirname(h):
                if LEVEL[lh] > LEVEL[lf]:
                    faults.append('%s:%d: includes "%s" (%s): layer %s is above %s'
                                  % (f, ln, name, h, lh, lf))
                    continue
                if LEVEL[lh] == LEVEL[lf]:
                    faults.append('%s:%d: includes "%s" (%s): %s and %s are sibling layers'
                                  % (f, ln, name, h, lh, lf))
                    continue
            a, b = module(f), module(h)
            if a != b:
                edges.setdefault(a, {}).setdefault(b, (f, ln, name))

# Cycles: strongly connected components (Tarjan), one cycle shown for each.
index, low, onstack, stack, sccs, counter = {}, {}, set(), [], [], [0]
def strong(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); onstack.add(v)
    for w in sorted(edges.get(v, {})):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in onstack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); onstack.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
for comp in sccs:
    members, start = set(comp), comp[0]
    # shortest way from start back to start inside the component
    prev, queue, seen = {}, [start], {start}
    while queue:
        v = queue.pop(0)
        for w in sorted(edges.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                path.reverse()
                queue = []
                break
            if w not in seen:
                seen.add(w); prev[w] = v; queue.append(w)
    steps = []
    for i, v in enumerate(path):
        w = path[(i + 1) % len(path)]
        f, ln, name = edges[v][w]
        steps.append('%s:%d includes "%s"' % (f, ln, name))
    f, ln, _ = edges[path[0]][path[1 % len(path)]]
    faults.append("%s:%d: include cycle: %s" % (f, ln, " -> ".join(steps)))

for x in faults:
    print(x)
sys.exit(1 if faults else 0)
PY
}

if [ "$1" = "--tree" ]; then
	check_tree "$2"
	exit $?
fi

echo "1..8"
n=0
fails=0
tap() {	# tap STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mf-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# A small clean tree: core < records < sync < daemon, a plugin.
mktree() {
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/daemon/core" "$tmp/t/daemon/records" "$tmp/t/daemon/sync" \
		"$tmp/t/daemon/exchange" "$tmp/t/daemon/client" "$tmp/t/plugins/tomsk"
	printf '#include <stddef.h>\n' >"$tmp/t/plugins/mentorfed-plugin.h"
	printf '#include "config.h"\n#include "mentorfed-plugin.h"\n' >"$tmp/t/daemon/core/util.h"
	printf '#include "util.h"\n#include "proto/records.pb-c.h"\n' >"$tmp/t/daemon/core/util.c"
	printf '#include "util.h"\n' >"$tmp/t/daemon/records/records.h"
	printf '#include "records.h"\n#include "util.h"\n' >"$tmp/t/daemon/records/records.c"
	printf '#include "records.h"\n' >"$tmp/t/daemon/sync/sync.h"
	printf '#include "sync.h"\n' >"$tmp/t/daemon/sync/sync.c"
	printf '#include "util.h"\n' >"$tmp/t/daemon/exchange/exchange.h"
	printf '#include "sync.h"\n#include "exchange.h"\n' >"$tmp/t/daemon/main.c"
	printf '#include "records.h"\n' >"$tmp/t/daemon/client/main.c"
	printf '#include "mentorfed-plugin.h"\n' >"$tmp/t/plugins/tomsk/tomsk.h"
	printf '#include "tomsk.h"\n' >"$tmp/t/plugins/tomsk/plugin.c"
}
# fault NAME FILE TEXT PATTERN: TEXT appended to FILE of a clean tree must
# make the check fail with PATTERN (grep -E) in its output.
fault() {
	mktree
	printf '%s\n' "$3" >>"$tmp/t/$2"
	out=$(check_tree "$tmp/t")
	rc=$?
	if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -Eq -- "$4"; then
		tap 0 "self-test: $1 fails: $(printf '%s\n' "$out" | head -1)"
	else
		tap 1 "self-test: $1 fails (rc $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

mktree
out=$(check_tree "$tmp/t")
tap $? "self-test: a clean tree passes"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
fault "an upward include" daemon/core/util.c '#include "records.h"' \
	'^daemon/core/util.c:3: includes "records.h".*above'
fault "a sibling include" daemon/sync/sync.c '#include "exchange.h"' \
	'^daemon/sync/sync.c:2: includes "exchange.h".*sibling'
fault "a plugin including a daemon header" plugins/tomsk/plugin.c '#include "util.h"' \
	'^plugins/tomsk/plugin.c:2: .*only plugins/'
fault "ZeroMQ in the core" daemon/core/util.c '#include <zmq.h>' \
	'^daemon/core/util.c:3: the core includes <zmq.h>'
mktree
printf '#include "b.h"\n' >"$tmp/t/daemon/core/a.c"
printf '#include "c.h"\n' >"$tmp/t/daemon/core/b.h"
printf '\n#include "a.h"\n' >"$tmp/t/daemon/core/c.c"
: >"$tmp/t/daemon/core/a.h"
: >"$tmp/t/daemon/core/c.h"
out=$(check_tree "$tmp/t")
rc=$?
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'include cycle: daemon/core/a.c:1 includes "b.h" -> daemon/core/b.h:1 includes "c.h" -> daemon/core/c.c:2 includes "a.h"'; then
	tap 0 "self-test: a cycle of three modules fails: $out"
else
	tap 1 "self-test: a cycle of three modules fails (rc $rc)"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi

out=$(check_tree "$top_srcdir")
rc=$?
tap $rc "daemon/ and plugins/: every include points down, no cycles"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'

# mentorfedd exports nothing of the host: plugins link against nothing of
# it (no -export-dynamic), so no mf_* symbol is in its dynamic table.
bin="$top_builddir/mentorfedd"
if [ -f "$top_builddir/.libs/mentorfedd" ] && head -c 2 "$bin" | grep -q '#!'; then
	bin="$top_builddir/.libs/mentorfedd"	# a libtool wrapper
fi
syms=$(nm -D --defined-only "$bin" 2>&1 | awk '$3 ~ /^mf_/ { print $3 }')
if [ -f "$bin" ] && [ -z "$syms" ] && nm -D --defined-only "$bin" >/dev/null 2>&1; then
	tap 0 "mentorfedd exports no mf_* symbol"
else
	tap 1 "mentorfedd exports no mf_* symbol ($(printf '%s\n' "$syms" | grep -c .) do: $(printf '%s\n' "$syms" | head -5 | tr '\n' ' ')...)"
fi

[ "$fails" -eq 0 ]
