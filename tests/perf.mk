# tests/perf.mk — queries through indexes (issue 14): test_query_plan
# (Check, tests/test_query_plan.c: EXPLAIN QUERY PLAN of every indexed
# query of the store, their results, the reindex a schema-1 store gets on
# open); test_queries.sh (mentor find, offer search, school search and the
# school page on a daemon, against what the scan over every body gave).
check_PROGRAMS += tests/test_query_plan
TESTS += tests/test_query_plan tests/test_queries.sh
EXTRA_DIST += tests/test_queries.sh
tests_test_query_plan_SOURCES = tests/test_query_plan.c tests/testdir.h
tests_test_query_plan_CFLAGS = $(TEST_CFLAGS)
tests_test_query_plan_LDADD = $(TEST_LDADD)
