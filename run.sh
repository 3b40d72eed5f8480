#!/bin/sh
# run.sh — the project's two entry points, for a fresh Debian 12 machine as
# root (or a user with sudo):
#
#   ./run.sh demo   install the Debian packages, build, and run the main job:
#                   a two-region federation (Tomsk, Chelyabinsk) on loopback
#                   that imports the real documents and syncs them
#   ./run.sh test   install, build, and run the full test suite twice: once
#                   normally and once under AddressSanitizer + UBSan, then
#                   every libFuzzer target briefly; ends with one line
#                   "N passed, N failed" (tests and fuzz targets)
#
# Builds go to _build/ (and _build_asan/, _build_fuzz/); nothing is written elsewhere
# except the packages installed.
set -eu
cd "$(dirname "$0")"
TOP=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES="build-essential autoconf automake libtool pkg-config
libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev libssl-dev
libjansson-dev libinih-dev check python3 python3-zmq python3-protobuf
protobuf-compiler python3-cryptography iproute2 procps libseccomp-dev
clang-14 libclang-rt-14-dev faketime
libmicrohttpd-dev libargon2-dev libical-dev libsystemd-dev gettext systemd
curl openssl
mandoc debhelper lintian dpkg-dev fakeroot chromium"
# Node.js and npm (for playwright-core, the browser tests' driver): Debian's,
# unless the machine already has them.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"

install_packages() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "== installing Debian packages:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {	# build DIR [configure args]
	dir=$1
	shift
	[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || ./autogen.sh
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$TOP/configure" -q "$@")
	fi
	echo "== building in $dir"
	make -C "$dir" -s -j"$JOBS" >/dev/null
}

count_results() {	# count_results DIR...: sum the TAP results of the test logs
	awk '/^:test-result: (PASS|XFAIL)/ {p++} /^:test-result: (FAIL|XPASS|ERROR)/ {f++}
	     END {printf "%d %d\n", p, f}' $(find "$@" -name '*.trs' 2>/dev/null) /dev/null
}

case "${1:-}" in
demo)
	install_packages
	build _build
	exec "$TOP/tests/demo.sh" "$TOP/_build"
	;;
test)
	install_packages
	build _build
	rc=0
	echo "== make check"
	make -C _build -j"$JOBS" check >/dev/null 2>&1 || rc=1
	grep -h -E '^(# (TOTAL|PASS|FAIL|ERROR|SKIP)|FAIL:|ERROR:)' _build/test-suite.log | sed 's/^/   /' || true
	echo "== make check under AddressSanitizer + UndefinedBehaviorSanitizer"
	build _build_asan --enable-sanitizers CFLAGS="-O1 -g"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C _build_asan -j"$JOBS" check >/dev/null 2>&1 || rc=1
	grep -h -E '^(# (TOTAL|PASS|FAIL|ERROR|SKIP)|FAIL:|ERROR:)' _build_asan/test-suite.log | sed 's/^/   /' || true
	for f in $(grep -l -E '^:test-result: (FAIL|ERROR)' $(find _build _build_asan -name '*.trs') 2>/dev/null); do
		echo "---- ${f%.trs}.log"
		tail -40 "${f%.trs}.log"
	done
	echo "== the Debian package: build, lintian, install, start, purge (tests/test_deb.sh)"
	dr=0
	sh tests/deadline.sh sh tests/test_deb.sh >_build_deb.log 2>&1 || dr=$?
	grep -E '^(not ok|Bail out!|# test_deb)' _build_deb.log | sed 's/^/   /' || true
	deb_ok=$(grep -c '^ok ' _build_deb.log || true)
	deb_fail=$(grep -c -E '^(not ok|Bail out!)' _build_deb.log || true)
	if [ "$dr" -ne 0 ]; then
		rc=1
		[ "$deb_fail" -gt 0 ] || deb_fail=1
		tail -20 _build_deb.log
	fi
	echo "== fuzzing every target briefly (tests/fuzz/run_quick.sh, doc/FUZZING.md)"
	fr=0
	JOBS=$JOBS sh tests/fuzz/run_quick.sh _build_fuzz >_build_fuzz.out 2>&1 || fr=$?
	grep -E '^(ok|FAIL|SKIP|   )' _build_fuzz.out | sed 's/^/   /' || true
	[ "$fr" -eq 0 ] || { rc=1; tail -20 _build_fuzz.out; }
	fz_ok=$(grep -c '^ok ' _build_fuzz.out || true)
	fz_fail=$(grep -c '^FAIL' _build_fuzz.out || true)
	[ "$fr" -eq 0 ] || [ "$fz_fail" -gt 0 ] || fz_fail=1
	set -- $(count_results _build _build_asan)
	echo "$(($1 + fz_ok + deb_ok)) passed, $(($2 + fz_fail + deb_fail)) failed"
	[ "$2" -eq 0 ] && [ "$fz_fail" -eq 0 ] && [ "$deb_fail" -eq 0 ] && [ "$rc" -eq 0 ]
	;;
*)
	echo "usage: ./run.sh demo | ./run.sh test" >&2
	exit 64
	;;
esac
