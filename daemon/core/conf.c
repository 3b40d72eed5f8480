/*
 * conf.c — the node's INI configuration (see conf.h).
 *
 * Parsing is inih's; this file only feeds it lines (through
 * ini_parse_stream's reader callback) and checks every value, so that each
 * error reads "FILE:LINE: what was expected".  The reader is there for
 * what the Debian build of inih (r55) leaves out: line numbers for the
 * handler, a call at a section's header (so an empty [peer X] is reported,
 * not dropped), and lines longer than its 200-byte buffer.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>

#include "conf.h"
#include "kinds.h"
#include "log.h"
#include "util.h"

/* Parser state shared by the reader and the handler. */
typedef struct parse {
	FILE *f;
	unsigned line;		/* the file's line the reader is on */
	mf_config *c;
	char err[512];
	int failed;
	unsigned err_line;	/* line of the error in err */
	char *buf;		/* the current line, whatever its length */
	size_t cap;
	char *rest;		/* the part of a long line inih did not get */
	char *joined;		/* its value whole again */
} parse;

static mf_peer_conf *peer_get(parse *p, const char *pname);
static mf_region_conf *region_get(parse *p, const char *code);

static int
perr(parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return 0;
	n = snprintf(p->err, sizeof(p->err), "%s:%u: ", p->c->path, p->line);
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	p->failed = 1;
	p->err_line = p->line;
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A section header seen by the reader: create the peer or region it opens
 * right away, so that an empty [peer X] is reported at its header line
 * instead of silently vanishing (inih only calls the handler for keys).
 * Headers inih cannot parse are left for its syntax error.
 */
static void
note_section(parse *p, const char *line)
{
	const char *s = line + strspn(line, " \t"), *end;
	char sec[128];

	if (*s != '[' || (end = strchr(s + 1, ']')) == NULL)
		return;
	if ((size_t)(end - s - 1) >= sizeof(sec)) {
		perr(p, "section name longer than %zu bytes", sizeof(sec) - 1);
		return;
	}
	memcpy(sec, s + 1, (size_t)(end - s - 1));
	sec[end - s - 1] = '\0';
	if (strcmp(sec, "node") == 0 || strcmp(sec, "web") == 0)
		return;
	if (strncmp(sec, "peer ", 5) == 0 && sec[5] != '\0') {
		peer_get(p, sec + 5);
		return;
	}
	if (strncmp(sec, "region ", 7) == 0) {
		if (!mf_region_valid(sec + 7))
			perr(p, "[%s]: expected [region CODE] with an ISO 3166-2 code", sec);
		else
			region_get(p, sec + 7);
		return;
	}
	perr(p, "unknown section [%s] (expected [node], [peer NAME], [region CODE] or [web])", sec);
}

/* Where an inline comment (";" after a blank) starts in s, or NULL. */
static char *
inline_comment(char *s)
{
	for (char *c = s; (c = strchr(c, ';')) != NULL; c++)
		if (c > s && (c[-1] == ' ' || c[-1] == '\t'))
			return c - 1;
	return NULL;
}

/*
 * inih's stream reader: one line of the file at a time, counting lines and
 * noting section headers.  A line longer than inih's buffer (a region's
 * official name easily runs past 200 bytes of UTF-8) is cut where neither
 * side is blank, so inih's trimming loses nothing: inih gets the first part
 * and parses it as it would the whole line, the handler appends the rest to
 * the value.  Stops the parse (EOF) at the first error.
 */
static char *
reader(char *str, int num, void *arg)
{
	parse *p = arg;
	size_t cut;
	ssize_t n;
	char *c;

	p->rest = NULL;
	if (p->failed || (n = getline(&p->buf, &p->cap, p->f)) < 0)
		return NULL;
	while (n > 0 && blank(p->buf[n - 1]))
		p->buf[--n] = '\0';
	p->line++;
	note_section(p, p->buf);
	if (p->failed)
		return NULL;
	if (n < num) {
		memcpy(str, p->buf, (size_t)n + 1);
		return str;
	}
	for (cut = (size_t)num - 1; cut > 1 && (blank(p->buf[cut - 1]) || blank(p->buf[cut])); cut--)
		;
	if (cut <= 1)
		cut = (size_t)num - 1;	/* a run of blanks as long as the buffer */
	memcpy(str, p->buf, cut);
	str[cut] = '\0';
	/* nothing to append to a comment, or after an inline one */
	c = str + strspn(str, " \t");
	if (*c == ';' || *c == '#' || inline_comment(str) != NULL)
		return str;
	p->rest = p->buf + cut;
	if ((c = inline_comment(p->rest)) != NULL)
		*c = '\0';
	return str;
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = mf_xstrdup(v);
}

static int
z85_valid(const char *v)
{
	uint8_t key[MF_Z85_KEY_LEN / 5 * 4];

	return strlen(v) == MF_Z85_KEY_LEN && mf_z85_decode(key, v) != NULL;
}

static int
endpoint_valid(const char *v)
{
	return strncmp(v, "tcp://", 6) == 0 || strncmp(v, "ipc://", 6) == 0 ||
	       strncmp(v, "inproc://", 9) == 0;
}

static int
node_key(parse *p, const char *name, const char *v)
{
	mf_config *c = p->c;
	uint64_t u;

	if (strcmp(name, "region") == 0) {
		if (!mf_region_valid(v))
			return perr(p, "region: expected an ISO 3166-2 code such as RU-TOM, got '%s'", v);
		mf_strlcpy(c->region, v, sizeof(c->region));
	} else if (strcmp(name, "listen") == 0) {
		if (*v && !endpoint_valid(v))
			return perr(p, "listen: expected a ZeroMQ endpoint such as tcp://127.0.0.1:7701, got '%s'", v);
		set_str(&c->listen, v);
	} else if (strcmp(name, "data_dir") == 0) {
		set_str(&c->data_dir, v);
	} else if (strcmp(name, "plugin_dir") == 0) {
		set_str(&c->plugin_dir, v);
	} else if (strcmp(name, "control") == 0) {
		if (!endpoint_valid(v))
			return perr(p, "control: expected a ZeroMQ endpoint such as ipc:///path, got '%s'", v);
		set_str(&c->control, v);
	} else if (strcmp(name, "log_level") == 0) {
		int l = mf_log_level_parse(v);
		if (l < 0)
			return perr(p, "log_level: expected error, warning, info or debug, got '%s'", v);
		c->log_level = l;
	} else if (strcmp(name, "heartbeat_ms") == 0 || strcmp(name, "peer_timeout_ms") == 0) {
		if (mf_parse_u64(v, 50, 3600000, &u) != 0)
			return perr(p, "%s: expected milliseconds between 50 and 3600000, got '%s'", name, v);
		if (name[0] == 'h')
			c->heartbeat_ms = (unsigned)u;
		else
			c->peer_timeout_ms = (unsigned)u;
	} else if (strcmp(name, "handshake_ms") == 0) {
		if (mf_parse_u64(v, 500, 600000, &u) != 0)
			return perr(p, "%s: expected milliseconds between 500 and 600000, got '%s'", name, v);
		c->handshake_ms = (unsigned)u;
	} else if (strcmp(name, "max_inbound") == 0) {
		/* 0: half of the descriptors the daemon may open */
		if (mf_parse_u64(v, 0, 1000000, &u) != 0)
			return perr(p, "%s: expected a number of connections between 0 (half of the file descriptor limit) and 1000000, got '%s'", name, v);
		c->max_inbound = (unsigned)u;
	} else if (strcmp(name, "plugin_timeout_ms") == 0) {
		if (mf_parse_u64(v, 100, 3600000, &u) != 0)
			return perr(p, "%s: expected milliseconds between 100 and 3600000, got '%s'", name, v);
		c->plugin_timeout_ms = (unsigned)u;
	} else if (strcmp(name, "plugin_memory_mb") == 0) {
		if (mf_parse_u64(v, 16, 65536, &u) != 0)
			return perr(p, "%s: expected MiB between 16 and 65536, got '%s'", name, v);
		c->plugin_memory_mb = (unsigned)u;
	} else if (strcmp(name, "scrub_rate") == 0) {
		/* records (and blocks) the background check verifies per second */
		if (mf_parse_u64(v, 0, 1000000, &u) != 0)
			return perr(p, "%s: expected records per second between 0 (off) and 1000000, got '%s'", name, v);
		c->scrub_rate = (unsigned)u;
	} else {
		return perr(p, "unknown key '%s' in [node] (expected region, listen, data_dir, plugin_dir, control, log_level, heartbeat_ms, peer_timeout_ms, handshake_ms, max_inbound, plugin_timeout_ms, plugin_memory_mb, scrub_rate)", name);
	}
	return 1;
}

static mf_peer_conf *
peer_get(parse *p, const char *pname)
{
	mf_config *c = p->c;
	mf_peer_conf *np;

	for (size_t i = 0; i < c->n_peers; i++)
		if (strcmp(c->peers[i].name, pname) == 0)
			return &c->peers[i];
	c->peers = mf_xrealloc(c->peers, (c->n_peers + 1) * sizeof(*np));
	np = &c->peers[c->n_peers++];
	memset(np, 0, sizeof(*np));
	np->name = mf_xstrdup(pname);
	np->line = p->line;
	return np;
}

static mf_region_conf *
region_get(parse *p, const char *code)
{
	mf_config *c = p->c;
	mf_region_conf *nr;

	for (size_t i = 0; i < c->n_regions; i++)
		if (strcmp(c->regions[i].code, code) == 0)
			return &c->regions[i];
	c->regions = mf_xrealloc(c->regions, (c->n_regions + 1) * sizeof(*nr));
	nr = &c->regions[c->n_regions++];
	memset(nr, 0, sizeof(*nr));
	mf_strlcpy(nr->code, code, sizeof(nr->code));
	nr->line = p->line;
	return nr;
}

int
mf_key_seq_parse(const char *v, const char *word, mf_key_seq *ks)
{
	char hex[65], w[16];
	unsigned long long seq;
	int end = 0;

	if (sscanf(v, "%64s %15s %llu %n", hex, w, &seq, &end) != 3 || v[end] != '\0' ||
	    strcmp(w, word) != 0 || mf_unhex(hex, ks->pub, MF_PUBKEY_LEN) != 0 ||
	    strspn(v + strcspn(v, " \t"), " \t") == 0)
		return -1;
	ks->seq = seq;
	return 0;
}

/* One key of the file, its value whole. */
static int
key(parse *p, const char *section, const char *name, const char *value)
{
	if (strcmp(section, "node") == 0)
		return node_key(p, name, value);
	if (strncmp(section, "peer ", 5) == 0 && section[5] != '\0') {
		mf_peer_conf *pc = peer_get(p, section + 5);

		if (strcmp(name, "endpoint") == 0) {
			if (!endpoint_valid(value))
				return perr(p, "endpoint: expected a ZeroMQ endpoint such as tcp://host:port, got '%s'", value);
			set_str(&pc->endpoint, value);
		} else if (strcmp(name, "curve_key") == 0) {
			if (!z85_valid(value))
				return perr(p, "curve_key: expected a 40-character Z85 CURVE public key");
			mf_strlcpy(pc->curve_key, value, sizeof(pc->curve_key));
		} else if (strcmp(name, "region") == 0) {
			if (!mf_region_valid(value))
				return perr(p, "region: expected an ISO 3166-2 code, got '%s'", value);
			mf_strlcpy(pc->region, value, sizeof(pc->region));
		} else {
			return perr(p, "unknown key '%s' in [peer %s] (expected endpoint, curve_key, region)", name, section + 5);
		}
		return 1;
	}
	if (strncmp(section, "region ", 7) == 0) {
		mf_region_conf *rc;
		if (!mf_region_valid(section + 7))
			return perr(p, "[%s]: expected [region CODE] with an ISO 3166-2 code", section);
		rc = region_get(p, section + 7);
		if (strcmp(name, "signing_key") == 0) {
			if (mf_unhex(value, rc->signing_key, MF_PUBKEY_LEN) != 0)
				return perr(p, "signing_key: expected 64 hex digits (an Ed25519 public key)");
			rc->has_key = 1;
		} else if (strcmp(name, "name") == 0) {
			set_str(&rc->name, value);
		} else if (strcmp(name, "key") == 0 || strcmp(name, "revoke") == 0) {
			int rev = name[0] == 'r';
			mf_key_seq ks;
			if (mf_key_seq_parse(value, rev ? "after" : "from", &ks) != 0)
				return perr(p, "%s: expected 64 hex digits, '%s' and a seq, got '%s'", name,
					    rev ? "after" : "from", value);
			if (!rev && ks.seq < 2)
				return perr(p, "key: a later key is in force from seq 2 or more (seq 1 is signing_key's)");
			if (rev) {
				rc->revoked = mf_xrealloc(rc->revoked, (rc->n_revoked + 1) * sizeof(ks));
				rc->revoked[rc->n_revoked++] = ks;
			} else {
				rc->keys = mf_xrealloc(rc->keys, (rc->n_keys + 1) * sizeof(ks));
				rc->keys[rc->n_keys++] = ks;
			}
		} else {
			return perr(p, "unknown key '%s' in [%s] (expected signing_key, name, key, revoke)", name, section);
		}
		return 1;
	}
	/* [web] belongs to mentorfed-web, which checks its keys itself
	 * (daemon/web/http.c) and names the line of any error. */
	if (strcmp(section, "web") == 0)
		return 1;
	return perr(p, "unknown section [%s] (expected [node], [peer NAME], [region CODE] or [web])", section);
}

/* inih's handler: the value whole again when the line was too long for
 * inih (see reader). */
static int
handler(void *arg, const char *section, const char *name, const char *value)
{
	parse *p = arg;

	if (p->failed)
		return 0;
	if (p->rest != NULL) {
		size_t vl = strlen(value), rl = strlen(p->rest);

		p->joined = mf_xrealloc(p->joined, vl + rl + 1);
		memcpy(p->joined, value, vl);
		memcpy(p->joined + vl, p->rest, rl + 1);
		value = p->joined;
		p->rest = NULL;
	}
	return key(p, section, name, value);
}

mf_config *
mf_config_load(const char *path, char *err, size_t errlen)
{
	parse p;
	mf_config *c = mf_xcalloc(1, sizeof(*c));
	int rc;

	memset(&p, 0, sizeof(p));
	c->path = mf_xstrdup(path);
	c->log_level = MF_LOG_LVL_INFO;
	c->heartbeat_ms = 1000;
	c->peer_timeout_ms = 5000;
	c->handshake_ms = 5000;
	c->plugin_timeout_ms = 60000;
	c->plugin_memory_mb = 1024;
	c->scrub_rate = 1000;
	p.c = c;
	if ((p.f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		mf_config_free(c);
		return NULL;
	}
	rc = ini_parse_stream(reader, &p, handler, &p);
	fclose(p.f);
	free(p.buf);
	free(p.joined);
	/* the first error wins: inih's rc is the first line it found wrong */
	if (p.failed && !(rc > 0 && (unsigned)rc < p.err_line)) {
		mf_strlcpy(err, p.err, errlen);
		mf_config_free(c);
		return NULL;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected [section], key = value, or a ; comment)",
			 path, rc > 0 ? rc : 0);
		mf_config_free(c);
		return NULL;
	}
	if (c->region[0] == '\0') {
		snprintf(err, errlen, "%s: [node] region is missing (expected region = RU-XXX)", path);
		mf_config_free(c);
		return NULL;
	}
	for (size_t i = 0; i < c->n_peers; i++) {
		if (c->peers[i].endpoint == NULL || c->peers[i].curve_key[0] == '\0') {
			snprintf(err, errlen, "%s:%u: [peer %s] needs both endpoint and curve_key", path,
				 c->peers[i].line, c->peers[i].name);
			mf_config_free(c);
			return NULL;
		}
	}
	for (size_t i = 0; i < c->n_regions; i++) {
		if (!c->regions[i].has_key) {
			snprintf(err, errlen, "%s:%u: [region %s] needs signing_key", path,
				 c->regions[i].line, c->regions[i].code);
			mf_config_free(c);
			return NULL;
		}
	}
	if (c->data_dir == NULL) {
		char *d = mf_xstrdup(path), *slash = strrchr(d, '/');
		if (slash)
			*slash = '\0';
		c->data_dir = (slash && d[0]) ? d : (free(d), mf_xstrdup(slash ? "/" : "."));
	}
	if (c->plugin_dir == NULL)
		c->plugin_dir = mf_xstrdup(MF_PLUGINDIR);
	if (c->control == NULL) {
		size_t n = strlen(c->data_dir) + 32;
		c->control = mf_xmalloc(n);
		snprintf(c->control, n, "ipc://%s/control.sock", c->data_dir);
	}
	if (c->listen == NULL)
		c->listen = mf_xstrdup("");
	if (c->heartbeat_ms * 2 > c->peer_timeout_ms) {
		snprintf(err, errlen, "%s: peer_timeout_ms (%u) must be at least twice heartbeat_ms (%u)",
			 path, c->peer_timeout_ms, c->heartbeat_ms);
		mf_config_free(c);
		return NULL;
	}
	return c;
}

