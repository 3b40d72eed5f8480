# daemon/exchange/exchange.mk — the mentoring exchange over the federation's
# records: mentor search, pairs, internships, overview.  Writes go through
# the records layer; only the daemon's command table includes exchange.h.
noinst_LTLIBRARIES += libmfexchange.la
libmfexchange_la_SOURCES = \
	daemon/exchange/exchange.h daemon/exchange/exchange_int.h \
	daemon/exchange/exchange_util.c \
	daemon/exchange/mentor.c \
	daemon/exchange/pairs.c \
	daemon/exchange/internships.c \
	daemon/exchange/overview.c
libmfexchange_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfexchange_la_LIBADD = libmfrecords.la
