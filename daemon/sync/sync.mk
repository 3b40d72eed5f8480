# daemon/sync/sync.mk — federated sync over ZeroMQ, split by concern (see
# sync_int.h): API and frame dispatch, links, serving, pulling, status, ZAP.
noinst_LTLIBRARIES += libmfsync.la
libmfsync_la_SOURCES = daemon/sync/sync.c daemon/sync/sync.h daemon/sync/sync_int.h \
	daemon/sync/sync_links.c daemon/sync/sync_serve.c daemon/sync/sync_pull.c \
	daemon/sync/sync_recover.c daemon/sync/sync_recover.h \
	daemon/sync/sync_status.c daemon/sync/sync_conns.c daemon/sync/sync_conns.h daemon/sync/sync_proto.h \
	daemon/sync/zap.c daemon/sync/zap.h
libmfsync_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS)
libmfsync_la_LIBADD = libmfrecords.la $(ZMQ_LIBS)
