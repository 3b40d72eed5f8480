/*
 * test_plugins.c — the plugin loader and the Tomsk and Chelyabinsk plugins on
 * the real seed documents (tests/data/00N_*.txt, used as they are), roadmap
 * judging, loader refusals, the region check and bad documents.
 */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "plugin_loader.h"
#include "roadmap.h"
#include "datexpr.h"
#include "json.h"

static char tmpdir[256];

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s ? s : ".";
}

static const char *
builddir(void)
{
	const char *s = getenv("top_builddir");
	return s ? s : ".";
}

static char *
plugin_path(const char *name)
{
	static char buf[8][1024];
	static int k;
	char *b = buf[k++ % 8];

	snprintf(b, 1024, "%s/plugins/.libs/%s.so", builddir(), name);
	return b;
}

static char *
test_module(const char *name)
{
	static char buf[4][1024];
	static int k;
	char *b = buf[k++ % 4];

	snprintf(b, 1024, "%s/tests/.libs/%s.so", builddir(), name);
	return b;
}

static char *
seed(const char *prefix)
{
	static char buf[8][1024];
	static int k;
	char pat[1024], *b = buf[k++ % 8];
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/tests/data/%s_*.txt", srcdir(), prefix);
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 1);
	snprintf(b, 1024, "%s", g.gl_pathv[0]);
	globfree(&g);
	return b;
}

static void
quiet(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

static mf_plugins *
node(const char *region)
{
	mf_plugins *p = mf_plugins_new(region);
	char err[1024];

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(mf_plugins_load(p, plugin_path("tomsk"), err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(mf_plugins_load(p, plugin_path("chelyabinsk"), err, sizeof(err)) == 0, "%s", err);
	return p;
}

/* Import and require success. */
static json_t *
import_ok(mf_plugins *p, const char *path, const char *plugin, const char *format, int year,
	  json_t **diag_out)
{
	json_t *recs = NULL, *diag = NULL;
	char err[2048];
	int rc = mf_plugins_import(p, path, plugin, format, year, &recs, &diag, err, sizeof(err));

	ck_assert_msg(rc == 0, "import of %s failed: %s", path, err);
	ck_assert_ptr_nonnull(recs);
	/* every body is a valid protobuf body of its kind and comes back the same */
	{
		size_t i;
		json_t *r;
		json_array_foreach(recs, i, r) {
			const char *kind = json_string_value(json_object_get(r, "kind"));
			uint8_t *buf = NULL;
			size_t len = 0;
			json_t *back;
			ck_assert_msg(mf_json_to_body(json_object_get(r, "body"), kind, &buf, &len, err,
						      sizeof(err)) == 0, "%s record %zu: %s", path, i, err);
			back = mf_body_to_json(kind, buf, len);
			ck_assert_msg(json_equal(back, json_object_get(r, "body")),
				      "%s record %zu does not round-trip", path, i);
			json_decref(back);
			free(buf);
		}
	}
	if (diag_out)
		*diag_out = diag;
	else
		json_decref(diag);
	return recs;
}

/* Import and require failure; returns the error message (static). */
static const char *
import_fails(mf_plugins *p, const char *path, const char *plugin, const char *format)
{
	static char err[2048];
	json_t *recs = (json_t *)1, *diag = NULL;
	int rc = mf_plugins_import(p, path, plugin, format, 0, &recs, &diag, err, sizeof(err));

	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(recs);
	ck_assert_ptr_nonnull(diag);
	ck_assert_uint_ge(json_array_size(diag), 1);
	json_decref(diag);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "error does not name the file: %s", err);
	return err;
}

static size_t
count_kind(json_t *recs, const char *kind)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(recs, i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0)
			n++;
	return n;
}

/* The n-th (0-based) body of `kind`. */
static json_t *
nth(json_t *recs, const char *kind, size_t n)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0 && n-- == 0)
			return json_object_get(r, "body");
	ck_abort_msg("no %s record number %zu", kind, n);
	return NULL;
}

static json_t *
by_field(json_t *recs, const char *kind, const char *field, const char *value)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		json_t *b = json_object_get(r, "body");
		const char *v = json_string_value(json_object_get(b, field));
		if (strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0 && v &&
		    strcmp(v, value) == 0)
			return b;
	}
	ck_abort_msg("no %s with %s = %s", kind, field, value);
	return NULL;
}

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "from..to from..to" of a Timing object */
static const char *
ivs(json_t *timing)
{
	static char buf[512];
	size_t i, o = 0;
	json_t *iv;

	buf[0] = '\0';
	json_array_foreach(json_object_get(timing, "intervals"), i, iv)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s..%s", i ? " " : "",
				      str(iv, "from"), str(iv, "to"));
	return buf;
}

