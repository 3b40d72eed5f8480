/*
 * sync_serve.c — serving: a peer's wants (origin, after, credit) become
 * batches of blocks with their current versions, read from the store up to
 * what this node can prove complete (mf_store_servable), one batch per
 * credit, round robin over streams.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

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

static int
collect_vv(void *arg, const char *origin, uint64_t seq)
{
	vv_collect *vc = arg;

	(void)seq;
	if (vc->n >= VV_MAX)
		return 1;
	if (vc->n == vc->cap) {
		size_t nc = vc->cap ? vc->cap * 2 : 16;
		vc->ents = mf_xrealloc(vc->ents, nc * sizeof(*vc->ents));
		vc->ptrs = mf_xrealloc(vc->ptrs, nc * sizeof(*vc->ptrs));
		vc->origins = mf_xrealloc(vc->origins, nc * sizeof(*vc->origins));
		vc->cap = nc;
	}
	mf_strlcpy(vc->origins[vc->n], origin, MF_REGION_MAX);
	vc->n++;
	return 0;
}

/* Our servable vector as wire entries (free with vv_collect_free). */
void
sy_vv_build(mf_sync *s, vv_collect *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->s = s;
	mf_store_vv_each(s->node->store, collect_vv, vc);
	for (size_t i = 0; i < vc->n; i++) {
		mentorfed__wire__vv_entry__init(&vc->ents[i]);
		vc->ents[i].origin = vc->origins[i];
		vc->ents[i].seq = mf_store_servable(s->node->store, vc->origins[i]);
	}
	for (size_t i = 0; i < vc->n; i++)
		vc->ptrs[i] = &vc->ents[i];
}

void
sy_vv_collect_free(vv_collect *vc)
{
	free(vc->ents);
	free(vc->ptrs);
	free(vc->origins);
}

/* -------------------------------------------------- versions and kinds */

/* The kinds of the first release (0.1.0): what a node of protocol 1 knows.
 * Frozen: a kind added later belongs to the version that added it. */
static const char *const kinds_v1[] = {
	"region", "school", "competency_card", "mentoring_practice", "mentoring_pair",
	"roadmap", "roadmap_item", "roadmap_item_report", "target", "event",
	"internship_offer", "internship_application", "internship_decision",
	"self_diagnosis",
};

unsigned
sy_kind_proto(const char *kind, size_t len)
{
	for (size_t i = 0; i < sizeof(kinds_v1) / sizeof(kinds_v1[0]); i++)
		if (strlen(kinds_v1[i]) == len && memcmp(kinds_v1[i], kind, len) == 0)
			return 1;
	return MF_PROTOCOL_KINDS;
}

/* Where each origin's chain first holds a kind newer than protocol 1.  A
 * chain only grows (a restore or an adopted fork that shrinks it resets
 * the entry), so each block is decoded once, not at every Hello. */
typedef struct proto_mark {
	char origin[MF_REGION_MAX];
	const mf_store *store;
	uint64_t scanned;	/* blocks up to here hold protocol-1 kinds only */
	uint64_t newer;		/* first_seq of the first block that does not, or 0 */
} proto_mark;

static proto_mark *marks;
static size_t n_marks, cap_marks;

static proto_mark *
mark_of(mf_sync *s, const char *origin)
{
	for (size_t i = 0; i < n_marks; i++)
		if (marks[i].store == s->node->store && strcmp(marks[i].origin, origin) == 0)
			return &marks[i];
	if (n_marks == cap_marks) {
		cap_marks = cap_marks ? cap_marks * 2 : 16;
		marks = mf_xrealloc(marks, cap_marks * sizeof(*marks));
	}
	memset(&marks[n_marks], 0, sizeof(marks[n_marks]));
	mf_strlcpy(marks[n_marks].origin, origin, sizeof(marks[n_marks].origin));
	marks[n_marks].store = s->node->store;
	return &marks[n_marks++];
}

