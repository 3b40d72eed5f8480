/*
 * cards.c — the verbs on the node's identity, which work on the data
 * directory itself: init, card, peer add, trust.
 *
 * An identity card is what `mentorfed card` prints: `key = value` lines
 * (region, name, endpoint, signing_key, curve_key; after a rotation or a
 * replacement also `key = HEX from SEQ` and `revoke = HEX after SEQ`, as
 * many as there are, doc/KEYS.md) and # or ; comments, parsed by
 * daemon/core/card.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "card.h"
#include "cli_fmt.h"
#include "client.h"
#include "conf.h"
#include "i18n.h"
#include "kinds.h"
#include "node.h"
#include "request.h"
#include "util.h"

/* the card as the verbs below use it */
typedef mf_card card;

static int
card_read(const char *path, card *c)
{
	char err[1024], *buf;

	if (mf_read_file(path, &buf, NULL, err, sizeof(err)) != 0)
		return die(EX_NOINPUT, "%s", err);
	if (mf_card_parse(path, buf, c, err, sizeof(err)) != 0) {
		free(buf);
		return die(EX_DATAERR, "%s", err);
	}
	free(buf);
	return EX_OK;
}

/* ---------------------------------------------------------------- init, card */

/* A one-line key file of the data directory, or NULL. */
static char *
read_key_line(const char *dir, const char *name)
{
	char err[512], *path = mf_path(dir, name), *s = NULL;

	if (mf_read_file(path, &s, NULL, err, sizeof(err)) == 0)
		s[strcspn(s, "\n")] = '\0';
	free(path);
	return s;
}

int
v_init(int argc, char **argv)
{
	static const char *region, *listen, *plugin_dir, *name;
	static const opt_def defs[] = {
		OPT_V("region", 'r', &region),
		OPT_V("name", 'n', &name),
		OPT_V("listen", 'l', &listen),
		OPT_V("plugin-dir", 'p', &plugin_dir),
		OPT_END
	};
	char err[1024], *pub, *cpub;
	const char *dir;
	int code;

	region = plugin_dir = name = NULL;
	listen = "";
	if ((code = opt_parse(argc, argv, "init", defs, NULL, 0, 0)) >= 0)
		return code;
	if (region == NULL)
		return verb_help("init", stderr);
	dir = need_dir();
	if (*listen && strncmp(listen, "tcp://", 6) != 0 && strncmp(listen, "ipc://", 6) != 0)
		return die(EX_USAGE, "--listen: expected a ZeroMQ endpoint such as tcp://127.0.0.1:7701");
	if (mf_node_init_named(dir, region, name, listen, plugin_dir, err, sizeof(err)) != 0)
		return die(EX_CANTCREAT, "%s", err);
	pub = read_key_line(dir, "signing.pub");
	cpub = read_key_line(dir, "curve.pub");
	if (cli.json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "dir", dir, "region", region,
				      "name", name ? name : "", "listen", listen, "signing_key",
				      pub ? pub : "", "curve_key", cpub ? cpub : "");
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
		if (name && *name)
			printf(_("initialised node %s («%s») in %s\n"), region, name, dir);
		else
			printf("initialised node %s in %s\n", region, dir);
		printf("signing key (Ed25519, give to other regions): %s\n", pub ? pub : "?");
		printf("CURVE key (ZeroMQ, give to peers):            %s\n", cpub ? cpub : "?");
		printf("start it with: mentorfedd -d %s\n", dir);
	}
	free(pub);
	free(cpub);
	return EX_OK;
}

