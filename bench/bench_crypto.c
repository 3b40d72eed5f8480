/*
 * bench_crypto.c — per-record cost of the core's CPU work: Ed25519 block
 * signing (mf_block_seal: encode + SHA-256 + sign) and verification
 * (mf_block_verify: decode + shape checks + verify) for blocks of 1, 100 and
 * 1000 leaves, the SHA-256 version hash of a ~500-byte body, protobuf-c
 * pack/unpack of a ~500-byte RoadmapItem body, and JSON -> body conversion.
 *
 * Each measurement runs for about --seconds (default 1) on CLOCK_MONOTONIC;
 * the result is a Markdown table.  Not run by `make check`; `make bench`.
 *
 *   bench/bench_crypto [--seconds S]
 */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "json.h"
#include "keys.h"
#include "record.h"
#include "proto/records.pb-c.h"

static double run_seconds = 1.0;
static volatile uint8_t sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*op_fn)(void *arg);

/* Run fn repeatedly for about run_seconds; returns operations per second. */
static double
measure(op_fn fn, void *arg)
{
	double t0, t;
	unsigned long n = 0, batch = 1;

	/* warm-up */
	if (fn(arg) != 0) {
		fprintf(stderr, "bench_crypto: operation failed\n");
		exit(1);
	}
	t0 = now();
	do {
		for (unsigned long i = 0; i < batch; i++)
			if (fn(arg) != 0) {
				fprintf(stderr, "bench_crypto: operation failed\n");
				exit(1);
			}
		n += batch;
		t = now() - t0;
		if (t < run_seconds / 20)
			batch *= 2;
	} while (t < run_seconds);
	return (double)n / t;
}

static void
row(const char *op, double ops, size_t per_op_records)
{
	printf("| %-44s | %12.0f | %10.3f |\n", op, ops, 1e6 / ops / (double)per_op_records);
}

/* ------------------------------------------------------------ blocks */

typedef struct blk_ctx {
	const mf_key *key;
	const mf_keyring *kr;
	mf_leaf *leaves;
	size_t n;
	mf_block block;
} blk_ctx;

static int
op_seal(void *arg)
{
	blk_ctx *c = arg;
	mf_block b;
	uint8_t prev[MF_HASH_LEN] = { 1 };

	if (mf_block_seal("RU-TOM", 1001, prev, c->leaves, c->n, 123456789, c->key, &b) != 0)
		return -1;
	mf_block_clear(&b);
	return 0;
}

