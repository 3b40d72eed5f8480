/*
 * text.c — reading the Tomsk documents' prose: plan years, «…» quotes,
 * dates written «DD месяца», lists of those responsible.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

/* The year of «на 2025 год» in s (with need_plan: only when s speaks of a
 * «план»), or 0. */
int
year_of_plan(const char *s, int need_plan)
{
	const size_t k = strlen("на ");

	if (need_plan && !strstr(s, "план"))
		return 0;
	for (const char *p = strstr(s, "на "); p; p = strstr(p + k, "на ")) {
		const char *y = p + k;
		if ((p == s || p[-1] == ' ') && isdigit((unsigned char)y[0]) &&
		    isdigit((unsigned char)y[1]) && isdigit((unsigned char)y[2]) &&
		    isdigit((unsigned char)y[3]) && pt_starts(y + 4, " год"))
			return atoi(y);
	}
	return 0;
}

/* Position of the byte after the quote closing the one at s («), or NULL. */
const char *
close_quote(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xAB)
			depth++;
		else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xBB) {
			if (--depth == 0)
				return s + 2;
		}
	}
	return NULL;
}

/* 1 when position pos of s is inside «…». */
int
in_quotes(const char *s, size_t pos)
{
	int depth = 0;

	for (size_t i = 0; i < pos && s[i]; i++) {
		if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xAB)
			depth++;
		else if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xBB && depth > 0)
			depth--;
	}
	return depth > 0;
}

/*
 * The text inside the «…» opening at q, copied to out (as written, not
 * cleaned), *end after the closing quote.  1 when copied, 0 when it does
 * not fit in out (*end still set), -1 when the quote is never closed.
 */
int
quote_text(const char *q, char *out, size_t ol, const char **end)
{
	const char *e = close_quote(q);
	size_t l;

	*end = e;
	if (e == NULL)
		return -1;
	l = (size_t)(e - q) - 4;   /* the two 2-byte quote marks */
	if (l >= ol)
		return 0;
	memcpy(out, q + 2, l);
	out[l] = '\0';
	return 1;
}

void
trim_end(char *s, const char *chars)
{
	size_t l = strlen(s);

	while (l > 0 && (strchr(chars, s[l - 1]) || s[l - 1] == ' '))
		s[--l] = '\0';
}

/* The last occurrence of needle in s, or NULL. */
char *
rfind(const char *s, const char *needle)
{
	const char *r = NULL, *p = s;

	while ((p = strstr(p, needle)) != NULL) {
		r = p;
		p++;
	}
	return (char *)r;
}

/* Split "ТОИПКРО, МОУО, ООО, вошедшие в состав …" into parts; a part that
 * starts with a lower-case letter continues the previous one. */
int
split_responsible(const char *s, char parts[][512], int maxp)
{
	int n = 0;
	char buf[2048], *p, *save = NULL;

	pt_sfmt(buf, sizeof(buf), "%s", s);
	for (p = strtok_r(buf, ",;", &save); p; p = strtok_r(NULL, ",;", &save)) {
		char c[512];
		pt_sfmt(c, sizeof(c), "%s", p);
		pt_clean(c);
		if (c[0] == '\0')
			continue;
		if (n > 0 && (pt_cyr_lower(c) || islower((unsigned char)c[0]))) {
			size_t l = strlen(parts[n - 1]);
			pt_sfmt(parts[n - 1] + l, 512 - l, ", %s", c);
			continue;
		}
		if (n == maxp)
			break;
		pt_sfmt(parts[n++], 512, "%s", c);
	}
	return n;
}

/* The end of a «DD <month> [YYYY]» candidate starting at the digits p, or
 * NULL when p does not start one. */
static const char *
day_month_end(const char *p)
{
	const char *q = p, *y;

	while (isdigit((unsigned char)*q))
		q++;
	if (q - p > 2 || *q != ' ')
		return NULL;
	q++;
	while (*q && *q != ' ' && *q != ')' && *q != ',' && *q != '.')
		q++;
	/* with a year? */
	y = q;
	if (*y == ' ' && isdigit((unsigned char)y[1]) && isdigit((unsigned char)y[2]) &&
	    isdigit((unsigned char)y[3]) && isdigit((unsigned char)y[4]) &&
	    !isdigit((unsigned char)y[5]))
		q = y + 5;
	return q;
}

/* A date «DD <month> [YYYY]» in s: fills per (one-day interval), *start
 * (when not NULL) at its first digit.  Returns a pointer after it, or NULL. */
const char *
find_day_month(const char *s, int year, mf_period *per, const char **start)
{
	for (const char *p = s; *p; p++) {
		char buf[96];
		const char *q;
		size_t l;

		if (!isdigit((unsigned char)*p) || (p != s && isdigit((unsigned char)p[-1])))
			continue;
		if ((q = day_month_end(p)) == NULL)
			continue;
		l = (size_t)(q - p);
		if (l >= sizeof(buf))
			continue;
		memcpy(buf, p, l);
		buf[l] = '\0';
		if (H->parse_period(buf, year, per) == 0 && pr_one_day(per)) {
			if (start)
				*start = p;
			return q;
		}
	}
	return NULL;
}
