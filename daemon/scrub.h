/*
 * scrub.h — rot and corruption in the daemon: the background check of
 * every body, block and page at the pace of [node] scrub_rate (in slices,
 * one per loop turn, so that the loop never stalls), what damage does
 * (local writes stop; a foreign origin's chain is cut back before the
 * damage so that sync fetches it again from peers), and the commands
 * `verify` and `digest_recompute`.
 *
 * A daemon has one node: the check's state is this file's.
 */
#ifndef MF_SCRUB_H
#define MF_SCRUB_H

#include <stdint.h>
#include <jansson.h>

#include "ctl.h"

/* Called every loop turn (before requests are served): acts on damage
 * found since the last turn and runs a slice of the background check.
 * Returns the ms until it wants to run again (-1: no wish). */
long mf_scrub_tick(mf_daemon *d, uint64_t now_ms);

/* {"damage": reason | null, "writes_refused": text | null, "checks":
 * completed background passes, "last_check": {...} | null}: for status. */
json_t *mf_scrub_status(mf_daemon *d);

/* Commands (ctl_table.c).  verify: req {"quick"?: true}: the full check
 * now (integrity_check, or quick_check), its report; writes stop on
 * damage and resume when it is clean.  digest_recompute: the digest from
 * the bodies (mf_store_digest_recompute). */
json_t *mf_cmd_verify(mf_daemon *d, json_t *req);
json_t *mf_cmd_digest_recompute(mf_daemon *d, json_t *req);

#endif