static void
setup(void)
{
	mf_plugins_set_logger(quiet);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mf-test-plugins-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static char *
tmpfile_with(const char *name, const char *data, size_t len)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	FILE *f;

	snprintf(b, 512, "%s/%s", tmpdir, name);
	f = fopen(b, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return b;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* The first `lines` lines of a file, into a temp file. */
static char *
head_lines(const char *path, int lines, const char *name)
{
	size_t len, o = 0;
	char *b = slurp(path, &len), *r;
	int n = 0;

	while (o < len && n < lines)
		if (b[o++] == '\n')
			n++;
	r = tmpfile_with(name, b, o);
	free(b);
	return r;
}

static void
copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *b = slurp(from, &len);
	FILE *f = fopen(to, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
	ck_assert_int_eq(chmod(to, mode), 0);
}

/* ------------------------------------------------------------ Tomsk 001 */

START_TEST(tomsk_league_order)
{
	static const char *const schools[12][2] = {
		{ "МАОУ Заозерная СОШ с углубленным изучением отдельных предметов № 16", "г. Томск" },
		{ "МАОУ «СОШ № 2 имени Героя Советского Союза Феофиста Андреевича Трифонова» г. Колпашево",
		  "Колпашевский район" },
		{ "МАОУ «Лицей имени И.В. Авдзейко»", "Томский район" },
		{ "МБОУ «Клюквинская СОШИ»", "Верхнекетский район" },
		{ "МАОУ «Кожевниковская СОШ № 1»", "Кожевниковский район" },
		{ "МАОУ Улу-Юльская СОШ", "Первомайский район" },
		{ "МАОУ «СОШ №1 с. Александровское»", "Александровский район" },
		{ "МБОУ «Каргасокская СОШИ № 1»", "Каргасокский район" },
		{ "МБОУ «СОШ № 196»", "ЗАТО Северск" },
		{ "МОУ «Гимназия № 1 городского округа Стрежевой»", "городской округ Стрежевой" },
		{ "МОУ «СкОШ»", "городской округ Стрежевой" },
		{ "ОГБОУ «Школа-интернат для обучающихся с нарушениями слуха»", "" },
	};
	mf_plugins *p = node("RU-TOM");
	json_t *recs = import_ok(p, seed("001"), NULL, NULL, 0, NULL), *rm, *it, *m;

	ck_assert_uint_eq(count_kind(recs, "school"), 12);
	ck_assert_uint_eq(count_kind(recs, "roadmap"), 1);
	ck_assert_uint_eq(count_kind(recs, "roadmap_item"), 5);
	ck_assert_uint_eq(json_array_size(recs), 18);
	for (int i = 0; i < 12; i++) {
		json_t *s = nth(recs, "school", (size_t)i);
		ck_assert_str_eq(str(s, "name"), schools[i][0]);
		ck_assert_str_eq(str(s, "municipality"), schools[i][1]);
		ck_assert_str_eq(str(s, "region"), "RU-TOM");
		m = json_array_get(json_object_get(s, "memberships"), 0);
		ck_assert_str_eq(str(m, "body"), "Наставническая лига Томской области");
		ck_assert_str_eq(str(m, "basis"),
				 "распоряжение Департамента образования Томской области от 22.01.2025 № 102");
		ck_assert_str_eq(str(m, "since"), "2025-01-22");
	}
	rm = nth(recs, "roadmap", 0);
	ck_assert_str_eq(str(rm, "title"), "План работы Наставнической лиги в рамках проекта "
			 "«Школа Минпросвещения России» на 2025 год");
	ck_assert_str_eq(str(rm, "issuer"), "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ ТОМСКОЙ ОБЛАСТИ");
	ck_assert_str_eq(str(rm, "order_number"), "102");
	ck_assert_str_eq(str(rm, "order_date"), "2025-01-22");
	ck_assert_str_eq(str(rm, "period_from"), "2025-01-01");
	ck_assert_str_eq(str(rm, "period_to"), "2025-12-31");
	ck_assert_str_eq(str(rm, "model"), "tomsk-league-plan");

	it = nth(recs, "roadmap_item", 0);
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"), "Февраль");
	ck_assert_str_eq(ivs(json_object_get(it, "timing")), "2025-02-01..2025-02-28");
	ck_assert(json_is_true(json_object_get(json_object_get(it, "timing"), "year_assumed")));
	ck_assert_str_eq(str(it, "lead"), "ТОИПКРО");
	ck_assert_str_eq(str(it, "section"), "Организационное сопровождение деятельности НЛ");
	ck_assert_str_eq(str(it, "roadmap_id"), json_string_value(json_object_get(
		json_array_get(recs, 12), "id")));

	it = nth(recs, "roadmap_item", 1);
	ck_assert_str_eq(ivs(json_object_get(it, "timing")), "2025-02-12..2025-02-12");
	ck_assert_str_eq(str(it, "title"), "Организация и проведение проектной сессии по "
			 "деятельности Наставнической лиги в Томской области в 2025 году");
	ck_assert_str_eq(str(it, "lead"), "ТОИПКРО");
	ck_assert_uint_eq(json_array_size(json_object_get(it, "co_executors")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(it, "co_executors"), 1)),
			 "ООО, вошедшие в состав Наставнической лиги");

	it = nth(recs, "roadmap_item", 2);
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"), "Апрель, сентябрь");
	ck_assert_str_eq(ivs(json_object_get(it, "timing")),
			 "2025-04-01..2025-04-30 2025-09-01..2025-09-30");

	it = nth(recs, "roadmap_item", 3);
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"), "В течение года");
	ck_assert(json_is_true(json_object_get(json_object_get(it, "timing"), "continuous")));
	ck_assert_str_eq(ivs(json_object_get(it, "timing")), "2025-01-01..2025-12-31");
	/* the row split over three lines, with a <p> fragment */
	ck_assert_str_eq(str(it, "expected_result"),
			 "Осуществлено взаимодействие общеобразовательных организаций, вошедших в "
			 "состав Наставнической лиги и общеобразовательных организаций, которые по "
			 "результатам очередной самодиагностики не продемонстрировали положительную "
			 "динамику в части улучшения значений критических показателей по магистральным "
			 "направлениям и ключевым условиям проекта и получили уровень соответствия "
			 "статуса проекта «Ниже базового»");
	ck_assert_int_eq(json_integer_value(json_object_get(it, "source_line")), 140);

	it = nth(recs, "roadmap_item", 4);
	ck_assert_str_eq(ivs(json_object_get(it, "timing")), "2025-12-01..2025-12-31");
	ck_assert_str_eq(str(it, "title"), "Издание электронного сборника статей об опыте "
			 "реализации проекта «Школа Минпросвещения России» в Томской области");
	ck_assert_str_eq(str(it, "responsible_raw"),
			 "ТОИПКРО, МОУО, ОО, вошедшие в состав Наставнической лиги");
	ck_assert_str_eq(str(it, "expected_result"), "Издан электронный сборник статей об опыте "
			 "реализации проекта «Школа Минпросвещения России» в Томской области");

	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

START_TEST(tomsk_reimport_same_ids)
{
	mf_plugins *p = node("RU-TOM");
	const char *docs[] = { "000", "001", "002", "004" };

	for (int d = 0; d < 4; d++) {
		json_t *a = import_ok(p, seed(docs[d]), NULL, NULL, 0, NULL);
		json_t *b = import_ok(p, seed(docs[d]), NULL, NULL, 0, NULL);
		ck_assert_msg(json_equal(a, b), "re-import of %s differs", docs[d]);
		json_decref(a);
		json_decref(b);
	}
	mf_plugins_free(p);
}
END_TEST

START_TEST(tomsk_webinar_letter)
{
	mf_plugins *p = node("RU-TOM");
	json_t *recs = import_ok(p, seed("002"), NULL, NULL, 0, NULL), *e, *t;
	static const char *const forms[] = { "student_student", "university_student_student",
					     "employer_student", "teacher_student" };

	ck_assert_uint_eq(count_kind(recs, "event"), 1);
	ck_assert_uint_eq(count_kind(recs, "mentoring_practice"), 4);
	ck_assert_uint_eq(count_kind(recs, "target"), 2);
	ck_assert_uint_eq(count_kind(recs, "school"), 8);
	e = nth(recs, "event", 0);
	ck_assert_str_eq(str(e, "type"), "webinar");
	ck_assert_str_eq(str(e, "date"), "2022-08-22");
	ck_assert_str_eq(str(e, "title"), "Реализация моделей наставничества в системе общего "
			 "образования Томской области");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "participants")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "views")), 1845);
	ck_assert_uint_eq(json_array_size(json_object_get(e, "school_ids")), 8);
	ck_assert(strstr(str(e, "organiser"), "Региональный центр развития образования") != NULL);
	for (int i = 0; i < 4; i++) {
		json_t *m = nth(recs, "mentoring_practice", (size_t)i);
		ck_assert_str_eq(str(m, "form"), forms[i]);
		ck_assert_str_eq(str(m, "region"), "RU-TOM");
	}
	ck_assert_str_eq(str(nth(recs, "mentoring_practice", 0), "form_text"), "ученик – ученик");
	t = nth(recs, "target", 0);
	ck_assert(json_real_value(json_object_get(t, "value")) == 75.0);
	ck_assert_str_eq(str(t, "unit"), "%");
	ck_assert_str_eq(str(t, "deadline"), "2023-01-01");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "forms"), 0)), "teacher_student");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "forms"), 1)), "student_student");
	t = nth(recs, "target", 1);
	ck_assert(json_real_value(json_object_get(t, "value")) == 50.0);
	ck_assert_str_eq(str(t, "deadline"), "2023-01-01");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "forms"), 0)),
			 "university_student_student");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "forms"), 1)), "employer_student");
	ck_assert_str_eq(str(t, "population"), "общеобразовательных организаций и образовательных "
			 "организаций дополнительного образования");
	/* the speakers' schools, with their municipality where the letter gives one */
	ck_assert_str_eq(str(by_field(recs, "school", "name", "МБОУ «Корниловская СОШ»"), "municipality"),
			 "Томский район");
	ck_assert_str_eq(str(by_field(recs, "school", "name", "МКОУ «Поротниковская сош»"), "municipality"),
			 "Бакчарский район");
	ck_assert_str_eq(str(by_field(recs, "school", "name", "МОУ «СОШ № 5»"), "municipality"),
			 "городской округ Стрежевой");
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

