# tests/store.mk — the store: local commits, remote apply,
# tamper/idempotence/fork/withholding cases, bad database files.
check_PROGRAMS += tests/test_store
TESTS += tests/test_store
tests_test_store_SOURCES = tests/test_store.c tests/testdir.h
tests_test_store_CFLAGS = $(TEST_CFLAGS)
tests_test_store_LDADD = $(TEST_LDADD)
