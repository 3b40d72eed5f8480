/*
 * test_i18n.c — the language layer (daemon/core/i18n.c): search folding,
 * human dates, the glossary's labels, Excel CSV, reason codes, the
 * Accept-Language choice, and gettext switching between languages per
 * call with the catalogue built in $(top_builddir)/po.
 */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "proto/records.pb-c.h"
#include "util.h"

/* Point the catalogue at the build tree's (po/po.mk builds it). */
static void
use_build_catalogue(void)
{
	const char *b = getenv("top_builddir");
	char dir[4096], mo[4200];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/po", b != NULL && *b ? b : ".");
	snprintf(mo, sizeof(mo), "%s/ru/LC_MESSAGES/mentorfed.mo", dir);
	f = fopen(mo, "rb");
	ck_assert_msg(f != NULL, "catalogue %s not built", mo);
	fclose(f);
	setenv("MENTORFED_LOCALEDIR", dir, 1);
}

START_TEST(fold_cyrillic_latin_yo)
{
	char *f = mf_fold("ЁЛКА Ёж ПРИВЕТ World ÀÉ Ї");

	ck_assert_str_eq(f, "елка еж привет world àé ї");
	free(f);
	f = mf_fold("");
	ck_assert_str_eq(f, "");
	free(f);
	f = mf_fold(NULL);
	ck_assert_str_eq(f, "");
	free(f);
	/* invalid UTF-8 is kept byte for byte, not dropped nor overrun */
	f = mf_fold("A\xff\xd0");
	ck_assert_str_eq(f, "a\xff\xd0");
	free(f);
	ck_assert_int_eq(mf_fold_contains("Школа №1 «Ёлочка»", "ЕЛОЧ"), 1);
	ck_assert_int_eq(mf_fold_contains("МАОУ СОШ № 4 г. Томска", "сош № 4"), 1);
	ck_assert_int_eq(mf_fold_contains("Лицей", "школа"), 0);
	ck_assert_int_eq(mf_fold_contains("Лицей", ""), 1);
}
END_TEST

START_TEST(date_human_ru_en)
{
	char b[64];

	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-03-01", "ru"), "1 марта 2025 г.");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2024-12-31", "ru_RU.UTF-8"), "31 декабря 2024 г.");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-03-01", "en"), "1 March 2025");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-05", "ru"), "май 2025 г.");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-05", "en"), "May 2025");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2024-02-29", "ru"), "29 февраля 2024 г.");
	/* not a date: as it is */
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-02-30", "ru"), "2025-02-30");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-02-29", "ru"), "2025-02-29");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2000-02-29", "en"), "29 February 2000");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "2025-13-01", "ru"), "2025-13-01");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "В течение года", "ru"), "В течение года");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), "", "ru"), "");
	ck_assert_str_eq(mf_date_human(b, sizeof(b), NULL, "ru"), "");
	/* truncated, still terminated */
	ck_assert_str_eq(mf_date_human(b, 4, "2025-03-01", "en"), "1 M");
}
END_TEST

START_TEST(labels)
{
	ck_assert_str_eq(mf_label("direction", "knowledge", "ru"), "Знание");
	ck_assert_str_eq(mf_label("direction", "knowledge", "en"), "Knowledge");
	ck_assert_str_eq(mf_label("direction", "career_guidance", "ru"), "Профориентация");
	ck_assert_str_eq(mf_label("self_diagnosis_level", "below_basic", "ru"), "Ниже базового");
	ck_assert_str_eq(mf_label("level", "below_basic", "ru"), "Ниже базового");
	ck_assert_str_eq(mf_label("mentoring_form", "teacher_student", "ru"), "учитель – ученик");
	ck_assert_str_eq(mf_label("pair_state", "confirmed", "ru"), "подтверждена");
	ck_assert_str_eq(mf_label("application_state", "waitlisted", "ru"), "в листе ожидания");
	ck_assert_str_eq(mf_label("item_status", "overdue", "ru"), "просрочено");
	ck_assert_str_eq(mf_label("kind", "school", "ru"), "общеобразовательная организация");
	/* unknown value or family: the value itself (a plugin's own form) */
	ck_assert_str_eq(mf_label("mentoring_form", "parent_student", "ru"), "parent_student");
	ck_assert_str_eq(mf_label("nonsense", "knowledge", "ru"), "knowledge");
	ck_assert_str_eq(mf_label("direction", NULL, "ru"), "");
}
END_TEST

/* The bytes written by fn through a memstream. */
static char *
csv_of(int excel, const char *const *cells, size_t n, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct mf_csv c;

	ck_assert_ptr_nonnull(f);
	mf_csv_begin(&c, f, excel);
	for (size_t i = 0; i < n; i++) {
		if (cells[i] == NULL)
			mf_csv_end_row(&c);
		else
			mf_csv_field(&c, cells[i]);
	}
	mf_csv_end_row(&c);
	fclose(f);
	return buf;
}

