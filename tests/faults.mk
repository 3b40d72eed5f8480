# tests/faults.mk — the fault cases of issue 12 that already hold, as tests
# on real daemons (doc/FAULTS.md lists each with the number it checks):
# kill -9 of a relay during a sync, kill -9 during `put`, a partition of
# two network namespaces, a full disk (a small tmpfs), clock skew of a year
# (faketime).  The namespace and tmpfs tests need root and skip otherwise;
# the skew test needs faketime (Debian package faketime) and skips without
# it.  tests/fault_lib.sh removes namespaces and mounts even when a test
# fails or its deadline expires.
FAULT_TESTS = tests/fault_relay_kill.sh tests/fault_put_kill.sh \
	tests/fault_netns.sh tests/fault_disk_full.sh tests/fault_clock_skew.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS) tests/fault_lib.sh
