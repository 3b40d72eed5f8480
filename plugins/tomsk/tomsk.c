/*
 * tomsk.c — the Tomsk region plugin (RU-TOM).
 *
 * Formats:
 *   tomsk-league-order     an order of the Department of Education on the
 *                          Mentoring League: member schools (numbered list with
 *                          municipality), their membership, the League's work
 *                          plan (tab-separated table) as a roadmap with items.
 *   tomsk-webinar-letter   a letter on a webinar: the event (date, title,
 *                          organiser, participants, views), the speakers'
 *                          schools, the mentoring forms presented, coverage
 *                          targets («75% охват … «учитель-ученик» …»).
 *   tomsk-school-page      a school's mentoring web page: the school, each
 *                          mentoring form with goal (Цель) and tasks (Задачи).
 *   tomsk-league-news      a news text on the League: its webinars (dates
 *                          without a year: --year or the plan year, flagged).
 *   tomsk-competency-cards the League's competency cards, doc/formats/competency-card.md.
 *
 * Roadmap model "tomsk-league-plan": see item_status() below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "mentorfed-plugin.h"
#include "common/ptext.h"

#define REGION "RU-TOM"
#define LEAGUE "Наставническая лига Томской области"

static const struct mf_host_api *H;

/* ------------------------------------------------------------ helpers */

/* The year of «на 2025 год» in s (with need_plan: only when s speaks of a
 * «план»), or 0. */
static int
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
static const char *
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
static int
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

static void
trim_end(char *s, const char *chars)
{
	size_t l = strlen(s);

	while (l > 0 && (strchr(chars, s[l - 1]) || s[l - 1] == ' '))
		s[--l] = '\0';
}

static char *
rfind(const char *s, const char *needle)
{
	const char *r = NULL, *p = s;

	while ((p = strstr(p, needle)) != NULL) {
		r = p;
		p++;
	}
	return (char *)r;
}

/*
 * "МАОУ «Лицей имени И.В. Авдзейко» Томского района" -> name «МАОУ «Лицей
 * имени И.В. Авдзейко»», municipality «Томский район».  The municipality is
 * read from a trailing «, X район», «X района», «городского округа X»,
 * «г. X»; a school without one (a regional school) gets "".
 */
static void
split_school(const char *text, char *name, size_t nl, char *mun, size_t ml)
{
	char t[1024], *p;
	size_t q = 0;

	pt_sfmt(t, sizeof(t), "%s", text);
	pt_clean(t);
	trim_end(t, ".;,");
	mun[0] = '\0';
	if (pt_ends(t, " Томской области"))
		t[strlen(t) - strlen(" Томской области")] = '\0';
	if ((p = rfind(t, "\xc2\xbb")) != NULL)
		q = (size_t)(p - t) + 2;
	/* «…», Колпашевский район */
	p = rfind(t, ", ");
	if (p && (size_t)(p - t) >= q && !in_quotes(t, (size_t)(p - t))) {
		const char *tail = p + 2;
		if (strstr(tail, "район") || strstr(tail, "округ") || pt_starts(tail, "ЗАТО") ||
		    pt_starts(tail, "г. ") || pt_starts(tail, "город") || pt_starts(tail, "с. ") ||
		    pt_starts(tail, "п. ")) {
			pt_nominative(tail, mun, ml);
			*p = '\0';
			pt_sfmt(name, nl, "%s", t);
			return;
		}
	}
	/* … Томского района / … Еманжелинского муниципального района */
	if (pt_ends(t, " района")) {
		char *end = t + strlen(t) - strlen(" района");
		char *w = end;
		int words = 0;
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
		if (words > 0 && w > t) {
			pt_nominative(w + 1, mun, ml);
			*w = '\0';
			trim_end(t, ",");
			pt_sfmt(name, nl, "%s", t);
			return;
		}
	}
	/* городского округа Стрежевой (inside or outside the quotes) */
	if ((p = rfind(t, "городского округа ")) != NULL) {
		char place[256];
		pt_sfmt(place, sizeof(place), "%s", p + strlen("городского округа "));
		{
			char *qq = strstr(place, "\xc2\xbb");
			if (qq)
				*qq = '\0';
		}
		trim_end(place, ".;,");
		pt_sfmt(mun, ml, "городской округ %s", place);
		if (!in_quotes(t, (size_t)(p - t))) {
			*p = '\0';
			trim_end(t, ",");
		}
		pt_sfmt(name, nl, "%s", t);
		return;
	}
	/* … г. Томска */
	if ((p = rfind(t, " г. ")) != NULL && !in_quotes(t, (size_t)(p - t)) &&
	    strchr(p + strlen(" г. "), ' ') == NULL && (size_t)(p - t) + 1 >= q) {
		char w[256];
		pt_nominative_word(p + strlen(" г. "), w, sizeof(w));
		pt_sfmt(mun, ml, "г. %s", w);
		*p = '\0';
		pt_sfmt(name, nl, "%s", t);
		return;
	}
	pt_sfmt(name, nl, "%s", t);
}

static void
short_name_of(const char *name, char *out, size_t ol)
{
	const char *a = strstr(name, "\xc2\xab"), *b;

	out[0] = '\0';
	if (a && (b = close_quote(a)) != NULL) {
		size_t l = (size_t)(b - a) - 4;
		if (l < ol) {
			memcpy(out, a + 2, l);
			out[l] = '\0';
		}
	}
}

static void
school_key(const char *name, const char *mun, char *key, size_t kl)
{
	pt_sfmt(key, kl, "%s|%s", name, mun);
}

