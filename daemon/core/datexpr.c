/*
 * datexpr.c — Russian date expressions and term spellings (see datexpr.h).
 *
 * The text is first normalised (lower case, ё -> е, every dash -> '-',
 * every kind of space -> ' ', quotes dropped), then cut into tokens, then read
 * by a small grammar.  Anything the grammar does not foresee makes the whole
 * expression uncertain: a wrong date in a roadmap is worse than none.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "datexpr.h"
#include "util.h"

/* ------------------------------------------------------------------ dates */

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int
date_valid(mf_date d)
{
	return d.year >= 1900 && d.year <= 2200 && d.month >= 1 && d.month <= 12 &&
	       d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

int
mf_date_cmp(mf_date a, mf_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

int
mf_date_parse(const char *s, mf_date *out)
{
	mf_date d = { 0, 0, 0 };
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d%n", &d.year, &d.month, &d.day, &n) != 3 || n != 10)
		return -1;
	if (!date_valid(d))
		return -1;
	*out = d;
	return 0;
}

char *
mf_date_format(mf_date d, char *buf)
{
	unsigned y = (unsigned)d.year % 10000u, m = (unsigned)d.month % 100u, dd = (unsigned)d.day % 100u;

	snprintf(buf, 11, "%04u-%02u-%02u", y, m, dd);
	return buf;
}

int
mf_days_in_month(int y, int m)
{
	return days_in_month(y, m);
}

static const char *const month_names[] = { "January", "February", "March", "April", "May",
					    "June", "July", "August", "September", "October",
					    "November", "December" };

/* Why y-m-d is not a calendar date, into why; -1 always, 0 when it is one. */
static int
date_reason(const char *text, int y, int m, int d, char *why, size_t whylen)
{
	if (y < 1900 || y > 2200)
		snprintf(why, whylen, "%s: the year %d is outside 1900..2200", text, y);
	else if (m < 1 || m > 12)
		snprintf(why, whylen, "%s: there is no month %d (months are 01..12)", text, m);
	else if (d < 1 || d > days_in_month(y, m))
		snprintf(why, whylen, "%s: %s %d has %d days", text, month_names[m - 1], y,
			 days_in_month(y, m));
	else
		return 0;
	return -1;
}

/* n digits at s (exactly), their value into *v. */
static int
digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
mf_date_read(const char *text, mf_date *out, char *why, size_t whylen)
{
	char buf[64];
	const char *b;
	size_t l;
	int y, m, d;
	mf_period p;

	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0') {
		snprintf(why, whylen, "a date is required (YYYY-MM-DD or DD.MM.YYYY)");
		return -1;
	}
	/* trim: "2025-03-01 " is a date a person typed */
	for (b = text; *b == ' ' || *b == '\t'; b++)
		;
	l = strlen(b);
	while (l > 0 && (b[l - 1] == ' ' || b[l - 1] == '\t'))
		l--;
	if (l >= sizeof(buf))
		goto notdate;
	memcpy(buf, b, l);
	buf[l] = '\0';
	/* ISO: YYYY-MM-DD */
	if (l == 10 && buf[4] == '-' && buf[7] == '-' && digits(buf, 4, &y) == 0 &&
	    digits(buf + 5, 2, &m) == 0 && digits(buf + 8, 2, &d) == 0)
		goto check;
	/* DD.MM.YYYY or DD.MM.YY (1 or 2 digits for day and month) */
	{
		const char *p1 = strchr(buf, '.'), *p2 = p1 ? strchr(p1 + 1, '.') : NULL;
		if (p1 && p2 && p1 - buf >= 1 && p1 - buf <= 2 && p2 - p1 - 1 >= 1 &&
		    p2 - p1 - 1 <= 2 && (strlen(p2 + 1) == 4 || strlen(p2 + 1) == 2) &&
		    digits(buf, (size_t)(p1 - buf), &d) == 0 &&
		    digits(p1 + 1, (size_t)(p2 - p1 - 1), &m) == 0 &&
		    digits(p2 + 1, strlen(p2 + 1), &y) == 0) {
			if (strlen(p2 + 1) == 2)
				y += 2000;
			goto check;
		}
	}
	/* a Russian form («12 февраля 2025 г.»): the plugins' reader, with no
	 * year assumed; one day exactly */
	if (mf_parse_period(buf, 0, &p) == 0 && p.n == 1 && !p.continuous && !p.year_assumed) {
		if (mf_date_cmp(p.iv[0].from, p.iv[0].to) == 0) {
			*out = p.iv[0].from;
			return 0;
		}
		snprintf(why, whylen, "'%s' is a period, not one date (expected YYYY-MM-DD or DD.MM.YYYY)",
			 buf);
		return -1;
	}
notdate:
	snprintf(why, whylen, "'%.*s' is not a date (expected YYYY-MM-DD or DD.MM.YYYY)",
		 l < 64 ? (int)l : 64, b);
	return -1;
check:
	if (date_reason(buf, y, m, d, why, whylen) != 0)
		return -1;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

int
mf_month_read(const char *text, int *y, int *m, char *why, size_t whylen)
{
	mf_period p;

	*y = *m = 0;
	if (text != NULL && strlen(text) == 7 && text[4] == '-' && digits(text, 4, y) == 0 &&
	    digits(text + 5, 2, m) == 0) {
		if (*y < 1900 || *y > 2200) {
			snprintf(why, whylen, "%s: the year %d is outside 1900..2200", text, *y);
			return -1;
		}
		if (*m < 1 || *m > 12) {
			snprintf(why, whylen, "%s: there is no month %d (months are 01..12)", text, *m);
			return -1;
		}
		return 0;
	}
	/* «март 2025»: one whole month */
	if (text != NULL && mf_parse_period(text, 0, &p) == 0 && p.n == 1 && !p.continuous &&
	    !p.year_assumed && p.iv[0].from.day == 1 && p.iv[0].from.year == p.iv[0].to.year &&
	    p.iv[0].from.month == p.iv[0].to.month &&
	    p.iv[0].to.day == days_in_month(p.iv[0].to.year, p.iv[0].to.month)) {
		*y = p.iv[0].from.year;
		*m = p.iv[0].from.month;
		return 0;
	}
	snprintf(why, whylen, "'%s' is not a month (expected YYYY-MM)", text ? text : "");
	*y = *m = 0;
	return -1;
}

/* ------------------------------------------------------------- normalising */

/* Decode one UTF-8 sequence; returns its length (1 for a bad byte, *cp = 0xFFFD). */
static size_t
utf8_dec(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3F) << 12) |
		      ((unsigned)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

/*
 * Lower-case, ё -> е, dashes -> '-', spaces -> ' ' (collapsed), quotes
 * removed; spaces around '-' kept only when keep_dash_spaces.  Returns a
 * malloc'd string or NULL.
 */
static char *
normalise(const char *text, int keep_dash_spaces)
{
	size_t len = strlen(text);
	char *out = mf_xmalloc(len * 4 + 2), *o = out;
	const unsigned char *s = (const unsigned char *)text;
	int space = 1;

	while (*s) {
		unsigned cp;
		s += utf8_dec(s, &cp);
		if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20;
		else if (cp == 0x401 || cp == 0x451)
			cp = 0x435;
		else if (cp < 0x80)
			cp = (unsigned)tolower((int)cp);
		if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == '\t' || cp == '\n' ||
		    cp == '\r' || cp == 0x2009 || cp == 0x200B || cp == 0xFEFF)
			cp = ' ';
		if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
			cp = '-';
		if (cp == 0xAB || cp == 0xBB || cp == '"' || cp == 0x201C || cp == 0x201D ||
		    cp == 0x201E || cp == '\'')
			continue;
		if (cp == ' ') {
			if (!space)
				*o++ = ' ';
			space = 1;
			continue;
		}
		if (cp == '-' && !keep_dash_spaces && o > out && o[-1] == ' ')
			o--;
		o += mf_utf8_put(cp, o);
		space = 0;
		if (cp == '-' && !keep_dash_spaces)
			space = 1;   /* swallow a following space */
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------------ tokens */

enum tok_type { T_WORD, T_NUM, T_DATE, T_DASH, T_SEP, T_ROMAN, T_OTHER };

struct tok {
	enum tok_type type;
	int v, m, y;          /* T_NUM: v; T_DATE: v.m.y; T_ROMAN: v */
	int ndigits;
	char w[48];           /* T_WORD */
};

#define MAX_TOKS 96

static int
is_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z');
}

static int
roman_value(const char *w)
{
	static const char *const r[] = { "i", "ii", "iii", "iv", "v", "vi", "vii", "viii",
					 "ix", "x", "xi", "xii" };
	for (int i = 0; i < 12; i++)
		if (strcmp(w, r[i]) == 0)
			return i + 1;
	return 0;
}

static int
tokenize(const char *s, struct tok *t, int max)
{
	int n = 0;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		struct tok *k;

		if (c == ' ' || c == '.' || c == '(' || c == ')' || c == ':') {
			s++;
			continue;
		}
		if (n >= max)
			return -1;
		k = &t[n];
		memset(k, 0, sizeof(*k));
		if (c == '-') {
			k->type = T_DASH;
			s++;
		} else if (c == ',' || c == ';') {
			k->type = T_SEP;
			s++;
		} else if (isdigit(c)) {
			int a = 0, nd = 0;
			while (isdigit((unsigned char)*s) && nd < 9) {
				a = a * 10 + (*s++ - '0');
				nd++;
			}
			if (isdigit((unsigned char)*s))
				return -1;
			/* dd.mm.yyyy (or dd.mm.yy) */
			if (s[0] == '.' && isdigit((unsigned char)s[1])) {
				int m = 0, y = 0, nm = 0, ny = 0;
				const char *p = s + 1;
				while (isdigit((unsigned char)*p) && nm < 3) {
					m = m * 10 + (*p++ - '0');
					nm++;
				}
				if (*p == '.' && isdigit((unsigned char)p[1])) {
					p++;
					while (isdigit((unsigned char)*p) && ny < 5) {
						y = y * 10 + (*p++ - '0');
						ny++;
					}
					if (nd > 2 || nm > 2 || (ny != 4 && ny != 2) ||
					    isdigit((unsigned char)*p))
						return -1;
					if (ny == 2)
						y += 2000;
					k->type = T_DATE;
					k->v = a;
					k->m = m;
					k->y = y;
					s = p;
					n++;
					continue;
				}
				return -1;   /* "12.02" without a year: not foreseen */
			}
			k->type = T_NUM;
			k->v = a;
			k->ndigits = nd;
		} else if (is_word_byte(c)) {
			size_t l = 0;
			while (*s && is_word_byte((unsigned char)*s)) {
				if (l + 1 < sizeof(k->w))
					k->w[l++] = *s;
				s++;
			}
			k->w[l] = '\0';
			if (roman_value(k->w)) {
				k->type = T_ROMAN;
				k->v = roman_value(k->w);
			} else {
				k->type = T_WORD;
			}
		} else {
			k->type = T_OTHER;
			s++;
		}
		n++;
	}
	return n;
}

static int
starts(const char *w, const char *prefix)
{
	return strncmp(w, prefix, strlen(prefix)) == 0;
}

/* Month number of a month word in any case, or 0. */
static int
month_of(const struct tok *k)
{
	static const struct { const char *stem; int m; } stems[] = {
		{ "январ", 1 }, { "феврал", 2 }, { "март", 3 }, { "апрел", 4 },
		{ "июн", 6 }, { "июл", 7 }, { "август", 8 }, { "сентябр", 9 },
		{ "октябр", 10 }, { "ноябр", 11 }, { "декабр", 12 },
	};
	static const struct { const char *w; int m; } exact[] = {
		{ "май", 5 }, { "мая", 5 }, { "мае", 5 }, { "маю", 5 }, { "маем", 5 },
		{ "янв", 1 }, { "фев", 2 }, { "февр", 2 }, { "мар", 3 }, { "апр", 4 },
		{ "авг", 8 }, { "сен", 9 }, { "сент", 9 }, { "окт", 10 }, { "ноя", 11 },
		{ "нояб", 11 }, { "дек", 12 },
	};

	if (k->type != T_WORD)
		return 0;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(k->w, exact[i].w) == 0)
			return exact[i].m;
	for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]); i++)
		if (starts(k->w, stems[i].stem))
			return stems[i].m;
	return 0;
}

