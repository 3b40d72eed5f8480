/*
 * fuzz_apply.c — block verification and apply: a received Batch (as in
 * a wire Batch frame) handed block by block to the records layer
 * (mf_records_apply_*: header shape, signature, chain link, every
 * version's hash against its leaf, per-kind body decoding, the store),
 * on a scratch node of RU-TOM that trusts the fixture region RU-EVL.
 *
 * Signatures: a mutated header would never get past Ed25519, so the
 * harness signs what it applies with the fixture keys (RU-EVL's, made at
 * start; RU-TOM's own key for blocks of the node's own origin).  Input:
 *
 *	byte 0		mode: bit 0 sign every header (else keep the input's
 *			signatures: the refusal path); bit 1 first set each
 *			leaf's hash to the hash of the version sent for its
 *			seq (so mutated versions and bodies reach decoding);
 *			bit 2 first relink the batch's blocks (prev_hash =
 *			hash of the previous header as re-encoded)
 *	bytes 1..	an encoded mentorfed.wire.Batch
 *
 * Every input is applied in one transaction that is then rolled back, so
 * each starts from the same (empty) store and a crash reproduces.  After
 * the blocks, the withholding and servable-vector reads run too.
 */
#include "config.h"

#include <sys/stat.h>

#include "apply.h"
#include "fuzz.h"
#include "keys.h"
#include "node.h"
#include "proto/records.pb-c.h"
#include "proto/wire.pb-c.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define FIXTURE_REGION "RU-EVL"