START_TEST(tomsk_school_page)
{
	mf_plugins *p = node("RU-TOM");
	json_t *diag, *recs = import_ok(p, seed("004"), NULL, NULL, 0, &diag), *s, *m;
	static const char *const forms[] = { "teacher_teacher", "teacher_student", "student_student" };
	static const size_t ntasks[] = { 5, 4, 6 };

	ck_assert_uint_eq(count_kind(recs, "school"), 1);
	ck_assert_uint_eq(count_kind(recs, "mentoring_practice"), 3);
	s = nth(recs, "school", 0);
	ck_assert_str_eq(str(s, "name"), "Муниципальное автономное общеобразовательное учреждение "
			 "Средняя общеобразовательная школа № 14 имени А.Ф. Лебедева");
	ck_assert_str_eq(str(s, "municipality"), "г. Томск");
	ck_assert_str_eq(str(s, "short_name"), "МАОУ СОШ № 14");
	for (int i = 0; i < 3; i++) {
		m = nth(recs, "mentoring_practice", (size_t)i);
		ck_assert_str_eq(str(m, "form"), forms[i]);
		ck_assert_uint_eq(json_array_size(json_object_get(m, "tasks")), ntasks[i]);
		ck_assert(strlen(str(m, "goal")) > 50);
		ck_assert_str_eq(str(m, "school_id"), json_string_value(json_object_get(
			json_array_get(recs, 0), "id")));
	}
	m = nth(recs, "mentoring_practice", 0);
	ck_assert_str_eq(str(m, "form_text"), "Учитель - учитель");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "tasks"), 4)),
			 "Ускорить процесс профессионального становления педагога.");
	m = nth(recs, "mentoring_practice", 1);
	ck_assert_str_eq(str(m, "goal"), "успешное формирование у учеников младшей, средней и старшей "
			 "школы осознанного подхода к реализации личностного потенциала, рост числа "
			 "заинтересованной в развитии собственных талантов и навыков молодежи.");
	/* the task cut mid-sentence is kept, with a warning */
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "tasks"), 1)),
			 "Повышение мотивации к учебе и саморазвитию, к саморегуляции, формирования");
	ck_assert_uint_eq(json_array_size(diag), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(diag, 0), "line")), 64);
	m = nth(recs, "mentoring_practice", 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "tasks"), 5)),
			 "Формирование устойчивого сообщества обучающихся и сообщества благодарных выпускников.");
	json_decref(diag);
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

START_TEST(tomsk_league_news)
{
	mf_plugins *p = node("RU-TOM");
	json_t *diag, *recs = import_ok(p, seed("000"), NULL, NULL, 0, &diag), *e;

	ck_assert_uint_eq(count_kind(recs, "event"), 2);
	e = nth(recs, "event", 0);
	ck_assert_str_eq(str(e, "date"), "2025-02-21");
	ck_assert_str_eq(str(e, "type"), "webinar");
	ck_assert(json_is_true(json_object_get(e, "date_assumed")));
	e = nth(recs, "event", 1);
	ck_assert_str_eq(str(e, "date"), "2025-02-26");
	ck_assert(json_is_true(json_object_get(e, "date_assumed")));
	ck_assert_str_eq(str(e, "recording_url"),
			 "https://vkvideo.ru/playlist/-106262435_5/video-106262435_456240464");
	ck_assert_uint_eq(json_array_size(json_object_get(e, "school_ids")), 1);
	ck_assert_str_eq(str(by_field(recs, "school", "name", "МОУ «Специальная коррекционная школа»"),
			     "municipality"), "г. Стрежевой");
	/* a warning says the year was assumed */
	ck_assert_uint_eq(json_array_size(diag), 2);
	ck_assert_str_eq(str(json_array_get(diag, 0), "level"), "warning");
	json_decref(diag);
	json_decref(recs);
	/* --year wins */
	recs = import_ok(p, seed("000"), NULL, NULL, 2026, &diag);
	ck_assert_str_eq(str(nth(recs, "event", 0), "date"), "2026-02-21");
	ck_assert_str_eq(str(nth(recs, "event", 1), "date"), "2026-02-26");
	ck_assert_uint_eq(json_array_size(diag), 0);
	json_decref(diag);
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

START_TEST(tomsk_competency_cards)
{
	mf_plugins *p = node("RU-TOM");
	char path[1024];
	json_t *recs, *c;

	snprintf(path, sizeof(path), "%s/tests/data/cards/tomsk-cards.txt", srcdir());
	recs = import_ok(p, path, NULL, NULL, 0, NULL);
	ck_assert_uint_eq(count_kind(recs, "competency_card"), 3);
	ck_assert_uint_eq(count_kind(recs, "school"), 3);
	c = nth(recs, "competency_card", 0);
	ck_assert_uint_eq(json_array_size(json_object_get(c, "directions")), 3);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "directions"), 2)), "teacher_team");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "offers"), 1)), "internship");
	ck_assert(strstr(str(c, "description"), "заместителей директора.") != NULL);
	/* the same school as in the League order has the same id */
	{
		json_t *order = import_ok(p, seed("001"), NULL, NULL, 0, NULL);
		ck_assert_str_eq(str(c, "school_id"),
				 json_string_value(json_object_get(json_array_get(order, 2), "id")));
		json_decref(order);
	}
	json_decref(recs);
	/* a bad card: unknown direction, with its line */
	{
		static const char bad[] = "ВИЗИТКИ КОМПЕТЕНЦИЙ\n\nШкола: X\nНаправления: Знание; Астрология\n";
		char *f = tmpfile_with("badcards.txt", bad, sizeof(bad) - 1);
		const char *err = import_fails(p, f, NULL, NULL);
		ck_assert_msg(strstr(err, ":4: ") != NULL, "%s", err);
	}
	mf_plugins_free(p);
}
END_TEST

