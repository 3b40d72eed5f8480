/*
 * plugjob.h — one run of the plugin host, mentorfed-plugin-host: the
 * daemon's plugin commands (ctl_plugins.c, cmd_import.c) call it; no
 * plugin code runs in the daemon, which holds the region's signing key.
 */
#ifndef MF_PLUGJOB_H
#define MF_PLUGJOB_H

#include <stddef.h>
#include <jansson.h>

#include "ctl.h"

/*
 * Run the helper on one request (the common fields: region, plugin
 * directory, plugins loaded at run time, limits, are added to req here)
 * and a document of doclen bytes; try_path, if not NULL, is a plugin file
 * to load on top.  Returns its reply (new reference; "ok" may be false:
 * the helper's own refusal), or NULL with err naming the plugin when the
 * helper died, was killed at the deadline or broke the protocol.
 */
json_t *mf_plugjob_run(mf_daemon *d, json_t *req, const void *doc, size_t doclen,
    const char *try_path, char *err, size_t errlen);

/* The plugin files loaded at run time (`plugin load`), which every later
 * run loads after the plugin directory: set up (0 or -1), added to, freed. */
int mf_plugjob_init(void);
void mf_plugjob_add_plugin(const char *path);
void mf_plugjob_fini(void);
/* Those plugin files (borrowed; an array, perhaps empty or NULL). */
json_t *mf_plugjob_extra(void);

/* The helper's path (see find_host in plugjob.c), for messages. */
const char *mf_plugjob_host(void);

#endif