/* Emit a school record; its key in key (>= 1200 bytes). */
static int
emit_school(mf_import *imp, const char *name, const char *mun, const char *source,
	    const char *body, const char *basis, const char *since, char *key, size_t kl)
{
	mf_rec *r;
	char sn[512];

	school_key(name, mun, key, kl);
	r = H->rec_new(imp, "school", key);
	if (r == NULL)
		return -1;
	H->rec_set(r, "name", name);
	short_name_of(name, sn, sizeof(sn));
	if (sn[0])
		H->rec_set(r, "short_name", sn);
	if (mun[0])
		H->rec_set(r, "municipality", mun);
	H->rec_set(r, "region", REGION);
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

/* Timing sub-message from raw text. */
static void
set_timing(mf_import *imp, mf_rec *item, const char *raw, int year, unsigned line)
{
	mf_period per;
	mf_rec *t = H->rec_msg(item, "timing");
	char a[11], b[11];

	if (t == NULL)
		return;
	H->rec_set(t, "raw", raw);
	H->parse_period(raw, year, &per);
	for (int i = 0; i < per.n; i++) {
		mf_rec *iv = H->rec_add_msg(t, "intervals");
		if (iv == NULL)
			return;
		H->rec_set(iv, "from", H->date_format(per.iv[i].from, a));
		H->rec_set(iv, "to", H->date_format(per.iv[i].to, b));
	}
	if (per.continuous)
		H->rec_set(t, "continuous", "true");
	if (per.year_assumed)
		H->rec_set(t, "year_assumed", "true");
	if (per.uncertain) {
		H->rec_set(t, "uncertain", "true");
		H->warn(imp, line, "timing «%s» not read with certainty: kept as written, status unknown",
			raw);
	}
}

/* Split "ТОИПКРО, МОУО, ООО, вошедшие в состав …" into parts; a part that
 * starts with a lower-case letter continues the previous one. */
static int
split_responsible(const char *s, char parts[][512], int maxp)
{
	int n = 0;
	char buf[2048], *p, *save = NULL;

	pt_sfmt(buf, sizeof(buf), "%s", s);
	for (p = strtok_r(buf, ",;", &save); p; p = strtok_r(NULL, ",;", &save)) {
		char c[512];
		const unsigned char *u;
		pt_sfmt(c, sizeof(c), "%s", p);
		pt_clean(c);
		if (c[0] == '\0')
			continue;
		u = (const unsigned char *)c;
		/* Cyrillic lower case а-я: D0 B0..D0 BF, D1 80..D1 8F; ASCII a-z */
		if (n > 0 && ((u[0] == 0xD0 && u[1] >= 0xB0) || (u[0] == 0xD1 && u[1] <= 0x8F) ||
			      islower(u[0]))) {
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

/* A date «DD <month> [YYYY]» in s: fills per (one-day interval).  Returns a
 * pointer after it, or NULL. */
static const char *
find_day_month(const char *s, int year, mf_period *per, const char **start)
{
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p) && (p == s || !isdigit((unsigned char)p[-1]))) {
			char buf[96];
			const char *q = p;
			size_t l;
			while (isdigit((unsigned char)*q))
				q++;
			if (q - p > 2 || *q != ' ')
				continue;
			q++;
			while (*q && *q != ' ' && *q != ')' && *q != ',' && *q != '.')
				q++;
			/* with a year? */
			{
				const char *y = q;
				if (*y == ' ' && isdigit((unsigned char)y[1]) && isdigit((unsigned char)y[2]) &&
				    isdigit((unsigned char)y[3]) && isdigit((unsigned char)y[4]) &&
				    !isdigit((unsigned char)y[5]))
					q = y + 5;
			}
			l = (size_t)(q - p);
			if (l >= sizeof(buf))
				continue;
			memcpy(buf, p, l);
			buf[l] = '\0';
			if (H->parse_period(buf, year, per) == 0 && per->n == 1 &&
			    per->iv[0].from.day == per->iv[0].to.day &&
			    per->iv[0].from.month == per->iv[0].to.month) {
				if (start)
					*start = p;
				return q;
			}
		}
	}
	return NULL;
}

static const char *const org_abbr[] = {
	"МАОУ", "МБОУ", "МКОУ", "МОУ", "ОГБОУ", "ОГАОУ", "ОГКОУ", "МАОУ", "ЧОУ", "ГБОУ", NULL
};

/* Find a school named «ABBR «…» [tail]» in s from `from`: name and municipality.
 * Returns a pointer past it, or NULL. */
static const char *
find_school(const char *from, char *name, size_t nl, char *mun, size_t ml)
{
	const char *best = NULL;
	const char *abbr = NULL;

	for (int i = 0; org_abbr[i]; i++) {
		const char *p = from;
		while ((p = strstr(p, org_abbr[i])) != NULL) {
			const char *a = p + strlen(org_abbr[i]);
			if ((p == from || p[-1] == ' ' || p[-1] == '(') && a[0] == ' ' &&
			    (unsigned char)a[1] == 0xC2 && (unsigned char)a[2] == 0xAB) {
				if (best == NULL || p < best) {
					best = p;
					abbr = org_abbr[i];
				}
				break;
			}
			p = a;
		}
	}
	if (best == NULL)
		return NULL;
	{
		const char *q = best + strlen(abbr) + 1;
		const char *end = close_quote(q);
		char cand[1024];
		size_t l;
		if (end == NULL)
			return NULL;
		/* municipality tail */
		{
			const char *t = end;
			if (pt_starts(t, " городского округа ")) {
				t += strlen(" городского округа ");
				while (*t && *t != ' ' && *t != ',' && *t != ';' && *t != '.')
					t++;
				end = t;
			} else if (pt_starts(t, " г. ")) {
				t += strlen(" г. ");
				while (*t && *t != ' ' && *t != ',' && *t != ';')
					t++;
				end = t;
			} else if (*t == ' ') {
				/* « X района» with X an adjective in the genitive */
				const char *w = t + 1;
				while (*w && *w != ' ')
					w++;
				if (w - t > 7 && pt_starts(w - strlen("ого"), "ого") &&
				    pt_starts(w, " района"))
					end = w + strlen(" района");
			}
		}
		l = (size_t)(end - best);
		if (l >= sizeof(cand))
			return NULL;
		memcpy(cand, best, l);
		cand[l] = '\0';
		split_school(cand, name, nl, mun, ml);
		return end;
	}
}

/* ------------------------------------------------- format: league order */

static int
probe_order(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "Наставнической лиги") && strstr(data, "РАСПОРЯЖЕНИЕ") &&
	    strstr(data, "План работы") && strchr(data, '\t'))
		return 90;
	if (strstr(data, "Наставнической лиги") && strstr(data, "Список образовательных организаций"))
		return 60;
	return 0;
}

struct plan_item {
	char *cell[8];
	unsigned line;
	char *section;
};

