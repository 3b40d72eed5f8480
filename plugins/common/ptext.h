/*
 * ptext.h — small text helpers shared by the region plugins (header only,
 * every function static; a plugin links nothing but libc).
 *
 * Documents are UTF-8 (the host checks it before calling a plugin).  The
 * helpers work on a private, writable copy split into lines.
 */
#ifndef MF_PTEXT_H
#define MF_PTEXT_H

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_UNUSED __attribute__((unused))

/* Include after mentorfed-plugin.h (it defines MF_PERIOD_INIT: a period
 * variable is declared `mf_period p = MF_PERIOD_INIT;`). */

/* snprintf without the compiler's truncation warnings: truncation of text
 * copied into fixed buffers is intended here (documents are untrusted). */
static PT_UNUSED int pt_sfmt(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static PT_UNUSED int
pt_sfmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

struct pdoc {
	char *buf;
	char **line;     /* line[i] is line i+1 of the document */
	unsigned n;
};

static PT_UNUSED void
pdoc_free(struct pdoc *d)
{
	free(d->buf);
	free(d->line);
	memset(d, 0, sizeof(*d));
}

/* Split a copy of data into lines ('\n', a trailing '\r' dropped).  0, or -1
 * (out of memory: nothing left to free). */
static PT_UNUSED int
pdoc_init(struct pdoc *d, const char *data, size_t len)
{
	size_t cap = 16;

	memset(d, 0, sizeof(*d));
	d->buf = malloc(len + 1);
	d->line = malloc(cap * sizeof(char *));
	if (d->buf == NULL || d->line == NULL) {
		pdoc_free(d);
		return -1;
	}
	memcpy(d->buf, data, len);
	d->buf[len] = '\0';
	for (char *p = d->buf; p != NULL;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (nl == NULL && *p == '\0' && d->n > 0)
			break;
		if (d->n == cap) {
			char **nv = realloc(d->line, cap * 2 * sizeof(char *));
			if (nv == NULL) {
				pdoc_free(d);
				return -1;
			}
			d->line = nv;
			cap *= 2;
		}
		{
			size_t l = strlen(p);
			if (l && p[l - 1] == '\r')
				p[l - 1] = '\0';
		}
		d->line[d->n++] = p;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Clean text in place: HTML tags removed, a few entities decoded, NBSP and
 * tabs to spaces, spaces collapsed, trimmed.  Returns s. */
static PT_UNUSED char *
pt_clean(char *s)
{
	static const struct { const char *e; const char *r; } ent[] = {
		{ "&nbsp;", " " }, { "&quot;", "\"" }, { "&amp;", "&" }, { "&laquo;", "\xc2\xab" },
		{ "&raquo;", "\xc2\xbb" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&ndash;", "\xe2\x80\x93" },
		{ "&mdash;", "\xe2\x80\x94" },
	};
	char *r = s, *w = s;
	int space = 1;

	while (*r) {
		if (*r == '<' && (isalpha((unsigned char)r[1]) || r[1] == '/')) {
			char *e = strchr(r, '>');
			if (e) {
				r = e + 1;
				if (!space) {
					*w++ = ' ';
					space = 1;
				}
				continue;
			}
		}
		if (*r == '&') {
			size_t k;
			for (k = 0; k < sizeof(ent) / sizeof(ent[0]); k++) {
				size_t l = strlen(ent[k].e);
				if (strncmp(r, ent[k].e, l) == 0) {
					size_t rl = strlen(ent[k].r);
					if (ent[k].r[0] == ' ') {
						if (!space)
							*w++ = ' ';
						space = 1;
					} else {
						memmove(w, ent[k].r, rl);
						w += rl;
						space = 0;
					}
					r += l;
					break;
				}
			}
			if (k < sizeof(ent) / sizeof(ent[0]))
				continue;
		}
		if ((unsigned char)r[0] == 0xC2 && (unsigned char)r[1] == 0xA0) {
			r += 2;
			if (!space)
				*w++ = ' ';
			space = 1;
			continue;
		}
		if (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\v' || *r == '\f') {
			r++;
			if (!space)
				*w++ = ' ';
			space = 1;
			continue;
		}
		*w++ = *r++;
		space = 0;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

/* A cleaned malloc'd copy of the first n bytes of s (all of s when n is (size_t)-1). */
static PT_UNUSED char *
pt_dup(const char *s, size_t n)
{
	size_t l = strlen(s);
	char *c;

	if (n < l)
		l = n;
	c = malloc(l + 1);
	if (c == NULL)
		return NULL;
	memcpy(c, s, l);
	c[l] = '\0';
	return pt_clean(c);
}

static PT_UNUSED int
pt_starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static PT_UNUSED int
pt_ends(const char *s, const char *p)
{
	size_t ls = strlen(s), lp = strlen(p);
	return ls >= lp && strcmp(s + ls - lp, p) == 0;
}

/* 1 when the line holds nothing but spaces, NBSP and tabs. */
static PT_UNUSED int
pt_blank(const char *s)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
			s += 2;
		else
			return 0;
	}
	return 1;
}

/* Skip spaces and NBSP. */
static PT_UNUSED const char *
pt_skip_sp(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
			s += 2;
		else
			return s;
	}
}

/* 1 when s starts with a lower-case Cyrillic letter (а-я: D0 B0..D0 BF,
 * D1 80..D1 8F): in a list of names such a part continues the previous one
 * («ООО, вошедшие в состав …»). */
static PT_UNUSED int
pt_cyr_lower(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return (u[0] == 0xD0 && u[1] >= 0xB0) || (u[0] == 0xD1 && u[1] <= 0x8F);
}

/* "N." or "N)" at the start of s (after spaces): N, with *rest after it; else 0. */
static PT_UNUSED int
pt_numbered(const char *s, const char **rest)
{
	int n = 0, nd = 0;

	s = pt_skip_sp(s);
	while (isdigit((unsigned char)*s) && nd < 4) {
		n = n * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || nd > 3 || (*s != '.' && *s != ')'))
		return 0;
	s++;
	if (isdigit((unsigned char)*s))   /* "1.1." is a sub-clause, not an item */
		return 0;
	if (rest)
		*rest = pt_skip_sp(s);
	return n;
}

/* Parse "DD.MM.YYYY" at s into "YYYY-MM-DD" (buf >= 11).  Returns the
 * length read, or 0. */
static PT_UNUSED size_t
pt_dmy(const char *s, char *buf)
{
	int d, m, y;

	if (!(isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && s[2] == '.' &&
	      isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) && s[5] == '.' &&
	      isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7]) &&
	      isdigit((unsigned char)s[8]) && isdigit((unsigned char)s[9])))
		return 0;
	d = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + s[9] - '0';
	if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1900 || y > 2200)
		return 0;
	buf[0] = s[6]; buf[1] = s[7]; buf[2] = s[8]; buf[3] = s[9]; buf[4] = '-';
	buf[5] = s[3]; buf[6] = s[4]; buf[7] = '-'; buf[8] = s[0]; buf[9] = s[1]; buf[10] = '\0';
	return 10;
}

