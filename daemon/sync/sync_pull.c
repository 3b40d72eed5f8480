/*
 * sync_pull.c — pulling: which origin to want from which peer, received
 * batches applied through the records layer block by block (heartbeats go
 * out between blocks), streams that withheld versions truncated.  The
 * recovery of this node's own chain is sync_recover.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "apply.h"
#include "kinds.h"
#include "log.h"
#include "proto/records.pb-c.h"
#include "proto/wire.pb-c.h"
#include "record.h"
#include "store.h"
#include "sync.h"
#include "sync_int.h"
#include "sync_proto.h"
#include "util.h"
#include "zap.h"

/* Is ss the session this node pulls its peer over?  (One link per peer:
 * its own DEALER when that link is up, else the newest inbound one.  The
 * push goes over the same link, so a peer is pushed a block once.) */
int
sy_sess_is_puller(mf_sync *s, session *ss)
{
	peer *p;

	if (!sy_sess_ready(ss))
		return 0;
	if (!ss->inbound)
		return 1;
	p = sy_peer_by_key(s, ss->key);
	if (p == NULL)
		return 0;	/* no longer configured */
	if (sy_sess_ready(p->out))
		return 0;
	/* Of several inbound links of one peer, the most recent one. */
	for (size_t i = 0; i < s->n_in; i++) {
		session *o = s->in[i];
		if (o != ss && sy_sess_ready(o) && strcmp(o->key, ss->key) == 0 &&
		    o->since_wall_ms > ss->since_wall_ms)
			return 0;
	}
	return 1;
}

static int
origin_being_pulled(mf_sync *s, const char *origin)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out && s->peers[i].out->pulling &&
		    strcmp(s->peers[i].out->pull_origin, origin) == 0)
			return 1;
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i]->pulling && strcmp(s->in[i]->pull_origin, origin) == 0)
			return 1;
	return 0;
}

static int
is_blocked(mf_sync *s, session *ss, const char *origin)
{
	for (size_t i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, origin) == 0)
			return ss->blk[i].until_ms > s->now;
	return 0;
}

void
sy_block_origin(mf_sync *s, session *ss, const char *origin, uint64_t ms)
{
	size_t i;

	for (i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, origin) == 0)
			break;
	if (i == ss->n_blk) {
		if (ss->n_blk == BLOCKED_MAX)
			i = 0;
		else
			ss->n_blk++;
	}
	mf_strlcpy(ss->blk[i].origin, origin, sizeof(ss->blk[i].origin));
	ss->blk[i].until_ms = s->now + ms;
}

/* Pull back-off per (peer, origin): a stream that brought nothing while
 * the peer claimed more doubles the pause before that origin is wanted
 * from that peer again (PULL_BACKOFF_MIN_MS .. PULL_BACKOFF_MAX_MS); a
 * stream that applied blocks resets it.  A peer that announces what it
 * never sends cannot make the node spin. */
#define PULL_BACKOFF_MIN_MS 250
#define PULL_BACKOFF_MAX_MS 30000

static blocked *
blk_find(session *ss, const char *origin)
{
	for (size_t i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, origin) == 0)
			return &ss->blk[i];
	return NULL;
}

static void
pull_backoff(mf_sync *s, session *ss, const char *origin)
{
	blocked *b;
	uint64_t ms = PULL_BACKOFF_MIN_MS;
	unsigned fails;

	b = blk_find(ss, origin);
	fails = b ? b->fails + 1 : 1;
	for (unsigned i = 1; i < fails && ms < PULL_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > PULL_BACKOFF_MAX_MS)
		ms = PULL_BACKOFF_MAX_MS;
	sy_block_origin(s, ss, origin, ms);
	if ((b = blk_find(ss, origin)) != NULL)
		b->fails = fails;
}

static void
pull_progress(session *ss, const char *origin)
{
	blocked *b = blk_find(ss, origin);

	if (b != NULL)
		b->fails = 0;
}

/* The peer's own word in a batch: it holds origin complete to seq now.
 * Known vectors are per link; Hello sets them, Announce only raises them,
 * and a batch's complete_to lowers them (the peer truncated, or serves
 * less than it announced). */
