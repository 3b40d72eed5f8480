# daemon/web/web.mk (filled by its owner)
