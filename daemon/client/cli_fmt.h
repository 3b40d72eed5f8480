/*
 * cli_fmt.h — the client's output: aligned text tables (UTF-8 aware), CSV
 * and JSON.
 */
#ifndef MF_CLI_FMT_H
#define MF_CLI_FMT_H

#include <stdio.h>
#include <jansson.h>

typedef struct mf_table mf_table;

/* A table with ncols columns named by the NULL-terminated headers. */
mf_table *mf_table_new(const char *const *headers);
/* Add a row of ncols cells (copied; NULL prints as ""). */
void mf_table_row(mf_table *t, const char *const *cells);
/* Print and free.  Cells wider than maxw code points are cut with "…". */
void mf_table_print(mf_table *t, FILE *f, int maxw);

/* Print JSON pretty (indent 2) followed by a newline. */
void mf_json_print(FILE *f, json_t *j);

/* Width of a UTF-8 string in code points. */
size_t mf_utf8_width(const char *s);

/* "key                    value" on stdout. */
void mf_print_kv(const char *k, const char *v);

/* An array of records as a table: id, kind, origin, seq, a summary. */
void mf_print_records(json_t *arr);

enum mf_output { MF_OUT_TEXT, MF_OUT_CSV, MF_OUT_JSON };

/* A query reply: its "tables" as text or CSV, or its "data" as JSON. */
void mf_render(json_t *rep, enum mf_output out);

#endif