static void
known_lower(session *ss, const char *origin, uint64_t seq)
{
	for (size_t i = 0; i < ss->known.n; i++)
		if (strcmp(ss->known.e[i].origin, origin) == 0) {
			if (seq < ss->known.e[i].seq)
				ss->known.e[i].seq = seq;
			return;
		}
}

/* Another peer may hold what this one would not give: look now, not at
 * the next tick. */
static void
pull_elsewhere(mf_sync *s, session *except)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out && s->peers[i].out != except)
			sy_pull_next(s, s->peers[i].out);
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i] != except)
			sy_pull_next(s, s->in[i]);
}

void
sy_pull_stop(session *ss)
{
	ss->pulling = 0;
	ss->pull_origin[0] = '\0';
}

/* Start pulling the next origin this session's peer holds more of. */
void
sy_pull_next(mf_sync *s, session *ss)
{
	if (ss->pulling || !sy_sess_is_puller(s, ss))
		return;
	/* Round robin over the peer's origins: one that never completes
	 * (or is backed off) does not starve the others. */
	for (size_t k = 0; k < ss->known.n; k++) {
		size_t i = (ss->pull_rr + k) % ss->known.n;
		const vv_ent *e = &ss->known.e[i];
		uint64_t have;
		Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
		Mentorfed__Wire__Want w = MENTORFED__WIRE__WANT__INIT;

		if (mf_keyring_get(s->node->keyring, e->origin) == NULL)
			continue;	/* untrusted origin: its blocks could not verify */
		have = mf_store_vv(s->node->store, e->origin, NULL);
		if (e->seq <= have || is_blocked(s, ss, e->origin) ||
		    origin_being_pulled(s, e->origin))
			continue;
		w.origin = (char *)e->origin;
		w.after = have;
		w.credit = CREDIT_INIT;
		f.msg_case = MENTORFED__WIRE__FRAME__MSG_WANT;
		f.want = &w;
		if (sy_sess_send(s, ss, &f) != 0)
			return;	/* retried from tick */
		ss->pulling = 1;
		mf_strlcpy(ss->pull_origin, e->origin, sizeof(ss->pull_origin));
		ss->pull_pos = have;
		ss->pull_start = have;
		ss->pull_target = e->seq;
		ss->pull_complete_to = 0;
		ss->pull_applied = 0;
		ss->pull_rr = i + 1;
		ss->pull_last_ms = s->now;
		mf_debug("sync: pulling %s from peer %s after seq %llu (peer holds %llu)", e->origin,
			 sy_sess_name(ss), (unsigned long long)have, (unsigned long long)e->seq);
		return;
	}
}

void
sy_request_announce(mf_sync *s)
{
	if (!s->announce_pending) {
		s->announce_pending = 1;
		s->announce_due = s->now + ANNOUNCE_COALESCE_MS;
	}
}

void
sy_kill_session_streams(session *ss)
{
	sy_pull_stop(ss);
	sy_held_free(ss);
	ss->n_st = 0;
}

void
sy_on_announce(mf_sync *s, session *ss, const Mentorfed__Wire__Announce *a)
{
	if (a->n_vv > VV_MAX) {
		s->c.malformed++;
		return;
	}
	for (size_t i = 0; i < a->n_vv; i++) {
		if (!sy_region_ok(a->vv[i]->origin)) {
			s->c.malformed++;
			continue;
		}
		sy_vv_raise(&ss->known, a->vv[i]->origin, a->vv[i]->seq);
	}
	sy_recover_on_announce(s, ss);
	sy_pull_next(s, ss);
}

#define outcome_name mf_records_outcome_name

static void
send_credit(mf_sync *s, session *ss, const char *origin, uint32_t n)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Credit c = MENTORFED__WIRE__CREDIT__INIT;

	c.origin = (char *)origin;
	c.credit = n;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_CREDIT;
	f.credit = &c;
	sy_sess_send(s, ss, &f);
}

/* Is the batch within its limits?  When not, the stream is dropped. */
static int
batch_shape_ok(mf_sync *s, session *ss, const Mentorfed__Wire__Batch *b, const char *origin)
{
	if (b->n_blocks > BATCH_MAX_BLOCKS) {
		s->c.malformed++;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			      "batch of %zu blocks; the limit is %d", b->n_blocks, BATCH_MAX_BLOCKS);
		goto bad;
	}
	for (size_t i = 0; i < b->n_blocks; i++)
		if (b->blocks[i]->n_versions > MF_BLOCK_MAX_LEAVES) {
			s->c.rej_too_large++;
			sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_TOO_LARGE, origin,
				      "block with %zu versions; the limit is %d",
				      b->blocks[i]->n_versions, MF_BLOCK_MAX_LEAVES);
			goto bad;
		}
	return 1;
