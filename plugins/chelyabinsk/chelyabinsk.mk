# plugins/chelyabinsk/chelyabinsk.mk — the Chelyabinsk Oblast plugin.
plugin_LTLIBRARIES += plugins/chelyabinsk.la
plugins_chelyabinsk_la_SOURCES = plugins/chelyabinsk/plugin.c \
	plugins/chelyabinsk/chelyabinsk.h plugins/chelyabinsk/roadmap.c \
	plugins/chelyabinsk/executors.c \
	plugins/common/ptext.h plugins/common/precord.h
plugins_chelyabinsk_la_CFLAGS = $(MF_PLUGIN_CFLAGS)
plugins_chelyabinsk_la_LDFLAGS = $(MF_PLUGIN_LDFLAGS)
plugins_chelyabinsk_la_LIBADD =