static mf_node *node;
static mf_key *fixture;
static int verbose;	/* $MF_FUZZ_VERBOSE: say what became of each block */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024], *dir, *kdir;
	uint8_t pub[MF_PUBKEY_LEN];

	(void)argc;
	(void)argv;
	fz_quiet();
	verbose = getenv("MF_FUZZ_VERBOSE") != NULL;
	dir = mf_path(fz_scratch(), "node");
	kdir = mf_path(fz_scratch(), "fixture");
	if (mf_node_init(dir, "RU-TOM", "", NULL, err, sizeof(err)) != 0 ||
	    (node = mf_node_open(dir, 0, err, sizeof(err))) == NULL ||
	    mkdir(kdir, 0700) != 0 || mf_keys_generate(kdir, err, sizeof(err)) != 0 ||
	    (fixture = mf_key_load_private(kdir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_apply: setup: %s\n", err);
		abort();
	}
	mf_key_public(fixture, pub);
	if (mf_keyring_set(node->keyring, FIXTURE_REGION, pub) != 0)
		abort();
	free(dir);
	free(kdir);
	return 0;
}

/* The version sent in blk for seq, or NULL. */
static Mentorfed__Version *
version_for(Mentorfed__Version **vs, size_t n, uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (vs[i] && vs[i]->seq == seq)
			return vs[i];
	return NULL;
}

/*
 * Rewrite one block's header as the mode asks: leaves set to the hashes
 * of the versions sent, prev_hash to prev (when not NULL).  Returns the
 * new header bytes in *out (malloc'd), or -1 when the header does not
 * decode (then it is applied as it came).
 */
static int
fix_header(Mentorfed__Wire__BlockOnWire *w, int fix_leaves, const uint8_t *prev,
	   uint8_t **out, size_t *outlen)
{
	Mentorfed__BlockHeader *h = mentorfed__block_header__unpack(NULL, w->header.len,
								    w->header.data);
	Mentorfed__Version **vs;
	uint8_t (*hashes)[MF_HASH_LEN];
	ProtobufCBinaryData *orig, orig_prev;

	if (h == NULL)
		return -1;
	vs = mf_xcalloc(w->n_versions + 1, sizeof(*vs));
	hashes = mf_xcalloc(h->n_leaves + 1, sizeof(*hashes));
	/* protobuf-c owns the decoded bytes: keep them to put back */
	orig = mf_xcalloc(h->n_leaves + 1, sizeof(*orig));
	for (size_t i = 0; i < h->n_leaves; i++)
		orig[i] = h->leaves[i]->hash;
	orig_prev = h->prev_hash;
	for (size_t i = 0; i < w->n_versions; i++)
		vs[i] = mentorfed__version__unpack(NULL, w->versions[i].len, w->versions[i].data);
	if (fix_leaves)
		for (size_t i = 0; i < h->n_leaves; i++) {
			Mentorfed__Version *v = version_for(vs, w->n_versions, h->first_seq + i);

			if (v == NULL)
				continue;
			mf_version_hash_pb(v, hashes[i]);
			h->leaves[i]->hash.data = hashes[i];
			h->leaves[i]->hash.len = MF_HASH_LEN;
		}
	if (prev) {
		h->prev_hash.data = (uint8_t *)prev;
		h->prev_hash.len = MF_HASH_LEN;
	}
	*outlen = mentorfed__block_header__get_packed_size(h);
	*out = mf_xmalloc(*outlen + 1);
	mentorfed__block_header__pack(h, *out);
	for (size_t i = 0; i < w->n_versions; i++)
		if (vs[i])
			mentorfed__version__free_unpacked(vs[i], NULL);
	free(vs);
	/* the header frees its own bytes, not the ones lent above */
	for (size_t i = 0; i < h->n_leaves; i++)
		h->leaves[i]->hash = orig[i];
	h->prev_hash = orig_prev;
	mentorfed__block_header__free_unpacked(h, NULL);
	free(orig);
	free(hashes);
	return 0;
}

/* Sign header with the key of its origin, when the harness holds it. */
static int
sign_header(const uint8_t *hdr, size_t len, uint8_t sig[MF_SIG_LEN])
{
	Mentorfed__BlockHeader *h = mentorfed__block_header__unpack(NULL, len, hdr);
	const mf_key *k = NULL;

	if (h == NULL)
		return -1;
	if (h->origin && strcmp(h->origin, FIXTURE_REGION) == 0)
		k = fixture;
	else if (h->origin && strcmp(h->origin, "RU-TOM") == 0)
		k = node->key;
	mentorfed__block_header__free_unpacked(h, NULL);
	return k ? mf_key_sign(k, hdr, len, sig) : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Mentorfed__Wire__Batch *b;
	mf_apply_result res;
	char err[1024];
	uint8_t prev[MF_HASH_LEN];
	int mode, have_prev = 0;

	if (size < 1)
		return 0;
	mode = data[0];
	b = mentorfed__wire__batch__unpack(NULL, size - 1, data + 1);
	if (b == NULL)
		return 0;
	if (mf_records_apply_begin(node, &res, err, sizeof(err)) != 0)
		abort();
	for (size_t i = 0; i < b->n_blocks; i++) {
		Mentorfed__Wire__BlockOnWire *w = b->blocks[i];
		const uint8_t **vp = mf_xcalloc(w->n_versions + 1, sizeof(*vp));
		size_t *vl = mf_xcalloc(w->n_versions + 1, sizeof(*vl));
		uint8_t *hdr = NULL, sig[MF_SIG_LEN];
		mf_block_in in = { 0 };
		int rc;

		in.header = w->header.data;
		in.header_len = w->header.len;
		if ((mode & 6) && fix_header(w, mode & 2, (mode & 4) && have_prev ? prev : NULL, &hdr,
					     &in.header_len) == 0)
			in.header = hdr;
		in.sig = w->signature.data;
		in.sig_len = w->signature.len;
		if ((mode & 1) && sign_header(in.header, in.header_len, sig) == 0) {
			in.sig = sig;
			in.sig_len = MF_SIG_LEN;
		}
		mf_sha256(in.header, in.header_len, prev);
		have_prev = 1;
		for (size_t j = 0; j < w->n_versions; j++) {
			vp[j] = w->versions[j].data;
			vl[j] = w->versions[j].len;
		}
		in.versions = vp;
		in.version_lens = vl;
		in.n_versions = w->n_versions;
		err[0] = '\0';
		rc = mf_records_apply_block(node, &in, &res, err, sizeof(err));
		if (verbose)
			fprintf(stderr, "block %zu: rc %d, outcome %d: %s\n", i, rc,
				(int)res.first_error, err);
		free(vp);
		free(vl);
		free(hdr);
		if (rc == -1)
			abort();	/* a store error on a scratch store: a bug */
		if (rc != 0)
			break;
	}
	{
		uint64_t first = 0;

		(void)mf_store_withheld(node->store, FIXTURE_REGION, b->complete_to, &first);
		(void)mf_store_servable(node->store, FIXTURE_REGION);
	}
	mf_records_apply_rollback(node, &res);
	mentorfed__wire__batch__free_unpacked(b, NULL);
	return 0;
}
