# tests/i18n.mk — the language layer and the client in Russian (issue 13):
# test_i18n_unit (Check, tests/test_i18n.c: folding, dates, labels, Excel
# CSV, reason codes, gettext switching per call), test_i18n.sh (the client under
# LANG=ru_RU.UTF-8 and under C on a real daemon; Russian direction names
# as input), test_po.sh (the catalogue: msgfmt --check, every message of
# the client and the shared layer translated).
check_PROGRAMS += tests/test_i18n_unit
# (not "tests/test_i18n": its log would be test_i18n.sh's)
TESTS += tests/test_i18n_unit tests/test_i18n.sh tests/test_po.sh
EXTRA_DIST += tests/test_i18n.sh tests/test_po.sh

tests_test_i18n_unit_SOURCES = tests/test_i18n.c
tests_test_i18n_unit_CFLAGS = $(TEST_CFLAGS)
tests_test_i18n_unit_LDADD = $(TEST_LDADD)

# Every test finds the build tree's catalogue (not an installed one), so
# the client and mentorfed-web speak the translations being tested.
AM_TESTS_ENVIRONMENT += MENTORFED_LOCALEDIR='$(abs_top_builddir)/po'; export MENTORFED_LOCALEDIR;
