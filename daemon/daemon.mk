# daemon/daemon.mk — mentorfedd: the loop, the control socket and its
# command table (ctl.c: the socket, ctl_table.c: the table and dispatch),
# the record commands (cmd_records.c).  Links every layer below it.
sbin_PROGRAMS += mentorfedd
mentorfedd_SOURCES = daemon/mentorfedd.c daemon/ctl.c daemon/ctl.h \
	daemon/ctl_table.c daemon/cmd_records.c daemon/cmd_records.h
mentorfedd_SOURCES += daemon/cmd_web.c daemon/cmd_web.h
mentorfedd_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS)
mentorfedd_LDADD = libmfexchange.la libmfsync.la libmfrecords.la libmfcore.la \
	$(CORE_LIBS) $(ZMQ_LIBS)
# backup, fork show/adopt (issue 12)
mentorfedd_SOURCES += daemon/cmd_backup.c daemon/cmd_backup.h
mentorfedd_SOURCES += daemon/cmd_keys.c daemon/cmd_keys.h
# rot and corruption: the background check, verify, digest --recompute (issue 12)
mentorfedd_SOURCES += daemon/scrub.c daemon/scrub.h