START_TEST(csv_excel)
{
	static const char *const cells[] = {
		"Школа", "a;b", "say \"hi\"", "two\nlines", NULL,
		"=1+1", "-3", "-abc", "+7.5", "@x", "", "12,5"
	};
	size_t len;
	char *s = csv_of(1, cells, sizeof(cells) / sizeof(cells[0]), &len);

	ck_assert_str_eq(s, "\xEF\xBB\xBF" "Школа;\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\"\r\n"
			    "'=1+1;-3;'-abc;+7.5;'@x;;12,5\r\n");
	ck_assert_uint_eq(len, strlen(s));
	free(s);
	/* plain CSV: as before (',' and LF, no BOM, nothing guarded) */
	s = csv_of(0, cells, sizeof(cells) / sizeof(cells[0]), &len);
	ck_assert_str_eq(s, "Школа,a;b,\"say \"\"hi\"\"\",\"two\nlines\"\n"
			    "=1+1,-3,-abc,+7.5,@x,,\"12,5\"\n");
	free(s);
}
END_TEST

START_TEST(accept_language)
{
	ck_assert_str_eq(mf_lang_from_accept("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), "ru");
	ck_assert_str_eq(mf_lang_from_accept("en-US,en;q=0.9,ru;q=0.8"), "en");
	ck_assert_str_eq(mf_lang_from_accept("de-DE, en;q=0.5, ru;q=0.6"), "ru");
	ck_assert_str_eq(mf_lang_from_accept("de-DE, en;q=0.5"), "en");
	ck_assert_str_eq(mf_lang_from_accept("de"), "ru");
	ck_assert_str_eq(mf_lang_from_accept("ru;q=0, en"), "en");
	ck_assert_str_eq(mf_lang_from_accept(""), "ru");
	ck_assert_str_eq(mf_lang_from_accept(NULL), "ru");
	ck_assert_str_eq(mf_lang_from_accept("rus"), "ru");	/* not "ru": no match -> default */
}
END_TEST

START_TEST(tr_switches_per_call)
{
	use_build_catalogue();
	setenv("LANG", "C", 1);
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	mf_i18n_init();
	ck_assert_str_eq(mf_i18n_lang(), "en");
	ck_assert_str_eq(_("yes"), "yes");
	/* one request in Russian, the next in English, and back: glibc's
	 * cache must not keep the first answer */
	for (int i = 0; i < 3; i++) {
		ck_assert_str_eq(mf_tr("ru", "yes"), "да");
		ck_assert_str_eq(mf_tr("en", "yes"), "yes");
		ck_assert_str_eq(mf_tr("ru", "mentor candidates"), "кандидаты в наставники");
		ck_assert_str_eq(mf_tr("en", "mentor candidates"), "mentor candidates");
	}
	ck_assert_str_eq(mf_trn("ru", "the offer was cancelled", NULL, 1), "стажировка отменена");
	ck_assert_str_eq(mf_tr("ru", ""), "");	/* never the catalogue's header */
	ck_assert_str_eq(mf_tr("ru", "no such message"), "no such message");
}
END_TEST

START_TEST(ru_locale_not_generated)
{
	use_build_catalogue();
	/* this machine (and a fresh Debian) has no ru_RU.UTF-8 */
	setenv("LANG", "ru_RU.UTF-8", 1);
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	mf_i18n_init();
	ck_assert_str_eq(mf_i18n_lang(), "ru");
	ck_assert_str_eq(_("yes"), "да");
	ck_assert_str_eq(mf_label("direction", "health", NULL), "Здоровье");
	ck_assert_str_eq(mf_tr(NULL, "no"), "нет");
}
END_TEST

START_TEST(c_locale_english)
{
	use_build_catalogue();
	setenv("LANG", "C", 1);
	setenv("LANGUAGE", "ru", 1);	/* ignored under C, as glibc does */
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	mf_i18n_init();
	ck_assert_str_eq(mf_i18n_lang(), "en");
	ck_assert_str_eq(_("yes"), "yes");
}
END_TEST

START_TEST(reasons)
{
	char b[512], *store;
	const char *args[8], *code;
	size_t n;

	use_build_catalogue();
	code = mf_reason_parse("accepted in submission order: 2 places, 0 taken before it; 2 granted",
			       &store, args, 8, &n);
	ck_assert_str_eq(code, "accepted_in_order");
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(args[0], "2");
	ck_assert_str_eq(args[2], "2");
	ck_assert_str_eq(mf_reason_text(b, sizeof(b), code, args, n, NULL, "ru"),
			 "принята в порядке подачи: 2 места, до неё занято 0; выделено 2");
	ck_assert_str_eq(mf_reason_text(b, sizeof(b), code, args, n, NULL, "en"),
			 "accepted in submission order: 2 places, 0 taken before it; 2 granted");
	free(store);

	code = mf_reason_parse("on the waiting list: 5 places, 5 taken by accepted applications: none left; 2 requested",
			       &store, args, 8, &n);
	ck_assert_str_eq(code, "waitlisted_none_left");
	ck_assert_str_eq(mf_reason_text(b, sizeof(b), code, args, n, NULL, "ru"),
			 "в листе ожидания: 5 мест, принятыми заявками занято 5, свободных не осталось; запрошено 2");
	free(store);

	code = mf_reason_parse("covers 2 of 2 needed (knowledge, health); another region; League member; 0 mentees",
			       &store, args, 8, &n);
	ck_assert_str_eq(code, "mentor_rank");
	ck_assert_str_eq(mf_reason_text(b, sizeof(b), code, args, n, NULL, "ru"),
			 "покрывает 2 из 2 нужных (Знание, Здоровье); другой регион; член Наставнической лиги; 0 подопечных школ");
	free(store);

	/* a person's own words are not a known reason: kept as they are */
	ck_assert_ptr_null(mf_reason_parse("мест нет", &store, args, 8, &n));
	ck_assert_ptr_null(store);

	/* the daemon's JSON: code and args, English kept */
	{
		json_t *o = json_pack("{s:s}", "reason", "the offer was cancelled: school closed");
		ck_assert_int_eq(mf_reason_annotate(o, NULL), 1);
		ck_assert_str_eq(json_string_value(json_object_get(o, "reason_code")), "offer_cancelled_because");
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "reason_args"), 0)),
				 "school closed");
		ck_assert_str_eq(json_string_value(json_object_get(o, "reason")),
				 "the offer was cancelled: school closed");
		ck_assert_str_eq(mf_reason_json(b, sizeof(b), o, NULL, "ru"), "стажировка отменена: school closed");
		json_decref(o);
	}
	/* unknown code: the English fallback */
	ck_assert_str_eq(mf_reason_text(b, sizeof(b), "from_the_future", NULL, 0, "text", "ru"), "text");
}
END_TEST

