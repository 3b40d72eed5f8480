# daemon/plughost/plughost.mk — the plugin host: the plugin loader, the
# host side of the ABI and the roadmap models.
noinst_LTLIBRARIES += libmfplughost.la
libmfplughost_la_SOURCES = \
	daemon/plughost/plugin_loader.c daemon/plughost/plugin_loader.h \
	daemon/plughost/roadmap.c daemon/plughost/roadmap.h
libmfplughost_la_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
libmfplughost_la_LIBADD = libmfcore.la $(DL_LIBS)

# daemon side of plugin commands (for now in-process)
mentorfedd_SOURCES += daemon/ctl_plugins.c daemon/ctl_plugins.h
mentorfedd_LDADD += libmfplughost.la $(DL_LIBS)
mentorfedd_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
