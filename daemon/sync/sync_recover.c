/*
 * sync_recover.c — a region never reuses its own seq (doc/OPERATIONS.md).
 *
 * Our own chain is the one thing no peer can repair behind our back: if
 * this node seals seq N twice with different content, the federation holds
 * a fork of our region for good.  So:
 *
 *  - a store that is new (and we have peers) or was restored from a
 *    backup (`mentorfed restore` marks it) first recovers our own chain
 *    from the peers, and refuses local writes until it holds as much of it
 *    as any of them;
 *  - a peer that holds more of our own chain than our store does means our
 *    store went back (restored by hand, or lost commits): local writes stop
 *    and our chain is pulled back first;
 *  - with no peer reachable, local writes go on: the transactions that seal
 *    our own blocks are durable (store_write.c), so a store that was not
 *    put back holds everything it ever sent;
 *  - a fork of our own origin found anyway (two signed blocks for one seq)
 *    stops local writes until the operator runs `mentorfed fork adopt`;
 *    a node that holds more of a region than the region itself asks it for
 *    its head block, so that both sides of a fork see it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "apply.h"
#include "log.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "sync.h"
#include "sync_int.h"
#include "sync_recover.h"
#include "util.h"

#define RESEAL_FILE "fork-reseal.jsonl"

static const char msg_new[] =
	"the node is recovering its own records from peers after losing its store; try again when 'mentorfed status' no longer says recovering";
static const char msg_restored[] =
	"the node is recovering its own records from peers after a restore: a peer may hold later records of this region than the backup; try again when 'mentorfed status' no longer says recovering";

static const char msg_back[] =
	"the node is recovering its own records from peers: its store ends below the records it sealed (the store was put back); try again when 'mentorfed status' no longer says recovering";

/* Forks of our own origin not yet resolved by `fork adopt`. */
static int64_t
own_forks_open(mf_sync *s)
{
	int64_t n = mf_store_forks(s->node->store, s->node->cfg->region);

	if (n <= 0)
		return 0;
	return n - mf_store_meta_get_i64(s->node->store, "own_forks_resolved", 0);
}

/* node->writes_refused is one switch with several owners (this file; the
 * scrub, for a damaged store): a reason already there stays, ours is put
 * back when the other is lifted first, and only ours is ever cleared here. */
static void
refuse_writes(mf_sync *s, const char *why)
{
	mf_node *n = s->node;

	if (n->writes_refused[0] == '\0' || strcmp(n->writes_refused, s->refusal) == 0)
		snprintf(n->writes_refused, sizeof(n->writes_refused), "%s", why);
	snprintf(s->refusal, sizeof(s->refusal), "%s", why);
}

static void
allow_writes(mf_sync *s)
{
	if (strcmp(s->node->writes_refused, s->refusal) == 0)
		s->node->writes_refused[0] = '\0';
	s->refusal[0] = '\0';
}

static void
refusal_reassert(mf_sync *s)
{
	if (s->refusal[0] && s->node->writes_refused[0] == '\0')
		snprintf(s->node->writes_refused, sizeof(s->node->writes_refused), "%s", s->refusal);
}

static void
fork_enter(mf_sync *s)
{
	const char *own = s->node->cfg->region;

	char why[256];

	s->own_fork = 1;
	s->own_fork_seq = mf_store_fork_first(s->node->store, own);
	snprintf(why, sizeof(why),
		 "region %s's own history forked at seq %llu (another node holds different signed records of %s for the same seqs); local writes are stopped: see doc/OPERATIONS.md, 'mentorfed fork adopt'",
		 own, (unsigned long long)s->own_fork_seq, own);
	refuse_writes(s, why);
	mf_err("sync: FORK of this node's own region %s at seq %llu: local writes stopped; 'mentorfed fork adopt' takes the chain the federation holds and seals the local-only records again after it",
	       own, (unsigned long long)s->own_fork_seq);
}

/* Start recovering our own chain: persisted, so that a restart keeps it. */
static void
recover_enter(mf_sync *s, const char *why)
{
	s->recovering = 1;
	refuse_writes(s, why);
	mf_store_meta_set(s->node->store, "sync_recovering", "1");
}