int
v_card(int argc, char **argv)
{
	char err[1024], hex[2 * MF_PUBKEY_LEN + 1];
	const char *name = "";
	const mf_region_conf *rc;
	json_t *keys = json_array(), *revoked = json_array();
	mf_node *n;
	int code, own_known = 0;

	if ((code = opt_parse(argc, argv, "card", NULL, NULL, 0, 0)) >= 0) {
		json_decref(keys);
		json_decref(revoked);
		return code;
	}
	if ((n = mf_node_open(need_dir(), 1, err, sizeof(err))) == NULL) {
		json_decref(keys);
		json_decref(revoked);
		return die(EX_CONFIG, "%s", err);
	}
	/* The region's first key (seq 1 on), then every later one with the
	 * seq it is in force from, and the region's own revocations: a node
	 * that trusts the card from scratch verifies the whole chain. */
	if ((rc = mf_config_region(n->cfg, n->cfg->region)) != NULL) {
		if (rc->name)
			name = rc->name;
		own_known = memcmp(rc->signing_key, n->pub, MF_PUBKEY_LEN) == 0;
		for (size_t i = 0; i < rc->n_keys; i++) {
			own_known |= memcmp(rc->keys[i].pub, n->pub, MF_PUBKEY_LEN) == 0;
			mf_hex(rc->keys[i].pub, MF_PUBKEY_LEN, hex);
			json_array_append_new(keys, json_pack("{s:s, s:I}", "key", hex, "from",
							      (json_int_t)rc->keys[i].seq));
		}
		for (size_t i = 0; i < rc->n_revoked; i++) {
			mf_hex(rc->revoked[i].pub, MF_PUBKEY_LEN, hex);
			json_array_append_new(revoked, json_pack("{s:s, s:I}", "key", hex, "after",
								 (json_int_t)rc->revoked[i].seq));
		}
	}
	/* a config that does not list the node's key (made by hand): the
	 * node's key, as before rotations existed */
	mf_hex(own_known ? rc->signing_key : n->pub, MF_PUBKEY_LEN, hex);
	if (!own_known)
		json_array_clear(keys), json_array_clear(revoked);
	if (cli.json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O}", "region", n->cfg->region,
				      "name", name, "endpoint", n->cfg->listen, "signing_key", hex,
				      "curve_key", n->curve_pub, "keys", keys, "revoked", revoked);
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
		size_t i;
		json_t *k;

		printf("# mentorfed node card: hand this to another region's operator.\n"
		       "# They run: mentorfed peer add THIS_FILE   (or: mentorfed trust THIS_FILE)\n"
		       "region = %s\n"
		       "name = %s\n"
		       "endpoint = %s\n"
		       "signing_key = %s\n"
		       "curve_key = %s\n",
		       n->cfg->region, name, n->cfg->listen, hex, n->curve_pub);
		json_array_foreach(keys, i, k)
			printf("key = %s from %lld\n", json_string_value(json_object_get(k, "key")),
			       (long long)json_integer_value(json_object_get(k, "from")));
		json_array_foreach(revoked, i, k)
			printf("revoke = %s after %lld\n", json_string_value(json_object_get(k, "key")),
			       (long long)json_integer_value(json_object_get(k, "after")));
	}
	json_decref(keys);
	json_decref(revoked);
	mf_node_close(n);
	return EX_OK;
}

/* ---------------------------------------------------------------- peer, trust */

/* Best-effort reload of a running daemon; a stopped one reads the config
 * at start. */
static void
reload_if_running(void)
{
	json_t *rep;
	int code;

	if (daemon_running(need_dir()) &&
	    (rep = call(json_pack("{s:s}", "cmd", "reload"), &code)) != NULL)
		json_decref(rep);
}

/* Is (pub, seq) among n entries? */
static int
has_key_seq(const mf_key_seq *v, size_t n, const mf_key_seq *ks)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].seq == ks->seq && memcmp(v[i].pub, ks->pub, MF_PUBKEY_LEN) == 0)
			return 1;
	return 0;
}

/* The card's later keys and revocations the config lacks, as lines. */
static void
card_key_lines(const mf_region_conf *rc, const card *c, char *text, size_t tl)
{
	char hex[2 * MF_PUBKEY_LEN + 1];

	for (size_t i = 0; i < c->n_keys; i++)
		if (rc == NULL || !has_key_seq(rc->keys, rc->n_keys, &c->keys[i])) {
			mf_hex(c->keys[i].pub, MF_PUBKEY_LEN, hex);
			snprintf(text + strlen(text), tl - strlen(text), "key = %s from %llu\n", hex,
				 (unsigned long long)c->keys[i].seq);
		}
	for (size_t i = 0; i < c->n_revoked; i++)
		if (rc == NULL || !has_key_seq(rc->revoked, rc->n_revoked, &c->revoked[i])) {
			mf_hex(c->revoked[i].pub, MF_PUBKEY_LEN, hex);
			snprintf(text + strlen(text), tl - strlen(text), "revoke = %s after %llu\n", hex,
				 (unsigned long long)c->revoked[i].seq);
		}
}

