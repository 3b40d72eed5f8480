/*
 * i18n.h — the language layer shared by the client (`mentorfed`), the web
 * page (`mentorfed-web`) and the daemon: gettext messages, the glossary's
 * Russian terms for enum values, human dates, search folding, reason
 * codes, and CSV that Excel in a Russian locale opens.  doc/I18N.md says
 * how it works, how to add a message and how to add a language.
 *
 * English is the msgid and what C/en locales get; Russian lives in
 * po/ru.po (+ po/web.ru.po, po/keys.ru.po), compiled into one catalogue,
 * text domain "mentorfed".  `--json` output and records are never
 * translated: only what a person reads is.
 *
 * A `lang` argument is "ru", "en" (or "ru_RU.UTF-8"-like: only the
 * language part counts), or NULL for the process's language as set by
 * mf_i18n_init().
 */
#ifndef MF_I18N_H
#define MF_I18N_H

#include <stddef.h>
#include <stdio.h>
#include <libintl.h>
#include <jansson.h>

#define MF_TEXTDOMAIN "mentorfed"

#define _(s) gettext(s)
#define N_(s) (s)	/* mark for xgettext; translate later with _() or mf_tr() */
/* Two initialisers, singular and plural, marked for xgettext
 * (--keyword=NP_:1,2); translate with mf_trn(). */
#define NP_(s, p) s, p

/* setlocale(LC_ALL, ""), bindtextdomain to $MENTORFED_LOCALEDIR or the
 * configured localedir, codeset UTF-8, textdomain "mentorfed".  When the
 * environment names a locale that is not generated here (LANG=ru_RU.UTF-8
 * on a fresh Debian has only C.UTF-8), falls back to C.UTF-8 and keeps the
 * language by setting LANGUAGE (unless already set).  Call once, first
 * thing in main(). */
void mf_i18n_init(void);

/* The process's language after mf_i18n_init(): "ru", "en", ... ("en" for
 * C/POSIX). */
const char *mf_i18n_lang(void);

/* msgid translated into `lang` (NULL: the process's language); msgid itself
 * when there is no translation or lang is English.  Safe to call per
 * request with different languages from a server (serialised inside; the
 * strings returned live as long as the process).  mf_trn: with plural
 * forms (Russian has three), chosen by n. */
const char *mf_tr(const char *lang, const char *msgid);
const char *mf_trn(const char *lang, const char *msgid, const char *msgid_plural,
		   unsigned long n);

/* The language of an HTTP Accept-Language header that we have ("ru" or
 * "en"), honouring q-values; "ru" when none matches (Russian first). */
const char *mf_lang_from_accept(const char *accept_language);

/* The glossary's term for an enum value, e.g. ("direction", "knowledge",
 * "ru") -> «Знание»; "en" -> "Knowledge".  Families: direction,
 * mentoring_form, self_diagnosis_level (alias "level"), event_type,
 * support_type, pair_state, offer_state, application_state, decision,
 * item_status, target_state, kind (record kinds).  An unknown family or value gives
 * `value` itself (a region plugin may add forms), NULL gives "".  Never
 * NULL; static strings. */
const char *mf_label(const char *family, const char *value, const char *lang);

/* The spellings a person may type for family's values, for an error
 * message: in Russian «Знание», «Воспитание», … (identifiers are accepted
 * too); in English the identifiers.  Returns buf. */
char *mf_accepted_terms(char *buf, size_t n, const char *family, const char *lang);

/* "2025-03-01" -> «1 марта 2025 г.» (ru) or "1 March 2025" (en); "2025-03"
 * -> «март 2025 г.» / "March 2025".  Anything else (empty, "2025",
 * garbage) is copied as it is.  Returns buf. */
char *mf_date_human(char *buf, size_t n, const char *iso_date, const char *lang);

/* Case fold (Latin, Latin-1, Cyrillic) and ё -> е, for search: a malloc'd
 * UTF-8 string (free it).  Invalid bytes are kept as they are.
 * mf_fold_contains: 1 when fold(needle) occurs in fold(hay) ("" matches). */
char *mf_fold(const char *utf8);
int mf_fold_contains(const char *hay, const char *needle);

/*
 * Decision reasons and other explanations the daemon gives.  Each has a
 * stable code and string arguments; the daemon sends "reason" (English,
 * unchanged), "reason_code" and "reason_args" (array of strings).  The
 * client and the web translate from code + args.
 */

/* Write the reason `code` with args into buf in `lang`.  Unknown code:
 * the English `fallback` (may be NULL -> the code).  Returns buf. */
char *mf_reason_text(char *buf, size_t n, const char *code, const char *const *args,
		     size_t nargs, const char *fallback, const char *lang);

/* The same from a JSON object holding "reason_code", "reason_args" and
 * "reason" (field names: prefix "" -> reason_code/reason_args/reason;
 * prefix "why" -> why_code/why_args/why).  When there is no code, the
 * English text is recognised if it matches a known reason (records from
 * older nodes), else returned as it is. */
char *mf_reason_json(char *buf, size_t n, const json_t *obj, const char *prefix,
		     const char *lang);

/* The daemon side for texts it does not build itself (decisions read
 * back from records, answers of peers): when obj[prefix] (default
 * "reason") is a known English reason, set <prefix>_code and
 * <prefix>_args on obj.  Returns 1 when it did. */
int mf_reason_annotate(json_t *obj, const char *prefix);

/* Recognise an English reason text (as older nodes wrote it) as a code and
 * its arguments: returns the code or NULL; args[] point into the malloc'd
 * *store (free it), at most maxargs. */
const char *mf_reason_parse(const char *text, char **store, const char **args, size_t maxargs,
			    size_t *nargs);

/* The daemon side: {"reason_code": code, "reason_args": [args...]} set on
 * obj, with "reason" (or "<prefix>"…) the English text. */
void mf_reason_set(json_t *obj, const char *prefix, const char *code, const char *const *args,
		   size_t nargs);

/*
 * CSV.  Excel in a Russian locale reads a file as UTF-8 only with a BOM,
 * splits on ';' (the list separator where ',' is the decimal comma) and
 * wants CRLF.  Fields are quoted when they hold the separator, a quote,
 * CR or LF (quotes doubled); text that Excel would take for a formula
 * (=, +, -, @ first, not a number) gets a leading apostrophe, since
 * values come from other regions' records.
 */
struct mf_csv {
	FILE *f;
	char sep;	/* ';' for Excel, ',' plain */
	int excel;	/* BOM, ';', CRLF, formula guard */
	int col;	/* fields written in this row */
};

/* Start a table on f (a file, stdout, or open_memstream for a server);
 * excel=1 writes the BOM now. */
void mf_csv_begin(struct mf_csv *c, FILE *f, int excel);
void mf_csv_field(struct mf_csv *c, const char *s);	/* NULL -> empty */
void mf_csv_end_row(struct mf_csv *c);

#endif
