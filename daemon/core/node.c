/*
 * node.c — creating and opening a node's data directory (see node.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kinds.h"
#include "log.h"
#include "node.h"
#include "record.h"
#include "util.h"

const char *
mf_node_dir_default(const char *opt)
{
	const char *e;

	if (opt != NULL && *opt)
		return opt;
	if ((e = getenv("MENTORFED_DIR")) != NULL && *e)
		return e;
	return NULL;
}

int
mf_node_init(const char *dir, const char *region, const char *listen, const char *plugin_dir,
	     char *err, size_t errlen)
{
	return mf_node_init_named(dir, region, NULL, listen, plugin_dir, err, errlen);
}

int
mf_node_init_named(const char *dir, const char *region, const char *name, const char *listen,
		   const char *plugin_dir, char *err, size_t errlen)
{
	char *cpath = NULL, *conf = NULL;
	uint8_t pub[MF_PUBKEY_LEN];
	char hex[2 * MF_PUBKEY_LEN + 1];
	mf_key *k = NULL;
	mf_store *st = NULL;
	struct stat sb;
	mode_t dmode;
	size_t cl, bad;
	int rc = -1;

	if (!mf_region_valid(region)) {
		snprintf(err, errlen, "--region: expected an ISO 3166-2 code such as RU-TOM, got '%s'",
			 region);
		return -1;
	}
	if (name != NULL && (strchr(name, '\n') || strchr(name, ';') || strchr(name, '#') ||
			     strlen(name) > 1000 || !mf_utf8_valid(name, strlen(name), &bad))) {
		snprintf(err, errlen, "--name: expected one line of UTF-8 without ';' or '#', at most 1000 bytes");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	/* Never open to others; the group keeps what it has (a packaged
	 * node's StateDirectory is 0750: staff in group mentorfed use the
	 * control socket, doc/PRODUCTION.md).  A new directory is 0700. */
	dmode = sb.st_mode & 0750;
	cpath = mf_path(dir, MF_CONFIG_NAME);
	if (cpath == NULL)
		goto out;
	if (stat(cpath, &sb) == 0) {
		snprintf(err, errlen, "%s: exists; this directory already holds a node", cpath);
		goto out;
	}
	(void)chmod(dir, dmode);
	if (mf_keys_generate(dir, err, errlen) != 0)
		goto out;
	if ((k = mf_key_load_private(dir, err, errlen)) == NULL)
		goto out;
	mf_key_public(k, pub);
	mf_hex(pub, sizeof(pub), hex);
	cl = 4096 + strlen(listen ? listen : "") + (plugin_dir ? strlen(plugin_dir) : 0);
	conf = mf_xmalloc(cl);
	snprintf(conf, cl,
		 "; mentorfed node configuration (see etc/mentorfed.conf.sample)\n"
		 "[node]\n"
		 "region = %s\n"
		 "listen = %s\n"
		 "log_level = info\n"
		 "%s%s%s"
		 "\n"
		 "; this node's own signing key, so its records verify like any region's\n"
		 "[region %s]\n"
		 "signing_key = %s\n"
		 "%s%s%s",
		 region, listen ? listen : "", plugin_dir ? "plugin_dir = " : "",
		 plugin_dir ? plugin_dir : "", plugin_dir ? "\n" : "", region, hex,
		 name && *name ? "name = " : "", name && *name ? name : "",
		 name && *name ? "\n" : "");
	if (mf_write_file(cpath, conf, strlen(conf), 0600, err, errlen) != 0)
		goto out;
	{
		char *dbp = mf_path(dir, "store.db");
		st = dbp ? mf_store_open(dbp, region, err, errlen) : NULL;
		free(dbp);
		if (st == NULL)
			goto out;
	}
	rc = 0;
out:
	mf_store_close(st);
	mf_key_free(k);
	free(conf);
	free(cpath);
	return rc;
}

/* The region_key records of the store, to be learned in seq order. */
typedef struct rk_rec {
	char origin[16];
	uint64_t seq;
	uint8_t *body;
	size_t len;
} rk_rec;

typedef struct rk_list {
	rk_rec *v;
	size_t n;
} rk_list;

static int
rk_collect(void *arg, const mf_record *r)
{
	rk_list *l = arg;

	if (strlen(r->origin) >= sizeof(l->v[0].origin))
		return 0;
	l->v = mf_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	mf_strlcpy(l->v[l->n].origin, r->origin, sizeof(l->v[0].origin));
	l->v[l->n].seq = r->seq;
	l->v[l->n].len = r->body_len;
	l->v[l->n].body = mf_xmalloc(r->body_len ? r->body_len : 1);
	memcpy(l->v[l->n].body, r->body, r->body_len);
	l->n++;
	return 0;
}

