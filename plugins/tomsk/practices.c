/*
 * practices.c — format tomsk-webinar-letter: a letter on a webinar on the
 * mentoring practices of the region.
 *
 * Read from the letter, each by what introduces it, not by its place:
 *   - its date and number: the first line with a date and «№»;
 *   - the event: the line with «DD месяца YYYY» and «вебинар «title»»; the
 *     organiser («Организатор – …»), participants («… N человек»), views
 *     («просмотров … N»);
 *   - the speakers' schools: the bullets after «Спикерами»;
 *   - the mentoring forms presented: the «…»-quoted forms of the line that
 *     speaks of «форм» and gives no percentages;
 *   - coverage targets: «· NN% охват …» bullets, the deadline from the line
 *     that introduces them («Стремиться к 1 января 2023 г. обеспечить:»).
 * Complete: a signature block («Начальник …», «И.О. Фамилия»), or else the
 * targets and a last line that ends a sentence (letter_closed).
 * Records: a school per speaker, the event, a mentoring_practice per form
 * (region-wide), a target per bullet.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

#define MAX_SCHOOLS 32

struct letter {
	struct pdoc d;
	char source[256];
	unsigned ev_line;
	char evdate[11], title[1024], organiser[1024];
	unsigned participants, views;
	char school_keys[MAX_SCHOOLS][1600];
	int nschools;
};

int
probe_letter(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "ебинар") && strstr(data, "наставничества") && strstr(data, "охват"))
		return 80;
	if (strstr(data, "ебинар") && strstr(data, "Спикерами"))
		return 60;
	return 0;
}

/* The number written just before word in s («более 50 человек»), or 0. */
static unsigned
number_before(const char *s, const char *word)
{
	const char *w = strstr(s, word), *p;

	if (w == NULL)
		return 0;
	p = w;
	while (p > s && p[-1] == ' ')
		p--;
	if (p == s || !isdigit((unsigned char)p[-1]))
		return 0;
	while (p > s && isdigit((unsigned char)p[-1]))
		p--;
	return (unsigned)strtoul(p, NULL, 10);
}

/* The first number after word in s («просмотров … 230»), or 0. */
static unsigned
number_after(const char *s, const char *word)
{
	const char *w = strstr(s, word);

	if (w == NULL)
		return 0;
	for (w += strlen(word); *w; w++)
		if (isdigit((unsigned char)*w))
			return (unsigned)strtoul(w, NULL, 10);
	return 0;
}

/* The letter's date and number («___26.08.2022     №___774_») as the
 * source of every record. */
static void
letter_source(struct letter *lt)
{
	char ldate[11] = "", lnum[32] = "";

	for (unsigned i = 0; i < lt->d.n && i < 30; i++) {
		const char *no = strstr(lt->d.line[i], "№"), *p;
		size_t k = 0;
		char iso[11];
		if (no == NULL || !pt_find_dmy(lt->d.line[i], iso))
			continue;
		p = no + strlen("№");
		while (*p == '_' || *p == ' ')
			p++;
		while (isdigit((unsigned char)*p) && k + 1 < sizeof(lnum))
			lnum[k++] = *p++;
		lnum[k] = '\0';
		memcpy(ldate, iso, 11);
		break;
	}
	if (ldate[0])
		pt_sfmt(lt->source, sizeof(lt->source), "письмо от %s%s%s", ldate,
			lnum[0] ? " № " : "", lnum);
	else
		pt_sfmt(lt->source, sizeof(lt->source), "письмо о вебинаре");
}

/* The event: the first line with a date and «вебинар «…»». */
static int
letter_event(mf_import *imp, struct letter *lt)
{
	for (unsigned i = 0; i < lt->d.n; i++) {
		const char *w = strstr(lt->d.line[i], "вебинар \xc2\xab"), *q, *e;
		mf_period per = MF_PERIOD_INIT;
		size_t l;
		if (w == NULL || !find_day_month(lt->d.line[i], 0, &per, NULL))
			continue;
		q = w + strlen("вебинар ");
		if ((e = close_quote(q)) == NULL)
			continue;
		l = (size_t)(e - q) - 4;
		if (l >= sizeof(lt->title))
			l = sizeof(lt->title) - 1;   /* a title too long is cut */
		memcpy(lt->title, q + 2, l);
		lt->title[l] = '\0';
		pt_clean(lt->title);
		H->date_format(per.iv[0].from, lt->evdate);
		lt->ev_line = i + 1;
		return 0;
	}
	H->error(imp, lt->d.n, "no webinar found (a line «DD месяца YYYY г. … вебинар «…»»)");
	return -1;
}

