/*
 * school.c — school names in the Tomsk documents: the name and the
 * municipality read from one phrase, found in running text, and the school
 * record.
 */
#include <string.h>

#include "tomsk.h"

/* «…», Колпашевский район: a place after the last comma outside quotes.
 * 1 when found (t cut there, mun filled). */
static int
mun_after_comma(char *t, size_t q, char *mun, size_t ml)
{
	char *p = rfind(t, ", ");
	const char *tail;

	if (p == NULL || (size_t)(p - t) < q || in_quotes(t, (size_t)(p - t)))
		return 0;
	tail = p + 2;
	if (!(strstr(tail, "район") || strstr(tail, "округ") || pt_starts(tail, "ЗАТО") ||
	      pt_starts(tail, "г. ") || pt_starts(tail, "город") || pt_starts(tail, "с. ") ||
	      pt_starts(tail, "п. ")))
		return 0;
	pt_nominative(tail, mun, ml);
	*p = '\0';
	return 1;
}

/* … Томского района / … Еманжелинского муниципального района: the district's
 * adjective (and «муниципального») before a final « района».  1 when found. */
static int
mun_district(char *t, char *mun, size_t ml)
{
	char *end, *w;
	int words = 0;

	if (!pt_ends(t, " района"))
		return 0;
	end = t + strlen(t) - strlen(" района");
	w = end;
	while (w > t && words < 2) {
		char *s = w;
		while (s > t && s[-1] != ' ')
			s--;
		if (s == t)
			break;
		w = s - 1;
		words++;
		if (!pt_starts(s, "муниципального"))
			break;
	}
	if (words == 0 || w <= t)
		return 0;
	pt_nominative(w + 1, mun, ml);
	*w = '\0';
	trim_end(t, ",");
	return 1;
}

/* городского округа Стрежевой (inside or outside the quotes).  1 when found. */
static int
mun_city_district(char *t, char *mun, size_t ml)
{
	char place[256], *p, *qq;

	if ((p = rfind(t, "городского округа ")) == NULL)
		return 0;
	pt_sfmt(place, sizeof(place), "%s", p + strlen("городского округа "));
	if ((qq = strstr(place, "\xc2\xbb")) != NULL)
		*qq = '\0';
	trim_end(place, ".;,");
	pt_sfmt(mun, ml, "городской округ %s", place);
	if (!in_quotes(t, (size_t)(p - t))) {
		*p = '\0';
		trim_end(t, ",");
	}
	return 1;
}

/* … г. Томска: a town as the last word, outside the quotes.  1 when found. */
static int
mun_town(char *t, size_t q, char *mun, size_t ml)
{
	char w[256], *p = rfind(t, " г. ");

	if (p == NULL || in_quotes(t, (size_t)(p - t)) ||
	    strchr(p + strlen(" г. "), ' ') != NULL || (size_t)(p - t) + 1 < q)
		return 0;
	pt_nominative_word(p + strlen(" г. "), w, sizeof(w));
	pt_sfmt(mun, ml, "г. %s", w);
	*p = '\0';
	return 1;
}

/*
 * "МАОУ «Лицей имени И.В. Авдзейко» Томского района" -> name «МАОУ «Лицей
 * имени И.В. Авдзейко»», municipality «Томский район».  The municipality is
 * read from a trailing «, X район», «X района», «городского округа X»,
 * «г. X»; a school without one (a regional school) gets "".
 */
void
split_school(const char *text, char *name, size_t nl, char *mun, size_t ml)
{
	char t[1024], *p;
	size_t q = 0;   /* just after the last closing quote */

	pt_sfmt(t, sizeof(t), "%s", text);
	pt_clean(t);
	trim_end(t, ".;,");
	mun[0] = '\0';
	if (pt_ends(t, " Томской области"))
		t[strlen(t) - strlen(" Томской области")] = '\0';
	if ((p = rfind(t, "\xc2\xbb")) != NULL)
		q = (size_t)(p - t) + 2;
	if (!mun_after_comma(t, q, mun, ml) && !mun_district(t, mun, ml) &&
	    !mun_city_district(t, mun, ml))
		mun_town(t, q, mun, ml);
	pt_sfmt(name, nl, "%s", t);
}

