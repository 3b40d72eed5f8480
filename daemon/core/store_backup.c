/*
 * store_backup.c — backup and restore of the store (doc/OPERATIONS.md),
 * and the fork evidence the recovery of our own chain reads.
 *
 * A backup is VACUUM INTO: one read transaction, so the copy is a
 * consistent snapshot while the daemon goes on writing.  A restore never
 * writes into the live file: the backup is copied to a new file next to
 * it, marked restored there (the node then recovers its own chain from its
 * peers before any local write: a peer may hold later records of ours than
 * the backup, and sealing those seqs again would fork our region), and
 * only then renamed into place, the old store kept beside it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_int.h"
#include "util.h"

#define APP_ID 0x4d466564	/* store.c */

static int
fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The directory of path, synced so that a rename in it is durable. */
static int
fsync_dir_of(const char *path)
{
	char *p = mf_xstrdup(path);
	int rc = fsync_path(dirname(p), 1);

	free(p);
	return rc;
}

int
mf_store_backup(mf_store *s, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (s->in_apply)
		return store_fail(err, errlen, "store: a remote apply is under way");
	if (store_settle(s, err, errlen) != 0)
		return -1;
	if (access(path, F_OK) == 0)
		return store_fail(err, errlen, "%s already exists; a backup never overwrites a file",
				  path);
	if ((st = store_prepare(s, "VACUUM INTO ?1")) == NULL)
		return store_fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_fail(err, errlen, "backup to %s: %s", path, sqlite3_errmsg(s->db));
		unlink(path);
		return -1;
	}
	/* VACUUM INTO does not sync its output. */
	if (fsync_path(path, 0) != 0 || fsync_dir_of(path) != 0)
		return store_fail(err, errlen, "backup to %s: sync: %s", path, strerror(errno));
	return 0;
}

static int
one_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Is db a sound mentorfed store of region?  0 or -1 with err. */
static int
check_backup(sqlite3 *db, const char *from, const char *region, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int app = 0, ok = 0;
	char have[32] = "";

	if (one_int(db, "PRAGMA application_id", &app) != 0)
		return store_fail(err, errlen, "%s: not an SQLite database: %s", from,
				  sqlite3_errmsg(db));
	if (app != APP_ID)
		return store_fail(err, errlen, "%s: not a mentorfed store (application_id %#x)",
				  from, (unsigned)app);
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'region'", -1, &st,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			mf_strlcpy(have, (const char *)sqlite3_column_text(st, 0), sizeof(have));
		sqlite3_finalize(st);
	}
	if (strcmp(have, region) != 0)
		return store_fail(err, errlen, "%s: a backup of region %s, not of %s", from,
				  have[0] ? have : "(none)", region);
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
		sqlite3_finalize(st);
	}
	if (!ok)
		return store_fail(err, errlen, "%s: the backup is damaged (PRAGMA quick_check)", from);
	return 0;
}

static int
meta_put(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key)"
			       " DO UPDATE SET value = excluded.value", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Rename path+suffix to to+suffix when it exists. */
static int
move_aside(const char *path, const char *to, const char *suffix)
{
	size_t la = strlen(path) + strlen(suffix) + 1, lb = strlen(to) + strlen(suffix) + 1;
	char *a = mf_xmalloc(la), *b = mf_xmalloc(lb);
	int rc = 0;

	snprintf(a, la, "%s%s", path, suffix);
	snprintf(b, lb, "%s%s", to, suffix);
	unlink(b);
	if (access(a, F_OK) == 0)
		rc = rename(a, b);
	free(a);
	free(b);
	return rc;
}