static int
import_order(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	unsigned i, heading = 0, list = 0, plan = 0, header = 0;
	char issuer[512] = "", odate[11] = "", onum[64] = "", basis[1024] = "";
	char title[2048] = "", rkey[256], period_from[11], period_to[11];
	int plan_year = 0, rc = -1, nschools = 0, ncols = 0;
	int c_time = -1, c_title = -1, c_resp = -1, c_res = -1;
	struct plan_item *items = NULL;
	int nitems = 0;
	char *section = NULL;
	const char *roadmap_id = NULL;
	struct pstr issuer_b = { 0 };

	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	/* issuer: the lines above the РАСПОРЯЖЕНИЕ heading */
	for (i = 0; i < d.n; i++) {
		char l[512];
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		pt_clean(l);
		if (strcmp(l, "РАСПОРЯЖЕНИЕ") == 0 || strcmp(l, "ПРИКАЗ") == 0) {
			heading = i + 1;
			break;
		}
		if (l[0])
			pstr_addw(&issuer_b, l);
	}
	if (!heading) {
		H->error(imp, 1, "not a League order: no «РАСПОРЯЖЕНИЕ» heading");
		goto out;
	}
	pt_sfmt(issuer, sizeof(issuer), "%s", pstr_get(&issuer_b));
	/* date and number: the first date line and «№ N» line after the heading */
	for (i = heading; i < d.n && i < heading + 10; i++) {
		char l[256], iso[11];
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		pt_clean(l);
		if (!odate[0] && strlen(l) == 10 && pt_dmy(l, iso))
			memcpy(odate, iso, 11);
		else if (!onum[0] && pt_starts(l, "№")) {
			const char *n = pt_skip_sp(l + strlen("№"));
			pt_sfmt(onum, sizeof(onum), "%s", n);
		}
	}
	if (!odate[0] || !onum[0]) {
		H->error(imp, heading, "the order's date and number (lines «DD.MM.YYYY» and «№ N») "
			 "are missing after the heading");
		goto out;
	}
	/* annex 2: the list of member schools */
	for (i = heading; i < d.n; i++)
		if (pt_starts(d.line[i], "Список образовательных организаций")) {
			list = i + 1;
			break;
		}
	if (!list) {
		H->error(imp, d.n, "the list of the League's schools («Список образовательных "
			 "организаций», annex 2) is missing: truncated document?");
		goto out;
	}
	/* basis: the annex header above the list: «к распоряжению … от DATE № N» */
	{
		struct pstr b = { 0 };
		int on = 0;
		for (unsigned k = list - 1; k > heading; k--)
			if (pt_starts(d.line[k - 1], "Приложение")) {
				for (unsigned j = k; j < list - 1; j++) {
					char l[512];
					pt_sfmt(l, sizeof(l), "%s", d.line[j]);
					pt_clean(l);
					if (pt_starts(l, "к распоряжению")) {
						pstr_addw(&b, "распоряжение");
						pstr_addw(&b, l + strlen("к распоряжению"));
						on = 1;
						continue;
					}
					if (!on || !l[0])
						continue;
					pstr_addw(&b, l);
					if (pt_starts(l, "от "))
						break;
				}
				break;
			}
		if (b.len) {
			pt_sfmt(basis, sizeof(basis), "%s", pstr_get(&b));
			pt_clean(basis);
		} else {
			pt_sfmt(basis, sizeof(basis), "распоряжение от %s № %s", odate, onum);
		}
		pstr_free(&b);
	}
	/* the numbered list */
	{
		int expect = 1;
		for (i = list; i < d.n; i++) {
			const char *rest;
			int num = pt_numbered(d.line[i], &rest);
			char name[1024], mun[512], key[1600];
			if (pt_blank(d.line[i]))
				continue;
			if (num == 0) {
				if (nschools == 0)
					continue;   /* the list's title continues */
				break;
			}
			if (num != expect) {
				H->error(imp, i + 1, "school list: item %d where %d was expected", num, expect);
				goto out;
			}
			expect++;
			split_school(rest, name, sizeof(name), mun, sizeof(mun));
			if (name[0] == '\0') {
				H->error(imp, i + 1, "school list: item %d has no name", num);
				goto out;
			}
			if (emit_school(imp, name, mun, basis, LEAGUE, basis, odate, key, sizeof(key)) != 0)
				goto out;
			nschools++;
		}
		list = i;
	}
	if (nschools == 0) {
		H->error(imp, list, "the list of the League's schools is empty");
		goto out;
	}
	/* annex 3: the work plan */
	for (i = list; i < d.n; i++)
		if (pt_starts(d.line[i], "План работы")) {
			plan = i + 1;
			break;
		}
	if (!plan) {
		H->error(imp, d.n, "the League's work plan («План работы», annex 3) is missing: "
			 "truncated document?");
		goto out;
	}
	{
		struct pstr tb = { 0 };
		for (i = plan - 1; i < d.n && !pt_blank(d.line[i]) && !strchr(d.line[i], '\t'); i++) {
			char l[1024];
			pt_sfmt(l, sizeof(l), "%s", d.line[i]);
			pstr_addw(&tb, pt_clean(l));
		}
		pt_sfmt(title, sizeof(title), "%s", pstr_get(&tb));
		pstr_free(&tb);
	}
	plan_year = year_of_plan(title, 0);
	if (plan_year == 0) {
		plan_year = atoi(odate);
		H->warn(imp, plan, "the plan's title names no year («на YYYY год»): the order's "
			"year %d is used", plan_year);
	}
	for (i = plan; i < d.n; i++)
		if (strchr(d.line[i], '\t') && strstr(d.line[i], "Сроки")) {
			header = i + 1;
			break;
		}
	if (!header) {
		H->error(imp, d.n, "the work plan's table header (a tab-separated line with «Сроки») "
			 "is missing: truncated document?");
		goto out;
	}
	{
		char l[2048], *save = NULL, *c;
		int k = 0;
		pt_sfmt(l, sizeof(l), "%s", d.line[header - 1]);
		for (c = l;; k++) {
			char *tab = strchr(c, '\t');
			char cell[512];
			if (tab)
				*tab = '\0';
			pt_sfmt(cell, sizeof(cell), "%s", c);
			pt_clean(cell);
			if (strstr(cell, "Сроки"))
				c_time = k;
			else if (strstr(cell, "Наименование") || strstr(cell, "Мероприяти"))
				c_title = k;
			else if (strstr(cell, "Ответствен"))
				c_resp = k;
			else if (strstr(cell, "Результат"))
				c_res = k;
			if (!tab)
				break;
			c = tab + 1;
		}
		(void)save;
		ncols = k + 1;
		if (c_time < 0 || c_title < 0 || c_resp < 0 || c_res < 0 || ncols > 8) {
			H->error(imp, header, "the work plan's header must name the columns «Сроки», "
				 "«Наименование мероприятия», «Ответственные», «Результат»");
			goto out;
		}
	}
	/* rows */
	for (i = header; i < d.n; i++) {
		char *cells[8] = { 0 };
		int nc = 0, continuation;
		char *l = d.line[i];
		if (pt_blank(l))
			continue;
		continuation = (l[0] == '\t');
		for (char *c = l;; nc++) {
			char *tab = strchr(c, '\t');
			if (tab)
				*tab = '\0';
			if (nc < 8)
				cells[nc] = c;
			if (!tab)
				break;
			c = tab + 1;
		}
		nc++;
		for (int k = 0; k < nc && k < 8; k++)
			pt_clean(cells[k]);
		if (continuation) {
			struct plan_item *it;
			if (nitems == 0) {
				H->error(imp, i + 1, "work plan: a continuation line before any row");
				goto out;
			}
			if (nc > ncols) {
				H->error(imp, i + 1, "work plan: continuation line has %d cells, at most %d "
					 "expected", nc, ncols);
				goto out;
			}
			it = &items[nitems - 1];
			for (int k = 0; k < nc; k++) {
				if (cells[k][0] == '\0')
					continue;
				{
					size_t ol = strlen(it->cell[k]), al = strlen(cells[k]);
					char *nv = realloc(it->cell[k], ol + al + 2);
					if (nv == NULL)
						goto out;
					if (ol)
						nv[ol++] = ' ';
					memcpy(nv + ol, cells[k], al + 1);
					it->cell[k] = nv;
				}
			}
			continue;
		}
		{
			int others = 0;
			for (int k = 1; k < nc && k < 8; k++)
				if (cells[k][0])
					others++;
			if (others == 0) {
				free(section);
				section = strdup(cells[0]);
				continue;
			}
		}
		if (nc != ncols) {
			H->error(imp, i + 1, "work plan: row has %d cells, %d expected (truncated or "
				 "damaged table?)", nc, ncols);
			goto out;
		}
		{
			struct plan_item *ni = realloc(items, (size_t)(nitems + 1) * sizeof(*items));
			if (ni == NULL)
				goto out;
			items = ni;
			memset(&items[nitems], 0, sizeof(items[nitems]));
			for (int k = 0; k < nc; k++)
				items[nitems].cell[k] = strdup(cells[k]);
			items[nitems].line = i + 1;
			items[nitems].section = section ? strdup(section) : NULL;
			nitems++;
		}
	}
	if (nitems == 0) {
		H->error(imp, header, "the work plan has no rows: truncated document?");
		goto out;
	}
	/* the roadmap */
	pt_sfmt(rkey, sizeof(rkey), "league-order:%s:%s:plan", odate, onum);
	pt_sfmt(period_from, sizeof(period_from), "%04d-01-01", plan_year % 10000);
	pt_sfmt(period_to, sizeof(period_to), "%04d-12-31", plan_year % 10000);
	{
		mf_rec *r = H->rec_new(imp, "roadmap", rkey);
		if (r == NULL)
			goto out;
		H->rec_set(r, "title", title);
		H->rec_set(r, "issuer", issuer);
		H->rec_set(r, "order_number", onum);
		H->rec_set(r, "order_date", odate);
		H->rec_set(r, "period_from", period_from);
		H->rec_set(r, "period_to", period_to);
		{
			int ns = 0;
			const char *last = NULL;
			for (int k = 0; k < nitems; k++) {
				char num[16];
				mf_rec *s;
				if (items[k].section == NULL || (last && strcmp(last, items[k].section) == 0))
					continue;
				last = items[k].section;
				s = H->rec_add_msg(r, "sections");
				pt_sfmt(num, sizeof(num), "%d", ++ns);
				H->rec_set(s, "number", num);
				H->rec_set(s, "title", items[k].section);
			}
		}
		H->rec_set(r, "source", basis);
		H->rec_set(r, "model", "tomsk-league-plan");
		if (H->rec_emit(r, &roadmap_id) != 0)
			goto out;
	}
	for (int k = 0; k < nitems; k++) {
		struct plan_item *it = &items[k];
		char key[4096], num[16], parts[16][512];
		mf_rec *r;
		int np;

		/* identity: the roadmap and the activity's title (a title met
		 * again in the same plan gets its rank) */
		{
			int same = 0;
			for (int j = 0; j < k; j++)
				if (strcmp(items[j].cell[c_title], it->cell[c_title]) == 0)
					same++;
			if (same)
				pt_sfmt(key, sizeof(key), "%s|%s|%d", rkey, it->cell[c_title], same);
			else
				pt_sfmt(key, sizeof(key), "%s|%s", rkey, it->cell[c_title]);
		}
		r = H->rec_new(imp, "roadmap_item", key);
		if (r == NULL)
			goto out;
		H->rec_set(r, "roadmap_id", roadmap_id);
		pt_sfmt(num, sizeof(num), "%d", k + 1);
		H->rec_set(r, "number", num);
		if (it->section)
			H->rec_set(r, "section", it->section);
		H->rec_set(r, "title", it->cell[c_title]);
		set_timing(imp, r, it->cell[c_time], plan_year, it->line);
		np = split_responsible(it->cell[c_resp], parts, 16);
		if (np > 0)
			H->rec_set(r, "lead", parts[0]);
		for (int j = 1; j < np; j++)
			H->rec_add(r, "co_executors", parts[j]);
		H->rec_set(r, "responsible_raw", it->cell[c_resp]);
		H->rec_set(r, "expected_result", it->cell[c_res]);
		{
			char ln[16];
			pt_sfmt(ln, sizeof(ln), "%u", it->line);
			H->rec_set(r, "source_line", ln);
		}
		if (H->rec_emit(r, NULL) != 0)
			goto out;
	}
	rc = 0;
out:
	for (int k = 0; k < nitems; k++) {
		for (int j = 0; j < 8; j++)
			free(items[k].cell[j]);
		free(items[k].section);
	}
	free(items);
	free(section);
	pstr_free(&issuer_b);
	pdoc_free(&d);
	return rc;
}