bad:
	sy_pull_stop(ss);
	sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
	return 0;
}

/* Apply the batch's blocks in order through the records layer, from
 * *next on, in one transaction, one block per step.  The loop is not
 * turning meanwhile: between blocks, send the heartbeats that fall due,
 * lest a long apply (or a slow disk) makes our peers take us for dead.
 * With slice_ms > 0 it stops after the first block that ends past that
 * many ms (the caller comes back for the rest at the next turn of the
 * loop); *next is then the first block not applied.  Returns 0, 1 when a
 * block was rejected, -1 on a store error (nothing of this call applied).
 */
#define APPLY_BEYOND 2
/* One slice of a large batch: control requests and other links wait at
 * most this long (plus one block) while a catch-up is applied.  Each slice
 * is a transaction of its own, and the transaction's size is what moves
 * the apply rate (random ids: the pages a commit writes are shared by more
 * records in a larger one): measured at 100,000 records, 10 ms slices
 * applied 26-30k records/s, 100 ms slices 40-44k (doc/DESIGN-NOTES.md). */
#define APPLY_SLICE_MS 100

static void group_settle(mf_sync *s, int commit);
static void streams_restart(mf_sync *s, const session *keep);

static int
apply_range(mf_sync *s, const session *ss, const Mentorfed__Wire__Batch *b, size_t *next,
	    uint64_t slice_ms, mf_apply_result *res, char *err, size_t errlen)
{
	const uint8_t **vptr;
	size_t *vlen, maxv = 1, i = *next;
	uint64_t t0 = mf_mono_ms();
	char cerr[256];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (i >= b->n_blocks)
		return 0;
	for (size_t k = i; k < b->n_blocks; k++)
		if (b->blocks[k]->n_versions > maxv)
			maxv = b->blocks[k]->n_versions;
	if (mf_records_apply_begin(s->node, res, err, errlen) != 0)
		return -1;
	vptr = mf_xcalloc(maxv, sizeof(*vptr));
	vlen = mf_xcalloc(maxv, sizeof(*vlen));
	for (; i < b->n_blocks && rc == 0; i++) {
		const Mentorfed__Wire__BlockOnWire *w = b->blocks[i];
		mf_block_in in = {
			.header = w->header.data, .header_len = w->header.len,
			.sig = w->signature.data, .sig_len = w->signature.len,
			.versions = vptr, .version_lens = vlen, .n_versions = w->n_versions,
		};

		s->c.records_received += w->n_versions;
		for (size_t j = 0; j < w->n_versions; j++) {
			vptr[j] = w->versions[j].data;
			vlen[j] = w->versions[j].len;
		}
		rc = mf_records_apply_block(s->node, &in, res, err, errlen);
		/* A sender serves only up to its complete_to: a block past it
		 * is a stream that could leave leaves unproven (a relay that
		 * stripped a version and lowered complete_to).  The whole
		 * batch is refused (batch_beyond checks before any slice;
		 * this is the same rule on what the store read). */
		if (rc == 0 && res->last_seq > b->complete_to) {
			snprintf(err, errlen, "block ending at seq %llu in a batch complete to %llu",
				 (unsigned long long)res->last_seq,
				 (unsigned long long)b->complete_to);
			rc = APPLY_BEYOND;
		}
		sy_keepalive(s);
		if (slice_ms > 0 && mf_mono_ms() - t0 >= slice_ms) {
			i++;
			break;
		}
	}
	*next = i;
	free(vptr);
	free(vlen);
	if (rc < 0 || rc == APPLY_BEYOND) {
		/* the group's earlier steps go with this one: the other
		 * streams start again (ss's own caller ends its stream) */
		mf_records_apply_rollback(s->node, res);
		streams_restart(s, ss);
		return rc;
	}
	if (mf_records_apply_commit(s->node, cerr, sizeof(cerr)) != 0) {
		mf_strlcpy(err, cerr, errlen);
		res->applied_blocks = res->applied_versions = 0;
		streams_restart(s, ss);
		return -1;
	}
	return rc;
}

