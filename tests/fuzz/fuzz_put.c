/*
 * fuzz_put.c — a local write as `mentorfed put` sends it: any bytes as the
 * JSON request's records, through the records layer (mf_records_put:
 * shape, kind, ownership, id and body checks, JSON-to-protobuf conversion,
 * sealing, the store) on a scratch node of RU-TOM.
 *
 * The node is made once and replaced every ROUNDS inputs, so the store
 * stays small and fast while still holding earlier records (an update or
 * a delete of something held is reachable).  Checked beyond "no crash":
 * every reply is ok or an error with a message.
 */
#include "config.h"

#include <jansson.h>

#include "fuzz.h"
#include "node.h"
#include "records.h"
#include "util.h"

#define ROUNDS 4000

static mf_node *node;
static char *node_dir;
static unsigned rounds;

static void
node_fresh(void)
{
	char err[1024];

	if (node) {
		mf_node_close(node);
		fz_rmtree(node_dir);
	}
	if (mf_node_init(node_dir, "RU-TOM", "", NULL, err, sizeof(err)) != 0 ||
	    (node = mf_node_open(node_dir, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_put: scratch node: %s\n", err);
		abort();
	}
	rounds = 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet();
	node_dir = mf_path(fz_scratch(), "node");
	node_fresh();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *records, *reply;

	if (++rounds > ROUNDS)
		node_fresh();
	records = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (records == NULL)
		return 0;
	reply = mf_records_put(node, records);
	if (!json_is_object(reply))
		abort();
	if (!json_is_true(json_object_get(reply, "ok")) &&
	    !json_is_string(json_object_get(reply, "error")))
		abort();	/* a refusal that does not say why */
	json_decref(reply);
	json_decref(records);
	return 0;
}
