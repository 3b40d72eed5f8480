/*
 * order.c — format tomsk-league-order: an order of the Department of
 * Education on the Mentoring League.
 *
 * The order is read part by part, each part found by its own heading, so
 * that another year's order (more schools, another plan) reads the same:
 *   - the heading: the issuer above «РАСПОРЯЖЕНИЕ», the date and «№ N» below;
 *   - annex 2: «Список образовательных организаций», a numbered list of the
 *     member schools; the annex header above it is the membership's basis;
 *   - annex 3: «План работы … на 2025 год», then a tab-separated table whose
 *     columns are found by their header names.  A row with only its first
 *     cell is a section; a row starting with a tab continues the row above.
 * Records: a school per list item, the roadmap, a roadmap_item per row.
 *
 * Complete (doc/PLUGIN.md, "Complete documents"): every annex the order's
 * text names («согласно приложению № 2») is present as its own «Приложение
 * № N» header, the school list runs 1, 2, 3… without a gap, every plan row
 * has all its cells, and the year's plan runs to the year's last quarter
 * (order_plan_end).  No line of the order states how many rows the plan
 * has: a plan cut between two rows of its last quarter still reads as a
 * shorter plan (the daemon's re-import check catches that, doc/PLUGIN.md).
 */
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

#define MAX_COLS 8
#define MAX_ANNEXES 16

struct plan_item {
	char *cell[MAX_COLS];
	unsigned line;
	char *section;
};

struct order {
	struct pdoc d;
	unsigned heading, list, plan, header;   /* line numbers (from 1), 0: not found */
	unsigned table_end;                     /* the plan table's last line */
	char issuer[512], odate[11], onum[64], basis[1024], title[2048];
	int plan_year;
	int ncols, c_time, c_title, c_resp, c_res;   /* the plan's columns */
	struct plan_item *items;
	int nitems;
	char *section;   /* the section of the rows being read */
};

int
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

/* The issuer (the lines above the heading), the order's date and number
 * (the first date line and «№ N» line after it). */
static int
order_heading(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	struct pstr ib = { 0 };
	unsigned i;

	for (i = 0; i < d->n; i++) {
		char l[512];
		pt_sfmt(l, sizeof(l), "%s", d->line[i]);
		pt_clean(l);
		if (strcmp(l, "РАСПОРЯЖЕНИЕ") == 0 || strcmp(l, "ПРИКАЗ") == 0) {
			o->heading = i + 1;
			break;
		}
		if (l[0] && pstr_addw(&ib, l) != 0) {
			pstr_free(&ib);
			return pr_oom(H, imp, i + 1);
		}
	}
	pt_sfmt(o->issuer, sizeof(o->issuer), "%s", pstr_get(&ib));
	pstr_free(&ib);
	if (!o->heading) {
		H->error(imp, 1, "not a League order: no «РАСПОРЯЖЕНИЕ» heading");
		return -1;
	}
	for (i = o->heading; i < d->n && i < o->heading + 10; i++) {
		char l[256], iso[11];
		pt_sfmt(l, sizeof(l), "%s", d->line[i]);
		pt_clean(l);
		if (!o->odate[0] && strlen(l) == 10 && pt_dmy(l, iso))
			memcpy(o->odate, iso, 11);
		else if (!o->onum[0] && pt_starts(l, "№"))
			pt_sfmt(o->onum, sizeof(o->onum), "%s", pt_skip_sp(l + strlen("№")));
	}
	if (!o->odate[0] || !o->onum[0]) {
		H->error(imp, o->heading, "the order's date and number (lines «DD.MM.YYYY» and «№ N») "
			 "are missing after the heading");
		return -1;
	}
	return 0;
}

/* The annex number a text names after «приложени…» («приложению № 2»,
 * «приложением №3», «Приложение 1»), or 0. */
static int
annex_number(const char *p)
{
	int n;

	p += strlen("риложени");
	while (*p && *p != ' ' && *p != '\t' && !(*p >= '0' && *p <= '9') &&
	       strncmp(p, "№", strlen("№")) != 0)
		p++;   /* the case ending: ю, ем, е, я */
	p = pt_skip_sp(p);
	if (pt_starts(p, "№"))
		p = pt_skip_sp(p + strlen("№"));
	if (!(*p >= '1' && *p <= '9'))
		return 0;
	n = atoi(p);
	return n <= MAX_ANNEXES ? n : 0;
}

/*
 * The annexes the order's text names (between the heading and the first
 * annex) must all be in the document, each under its own «Приложение № N»
 * header: an order cut after its annex 2 names annex 3 all the same.
 */
