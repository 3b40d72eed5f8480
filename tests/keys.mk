# tests/keys.mk — a region's identity over years (issue 15, point 5;
# doc/KEYS.md): the keyring's (origin, seq) -> key choice, region_key
# records and the config's key/revoke lines as a unit test; rotation,
# relay, a node offline during the rotation, restarts, an old or revoked
# key refused, verify flagging, re-join and renaming across three nodes.
check_PROGRAMS += tests/test_keys_unit
TESTS += tests/test_keys_unit tests/test_keys.sh
EXTRA_DIST += tests/test_keys.sh

tests_test_keys_unit_SOURCES = tests/test_keys_unit.c tests/testdir.h
tests_test_keys_unit_CFLAGS = $(TEST_CFLAGS)
tests_test_keys_unit_LDADD = $(TEST_LDADD)

# a received rotation that would not hold is refused with its block
check_PROGRAMS += tests/test_apply_keys
TESTS += tests/test_apply_keys
tests_test_apply_keys_SOURCES = tests/test_apply_keys.c tests/testdir.h
tests_test_apply_keys_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/daemon/records
tests_test_apply_keys_LDADD = libmfrecords.la $(TEST_LDADD)
