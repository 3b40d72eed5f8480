/*
 * i18n.c — the language layer (see i18n.h and doc/I18N.md).
 *
 * Messages go through glibc's gettext.  Two things it does not do by
 * itself: run in Russian where ru_RU.UTF-8 is not generated (a fresh
 * Debian has only C.UTF-8), and answer one request in Russian and the
 * next in English.  The first: fall back to C.UTF-8 and name the
 * language in LANGUAGE, which glibc honours under any locale but C.  The
 * second: English is the msgid, so only other languages need gettext;
 * switching between them sets LANGUAGE and bumps _nl_msg_cat_cntr, the
 * counter glibc's translation cache is keyed by (the gettext manual's
 * documented way), under a lock.
 */
#include "config.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "util.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* glibc: bumping it invalidates the cache of translations looked up. */
extern int _nl_msg_cat_cntr;

static pthread_mutex_t tr_lock = PTHREAD_MUTEX_INITIALIZER;
static char proc_lang[16] = "en";	/* the process's language */
static char cur_lang[16] = "";		/* the language gettext now looks up */
static int bound;

/* Copy the language part of a locale or language name ("ru_RU.UTF-8",
 * "ru-RU", "ru:en") into out, lower case; "en" for C/POSIX/empty. */
static void
lang_norm(const char *s, char *out, size_t n)
{
	size_t i = 0;

	if (s == NULL || *s == '\0' || strcmp(s, "C") == 0 || strcmp(s, "POSIX") == 0 ||
	    strncmp(s, "C.", 2) == 0) {
		snprintf(out, n, "en");
		return;
	}
	while (s[i] != '\0' && isalpha((unsigned char)s[i]) && i + 1 < n && i < 8) {
		out[i] = (char)tolower((unsigned char)s[i]);
		i++;
	}
	out[i] = '\0';
	if (i == 0)
		snprintf(out, n, "en");
}

