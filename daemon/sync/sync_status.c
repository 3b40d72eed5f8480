/*
 * sync_status.c — sync's part of `mentorfed status`: peers and their links,
 * per-origin lag and forks, catch-up progress, counters.
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
#include "sync_conns.h"
#include "sync_proto.h"
#include "sync_int.h"
#include "util.h"
#include "zap.h"

/* ---------------------------------------------------------------- status */

static json_t *
sess_json(mf_sync *s, session *ss)
{
	json_t *j = json_object();

	json_object_set_new(j, "direction", json_string(ss->inbound ? "inbound" : "outbound"));
	json_object_set_new(j, "connected", json_boolean(sy_sess_ready(ss)));
	json_object_set_new(j, "region", json_string(ss->region));
	if (ss->hello_rx) {
		json_object_set_new(j, "since_ms", json_integer((json_int_t)ss->since_wall_ms));
		json_object_set_new(j, "protocol", json_integer(sy_sess_proto(ss)));
	}
	json_object_set_new(j, "last_heard_ms_ago",
			    json_integer((json_int_t)(s->now - ss->last_rx_ms)));
	if (ss->pulling) {
		json_t *c = json_object();
		uint64_t have = mf_store_vv(s->node->store, ss->pull_origin, NULL);
		uint64_t span = ss->pull_target > ss->pull_start ? ss->pull_target - ss->pull_start : 0;
		uint64_t done = have > ss->pull_start ? have - ss->pull_start : 0;

		json_object_set_new(c, "origin", json_string(ss->pull_origin));
		json_object_set_new(c, "from", json_integer((json_int_t)ss->pull_start));
		json_object_set_new(c, "at", json_integer((json_int_t)have));
		json_object_set_new(c, "to", json_integer((json_int_t)ss->pull_target));
		json_object_set_new(c, "percent",
				    json_real(span ? 100.0 * (double)done / (double)span : 100.0));
		json_object_set_new(j, "catchup", c);
	}
	json_object_set_new(j, "serving", json_integer((json_int_t)ss->n_st));
	return j;
}

typedef struct status_ctx {
	mf_sync *s;
	json_t *origins;
} status_ctx;

static uint64_t
best_known(mf_sync *s, const char *origin, const char **who)
{
	uint64_t best = 0;

	for (size_t i = 0; i < s->n_peers; i++)
		if (sy_sess_ready(s->peers[i].out) && sy_vv_get(&s->peers[i].out->known, origin) > best) {
			best = sy_vv_get(&s->peers[i].out->known, origin);
			*who = s->peers[i].name;
		}
	for (size_t i = 0; i < s->n_in; i++)
		if (sy_sess_ready(s->in[i]) && sy_vv_get(&s->in[i]->known, origin) > best) {
			best = sy_vv_get(&s->in[i]->known, origin);
			*who = s->in[i]->name;
		}
	return best;
}

static void
origin_json(mf_sync *s, json_t *origins, const char *origin, uint64_t seq)
{
	const char *who = NULL;
	uint64_t best;
	json_t *o;
	int64_t forks;

	if (json_object_get(origins, origin))
		return;
	best = best_known(s, origin, &who);
	forks = mf_store_forks(s->node->store, origin);
	o = json_object();
	json_object_set_new(o, "held", json_integer((json_int_t)seq));
	json_object_set_new(o, "best_peer", json_integer((json_int_t)best));
	if (who)
		json_object_set_new(o, "best_peer_name", json_string(who));
	json_object_set_new(o, "lag", json_integer((json_int_t)(best > seq ? best - seq : 0)));
	json_object_set_new(o, "trusted",
			    json_boolean(mf_keyring_get(s->node->keyring, origin) != NULL));
	json_object_set_new(o, "forks", json_integer(forks > 0 ? forks : 0));
	json_object_set_new(o, "fork_flag", json_boolean(forks > 0));
	json_object_set_new(origins, origin, o);
}

static int
status_origin(void *arg, const char *origin, uint64_t seq)
{
	status_ctx *c = arg;

	origin_json(c->s, c->origins, origin, seq);
	return 0;
}

