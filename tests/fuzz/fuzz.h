/*
 * fuzz.h — what the libFuzzer targets of tests/fuzz/ share: a scratch
 * directory per process (removed at exit), and quiet logs.  Each target
 * defines LLVMFuzzerTestOneInput and, when it needs state built once (a
 * node, fixture keys, loaded plugins), LLVMFuzzerInitialize.
 *
 * Header-only on purpose: each target is one program of its own file and
 * this header, so a target can be built and run alone (tests/fuzz/README.md).
 */
#ifndef MF_FUZZ_H
#define MF_FUZZ_H

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];

static inline int
fz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove a directory tree (a scratch node between rounds). */
static inline void
fz_rmtree(const char *dir)
{
	nftw(dir, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void
fz_cleanup(void)
{
	if (fz_dir[0])
		fz_rmtree(fz_dir);
}

/*
 * The process's scratch directory: in /dev/shm when it exists (the store
 * targets write a SQLite file per input; memory keeps that fast), else in
 * $TMPDIR.  Aborts when none can be made: a target without it tests nothing.
 */
static inline const char *
fz_scratch(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

	if (fz_dir[0])
		return fz_dir;
	snprintf(fz_dir, sizeof(fz_dir), "%s/mf-fuzz.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(fz_dir) == NULL) {
		perror(fz_dir);
		abort();
	}
	atexit(fz_cleanup);
	return fz_dir;
}

/* Logs would cost more than the code under test and hide libFuzzer's;
 * $MF_FUZZ_VERBOSE shows them all (to see what one input does). */
static inline void
fz_quiet(void)
{
	int v = getenv("MF_FUZZ_VERBOSE") != NULL;

	mf_log_init("fuzz", 0, v ? MF_LOG_LVL_DEBUG : -1);
	mf_log_set_level(v ? MF_LOG_LVL_DEBUG : -1);
}

/* A NUL-terminated copy of the input (inputs are not strings). */
static inline char *
fz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