/* Append a [region] section for c unless the same key is already there;
 * a different first key for the region is refused.  For a region already
 * trusted, the card's later keys and revocations (a re-join after a
 * revocation, doc/KEYS.md) that the config lacks are added. */
static int
trust_card(mf_config *cfg, const card *c, char *text, size_t tl, int *added)
{
	uint8_t key[MF_PUBKEY_LEN];
	char more[3072] = "";

	mf_unhex(c->signing_key, key, sizeof(key));
	*added = 0;
	for (size_t i = 0; i < cfg->n_regions; i++)
		if (strcmp(cfg->regions[i].code, c->region) == 0) {
			if (memcmp(cfg->regions[i].signing_key, key, sizeof(key)) != 0)
				return die(EX_DATAERR, "%s:%u: region %s is already trusted with another signing key; edit the file to replace it",
					   cfg->path, cfg->regions[i].line, c->region);
			card_key_lines(&cfg->regions[i], c, more, sizeof(more));
			if (more[0]) {
				snprintf(text + strlen(text), tl - strlen(text),
					 "\n; from %s's card\n[region %s]\n%s", c->region, c->region, more);
				*added = 1;
			}
			return EX_OK;
		}
	snprintf(text + strlen(text), tl - strlen(text), "\n[region %s]\nsigning_key = %s\n",
		 c->region, c->signing_key);
	if (c->name[0])
		snprintf(text + strlen(text), tl - strlen(text), "name = %s\n", c->name);
	card_key_lines(NULL, c, text + strlen(text), tl - strlen(text));
	*added = 1;
	return EX_OK;
}

/*
 * The common end of peer add and trust: check the card against the
 * config (check, may be NULL, for peer's own checks and section), add its
 * region's key, and append what is new to the config.
 */
static int
add_to_config(const card *c, int (*check)(mf_config *, const card *, void *, char *, size_t),
	      void *arg, int *added)
{
	char err[1024], text[8192] = "", *cpath = mf_path(need_dir(), MF_CONFIG_NAME);
	mf_config *cfg;
	int rc;

	if ((cfg = mf_config_load(cpath, err, sizeof(err))) == NULL) {
		free(cpath);
		return die(EX_CONFIG, "%s", err);
	}
	rc = check ? check(cfg, c, arg, text, sizeof(text)) : EX_OK;
	if (rc == EX_OK)
		rc = trust_card(cfg, c, text, sizeof(text), added);
	mf_config_free(cfg);
	if (rc == EX_OK && text[0] && mf_config_append(cpath, text, err, sizeof(err)) != 0)
		rc = die(EX_CONFIG, "%s", err);
	free(cpath);
	if (rc == EX_OK)
		reload_if_running();
	return rc;
}

/* The key a card speaks with now: its last later key, else signing_key. */
static void
card_current_key(const card *c, uint8_t pub[MF_PUBKEY_LEN])
{
	uint64_t best = 0;

	mf_unhex(c->signing_key, pub, MF_PUBKEY_LEN);
	for (size_t i = 0; i < c->n_keys; i++)
		if (c->keys[i].seq > best) {
			best = c->keys[i].seq;
			memcpy(pub, c->keys[i].pub, MF_PUBKEY_LEN);
		}
}

/* trust --revoke: the card's current key is revoked after seq (the
 * region is trusted first if it was not). */
static int
revoke_check(mf_config *cfg, const card *c, void *arg, char *text, size_t tl)
{
	const unsigned long long *after = arg;
	uint8_t pub[MF_PUBKEY_LEN];
	char hex[2 * MF_PUBKEY_LEN + 1];

	(void)cfg;
	card_current_key(c, pub);
	mf_hex(pub, MF_PUBKEY_LEN, hex);
	snprintf(text, tl, "\n; revoked: blocks this key signs past seq %llu are refused (doc/KEYS.md)\n[region %s]\nrevoke = %s after %llu\n",
		 *after, c->region, hex, *after);
	return EX_OK;
}

