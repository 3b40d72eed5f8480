# doc/man/man.mk (filled by its owner)