/* What an apply step did, in the counters; a relay pushes on and tells
 * the other peers what it applied. */
static void
count_applied(mf_sync *s, const mf_apply_result *res)
{
	s->c.blocks_applied += res->applied_blocks;
	s->c.blocks_duplicate += res->duplicate_blocks;
	s->c.records_applied += res->applied_versions;
	s->c.records_stale += res->stale_versions;
	if (res->applied_blocks > 0)
		sy_request_announce(s);
}

/* A push (not a held frame): every stream restarts should the group go. */
static int
apply_batch(mf_sync *s, const Mentorfed__Wire__Batch *b, mf_apply_result *res, char *err,
	    size_t errlen)
{
	size_t next = 0;

	return apply_range(s, NULL, b, &next, 0, res, err, errlen);
}

/* Rule S1 before anything of a batch is applied (it is applied in slices,
 * and a refused batch keeps nothing): the seq a block ends at, from its
 * header.  A header that does not decode is left to the apply, which
 * rejects it as malformed.  1 with err when a block ends past complete_to. */
static int
batch_beyond(const Mentorfed__Wire__Batch *b, char *err, size_t errlen)
{
	for (size_t i = 0; i < b->n_blocks; i++) {
		const Mentorfed__Wire__BlockOnWire *w = b->blocks[i];
		Mentorfed__BlockHeader *h =
			mentorfed__block_header__unpack(NULL, w->header.len, w->header.data);
		uint64_t last;

		if (h == NULL)
			continue;
		last = h->last_seq;
		mentorfed__block_header__free_unpacked(h, NULL);
		if (last > b->complete_to) {
			snprintf(err, errlen, "block ending at seq %llu in a batch complete to %llu",
				 (unsigned long long)last, (unsigned long long)b->complete_to);
			return 1;
		}
	}
	return 0;
}

/* A block of the batch was rejected: count, log, tell the peer, stop. */
static void
batch_rejected(mf_sync *s, session *ss, const char *origin, mf_apply_result *res,
	       const char *err, int push)
{
	Mentorfed__Wire__ErrorCode code = MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_REJECTED;

	switch ((int)res->first_error) {
	case MF_APPLY_BAD_SIGNATURE: s->c.rej_signature++; break;
	case MF_APPLY_NO_LINK: s->c.rej_link++; break;
	case MF_APPLY_BAD_VERSION: s->c.rej_version++; break;
	case MF_APPLY_FORK: s->c.rej_fork++; break;
	case (int)MF_RECV_BAD_SHAPE:
		s->c.rej_shape++;
		code = MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED;
		break;
	case (int)MF_RECV_UNKNOWN_ORIGIN:
		s->c.rej_unknown_origin++;
		code = MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_UNKNOWN_ORIGIN;
		break;
	case (int)MF_RECV_TOO_LARGE:
		s->c.rej_too_large++;
		code = MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_TOO_LARGE;
		break;
	default: break;
	}
	if (res->origin[0] == '\0')
		mf_strlcpy(res->origin, origin, sizeof(res->origin));
	if (res->first_error == MF_APPLY_FORK || sy_ratelim(s, &s->rejlog, "rejections"))
		mf_warn("sync: rejected a block of %s (seq %llu) from peer %s: %s: %s", res->origin,
			(unsigned long long)res->error_seq, sy_sess_name(ss),
			outcome_name(res->first_error), err);
	if (res->first_error == MF_APPLY_FORK)
		mf_err("sync: FORK: region %s signed two different blocks at seq %llu; both kept as evidence (peer %s); the operator must decide",
		       res->origin, (unsigned long long)res->error_seq, sy_sess_name(ss));
	sy_send_error(s, ss, code, origin,
		      "block of %s at seq %llu rejected: %s: %s", res->origin,
		      (unsigned long long)res->error_seq, outcome_name(res->first_error), err);
	if (!push)	/* a push is no stream: the link's own pull goes on */
		sy_pull_stop(ss);
	sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
	if (res->first_error == MF_APPLY_FORK)
		sy_recovery_check(s);	/* a fork of our own origin stops local writes */
}

