/*
 * roadmap.c — format chelyabinsk-garant-roadmap: a roadmap exported from a
 * legal database (ГАРАНТ).
 *
 * Advertising lines at the top and bottom, an annex header («Приложение 1 /
 * к приказу / <issuer> / от 6 февраля 2023 г. N 01/288»), the title, then a
 * table written one cell per line, each ending in " |" (a cell may run over
 * several lines): the header cells, then section rows («I. |», title,
 * «|||| »), and item rows («1. |» followed by one cell per column).
 * Columns are found by their header names, not by position.
 *
 * Records: one roadmap (sections, period from «в 2023-2024 годах»), one
 * roadmap_item per row (timing parsed by the host; uncertain timings kept
 * raw and flagged), a school record for each school named among the
 * executors.
 *
 * Complete (doc/PLUGIN.md, "Complete documents"): the export closes the
 * table with the database's own line («Если вы являетесь пользователем
 * интернет-версии системы ГАРАНТ…»); sections run I, II, III… and items
 * 1, 2, 3… without a gap, each with all its cells.  A document cut
 * anywhere — between two items, inside one, in the last section — fails
 * one of these at the line where it is cut, and nothing is imported.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chelyabinsk.h"

#define MAX_COLS 12
#define MAX_SECTIONS 32
#define MAX_SCHOOLS 64

struct cell {
	char *text;
	unsigned line;
};

struct item {
	char num[16], section[16];
	int first_cell;   /* its number's cell; the columns follow */
	unsigned line;
};

struct roadmap {
	struct pdoc d;
	unsigned order_line, title_end;   /* line numbers (from 1) */
	char issuer[1024], odate[11], onum[64], title[4096];
	char pfrom[11], pto[11];          /* the period the title names, or "" */
	char source[1024], rkey[256];
	struct cell *cells;
	int ncells, cap;
	unsigned closed;                  /* the export's closing line after the table, 0: none */
	int ncols, c_num, c_title, c_time, c_resp, c_doc, c_res;
	struct { char num[16], title[2048]; } sections[MAX_SECTIONS];
	int nsect;
	struct item *items;
	int nitems;
	char (*skeys)[1600];              /* the schools emitted */
	int nskeys;
};

int
probe_roadmap(const char *data, size_t len)
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

/* Lines the legal database adds around the document. */
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

/* The value of a roman numeral of I, V, X («IV» 4, «XII» 12); 0 if none. */
static int
roman(const char *s)
{
	int v = 0, prev = 0;

	for (size_t i = strlen(s); i-- > 0;) {
		int d = s[i] == 'I' ? 1 : s[i] == 'V' ? 5 : s[i] == 'X' ? 10 : 0;
		if (d == 0)
			return 0;
		v += d < prev ? -d : d;
		if (d > prev)
			prev = d;
	}
	return v;
}

/* A cell of nothing but '|' and spaces: the end of a section row. */
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

/* «от 6 февраля 2023 г. N 01/288» (l cleaned, cut here): the order's date
 * and number. */
static int
rm_order_line(mf_import *imp, struct roadmap *rm, char *l, unsigned line)
{
	mf_period per = MF_PERIOD_INIT;
	char *n = strstr(l, " N "), *g;

	if (n == NULL)
		n = strstr(l, " № ");
	if (n == NULL) {
		H->error(imp, line, "order line without a number («N …»)");
		return -1;
	}
	*n = '\0';
	pt_sfmt(rm->onum, sizeof(rm->onum), "%s", n + (n[1] == 'N' ? 3 : 1 + strlen("№ ")));
	pt_clean(rm->onum);
	if ((g = strstr(l, " г.")) != NULL)
		*g = '\0';
	if (H->parse_period(l + strlen("от "), 0, &per) != 0 || !pr_one_day(&per)) {
		H->error(imp, line, "cannot read the order's date «%s»", l + strlen("от "));
		return -1;
	}
	H->date_format(per.iv[0].from, rm->odate);
	rm->order_line = line;
	return 0;
}

