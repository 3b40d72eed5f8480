/*
 * chelyabinsk.c — the Chelyabinsk region plugin (RU-CHE).
 *
 * Format "chelyabinsk-garant-roadmap": a roadmap exported from a legal
 * database (ГАРАНТ): advertising lines at the top and bottom, an annex
 * header («Приложение 1 / к приказу / <issuer> / от 6 февраля 2023 г. N 01/288»),
 * the title, then a table written one cell per line, each ending in " |":
 * the header cells, then section rows («I. |», title, «|||| »), and item rows
 * («1. |» followed by one cell per column).  Columns are found by their
 * header names, not by position.
 *
 * Records: one roadmap (sections, period from «в 2023-2024 годах»), one
 * roadmap_item per row (timing parsed by the host; uncertain timings kept raw
 * and flagged), a school record for each school named among the executors.
 *
 * Roadmap model "chelyabinsk-roadmap": see item_status() below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "mentorfed-plugin.h"
#include "common/ptext.h"

#define REGION "RU-CHE"
#define MAX_COLS 12

static const struct mf_host_api *H;

/* ------------------------------------------------------------ cells */

struct cell {
	char *text;
	unsigned line;
};

static int
is_ad(const char *l)
{
	return strstr(l, "ГАРАНТ") != NULL || strstr(l, "garant.ru") != NULL ||
	       pt_starts(l, "Вы можете открыть");
}

/* "I." .. "XII." -> 1; "12." -> 2; else 0 */
static int
marker(const char *s, char *num, size_t nl)
{
	size_t l = strlen(s), i;

	if (l < 2 || l > 6 || s[l - 1] != '.')
		return 0;
	for (i = 0; i + 1 < l; i++)
		if (!strchr("IVX", s[i]))
			break;
	if (i + 1 == l) {
		pt_sfmt(num, nl, "%.*s", (int)(l - 1), s);
		return 1;
	}
	for (i = 0; i + 1 < l; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	pt_sfmt(num, nl, "%.*s", (int)(l - 1), s);
	return 2;
}

static int
is_filler(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s != '|' && *s != ' ')
			return 0;
	return 1;
}

/* ------------------------------------------------------- responsible */

/* Split on '/', ';' and ',' outside "quotes".  A '"' opens a quote when it
 * follows a space, '(' or the start; otherwise it closes one.  A separator
 * met inside an open quote splits anyway when that quote is never closed
 * before the next opening one (legal exports drop closing quotes). */
static int
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
			sep = 1;
			if (*p && depth) {
				/* the next quote: closing (we are inside a name) or opening? */
				const char *q = strchr(p + 1, '"');
				int closes = q && !(q[-1] == ' ' || q[-1] == '(' || q[-1] == '/');
				if (closes)
					sep = 0;
				else
					depth = 0;
			}
			if (*p == ',' && sep) {
				/* «ООО, вошедшие …»: a lower-case continuation is no new part */
				const unsigned char *u = (const unsigned char *)pt_skip_sp(p + 1);
				if ((u[0] == 0xD0 && u[1] >= 0xB0) || (u[0] == 0xD1 && u[1] <= 0x8F))
					sep = 0;
			}
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
	"МАОУ ", "МБОУ ", "МКОУ ", "МОУ ", "ГБОУ ", "МАОУ ", "ЧОУ ", NULL
};

/* A school among the executors: name (without «(по согласованию)» and the
 * place), municipality (nominative).  Returns 1 when it is a school. */
