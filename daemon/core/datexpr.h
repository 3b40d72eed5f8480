/*
 * datexpr.h — Russian date expressions of plans and roadmaps into intervals,
 * and Russian spellings of glossary terms (doc/GLOSSARY.md) into identifiers.
 *
 * These are the host's shared helpers handed to plugins through
 * struct mf_host_api (parse_period, map_term, date_format); the daemon uses
 * them too (roadmap judging).
 */
#ifndef MF_DATEXPR_H
#define MF_DATEXPR_H

#include <stddef.h>
#include "mentorfed-plugin.h"

/*
 * Parse a Russian date expression into intervals (see mf_period).
 *
 * Read:   month names in any case or declension («Февраль», «февраля»),
 *         «12.02.2025», «21 февраля», lists («Апрель, сентябрь»), ranges
 *         («Март-апрель 2023 г.», «Январь 2023 г. - март 2024 г.»,
 *         «12.02.2025 - 14.02.2025»), repeated groups («Март-апрель 2023 г.
 *         Март-апрель 2024 г.,» -> two intervals), quarters and half-years in
 *         Roman or Arabic numerals («IV квартал 2023 г.», «III - IV кварталы
 *         2023 г.», «I полугодие 2024»), whole years («2023 г.», «2023-2024
 *         годы»), «2023 г. - ноябрь 2024 г. - ноябрь» (November of each year),
 *         deadlines «до 10.02.2025» (interval from 1 January of that year to
 *         the date), «В течение года» (continuous; the whole default year as
 *         one interval when default_year > 0, no interval otherwise),
 *         «В течение всего периода» / «постоянно» (continuous with NO interval:
 *         the caller applies its document's period).
 * Groups without a year take default_year and set year_assumed; when
 * default_year is 0 such an expression is uncertain.
 * Non-breaking spaces, en/em dashes and minus signs, «г.»/«гг.»/«года»
 * and trailing punctuation are tolerated.
 *
 * Anything not read with certainty (an unknown word, «I II - IV кварталы»,
 * an impossible date, a range running backwards) gives uncertain=1, n=0 and
 * returns -1: the parser never guesses.  Returns 0 when read.
 */
int mf_parse_period(const char *text, int default_year, mf_period *out);

/*
 * Map a Russian spelling to a glossary identifier.  kind: "direction",
 * "mentoring_form", "self_diagnosis_level", "event_type", "support_type".
 * Case, «», quotes, dash variants and spaces around dashes are ignored
 * («ученик-ученик», «ученик – ученик», «Ученик–ученик» all give
 * "student_student").  Returns a static identifier or NULL.
 */
const char *mf_map_term(const char *kind, const char *text);

/* Dates. */
int mf_date_cmp(mf_date a, mf_date b);          /* <0, 0, >0 */
/* "YYYY-MM-DD" -> 0, or -1 (out zeroed). */
int mf_date_parse(const char *s, mf_date *out);
/* YYYY-MM-DD into buf (at least 11 bytes); returns buf. */
char *mf_date_format(mf_date d, char *buf);
/* Days of month m of year y (29 for February of a leap year); 0 when m is
 * not a month. */
int mf_days_in_month(int y, int m);

/*
 * The one reader of a single calendar date typed by a person or written in
 * a record: ISO "YYYY-MM-DD", or a Russian form the plugins read
 * («12.02.2025», «12.02.25», «12 февраля 2025 г.»), through
 * mf_parse_period with no default year.  The date must exist (29.02 only
 * in a leap year, months 1..12, years 1900..2200).  Returns 0 with *out, or
 * -1 with why (a sentence such as "2025-02-31: February 2025 has 28 days"
 * or "'soon' is not a date (expected YYYY-MM-DD or DD.MM.YYYY)").
 */
int mf_date_read(const char *text, mf_date *out, char *why, size_t whylen);

/* A month "YYYY-MM" (or «март 2025»): 0 with *y, *m, or -1 with why. */
int mf_month_read(const char *text, int *y, int *m, char *why, size_t whylen);

#endif