static int
rk_cmp(const void *a, const void *b)
{
	const rk_rec *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Learn the rotations the store holds, per origin in seq order, so that
 * each is checked against the key the one before put in force. */
static void
learn_stored(mf_node *n, mf_keyring *kr)
{
	rk_list l = { NULL, 0 };
	char e2[256];

	if (n->store == NULL)
		return;
	mf_store_each(n->store, "region_key", NULL, 0, rk_collect, &l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), rk_cmp);
	for (size_t i = 0; i < l.n; i++) {
		if (mf_region_key_learn(kr, l.v[i].origin, l.v[i].seq, l.v[i].body, l.v[i].len,
					NULL, e2, sizeof(e2)) != 0)
			mf_warn("keys: %s; that rotation is not followed", e2);
		free(l.v[i].body);
	}
	free(l.v);
}

static int
build_keyring(mf_node *n, char *err, size_t errlen)
{
	mf_keyring *kr = mf_keyring_new();

	if (kr == NULL || mf_config_keyring(n->cfg, kr, err, errlen) != 0) {
		mf_keyring_free(kr);
		return -1;
	}
	learn_stored(n, kr);
	/* The node always trusts its own key for its region, whatever the
	 * config says, so that a config mistake cannot make it reject itself
	 * (a key it rotated to is in the config and the chain already). */
	if (!mf_keyring_has(kr, n->cfg->region, n->pub) &&
	    mf_keyring_add(kr, n->cfg->region, n->pub, 1, MF_KEY_OWN) != 0) {
		mf_keyring_free(kr);
		snprintf(err, errlen, "cannot add own key to the keyring");
		return -1;
	}
	mf_keyring_free(n->keyring);
	n->keyring = kr;
	return 0;
}

int
mf_node_rebuild_keyring(mf_node *n, char *err, size_t errlen)
{
	return build_keyring(n, err, errlen);
}

/* The seq from which kr has pub in force for region (0: not at all). */
typedef struct from_find {
	const char *region;
	const uint8_t *pub;
	uint64_t from;
} from_find;

static int
from_fn(void *arg, const char *region, const uint8_t pub[MF_PUBKEY_LEN], uint64_t from,
	enum mf_key_source source, uint64_t revoked_after)
{
	from_find *f = arg;

	(void)source;
	(void)revoked_after;
	if (from > 0 && strcmp(region, f->region) == 0 && memcmp(pub, f->pub, MF_PUBKEY_LEN) == 0)
		f->from = from;
	return 0;
}