static int
is_word(const struct tok *k, const char *w)
{
	return k->type == T_WORD && strcmp(k->w, w) == 0;
}

/* «г», «гг», «год», «года», «году», «годы», «годах», «годов» */
static int
is_year_word(const struct tok *k)
{
	static const char *const w[] = { "г", "гг", "год", "года", "году", "годы", "годах",
					  "годов", "годом", NULL };
	if (k->type != T_WORD)
		return 0;
	for (int i = 0; w[i]; i++)
		if (strcmp(k->w, w[i]) == 0)
			return 1;
	return 0;
}

/* 1: quarter, 2: half-year, 0: neither. */
static int
unit_word(const struct tok *k)
{
	if (k->type != T_WORD)
		return 0;
	if (starts(k->w, "квартал") || strcmp(k->w, "кв") == 0)
		return 1;
	if (starts(k->w, "полугод"))
		return 2;
	return 0;
}

static int
is_year(const struct tok *k)
{
	return k->type == T_NUM && k->ndigits == 4 && k->v >= 1900 && k->v <= 2200;
}

/* ------------------------------------------------------------------ parser */

/* A span of months (or days) still waiting for its year. */
struct pend {
	int m1, d1, m2, d2;   /* d == 0: whole month */
};

struct pstate {
	mf_period *out;
	struct pend pend[MF_PERIOD_MAX];
	int npend;
	int last_first, last_n;   /* intervals emitted by the last year */
	int bad;
};

