/*
 * forms.c — format tomsk-school-page: a school's «Наставничество» web page.
 *
 * The page starts with the school's name (the lines above its first date
 * line); a line «… E-mail …» gives the short name before it.  Under
 * «Формы наставничества» each mentoring form is a line naming it
 * («Учитель - учитель»), then «Цель: …» (possibly over several lines) and
 * «Задачи:» with numbered tasks.  Anything else ends the section.
 * Complete: the site's footer (the school's contacts) after the forms.
 * Records: the school, a mentoring_practice per form.
 */
#include <stdlib.h>
#include <string.h>

#include "tomsk.h"

#define MAX_TASKS 64

struct form_acc {
	char form_text[256];
	const char *form;
	unsigned line;
	struct pstr goal;
	char *tasks[MAX_TASKS];
	unsigned task_line[MAX_TASKS];
	int ntasks;
};

struct page {
	struct pdoc d;
	unsigned date_line;
	char skey[1600], source[512];
	struct form_acc f;   /* the form being read */
	int nforms, mode;    /* mode 1: in the goal, 2: in the tasks */
};

int
probe_page(const char *data, size_t len)
{
	(void)len;
	if (strstr(data, "Формы наставничества") && strstr(data, "Цель:") && strstr(data, "Задачи:"))
		return 80;
	return 0;
}

static int
emit_form(mf_import *imp, struct form_acc *f, const char *skey, const char *source)
{
	char key[2048];
	mf_rec *r;

	if (f->goal.len == 0)
		H->warn(imp, f->line, "form «%s» has no goal (Цель)", f->form_text);
	if (f->ntasks == 0)
		H->warn(imp, f->line, "form «%s» has no tasks (Задачи)", f->form_text);
	pt_sfmt(key, sizeof(key), "%s|%s", skey, f->form);
	r = H->rec_new(imp, "mentoring_practice", key);
	if (r == NULL)
		return -1;
	H->rec_set_ref(r, "school_id", "school", skey);
	H->rec_set(r, "region", REGION);
	H->rec_set(r, "form", f->form);
	H->rec_set(r, "form_text", f->form_text);
	if (f->goal.len)
		H->rec_set(r, "goal", pstr_get(&f->goal));
	for (int k = 0; k < f->ntasks; k++) {
		size_t l = strlen(f->tasks[k]);
		if (l && !strchr(".!?;:)", f->tasks[k][l - 1]))
			H->warn(imp, f->task_line[k], "task %d of form «%s» seems cut mid-sentence; kept "
				"as written", k + 1, f->form_text);
		H->rec_add(r, "tasks", f->tasks[k]);
	}
	H->rec_set(r, "source", source);
	return H->rec_emit(r, NULL);
}

static void
form_free(struct form_acc *f)
{
	pstr_free(&f->goal);
	for (int k = 0; k < f->ntasks; k++)
		free(f->tasks[k]);
	memset(f, 0, sizeof(*f));
}

/* The school's name: the lines above the page's date line (in its first
 * eight lines). */
static int
page_name(mf_import *imp, struct page *pg, struct pstr *nb)
{
	unsigned i;

	for (i = 0; i < pg->d.n && i < 8; i++) {
		char iso[11];
		if (pt_find_dmy(pg->d.line[i], iso)) {
			pg->date_line = i + 1;
			break;
		}
	}
	if (!pg->date_line) {
		H->error(imp, 1, "no page header (school name followed by a «DD.MM.YYYY» date line)");
		return -1;
	}
	for (i = 0; i + 1 < pg->date_line; i++) {
		char l[512];
		pt_sfmt(l, sizeof(l), "%s", pg->d.line[i]);
		if (pt_clean(l)[0] && pstr_addw(nb, l) != 0)
			return pr_oom(H, imp, i + 1);
	}
	if (nb->len == 0) {
		H->error(imp, 1, "no school name above the page's date line");
		return -1;
	}
	return 0;
}

/* The school record: name, short name (before «E-mail» on the last line
 * with one), the page and its date as the source. */
static int
page_school(mf_import *imp, struct page *pg)
{
	struct pstr nb = { 0 };
	char name[1024], mun[512], shortn[256] = "", iso[11];
	mf_rec *r;

	if (page_name(imp, pg, &nb) != 0) {
		pstr_free(&nb);
		return -1;
	}
	split_school(pstr_get(&nb), name, sizeof(name), mun, sizeof(mun));
	pstr_free(&nb);
	for (unsigned i = 0; i < pg->d.n; i++) {
		const char *l = pg->d.line[i], *e = strstr(l, "E-mail");
		if (e && (size_t)(e - l) < sizeof(shortn)) {
			memcpy(shortn, l, (size_t)(e - l));
			shortn[e - l] = '\0';
			pt_clean(shortn);
		}
	}
	pt_find_dmy(pg->d.line[pg->date_line - 1], iso);
	pt_sfmt(pg->source, sizeof(pg->source), "страница «Наставничество» сайта школы, %s", iso);
	school_key(name, mun, pg->skey, sizeof(pg->skey));
	if ((r = pr_school_new(H, imp, pg->skey, name, shortn, mun, REGION)) == NULL)
		return -1;
	H->rec_set(r, "source", pg->source);
	return H->rec_emit(r, NULL);
}

