# tests/upgrade.mk (filled by its owner)