static int
scan_block(void *arg, const uint8_t *header, size_t header_len, const uint8_t *sig,
	   uint64_t first_seq, uint64_t last_seq)
{
	proto_mark *m = arg;
	Mentorfed__BlockHeader *h;
	int newer = 0;

	(void)sig;
	h = mentorfed__block_header__unpack(NULL, header_len, header);
	if (h == NULL)
		return 1;	/* the store verified it; do not guess past it */
	for (size_t i = 0; i < h->n_leaves && !newer; i++) {
		const char *id = h->leaves[i]->id;
		const char *k = strchr(id, ':');
		const char *e = k ? strchr(k + 1, ':') : NULL;

		if (e != NULL && sy_kind_proto(k + 1, (size_t)(e - k - 1)) > 1)
			newer = 1;
	}
	mentorfed__block_header__free_unpacked(h, NULL);
	if (newer) {
		m->newer = first_seq;
		return 1;
	}
	m->scanned = last_seq;
	return 0;
}

uint64_t
sy_proto_limit(mf_sync *s, const char *origin, unsigned proto, uint64_t upto)
{
	proto_mark *m;

	if (proto >= MF_PROTOCOL_KINDS)
		return upto;
	m = mark_of(s, origin);
	if (m->newer == 0 && upto < m->scanned)
		m->scanned = 0;		/* the chain shrank: look again */
	while (m->newer == 0 && m->scanned < upto) {
		uint64_t before = m->scanned;

		if (mf_store_blocks_after(s->node->store, origin, m->scanned, BATCH_MAX_BLOCKS,
					  scan_block, m) <= 0 || (m->newer == 0 && m->scanned == before))
			break;
	}
	if (m->newer != 0 && m->newer - 1 < upto)
		return m->newer - 1;
	if (m->newer == 0 && m->scanned < upto)
		return m->scanned;	/* unreadable: serve what was read */
	return upto;
}

/* ---------------------------------------------------------------- serving */

typedef struct batch_build {
	mf_sync *s;
	const char *origin;
	uint64_t limit_seq;	/* serve blocks up to here */
	Mentorfed__Wire__BlockOnWire *bw;
	Mentorfed__Wire__BlockOnWire **bp;
	size_t n;
	size_t bytes;
	uint64_t first_seq, last_seq;
	/* versions of the block being filled */
	ProtobufCBinaryData *vers;
	size_t nv, capv;
} batch_build;

static int
collect_version(void *arg, uint64_t seq, const uint8_t *v, size_t len)
{
	batch_build *b = arg;
	uint8_t *copy;

	(void)seq;
	if (b->nv == b->capv) {
		size_t nc = b->capv ? b->capv * 2 : 64;
		b->vers = mf_xrealloc(b->vers, nc * sizeof(*b->vers));
		b->capv = nc;
	}
	copy = mf_xmalloc(len ? len : 1);
	memcpy(copy, v, len);
	b->vers[b->nv].data = copy;
	b->vers[b->nv].len = len;
	b->nv++;
	b->bytes += len + 4;
	return 0;
}

static int
collect_block(void *arg, const uint8_t *header, size_t header_len, const uint8_t *sig,
	      uint64_t first_seq, uint64_t last_seq)
{
	batch_build *b = arg;
	Mentorfed__Wire__BlockOnWire *w;

	if (last_seq > b->limit_seq || b->n >= BATCH_MAX_BLOCKS ||
	    (b->n > 0 && b->bytes >= BATCH_TARGET_BYTES))
		return 1;
	w = &b->bw[b->n];
	mentorfed__wire__block_on_wire__init(w);
	w->header.data = mf_xmalloc(header_len ? header_len : 1);
	w->signature.data = mf_xmalloc(MF_SIG_LEN);
	memcpy(w->header.data, header, header_len);
	w->header.len = header_len;
	memcpy(w->signature.data, sig, MF_SIG_LEN);
	w->signature.len = MF_SIG_LEN;
	b->nv = 0;
	b->vers = NULL;
	b->capv = 0;
	if (mf_store_versions_in(b->s->node->store, b->origin, first_seq, last_seq,
				 collect_version, b) < 0) {
		for (size_t i = 0; i < b->nv; i++)
			free(b->vers[i].data);
		free(b->vers);
		free(w->header.data);
		free(w->signature.data);
		return 1;
	}
	w->versions = b->vers;
	w->n_versions = b->nv;
	b->bytes += header_len + MF_SIG_LEN + 16;
	b->bp[b->n] = w;
	if (b->n == 0)
		b->first_seq = first_seq;
	b->last_seq = last_seq;
	b->n++;
	sy_keepalive(b->s);	/* building a large batch takes a while */
	return 0;
}