/* The annex header: the issuer (its lines up to the order line) and the
 * order. */
static int
rm_annex(mf_import *imp, struct roadmap *rm)
{
	struct pdoc *d = &rm->d;
	struct pstr ib = { 0 };
	unsigned i, annex = 0;
	int rc = 0;

	for (i = 0; i < d->n; i++)
		if (pt_starts(pt_skip_sp(d->line[i]), "Приложение")) {
			annex = i + 1;
			break;
		}
	if (!annex) {
		H->error(imp, 1, "no annex header («Приложение N / к приказу … / от DATE N NUM»)");
		return -1;
	}
	for (i = annex; i < d->n && i < annex + 12 && rc == 0; i++) {
		char l[1024];
		pt_sfmt(l, sizeof(l), "%s", d->line[i]);
		pt_clean(l);
		if (pt_starts(l, "от ")) {
			rc = rm_order_line(imp, rm, l, i + 1);
			break;
		}
		if (pt_starts(l, "к приказу") || pt_starts(l, "к распоряжению") || !l[0])
			continue;
		if (pstr_addw(&ib, l) != 0)
			rc = pr_oom(H, imp, i + 1);
	}
	pt_sfmt(rm->issuer, sizeof(rm->issuer), "%s", pstr_get(&ib));
	pstr_free(&ib);
	if (rc == 0 && !rm->order_line) {
		H->error(imp, annex, "the annex header has no order line («от DATE N NUM»)");
		return -1;
	}
	return rc;
}

/* The period the title names: «в 2023-2024 годах», «на 2023 год». */
static void
rm_period(struct roadmap *rm)
{
	const char *t = rm->title;

	for (const char *p = t; *p; p++) {
		int y1, y2;
		const char *q = p + 4;
		if (!(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		      isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
		      (p == t || !isdigit((unsigned char)p[-1])) && !isdigit((unsigned char)p[4])))
			continue;
		y1 = y2 = atoi(p);
		if (*q == '-' || pt_starts(q, "–")) {
			q += (*q == '-') ? 1 : strlen("–");
			if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
			    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]))
				y2 = atoi(q);
		}
		if (y1 >= 1990 && y1 <= 2100 && y2 >= y1 && y2 <= y1 + 20) {
			pt_sfmt(rm->pfrom, sizeof(rm->pfrom), "%04d-01-01", y1);
			pt_sfmt(rm->pto, sizeof(rm->pto), "%04d-12-31", y2);
			return;
		}
	}
}

/* The title: the lines after the order line up to the first cell. */
static int
rm_title(mf_import *imp, struct roadmap *rm)
{
	struct pdoc *d = &rm->d;
	struct pstr tb = { 0 };
	unsigned i;

	for (i = rm->order_line; i < d->n; i++) {
		char l[2048];
		size_t ll;
		pt_sfmt(l, sizeof(l), "%s", d->line[i]);
		pt_clean(l);
		ll = strlen(l);
		if (ll && l[ll - 1] == '|')
			break;
		if (l[0] && pstr_addw(&tb, l) != 0) {
			pstr_free(&tb);
			return pr_oom(H, imp, i + 1);
		}
	}
	rm->title_end = i;
	pt_sfmt(rm->title, sizeof(rm->title), "%s", pstr_get(&tb));
	pstr_free(&tb);
	if (!rm->title[0]) {
		H->error(imp, rm->order_line + 1, "the roadmap has no title");
		return -1;
	}
	rm_period(rm);
	if (!rm->pfrom[0])
		H->warn(imp, rm->order_line + 1, "the title names no period (years): items «в течение "
			"всего периода» get no interval");
	return 0;
}