/* The organiser, the participants and the views, wherever they are said. */
static void
letter_facts(struct letter *lt)
{
	for (unsigned i = 0; i < lt->d.n; i++) {
		const char *l = lt->d.line[i];
		if (!lt->organiser[0] && pt_starts(l, "Организатор")) {
			const char *p = strstr(l, " – ");
			if (p == NULL)
				p = strstr(l, " - ");
			if (p) {
				pt_sfmt(lt->organiser, sizeof(lt->organiser), "%s",
					p + (p[1] == '-' ? 3 : 5));
				pt_clean(lt->organiser);
				trim_end(lt->organiser, ".");
			}
		}
		if (!lt->participants && (strstr(l, "участие") || strstr(l, "подключал")))
			lt->participants = number_before(l, " человек");
		if (!lt->views && strstr(l, "просмотров"))
			lt->views = number_after(l, "просмотров");
	}
}

/* The speakers' schools: the bullets after «Спикерами», each school once. */
static int
letter_speakers(mf_import *imp, struct letter *lt)
{
	unsigned i;

	for (i = 0; i < lt->d.n; i++)
		if (strstr(lt->d.line[i], "Спикерами"))
			break;
	for (i++; i < lt->d.n; i++) {
		const char *l = pt_skip_sp(lt->d.line[i]);
		char name[1024], mun[512], key[1600];
		int dup = 0;
		if (pt_blank(l))
			continue;
		if (!pt_starts(l, "·") && !pt_starts(l, "•") && !pt_starts(l, "-"))
			break;
		if (!find_school(l, name, sizeof(name), mun, sizeof(mun)) ||
		    lt->nschools >= MAX_SCHOOLS)
			continue;
		school_key(name, mun, key, sizeof(key));
		for (int k = 0; k < lt->nschools; k++)
			if (strcmp(lt->school_keys[k], key) == 0)
				dup = 1;
		if (dup)
			continue;
		if (emit_school(imp, name, mun, lt->source, NULL, NULL, NULL,
				lt->school_keys[lt->nschools], sizeof(lt->school_keys[0])) != 0)
			return -1;
		lt->nschools++;
	}
	return 0;
}

static int
letter_event_record(mf_import *imp, struct letter *lt)
{
	char key[512], n[16];
	mf_rec *r;

	pt_sfmt(key, sizeof(key), "webinar:%s:%s", lt->evdate, lt->title);
	if ((r = H->rec_new(imp, "event", key)) == NULL)
		return -1;
	H->rec_set(r, "type", "webinar");
	H->rec_set(r, "title", lt->title);
	H->rec_set(r, "date", lt->evdate);
	if (lt->organiser[0])
		H->rec_set(r, "organiser", lt->organiser);
	if (lt->participants) {
		pt_sfmt(n, sizeof(n), "%u", lt->participants);
		H->rec_set(r, "participants", n);
	}
	if (lt->views) {
		pt_sfmt(n, sizeof(n), "%u", lt->views);
		H->rec_set(r, "views", n);
	}
	for (int k = 0; k < lt->nschools; k++)
		H->rec_add_ref(r, "school_ids", "school", lt->school_keys[k]);
	H->rec_set(r, "source", lt->source);
	return H->rec_emit(r, NULL);
}

/* The mentoring forms presented: the quoted forms of the first line that
 * speaks of «форм», gives no percentages and names at least one. */
static int
letter_forms(mf_import *imp, struct letter *lt)
{
	int nforms = 0;

	for (unsigned i = 0; i < lt->d.n && nforms == 0; i++) {
		const char *l = lt->d.line[i], *e;
		if (!strstr(l, "форм") || strchr(l, '%'))
			continue;
		for (const char *q = strstr(l, "\xc2\xab"); q; q = strstr(q + 2, "\xc2\xab")) {
			char ft[256], key[512];
			const char *form;
			mf_rec *r;
			int got = quote_text(q, ft, sizeof(ft), &e);
			if (got < 0)
				break;
			if (got == 0)
				continue;
			pt_clean(ft);
			if ((form = H->map_term("mentoring_form", ft)) == NULL)
				continue;
			pt_sfmt(key, sizeof(key), "%s|region|%s", lt->source, form);
			if ((r = H->rec_new(imp, "mentoring_practice", key)) == NULL)
				return -1;
			H->rec_set(r, "region", REGION);
			H->rec_set(r, "form", form);
			H->rec_set(r, "form_text", ft);
			H->rec_set(r, "source", lt->source);
			if (H->rec_emit(r, NULL) != 0)
				return -1;
			nforms++;
		}
	}
	return 0;
}

/* The population of «охват X, вовлеченных …» in ind, or "". */
static void
target_population(const char *ind, char *pop, size_t pl)
{
	const char *o = strstr(ind, "охват "), *v = strstr(ind, ", вовлеченных");

	pop[0] = '\0';
	if (o && v && v > o) {
		size_t l = (size_t)(v - o) - strlen("охват ");
		if (l < pl) {
			memcpy(pop, o + strlen("охват "), l);
			pop[l] = '\0';
		}
	}
}

