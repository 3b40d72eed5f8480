/*
 * test_datexpr.c — Russian date expressions and term spellings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "datexpr.h"

static char *
ivs(const mf_period *p)
{
	static char buf[512];
	char a[11], b[11];
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < p->n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s..%s", i ? " " : "",
				      mf_date_format(p->iv[i].from, a), mf_date_format(p->iv[i].to, b));
	return buf;
}

/* Parse and compare the intervals with `want` ("from..to from..to"). */
#define PERIOD_IS(text, year, want, cont, assumed)                                    \
	do {                                                                           \
		mf_period p_;                                                          \
		int rc_ = mf_parse_period((text), (year), &p_);                       \
		ck_assert_msg(rc_ == 0, "'%s' not read", (text));                     \
		ck_assert_int_eq(p_.uncertain, 0);                                     \
		ck_assert_str_eq(ivs(&p_), (want));                                    \
		ck_assert_int_eq(p_.continuous, (cont));                               \
		ck_assert_int_eq(p_.year_assumed, (assumed));                          \
	} while (0)

#define UNCERTAIN(text, year)                                                          \
	do {                                                                           \
		mf_period p_;                                                          \
		int rc_ = mf_parse_period((text), (year), &p_);                       \
		ck_assert_msg(rc_ == -1, "'%s' read as %s", (text), ivs(&p_));        \
		ck_assert_int_eq(p_.uncertain, 1);                                     \
		ck_assert_int_eq(p_.n, 0);                                             \
	} while (0)

START_TEST(months)
{
	PERIOD_IS("Февраль", 2025, "2025-02-01..2025-02-28", 0, 1);
	PERIOD_IS("февраля", 2024, "2024-02-01..2024-02-29", 0, 1);
	PERIOD_IS("Декабрь", 2025, "2025-12-01..2025-12-31", 0, 1);
	PERIOD_IS("ДЕКАБРЯ", 2025, "2025-12-01..2025-12-31", 0, 1);
	PERIOD_IS("мая", 2025, "2025-05-01..2025-05-31", 0, 1);
	PERIOD_IS("Апрель, сентябрь", 2025,
		  "2025-04-01..2025-04-30 2025-09-01..2025-09-30", 0, 1);
	PERIOD_IS("Октябрь 2023 г.", 0, "2023-10-01..2023-10-31", 0, 0);
	UNCERTAIN("Февраль", 0);   /* no year anywhere */
}
END_TEST

START_TEST(dates)
{
	PERIOD_IS("12.02.2025", 0, "2025-02-12..2025-02-12", 0, 0);
	PERIOD_IS(" 12.02.2025 ", 2020, "2025-02-12..2025-02-12", 0, 0);
	PERIOD_IS("до 10.02.2025", 0, "2025-01-01..2025-02-10", 0, 0);
	PERIOD_IS("21 февраля", 2025, "2025-02-21..2025-02-21", 0, 1);
	PERIOD_IS("22 августа 2022 г.", 0, "2022-08-22..2022-08-22", 0, 0);
	PERIOD_IS("12.02.2025 - 14.02.2025", 0, "2025-02-12..2025-02-14", 0, 0);
	PERIOD_IS("с 01.02.2025 по 28.02.2025", 0, "2025-02-01..2025-02-28", 0, 0);
	PERIOD_IS("до 1 марта 2025 г.", 0, "2025-01-01..2025-03-01", 0, 0);
	PERIOD_IS("не позднее 15.05.2024", 0, "2024-01-01..2024-05-15", 0, 0);
	PERIOD_IS("12-14 февраля", 2025, "2025-02-12..2025-02-14", 0, 1);
	UNCERTAIN("31.02.2025", 0);
	UNCERTAIN("12.02", 2025);
}
END_TEST

