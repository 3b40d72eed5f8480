# tests/documents.mk — documents that shrink are refused (issue 11, item 3).
#
# test_cuts.sh cuts every real document of tests/data at every line
# boundary: in-process through the plugin host's import (tests/plugin_tool,
# built by tests/plugins.mk) and through a running daemon after the full
# import, then `import --dry-run` and `--replace`.  About 20 s.
TESTS += tests/test_cuts.sh
dist_noinst_SCRIPTS += tests/test_cuts.sh