/* ---------------------------------------------- format: webinar letter */

static int
probe_letter(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "ебинар") && strstr(data, "наставничества") && strstr(data, "охват"))
		return 80;
	if (strstr(data, "ебинар") && strstr(data, "Спикерами"))
		return 60;
	return 0;
}

static unsigned
number_before(const char *s, const char *word)
{
	const char *w = strstr(s, word), *p;

	if (w == NULL)
		return 0;
	p = w;
	while (p > s && p[-1] == ' ')
		p--;
	if (p == s || !isdigit((unsigned char)p[-1]))
		return 0;
	while (p > s && isdigit((unsigned char)p[-1]))
		p--;
	return (unsigned)strtoul(p, NULL, 10);
}

static unsigned
number_after(const char *s, const char *word)
{
	const char *w = strstr(s, word);

	if (w == NULL)
		return 0;
	for (w += strlen(word); *w; w++)
		if (isdigit((unsigned char)*w))
			return (unsigned)strtoul(w, NULL, 10);
	return 0;
}

static int
import_letter(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	int rc = -1, nforms = 0, ntargets = 0;
	unsigned i, ev_line = 0;
	char ldate[11] = "", lnum[32] = "", source[256], evdate[11] = "", evkey[512];
	char title[1024] = "", organiser[1024] = "";
	unsigned participants = 0, views = 0;
	char school_keys[32][1600];
	int nschools = 0;

	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	/* the letter's date and number: «___26.08.2022     №___774_» */
	for (i = 0; i < d.n && i < 30; i++) {
		const char *no = strstr(d.line[i], "№");
		char iso[11];
		if (no && pt_find_dmy(d.line[i], iso)) {
			const char *p = no + strlen("№");
			size_t k = 0;
			while (*p == '_' || *p == ' ')
				p++;
			while (isdigit((unsigned char)*p) && k + 1 < sizeof(lnum))
				lnum[k++] = *p++;
			lnum[k] = '\0';
			memcpy(ldate, iso, 11);
			break;
		}
	}
	if (ldate[0])
		pt_sfmt(source, sizeof(source), "письмо от %s%s%s", ldate, lnum[0] ? " № " : "", lnum);
	else
		pt_sfmt(source, sizeof(source), "письмо о вебинаре");
	/* the event */
	for (i = 0; i < d.n; i++) {
		const char *w = strstr(d.line[i], "вебинар \xc2\xab");
		mf_period per;
		char a[11];
		if (w == NULL || !find_day_month(d.line[i], 0, &per, NULL))
			continue;
		{
			const char *q = w + strlen("вебинар ");
			const char *e = close_quote(q);
			size_t l;
			if (e == NULL)
				continue;
			l = (size_t)(e - q) - 4;
			if (l >= sizeof(title))
				l = sizeof(title) - 1;
			memcpy(title, q + 2, l);
			title[l] = '\0';
			pt_clean(title);
		}
		H->date_format(per.iv[0].from, a);
		memcpy(evdate, a, 11);
		ev_line = i + 1;
		break;
	}
	if (!ev_line) {
		H->error(imp, d.n, "no webinar found (a line «DD месяца YYYY г. … вебинар «…»»)");
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		const char *l = d.line[i];
		if (!organiser[0] && pt_starts(l, "Организатор")) {
			const char *p = strstr(l, " – ");
			if (p == NULL)
				p = strstr(l, " - ");
			if (p) {
				pt_sfmt(organiser, sizeof(organiser), "%s", p + (p[1] == '-' ? 3 : 5));
				pt_clean(organiser);
				trim_end(organiser, ".");
			}
		}
		if (!participants && (strstr(l, "участие") || strstr(l, "подключал")))
			participants = number_before(l, " человек");
		if (!views && strstr(l, "просмотров"))
			views = number_after(l, "просмотров");
	}
	/* speakers' schools: the bullets after «Спикерами» */
	for (i = 0; i < d.n; i++)
		if (strstr(d.line[i], "Спикерами"))
			break;
	for (i++; i < d.n; i++) {
		const char *l = pt_skip_sp(d.line[i]);
		char name[1024], mun[512];
		if (pt_blank(l))
			continue;
		if (!pt_starts(l, "·") && !pt_starts(l, "•") && !pt_starts(l, "-"))
			break;
		if (find_school(l, name, sizeof(name), mun, sizeof(mun)) && nschools < 32) {
			int dup = 0;
			char key[1600];
			school_key(name, mun, key, sizeof(key));
			for (int k = 0; k < nschools; k++)
				if (strcmp(school_keys[k], key) == 0)
					dup = 1;
			if (dup)
				continue;
			if (emit_school(imp, name, mun, source, NULL, NULL, NULL, school_keys[nschools],
					sizeof(school_keys[0])) != 0)
				goto out;
			nschools++;
		}
	}
	pt_sfmt(evkey, sizeof(evkey), "webinar:%s:%s", evdate, title);
	{
		mf_rec *r = H->rec_new(imp, "event", evkey);
		char n[16];
		if (r == NULL)
			goto out;
		H->rec_set(r, "type", "webinar");
		H->rec_set(r, "title", title);
		H->rec_set(r, "date", evdate);
		if (organiser[0])
			H->rec_set(r, "organiser", organiser);
		if (participants) {
			pt_sfmt(n, sizeof(n), "%u", participants);
			H->rec_set(r, "participants", n);
		}
		if (views) {
			pt_sfmt(n, sizeof(n), "%u", views);
			H->rec_set(r, "views", n);
		}
		for (int k = 0; k < nschools; k++)
			H->rec_add_ref(r, "school_ids", "school", school_keys[k]);
		H->rec_set(r, "source", source);
		if (H->rec_emit(r, NULL) != 0)
			goto out;
	}
	/* mentoring forms presented: the «…»-quoted forms of the line that
	 * speaks of «форм» and gives no percentages */
	for (i = 0; i < d.n; i++) {
		const char *l = d.line[i];
		if (!strstr(l, "форм") || strchr(l, '%'))
			continue;
		for (const char *q = strstr(l, "\xc2\xab"); q; q = strstr(q + 2, "\xc2\xab")) {
			const char *e = close_quote(q);
			char ft[256];
			const char *form;
			size_t fl;
			if (e == NULL)
				break;
			fl = (size_t)(e - q) - 4;
			if (fl >= sizeof(ft))
				continue;
			memcpy(ft, q + 2, fl);
			ft[fl] = '\0';
			pt_clean(ft);
			form = H->map_term("mentoring_form", ft);
			if (form == NULL)
				continue;
			{
				char key[512];
				mf_rec *r;
				pt_sfmt(key, sizeof(key), "%s|region|%s", source, form);
				r = H->rec_new(imp, "mentoring_practice", key);
				if (r == NULL)
					goto out;
				H->rec_set(r, "region", REGION);
				H->rec_set(r, "form", form);
				H->rec_set(r, "form_text", ft);
				H->rec_set(r, "source", source);
				if (H->rec_emit(r, NULL) != 0)
					goto out;
				nforms++;
			}
		}
		if (nforms)
			break;
	}
	/* targets: «· NN% охват …» bullets; the deadline from the line that
	 * introduces them («Стремиться к 1 января 2023 г. обеспечить:») */
	{
		char deadline[11] = "";
		for (i = 0; i < d.n; i++) {
			const char *l = pt_skip_sp(d.line[i]);
			const char *pct;
			mf_period per;
			if (!pt_starts(l, "·") && !pt_starts(l, "•")) {
				if (!pt_blank(l) && find_day_month(l, 0, &per, NULL) && strstr(l, " к ") == NULL &&
				    !pt_starts(l, "Стремиться"))
					continue;
				if (!pt_blank(l) && (pt_starts(l, "Стремиться") || strstr(l, " к ")) &&
				    find_day_month(l, 0, &per, NULL) && i + 1 > ev_line)
					H->date_format(per.iv[0].from, deadline);
				continue;
			}
			l += pt_starts(l, "·") ? strlen("·") : strlen("•");
			l = pt_skip_sp(l);
			pct = strchr(l, '%');
			if (pct == NULL || !isdigit((unsigned char)l[0]) || pct - l > 6)
				continue;
			{
				char ind[2048], pop[1024] = "", val[16], key[512];
				const char *forms[8];
				int nf = 0;
				mf_rec *r;
				size_t vl = (size_t)(pct - l);
				char *cut;
				memcpy(val, l, vl);
				val[vl] = '\0';
				pt_sfmt(ind, sizeof(ind), "%s", pt_skip_sp(pct + 1));
				if ((cut = strstr(ind, ", используя")) != NULL)
					*cut = '\0';
				pt_clean(ind);
				trim_end(ind, ";.,");
				{
					const char *o = strstr(ind, "охват ");
					const char *v = strstr(ind, ", вовлеченных");
					if (o && v && v > o) {
						size_t pl = (size_t)(v - o) - strlen("охват ");
						if (pl < sizeof(pop)) {
							memcpy(pop, o + strlen("охват "), pl);
							pop[pl] = '\0';
						}
					}
				}
				for (const char *q = strstr(ind, "\xc2\xab"); q && nf < 8;
				     q = strstr(q + 2, "\xc2\xab")) {
					const char *e = close_quote(q);
					char ft[256];
					size_t fl;
					if (e == NULL)
						break;
					fl = (size_t)(e - q) - 4;
					if (fl >= sizeof(ft))
						continue;
					memcpy(ft, q + 2, fl);
					ft[fl] = '\0';
					if ((forms[nf] = H->map_term("mentoring_form", ft)) != NULL)
						nf++;
				}
				if (!deadline[0])
					H->warn(imp, i + 1, "target without a deadline");
				{
					struct pstr kb = { 0 };
					pt_sfmt(key, sizeof(key), "%s|target|%s", source, val);
					pstr_add(&kb, key);
					for (int k = 0; k < nf; k++) {
						pstr_add(&kb, "|");
						pstr_add(&kb, forms[k]);
					}
					if (nf == 0) {
						pstr_add(&kb, "|");
						pstr_add(&kb, ind);
					}
					pt_sfmt(key, sizeof(key), "%s", pstr_get(&kb));
					pstr_free(&kb);
				}
				r = H->rec_new(imp, "target", key);
				if (r == NULL)
					goto out;
				H->rec_set(r, "indicator", ind);
				H->rec_set(r, "value", val);
				H->rec_set(r, "unit", "%");
				if (pop[0])
					H->rec_set(r, "population", pop);
				if (deadline[0])
					H->rec_set(r, "deadline", deadline);
				for (int k = 0; k < nf; k++)
					H->rec_add(r, "forms", forms[k]);
				H->rec_set(r, "source", source);
				if (H->rec_emit(r, NULL) != 0)
					goto out;
				ntargets++;
			}
		}
	}
	rc = 0;
out:
	pdoc_free(&d);
	return rc;
}

