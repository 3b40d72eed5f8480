# tests/store.mk — the store: local commits, remote apply (whole and in
# steps), tamper/idempotence/fork/withholding cases, bad database files,
# counts.  Linked with --wrap=protobuf_c_message_unpack so that a test can
# count the decodes of one apply (each header, version and body once).
check_PROGRAMS += tests/test_store
TESTS += tests/test_store
tests_test_store_SOURCES = tests/test_store.c tests/testdir.h
tests_test_store_CFLAGS = $(TEST_CFLAGS)
tests_test_store_LDFLAGS = -Wl,--wrap=protobuf_c_message_unpack
tests_test_store_LDADD = $(TEST_LDADD)