/* Find the first "DD.MM.YYYY" in s: pointer to it (ISO form in buf) or NULL. */
static PT_UNUSED const char *
pt_find_dmy(const char *s, char *buf)
{
	for (; *s; s++)
		if ((s[0] >= '0' && s[0] <= '9') && pt_dmy(s, buf))
			return s;
	return NULL;
}

/* Growable string. */
struct pstr {
	char *s;
	size_t len, cap;
};

static PT_UNUSED int
pstr_add(struct pstr *b, const char *s)
{
	size_t l = strlen(s);

	if (b->len + l + 1 > b->cap) {
		size_t nc = (b->len + l + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (ns == NULL)
			return -1;
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, l + 1);
	b->len += l;
	return 0;
}

/* Append with a separating space when b is not empty. */
static PT_UNUSED int
pstr_addw(struct pstr *b, const char *s)
{
	if (b->len && pstr_add(b, " ") != 0)
		return -1;
	return pstr_add(b, s);
}

static PT_UNUSED const char *
pstr_get(const struct pstr *b)
{
	return b->s ? b->s : "";
}

static PT_UNUSED void
pstr_free(struct pstr *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/*
 * Russian place names from the genitive of a document («Томского района»,
 * «городского округа Стрежевой», «г. Томска») to the nominative a record
 * stores.  One word at a time; unknown endings are kept as written.
 */
static PT_UNUSED void
pt_nominative_word(const char *w, char *out, size_t outlen)
{
	static const struct { const char *from, *to; } ends[] = {
		{ "городского", "городской" }, { "района", "район" }, { "округа", "округ" },
		{ "ского", "ский" }, { "цкого", "цкий" }, { "ного", "ный" }, { "его", "ий" },
		{ "ого", "ый" }, { "ска", "ск" },
	};
	size_t l = strlen(w);

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t fl = strlen(ends[i].from);
		if (l >= fl && pt_ends(w, ends[i].from) &&
		    l - fl + strlen(ends[i].to) < outlen) {
			memcpy(out, w, l - fl);
			strcpy(out + l - fl, ends[i].to);
			return;
		}
	}
	pt_sfmt(out, outlen, "%s", w);
}

/* Whole phrase, word by word. */
static PT_UNUSED void
pt_nominative(const char *phrase, char *out, size_t outlen)
{
	char word[128], nw[160];
	size_t o = 0;

	out[0] = '\0';
	while (*phrase) {
		size_t l = 0;
		while (*phrase == ' ')
			phrase++;
		while (*phrase && *phrase != ' ' && l + 1 < sizeof(word))
			word[l++] = *phrase++;
		while (*phrase && *phrase != ' ')
			phrase++;
		word[l] = '\0';
		if (l == 0)
			break;
		pt_nominative_word(word, nw, sizeof(nw));
		if (o + strlen(nw) + 2 >= outlen)
			break;
		o += (size_t)pt_sfmt(out + o, outlen - o, "%s%s", o ? " " : "", nw);
	}
}

/*
 * Completeness (doc/PLUGIN.md, "Complete documents"): what a text's own
 * closing looks like, for the formats that end with one.
 */

/* 1 when s gives a contact: an e-mail address («x@y.ru»), an «E-mail»
 * label or a telephone («+7 (3822) …», «тел.», «51-00-00»).  A published text (a school
 * site's footer, a news item's «Дополнительная информация») closes with one. */
static PT_UNUSED int
pt_contact(const char *s)
{
	const char *at;

	for (at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		const char *dot = at + 1;
		if (at == s || !(isalnum((unsigned char)at[-1]) || at[-1] == '.' || at[-1] == '_' ||
				 at[-1] == '-'))
			continue;
		while (isalnum((unsigned char)*dot) || *dot == '-' || *dot == '.')
			if (*dot++ == '.' && isalpha((unsigned char)*dot))
				return 1;
	}
	if (strstr(s, "E-mail") || strstr(s, "e-mail") || strstr(s, "Email") ||
	    strstr(s, "тел.") || strstr(s, "Тел.") || strstr(s, "телефон") || strstr(s, "Телефон"))
		return 1;
	for (const char *p = strstr(s, "+7"); p; p = strstr(p + 2, "+7")) {
		const char *q = pt_skip_sp(p + 2);
		if (*q == '(' || isdigit((unsigned char)*q))
			return 1;
	}
	/* a local number, «90-20-43», «51-00-00» */
	for (const char *p = s; *p; p++)
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == '-' &&
		    isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == '-' &&
		    isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]) &&
		    (p == s || !isdigit((unsigned char)p[-1])) && !isdigit((unsigned char)p[8]))
			return 1;
	return 0;
}

/* 1 when the text of s ends a sentence or a whole list: «.», «!», «?», «…»,
 * or a closing «»» or «)» (a quotation, a link in brackets), spaces after
 * it ignored.  A line ending with «:», «;», «,», a dash or a word stops in
 * the middle: the list or the sentence goes on on a line that is not there. */
static PT_UNUSED int
pt_sentence_end(const char *s)
{
	size_t n = strlen(s);

	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
			n -= 2;
		else
			break;
	}
	if (n == 0)
		return 0;
	if (strchr(".!?)", s[n - 1]))
		return 1;
	if (n >= 2 && memcmp(s + n - 2, "\xc2\xbb", 2) == 0)         /* » */
		return 1;
	if (n >= 3 && memcmp(s + n - 3, "\xe2\x80\xa6", 3) == 0)     /* … */
		return 1;
	return 0;
}

#endif
