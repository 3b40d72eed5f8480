#!/bin/sh
# test_units.sh — the systemd integration as installed (issue 15, point 1):
# `make install DESTDIR=` into a temporary root, then
#   - the units, sysusers.d and tmpfiles.d files are there, with the
#     configured paths (no @var@ left) pointing at installed programs;
#   - `systemd-analyze verify` passes on both units, silently (and fails on
#     a deliberately broken copy: the check can fail);
#   - `systemd-analyze security --offline` exposure of each unit is at most
#     2.0 ("OK"), printed as a diagnostic;
#   - mentorfedd and its plugin host work under the unit's own
#     SystemCallFilter= (emulated by tests/sysfilter: systemd is not PID 1
#     here): start, import a document through a plugin, the plugin host's
#     own filter still refusing a plugin that reads the key, stop; and
#     mentorfed-web under its unit's filter serves its login page.
#   - Type=notify: mentorfedd sends READY=1, STATUS= and, with
#     WATCHDOG_USEC, WATCHDOG=1 on $NOTIFY_SOCKET.
. "${top_srcdir:-.}/tests/lib.sh"
plan 24

command -v systemd-analyze >/dev/null || { echo "Bail out! systemd-analyze not found (Debian package systemd)"; exit 1; }

D="$T_TMP/root"
make -s -C "$top_builddir" install DESTDIR="$D" >"$T_TMP/install.log" 2>&1
rc=$?
ok $rc "make install DESTDIR= succeeds"
[ $rc -eq 0 ] || tail -20 "$T_TMP/install.log" | sed 's/^/# /'

# the configured directories, from the build's Makefile, expanded
mkvar() {	# mkvar NAME: the value of NAME in the Makefile, ${...} expanded
	_v=$(sed -n "s|^$1 = ||p" "$top_builddir/Makefile" | head -1)
	while case "$_v" in *'${'*) true ;; *) false ;; esac; do
		_v=$(printf '%s' "$_v" | sed -e "s|\${prefix}|$(sed -n 's|^prefix = ||p' "$top_builddir/Makefile")|g" \
			-e "s|\${exec_prefix}|$(sed -n 's|^exec_prefix = ||p' "$top_builddir/Makefile")|g")
	done
	printf '%s' "$_v"
}
unitdir=$(mkvar systemdsystemunitdir)
sysusersdir=$(mkvar sysusersdir)
tmpfilesdir=$(mkvar tmpfilesdir)
sbindir=$(mkvar sbindir)
diag "units in $unitdir, sysusers.d in $sysusersdir, tmpfiles.d in $tmpfilesdir, programs in $sbindir"

for f in "$unitdir/mentorfedd.service" "$unitdir/mentorfed-web.service" \
	 "$sysusersdir/mentorfed.conf" "$tmpfilesdir/mentorfed.conf"; do
	[ -s "$D$f" ]; ok $? "installed: $f"
done
left=$(grep -l '@[a-zA-Z_]*@' "$D$unitdir"/mentorfed*.service "$D$sysusersdir/mentorfed.conf" "$D$tmpfilesdir/mentorfed.conf")
is "$left" "" "no @variable@ left unsubstituted"
es=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$D$unitdir/mentorfedd.service")
is "$es" "$sbindir/mentorfedd" "ExecStart is the configured sbindir's mentorfedd"
[ -x "$D$es" ]; ok $? "... and that program is installed"
grep -q '^u mentorfed ' "$D$sysusersdir/mentorfed.conf"; ok $? "sysusers.d creates the user mentorfed"
grep -q '^d /var/lib/mentorfed 0750 mentorfed mentorfed' "$D$tmpfilesdir/mentorfed.conf"
ok $? "tmpfiles.d creates /var/lib/mentorfed 0750 mentorfed:mentorfed"

