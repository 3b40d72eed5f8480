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
	mf_key *k;

	if (path == NULL) {
		snprintf(err, errlen, "%s: cannot read signing key", dir);
		return NULL;
	}
	k = mf_key_load_private_path(path, err, errlen);
	free(path);
	return k;
}

mf_key *
mf_key_load_private_path(const char *path, char *err, size_t errlen)
{
	FILE *f;
	EVP_PKEY *pk;
	mf_key *k;
	struct stat st;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot read signing key: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: signing key is readable by others (mode %03o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		fclose(f);
		return NULL;
	}
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 private key in PEM form", path);
		EVP_PKEY_free(pk);
		return NULL;
	}
	k = mf_xcalloc(1, sizeof(*k));
	k->pk = pk;
	k->priv = 1;
	return k;
}

mf_key *
mf_key_generate(char *err, size_t errlen)
{
	EVP_PKEY_CTX *c;
	EVP_PKEY *pk = NULL;
	mf_key *k;

	if ((c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &pk) <= 0) {
		ossl_err(err, errlen, "Ed25519 key generation");
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	EVP_PKEY_CTX_free(c);
	k = mf_xcalloc(1, sizeof(*k));
	k->pk = pk;
	k->priv = 1;
	return k;
}

int
mf_key_save_private(const mf_key *k, const char *path, char *err, size_t errlen)
{
	BIO *bio;
	char *pem;
	long pemlen;
	struct stat st;
	int rc = -1;

	if (!k->priv) {
		snprintf(err, errlen, "%s: not a private key", path);
		return -1;
	}
	if (stat(path, &st) == 0) {
		snprintf(err, errlen, "%s: exists; refusing to overwrite a key", path);
		return -1;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PrivateKey(bio, k->pk, NULL, NULL, 0, NULL, NULL)) {
		ossl_err(err, errlen, "PEM encoding");
		BIO_free(bio);
		return -1;
	}
	pemlen = BIO_get_mem_data(bio, &pem);
	rc = mf_write_file(path, pem, (size_t)pemlen, 0600, err, errlen);
	OPENSSL_cleanse(pem, (size_t)pemlen);
	BIO_free(bio);
	return rc;
}

void
mf_key_fpr(const uint8_t pub[MF_PUBKEY_LEN], char out[17])
{
	char hex[2 * MF_PUBKEY_LEN + 1];

	mf_hex(pub, MF_PUBKEY_LEN, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
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

/* One key of a region, in force from `from` until the next entry's from. */
typedef struct kr_key {
	uint64_t from;
	uint8_t pub[MF_PUBKEY_LEN];
	mf_key *key;
	enum mf_key_source source;
} kr_key;

typedef struct kr_revoked {
	uint8_t pub[MF_PUBKEY_LEN];
	uint64_t after;
} kr_revoked;

/* A region's keys sorted by from, and its revocations.  A few keys per
 * region over years: arrays and linear scans are enough. */
typedef struct kr_region {
	char region[16];
	kr_key *k;
	size_t nk;
	kr_revoked *r;
	size_t nr;
} kr_region;

struct mf_keyring {
	kr_region *v;
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
	for (size_t i = 0; i < kr->n; i++) {
		for (size_t j = 0; j < kr->v[i].nk; j++)
			mf_key_free(kr->v[i].k[j].key);
		free(kr->v[i].k);
		free(kr->v[i].r);
	}
	free(kr->v);
	free(kr);
}

static kr_region *
kr_find(const mf_keyring *kr, const char *region)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->v[i].region, region) == 0)
			return &kr->v[i];
	return NULL;
}

static kr_region *
kr_region_get(mf_keyring *kr, const char *region)
{
	kr_region *r;

	if (strlen(region) >= sizeof(r->region))
		return NULL;
	if ((r = kr_find(kr, region)) != NULL)
		return r;
	if (kr->n == kr->cap) {
		size_t nc = kr->cap ? kr->cap * 2 : 8;
		kr->v = mf_xrealloc(kr->v, nc * sizeof(*kr->v));
		kr->cap = nc;
	}
	r = &kr->v[kr->n++];
	memset(r, 0, sizeof(*r));
	mf_strlcpy(r->region, region, sizeof(r->region));
	return r;
}

