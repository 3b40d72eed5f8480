/*
 * fuzz_wire.c — wire frame dispatch (daemon/sync): a peer's frames, any
 * bytes, decoded and handled one after the other on one link of a
 * scratch node of RU-TOM that holds a few records of its own, as the
 * daemon's loop does for a socket it read: Hello, Want, Credit, Batch
 * (applied through the records layer), Announce, Heartbeat, Error, and
 * then one turn of the timers, so that a Want is served.
 *
 * Input: frames, each a 2-byte little-endian length and that many bytes
 * (the payload of one ZeroMQ message); a short last length takes the rest.
 *
 * The entry point: sync's per-frame dispatch is static in sync.c and
 * nothing exported handles one received frame without a socket (asked of
 * the lead: see doc/FUZZING.md).  Until then this target compiles sync.c
 * itself into the program (the rest of libmfsync comes from the library)
 * and calls its dispatch().
 *
 * The link: a configured-looking peer "fuzz" without an endpoint (so the
 * timers never reconnect it) whose DEALER is connected, without CURVE, to
 * a sink ROUTER of this program that drops what the node sends; each
 * input is a new outbound session of that peer, Hello already sent.  The
 * node trusts RU-EVL with the fixture key of make_frames.py, so the seed
 * batches verify and reach the records layer.
 */
#include "config.h"

#include "../../daemon/sync/sync.c"

#include <jansson.h>

#include "fuzz.h"
#include "node.h"
#include "apply.h"
#include "records.h"

/* RU-EVL's key in make_frames.py: Ed25519 from SHA-256("mentorfed fuzz fixture") */
#define FIXTURE_PUB "8d7ee007975e177fde9598f7e0b60dc5492c1547bde9a45df46fa8e71d60fe8b"
#define SINK "inproc://mf-fuzz-sink"

static void *ctx, *sink;
static mf_node *node;
static mf_sync *sy;
static peer *fpeer;

/* A few records of the node's own region, so that a Want is served. */
static void
seed_records(void)
{
	json_t *recs = json_array(), *reply;

	for (int i = 0; i < 5; i++)
		json_array_append_new(recs, json_pack("{s:s, s:s, s:{s:s, s:s}}", "kind", "school",
						      "key", i % 2 ? "odd" : "even", "body", "name",
						      i % 2 ? "Школа 1" : "Школа 2", "municipality",
						      "Томск"));
	reply = mf_records_put(node, recs);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		char *t = json_dumps(reply, 0);

		fprintf(stderr, "fuzz_wire: seed records: %s\n", t);
		abort();
	}
	json_decref(reply);
	json_decref(recs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024], *dir;

	(void)argc;
	(void)argv;
	fz_quiet();
	dir = mf_path(fz_scratch(), "node");
	ctx = zmq_ctx_new();
	if (ctx == NULL || mf_node_init(dir, "RU-TOM", "", NULL, err, sizeof(err)) != 0 ||
	    (node = mf_node_open(dir, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_wire: setup: %s\n", err);
		abort();
	}
	seed_records();
	{
		uint8_t pub[MF_PUBKEY_LEN];

		if (mf_unhex(FIXTURE_PUB, pub, sizeof(pub)) != 0 ||
		    mf_keyring_set(node->keyring, "RU-EVL", pub) != 0)
			abort();
	}
	if ((sy = mf_sync_new(ctx, node, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_wire: sync: %s\n", err);
		abort();
	}
	{
		int zero = 0;

		sink = zmq_socket(ctx, ZMQ_ROUTER);
		if (sink == NULL || zmq_setsockopt(sink, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
		    zmq_bind(sink, SINK) != 0)
			abort();
		/* the node has no configured peer: this one is the only one */
		sy->peers = mf_xrealloc(sy->peers, sizeof(*sy->peers));
		memset(sy->peers, 0, sizeof(*sy->peers));
		sy->n_peers = 1;
		fpeer = &sy->peers[0];
		fpeer->name = mf_xstrdup("fuzz");
		fpeer->endpoint = mf_xstrdup("");
		mf_strlcpy(fpeer->region, "RU-EVL", sizeof(fpeer->region));
		fpeer->dealer = zmq_socket(ctx, ZMQ_DEALER);
		if (fpeer->dealer == NULL ||
		    zmq_setsockopt(fpeer->dealer, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
		    zmq_connect(fpeer->dealer, SINK) != 0)
			abort();
	}
	free(dir);
	return 0;
}

/* Drop what the node sent (it would fill the pipe and block sends). */
static void
drain(void)
{
	zmq_msg_t m;

	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, sink, ZMQ_DONTWAIT) >= 0)
		;
	zmq_msg_close(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	session *ss = sy_sess_new(0);

	snprintf(ss->name, sizeof(ss->name), "fuzz");
	ss->hello_sent = 1;	/* an outbound link says Hello on connect */
	sy_now_ms(sy);
	ss->created_ms = ss->last_rx_ms = ss->last_tx_ms = sy->now;
	fpeer->out = ss;
	while (size > 0) {
		size_t len = size >= 2 ? (size_t)(data[0] | data[1] << 8) : 0;

		data += size >= 2 ? 2 : size;
		size -= size >= 2 ? 2 : size;
		if (len > size)
			len = size;
		dispatch(sy, ss, data, len);
		data += len;
		size -= len;
	}
	(void)mf_sync_tick(sy, mf_mono_ms());
	fpeer->out = NULL;
	sy_sess_free(ss);
	drain();
	/* every input starts from the same store: RU-EVL's blocks go again */
	if (mf_store_vv(node->store, "RU-EVL", NULL) > 0) {
		char err[512];

		if (mf_records_truncate_origin(node, "RU-EVL", 1, err, sizeof(err)) != 0)
			abort();
	}
	return 0;
}
