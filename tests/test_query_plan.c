/*
 * test_query_plan.c — the store's indexed queries (issue 14).
 *
 * Every query of store_read.c's table goes through an index: EXPLAIN
 * QUERY PLAN never scans the records table (the school search scans the
 * small school table, never records).  The queries give what a scan of
 * every body gives: references by kind (both schools of a pair), cards by
 * direction without a body, offers overlapping a month by direction,
 * schools by folded name; a replaced or deleted record leaves the
 * indexes; the kept counts equal a count of the rows after writes,
 * replacements, deletes and a truncation, with no trigger on records
 * (the apply cost, bench/QUERIES.md); the statements a write runs on the
 * index tables go through their primary keys; a dropped index shows in
 * the plans; and a store whose indexes are empty (as a schema-1 store
 * migrated) is indexed again when it opens.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <jansson.h>

#include "i18n.h"
#include "json.h"
#include "keys.h"
#include "kinds.h"
#include "store.h"
#include "util.h"

#include "testdir.h"

static mf_key *key;
static char *dir;

static mf_store *
open_store(void)
{
	char err[512] = "", *p = mf_path(dir, "q.db");
	mf_store *s = mf_store_open(p, "RU-TOM", err, sizeof(err));

	ck_assert_msg(s != NULL, "open: %s", err);
	free(p);
	return s;
}

/* Put (or, json NULL, delete) id of kind with a body from JSON text. */
static void
put(mf_store *s, const char *kind, const char *id, const char *json)
{
	mf_put p = { .id = id, .kind = kind, .deleted = json == NULL };
	mf_commit_result res;
	uint8_t *body = NULL;
	size_t len = 0;
	char err[512] = "";

	if (json) {
		json_error_t je;
		json_t *j = json_loads(json, 0, &je);

		ck_assert_msg(j != NULL, "json: %s", je.text);
		ck_assert_msg(mf_json_to_body(j, kind, &body, &len, err, sizeof(err)) == 0, "%s", err);
		json_decref(j);
	}
	p.body = body;
	p.body_len = len;
	ck_assert_msg(mf_store_commit_local(s, key, &p, 1, &res, err, sizeof(err)) == 0, "put %s: %s",
		      id, err);
	free(body);
}

#define S1 "RU-TOM:school:0000000000000001"
#define S2 "RU-TOM:school:0000000000000002"
#define S3 "RU-TOM:school:0000000000000003"

static void
fill(mf_store *s)
{
	put(s, "school", S1, "{\"name\":\"МАОУ Гимназия № 1 им. Ёлкина\",\"short_name\":\"Гимназия 1\","
	    "\"municipality\":\"г. Томск\",\"region\":\"RU-TOM\",\"memberships\":[{\"body\":\"Лига\"}]}");
	put(s, "school", S2, "{\"name\":\"МБОУ СОШ № 2\",\"short_name\":\"Школа 2\","
	    "\"municipality\":\"г. Северск\",\"region\":\"RU-TOM\"}");
	put(s, "school", S3, "{\"name\":\"МБОУ СОШ № 3\",\"municipality\":\"г. Томск\",\"region\":\"RU-TOM\"}");
	put(s, "competency_card", "RU-TOM:competency_card:00000000000000c1",
	    "{\"school_id\":\"" S1 "\",\"directions\":[\"knowledge\",\"health\"]}");
	put(s, "competency_card", "RU-TOM:competency_card:00000000000000c2",
	    "{\"school_id\":\"" S2 "\",\"directions\":[\"health\"]}");
	put(s, "self_diagnosis", "RU-TOM:self_diagnosis:00000000000000d1",
	    "{\"school_id\":\"" S3 "\",\"year\":2025,\"scores\":[{\"direction\":\"health\",\"critical_zero\":true}]}");
	put(s, "mentoring_pair", "RU-TOM:mentoring_pair:00000000000000a1",
	    "{\"mentor_school_id\":\"" S1 "\",\"mentee_school_id\":\"" S3 "\","
	    "\"directions\":[\"knowledge\"],\"start_date\":\"2025-09-01\"}");
	put(s, "internship_offer", "RU-TOM:internship_offer:00000000000000f1",
	    "{\"host_school_id\":\"" S1 "\",\"title\":\"Осень\",\"directions\":[\"health\"],"
	    "\"dates\":[{\"from\":\"2025-10-01\",\"to\":\"2025-10-10\"}],\"places\":3}");
	put(s, "internship_offer", "RU-TOM:internship_offer:00000000000000f2",
	    "{\"host_school_id\":\"" S2 "\",\"title\":\"Зима\",\"directions\":[\"knowledge\"],"
	    "\"dates\":[{\"from\":\"2025-12-20\",\"to\":\"2026-01-15\"}],\"places\":3}");
	put(s, "internship_application", "RU-TOM:internship_application:00000000000000e1",
	    "{\"offer_id\":\"RU-TOM:internship_offer:00000000000000f2\",\"applicant_school_id\":\"" S3 "\","
	    "\"participants\":1}");
}

