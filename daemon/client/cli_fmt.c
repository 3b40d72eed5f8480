/*
 * cli_fmt.c — the client's output: text tables, CSV and JSON, and the
 * renderings of replies that more than one verb prints (see cli_fmt.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli_fmt.h"
#include "i18n.h"
#include "util.h"

struct mf_table {
	int ncols;
	char **cells;	/* rows * ncols, row 0 the headers */
	size_t nrows, cap;
};

size_t
mf_utf8_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
add_row(mf_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		t->cells = mf_xrealloc(t->cells, nc * (size_t)t->ncols * sizeof(char *));
		t->cap = nc;
	}
	for (int i = 0; i < t->ncols; i++) {
		const char *c = cells[i] ? cells[i] : "";
		char *d = mf_xstrdup(c), *p;
		/* one line per cell */
		for (p = d; *p; p++)
			if (*p == '\n' || *p == '\t' || *p == '\r')
				*p = ' ';
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = d;
	}
	t->nrows++;
}

mf_table *
mf_table_new(const char *const *headers)
{
	mf_table *t = mf_xcalloc(1, sizeof(*t));

	const char **h;

	while (headers[t->ncols])
		t->ncols++;
	/* Headers are msgids (English, upper case); the people reading the
	 * table get them in their language. */
	h = mf_xcalloc((size_t)t->ncols + 1, sizeof(*h));
	for (int i = 0; i < t->ncols; i++)
		h[i] = _(headers[i]);
	add_row(t, h);
	free(h);
	return t;
}

void
mf_table_row(mf_table *t, const char *const *cells)
{
	if (t)
		add_row(t, cells);
}

/* Print s cut to w code points (with "…" when cut), padded to pad. */
static void
put_cell(FILE *f, const char *s, size_t w, size_t pad)
{
	size_t n = 0;
	const char *p = s;

	while (*p && n < w) {
		const char *q = p + 1;
		while (((unsigned char)*q & 0xc0) == 0x80)
			q++;
		if (n + 1 == w && mf_utf8_width(p) > 1) {
			fputs("…", f);
			n++;
			p = "";
			break;
		}
		fwrite(p, 1, (size_t)(q - p), f);
		p = q;
		n++;
	}
	for (; n < pad; n++)
		fputc(' ', f);
}

/* The terminal's width when f is one, else 0: output to a file or a pipe
 * is never cut (a script or a person reading it later wants whole names). */
static size_t
term_width(FILE *f)
{
	struct winsize ws;
	const char *c;

	if (!isatty(fileno(f)))
		return 0;
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if ((c = getenv("COLUMNS")) != NULL && atoi(c) > 0)
		return (size_t)atoi(c);
	return 80;
}

/* Column widths: whole cells when the table fits the terminal (or there is
 * none), else every cell capped at maxw code points (cut with "…"). */
static size_t
col_widths(const mf_table *t, FILE *f, int maxw, size_t *w)
{
	size_t tw = term_width(f), total = 0, cap = SIZE_MAX;

	for (int pass = 0; pass < 2; pass++) {
		total = 0;
		for (int c = 0; c < t->ncols; c++) {
			w[c] = 0;
			for (size_t r = 0; r < t->nrows; r++) {
				size_t cw = mf_utf8_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
				if (cw > cap)
					cw = cap;
				if (cw > w[c])
					w[c] = cw;
			}
			total += w[c] + 2;
		}
		if (tw == 0 || total <= tw + 2 || maxw <= 0)
			break;
		cap = (size_t)maxw;
	}
	return cap;
}

void
mf_table_print(mf_table *t, FILE *f, int maxw)
{
	size_t *w, cap;

	if (t == NULL)
		return;
	w = mf_xcalloc((size_t)t->ncols, sizeof(*w));
	cap = col_widths(t, f, maxw, w);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			int last = c == t->ncols - 1;
			put_cell(f, t->cells[r * (size_t)t->ncols + (size_t)c], cap,
				 last ? 0 : w[c] + 2);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
	free(t);
}

