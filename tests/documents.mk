# tests/documents.mk — documents that shrink are refused (issue 11, item 3).
#
# test_cuts.sh cuts every real document of tests/data at every line
# boundary: in-process through the plugin host's import (tests/plugin_tool,
# built by tests/plugins.mk), as the first import into a fresh node, and
# through a running daemon after the full import, then `import --dry-run`
# and `--replace`.  About 50 s (2 cores, plain build).
TESTS += tests/test_cuts.sh
dist_noinst_SCRIPTS += tests/test_cuts.sh