static int
order_annexes(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	unsigned named[MAX_ANNEXES + 1] = { 0 }, found[MAX_ANNEXES + 1] = { 0 };
	unsigned i;
	int body = 1;

	for (i = o->heading; i < d->n; i++) {
		const char *l = pt_skip_sp(d->line[i]);
		const char *p;
		int n;
		if (pt_starts(l, "Приложение")) {
			/* an annex header: the order's own text is over */
			body = 0;
			if ((n = annex_number(l + strlen("П"))) > 0 && !found[n])
				found[n] = i + 1;
			continue;
		}
		for (p = l; body && (p = strstr(p, "риложени")) != NULL; p += strlen("риложени"))
			if ((n = annex_number(p)) > 0 && !named[n])
				named[n] = i + 1;
	}
	for (int n = 1; n <= MAX_ANNEXES; n++)
		if (named[n] && !found[n]) {
			H->error(imp, named[n], "the order names its annex № %d here, but the document "
				 "has no «Приложение № %d»: it is cut or an annex is missing; nothing "
				 "was imported", n, n);
			return -1;
		}
	return 0;
}

/* The membership's basis: the annex header above the list, «к распоряжению
 * … от DATE № N»; without one, the order itself. */
static int
order_basis(struct order *o)
{
	struct pdoc *d = &o->d;
	struct pstr b = { 0 };
	int on = 0, bad = 0;
	unsigned k, j;

	for (k = o->list - 1; k > o->heading; k--)
		if (pt_starts(d->line[k - 1], "Приложение"))
			break;
	for (j = k; k > o->heading && j < o->list - 1 && !bad; j++) {
		char l[512];
		pt_sfmt(l, sizeof(l), "%s", d->line[j]);
		pt_clean(l);
		if (pt_starts(l, "к распоряжению")) {
			bad = pstr_addw(&b, "распоряжение") != 0 ||
			      pstr_addw(&b, l + strlen("к распоряжению")) != 0;
			on = 1;
			continue;
		}
		if (!on || !l[0])
			continue;
		bad = pstr_addw(&b, l) != 0;
		if (pt_starts(l, "от "))
			break;
	}
	if (b.len) {
		pt_sfmt(o->basis, sizeof(o->basis), "%s", pstr_get(&b));
		pt_clean(o->basis);
	} else {
		pt_sfmt(o->basis, sizeof(o->basis), "распоряжение от %s № %s", o->odate, o->onum);
	}
	pstr_free(&b);
	return bad ? -1 : 0;
}

/* Annex 2: the numbered list of member schools, a school record each.
 * o->list ends at the line after the list. */
static int
order_schools(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	int expect = 1, nschools = 0;
	unsigned i;

	for (i = o->list; i < d->n; i++) {
		const char *rest;
		int num = pt_numbered(d->line[i], &rest);
		char name[1024], mun[512], key[1600];
		if (pt_blank(d->line[i]))
			continue;
		if (num == 0) {
			if (nschools == 0)
				continue;   /* the list's title continues */
			break;
		}
		if (num != expect) {
			H->error(imp, i + 1, "school list: item %d where %d was expected", num, expect);
			return -1;
		}
		expect++;
		split_school(rest, name, sizeof(name), mun, sizeof(mun));
		if (name[0] == '\0') {
			H->error(imp, i + 1, "school list: item %d has no name", num);
			return -1;
		}
		if (emit_school(imp, name, mun, o->basis, LEAGUE, o->basis, o->odate, key,
				sizeof(key)) != 0)
			return -1;
		nschools++;
	}
	if (nschools == 0) {
		H->error(imp, i, "the list of the League's schools is empty");
		return -1;
	}
	{
		/* the list's numbering is the document's count of its schools */
		char what[128];
		pt_sfmt(what, sizeof(what), "список школ, пункты 1–%d", nschools);
		pr_expect(H, imp, o->list, "school", (unsigned)nschools, what);
	}
	o->list = i;
	return 0;
}