void
mf_json_print(FILE *f, json_t *j)
{
	json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
}


void
mf_print_kv(const char *k, const char *v)
{
	/* k is a msgid; pad by code points (Cyrillic takes two bytes each) */
	const char *tk = _(k);
	size_t w = mf_utf8_width(tk);

	fputs(tk, stdout);
	for (; w < 22; w++)
		putchar(' ');
	printf(" %s\n", v);
}

/* Short human summary of a body: its name, title or indicator. */
static const char *
summary(json_t *rec)
{
	static const char *const keys[] = { "name", "title", "indicator", "goal", "code",
					    "description", NULL };
	json_t *body = json_object_get(rec, "body");

	if (json_is_true(json_object_get(rec, "deleted")))
		return _("(deleted)");
	for (int i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(body, keys[i]));
		if (v && *v)
			return v;
	}
	return "";
}

/* A record without a name of its own (a card, an application, a
 * decision, a pair) is summarised by what it refers to, named when that
 * record is in the list too (names: id -> summary): "→ Школа А". */
static const char *
summary_ref(json_t *rec, json_t *names, char *buf, size_t n)
{
	static const char *const refs[] = { "school_id", "applicant_school_id", "host_school_id",
					    "mentor_school_id", "offer_id", "application_id",
					    "item_id", "roadmap_id", NULL };
	json_t *body = json_object_get(rec, "body");
	const char *s = summary(rec);

	if (*s != '\0')
		return s;
	buf[0] = '\0';
	for (int i = 0; refs[i]; i++) {
		const char *id = json_string_value(json_object_get(body, refs[i]));
		const char *nm = id ? json_string_value(json_object_get(names, id)) : NULL;
		if (nm != NULL && *nm != '\0') {
			snprintf(buf + strlen(buf), n - strlen(buf), "%s→ %s", buf[0] ? "; " : "", nm);
			if (strcmp(refs[i], "mentor_school_id") == 0 &&
			    (id = json_string_value(json_object_get(body, "mentee_school_id"))) != NULL &&
			    (nm = json_string_value(json_object_get(names, id))) != NULL)
				snprintf(buf + strlen(buf), n - strlen(buf), " / %s", nm);
		}
	}
	return buf;
}

/* Translate cells for people: not under C/English (identifiers and ISO
 * dates stay what scripts read), never for --json or --csv. */
static int
for_people(void)
{
	return strcmp(mf_i18n_lang(), "en") != 0;
}

void
mf_print_records(json_t *arr)
{
	mf_print_records_named(arr, NULL);
}

void
mf_print_records_named(json_t *arr, json_t *known)
{
	static const char *const h[] = { N_("ID"), N_("KIND"), N_("ORIGIN"), N_("SEQ"), N_("SUMMARY"), NULL };
	mf_table *t = mf_table_new(h);
	size_t i;
	json_t *r;

	json_t *names = known != NULL ? json_deep_copy(known) : json_object();

	/* the names of the records in the list, for those that refer to them */
	json_array_foreach(arr, i, r) {
		const char *id = json_string_value(json_object_get(r, "id")), *sm = summary(r);
		if (id != NULL && *sm != '\0')
			json_object_set_new(names, id, json_string(sm));
	}
	json_array_foreach(arr, i, r) {
		char seq[32], ref[512];
		const char *row[5];
		snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(r, "seq")));
		row[0] = json_string_value(json_object_get(r, "id"));
		row[1] = json_string_value(json_object_get(r, "kind"));
		if (for_people())
			row[1] = mf_label("kind", row[1], NULL);
		row[2] = json_string_value(json_object_get(r, "origin"));
		row[3] = seq;
		row[4] = summary_ref(r, names, ref, sizeof(ref));
		mf_table_row(t, row);
	}
	json_decref(names);
	mf_table_print(t, stdout, 70);
}

/* ---------------------------------------------------------------- cells */

/* "YYYY-MM-DD" exactly */
static int
is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