int
mf_store_restore(const char *from, const char *store_path, const char *region, char *err,
		 size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *bk;
	char tmp[4096], old[4096], when[32];
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.restore-tmp", store_path);
	snprintf(old, sizeof(old), "%s.before-restore", store_path);
	unlink(tmp);
	snprintf(old, sizeof(old), "%s.restore-tmp-wal", store_path);
	unlink(old);
	snprintf(old, sizeof(old), "%s.restore-tmp-shm", store_path);
	unlink(old);
	snprintf(old, sizeof(old), "%s.before-restore", store_path);
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		store_fail(err, errlen, "%s: %s", from, src ? sqlite3_errmsg(src) : "cannot open");
		goto out;
	}
	if (check_backup(src, from, region, err, errlen) != 0)
		goto out;
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		store_fail(err, errlen, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : "cannot open");
		goto out;
	}
	if ((bk = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		store_fail(err, errlen, "%s: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK) {
		store_fail(err, errlen, "copying %s: %s", from, sqlite3_errmsg(dst));
		goto out;
	}
	/* The mark: the daemon recovers our own chain before any local write. */
	snprintf(when, sizeof(when), "%llu", (unsigned long long)(mf_now_ms() / 1000));
	if (sqlite3_exec(dst, "PRAGMA synchronous = FULL; BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    meta_put(dst, "restored", "1") != 0 || meta_put(dst, "sync_recovering", "1") != 0 ||
	    meta_put(dst, "restored_from", from) != 0 || meta_put(dst, "restored_at", when) != 0 ||
	    sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(err, errlen, "marking %s restored: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_close(dst);	/* the last connection: checkpointed, WAL removed */
	dst = NULL;
	if (fsync_path(tmp, 0) != 0) {
		store_fail(err, errlen, "%s: sync: %s", tmp, strerror(errno));
		goto out;
	}
	/* The replaced store is kept, with its WAL (SQLite finds "X-wal" for
	 * a database X): nothing is lost by a restore of the wrong file. */
	unlink(old);
	if (access(store_path, F_OK) == 0 && rename(store_path, old) != 0) {
		store_fail(err, errlen, "%s: %s", store_path, strerror(errno));
		goto out;
	}
	move_aside(store_path, old, "-wal");
	{
		char shm[4096];
		snprintf(shm, sizeof(shm), "%s-shm", store_path);
		unlink(shm);
	}
	if (rename(tmp, store_path) != 0) {
		store_fail(err, errlen, "%s: %s", store_path, strerror(errno));
		goto out;
	}
	fsync_dir_of(store_path);
	rc = 0;
out:
	if (dst)
		sqlite3_close(dst);
	if (src)
		sqlite3_close(src);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static char *
seal_mark_path(const mf_store *s, const char *suffix)
{
	size_t n = strlen(s->path) + strlen(suffix) + 8;
	char *p = mf_xmalloc(n);

	snprintf(p, n, "%s.sealed%s", s->path, suffix);
	return p;
}

uint64_t
mf_store_seal_mark(mf_store *s)
{
	char *path = seal_mark_path(s, ""), *buf = NULL, region[32];
	unsigned long long seq = 0;
	size_t len;

	if (mf_read_file(path, &buf, &len, NULL, 0) == 0 &&
	    sscanf(buf, "%31s %llu", region, &seq) == 2 && strcmp(region, s->region) != 0)
		seq = 0;
	free(buf);
	free(path);
	return seq;
}

int
mf_store_seal_mark_set(mf_store *s, uint64_t seq)
{
	char line[64];
	int n;

	/*
	 * Rewritten in place on a descriptor kept open: one line of one
	 * length per region (the seq zero-padded), written at offset 0 by a
	 * single pwrite, so a reader sees the old or the new line.  It was a
	 * new file renamed over the old one after every local commit: a
	 * create and a rename on the live write's path (0.23 ms at the
	 * median, 5 ms at p99 on this disk, doc/DESIGN-NOTES.md).
	 */
	n = snprintf(line, sizeof(line), "%s %020llu\n", s->region, (unsigned long long)seq);
	if (s->mark_fd < 0) {
		char *path = seal_mark_path(s, "");
		s->mark_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		free(path);
		if (s->mark_fd < 0)
			return -1;
		/* a line of another length (an older mark) is cut to this one */
		if (ftruncate(s->mark_fd, n) != 0)
			return -1;
	}
	return pwrite(s->mark_fd, line, (size_t)n, 0) == n ? 0 : -1;
}

uint64_t
mf_store_fork_first(mf_store *s, const char *origin)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT min(first_seq) FROM forks WHERE origin = ?1");
	uint64_t seq = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return seq;
}
