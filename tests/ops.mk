# tests/ops.mk — running a node the Debian way (issue 15, points 1-4):
# test_units.sh (systemd units installed, verified, exposure, the unit's
# system call filter emulated by sysfilter), test_staff.sh (a member of
# group mentorfed uses the node without sudo; permission denied says so),
# test_man.sh (manuals lint-clean, verbs of `help` and mentorfed(1) agree).
# tests/test_deb.sh (the Debian package built, installed, purged) needs
# root and installs on the machine: run from ./run.sh test, not here.
check_PROGRAMS += tests/sysfilter
tests_sysfilter_SOURCES = tests/sysfilter.c
tests_sysfilter_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_sysfilter_LDADD = $(SECCOMP_LIBS)
TESTS += tests/test_units.sh tests/test_staff.sh tests/test_man.sh
EXTRA_DIST += tests/test_units.sh tests/test_staff.sh tests/test_man.sh \
	tests/test_deb.sh
