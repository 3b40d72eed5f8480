/*
 * testdir.h — scratch directories for the Check tests: one base directory
 * per run under $TMPDIR (testdir_init), fresh subdirectories in it
 * (new_dir), recursive removal (rm_rf), running the suite and cleaning up
 * (testdir_run).  Include after <check.h>.
 */
#ifndef MF_TESTDIR_H
#define MF_TESTDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base_dir[4096];
static int dir_counter;

static inline int
testdir_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void
rm_rf(const char *path)
{
	nftw(path, testdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Create the run's base directory, $TMPDIR/NAME.XXXXXX; 0 or -1. */
static inline int
testdir_init(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base_dir, sizeof(base_dir), "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (mkdtemp(base_dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* A fresh directory under the run's base directory (malloc'd path). */
static inline char *
new_dir(const char *tag)
{
	char *p = malloc(strlen(base_dir) + 64);

	ck_assert_ptr_nonnull(p);
	sprintf(p, "%s/%s.%d.%d", base_dir, tag, (int)getpid(), dir_counter++);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	return p;
}

/* Run the suite, remove the base directory, return main's exit status. */
static inline int
testdir_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(base_dir);
	return failed ? 1 : 0;
}

#endif
