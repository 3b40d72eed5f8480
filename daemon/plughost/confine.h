/*
 * confine.h — what the plugin host gives up before it runs plugin code:
 * resource limits, new privileges, core dumps and, through a seccomp
 * filter, every system call that parsing a document does not need.
 */
#ifndef MF_CONFINE_H
#define MF_CONFINE_H

#include <stddef.h>

/* Exit status of the plugin host after a forbidden system call or a crash
 * (the line before it on stderr says which and in which plugin). */
#define MF_HOST_EXIT_SYSCALL 90
#define MF_HOST_EXIT_CRASH 91

/*
 * Set RLIMIT_CPU (cpu_ms rounded up to seconds, plus one), RLIMIT_AS
 * (memory_mb; not under AddressSanitizer, whose shadow memory needs
 * terabytes of address space), RLIMIT_NOFILE and RLIMIT_CORE; no new
 * privileges, not dumpable; then install the filter.  A forbidden call
 * raises SIGSYS; the handler writes the call's name and the running plugin
 * to stderr and exits with MF_HOST_EXIT_SYSCALL.  Crashes (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGABRT) are reported the same way (MF_HOST_EXIT_CRASH).
 * 0, or -1 with err.
 */
int mf_confine(unsigned cpu_ms, unsigned memory_mb, char *err, size_t errlen);

/* The plugin (name or path) whose code runs now, for the handlers' message. */
void mf_confine_set_current(const char *name);

#endif