static int
op_verify(void *arg)
{
	blk_ctx *c = arg;
	Mentorfed__BlockHeader *h;
	char err[256];

	if (mf_block_verify(c->block.header, c->block.header_len, c->block.sig, MF_SIG_LEN, c->kr,
			    &h, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_crypto: %s\n", err);
		return -1;
	}
	mentorfed__block_header__free_unpacked(h, NULL);
	return 0;
}

/* ------------------------------------------------------------ records */

typedef struct rec_ctx {
	uint8_t *body;
	size_t len;
	json_t *json;
} rec_ctx;

static int
op_hash(void *arg)
{
	rec_ctx *c = arg;
	uint8_t h[MF_HASH_LEN];

	mf_version_hash("RU-TOM:roadmap_item:0123456789abcdef", "roadmap_item", "RU-TOM", 42,
			(uint64_t)1700000000000 << 16, 0, c->body, c->len, h);
	sink ^= h[0];
	return 0;
}

static int
op_unpack(void *arg)
{
	rec_ctx *c = arg;
	Mentorfed__RoadmapItem *m = mentorfed__roadmap_item__unpack(NULL, c->len, c->body);

	if (m == NULL)
		return -1;
	mentorfed__roadmap_item__free_unpacked(m, NULL);
	return 0;
}

static int
op_pack(void *arg)
{
	static Mentorfed__RoadmapItem *m;
	static uint8_t buf[4096];
	rec_ctx *c = arg;

	if (m == NULL && (m = mentorfed__roadmap_item__unpack(NULL, c->len, c->body)) == NULL)
		return -1;
	return mentorfed__roadmap_item__pack(m, buf) == c->len ? 0 : -1;
}

static int
op_json(void *arg)
{
	rec_ctx *c = arg;
	uint8_t *buf;
	size_t len;
	char err[256];

	if (mf_json_to_body(c->json, "roadmap_item", &buf, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_crypto: %s\n", err);
		return -1;
	}
	free(buf);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char roadmap_item_json[] =
	"{\"roadmap_id\": \"RU-TOM:roadmap:5f1e0c2a9b7d3e41\", \"number\": \"2.14\","
	" \"section\": \"II. Организационно-методическое сопровождение\","
	" \"title\": \"Серия вебинаров для педагогов-наставников школ области\","
	" \"timing\": {\"raw\": \"сентябрь – октябрь 2024 г., май 2025 г.\","
	"   \"intervals\": [{\"from\": \"2024-09-01\", \"to\": \"2024-10-31\"},"
	"                   {\"from\": \"2025-05-01\", \"to\": \"2025-05-31\"}]},"
	" \"lead\": \"ТОИПКРО\", \"co_executors\": [\"МОУ СОШ № 1\", \"МАОУ гимназия № 6\"],"
	" \"document_type\": \"Информационная справка\","
	" \"expected_result\": \"Не менее 80% наставников прошли обучение\","
	" \"source_line\": 57}";

int
main(int argc, char **argv)
{
	char dir[4096], err[512];
	const char *tmp = getenv("TMPDIR");
	mf_key *key;
	mf_keyring *kr;
	uint8_t pub[MF_PUBKEY_LEN];
	static const size_t sizes[] = { 1, 100, 1000 };
	mf_leaf *leaves;
	char (*ids)[48];
	rec_ctx rc;
	json_error_t je;
	char label[96];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			run_seconds = atof(argv[++i]);
			if (run_seconds <= 0)
				run_seconds = 1.0;
		} else {
			fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
			return 64;
		}
	}
	snprintf(dir, sizeof(dir), "%s/mf-bench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (mf_keys_generate(dir, err, sizeof(err)) != 0 ||
	    (key = mf_key_load_private(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_crypto: %s\n", err);
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		return 1;
	}
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	kr = mf_keyring_new();
	mf_key_public(key, pub);
	mf_keyring_set(kr, "RU-TOM", pub);

	/* the record body */
	if ((rc.json = json_loads(roadmap_item_json, 0, &je)) == NULL ||
	    mf_json_to_body(rc.json, "roadmap_item", &rc.body, &rc.len, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_crypto: body: %s\n", rc.json ? err : je.text);
		return 1;
	}

	leaves = calloc(MF_BLOCK_MAX_LEAVES, sizeof(*leaves));
	ids = calloc(MF_BLOCK_MAX_LEAVES, sizeof(*ids));
	if (leaves == NULL || ids == NULL)
		return 1;
	for (size_t i = 0; i < MF_BLOCK_MAX_LEAVES; i++) {
		snprintf(ids[i], sizeof(ids[i]), "RU-TOM:roadmap_item:%016zx", i * 2654435761u);
		leaves[i].id = ids[i];
		mf_version_hash(ids[i], "roadmap_item", "RU-TOM", 1001 + i, 1, 0, rc.body, rc.len,
				leaves[i].hash);
	}

	printf("Record body: RoadmapItem, %zu bytes encoded; %.1f s per measurement.\n\n", rc.len,
	       run_seconds);
	printf("| %-44s | %12s | %10s |\n", "operation", "ops/s", "µs/record");
	printf("|%.46s|%.14s|%.12s|\n", "----------------------------------------------",
	       "-------------:", "-----------:");
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		blk_ctx c = { key, kr, leaves, sizes[si], { 0 } };
		uint8_t prev[MF_HASH_LEN] = { 1 };
		double ops;

		ops = measure(op_seal, &c);
		snprintf(label, sizeof(label), "Ed25519 seal block of %zu leaves", sizes[si]);
		row(label, ops, sizes[si]);
		if (mf_block_seal("RU-TOM", 1001, prev, leaves, sizes[si], 123456789, key, &c.block) !=
		    0)
			return 1;
		ops = measure(op_verify, &c);
		snprintf(label, sizeof(label), "Ed25519 verify block of %zu leaves", sizes[si]);
		row(label, ops, sizes[si]);
		mf_block_clear(&c.block);
	}
	snprintf(label, sizeof(label), "SHA-256 version hash (%zu-byte body)", rc.len);
	row(label, measure(op_hash, &rc), 1);
	snprintf(label, sizeof(label), "protobuf-c pack RoadmapItem (%zu B)", rc.len);
	row(label, measure(op_pack, &rc), 1);
	snprintf(label, sizeof(label), "protobuf-c unpack RoadmapItem (%zu B)", rc.len);
	row(label, measure(op_unpack, &rc), 1);
	row("JSON -> body (mf_json_to_body, RoadmapItem)", measure(op_json, &rc), 1);

	printf("\nµs/record = 1e6 / (ops/s) / leaves per block; a block's cost is shared by its "
	       "leaves.\n");
	json_decref(rc.json);
	free(rc.body);
	free(leaves);
	free(ids);
	mf_keyring_free(kr);
	mf_key_free(key);
	return 0;
}
