# daemon/core/core.mk — the core: no ZeroMQ, no dlopen.  Kinds, JSON,
# keys, records (hashing, blocks), configuration, the node's directory,
# Russian date expressions, utilities.  The store has its own fragment.
noinst_LTLIBRARIES += libmfcore.la
libmfcore_la_SOURCES = \
	proto/records.pb-c.c proto/records.pb-c.h \
	proto/wire.pb-c.c proto/wire.pb-c.h \
	daemon/core/util.c daemon/core/util.h \
	daemon/core/log.c daemon/core/log.h \
	daemon/core/kinds.c daemon/core/kinds.h \
	daemon/core/json.c daemon/core/json.h \
	daemon/core/keys.c daemon/core/keys.h \
	daemon/core/record.c daemon/core/record.h \
	daemon/core/conf.c daemon/core/conf.h \
	daemon/core/node.c daemon/core/node.h \
	daemon/core/datexpr.c daemon/core/datexpr.h \
	daemon/core/card.c daemon/core/card.h
libmfcore_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfcore_la_LIBADD = $(CORE_LIBS)
libmfcore_la_SOURCES += daemon/core/i18n.c daemon/core/i18n.h
libmfcore_la_CFLAGS += -DLOCALEDIR='"$(localedir)"'
