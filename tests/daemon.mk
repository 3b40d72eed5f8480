# tests/daemon.mk — daemon-level checks: layering, start-up, many peers.
#
# check_layers.sh reads the sources (every #include "..." of daemon/ and
# plugins/) and the built mentorfedd (nm -D: no mf_* symbol exported);
# test_startup.sh runs mentorfedd daemonized; test_many_peers.sh runs a
# node with 100 peers on loopback.
TESTS += tests/check_layers.sh tests/test_startup.sh tests/test_many_peers.sh
EXTRA_DIST += tests/check_layers.sh tests/test_startup.sh tests/test_many_peers.sh
