/*
 * plugin.c — the Tomsk region plugin (RU-TOM): its descriptor, its roadmap
 * model and the entry point.  Each format is read in its own file:
 *
 *   tomsk-league-order     order.c: an order of the Department of Education
 *                          on the Mentoring League: member schools (numbered
 *                          list with municipality), their membership, the
 *                          League's work plan (tab-separated table) as a
 *                          roadmap with items.
 *   tomsk-webinar-letter   practices.c: a letter on a webinar: the event
 *                          (date, title, organiser, participants, views), the
 *                          speakers' schools, the mentoring forms presented,
 *                          coverage targets («75% охват … «учитель-ученик» …»).
 *   tomsk-school-page      forms.c: a school's mentoring web page: the school,
 *                          each mentoring form with goal (Цель) and tasks
 *                          (Задачи).
 *   tomsk-league-news      news.c: a news text on the League: its webinars
 *                          (dates without a year: --year or the plan year,
 *                          flagged).
 *   tomsk-competency-cards cards.c: the League's competency cards,
 *                          doc/formats/competency-card.md.
 *
 * Shared by them: text.c (quotes, dates, lists) and school.c (school names
 * and records); plugins/common/ holds what the region plugins share.
 */
#include "tomsk.h"

const struct mf_host_api *H;

/*
 * Roadmap model "tomsk-league-plan": the League's plan is a one-year plan.
 *   - an item with a report carrying evidence that says done: done;
 *   - timing not understood: unknown;
 *   - «В течение года»: planned before the plan year, continuous during it,
 *     overdue after it (a year-long task must be reported done by then);
 *   - otherwise by its intervals: in progress inside one, planned before the
 *     first or between two (the next one is still to come), overdue after
 *     the last.
 */
static enum mf_item_status
item_status(const mf_item_view *it, mf_date at)
{
	/* These are exactly the host's generic rules; the model keeps its own
	 * name so that a change of the League's rules stays here. */
	return H->generic_status(it, at);
}

static const mf_format formats[] = {
	{ "tomsk-league-order", "Order on the Mentoring League: member schools, membership, "
	  "work plan (roadmap)", probe_order, import_order },
	{ "tomsk-webinar-letter", "Letter on a webinar: event, speakers' schools, mentoring "
	  "forms, coverage targets", probe_letter, import_letter },
	{ "tomsk-school-page", "A school's mentoring page: mentoring forms with goal and tasks",
	  probe_page, import_page },
	{ "tomsk-league-news", "News on the Mentoring League: its webinars", probe_news, import_news },
	{ "tomsk-competency-cards", "The League's competency cards (doc/formats/competency-card.md)",
	  probe_cards, import_cards },
};

/* What makes each format's document complete (struct mf_plugin.complete);
 * NULL: the format has no such signal (doc/PLUGIN.md says why). */
static const char *const complete[] = {
	"every annex the order's text names is present («Приложение № N»); the school "
	"list runs 1, 2, 3… without a gap; every plan row has all its cells; the year's "
	"plan runs to its last quarter (its latest dated row ends in October–December; a "
	"genre signal: --whole imports a plan that ends earlier)",
	"a signature block («Начальник …», «И.О. Фамилия», «Исп.», a telephone) after a "
	"text that ends a sentence; without one, the targets the letter sets («Стремиться "
	"к … обеспечить:», «NN% охват …») and a last line that ends a sentence or a list "
	"(«.», not «;», «,» or «:»); signals of the genre: --whole imports a letter without them",
	"the site's footer with the school's contacts («E-mail», a telephone) after the "
	"mentoring forms (a genre signal: --whole imports a page without it)",
	"the closing paragraph with a contact («Дополнительная информация: …», a "
	"telephone or e-mail) is the text's last (a genre signal: --whole imports a news "
	"item without it)",
	"the closing line «Всего карточек: N», the file's last, with N the number of cards "
	"(without it: a genre signal, --whole imports the file); «Карточек: N» in the "
	"header, when given: exactly N cards",
};

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "tomsk",
	.version = "1.0",
	.region = REGION,
	.description = "Tomsk region (ТОИПКРО): Mentoring League orders and plans, webinar "
		       "letters, school mentoring pages, League news, competency cards",
	.formats = formats,
	.n_formats = (int)(sizeof(formats) / sizeof(formats[0])),
	.model = "tomsk-league-plan",
	.item_status = item_status,
	.shutdown = NULL,
	.complete = complete,
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int host_abi)
{
	if (host == NULL || host_abi != MF_PLUGIN_ABI_VERSION ||
	    !MF_HOST_HAS(host, generic_status))
		return NULL;
	H = host;
	return &plugin;
}
