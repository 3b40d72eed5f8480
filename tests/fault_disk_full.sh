#!/bin/sh
# Fault: a full disk (issue 12, "faults as tests").  Needs root and tmpfs
# mounts; skips (TAP "1..0 # SKIP") otherwise.
#
# Tomsk's data directory is on a tmpfs of SIZE MiB (default 24) that also
# holds a 4 MiB ballast file; its log is kept outside.  Tomsk puts records
# until a put fails: the put must fail as a whole with an error that says
# the disk is full, every confirmed record must stay (and reach Chelyabinsk,
# its peer), and the node must go on serving reads (status, get, export,
# digest, sync), and come back after a kill -9 while the disk is still
# full.  Then the ballast is removed: writes work again, and after
# a restart nothing confirmed is lost.  The mount is removed even when the
# test fails.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
. "$top_srcdir/tests/fault_lib.sh"
SIZE=${MF_FAULT_DISK_MB:-24}
PUT=2000

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP mounting a tmpfs needs root"
	exit 0
fi
mkdir "$T_TMP/disk"
if ! mount -t tmpfs -o "size=${SIZE}m" mfr5disk "$T_TMP/disk" 2>"$T_TMP/mount.err"; then
	echo "1..0 # SKIP mount -t tmpfs is not permitted here: $(head -1 "$T_TMP/mount.err")"
	exit 0
fi
f_undo "umount -l $T_TMP/disk"
plan 18

tom=$T_TMP/disk/tom
f_mk_node "$tom" RU-TOM "tcp://127.0.0.1:$(free_port)" && mk_node che RU-CHE &&
	"$MF" -d "$tom" peer add "$T_TMP/che.card" >/dev/null && "$MF" -d "$T_TMP/che" peer add "$tom.card" >/dev/null
# the log lives outside the full disk
ln -s "$T_TMP/tom.log" "$tom/daemon.log"
dd if=/dev/zero of="$T_TMP/disk/ballast" bs=1M count=4 2>/dev/null
f_start "$tom"
ok $? "Tomsk up with its data directory on a ${SIZE} MiB tmpfs"
f_start "$T_TMP/che" && f_writable "$tom"
ok $? "Chelyabinsk up"

# Fill the disk: puts of PUT records (about 500 bytes each) until one fails.
confirmed=0 n=0 failed=0
while [ $n -lt 60 ]; do
	n=$((n + 1))
	gen_schools "$PUT" "f${n}_" | sed "s/\"name\": \"School/\"name\": \"$(printf '%0400d' 0) School/" >"$T_TMP/put.jsonl"
	if timeout 120 "$MF" --timeout 100 -d "$tom" put "$T_TMP/put.jsonl" >"$T_TMP/put.out" 2>&1; then
		confirmed=$((confirmed + PUT))
	else
		failed=1
		break
	fi
done
diag "put $n failed after $confirmed confirmed records: $(head -3 "$T_TMP/put.out" | tr '\n' ' ')"
diag "$(df -k "$T_TMP/disk" | tail -1)"
is "$failed" "1" "a put fails once the disk is full"
like "$(cat "$T_TMP/put.out")" "[Ff]ull|No space|места" "the error says the disk is full"
kill -0 "$(cat "$tom/daemon.pid")"
ok $? "the daemon is still running"
is "$(f_count "$tom" "School f${n}_ ")" "0" "the failed put left none of its records"
is "$(f_nregion "$tom" RU-TOM)" "$confirmed" "every confirmed record is there ($confirmed)"
timeout 30 "$MF" --timeout 20 -d "$tom" status >/dev/null
ok $? "status answers on the full disk"
id=$("$MF" -d "$tom" export 2>/dev/null | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
like "$(timeout 30 "$MF" --timeout 20 -d "$tom" get "$id" 2>&1)" "School f1_" "get serves a record on the full disk"
f_wait_equal 90 "$tom" "$T_TMP/che"
ok $? "Chelyabinsk syncs from the full node: equal digests"
is "$(nregion che RU-TOM)" "$confirmed" "Chelyabinsk holds every confirmed record"

# kill -9 while the disk is still full: it comes back with every record.
f_kill9 "$tom"
f_start "$tom" && f_writable "$tom"
ok $? "after kill -9 Tomsk restarts on the full disk"
is "$(f_nregion "$tom" RU-TOM)" "$confirmed" "and holds every confirmed record"

# Free space: writes work again.
rm -f "$T_TMP/disk/ballast"
gen_schools 1000 after_ >"$T_TMP/after.jsonl"
timeout 120 "$MF" --timeout 100 -d "$tom" put "$T_TMP/after.jsonl" >"$T_TMP/after.out" 2>&1
ok $? "after space is freed, a put of 1000 records succeeds"
confirmed=$((confirmed + 1000))

# Restart: nothing confirmed lost.
stop_node "$tom"
f_start "$tom" && f_writable "$tom"
ok $? "Tomsk restarts"
is "$(f_nregion "$tom" RU-TOM)" "$confirmed" "after the restart Tomsk holds every confirmed record ($confirmed)"
f_wait_equal 90 "$tom" "$T_TMP/che"
ok $? "Chelyabinsk converges again"
is "$(f_forks "$tom" "$T_TMP/che")" "0" "no FORK logged or counted"
grep -E "\b(error|err)\b" "$T_TMP/tom.log" | grep -v "plugin directory" | head -5 | while IFS= read -r l; do diag "tom log: $l"; done
done_testing
