/*
 * generic_model.c — the host's generic roadmap model and status names (see
 * generic_model.h).  Apart from roadmap.c so that the loader, which hands
 * the model to plugins, and roadmap judging, which uses the loader, do not
 * depend on each other.
 */
#include "config.h"

#include "datexpr.h"
#include "generic_model.h"

const char *
mf_item_status_name(enum mf_item_status s)
{
	switch (s) {
	case MF_STATUS_PLANNED: return "planned";
	case MF_STATUS_IN_PROGRESS: return "in_progress";
	case MF_STATUS_DONE: return "done";
	case MF_STATUS_OVERDUE: return "overdue";
	case MF_STATUS_CONTINUOUS: return "continuous";
	case MF_STATUS_UNKNOWN: return "unknown";
	default: return "unspecified";
	}
}

enum mf_item_status
mf_roadmap_generic_status(const mf_item_view *it, mf_date at)
{
	if (it->done_reported)
		return MF_STATUS_DONE;
	if (it->uncertain)
		return MF_STATUS_UNKNOWN;
	if (it->continuous) {
		mf_date from = it->period_from, to = it->period_to;
		if (it->n_iv > 0) {
			from = it->iv[0].from;
			to = it->iv[it->n_iv - 1].to;
		}
		if (from.year && mf_date_cmp(at, from) < 0)
			return MF_STATUS_PLANNED;
		if (to.year && mf_date_cmp(at, to) > 0)
			return MF_STATUS_OVERDUE;
		return MF_STATUS_CONTINUOUS;
	}
	if (it->n_iv == 0)
		return MF_STATUS_UNKNOWN;
	for (int i = 0; i < it->n_iv; i++)
		if (mf_date_cmp(at, it->iv[i].from) >= 0 && mf_date_cmp(at, it->iv[i].to) <= 0)
			return MF_STATUS_IN_PROGRESS;
	for (int i = 0; i < it->n_iv; i++)
		if (mf_date_cmp(at, it->iv[i].from) < 0)
			return MF_STATUS_PLANNED;
	return MF_STATUS_OVERDUE;
}
