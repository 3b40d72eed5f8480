#!/bin/sh
# run_quick.sh DIR — the test command's fuzz run (doc/FUZZING.md): configure
# DIR as a fuzz build (clang-14, libFuzzer, ASan+UBSan) when it is not one
# yet, build it, and run every target for FUZZ_QUICK_SECONDS (default 10)
# seconds.  Exits 1 on a crash, printing the reproducer's path; 77 (skip)
# when clang-14 or libFuzzer is missing (apt-get install clang-14
# libclang-rt-14-dev).  All targets take about 12 x 13 s on 2 cores.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
DIR=${1:?usage: run_quick.sh BUILDDIR}
CC_FUZZ=${CC_FUZZ:-clang-14}
JOBS=${JOBS:-2}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	echo "SKIP fuzz: $CC_FUZZ missing (apt-get install clang-14 libclang-rt-14-dev)"
	exit 77
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if ! grep -q '^SAN_CFLAGS = -fsanitize=fuzzer-no-link' "$DIR/Makefile" 2>/dev/null; then
	[ -x "$top_srcdir/configure" ] || (cd "$top_srcdir" && ./autogen.sh >/dev/null 2>&1)
	if ! (cd "$DIR" && "$top_srcdir/configure" -q --enable-fuzz CC="$CC_FUZZ" CFLAGS="-O1 -g" \
		>"$DIR/configure.out" 2>&1); then
		if grep -q 'needs clang with libFuzzer' "$DIR/configure.out"; then
			echo "SKIP fuzz: $(grep 'needs clang' "$DIR/configure.out")"
			exit 77
		fi
		echo "FAIL fuzz: configure failed in $DIR:"
		tail -20 "$DIR/configure.out"
		exit 1
	fi
fi
echo "== building the fuzz targets in $DIR"
if ! make -C "$DIR" -s -j"$JOBS" >"$DIR/make.out" 2>&1; then
	echo "FAIL fuzz: build failed in $DIR:"
	tail -30 "$DIR/make.out"
	exit 1
fi
echo "== fuzzing each target for ${FUZZ_QUICK_SECONDS:-10} s"
exec make -C "$DIR" -s fuzz-quick FUZZ_QUICK_SECONDS="${FUZZ_QUICK_SECONDS:-10}"
