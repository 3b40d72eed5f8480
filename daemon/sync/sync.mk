# daemon/sync/sync.mk — federated sync over ZeroMQ: protocol engine, ZAP.
noinst_LTLIBRARIES += libmfsync.la
libmfsync_la_SOURCES = daemon/sync/sync.c daemon/sync/sync.h \
	daemon/sync/zap.c daemon/sync/zap.h
libmfsync_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS)
libmfsync_la_LIBADD = libmfrecords.la $(ZMQ_LIBS)