/* A date for people: «1 марта 2025 г.», or for Excel "01.03.2025" (a
 * Russian Excel reads that as a date, the long form as text). */
static void
date_cell(char *out, size_t n, const char *d, int excel)
{
	if (excel && is_date(d))
		snprintf(out, n, "%.2s.%.2s.%.4s", d + 8, d + 5, d);
	else
		mf_date_human(out, n, d, NULL);
}

/* Apply f to each part of a ", "-separated list, joined by ", " again. */
static void
each_part(char *out, size_t n, const char *cell, int excel,
	  void (*f)(char *, size_t, const char *, int))
{
	char *s = mf_xstrdup(cell), *p = s, part[512];

	out[0] = '\0';
	for (;;) {
		char *e = strstr(p, ", ");
		if (e != NULL)
			*e = '\0';
		f(part, sizeof(part), p, excel);
		snprintf(out + strlen(out), n - strlen(out), "%s%s", p == s ? "" : ", ", part);
		if (e == NULL)
			break;
		p = e + 2;
	}
	free(s);
}

static void
dir_part(char *out, size_t n, const char *p, int excel)
{
	(void)excel;
	snprintf(out, n, "%s", mf_label("direction", p, NULL));
}

/* "2025-03-01..2025-03-31" */
static void
interval_part(char *out, size_t n, const char *p, int excel)
{
	const char *dots = strstr(p, "..");
	char a[96], b[96], from[16];

	if (dots == NULL || dots - p != 10) {
		date_cell(out, n, p, excel);
		return;
	}
	snprintf(from, sizeof(from), "%.10s", p);
	date_cell(a, sizeof(a), from, excel);
	date_cell(b, sizeof(b), dots + 2, excel);
	snprintf(out, n, "%s – %s", a, b);
}

/* overview's "student_student 3" */
static void
form_count_part(char *out, size_t n, const char *p, int excel)
{
	const char *sp = strrchr(p, ' ');
	char form[128];

	(void)excel;
	if (sp == NULL) {
		snprintf(out, n, "%s", mf_label("mentoring_form", p, NULL));
		return;
	}
	snprintf(form, sizeof(form), "%.*s", (int)(sp - p), p);
	snprintf(out, n, "%s%s", mf_label("mentoring_form", form, NULL), sp);
}

/* A state of a pair, application, offer, decision or target. */
static const char *
state_label(const char *v)
{
	static const char *const fam[] = { "pair_state", "application_state", "offer_state",
					   "target_state", "decision", "item_status", NULL };

	for (int i = 0; fam[i]; i++) {
		const char *l = mf_label(fam[i], v, NULL);
		if (l != v)
			return l;
	}
	return v;
}