/* A target's identity: the letter, the value, then its forms (or, with
 * none, its indicator). */
static int
target_key(const char *source, const char *val, const char **forms, int nf, const char *ind,
	   char *key, size_t kl)
{
	struct pstr kb = { 0 };
	int bad;

	pt_sfmt(key, kl, "%s|target|%s", source, val);
	bad = pstr_add(&kb, key);
	for (int k = 0; k < nf; k++)
		bad |= pstr_add(&kb, "|") | pstr_add(&kb, forms[k]);
	if (nf == 0)
		bad |= pstr_add(&kb, "|") | pstr_add(&kb, ind);
	pt_sfmt(key, kl, "%s", pstr_get(&kb));
	pstr_free(&kb);
	return bad ? -1 : 0;
}

/* One target from a bullet «NN% охват …»: l at the value, pct at its '%'. */
static int
letter_target(mf_import *imp, struct letter *lt, const char *l, const char *pct,
	      const char *deadline, unsigned line)
{
	char ind[2048], pop[1024], val[16], key[512], *cut;
	const char *forms[8], *e;
	int nf = 0;
	mf_rec *r;

	memcpy(val, l, (size_t)(pct - l));
	val[pct - l] = '\0';
	pt_sfmt(ind, sizeof(ind), "%s", pt_skip_sp(pct + 1));
	if ((cut = strstr(ind, ", используя")) != NULL)
		*cut = '\0';
	pt_clean(ind);
	trim_end(ind, ";.,");
	target_population(ind, pop, sizeof(pop));
	for (const char *q = strstr(ind, "\xc2\xab"); q && nf < 8; q = strstr(q + 2, "\xc2\xab")) {
		char ft[256];
		int got = quote_text(q, ft, sizeof(ft), &e);
		if (got < 0)
			break;
		if (got > 0 && (forms[nf] = H->map_term("mentoring_form", ft)) != NULL)
			nf++;
	}
	if (!deadline[0])
		H->warn(imp, line, "target without a deadline");
	if (target_key(lt->source, val, forms, nf, ind, key, sizeof(key)) != 0)
		return pr_oom(H, imp, line);
	if ((r = H->rec_new(imp, "target", key)) == NULL)
		return -1;
	H->rec_set(r, "indicator", ind);
	H->rec_set(r, "value", val);
	H->rec_set(r, "unit", "%");
	if (pop[0])
		H->rec_set(r, "population", pop);
	if (deadline[0])
		H->rec_set(r, "deadline", deadline);
	for (int k = 0; k < nf; k++)
		H->rec_add(r, "forms", forms[k]);
	H->rec_set(r, "source", lt->source);
	return H->rec_emit(r, NULL);
}

/* The coverage targets: the bullets with a percentage; a line after the
 * event's that introduces them («Стремиться к …», «… к DATE») gives the
 * deadline of the bullets after it. */
static int
letter_targets(mf_import *imp, struct letter *lt, int *ntargets)
{
	char deadline[11] = "";

	for (unsigned i = 0; i < lt->d.n; i++) {
		const char *l = pt_skip_sp(lt->d.line[i]), *pct;
		mf_period per = MF_PERIOD_INIT;
		if (!pt_starts(l, "·") && !pt_starts(l, "•")) {
			if (!pt_blank(l) && find_day_month(l, 0, &per, NULL) && strstr(l, " к ") == NULL &&
			    !pt_starts(l, "Стремиться"))
				continue;
			if (!pt_blank(l) && (pt_starts(l, "Стремиться") || strstr(l, " к ")) &&
			    find_day_month(l, 0, &per, NULL) && i + 1 > lt->ev_line)
				H->date_format(per.iv[0].from, deadline);
			continue;
		}
		l += pt_starts(l, "·") ? strlen("·") : strlen("•");
		l = pt_skip_sp(l);
		pct = strchr(l, '%');
		if (pct == NULL || !isdigit((unsigned char)l[0]) || pct - l > 6)
			continue;
		if (letter_target(imp, lt, l, pct, deadline, i + 1) != 0)
			return -1;
		(*ntargets)++;
	}
	return 0;
}

/* 1 when s holds a person's initials and surname, «Ю.В. Калинюк» or
 * «Калинюк Ю.В.»: two capital letters each followed by «.». */
static int
has_initials(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		/* А-Я: D0 90..D0 AF, Ё: D0 81 */
		const unsigned char *v = u;
		int caps = 0;
		while (caps < 2 && v[0] == 0xD0 && ((v[1] >= 0x90 && v[1] <= 0xAF) || v[1] == 0x81) &&
		       v[2] == '.') {
			caps++;
			v += 3;
			while (*v == ' ')
				v++;
		}
		if (caps == 2)
			return 1;
	}
	return 0;
}