/* Append a cell (text copied). */
static int
rm_add_cell(struct roadmap *rm, const char *text, unsigned line)
{
	if (rm->ncells == rm->cap) {
		int nc = rm->cap ? rm->cap * 2 : 256;
		struct cell *nv = realloc(rm->cells, (size_t)nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		rm->cells = nv;
		rm->cap = nc;
	}
	if ((rm->cells[rm->ncells].text = strdup(text)) == NULL)
		return -1;
	rm->cells[rm->ncells++].line = line;
	return 0;
}

/* The table's cells, in order: a line ending in '|' ends a cell (the '|'
 * dropped), lines before it without one are its beginning. */
static int
rm_cells(mf_import *imp, struct roadmap *rm)
{
	struct pdoc *d = &rm->d;
	struct pstr pending = { 0 };
	unsigned pending_line = 0;
	int rc = 0;

	for (unsigned i = rm->title_end; i < d->n && rc == 0; i++) {
		char *l = d->line[i];
		size_t ll;
		pt_clean(l);
		ll = strlen(l);
		if (ll == 0)
			continue;
		if (is_ad(l)) {
			/* the database's line after the last cell closes the export */
			if (rm->ncells > 0 && !pending.len && !rm->closed)
				rm->closed = i + 1;
			continue;
		}
		rm->closed = 0;   /* more of the table after an advertising line */
		if (l[ll - 1] != '|') {
			/* a cell spread over several lines: keep it for the next cell */
			if (!pending.len)
				pending_line = i + 1;
			if (pstr_addw(&pending, l) != 0)
				rc = pr_oom(H, imp, i + 1);
			continue;
		}
		if (!is_filler(l)) {
			l[ll - 1] = '\0';
			pt_clean(l);
		}
		if (pending.len) {
			if (pstr_addw(&pending, l) != 0 ||
			    rm_add_cell(rm, pstr_get(&pending), pending_line) != 0)
				rc = pr_oom(H, imp, i + 1);
			pstr_free(&pending);
		} else if (rm_add_cell(rm, l, i + 1) != 0) {
			rc = pr_oom(H, imp, i + 1);
		}
	}
	if (rc == 0 && pending.len) {
		H->error(imp, pending_line, "text after the last table cell does not end with «|»: "
			 "truncated document?");
		rc = -1;
	}
	pstr_free(&pending);
	return rc;
}

/* After the rows (whose errors name a row cut short): the export's
 * closing line after the last cell, without which the table may stop at
 * any whole row. */
static int
rm_closed(mf_import *imp, struct roadmap *rm)
{
	if (rm->closed)
		return 0;
	H->error(imp, rm->cells[rm->ncells - 1].line, "the table ends here without the export's "
		 "closing line («Если вы являетесь пользователем интернет-версии системы "
		 "ГАРАНТ…»): the document is cut after this line; nothing was imported");
	return -1;
}

/* The header cells (up to the first section or item marker): which column
 * holds what. */
static int
rm_columns(mf_import *imp, struct roadmap *rm)
{
	char num[16];
	int k;

	rm->c_num = rm->c_title = rm->c_time = rm->c_resp = rm->c_doc = rm->c_res = -1;
	for (k = 0; k < rm->ncells && k < MAX_COLS; k++) {
		const char *t = rm->cells[k].text;
		if (marker(t, num, sizeof(num)))
			break;
		if (strstr(t, "п/п") || pt_starts(t, "N") || pt_starts(t, "№"))
			rm->c_num = k;
		else if (strstr(t, "Наименование"))
			rm->c_title = k;
		else if (strstr(t, "Срок"))
			rm->c_time = k;
		else if (strstr(t, "Ответствен") || strstr(t, "исполнител"))
			rm->c_resp = k;
		else if (strstr(t, "Вид документа"))
			rm->c_doc = k;
		else if (strstr(t, "Ожидаем") || strstr(t, "Результат"))
			rm->c_res = k;
	}
	rm->ncols = k;
	if (rm->c_num != 0 || rm->c_title < 0 || rm->c_time < 0 || rm->c_resp < 0 || rm->ncols < 4) {
		H->error(imp, rm->ncells ? rm->cells[0].line : rm->d.n, "the table header must name "
			 "the columns «NN п/п» (first), «Наименование мероприятия», «Сроки», "
			 "«Ответственный исполнитель»");
		return -1;
	}
	return 0;
}

/* A section row at cell *k («I.», its title, the filler): *k after it. */
static int
rm_section(mf_import *imp, struct roadmap *rm, int *k, const char *num)
{
	char n2[16];
	int i = *k;

	if (rm->nsect == MAX_SECTIONS) {
		H->error(imp, rm->cells[i].line, "too many sections");
		return -1;
	}
	pt_sfmt(rm->sections[rm->nsect].num, sizeof(rm->sections[0].num), "%s", num);
	rm->sections[rm->nsect].title[0] = '\0';
	i++;
	if (i < rm->ncells && !is_filler(rm->cells[i].text) &&
	    !marker(rm->cells[i].text, n2, sizeof(n2))) {
		pt_sfmt(rm->sections[rm->nsect].title, sizeof(rm->sections[0].title), "%s",
			rm->cells[i].text);
		i++;
	}
	if (i < rm->ncells && is_filler(rm->cells[i].text))
		i++;
	rm->nsect++;
	*k = i;
	return 0;
}

/* An item row at cell k: its number's cell and one per column (a marker
 * may only stand in the timing column). */
static int
rm_item(mf_import *imp, struct roadmap *rm, int k, const char *num, const char *section)
{
	struct item *ni;
	int j;

	for (j = 1; j < rm->ncols; j++) {
		char n2[16];
		if (k + j >= rm->ncells || is_filler(rm->cells[k + j].text) ||
		    (marker(rm->cells[k + j].text, n2, sizeof(n2)) && j != rm->c_time))
			break;
	}
	if (j < rm->ncols) {
		H->error(imp, rm->cells[k].line, "item %s has %d of its %d cells "
			 "(truncated or damaged table?)", num, j, rm->ncols);
		return -1;
	}
	if ((ni = realloc(rm->items, (size_t)(rm->nitems + 1) * sizeof(*ni))) == NULL)
		return pr_oom(H, imp, rm->cells[k].line);
	rm->items = ni;
	ni = &rm->items[rm->nitems++];
	pt_sfmt(ni->num, sizeof(ni->num), "%s", num);
	pt_sfmt(ni->section, sizeof(ni->section), "%s", section);
	ni->first_cell = k;
	ni->line = rm->cells[k].line;
	return 0;
}

/* The rows after the header: sections and items. */
static int
rm_rows(mf_import *imp, struct roadmap *rm)
{
	char cur_section[16] = "";
	int k = rm->ncols, expect = 1;

	while (k < rm->ncells) {
		char num[16];
		int m = marker(rm->cells[k].text, num, sizeof(num));
		if (m == 1) {
			/* sections run I, II, III…: a gap is a part of the table lost */
			if (roman(num) != rm->nsect + 1) {
				H->error(imp, rm->cells[k].line, "section %s where section %d was "
					 "expected: a part of the table is missing or damaged", num,
					 rm->nsect + 1);
				return -1;
			}
			if (rm_section(imp, rm, &k, num) != 0)
				return -1;
			pt_sfmt(cur_section, sizeof(cur_section), "%s", num);
		} else if (m == 2) {
			/* items run 1, 2, 3… across the sections: a gap is rows lost */
			if (atoi(num) != expect) {
				H->error(imp, rm->cells[k].line, "item %s where item %d was expected: "
					 "rows of the table are missing or damaged", num, expect);
				return -1;
			}
			expect = atoi(num) + 1;
			if (rm_item(imp, rm, k, num, cur_section) != 0)
				return -1;
			k += rm->ncols;
		} else if (is_filler(rm->cells[k].text)) {
			k++;
		} else {
			H->error(imp, rm->cells[k].line, "unexpected cell «%.60s» where a section («I.») "
				 "or an item number («1.») was expected", rm->cells[k].text);
			return -1;
		}
	}
	if (rm->nitems == 0) {
		H->error(imp, rm->d.n, "the roadmap table has no items: truncated document?");
		return -1;
	}
	return 0;
}

static int
rm_record(mf_import *imp, struct roadmap *rm, const char **roadmap_id)
{
	mf_rec *r = H->rec_new(imp, "roadmap", rm->rkey);

	if (r == NULL)
		return -1;
	H->rec_set(r, "title", rm->title);
	H->rec_set(r, "issuer", rm->issuer);
	H->rec_set(r, "order_number", rm->onum);
	H->rec_set(r, "order_date", rm->odate);
	if (rm->pfrom[0]) {
		H->rec_set(r, "period_from", rm->pfrom);
		H->rec_set(r, "period_to", rm->pto);
	}
	for (int s = 0; s < rm->nsect; s++) {
		mf_rec *sr = H->rec_add_msg(r, "sections");
		if (sr == NULL)
			return -1;
		H->rec_set(sr, "number", rm->sections[s].num);
		if (rm->sections[s].title[0])
			H->rec_set(sr, "title", rm->sections[s].title);
	}
	H->rec_set(r, "source", rm->source);
	H->rec_set(r, "model", "chelyabinsk-roadmap");
	return H->rec_emit(r, roadmap_id);
}

/* An item's timing: the host reads it (in the roadmap's year when it has
 * one); «в течение всего периода» is the roadmap's whole period. */
static void
rm_timing(mf_import *imp, struct roadmap *rm, mf_rec *r, const struct item *it,
	  const struct cell *time)
{
	mf_period per = MF_PERIOD_INIT;
	mf_rec *t = H->rec_msg(r, "timing");
	int year = 0;

	if (t == NULL)
		return;
	H->rec_set(t, "raw", time->text);
	if (rm->pfrom[0] && strncmp(rm->pfrom, rm->pto, 4) == 0)
		year = atoi(rm->pfrom);
	H->parse_period(time->text, year, &per);
	if (per.continuous && per.n == 0 && rm->pfrom[0]) {
		mf_rec *iv = H->rec_add_msg(t, "intervals");
		if (iv == NULL)
			return;
		H->rec_set(iv, "from", rm->pfrom);
		H->rec_set(iv, "to", rm->pto);
	}
	if (pr_set_period(H, t, &per) != 0)
		return;
	if (per.uncertain)
		H->warn(imp, time->line, "item %s: period «%s» not read with certainty: kept as "
			"written, status unknown", it->num, time->text);
}

/* A school among the executors, once per document. */
static int
rm_school(mf_import *imp, struct roadmap *rm, const char *part)
{
	char name[1024], mun[512], sn[512], skey[1600];
	mf_rec *s;

	if (!school_of(part, name, sizeof(name), mun, sizeof(mun), sn, sizeof(sn)))
		return 0;
	pr_school_key(name, mun, skey, sizeof(skey));
	for (int q = 0; q < rm->nskeys; q++)
		if (strcmp(rm->skeys[q], skey) == 0)
			return 0;
	if (rm->nskeys == MAX_SCHOOLS)
		return 0;
	pt_sfmt(rm->skeys[rm->nskeys++], sizeof(rm->skeys[0]), "%s", skey);
	if ((s = pr_school_new(H, imp, skey, name, sn, mun, REGION)) == NULL)
		return -1;
	H->rec_set(s, "source", rm->source);
	return H->rec_emit(s, NULL);
}

/* The roadmap_item of item k, then the schools among its executors. */
static int
rm_item_record(mf_import *imp, struct roadmap *rm, int k, const char *roadmap_id)
{
	const struct item *it = &rm->items[k];
	const struct cell *c = &rm->cells[it->first_cell];
	char key[512], ln[16], parts[32][1024];
	mf_rec *r;
	int np;

	pt_sfmt(key, sizeof(key), "%s|%s", rm->rkey, it->num);
	if ((r = H->rec_new(imp, "roadmap_item", key)) == NULL)
		return -1;
	H->rec_set(r, "roadmap_id", roadmap_id);
	H->rec_set(r, "number", it->num);
	if (it->section[0])
		H->rec_set(r, "section", it->section);
	H->rec_set(r, "title", c[rm->c_title].text);
	rm_timing(imp, rm, r, it, &c[rm->c_time]);
	H->rec_set(r, "responsible_raw", c[rm->c_resp].text);
	np = split_exec(c[rm->c_resp].text, parts, 32);
	if (np > 0)
		H->rec_set(r, "lead", parts[0]);
	for (int j = 1; j < np; j++)
		H->rec_add(r, "co_executors", parts[j]);
	if (rm->c_doc >= 0)
		H->rec_set(r, "document_type", c[rm->c_doc].text);
	if (rm->c_res >= 0)
		H->rec_set(r, "expected_result", c[rm->c_res].text);
	pt_sfmt(ln, sizeof(ln), "%u", it->line);
	H->rec_set(r, "source_line", ln);
	if (H->rec_emit(r, NULL) != 0)
		return -1;
	for (int j = 0; j < np; j++)
		if (rm_school(imp, rm, parts[j]) != 0)
			return -1;
	return 0;
}

/* The document part by part, then its records. */
static int
rm_read(mf_import *imp, struct roadmap *rm)
{
	const char *roadmap_id = NULL;

	if (rm_annex(imp, rm) != 0 || rm_title(imp, rm) != 0 || rm_cells(imp, rm) != 0 ||
	    rm_columns(imp, rm) != 0 || rm_rows(imp, rm) != 0 || rm_closed(imp, rm) != 0)
		return -1;
	pt_sfmt(rm->source, sizeof(rm->source), "приложение к приказу %s от %s N %s", rm->issuer,
		rm->odate, rm->onum);
	pt_sfmt(rm->rkey, sizeof(rm->rkey), "garant-roadmap:%s:%s", rm->odate, rm->onum);
	{
		/* the numbering is the document's own count: items 1..N, sections I..M */
		char what[160];
		const struct item *last = &rm->items[rm->nitems - 1];
		pt_sfmt(what, sizeof(what), "пункты 1–%s таблицы в разделах %s–%s", last->num,
			rm->nsect ? rm->sections[0].num : "-",
			rm->nsect ? rm->sections[rm->nsect - 1].num : "-");
		pr_expect(H, imp, last->line, "roadmap_item", (unsigned)rm->nitems, what);
		pr_expect(H, imp, rm->order_line, "roadmap", 1, "одна дорожная карта приложения");
	}
	if (rm_record(imp, rm, &roadmap_id) != 0)
		return -1;
	if ((rm->skeys = calloc(MAX_SCHOOLS, sizeof(*rm->skeys))) == NULL)
		return pr_oom(H, imp, 0);
	for (int k = 0; k < rm->nitems; k++)
		if (rm_item_record(imp, rm, k, roadmap_id) != 0)
			return -1;
	return 0;
}

int
import_roadmap(mf_import *imp, const char *data, size_t len)
{
	struct roadmap *rm = calloc(1, sizeof(*rm));   /* its sections are large */
	int rc;

	if (rm == NULL)
		return pr_oom(H, imp, 0);
	if (pdoc_init(&rm->d, data, len) != 0) {
		free(rm);
		return pr_oom(H, imp, 0);
	}
	rc = rm_read(imp, rm);
	for (int k = 0; k < rm->ncells; k++)
		free(rm->cells[k].text);
	free(rm->cells);
	free(rm->items);
	free(rm->skeys);
	pdoc_free(&rm->d);
	free(rm);
	return rc;
}
