/*
 * news.c — format tomsk-league-news: a news text on the Mentoring League.
 *
 * Each webinar is «[N-й] вебинар[е] (DD месяца)»: the date has no year, so
 * the year is --year or, failing that, the League's plan year the text
 * names («плана работы на 2025 год»), and every such date is flagged.  The
 * schools named after a webinar (before the next one) took part in it; a
 * link after it is its recording.  Complete: the text closes with a contact
 * paragraph («Дополнительная информация: …», telephone or e-mail).
 * Records: an event per webinar, a school per school named.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

#define NEWS_SOURCE "новость о Наставнической лиге"

int
probe_news(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "Наставническ") && strstr(data, "лиг") && strstr(data, "ебинар") &&
	    !strchr(data, '\t') && !strstr(data, "РАСПОРЯЖЕНИЕ"))
		return 50;
	return 0;
}

struct webinar {
	const char *word;        /* «вебинар» in the line */
	const char *when;        /* after «(» */
	const char *end;         /* at «)» */
	mf_period per;
	char date[11];
};

/* «вебинар (21 февраля)», «вебинаре (26 февраля)» at w: 1 when a webinar
 * with its date, w->when and w->end around the date. */
static int
webinar_at(const char *word, int year, struct webinar *w)
{
	const char *par = word + strlen("вебинар"), *ds;

	while (*par && *par != ' ' && *par != '(' && par - word < 24)
		par++;
	par = pt_skip_sp(par);
	if (*par != '(' || (w->end = find_day_month(par + 1, year, &w->per, &ds)) == NULL ||
	    ds != par + 1 || *w->end != ')')
		return 0;
	w->word = word;
	w->when = par + 1;
	H->date_format(w->per.iv[0].from, w->date);
	return 1;
}

/* «1-й вебинар Наставнической лиги (21 февраля)»: the ordinal before the
 * word («1-й вебинар», «2-м вебинаре»), when there is one. */
static void
webinar_title(const char *line, const struct webinar *w, char *ttl, size_t tl)
{
	const char *start = w->word;
	char when[128];
	size_t wl = (size_t)(w->end - w->when);

	if (start - line >= 4) {
		const char *s = start - 1;
		if (*s == ' ')
			s--;
		while (s > line && s[-1] != ' ')
			s--;
		if (isdigit((unsigned char)*s))
			start = s;
	}
	if (wl >= sizeof(when))
		wl = sizeof(when) - 1;
	memcpy(when, w->when, wl);
	when[wl] = '\0';
	if (start != w->word)
		pt_sfmt(ttl, tl, "%d-й вебинар Наставнической лиги (%s)", atoi(start), when);
	else
		pt_sfmt(ttl, tl, "Вебинар Наставнической лиги (%s)", when);
}

/* The schools named after the webinar (up to a little past the next one),
 * each a record referred to by the event r. */
static int
webinar_schools(mf_import *imp, mf_rec *r, const struct webinar *w)
{
	const char *next = strstr(w->end, "ебинар"), *scan = w->end, *sc;
	char name[1024], mun[512], skey[1600];

	while ((sc = find_school(scan, name, sizeof(name), mun, sizeof(mun))) != NULL &&
	       (next == NULL || sc < next + 200)) {
		if (emit_school(imp, name, mun, NEWS_SOURCE, NULL, NULL, NULL, skey,
				sizeof(skey)) != 0)
			return -1;
		H->rec_add_ref(r, "school_ids", "school", skey);
		scan = sc;
	}
	return 0;
}

/* A recording link after the webinar, up to the next space. */
static void
webinar_url(mf_rec *r, const struct webinar *w)
{
	const char *url = strstr(w->end, "https://");
	char u[512];
	size_t ul = 0;

	if (url == NULL)
		url = strstr(w->end, "http://");
	if (url == NULL)
		return;
	while (url[ul] && url[ul] != ' ' && ul + 1 < sizeof(u)) {
		u[ul] = url[ul];
		ul++;
	}
	u[ul] = '\0';
	trim_end(u, ".,;)");
	H->rec_set(r, "recording_url", u);
}

static int
webinar_emit(mf_import *imp, const char *line, const struct webinar *w)
{
	char key[128], ttl[512];
	mf_rec *r;

	webinar_title(line, w, ttl, sizeof(ttl));
	pt_sfmt(key, sizeof(key), "league-webinar:%s", w->date);
	if ((r = H->rec_new(imp, "event", key)) == NULL)
		return -1;
	H->rec_set(r, "type", "webinar");
	H->rec_set(r, "title", ttl);
	H->rec_set(r, "date", w->date);
	H->rec_set(r, "date_assumed", "true");
	H->rec_set(r, "organiser", LEAGUE);
	if (webinar_schools(imp, r, w) != 0)
		return -1;
	webinar_url(r, w);
	H->rec_set(r, "source", NEWS_SOURCE);
	return H->rec_emit(r, NULL);
}

/*
 * Complete (doc/PLUGIN.md, "Complete documents"): a League news item closes
 * with whom to ask, «Дополнительная информация: координатор … телефон,
 * e-mail» — its last paragraph gives a contact.  A text that stops before
 * it is cut: its last webinars, the schools named after them, are missing.
 * A signal of the genre (host->incomplete): a news item written without
 * one is imported with --whole.
 */
static int
news_closed(mf_import *imp, const struct pdoc *d)
{
	unsigned last = d->n;

	while (last > 0 && pt_blank(d->line[last - 1]))
		last--;
	if (last > 0 && pt_contact(d->line[last - 1]))
		return 0;
	pr_incomplete(H, imp, last ? last : 1, "the news stops here without its closing "
		      "paragraph (whom to ask: «Дополнительная информация: …» with a telephone or "
		      "e-mail): a cut copy, webinars after this line may be missing");
	return 0;   /* the host refuses it, or imports it with --whole */
}

int
import_news(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	int rc = -1, year = H->import_year(imp), nweb = 0;
	unsigned i, year_line = 0;
	int from_arg = year > 0;

	if (pdoc_init(&d, data, len) != 0)
		return pr_oom(H, imp, 0);
	/* without --year: the League's plan year («плана работы на 2025 год») */
	for (i = 0; i < d.n && !year; i++)
		if ((year = year_of_plan(d.line[i], 1)) != 0)
			year_line = i + 1;
	if (!year) {
		H->error(imp, 1, "the webinars' dates have no year and the text names no plan "
			 "year («на YYYY год»): give one with --year");
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		const char *l = d.line[i], *word = l;
		while ((word = strstr(word, "вебинар")) != NULL) {
			struct webinar w = { .per = MF_PERIOD_INIT };
			if (!webinar_at(word, year, &w)) {
				word += strlen("вебинар");
				continue;
			}
			if (webinar_emit(imp, l, &w) != 0)
				goto out;
			nweb++;
			if (!from_arg)
				H->warn(imp, i + 1, "webinar of %s: the text gives no year; %d assumed "
					"from the League's plan year (line %u)", w.date, year, year_line);
			word = w.end;
		}
	}
	if (nweb == 0) {
		H->error(imp, d.n, "no webinar with a date («вебинар (DD месяца)») found");
		goto out;
	}
	if (news_closed(imp, &d) != 0)
		goto out;
	rc = 0;
out:
	pdoc_free(&d);
	return rc;
}