static int
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
		{
			char *tail = q2 + 1;
			char *r;
			tail = (char *)pt_skip_sp(tail);
			if ((r = strstr(tail, " района")) != NULL || pt_ends(tail, "района")) {
				/* «г. Еманжелинска Еманжелинского муниципального района»: the district */
				char *e = strstr(tail, "района") + strlen("района");
				char *b = r ? r : tail;
				/* back over adjectives in the genitive (-ого) */
				while (b > tail) {
					char *w = b;
					while (w > tail && w[-1] == ' ')
						w--;
					{
						char *ws = w;
						while (ws > tail && ws[-1] != ' ')
							ws--;
						if (w - ws >= 6 && pt_starts(w - strlen("ого"), "ого"))
							b = ws;
						else
							break;
					}
				}
				*e = '\0';
				pt_nominative(b, mun, ml);
			} else if ((r = strstr(tail, "городского округа")) != NULL) {
				*(r + strlen("городского округа")) = '\0';
				pt_nominative(tail, mun, ml);
			} else if (pt_starts(tail, "города ") || pt_starts(tail, "г. ")) {
				char w[256];
				const char *c = strchr(tail, ' ') + 1;
				pt_sfmt(w, sizeof(w), "%s", c);
				if (strchr(w, ' '))
					*strchr(w, ' ') = '\0';
				{
					char nw[256];
					pt_nominative_word(w, nw, sizeof(nw));
					pt_sfmt(mun, ml, "г. %s", nw);
				}
			}
			*tail = '\0';
		}
		if (!mun[0]) {
			/* the place inside the name: «Лицей N 120 г. Челябинска» */
			char *g = strstr(shortn, " г. ");
			if (g) {
				char w[256], nw[256];
				pt_sfmt(w, sizeof(w), "%s", g + strlen(" г. "));
				if (strchr(w, ' '))
					*strchr(w, ' ') = '\0';
				pt_nominative_word(w, nw, sizeof(nw));
				pt_sfmt(mun, ml, "г. %s", nw);
			}
		}
	}
	pt_clean(t);
	pt_sfmt(name, nl, "%s", t);
	return 1;
}

/* ---------------------------------------------------------- import */

static int
probe(const char *data, size_t len)
{
	int pipes = 0;
	const char *p = data;

	(void)len;
	while ((p = strstr(p, " |\n")) != NULL && pipes < 20) {
		pipes++;
		p += 3;
	}
	if (pipes >= 10 && (strstr(data, "Дорожная карта") || strstr(data, "План мероприятий")) &&
	    strstr(data, "Сроки"))
		return 90;
	if (pipes >= 10 && strstr(data, "Наименование мероприятия"))
		return 40;
	return 0;
}

struct item {
	char num[16], section[16];
	int first_cell;
	unsigned line;
};

