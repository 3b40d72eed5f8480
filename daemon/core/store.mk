# daemon/core/store.mk — the SQLite store, part of the core library, split
# by concern: schema and open (store.c), local writes (store_write.c),
# verified remote blocks (store_apply.c), reads (store_read.c).  SQLite is
# private to these files (store_int.h).
libmfcore_la_SOURCES += daemon/core/store.c daemon/core/store.h daemon/core/store_int.h \
	daemon/core/store_write.c daemon/core/store_apply.c daemon/core/store_read.c
# backup and restore (store_backup.c)
libmfcore_la_SOURCES += daemon/core/store_backup.c
# rot and corruption: damage noted, the full check in slices, the digest
# recomputed from bodies (store_verify.c)
libmfcore_la_SOURCES += daemon/core/store_verify.c
# where the node's memory goes, for status (store_mem.c)
libmfcore_la_SOURCES += daemon/core/store_mem.c daemon/core/store_mem.h
# WAL checkpoints off the hot path, from a thread of the daemon (store_ckpt.c)
libmfcore_la_SOURCES += daemon/core/store_ckpt.c daemon/core/store_ckpt.h
