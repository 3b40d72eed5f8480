/*
 * plugin_tool.c — load plugin files and import a document, for tests.
 *
 *   plugin_tool [-r REGION] [-l PLUGIN.so]... [-d DIR] [-y YEAR] [-p PLUGIN]
 *               [-f FORMAT] [-L] [FILE]
 *
 * Prints each record as one JSON line on stdout (keys sorted), each
 * diagnostic as a JSON line on stderr prefixed "diag: ", -L prints the
 * plugin list.  Exit status 0 on success, 1 on an import error, 2 when a
 * plugin is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin_loader.h"

static void
quiet_logger(int level, const char *msg)
{
	if (level <= MF_LOG_WARNING)
		fprintf(stderr, "log: %s\n", msg);
}

int
main(int argc, char **argv)
{
	const char *region = "RU-TOM", *plugin = NULL, *format = NULL;
	int year = 0, list = 0, c, rc = 0;
	const char *libs[16];
	int nlibs = 0;
	const char *dir = NULL;
	mf_plugins *p;
	char err[2048];

	while ((c = getopt(argc, argv, "r:l:d:y:p:f:L")) != -1) {
		switch (c) {
		case 'r': region = optarg; break;
		case 'l': if (nlibs < 16) libs[nlibs++] = optarg; break;
		case 'd': dir = optarg; break;
		case 'y': year = atoi(optarg); break;
		case 'p': plugin = optarg; break;
		case 'f': format = optarg; break;
		case 'L': list = 1; break;
		default:
			fprintf(stderr, "usage: plugin_tool [-r REGION] [-l SO]... [-d DIR] [-y YEAR] "
				"[-p PLUGIN] [-f FORMAT] [-L] [FILE]\n");
			return 64;
		}
	}
	mf_plugins_set_logger(quiet_logger);
	p = mf_plugins_new(region);
	if (dir)
		mf_plugins_load_dir(p, dir);
	for (int i = 0; i < nlibs; i++)
		if (mf_plugins_load(p, libs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			rc = 2;
		}
	if (list) {
		json_t *l = mf_plugins_list_json(p);
		char *s = json_dumps(l, JSON_SORT_KEYS | JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(l);
	}
	if (optind < argc && rc == 0) {
		json_t *recs = NULL, *diag = NULL, *v;
		size_t i;
		if (mf_plugins_import(p, argv[optind], plugin, format, year, &recs, &diag, err,
				      sizeof(err)) != 0) {
			fprintf(stderr, "error: %s\n", err);
			rc = 1;
		}
		json_array_foreach(diag, i, v) {
			char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
			fprintf(stderr, "diag: %s\n", s);
			free(s);
		}
		json_array_foreach(recs, i, v) {
			char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
			printf("%s\n", s);
			free(s);
		}
		json_decref(recs);
		json_decref(diag);
	}
	mf_plugins_free(p);
	return rc;
}
