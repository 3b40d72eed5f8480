/*
 * test_json.c — generic JSON <-> protobuf conversion (daemon/core/json.c).
 *
 * Every kind's body round-trips: JSON -> encoded body -> JSON gives the same
 * document, for a body filled from the kind's descriptor (every field set,
 * repeated fields with two elements, nested messages) and for hand-written
 * roadmap item and target bodies whose decoded values are checked too.
 * Unknown fields, wrong types, bad enum identifiers and out-of-range
 * integers are errors naming the field's path.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "json.h"
#include "kinds.h"
#include "proto/records.pb-c.h"

static json_t *
parse(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "bad test JSON: %s: %s", text, je.text);
	return j;
}

/* A value for every field of d, from its descriptor. */
static json_t *
fill(const ProtobufCMessageDescriptor *d, int depth, unsigned salt);

static json_t *
field_value(const ProtobufCFieldDescriptor *f, int depth, unsigned salt)
{
	char buf[128], nb[64];

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		snprintf(buf, sizeof(buf), "%s «значение» %u", f->name, salt);
		return json_string(buf);
	case PROTOBUF_C_TYPE_BYTES:
		return json_string("AAEC/w==");
	case PROTOBUF_C_TYPE_BOOL:
		return json_true();
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		unsigned i = 1 + salt % (ed->n_values - 1);
		ck_assert_ptr_nonnull(mf_enum_ident(ed, ed->values[i].value, nb, sizeof(nb)));
		return json_string(nb);
	}
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(12.75 + salt);
	case PROTOBUF_C_TYPE_FLOAT:
		return json_real(0.5 + salt);
	case PROTOBUF_C_TYPE_MESSAGE:
		return fill(f->descriptor, depth + 1, salt);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(4000000000u - salt);
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(-2000000000 + (int)salt);
	default:
		return json_integer(1234567890123ll + salt);
	}
}

static json_t *
fill(const ProtobufCMessageDescriptor *d, int depth, unsigned salt)
{
	json_t *o = json_object();

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= 3)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			json_t *a = json_array();
			json_array_append_new(a, field_value(f, depth, salt + i));
			json_array_append_new(a, field_value(f, depth, salt + i + 1));
			json_object_set_new(o, f->name, a);
		} else {
			json_object_set_new(o, f->name, field_value(f, depth, salt + i));
		}
	}
	return o;
}

static void
round_trip(json_t *in, const char *kind)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[512] = "";
	json_t *out;

	ck_assert_msg(mf_json_to_body(in, kind, &buf, &len, err, sizeof(err)) == 0, "%s: %s", kind,
		      err);
	out = mf_body_to_json(kind, buf, len);
	ck_assert_ptr_nonnull(out);
	if (!json_equal(in, out)) {
		char *a = json_dumps(in, JSON_SORT_KEYS), *b = json_dumps(out, JSON_SORT_KEYS);
		ck_abort_msg("%s does not round-trip:\n in: %s\nout: %s", kind, a, b);
	}
	json_decref(out);
	free(buf);
}

START_TEST(every_kind_round_trips)
{
	int n = 0;

	for (const char *const *k = mf_kind_names; *k; k++, n++) {
		const ProtobufCMessageDescriptor *d = mf_kind_descriptor(*k);
		json_t *in;

		ck_assert_msg(d != NULL, "kind %s has no descriptor", *k);
		in = fill(d, 0, (unsigned)n);
		ck_assert_uint_eq(json_object_size(in), d->n_fields);
		round_trip(in, *k);
		json_decref(in);
		/* an empty body too */
		in = json_object();
		round_trip(in, *k);
		json_decref(in);
	}
	ck_assert_int_eq(n, 15);	/* the 14 kinds of 0.1.0 and region_key */
}
END_TEST

