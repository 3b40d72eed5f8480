# tests/reliability.mk — issue 12: restore/recovery, rot and corruption, hostile peers.
# Hostile peers contained (failures 4-8): tests/peer.py as the hostile peer.
TESTS += tests/test_hostile.sh
EXTRA_DIST += tests/test_hostile.sh
# A region never reuses its own seq (failure 1): restore, recovery, forks.
TESTS += tests/test_restore.sh
EXTRA_DIST += tests/test_restore.sh
# Rot and corruption found, not served (failures 2 and 3): body edits and a
# flipped B-tree page in stopped nodes' stores.
TESTS += tests/test_rot.sh
EXTRA_DIST += tests/test_rot.sh