void
sy_recover_init(mf_sync *s)
{
	mf_node *node = s->node;
	const char *own = node->cfg->region;
	int restored = mf_store_meta_get_i64(node->store, "restored", 0) != 0;
	uint64_t have = mf_store_vv(node->store, own, NULL);
	uint64_t mark = mf_store_seal_mark(node->store);
	const char *why = restored ? "was restored from a backup" :
				     "is new and holds none of its own records";
	char buf[8], went_back[160];

	/* Disaster recovery: a node whose store was just created, whose own
	 * chain is empty and that has peers first learns its own chain from
	 * them. */
	if (node->store_was_new && have == 0 && s->n_peers > 0)
		mf_store_meta_set(node->store, "sync_recovering", "1");
	/* A store that ends below what this node sealed went back behind
	 * our back (a file copied over it): it recovers first too. */
	if (mark > have && !restored) {
		snprintf(went_back, sizeof(went_back),
			 "holds its own records only to seq %llu but this node sealed them up to seq %llu (put back by hand?)",
			 (unsigned long long)have, (unsigned long long)mark);
		why = went_back;
		mf_store_meta_set(node->store, "sync_recovering", "1");
	}
	if (mf_store_meta_get(node->store, "sync_recovering", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "1") == 0) {
		if (s->n_peers == 0) {
			/* Nobody to ask: the operator restored a lone node. */
			mf_warn("sync: the store of %s %s, but no peer is configured to recover its own records from: local writes continue after seq %llu",
				own, why, (unsigned long long)have);
			mf_store_meta_set(node->store, "sync_recovering", "0");
			mf_store_meta_set(node->store, "restored", "0");
			if (mark > have)
				mf_store_seal_mark_set(node->store, have);
		} else {
			s->recovering = 1;
			refuse_writes(s, restored ? msg_restored : mark > have ? msg_back : msg_new);
			mf_warn("sync: the store of %s %s: recovering its own records from peers before any local write (held to seq %llu)",
				own, why, (unsigned long long)have);
		}
	}
	if (own_forks_open(s) > 0)
		fork_enter(s);
}

/* How far the ready peers hold our own chain; counts ready sessions and
 * configured peers with a ready link. */
static uint64_t
best_known_own(mf_sync *s, size_t *ready, size_t *configured_ready)
{
	const char *own = s->node->cfg->region;
	uint64_t best = 0;

	*ready = *configured_ready = 0;
	for (size_t i = 0; i < s->n_peers; i++) {
		int up = sy_sess_ready(s->peers[i].out);
		for (size_t j = 0; j < s->n_in && !up; j++)
			up = sy_sess_ready(s->in[j]) && strcmp(s->in[j]->key, s->peers[i].key) == 0;
		if (up)
			(*configured_ready)++;
	}
	for (size_t i = 0; i < s->n_peers; i++) {
		session *ss = s->peers[i].out;
		if (sy_sess_ready(ss)) {
			(*ready)++;
			if (sy_vv_get(&ss->known, own) > best)
				best = sy_vv_get(&ss->known, own);
		}
	}
	for (size_t j = 0; j < s->n_in; j++)
		if (sy_sess_ready(s->in[j])) {
			(*ready)++;
			if (sy_vv_get(&s->in[j]->known, own) > best)
				best = sy_vv_get(&s->in[j]->known, own);
		}
	return best;
}

static int
own_being_pulled(mf_sync *s)
{
	const char *own = s->node->cfg->region;

	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out && s->peers[i].out->pulling &&
		    strcmp(s->peers[i].out->pull_origin, own) == 0)
			return 1;
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i]->pulling && strcmp(s->in[i]->pull_origin, own) == 0)
			return 1;
	return 0;
}

/* After `fork adopt`: seal the saved local-only records again, after the
 * chain recovered from the federation, as new versions. */