/* ------------------------------------------------- format: school page */

static int
probe_page(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "Формы наставничества") && strstr(data, "Цель:") && strstr(data, "Задачи:"))
		return 80;
	return 0;
}

struct form_acc {
	char form_text[256];
	const char *form;
	unsigned line;
	struct pstr goal;
	char *tasks[64];
	unsigned task_line[64];
	int ntasks;
};

static int
emit_form(mf_import *imp, struct form_acc *f, const char *skey, const char *source)
{
	char key[2048];
	mf_rec *r;

	if (f->goal.len == 0)
		H->warn(imp, f->line, "form «%s» has no goal (Цель)", f->form_text);
	if (f->ntasks == 0)
		H->warn(imp, f->line, "form «%s» has no tasks (Задачи)", f->form_text);
	pt_sfmt(key, sizeof(key), "%s|%s", skey, f->form);
	r = H->rec_new(imp, "mentoring_practice", key);
	if (r == NULL)
		return -1;
	H->rec_set_ref(r, "school_id", "school", skey);
	H->rec_set(r, "region", REGION);
	H->rec_set(r, "form", f->form);
	H->rec_set(r, "form_text", f->form_text);
	if (f->goal.len)
		H->rec_set(r, "goal", pstr_get(&f->goal));
	for (int k = 0; k < f->ntasks; k++) {
		size_t l = strlen(f->tasks[k]);
		if (l && !strchr(".!?;:)", f->tasks[k][l - 1]))
			H->warn(imp, f->task_line[k], "task %d of form «%s» seems cut mid-sentence; kept "
				"as written", k + 1, f->form_text);
		H->rec_add(r, "tasks", f->tasks[k]);
	}
	H->rec_set(r, "source", source);
	return H->rec_emit(r, NULL);
}