static void
bind_domain(void)
{
	const char *dir = getenv("MENTORFED_LOCALEDIR");

	if (bound)
		return;
	bindtextdomain(MF_TEXTDOMAIN, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
	bind_textdomain_codeset(MF_TEXTDOMAIN, "UTF-8");
	textdomain(MF_TEXTDOMAIN);
	bound = 1;
}

/* The locale variable that decides messages: LC_ALL > LC_MESSAGES > LANG. */
static const char *
messages_env(void)
{
	const char *v;

	if ((v = getenv("LC_ALL")) != NULL && *v != '\0')
		return v;
	if ((v = getenv("LC_MESSAGES")) != NULL && *v != '\0')
		return v;
	if ((v = getenv("LANG")) != NULL && *v != '\0')
		return v;
	return NULL;
}

void
mf_i18n_init(void)
{
	const char *want = messages_env(), *language;
	char l[16];

	lang_norm(want, l, sizeof(l));
	if (setlocale(LC_ALL, "") == NULL ||
	    (strcmp(l, "en") != 0 && strcmp(setlocale(LC_MESSAGES, NULL), "C") == 0)) {
		/* ru_RU.UTF-8 asked for but not generated: keep UTF-8 and the
		 * language, lose only the locale's other conventions. */
		if (setlocale(LC_ALL, "C.UTF-8") == NULL)
			setlocale(LC_ALL, "C");
		language = getenv("LANGUAGE");
		if (strcmp(l, "en") != 0 && (language == NULL || *language == '\0'))
			setenv("LANGUAGE", l, 1);
	}
	bind_domain();
	/* The language gettext will use: LANGUAGE's first entry, unless the
	 * messages locale is C (where glibc ignores LANGUAGE). */
	language = getenv("LANGUAGE");
	if (strcmp(setlocale(LC_MESSAGES, NULL), "C") == 0 ||
	    strcmp(setlocale(LC_MESSAGES, NULL), "POSIX") == 0)
		snprintf(proc_lang, sizeof(proc_lang), "en");
	else if (language != NULL && *language != '\0')
		lang_norm(language, proc_lang, sizeof(proc_lang));
	else
		lang_norm(setlocale(LC_MESSAGES, NULL), proc_lang, sizeof(proc_lang));
	snprintf(cur_lang, sizeof(cur_lang), "%s", proc_lang);
}

const char *
mf_i18n_lang(void)
{
	return proc_lang;
}

/* Point gettext at lang (not English).  Called with tr_lock held. */
static void
switch_to(const char *lang)
{
	const char *m;

	if (strcmp(cur_lang, lang) == 0)
		return;
	bind_domain();
	/* Under C glibc ignores LANGUAGE; C.UTF-8 is built into glibc. */
	m = setlocale(LC_MESSAGES, NULL);
	if (m == NULL || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	setenv("LANGUAGE", lang, 1);
	++_nl_msg_cat_cntr;
	snprintf(cur_lang, sizeof(cur_lang), "%s", lang);
}

const char *
mf_trn(const char *lang, const char *msgid, const char *msgid_plural, unsigned long n)
{
	char l[16];
	const char *r;

	if (msgid == NULL || *msgid == '\0')
		return "";	/* gettext("") is the catalogue's header */
	if (lang == NULL)
		snprintf(l, sizeof(l), "%s", proc_lang);
	else
		lang_norm(lang, l, sizeof(l));
	if (strcmp(l, "en") == 0)
		return msgid_plural == NULL || n == 1 ? msgid : msgid_plural;
	pthread_mutex_lock(&tr_lock);
	switch_to(l);
	if (msgid_plural == NULL)
		r = dgettext(MF_TEXTDOMAIN, msgid);
	else
		r = dngettext(MF_TEXTDOMAIN, msgid, msgid_plural, n);
	pthread_mutex_unlock(&tr_lock);
	return r;
}

const char *
mf_tr(const char *lang, const char *msgid)
{
	return mf_trn(lang, msgid, NULL, 1);
}

const char *
mf_lang_from_accept(const char *h)
{
	const char *best = NULL;
	double bq = -1;

	while (h != NULL && *h != '\0') {
		char tag[16];
		size_t i = 0;
		double q = 1;
		const char *e = strchr(h, ','), *qp;

		while (*h == ' ')
			h++;
		while (h[i] != '\0' && h[i] != ',' && h[i] != ';' && h[i] != ' ' && i + 1 < sizeof(tag)) {
			tag[i] = (char)tolower((unsigned char)h[i]);
			i++;
		}
		tag[i] = '\0';
		if ((qp = strstr(h, "q=")) != NULL && (e == NULL || qp < e))
			q = strtod(qp + 2, NULL);
		if (q > bq && q > 0) {
			if (strncmp(tag, "ru", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
				best = "ru", bq = q;
			else if (strncmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
				best = "en", bq = q;
		}
		h = e != NULL ? e + 1 : NULL;
	}
	return best != NULL ? best : "ru";
}

/* ---------------------------------------------------------------- labels */

/* The glossary's terms (doc/GLOSSARY.md), Russian exactly as the sources
 * write them.  Russian is here rather than in the catalogue because it is
 * the glossary's own spelling (the data's language); other languages
 * translate the English through the catalogue. */
static const struct label {
	const char *family, *value, *en, *ru;
} labels[] = {
	{ "direction", "knowledge", N_("Knowledge"), "Знание" },
	{ "direction", "upbringing", N_("Upbringing"), "Воспитание" },
	{ "direction", "health", N_("Health"), "Здоровье" },
	{ "direction", "creativity", N_("Creativity"), "Творчество" },
	{ "direction", "career_guidance", N_("Career guidance"), "Профориентация" },
	{ "direction", "teacher_team", N_("Teacher. School team"), "Учитель. Школьная команда" },
	{ "direction", "school_climate", N_("School climate"), "Школьный климат" },
	{ "direction", "educational_environment", N_("Educational environment"), "Образовательная среда" },
	{ "self_diagnosis_level", "below_basic", N_("Below basic"), "Ниже базового" },
	{ "self_diagnosis_level", "basic", N_("Basic"), "Базовый" },
	{ "self_diagnosis_level", "medium", N_("Medium"), "Средний" },
	{ "self_diagnosis_level", "high", N_("High"), "Высокий" },
	{ "mentoring_form", "student_student", N_("student – student"), "ученик – ученик" },
	{ "mentoring_form", "teacher_teacher", N_("teacher – teacher"), "учитель – учитель" },
	{ "mentoring_form", "teacher_student", N_("teacher – student"), "учитель – ученик" },
	{ "mentoring_form", "university_student_student", N_("university student – student"), "студент – ученик" },
	{ "mentoring_form", "employer_student", N_("employer – student"), "работодатель – ученик" },
	{ "mentoring_form", "university_student_university_student", N_("university student – university student"), "студент – студент" },
	{ "mentoring_form", "employer_university_student", N_("employer – university student"), "работодатель – студент" },
	{ "mentoring_form", "other", N_("other form"), "другая форма" },
	{ "event_type", "webinar", N_("webinar"), "вебинар" },
	{ "event_type", "project_session", N_("project session"), "проектная сессия" },
	{ "event_type", "forum", N_("forum"), "форум" },
	{ "event_type", "contest", N_("contest"), "конкурс" },
	{ "event_type", "seminar", N_("seminar"), "семинар" },
	{ "event_type", "other", N_("other event"), "другое мероприятие" },
	{ "support_type", "consultation", N_("consultation"), "консультация" },
	{ "support_type", "internship", N_("internship"), "стажировка" },
	{ "support_type", "webinar", N_("webinar"), "вебинар" },
	{ "support_type", "other", N_("other support"), "другая поддержка" },
	{ "pair_state", "proposed", N_("proposed"), "предложена" },
	{ "pair_state", "confirmed", N_("confirmed"), "подтверждена" },
	{ "pair_state", "declined", N_("declined"), "отклонена" },
	{ "pair_state", "ended", N_("ended"), "завершена" },
	{ "offer_state", "open", N_("open"), "открыта" },
	{ "offer_state", "closed", N_("closed"), "приём закрыт" },
	{ "offer_state", "cancelled", N_("cancelled"), "отменена" },
	{ "application_state", "new", N_("new"), "новая" },
	{ "application_state", "submitted", N_("submitted"), "подана" },
	{ "application_state", "accepted", N_("accepted"), "принята" },
	{ "application_state", "declined", N_("declined"), "отклонена" },
	{ "application_state", "waitlisted", N_("waitlisted"), "в листе ожидания" },
	{ "application_state", "withdrawn", N_("withdrawn"), "отозвана" },
	{ "decision", "accepted", N_("accepted"), "принята" },
	{ "decision", "declined", N_("declined"), "отклонена" },
	{ "decision", "waitlisted", N_("waitlisted"), "в листе ожидания" },
	{ "item_status", "planned", N_("planned"), "запланировано" },
	{ "item_status", "in_progress", N_("in progress"), "выполняется" },
	{ "item_status", "done", N_("done"), "выполнено" },
	{ "item_status", "overdue", N_("overdue"), "просрочено" },
	{ "item_status", "continuous", N_("continuous"), "в течение периода" },
	{ "item_status", "unknown", N_("unknown"), "сроки не распознаны" },
	{ "target_state", "met", N_("met"), "достигнут" },
	{ "target_state", "pending", N_("pending"), "срок не наступил" },
	{ "target_state", "missed", N_("missed"), "не достигнут" },
	{ "target_state", "no_data", N_("no data"), "нет данных" },
	{ "kind", "region", N_("region"), "регион" },
	{ "kind", "school", N_("school"), "общеобразовательная организация" },
	{ "kind", "competency_card", N_("competency card"), "визитка компетенций" },
	{ "kind", "mentoring_practice", N_("mentoring practice"), "практика наставничества" },
	{ "kind", "mentoring_pair", N_("mentoring pair"), "наставническая пара" },
	{ "kind", "roadmap", N_("roadmap"), "дорожная карта" },
	{ "kind", "roadmap_item", N_("roadmap item"), "мероприятие дорожной карты" },
	{ "kind", "roadmap_item_report", N_("roadmap item report"), "отчёт об исполнении" },
	{ "kind", "target", N_("target"), "целевой показатель" },
	{ "kind", "event", N_("event"), "мероприятие" },
	{ "kind", "internship_offer", N_("internship offer"), "стажировка" },
	{ "kind", "internship_application", N_("internship application"), "заявка на стажировку" },
	{ "kind", "internship_decision", N_("internship decision"), "решение по заявке" },
	{ "kind", "self_diagnosis", N_("self-diagnosis"), "самодиагностика" },
};

const char *
mf_label(const char *family, const char *value, const char *lang)
{
	char l[16];

	if (value == NULL)
		return "";
	if (family != NULL && strcmp(family, "level") == 0)
		family = "self_diagnosis_level";
	if (lang == NULL)
		snprintf(l, sizeof(l), "%s", proc_lang);
	else
		lang_norm(lang, l, sizeof(l));
	for (size_t i = 0; family != NULL && i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(labels[i].family, family) != 0 || strcasecmp(labels[i].value, value) != 0)
			continue;
		if (strcmp(l, "ru") == 0)
			return labels[i].ru;
		return mf_tr(l, labels[i].en);
	}
	return value;
}

char *
mf_accepted_terms(char *buf, size_t n, const char *family, const char *lang)
{
	char l[16];

	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (lang == NULL)
		snprintf(l, sizeof(l), "%s", proc_lang);
	else
		lang_norm(lang, l, sizeof(l));
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t o = strlen(buf);
		if (strcmp(labels[i].family, family) != 0 || strcmp(labels[i].value, "other") == 0)
			continue;
		if (strcmp(l, "en") == 0)
			snprintf(buf + o, n - o, "%s%s", o ? ", " : "", labels[i].value);
		else
			snprintf(buf + o, n - o, "%s«%s»", o ? ", " : "",
				 strcmp(l, "ru") == 0 ? labels[i].ru : mf_tr(l, labels[i].en));
	}
	return buf;
}

/* ---------------------------------------------------------------- dates */

static const char *const months_gen_ru[] = {
	"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
	"сентября", "октября", "ноября", "декабря"
};
static const char *const months_nom_ru[] = {
	"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
	"сентябрь", "октябрь", "ноябрь", "декабрь"
};
static const char *const months_en[] = {
	N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
	N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December")
};

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

char *
mf_date_human(char *buf, size_t n, const char *d, const char *lang)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char l[16];
	size_t len;
	int y, m, day = 0;

	if (n == 0)
		return buf;
	if (d == NULL)
		d = "";
	if (lang == NULL)
		snprintf(l, sizeof(l), "%s", proc_lang);
	else
		lang_norm(lang, l, sizeof(l));
	len = strlen(d);
	if ((len != 7 && len != 10) || !digits(d, 4) || d[4] != '-' || !digits(d + 5, 2) ||
	    (len == 10 && (d[7] != '-' || !digits(d + 8, 2)))) {
		snprintf(buf, n, "%s", d);
		return buf;
	}
	y = atoi(d);
	m = (d[5] - '0') * 10 + (d[6] - '0');
	if (len == 10)
		day = (d[8] - '0') * 10 + (d[9] - '0');
	if (m < 1 || m > 12 || (len == 10 && (day < 1 || day > mdays[m - 1])) ||
	    (len == 10 && m == 2 && day == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))) {
		snprintf(buf, n, "%s", d);
		return buf;
	}
	if (strcmp(l, "ru") == 0) {
		if (day)
			snprintf(buf, n, "%d %s %d г.", day, months_gen_ru[m - 1], y);
		else
			snprintf(buf, n, "%s %d г.", months_nom_ru[m - 1], y);
	} else {
		const char *mn = mf_tr(l, months_en[m - 1]);
		if (day)
			snprintf(buf, n, "%d %s %d", day, mn, y);
		else
			snprintf(buf, n, "%s %d", mn, y);
	}
	return buf;
}

/* ---------------------------------------------------------------- folding */

static size_t
utf8_dec(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		return *cp >= 0x800 ? 3 : 0;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
		      (s[3] & 0x3Fu);
		return *cp >= 0x10000 && *cp <= 0x10FFFF ? 4 : 0;
	}
	return 0;	/* invalid: the caller keeps the byte */
}

