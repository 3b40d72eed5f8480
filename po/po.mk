# po/po.mk (filled by its owner)