void
mf_config_free(mf_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_peers; i++) {
		free(c->peers[i].name);
		free(c->peers[i].endpoint);
	}
	for (size_t i = 0; i < c->n_regions; i++) {
		free(c->regions[i].name);
		free(c->regions[i].keys);
		free(c->regions[i].revoked);
	}
	free(c->peers);
	free(c->regions);
	free(c->path);
	free(c->data_dir);
	free(c->listen);
	free(c->plugin_dir);
	free(c->control);
	free(c);
}

/* Write nw over the config at path, but only if it still loads: a text
 * that does not is refused and the old one (ol bytes) written back.
 * Frees old and nw. */
static int
replace_checked(const char *path, char *old, size_t ol, char *nw, size_t nl, char *err,
		size_t errlen)
{
	mf_config *c;
	char e2[512];
	int rc = -1;

	if (mf_write_file(path, nw, nl, 0600, err, errlen) != 0)
		goto out;
	if ((c = mf_config_load(path, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "%s", e2);
		mf_write_file(path, old, ol, 0600, e2, sizeof(e2));	/* restore */
		goto out;
	}
	mf_config_free(c);
	rc = 0;
out:
	free(old);
	free(nw);
	return rc;
}

int
mf_config_append(const char *path, const char *text, char *err, size_t errlen)
{
	char *old = NULL, *nw;
	size_t ol = 0, tl = strlen(text);

	if (mf_read_file(path, &old, &ol, err, errlen) != 0)
		return -1;
	nw = mf_xmalloc(ol + tl + 2);
	memcpy(nw, old, ol);
	if (ol > 0 && old[ol - 1] != '\n')
		nw[ol++] = '\n';
	memcpy(nw + ol, text, tl);
	return replace_checked(path, old, strlen(old), nw, ol + tl, err, errlen);
}

int
mf_config_keyring(const mf_config *c, mf_keyring *kr, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_regions; i++) {
		const mf_region_conf *r = &c->regions[i];
		if (mf_keyring_set(kr, r->code, r->signing_key) != 0) {
			snprintf(err, errlen, "%s:%u: [region %s] signing_key is not a valid Ed25519 public key",
				 c->path, r->line, r->code);
			return -1;
		}
		for (size_t j = 0; j < r->n_keys; j++)
			if (mf_keyring_add(kr, r->code, r->keys[j].pub, r->keys[j].seq,
					   MF_KEY_CONFIG) != 0) {
				snprintf(err, errlen, "%s:%u: [region %s] key from %llu is not a valid Ed25519 public key",
					 c->path, r->line, r->code, (unsigned long long)r->keys[j].seq);
				return -1;
			}
		for (size_t j = 0; j < r->n_revoked; j++)
			if (mf_keyring_revoke(kr, r->code, r->revoked[j].pub, r->revoked[j].seq) != 0) {
				snprintf(err, errlen, "%s:%u: [region %s] revoke: cannot add", c->path,
					 r->line, r->code);
				return -1;
			}
	}
	return 0;
}

