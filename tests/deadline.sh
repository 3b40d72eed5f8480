#!/bin/sh
# deadline.sh CMD [ARGS...] — run one test of `make check` with a deadline.
#
# Every test runs under timeout(1) in its own process group, so the daemons
# and helpers a test started die with it.  When the deadline (seconds,
# MF_TEST_DEADLINE, default 600) expires the test is reported as a TAP
# "Bail out!" naming it, which the harness counts as an error: a hung test
# fails clearly instead of hanging the suite.
d=${MF_TEST_DEADLINE:-600}
eval "test_name=\${$#}"
timeout -k 10 "$d" "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "Bail out! $test_name: deadline of $d s expired (MF_TEST_DEADLINE)"
fi
exit "$rc"
