/*
 * keys.c — Ed25519 signing keys (OpenSSL EVP), ZeroMQ CURVE keys and the
 * regions' keyring (see keys.h).  The CURVE pair is an X25519 pair made by
 * OpenSSL: CurveZMQ's keys are raw Curve25519 keys (crypto_box), so the 32
 * raw bytes in Z85 are what zmq_curve_keypair would have written, and the
 * core needs no libzmq.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>

#include "keys.h"
#include "util.h"

struct mf_key {
	EVP_PKEY *pk;
	int priv;
};

static void
ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "failed");
}

/* A CURVE key pair in Z85 (40 chars + NUL each), as zmq_curve_keypair. */
static int
curve_keypair(char zpub[MF_Z85_KEY_LEN + 1], char zsec[MF_Z85_KEY_LEN + 1], char *err,
	      size_t errlen)
{
	EVP_PKEY_CTX *c;
	EVP_PKEY *pk = NULL;
	uint8_t pub[32], sec[32];
	size_t pl = sizeof(pub), sl = sizeof(sec);
	int rc = -1;

	if ((c = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &pk) <= 0 ||
	    !EVP_PKEY_get_raw_public_key(pk, pub, &pl) ||
	    !EVP_PKEY_get_raw_private_key(pk, sec, &sl) || pl != 32 || sl != 32) {
		ossl_err(err, errlen, "CURVE key generation");
		goto out;
	}
	mf_z85_encode(zpub, pub, 32);
	mf_z85_encode(zsec, sec, 32);
	rc = 0;
out:
	OPENSSL_cleanse(sec, sizeof(sec));
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(c);
	return rc;
}

int
mf_keys_generate(const char *dir, char *err, size_t errlen)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *c = NULL;
	BIO *bio = NULL;
	char *path = NULL, *pem = NULL;
	char zpub[41], zsec[41], hex[2 * MF_PUBKEY_LEN + 2];
	uint8_t pub[MF_PUBKEY_LEN];
	size_t publen = sizeof(pub);
	long pemlen;
	int rc = -1;
	const char *names[] = { "signing.key", "signing.pub", "curve.key", "curve.pub" };
	struct stat st;

	for (int i = 0; i < 4; i++) {
		char *p = mf_path(dir, names[i]);
		int exists = p && stat(p, &st) == 0;
		free(p);
		if (exists) {
			snprintf(err, errlen, "%s/%s: exists; refusing to overwrite a key", dir, names[i]);
			return -1;
		}
	}
	if ((c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &pk) <= 0) {
		ossl_err(err, errlen, "Ed25519 key generation");
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL)) {
		ossl_err(err, errlen, "PEM encoding");
		goto out;
	}
	pemlen = BIO_get_mem_data(bio, &pem);
	path = mf_path(dir, "signing.key");
	if (mf_write_file(path, pem, (size_t)pemlen, 0600, err, errlen) != 0)
		goto out;
	free(path);
	if (!EVP_PKEY_get_raw_public_key(pk, pub, &publen)) {
		ossl_err(err, errlen, "Ed25519 public key");
		path = NULL;
		goto out;
	}
	mf_hex(pub, sizeof(pub), hex);
	strcat(hex, "\n");
	path = mf_path(dir, "signing.pub");
	if (mf_write_file(path, hex, strlen(hex), 0644, err, errlen) != 0)
		goto out;
	free(path);
	path = NULL;
	if (curve_keypair(zpub, zsec, err, errlen) != 0)
		goto out;
	zsec[40] = '\n';
	path = mf_path(dir, "curve.key");
	if (mf_write_file(path, zsec, 41, 0600, err, errlen) != 0)
		goto out;
	free(path);
	zpub[40] = '\n';
	path = mf_path(dir, "curve.pub");
	if (mf_write_file(path, zpub, 41, 0644, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(zsec, sizeof(zsec));
	free(path);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(c);
	return rc;
}

mf_key *
mf_key_load_private(const char *dir, char *err, size_t errlen)
{
	char *path = mf_path(dir, "signing.key");
	FILE *f;
	EVP_PKEY *pk;
	mf_key *k;
	struct stat st;

	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot read signing key: %s", path ? path : dir,
			 strerror(errno));
		free(path);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: signing key is readable by others (mode %03o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		fclose(f);
		free(path);
		return NULL;
	}
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 private key in PEM form", path);
		EVP_PKEY_free(pk);
		free(path);
		return NULL;
	}
	free(path);
	k = mf_xcalloc(1, sizeof(*k));
	k->pk = pk;
	k->priv = 1;
	return k;
}

