# tests/live.mk — issue 14, live propagation: control requests answered
# while a catch-up of 200,000 records runs (an order check, not a timing),
# and the push of a live write to a caught-up peer (doc/PROTOCOL.md 6a).
LIVE_TESTS = tests/test_catchup_control.sh
TESTS += $(LIVE_TESTS)
EXTRA_DIST += $(LIVE_TESTS)