/* The stream says it is complete to complete_to and we hold that far: any
 * leaf still without its version was withheld.  Then the chain from there
 * is undone (through the records layer) and the peer is told.  1 when so. */
static int
batch_withheld(mf_sync *s, session *ss, const char *origin, uint64_t complete_to,
	       uint64_t start, int push)
{
	uint64_t first = 0;
	size_t n = mf_store_withheld(s->node->store, origin, complete_to, &first);
	char err[512];

	if (n == 0)
		return 0;
	if (first <= start) {
		/* The unproven leaf was held before this stream began: another
		 * stream (another peer, or a relay) left it, not this one.
		 * Undo from there without blaming this peer and pull it again
		 * from it at once. */
		s->c.unproven_truncated++;
		mf_warn("sync: %zu version(s) of %s from an earlier stream are still unproven (first at seq %llu) and peer %s, complete to %llu, does not supersede them: truncating %s's chain from seq %llu and pulling it again",
			n, origin, (unsigned long long)first, sy_sess_name(ss),
			(unsigned long long)complete_to, origin, (unsigned long long)first);
		if (mf_records_truncate_origin(s->node, origin, first, err, sizeof(err)) != 0)
			mf_err("sync: truncating %s: %s", origin, err);
		if (!push)
			sy_pull_stop(ss);
		sy_pull_next(s, ss);
		return 1;
	}
	s->c.withheld += n;
	s->c.withheld_streams++;
	mf_warn("sync: peer %s withheld %zu still-current version(s) of %s (first at seq %llu) in a stream it said was complete to %llu: truncating %s's chain from seq %llu",
		sy_sess_name(ss), n, origin, (unsigned long long)first,
		(unsigned long long)complete_to, origin, (unsigned long long)first);
	if (mf_records_truncate_origin(s->node, origin, first, err, sizeof(err)) != 0)
		mf_err("sync: truncating %s: %s", origin, err);
	sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_WITHHELD, origin,
		      "stream of %s withheld %zu still-current version(s) from seq %llu", origin, n,
		      (unsigned long long)first);
	if (!push)
		sy_pull_stop(ss);
	sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
	return 1;
}

/* A Batch this link is not pulling, on a link of protocol 3: a push
 * (PROTOCOL.md 6a), the sender's new blocks sent as if we had wanted them
 * after what we hold.  It is taken when it is one whole end batch that
 * starts at or before what we hold of a trusted origin; anything else is
 * dropped as unexpected (the sender's Announce follows and we pull as
 * usual).  The same checks as a stream's batch: complete_to, rejections,
 * withholding (blaming the peer only for what this push brought). */
static void
on_push(mf_sync *s, session *ss, const Mentorfed__Wire__Batch *b)
{
	mf_apply_result res;
	char err[512], origin[MF_REGION_MAX];
	uint64_t have, vv;
	int rc;

	if (!sy_region_ok(b->origin) || !b->end || b->n_blocks == 0 ||
	    mf_keyring_get(s->node->keyring, b->origin) == NULL || is_blocked(s, ss, b->origin) ||
	    b->after > (have = mf_store_vv(s->node->store, b->origin, NULL))) {
		s->c.unexpected++;
		mf_debug("sync: push of %s from peer %s not taken", b->origin, sy_sess_name(ss));
		return;
	}
	mf_strlcpy(origin, b->origin, sizeof(origin));
	s->c.pushes_rx++;
	if (b->n_blocks > BATCH_MAX_BLOCKS) {
		s->c.malformed++;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			      "batch of %zu blocks; the limit is %d", b->n_blocks, BATCH_MAX_BLOCKS);
		sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		return;
	}
	for (size_t i = 0; i < b->n_blocks; i++)
		if (b->blocks[i]->n_versions > MF_BLOCK_MAX_LEAVES) {
			s->c.rej_too_large++;
			sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_TOO_LARGE, origin,
				      "block with %zu versions; the limit is %d",
				      b->blocks[i]->n_versions, MF_BLOCK_MAX_LEAVES);
			sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
			return;
		}
	rc = apply_batch(s, b, &res, err, sizeof(err));
	count_applied(s, &res);
	if (rc < 0) {
		s->c.store_errors++;
		mf_err("sync: store error applying %s from peer %s: %s", origin, sy_sess_name(ss), err);
		sy_block_origin(s, ss, origin, 2000);
		return;
	}
	if (rc == 1) {
		batch_rejected(s, ss, origin, &res, err, 1);
		pull_elsewhere(s, ss);
		return;
	}
	if (rc == APPLY_BEYOND) {
		s->c.rej_beyond_complete++;
		if (sy_ratelim(s, &s->rejlog, "rejections"))
			mf_warn("sync: refused a batch of %s from peer %s: %s (nothing of it kept)",
				origin, sy_sess_name(ss), err);
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			      "batch of %s refused: %s", origin, err);
		sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		return;
	}
	/* The peer's word: it holds origin complete to complete_to.  On
	 * each of its links: the one we push it over may not be the one it
	 * pushed us over, and we must not push these blocks back to it. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out && strcmp(s->peers[i].out->key, ss->key) == 0)
			sy_vv_raise(&s->peers[i].out->known, origin, b->complete_to);
	for (size_t i = 0; i < s->n_in; i++)
		if (strcmp(s->in[i]->key, ss->key) == 0)
			sy_vv_raise(&s->in[i]->known, origin, b->complete_to);
	vv = mf_store_vv(s->node->store, origin, NULL);
	if (vv >= b->complete_to && batch_withheld(s, ss, origin, b->complete_to, have, 1))
		return;
	if (vv < b->complete_to)
		sy_pull_next(s, ss);	/* a gap it did not fill: pull the usual way */
}