static int
collect(void *arg, const mf_record *r)
{
	json_array_append_new(arg, json_string(r->id));
	return 0;
}

static int
collect_ref(void *arg, const char *id, const char *target)
{
	json_array_append_new(arg, json_sprintf("%s>%s", id, target));
	return 0;
}

static int
collect_school(void *arg, const mf_school_row *r)
{
	json_array_append_new(arg, json_sprintf("%s/%d", r->id, r->league));
	return 0;
}

/* The ids as one comma-separated string, for ck_assert_str_eq. */
static char *
joined(json_t *a)
{
	size_t i, n = 1;
	json_t *v;
	char *s;

	json_array_foreach(a, i, v)
		n += strlen(json_string_value(v)) + 1;
	s = calloc(1, n);
	json_array_foreach(a, i, v) {
		if (i)
			strcat(s, ",");
		strcat(s, json_string_value(v));
	}
	json_decref(a);
	return s;
}

#define CHECK_IDS(call, want) do {					\
	json_t *a_ = json_array();					\
	char *got_;							\
	ck_assert_int_eq(call, 0);					\
	got_ = joined(a_);						\
	ck_assert_str_eq(got_, want);					\
	free(got_);							\
} while (0)

/* The index each query's plan must name: not only "no scan" (a query
 * that loses its index may still search a worse one). */
static const struct {
	const char *name, *index;
} want_index[] = {
	{ "records of a kind", "records_kind_origin (kind=?)" },
	{ "records of a kind referring to a record", "PRIMARY KEY (target=? AND kind=?)" },
	{ "records referring to a record", "PRIMARY KEY (target=?)" },
	{ "schools of the records of a kind with a direction", "PRIMARY KEY (direction=? AND kind=?)" },
	{ "records of a kind overlapping dates", "records_kind_dates (kind=? AND date_to>?)" },
	{ "records of a kind overlapping dates with a direction", "PRIMARY KEY (direction=? AND kind=?)" },
	{ "records of a kind with a direction", "PRIMARY KEY (direction=? AND kind=?)" },
	{ "a school", "PRIMARY KEY (id=?)" },
	{ "municipalities of schools", "school_index_municipality" },
	{ "regions of schools", "school_index_region" },
};

/* 1 when plan names the index its query must use (or the query has none listed). */
static int
uses_index(const char *name, const char *plan)
{
	for (size_t i = 0; i < sizeof(want_index) / sizeof(want_index[0]); i++)
		if (strcmp(want_index[i].name, name) == 0)
			return strstr(plan, want_index[i].index) != NULL;
	return 1;
}

static int
plan_cb(void *arg, const char *name, const char *plan)
{
	int *n = arg;

	(*n)++;
	if (getenv("SHOW_PLANS"))
		fprintf(stderr, "%s: %s\n", name, plan);
	ck_assert_msg(*plan != '\0', "%s: no plan", name);
	/* records is aliased "r" in the joins */
	ck_assert_msg(strstr(plan, "SCAN records") == NULL && strstr(plan, "SCAN r") == NULL,
		      "%s scans the records: %s", name, plan);
	if (strstr(plan, "school_index") == NULL)
		ck_assert_msg(strstr(plan, "SCAN") == NULL, "%s scans a table: %s", name, plan);
	ck_assert_msg(uses_index(name, plan), "%s does not use its index: %s", name, plan);
	return 0;
}

