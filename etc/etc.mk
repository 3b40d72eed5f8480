# etc/etc.mk — the configuration sample and the systemd integration
# (issue 15): units, sysusers.d and tmpfiles.d files made from their .in
# templates with the configured paths, and the daemon's libsystemd
# (sd_notify: Type=notify, STATUS=, the watchdog).
dist_sysconf_DATA = etc/mentorfed.conf.sample

# mentorfedd talks to systemd through libsystemd (mentorfedd.c); outside
# systemd the calls do nothing.  Added here so that daemon/daemon.mk keeps
# only the daemon's sources.
mentorfedd_CFLAGS += $(SYSTEMD_CFLAGS)
mentorfedd_LDADD += $(SYSTEMD_LIBS)

systemdsystemunit_DATA = etc/mentorfedd.service etc/mentorfed-web.service
# both installed as mentorfed.conf (the package's name) in their folders
sysusers_DATA = etc/sysusers.d/mentorfed.conf
tmpfiles_DATA = etc/tmpfiles.d/mentorfed.conf
MF_ETC_IN = etc/mentorfedd.service.in etc/mentorfed-web.service.in \
	etc/mentorfed.sysusers.in etc/mentorfed.tmpfiles.in
EXTRA_DIST += $(MF_ETC_IN)
CLEANFILES += $(systemdsystemunit_DATA) $(sysusers_DATA) $(tmpfiles_DATA)

# Substituted at make time (not by configure) so that the paths are the
# expanded ones: ${exec_prefix} and friends mean nothing to systemd.
mf_edit_etc = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@docdir[@]|$(docdir)|g' -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g'

etc/mentorfedd.service: $(srcdir)/etc/mentorfedd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && $(mf_edit_etc) $(srcdir)/etc/mentorfedd.service.in > $@.tmp && mv $@.tmp $@
etc/mentorfed-web.service: $(srcdir)/etc/mentorfed-web.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && $(mf_edit_etc) $(srcdir)/etc/mentorfed-web.service.in > $@.tmp && mv $@.tmp $@
etc/sysusers.d/mentorfed.conf: $(srcdir)/etc/mentorfed.sysusers.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/sysusers.d && $(mf_edit_etc) $(srcdir)/etc/mentorfed.sysusers.in > $@.tmp && mv $@.tmp $@
etc/tmpfiles.d/mentorfed.conf: $(srcdir)/etc/mentorfed.tmpfiles.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/tmpfiles.d && $(mf_edit_etc) $(srcdir)/etc/mentorfed.tmpfiles.in > $@.tmp && mv $@.tmp $@

