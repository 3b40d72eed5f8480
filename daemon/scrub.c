/*
 * scrub.c — rot and corruption in the daemon (see scrub.h).
 *
 * Damage is noted by the store wherever it is met (a read that would
 * serve a rotten body, SQLite reporting SQLITE_CORRUPT, the check on
 * open, this file's checks).  Each loop turn this file looks at it:
 *
 *  - local writes stop (node->writes_refused, with the reason), because
 *    sealing new blocks onto a damaged chain or into a damaged file
 *    would spread it; they resume when a full check finds nothing wrong;
 *  - a foreign origin's damaged chain is cut back to the block before
 *    the damage (mf_records_truncate_origin): its vector goes down, so
 *    sync pulls the rest again from a peer that holds it intact, and the
 *    next check runs at once;
 *  - our own origin's chain is not cut: peers hold it, but they are the
 *    copies to recover from (doc/OPERATIONS.md): the operator decides.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "apply.h"
#include "log.h"
#include "reply.h"
#include "scrub.h"
#include "store.h"
#include "util.h"

#define REFUSE_PREFIX "local writes are stopped: the store is damaged: "
/* Between two background passes over an intact store. */
#define PASS_PAUSE_MS (10 * 60 * 1000)
/* A slice every 100 ms while a pass runs: rate/10 records each, few wakeups. */
#define SLICE_MS 100

static struct {
	mf_store *store;	/* the store the pass belongs to */
	mf_verify *v;		/* the pass in progress, or NULL */
	uint64_t last_ms, next_pass_ms, pass_start_ms;
	double credit;		/* records the pace allows now */
	uint64_t passes;
	int have_last;
	mf_verify_report last;
	uint64_t last_end_ms, last_took_ms;
	uint64_t refetch_after_ms;	/* a cut failed: not again before this */
	uint64_t pass_serial;		/* damage notes taken when the pass began */
	uint64_t looked_serial, looked_ms;	/* when damage was last looked at */
} sc;

static int
refused_by_us(const mf_node *n)
{
	return strncmp(n->writes_refused, REFUSE_PREFIX, strlen(REFUSE_PREFIX)) == 0;
}

/* Stop local writes while the store is known damaged.  Another reason
 * already set (recovery, a fork) stays: it is as much a refusal. */
static void
refuse_if_damaged(mf_node *n)
{
	char why[sizeof(n->writes_refused) - sizeof(REFUSE_PREFIX) + 1];

	if (!mf_store_damaged(n->store, why, sizeof(why)))
		return;
	if (n->writes_refused[0] == '\0') {
		snprintf(n->writes_refused, sizeof(n->writes_refused), "%s%s", REFUSE_PREFIX, why);
		mf_err("%s (see 'mentorfed verify' and 'Rot and corruption' in doc/OPERATIONS.md)",
		       n->writes_refused);
	}
}

typedef struct refetch {
	mf_node *node;
	int cut, failed;
} refetch;

static int
refetch_fn(void *arg, const char *origin, uint64_t seq, const char *id, const char *what)
{
	refetch *r = arg;
	char err[256];

	(void)what;
	if (origin[0] == '\0' || strcmp(origin, r->node->cfg->region) == 0 || seq == 0)
		return 0;	/* the file itself, or our own chain: the operator's */
	if (mf_records_truncate_origin(r->node, origin, seq, err, sizeof(err)) != 0) {
		mf_err("scrub: cannot cut %s's chain back before seq %llu to fetch it again: %s (tried again in a minute)",
		       origin, (unsigned long long)seq, err);
		r->failed++;
		return 0;
	}
	mf_store_damage_clear(r->node->store, origin);
	mf_warn("scrub: %s %s of %s (seq %llu) is damaged: %s's chain is cut back before it and fetched again from peers",
		id[0] ? "record" : "block", id[0] ? id : "", origin, (unsigned long long)seq, origin);
	r->cut++;
	return 0;
}

/* A full check ended: remember it, and when it found nothing wrong,
 * forget old damage and let local writes resume (unless SQLite still
 * reports the file corrupt).  Returns 1 when it was clean but damage was
 * noted while it ran: another check should follow at once. */
static int
pass_done(mf_daemon *d, const mf_verify_report *rep, uint64_t took_ms, uint64_t serial)
{
	mf_node *n = d->node;
	char why[256];

	sc.last = *rep;
	sc.have_last = 1;
	sc.passes++;
	sc.last_end_ms = mf_now_ms();
	sc.last_took_ms = took_ms;
	if (!mf_verify_report_clean(rep))
		return 0;
	/* damage noted while the check ran may lie behind its cursor */
	if (mf_store_damage_serial(n->store) != serial)
		return 1;
	mf_store_damage_clear(n->store, NULL);
	if (refused_by_us(n) && !mf_store_damaged(n->store, why, sizeof(why))) {
		n->writes_refused[0] = '\0';
		mf_info("scrub: the store checks clean (%llu records, %llu blocks): local writes resume",
			(unsigned long long)rep->records, (unsigned long long)rep->blocks);
	}
	return 0;
}