static mf_date
mkdate(int y, int m, int d)
{
	mf_date r = { y, m, d };
	return r;
}

static void
add_iv(struct pstate *ps, mf_date from, mf_date to)
{
	mf_period *o = ps->out;

	if (!date_valid(from) || !date_valid(to) || mf_date_cmp(from, to) > 0 ||
	    o->n >= MF_PERIOD_MAX) {
		ps->bad = 1;
		return;
	}
	o->iv[o->n].from = from;
	o->iv[o->n].to = to;
	o->n++;
}

static void
flush_pending(struct pstate *ps, int year)
{
	ps->last_first = ps->out->n;
	for (int i = 0; i < ps->npend; i++) {
		struct pend *p = &ps->pend[i];
		if (p->m1 > p->m2 || (p->m1 == p->m2 && p->d1 && p->d2 && p->d1 > p->d2)) {
			ps->bad = 1;
			return;
		}
		add_iv(ps, mkdate(year, p->m1, p->d1 ? p->d1 : 1),
		       mkdate(year, p->m2, p->d2 ? p->d2 : days_in_month(year, p->m2)));
	}
	ps->last_n = ps->out->n - ps->last_first;
	ps->npend = 0;
}

static void
push_pend(struct pstate *ps, int m1, int d1, int m2, int d2)
{
	if (ps->npend >= MF_PERIOD_MAX) {
		ps->bad = 1;
		return;
	}
	ps->pend[ps->npend].m1 = m1;
	ps->pend[ps->npend].d1 = d1;
	ps->pend[ps->npend].m2 = m2;
	ps->pend[ps->npend].d2 = d2;
	ps->npend++;
}

