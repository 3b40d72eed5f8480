/*
 * cards.c — the verbs on the node's identity, which work on the data
 * directory itself: init, card, peer add, trust.
 *
 * An identity card is what `mentorfed card` prints: `key = value` lines
 * (region, name, endpoint, signing_key, curve_key) and # or ; comments.
 * inih parses it; the reader below only counts lines for the FILE:LINE
 * errors (the Debian build of inih does not pass them to the handler) and
 * keeps inih from reading more into a card than it holds.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <ini.h>

#include "cli_fmt.h"
#include "client.h"
#include "conf.h"
#include "kinds.h"
#include "node.h"
#include "request.h"
#include "util.h"

typedef struct card {
	char region[16], endpoint[256], signing_key[80], curve_key[64], name[1024];
} card;

/* The parse of one card: inih's reader and handler share it. */
typedef struct card_parse {
	const char *path;
	card *c;
	const char *next;	/* the text not yet read */
	unsigned line;		/* of the line inih works on */
	unsigned err_line;	/* of the error in err; 0: none */
	char err[768];
} card_parse;

static int
card_err(card_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Note the first error, at the current line; 0 for inih's handler. */
static int
card_err(card_parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err_line)
		return 0;
	n = snprintf(p->err, sizeof(p->err), "%s:%u: ", p->path, p->line);
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	p->err_line = p->line;
	return 0;
}

/* inih's handler: one key of the card. */
static int
card_key(void *arg, const char *section, const char *name, const char *value)
{
#define KEY(k) { #k, offsetof(card, k), sizeof(((card *)0)->k) }
	static const struct {
		const char *name;
		size_t off, size;
	} keys[] = { KEY(region), KEY(name), KEY(endpoint), KEY(signing_key), KEY(curve_key) };
#undef KEY
	card_parse *p = arg;

	(void)section;	/* always "": the reader refuses section headers */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(name, keys[i].name) == 0) {
			mf_strlcpy((char *)p->c + keys[i].off, value, keys[i].size);
			return 1;
		}
	return card_err(p, "unknown key '%s' (expected region, name, endpoint, signing_key, curve_key)",
			name);
}

/*
 * A line too long for inih's line buffer (a region's official name runs
 * past 200 bytes of UTF-8 easily): split it at its '=' here and hand it to
 * the handler directly.
 */