START_TEST(ranges)
{
	PERIOD_IS("Январь-февраль 2023 г.", 0, "2023-01-01..2023-02-28", 0, 0);
	PERIOD_IS("Март-апрель 2023 г.", 0, "2023-03-01..2023-04-30", 0, 0);
	PERIOD_IS("Март-апрель 2023 г. Март-апрель 2024 г.,", 0,
		  "2023-03-01..2023-04-30 2024-03-01..2024-04-30", 0, 0);
	PERIOD_IS("Март - апрель 2023 г. Март - апрель 2024 г.", 0,
		  "2023-03-01..2023-04-30 2024-03-01..2024-04-30", 0, 0);
	/* en dash, em dash, non-breaking spaces */
	PERIOD_IS("Март\u00a0\u2013\u00a0апрель 2023\u00a0г.", 0, "2023-03-01..2023-04-30", 0, 0);
	PERIOD_IS("Март \u2014 апрель 2023 г.", 0, "2023-03-01..2023-04-30", 0, 0);
	PERIOD_IS("Октябрь - декабрь, 2023 г. Октябрь - декабрь, 2024 г.", 0,
		  "2023-10-01..2023-12-31 2024-10-01..2024-12-31", 0, 0);
	PERIOD_IS("Февраль - март, 2023 г. Февраль - март, 2024 г.", 0,
		  "2023-02-01..2023-03-31 2024-02-01..2024-03-31", 0, 0);
	PERIOD_IS("Январь - февраль 2023", 0, "2023-01-01..2023-02-28", 0, 0);
	PERIOD_IS("Сентябрь - октябрь 2023 г.", 0, "2023-09-01..2023-10-31", 0, 0);
	PERIOD_IS("Декабрь, 2023 г. Декабрь, 2024 г.", 0,
		  "2023-12-01..2023-12-31 2024-12-01..2024-12-31", 0, 0);
	PERIOD_IS("Январь 2023 г. - март 2024 г.", 0, "2023-01-01..2024-03-31", 0, 0);
	PERIOD_IS("сентябрь 2025 г. – май 2026 г.", 0, "2025-09-01..2026-05-31", 0, 0);
	PERIOD_IS("2023 г. - ноябрь 2024 г. - ноябрь", 0,
		  "2023-11-01..2023-11-30 2024-11-01..2024-11-30", 0, 0);
	PERIOD_IS("2023 г.", 0, "2023-01-01..2023-12-31", 0, 0);
	PERIOD_IS("2023-2024 годы", 0, "2023-01-01..2024-12-31", 0, 0);
	UNCERTAIN("Декабрь - февраль 2024 г.", 0);   /* runs backwards */
}
END_TEST

START_TEST(quarters)
{
	PERIOD_IS("IV квартал 2023 г. IV квартал 2024 г.", 0,
		  "2023-10-01..2023-12-31 2024-10-01..2024-12-31", 0, 0);
	PERIOD_IS("III - IV кварталы 2023 г.", 0, "2023-07-01..2023-12-31", 0, 0);
	PERIOD_IS("I полугодие 2024 г.", 0, "2024-01-01..2024-06-30", 0, 0);
	PERIOD_IS("II полугодие", 2025, "2025-07-01..2025-12-31", 0, 1);
	PERIOD_IS("2 квартал 2024", 0, "2024-04-01..2024-06-30", 0, 0);
	UNCERTAIN("III - IV кварталы 2023 г. I II - IV кварталы 2024 г.", 0);
	UNCERTAIN("V квартал 2023 г.", 0);
}
END_TEST

START_TEST(continuous)
{
	mf_period p;

	PERIOD_IS("В течение года", 2025, "2025-01-01..2025-12-31", 1, 1);
	ck_assert_int_eq(mf_parse_period("в течение года.", 0, &p), 0);
	ck_assert_int_eq(p.continuous, 1);
	ck_assert_int_eq(p.n, 0);
	/* the whole period: continuous, no interval (the caller's period applies) */
	ck_assert_int_eq(mf_parse_period("В течение всего периода", 2023, &p), 0);
	ck_assert_int_eq(p.continuous, 1);
	ck_assert_int_eq(p.uncertain, 0);
	ck_assert_int_eq(p.n, 0);
}
END_TEST

START_TEST(garbage)
{
	UNCERTAIN("", 2025);
	UNCERTAIN("по мере необходимости", 2025);
	UNCERTAIN("Февраль и когда-нибудь", 2025);
	UNCERTAIN("2023 г. г.", 0);
	UNCERTAIN("\xff\xfe", 2025);
	UNCERTAIN("---", 2025);
	UNCERTAIN("99999999999999", 2025);
}
END_TEST

