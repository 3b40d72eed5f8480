/*
 * rm_summary.c — the federation's roadmap report in summary, and the
 * summaries kept between requests (see rm_summary.h).
 *
 * Judging a region's roadmaps runs its plugin in the plugin host over
 * every roadmap record of the region: at 200,000 records (64,000 roadmap
 * items) that is seconds of JSON in and out of the helper.  What a region
 * holds at its origin seq N never changes (a region's chain is signed and
 * append-only), so the judged summary of (region, N, date) stays right
 * until the region writes again or the plugins change; it is kept here,
 * a few hundred bytes per roadmap, and the report at a date asked before
 * costs a few store reads.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rm_summary.h"
#include "util.h"

/* Item statuses, the report's order (overdue first). */
static const char *const statuses[] = { "overdue", "in_progress", "continuous", "planned",
					 "unknown", "done", NULL };

int
mf_rm_status_rank(const char *s)
{
	for (int i = 0; s && statuses[i]; i++)
		if (strcmp(s, statuses[i]) == 0)
			return i;
	return 99;
}

const char *const *
mf_rm_statuses(void)
{
	return statuses;
}

typedef struct ranked {
	int rank;
	size_t pos;
	json_t *item;
} ranked;

static int
ranked_cmp(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* One roadmap: counts by status, and its first `limit` items in the
 * report's order (stable within a status). */
static void
summarize_roadmap(json_t *rm, size_t limit)
{
	json_t *items = json_object_get(rm, "items"), *kept = json_array(), *counts = json_object();
	size_t n = json_array_size(items), i;
	ranked *v = mf_xcalloc(n ? n : 1, sizeof(*v));
	json_int_t c[8] = { 0 };

	for (i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i);
		v[i] = (ranked){ mf_rm_status_rank(json_string_value(json_object_get(it, "status"))), i, it };
		c[v[i].rank < 7 ? v[i].rank : 7]++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), ranked_cmp);
	for (i = 0; i < n && i < limit; i++)
		json_array_append(kept, v[i].item);
	free(v);
	for (int s = 0; statuses[s]; s++)
		json_object_set_new(counts, statuses[s], json_integer(c[s]));
	if (c[7])
		json_object_set_new(counts, "other", json_integer(c[7]));
	json_object_set_new(rm, "counts", counts);
	json_object_set_new(rm, "items_total", json_integer((json_int_t)n));
	json_object_set_new(rm, "items", kept);
}

void
mf_rm_summarize(json_t *report, size_t limit)
{
	json_t *rm;
	size_t i;

	json_array_foreach(json_object_get(report, "roadmaps"), i, rm)
		summarize_roadmap(rm, limit);
	json_object_set_new(report, "items_limit", json_integer((json_int_t)limit));
}

/* ---------------------------------------------------------------- the plugins' stamp */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
file_stamp(uint64_t h, const char *path)
{
	struct stat st;

	h = fnv(h, path, strlen(path) + 1);
	if (stat(path, &st) == 0) {
		int64_t v[3] = { (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
				 (int64_t)st.st_mtim.tv_nsec };
		h = fnv(h, v, sizeof(v));
	}
	return h;
}

uint64_t
mf_rm_plugins_stamp(const char *plugin_dir, json_t *extra)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char path[4096];
	json_t *p;
	size_t i;
	DIR *dir;

	if (plugin_dir && (dir = opendir(plugin_dir)) != NULL) {
		struct dirent *e;
		/* readdir order is the directory's, the same between calls
		 * while nothing changes; a change changes the stamp anyway */
		while ((e = readdir(dir)) != NULL) {
			size_t len = strlen(e->d_name);
			if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", plugin_dir, e->d_name);
			h = file_stamp(h, path);
		}
		closedir(dir);
	}
	json_array_foreach(extra, i, p)
		if (json_is_string(p))
			h = file_stamp(h, json_string_value(p));
	return h;
}

/* ---------------------------------------------------------------- the kept summaries */

#define RM_KEPT 256		/* 89 regions at a few dates */

typedef struct kept {
	char region[MF_REGION_MAX];
	uint64_t seq, stamp;
	char at[11];
	size_t limit;
	json_t *summary;
} kept;

static kept cache[RM_KEPT];
static size_t cache_next;
static uint64_t hits, misses;

static kept *
find(const char *region, uint64_t seq, const char *at, size_t limit, uint64_t stamp)
{
	for (size_t i = 0; i < RM_KEPT; i++) {
		kept *k = &cache[i];
		if (k->summary && k->seq == seq && k->stamp == stamp && k->limit == limit &&
		    strcmp(k->region, region) == 0 && strcmp(k->at, at) == 0)
			return k;
	}
	return NULL;
}

json_t *
mf_rm_kept(const char *region, uint64_t seq, const char *at, size_t limit, uint64_t stamp)
{
	kept *k = find(region, seq, at, limit, stamp);

	if (k == NULL) {
		misses++;
		return NULL;
	}
	hits++;
	return json_deep_copy(k->summary);
}

void
mf_rm_keep(const char *region, uint64_t seq, const char *at, size_t limit, uint64_t stamp,
	   json_t *summary)
{
	kept *k = NULL;

	if (strlen(region) >= MF_REGION_MAX || strlen(at) >= sizeof(k->at))
		return;
	/* an older entry of the same region and date is of no use any more */
	for (size_t i = 0; i < RM_KEPT && k == NULL; i++)
		if (cache[i].summary && strcmp(cache[i].region, region) == 0 &&
		    strcmp(cache[i].at, at) == 0 && cache[i].limit == limit)
			k = &cache[i];
	if (k == NULL) {
		k = &cache[cache_next];
		cache_next = (cache_next + 1) % RM_KEPT;
	}
	json_decref(k->summary);
	snprintf(k->region, sizeof(k->region), "%s", region);
	snprintf(k->at, sizeof(k->at), "%s", at);
	k->seq = seq;
	k->stamp = stamp;
	k->limit = limit;
	k->summary = json_deep_copy(summary);
}

void
mf_rm_forget(void)
{
	for (size_t i = 0; i < RM_KEPT; i++) {
		json_decref(cache[i].summary);
		cache[i].summary = NULL;
	}
	cache_next = 0;
}

void
mf_rm_counters(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}