static int
contains_phrase(const char *norm, const char *phrase)
{
	return strstr(norm, phrase) != NULL;
}

static int
uncertain(mf_period *out)
{
	memset(out, 0, sizeof(*out));
	out->uncertain = 1;
	return -1;
}

/*
 * The whole-expression phrases: «в течение года» and the like (continuous;
 * the default year when there is one), «постоянно», «весь период» and the
 * like (continuous, no interval).  1 when norm is one of them (out set),
 * else 0.  Strips trailing punctuation off norm for the test.
 */
static int
whole_phrase(char *norm, int default_year, mf_period *out)
{
	size_t l = strlen(norm);

	while (l > 0 && (norm[l - 1] == '.' || norm[l - 1] == ',' || norm[l - 1] == ';' ||
			 norm[l - 1] == ' '))
		norm[--l] = '\0';
	if (strcmp(norm, "в течение года") == 0 || strcmp(norm, "в течение учебного года") == 0 ||
	    strcmp(norm, "ежемесячно") == 0 || strcmp(norm, "ежеквартально") == 0) {
		out->continuous = 1;
		if (default_year > 0) {
			out->n = 1;
			out->iv[0].from = mkdate(default_year, 1, 1);
			out->iv[0].to = mkdate(default_year, 12, 31);
			out->year_assumed = 1;
		}
		return 1;
	}
	if (strcmp(norm, "в течение всего периода") == 0 || strcmp(norm, "постоянно") == 0 ||
	    strcmp(norm, "весь период") == 0 || strcmp(norm, "в течение периода") == 0 ||
	    contains_phrase(norm, "в течение всего срока")) {
		out->continuous = 1;
		return 1;
	}
	return 0;
}

/*
 * The steps of the token walk (parse_tokens).  Each reads what starts at
 * t[i] and returns the index after it; one that cannot read it sets
 * ps->bad, which ends the walk.
 */

