/*
 * cmd_records.h — the daemon's record commands, listed in the command
 * table of ctl.c: status, put, get, list, export, delete, digest, reload,
 * stop.  Each is an mf_cmd_fn.
 */
#ifndef MF_CMD_RECORDS_H
#define MF_CMD_RECORDS_H

#include <jansson.h>

#include "ctl.h"

json_t *mf_cmd_status(mf_daemon *d, json_t *req);
/* req: {"records": [...]}: mf_records_put */
json_t *mf_cmd_put(mf_daemon *d, json_t *req);
/* req: {"id"} */
json_t *mf_cmd_get(mf_daemon *d, json_t *req);
/* req: {"kind"?, "region"?, "deleted"?}: records in the reply (list) or as
 * JSON lines in the payload frame (export) */
json_t *mf_cmd_list(mf_daemon *d, json_t *req);
json_t *mf_cmd_export(mf_daemon *d, json_t *req);
/* req: {"id"}: a tombstone version */
json_t *mf_cmd_delete(mf_daemon *d, json_t *req);
json_t *mf_cmd_digest(mf_daemon *d, json_t *req);
json_t *mf_cmd_reload(mf_daemon *d, json_t *req);
json_t *mf_cmd_stop(mf_daemon *d, json_t *req);

#endif
