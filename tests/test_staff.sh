#!/bin/sh
# test_staff.sh — staff without sudo (issue 15, point 3), with numeric
# users made by setpriv (no account is created on the machine):
#   OWN (4242:4242) owns the node, as the packaged user mentorfed does;
#   STAFF (4343) is a member of group 4242; OUT (4444) is not.
# The data directory is 0750 OWN:OWN, as tmpfiles.d makes /var/lib/mentorfed.
# The daemon, run as OWN, gives its control socket to that group (0660),
# makes the config and the lock group-readable, keeps the keys 0600; STAFF
# uses the daemon's verbs (reads, writes, reload, stop) with -d and with
# MENTORFED_DIR; OUT gets "permission denied" with the path; mentorfedd
# started by STAFF, or by root, on OWN's directory says permission denied
# (exit 77), not "another mentorfedd is running"; a directory closed to its
# group (0700) keeps the socket 0600; the client's default directory is
# /var/lib/mentorfed.
. "${top_srcdir:-.}/tests/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root and setpriv (util-linux) to act as other users"
	exit 0
fi
plan 23

OWN=4242; STAFF=4343; OUT=4444
as_own() { setpriv --reuid=$OWN --regid=$OWN --clear-groups -- "$@"; }
as_staff() { setpriv --reuid=$STAFF --regid=$STAFF --groups=$OWN -- "$@"; }
as_out() { setpriv --reuid=$OUT --regid=$OUT --clear-groups -- "$@"; }

chmod 0711 "$T_TMP"	# others may pass through to the node, not list
N="$T_TMP/mentorfed"
install -d -m 0750 -o $OWN -g $OWN "$N"	# what tmpfiles.d does
as_own "$MF" -d "$N" init --region RU-TOM >/dev/null
ok $? "the owner creates the node in the prepared directory"
# `mentorfed init` keeps the group's access of a prepared directory
# (daemon/core/node.c: never more than 0750)
is "$(stat -c '%a' "$N")" "750" "init keeps the prepared directory 0750"

as_own timeout 60 "$MFD" -d "$N" -f >>"$T_TMP/daemon.log" 2>&1 &
DPID=$!
T_PIDS="$T_PIDS $DPID"
up=1
for _ in $(seq 1 100); do
	as_own "$MF" -d "$N" status >/dev/null 2>&1 && { up=0; break; }
	sleep 0.1
done
ok $up "the daemon runs as the owner"

is "$(stat -c '%a %g' "$N/control.sock")" "660 $OWN" "control socket: mode 0660, the data directory's group"
is "$(stat -c '%a' "$N/mentorfed.conf") $(stat -c '%a' "$N/mentorfedd.lock")" "640 640" \
	"config and lock: readable by the group"
is "$(stat -c '%a' "$N/signing.key") $(stat -c '%a' "$N/curve.key")" "600 600" "the secret keys stay 0600"

out=$(as_staff "$MF" -d "$N" status 2>&1); rc=$?
ok $rc "a member of the group runs status without sudo"
like "$out" "RU-TOM" "  and sees the node"
printf '{"kind":"school","key":"staff-1","body":{"name":"Школа персонала","region":"RU-TOM","municipality":"Томск"}}\n' > "$T_TMP/rec.json"
chmod 644 "$T_TMP/rec.json"
out=$(as_staff "$MF" -d "$N" put "$T_TMP/rec.json" 2>&1); rc=$?
ok $rc "a member of the group writes records (put)"
[ $rc -eq 0 ] || diag "$out"
out=$(as_staff env MENTORFED_DIR="$N" "$MF" list --kind school 2>&1)
like "$out" "Школа персонала" "  and reads them back, the directory from MENTORFED_DIR"
d=$(as_staff "$MF" -d "$N" digest 2>&1)
like "$d" "^[0-9a-f]{16,}" "  digest"
as_staff "$MF" -d "$N" reload >/dev/null 2>&1; ok $? "  reload"

# someone outside the group: told what is wrong, with the path
out=$(as_out "$MF" -d "$N" status 2>&1); rc=$?
[ $rc -ne 0 ]; ok $? "someone outside the group is refused"
like "$out" "$N.*[Pp]ermission denied" "  with 'permission denied' and the path"
case "$out" in *"not running"*|*"another"*) ok 1 "  and not 'not running' / 'another daemon'";; *) ok 0 "  and not 'not running' / 'another daemon'";; esac

# a second daemon on the same directory, started by staff or by root
out=$(as_staff timeout 20 "$MFD" -d "$N" -f 2>&1); rc=$?
is $rc 77 "mentorfedd started by a member of staff exits 77 (EX_NOPERM)"
like "$out" "permission denied.*belongs to user|permission denied.*belongs to uid $OWN" "  saying permission denied and whose the directory is"
case "$out" in *"another mentorfedd"*) ok 1 "  not 'another mentorfedd is running'";; *) ok 0 "  not 'another mentorfedd is running'";; esac
out=$(timeout 20 "$MFD" -d "$N" -f 2>&1); rc=$?
is $rc 77 "mentorfedd started by root on the owner's directory refuses (77): it would leave root's files there"

as_staff "$MF" -d "$N" stop >/dev/null 2>&1
wait "$DPID"; ok $? "a member of the group stops the daemon; it exits 0"

# a directory closed to its group: the socket stays owner-only
chmod 0700 "$N"
as_own timeout 60 "$MFD" -d "$N" -f >>"$T_TMP/daemon.log" 2>&1 &
DPID=$!
T_PIDS="$T_PIDS $DPID"
for _ in $(seq 1 100); do as_own "$MF" -d "$N" status >/dev/null 2>&1 && break; sleep 0.1; done
is "$(stat -c '%a' "$N/control.sock")" "600" "directory 0700: the control socket stays 0600"
as_own "$MF" -d "$N" stop >/dev/null 2>&1
wait "$DPID"

# the client's default directory
out=$(env -u MENTORFED_DIR "$MF" status 2>&1)
like "$out" "/var/lib/mentorfed" "without -d or MENTORFED_DIR the client uses /var/lib/mentorfed"
out=$(env -u MENTORFED_DIR "$MFD" -f 2>&1)
like "$out" "/var/lib/mentorfed" "  and so does mentorfedd"

done_testing