/*
 * 1 when line s can be part of a letter's signature block: the signer's
 * position («Начальник департамента», «Заместитель начальника»), the
 * signer's initials and surname, the executor («Исп. …», «Исполнитель»)
 * and a contact.  Such lines are short; a bullet is never one (a speaker
 * «· Портнова Е.В., …» names a person too).  *name is set when s names a
 * person.
 */
static int
signature_line(const char *s, int *name)
{
	static const char *const pos[] = { "Начальник", "Директор", "Заместитель",
		"Первый заместитель", "Руководитель", "Председатель", "Министр", "Глава",
		"И.о.", "И. о.", "Врио", "Исп.", "Исполнитель", "исп.", "С уважением" };
	char c[512];

	if (strlen(s) > 200 || pt_starts(pt_skip_sp(s), "·") || pt_starts(pt_skip_sp(s), "•") ||
	    pt_starts(pt_skip_sp(s), "-"))
		return 0;
	pt_sfmt(c, sizeof(c), "%s", s);
	pt_clean(c);
	if (c[0] && strchr(":;,", c[strlen(c) - 1]))   /* «ТОИПКРО (Ю.А. Чащиной):» goes on */
		return 0;
	if (has_initials(c)) {
		*name = 1;
		return 1;
	}
	for (size_t k = 0; k < sizeof(pos) / sizeof(pos[0]); k++)
		if (pt_starts(c, pos[k]))
			return 1;
	return pt_contact(c);
}

/* pt_sentence_end of the line's text (HTML tags and entities dropped). */
static int
ends_sentence(const char *l)
{
	char *c = strdup(l);
	int r;

	if (c == NULL)
		return pt_sentence_end(l);
	r = pt_sentence_end(pt_clean(c));
	free(c);
	return r;
}

/*
 * Complete (doc/PLUGIN.md, "Complete documents").  A Russian official
 * letter ends with its signature block: the signer's position and «И.О.
 * Фамилия», then the executor and a telephone.  A letter that has one is
 * whole.  One copied without it (as the seed 002, whose text stops after its
 * last list) must show its end another way: a letter on a webinar's results
 * closes with what it asks of the region, the targets («Стремиться к DATE
 * обеспечить:» and its «NN% охват …» bullets), and its text ends a sentence
 * or a list: a Russian list runs «…;», «…;», «….», so a last line ending
 * with «;», «,» or «:» (a list announced or half-read) stops in the middle.
 * Otherwise the letter is cut: the speakers, forms and targets after the
 * cut would be missing.  Signals of the genre (host->incomplete, which
 * refuses unless the letter is imported with --whole): the import goes on
 * after them and the host decides.
 */
static int
letter_closed(mf_import *imp, struct letter *lt, int ntargets)
{
	unsigned last = lt->d.n, body;
	int named = 0;

	while (last > 0 && pt_blank(lt->d.line[last - 1]))
		last--;
	/* the signature block: the trailing lines that can be part of one */
	for (body = last; body > 0; body--)
		if (!pt_blank(lt->d.line[body - 1]) && !signature_line(lt->d.line[body - 1], &named))
			break;
	if (named && body > 0 && !ends_sentence(lt->d.line[body - 1])) {
		pr_incomplete(H, imp, body, "the letter's text stops here in the middle of a list "
			      "or a sentence, above its signature: lines look missing");
		return 0;
	}
	if (named)
		return 0;
	if (ntargets == 0) {
		pr_incomplete(H, imp, last ? last : 1, "the letter stops here, with no signature "
			      "and before its targets («Стремиться к … обеспечить:» and its «NN%% "
			      "охват …» bullets): a cut copy");
		return 0;
	}
	if (!ends_sentence(lt->d.line[last - 1])) {
		pr_incomplete(H, imp, last, "the letter stops here in the middle of a list or a "
			      "sentence (its last line does not end with «.») and has no signature: a "
			      "cut copy");
		return 0;
	}
	return 0;
}

int
import_letter(mf_import *imp, const char *data, size_t len)
{
	struct letter lt;
	int rc = -1, ntargets = 0;

	memset(&lt, 0, sizeof(lt));
	if (pdoc_init(&lt.d, data, len) != 0)
		return pr_oom(H, imp, 0);
	letter_source(&lt);
	if (letter_event(imp, &lt) == 0) {
		letter_facts(&lt);
		if (letter_speakers(imp, &lt) == 0 && letter_event_record(imp, &lt) == 0 &&
		    letter_forms(imp, &lt) == 0 && letter_targets(imp, &lt, &ntargets) == 0 &&
		    letter_closed(imp, &lt, ntargets) == 0)
			rc = 0;
	}
	pdoc_free(&lt.d);
	return rc;
}
