/*
 * fuzz_import.c — one importer of a region plugin (tomsk: league order,
 * webinar letter, school page, league news, competency cards;
 * chelyabinsk: the ГАРАНТ roadmap), on any document, in process: the
 * plugin is loaded with the host's own loader (libmfplughost) and the
 * format forced, as `mentorfed import --format F` does.  Built once per
 * format: FUZZ_PLUGIN and FUZZ_FORMAT name it (tests/fuzz/fuzz.mk).
 *
 * The plugin is found in $MF_FUZZ_PLUGIN_DIR, else in the build tree's
 * plugins/.libs.  Checked beyond "no crash": an import succeeds with an
 * array of records and no error, or fails with no records and a message.
 */
#include "config.h"

#include <jansson.h>

#include "fuzz.h"
#include "plugin_loader.h"
#include "util.h"

#ifndef FUZZ_PLUGIN_DIR
#define FUZZ_PLUGIN_DIR "plugins/.libs"
#endif

static mf_plugins *plugins;

static void
quiet_loader(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MF_FUZZ_PLUGIN_DIR");
	char err[1024], *so;

	(void)argc;
	(void)argv;
	fz_quiet();
	mf_plugins_set_logger(quiet_loader);
	plugins = mf_plugins_new(FUZZ_REGION);
	so = mf_path(dir ? dir : FUZZ_PLUGIN_DIR, FUZZ_PLUGIN ".so");
	if (mf_plugins_load(plugins, so, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_import: %s (set MF_FUZZ_PLUGIN_DIR)\n", err);
		abort();
	}
	free(so);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *records = NULL, *diag = NULL;
	char err[2048] = "";
	int rc;

	rc = mf_plugins_import_mem(plugins, "fuzz.txt", (const char *)data, size, FUZZ_PLUGIN,
				   FUZZ_FORMAT, 0, &records, &diag, err, sizeof(err));
	if (diag == NULL)
		abort();
	if (rc == 0 ? !json_is_array(records) : (records != NULL || err[0] == '\0'))
		abort();
	json_decref(records);
	json_decref(diag);
	return 0;
}
