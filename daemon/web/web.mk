# daemon/web/web.mk — mentorfed-web, the node's web page (issue 13): a
# layer beside the client (it includes only daemon/core and its own
# headers) that talks to the daemon over the control socket only.
sbin_PROGRAMS += mentorfed-web
mentorfed_web_SOURCES = daemon/web/web.h daemon/web/web_int.h daemon/web/web.c \
	daemon/web/http.c daemon/web/session.c daemon/web/users.c \
	daemon/web/page_federation.c daemon/web/page_schools.c \
	daemon/web/page_import.c daemon/web/page_export.c
# the exchange pages (webb)
mentorfed_web_SOURCES += daemon/web/webx.h daemon/web/webx.c daemon/web/webx_svg.c \
	daemon/web/page_mentor.c daemon/web/page_pairs.c daemon/web/page_internships.c \
	daemon/web/page_roadmaps.c
mentorfed_web_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon/web \
	-DMF_WEBDIR='"$(pkgdatadir)/web"'
mentorfed_web_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS) $(ZMQ_CFLAGS) $(MHD_CFLAGS) \
	$(ARGON2_CFLAGS) $(ICAL_CFLAGS)
mentorfed_web_LDADD = libmfcore.la $(CORE_LIBS) $(ZMQ_LIBS) $(MHD_LIBS) $(ARGON2_LIBS) \
	$(ICAL_LIBS) -lpthread

# the CSS and JS the pages use: installed, never fetched from elsewhere
webstaticdir = $(pkgdatadir)/web
dist_webstatic_DATA = daemon/web/static/web.css daemon/web/static/web.js

EXTRA_DIST += etc/nginx-mentorfed-web.conf bench/web_bench.sh

# `make bench-web` (and `make bench`): wrk against the federation and
# search pages on 10,000 schools / 100,000 records (needs wrk)
.PHONY: bench-web
bench: bench-web
bench-web: mentorfed-web$(EXEEXT) mentorfed$(EXEEXT) mentorfedd$(EXEEXT)
	$(SHELL) $(srcdir)/bench/web_bench.sh .