/* -------------------------------------------------------- Chelyabinsk 003 */

START_TEST(chelyabinsk_roadmap)
{
	mf_plugins *p = node("RU-CHE");
	json_t *diag, *recs = import_ok(p, seed("003"), NULL, NULL, 0, &diag), *rm, *it, *sec;
	static const char *const sect_of[19] = { "I", "I", "I", "I", "II", "II", "II", "II", "II",
						 "III", "III", "III", "III", "IV", "IV", "IV", "IV",
						 "V", "V" };
	static const char *const periods[19] = {
		"2023-01-01..2023-02-28", "2023-01-01..2023-02-28",
		"2023-03-01..2023-04-30 2024-03-01..2024-04-30",
		"2023-03-01..2023-04-30 2024-03-01..2024-04-30",
		"",
		"2023-10-01..2023-12-31 2024-10-01..2024-12-31",
		"2023-02-01..2023-03-31 2024-02-01..2024-03-31",
		"2023-11-01..2023-11-30 2024-11-01..2024-11-30",
		"2023-01-01..2023-12-31",
		"2023-09-01..2023-10-31", "2023-10-01..2023-10-31", "2023-05-01..2023-12-31",
		"2023-01-01..2024-12-31",
		"2023-01-01..2023-02-28", "2023-01-01..2023-12-31", "2023-01-01..2023-12-31",
		"2023-03-01..2023-06-30",
		"2023-12-01..2023-12-31 2024-12-01..2024-12-31",
		"2023-10-01..2023-12-31 2024-10-01..2024-12-31",
	};
	static const char *const schools[7][2] = {
		{ "МАОУ \"Академический лицей\"", "г. Магнитогорск" },
		{ "МБОУ \"Лицей N 120 г. Челябинска\"", "г. Челябинск" },
		{ "МБОУ \"Средняя общеобразовательная школа 68 г. Челябинска имени Родионова Е.Н.\"",
		  "г. Челябинск" },
		{ "МАОУ \"Лицей N 67 г. Челябинска\"", "г. Челябинск" },
		{ "МОУ \"Средняя общеобразовательная школа N 23\"", "Копейский городской округ" },
		{ "МБОУ \"Средняя общеобразовательная школа N 16\"", "Еманжелинский муниципальный район" },
		{ "МБОУ \"Средняя общеобразовательная школа N 112\"", "Трехгорный городской округ" },
	};
	char *dump;

	ck_assert_uint_eq(count_kind(recs, "roadmap"), 1);
	ck_assert_uint_eq(count_kind(recs, "roadmap_item"), 19);
	ck_assert_uint_eq(count_kind(recs, "school"), 7);
	ck_assert_uint_eq(json_array_size(recs), 27);
	rm = nth(recs, "roadmap", 0);
	ck_assert_str_eq(str(rm, "order_date"), "2023-02-06");
	ck_assert_str_eq(str(rm, "order_number"), "01/288");
	ck_assert_str_eq(str(rm, "issuer"), "Министерства образования и науки Челябинской области");
	ck_assert_str_eq(str(rm, "period_from"), "2023-01-01");
	ck_assert_str_eq(str(rm, "period_to"), "2024-12-31");
	ck_assert(strncmp(str(rm, "title"), "Дорожная карта реализации региональной целевой модели "
			  "наставничества в Челябинской области в 2023-2024 годах", 100) == 0);
	sec = json_object_get(rm, "sections");
	ck_assert_uint_eq(json_array_size(sec), 5);
	ck_assert_str_eq(str(json_array_get(sec, 2), "number"), "III");
	ck_assert_str_eq(str(json_array_get(sec, 2), "title"),
			 "Мероприятия по совершенствованию кадрового обеспечения продвижения системы наставничества");
	ck_assert_str_eq(str(json_array_get(sec, 4), "number"), "V");
	for (int i = 0; i < 19; i++) {
		char num[16];
		it = nth(recs, "roadmap_item", (size_t)i);
		snprintf(num, sizeof(num), "%d", i + 1);
		ck_assert_str_eq(str(it, "number"), num);
		ck_assert_str_eq(str(it, "section"), sect_of[i]);
		ck_assert_msg(strcmp(ivs(json_object_get(it, "timing")), periods[i]) == 0,
			      "item %d: %s, expected %s", i + 1, ivs(json_object_get(it, "timing")), periods[i]);
		ck_assert(strlen(str(it, "title")) > 20);
		ck_assert(strlen(str(it, "lead")) > 5);
		ck_assert(strlen(str(it, "document_type")) > 5);
		ck_assert(strlen(str(it, "expected_result")) > 5);
	}
	it = nth(recs, "roadmap_item", 2);
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"), "Март-апрель 2023 г. Март-апрель 2024 г.,");
	it = nth(recs, "roadmap_item", 4);   /* kept raw, flagged, not dropped */
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"),
			 "III - IV кварталы 2023 г. I II - IV кварталы 2024 г.");
	ck_assert(json_is_true(json_object_get(json_object_get(it, "timing"), "uncertain")));
	ck_assert_str_eq(str(it, "document_type"), "Приказы о проведении и результатах конкурса, "
			 "информационных писем, данные о количестве участников, материалы из опыта работы");
	it = nth(recs, "roadmap_item", 12);
	ck_assert_str_eq(str(json_object_get(it, "timing"), "raw"), "В течение всего периода");
	ck_assert(json_is_true(json_object_get(json_object_get(it, "timing"), "continuous")));
	it = nth(recs, "roadmap_item", 0);
	ck_assert_str_eq(str(it, "lead"), "Министерство образования и науки Челябинской области");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(it, "co_executors"), 0)),
			 "ГБУ ДПО \"Челябинский институт переподготовки и повышения квалификации работников образования");
	it = nth(recs, "roadmap_item", 9);
	ck_assert_str_eq(str(it, "lead"),
			 "ГБУ ДПО \"Челябинский институт переподготовки и повышения квалификации работников образования");
	ck_assert_uint_eq(json_array_size(json_object_get(it, "co_executors")), 7);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(it, "co_executors"), 0)),
			 "МАОУ \"Академический лицей\" города Магнитогорска (по согласованию)");
	it = nth(recs, "roadmap_item", 17);
	ck_assert_str_eq(str(it, "lead"), "ГБУ ДПО ЧИРО");
	ck_assert_ptr_null(json_object_get(it, "co_executors"));
	for (int i = 0; i < 7; i++) {
		json_t *s = nth(recs, "school", (size_t)i);
		ck_assert_str_eq(str(s, "name"), schools[i][0]);
		ck_assert_str_eq(str(s, "municipality"), schools[i][1]);
		ck_assert_str_eq(str(s, "region"), "RU-CHE");
	}
	/* the advertising lines are nowhere */
	dump = json_dumps(recs, 0);
	ck_assert(strstr(dump, "ГАРАНТ") == NULL);
	free(dump);
	/* one warning: the uncertain period, at its line */
	ck_assert_uint_eq(json_array_size(diag), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(diag, 0), "line")), 49);
	json_decref(diag);
	/* re-import: same ids, same records */
	{
		json_t *again = import_ok(p, seed("003"), "chelyabinsk", "chelyabinsk-garant-roadmap", 0, NULL);
		ck_assert(json_equal(recs, again));
		json_decref(again);
	}
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

