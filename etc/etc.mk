# etc/etc.mk — configuration sample and systemd files (issue 15 owner fills)
dist_sysconf_DATA = etc/mentorfed.conf.sample
dist_systemdsystemunit_DATA = etc/mentorfedd.service
