#!/bin/sh
# test_template.sh — install the plugin header and pkg-config file into a
# temporary DESTDIR, build plugins/template out of tree with
# `pkg-config --cflags mentorfed-plugin`, load the result through the loader
# (tests/plugin_tool) and import its example document.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
echo "1..5"
tmp=$(mktemp -d /tmp/mf-template-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/log" 2>/dev/null; }

if make -C "$top_builddir" install-mentorfedincludeHEADERS install-pkgconfigDATA \
	DESTDIR="$tmp/dest" >"$tmp/log" 2>&1; then
	ok "header and mentorfed-plugin.pc installed into a DESTDIR"
else
	notok "header and mentorfed-plugin.pc installed into a DESTDIR"
fi

pcdir=$(dirname "$(find "$tmp/dest" -name mentorfed-plugin.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/dest"
cflags=$(pkg-config --cflags mentorfed-plugin 2>"$tmp/log")
case "$cflags" in
*"$tmp/dest"*/mentorfed*) ok "pkg-config --cflags mentorfed-plugin: $cflags" ;;
*) notok "pkg-config --cflags mentorfed-plugin gave '$cflags'" ;;
esac

# out of tree: a copy of the template, nothing of the source tree on the path
mkdir "$tmp/build"
cp "$top_srcdir/plugins/template/template.c" "$top_srcdir/plugins/template/Makefile" \
	"$top_srcdir/plugins/template/example.txt" "$tmp/build/"
chmod 755 "$tmp/build"
if make -C "$tmp/build" CFLAGS="-O2 -Werror" >"$tmp/log" 2>&1 && [ -f "$tmp/build/example.so" ]; then
	ok "template built out of tree"
else
	notok "template built out of tree"
fi

if "$top_builddir/tests/plugin_tool" -r RU-XXX -l "$tmp/build/example.so" -L \
	>"$tmp/list" 2>"$tmp/log" && grep -q '"name":"example"' "$tmp/list"; then
	ok "template loaded by the node's loader"
else
	notok "template loaded by the node's loader"
fi

if "$top_builddir/tests/plugin_tool" -r RU-XXX -l "$tmp/build/example.so" \
	"$tmp/build/example.txt" >"$tmp/out" 2>"$tmp/log" &&
	[ "$(grep -c '"kind":"roadmap_item"' "$tmp/out")" -eq 5 ] &&
	[ "$(grep -c '"kind":"school"' "$tmp/out")" -eq 2 ] &&
	[ "$(grep -c '"kind":"roadmap"' "$tmp/out")" -eq 1 ] &&
	grep -q '"intervals":\[{"from":"2026-07-01","to":"2026-12-31"}\]' "$tmp/out" &&
	grep -q '"uncertain":true' "$tmp/out"; then
	ok "example document imported: 1 roadmap, 5 items, 2 schools"
else
	cat "$tmp/out" >>"$tmp/log"
	notok "example document imported"
fi
