#!/bin/sh
# test_deb.sh — the Debian package (issue 15, point 2), on this machine:
#   build `mentorfed` and `mentorfed-plugin-dev` with dpkg-buildpackage
#   -us -uc -b from a copy of the tree (never in the tree or its build
#   directories); lintian reports no error; the packages hold what they
#   should; `apt install ./…deb` creates the user mentorfed and
#   /var/lib/mentorfed (0750); `mentorfed init` as that user with the
#   client's default directory; mentorfedd started the way the unit does
#   (systemctl when PID 1 is systemd, else the unit's ExecStart= as its
#   User=) answers `status` and imports a document through the packaged
#   plugin; the template plugin builds against the installed header and
#   pkg-config file; `apt purge` removes every file the packages installed
#   and the data directory.  The machine is left as it was found: the user
#   is removed again if this test created it.
#
# Needs root (it installs packages); run by ./run.sh test, not make check:
#   sh tests/deadline.sh sh tests/test_deb.sh
# Runs from the source tree (top_srcdir defaults to the script's parent).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
top_builddir=$top_srcdir	# lib.sh's programs are not used here
. "$top_srcdir/tests/lib.sh"
START=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
	echo "Bail out! test_deb.sh needs root: it installs the package on this machine (run it as root, as ./run.sh test does)"
	exit 1
fi
for c in dpkg-buildpackage lintian apt-get runuser; do
	command -v "$c" >/dev/null || { echo "Bail out! $c not found (run.sh installs dpkg-dev, debhelper, lintian)"; exit 1; }
done
if dpkg-query -W -f='${Status}' mentorfed 2>/dev/null | grep -q "install ok"; then
	echo "Bail out! mentorfed is already installed on this machine: not touching it"
	exit 1
fi
if [ -e /var/lib/mentorfed ]; then
	echo "Bail out! /var/lib/mentorfed exists: a node may live there, not touching it"
	exit 1
fi
plan 25