json_t *
mf_sync_status(mf_sync *s)
{
	json_t *j = json_object(), *peers = json_array(), *origins = json_object(), *c;
	status_ctx sc = { s, origins };

	sy_now_ms(s);
	json_object_set_new(j, "protocol", json_integer(MF_PROTOCOL));
	json_object_set_new(j, "protocol_max", json_integer(MF_PROTOCOL_MAX));
	json_object_set_new(j, "recovering", json_boolean(s->recovering));
	for (size_t i = 0; i < s->n_peers; i++) {
		peer *p = &s->peers[i];
		json_t *pj = json_object(), *links = json_array();
		int connected = 0;
		uint64_t since = 0;
		const char *region = p->region;

		json_object_set_new(pj, "name", json_string(p->name));
		json_object_set_new(pj, "endpoint", json_string(p->endpoint));
		json_object_set_new(pj, "curve_key", json_string(p->key));
		if (p->out) {
			json_array_append_new(links, sess_json(s, p->out));
			if (sy_sess_ready(p->out)) {
				connected = 1;
				since = p->out->since_wall_ms;
				if (p->out->region[0])
					region = p->out->region;
			}
		}
		for (size_t k = 0; k < s->n_in; k++)
			if (strcmp(s->in[k]->key, p->key) == 0) {
				json_array_append_new(links, sess_json(s, s->in[k]));
				if (sy_sess_ready(s->in[k])) {
					if (!connected || s->in[k]->since_wall_ms < since)
						since = s->in[k]->since_wall_ms;
					connected = 1;
					if (s->in[k]->region[0])
						region = s->in[k]->region;
				}
			}
		json_object_set_new(pj, "region", json_string(region));
		json_object_set_new(pj, "connected", json_boolean(connected));
		if (connected) {
			char iso[32];
			time_t t = (time_t)(since / 1000);
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
			json_object_set_new(pj, "since", json_string(iso));
		} else {
			json_object_set_new(pj, "since", json_null());
		}
		json_object_set_new(pj, "links", links);
		json_array_append_new(peers, pj);
	}
	json_object_set_new(j, "peers", peers);
	mf_store_vv_each(s->node->store, status_origin, &sc);
	/* Origins peers hold that this node has nothing of yet. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			for (size_t k = 0; k < s->peers[i].out->known.n; k++)
				origin_json(s, origins, s->peers[i].out->known.e[k].origin, 0);
	for (size_t i = 0; i < s->n_in; i++)
		for (size_t k = 0; k < s->in[i]->known.n; k++)
			origin_json(s, origins, s->in[i]->known.e[k].origin, 0);
	json_object_set_new(j, "origins", origins);
	c = json_object();
#define CNT(name, v) json_object_set_new(c, name, json_integer((json_int_t)(v)))
	CNT("frames_received", s->c.frames_rx);
	CNT("frames_sent", s->c.frames_tx);
	CNT("frames_malformed", s->c.malformed);
	CNT("frames_oversized", s->c.oversized);
	CNT("frames_unexpected", s->c.unexpected);
	CNT("sends_would_block", s->c.send_blocked);
	CNT("batches_received", s->c.batches_rx);
	CNT("batches_sent", s->c.batches_tx);
	CNT("pushes_sent", s->c.pushes_tx);
	CNT("pushes_not_sent", s->c.pushes_dropped);
	CNT("pushes_received", s->c.pushes_rx);
	CNT("blocks_sent", s->c.blocks_sent);
	CNT("records_sent", s->c.versions_sent);
	CNT("records_received", s->c.records_received);
	CNT("records_applied", s->c.records_applied);
	CNT("records_stale", s->c.records_stale);
	CNT("blocks_applied", s->c.blocks_applied);
	CNT("blocks_duplicate", s->c.blocks_duplicate);
	CNT("rejected_bad_signature", s->c.rej_signature);
	CNT("rejected_no_link", s->c.rej_link);
	CNT("rejected_bad_version", s->c.rej_version);
	CNT("rejected_fork", s->c.rej_fork);
	CNT("rejected_malformed", s->c.rej_shape);
	CNT("rejected_unknown_origin", s->c.rej_unknown_origin);
	CNT("rejected_too_large", s->c.rej_too_large);
	CNT("rejected_beyond_complete_to", s->c.rej_beyond_complete);
	CNT("rejected", s->c.rej_signature + s->c.rej_link + s->c.rej_version + s->c.rej_fork +
			    s->c.rej_shape + s->c.rej_unknown_origin + s->c.rej_too_large +
			    s->c.rej_beyond_complete);
	CNT("streams_short", s->c.streams_short);
	CNT("empty_streams", s->c.empty_streams);
	CNT("unproven_truncated", s->c.unproven_truncated);
	CNT("hello_resent", s->c.rehellos);
	CNT("listener_paused", s->c.listener_paused);
	{
		sy_conns_stats cs;

		sy_conns_stats_get(s->conns, &cs);
		CNT("connections_accepted", cs.accepted);
		CNT("connections_refused_per_source", cs.refused);
		CNT("connections_open", cs.open);
		CNT("connections_refused_limit", cs.refused_limit);
		CNT("connections_peak", cs.peak);
		CNT("connections_max", cs.max_open);
	}
	CNT("withheld_versions", s->c.withheld);
	CNT("withheld_streams", s->c.withheld_streams);
	CNT("forks", mf_store_forks(s->node->store, NULL) > 0 ? mf_store_forks(s->node->store, NULL) : 0);
	CNT("protocol_mismatches", s->c.version_mismatch);
	CNT("peer_errors", s->c.peer_errors);
	CNT("reconnects", s->c.reconnects);
	CNT("store_errors", s->c.store_errors);
	CNT("zap_admitted", s->zst.admitted);
	CNT("zap_denied", s->zst.denied);
#undef CNT
	json_object_set_new(j, "counters", c);
	return j;
}
