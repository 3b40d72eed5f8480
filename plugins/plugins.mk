# plugins/plugins.mk — the region plugins (libtool modules loaded with
# dlopen), the public plugin header and its pkg-config file, and the host
# side of the plugin ABI in libmfcore.
#
# Plugins link nothing of the daemon's: they only include
# plugins/mentorfed-plugin.h and the header-only plugins/common/ptext.h.

libmfcore_la_SOURCES += \
	daemon/datexpr.c daemon/datexpr.h \
	daemon/plugin_loader.c daemon/plugin_loader.h \
	daemon/roadmap.c daemon/roadmap.h

plugindir = $(pkglibdir)/plugins
plugin_LTLIBRARIES = plugins/tomsk.la plugins/chelyabinsk.la

MF_PLUGIN_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
MF_PLUGIN_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^mentorfed_plugin_entry$$'

plugins_tomsk_la_SOURCES = plugins/tomsk/tomsk.c plugins/common/ptext.h
plugins_tomsk_la_CFLAGS = $(MF_PLUGIN_CFLAGS)
plugins_tomsk_la_LDFLAGS = $(MF_PLUGIN_LDFLAGS)
plugins_tomsk_la_LIBADD =

plugins_chelyabinsk_la_SOURCES = plugins/chelyabinsk/chelyabinsk.c plugins/common/ptext.h
plugins_chelyabinsk_la_CFLAGS = $(MF_PLUGIN_CFLAGS)
plugins_chelyabinsk_la_LDFLAGS = $(MF_PLUGIN_LDFLAGS)
plugins_chelyabinsk_la_LIBADD =

# the public header, installed as $(includedir)/mentorfed/mentorfed-plugin.h
mentorfedincludedir = $(includedir)/mentorfed
mentorfedinclude_HEADERS = plugins/mentorfed-plugin.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = plugins/mentorfed-plugin.pc

EXTRA_DIST += plugins/mentorfed-plugin.pc.in \
	plugins/template/README.md plugins/template/Makefile \
	plugins/template/template.c plugins/template/example.txt
