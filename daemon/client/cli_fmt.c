/*
 * cli_fmt.c — text tables and JSON output for the client (see cli_fmt.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli_fmt.h"

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
		char **n = realloc(t->cells, nc * (size_t)t->ncols * sizeof(char *));
		if (n == NULL)
			return;
		t->cells = n;
		t->cap = nc;
	}
	for (int i = 0; i < t->ncols; i++) {
		const char *c = cells[i] ? cells[i] : "";
		char *d = strdup(c), *p;
		/* one line per cell */
		for (p = d; p && *p; p++)
			if (*p == '\n' || *p == '\t' || *p == '\r')
				*p = ' ';
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = d;
	}
	t->nrows++;
}

mf_table *
mf_table_new(const char *const *headers)
{
	mf_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
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
	w = calloc((size_t)t->ncols, sizeof(*w));
	for (size_t r = 0; w && r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t cw = mf_utf8_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
			if (cw > (size_t)maxw)
				cw = (size_t)maxw;
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; w && r < t->nrows; r++) {
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