/* ------------------------------------------- stream batches, in slices */

/* The most batches of one link kept while one of them is being applied:
 * credit (at most CREDIT_MAX granted) bounds what an honest peer sends. */
#define HELD_QUEUE_MAX (CREDIT_MAX + 4)

void
sy_held_free(session *ss)
{
	if (ss->held)
		mentorfed__wire__frame__free_unpacked(ss->held, NULL);
	ss->held = NULL;
	for (size_t i = 0; i < ss->nq; i++)
		mentorfed__wire__frame__free_unpacked(ss->q[i], NULL);
	free(ss->q);
	ss->q = NULL;
	ss->nq = ss->capq = 0;
}

/* The batch was applied whole (its blocks, `applied` of them new, ending
 * at `last`): the stream's position, withholding, its end or more credit. */
static void
batch_done(mf_sync *s, session *ss, const Mentorfed__Wire__Batch *b, uint64_t applied,
	   uint64_t last)
{
	char origin[MF_REGION_MAX];
	uint64_t vv;

	mf_strlcpy(origin, b->origin, sizeof(origin));
	if (applied > 0) {
		ss->pull_applied += applied;
		pull_progress(ss, origin);
	}
	vv = mf_store_vv(s->node->store, origin, NULL);
	/* The last block's end, as the store read it when verifying: the
	 * header is not decoded again here. */
	if (b->n_blocks > 0 && last > ss->pull_pos)
		ss->pull_pos = last;
	if (b->complete_to > ss->pull_complete_to)
		ss->pull_complete_to = b->complete_to;
	if (b->complete_to > ss->pull_target)
		ss->pull_target = b->complete_to;
	if (vv >= b->complete_to &&
	    batch_withheld(s, ss, origin, b->complete_to, ss->pull_start, 0))
		return;
	if (!b->end && b->n_blocks == 0) {
		/* A batch that is not the end carries blocks: an empty one
		 * would have us grant credit for nothing, as fast as the peer
		 * sends.  It ends the stream. */
		s->c.empty_streams++;
		sy_pull_stop(ss);
		pull_backoff(s, ss, origin);
		return;
	}
	if (b->end) {
		/* What the peer holds now, in its own words. */
		known_lower(ss, origin, b->complete_to);
		if (vv < b->complete_to) {
			/* The sender ended short of what it claimed. */
			s->c.streams_short++;
			if (sy_ratelim(s, &s->rejlog, "rejections"))
				mf_warn("sync: peer %s ended its stream of %s at seq %llu, short of its complete_to %llu",
					sy_sess_name(ss), origin, (unsigned long long)vv,
					(unsigned long long)b->complete_to);
			pull_backoff(s, ss, origin);
		} else if (ss->pull_applied == 0 && vv < ss->pull_target) {
			/* Nothing came although the peer had announced more. */
			s->c.empty_streams++;
			pull_backoff(s, ss, origin);
		}
		mf_debug("sync: stream of %s from peer %s complete to %llu", origin, sy_sess_name(ss),
			 (unsigned long long)vv);
		sy_pull_stop(ss);
		sy_pull_next(s, ss);
		sy_recovery_check(s);
	} else {
		send_credit(s, ss, origin, 1);
	}
}