static unsigned
fold_cp(unsigned cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 0x20;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)	/* Latin-1 capitals */
		return cp + 0x20;
	if (cp == 0x401 || cp == 0x451)			/* Ё ё -> е */
		return 0x435;
	if (cp >= 0x410 && cp <= 0x42F)			/* А..Я */
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)			/* Ѐ..Џ (Ukrainian, Belarusian…) */
		return cp + 0x50;
	return cp;
}

char *
mf_fold(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)(utf8 != NULL ? utf8 : "");
	/* Folding never lengthens a character: same bytes or fewer. */
	char *out = mf_xmalloc(strlen((const char *)s) + 1), *o = out;

	while (*s) {
		unsigned cp;
		size_t k = utf8_dec(s, &cp);
		if (k == 0) {
			*o++ = (char)*s++;
			continue;
		}
		s += k;
		o += mf_utf8_put(fold_cp(cp), o);
	}
	*o = '\0';
	return out;
}

int
mf_fold_contains(const char *hay, const char *needle)
{
	char *h = mf_fold(hay), *n = mf_fold(needle);
	int r = strstr(h, n) != NULL;

	free(h);
	free(n);
	return r;
}

/* ---------------------------------------------------------------- reasons */

/*
 * Every reason: its code, the English the daemon writes (a regular
 * expression, to recognise texts of older nodes and peers: the records
 * hold only the English), and the msgids it is translated from.  Arguments
 * are the regex's groups, in order; `plural_arg` (1-based, 0 none) chooses
 * the plural form.  The msgids take every argument as %N$s, so a
 * translation may reorder them (msgfmt --check verifies the format).
 */