/* ---------------------------------------------------------- the loader */

START_TEST(loader_list)
{
	mf_plugins *p = node("RU-TOM");
	json_t *l = mf_plugins_list_json(p), *t;

	ck_assert_uint_eq(json_array_size(l), 2);
	t = json_array_get(l, 0);
	ck_assert_str_eq(str(t, "name"), "tomsk");
	ck_assert_str_eq(str(t, "region"), "RU-TOM");
	ck_assert_str_eq(str(t, "model"), "tomsk-league-plan");
	ck_assert_str_eq(str(t, "path"), plugin_path("tomsk"));
	ck_assert_uint_eq(json_array_size(json_object_get(t, "formats")), 5);
	ck_assert_str_eq(str(json_array_get(l, 1), "model"), "chelyabinsk-roadmap");
	ck_assert_ptr_nonnull(mf_plugins_for_region(p, "RU-CHE"));
	ck_assert_ptr_null(mf_plugins_for_region(p, "RU-MOW"));
	json_decref(l);
	mf_plugins_free(p);
}
END_TEST

static void
refused(mf_plugins *p, const char *path, const char *reason)
{
	char err[1024];

	ck_assert_int_eq(mf_plugins_load(p, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) != NULL, "message does not name the file: %s", err);
	ck_assert_msg(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
}

START_TEST(loader_refusals)
{
	mf_plugins *p = node("RU-TOM");
	char path[512], dir[512];

	refused(p, test_module("badabi"), "ABI version 42");
	refused(p, test_module("abione"), "ABI version 1, this host speaks version 2: rebuild");
	refused(p, test_module("noentry"), "no entry point mentorfed_plugin_entry");
	refused(p, test_module("incomplete"), "descriptor incomplete");
	/* the same plugin again, from another file: duplicate name */
	snprintf(path, sizeof(path), "%s/tomsk-copy.so", tmpdir);
	copy_file(plugin_path("tomsk"), path, 0755);
	refused(p, path, "a plugin named 'tomsk' is already loaded");
	/* world-writable file */
	snprintf(path, sizeof(path), "%s/ww.so", tmpdir);
	copy_file(test_module("otherregion"), path, 0666);
	ck_assert_int_eq(chmod(path, 0666), 0);
	refused(p, path, "world-writable");
	/* world-writable directory */
	snprintf(dir, sizeof(dir), "%s/wwdir", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/wwdir/p.so", tmpdir);
	copy_file(test_module("otherregion"), path, 0644);
	refused(p, path, "directory");
	/* not owned by the node's user (only testable as root) */
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/nobody.so", tmpdir);
		copy_file(test_module("otherregion"), path, 0644);
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		refused(p, path, "owned by uid 65534");
	}
	/* not a shared object */
	snprintf(path, sizeof(path), "%s/text.so", tmpdir);
	copy_file(seed("000"), path, 0644);
	refused(p, path, "dlopen failed");
	refused(p, "/nonexistent/plugin.so", "No such file");
	/* the node goes on: still two plugins, imports work */
	ck_assert_int_eq(mf_plugins_count(p), 2);
	json_decref(import_ok(p, seed("004"), NULL, NULL, 0, NULL));
	mf_plugins_free(p);
}
END_TEST

START_TEST(loader_dir)
{
	mf_plugins *p = mf_plugins_new("RU-TOM");
	char path[512];

	snprintf(path, sizeof(path), "%s/tomsk.so", tmpdir);
	copy_file(plugin_path("tomsk"), path, 0755);
	snprintf(path, sizeof(path), "%s/bad.so", tmpdir);
	copy_file(test_module("badabi"), path, 0755);
	snprintf(path, sizeof(path), "%s/notes.txt", tmpdir);
	copy_file(seed("000"), path, 0644);
	ck_assert_int_eq(mf_plugins_load_dir(p, tmpdir), 1);
	ck_assert_int_eq(mf_plugins_count(p), 1);
	ck_assert_int_eq(mf_plugins_load_dir(p, "/nonexistent-dir"), 0);
	mf_plugins_free(p);
}
END_TEST

START_TEST(region_check)
{
	mf_plugins *p = node("RU-CHE");
	const char *err = import_fails(p, seed("001"), NULL, NULL);

	ck_assert_msg(strstr(err, "region RU-TOM") && strstr(err, "this node is RU-CHE"), "%s", err);
	err = import_fails(p, seed("004"), "tomsk", NULL);
	ck_assert(strstr(err, "refused") != NULL);
	mf_plugins_free(p);
	p = node("RU-TOM");
	err = import_fails(p, seed("003"), NULL, NULL);
	ck_assert_msg(strstr(err, "region RU-CHE"), "%s", err);
	mf_plugins_free(p);
}
END_TEST

/* ---------------------------------------------------------- bad input */

START_TEST(bad_documents)
{
	mf_plugins *p = node("RU-TOM");
	mf_plugins *c = node("RU-CHE");
	const char *err;
	char cmd[2048], *f;

	/* truncated: the Chelyabinsk roadmap cut inside item 5 */
	f = head_lines(seed("003"), 50, "trunc003.txt");
	err = import_fails(c, f, NULL, NULL);
	ck_assert_msg(strstr(err, ":47: ") && strstr(err, "item 5"), "%s", err);
	/* truncated: the League order cut before its plan */
	f = head_lines(seed("001"), 125, "trunc001.txt");
	err = import_fails(p, f, "tomsk", "tomsk-league-order");
	ck_assert_msg(strstr(err, ":125: ") && strstr(err, "truncated"), "%s", err);
	/* truncated in the middle of a UTF-8 sequence */
	{
		size_t len;
		char *b = slurp(seed("002"), &len);
		size_t cut = 3001;
		while ((b[cut] & 0xC0) != 0x80)
			cut++;
		f = tmpfile_with("cut002.txt", b, cut);
		free(b);
		err = import_fails(p, f, NULL, NULL);
		ck_assert_msg(strstr(err, "invalid UTF-8"), "%s", err);
	}
	/* CP1251 */
	snprintf(cmd, sizeof(cmd), "iconv -f UTF-8 -t CP1251 '%s' > '%s/cp1251.txt'", seed("001"), tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/cp1251.txt", tmpdir);
	err = import_fails(p, cmd, NULL, NULL);
	ck_assert_msg(strstr(err, ":5: ") && strstr(err, "invalid UTF-8"), "%s", err);
	/* binary */
	{
		static const char nul[] = "ДОКУМЕНТ\nline two\n\0\x01\x02";
		f = tmpfile_with("nul.txt", nul, sizeof(nul) - 1);
	}
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, ":3: ") && strstr(err, "NUL"), "%s", err);
	/* a wrong document: nobody recognises it */
	{
		static const char wrong[] = "Список покупок\nмолоко\nхлеб\n";
		f = tmpfile_with("wrong.txt", wrong, strlen(wrong));
	}
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, ":1: ") && strstr(err, "recognises"), "%s", err);
	/* a wrong document forced through a format */
	err = import_fails(p, seed("002"), "tomsk", "tomsk-league-order");
	ck_assert_msg(strstr(err, ":1: "), "%s", err);
	err = import_fails(p, seed("004"), "tomsk", "tomsk-league-news");
	ck_assert_msg(strstr(err, "news") || strstr(err, ":"), "%s", err);
	err = import_fails(c, seed("002"), "chelyabinsk", NULL);
	ck_assert_msg(strstr(err, ":1: "), "%s", err);
	/* empty */
	f = tmpfile_with("empty.txt", "", 0);
	err = import_fails(p, f, NULL, NULL);
	ck_assert(strstr(err, "empty") != NULL);
	/* unknown plugin or format */
	err = import_fails(p, seed("001"), "nosuch", NULL);
	ck_assert(strstr(err, "no plugin named 'nosuch'") != NULL);
	err = import_fails(p, seed("001"), NULL, "nosuch-format");
	ck_assert(strstr(err, "no format 'nosuch-format'") != NULL);
	mf_plugins_free(p);
	mf_plugins_free(c);
}
END_TEST