START_TEST(plans_use_indexes)
{
	mf_store *s = open_store();
	int n = 0;

	ck_assert_int_eq(mf_store_query_plans(s, plan_cb, &n), 0);
	ck_assert_int_ge(n, 10);
	mf_store_close(s);
	/* and with rows, so that the planner's choice is not an empty table's */
	s = open_store();
	fill(s);
	n = 0;
	ck_assert_int_eq(mf_store_query_plans(s, plan_cb, &n), 0);
	mf_store_close(s);
}
END_TEST

static void
check_results(mf_store *s)
{
	char *q;

	CHECK_IDS(mf_store_each_ref(s, S1, "competency_card", collect, a_),
		  "RU-TOM:competency_card:00000000000000c1");
	/* a pair is found from either school */
	CHECK_IDS(mf_store_each_ref(s, S1, "mentoring_pair", collect, a_),
		  "RU-TOM:mentoring_pair:00000000000000a1");
	CHECK_IDS(mf_store_each_ref(s, S3, NULL, collect, a_),
		  "RU-TOM:internship_application:00000000000000e1,"
		  "RU-TOM:mentoring_pair:00000000000000a1,RU-TOM:self_diagnosis:00000000000000d1");
	CHECK_IDS(mf_store_each_ref(s, "RU-TOM:internship_offer:00000000000000f2",
				    "internship_application", collect, a_),
		  "RU-TOM:internship_application:00000000000000e1");
	CHECK_IDS(mf_store_dir_schools(s, "competency_card", "health", collect_ref, a_),
		  "RU-TOM:competency_card:00000000000000c1>" S1 ","
		  "RU-TOM:competency_card:00000000000000c2>" S2);
	CHECK_IDS(mf_store_dir_schools(s, "competency_card", "creativity", collect_ref, a_), "");
	/* October 2025: the autumn offer; January 2026: the winter one
	 * (its interval crosses the year); by direction */
	CHECK_IDS(mf_store_each_dated(s, "internship_offer", "2025-10-01", "2025-10-31", NULL,
				      collect, a_), "RU-TOM:internship_offer:00000000000000f1");
	CHECK_IDS(mf_store_each_dated(s, "internship_offer", "2026-01-01", "2026-01-31", NULL,
				      collect, a_), "RU-TOM:internship_offer:00000000000000f2");
	CHECK_IDS(mf_store_each_dated(s, "internship_offer", "2025-10-01", "2025-10-31", "knowledge",
				      collect, a_), "");
	CHECK_IDS(mf_store_each_dated(s, "internship_offer", NULL, NULL, "knowledge", collect, a_),
		  "RU-TOM:internship_offer:00000000000000f2");
	CHECK_IDS(mf_store_each_dated(s, "internship_offer", NULL, NULL, NULL, collect, a_),
		  "RU-TOM:internship_offer:00000000000000f1,RU-TOM:internship_offer:00000000000000f2");
	/* folded: «ё» is «е», case does not count; the short name counts */
	q = mf_fold("ЕЛКИНА");
	CHECK_IDS(mf_store_schools(s, q, NULL, NULL, collect_school, a_), S1 "/1");
	free(q);
	q = mf_fold("школа");
	CHECK_IDS(mf_store_schools(s, q, NULL, NULL, collect_school, a_), S2 "/0");
	free(q);
	CHECK_IDS(mf_store_schools(s, "", "г. Томск", NULL, collect_school, a_), S1 "/1," S3 "/0");
	CHECK_IDS(mf_store_school(s, S2, collect_school, a_), S2 "/0");
}

