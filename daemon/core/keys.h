/*
 * keys.h — the node's keys: Ed25519 signing key (OpenSSL, PEM files) and
 * ZeroMQ CURVE key pair (Z85 text files), and the keyring of regions'
 * signing public keys that blocks are verified against.
 *
 * Files in the data directory (secret ones mode 0600):
 *   signing.key  PKCS#8 PEM private key      signing.pub  64 hex digits
 *   curve.key    40 Z85 characters (secret)  curve.pub    40 Z85 characters
 */
#ifndef MF_KEYS_H
#define MF_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define MF_PUBKEY_LEN 32
#define MF_SIG_LEN 64
#define MF_Z85_KEY_LEN 40

typedef struct mf_key mf_key;	/* an Ed25519 key, private or public only */

/* Create both key pairs in dir; refuses to overwrite existing files. */
int mf_keys_generate(const char *dir, char *err, size_t errlen);

/* Load dir/signing.key (owned; free with mf_key_free). */
mf_key *mf_key_load_private(const char *dir, char *err, size_t errlen);
/* A public-only key from 32 raw bytes. */
mf_key *mf_key_from_public(const uint8_t pub[MF_PUBKEY_LEN]);
void mf_key_free(mf_key *k);
void mf_key_public(const mf_key *k, uint8_t pub[MF_PUBKEY_LEN]);

/* Sign / verify a message.  0 on success / valid, -1 otherwise. */
int mf_key_sign(const mf_key *k, const uint8_t *msg, size_t len, uint8_t sig[MF_SIG_LEN]);
int mf_key_verify(const mf_key *k, const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen);

/* Read the CURVE pair from dir (secret: 40 Z85 chars + NUL). */
int mf_curve_load(const char *dir, char pub[MF_Z85_KEY_LEN + 1], char sec[MF_Z85_KEY_LEN + 1],
		  char *err, size_t errlen);

/*
 * The keyring: per region, the signing keys in force from a seq on, and the
 * keys revoked after a seq (doc/KEYS.md).  A block is checked against the
 * key in force at its first seq: the entry with the greatest `from` not
 * above it.  Keys come from the config ([region] signing_key from seq 1,
 * `key = HEX from SEQ`), from the chain (a region_key record at seq S puts
 * its key in force from S + 1) and, for the own region, the node's key.
 * mf_keyring_pick is the one place a key is chosen: apply, verify and the
 * scrub all reach it through mf_block_verify.
 */
typedef struct mf_keyring mf_keyring;

enum mf_key_source { MF_KEY_CONFIG, MF_KEY_CHAIN, MF_KEY_OWN };

/* What mf_keyring_pick chose for (region, seq). */
typedef struct mf_key_choice {
	const mf_key *key;		/* borrowed; NULL when the region has none */
	uint8_t pub[MF_PUBKEY_LEN];
	uint64_t from;			/* the key is in force from this seq */
	enum mf_key_source source;
	int revoked;			/* 1: revoked for this seq */
	uint64_t revoked_after;		/* then: the last seq it may sign */
} mf_key_choice;

mf_keyring *mf_keyring_new(void);
void mf_keyring_free(mf_keyring *kr);
/* Put pub in force for region from seq `from` on (an entry with the same
 * from is replaced).  0 or -1 (not an Ed25519 key, bad region). */
int mf_keyring_add(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN],
		   uint64_t from, enum mf_key_source source);
/* mf_keyring_add from seq 1, from the config. */
int mf_keyring_set(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN]);
/* Blocks of region signed by pub whose first seq is above `after` are
 * refused.  0 or -1. */
int mf_keyring_revoke(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN],
		      uint64_t after);
/* The key for region's block starting at seq: 0 usable, 1 revoked (c
 * filled, c->revoked set), -1 no key for the region. */
int mf_keyring_pick(const mf_keyring *kr, const char *region, uint64_t seq, mf_key_choice *c);
/* Borrowed latest key of region, or NULL when the region is not trusted. */
const mf_key *mf_keyring_get(const mf_keyring *kr, const char *region);
/* 1 when pub is ever in force for region in kr. */
int mf_keyring_has(const mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN]);
size_t mf_keyring_count(const mf_keyring *kr);

/* Walk the keyring: fn per key entry (revoked_after UINT64_MAX when not
 * revoked), regions in the order first added, entries by `from`; then per
 * revocation (key_from 0).  Stops at a non-zero return. */
typedef int (*mf_keyring_fn)(void *arg, const char *region, const uint8_t pub[MF_PUBKEY_LEN],
			     uint64_t from, enum mf_key_source source, uint64_t revoked_after);
int mf_keyring_each(const mf_keyring *kr, mf_keyring_fn fn, void *arg);

/* A short fingerprint of pub for messages: the first 16 hex digits. */
void mf_key_fpr(const uint8_t pub[MF_PUBKEY_LEN], char out[17]);

/* Generate a fresh Ed25519 private key in memory (owned). */
mf_key *mf_key_generate(char *err, size_t errlen);
/* Write k (private) as PKCS#8 PEM to path, mode 0600; refuses to
 * overwrite.  0 or -1. */
int mf_key_save_private(const mf_key *k, const char *path, char *err, size_t errlen);
/* Load a private key from path (same checks as mf_key_load_private). */
mf_key *mf_key_load_private_path(const char *path, char *err, size_t errlen);

#endif