/* A copy of `path` without its lines from..to (1-based, inclusive), and
 * with `insert` (when not NULL) put before line `at`. */
static char *
edit_lines(const char *path, int from, int to, int at, const char *insert, const char *name)
{
	size_t len, o = 0, w = 0;
	char *b = slurp(path, &len), *out = malloc(len + (insert ? strlen(insert) : 0) + 1), *r;
	int line = 1;

	ck_assert_ptr_nonnull(out);
	while (o < len) {
		size_t e = o;
		while (e < len && b[e] != '\n')
			e++;
		if (e < len)
			e++;
		if (insert && line == at) {
			memcpy(out + w, insert, strlen(insert));
			w += strlen(insert);
		}
		if (line < from || line > to) {
			memcpy(out + w, b + o, e - o);
			w += e - o;
		}
		o = e;
		line++;
	}
	r = tmpfile_with(name, out, w);
	free(out);
	free(b);
	return r;
}

/*
 * Complete documents (doc/PLUGIN.md): what each format states about its
 * own extent is checked, and a document that fails it is refused at the
 * line where it shows — with nothing returned.
 */
START_TEST(complete_documents)
{
	mf_plugins *p = node("RU-TOM"), *c = node("RU-CHE");
	const char *err;
	char *f, cards[1024];
	json_t *l, *fm, *recs;

	snprintf(cards, sizeof(cards), "%s/tests/data/cards/tomsk-cards.txt", srcdir());

	/* the Chelyabinsk roadmap cut after item 6 (line 58): the export's
	 * closing line is missing */
	f = head_lines(seed("003"), 58, "che6.txt");
	err = import_fails(c, f, NULL, NULL);
	ck_assert_msg(strstr(err, "che6.txt:58: ") && strstr(err, "closing line"), "%s", err);
	/* ...with the closing line put back: a well-formed shorter roadmap (the
	 * daemon's re-import check is what refuses it against the full one) */
	f = edit_lines(seed("003"), 59, 145, 0, NULL, "che6closed.txt");
	recs = import_ok(c, f, NULL, NULL, 0, NULL);
	ck_assert_int_eq(count_kind(recs, "roadmap_item"), 6);
	json_decref(recs);
	/* item 7 (lines 59-64) lost: the numbering jumps */
	f = edit_lines(seed("003"), 59, 64, 0, NULL, "che-no7.txt");
	err = import_fails(c, f, NULL, NULL);
	ck_assert_msg(strstr(err, ":59: ") && strstr(err, "item 8 where item 7 was expected"), "%s",
		      err);
	/* section III's row (lines 77-79) lost: its items would land in II */
	f = edit_lines(seed("003"), 77, 79, 0, NULL, "che-no3.txt");
	err = import_fails(c, f, NULL, NULL);
	ck_assert_msg(strstr(err, "section IV where section 3 was expected"), "%s", err);
	/* the League order without its annex 3 header (line 126): the order's
	 * text names the annex at line 22 */
	f = edit_lines(seed("001"), 126, 126, 0, NULL, "order-no-annex3.txt");
	err = import_fails(p, f, "tomsk", "tomsk-league-order");
	ck_assert_msg(strstr(err, ":22: ") && strstr(err, "annex № 3"), "%s", err);
	/* a card file whose header states another number than its closing
	 * line «Всего карточек: 3»: host->expect, at the second statement */
	f = edit_lines(cards, 0, -1, 5, "Карточек: 4\n", "cards4.txt");
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, "cards4.txt:31: incomplete or damaged document: «Всего карточек: "
			       "3» says 3 competency_card records, but line 5 («Карточек: 4») says 4"),
		      "%s", err);
	ck_assert_int_eq(mf_plugins_refused_incomplete(p), 0);
	/* without its closing line (line 30): host->incomplete, refused with
	 * the hint; with --whole a warning marked incomplete, and the cards */
	f = edit_lines(cards, 30, 30, 0, NULL, "cards-open.txt");
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, "cards-open.txt:27: the card file stops here without its closing "
			       "line") && strstr(err, "; nothing was imported; " MF_WHOLE_HINT), "%s", err);
	ck_assert_int_eq(mf_plugins_refused_incomplete(p), 1);
	mf_plugins_set_whole(p, 1);
	{
		json_t *diag = NULL, *w;
		recs = import_ok(p, f, NULL, NULL, 0, &diag);
		ck_assert_int_eq(count_kind(recs, "competency_card"), 3);
		ck_assert_uint_eq(json_array_size(diag), 1);
		w = json_array_get(diag, 0);
		ck_assert_str_eq(str(w, "level"), "warning");
		ck_assert(json_is_true(json_object_get(w, "incomplete")));
		ck_assert_int_eq(json_integer_value(json_object_get(w, "line")), 27);
		json_decref(diag);
		json_decref(recs);
	}
	/* ...but --whole does not override what the file states: a header
	 * «Карточек: 4» over 3 cards */
	f = edit_lines(f, 0, -1, 5, "Карточек: 4\n", "cards4-open.txt");
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, "cards4-open.txt:5: incomplete document: it states 4 "
			       "competency_card records («Карточек: 4»), but 3 were read") &&
		      !strstr(err, "--whole"), "%s", err);
	ck_assert_int_eq(mf_plugins_refused_incomplete(p), 0);
	mf_plugins_set_whole(p, 0);
	f = edit_lines(cards, 0, -1, 5, "Карточек: 3\n", "cards3.txt");
	recs = import_ok(p, f, NULL, NULL, 0, NULL);
	ck_assert_int_eq(count_kind(recs, "competency_card"), 3);
	json_decref(recs);
	f = edit_lines(cards, 0, -1, 5, "Карточек: три\n", "cardsx.txt");
	err = import_fails(p, f, NULL, NULL);
	ck_assert_msg(strstr(err, ":5: ") && strstr(err, "number of cards"), "%s", err);
	/* the plugins say what makes each format complete */
	l = mf_plugins_list_json(c);
	fm = json_array_get(json_object_get(json_array_get(l, 1), "formats"), 0);
	ck_assert_msg(strstr(str(fm, "complete"), "closing line"), "%s", str(fm, "complete"));
	fm = json_object_get(json_array_get(l, 0), "formats");
	ck_assert_msg(strstr(str(json_array_get(fm, 0), "complete"), "annex"), "order");
	ck_assert_msg(strstr(str(json_array_get(fm, 1), "complete"), "signature"), "letter");
	json_decref(l);
	mf_plugins_free(p);
	mf_plugins_free(c);
}
END_TEST