static void
reseal_pending(mf_sync *s)
{
	char *path = mf_path(s->node->dir, RESEAL_FILE), *buf = NULL, err[512];
	json_t *arr, *rep;
	size_t len, n_skipped = 0;

	if (access(path, F_OK) != 0) {
		free(path);
		return;
	}
	if (mf_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		mf_err("sync: fork adopt: cannot read the saved local-only records: %s", err);
		free(path);
		return;
	}
	arr = json_array();
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		json_t *r;
		const char *id;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (*line == '\0' || (r = json_loads(line, 0, NULL)) == NULL)
			continue;
		/* The stored fields are the forked version's: new ones are made. */
		json_object_del(r, "origin");
		json_object_del(r, "seq");
		json_object_del(r, "hlc");
		json_object_del(r, "hash");
		id = json_string_value(json_object_get(r, "id"));
		if (json_is_true(json_object_get(r, "deleted")) && id != NULL) {
			mf_record *cur = mf_store_get(s->node->store, id);
			/* Deleting what the federation never had: nothing to do. */
			if (cur == NULL || cur->deleted) {
				mf_record_free(cur);
				json_decref(r);
				n_skipped++;
				continue;
			}
			mf_record_free(cur);
		}
		json_array_append_new(arr, r);
	}
	free(buf);
	rep = json_array_size(arr) > 0 ? mf_records_put(s->node, arr) : mf_reply_ok();
	if (json_is_true(json_object_get(rep, "ok"))) {
		char *done = mf_path(s->node->dir, RESEAL_FILE ".done");

		mf_info("sync: fork adopt: %zu local-only record(s) of %s sealed again after the federation's chain (%lld changed, seq %lld..%lld; %zu deletion(s) of records the federation never had skipped)",
			json_array_size(arr), s->node->cfg->region,
			(long long)json_integer_value(json_object_get(rep, "changed")),
			(long long)json_integer_value(json_object_get(rep, "first_seq")),
			(long long)json_integer_value(json_object_get(rep, "last_seq")), n_skipped);
		if (rename(path, done) != 0)
			unlink(path);
		free(done);
		sy_request_announce(s);
	} else {
		mf_err("sync: fork adopt: sealing the saved local-only records again failed: %s; they stay in %s",
		       json_string_value(json_object_get(rep, "error")), path);
	}
	json_decref(rep);
	json_decref(arr);
	free(path);
}

static void probe_behind(mf_sync *s, session *ss);

void
sy_recovery_check(mf_sync *s)
{
	const char *own = s->node->cfg->region;
	uint64_t have, best, mark;
	size_t ready, configured_ready;

	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			probe_behind(s, s->peers[i].out);
	for (size_t i = 0; i < s->n_in; i++)
		probe_behind(s, s->in[i]);
	refusal_reassert(s);
	if (s->own_fork)
		return;
	if (own_forks_open(s) > 0) {
		fork_enter(s);
		return;
	}
	if (s->first_hello_ms == 0)
		return;
	have = mf_store_vv(s->node->store, own, NULL);
	best = best_known_own(s, &ready, &configured_ready);
	if (!s->recovering) {
		/* A peer holds more of our own chain than our store: the store
		 * went back.  Writing now would seal those seqs again. */
		if (best > have) {
			char why[256];

			snprintf(why, sizeof(why),
				 "a peer holds records of %s up to seq %llu but this store only to %llu (restored or rolled back): the node recovers them first; try again when 'mentorfed status' no longer says recovering",
				 own, (unsigned long long)best, (unsigned long long)have);
			mf_warn("sync: %s", why);
			recover_enter(s, why);
		}
		return;
	}
	if (ready == 0 || own_being_pulled(s) || have < best)
		return;
	if (configured_ready < s->n_peers &&
	    s->now < s->first_hello_ms + s->node->cfg->peer_timeout_ms)
		return;	/* give the other peers a chance to say what they hold */
	s->recovering = 0;
	allow_writes(s);
	mf_store_meta_set(s->node->store, "sync_recovering", "0");
	mf_store_meta_set(s->node->store, "restored", "0");
	mf_info("sync: recovery done: %s's own chain recovered from peers up to seq %llu; local writes continue at seq %llu",
		own, (unsigned long long)have, (unsigned long long)(have + 1));
	if ((mark = mf_store_seal_mark(s->node->store)) > have) {
		/* Sealed here, lost with the store, and held by no peer that
		 * answered (most likely never sent): taken again from here. */
		mf_warn("sync: seq %llu..%llu of %s were sealed here but are held by no peer that answered: they are lost",
			(unsigned long long)(have + 1), (unsigned long long)mark, own);
		mf_store_seal_mark_set(s->node->store, have);
	}
	reseal_pending(s);
}