int
v_trust(int argc, char **argv)
{
	static const char *revoke_after;
	static const opt_def defs[] = {
		OPT_V("after", 'a', &revoke_after),
		OPT_T("revoke", 'R', "revoke"),
		OPT_END
	};
	card c;
	int rc, added, revoke;
	unsigned long long after = 0;
	char *end;
	json_t *req = json_object();

	revoke_after = NULL;
	rc = opt_parse(argc, argv, "trust", defs, req, 1, 1);
	revoke = json_is_true(json_object_get(req, "revoke"));
	json_decref(req);
	if (rc >= 0)
		return rc;
	if (revoke != (revoke_after != NULL))
		return die(EX_USAGE, _("trust: --revoke and --after SEQ go together (the last seq the key signed honestly)"));
	if (revoke_after) {
		after = strtoull(revoke_after, &end, 10);
		if (*revoke_after == '\0' || *end != '\0' || revoke_after[0] == '-')
			return die(EX_USAGE, _("--after: expected a seq (0 or more), got '%s'"), revoke_after);
	}
	if ((rc = card_read(argv[optind], &c)) != EX_OK)
		return rc;
	if (revoke) {
		uint8_t pub[MF_PUBKEY_LEN];
		char hex[2 * MF_PUBKEY_LEN + 1];

		if ((rc = add_to_config(&c, revoke_check, &after, &added)) != EX_OK)
			return rc;
		card_current_key(&c, pub);
		mf_hex(pub, MF_PUBKEY_LEN, hex);
		printf(_("revoked %s's key %.16s… after seq %llu: blocks it signs past that seq are refused.\n"
			 "When %s re-joins with a new key, run: mentorfed trust NEWCARD\n"),
		       c.region, hex, after, c.region);
		return EX_OK;
	}
	if ((rc = add_to_config(&c, NULL, NULL, &added)) != EX_OK)
		return rc;
	printf("%s %s's signing key\n", added ? "trusting" : "already trusting", c.region);
	return EX_OK;
}

/* What peer add adds: the peer's name and the card's path. */
typedef struct peer_add {
	const char *name, *path;
} peer_add;

/* peer add: the peer is not this node and not configured yet; its
 * section goes before its region's. */
static int
peer_check(mf_config *cfg, const card *c, void *arg, char *text, size_t tl)
{
	const peer_add *pa = arg;

	if (strcmp(cfg->region, c->region) == 0)
		return die(EX_DATAERR, "%s: that is this node's own region (%s)", pa->path, c->region);
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (strcmp(cfg->peers[i].name, pa->name) == 0 ||
		    strcmp(cfg->peers[i].curve_key, c->curve_key) == 0)
			return die(EX_DATAERR, "%s:%u: peer %s is already configured", cfg->path,
				   cfg->peers[i].line, cfg->peers[i].name);
	snprintf(text, tl, "\n[peer %s]\nendpoint = %s\ncurve_key = %s\nregion = %s\n",
		 pa->name, c->endpoint, c->curve_key, c->region);
	return EX_OK;
}

int
v_peer(int argc, char **argv)
{
	static const char *endpoint, *pname;
	static const opt_def defs[] = {
		OPT_V("endpoint", 'e', &endpoint),
		OPT_V("name", 'n', &pname),
		OPT_END
	};
	peer_add pa;
	card c;
	int rc, added;

	endpoint = pname = NULL;
	if ((rc = opt_parse(argc, argv, "peer", defs, NULL, 2, 2)) >= 0)
		return rc;
	if (strcmp(argv[optind], "add") != 0)
		return verb_help("peer", stderr);
	pa.path = argv[optind + 1];
	if ((rc = card_read(pa.path, &c)) != EX_OK)
		return rc;
	if (endpoint)
		mf_strlcpy(c.endpoint, endpoint, sizeof(c.endpoint));
	if (c.endpoint[0] == '\0')
		return die(EX_DATAERR, "%s: the card has no endpoint; give --endpoint", pa.path);
	if (strlen(c.curve_key) != MF_Z85_KEY_LEN)
		return die(EX_DATAERR, "%s: curve_key missing or not 40 Z85 characters", pa.path);
	pa.name = pname ? pname : c.region;
	if ((rc = add_to_config(&c, peer_check, &pa, &added)) != EX_OK)
		return rc;
	printf("peer %s (%s) added at %s\n", pa.name, c.region, c.endpoint);
	return EX_OK;
}
