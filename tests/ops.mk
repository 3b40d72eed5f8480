# tests/ops.mk (filled by its owner)
