/*
 * store_ckpt.c — WAL checkpoints off the hot path (see store_ckpt.h).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_ckpt.h"
#include "store_int.h"
#include "util.h"

/* While the WAL holds frames not yet copied, checkpoint at least this
 * often even if the loop is never idle (a catch-up): with ~4 KiB pages and
 * ~25,000 records/s applied, a second is some tens of MiB of WAL. */
#define CKPT_PERIOD_MS 1000
/* And as soon as a commit leaves this many frames in the WAL (half of
 * SQLite's own automatic checkpoint threshold, 1,000)... */
#define CKPT_FRAMES 500
/* ...while a commit that leaves this many (the thread lagged behind a
 * bulk write: one put of thousands of records) checkpoints at once on the
 * daemon's connection, as SQLite's automatic checkpoint did at 1,000.  A
 * WAL left to grow while the thread catches up made the disk fill sooner
 * and a node killed on a full disk fail to open again
 * (tests/fault_disk_full.sh); live writes (a few frames each) never reach
 * it. */
#define CKPT_INLINE_FRAMES 2000
/* A group commit of received blocks (store_apply.c: up to 20,000 records)
 * leaves more than that by itself; checkpointing it inline took 12 % of
 * the receiver's time in a catch-up (perf), on the thread that applies,
 * while the checkpoint thread runs on the other core.  It is left to the
 * thread unless the WAL is past this (256 MiB of 4 KiB pages). */
#define CKPT_GROUP_INLINE_FRAMES 65536

struct mf_ckpt {
	mf_store *s;
	sqlite3 *db;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int kick, stop;
	mf_ckpt_stats st;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One PASSIVE checkpoint on c's connection; the counters under c->mu. */
static void
ckpt_run(mf_ckpt *c)
{
	int log = 0, done = 0, rc;
	uint64_t t0 = now_ms(), ms;

	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	ms = now_ms() - t0;
	pthread_mutex_lock(&c->mu);
	if (rc == SQLITE_OK) {
		c->st.runs++;
		c->st.wal_frames = log;
		c->st.wal_done = done;
		if (ms > c->st.max_ms)
			c->st.max_ms = ms;
	}
	pthread_mutex_unlock(&c->mu);
	/* BUSY: another checkpoint (a backup's, the CLI's close) holds the
	 * lock; the next period tries again. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		mf_warn("store: checkpoint of the WAL: %s", sqlite3_errmsg(c->db));
}

static void *
ckpt_main(void *arg)
{
	mf_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		struct timespec dl;
		int timed_out = 0;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += CKPT_PERIOD_MS / 1000;
		dl.tv_nsec += (long)(CKPT_PERIOD_MS % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		while (!c->kick && !c->stop && !timed_out)
			timed_out = pthread_cond_timedwait(&c->cv, &c->mu, &dl) == ETIMEDOUT;
		if (c->stop)
			break;
		c->kick = 0;
		pthread_mutex_unlock(&c->mu);
		ckpt_run(c);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* SQLite calls this after every commit on the daemon's connection, with
 * the frames in the WAL (it is what the automatic checkpoint hangs on):
 * past CKPT_FRAMES, wake the thread instead of checkpointing here. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	const mf_ckpt *c = arg;

	if (frames >= (c->s->group_committing ? CKPT_GROUP_INLINE_FRAMES : CKPT_INLINE_FRAMES))
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	else if (frames >= CKPT_FRAMES)
		mf_ckpt_idle(arg);
	return SQLITE_OK;
}

mf_ckpt *
mf_ckpt_start(mf_store *s, char *err, size_t errlen)
{
	mf_ckpt *c = mf_xcalloc(1, sizeof(*c));

	c->s = s;

	/* Its own connection: a checkpoint on the daemon's connection would
	 * run on the daemon's thread, which is what this avoids. */
	if (sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		store_fail(err, errlen, "%s: %s", s->path,
			   c->db ? sqlite3_errmsg(c->db) : "cannot open");
		goto bad;
	}
	sqlite3_busy_timeout(c->db, 0);
	sqlite3_wal_autocheckpoint(c->db, 0);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((errno = mf_thread_start(&c->th, ckpt_main, c)) != 0) {
		store_fail(err, errlen, "checkpoint thread: %s", strerror(errno));
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		goto bad;
	}
	sqlite3_wal_hook(s->db, wal_hook, c);
	return c;
bad:
	sqlite3_close(c->db);
	free(c);
	/* No thread: SQLite's own checkpoints inside commits again, rather
	 * than a WAL that grows while the daemon is busy. */
	sqlite3_wal_autocheckpoint(s->db, 1000);
	return NULL;
}

void
mf_ckpt_idle(mf_ckpt *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->kick = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void
mf_ckpt_get_stats(mf_ckpt *c, mf_ckpt_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	*st = c->st;
	pthread_mutex_unlock(&c->mu);
}

void
mf_ckpt_stop(mf_ckpt *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(c->s->db, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	ckpt_run(c);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

int
mf_store_checkpoint(mf_store *s, int *log, int *done, char *err, size_t errlen)
{
	int l = 0, d = 0;

	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &l, &d) != SQLITE_OK &&
	    sqlite3_errcode(s->db) != SQLITE_BUSY)
		return store_fail(err, errlen, "checkpoint: %s", sqlite3_errmsg(s->db));
	if (log)
		*log = l;
	if (done)
		*done = d;
	return 0;
}
