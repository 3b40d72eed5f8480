/*
 * card.c — the identity card's parser (card.h).  inih parses the card;
 * the reader below only counts lines for the FILE:LINE errors (the Debian
 * build of inih does not pass them to the handler) and keeps inih from
 * reading more into a card than it holds.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "card.h"
#include "keys.h"
#include "kinds.h"
#include "util.h"


/* The parse of one card: inih's reader and handler share it. */
typedef struct card_parse {
	const char *path;
	mf_card *c;
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
#define KEY(k) { #k, offsetof(mf_card, k), sizeof(((mf_card *)0)->k) }
	static const struct {
		const char *name;
		size_t off, size;
	} keys[] = { KEY(region), KEY(name), KEY(endpoint), KEY(signing_key), KEY(curve_key) };
#undef KEY
	card_parse *p = arg;
	mf_card *c = p->c;

	(void)section;	/* always "": the reader refuses section headers */
	if (strcmp(name, "key") == 0 || strcmp(name, "revoke") == 0) {
		int rev = name[0] == 'r';
		mf_key_seq *ks = rev ? &c->revoked[c->n_revoked] : &c->keys[c->n_keys];
		if ((rev ? c->n_revoked : c->n_keys) >= MF_CARD_MAX_KEYS)
			return card_err(p, "more than %d '%s' lines", MF_CARD_MAX_KEYS, name);
		if (mf_key_seq_parse(value, rev ? "after" : "from", ks) != 0 ||
		    (!rev && ks->seq < 2))
			return card_err(p, "%s: expected 64 hex digits, '%s' and a seq, got '%s'", name,
					rev ? "after" : "from", value);
		if (rev)
			c->n_revoked++;
		else
			c->n_keys++;
		return 1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(name, keys[i].name) == 0) {
			mf_strlcpy((char *)p->c + keys[i].off, value, keys[i].size);
			return 1;
		}
	return card_err(p, "unknown key '%s' (expected region, name, endpoint, signing_key, curve_key), or key and revoke after a key change",
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

int
mf_card_parse(const char *path, const char *text, mf_card *c, char *err, size_t errlen)
{
	uint8_t tmp[MF_PUBKEY_LEN];
	card_parse p = { .path = path, .c = c, .next = text };
	int rc;

	memset(c, 0, sizeof(*c));
	rc = ini_parse_stream(card_reader, &p, card_key, &p);
	/* inih's own syntax errors (such as an '=' after an inline comment)
	 * come without a message */
	if (rc > 0 && (p.err_line == 0 || (unsigned)rc < p.err_line)) {
		snprintf(err, errlen, "%s:%d: expected KEY = VALUE", path, rc);
		return -1;
	}
	if (p.err_line) {
		snprintf(err, errlen, "%s", p.err);
		return -1;
	}
	if (!mf_region_valid(c->region)) {
		snprintf(err, errlen, "%s: region missing or not an ISO 3166-2 code", path);
		return -1;
	}
	if (mf_unhex(c->signing_key, tmp, sizeof(tmp)) != 0) {
		snprintf(err, errlen, "%s: signing_key missing or not 64 hex digits", path);
		return -1;
	}
	return 0;
}