static void
batch_free(batch_build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t j = 0; j < b->bw[i].n_versions; j++)
			free(b->bw[i].versions[j].data);
		free(b->bw[i].versions);
		free(b->bw[i].header.data);
		free(b->bw[i].signature.data);
	}
	free(b->bw);
	free(b->bp);
}

/* Send the next batch of stream st; 1 when the stream is over, 0 when it
 * goes on, -1 when the send would block (retry later). */
static int
serve_step(mf_sync *s, session *ss, serve_stream *st)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Batch bm = MENTORFED__WIRE__BATCH__INIT;
	batch_build b;
	uint64_t safe = mf_store_servable(s->node->store, st->origin);
	int rc, end;

	/* A peer of an older protocol gets the chain up to the block before
	 * the first one it could not read, as if we held no more. */
	safe = sy_proto_limit(s, st->origin, sy_sess_proto(ss), safe);

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.origin = st->origin;
	b.limit_seq = safe;
	b.bw = mf_xcalloc(BATCH_MAX_BLOCKS, sizeof(*b.bw));
	b.bp = mf_xcalloc(BATCH_MAX_BLOCKS, sizeof(*b.bp));
	if (st->after < safe)
		mf_store_blocks_after(s->node->store, st->origin, st->after, BATCH_MAX_BLOCKS,
				      collect_block, &b);
	bm.origin = st->origin;
	bm.after = b.n > 0 && b.first_seq <= st->after ? b.first_seq - 1 : st->after;
	bm.n_blocks = b.n;
	bm.blocks = b.bp;
	bm.complete_to = safe;
	end = (b.n > 0 ? b.last_seq : st->after) >= safe;
	if (b.n == 0 && st->after < safe)
		end = 1;	/* nothing servable although behind: should not happen */
	bm.end = end;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_BATCH;
	f.batch = &bm;
	rc = sy_sess_send(s, ss, &f);
	if (rc == 0) {
		s->c.batches_tx++;
		s->c.blocks_sent += b.n;
		for (size_t i = 0; i < b.n; i++)
			s->c.versions_sent += b.bw[i].n_versions;
		if (b.n > 0)
			st->after = b.last_seq;
		st->credit--;
	}
	batch_free(&b);
	if (rc != 0)
		return -1;
	return end;
}

/* Serve one batch on each stream of ss that has credit.  1 when more
 * serving work is pending. */
static int
serve_session(mf_sync *s, session *ss)
{
	int more = 0;

	for (size_t i = 0; i < ss->n_st;) {
		serve_stream *st = &ss->st[i];
		int r;

		if (st->credit == 0 || ss->dead || !sy_sess_ready(ss)) {
			i++;
			continue;
		}
		r = serve_step(s, ss, st);
		if (r == 1) {
			ss->st[i] = ss->st[--ss->n_st];
			continue;
		}
		if (r == 0 && st->credit > 0)
			more = 1;
		i++;
	}
	return more;
}

int
sy_serve_all(mf_sync *s)
{
	int more = 0;

	/* No list of sessions with a fixed size: any number of peers. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			more |= serve_session(s, s->peers[i].out);
	for (size_t i = 0; i < s->n_in; i++)
		more |= serve_session(s, s->in[i]);
	return more;
}

void
sy_on_want(mf_sync *s, session *ss, const char *origin, uint64_t after, uint32_t credit)
{
	size_t i;

	if (!sy_region_ok(origin)) {
		s->c.malformed++;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
			   "want: origin is not a region code");
		return;
	}
	if (credit == 0)
		credit = 1;
	if (credit > CREDIT_MAX)
		credit = CREDIT_MAX;
	for (i = 0; i < ss->n_st; i++)
		if (strcmp(ss->st[i].origin, origin) == 0)
			break;
	if (i == ss->n_st) {
		if (ss->n_st == STREAMS_MAX) {
			sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
				   "too many streams at once (limit %d)", STREAMS_MAX);
			return;
		}
		ss->n_st++;
	}
	mf_strlcpy(ss->st[i].origin, origin, sizeof(ss->st[i].origin));
	ss->st[i].after = after;
	ss->st[i].credit = credit;
}

void
sy_on_credit(mf_sync *s, session *ss, const char *origin, uint32_t credit)
{
	for (size_t i = 0; i < ss->n_st; i++)
		if (strcmp(ss->st[i].origin, origin) == 0) {
			uint64_t c = (uint64_t)ss->st[i].credit + credit;
			ss->st[i].credit = c > CREDIT_MAX ? CREDIT_MAX : (uint32_t)c;
			return;
		}
	s->c.unexpected++;
}

/* ------------------------------------------------------------------ push */

/* The largest push: a commit of more than this goes the announce → want
 * way (a bulk write is better streamed with credit than sent unasked). */
#define PUSH_MAX_BLOCKS 8
#define PUSH_MAX_BYTES (256u * 1024)

static void
heads_set(vvmap *m, const char *origin, uint64_t seq)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].origin, origin) == 0) {
			m->e[i].seq = seq;
			return;
		}
	sy_vv_raise(m, origin, seq);
}