static const struct reason {
	const char *code, *re;
	int nargs, plural_arg;
	const char *msgid, *msgid_plural;
} reasons[] = {
	{ "offer_cancelled", "^the offer was cancelled$", 0, 0,
	  N_("the offer was cancelled"), NULL },
	{ "offer_cancelled_because", "^the offer was cancelled: (.*)$", 1, 0,
	  N_("the offer was cancelled: %1$s"), NULL },
	{ "accepted_in_order",
	  "^accepted in submission order: ([0-9]+) places?, ([0-9]+) taken before it; ([0-9]+) granted$",
	  3, 1,
	  NP_("accepted in submission order: %1$s place, %2$s taken before it; %3$s granted",
	     "accepted in submission order: %1$s places, %2$s taken before it; %3$s granted") },
	{ "waitlisted_none_left",
	  "^on the waiting list: ([0-9]+) places?, ([0-9]+) taken by accepted applications: none left; ([0-9]+) requested$",
	  3, 1,
	  NP_("on the waiting list: %1$s place, %2$s taken by accepted applications: none left; %3$s requested",
	     "on the waiting list: %1$s places, %2$s taken by accepted applications: none left; %3$s requested") },
	{ "waitlisted_no_fit",
	  "^on the waiting list: ([0-9]+) places?, ([0-9]+) taken by accepted applications, ([0-9]+) left: ([0-9]+) requested do not fit$",
	  4, 1,
	  NP_("on the waiting list: %1$s place, %2$s taken by accepted applications, %3$s left: %4$s requested do not fit",
	     "on the waiting list: %1$s places, %2$s taken by accepted applications, %3$s left: %4$s requested do not fit") },
	{ "no_room_none_left",
	  "^([0-9]+) places?, ([0-9]+) taken by accepted applications: none left; ([0-9]+) requested$",
	  3, 1,
	  NP_("%1$s place, %2$s taken by accepted applications: none left; %3$s requested",
	     "%1$s places, %2$s taken by accepted applications: none left; %3$s requested") },
	{ "no_room_no_fit",
	  "^([0-9]+) places?, ([0-9]+) taken by accepted applications, ([0-9]+) left: ([0-9]+) requested do not fit$",
	  4, 1,
	  NP_("%1$s place, %2$s taken by accepted applications, %3$s left: %4$s requested do not fit",
	     "%1$s places, %2$s taken by accepted applications, %3$s left: %4$s requested do not fit") },
	{ "accepted_by_host", "^accepted by the host$", 0, 0, N_("accepted by the host"), NULL },
	{ "declined_by_host", "^declined by the host$", 0, 0, N_("declined by the host"), NULL },
	{ "waitlisted_by_host", "^put on the waiting list by the host$", 0, 0,
	  N_("put on the waiting list by the host"), NULL },
	/* find-mentor: why a candidate ranks where it does.  Arguments:
	 * covered, needed, the directions covered (identifiers, ", "),
	 * "same" or "another" (region), "League member" or "not in a league",
	 * mentees now.  Formatted in mf_reason_text. */
	{ "mentor_rank",
	  "^covers ([0-9]+) of ([0-9]+) needed \\((.*)\\); (same|another) region; (League member|not in a league); ([0-9]+) mentees?$",
	  6, 0, NULL, NULL },
	{ "basis_given", "^directions given$", 0, 0, N_("directions given"), NULL },
	{ "basis_zero_indicators", "^critical indicators at zero in the ([0-9]+) self-diagnosis$", 1, 0,
	  N_("critical indicators at zero in the %1$s self-diagnosis"), NULL },
	{ "basis_below_basic", "^self-diagnosis level «Ниже базового»: every direction$", 0, 0,
	  N_("self-diagnosis level «Below basic»: every direction"), NULL },
};

