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
	char *cpath = NULL, *conf = NULL;
	uint8_t pub[MF_PUBKEY_LEN];
	char hex[2 * MF_PUBKEY_LEN + 1];
	mf_key *k = NULL;
	mf_store *st = NULL;
	struct stat sb;
	size_t cl;
	int rc = -1;

	if (!mf_region_valid(region)) {
		snprintf(err, errlen, "--region: expected an ISO 3166-2 code such as RU-TOM, got '%s'",
			 region);
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
	cpath = mf_path(dir, MF_CONFIG_NAME);
	if (cpath == NULL)
		goto out;
	if (stat(cpath, &sb) == 0) {
		snprintf(err, errlen, "%s: exists; this directory already holds a node", cpath);
		goto out;
	}
	(void)chmod(dir, 0700);
	if (mf_keys_generate(dir, err, errlen) != 0)
		goto out;
	if ((k = mf_key_load_private(dir, err, errlen)) == NULL)
		goto out;
	mf_key_public(k, pub);
	mf_hex(pub, sizeof(pub), hex);
	cl = 2048 + strlen(listen ? listen : "") + (plugin_dir ? strlen(plugin_dir) : 0);
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
		 "signing_key = %s\n",
		 region, listen ? listen : "", plugin_dir ? "plugin_dir = " : "",
		 plugin_dir ? plugin_dir : "", plugin_dir ? "\n" : "", region, hex);
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

static int
build_keyring(mf_node *n, char *err, size_t errlen)
{
	mf_keyring *kr = mf_keyring_new();

	if (kr == NULL || mf_config_keyring(n->cfg, kr, err, errlen) != 0) {
		mf_keyring_free(kr);
		return -1;
	}
	/* The node always trusts its own key for its region, whatever the
	 * config says, so that a config mistake cannot make it reject itself. */
	if (mf_keyring_set(kr, n->cfg->region, n->pub) != 0) {
		mf_keyring_free(kr);
		snprintf(err, errlen, "cannot add own key to the keyring");
		return -1;
	}
	mf_keyring_free(n->keyring);
	n->keyring = kr;
	return 0;
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
