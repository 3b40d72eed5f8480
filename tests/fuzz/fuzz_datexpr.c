/*
 * fuzz_datexpr.c — the Russian date-expression parser (core datexpr.c):
 * mf_parse_period with and without a default year, the glossary term map
 * and the YYYY-MM-DD parser, on any text.
 *
 * Input: byte 0 picks the default year (0: none) and the term kind; the
 * rest is the text.  Checked beyond "no crash": a parse that succeeds
 * gives intervals in order (from <= to), and one that fails gives none.
 */
#include "config.h"

#include "datexpr.h"
#include "fuzz.h"

static const char *const term_kinds[] = {
	"direction", "mentoring_form", "self_diagnosis_level", "event_type", "support_type",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mf_period p = MF_PERIOD_INIT;
	mf_date d;
	char *s, buf[16];
	int year;

	if (size == 0)
		return 0;
	year = (data[0] & 1) ? 2023 + (data[0] >> 1) % 4 : 0;
	s = fz_cstr(data + 1, size - 1);
	if (mf_parse_period(s, year, &p) == 0) {
		for (int i = 0; i < p.n; i++)
			if (mf_date_cmp(p.iv[i].from, p.iv[i].to) > 0)
				abort();	/* an interval running backwards */
	} else if (p.n != 0) {
		abort();			/* the parser never guesses */
	}
	(void)mf_map_term(term_kinds[data[0] % 5], s);
	if (mf_date_parse(s, &d) == 0)
		(void)mf_date_format(d, buf);
	free(s);
	return 0;
}