/* Annex 3: the plan's title (up to the table) and the year it names. */
static int
order_plan_title(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	struct pstr tb = { 0 };
	unsigned i;

	for (i = o->list; i < d->n; i++)
		if (pt_starts(d->line[i], "План работы")) {
			o->plan = i + 1;
			break;
		}
	if (!o->plan) {
		H->error(imp, d->n, "the League's work plan («План работы», annex 3) is missing: "
			 "truncated document?");
		return -1;
	}
	for (i = o->plan - 1; i < d->n && !pt_blank(d->line[i]) && !strchr(d->line[i], '\t'); i++) {
		char l[1024];
		pt_sfmt(l, sizeof(l), "%s", d->line[i]);
		if (pstr_addw(&tb, pt_clean(l)) != 0) {
			pstr_free(&tb);
			return pr_oom(H, imp, i + 1);
		}
	}
	pt_sfmt(o->title, sizeof(o->title), "%s", pstr_get(&tb));
	pstr_free(&tb);
	o->plan_year = year_of_plan(o->title, 0);
	if (o->plan_year == 0) {
		o->plan_year = atoi(o->odate);
		H->warn(imp, o->plan, "the plan's title names no year («на YYYY год»): the order's "
			"year %d is used", o->plan_year);
	}
	return 0;
}

/* The plan table's header line: which column holds what. */
static int
order_columns(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	char l[2048], *c;
	unsigned i;
	int k;

	for (i = o->plan; i < d->n; i++)
		if (strchr(d->line[i], '\t') && strstr(d->line[i], "Сроки")) {
			o->header = i + 1;
			break;
		}
	if (!o->header) {
		H->error(imp, d->n, "the work plan's table header (a tab-separated line with «Сроки») "
			 "is missing: truncated document?");
		return -1;
	}
	o->c_time = o->c_title = o->c_resp = o->c_res = -1;
	pt_sfmt(l, sizeof(l), "%s", d->line[o->header - 1]);
	for (c = l, k = 0;; k++) {
		char *tab = strchr(c, '\t');
		char cell[512];
		if (tab)
			*tab = '\0';
		pt_sfmt(cell, sizeof(cell), "%s", c);
		pt_clean(cell);
		if (strstr(cell, "Сроки"))
			o->c_time = k;
		else if (strstr(cell, "Наименование") || strstr(cell, "Мероприяти"))
			o->c_title = k;
		else if (strstr(cell, "Ответствен"))
			o->c_resp = k;
		else if (strstr(cell, "Результат"))
			o->c_res = k;
		if (!tab)
			break;
		c = tab + 1;
	}
	o->ncols = k + 1;
	if (o->c_time < 0 || o->c_title < 0 || o->c_resp < 0 || o->c_res < 0 ||
	    o->ncols > MAX_COLS) {
		H->error(imp, o->header, "the work plan's header must name the columns «Сроки», "
			 "«Наименование мероприятия», «Ответственные», «Результат»");
		return -1;
	}
	return 0;
}

/* Split a table line in place at its tabs, each cell cleaned: the number of
 * cells (only the first MAX_COLS are kept in cells). */
static int
row_cells(char *l, char *cells[MAX_COLS])
{
	int nc = 0;

	for (char *c = l;; nc++) {
		char *tab = strchr(c, '\t');
		if (tab)
			*tab = '\0';
		if (nc < MAX_COLS)
			cells[nc] = c;
		if (!tab)
			break;
		c = tab + 1;
	}
	nc++;
	for (int k = 0; k < nc && k < MAX_COLS; k++)
		pt_clean(cells[k]);
	return nc;
}

/* A line starting with a tab: its cells continue those of the last row. */
static int
row_continue(mf_import *imp, struct order *o, char **cells, int nc, unsigned line)
{
	struct plan_item *it;

	if (o->nitems == 0) {
		H->error(imp, line, "work plan: a continuation line before any row");
		return -1;
	}
	if (nc > o->ncols) {
		H->error(imp, line, "work plan: continuation line has %d cells, at most %d "
			 "expected", nc, o->ncols);
		return -1;
	}
	it = &o->items[o->nitems - 1];
	for (int k = 0; k < nc; k++) {
		size_t ol, al;
		char *nv;
		if (cells[k][0] == '\0')
			continue;
		ol = strlen(it->cell[k]);
		al = strlen(cells[k]);
		if ((nv = realloc(it->cell[k], ol + al + 2)) == NULL)
			return pr_oom(H, imp, line);
		if (ol)
			nv[ol++] = ' ';
		memcpy(nv + ol, cells[k], al + 1);
		it->cell[k] = nv;
	}
	return 0;
}

/* A new row of the plan, in the current section. */
static int
row_add(mf_import *imp, struct order *o, char **cells, int nc, unsigned line)
{
	struct plan_item *ni = realloc(o->items, (size_t)(o->nitems + 1) * sizeof(*ni));

	if (ni == NULL)
		return pr_oom(H, imp, line);
	o->items = ni;
	ni = &o->items[o->nitems++];
	memset(ni, 0, sizeof(*ni));
	ni->line = line;
	for (int k = 0; k < nc; k++)
		if ((ni->cell[k] = strdup(cells[k])) == NULL)
			return pr_oom(H, imp, line);
	if (o->section && (ni->section = strdup(o->section)) == NULL)
		return pr_oom(H, imp, line);
	return 0;
}

