/*
 * store_mem.c — a node's memory by owner (see store_mem.h).  Read from
 * /proc/self/status (kernel), mallinfo2 (glibc) and sqlite3_status64 /
 * sqlite3_db_status (SQLite), all cheap: `status` calls it every time.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store_int.h"
#include "store_mem.h"
#include "util.h"

/* A "Name:   N kB" line of /proc/self/status, in bytes; -1 when absent. */
static void
proc_status(mf_memstat *m)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "VmRSS:", offsetof(mf_memstat, rss) },
		{ "RssAnon:", offsetof(mf_memstat, rss_anon) },
		{ "RssFile:", offsetof(mf_memstat, rss_file) },
		{ "RssShmem:", offsetof(mf_memstat, rss_shmem) },
	};
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			size_t n = strlen(fields[i].name);
			long long kb;

			if (strncmp(line, fields[i].name, n) == 0 &&
			    sscanf(line + n, "%lld", &kb) == 1)
				*(int64_t *)(void *)((char *)m + fields[i].off) = (int64_t)kb * 1024;
		}
	fclose(f);
}

static int64_t
db_status(sqlite3 *db, int op)
{
	int cur = 0, hi = 0;

	if (sqlite3_db_status(db, op, &cur, &hi, 0) != SQLITE_OK)
		return -1;
	return cur;
}

static int64_t
pragma_i64(mf_store *s, const char *sql)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	int64_t v = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
mf_memstat_read(mf_store *s, mf_memstat *m)
{
	sqlite3_int64 cur = 0, hi = 0;
	struct mallinfo2 mi;

	memset(m, 0xff, sizeof(*m));	/* every field -1 */
	proc_status(m);
	mi = mallinfo2();
	/* an allocator other than glibc's (a sanitizer's) reports nothing:
	 * unknown, not zero */
	if (mi.arena != 0 || mi.hblkhd != 0) {
		m->heap_arena = (int64_t)mi.arena;
		m->heap_used = (int64_t)mi.uordblks;
		m->heap_free = (int64_t)mi.fordblks;
		m->heap_mmap = (int64_t)mi.hblkhd;
	}
	if (sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &hi, 0) == SQLITE_OK) {
		m->sqlite_used = cur;
		m->sqlite_peak = hi;
	}
	if (s == NULL || s->db == NULL)
		return;
	m->cache_used = db_status(s->db, SQLITE_DBSTATUS_CACHE_USED);
	m->stmt_used = db_status(s->db, SQLITE_DBSTATUS_STMT_USED);
	m->schema_used = db_status(s->db, SQLITE_DBSTATUS_SCHEMA_USED);
	{
		int64_t cs = pragma_i64(s, "PRAGMA cache_size"), ps = pragma_i64(s, "PRAGMA page_size");

		/* negative: KiB; positive: pages */
		if (cs != -1 && ps > 0)
			m->cache_limit = cs < 0 ? -cs * 1024 : cs * ps;
	}
	{
		struct stat sb;
		char *wal = mf_xmalloc(strlen(s->path) + 5);

		sprintf(wal, "%s-wal", s->path);
		m->wal_bytes = stat(wal, &sb) == 0 ? (int64_t)sb.st_size : 0;
		free(wal);
	}
}