static void
form_free(struct form_acc *f)
{
	pstr_free(&f->goal);
	for (int k = 0; k < f->ntasks; k++)
		free(f->tasks[k]);
	memset(f, 0, sizeof(*f));
}

static int
import_page(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	unsigned i, forms_at = 0, date_line = 0;
	struct pstr nb = { 0 };
	char name[1024], mun[512], skey[1600], shortn[256] = "", source[512];
	int rc = -1, nforms = 0, mode = 0;   /* mode 1: goal, 2: tasks */
	struct form_acc f;

	memset(&f, 0, sizeof(f));
	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	/* the school's name: the lines above the page's date line */
	for (i = 0; i < d.n && i < 8; i++) {
		char iso[11];
		if (pt_find_dmy(d.line[i], iso)) {
			date_line = i + 1;
			break;
		}
	}
	if (!date_line) {
		H->error(imp, 1, "no page header (school name followed by a «DD.MM.YYYY» date line)");
		goto out;
	}
	for (i = 0; i + 1 < date_line; i++) {
		char l[512];
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		if (pt_clean(l)[0])
			pstr_addw(&nb, l);
	}
	if (nb.len == 0) {
		H->error(imp, 1, "no school name above the page's date line");
		goto out;
	}
	split_school(pstr_get(&nb), name, sizeof(name), mun, sizeof(mun));
	for (i = 0; i < d.n; i++) {
		const char *e = strstr(d.line[i], "E-mail");
		if (e && (size_t)(e - d.line[i]) < sizeof(shortn)) {
			memcpy(shortn, d.line[i], (size_t)(e - d.line[i]));
			shortn[e - d.line[i]] = '\0';
			pt_clean(shortn);
		}
	}
	{
		char iso[11];
		pt_find_dmy(d.line[date_line - 1], iso);
		pt_sfmt(source, sizeof(source), "страница «Наставничество» сайта школы, %s", iso);
	}
	school_key(name, mun, skey, sizeof(skey));
	{
		mf_rec *r = H->rec_new(imp, "school", skey);
		if (r == NULL)
			goto out;
		H->rec_set(r, "name", name);
		if (shortn[0])
			H->rec_set(r, "short_name", shortn);
		if (mun[0])
			H->rec_set(r, "municipality", mun);
		H->rec_set(r, "region", REGION);
		H->rec_set(r, "source", source);
		if (H->rec_emit(r, NULL) != 0)
			goto out;
	}
	for (i = date_line; i < d.n; i++) {
		char l[256];
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		if (strcmp(pt_clean(l), "Формы наставничества") == 0) {
			forms_at = i + 1;
			break;
		}
	}
	if (!forms_at) {
		H->error(imp, d.n, "no «Формы наставничества» section");
		goto out;
	}
	for (i = forms_at; i < d.n; i++) {
		char *l = d.line[i];
		char c[4096];
		const char *form, *rest;
		int num;
		if (pt_blank(l))
			continue;
		pt_sfmt(c, sizeof(c), "%s", l);
		pt_clean(c);
		if (strlen(c) < 64 && (form = H->map_term("mentoring_form", c)) != NULL) {
			if (f.form) {
				if (emit_form(imp, &f, skey, source) != 0)
					goto out;
				nforms++;
				form_free(&f);
			}
			f.form = form;
			pt_sfmt(f.form_text, sizeof(f.form_text), "%s", c);
			f.line = i + 1;
			mode = 0;
			continue;
		}
		if (f.form == NULL) {
			if (nforms == 0)
				continue;
			break;
		}
		if (pt_starts(c, "Цель:")) {
			pstr_addw(&f.goal, pt_skip_sp(c + strlen("Цель:")));
			mode = 1;
			continue;
		}
		if (pt_starts(c, "Задачи:")) {
			mode = 2;
			continue;
		}
		if (mode == 2 && (num = pt_numbered(c, &rest)) > 0) {
			if (num != f.ntasks + 1)
				H->warn(imp, i + 1, "task numbered %d where %d was expected", num, f.ntasks + 1);
			if (f.ntasks < 64) {
				f.tasks[f.ntasks] = strdup(rest);
				f.task_line[f.ntasks] = i + 1;
				if (f.tasks[f.ntasks])
					f.ntasks++;
			}
			continue;
		}
		if (mode == 1 && f.ntasks == 0 && !pt_numbered(c, NULL)) {
			pstr_addw(&f.goal, c);   /* the goal continues */
			continue;
		}
		/* anything else ends the forms section */
		break;
	}
	if (f.form) {
		if (emit_form(imp, &f, skey, source) != 0)
			goto out;
		nforms++;
	}
	if (nforms == 0) {
		H->error(imp, forms_at, "no mentoring form (e.g. «Учитель - учитель») under "
			 "«Формы наставничества»");
		goto out;
	}
	rc = 0;
out:
	form_free(&f);
	pstr_free(&nb);
	pdoc_free(&d);
	return rc;
}

