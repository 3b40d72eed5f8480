/*
 * cli_fmt.c — the client's output: text tables, CSV and JSON, and the
 * renderings of replies that more than one verb prints (see cli_fmt.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli_fmt.h"
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

	while (headers[t->ncols])
		t->ncols++;
	add_row(t, headers);
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

void
mf_table_print(mf_table *t, FILE *f, int maxw)
{
	size_t *w;

	if (t == NULL)
		return;
	w = mf_xcalloc((size_t)t->ncols, sizeof(*w));
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t cw = mf_utf8_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
			if (cw > (size_t)maxw)
				cw = (size_t)maxw;
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			int last = c == t->ncols - 1;
			put_cell(f, t->cells[r * (size_t)t->ncols + (size_t)c], (size_t)maxw,
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
	printf("%-22s %s\n", k, v);
}

/* Short human summary of a body: its name, title or indicator. */
static const char *
summary(json_t *rec)
{
	static const char *const keys[] = { "name", "title", "indicator", "goal", "code",
					    "description", NULL };
	json_t *body = json_object_get(rec, "body");

	if (json_is_true(json_object_get(rec, "deleted")))
		return "(deleted)";
	for (int i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(body, keys[i]));
		if (v && *v)
			return v;
	}
	return "";
}

void
mf_print_records(json_t *arr)
{
	static const char *const h[] = { "ID", "KIND", "ORIGIN", "SEQ", "SUMMARY", NULL };
	mf_table *t = mf_table_new(h);
	size_t i;
	json_t *r;

	json_array_foreach(arr, i, r) {
		char seq[32];
		const char *row[5];
		snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(r, "seq")));
		row[0] = json_string_value(json_object_get(r, "id"));
		row[1] = json_string_value(json_object_get(r, "kind"));
		row[2] = json_string_value(json_object_get(r, "origin"));
		row[3] = seq;
		row[4] = summary(r);
		mf_table_row(t, row);
	}
	mf_table_print(t, stdout, 70);
}

static void
csv_cell(const char *c)
{
	if (c == NULL)
		c = "";
	if (strpbrk(c, ",\"\n\r") == NULL) {
		fputs(c, stdout);
		return;
	}
	putchar('"');
	for (; *c; c++) {
		if (*c == '"')
			putchar('"');
		putchar(*c);
	}
	putchar('"');
}

static void
csv_row(json_t *cells)
{
	size_t c;
	json_t *cell;

	json_array_foreach(cells, c, cell) {
		if (c)
			putchar(',');
		csv_cell(json_string_value(cell));
	}
	putchar('\n');
}

/* One of a reply's tables as text, titled with its row count. */
static void
text_table(json_t *t)
{
	json_t *cols = json_object_get(t, "columns"), *row, *cell;
	size_t nc = json_array_size(cols), k, c;
	const char **hdr = mf_xcalloc(nc + 1, sizeof(*hdr));
	const char **cells = mf_xcalloc(nc + 1, sizeof(*cells));
	mf_table *tb;

	json_array_foreach(cols, c, cell)
		hdr[c] = json_string_value(cell);
	tb = mf_table_new(hdr);
	json_array_foreach(json_object_get(t, "rows"), k, row) {
		for (c = 0; c < nc; c++)
			cells[c] = json_string_value(json_array_get(row, c));
		mf_table_row(tb, cells);
	}
	if (json_string_value(json_object_get(t, "title")))
		printf("%s (%zu)\n", json_string_value(json_object_get(t, "title")),
		       json_array_size(json_object_get(t, "rows")));
	mf_table_print(tb, stdout, 72);
	free(hdr);
	free(cells);
}

void
mf_render(json_t *rep, enum mf_output out)
{
	json_t *t, *row;
	size_t i, k;

	if (out == MF_OUT_JSON) {
		mf_json_print(stdout, json_object_get(rep, "data"));
		return;
	}
	json_array_foreach(json_object_get(rep, "tables"), i, t) {
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
