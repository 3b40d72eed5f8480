/*
 * sync_proto.h — private to daemon/sync/: protocol versions between nodes
 * of different releases (doc/PROTOCOL.md, "Versions between releases").
 *
 * A Hello carries the oldest version its sender speaks in `protocol` (1
 * for this release, so that nodes of the first release, which refuse any
 * other value, still link) and the highest in `protocol_max` (absent: the
 * same as `protocol`).  Both sides of a link use the highest version both
 * speak; ranges that do not meet refuse the link.
 *
 *	1	the first release: the record kinds of release 0.1.0
 *	2	blocks may also carry the kinds added since (region keys)
 *		and a caught-up peer may be sent new blocks without a Want
 *		(the push, PROTOCOL.md 6a: sync_serve.c sy_push_all,
 *		sync_pull.c on_push).  Version 2 was not yet released when the
 *		push was added; a build of version 2 from before it drops a
 *		push as an unexpected batch and pulls on the Announce that
 *		follows every push, so it needed no version of its own.
 *
 * A peer linked at a version older than a kind is never sent a block that
 * holds a leaf of that kind: the origin's chain is served (and advertised)
 * to it only up to the block before, so it stays at a verified prefix
 * instead of refusing the block and backing off again and again.
 */
#ifndef MF_SYNC_PROTO_H
#define MF_SYNC_PROTO_H

#include <stdint.h>

#include "sync_int.h"

#define MF_PROTOCOL_MIN MF_PROTOCOL	/* Hello.protocol */
#define MF_PROTOCOL_MAX 2		/* Hello.protocol_max */
#define MF_PROTOCOL_KINDS 2		/* the version that added region keys */
#define MF_PROTOCOL_PUSH 2		/* the version that added the push */

/* The version agreed on the link, or 0 before the peer's Hello. */
unsigned sy_sess_proto(const session *ss);

/* The protocol version a peer must speak to be sent records of `kind`:
 * 1 for the kinds of the first release, MF_PROTOCOL_KINDS for any other. */
unsigned sy_kind_proto(const char *kind, size_t len);

/* The highest seq of origin's chain up to `upto` that may be served to a
 * peer linked at version `proto`: upto itself, or the seq before the first
 * block holding a leaf of a newer kind. */
uint64_t sy_proto_limit(mf_sync *s, const char *origin, unsigned proto, uint64_t upto);

#endif
