# daemon/records/apply.mk — the records layer's remote side: verified blocks from peers reach the store only through it.
libmfrecords_la_SOURCES += daemon/records/apply.c daemon/records/apply.h
