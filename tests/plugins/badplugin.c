/*
 * badplugin.c — plugins the loader must refuse, built as check-only libtool
 * modules with different macros:
 *   BAD_ABI       a descriptor for another ABI version (42);
 *   ABI_ONE       a descriptor for ABI version 1 (before mf_period had a size);
 *   NO_ENTRY      no entry point at all;
 *   INCOMPLETE    a descriptor without formats;
 *   OTHER_REGION  a good plugin for region RU-XXX named "otherregion".
 */
#include <string.h>
#include "mentorfed-plugin.h"

static const struct mf_host_api *H;

static int
probe(const char *data, size_t len)
{
	(void)len;
	return strstr(data, "OTHER REGION DOCUMENT") ? 100 : 0;
}

/* The test document selects a misbehaviour by a word in it. */
static int
import(mf_import *imp, const char *data, size_t len)
{
	mf_rec *r;

	(void)len;
	r = H->rec_new(imp, "region", "x");
	H->rec_set(r, "code", "RU-XXX");
	if (strstr(data, "BADFIELD"))
		H->rec_set(r, "no_such_field", "x");
	if (strstr(data, "BADENUM")) {
		mf_rec *s = H->rec_new(imp, "school", "s");
		H->rec_set(s, "self_diagnosis_level", "superb");
		H->rec_emit(s, NULL);
	}
	if (strstr(data, "BADINT")) {
		mf_rec *e = H->rec_new(imp, "event", "e");
		H->rec_set(e, "participants", "-5");
		H->rec_emit(e, NULL);
	}
	if (strstr(data, "BADKIND"))
		H->rec_new(imp, "no_such_kind", "k");
	if (H->rec_emit(r, NULL) != 0)
		return -1;
	if (strstr(data, "SAMEID") || strstr(data, "DUPID")) {
		mf_rec *r2 = H->rec_new(imp, "region", "x");
		H->rec_set(r2, "code", strstr(data, "DUPID") ? "RU-YYY" : "RU-XXX");
		if (H->rec_emit(r2, NULL) != 0)
			return -1;
	}
	if (strstr(data, "AFTEREMIT")) {
		/* handles of an emitted record, kept: each use is an error */
		mf_rec *e = H->rec_new(imp, "school", "after-emit");
		mf_rec *m = H->rec_add_msg(e, "memberships");
		H->rec_set(e, "name", "A school");
		H->rec_emit(e, NULL);
		H->rec_set(m, "body", "changed after emit");
		H->rec_set(e, "name", "changed after emit");
		H->rec_discard(e);
	}
	if (strstr(data, "NOPERIODSIZE")) {
		mf_period per;   /* not MF_PERIOD_INIT: no size */
		memset(&per, 0, sizeof(per));
		H->parse_period("Февраль 2025", 0, &per);
	}
	if (strstr(data, "PARTIAL")) {
		H->error(imp, 3, "made-up failure after one record");
		return -1;
	}
	return 0;
}

__attribute__((unused)) static const mf_format formats[] = { { "other-doc", "test", probe, import } };

__attribute__((unused)) static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
#if defined(BAD_ABI)
	.abi_version = 42,
#elif defined(ABI_ONE)
	.abi_version = 1,
#else
	.abi_version = MF_PLUGIN_ABI_VERSION,
#endif
	.name = "otherregion",
	.version = "0",
	.region = "RU-XXX",
	.description = "test plugin",
#ifdef INCOMPLETE
	.formats = NULL,
	.n_formats = 0,
#else
	.formats = formats,
	.n_formats = 1,
#endif
	.model = NULL,
};

#ifndef NO_ENTRY
MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int abi)
{
	(void)abi;
	H = host;
	return &plugin;
}
#else
MF_PLUGIN_EXPORT int mentorfed_not_the_entry(void);
MF_PLUGIN_EXPORT int
mentorfed_not_the_entry(void)
{
	return 0;
}
#endif
