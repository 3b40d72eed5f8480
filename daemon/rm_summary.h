/*
 * rm_summary.h — the federation's roadmap report in summary (counts by
 * status and the first items of each roadmap), and judged summaries kept
 * per (region, the region's origin seq, date, plugins) between requests:
 * `report roadmaps` (ctl_plugins.c).
 */
#ifndef MF_RM_SUMMARY_H
#define MF_RM_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "kinds.h"

/* Items shown per roadmap in the summary (`report roadmaps` without --all). */
#define MF_RM_ITEMS_SHOWN 10

/* An item status's place in the report's order (overdue first), 99 if
 * unknown; the statuses in that order (NULL-terminated). */
int mf_rm_status_rank(const char *status);
const char *const *mf_rm_statuses(void);

/* Turn a judged region report into its summary, in place: each roadmap
 * gets "counts" (items by status), "items_total", and keeps its first
 * `limit` items in the report's order. */
void mf_rm_summarize(json_t *report, size_t limit);

/* A stamp of the plugins a judgement runs (the plugin directory's *.so
 * files and the plugins loaded at run time: path, size, mtime): a changed
 * plugin makes every kept summary stale. */
uint64_t mf_rm_plugins_stamp(const char *plugin_dir, json_t *extra);

/* The kept summary of region at its origin seq, date `at` (YYYY-MM-DD),
 * limit and plugins stamp: a copy (new reference), or NULL. */
json_t *mf_rm_kept(const char *region, uint64_t seq, const char *at, size_t limit,
    uint64_t stamp);
/* Keep a copy of summary (it replaces the region's older one at that date). */
void mf_rm_keep(const char *region, uint64_t seq, const char *at, size_t limit, uint64_t stamp,
    json_t *summary);
/* Drop every kept summary (plugin load, stop). */
void mf_rm_forget(void);
/* Requests answered from a kept summary, and judged anew, since start. */
void mf_rm_counters(uint64_t *hits, uint64_t *misses);

#endif
