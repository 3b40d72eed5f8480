# tests/cli.mk — the client against a real daemon: verbs, the exchange,
# imports of the real documents.
# The client against a daemon that does not answer (SIGSTOP): --timeout.
TESTS += tests/test_cli.sh tests/test_exchange.sh tests/test_import.sh \
	tests/test_client_timeout.sh
EXTRA_DIST += tests/test_cli.sh tests/test_exchange.sh tests/test_import.sh \
	tests/test_client_timeout.sh
# status says where the node's memory goes (issue 14)
TESTS += tests/test_memstat.sh
EXTRA_DIST += tests/test_memstat.sh
