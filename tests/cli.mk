# tests/cli.mk — the client against a real daemon: verbs, the exchange,
# imports of the real documents.
TESTS += tests/test_cli.sh tests/test_exchange.sh tests/test_import.sh
EXTRA_DIST += tests/test_cli.sh tests/test_exchange.sh tests/test_import.sh
