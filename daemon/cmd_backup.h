/*
 * cmd_backup.h — the daemon's commands for its own chain and its store
 * (doc/OPERATIONS.md), listed in the command table of ctl_table.c.
 */
#ifndef MF_CMD_BACKUP_H
#define MF_CMD_BACKUP_H

#include <jansson.h>

#include "ctl.h"

/* req: {"path"}: an online, consistent copy of the store into a new file */
json_t *mf_cmd_backup(mf_daemon *d, json_t *req);
/* req: {"action": "show" | "adopt"}: the state of our own chain; adopt
 * the federation's chain after a fork of our own region */
json_t *mf_cmd_fork(mf_daemon *d, json_t *req);

#endif