/* Records a plugin builds wrongly: the import fails, nothing is returned. */
START_TEST(bad_records)
{
	mf_plugins *p = mf_plugins_new("RU-XXX");
	char err[1024];
	const char *e;
	json_t *recs;
	static const struct { const char *doc, *want; } cases[] = {
		{ "OTHER REGION DOCUMENT BADFIELD\n", "has no field 'no_such_field'" },
		{ "OTHER REGION DOCUMENT BADENUM\n", "'superb' is not a value of SelfDiagnosisLevel" },
		{ "OTHER REGION DOCUMENT BADINT\n", "'-5' is not a valid integer" },
		{ "OTHER REGION DOCUMENT BADKIND\n", "unknown record kind 'no_such_kind'" },
		{ "OTHER REGION DOCUMENT DUPID\n", "two different records with the same id" },
		{ "OTHER REGION DOCUMENT PARTIAL\n", ":3: made-up failure" },
		/* rec_emit ends a record: its handles and its sub-messages' */
		{ "OTHER REGION DOCUMENT AFTEREMIT\n", "used after rec_emit" },
		/* an mf_period without MF_PERIOD_INIT: the host checks the size */
		{ "OTHER REGION DOCUMENT NOPERIODSIZE\n", "mf_period.size is 0" },
	};

	ck_assert_int_eq(mf_plugins_load(p, test_module("otherregion"), err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = tmpfile_with("doc.txt", cases[i].doc, strlen(cases[i].doc));
		e = import_fails(p, f, NULL, NULL);
		ck_assert_msg(strstr(e, cases[i].want) != NULL, "%s: %s", cases[i].doc, e);
	}
	/* the same record twice, identical: one record */
	{
		char *f = tmpfile_with("doc.txt", "OTHER REGION DOCUMENT SAMEID\n", 29);
		recs = import_ok(p, f, NULL, NULL, 0, NULL);
		ck_assert_uint_eq(json_array_size(recs), 1);
		ck_assert_str_eq(str(json_object_get(json_array_get(recs, 0), "body"), "code"), "RU-XXX");
		json_decref(recs);
	}
	mf_plugins_free(p);
}
END_TEST

/* -------------------------------------------------------------- roadmaps */

/* Imported records as stored: with an origin. */
static json_t *
stored(json_t *recs, const char *origin)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r)
		json_object_set_new(r, "origin", json_string(origin));
	return recs;
}

static const char *
status_of(json_t *report, const char *number)
{
	json_t *items = json_object_get(json_array_get(json_object_get(report, "roadmaps"), 0), "items");
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
		if (strcmp(str(it, "number"), number) == 0)
			return str(it, "status");
	ck_abort_msg("no item %s", number);
	return NULL;
}

static json_t *
report_rec(const char *item_id, const char *status, const char *as_of, const char *evidence)
{
	json_t *b = json_pack("{s:s,s:s,s:s}", "item_id", item_id, "status", status, "as_of", as_of);

	if (evidence)
		json_object_set_new(b, "evidence", json_pack("[s]", evidence));
	return json_pack("{s:s,s:s,s:s,s:o}", "id", "RU-TOM:roadmap_item_report:x", "kind",
			 "roadmap_item_report", "origin", "RU-TOM", "body", b);
}