/* ------------------------------------------------- format: league news */

static int
probe_news(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "Наставническ") && strstr(data, "лиг") && strstr(data, "ебинар") &&
	    !strchr(data, '\t') && !strstr(data, "РАСПОРЯЖЕНИЕ"))
		return 50;
	return 0;
}

static int
import_news(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	int rc = -1, year = H->import_year(imp), nweb = 0;
	unsigned i, year_line = 0;
	int from_arg = year > 0;

	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	if (!from_arg) {
		/* the League's plan year: «плана работы на 2025 год» */
		for (i = 0; i < d.n && !year; i++)
			if ((year = year_of_plan(d.line[i], 1)) != 0)
				year_line = i + 1;
		if (!year) {
			H->error(imp, 1, "the webinars' dates have no year and the text names no plan "
				 "year («на YYYY год»): give one with --year");
			goto out;
		}
	}
	for (i = 0; i < d.n; i++) {
		const char *l = d.line[i];
		const char *w = l;
		while ((w = strstr(w, "вебинар")) != NULL) {
			const char *par = w + strlen("вебинар");
			mf_period per;
			const char *ds, *de;
			char date[11], key[128], ttl[512], name[1024], mun[512];
			const char *start;
			/* «вебинар (21 февраля)», «вебинаре (26 февраля)» */
			while (*par && *par != ' ' && *par != '(' && par - w < 24)
				par++;
			par = pt_skip_sp(par);
			if (*par != '(' || (de = find_day_month(par + 1, year, &per, &ds)) == NULL ||
			    ds != par + 1 || *de != ')') {
				w += strlen("вебинар");
				continue;
			}
			H->date_format(per.iv[0].from, date);
			/* the ordinal before: «1-й вебинар», «2-м вебинаре» */
			start = w;
			if (start - l >= 4) {
				const char *s = start - 1;
				if (*s == ' ')
					s--;
				while (s > l && s[-1] != ' ')
					s--;
				if (isdigit((unsigned char)*s))
					start = s;
			}
			{
				/* «1-й вебинар Наставнической лиги (21 февраля)» */
				char when[128];
				size_t wl = (size_t)(de - par - 1);
				if (wl >= sizeof(when))
					wl = sizeof(when) - 1;
				memcpy(when, par + 1, wl);
				when[wl] = '\0';
				if (start != w)
					pt_sfmt(ttl, sizeof(ttl), "%d-й вебинар Наставнической лиги (%s)",
						atoi(start), when);
				else
					pt_sfmt(ttl, sizeof(ttl), "Вебинар Наставнической лиги (%s)", when);
			}
			pt_sfmt(key, sizeof(key), "league-webinar:%s", date);
			{
				mf_rec *r = H->rec_new(imp, "event", key);
				const char *next = strstr(de, "ебинар");
				const char *url = strstr(de, "https://");
				const char *sc;
				if (url == NULL)
					url = strstr(de, "http://");
				/* a recording link or a school in this webinar's part of the line */
				if (r == NULL)
					goto out;
				H->rec_set(r, "type", "webinar");
				H->rec_set(r, "title", ttl);
				H->rec_set(r, "date", date);
				H->rec_set(r, "date_assumed", "true");
				H->rec_set(r, "organiser", LEAGUE);
				{
					const char *scan = de;
					while ((sc = find_school(scan, name, sizeof(name), mun, sizeof(mun))) != NULL &&
					       (next == NULL || sc < next + 200)) {
						char skey[1600];
						if (emit_school(imp, name, mun, "новость о Наставнической лиге", NULL,
								NULL, NULL, skey, sizeof(skey)) != 0)
							goto out;
						H->rec_add_ref(r, "school_ids", "school", skey);
						scan = sc;
					}
				}
				if (url) {
					char u[512];
					size_t ul = 0;
					while (url[ul] && url[ul] != ' ' && ul + 1 < sizeof(u)) {
						u[ul] = url[ul];
						ul++;
					}
					u[ul] = '\0';
					trim_end(u, ".,;)");
					H->rec_set(r, "recording_url", u);
				}
				H->rec_set(r, "source", "новость о Наставнической лиге");
				if (H->rec_emit(r, NULL) != 0)
					goto out;
				nweb++;
				if (!from_arg)
					H->warn(imp, i + 1, "webinar of %s: the text gives no year; %d assumed "
						"from the League's plan year (line %u)", date, year, year_line);
			}
			w = de;
		}
	}
	if (nweb == 0) {
		H->error(imp, d.n, "no webinar with a date («вебинар (DD месяца)») found");
		goto out;
	}
	rc = 0;
out:
	pdoc_free(&d);
	return rc;
}

/* --------------------------------------------- format: competency cards */

static int
probe_cards(const char *data, size_t len)
{
	const char *p = data;

	(void)len;
	while (*p == '\n' || *p == '\r' || *p == ' ')
		p++;
	if (pt_starts(p, "ВИЗИТКИ КОМПЕТЕНЦИЙ"))
		return 95;
	return 0;
}

struct card {
	unsigned line;
	char school[1024], mun[512];
	const char *dirs[8];
	int ndirs;
	const char *offers[4];
	int noffers;
	struct pstr desc;
};