static const struct reason *
reason_find(const char *code)
{
	for (size_t i = 0; code != NULL && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].code, code) == 0)
			return &reasons[i];
	return NULL;
}

/* printf with %N$s only, over string arguments: the catalogue's msgstr
 * comes from a file, so it is not handed to printf (a broken translation
 * must not read past the arguments). */
static void
format_args(char *buf, size_t n, const char *fmt, const char *const *args, size_t nargs)
{
	size_t o = 0;

	for (const char *p = fmt; *p != '\0' && o + 1 < n; p++) {
		if (p[0] == '%' && p[1] == '%') {
			buf[o++] = '%';
			p++;
		} else if (p[0] == '%' && isdigit((unsigned char)p[1]) && p[2] == '$' && p[3] == 's') {
			size_t k = (size_t)(p[1] - '1');
			const char *a = k < nargs && args[k] != NULL ? args[k] : "";
			while (*a != '\0' && o + 1 < n)
				buf[o++] = *a++;
			p += 3;
		} else if (p[0] == '%' && p[1] == 's') {
			/* plain %s in a translation: first argument */
			const char *a = nargs > 0 && args[0] != NULL ? args[0] : "";
			while (*a != '\0' && o + 1 < n)
				buf[o++] = *a++;
			p++;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}

/* "knowledge, health" -> «Знание, Здоровье» */
static void
dirs_label(char *out, size_t n, const char *list, const char *lang)
{
	char *s = mf_xstrdup(list), *save = NULL;

	out[0] = '\0';
	for (char *t = strtok_r(s, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save))
		snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? ", " : "",
			 mf_label("direction", t, lang));
	free(s);
}

static unsigned long
num(const char *s)
{
	return s != NULL ? strtoul(s, NULL, 10) : 0;
}

char *
mf_reason_text(char *buf, size_t n, const char *code, const char *const *args, size_t nargs,
	       const char *fallback, const char *lang)
{
	const struct reason *r = reason_find(code);
	char l[16];

	if (n == 0)
		return buf;
	if (lang == NULL)
		snprintf(l, sizeof(l), "%s", proc_lang);
	else
		lang_norm(lang, l, sizeof(l));
	if (r == NULL || nargs < (size_t)r->nargs) {
		snprintf(buf, n, "%s", fallback != NULL ? fallback : code != NULL ? code : "");
		return buf;
	}
	if (strcmp(r->code, "mentor_rank") == 0) {
		char dirs[512], a[6][560];
		const char *av[6];
		unsigned long m = num(args[5]);

		dirs_label(dirs, sizeof(dirs), args[2], l);
		snprintf(a[0], sizeof(a[0]), "%s", args[0]);
		snprintf(a[1], sizeof(a[1]), "%s", args[1]);
		snprintf(a[2], sizeof(a[2]), "%s", dirs);
		snprintf(a[3], sizeof(a[3]), "%s", strcmp(args[3], "1") == 0 || strcmp(args[3], "same") == 0 ?
			 mf_tr(l, N_("same region")) : mf_tr(l, N_("another region")));
		snprintf(a[4], sizeof(a[4]), "%s", strcmp(args[4], "1") == 0 || strncmp(args[4], "League", 6) == 0 ?
			 mf_tr(l, N_("League member")) : mf_tr(l, N_("not in a league")));
		snprintf(a[5], sizeof(a[5]), "%s", args[5]);
		for (int i = 0; i < 6; i++)
			av[i] = a[i];
		format_args(buf, n, mf_trn(l, "covers %1$s of %2$s needed (%3$s); %4$s; %5$s; %6$s mentee",
					   "covers %1$s of %2$s needed (%3$s); %4$s; %5$s; %6$s mentees", m),
			    av, 6);
		return buf;
	}
	if (r->msgid_plural != NULL)
		format_args(buf, n, mf_trn(l, r->msgid, r->msgid_plural, num(args[r->plural_arg - 1])),
			    args, nargs);
	else
		format_args(buf, n, mf_tr(l, r->msgid), args, nargs);
	return buf;
}

#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

/* The expressions, compiled once (a page of 1000 candidates recognises
 * 1000 texts); regexec on a compiled regex_t is thread-safe. */
static regex_t reason_re[NREASONS];
static int reason_re_ok[NREASONS];
static pthread_once_t reason_once = PTHREAD_ONCE_INIT;

static void
reason_compile(void)
{
	for (size_t i = 0; i < NREASONS; i++)
		reason_re_ok[i] = regcomp(&reason_re[i], reasons[i].re, REG_EXTENDED) == 0;
}

const char *
mf_reason_parse(const char *text, char **store, const char **args, size_t maxargs, size_t *nargs)
{
	*store = NULL;
	*nargs = 0;
	if (text == NULL || *text == '\0')
		return NULL;
	pthread_once(&reason_once, reason_compile);
	for (size_t i = 0; i < NREASONS; i++) {
		regmatch_t m[8];
		size_t len = 0, o = 0;

		if (!reason_re_ok[i] || regexec(&reason_re[i], text, 8, m, 0) != 0 ||
		    (size_t)reasons[i].nargs > maxargs)
			continue;
		for (int k = 1; k <= reasons[i].nargs; k++)
			len += (size_t)(m[k].rm_eo - m[k].rm_so) + 1;
		*store = mf_xmalloc(len + 1);
		for (int k = 1; k <= reasons[i].nargs; k++) {
			size_t l = (size_t)(m[k].rm_eo - m[k].rm_so);
			memcpy(*store + o, text + m[k].rm_so, l);
			(*store)[o + l] = '\0';
			args[k - 1] = *store + o;
			o += l + 1;
		}
		*nargs = (size_t)reasons[i].nargs;
		return reasons[i].code;
	}
	return NULL;
}

char *
mf_reason_json(char *buf, size_t n, const json_t *obj, const char *prefix, const char *lang)
{
	char kc[64], ka[64], kt[64];
	const char *code, *text, *args[16];
	char *store = NULL;
	json_t *a;
	size_t na = 0;

	if (prefix == NULL || *prefix == '\0')
		prefix = "reason";
	snprintf(kc, sizeof(kc), "%s_code", prefix);
	snprintf(ka, sizeof(ka), "%s_args", prefix);
	snprintf(kt, sizeof(kt), "%s", prefix);
	code = json_string_value(json_object_get(obj, kc));
	text = json_string_value(json_object_get(obj, kt));
	if (code != NULL && (a = json_object_get(obj, ka)) != NULL && json_is_array(a)) {
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) {
			if (na < 16)
				args[na++] = json_is_string(v) ? json_string_value(v) : "";
		}
	} else if (code == NULL) {
		code = mf_reason_parse(text, &store, args, 16, &na);
	}
	mf_reason_text(buf, n, code, args, na, text, lang);
	free(store);
	return buf;
}