START_TEST(terms)
{
	ck_assert_str_eq(mf_map_term("mentoring_form", "ученик-ученик"), "student_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "ученик – ученик"), "student_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "ученик–ученик"), "student_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "«Учитель - учитель»"), "teacher_teacher");
	ck_assert_str_eq(mf_map_term("mentoring_form", "учитель\u00a0–\u00a0ученик"), "teacher_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "студент-ученик"), "university_student_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "работодатель - ученик"), "employer_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "студент–студент"),
			 "university_student_university_student");
	ck_assert_str_eq(mf_map_term("mentoring_form", "работодатель–студент"),
			 "employer_university_student");
	ck_assert_ptr_null(mf_map_term("mentoring_form", "ученик"));
	ck_assert_str_eq(mf_map_term("direction", "Знание"), "knowledge");
	ck_assert_str_eq(mf_map_term("direction", "ПРОФОРИЕНТАЦИЯ"), "career_guidance");
	ck_assert_str_eq(mf_map_term("direction", "Учитель. Школьная команда"), "teacher_team");
	ck_assert_str_eq(mf_map_term("direction", "Школьный климат"), "school_climate");
	ck_assert_str_eq(mf_map_term("direction", "Образовательная среда"), "educational_environment");
	ck_assert_str_eq(mf_map_term("direction", "Здоровье"), "health");
	ck_assert_str_eq(mf_map_term("direction", "Творчество"), "creativity");
	ck_assert_str_eq(mf_map_term("direction", "Воспитание"), "upbringing");
	ck_assert_str_eq(mf_map_term("self_diagnosis_level", "«Ниже базового»"), "below_basic");
	ck_assert_str_eq(mf_map_term("self_diagnosis_level", "Базовый"), "basic");
	ck_assert_str_eq(mf_map_term("self_diagnosis_level", "Средний"), "medium");
	ck_assert_str_eq(mf_map_term("self_diagnosis_level", "Высокий"), "high");
	ck_assert_str_eq(mf_map_term("event_type", "вебинар"), "webinar");
	ck_assert_str_eq(mf_map_term("event_type", "Вебинаре"), "webinar");
	ck_assert_str_eq(mf_map_term("event_type", "проектная сессия"), "project_session");
	ck_assert_str_eq(mf_map_term("event_type", "Форум"), "forum");
	ck_assert_str_eq(mf_map_term("event_type", "конкурс"), "contest");
	ck_assert_str_eq(mf_map_term("support_type", "стажировка"), "internship");
	ck_assert_str_eq(mf_map_term("support_type", "Консультация"), "consultation");
	ck_assert_ptr_null(mf_map_term("nonsense", "вебинар"));
	ck_assert_ptr_null(mf_map_term("direction", NULL));
}
END_TEST

START_TEST(date_helpers)
{
	mf_date d;
	char buf[11];

	ck_assert_int_eq(mf_date_parse("2024-02-29", &d), 0);
	ck_assert_str_eq(mf_date_format(d, buf), "2024-02-29");
	ck_assert_int_eq(mf_date_parse("2023-02-29", &d), -1);
	ck_assert_int_eq(mf_date_parse("2023-2-01", &d), -1);
	ck_assert_int_eq(mf_date_parse("2023-02-01x", &d), -1);
	ck_assert_int_lt(mf_date_cmp((mf_date){ 2023, 1, 1 }, (mf_date){ 2023, 1, 2 }), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("datexpr");
	TCase *tc = tcase_create("core");
	SRunner *sr;

	tcase_add_test(tc, months);
	tcase_add_test(tc, dates);
	tcase_add_test(tc, ranges);
	tcase_add_test(tc, quarters);
	tcase_add_test(tc, continuous);
	tcase_add_test(tc, garbage);
	tcase_add_test(tc, terms);
	tcase_add_test(tc, date_helpers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	{
		int failed = srunner_ntests_failed(sr);
		srunner_free(sr);
		return failed ? 1 : 0;
	}
}
