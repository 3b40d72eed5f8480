# daemon/client/client.mk — the command-line client `mentorfed`.  It talks
# to the daemon only over the control socket and includes only daemon/core
# and its own headers.
bin_PROGRAMS += mentorfed
mentorfed_SOURCES = daemon/client/main.c daemon/client/client.h \
	daemon/client/request.c daemon/client/request.h \
	daemon/client/cards.c daemon/client/verbs_records.c \
	daemon/client/verbs_exchange.c \
	daemon/client/cli_fmt.c daemon/client/cli_fmt.h
mentorfed_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS)
mentorfed_LDADD = libmfcore.la $(CORE_LIBS) $(ZMQ_LIBS)
# backup, restore, fork (issue 12)
mentorfed_SOURCES += daemon/client/verbs_backup.c daemon/client/verbs_backup.h
# verify, digest --recompute (issue 12)
mentorfed_SOURCES += daemon/client/verbs_verify.c daemon/client/verbs_verify.h
mentorfed_SOURCES += daemon/client/verbs_keys.c daemon/client/verbs_keys.h
# web accounts: user add|list|del (issue 13)
mentorfed_SOURCES += daemon/client/verbs_user.c daemon/client/verbs_user.h
mentorfed_LDADD += $(ARGON2_LIBS)
