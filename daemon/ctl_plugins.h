/*
 * ctl_plugins.h — the daemon's plugin commands: import a document, list
 * and load plugins, judge roadmaps (ctl_plugins.c; import in cmd_import.c).
 * Plugin code itself never runs in the daemon: each command runs the
 * plugin host (plugjob.h).
 */
#ifndef MF_CTL_PLUGINS_H
#define MF_CTL_PLUGINS_H

#include <jansson.h>

#include "ctl.h"

/* At start and stop of the daemon. 0 or -1. */
int mf_daemon_plugins_start(mf_daemon *d);
void mf_daemon_plugins_stop(mf_daemon *d);

/* Command handlers (control socket): each returns a reply (new ref). */
json_t *mf_cmd_import(mf_daemon *d, json_t *req);
json_t *mf_cmd_plugin_list(mf_daemon *d, json_t *req);
json_t *mf_cmd_plugin_load(mf_daemon *d, json_t *req);
json_t *mf_cmd_roadmap(mf_daemon *d, json_t *req);
json_t *mf_cmd_report_roadmaps(mf_daemon *d, json_t *req);

#endif
