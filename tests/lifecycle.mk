# tests/lifecycle.mk — issue 11: the lifecycle tables of doc/LIFECYCLES.md
# (pairs, internship applications, offers) on two synced nodes, every
# allowed and every refused transition, and across a partition.
LIFECYCLE_TESTS = tests/test_lifecycle.sh
TESTS += $(LIFECYCLE_TESTS)
EXTRA_DIST += $(LIFECYCLE_TESTS)
