/*
 * cards.c — format tomsk-competency-cards: the League's competency cards
 * (doc/formats/competency-card.md).
 *
 * A header («ВИЗИТКИ КОМПЕТЕНЦИЙ», «Источник:», «Формат:», «Год:»), then
 * cards separated by empty lines, each «Поле: значение» lines starting with
 * «Школа:»; «Описание:» may go on over the following lines.
 * Records: per card, the school (a League member) and its competency_card.
 *
 * Complete: the file's last line «Всего карточек: N» closes it and states
 * how many cards it holds (the plugin and host->expect check the number:
 * another number is an error).  A file without that closing line may be
 * cut anywhere, between two cards or inside the last one: host->incomplete,
 * so that a file written before the closing line existed is still
 * imported with --whole.  The header «Карточек: N» (optional, the older
 * form) states the number too, checked the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

#define MAX_DIRS 8
#define MAX_OFFERS 4

struct card {
	unsigned line;
	char school[1024], mun[512];
	const char *dirs[MAX_DIRS];
	int ndirs;
	const char *offers[MAX_OFFERS];
	int noffers;
	struct pstr desc;
};

struct cards {
	struct card c;        /* the card being read */
	int in_card, ncards;
	int last_desc;        /* the last field was «Описание:» */
	char source[512];
	long declared;        /* «Карточек: N», -1: not given */
	unsigned declared_line;
	long total;           /* «Всего карточек: N», the closing line; -1: not given */
	unsigned total_line;
};

int
probe_cards(const char *data, size_t len)
{
	const char *p = data;

	(void)len;
	while (*p == '\n' || *p == '\r' || *p == ' ')
		p++;
	if (pt_starts(p, "ВИЗИТКИ КОМПЕТЕНЦИЙ"))
		return 95;
	return 0;
}

static int
card_emit(mf_import *imp, struct card *c, const char *source)
{
	char skey[1600];
	mf_rec *r;

	if (!c->school[0]) {
		H->error(imp, c->line, "card without «Школа:»");
		return -1;
	}
	if (c->ndirs == 0) {
		H->error(imp, c->line, "card of %s names no «Направления:»", c->school);
		return -1;
	}
	if (emit_school(imp, c->school, c->mun, source, LEAGUE, NULL, NULL, skey, sizeof(skey)) != 0)
		return -1;
	r = H->rec_new(imp, "competency_card", skey);
	if (r == NULL)
		return -1;
	H->rec_set_ref(r, "school_id", "school", skey);
	for (int k = 0; k < c->ndirs; k++)
		H->rec_add(r, "directions", c->dirs[k]);
	for (int k = 0; k < c->noffers; k++)
		H->rec_add(r, "offers", c->offers[k]);
	if (c->desc.len)
		H->rec_set(r, "description", pstr_get(&c->desc));
	H->rec_set(r, "source", source);
	return H->rec_emit(r, NULL);
}

/* An empty line (or the end): the card read so far is complete. */
static int
card_end(mf_import *imp, struct cards *cs)
{
	int rc = 0;

	if (cs->in_card) {
		rc = card_emit(imp, &cs->c, cs->source);
		cs->ncards++;
		pstr_free(&cs->c.desc);
		memset(&cs->c, 0, sizeof(cs->c));
		cs->in_card = 0;
	}
	cs->last_desc = 0;
	return rc;
}

/* «Направления:» / «Условия:»: magistral directions and key conditions,
 * separated by «;». */
