/*
 * sysfilter.c — run a command under the system call filter a systemd unit
 * would give it, so that `make check` shows mentorfedd and its plugin host
 * work under the unit's SystemCallFilter= without systemd as PID 1
 * (tests/test_units.sh).
 *
 *   sysfilter LISTFILE COMMAND [ARGS...]
 *
 * LISTFILE holds the allowed system call names, one per line (the unit's
 * filter expanded with `systemd-analyze syscall-filter`).  Like systemd
 * with SystemCallErrorNumber=EPERM, any other call fails with EPERM; like
 * systemd, the filter is installed with no_new_privs and inherited by
 * every child.  Names this kernel or libseccomp does not know are skipped.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	char line[128];
	FILE *f;
	int n = 0, sc;

	if (argc < 3) {
		fprintf(stderr, "usage: sysfilter LISTFILE COMMAND [ARGS...]\n");
		return 64;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "sysfilter: %s: %s\n", argv[1], strerror(errno));
		return 66;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		fprintf(stderr, "sysfilter: seccomp_init failed\n");
		return 71;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((sc = seccomp_syscall_resolve_name(line)) == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sc, 0) == 0)
			n++;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "sysfilter: no known system call in %s\n", argv[1]);
		return 65;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0) {
		fprintf(stderr, "sysfilter: cannot install the filter: %s\n", strerror(errno));
		return 71;
	}
	seccomp_release(ctx);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "sysfilter: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