/* Apply the next slice of ss's held batch; when it is the last, finish the
 * batch and free it.  Any rejection or error ends the stream as before
 * (the slices before it stay: each of their blocks was verified). */
static void
batch_slice(mf_sync *s, session *ss)
{
	Mentorfed__Wire__Frame *f = ss->held;
	const Mentorfed__Wire__Batch *b = f->batch;
	mf_apply_result res;
	char err[512], origin[MF_REGION_MAX];
	int rc;

	mf_strlcpy(origin, b->origin, sizeof(origin));
	if (!ss->pulling || strcmp(origin, ss->pull_origin) != 0) {
		sy_held_free(ss);	/* the stream was stopped meanwhile */
		return;
	}
	rc = apply_range(s, ss, b, &ss->held_next, APPLY_SLICE_MS, &res, err, sizeof(err));
	ss->pull_last_ms = s->now;
	count_applied(s, &res);
	if (rc < 0) {
		s->c.store_errors++;
		mf_err("sync: store error applying %s from peer %s: %s", origin, sy_sess_name(ss), err);
		sy_held_free(ss);
		sy_pull_stop(ss);
		sy_block_origin(s, ss, origin, 2000);
		return;
	}
	if (rc == 1) {
		sy_held_free(ss);
		batch_rejected(s, ss, origin, &res, err, 0);
		pull_elsewhere(s, ss);
		return;
	}
	if (rc == APPLY_BEYOND) {
		/* batch_beyond found none: the header the store read said
		 * otherwise.  Refused as before. */
		s->c.rej_beyond_complete++;
		if (sy_ratelim(s, &s->rejlog, "rejections"))
			mf_warn("sync: refused a batch of %s from peer %s: %s", origin,
				sy_sess_name(ss), err);
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			      "batch of %s refused: %s", origin, err);
		known_lower(ss, origin, b->complete_to);
		sy_held_free(ss);
		sy_pull_stop(ss);
		sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		pull_elsewhere(s, ss);
		return;
	}
	ss->held_applied += res.applied_blocks;
	if (res.last_seq > ss->held_last)
		ss->held_last = res.last_seq;
	if (ss->held_next < b->n_blocks)
		return;		/* more at the next turn of the loop */
	ss->held = NULL;
	batch_done(s, ss, b, ss->held_applied, ss->held_last);
	mentorfed__wire__frame__free_unpacked(f, NULL);
}

/* A stream batch of ss: checked, then applied in slices.  1 when the frame
 * was kept (held, or freed here), 0 when the caller frees it. */
static int
batch_in(mf_sync *s, session *ss, Mentorfed__Wire__Frame *f)
{
	const Mentorfed__Wire__Batch *b = f->batch;
	char err[512], origin[MF_REGION_MAX];

	if ((!ss->pulling || strcmp(b->origin, ss->pull_origin) != 0) &&
	    sy_sess_proto(ss) >= MF_PROTOCOL_PUSH) {
		on_push(s, ss, b);
		/* a push is live: committed at once (with any group open) */
		group_settle(s, 1);
		return 0;
	}
	if (!ss->pulling || strcmp(b->origin, ss->pull_origin) != 0 || b->after > ss->pull_pos) {
		s->c.unexpected++;
		mf_debug("sync: unexpected batch of %s from peer %s", b->origin, sy_sess_name(ss));
		return 0;
	}
	mf_strlcpy(origin, b->origin, sizeof(origin));
	ss->pull_last_ms = s->now;
	if (!batch_shape_ok(s, ss, b, origin))
		return 0;
	if (batch_beyond(b, err, sizeof(err))) {
		s->c.rej_beyond_complete++;
		if (sy_ratelim(s, &s->rejlog, "rejections"))
			mf_warn("sync: refused a batch of %s from peer %s: %s (nothing of it kept)",
				origin, sy_sess_name(ss), err);
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			      "batch of %s refused: %s", origin, err);
		known_lower(ss, origin, b->complete_to);
		sy_pull_stop(ss);
		sy_block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		pull_elsewhere(s, ss);
		return 0;
	}
	if (b->n_blocks == 0) {
		batch_done(s, ss, b, 0, 0);
		return 0;
	}
	ss->held = f;
	ss->held_next = 0;
	ss->held_applied = 0;
	ss->held_last = 0;
	batch_slice(s, ss);
	return 1;
}

