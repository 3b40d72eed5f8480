/*
 * executors.c — the «Ответственный исполнитель» cell of a Chelyabinsk
 * roadmap: the list of executors, and the schools among them.
 */
#include <string.h>

#include "chelyabinsk.h"

/* At a separator inside an open quote: 1 when it still splits, because the
 * next quote opens a new name (legal exports drop closing quotes); the
 * quote is then taken as closed. */
static int
splits_in_quote(const char *p, int *depth)
{
	const char *q = strchr(p + 1, '"');
	int closes = q && !(q[-1] == ' ' || q[-1] == '(' || q[-1] == '/');

	if (closes)
		return 0;
	*depth = 0;
	return 1;
}

/* Split on '/', ';' and ',' outside "quotes".  A '"' opens a quote when it
 * follows a space, '(' or the start; otherwise it closes one.  A separator
 * met inside an open quote splits anyway when that quote is never closed
 * before the next opening one (legal exports drop closing quotes). */
int
split_exec(const char *s, char parts[][1024], int maxp)
{
	int n = 0, depth = 0;
	size_t o = 0;
	char cur[1024];

	for (const char *p = s;; p++) {
		int sep = 0;
		if (*p == '"') {
			int opening = (p == s || p[-1] == ' ' || p[-1] == '(' || p[-1] == '/');
			depth = opening ? 1 : 0;
		} else if (*p == '/' || *p == ';' || *p == ',' || *p == '\0') {
			sep = (*p && depth) ? splits_in_quote(p, &depth) : 1;
			/* «ООО, вошедшие …»: a lower-case continuation is no new part */
			if (*p == ',' && sep && pt_cyr_lower(pt_skip_sp(p + 1)))
				sep = 0;
		}
		if (sep) {
			cur[o] = '\0';
			pt_clean(cur);
			if (cur[0] && n < maxp)
				pt_sfmt(parts[n++], 1024, "%s", cur);
			o = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (o + 1 < sizeof(cur))
			cur[o++] = *p;
	}
	return n;
}

static const char *const org_abbr[] = {
	"МАОУ ", "МБОУ ", "МКОУ ", "МОУ ", "ГБОУ ", "ЧОУ ", NULL
};

/* «г. Еманжелинска Еманжелинского муниципального района» in tail: the
 * district, from the adjectives in the genitive (-ого) before «района». */
static void
mun_district(char *tail, char *r, char *mun, size_t ml)
{
	char *e = strstr(tail, "района") + strlen("района");
	char *b = r ? r : tail;

	while (b > tail) {
		char *w = b, *ws;
		while (w > tail && w[-1] == ' ')
			w--;
		ws = w;
		while (ws > tail && ws[-1] != ' ')
			ws--;
		if (w - ws >= 6 && pt_starts(w - strlen("ого"), "ого"))
			b = ws;
		else
			break;
	}
	*e = '\0';
	pt_nominative(b, mun, ml);
}

/* «г. Челябинска»: the town's first word in the nominative. */
static void
mun_town(const char *after, char *mun, size_t ml)
{
	char w[256], nw[256];

	pt_sfmt(w, sizeof(w), "%s", after);
	if (strchr(w, ' '))
		*strchr(w, ' ') = '\0';
	pt_nominative_word(w, nw, sizeof(nw));
	pt_sfmt(mun, ml, "г. %s", nw);
}

/* The place after a school's quoted name (tail, cut there): a district, a
 * city district or a town. */
static void
mun_after_name(char *tail, char *mun, size_t ml)
{
	char *r;

	tail = (char *)pt_skip_sp(tail);
	if ((r = strstr(tail, " района")) != NULL || pt_ends(tail, "района")) {
		mun_district(tail, r, mun, ml);
	} else if ((r = strstr(tail, "городского округа")) != NULL) {
		*(r + strlen("городского округа")) = '\0';
		pt_nominative(tail, mun, ml);
	} else if (pt_starts(tail, "города ") || pt_starts(tail, "г. ")) {
		mun_town(strchr(tail, ' ') + 1, mun, ml);
	}
	*tail = '\0';
}

/* A school among the executors: name (without «(по согласованию)» and the
 * place), municipality (nominative).  Returns 1 when it is a school. */
int
school_of(const char *part, char *name, size_t nl, char *mun, size_t ml, char *shortn, size_t sl)
{
	char t[1024], *p, *q1, *q2;
	int ok = 0;

	for (int i = 0; org_abbr[i]; i++)
		if (pt_starts(part, org_abbr[i]))
			ok = 1;
	if (!ok)
		return 0;
	pt_sfmt(t, sizeof(t), "%s", part);
	if ((p = strstr(t, "(по согласованию)")) != NULL)
		*p = '\0';
	pt_clean(t);
	mun[0] = shortn[0] = '\0';
	q1 = strchr(t, '"');
	q2 = q1 ? strchr(q1 + 1, '"') : NULL;
	if (q1 && q2) {
		pt_sfmt(shortn, sl, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
		mun_after_name(q2 + 1, mun, ml);
		/* the place inside the name: «Лицей N 120 г. Челябинска» */
		if (!mun[0] && (p = strstr(shortn, " г. ")) != NULL)
			mun_town(p + strlen(" г. "), mun, ml);
	}
	pt_clean(t);
	pt_sfmt(name, nl, "%s", t);
	return 1;
}