static int
card_emit(mf_import *imp, struct card *c, const char *source)
{
	char skey[1600];
	mf_rec *r;

	if (!c->school[0]) {
		H->error(imp, c->line, "card without «Школа:»");
		return -1;
	}
	if (c->ndirs == 0) {
		H->error(imp, c->line, "card of %s names no «Направления:»", c->school);
		return -1;
	}
	if (emit_school(imp, c->school, c->mun, source, LEAGUE, NULL, NULL, skey, sizeof(skey)) != 0)
		return -1;
	r = H->rec_new(imp, "competency_card", skey);
	if (r == NULL)
		return -1;
	H->rec_set_ref(r, "school_id", "school", skey);
	for (int k = 0; k < c->ndirs; k++)
		H->rec_add(r, "directions", c->dirs[k]);
	for (int k = 0; k < c->noffers; k++)
		H->rec_add(r, "offers", c->offers[k]);
	if (c->desc.len)
		H->rec_set(r, "description", pstr_get(&c->desc));
	H->rec_set(r, "source", source);
	return H->rec_emit(r, NULL);
}

static int
import_cards(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	struct card c;
	int rc = -1, in_card = 0, ncards = 0, last_desc = 0;
	char source[512] = "визитки компетенций Наставнической лиги";

	memset(&c, 0, sizeof(c));
	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i <= d.n; i++) {
		char l[4096], *colon, *val;
		if (i == d.n || pt_blank(d.line[i])) {
			if (in_card) {
				if (card_emit(imp, &c, source) != 0)
					goto out;
				ncards++;
				pstr_free(&c.desc);
				memset(&c, 0, sizeof(c));
				in_card = 0;
			}
			last_desc = 0;
			continue;
		}
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		pt_clean(l);
		if (l[0] == '#')
			continue;
		if (pt_starts(l, "ВИЗИТКИ КОМПЕТЕНЦИЙ"))
			continue;
		colon = strchr(l, ':');
		if (last_desc && (d.line[i][0] == ' ' || d.line[i][0] == '\t')) {
			pstr_addw(&c.desc, l);   /* an indented continuation */
			continue;
		}
		if (colon == NULL || colon - l > 40) {
			if (last_desc) {
				pstr_addw(&c.desc, l);
				continue;
			}
			if (!in_card && ncards == 0)
				continue;   /* header prose */
			H->error(imp, i + 1, "expected «Поле: значение», got «%.80s»", l);
			goto out;
		}
		*colon = '\0';
		val = (char *)pt_skip_sp(colon + 1);
		last_desc = 0;
		if (strcmp(l, "Источник") == 0 && !in_card) {
			pt_sfmt(source, sizeof(source), "%s", val);
			continue;
		}
		if (strcmp(l, "Формат") == 0 || strcmp(l, "Год") == 0) {
			if (in_card) {
				H->error(imp, i + 1, "«%s:» belongs to the file header", l);
				goto out;
			}
			continue;
		}
		if (strcmp(l, "Школа") == 0) {
			if (in_card) {
				H->error(imp, i + 1, "a new «Школа:» inside a card: separate cards by an "
					 "empty line");
				goto out;
			}
			in_card = 1;
			c.line = i + 1;
			pt_sfmt(c.school, sizeof(c.school), "%s", val);
			continue;
		}
		if (!in_card) {
			H->error(imp, i + 1, "«%s:» before «Школа:»", l);
			goto out;
		}
		if (strcmp(l, "Муниципалитет") == 0) {
			pt_sfmt(c.mun, sizeof(c.mun), "%s", val);
		} else if (strcmp(l, "Направления") == 0 || strcmp(l, "Условия") == 0) {
			char *save = NULL;
			for (char *t = strtok_r(val, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
				const char *id = H->map_term("direction", t);
				if (id == NULL) {
					H->error(imp, i + 1, "«%s» is not a magistral direction or key condition",
						 pt_clean(t));
					goto out;
				}
				if (c.ndirs < 8)
					c.dirs[c.ndirs++] = id;
			}
		} else if (strcmp(l, "Предлагает") == 0) {
			char *save = NULL;
			for (char *t = strtok_r(val, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
				const char *id = H->map_term("support_type", pt_clean(t));
				if (id == NULL)
					id = "other";
				if (c.noffers < 4)
					c.offers[c.noffers++] = id;
			}
		} else if (strcmp(l, "Описание") == 0) {
			pstr_addw(&c.desc, val);
			last_desc = 1;
		} else {
			H->error(imp, i + 1, "unknown field «%s:»", l);
			goto out;
		}
	}
	if (ncards == 0) {
		H->error(imp, d.n, "no card («Школа: …» block) found");
		goto out;
	}
	rc = 0;
out:
	pstr_free(&c.desc);
	pdoc_free(&d);
	return rc;
}

/* --------------------------------------------------- roadmap model */

/*
 * tomsk-league-plan: the League's plan is a one-year plan.
 *   - an item with a report carrying evidence that says done: done;
 *   - timing not understood: unknown;
 *   - «В течение года»: planned before the plan year, continuous during it,
 *     overdue after it (a year-long task must be reported done by then);
 *   - otherwise by its intervals: in progress inside one, planned before the
 *     first or between two (the next one is still to come), overdue after
 *     the last.
 */
static enum mf_item_status
item_status(const mf_item_view *it, mf_date at)
{
	/* These are exactly the host's generic rules; the model keeps its own
	 * name so that a change of the League's rules stays here. */
	return H->generic_status(it, at);
}

/* ---------------------------------------------------------- descriptor */

static const mf_format formats[] = {
	{ "tomsk-league-order", "Order on the Mentoring League: member schools, membership, "
	  "work plan (roadmap)", probe_order, import_order },
	{ "tomsk-webinar-letter", "Letter on a webinar: event, speakers' schools, mentoring "
	  "forms, coverage targets", probe_letter, import_letter },
	{ "tomsk-school-page", "A school's mentoring page: mentoring forms with goal and tasks",
	  probe_page, import_page },
	{ "tomsk-league-news", "News on the Mentoring League: its webinars", probe_news, import_news },
	{ "tomsk-competency-cards", "The League's competency cards (doc/formats/competency-card.md)",
	  probe_cards, import_cards },
};

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "tomsk",
	.version = "1.0",
	.region = REGION,
	.description = "Tomsk region (ТОИПКРО): Mentoring League orders and plans, webinar "
		       "letters, school mentoring pages, League news, competency cards",
	.formats = formats,
	.n_formats = (int)(sizeof(formats) / sizeof(formats[0])),
	.model = "tomsk-league-plan",
	.item_status = item_status,
	.shutdown = NULL,
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int host_abi)
{
	if (host == NULL || host_abi != MF_PLUGIN_ABI_VERSION ||
	    !MF_HOST_HAS(host, generic_status))
		return NULL;
	H = host;
	return &plugin;
}
