# daemon/client/client.mk — the command-line client `mentorfed`.
bin_PROGRAMS += mentorfed
mentorfed_SOURCES = daemon/client/mentorfed.c daemon/client/cli_fmt.c daemon/client/cli_fmt.h
mentorfed_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS)
mentorfed_LDADD = libmfcore.la $(CORE_LIBS) $(ZMQ_LIBS)
