# plugins/tomsk/tomsk.mk — the Tomsk Oblast plugin: one file per format.
plugin_LTLIBRARIES += plugins/tomsk.la
plugins_tomsk_la_SOURCES = plugins/tomsk/plugin.c plugins/tomsk/tomsk.h \
	plugins/tomsk/text.c plugins/tomsk/school.c \
	plugins/tomsk/order.c plugins/tomsk/practices.c plugins/tomsk/forms.c \
	plugins/tomsk/news.c plugins/tomsk/cards.c \
	plugins/common/ptext.h plugins/common/precord.h
plugins_tomsk_la_CFLAGS = $(MF_PLUGIN_CFLAGS)
plugins_tomsk_la_LDFLAGS = $(MF_PLUGIN_LDFLAGS)
plugins_tomsk_la_LIBADD =
