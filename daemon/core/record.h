/*
 * record.h — versions and signed blocks: the canonical byte form of a
 * version and its hash, sealing versions into hash-chained Ed25519-signed
 * blocks, and verifying a block against its owner's key.
 *
 * Canonical form of a version (what its SHA-256 hash covers), all integers
 * big-endian:
 *   "mentorfed-version-1" 0x00
 *   u32 len, id | u32 len, kind | u32 len, origin
 *   u64 seq | u64 hlc | u8 deleted (0 or 1) | u32 len, body
 * A block's hash is SHA-256 over its encoded header bytes exactly as signed.
 */
#ifndef MF_RECORD_H
#define MF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "proto/records.pb-c.h"

#define MF_HASH_LEN 32
#define MF_BLOCK_MAX_LEAVES 1000	/* size cap: leaves per block */
#define MF_BLOCK_MAX_BYTES (8u * 1024 * 1024) /* and bodies per block (sealing rule) */
#define MF_BODY_MAX (64 * 1024)		/* largest encoded body accepted */
#define MF_BLOCK_HEADER_MAX (MF_BLOCK_MAX_LEAVES * (MF_ID_MAX_WIRE + 48) + 1024)
#define MF_ID_MAX_WIRE 128

/* Hash of a version's canonical form. */
void mf_version_hash(const char *id, const char *kind, const char *origin, uint64_t seq,
		     uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
		     uint8_t out[MF_HASH_LEN]);
void mf_version_hash_pb(const Mentorfed__Version *v, uint8_t out[MF_HASH_LEN]);

void mf_sha256(const uint8_t *data, size_t len, uint8_t out[MF_HASH_LEN]);

/* A sealed block: encoded header bytes and signature, both malloc'd. */
typedef struct mf_block {
	uint8_t *header;
	size_t header_len;
	uint8_t sig[MF_SIG_LEN];
	uint8_t hash[MF_HASH_LEN];	/* SHA-256(header) */
} mf_block;

/* One leaf while sealing. */
typedef struct mf_leaf {
	const char *id;
	uint8_t hash[MF_HASH_LEN];
} mf_leaf;

/* Seal n leaves (seqs first_seq .. first_seq+n-1) into one block signed by
 * key; prev_hash NULL for an origin's first block.  Fills *out (caller
 * releases with mf_block_clear).  0 or -1. */
int mf_block_seal(const char *origin, uint64_t first_seq, const uint8_t *prev_hash,
		  const mf_leaf *leaves, size_t n, uint64_t hlc, const mf_key *key,
		  mf_block *out);
void mf_block_clear(mf_block *b);

/* Verify a received block: decode the header, check its shape (format 1,
 * origin a region code, last_seq = first_seq + leaves - 1, 32-byte hashes,
 * 1..MF_BLOCK_MAX_LEAVES leaves), and its signature against the key the
 * keyring has in force for the header's (origin, first_seq) — refused
 * too when that key is revoked for that seq ("signed by revoked key").  On success *hdr is the decoded
 * header (free with mentorfed__block_header__free_unpacked) and 0 is
 * returned; otherwise -1 with the reason in err. */
int mf_block_verify(const uint8_t *header, size_t header_len, const uint8_t *sig, size_t sig_len,
		    const mf_keyring *kr, Mentorfed__BlockHeader **hdr, char *err, size_t errlen);

/*
 * Region keys (kind "region_key", doc/KEYS.md).  mf_region_key_body
 * encodes the record announcing newkey as the successor of prev for
 * region, with the new key's proof (malloc'd into *body).
 * mf_region_key_learn checks such a record stored at (origin, seq): its
 * previous key is the one kr has in force (and not revoked) at seq and
 * the proof verifies; then the new key is in force from seq + 1.  0 (the
 * new key in newpub, may be NULL) or -1 with the reason in err.
 * mf_region_key_check makes the same checks and changes nothing: a block
 * carrying a rotation that would not hold is refused before it is
 * stored (daemon/records/apply.c).
 */
int mf_region_key_check(const mf_keyring *kr, const char *origin, uint64_t seq,
			const uint8_t *body, size_t len, uint8_t newpub[MF_PUBKEY_LEN], char *err,
			size_t errlen);
int mf_region_key_body(const char *region, const uint8_t prev[MF_PUBKEY_LEN], const mf_key *newkey,
		       const char *reason, uint8_t **body, size_t *len);
int mf_region_key_learn(mf_keyring *kr, const char *origin, uint64_t seq, const uint8_t *body,
			size_t len, uint8_t newpub[MF_PUBKEY_LEN], char *err, size_t errlen);

/* Hybrid logical clock: ms << 16 | counter, never going backwards. */
uint64_t mf_hlc_next(uint64_t last);

#endif