/* The plan's rows: sections, items and their continuation lines. */
static int
order_rows(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;

	for (unsigned i = o->header; i < d->n; i++) {
		char *cells[MAX_COLS] = { 0 };
		int nc, others = 0;
		if (pt_blank(d->line[i]))
			continue;
		o->table_end = i + 1;
		if (d->line[i][0] == '\t') {
			nc = row_cells(d->line[i], cells);
			if (row_continue(imp, o, cells, nc, i + 1) != 0)
				return -1;
			continue;
		}
		nc = row_cells(d->line[i], cells);
		for (int k = 1; k < nc && k < MAX_COLS; k++)
			if (cells[k][0])
				others++;
		if (others == 0) {   /* only the first cell: a section */
			free(o->section);
			if ((o->section = strdup(cells[0])) == NULL)
				return pr_oom(H, imp, i + 1);
			continue;
		}
		if (nc != o->ncols) {
			H->error(imp, i + 1, "work plan: row has %d cells, %d expected (truncated or "
				 "damaged table?)", nc, o->ncols);
			return -1;
		}
		if (row_add(imp, o, cells, nc, i + 1) != 0)
			return -1;
	}
	if (o->nitems == 0) {
		H->error(imp, o->header, "the work plan has no rows: truncated document?");
		return -1;
	}
	return 0;
}

/*
 * Complete: a year's work plan runs to its year's end.  It closes with
 * what is done last (the year's results, a collection, a report): the
 * latest date of its dated rows falls in the plan year's last quarter.
 * A plan that stops earlier (spring, September) is a table cut between two
 * rows.  «В течение года» rows (continuous) and timings not read with
 * certainty say nothing of where the plan ends; a plan with no dated row
 * at all is not judged.  The plan is the order's last annex: the report is
 * at the table's last line.  A signal of the genre (host->incomplete): an
 * order whose plan really ends earlier is imported with --whole.
 */
static int
order_plan_end(mf_import *imp, struct order *o)
{
	mf_date latest = { 0, 0, 0 };
	char when[11] = "";
	int dated = 0;

	for (int k = 0; k < o->nitems; k++) {
		mf_period per = MF_PERIOD_INIT;
		if (H->parse_period(o->items[k].cell[o->c_time], o->plan_year, &per) != 0 ||
		    per.uncertain || per.continuous)
			continue;
		for (int j = 0; j < per.n && j < MF_PERIOD_MAX; j++)
			if (!dated++ || H->date_cmp(per.iv[j].to, latest) > 0)
				latest = per.iv[j].to;
	}
	if (!dated || latest.year > o->plan_year ||
	    (latest.year == o->plan_year && latest.month >= 10))
		return 0;
	H->date_format(latest, when);
	pr_incomplete(H, imp, o->table_end, "the work plan for %d stops here, its last dated "
		      "activity ending %s: a year's plan runs to the year's last quarter "
		      "(October–December), so the table looks cut after this row", o->plan_year,
		      when);
	return 0;   /* the host refuses it, or imports it with --whole */
}

/* The roadmap record: the plan's title, the order, the year, the sections
 * in the order met. */
static int
order_roadmap(mf_import *imp, struct order *o, const char *rkey, const char **roadmap_id)
{
	char from[11], to[11];
	const char *last = NULL;
	int ns = 0;
	mf_rec *r = H->rec_new(imp, "roadmap", rkey);

	if (r == NULL)
		return -1;
	pt_sfmt(from, sizeof(from), "%04d-01-01", o->plan_year % 10000);
	pt_sfmt(to, sizeof(to), "%04d-12-31", o->plan_year % 10000);
	H->rec_set(r, "title", o->title);
	H->rec_set(r, "issuer", o->issuer);
	H->rec_set(r, "order_number", o->onum);
	H->rec_set(r, "order_date", o->odate);
	H->rec_set(r, "period_from", from);
	H->rec_set(r, "period_to", to);
	for (int k = 0; k < o->nitems; k++) {
		const char *sec = o->items[k].section;
		char num[16];
		mf_rec *s;
		if (sec == NULL || (last && strcmp(last, sec) == 0))
			continue;
		last = sec;
		if ((s = H->rec_add_msg(r, "sections")) == NULL)
			return -1;
		pt_sfmt(num, sizeof(num), "%d", ++ns);
		H->rec_set(s, "number", num);
		H->rec_set(s, "title", sec);
	}
	H->rec_set(r, "source", o->basis);
	H->rec_set(r, "model", "tomsk-league-plan");
	return H->rec_emit(r, roadmap_id);
}