static int
stream_open(const session *ss, const char *origin)
{
	for (size_t i = 0; i < ss->n_st; i++)
		if (strcmp(ss->st[i].origin, origin) == 0)
			return 1;
	return 0;
}

/* Send origin's blocks after..upto to ss as one Batch with end set, as if
 * it had sent Want{origin, after, 1}.  Nothing is sent when they do not
 * fit one small batch or the send would block: the Announce that follows
 * gets them to the peer the usual way. */
static void
push_one(mf_sync *s, session *ss, const char *origin, uint64_t after, uint64_t upto)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Batch bm = MENTORFED__WIRE__BATCH__INIT;
	batch_build b;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.origin = origin;
	b.limit_seq = upto;
	b.bw = mf_xcalloc(PUSH_MAX_BLOCKS, sizeof(*b.bw));
	b.bp = mf_xcalloc(PUSH_MAX_BLOCKS, sizeof(*b.bp));
	mf_store_blocks_after(s->node->store, origin, after, PUSH_MAX_BLOCKS, collect_block, &b);
	if (b.n == 0 || b.last_seq != upto || b.bytes > PUSH_MAX_BYTES || b.first_seq > after + 1) {
		s->c.pushes_dropped++;
		goto out;
	}
	bm.origin = (char *)origin;
	bm.after = after;
	bm.n_blocks = b.n;
	bm.blocks = b.bp;
	bm.complete_to = upto;
	bm.end = 1;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_BATCH;
	f.batch = &bm;
	if (sy_sess_send(s, ss, &f) == 0) {
		s->c.pushes_tx++;
		s->c.batches_tx++;
		s->c.blocks_sent += b.n;
		for (size_t i = 0; i < b.n; i++)
			s->c.versions_sent += b.bw[i].n_versions;
	} else {
		s->c.pushes_dropped++;
	}
out:
	batch_free(&b);
}

static void
push_session(mf_sync *s, session *ss, const vv_collect *vc)
{
	if (ss == NULL || ss->dead || sy_sess_proto(ss) < MF_PROTOCOL_PUSH ||
	    !sy_sess_is_puller(s, ss))
		return;
	for (size_t i = 0; i < vc->n; i++) {
		const char *origin = vc->ents[i].origin;
		uint64_t now = vc->ents[i].seq, head = sy_vv_get(&s->heads, origin);

		/* Caught up: the peer's own word (Hello, Announce) is our head
		 * before these blocks.  Not the first block of an origin (the
		 * peer may not trust it), not back to the origin's own node,
		 * not while a stream of that origin runs on the link (it
		 * serves them). */
		if (now <= head || head == 0 || sy_vv_get(&ss->known, origin) != head ||
		    strcmp(ss->region, origin) == 0 || stream_open(ss, origin))
			continue;
		push_one(s, ss, origin, head, now);
	}
}

void
sy_push_all(mf_sync *s, const vv_collect *vc)
{
	/* Until the first Announce there are no heads to compare with. */
	if (s->heads_set) {
		for (size_t i = 0; i < s->n_peers; i++)
			push_session(s, s->peers[i].out, vc);
		for (size_t i = 0; i < s->n_in; i++)
			push_session(s, s->in[i], vc);
	}
	for (size_t i = 0; i < vc->n; i++)
		heads_set(&s->heads, vc->ents[i].origin, vc->ents[i].seq);
	s->heads_set = 1;
}