/* Ask ss for origin's blocks after `after`, as a pull of one batch. */
static void
probe(mf_sync *s, session *ss, const char *origin, uint64_t after)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Want w = MENTORFED__WIRE__WANT__INIT;

	if (ss->pulling)
		return;
	w.origin = (char *)origin;
	w.after = after;
	w.credit = 1;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_WANT;
	f.want = &w;
	if (sy_sess_send(s, ss, &f) != 0)
		return;
	ss->pulling = 1;
	mf_strlcpy(ss->pull_origin, origin, sizeof(ss->pull_origin));
	ss->pull_pos = ss->pull_start = after;
	ss->pull_target = after + 1;
	ss->pull_complete_to = 0;
	ss->pull_last_ms = s->now;
}

/* The peer's own region, held by it less far than by us: it was restored
 * (then its head block is ours: a duplicate), or it forked (then its head
 * block differs, and the fork is recorded here too: both sides show it). */
static void
probe_behind(mf_sync *s, session *ss)
{
	uint64_t self, held;

	if (!sy_sess_ready(ss) || ss->region[0] == '\0' ||
	    strcmp(ss->region, s->node->cfg->region) == 0 ||
	    mf_keyring_get(s->node->keyring, ss->region) == NULL)
		return;
	self = sy_vv_get(&ss->known, ss->region);
	held = mf_store_vv(s->node->store, ss->region, NULL);
	if (ss->probed_self != 0 && self > held) {
		/* The region, once behind on its own chain, now holds more of it
		 * than we do (it recovered, or adopted our chain after a fork):
		 * the back-off our probe's rejection set is lifted once. */
		for (size_t i = 0; i < ss->n_blk; i++)
			if (strcmp(ss->blk[i].origin, ss->region) == 0)
				ss->blk[i].until_ms = 0;
		ss->probed_self = 0;
		return;
	}
	if (self == 0 || self >= held || ss->probed_self == self || ss->pulling)
		return;
	ss->probed_self = self;
	mf_info("sync: peer %s holds its own region %s only to seq %llu, this node to %llu: asking for its head block (a restore, or a fork)",
		sy_sess_name(ss), ss->region, (unsigned long long)self, (unsigned long long)held);
	probe(s, ss, ss->region, self - 1);
}

void
sy_recover_on_announce(mf_sync *s, session *ss)
{
	(void)ss;
	sy_recovery_check(s);
}

void
sy_recover_on_error(mf_sync *s, session *ss, const Mentorfed__Wire__Error *e)
{
	const char *own = s->node->cfg->region, *p;
	uint64_t seq;

	/* "block of XX at seq N rejected: fork: ..." about our own origin:
	 * the peer holds a different chain of ours.  Ask it for its block at
	 * N so that the fork is proven here too (evidence, then stop). */
	if (e->code != MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_REJECTED || e->origin == NULL ||
	    e->message == NULL || strstr(e->message, ": fork") == NULL ||
	    (p = strstr(e->message, " at seq ")) == NULL)
		return;
	seq = strtoull(p + 8, NULL, 10);
	if (seq == 0)
		return;
	if (strcmp(e->origin, own) == 0 && !s->own_fork) {
		mf_warn("sync: peer %s reports a fork of this node's own region %s at seq %llu: fetching its block to compare",
			sy_sess_name(ss), own, (unsigned long long)seq);
		probe(s, ss, own, seq - 1);
	} else if (strcmp(e->origin, ss->region) == 0 && ss->probed_fork != seq &&
		   mf_store_vv(s->node->store, e->origin, NULL) >= seq) {
		/* The peer's own chain differs from the one we hold of it:
		 * its block at seq, proven here too. */
		ss->probed_fork = seq;
		mf_warn("sync: peer %s reports a fork of its own region %s at seq %llu against the chain held here: fetching its block to compare",
			sy_sess_name(ss), e->origin, (unsigned long long)seq);
		probe(s, ss, e->origin, seq - 1);
	}
}

/* ---------------------------------------------------------------- API */

json_t *
mf_sync_own_state(mf_sync *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "recovering", json_boolean(s->recovering));
	json_object_set_new(j, "own_fork", json_boolean(s->own_fork));
	if (s->own_fork)
		json_object_set_new(j, "own_fork_seq", json_integer((json_int_t)s->own_fork_seq));
	json_object_set_new(j, "held", json_integer((json_int_t)mf_store_vv(
					       s->node->store, s->node->cfg->region, NULL)));
	if (s->node->writes_refused[0])
		json_object_set_new(j, "writes_refused", json_string(s->node->writes_refused));
	return j;
}