# systemd-analyze verify under --root needs the system's own units
# (sysinit.target...) and /bin/kill (ExecReload) inside that root; units
# installed outside systemd's search path are looked up in /etc.
mkdir -p "$D/usr/lib/systemd" "$D/bin" "$D/etc/systemd/system"
cp -a /lib/systemd/system "$D/usr/lib/systemd/"
cp /bin/kill "$D/bin/kill"
case "$unitdir" in
/usr/lib/systemd/system|/lib/systemd/system|/usr/local/lib/systemd/system) ;;
*) cp "$D$unitdir"/mentorfed*.service "$D/etc/systemd/system/" ;;
esac
# mentorfed-web may not be built in every tree yet: verify needs a program
[ -x "$D$sbindir/mentorfed-web" ] || { printf '#!/bin/sh\n' > "$D$sbindir/mentorfed-web"; chmod 755 "$D$sbindir/mentorfed-web"; diag "mentorfed-web not installed: a stand-in program for verify"; }
out=$(systemd-analyze verify --root="$D" --man=no mentorfedd.service mentorfed-web.service 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ]; ok $? "systemd-analyze verify passes on both units, without a warning"
[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'

# the check can fail: a typo in a copy is reported
sed 's/^ProtectHome=yes/ProtectHome=yess/' "$D$unitdir/mentorfedd.service" > "$D/etc/systemd/system/mentorfedd-broken.service"
out=$(systemd-analyze verify --root="$D" --man=no mentorfedd-broken.service 2>&1)
like "$out" "protect home value|ProtectHome" "verify reports a broken copy of the unit"
rm -f "$D/etc/systemd/system/mentorfedd-broken.service"

for u in mentorfedd mentorfed-web; do
	out=$(systemd-analyze security --offline=yes --root="$D" "$u.service" 2>&1)
	lvl=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	diag "systemd-analyze security $u.service: exposure $lvl"
	awk -v l="${lvl:-99}" 'BEGIN { exit !(l <= 2.0) }'; ok $? "$u.service exposure $lvl is at most 2.0"
done

# ---- the unit's SystemCallFilter=, expanded as systemd does
expand() {	# expand NAME: system call names of a group, recursively
	case "$1" in
	@*) systemd-analyze syscall-filter "$1" | awk 'NR > 1 && $1 !~ /^#/ && NF { print $1 }' |
		while read -r n; do expand "$n"; done ;;
	*) echo "$1" ;;
	esac
}
filter_of() {	# filter_of UNITFILE: the allowed names, sorted
	: > "$T_TMP/allow"; : > "$T_TMP/deny"
	sed -n 's/^SystemCallFilter=//p' "$1" | while read -r line; do
		case "$line" in
		~*) for g in ${line#\~}; do expand "$g"; done >> "$T_TMP/deny" ;;
		*) for g in $line; do expand "$g"; done >> "$T_TMP/allow" ;;
		esac
	done
	sort -u "$T_TMP/allow" > "$T_TMP/allow.s"; sort -u "$T_TMP/deny" > "$T_TMP/deny.s"
	comm -23 "$T_TMP/allow.s" "$T_TMP/deny.s"
}
filter_of "$D$unitdir/mentorfedd.service" > "$T_TMP/filter"
n=$(wc -l < "$T_TMP/filter")
[ "$n" -gt 100 ]; ok $? "the unit's filter expands to $n system calls"
grep -vx seccomp "$T_TMP/filter" > "$T_TMP/filter.noseccomp"

P="$T_TMP/plugins"; mkdir -p "$P"
cp "$top_builddir"/plugins/.libs/tomsk.so "$P/"
N="$T_TMP/n"
"$MF" -d "$N" init --region RU-TOM --plugin-dir "$P" >/dev/null
SF="$top_builddir/tests/sysfilter"

# Type=notify: a datagram socket stands for systemd's
python3 - "$T_TMP/notify.sock" > "$T_TMP/notify.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(1.0)
end = time.time() + 20
while time.time() < end:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        continue
    print(m.replace("\n", " | "), flush=True)
    if "STOPPING=1" in m:
        break
PY
NPID=$!
T_PIDS="$T_PIDS $NPID"
for _ in $(seq 1 50); do [ -S "$T_TMP/notify.sock" ] && break; sleep 0.1; done

