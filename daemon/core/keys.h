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

/* The keyring: region code -> signing public key. */
typedef struct mf_keyring mf_keyring;
mf_keyring *mf_keyring_new(void);
void mf_keyring_free(mf_keyring *kr);
/* Add or replace; 0 or -1. */
int mf_keyring_set(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN]);
/* Borrowed key of region, or NULL when the region is not trusted. */
const mf_key *mf_keyring_get(const mf_keyring *kr, const char *region);
size_t mf_keyring_count(const mf_keyring *kr);

#endif