START_TEST(results)
{
	mf_store *s = open_store();

	fill(s);
	check_results(s);
	/* a card that moves to another school, a deleted card */
	put(s, "competency_card", "RU-TOM:competency_card:00000000000000c2",
	    "{\"school_id\":\"" S3 "\",\"directions\":[\"creativity\"]}");
	CHECK_IDS(mf_store_each_ref(s, S2, "competency_card", collect, a_), "");
	CHECK_IDS(mf_store_dir_schools(s, "competency_card", "creativity", collect_ref, a_),
		  "RU-TOM:competency_card:00000000000000c2>" S3);
	put(s, "competency_card", "RU-TOM:competency_card:00000000000000c2", NULL);
	CHECK_IDS(mf_store_dir_schools(s, "competency_card", "creativity", collect_ref, a_), "");
	CHECK_IDS(mf_store_each_ref(s, S3, "competency_card", collect, a_), "");
	put(s, "school", S2, NULL);
	CHECK_IDS(mf_store_school(s, S2, collect_school, a_), "");
	/* the kept counts follow writes and deletes */
	ck_assert_int_eq(mf_store_count(s, "school", NULL, 0), 2);
	ck_assert_int_eq(mf_store_count(s, "competency_card", "RU-TOM", 0), 1);
	ck_assert_int_eq(mf_store_count(s, NULL, NULL, 1), 2);
	ck_assert_int_eq(mf_store_count(s, NULL, "RU-TOM", -1), 10);
	ck_assert_int_eq(mf_store_count(s, NULL, "RU-CHE", -1), 0);
	mf_store_close(s);
}
END_TEST

/* A store whose index tables are empty and marked for indexing (what the
 * schema-2 migration leaves on a store of schema 1) is indexed on open. */
START_TEST(reindex_on_open)
{
	mf_store *s = open_store();
	char *p = mf_path(dir, "q.db");
	sqlite3 *db;

	fill(s);
	mf_store_close(s);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM record_refs; DELETE FROM record_directions;"
				      " DELETE FROM school_index; UPDATE records SET date_from = NULL,"
				      " date_to = NULL; INSERT INTO meta VALUES('reindex', '1')",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(p);
	s = open_store();
	check_results(s);
	mf_store_close(s);
}
END_TEST

/* Violations of plan_cb's rule, counted instead of failed on. */
static int
plan_count_cb(void *arg, const char *name, const char *plan)
{
	(void)name;
	if (strstr(plan, "SCAN records") != NULL || strstr(plan, "SCAN r") != NULL ||
	    (strstr(plan, "school_index") == NULL && strstr(plan, "SCAN") != NULL) ||
	    !uses_index(name, plan))
		(*(int *)arg)++;
	return 0;
}

/* The test must be able to fail: without an index, a plan scans. */
START_TEST(dropped_index_shows)
{
	static const char *const drops[] = {
		"DROP INDEX records_kind_dates", "DROP INDEX records_kind_origin",
		"DROP INDEX school_index_municipality",
	};

	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		mf_store *s = open_store();
		char *p = mf_path(dir, "q.db");
		sqlite3 *db;
		int bad = 0;

		fill(s);
		mf_store_close(s);
		ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, drops[i], NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		s = open_store();
		/* -1: a query that names its index (INDEXED BY) no longer prepares */
		ck_assert_msg(mf_store_query_plans(s, plan_count_cb, &bad) == -1 || bad > 0,
			      "%s: no plan changed", drops[i]);
		mf_store_close(s);
		unlink(p);
		free(p);
	}
}
END_TEST

/* One SQL answer of db as text ("" for none). */
static void
sql_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t l = strlen(out);

		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);

			snprintf(out + l, len - l, "%s%s", c ? "|" : (l ? ";" : ""), v ? v : "");
			l = strlen(out);
		}
	}
	sqlite3_finalize(st);
}

