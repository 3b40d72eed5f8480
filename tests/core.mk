# tests/core.mk — unit tests of the node's core files (Check, TAP output):
# record (hashing, sealing, verifying blocks; keys, and the core's Z85 and
# CURVE keys checked against libzmq, which only this test links), conf (INI
# errors with FILE:LINE) and json (descriptor-driven conversion).

check_PROGRAMS += tests/test_record tests/test_conf tests/test_json
TESTS += tests/test_record tests/test_conf tests/test_json

tests_test_record_SOURCES = tests/test_record.c tests/testdir.h
tests_test_record_CFLAGS = $(TEST_CFLAGS) $(ZMQ_CFLAGS)
tests_test_record_LDADD = $(TEST_LDADD) $(ZMQ_LIBS)

tests_test_conf_SOURCES = tests/test_conf.c tests/testdir.h
tests_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_test_conf_LDADD = $(TEST_LDADD)

tests_test_json_SOURCES = tests/test_json.c
tests_test_json_CFLAGS = $(TEST_CFLAGS)
tests_test_json_LDADD = $(TEST_LDADD)