START_TEST(accepted_terms)
{
	char b[1024];

	ck_assert_ptr_nonnull(strstr(mf_accepted_terms(b, sizeof(b), "direction", "ru"), "«Знание»"));
	ck_assert_ptr_nonnull(strstr(mf_accepted_terms(b, sizeof(b), "direction", "en"), "career_guidance"));
	ck_assert_ptr_null(strstr(b, "Знание"));
}
END_TEST

/* What a person types for a direction, level or form (kinds.c): the
 * identifier, the glossary's Russian in any case, the English label. */
static const char *
ident_of(const ProtobufCEnumDescriptor *d, const char *typed)
{
	static char buf[64];
	const ProtobufCEnumValue *v = mf_enum_by_ident(d, typed);

	return v == NULL ? "(none)" : mf_enum_ident(d, v->value, buf, sizeof(buf));
}

START_TEST(typed_terms)
{
	const ProtobufCEnumDescriptor *dir = &mentorfed__direction__descriptor;
	const ProtobufCEnumDescriptor *lvl = &mentorfed__self_diagnosis_level__descriptor;
	const ProtobufCEnumDescriptor *frm = &mentorfed__mentoring_form__descriptor;

	ck_assert_str_eq(ident_of(dir, "knowledge"), "knowledge");
	ck_assert_str_eq(ident_of(dir, "KNOWLEDGE"), "knowledge");
	ck_assert_str_eq(ident_of(dir, "Знание"), "knowledge");
	ck_assert_str_eq(ident_of(dir, "знание"), "knowledge");
	ck_assert_str_eq(ident_of(dir, "ЗНАНИЕ"), "knowledge");
	ck_assert_str_eq(ident_of(dir, "  Здоровье "), "health");
	ck_assert_str_eq(ident_of(dir, "учитель. школьная команда"), "teacher_team");
	ck_assert_str_eq(ident_of(dir, "career guidance"), "career_guidance");
	ck_assert_str_eq(ident_of(dir, "Знания"), "(none)");
	ck_assert_str_eq(ident_of(lvl, "НИЖЕ БАЗОВОГО"), "below_basic");
	ck_assert_str_eq(ident_of(lvl, "Below basic"), "below_basic");
	ck_assert_str_eq(ident_of(frm, "Учитель – Ученик"), "teacher_student");
	ck_assert_str_eq(ident_of(frm, "учитель-ученик"), "teacher_student");
	ck_assert_str_eq(ident_of(&mentorfed__event_type__descriptor, "Вебинар"), "webinar");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("i18n");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, fold_cyrillic_latin_yo);
	tcase_add_test(tc, date_human_ru_en);
	tcase_add_test(tc, labels);
	tcase_add_test(tc, csv_excel);
	tcase_add_test(tc, accept_language);
	tcase_add_test(tc, tr_switches_per_call);
	tcase_add_test(tc, ru_locale_not_generated);
	tcase_add_test(tc, c_locale_english);
	tcase_add_test(tc, reasons);
	tcase_add_test(tc, accepted_terms);
	tcase_add_test(tc, typed_terms);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
