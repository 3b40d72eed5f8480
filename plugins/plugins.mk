# plugins/plugins.mk — the region plugins (libtool modules loaded with
# dlopen; each region's own fragment lists its sources), the public plugin
# header and its pkg-config file.
#
# Plugins link nothing of the daemon's: they only include
# plugins/mentorfed-plugin.h and the header-only plugins/common/ptext.h.

plugindir = $(pkglibdir)/plugins
plugin_LTLIBRARIES =

MF_PLUGIN_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
# -z defs: a plugin that uses a symbol of the daemon does not link (the
# plugin host exports none: it would not load either)
MF_PLUGIN_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -Wl,-z,defs \
	-export-symbols-regex '^mentorfed_plugin_entry$$'

# the public header, installed as $(includedir)/mentorfed/mentorfed-plugin.h
mentorfedincludedir = $(includedir)/mentorfed
mentorfedinclude_HEADERS = plugins/mentorfed-plugin.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = plugins/mentorfed-plugin.pc

EXTRA_DIST += plugins/mentorfed-plugin.pc.in \
	plugins/template/README.md plugins/template/Makefile \
	plugins/template/template.c plugins/template/example.txt
