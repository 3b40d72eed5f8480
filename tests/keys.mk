# tests/keys.mk (filled by its owner)