static int
import_roadmap(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	struct cell *cells = NULL;
	int ncells = 0, cap = 0, rc = -1;
	unsigned i, annex = 0, order_line = 0, title_end = 0;
	char issuer[1024] = "", odate[11] = "", onum[64] = "", title[4096] = "", rkey[256];
	char pfrom[11] = "", pto[11] = "", source[1024];
	int ncols = 0, c_num = -1, c_title = -1, c_time = -1, c_resp = -1, c_doc = -1, c_res = -1;
	struct { char num[16], title[2048]; } sections[32];
	int nsect = 0;
	struct item *items = NULL;
	int nitems = 0;
	struct pstr pending = { 0 }, ib = { 0 }, tb = { 0 };
	unsigned pending_line = 0;
	const char *roadmap_id = NULL;
	char (*skeys)[1600] = NULL;
	int nskeys = 0;

	if (pdoc_init(&d, data, len) != 0) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < d.n; i++)
		if (pt_starts(pt_skip_sp(d.line[i]), "Приложение")) {
			annex = i + 1;
			break;
		}
	if (!annex) {
		H->error(imp, 1, "no annex header («Приложение N / к приказу … / от DATE N NUM»)");
		goto out;
	}
	for (i = annex; i < d.n && i < annex + 12; i++) {
		char l[1024];
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		pt_clean(l);
		if (pt_starts(l, "от ")) {
			mf_period per;
			char *n = strstr(l, " N ");
			char *g;
			if (n == NULL)
				n = strstr(l, " № ");
			if (n == NULL) {
				H->error(imp, i + 1, "order line without a number («N …»)");
				goto out;
			}
			*n = '\0';
			pt_sfmt(onum, sizeof(onum), "%s", n + (n[1] == 'N' ? 3 : 1 + strlen("№ ")));
			pt_clean(onum);
			if ((g = strstr(l, " г.")) != NULL)
				*g = '\0';
			if (H->parse_period(l + strlen("от "), 0, &per) != 0 || per.n != 1 ||
			    per.iv[0].from.day != per.iv[0].to.day ||
			    per.iv[0].from.month != per.iv[0].to.month) {
				H->error(imp, i + 1, "cannot read the order's date «%s»", l + strlen("от "));
				goto out;
			}
			H->date_format(per.iv[0].from, odate);
			order_line = i + 1;
			break;
		}
		if (pt_starts(l, "к приказу") || pt_starts(l, "к распоряжению") || !l[0])
			continue;
		pstr_addw(&ib, l);
	}
	if (!order_line) {
		H->error(imp, annex, "the annex header has no order line («от DATE N NUM»)");
		goto out;
	}
	pt_sfmt(issuer, sizeof(issuer), "%s", pstr_get(&ib));
	for (i = order_line; i < d.n; i++) {
		char l[2048];
		size_t ll;
		pt_sfmt(l, sizeof(l), "%s", d.line[i]);
		pt_clean(l);
		ll = strlen(l);
		if (ll && l[ll - 1] == '|')
			break;
		if (l[0])
			pstr_addw(&tb, l);
	}
	title_end = i;
	pt_sfmt(title, sizeof(title), "%s", pstr_get(&tb));
	if (!title[0]) {
		H->error(imp, order_line + 1, "the roadmap has no title");
		goto out;
	}
	/* period: «в 2023-2024 годах», «на 2023 год» */
	for (const char *p = title; *p; p++) {
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
		    (p == title || !isdigit((unsigned char)p[-1])) && !isdigit((unsigned char)p[4])) {
			int y1 = atoi(p), y2 = y1;
			const char *q = p + 4;
			if ((*q == '-' || pt_starts(q, "–")) ) {
				q += (*q == '-') ? 1 : strlen("–");
				if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
				    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]))
					y2 = atoi(q);
			}
			if (y1 >= 1990 && y1 <= 2100 && y2 >= y1 && y2 <= y1 + 20) {
				pt_sfmt(pfrom, sizeof(pfrom), "%04d-01-01", y1);
				pt_sfmt(pto, sizeof(pto), "%04d-12-31", y2);
				break;
			}
		}
	}
	if (!pfrom[0])
		H->warn(imp, order_line + 1, "the title names no period (years): items «в течение "
			"всего периода» get no interval");
	/* cells */
	for (i = title_end; i < d.n; i++) {
		char *l = d.line[i];
		size_t ll;
		pt_clean(l);
		ll = strlen(l);
		if (ll == 0)
			continue;
		if (is_ad(l))
			continue;
		if (l[ll - 1] != '|') {
			/* a cell spread over several lines: keep it for the next cell */
			if (!pending.len)
				pending_line = i + 1;
			pstr_addw(&pending, l);
			continue;
		}
		if (!is_filler(l)) {
			l[ll - 1] = '\0';
			pt_clean(l);
		}
		if (ncells == cap) {
			int nc = cap ? cap * 2 : 256;
			struct cell *nv = realloc(cells, (size_t)nc * sizeof(*nv));
			if (nv == NULL)
				goto out;
			cells = nv;
			cap = nc;
		}
		if (pending.len) {
			pstr_addw(&pending, l);
			cells[ncells].text = strdup(pstr_get(&pending));
			cells[ncells].line = pending_line;
			pstr_free(&pending);
		} else {
			cells[ncells].text = strdup(l);
			cells[ncells].line = i + 1;
		}
		if (cells[ncells].text == NULL)
			goto out;
		ncells++;
	}
	if (pending.len) {
		H->error(imp, pending_line, "text after the last table cell does not end with «|»: "
			 "truncated document?");
		goto out;
	}
	/* header */
	{
		char num[16];
		int k;
		for (k = 0; k < ncells && k < MAX_COLS; k++) {
			const char *t = cells[k].text;
			if (marker(t, num, sizeof(num)))
				break;
			if (strstr(t, "п/п") || pt_starts(t, "N") || pt_starts(t, "№"))
				c_num = k;
			else if (strstr(t, "Наименование"))
				c_title = k;
			else if (strstr(t, "Срок"))
				c_time = k;
			else if (strstr(t, "Ответствен") || strstr(t, "исполнител"))
				c_resp = k;
			else if (strstr(t, "Вид документа"))
				c_doc = k;
			else if (strstr(t, "Ожидаем") || strstr(t, "Результат"))
				c_res = k;
		}
		ncols = k;
		if (c_num != 0 || c_title < 0 || c_time < 0 || c_resp < 0 || ncols < 4) {
			H->error(imp, ncells ? cells[0].line : d.n, "the table header must name the columns "
				 "«NN п/п» (first), «Наименование мероприятия», «Сроки», "
				 "«Ответственный исполнитель»");
			goto out;
		}
	}
	/* rows */
	{
		char cur_section[16] = "";
		int k = ncols, expect = 1;
		while (k < ncells) {
			char num[16];
			int m = marker(cells[k].text, num, sizeof(num));
			if (m == 1) {
				if (nsect == 32) {
					H->error(imp, cells[k].line, "too many sections");
					goto out;
				}
				pt_sfmt(sections[nsect].num, sizeof(sections[0].num), "%s", num);
				sections[nsect].title[0] = '\0';
				k++;
				if (k < ncells && !is_filler(cells[k].text) &&
				    !marker(cells[k].text, num, sizeof(num))) {
					pt_sfmt(sections[nsect].title, sizeof(sections[0].title), "%s",
						cells[k].text);
					k++;
				}
				if (k < ncells && is_filler(cells[k].text))
					k++;
				pt_sfmt(cur_section, sizeof(cur_section), "%s", sections[nsect].num);
				nsect++;
				continue;
			}
			if (m == 2) {
				struct item *ni;
				int j;
				if (atoi(num) != expect)
					H->warn(imp, cells[k].line, "item %s where %d was expected", num, expect);
				expect = atoi(num) + 1;
				for (j = 1; j < ncols; j++) {
					char n2[16];
					if (k + j >= ncells || is_filler(cells[k + j].text) ||
					    (marker(cells[k + j].text, n2, sizeof(n2)) && j != c_time))
						break;
				}
				if (j < ncols) {
					H->error(imp, cells[k].line, "item %s has %d of its %d cells "
						 "(truncated or damaged table?)", num, j, ncols);
					goto out;
				}
				ni = realloc(items, (size_t)(nitems + 1) * sizeof(*items));
				if (ni == NULL)
					goto out;
				items = ni;
				pt_sfmt(items[nitems].num, sizeof(items[0].num), "%s", num);
				pt_sfmt(items[nitems].section, sizeof(items[0].section), "%s", cur_section);
				items[nitems].first_cell = k;
				items[nitems].line = cells[k].line;
				nitems++;
				k += ncols;
				continue;
			}
			if (is_filler(cells[k].text)) {
				k++;
				continue;
			}
			H->error(imp, cells[k].line, "unexpected cell «%.60s» where a section («I.») or an "
				 "item number («1.») was expected", cells[k].text);
			goto out;
		}
	}
	if (nitems == 0) {
		H->error(imp, d.n, "the roadmap table has no items: truncated document?");
		goto out;
	}
	/* the roadmap */
	pt_sfmt(source, sizeof(source), "приложение к приказу %s от %s N %s", issuer, odate, onum);
	pt_sfmt(rkey, sizeof(rkey), "garant-roadmap:%s:%s", odate, onum);
	{
		mf_rec *r = H->rec_new(imp, "roadmap", rkey);
		if (r == NULL)
			goto out;
		H->rec_set(r, "title", title);
		H->rec_set(r, "issuer", issuer);
		H->rec_set(r, "order_number", onum);
		H->rec_set(r, "order_date", odate);
		if (pfrom[0]) {
			H->rec_set(r, "period_from", pfrom);
			H->rec_set(r, "period_to", pto);
		}
		for (int s = 0; s < nsect; s++) {
			mf_rec *sr = H->rec_add_msg(r, "sections");
			H->rec_set(sr, "number", sections[s].num);
			if (sections[s].title[0])
				H->rec_set(sr, "title", sections[s].title);
		}
		H->rec_set(r, "source", source);
		H->rec_set(r, "model", "chelyabinsk-roadmap");
		if (H->rec_emit(r, &roadmap_id) != 0)
			goto out;
	}
	skeys = calloc(64, sizeof(*skeys));
	if (skeys == NULL)
		goto out;
	for (int k = 0; k < nitems; k++) {
		struct item *it = &items[k];
		struct cell *c = &cells[it->first_cell];
		char key[512], ln[16], parts[32][1024];
		mf_rec *r, *t;
		mf_period per;
		int np, year = 0;

		pt_sfmt(key, sizeof(key), "%s|%s", rkey, it->num);
		r = H->rec_new(imp, "roadmap_item", key);
		if (r == NULL)
			goto out;
		H->rec_set(r, "roadmap_id", roadmap_id);
		H->rec_set(r, "number", it->num);
		if (it->section[0])
			H->rec_set(r, "section", it->section);
		H->rec_set(r, "title", c[c_title].text);
		/* timing */
		t = H->rec_msg(r, "timing");
		H->rec_set(t, "raw", c[c_time].text);
		if (pfrom[0] && strncmp(pfrom, pto, 4) == 0)
			year = atoi(pfrom);
		H->parse_period(c[c_time].text, year, &per);
		if (per.continuous && per.n == 0 && pfrom[0]) {
			mf_rec *iv = H->rec_add_msg(t, "intervals");
			H->rec_set(iv, "from", pfrom);
			H->rec_set(iv, "to", pto);
		}
		for (int j = 0; j < per.n; j++) {
			char a[11], b[11];
			mf_rec *iv = H->rec_add_msg(t, "intervals");
			H->rec_set(iv, "from", H->date_format(per.iv[j].from, a));
			H->rec_set(iv, "to", H->date_format(per.iv[j].to, b));
		}
		if (per.continuous)
			H->rec_set(t, "continuous", "true");
		if (per.year_assumed)
			H->rec_set(t, "year_assumed", "true");
		if (per.uncertain) {
			H->rec_set(t, "uncertain", "true");
			H->warn(imp, c[c_time].line, "item %s: period «%s» not read with certainty: kept as "
				"written, status unknown", it->num, c[c_time].text);
		}
		/* executors */
		H->rec_set(r, "responsible_raw", c[c_resp].text);
		np = split_exec(c[c_resp].text, parts, 32);
		if (np > 0)
			H->rec_set(r, "lead", parts[0]);
		for (int j = 1; j < np; j++)
			H->rec_add(r, "co_executors", parts[j]);
		if (c_doc >= 0)
			H->rec_set(r, "document_type", c[c_doc].text);
		if (c_res >= 0)
			H->rec_set(r, "expected_result", c[c_res].text);
		pt_sfmt(ln, sizeof(ln), "%u", it->line);
		H->rec_set(r, "source_line", ln);
		if (H->rec_emit(r, NULL) != 0)
			goto out;
		/* schools among the executors */
		for (int j = 0; j < np; j++) {
			char name[1024], mun[512], sn[512], skey[1600];
			mf_rec *s;
			int dup = 0;
			if (!school_of(parts[j], name, sizeof(name), mun, sizeof(mun), sn, sizeof(sn)))
				continue;
			pt_sfmt(skey, sizeof(skey), "%s|%s", name, mun);
			for (int q = 0; q < nskeys; q++)
				if (strcmp(skeys[q], skey) == 0)
					dup = 1;
			if (dup || nskeys == 64)
				continue;
			pt_sfmt(skeys[nskeys++], sizeof(skeys[0]), "%s", skey);
			s = H->rec_new(imp, "school", skey);
			if (s == NULL)
				goto out;
			H->rec_set(s, "name", name);
			if (sn[0])
				H->rec_set(s, "short_name", sn);
			if (mun[0])
				H->rec_set(s, "municipality", mun);
			H->rec_set(s, "region", REGION);
			H->rec_set(s, "source", source);
			if (H->rec_emit(s, NULL) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	for (int k = 0; k < ncells; k++)
		free(cells[k].text);
	free(cells);
	free(items);
	free(skeys);
	pstr_free(&pending);
	pstr_free(&ib);
	pstr_free(&tb);
	pdoc_free(&d);
	return rc;
}

/* ---------------------------------------------------- roadmap model */

/*
 * chelyabinsk-roadmap: a two-year roadmap whose items recur each year.
 *   - a report with evidence that says done: done;
 *   - timing not understood: unknown;
 *   - continuous («В течение всего периода»): planned before the roadmap's
 *     period, continuous during it, overdue after it;
 *   - inside one of the intervals: in progress; before the first, or between
 *     two yearly stages: planned (the next stage is due);
 *   - after the last interval: overdue, unless the executor's latest report
 *     says it is still in progress (the ministry accepts reported delays).
 */
static enum mf_item_status
item_status(const mf_item_view *it, mf_date at)
{
	enum mf_item_status s = H->generic_status(it, at);

	if (s == MF_STATUS_OVERDUE && !it->continuous && it->n_iv > 0 &&
	    it->reported == MF_STATUS_IN_PROGRESS)
		return MF_STATUS_IN_PROGRESS;
	return s;
}

/* ------------------------------------------------------- descriptor */

static const mf_format formats[] = {
	{ "chelyabinsk-garant-roadmap", "Roadmap exported from the ГАРАНТ legal database "
	  "(one cell per line ending in « |»)", probe, import_roadmap },
};

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "chelyabinsk",
	.version = "1.0",
	.region = REGION,
	.description = "Chelyabinsk region (ЧИППКРО): roadmaps of the regional target model of "
		       "mentoring exported from ГАРАНТ",
	.formats = formats,
	.n_formats = 1,
	.model = "chelyabinsk-roadmap",
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
