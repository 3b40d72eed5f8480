/*
 * oldhost.c — a plugin built against an older, smaller header
 * (tests/plugins/oldhost/mentorfed-plugin.h: struct mf_host_api without
 * date_cmp and generic_status, struct mf_plugin without item_status and
 * shutdown).  It must load on the current host and import: documents
 * starting with "OLD HOST TEST" give one school whose name is the second
 * line, and use parse_period (with MF_PERIOD_INIT) on the third.
 */
#include <stdio.h>
#include <string.h>

#include "mentorfed-plugin.h"

/* built against the old copy, not the current header */
_Static_assert(sizeof(struct mf_host_api) ==
	       offsetof(struct mf_host_api, date_format) + sizeof(void (*)(void)),
	       "tests/plugins/oldhost/mentorfed-plugin.h must end at date_format");

static const struct mf_host_api *H;

static int
probe(const char *data, size_t len)
{
	(void)len;
	return strncmp(data, "OLD HOST TEST", 13) == 0 ? 90 : 0;
}

static int
import(mf_import *imp, const char *data, size_t len)
{
	char name[200] = "", when[200] = "", from[11];
	mf_period per = MF_PERIOD_INIT;
	mf_rec *r;

	(void)len;
	if (sscanf(data, "OLD HOST TEST\n%199[^\n]\n%199[^\n]", name, when) != 2) {
		H->error(imp, 1, "expected a name and a date");
		return -1;
	}
	if (H->parse_period(when, 2025, &per) != 0 || per.n != 1) {
		H->error(imp, 3, "cannot read the date '%s'", when);
		return -1;
	}
	r = H->rec_new(imp, "school", name);
	H->rec_set(r, "name", name);
	H->rec_set(r, "source", H->date_format(per.iv[0].from, from));
	return H->rec_emit(r, NULL);
}

static const mf_format formats[] = { { "old-host-doc", "test", probe, import } };

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "oldhost",
	.version = "0",
	.region = "RU-TOM",
	.description = "built against a smaller host table",
	.formats = formats,
	.n_formats = 1,
	.model = NULL,
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int abi)
{
	/* what this plugin knows of the host table must be there */
	if (abi != MF_PLUGIN_ABI_VERSION || host->size < sizeof(struct mf_host_api))
		return NULL;
	H = host;
	return &plugin;
}