const char *
mf_cell_text(const char *hdr, const char *cell, char *buf, size_t n, int excel)
{
	unsigned long a, b, k;
	int used = 0;

	if (cell == NULL)
		return "";
	if (!for_people() || *cell == '\0')
		return cell;
	if (hdr == NULL)
		hdr = "";
	if (strcmp(cell, "yes") == 0 || strcmp(cell, "no") == 0)
		return cell[0] == 'y' ? _("yes") : _("no");
	if (strcmp(hdr, "DIRECTIONS") == 0 || strcmp(hdr, "NEEDED") == 0) {
		each_part(buf, n, cell, excel, dir_part);
		return buf;
	}
	if (strcmp(hdr, "DATES") == 0) {
		each_part(buf, n, cell, excel, interval_part);
		return buf;
	}
	if (strcmp(hdr, "PRACTICES BY FORM") == 0) {
		each_part(buf, n, cell, excel, form_count_part);
		return buf;
	}
	if (strcmp(hdr, "KIND") == 0)
		return mf_label("kind", cell, NULL);
	if (strcmp(hdr, "STATUS") == 0)
		return mf_label("item_status", cell, NULL);
	if (strcmp(hdr, "STATE") == 0 || strcmp(hdr, "DECISION") == 0 || strcmp(hdr, "WAS") == 0) {
		/* "waitlisted (2)": its place on the waiting list */
		if (sscanf(cell, "waitlisted (%lu)%n", &k, &used) == 1 && cell[used] == '\0') {
			snprintf(buf, n, _("waitlisted (%lu)"), k);
			return buf;
		}
		return state_label(cell);
	}
	if (strcmp(hdr, "PLACES LEFT") == 0) {
		if (sscanf(cell, "%lu of %lu%n", &a, &b, &used) == 2 && cell[used] == '\0') {
			snprintf(buf, n, _("%lu of %lu"), a, b);
			return buf;
		}
		return mf_label("offer_state", cell, NULL);
	}
	if (strcmp(hdr, "REASON") == 0 || strcmp(hdr, "WHY") == 0) {
		json_t *o = json_pack("{s:s}", "reason", cell);
		mf_reason_json(buf, n, o, "reason", NULL);
		json_decref(o);
		return buf;
	}
	if (is_date(cell)) {
		date_cell(buf, n, cell, excel);
		return buf;
	}
	/* "2025-03-01 10:20:30" (overview's last arrival) */
	if (strlen(cell) == 19 && cell[10] == ' ' && cell[13] == ':') {
		char d[11], h[64];
		snprintf(d, sizeof(d), "%.10s", cell);
		if (is_date(d)) {
			date_cell(h, sizeof(h), d, excel);
			snprintf(buf, n, excel ? "%s %s" : "%s, %s", h, cell + 11);
			return buf;
		}
	}
	return cell;
}

/* One of a reply's tables as text, titled with its row count. */
static void
text_table(json_t *t)
{
	json_t *cols = json_object_get(t, "columns"), *row, *cell;
	size_t nc = json_array_size(cols), k, c;
	const char **hdr = mf_xcalloc(nc + 1, sizeof(*hdr));
	const char **cells = mf_xcalloc(nc + 1, sizeof(*cells));
	char (*buf)[1024] = mf_xcalloc(nc + 1, sizeof(*buf));
	mf_table *tb;

	json_array_foreach(cols, c, cell)
		hdr[c] = json_string_value(cell);
	tb = mf_table_new(hdr);
	json_array_foreach(json_object_get(t, "rows"), k, row) {
		for (c = 0; c < nc; c++)
			cells[c] = mf_cell_text(hdr[c], json_string_value(json_array_get(row, c)),
						buf[c], sizeof(buf[c]), 0);
		mf_table_row(tb, cells);
	}
	if (json_string_value(json_object_get(t, "title")))
		printf("%s (%zu)\n", _(json_string_value(json_object_get(t, "title"))),
		       json_array_size(json_object_get(t, "rows")));
	mf_table_print(tb, stdout, 72);
	free(hdr);
	free(cells);
	free(buf);
}

/* --csv: data for scripts, like --json: identifiers, ISO dates, English
 * headers, ',' and LF, as before. */
static void
csv_row(json_t *cells)
{
	struct mf_csv c = { stdout, ',', 0, 0 };
	size_t i;
	json_t *cell;

	json_array_foreach(cells, i, cell)
		mf_csv_field(&c, json_string_value(cell));
	mf_csv_end_row(&c);
}

/* --excel: for people, in their language; UTF-8 with BOM, ';', CRLF. */
static void
excel_table(struct mf_csv *x, json_t *t)
{
	json_t *cols = json_object_get(t, "columns"), *row, *cell;
	size_t k, c;
	char buf[1024];

	json_array_foreach(cols, c, cell)
		mf_csv_field(x, _(json_string_value(cell)));
	mf_csv_end_row(x);
	json_array_foreach(json_object_get(t, "rows"), k, row) {
		for (c = 0; c < json_array_size(cols); c++)
			mf_csv_field(x, mf_cell_text(json_string_value(json_array_get(cols, c)),
						     json_string_value(json_array_get(row, c)), buf,
						     sizeof(buf), 1));
		mf_csv_end_row(x);
	}
}

