#!/bin/sh
# test_startup.sh — mentorfedd daemonized (without -f): a relative -d works,
# the store is opened by the daemon itself (after the fork), and every
# start-up error reaches the terminal's stderr with its sysexits code
# before the first process exits.  Every daemon run has a deadline.
. "${top_srcdir:-.}/tests/lib.sh"
plan 22

# dstart ARGS...: mentorfedd in the background mode, stderr to $T_TMP/err;
# prints the exit status of the process that was started.
dstart() {
	timeout 20 "$MFD" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	echo $?
}
# The daemon's pid (from its lock file), remembered for the cleanup.
dpid() {
	_p=$(head -1 "$1/mentorfedd.lock" 2>/dev/null)
	[ -n "$_p" ] && T_PIDS="$T_PIDS $_p"
	echo "$_p"
}
# dstop DIR: SIGTERM the daemon of DIR and wait (at most 5 s) until it is gone.
dstop() {
	_p=$(dpid "$1")
	[ -n "$_p" ] || return 1
	kill -TERM "$_p" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$_p" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

cd "$T_TMP" || exit 1
mkdir plugins
"$MF" -d rel init --region RU-TOM --plugin-dir "$T_TMP/plugins" >/dev/null
ok $? "init a node in a relative directory"

# 1. A relative -d, daemonized: it serves (it used to die silently).
rc=$(dstart -d rel)
is "$rc" 0 "daemonized with a relative -d: the first process exits 0"
is "$(cat "$T_TMP/err")" "" "and says nothing"
pid=$(dpid rel)
like "$pid" '^[0-9]+$' "the daemon wrote its pid into the lock file"
kill -0 "$pid" 2>/dev/null; ok $? "the daemon is running"
is "$(readlink "/proc/$pid/cwd")" "/" "it runs in /"
timeout 10 "$MF" -d rel status >"$T_TMP/status" 2>&1; ok $? "it answers the client"
like "$(cat "$T_TMP/status")" "data directory +$T_TMP/rel" "with the absolute data directory"
ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$T_TMP/rel/store.db"
ok $? "the daemon process itself holds the store open"

# 2. The directory is held: 75, the reason on stderr.
rc=$(dstart -d "$T_TMP/rel")
is "$rc" 75 "a second daemon on the directory: EX_TEMPFAIL"
like "$(cat "$T_TMP/err")" "^mentorfedd: .*another mentorfedd is running on this data directory \(pid $pid\)" \
	"the held directory is reported on stderr with the holder's pid"
dstop rel; ok $? "the daemon stops on SIGTERM"

# 3. A bad configuration: 78, FILE:LINE on stderr.
cp rel/mentorfed.conf "$T_TMP/conf.good"
printf 'heartbeat_ms = fast\n' >>rel/mentorfed.conf
rc=$(dstart -d rel)
is "$rc" 78 "a bad configuration: EX_CONFIG"
like "$(cat "$T_TMP/err")" "^mentorfedd: $T_TMP/rel/mentorfed.conf:[0-9]+: .*heartbeat_ms" \
	"the configuration error is on stderr with FILE:LINE"
cp "$T_TMP/conf.good" rel/mentorfed.conf

# 4. A store that is not a database is refused by the daemon: 78.
cp rel/store.db "$T_TMP/store.good"
head -c 8192 /dev/urandom >rel/store.db
rm -f rel/store.db-wal rel/store.db-shm
rc=$(dstart -d rel)
is "$rc" 78 "a corrupt store: EX_CONFIG"
like "$(cat "$T_TMP/err")" "store.db" "the store error is on stderr and names the file"
cp "$T_TMP/store.good" rel/store.db

# 5. The listening socket cannot be bound (the port is another node's): 69.
port=$(free_port)
"$MF" -d a init --region RU-TOM --listen "tcp://127.0.0.1:$port" >/dev/null &&
	"$MF" -d b init --region RU-CHE --listen "tcp://127.0.0.1:$port" >/dev/null
ok $? "two nodes configured on one port"
rc=$(dstart -d a)
is "$rc" 0 "the first starts"
rc=$(dstart -d b)
is "$rc" 69 "the second cannot bind: EX_UNAVAILABLE"
like "$(cat "$T_TMP/err")" "^mentorfedd: .*(tcp://127.0.0.1:$port|[Aa]ddress already in use)" \
	"the bind failure is on stderr"
dstop a; ok $? "the first stops"

# 6. A data directory that does not exist: 78, named.
rc=$(dstart -d "$T_TMP/nowhere")
like "$rc:$(cat "$T_TMP/err")" "^78:mentorfedd: $T_TMP/nowhere" "a missing directory: EX_CONFIG, named on stderr"

done_testing