static int
card_dirs(mf_import *imp, struct card *c, char *val, unsigned line)
{
	char *save = NULL;

	for (char *t = strtok_r(val, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		const char *id = H->map_term("direction", t);
		if (id == NULL) {
			H->error(imp, line, "«%s» is not a magistral direction or key condition",
				 pt_clean(t));
			return -1;
		}
		if (c->ndirs < MAX_DIRS)
			c->dirs[c->ndirs++] = id;
	}
	return 0;
}

/* «Предлагает:»: the kinds of support offered («other» when not known). */
static void
card_offers(struct card *c, char *val)
{
	char *save = NULL;

	for (char *t = strtok_r(val, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
		const char *id = H->map_term("support_type", pt_clean(t));
		if (id == NULL)
			id = "other";
		if (c->noffers < MAX_OFFERS)
			c->offers[c->noffers++] = id;
	}
}

/* A field of the card after «Школа:». */
static int
card_field(mf_import *imp, struct cards *cs, const char *field, char *val, unsigned line)
{
	struct card *c = &cs->c;

	if (strcmp(field, "Муниципалитет") == 0) {
		pt_sfmt(c->mun, sizeof(c->mun), "%s", val);
	} else if (strcmp(field, "Направления") == 0 || strcmp(field, "Условия") == 0) {
		return card_dirs(imp, c, val, line);
	} else if (strcmp(field, "Предлагает") == 0) {
		card_offers(c, val);
	} else if (strcmp(field, "Описание") == 0) {
		if (pstr_addw(&c->desc, val) != 0)
			return pr_oom(H, imp, line);
		cs->last_desc = 1;
	} else {
		H->error(imp, line, "unknown field «%s:»", field);
		return -1;
	}
	return 0;
}

/* A number of cards in «Карточек:» or «Всего карточек:»; -1 (reported)
 * when it is not one. */
static long
cards_number(mf_import *imp, const char *field, const char *val, unsigned line)
{
	char *end;
	long n = strtol(val, &end, 10);

	if (end == val || *pt_skip_sp(end) != '\0' || n < 1 || n > 100000) {
		H->error(imp, line, "«%s:» must be the number of cards, got «%.40s»", field, val);
		return -1;
	}
	return n;
}

/* A «Поле: значение» line (l cut at the colon, val after it): a header
 * field, the start of a card, one of its fields or the closing line. */
static int
cards_field(mf_import *imp, struct cards *cs, const char *l, char *val, unsigned line)
{
	if (strcmp(l, "Всего карточек") == 0) {
		/* the closing line; a card right above it (no empty line) ends */
		if (card_end(imp, cs) != 0 || (cs->total = cards_number(imp, l, val, line)) < 0)
			return -1;
		cs->total_line = line;
		return 0;
	}
	cs->last_desc = 0;
	if (strcmp(l, "Источник") == 0 && !cs->in_card) {
		pt_sfmt(cs->source, sizeof(cs->source), "%s", val);
		return 0;
	}
	if (strcmp(l, "Карточек") == 0 && !cs->in_card && cs->ncards == 0) {
		if ((cs->declared = cards_number(imp, l, val, line)) < 0)
			return -1;
		cs->declared_line = line;
		return 0;
	}
	if (strcmp(l, "Формат") == 0 || strcmp(l, "Год") == 0 || strcmp(l, "Карточек") == 0) {
		if (!cs->in_card)
			return 0;
		H->error(imp, line, "«%s:» belongs to the file header", l);
		return -1;
	}
	if (strcmp(l, "Школа") == 0) {
		if (cs->in_card) {
			H->error(imp, line, "a new «Школа:» inside a card: separate cards by an "
				 "empty line");
			return -1;
		}
		cs->in_card = 1;
		cs->c.line = line;
		pt_sfmt(cs->c.school, sizeof(cs->c.school), "%s", val);
		return 0;
	}
	if (!cs->in_card) {
		H->error(imp, line, "«%s:» before «Школа:»", l);
		return -1;
	}
	return card_field(imp, cs, l, val, line);
}

/* One non-empty line of the file. */
static int
cards_line(mf_import *imp, struct cards *cs, const char *raw, unsigned line)
{
	char l[4096], *colon;
	int indented = raw[0] == ' ' || raw[0] == '\t';

	pt_sfmt(l, sizeof(l), "%s", raw);
	pt_clean(l);
	if (l[0] == '#' || pt_starts(l, "ВИЗИТКИ КОМПЕТЕНЦИЙ"))
		return 0;
	if (cs->total_line) {
		H->error(imp, line, "«Всего карточек:» on line %u closes the file: nothing but "
			 "empty lines and comments may follow it", cs->total_line);
		return -1;
	}
	colon = strchr(l, ':');
	if (cs->last_desc && (indented || colon == NULL || colon - l > 40)) {
		/* the description continues */
		return pstr_addw(&cs->c.desc, l) == 0 ? 0 : pr_oom(H, imp, line);
	}
	if (colon == NULL || colon - l > 40) {
		if (!cs->in_card && cs->ncards == 0)
			return 0;   /* header prose */
		H->error(imp, line, "expected «Поле: значение», got «%.80s»", l);
		return -1;
	}
	*colon = '\0';
	return cards_field(imp, cs, l, (char *)pt_skip_sp(colon + 1), line);
}

/*
 * Complete (doc/PLUGIN.md, "Complete documents"): the closing line
 * «Всего карточек: N» is the file's last, and N is the number of cards
 * read.  A wrong N is a card lost or added: an error, whatever the
 * operator says.  No closing line: the file may be cut (between two cards,
 * or in the last card's optional lines, which nothing else shows), or
 * written before the format had the line — host->incomplete, at the last
 * line, so that --whole imports such a file.
 */
static int
cards_closed(mf_import *imp, const struct cards *cs, const struct pdoc *d)
{
	unsigned last = d->n;
	char what[64];

	if (cs->total > 0) {
		if (cs->total != cs->ncards) {
			H->error(imp, cs->total_line, "the closing line «Всего карточек: %ld» states "
				 "%ld cards, but %d %s read: the file is damaged (a card lost or "
				 "added); nothing was imported", cs->total, cs->total, cs->ncards,
				 cs->ncards == 1 ? "was" : "were");
			return -1;
		}
		pt_sfmt(what, sizeof(what), "«Всего карточек: %ld»", cs->total);
		pr_expect(H, imp, cs->total_line, "competency_card", (unsigned)cs->total, what);
		return 0;
	}
	/* the last line read: comments say nothing of where the cards stop */
	while (last > 0 && (pt_blank(d->line[last - 1]) || pt_skip_sp(d->line[last - 1])[0] == '#'))
		last--;
	pr_incomplete(H, imp, last ? last : 1, "the card file stops here without its closing "
		      "line «Всего карточек: N» (the number of cards, the file's last line): a "
		      "cut copy, cards or the last card's lines after this line may be missing");
	return 0;   /* the host refuses it, or imports it with --whole */
}

int
import_cards(mf_import *imp, const char *data, size_t len)
{
	struct pdoc d;
	struct cards cs;
	int rc = 0;

	memset(&cs, 0, sizeof(cs));
	cs.declared = -1;
	cs.total = -1;
	pt_sfmt(cs.source, sizeof(cs.source), "визитки компетенций Наставнической лиги");
	if (pdoc_init(&d, data, len) != 0)
		return pr_oom(H, imp, 0);
	for (unsigned i = 0; i <= d.n && rc == 0; i++) {
		if (i == d.n || pt_blank(d.line[i]))
			rc = card_end(imp, &cs);
		else
			rc = cards_line(imp, &cs, d.line[i], i + 1);
	}
	if (rc == 0 && cs.ncards == 0) {
		H->error(imp, d.n, "no card («Школа: …» block) found");
		rc = -1;
	}
	if (rc == 0 && cs.declared > 0) {
		char what[64];
		pt_sfmt(what, sizeof(what), "«Карточек: %ld»", cs.declared);
		pr_expect(H, imp, cs.declared_line, "competency_card", (unsigned)cs.declared, what);
	}
	if (rc == 0)
		rc = cards_closed(imp, &cs, &d);
	pstr_free(&cs.c.desc);
	pdoc_free(&d);
	return rc;
}