/* Timing sub-message from raw text. */
static void
set_timing(mf_import *imp, mf_rec *item, const char *raw, int year, unsigned line)
{
	mf_period per = MF_PERIOD_INIT;
	mf_rec *t = H->rec_msg(item, "timing");

	if (t == NULL)
		return;
	H->rec_set(t, "raw", raw);
	H->parse_period(raw, year, &per);
	if (pr_set_period(H, t, &per) != 0)
		return;
	if (per.uncertain)
		H->warn(imp, line, "timing «%s» not read with certainty: kept as written, status unknown",
			raw);
}

/* One roadmap_item per row.  Its identity: the roadmap and the activity's
 * title (a title met again in the same plan gets its rank). */
static int
order_item(mf_import *imp, struct order *o, int k, const char *rkey, const char *roadmap_id)
{
	struct plan_item *it = &o->items[k];
	const char *title = it->cell[o->c_title];
	char key[4096], num[16], ln[16], parts[16][512];
	int np, same = 0;
	mf_rec *r;

	for (int j = 0; j < k; j++)
		if (strcmp(o->items[j].cell[o->c_title], title) == 0)
			same++;
	if (same)
		pt_sfmt(key, sizeof(key), "%s|%s|%d", rkey, title, same);
	else
		pt_sfmt(key, sizeof(key), "%s|%s", rkey, title);
	if ((r = H->rec_new(imp, "roadmap_item", key)) == NULL)
		return -1;
	H->rec_set(r, "roadmap_id", roadmap_id);
	pt_sfmt(num, sizeof(num), "%d", k + 1);
	H->rec_set(r, "number", num);
	if (it->section)
		H->rec_set(r, "section", it->section);
	H->rec_set(r, "title", title);
	set_timing(imp, r, it->cell[o->c_time], o->plan_year, it->line);
	np = split_responsible(it->cell[o->c_resp], parts, 16);
	if (np > 0)
		H->rec_set(r, "lead", parts[0]);
	for (int j = 1; j < np; j++)
		H->rec_add(r, "co_executors", parts[j]);
	H->rec_set(r, "responsible_raw", it->cell[o->c_resp]);
	H->rec_set(r, "expected_result", it->cell[o->c_res]);
	pt_sfmt(ln, sizeof(ln), "%u", it->line);
	H->rec_set(r, "source_line", ln);
	return H->rec_emit(r, NULL);
}

/* The schools, the plan read, then its records. */
static int
order_read(mf_import *imp, struct order *o)
{
	struct pdoc *d = &o->d;
	char rkey[256];
	const char *roadmap_id = NULL;

	if (order_heading(imp, o) != 0)
		return -1;
	for (unsigned i = o->heading; i < d->n; i++)
		if (pt_starts(d->line[i], "Список образовательных организаций")) {
			o->list = i + 1;
			break;
		}
	if (!o->list) {
		H->error(imp, d->n, "the list of the League's schools («Список образовательных "
			 "организаций», annex 2) is missing: truncated document?");
		return -1;
	}
	if (order_basis(o) != 0)
		return pr_oom(H, imp, o->list);
	/* the parts first (their errors say where the document stops), then
	 * whether every annex the order names is there */
	if (order_schools(imp, o) != 0 || order_plan_title(imp, o) != 0 ||
	    order_columns(imp, o) != 0 || order_rows(imp, o) != 0 || order_annexes(imp, o) != 0 ||
	    order_plan_end(imp, o) != 0)
		return -1;
	pt_sfmt(rkey, sizeof(rkey), "league-order:%s:%s:plan", o->odate, o->onum);
	if (order_roadmap(imp, o, rkey, &roadmap_id) != 0)
		return -1;
	for (int k = 0; k < o->nitems; k++)
		if (order_item(imp, o, k, rkey, roadmap_id) != 0)
			return -1;
	return 0;
}

int
import_order(mf_import *imp, const char *data, size_t len)
{
	struct order o;
	int rc;

	memset(&o, 0, sizeof(o));
	if (pdoc_init(&o.d, data, len) != 0)
		return pr_oom(H, imp, 0);
	rc = order_read(imp, &o);
	for (int k = 0; k < o.nitems; k++) {
		for (int j = 0; j < MAX_COLS; j++)
			free(o.items[k].cell[j]);
		free(o.items[k].section);
	}
	free(o.items);
	free(o.section);
	pdoc_free(&o.d);
	return rc;
}