had_user=0; getent passwd mentorfed >/dev/null && had_user=1
had_group=0; getent group mentorfed >/dev/null && had_group=1
DPID=""
W=$(mktemp -d /tmp/mf-deb.XXXXXX)
chmod 0755 "$W"
deb_cleanup() {
	[ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null
	if dpkg-query -W -f='${Status}' mentorfed 2>/dev/null | grep -q "install ok\|config-files"; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq mentorfed-plugin-dev mentorfed >/dev/null 2>&1
	fi
	rm -rf /var/lib/mentorfed
	[ $had_user -eq 1 ] || userdel mentorfed 2>/dev/null
	[ $had_group -eq 1 ] || groupdel mentorfed 2>/dev/null
	rm -rf "$W"
	t_cleanup
}
trap deb_cleanup EXIT

# ---- build from a copy of the tree (its sources, not its builds)
S="$W/mentorfed-0.1.0"
mkdir "$S"
tar -C "$top_srcdir" --exclude='./_build*' --exclude=./.git --exclude=./autom4te.cache \
	--exclude='./mentorfed_*' --exclude='*.o' --exclude='./tests/__pycache__' -cf - . | tar -C "$S" -xf -
B0=$(date +%s)
(cd "$S" && DEB_BUILD_OPTIONS="parallel=2 nocheck" timeout 480 dpkg-buildpackage -us -uc -b) \
	>"$W/build.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -us -uc -b builds ($(($(date +%s) - B0)) s)"
DEB=$(ls "$W"/mentorfed_*.deb 2>/dev/null | head -1)
DEV=$(ls "$W"/mentorfed-plugin-dev_*.deb 2>/dev/null | head -1)
if [ $rc -ne 0 ] || [ -z "$DEB" ] || [ -z "$DEV" ]; then
	tail -40 "$W/build.log" | sed 's/^/# /'
	echo "Bail out! the package did not build: nothing to install"
	exit 1
fi
ok 0 "two packages: $(basename "$DEB") $(basename "$DEV")"

L0=$(date +%s)
lintian --fail-on error "$W"/mentorfed_*.changes >"$W/lintian.log" 2>&1
ok $? "lintian: no error ($(grep -c '^E:' "$W/lintian.log") errors, $(grep -c '^W:' "$W/lintian.log") warnings, $(($(date +%s) - L0)) s)"
sed 's/^/# /' "$W/lintian.log" | head -20

dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' > "$W/deb.list"
miss=""
for f in /usr/sbin/mentorfedd /usr/bin/mentorfed /usr/sbin/mentorfed-web \
	 /usr/libexec/mentorfed/mentorfed-plugin-host /lib/systemd/system/mentorfedd.service \
	 /lib/systemd/system/mentorfed-web.service /usr/lib/sysusers.d/mentorfed.conf \
	 /usr/lib/tmpfiles.d/mentorfed.conf /usr/share/man/man1/mentorfed.1.gz \
	 /usr/share/man/man5/mentorfed.conf.5.gz /usr/share/man/man8/mentorfedd.8.gz \
	 /usr/share/man/man8/mentorfed-web.8.gz /usr/share/mentorfed/web/web.css \
	 /usr/share/doc/mentorfed/PRODUCTION.md; do
	grep -qx "$f" "$W/deb.list" || miss="$miss $f"
done
grep -q '/mentorfed/plugins/tomsk.so$' "$W/deb.list" || miss="$miss plugins/tomsk.so"
is "$miss" "" "mentorfed holds the programs, plugins, units, sysusers/tmpfiles, manuals, web files"
dpkg-deb -c "$DEV" | awk '{print $6}' | sed 's|^\./|/|' > "$W/dev.list"
miss=""
for p in '/usr/include/mentorfed/mentorfed-plugin.h$' '/pkgconfig/mentorfed-plugin.pc$' \
	 '/usr/share/man/man7/mentorfed-plugin.7.gz$' '/examples/template/template.c$'; do
	grep -q "$p" "$W/dev.list" || miss="$miss $p"
done
is "$miss" "" "mentorfed-plugin-dev holds the header, the pkg-config file, the manual, the template"

# ---- install
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$DEB" "$DEV" >"$W/install.log" 2>&1; rc=$?
ok $rc "apt install ./mentorfed_*.deb ./mentorfed-plugin-dev_*.deb"
if [ $rc -ne 0 ]; then
	tail -20 "$W/install.log" | sed 's/^/# /'
	echo "Bail out! the package did not install"
	exit 1
fi
getent passwd mentorfed >/dev/null; ok $? "the system user mentorfed exists (sysusers.d)"
is "$(stat -c '%a %U %G' /var/lib/mentorfed 2>&1)" "750 mentorfed mentorfed" "/var/lib/mentorfed: 0750 mentorfed:mentorfed (tmpfiles.d)"
# the files (and links to files) they installed; not directories, nor
# links to directories such as /lib on a merged-/usr system
dpkg-query -L mentorfed mentorfed-plugin-dev | while read -r f; do [ -d "$f" ] || echo "$f"; done | sort -u > "$W/installed"
[ -s "$W/installed" ]; ok $? "dpkg lists $(wc -l < "$W/installed") installed files"

PORT=$(free_port)
out=$(cd / && runuser -u mentorfed -- env -u MENTORFED_DIR mentorfed init --region RU-TOM --listen "tcp://127.0.0.1:$PORT" 2>&1); rc=$?
ok $rc "runuser -u mentorfed -- mentorfed init (the default directory)"
[ $rc -eq 0 ] || diag "$out"
[ -f /var/lib/mentorfed/mentorfed.conf ]; ok $? "  made the node in /var/lib/mentorfed"
is "$(stat -c '%a' /var/lib/mentorfed)" "750" "  init keeps the directory open to the group (staff use the node)"

# ---- start it as the unit does
UNIT=/lib/systemd/system/mentorfedd.service
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	systemctl daemon-reload && systemctl start mentorfedd
	ok $? "systemctl start mentorfedd"
	diag "started by systemd"
else
	ES=$(sed -n 's/^ExecStart=//p' "$UNIT")
	US=$(sed -n 's/^User=//p' "$UNIT")
	NF=$(sed -n 's/^LimitNOFILE=//p' "$UNIT")
	diag "PID 1 is $(ps -p 1 -o comm=), not systemd: running the unit's ExecStart=$ES as $US"
	(ulimit -n "$NF" 2>/dev/null; cd / && exec runuser -u "$US" -- timeout 120 $ES) >"$W/daemon.log" 2>&1 &
	DPID=$!
	ok 0 "the unit's ExecStart= started as User=$US"
fi
up=1
for _ in $(seq 1 100); do
	runuser -u mentorfed -- mentorfed status >/dev/null 2>&1 && { up=0; break; }
	sleep 0.1
done
ok $up "the packaged node answers status"
[ $up -eq 0 ] || sed 's/^/# /' "$W/daemon.log"
out=$(runuser -u mentorfed -- mentorfed status 2>&1)
like "$out" "RU-TOM" "  as region RU-TOM"
is "$(stat -c '%a %G' /var/lib/mentorfed/control.sock 2>&1)" "660 mentorfed" "the control socket: 0660, group mentorfed (staff)"
cp "$DATA/001_61f92942b5c4c16e.txt" "$W/doc.txt"; chmod 0644 "$W/doc.txt"
out=$(runuser -u mentorfed -- mentorfed import "$W/doc.txt" 2>&1); rc=$?
ok $rc "an import through the packaged plugin and plugin host"
[ $rc -eq 0 ] || diag "$out"
like "$(runuser -u mentorfed -- mentorfed plugin list 2>&1)" "tomsk" "  the packaged plugins are loaded"

# the plugin development package: the template builds out of tree
cp -r /usr/share/doc/mentorfed-plugin-dev/examples/template "$W/template"
make -s -C "$W/template" >"$W/template.log" 2>&1 && [ -s "$W/template/example.so" ]; rc=$?
ok $rc "the template plugin builds against the installed header and pkg-config file"
[ $rc -eq 0 ] || sed 's/^/# /' "$W/template.log"
is "$(pkg-config --variable=plugindir mentorfed-plugin)" "$(dirname "$(grep '/mentorfed/plugins/tomsk.so$' "$W/installed")")" \
	"pkg-config's plugindir is where the packaged plugins are"

if [ -n "$DPID" ]; then
	runuser -u mentorfed -- mentorfed stop >/dev/null 2>&1
	wait "$DPID"; ok $? "the node stops cleanly"
	DPID=""
else
	systemctl stop mentorfedd; ok $? "systemctl stop mentorfedd"
fi

# ---- purge
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq mentorfed-plugin-dev mentorfed >"$W/purge.log" 2>&1; rc=$?
ok $rc "apt purge mentorfed mentorfed-plugin-dev"
[ $rc -eq 0 ] || tail -20 "$W/purge.log" | sed 's/^/# /'
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done < "$W/installed" | tr '\n' ' ')
is "$left" "" "every file the packages installed is gone"
[ ! -e /var/lib/mentorfed ]; ok $? "/var/lib/mentorfed is gone"
dpkg-query -W -f='${Status}' mentorfed 2>/dev/null | grep -q "install ok\|config-files"
[ $? -ne 0 ]; ok $? "dpkg knows mentorfed no more"

diag "test_deb.sh took $(($(date +%s) - START)) s"
done_testing
