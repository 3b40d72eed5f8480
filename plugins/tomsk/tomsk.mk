# plugins/tomsk/tomsk.mk — the Tomsk Oblast plugin.
plugin_LTLIBRARIES += plugins/tomsk.la
plugins_tomsk_la_SOURCES = plugins/tomsk/tomsk.c plugins/common/ptext.h
plugins_tomsk_la_CFLAGS = $(MF_PLUGIN_CFLAGS)
plugins_tomsk_la_LDFLAGS = $(MF_PLUGIN_LDFLAGS)
plugins_tomsk_la_LIBADD =