/* record_counts against a count of the records table. */
static void
check_counts(const char *when)
{
	char *p = mf_path(dir, "q.db"), kept[4096], counted[4096], trig[256];
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	sql_text(db, "SELECT kind, origin, deleted, n FROM record_counts WHERE n <> 0"
		 " ORDER BY 1, 2, 3", kept, sizeof(kept));
	sql_text(db, "SELECT kind, origin, deleted, count(*) FROM records GROUP BY 1, 2, 3"
		 " ORDER BY 1, 2, 3", counted, sizeof(counted));
	ck_assert_msg(*counted != '\0', "%s: no records", when);
	ck_assert_msg(strcmp(kept, counted) == 0, "%s: kept %s, counted %s", when, kept, counted);
	/* kept by the writes, not by a trigger: one on records made every
	 * applied record about ten times slower */
	sql_text(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'", trig, sizeof(trig));
	ck_assert_msg(*trig == '\0', "%s: triggers %s", when, trig);
	sqlite3_close(db);
	free(p);
}

START_TEST(counts_kept)
{
	mf_store *s = open_store();
	char err[512] = "";

	fill(s);
	check_counts("filled");
	put(s, "competency_card", "RU-TOM:competency_card:00000000000000c2",
	    "{\"school_id\":\"" S3 "\",\"directions\":[\"creativity\"]}");
	put(s, "school", S2, NULL);
	put(s, "internship_offer", "RU-TOM:internship_offer:00000000000000f1", NULL);
	check_counts("replaced and deleted");
	ck_assert_int_eq(mf_store_count(s, NULL, NULL, 1), 2);
	ck_assert_int_eq(mf_store_count(s, "school", "RU-TOM", 0), 2);
	/* a truncation (recovery) counts its origin again */
	ck_assert_msg(mf_store_truncate_origin(s, "RU-TOM", 5, err, sizeof(err)) == 0, "%s", err);
	check_counts("truncated");
	ck_assert_int_lt(mf_store_count(s, NULL, "RU-TOM", -1), 10);
	mf_store_close(s);
}
END_TEST

/* The statements a write runs on the index tables: by primary key. */
START_TEST(write_plans)
{
	static const char *const sql[] = {
		"SELECT deleted, kind, body FROM records WHERE id = ?1",
		"DELETE FROM record_directions WHERE direction = ?1 AND kind = ?2 AND id = ?3",
		"DELETE FROM record_refs WHERE target = ?1 AND kind = ?2 AND id = ?3",
		"DELETE FROM school_index WHERE id = ?1",
		"UPDATE record_counts SET n = n + 1 WHERE kind = ?1 AND origin = ?2 AND deleted = ?3",
	};
	mf_store *s = open_store();
	char *p = mf_path(dir, "q.db"), plan[1024], q[512];
	sqlite3 *db;

	fill(s);
	mf_store_close(s);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql[i]);
		sql_text(db, q, plan, sizeof(plan));
		if (getenv("SHOW_PLANS"))
			fprintf(stderr, "%s: %s\n", sql[i], plan);
		ck_assert_msg(strstr(plan, "SEARCH") != NULL && strstr(plan, "SCAN") == NULL,
			      "%s: %s", sql[i], plan);
	}
	sqlite3_close(db);
	free(p);
}
END_TEST

static void
each_setup(void)
{
	char err[512] = "";
	char *kd = new_dir("key");

	dir = new_dir("store");
	ck_assert_msg(mf_keys_generate(kd, err, sizeof(err)) == 0, "%s", err);
	key = mf_key_load_private(kd, err, sizeof(err));
	ck_assert_msg(key != NULL, "%s", err);
	free(kd);
}

static void
each_teardown(void)
{
	mf_key_free(key);
	free(dir);
}

int
main(void)
{
	Suite *s = suite_create("query_plan");
	TCase *tc = tcase_create("queries");

	if (testdir_init("test_query_plan") != 0)
		return 1;
	tcase_add_checked_fixture(tc, each_setup, each_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, plans_use_indexes);
	tcase_add_test(tc, results);
	tcase_add_test(tc, reindex_on_open);
	tcase_add_test(tc, dropped_index_shows);
	tcase_add_test(tc, counts_kept);
	tcase_add_test(tc, write_plans);
	suite_add_tcase(s, tc);
	return testdir_run(s);
}