/* mentor find: what the school needs and why, above the candidates
 * ("needed: knowledge, health (critical indicators at zero in the 2025
 * self-diagnosis)"). */
static void
needed_line(json_t *data)
{
	json_t *needed = json_object_get(data, "needed"), *v;
	char dirs[512] = "", why[512];
	size_t i;

	if (!json_is_array(needed) || json_object_get(data, "basis") == NULL)
		return;
	json_array_foreach(needed, i, v)
		snprintf(dirs + strlen(dirs), sizeof(dirs) - strlen(dirs), "%s%s", i ? ", " : "",
			 for_people() ? mf_label("direction", json_string_value(v), NULL) :
			 json_string_value(v));
	mf_reason_json(why, sizeof(why), data, "basis", NULL);
	printf(_("needed: %s (%s)\n"), dirs, why);
}

void
mf_render(json_t *rep, enum mf_output out)
{
	json_t *t, *row;
	size_t i, k;
	struct mf_csv x;

	if (out == MF_OUT_JSON) {
		mf_json_print(stdout, json_object_get(rep, "data"));
		return;
	}
	if (out == MF_OUT_EXCEL)
		mf_csv_begin(&x, stdout, 1);
	if (out == MF_OUT_TEXT)
		needed_line(json_object_get(rep, "data"));
	json_array_foreach(json_object_get(rep, "tables"), i, t) {
		if (out == MF_OUT_EXCEL) {
			/* one file, the tables one after another, a blank row between */
			if (i > 0)
				mf_csv_end_row(&x);
			excel_table(&x, t);
			continue;
		}
		if (i > 0)
			putchar('\n');
		if (out == MF_OUT_TEXT) {
			text_table(t);
			continue;
		}
		csv_row(json_object_get(t, "columns"));
		json_array_foreach(json_object_get(t, "rows"), k, row)
			csv_row(row);
	}
}

/* The headers and titles of the daemon's reply tables (daemon/exchange,
 * ctl_plugins.c): English msgids the daemon sends as they are and the
 * client translates (text_table, excel_table).  Listed here so that
 * xgettext finds them for po/ru.po; a new column needs its line. */
const char *const mf_reply_msgids[] = {
	N_("ORDER"), N_("APPLICATION"), N_("SCHOOL"), N_("PARTICIPANTS"), N_("DECISION"),
	N_("GRANTED"), N_("REASON"), N_("OFFER"), N_("REGION"), N_("HOST"), N_("TITLE"),
	N_("DIRECTIONS"), N_("DATES"), N_("PLACES LEFT"), N_("OPEN"), N_("STATE"),
	N_("POSITION"), N_("RANK"), N_("COVERS"), N_("SAME REGION"), N_("LEAGUE"),
	N_("MENTEES"), N_("WHY"), N_("SCHOOLS"), N_("CARDS"), N_("PRACTICES BY FORM"),
	N_("PAIRS"), N_("OFFERS"), N_("APPLICATIONS"), N_("LAST ARRIVED (UTC)"),
	N_("PROPOSAL"), N_("MENTOR"), N_("MENTEE"), N_("START"), N_("MODEL"), N_("NO"),
	N_("STATUS"), N_("TIMING"), N_("LEAD"), N_("INDICATOR"), N_("GOAL"), N_("ACTUAL"),
	N_("DEADLINE"), N_("WAS"), N_("SCHOOL ID"),
	N_("decisions"), N_("internship offers"), N_("applications (in submission order)"),
	N_("waiting list (accepted in this order when places free)"), N_("mentor candidates"),
	N_("federation overview"), N_("mentoring pairs"), N_("roadmap items (overdue first)"),
	N_("targets against goals"), N_("ROADMAP"), N_("ITEMS"), N_("OVERDUE"), N_("IN PROGRESS"),
	N_("CONTINUOUS"), N_("PLANNED"), N_("UNKNOWN"), N_("DONE"),
	N_("roadmaps at the date: items by status"),
	N_("roadmap items, the first 10 of each roadmap (overdue first; --all: every item)"),
	NULL
};
