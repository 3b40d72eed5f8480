# daemon/core/store.mk — the SQLite store, part of the core library.
libmfcore_la_SOURCES += daemon/core/store.c daemon/core/store.h