int
mf_keyring_add(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN],
	       uint64_t from, enum mf_key_source source)
{
	mf_key *k;
	kr_region *r;
	size_t i;

	if (from == 0 || (k = mf_key_from_public(pub)) == NULL)
		return -1;
	if ((r = kr_region_get(kr, region)) == NULL) {
		mf_key_free(k);
		return -1;
	}
	for (i = 0; i < r->nk && r->k[i].from < from; i++)
		;
	if (i < r->nk && r->k[i].from == from) {
		mf_key_free(r->k[i].key);
	} else {
		r->k = mf_xrealloc(r->k, (r->nk + 1) * sizeof(*r->k));
		memmove(&r->k[i + 1], &r->k[i], (r->nk - i) * sizeof(*r->k));
		r->nk++;
	}
	r->k[i].from = from;
	memcpy(r->k[i].pub, pub, MF_PUBKEY_LEN);
	r->k[i].key = k;
	r->k[i].source = source;
	return 0;
}

int
mf_keyring_set(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN])
{
	return mf_keyring_add(kr, region, pub, 1, MF_KEY_CONFIG);
}

int
mf_keyring_revoke(mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN],
		  uint64_t after)
{
	kr_region *r = kr_region_get(kr, region);

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < r->nr; i++)
		if (memcmp(r->r[i].pub, pub, MF_PUBKEY_LEN) == 0) {
			/* two revocations of one key: the earlier point holds */
			if (after < r->r[i].after)
				r->r[i].after = after;
			return 0;
		}
	r->r = mf_xrealloc(r->r, (r->nr + 1) * sizeof(*r->r));
	memcpy(r->r[r->nr].pub, pub, MF_PUBKEY_LEN);
	r->r[r->nr].after = after;
	r->nr++;
	return 0;
}

static const kr_revoked *
kr_revocation(const kr_region *r, const uint8_t pub[MF_PUBKEY_LEN])
{
	for (size_t i = 0; i < r->nr; i++)
		if (memcmp(r->r[i].pub, pub, MF_PUBKEY_LEN) == 0)
			return &r->r[i];
	return NULL;
}

int
mf_keyring_pick(const mf_keyring *kr, const char *region, uint64_t seq, mf_key_choice *c)
{
	const kr_region *r = kr_find(kr, region);
	const kr_revoked *rv;
	const kr_key *k = NULL;

	memset(c, 0, sizeof(*c));
	if (r == NULL)
		return -1;
	for (size_t i = 0; i < r->nk && r->k[i].from <= seq; i++)
		k = &r->k[i];
	if (k == NULL)
		return -1;
	c->key = k->key;
	memcpy(c->pub, k->pub, MF_PUBKEY_LEN);
	c->from = k->from;
	c->source = k->source;
	c->revoked_after = UINT64_MAX;
	if ((rv = kr_revocation(r, k->pub)) != NULL) {
		c->revoked_after = rv->after;
		if (seq > rv->after) {
			c->revoked = 1;
			return 1;
		}
	}
	return 0;
}

const mf_key *
mf_keyring_get(const mf_keyring *kr, const char *region)
{
	const kr_region *r = kr_find(kr, region);

	return r && r->nk ? r->k[r->nk - 1].key : NULL;
}

int
mf_keyring_has(const mf_keyring *kr, const char *region, const uint8_t pub[MF_PUBKEY_LEN])
{
	const kr_region *r = kr_find(kr, region);

	for (size_t i = 0; r && i < r->nk; i++)
		if (memcmp(r->k[i].pub, pub, MF_PUBKEY_LEN) == 0)
			return 1;
	return 0;
}

size_t
mf_keyring_count(const mf_keyring *kr)
{
	size_t n = 0;

	for (size_t i = 0; i < kr->n; i++)
		n += kr->v[i].nk > 0;
	return n;
}

int
mf_keyring_each(const mf_keyring *kr, mf_keyring_fn fn, void *arg)
{
	int rc;

	for (size_t i = 0; i < kr->n; i++) {
		const kr_region *r = &kr->v[i];
		for (size_t j = 0; j < r->nk; j++) {
			const kr_revoked *rv = kr_revocation(r, r->k[j].pub);
			if ((rc = fn(arg, r->region, r->k[j].pub, r->k[j].from, r->k[j].source,
				     rv ? rv->after : UINT64_MAX)) != 0)
				return rc;
		}
		/* revocations of keys this keyring does not hold otherwise */
		for (size_t j = 0; j < r->nr; j++) {
			int held = 0;
			for (size_t m = 0; m < r->nk && !held; m++)
				held = memcmp(r->k[m].pub, r->r[j].pub, MF_PUBKEY_LEN) == 0;
			if (!held && (rc = fn(arg, r->region, r->r[j].pub, 0, MF_KEY_CONFIG,
					      r->r[j].after)) != 0)
				return rc;
		}
	}
	return 0;
}