# Under ASan, LeakSanitizer needs ptrace at exit, which the unit's filter
# denies (as it should): leaks are checked by the other daemon tests.
# WatchdogSec=: systemd sets WATCHDOG_USEC and WATCHDOG_PID (the daemon's
# own pid: sh's, kept through both execs); 400 ms here.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" NOTIFY_SOCKET="$T_TMP/notify.sock" \
	WATCHDOG_USEC=400000 timeout 60 sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"' sh \
	"$SF" "$T_TMP/filter" "$MFD" -d "$N" -f >>"$N/daemon.log" 2>&1 &
DPID=$!
T_PIDS="$T_PIDS $DPID"
up=1
for _ in $(seq 1 100); do
	"$MF" -d "$N" status >/dev/null 2>&1 && { up=0; break; }
	sleep 0.1
done
ok $up "mentorfedd starts under the unit's system call filter"
out=$("$MF" -d "$N" import "$DATA/001_61f92942b5c4c16e.txt" 2>&1); rc=$?
ok $rc "an import through the confined plugin host works under it"
[ $rc -eq 0 ] || diag "$out"
recs=$("$MF" -d "$N" --json status | python3 -c 'import json,sys; j=json.load(sys.stdin); print(sum(v for v in j.get("records",{}).values()) if isinstance(j.get("records"),dict) else j.get("records",0))' 2>/dev/null)
[ "${recs:-0}" -gt 0 ]; ok $? "the node holds the imported records ($recs)"
# the plugin host's own, tighter filter still holds inside the unit's
cp "$top_builddir/tests/.libs/readkey.so" "$T_TMP/readkey.so"
"$MF" -d "$N" plugin load "$T_TMP/readkey.so" >/dev/null 2>&1
printf 'HOSTILE TEST\n%s\n' "$N/signing.key" > "$T_TMP/readkey.txt"
out=$("$MF" -d "$N" import --plugin readkey "$T_TMP/readkey.txt" 2>&1)
like "$out" "plugin readkey: forbidden system call (open|openat)" \
	"under it, the plugin host still confines plugins (reading the key is refused)"
sleep 1	# idle: the watchdog is pinged every 100 ms all the same
"$MF" -d "$N" stop >/dev/null 2>&1
wait "$DPID"; rc=$?
ok $rc "mentorfedd stops cleanly (exit 0) under the filter"
[ $rc -eq 0 ] || tail -5 "$N/daemon.log" | sed 's/^/# /'
wait "$NPID"
like "$(cat "$T_TMP/notify.out")" "READY=1" "mentorfedd sent READY=1 on \$NOTIFY_SOCKET"
like "$(cat "$T_TMP/notify.out")" "STATUS=RU-TOM: 0 of 0 peers connected, lag 0 blocks" "... and a one-line STATUS= with the sync state"
n=$(grep -c 'WATCHDOG=1' "$T_TMP/notify.out")
[ "$n" -ge 6 ]; ok $? "... and pinged the watchdog from its loop, every quarter of WATCHDOG_USEC ($n times)"

# mentorfed-web under its own unit's filter: the login page answers
filter_of "$D$unitdir/mentorfed-web.service" > "$T_TMP/webfilter"
N2="$T_TMP/w"
"$MF" -d "$N2" init --region RU-TOM >/dev/null
start_node "$N2"
WP=$(free_port)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 60 "$SF" "$T_TMP/webfilter" \
	"$top_builddir/mentorfed-web" -d "$N2" -f -l "127.0.0.1:$WP" -s "$top_srcdir/daemon/web/static" \
	>"$T_TMP/web.log" 2>&1 &
WPID=$!
T_PIDS="$T_PIDS $WPID"
code=000
for _ in $(seq 1 100); do
	code=$(python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen("http://127.0.0.1:%s/login" % sys.argv[1], timeout=2).status)
except Exception:
    print("000")' "$WP")
	[ "$code" = 200 ] && break
	sleep 0.1
done
is "$code" 200 "mentorfed-web serves its login page under its unit's system call filter"
[ "$code" = 200 ] || tail -5 "$T_TMP/web.log" | sed 's/^/# /'
kill -TERM "$WPID" 2>/dev/null
"$MF" -d "$N2" stop >/dev/null 2>&1

done_testing