const mf_region_conf *
mf_config_region(const mf_config *c, const char *code)
{
	for (size_t i = 0; i < c->n_regions; i++)
		if (strcmp(c->regions[i].code, code) == 0)
			return &c->regions[i];
	return NULL;
}

/* Is line (up to its end) `name =` or `name=`? */
static int
is_name_line(const char *l)
{
	l += strspn(l, " \t");
	if (strncmp(l, "name", 4) != 0)
		return 0;
	l += 4;
	l += strspn(l, " \t");
	return *l == '=';
}

int
mf_config_set_region_name(const char *path, const char *code, const char *name, char *err,
			  size_t errlen)
{
	char *old = NULL, *nw, sec[32], *p, *e, *line_end = NULL;
	size_t ol, nl, cap, at = 0;
	int in_sec = 0, done = 0;

	if (strchr(name, '\n') != NULL || strchr(name, ';') != NULL || strchr(name, '#') != NULL ||
	    strlen(name) > 1000) {
		snprintf(err, errlen, "the name may not hold a line break, ';' or '#', nor run past 1000 bytes");
		return -1;
	}
	if (mf_read_file(path, &old, &ol, err, errlen) != 0)
		return -1;
	snprintf(sec, sizeof(sec), "[region %s]", code);
	nl = strlen(name);
	cap = ol + nl + sizeof(sec) + 32;
	nw = mf_xmalloc(cap);
	/* copy line by line; the name line of the section is replaced, or a
	 * name line goes right after the section's header */
	for (p = old; *p; p = e) {
		const char *t;
		e = p + strcspn(p, "\n");
		if (*e)
			e++;
		t = p + strspn(p, " \t");
		if (*t == '[') {
			in_sec = strncmp(t, sec, strlen(sec)) == 0;
			if (in_sec && !done)
				line_end = nw + at + (size_t)(e - p);
		} else if (in_sec && !done && is_name_line(p)) {
			at += (size_t)snprintf(nw + at, cap - at, "name = %s\n", name);
			done = 1;
			continue;
		}
		memcpy(nw + at, p, (size_t)(e - p));
		at += (size_t)(e - p);
	}
	if (!done) {
		char add[2048];
		int n;
		if (line_end != NULL) {
			size_t off = (size_t)(line_end - nw);
			n = snprintf(add, sizeof(add), "name = %s\n", name);
			memmove(nw + off + n, nw + off, at - off);
			memcpy(nw + off, add, (size_t)n);
			at += (size_t)n;
		} else {
			n = snprintf(add, sizeof(add), "%s%s\nname = %s\n",
				     at && nw[at - 1] != '\n' ? "\n" : "", sec, name);
			memcpy(nw + at, add, (size_t)n);
			at += (size_t)n;
		}
	}
	return replace_checked(path, old, ol, nw, at, err, errlen);
}

const mf_peer_conf *
mf_config_peer_by_key(const mf_config *c, const char *curve_key)
{
	for (size_t i = 0; i < c->n_peers; i++)
		if (strcmp(c->peers[i].curve_key, curve_key) == 0)
			return &c->peers[i];
	return NULL;
}
