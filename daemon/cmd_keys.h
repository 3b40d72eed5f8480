/*
 * cmd_keys.h — the daemon's commands on regions' keys and names
 * (doc/KEYS.md), listed in the command table of ctl_table.c.
 */
#ifndef MF_CMD_KEYS_H
#define MF_CMD_KEYS_H

#include <jansson.h>

#include "ctl.h"
#include "node.h"

/* req: {"reason"?}: a new signing key, announced by a region_key record
 * signed by the old one */
json_t *mf_cmd_key_rotate(mf_daemon *d, json_t *req);
/* req: {}: a new signing key after the old one was revoked (no record) */
json_t *mf_cmd_key_replace(mf_daemon *d, json_t *req);
/* req: {"name"}: the region's human name, as its own `region` record
 * (reaches every region) and in the config (the card) */
json_t *mf_cmd_region_name(mf_daemon *d, json_t *req);
/* req: {}: every region's name, keys with their seq ranges, revocations
 * and the blocks refused for a revoked key */
json_t *mf_cmd_keys(mf_daemon *d, json_t *req);

/* For status: {"revoked_refused": N, "last": "..."} (new reference). */
json_t *mf_keys_status(const mf_node *n);

#endif