/* The name inside the first «…» of a school's name, or "". */
static void
short_name_of(const char *name, char *out, size_t ol)
{
	const char *a = strstr(name, "\xc2\xab"), *end;

	out[0] = '\0';
	if (a && quote_text(a, out, ol, &end) != 1)
		out[0] = '\0';
}

void
school_key(const char *name, const char *mun, char *key, size_t kl)
{
	pr_school_key(name, mun, key, kl);
}

/* Emit a school record (with a membership of body when body is not NULL);
 * its key in key (>= 1200 bytes). */
int
emit_school(mf_import *imp, const char *name, const char *mun, const char *source,
	    const char *body, const char *basis, const char *since, char *key, size_t kl)
{
	mf_rec *r;
	char sn[512];

	school_key(name, mun, key, kl);
	short_name_of(name, sn, sizeof(sn));
	r = pr_school_new(H, imp, key, name, sn, mun, REGION);
	if (r == NULL)
		return -1;
	if (body) {
		mf_rec *m = H->rec_add_msg(r, "memberships");
		if (m) {
			H->rec_set(m, "body", body);
			if (basis)
				H->rec_set(m, "basis", basis);
			if (since)
				H->rec_set(m, "since", since);
		}
	}
	if (source)
		H->rec_set(r, "source", source);
	return H->rec_emit(r, NULL);
}

static const char *const org_abbr[] = {
	"МАОУ", "МБОУ", "МКОУ", "МОУ", "ОГБОУ", "ОГАОУ", "ОГКОУ", "ЧОУ", "ГБОУ", NULL
};

/* The first «ABBR «» in s from `from` (ABBR a kind of school), or NULL;
 * *abbr the kind found. */
static const char *
first_school(const char *from, const char **abbr)
{
	const char *best = NULL;

	for (int i = 0; org_abbr[i]; i++) {
		const char *p = from;
		while ((p = strstr(p, org_abbr[i])) != NULL) {
			const char *a = p + strlen(org_abbr[i]);
			if ((p == from || p[-1] == ' ' || p[-1] == '(') && a[0] == ' ' &&
			    (unsigned char)a[1] == 0xC2 && (unsigned char)a[2] == 0xAB) {
				if (best == NULL || p < best) {
					best = p;
					*abbr = org_abbr[i];
				}
				break;
			}
			p = a;
		}
	}
	return best;
}

/* The end of the municipality that follows a school's closing quote at t
 * (t itself when none follows). */
static const char *
school_tail(const char *t)
{
	if (pt_starts(t, " городского округа ")) {
		t += strlen(" городского округа ");
		while (*t && *t != ' ' && *t != ',' && *t != ';' && *t != '.')
			t++;
		return t;
	}
	if (pt_starts(t, " г. ")) {
		t += strlen(" г. ");
		while (*t && *t != ' ' && *t != ',' && *t != ';')
			t++;
		return t;
	}
	if (*t == ' ') {
		/* « X района» with X an adjective in the genitive */
		const char *w = t + 1;
		while (*w && *w != ' ')
			w++;
		if (w - t > 7 && pt_starts(w - strlen("ого"), "ого") && pt_starts(w, " района"))
			return w + strlen(" района");
	}
	return t;
}

/* Find a school named «ABBR «…» [tail]» in s from `from`: name and municipality.
 * Returns a pointer past it, or NULL. */
const char *
find_school(const char *from, char *name, size_t nl, char *mun, size_t ml)
{
	const char *abbr = NULL, *best = first_school(from, &abbr), *end;
	char cand[1024];
	size_t l;

	if (best == NULL)
		return NULL;
	if ((end = close_quote(best + strlen(abbr) + 1)) == NULL)
		return NULL;
	end = school_tail(end);
	l = (size_t)(end - best);
	if (l >= sizeof(cand))
		return NULL;
	memcpy(cand, best, l);
	cand[l] = '\0';
	split_school(cand, name, nl, mun, ml);
	return end;
}
