# daemon/records/records.mk — the records layer: the one writer of local
# records (check, seal, store) and the reply shape.
noinst_LTLIBRARIES += libmfrecords.la
libmfrecords_la_SOURCES = \
	daemon/records/reply.c daemon/records/reply.h \
	daemon/records/records.c daemon/records/records.h \
	daemon/records/check.c daemon/records/checks.h \
	daemon/records/check_args.c daemon/records/check_hint.c \
	daemon/records/lifecycle.c daemon/records/lifecycle.h
libmfrecords_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfrecords_la_LIBADD = libmfcore.la