int
mf_reason_annotate(json_t *obj, const char *prefix)
{
	const char *code, *args[16];
	char *store = NULL, kt[64];
	size_t na = 0;

	snprintf(kt, sizeof(kt), "%s", prefix != NULL && *prefix != '\0' ? prefix : "reason");
	code = mf_reason_parse(json_string_value(json_object_get(obj, kt)), &store, args, 16, &na);
	if (code != NULL)
		mf_reason_set(obj, kt, code, args, na);
	free(store);
	return code != NULL;
}

void
mf_reason_set(json_t *obj, const char *prefix, const char *code, const char *const *args,
	      size_t nargs)
{
	char kc[64], ka[64];
	json_t *a = json_array();

	if (prefix == NULL || *prefix == '\0')
		prefix = "reason";
	snprintf(kc, sizeof(kc), "%s_code", prefix);
	snprintf(ka, sizeof(ka), "%s_args", prefix);
	for (size_t i = 0; i < nargs; i++)
		json_array_append_new(a, json_string(args[i] != NULL ? args[i] : ""));
	json_object_set_new(obj, kc, json_string(code));
	json_object_set_new(obj, ka, a);
}

/* ---------------------------------------------------------------- CSV */

void
mf_csv_begin(struct mf_csv *c, FILE *f, int excel)
{
	c->f = f;
	c->excel = excel;
	c->sep = excel ? ';' : ',';
	c->col = 0;
	if (excel)
		fputs("\xEF\xBB\xBF", f);
}

/* Would Excel read s as a formula?  A number ("-3", "+7.5") is data. */
static int
formula_like(const char *s)
{
	char *end;

	if (strchr("=+-@\t\r", s[0]) == NULL || s[0] == '\0')
		return 0;
	if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
		return 1;
	strtod(s, &end);
	return end == s || *end != '\0';
}

void
mf_csv_field(struct mf_csv *c, const char *s)
{
	int guard, quote;

	if (s == NULL)
		s = "";
	guard = c->excel && formula_like(s);
	quote = strchr(s, c->sep) != NULL || strchr(s, '"') != NULL || strchr(s, '\n') != NULL ||
		strchr(s, '\r') != NULL;
	if (c->col++ > 0)
		fputc(c->sep, c->f);
	if (quote)
		fputc('"', c->f);
	if (guard)
		fputc('\'', c->f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', c->f);
		fputc(*s, c->f);
	}
	if (quote)
		fputc('"', c->f);
}

void
mf_csv_end_row(struct mf_csv *c)
{
	fputs(c->excel ? "\r\n" : "\n", c->f);
	c->col = 0;
}