/* Batches that came while one was held, in their order. */
static void
held_drain(mf_sync *s, session *ss)
{
	while (ss->held == NULL && ss->nq > 0) {
		Mentorfed__Wire__Frame *f = ss->q[0];

		memmove(ss->q, ss->q + 1, (ss->nq - 1) * sizeof(*ss->q));
		ss->nq--;
		if (!batch_in(s, ss, f))
			mentorfed__wire__frame__free_unpacked(f, NULL);
	}
}

int
sy_on_batch(mf_sync *s, session *ss, Mentorfed__Wire__Frame *f)
{
	const Mentorfed__Wire__Batch *b = f->batch;

	s->c.batches_rx++;
	if (ss->held == NULL && ss->nq == 0)
		return batch_in(s, ss, f);
	/* A push of an origin this link is not pulling does not wait behind
	 * the held batch: it is another chain. */
	if ((!ss->pulling || strcmp(b->origin, ss->pull_origin) != 0) &&
	    sy_sess_proto(ss) >= MF_PROTOCOL_PUSH) {
		on_push(s, ss, b);
		/* a push is live: committed at once (with any group open) */
		group_settle(s, 1);
		return 0;
	}
	if (ss->nq >= HELD_QUEUE_MAX) {
		s->c.unexpected++;	/* beyond any credit granted */
		return 0;
	}
	if (ss->nq == ss->capq) {
		ss->capq = ss->capq ? ss->capq * 2 : 4;
		ss->q = mf_xrealloc(ss->q, ss->capq * sizeof(*ss->q));
	}
	ss->q[ss->nq++] = f;
	return 1;
}

/* Every stream but keep's starts again from what the store holds: the
 * open group of received blocks (mf_records_apply_group: a catch-up's
 * steps share one transaction) was rolled back, or its commit failed.
 * keep's frame is in use by its caller, which ends that stream itself. */
static void
streams_restart(mf_sync *s, const session *keep)
{
	int n = 0;

	for (size_t i = 0; i < s->n_peers; i++) {
		session *o = s->peers[i].out;
		if (o && o != keep && o->pulling) {
			sy_held_free(o);
			sy_pull_stop(o);
			n++;
		}
	}
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i] != keep && s->in[i]->pulling) {
			sy_held_free(s->in[i]);
			sy_pull_stop(s->in[i]);
			n++;
		}
	if (n > 0)
		mf_info("sync: received blocks not yet committed were dropped; %d stream%s start again",
			n, n == 1 ? "" : "s");
}

/* The open group committed when nothing more is queued, or after a live
 * push; should that commit fail, every stream starts again.  Called
 * between steps only (no held frame in use). */
static void
group_settle(mf_sync *s, int commit)
{
	char err[256];

	if (commit && mf_records_apply_flush(s->node, err, sizeof(err)) != 0) {
		s->c.store_errors++;
		mf_err("sync: store error committing received blocks: %s (they will be pulled again)",
		       err);
		streams_restart(s, NULL);
	}
}

int
sy_pull_slices(mf_sync *s)
{
	int more = 0, queued = 0;

	for (size_t i = 0; i < s->n_peers; i++) {
		session *ss = s->peers[i].out;

		if (ss && ss->held)
			batch_slice(s, ss);
		if (ss && ss->held == NULL)
			held_drain(s, ss);
		more |= ss && ss->held;
		queued |= ss && (ss->held || ss->nq > 0);
	}
	for (size_t i = 0; i < s->n_in; i++) {
		session *ss = s->in[i];

		if (ss->held)
			batch_slice(s, ss);
		if (ss->held == NULL)
			held_drain(s, ss);
		more |= ss->held != NULL;
		queued |= ss->held || ss->nq > 0;
	}
	/* nothing left to apply now: what the group holds is committed (a
	 * catch-up keeps its batches queued behind the one applied) */
	group_settle(s, !queued);
	return more;
}