START_TEST(roadmap_item_values)
{
	json_t *in = parse(
		"{\"roadmap_id\": \"RU-TOM:roadmap:r1\", \"number\": \"1.2\","
		" \"section\": \"I\", \"title\": \"Проведение вебинаров\","
		" \"timing\": {\"raw\": \"сентябрь-октябрь 2024, май 2025\","
		"   \"intervals\": [{\"from\": \"2024-09-01\", \"to\": \"2024-10-31\"},"
		"                   {\"from\": \"2025-05-01\", \"to\": \"2025-05-31\"}],"
		"   \"year_assumed\": true},"
		" \"lead\": \"ТОИПКРО\", \"co_executors\": [\"МОУ СОШ № 1\", \"МОУ СОШ № 2\"],"
		" \"document_type\": \"приказ\", \"expected_result\": \"100%\","
		" \"source_line\": 4294967295}");
	uint8_t *buf;
	size_t len;
	char err[512];
	Mentorfed__RoadmapItem *m;

	ck_assert_msg(mf_json_to_body(in, "roadmap_item", &buf, &len, err, sizeof(err)) == 0, "%s",
		      err);
	m = mentorfed__roadmap_item__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->title, "Проведение вебинаров");
	ck_assert_ptr_nonnull(m->timing);
	ck_assert_uint_eq(m->timing->n_intervals, 2);
	ck_assert_str_eq(m->timing->intervals[1]->from, "2025-05-01");
	ck_assert_str_eq(m->timing->intervals[1]->to, "2025-05-31");
	ck_assert_int_eq(m->timing->year_assumed, 1);
	ck_assert_int_eq(m->timing->continuous, 0);
	ck_assert_uint_eq(m->n_co_executors, 2);
	ck_assert_str_eq(m->co_executors[1], "МОУ СОШ № 2");
	ck_assert_uint_eq(m->source_line, 4294967295u);
	mentorfed__roadmap_item__free_unpacked(m, NULL);
	free(buf);
	round_trip(in, "roadmap_item");
	json_decref(in);
}
END_TEST