long
mf_scrub_tick(mf_daemon *d, uint64_t now)
{
	mf_node *n = d->node;
	unsigned rate = n->cfg->scrub_rate;
	refetch rf = { n, 0, 0 };
	size_t budget;

	if (sc.store != n->store) {	/* first turn, or the store was put back */
		mf_store_verify_free(sc.v);
		memset(&sc, 0, sizeof(sc));
		sc.store = n->store;
		sc.last_ms = now;
	}
	/* Damage is looked at when a note was taken, else every 250 ms (SQLite's
	 * corruption reports, meta): not two queries on every loop turn. */
	if (mf_store_damage_serial(n->store) == sc.looked_serial && now - sc.looked_ms < 250 &&
	    sc.looked_ms != 0)
		goto slice;
	sc.looked_serial = mf_store_damage_serial(n->store);
	sc.looked_ms = now;
	refuse_if_damaged(n);
	if (now >= sc.refetch_after_ms) {
		mf_store_damage_each(n->store, refetch_fn, &rf);
		if (rf.failed > 0)
			sc.refetch_after_ms = now + 60000;
		if (rf.cut > 0) {
			/* see at once whether that was all: a new pass */
			mf_store_verify_free(sc.v);
			sc.v = NULL;
			sc.next_pass_ms = now;
		}
	}
slice:
	if (rate == 0) {
		sc.last_ms = now;
		return -1;
	}
	sc.credit += (double)rate * (double)(now - sc.last_ms) / 1000.0;
	if (sc.credit > rate / 5.0 + 1)
		sc.credit = rate / 5.0 + 1;	/* 200 ms' worth at most: no burst after a stall */
	sc.last_ms = now;
	if (sc.v == NULL) {
		if (now < sc.next_pass_ms)
			return (long)(sc.next_pass_ms - now);
		sc.v = mf_store_verify_new(n->store, -1);
		sc.pass_start_ms = now;
		sc.pass_serial = mf_store_damage_serial(n->store);
		sc.credit = sc.credit < 1 ? 1 : sc.credit;
	}
	if (sc.credit < 1)
		return SLICE_MS;
	budget = (size_t)sc.credit;
	sc.credit -= (double)budget;
	if (mf_store_verify_step(sc.v, n->keyring, budget) != 0) {
		int again = pass_done(d, mf_store_verify_report(sc.v), now - sc.pass_start_ms,
				      sc.pass_serial);

		mf_store_verify_free(sc.v);
		sc.v = NULL;
		sc.next_pass_ms = again ? now : now + PASS_PAUSE_MS;
	}
	if (mf_store_damage_serial(n->store) != sc.looked_serial)
		refuse_if_damaged(n);	/* the slice found damage: writes stop now */
	return sc.v ? SLICE_MS : -1;
}

/* ---------------------------------------------------------------- JSON */


static void
set_state(json_t *j, mf_node *n)
{
	char why[256];

	json_object_set_new(j, "damage", mf_store_damaged(n->store, why, sizeof(why)) ?
				 json_string(why) : json_null());
	json_object_set_new(j, "writes_refused", n->writes_refused[0] ?
				 json_string(n->writes_refused) : json_null());
}

json_t *
mf_scrub_status(mf_daemon *d)
{
	json_t *j = json_object(), *l;

	set_state(j, d->node);
	json_object_set_new(j, "checks", json_integer((json_int_t)sc.passes));
	if (sc.have_last) {
		l = mf_verify_report_json(&sc.last);
		json_object_set_new(l, "ended_ms", json_integer((json_int_t)sc.last_end_ms));
		json_object_set_new(l, "took_ms", json_integer((json_int_t)sc.last_took_ms));
		json_object_set_new(j, "last_check", l);
	} else {
		json_object_set_new(j, "last_check", json_null());
	}
	return j;
}

/* ---------------------------------------------------------------- commands */

json_t *
mf_cmd_verify(mf_daemon *d, json_t *req)
{
	mf_node *n = d->node;
	mf_verify *v = mf_store_verify_new(n->store, !json_is_true(json_object_get(req, "quick")));
	uint64_t t0 = mf_mono_ms(), serial = mf_store_damage_serial(n->store);
	json_t *rep = mf_reply_ok(), *r;

	/* One call to the end: the operator asked and waits for it; sync
	 * waits this long (about a second per 50,000 records here). */
	while (mf_store_verify_step(v, n->keyring, 5000) == 0)
		;
	r = mf_verify_report_json(mf_store_verify_report(v));
	json_object_update(rep, r);
	json_decref(r);
	json_object_set_new(rep, "took_ms", json_integer((json_int_t)(mf_mono_ms() - t0)));
	refuse_if_damaged(n);
	(void)pass_done(d, mf_store_verify_report(v), mf_mono_ms() - t0, serial);
	mf_store_verify_free(v);
	set_state(rep, n);
	return rep;
}

json_t *
mf_cmd_digest_recompute(mf_daemon *d, json_t *req)
{
	uint8_t h[MF_HASH_LEN];
	char hex[2 * MF_HASH_LEN + 1];
	json_t *rep;

	(void)req;
	if (mf_store_digest_recompute(d->node->store, h) != 0)
		return mf_reply_error(EX_SOFTWARE, "digest --recompute: the store could not be read: %s",
				      "see the daemon's log and 'mentorfed verify'");
	mf_hex(h, MF_HASH_LEN, hex);
	rep = mf_reply_ok();
	json_object_set_new(rep, "digest", json_string(hex));
	json_object_set_new(rep, "recomputed", json_true());
	json_object_set_new(rep, "records",
			    json_integer(mf_store_count(d->node->store, NULL, NULL, -1)));
	return rep;
}
