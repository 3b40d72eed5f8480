# tests/checks.mk — issue 11, items 1 and 4: the one check before sealing
# and the answers that help.
#
# test_checks.sh feeds every row of the issue's table that is about checks
# (dates, ranges, counts, references, ownership, unknown regions, months
# and dates of queries) and the boundaries around each to two real nodes,
# and checks the exit code, the message and an unchanged digest.  ~15 s.
TESTS += tests/test_checks.sh
dist_noinst_SCRIPTS += tests/test_checks.sh