/* «до 10.02.2025», «не позднее 10.02.2025», «до 1 марта» */
static int
step_deadline(struct pstate *ps, const struct tok *t, int n, int i)
{
	int j = i, m;

	while (j < n && (is_word(&t[j], "до") || is_word(&t[j], "не") ||
			 is_word(&t[j], "позднее")))
		j++;
	if (j < n && t[j].type == T_DATE && ps->npend == 0) {
		mf_date d = mkdate(t[j].y, t[j].m, t[j].v);
		add_iv(ps, mkdate(d.year, 1, 1), d);
		return j + 1;
	}
	if (j + 1 < n && t[j].type == T_NUM && t[j].v >= 1 && t[j].v <= 31 &&
	    (m = month_of(&t[j + 1])) != 0 && ps->npend == 0) {
		/* deadline without a year until a year comes */
		push_pend(ps, 1, 1, m, t[j].v);
		return j + 2;
	}
	ps->bad = 1;
	return i;
}

/* «10.02.2025», «10.02.2025 - 20.03.2025», «… по …», a «г.» after it */
static int
step_date(struct pstate *ps, const struct tok *t, int n, int i)
{
	const struct tok *k = &t[i];
	mf_date d1 = mkdate(k->y, k->m, k->v), d2 = d1;

	if (ps->npend) {
		ps->bad = 1;
		return i;
	}
	i++;
	if (i + 1 < n && (t[i].type == T_DASH || is_word(&t[i], "по")) &&
	    t[i + 1].type == T_DATE) {
		d2 = mkdate(t[i + 1].y, t[i + 1].m, t[i + 1].v);
		i += 2;
	}
	if (i < n && is_year_word(&t[i]))
		i++;
	add_iv(ps, d1, d2);
	ps->last_first = -1;
	return i;
}

/* «март», «март - апрель», «март по апрель» (month m at t[i]): pending */
static int
step_month(struct pstate *ps, const struct tok *t, int n, int i, int m)
{
	int m2 = m;

	i++;
	if (i + 1 < n && (t[i].type == T_DASH || is_word(&t[i], "по")) &&
	    (m2 = month_of(&t[i + 1])) != 0) {
		i += 2;
	} else {
		m2 = m;
		if (i < n && t[i].type == T_DASH && ps->npend == 0) {
			/* «Январь 2023 - ...» is handled at the year; a
			 * dash here followed by something else is odd */
			ps->bad = 1;
			return i;
		}
	}
	push_pend(ps, m, 0, m2, 0);
	return i;
}

/* A number not a year: «21 февраля», «12-14 февраля», «1 квартал», «2 полугодие» */
static int
step_number(struct pstate *ps, const struct tok *t, int n, int i)
{
	const struct tok *k = &t[i];
	int m;

	if (i + 1 < n && unit_word(&t[i + 1])) {
		int u = unit_word(&t[i + 1]);
		int q = k->v;
		if ((u == 1 && (q < 1 || q > 4)) || (u == 2 && (q < 1 || q > 2))) {
			ps->bad = 1;
			return i;
		}
		if (u == 1)
			push_pend(ps, q * 3 - 2, 0, q * 3, 0);
		else
			push_pend(ps, q * 6 - 5, 0, q * 6, 0);
		return i + 2;
	}
	if (i + 1 < n && (m = month_of(&t[i + 1])) != 0 && k->v >= 1 && k->v <= 31) {
		push_pend(ps, m, k->v, m, k->v);
		return i + 2;
	}
	if (i + 3 < n && t[i + 1].type == T_DASH && t[i + 2].type == T_NUM &&
	    (m = month_of(&t[i + 3])) != 0 && k->v >= 1 && t[i + 2].v <= 31) {
		push_pend(ps, m, k->v, m, t[i + 2].v);
		return i + 4;
	}
	ps->bad = 1;
	return i;
}

/* «IV квартал», «III - IV кварталы», «I полугодие» */
static int
step_roman(struct pstate *ps, const struct tok *t, int n, int i)
{
	const struct tok *k = &t[i];
	int a = k->v, b = k->v, u;
	int j = i + 1;

	if (j + 1 < n && t[j].type == T_DASH && t[j + 1].type == T_ROMAN) {
		b = t[j + 1].v;
		j += 2;
	}
	if (j >= n || (u = unit_word(&t[j])) == 0 || a > b ||
	    (u == 1 && b > 4) || (u == 2 && b > 2)) {
		ps->bad = 1;   /* «I II - IV кварталы» and the like */
		return i;
	}
	if (u == 1)
		push_pend(ps, a * 3 - 2, 0, b * 3, 0);
	else
		push_pend(ps, a * 6 - 5, 0, b * 6, 0);
	return j + 1;
}