static void
long_line(card_parse *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *v = eq + 1;
	char *k, *val;
	size_t kl = (size_t)(eq - s), vl = n - kl - 1;

	while (kl > 0 && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
		kl--;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	k = mf_xstrndup(s, kl);
	val = mf_xstrndup(v, vl);
	card_key(p, "", k, val);
	free(k);
	free(val);
}

/*
 * inih's reader: the next line of the card.  Leading blanks are dropped
 * (inih would read an indented line as the continuation of the previous
 * value; a card has none), and a line that is neither blank, a comment nor
 * `key = value` is an error here, since inih would take `[x]` for a
 * section and `key: value` for a key.  Stops at the first error.
 */
static char *
card_reader(char *str, int num, void *arg)
{
	card_parse *p = arg;
	const char *s = p->next, *e;
	size_t n;

	if (p->err_line || *s == '\0')
		return NULL;
	e = s + strcspn(s, "\n");
	p->next = *e ? e + 1 : e;
	p->line++;
	s += strspn(s, " \t");
	for (n = (size_t)(e - s); n > 0 && strchr(" \t\r", s[n - 1]); n--)
		;
	if (n > 0 && (*s == '#' || *s == ';'))
		n = 0;	/* a comment: inih gets a blank line, whatever its length */
	if (n > 0 && (*s == '[' || memchr(s, '=', n) == NULL)) {
		card_err(p, "expected KEY = VALUE");
		return NULL;
	}
	if (n + 2 > (size_t)num) {
		long_line(p, s, n);
		n = 0;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return p->err_line ? NULL : str;
}

static int
card_read(const char *path, card *c)
{
	char err[512], *buf;
	uint8_t tmp[MF_PUBKEY_LEN];
	card_parse p = { .path = path, .c = c };
	int rc;

	memset(c, 0, sizeof(*c));
	if (mf_read_file(path, &buf, NULL, err, sizeof(err)) != 0)
		return die(EX_NOINPUT, "%s", err);
	p.next = buf;
	rc = ini_parse_stream(card_reader, &p, card_key, &p);
	free(buf);
	/* inih's own syntax errors (such as an '=' after an inline comment)
	 * come without a message */
	if (rc > 0 && (p.err_line == 0 || (unsigned)rc < p.err_line))
		return die(EX_DATAERR, "%s:%d: expected KEY = VALUE", path, rc);
	if (p.err_line)
		return die(EX_DATAERR, "%s", p.err);
	if (!mf_region_valid(c->region))
		return die(EX_DATAERR, "%s: region missing or not an ISO 3166-2 code", path);
	if (mf_unhex(c->signing_key, tmp, sizeof(tmp)) != 0)
		return die(EX_DATAERR, "%s: signing_key missing or not 64 hex digits", path);
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
	static const char *region, *listen, *plugin_dir;
	static const opt_def defs[] = {
		OPT_V("region", 'r', &region),
		OPT_V("listen", 'l', &listen),
		OPT_V("plugin-dir", 'p', &plugin_dir),
		OPT_END
	};
	char err[1024], *pub, *cpub;
	const char *dir;
	int code;

	region = plugin_dir = NULL;
	listen = "";
	if ((code = opt_parse(argc, argv, "init", defs, NULL, 0, 0)) >= 0)
		return code;
	if (region == NULL)
		return verb_help("init", stderr);
	dir = need_dir();
	if (*listen && strncmp(listen, "tcp://", 6) != 0 && strncmp(listen, "ipc://", 6) != 0)
		return die(EX_USAGE, "--listen: expected a ZeroMQ endpoint such as tcp://127.0.0.1:7701");
	if (mf_node_init(dir, region, listen, plugin_dir, err, sizeof(err)) != 0)
		return die(EX_CANTCREAT, "%s", err);
	pub = read_key_line(dir, "signing.pub");
	cpub = read_key_line(dir, "curve.pub");
	if (cli.json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "dir", dir, "region", region,
				      "listen", listen, "signing_key", pub ? pub : "", "curve_key",
				      cpub ? cpub : "");
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
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
	mf_node *n;
	int code;

	if ((code = opt_parse(argc, argv, "card", NULL, NULL, 0, 0)) >= 0)
		return code;
	if ((n = mf_node_open(need_dir(), 1, err, sizeof(err))) == NULL)
		return die(EX_CONFIG, "%s", err);
	mf_hex(n->pub, MF_PUBKEY_LEN, hex);
	for (size_t i = 0; i < n->cfg->n_regions; i++)
		if (strcmp(n->cfg->regions[i].code, n->cfg->region) == 0 && n->cfg->regions[i].name)
			name = n->cfg->regions[i].name;
	if (cli.json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "region", n->cfg->region, "name",
				      name, "endpoint", n->cfg->listen, "signing_key", hex,
				      "curve_key", n->curve_pub);
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
		printf("# mentorfed node card: hand this to another region's operator.\n"
		       "# They run: mentorfed peer add THIS_FILE   (or: mentorfed trust THIS_FILE)\n"
		       "region = %s\n"
		       "name = %s\n"
		       "endpoint = %s\n"
		       "signing_key = %s\n"
		       "curve_key = %s\n",
		       n->cfg->region, name, n->cfg->listen, hex, n->curve_pub);
	}
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

/* Append a [region] section for c unless the same key is already there;
 * a different key for the region is refused. */
static int
trust_card(mf_config *cfg, const card *c, char *text, size_t tl, int *added)
{
	uint8_t key[MF_PUBKEY_LEN];

	mf_unhex(c->signing_key, key, sizeof(key));
	*added = 0;
	for (size_t i = 0; i < cfg->n_regions; i++)
		if (strcmp(cfg->regions[i].code, c->region) == 0) {
			if (memcmp(cfg->regions[i].signing_key, key, sizeof(key)) != 0)
				return die(EX_DATAERR, "%s:%u: region %s is already trusted with another signing key; edit the file to replace it",
					   cfg->path, cfg->regions[i].line, c->region);
			return EX_OK;
		}
	snprintf(text + strlen(text), tl - strlen(text), "\n[region %s]\nsigning_key = %s\n",
		 c->region, c->signing_key);
	if (c->name[0])
		snprintf(text + strlen(text), tl - strlen(text), "name = %s\n", c->name);
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
	char err[1024], text[4096] = "", *cpath = mf_path(need_dir(), MF_CONFIG_NAME);
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

int
v_trust(int argc, char **argv)
{
	card c;
	int rc, added;

	if ((rc = opt_parse(argc, argv, "trust", NULL, NULL, 1, 1)) >= 0)
		return rc;
	if ((rc = card_read(argv[optind], &c)) != EX_OK ||
	    (rc = add_to_config(&c, NULL, NULL, &added)) != EX_OK)
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
