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
/* Print and free.  Headers are msgids, translated.  Cells are whole unless
 * f is a terminal too narrow for the table: then cells wider than maxw
 * code points are cut with "…". */
void mf_table_print(mf_table *t, FILE *f, int maxw);

/* Print JSON pretty (indent 2) followed by a newline. */
void mf_json_print(FILE *f, json_t *j);

/* Width of a UTF-8 string in code points. */
size_t mf_utf8_width(const char *s);

/* "key                    value" on stdout. */
void mf_print_kv(const char *k, const char *v);

/* An array of records as a table: id, kind, origin, seq, a summary.  A
 * record without a name of its own is summarised by the names of what it
 * refers to, found in arr or in known (id -> name; may be NULL). */
void mf_print_records(json_t *arr);
void mf_print_records_named(json_t *arr, json_t *known);

/* TEXT: tables; CSV: ',' CSV for scripts (identifiers, ISO dates, English
 * headers); EXCEL: for people, in their language, UTF-8 BOM, ';', CRLF;
 * JSON: the reply's data. */
enum mf_output { MF_OUT_TEXT, MF_OUT_CSV, MF_OUT_JSON, MF_OUT_EXCEL };

/* A cell of the reply table column hdr (the English header) for people:
 * enum values as the glossary's terms, dates in the long form (excel:
 * DD.MM.YYYY), reasons translated.  The cell itself under C/English. */
const char *mf_cell_text(const char *hdr, const char *cell, char *buf, size_t n, int excel);

/* The reply tables' headers and titles, as msgids (for xgettext). */
extern const char *const mf_reply_msgids[];

/* A query reply: its "tables" as text or CSV, or its "data" as JSON. */
void mf_render(json_t *rep, enum mf_output out);

#endif