/* A line naming a mentoring form: the form before it is complete. */
static int
page_form_start(mf_import *imp, struct page *pg, const char *form, const char *text,
		unsigned line)
{
	if (pg->f.form) {
		if (emit_form(imp, &pg->f, pg->skey, pg->source) != 0)
			return -1;
		pg->nforms++;
		form_free(&pg->f);
	}
	pg->f.form = form;
	pt_sfmt(pg->f.form_text, sizeof(pg->f.form_text), "%s", text);
	pg->f.line = line;
	pg->mode = 0;
	return 0;
}

/* One cleaned line of the forms section: 1 when it belongs to the section,
 * 0 when it ends it, -1 on error. */
static int
page_form_line(mf_import *imp, struct page *pg, const char *c, unsigned line)
{
	struct form_acc *f = &pg->f;
	const char *form, *rest;
	int num;

	if (strlen(c) < 64 && (form = H->map_term("mentoring_form", c)) != NULL)
		return page_form_start(imp, pg, form, c, line) == 0 ? 1 : -1;
	if (f->form == NULL)
		return pg->nforms == 0;   /* text before the first form */
	if (pt_starts(c, "Цель:")) {
		pg->mode = 1;
		return pstr_addw(&f->goal, pt_skip_sp(c + strlen("Цель:"))) == 0 ? 1 :
		       pr_oom(H, imp, line);
	}
	if (pt_starts(c, "Задачи:")) {
		pg->mode = 2;
		return 1;
	}
	if (pg->mode == 2 && (num = pt_numbered(c, &rest)) > 0) {
		if (num != f->ntasks + 1)
			H->warn(imp, line, "task numbered %d where %d was expected", num, f->ntasks + 1);
		if (f->ntasks < MAX_TASKS) {
			if ((f->tasks[f->ntasks] = strdup(rest)) == NULL)
				return pr_oom(H, imp, line);
			f->task_line[f->ntasks++] = line;
		}
		return 1;
	}
	if (pg->mode == 1 && f->ntasks == 0 && !pt_numbered(c, NULL))   /* the goal continues */
		return pstr_addw(&f->goal, c) == 0 ? 1 : pr_oom(H, imp, line);
	return 0;
}

/*
 * Complete (doc/PLUGIN.md, "Complete documents"): a site page's text ends
 * with the site's footer, the school's contacts («МАОУ СОШ № 14  E-mail:
 * …», a telephone), below everything the page shows.  A page without one
 * after its forms is cut: the forms read may be only the first of them, the
 * last form's tasks only its first.  from: the line the forms section
 * ended at (0-based).  A signal of the genre (host->incomplete): a page
 * copied without its footer is imported with --whole.
 */
static int
page_footer(mf_import *imp, struct page *pg, unsigned from)
{
	unsigned last = 0;

	for (unsigned i = from; i < pg->d.n; i++) {
		if (pt_contact(pg->d.line[i]))
			return 0;
		if (!pt_blank(pg->d.line[i]))
			last = i + 1;
	}
	pr_incomplete(H, imp, last ? last : pg->d.n, "the page stops here without the site's "
		      "footer (the school's contacts: «E-mail», a telephone) after its mentoring "
		      "forms: a cut copy, its forms and tasks may be only the first of them");
	return 0;   /* the host refuses it, or imports it with --whole */
}

/* «Формы наставничества» and the forms under it. */
static int
page_forms(mf_import *imp, struct page *pg)
{
	unsigned i, forms_at = 0;

	for (i = pg->date_line; i < pg->d.n; i++) {
		char l[256];
		pt_sfmt(l, sizeof(l), "%s", pg->d.line[i]);
		if (strcmp(pt_clean(l), "Формы наставничества") == 0) {
			forms_at = i + 1;
			break;
		}
	}
	if (!forms_at) {
		H->error(imp, pg->d.n, "no «Формы наставничества» section");
		return -1;
	}
	for (i = forms_at; i < pg->d.n; i++) {
		char c[4096];
		int in;
		if (pt_blank(pg->d.line[i]))
			continue;
		pt_sfmt(c, sizeof(c), "%s", pg->d.line[i]);
		pt_clean(c);
		if ((in = page_form_line(imp, pg, c, i + 1)) < 0)
			return -1;
		if (in == 0)
			break;
	}
	if (pg->f.form) {
		if (emit_form(imp, &pg->f, pg->skey, pg->source) != 0)
			return -1;
		pg->nforms++;
	}
	if (pg->nforms == 0) {
		H->error(imp, forms_at, "no mentoring form (e.g. «Учитель - учитель») under "
			 "«Формы наставничества»");
		return -1;
	}
	return page_footer(imp, pg, i);
}

int
import_page(mf_import *imp, const char *data, size_t len)
{
	struct page pg;
	int rc;

	memset(&pg, 0, sizeof(pg));
	if (pdoc_init(&pg.d, data, len) != 0)
		return pr_oom(H, imp, 0);
	rc = page_school(imp, &pg) == 0 && page_forms(imp, &pg) == 0 ? 0 : -1;
	form_free(&pg.f);
	pdoc_free(&pg.d);
	return rc;
}
