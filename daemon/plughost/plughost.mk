# daemon/plughost/plughost.mk — the plugin host: the plugin loader, the
# host side of the ABI and the roadmap models (libmfplughost), and the
# program that runs them confined, mentorfed-plugin-host.  The daemon
# never loads a plugin itself: it runs the program (daemon/plugjob.c).
noinst_LTLIBRARIES += libmfplughost.la
libmfplughost_la_SOURCES = \
	daemon/plughost/plugin_loader.c daemon/plughost/plugin_loader.h \
	daemon/plughost/generic_model.c daemon/plughost/generic_model.h \
	daemon/plughost/roadmap.c daemon/plughost/roadmap.h
libmfplughost_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfplughost_la_LIBADD = libmfcore.la $(DL_LIBS)

# the confined helper: libmfcore + the loader + roadmap; no ZeroMQ, no
# store handle, no key.  Not linked -export-dynamic: a plugin that uses a
# symbol of the host fails to load ("undefined symbol").
pkglibexec_PROGRAMS = mentorfed-plugin-host
mentorfed_plugin_host_SOURCES = daemon/plughost/plughost_main.c \
	daemon/plughost/confine.c daemon/plughost/confine.h
mentorfed_plugin_host_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(SECCOMP_CFLAGS)
mentorfed_plugin_host_LDADD = libmfplughost.la libmfcore.la $(CORE_LIBS) \
	$(SECCOMP_LIBS) $(DL_LIBS)

# daemon side of plugin commands: runs mentorfed-plugin-host (found through
# $MENTORFED_PLUGIN_HOST, next to the daemon's executable, or MF_PLUGIN_HOST)
mentorfedd_SOURCES += daemon/plugjob.c daemon/plugjob.h daemon/cmd_import.c \
	daemon/ctl_plugins.c daemon/ctl_plugins.h daemon/rm_summary.c daemon/rm_summary.h
mentorfedd_CPPFLAGS = $(AM_CPPFLAGS) -DMF_PLUGIN_HOST='"$(pkglibexecdir)/mentorfed-plugin-host"'
