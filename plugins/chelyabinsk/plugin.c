/*
 * plugin.c — the Chelyabinsk region plugin (RU-CHE): its descriptor, its
 * roadmap model and the entry point.
 *
 * Format "chelyabinsk-garant-roadmap" (roadmap.c): a roadmap exported from
 * the ГАРАНТ legal database; executors.c reads the executors' cell.
 * plugins/common/ holds what the region plugins share.
 */
#include "chelyabinsk.h"

const struct mf_host_api *H;

/*
 * Roadmap model "chelyabinsk-roadmap": a two-year roadmap whose items recur
 * each year.
 *   - a report with evidence that says done: done;
 *   - timing not understood: unknown;
 *   - continuous («В течение всего периода»): planned before the roadmap's
 *     period, continuous during it, overdue after it;
 *   - inside one of the intervals: in progress; before the first, or between
 *     two yearly stages: planned (the next stage is due);
 *   - after the last interval: overdue, unless the executor's latest report
 *     says it is still in progress (the ministry accepts reported delays).
 */
static enum mf_item_status
item_status(const mf_item_view *it, mf_date at)
{
	enum mf_item_status s = H->generic_status(it, at);

	if (s == MF_STATUS_OVERDUE && !it->continuous && it->n_iv > 0 &&
	    it->reported == MF_STATUS_IN_PROGRESS)
		return MF_STATUS_IN_PROGRESS;
	return s;
}

static const mf_format formats[] = {
	{ "chelyabinsk-garant-roadmap", "Roadmap exported from the ГАРАНТ legal database "
	  "(one cell per line ending in « |»)", probe_roadmap, import_roadmap },
};

/* What makes each format's document complete (struct mf_plugin.complete). */
static const char *const complete[] = {
	"the export's closing line after the table («Если вы являетесь пользователем "
	"интернет-версии системы ГАРАНТ…»); sections I, II, III… and items 1, 2, 3… "
	"without a gap, each item with all its cells",
};

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "chelyabinsk",
	.version = "1.0",
	.region = REGION,
	.description = "Chelyabinsk region (ЧИППКРО): roadmaps of the regional target model of "
		       "mentoring exported from ГАРАНТ",
	.formats = formats,
	.n_formats = (int)(sizeof(formats) / sizeof(formats[0])),
	.model = "chelyabinsk-roadmap",
	.item_status = item_status,
	.shutdown = NULL,
	.complete = complete,
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int host_abi)
{
	if (host == NULL || host_abi != MF_PLUGIN_ABI_VERSION ||
	    !MF_HOST_HAS(host, generic_status))
		return NULL;
	H = host;
	return &plugin;
}