/*
 * A year y after pending months or days (t[i] is what follows the year and
 * its «г.»): they take it.  «Январь 2023 г. - март 2024 г.»: a range over
 * years stretches the interval just emitted.
 */
static int
step_year_pending(struct pstate *ps, const struct tok *t, int n, int i, int y)
{
	mf_period *out = ps->out;

	flush_pending(ps, y);
	if (i + 2 < n && t[i].type == T_DASH && month_of(&t[i + 1]) &&
	    is_year(&t[i + 2]) && ps->last_n == 1 &&
	    !(i + 3 < n && t[i + 3].type == T_DASH)) {
		int m2 = month_of(&t[i + 1]), y2 = t[i + 2].v;
		mf_interval *iv = &out->iv[out->n - 1];
		mf_date to = mkdate(y2, m2, days_in_month(y2, m2));
		if (mf_date_cmp(to, iv->to) <= 0) {
			ps->bad = 1;
			return i;
		}
		iv->to = to;
		i += 3;
		if (i < n && is_year_word(&t[i]))
			i++;
	}
	return i;
}

/* A year: «2023 г.», «2023 г. - ноябрь», «2023-2024 годы», or the year of
 * pending months (step_year_pending). */
static int
step_year(struct pstate *ps, const struct tok *t, int n, int i)
{
	int y = t[i].v, m;

	i++;
	if (i < n && is_year_word(&t[i]))
		i++;
	if (ps->npend)
		return step_year_pending(ps, t, n, i, y);
	/* «2023 г. - ноябрь»: that month of that year */
	if (i + 1 < n && t[i].type == T_DASH && (m = month_of(&t[i + 1])) != 0) {
		int m2 = m;
		i += 2;
		if (i + 1 < n && t[i].type == T_DASH && month_of(&t[i + 1]) &&
		    !(i + 2 < n && is_year(&t[i + 2]))) {
			m2 = month_of(&t[i + 1]);
			i += 2;
		}
		if (m2 < m) {
			ps->bad = 1;
			return i;
		}
		add_iv(ps, mkdate(y, m, 1), mkdate(y, m2, days_in_month(y, m2)));
		return i;
	}
	/* «2023-2024 годы» */
	if (i + 1 < n && t[i].type == T_DASH && is_year(&t[i + 1])) {
		int y2 = t[i + 1].v;
		i += 2;
		if (i < n && is_year_word(&t[i]))
			i++;
		if (y2 < y) {
			ps->bad = 1;
			return i;
		}
		add_iv(ps, mkdate(y, 1, 1), mkdate(y2, 12, 31));
		return i;
	}
	add_iv(ps, mkdate(y, 1, 1), mkdate(y, 12, 31));
	return i;
}

/* Walk the tokens: each step emits intervals or leaves months pending for
 * a year; the first thing not understood sets ps->bad and ends the walk. */
static void
parse_tokens(struct pstate *ps, const struct tok *t, int n)
{
	int i, m;

	for (i = 0; i < n && !ps->bad;) {
		const struct tok *k = &t[i];

		if (k->type == T_SEP || is_word(k, "с") || is_word(k, "в") || is_word(k, "и"))
			i++;
		else if (is_year_word(k))
			ps->bad = 1;   /* «г.» is only allowed right after a year; handled there */
		else if (is_word(k, "до") || is_word(k, "не") || is_word(k, "позднее"))
			i = step_deadline(ps, t, n, i);
		else if (k->type == T_DATE)
			i = step_date(ps, t, n, i);
		else if ((m = month_of(k)) != 0)
			i = step_month(ps, t, n, i, m);
		else if (k->type == T_NUM && !is_year(k))
			i = step_number(ps, t, n, i);
		else if (k->type == T_ROMAN)
			i = step_roman(ps, t, n, i);
		else if (is_year(k))
			i = step_year(ps, t, n, i);
		else
			ps->bad = 1;   /* unknown word, stray dash, anything else */
	}
}

