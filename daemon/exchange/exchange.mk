# daemon/exchange/exchange.mk — the mentoring exchange over the federation's
# records: mentor search, pairs, internships, overview.
noinst_LTLIBRARIES += libmfexchange.la
libmfexchange_la_SOURCES = daemon/exchange/query.c daemon/exchange/query.h
libmfexchange_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfexchange_la_LIBADD = libmfrecords.la
