# tests/web.mk (filled by its owner)
