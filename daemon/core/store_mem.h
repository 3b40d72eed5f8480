/*
 * store_mem.h — where a node's memory goes, for `status` (issue 14: "say
 * where every MiB goes"): SQLite's own allocations and this store's page
 * cache, beside the process's resident set and the C heap.
 */
#ifndef MF_STORE_MEM_H
#define MF_STORE_MEM_H

#include <stdint.h>

#include "store.h"

typedef struct mf_memstat {
	int64_t rss;		/* resident set (VmRSS), bytes; -1 unknown */
	int64_t rss_anon;	/* of it: anonymous memory (heap, stacks) */
	int64_t rss_file;	/* of it: mapped files (the program, libraries) */
	int64_t rss_shmem;	/* of it: shared memory (SQLite's WAL index) */
	int64_t heap_arena;	/* malloc's heap obtained from the system */
	int64_t heap_used;	/* of it: allocated now */
	int64_t heap_free;	/* of it: free, kept by malloc */
	int64_t heap_mmap;	/* large blocks malloc mapped on their own */
	int64_t sqlite_used;	/* every allocation SQLite holds now */
	int64_t sqlite_peak;	/* its highest since start */
	int64_t cache_used;	/* of it: this store's page cache */
	int64_t cache_limit;	/* the page cache's configured ceiling */
	int64_t stmt_used;	/* of it: prepared statements */
	int64_t schema_used;	/* of it: parsed schema */
	int64_t wal_bytes;	/* the WAL file's size */
} mf_memstat;

/* Fill *m; fields that cannot be read are -1.  s may be NULL (then the
 * store's own figures are -1). */
void mf_memstat_read(mf_store *s, mf_memstat *m);

#endif