int
mf_parse_period(const char *text, int default_year, mf_period *out)
{
	struct tok t[MAX_TOKS];
	struct pstate ps;
	char *norm;
	int n;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return uncertain(out);
	norm = normalise(text, 0);
	if (norm == NULL)
		return uncertain(out);
	if (whole_phrase(norm, default_year, out)) {
		free(norm);
		return 0;
	}
	n = tokenize(norm, t, MAX_TOKS);
	free(norm);
	if (n <= 0)
		return uncertain(out);

	memset(&ps, 0, sizeof(ps));
	ps.out = out;
	ps.last_first = -1;
	parse_tokens(&ps, t, n);

	if (!ps.bad && ps.npend) {
		if (default_year <= 0) {
			ps.bad = 1;
		} else {
			flush_pending(&ps, default_year);
			out->year_assumed = 1;
		}
	}
	if (ps.bad || out->n == 0)
		return uncertain(out);
	return 0;
}

/* ------------------------------------------------------------------- terms */

struct term {
	const char *text;   /* normalised spelling, dashes without spaces */
	const char *ident;
	int prefix;         /* 1: match as a word stem */
};

static const struct term directions[] = {
	{ "знание", "knowledge", 0 }, { "воспитание", "upbringing", 0 },
	{ "здоровье", "health", 0 }, { "творчество", "creativity", 0 },
	{ "профориентация", "career_guidance", 0 },
	{ "учитель. школьная команда", "teacher_team", 0 },
	{ "учитель школьная команда", "teacher_team", 0 },
	{ "школьная команда", "teacher_team", 0 },
	{ "школьный климат", "school_climate", 0 },
	{ "образовательная среда", "educational_environment", 0 },
	{ NULL, NULL, 0 }
};

static const struct term forms[] = {
	{ "ученик-ученик", "student_student", 0 },
	{ "учитель-учитель", "teacher_teacher", 0 },
	{ "педагог-педагог", "teacher_teacher", 0 },
	{ "учитель-ученик", "teacher_student", 0 },
	{ "педагог-ученик", "teacher_student", 0 },
	{ "студент-ученик", "university_student_student", 0 },
	{ "работодатель-ученик", "employer_student", 0 },
	{ "студент-студент", "university_student_university_student", 0 },
	{ "работодатель-студент", "employer_university_student", 0 },
	{ NULL, NULL, 0 }
};

static const struct term levels[] = {
	{ "ниже базового", "below_basic", 0 }, { "ниже базового уровня", "below_basic", 0 },
	{ "базовый", "basic", 0 }, { "базовый уровень", "basic", 0 }, { "базового", "basic", 0 },
	{ "средний", "medium", 0 }, { "средний уровень", "medium", 0 }, { "среднего", "medium", 0 },
	{ "высокий", "high", 0 }, { "высокий уровень", "high", 0 }, { "высокого", "high", 0 },
	{ NULL, NULL, 0 }
};

static const struct term event_types[] = {
	{ "вебинар", "webinar", 1 }, { "проектн", "project_session", 1 },
	{ "форум", "forum", 1 }, { "конкурс", "contest", 1 }, { "семинар", "seminar", 1 },
	{ NULL, NULL, 0 }
};

static const struct term support_types[] = {
	{ "консультаци", "consultation", 1 }, { "консультирование", "consultation", 1 },
	{ "стажировк", "internship", 1 }, { "вебинар", "webinar", 1 },
	{ NULL, NULL, 0 }
};

const char *
mf_map_term(const char *kind, const char *text)
{
	const struct term *tab;
	const char *res = NULL;
	char *norm;
	size_t l;

	if (kind == NULL || text == NULL)
		return NULL;
	if (strcmp(kind, "direction") == 0)
		tab = directions;
	else if (strcmp(kind, "mentoring_form") == 0)
		tab = forms;
	else if (strcmp(kind, "self_diagnosis_level") == 0)
		tab = levels;
	else if (strcmp(kind, "event_type") == 0)
		tab = event_types;
	else if (strcmp(kind, "support_type") == 0)
		tab = support_types;
	else
		return NULL;
	norm = normalise(text, 0);
	if (norm == NULL)
		return NULL;
	l = strlen(norm);
	while (l > 0 && strchr(".,;:!", norm[l - 1]))
		norm[--l] = '\0';
	for (int i = 0; tab[i].text; i++) {
		if (tab[i].prefix ? starts(norm, tab[i].text) : strcmp(norm, tab[i].text) == 0) {
			res = tab[i].ident;
			break;
		}
	}
	free(norm);
	return res;
}