START_TEST(target_and_enums)
{
	json_t *in = parse("{\"indicator\": \"Доля школ\", \"value\": 87.5, \"unit\": \"%\","
			   " \"forms\": [\"teacher_teacher\", \"student_student\", \"other\"],"
			   " \"actual\": 0.125, \"has_actual\": true, \"deadline\": \"2030-12-31\"}");
	uint8_t *buf;
	size_t len;
	char err[512];
	Mentorfed__Target *m;

	ck_assert_msg(mf_json_to_body(in, "target", &buf, &len, err, sizeof(err)) == 0, "%s", err);
	m = mentorfed__target__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(m);
	ck_assert_double_eq(m->value, 87.5);
	ck_assert_double_eq(m->actual, 0.125);
	ck_assert_uint_eq(m->n_forms, 3);
	ck_assert_int_eq(m->forms[0], MENTORFED__MENTORING_FORM__MENTORING_FORM_TEACHER_TEACHER);
	ck_assert_int_eq(m->forms[1], MENTORFED__MENTORING_FORM__MENTORING_FORM_STUDENT_STUDENT);
	ck_assert_int_eq(m->forms[2], MENTORFED__MENTORING_FORM__MENTORING_FORM_OTHER);
	mentorfed__target__free_unpacked(m, NULL);
	free(buf);
	round_trip(in, "target");
	json_decref(in);

	/* Enum identifiers are case-insensitive on input, lower case on output. */
	in = parse("{\"directions\": [\"CAREER_GUIDANCE\", \"Knowledge\"]}");
	ck_assert_int_eq(mf_json_to_body(in, "competency_card", &buf, &len, err, sizeof(err)), 0);
	{
		json_t *out = mf_body_to_json("competency_card", buf, len), *want;
		want = parse("{\"directions\": [\"career_guidance\", \"knowledge\"]}");
		ck_assert(json_equal(out, want));
		json_decref(out);
		json_decref(want);
	}
	free(buf);
	json_decref(in);
	/* Values at their default are left out; null means absent. */
	in = parse("{\"name\": \"\", \"self_diagnosis_level\": \"unspecified\", \"source\": null,"
		   " \"memberships\": []}");
	ck_assert_int_eq(mf_json_to_body(in, "school", &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 0);
	{
		json_t *out = mf_body_to_json("school", buf, len);
		ck_assert_uint_eq(json_object_size(out), 0);
		json_decref(out);
	}
	free(buf);
	json_decref(in);
}
END_TEST

/* Convert text as a body of kind, expecting an error containing each of the
 * NULL-terminated strings. */
static void
expect_error(const char *kind, const char *text, ...)
{
	json_t *in = parse(text);
	uint8_t *buf = NULL;
	size_t len;
	char err[1024] = "";
	va_list ap;
	const char *w;

	ck_assert_msg(mf_json_to_body(in, kind, &buf, &len, err, sizeof(err)) != 0,
		      "%s accepted: %s", kind, text);
	va_start(ap, text);
	while ((w = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(strstr(err, w) != NULL, "expected '%s' in '%s'", w, err);
	va_end(ap);
	json_decref(in);
}

START_TEST(unknown_field)
{
	expect_error("school", "{\"name\": \"x\", \"nmae\": \"y\"}", "body.nmae", "unknown field",
		     NULL);
	expect_error("roadmap_item",
		     "{\"timing\": {\"intervals\": [{\"from\": \"2024-01-01\"}, {\"form\": \"x\"}]}}",
		     "body.timing.intervals[1].form", NULL);
	expect_error("self_diagnosis", "{\"scores\": [{\"direction\": \"health\", \"scroe\": 1.5}]}",
		     "body.scores[0].scroe", NULL);
	expect_error("no_such_kind", "{}", "no_such_kind", NULL);
}
END_TEST

START_TEST(wrong_type)
{
	expect_error("school", "{\"name\": 5}", "body.name", "string", NULL);
	expect_error("event", "{\"participants\": \"3\"}", "body.participants", "integer", NULL);
	expect_error("event", "{\"participants\": 3.5}", "body.participants", NULL);
	expect_error("event", "{\"date_assumed\": 1}", "body.date_assumed", NULL);
	expect_error("target", "{\"value\": \"87.5\"}", "body.value", "number", NULL);
	expect_error("mentoring_practice", "{\"tasks\": \"one task\"}", "body.tasks", "array", NULL);
	expect_error("mentoring_practice", "{\"goal\": [\"a\"]}", "body.goal", NULL);
	expect_error("mentoring_practice", "{\"tasks\": [\"a\", 2]}", "body.tasks[1]", NULL);
	expect_error("roadmap_item", "{\"timing\": \"май\"}", "body.timing", "object", NULL);
	expect_error("school", "{\"memberships\": [{\"body\": \"x\"}, 7]}", "body.memberships[1]",
		     NULL);
	{
		/* not an object at all */
		json_t *in = parse("[1, 2]");
		uint8_t *buf;
		size_t len;
		char err[256] = "";
		ck_assert_int_ne(mf_json_to_body(in, "school", &buf, &len, err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, "body") != NULL, "%s", err);
		json_decref(in);
	}
}
END_TEST

START_TEST(bad_enum)
{
	expect_error("school", "{\"self_diagnosis_level\": \"super\"}", "body.self_diagnosis_level",
		     "super", "below_basic", "basic", "medium", "high", NULL);
	expect_error("competency_card", "{\"directions\": [\"knowledge\", \"fun\"]}",
		     "body.directions[1]", "career_guidance", "educational_environment", NULL);
	expect_error("event", "{\"type\": 1}", "body.type", NULL);
}
END_TEST

START_TEST(integer_range)
{
	json_t *in;
	uint8_t *buf;
	size_t len;
	char err[256];

	expect_error("event", "{\"participants\": 4294967296}", "body.participants", "range", NULL);
	expect_error("event", "{\"participants\": -1}", "body.participants", "range", NULL);
	expect_error("self_diagnosis", "{\"year\": 99999999999}", "body.year", "range", NULL);
	in = parse("{\"participants\": 4294967295, \"views\": 0}");
	ck_assert_int_eq(mf_json_to_body(in, "event", &buf, &len, err, sizeof(err)), 0);
	free(buf);
	json_decref(in);
}
END_TEST

/* Version.body is bytes: base64 in JSON. */
START_TEST(bytes_base64)
{
	static const struct {
		const char *b64;
		const char *raw;
		size_t len;
	} ok[] = {
		{ "aGVsbG8=", "hello", 5 },
		{ "aGk=", "hi", 2 },
		{ "aA==", "h", 1 },
		{ "AAEC/w==", "\x00\x01\x02\xff", 4 },
		{ "", "", 0 },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[256];
		json_t *in, *out;
		ProtobufCMessage *m;
		Mentorfed__Version *v;

		snprintf(text, sizeof(text), "{\"id\": \"RU-TOM:school:x\", \"seq\": 9007199254740993,"
			 " \"body\": \"%s\"}", ok[i].b64);
		in = parse(text);
		ck_assert_msg(mf_json_to_pb(in, &mentorfed__version__descriptor, &m, "version", err,
					    sizeof(err)) == 0, "%s: %s", ok[i].b64, err);
		v = (Mentorfed__Version *)m;
		ck_assert_uint_eq(v->seq, 9007199254740993ull);
		ck_assert_uint_eq(v->body.len, ok[i].len);
		if (ok[i].len)
			ck_assert_mem_eq(v->body.data, ok[i].raw, ok[i].len);
		out = mf_pb_to_json(m);
		if (ok[i].len)
			ck_assert_str_eq(json_string_value(json_object_get(out, "body")), ok[i].b64);
		else
			ck_assert_ptr_null(json_object_get(out, "body"));
		json_decref(out);
		protobuf_c_message_free_unpacked(m, NULL);
		json_decref(in);
	}
	{
		static const char *const bad[] = { "aGVsbG8", "a", "!!!!", "aGVs*G8=" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char text[128];
			json_t *in;
			ProtobufCMessage *m;
			snprintf(text, sizeof(text), "{\"body\": \"%s\"}", bad[i]);
			in = parse(text);
			err[0] = '\0';
			ck_assert_msg(mf_json_to_pb(in, &mentorfed__version__descriptor, &m, "version",
						    err, sizeof(err)) != 0, "accepted '%s'", bad[i]);
			ck_assert_ptr_null(m);
			ck_assert_msg(strstr(err, "version.body") != NULL && strstr(err, "base64"),
				      "%s", err);
			json_decref(in);
		}
	}
}
END_TEST

START_TEST(limits_and_garbage)
{
	json_t *in = json_object();
	char *big = malloc(MF_JSON_BODY_MAX + 10);
	uint8_t *buf;
	size_t len;
	char err[256] = "";

	memset(big, 'x', MF_JSON_BODY_MAX + 9);
	big[MF_JSON_BODY_MAX + 9] = '\0';
	json_object_set_new(in, "description", json_string(big));
	ck_assert_int_ne(mf_json_to_body(in, "competency_card", &buf, &len, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "limit") != NULL, "%s", err);
	json_decref(in);
	free(big);
	/* a body that does not decode as its kind */
	ck_assert_ptr_null(mf_body_to_json("school", (const uint8_t *)"\xff\xff\xff", 3));
	ck_assert_ptr_null(mf_body_to_json("no_such_kind", (const uint8_t *)"", 0));
	/* deep nesting is bounded, not a crash */
	{
		json_t *o = parse("{\"timing\": {\"intervals\": [{\"from\": \"x\", \"to\": \"y\"}]}}");
		ck_assert_int_eq(mf_json_to_body(o, "roadmap_item", &buf, &len, err, sizeof(err)), 0);
		free(buf);
		json_decref(o);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_kind_round_trips);
	tcase_add_test(tc, roadmap_item_values);
	tcase_add_test(tc, target_and_enums);
	tcase_add_test(tc, unknown_field);
	tcase_add_test(tc, wrong_type);
	tcase_add_test(tc, bad_enum);
	tcase_add_test(tc, integer_range);
	tcase_add_test(tc, bytes_base64);
	tcase_add_test(tc, limits_and_garbage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