typedef struct save_ctx {
	FILE *f;
	uint64_t from;
	size_t n;
	int err;
} save_ctx;

static int
save_fn(void *arg, const mf_record *r)
{
	save_ctx *c = arg;
	json_t *o;
	char *line;

	if (r->seq < c->from)
		return 0;
	if ((o = mf_record_json(r)) == NULL || (line = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		c->err = 1;
		return -1;
	}
	if (fprintf(c->f, "%s\n", line) < 0)
		c->err = 1;
	free(line);
	json_decref(o);
	c->n++;
	return c->err ? -1 : 0;
}

static void
unblock_own(mf_sync *s, session *ss)
{
	for (size_t i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, s->node->cfg->region) == 0)
			ss->blk[i].until_ms = 0;
	if (ss->pulling && strcmp(ss->pull_origin, s->node->cfg->region) == 0)
		sy_pull_stop(ss);
}

int
mf_sync_fork_adopt(mf_sync *s, char *msg, size_t msglen)
{
	const char *own = s->node->cfg->region;
	char *path, *tmp, err[512], buf[32];
	save_ctx c = { NULL, 0, 0, 0 };
	uint64_t from;

	if (!s->own_fork) {
		snprintf(msg, msglen, "no fork of this node's own region %s is open", own);
		return -1;
	}
	if (s->n_peers == 0) {
		snprintf(msg, msglen, "no peer is configured to take %s's chain from", own);
		return -1;
	}
	from = s->own_fork_seq ? s->own_fork_seq : 1;
	path = mf_path(s->node->dir, RESEAL_FILE);
	if (access(path, F_OK) == 0) {
		snprintf(msg, msglen, "%s already holds records waiting to be sealed again", path);
		free(path);
		return -1;
	}
	/* Save first, durably: the cut below deletes them from the store. */
	tmp = mf_path(s->node->dir, RESEAL_FILE ".tmp");
	if ((c.f = fopen(tmp, "w")) == NULL) {
		snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
		goto bad;
	}
	c.from = from;
	if (mf_store_each(s->node->store, NULL, own, 1, save_fn, &c) != 0 || c.err ||
	    fflush(c.f) != 0 || fsync(fileno(c.f)) != 0) {
		snprintf(msg, msglen, "cannot save the local-only records to %s", tmp);
		fclose(c.f);
		unlink(tmp);
		goto bad;
	}
	fclose(c.f);
	if (rename(tmp, path) != 0) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto bad;
	}
	if (mf_records_truncate_origin(s->node, own, from, err, sizeof(err)) != 0) {
		snprintf(msg, msglen, "cutting %s's chain back to seq %llu: %s", own,
			 (unsigned long long)(from - 1), err);
		unlink(path);
		goto bad;
	}
	/* The fork stays as evidence; it no longer stops writes. */
	snprintf(buf, sizeof(buf), "%lld", (long long)mf_store_forks(s->node->store, own));
	mf_store_meta_set(s->node->store, "own_forks_resolved", buf);
	s->own_fork = 0;
	s->own_fork_seq = 0;
	/* Pull our chain at once, from whichever peer holds it: the fork's
	 * rejections blocked our origin on those links for a while. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			unblock_own(s, s->peers[i].out);
	for (size_t i = 0; i < s->n_in; i++)
		unblock_own(s, s->in[i]);
	recover_enter(s, "the node adopts the chain the federation holds after a fork of its own region and recovers it from peers; try again when 'mentorfed status' no longer says recovering");
	mf_warn("sync: fork adopt: %zu local-only record(s) of %s from seq %llu on saved to %s; chain cut back to seq %llu; recovering it from peers",
		c.n, own, (unsigned long long)from, path, (unsigned long long)(from - 1));
	snprintf(msg, msglen,
		 "%zu local-only record(s) from seq %llu saved to %s; %s's chain is cut back to seq %llu and recovered from peers, then the saved records are sealed again after it",
		 c.n, (unsigned long long)from, path, own, (unsigned long long)(from - 1));
	free(path);
	free(tmp);
	return 0;
bad:
	free(path);
	free(tmp);
	return -1;
}
