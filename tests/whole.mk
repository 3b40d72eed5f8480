# tests/whole.mk — import --whole (issue 11): a whole document that departs
# from its genre (a news item without its contact paragraph, a letter
# without its targets, a card file without its closing line) is refused
# with a hint, and imported with --whole (a warning in the summary); the
# format's hard signals (the ГАРАНТ closing line) are never overridden.
# About 6 s (one node and its web page).
TESTS += tests/test_whole.sh
dist_noinst_SCRIPTS += tests/test_whole.sh