mf_key *
mf_key_from_public(const uint8_t pub[MF_PUBKEY_LEN])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, MF_PUBKEY_LEN);
	mf_key *k;

	if (pk == NULL)
		return NULL;
	k = mf_xcalloc(1, sizeof(*k));
	k->pk = pk;
	return k;
}

void
mf_key_free(mf_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

void
mf_key_public(const mf_key *k, uint8_t pub[MF_PUBKEY_LEN])
{
	size_t n = MF_PUBKEY_LEN;

	if (!EVP_PKEY_get_raw_public_key(k->pk, pub, &n))
		memset(pub, 0, MF_PUBKEY_LEN);
}

int
mf_key_sign(const mf_key *k, const uint8_t *msg, size_t len, uint8_t sig[MF_SIG_LEN])
{
	EVP_MD_CTX *c;
	size_t sl = MF_SIG_LEN;
	int ok;

	if (!k->priv || (c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestSignInit(c, NULL, NULL, NULL, k->pk) == 1 &&
	     EVP_DigestSign(c, sig, &sl, msg, len) == 1 && sl == MF_SIG_LEN;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

int
mf_key_verify(const mf_key *k, const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *c;
	int ok;

	if (siglen != MF_SIG_LEN || (c = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestVerifyInit(c, NULL, NULL, NULL, k->pk) == 1 &&
	     EVP_DigestVerify(c, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok ? 0 : -1;
}

static int
read_z85(const char *dir, const char *name, char out[MF_Z85_KEY_LEN + 1], char *err,
	 size_t errlen)
{
	char *path = mf_path(dir, name), *buf = NULL;
	size_t len;
	int rc = -1;

	if (path == NULL || mf_read_file(path, &buf, &len, err, errlen) != 0)
		goto out;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len != MF_Z85_KEY_LEN) {
		snprintf(err, errlen, "%s: expected a 40-character Z85 CURVE key", path);
		goto out;
	}
	memcpy(out, buf, MF_Z85_KEY_LEN + 1);
	rc = 0;
out:
	if (buf)
		OPENSSL_cleanse(buf, strlen(buf));
	free(buf);
	free(path);
	return rc;
}

int
mf_curve_load(const char *dir, char pub[MF_Z85_KEY_LEN + 1], char sec[MF_Z85_KEY_LEN + 1],
	      char *err, size_t errlen)
{
	if (read_z85(dir, "curve.pub", pub, err, errlen) != 0 ||
	    read_z85(dir, "curve.key", sec, err, errlen) != 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- keyring */

struct mf_keyring {
	struct ent {
		char region[16];
		mf_key *key;
	} *v;
	size_t n, cap;
};

mf_keyring *
mf_keyring_new(void)
{
	return mf_xcalloc(1, sizeof(mf_keyring));
}

void
mf_keyring_free(mf_keyring *kr)
{
	if (kr == NULL)
		return;
	for (size_t i = 0; i < kr->n; i++)
		mf_key_free(kr->v[i].key);
	free(kr->v);
	free(kr);
}

int
mf_keyring_set(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN])
{
	mf_key *k = mf_key_from_public(pub);
	size_t i;

	if (k == NULL || strlen(region) >= 16) {
		mf_key_free(k);
		return -1;
	}
	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->v[i].region, region) == 0) {
			mf_key_free(kr->v[i].key);
			kr->v[i].key = k;
			return 0;
		}
	if (kr->n == kr->cap) {
		size_t nc = kr->cap ? kr->cap * 2 : 8;
		kr->v = mf_xrealloc(kr->v, nc * sizeof(*kr->v));
		kr->cap = nc;
	}
	mf_strlcpy(kr->v[kr->n].region, region, 16);
	kr->v[kr->n].key = k;
	kr->n++;
	return 0;
}

const mf_key *
mf_keyring_get(const mf_keyring *kr, const char *region)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->v[i].region, region) == 0)
			return kr->v[i].key;
	return NULL;
}

size_t
mf_keyring_count(const mf_keyring *kr)
{
	return kr->n;
}