int
mf_node_key_switch(mf_node *n, mf_key *newkey, uint64_t seq, char *err, size_t errlen)
{
	char *cpath = mf_path(n->dir, MF_CONFIG_NAME), *cur = mf_path(n->dir, "signing.key");
	char *next = mf_path(n->dir, "signing.key.next"), *rdir = mf_path(n->dir, "retired");
	char *pubp = mf_path(n->dir, "signing.pub"), name[64], *ret = NULL;
	char hex[2 * MF_PUBKEY_LEN + 2], text[256];
	uint8_t pub[MF_PUBKEY_LEN];
	const mf_region_conf *rc = mf_config_region(n->cfg, n->cfg->region);
	struct stat sb;
	int have = 0, rc2 = -1;

	mf_key_public(newkey, pub);
	mf_hex(pub, MF_PUBKEY_LEN, hex);
	for (size_t i = 0; rc && i < rc->n_keys; i++)
		have |= memcmp(rc->keys[i].pub, pub, MF_PUBKEY_LEN) == 0;
	/* the config first: a crash after it leaves a node that opens with
	 * the new key in its keyring and finishes the switch */
	snprintf(text, sizeof(text), "\n; a new signing key, in force from seq %llu on (doc/KEYS.md)\n[region %s]\nkey = %s from %llu\n",
		 (unsigned long long)seq + 1, n->cfg->region, hex, (unsigned long long)seq + 1);
	if (!have && mf_config_append(cpath, text, err, errlen) != 0)
		goto out;
	if (mkdir(rdir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", rdir, strerror(errno));
		goto out;
	}
	snprintf(name, sizeof(name), "signing-%llu.key", (unsigned long long)seq);
	ret = mf_path(rdir, name);
	if (stat(cur, &sb) == 0 && rename(cur, ret) != 0) {
		snprintf(err, errlen, "%s -> %s: %s", cur, ret, strerror(errno));
		goto out;
	}
	if (stat(next, &sb) == 0) {
		if (rename(next, cur) != 0) {
			snprintf(err, errlen, "%s -> %s: %s", next, cur, strerror(errno));
			goto out;
		}
	} else if (mf_key_save_private(newkey, cur, err, errlen) != 0)
		goto out;
	strcat(hex, "\n");
	(void)unlink(pubp);
	if (mf_write_file(pubp, hex, strlen(hex), 0644, err, errlen) != 0)
		goto out;
	mf_key_free(n->key);
	n->key = newkey;
	newkey = NULL;
	memcpy(n->pub, pub, MF_PUBKEY_LEN);
	if (mf_node_reload(n, err, errlen) != 0)
		goto out;
	mf_info("keys: this node signs with key %.16s from seq %llu on; the old key is kept in %s",
		hex, (unsigned long long)seq + 1, ret);
	rc2 = 0;
out:
	mf_key_free(newkey);
	free(cpath);
	free(cur);
	free(next);
	free(rdir);
	free(pubp);
	free(ret);
	return rc2;
}

/*
 * A rotation cut short by a crash: signing.key.next is there.  When the
 * keyring (config and chain) has its key, the rotation record was stored:
 * finish the switch.  Otherwise nothing announced it: drop it.
 */
static int
finish_rotation(mf_node *n, char *err, size_t errlen)
{
	char *next = mf_path(n->dir, "signing.key.next");
	mf_key *k = NULL;
	from_find f = { n->cfg->region, NULL, 0 };
	uint8_t pub[MF_PUBKEY_LEN];
	struct stat sb;
	int rc = 0;

	if (stat(next, &sb) != 0)
		goto out;
	if ((k = mf_key_load_private_path(next, err, errlen)) == NULL) {
		rc = -1;
		goto out;
	}
	mf_key_public(k, pub);
	f.pub = pub;
	mf_keyring_each(n->keyring, from_fn, &f);
	if (f.from > 1) {
		mf_warn("keys: finishing a key rotation cut short (new key in force from seq %llu)",
			(unsigned long long)f.from);
		rc = mf_node_key_switch(n, k, f.from - 1, err, errlen);
		k = NULL;
	} else {
		mf_warn("keys: %s: a rotation that was never announced; its key is discarded", next);
		(void)unlink(next);
	}
out:
	mf_key_free(k);
	free(next);
	return rc;
}

mf_node *
mf_node_open(const char *dir, int no_store, char *err, size_t errlen)
{
	mf_node *n = mf_xcalloc(1, sizeof(*n));
	char *cpath = NULL, *dbp = NULL;
	struct stat sb;

	n->dir = mf_xstrdup(dir);
	cpath = mf_path(dir, MF_CONFIG_NAME);
	if (stat(cpath, &sb) != 0) {
		snprintf(err, errlen, "%s: %s (run 'mentorfed -d %s init --region CODE' first)", cpath,
			 strerror(errno), dir);
		goto bad;
	}
	if ((n->cfg = mf_config_load(cpath, err, errlen)) == NULL)
		goto bad;
	{
		/* a crash between the two renames of a switch: the old key is
		 * retired already, the new one still under its temporary name */
		char *cur = mf_path(dir, "signing.key"), *next = mf_path(dir, "signing.key.next");
		if (stat(cur, &sb) != 0 && stat(next, &sb) == 0 && rename(next, cur) == 0)
			mf_warn("keys: %s: put in place of the retired signing key", cur);
		free(cur);
		free(next);
	}
	if ((n->key = mf_key_load_private(dir, err, errlen)) == NULL)
		goto bad;
	mf_key_public(n->key, n->pub);
	if (mf_curve_load(dir, n->curve_pub, n->curve_sec, err, errlen) != 0)
		goto bad;
	if (build_keyring(n, err, errlen) != 0)
		goto bad;
	if (!no_store) {
		if ((dbp = mf_path(n->cfg->data_dir, "store.db")) == NULL)
			goto bad;
		n->store_was_new = stat(dbp, &sb) != 0;
		if ((n->store = mf_store_open(dbp, n->cfg->region, err, errlen)) == NULL)
			goto bad;
		/* the keyring again, now with the rotations the store holds */
		if (build_keyring(n, err, errlen) != 0 || finish_rotation(n, err, errlen) != 0)
			goto bad;
	}
	free(cpath);
	free(dbp);
	return n;
bad:
	free(cpath);
	free(dbp);
	mf_node_close(n);
	return NULL;
}

int
mf_node_reload(mf_node *n, char *err, size_t errlen)
{
	char *cpath = mf_path(n->dir, MF_CONFIG_NAME);
	mf_config *c, *old;

	if (cpath == NULL)
		return -1;
	c = mf_config_load(cpath, err, errlen);
	free(cpath);
	if (c == NULL)
		return -1;
	if (strcmp(c->region, n->cfg->region) != 0) {
		snprintf(err, errlen, "%s: region changed from %s to %s; a node's region is fixed",
			 c->path, n->cfg->region, c->region);
		mf_config_free(c);
		return -1;
	}
	old = n->cfg;
	n->cfg = c;
	if (build_keyring(n, err, errlen) != 0) {
		n->cfg = old;
		mf_config_free(c);
		return -1;
	}
	mf_config_free(old);
	return 0;
}

void
mf_node_close(mf_node *n)
{
	if (n == NULL)
		return;
	mf_store_close(n->store);
	mf_keyring_free(n->keyring);
	mf_key_free(n->key);
	mf_config_free(n->cfg);
	memset(n->curve_sec, 0, sizeof(n->curve_sec));
	free(n->dir);
	free(n);
}
