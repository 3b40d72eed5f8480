/*
 * confine.c — limits, privileges and the seccomp filter of the plugin host
 * (see confine.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "confine.h"

/* Written before plugin code runs, read by the signal handlers: a fixed
 * buffer, no allocation. */
static char current[256] = "?";

void
mf_confine_set_current(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n >= sizeof(current))
		n = sizeof(current) - 1;
	memcpy(current, name ? name : "", n);
	current[n] = '\0';
}

/* Names of the calls a hostile or careless plugin is likely to try;
 * others are reported by number. */
static const char *
syscall_name(int nr)
{
	switch (nr) {
	case SYS_open: return "open";
	case SYS_openat: return "openat";
	case SYS_creat: return "creat";
	case SYS_stat: return "stat";
	case SYS_lstat: return "lstat";
	case SYS_access: return "access";
	case SYS_unlink: return "unlink";
	case SYS_socket: return "socket";
	case SYS_socketpair: return "socketpair";
	case SYS_connect: return "connect";
	case SYS_bind: return "bind";
	case SYS_sendto: return "sendto";
	case SYS_execve: return "execve";
	case SYS_execveat: return "execveat";
	case SYS_fork: return "fork";
	case SYS_vfork: return "vfork";
	case SYS_clone: return "clone";
	case SYS_clone3: return "clone3";
	case SYS_ptrace: return "ptrace";
	case SYS_kill: return "kill";
	case SYS_ioctl: return "ioctl";
	case SYS_mkdir: return "mkdir";
	case SYS_rename: return "rename";
	default: return NULL;
	}
}

/* Async-signal-safe: build the line by hand, one write. */
static void
say(const char *a, const char *b, const char *c)
{
	char line[600];
	size_t n = 0;
	const char *parts[] = { "mentorfed-plugin-host: plugin ", current, ": ", a, b, c, "\n" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (const char *s = parts[i]; s && *s && n < sizeof(line) - 1; s++)
			line[n++] = *s;
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char num[24];
	const char *name = syscall_name(si->si_syscall);
	int nr = si->si_syscall, i = (int)sizeof(num) - 1;

	(void)sig;
	(void)uc;
	num[i] = '\0';
	do {
		num[--i] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && i > 0);
	say("forbidden system call ", name ? name : "number ", name ? "" : num + i);
	_exit(MF_HOST_EXIT_SYSCALL);
}

static void
on_crash(int sig)
{
	const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" :
			   sig == SIGILL ? "SIGILL" : sig == SIGFPE ? "SIGFPE" :
			   sig == SIGABRT ? "SIGABRT" : sig == SIGXCPU ? "SIGXCPU" : "a signal";

	if (sig == SIGXCPU)
		say("exceeded its CPU time", "", "");
	else
		say("crashed (", name, ")");
	_exit(MF_HOST_EXIT_CRASH);
}

static int
handlers(void)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGXCPU };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		if (sigaction(crash[i], &sa, NULL) != 0)
			return -1;
	return 0;
}

static int
limits(unsigned cpu_ms, unsigned memory_mb, char *err, size_t errlen)
{
	struct rlimit rl;

	rl.rlim_cur = cpu_ms / 1000 + 1;
	rl.rlim_max = rl.rlim_cur + 1;     /* SIGXCPU first, SIGKILL a second later */
	if (setrlimit(RLIMIT_CPU, &rl) != 0)
		goto fail;
#ifndef __SANITIZE_ADDRESS__
	if (memory_mb > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)memory_mb << 20;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			goto fail;
	}
#else
	(void)memory_mb;
#endif
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		goto fail;
	/* the pipes (0, 1, 2) and nothing more: no file is opened after this */
	rl.rlim_cur = rl.rlim_max = 4;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "setrlimit: %s", strerror(errno));
	return -1;
}

/*
 * What parsing needs: reading the request and writing the reply on the
 * pipes, memory, time, locks (futex: glibc's malloc and stdio), signal
 * return, exit.  fstat only on an open descriptor (glibc's fstat is
 * newfstatat with AT_EMPTY_PATH).
 */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(lseek),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(mprotect),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
	SCMP_SYS(time), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(futex), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getrandom),
	SCMP_SYS(sched_yield),
	/* glibc's qsort asks how much memory the machine has before it sorts
	 * a large array (roadmaps of tens of thousands of items) */
	SCMP_SYS(sysinfo),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
#if defined(__SANITIZE_ADDRESS__)
	/* what the sanitizer runtime itself calls while running and reporting
	 * (sanitizer builds only) */
	SCMP_SYS(getrusage), SCMP_SYS(prctl), SCMP_SYS(readlink),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(getppid), SCMP_SYS(rt_sigtimedwait),
#endif
};

static int
filter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int rc = 0;

	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
				      SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));
	/* raise() after a crash: signals to itself only */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int
mf_confine(unsigned cpu_ms, unsigned memory_mb, char *err, size_t errlen)
{
	if (handlers() != 0) {
		snprintf(err, errlen, "sigaction: %s", strerror(errno));
		return -1;
	}
	if (limits(cpu_ms, memory_mb, err, errlen) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -1;
	}
	return filter(err, errlen);
}