START_TEST(roadmap_tomsk)
{
	mf_plugins *p = node("RU-TOM");
	json_t *recs = stored(import_ok(p, seed("001"), NULL, NULL, 0, NULL), "RU-TOM"), *rep, *items;
	const char *item1 = NULL;
	size_t i;
	json_t *r;

	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 3, 1 }, recs);
	ck_assert_str_eq(str(rep, "model"), "tomsk-league-plan");
	ck_assert_str_eq(str(rep, "at"), "2025-03-01");
	ck_assert_uint_eq(json_array_size(json_object_get(rep, "roadmaps")), 1);
	items = json_object_get(json_array_get(json_object_get(rep, "roadmaps"), 0), "items");
	ck_assert_uint_eq(json_array_size(items), 5);
	ck_assert_str_eq(status_of(rep, "1"), "overdue");
	ck_assert_str_eq(status_of(rep, "2"), "overdue");
	ck_assert_str_eq(status_of(rep, "3"), "planned");
	ck_assert_str_eq(status_of(rep, "4"), "continuous");
	ck_assert_str_eq(status_of(rep, "5"), "planned");
	/* overdue first, then by number */
	ck_assert_str_eq(str(json_array_get(items, 0), "number"), "1");
	ck_assert_str_eq(str(json_array_get(items, 1), "number"), "2");
	ck_assert_str_eq(str(json_array_get(items, 2), "number"), "3");
	json_decref(rep);

	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 4, 15 }, recs);
	ck_assert_str_eq(status_of(rep, "3"), "in_progress");
	json_decref(rep);
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 6, 15 }, recs);
	ck_assert_str_eq(status_of(rep, "3"), "planned");   /* September still to come */
	json_decref(rep);
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2026, 1, 10 }, recs);
	ck_assert_str_eq(status_of(rep, "4"), "overdue");   /* the League model */
	ck_assert_str_eq(status_of(rep, "5"), "overdue");
	json_decref(rep);

	/* done only with a report carrying evidence */
	json_array_foreach(recs, i, r)
		if (strcmp(str(r, "kind"), "roadmap_item") == 0 &&
		    strcmp(str(json_object_get(r, "body"), "number"), "1") == 0)
			item1 = str(r, "id");
	ck_assert_ptr_nonnull(item1);
	json_array_append_new(recs, report_rec(item1, "done", "2025-02-20", NULL));
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 3, 1 }, recs);
	ck_assert_str_eq(status_of(rep, "1"), "overdue");
	json_decref(rep);
	json_array_append_new(recs, report_rec(item1, "done", "2025-02-25", "https://toipkro.ru/league"));
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 3, 1 }, recs);
	ck_assert_str_eq(status_of(rep, "1"), "done");
	json_decref(rep);
	/* a report dated after the date does not count */
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2025, 2, 24 }, recs);
	ck_assert_str_eq(status_of(rep, "1"), "in_progress");
	json_decref(rep);

	/* targets from the letter: not tied to a roadmap */
	{
		json_t *t = stored(import_ok(p, seed("002"), NULL, NULL, 0, NULL), "RU-TOM"), *tg;
		rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2022, 12, 1 }, t);
		tg = json_object_get(rep, "targets");
		ck_assert_uint_eq(json_array_size(tg), 2);
		ck_assert_str_eq(str(json_array_get(tg, 0), "state"), "pending");
		ck_assert(json_real_value(json_object_get(json_array_get(tg, 0), "value")) == 75.0);
		json_decref(rep);
		rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2023, 6, 1 }, t);
		ck_assert_str_eq(str(json_array_get(json_object_get(rep, "targets"), 1), "state"), "no_data");
		json_decref(rep);
		json_decref(t);
	}
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

START_TEST(roadmap_chelyabinsk_and_generic)
{
	mf_plugins *p = node("RU-CHE");
	json_t *recs = stored(import_ok(p, seed("003"), NULL, NULL, 0, NULL), "RU-CHE"), *rep;

	rep = mf_roadmap_judge(p, "RU-CHE", (mf_date){ 2024, 3, 15 }, recs);
	ck_assert_str_eq(str(rep, "model"), "chelyabinsk-roadmap");
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(json_object_get(rep, "roadmaps"), 0),
							  "items")), 19);
	ck_assert_str_eq(status_of(rep, "3"), "in_progress");
	ck_assert_str_eq(status_of(rep, "5"), "unknown");
	ck_assert_str_eq(status_of(rep, "8"), "planned");
	ck_assert_str_eq(status_of(rep, "13"), "continuous");
	ck_assert_str_eq(status_of(rep, "1"), "overdue");
	ck_assert_str_eq(status_of(rep, "19"), "planned");
	{
		json_t *items = json_object_get(json_array_get(json_object_get(rep, "roadmaps"), 0), "items");
		json_t *u = NULL, *it;
		size_t i;
		json_array_foreach(items, i, it)
			if (strcmp(str(it, "number"), "5") == 0)
				u = it;
		ck_assert_str_eq(str(u, "timing_raw"), "III - IV кварталы 2023 г. I II - IV кварталы 2024 г.");
		ck_assert(json_is_true(json_object_get(u, "uncertain")));
	}
	json_decref(rep);
	rep = mf_roadmap_judge(p, "RU-CHE", (mf_date){ 2025, 1, 15 }, recs);
	ck_assert_str_eq(status_of(rep, "13"), "overdue");
	json_decref(rep);
	/* a node without the region's plugin: the generic model */
	rep = mf_roadmap_judge(NULL, "RU-CHE", (mf_date){ 2024, 3, 15 }, recs);
	ck_assert_str_eq(str(rep, "model"), "generic");
	ck_assert_str_eq(status_of(rep, "3"), "in_progress");
	ck_assert_str_eq(status_of(rep, "5"), "unknown");
	json_decref(rep);
	/* records of another region are not judged as this one's */
	rep = mf_roadmap_judge(p, "RU-TOM", (mf_date){ 2024, 3, 15 }, recs);
	ck_assert_uint_eq(json_array_size(json_object_get(rep, "roadmaps")), 0);
	json_decref(rep);
	json_decref(recs);
	mf_plugins_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plugins");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tomsk_league_order);
	tcase_add_test(tc, tomsk_webinar_letter);
	tcase_add_test(tc, tomsk_school_page);
	tcase_add_test(tc, tomsk_league_news);
	tcase_add_test(tc, tomsk_competency_cards);
	tcase_add_test(tc, tomsk_reimport_same_ids);
	tcase_add_test(tc, chelyabinsk_roadmap);
	tcase_add_test(tc, loader_list);
	tcase_add_test(tc, loader_refusals);
	tcase_add_test(tc, loader_dir);
	tcase_add_test(tc, region_check);
	tcase_add_test(tc, bad_documents);
	tcase_add_test(tc, complete_documents);
	tcase_add_test(tc, bad_records);
	tcase_add_test(tc, roadmap_tomsk);
	tcase_add_test(tc, roadmap_chelyabinsk_and_generic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
