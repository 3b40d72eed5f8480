/*
 * check_args.c — a control request's arguments, checked and normalised
 * before its command runs (see checks.h).  One table says which argument of
 * which command is what; the daemon, not the client, reads every value
 * (the client passes what was typed), so a date, a month, a region or a
 * school is understood the same way whichever client sent it.
 *
 * Values the request may not carry at all are the command table's business
 * (ctl_table.c: required fields, EX_USAGE); here a present value that is
 * wrong is refused with EX_DATAERR and a hint.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "checks.h"
#include "datexpr.h"
#include "reply.h"
#include "store.h"
#include "util.h"

enum arg_type {
	A_REGION,	/* a known region; case is normalised */
	A_DATE,		/* one date, rewritten as YYYY-MM-DD */
	A_MONTH,	/* YYYY-MM */
	A_SCHOOL,	/* a live school held by this node */
	A_OFFER,	/* a live internship offer held by this node */
	A_PLACES,	/* 1..MF_CHECK_MAX_PLACES */
	A_PARTICIPANTS,	/* 1..MF_CHECK_MAX_PARTICIPANTS */
};

/* Sorted by command only for reading; every matching row applies, in
 * order (counts first: they need no lookup). */
static const struct arg_rule {
	const char *cmd, *field;
	enum arg_type type;
} rules[] = {
	{ "apply", "participants", A_PARTICIPANTS },
	{ "apply", "offer", A_OFFER },
	{ "apply", "school", A_SCHOOL },
	{ "decide", "offer", A_OFFER },
	{ "list", "region", A_REGION },
	{ "mentor_find", "school", A_SCHOOL },
	{ "offer", "places", A_PLACES },
	{ "offer", "month", A_MONTH },
	{ "offer", "from", A_DATE },
	{ "offer", "to", A_DATE },
	{ "offer", "host", A_SCHOOL },
	{ "offer_show", "offer", A_OFFER },
	{ "offers", "region", A_REGION },
	{ "offers", "month", A_MONTH },
	{ "pair_propose", "start", A_DATE },
	{ "pair_propose", "end", A_DATE },
	{ "pair_propose", "mentor", A_SCHOOL },
	{ "pair_propose", "mentee", A_SCHOOL },
	{ "report_roadmaps", "at", A_DATE },
	{ "roadmap", "region", A_REGION },
	{ "roadmap", "at", A_DATE },
};

/* Ranges between two date arguments of one command. */
static const struct arg_range {
	const char *cmd, *from, *to;
} ranges[] = {
	{ "offer", "from", "to" },
	{ "pair_propose", "start", "end" },
};

/* A live record of kind: 1, or 0 with why. */
static int
held(mf_node *node, const char *id, const char *kind, const char *opt, char *why, size_t len)
{
	mf_record *r = mf_store_get(node->store, id);
	char hint[600] = "";
	int ok = r != NULL && !r->deleted && strcmp(r->kind, kind) == 0;

	if (!ok) {
		if (strcmp(kind, "school") == 0)
			mf_check_school_hint(node, id, hint, sizeof(hint));
		if (r == NULL)
			snprintf(why, len, "--%s: no %s %s on this node%s%s", opt,
				 strcmp(kind, "school") == 0 ? "school" : "internship offer", id,
				 strcmp(kind, "school") == 0 ? "" : " (has it synced yet? `mentorfed internship list` shows the offers held here)",
				 hint);
		else if (r->deleted)
			snprintf(why, len, "--%s: %s is deleted", opt, id);
		else
			snprintf(why, len, "--%s: %s is a %s, not a %s", opt, id, r->kind,
				 strcmp(kind, "school") == 0 ? "school" : "internship offer");
	}
	mf_record_free(r);
	return ok;
}

/* A count argument: an integer within 1..max. */
static json_t *
count_arg(json_t *v, const char *field, uint64_t max, const char *zero)
{
	json_int_t n;

	if (!json_is_integer(v))
		return mf_reply_error(EX_USAGE, "%s: expected a number", field);
	n = json_integer_value(v);
	if (n <= 0)
		return mf_reply_error(EX_DATAERR, "%s: %lld: %s", field, (long long)n, zero);
	if ((uint64_t)n > max)
		return mf_reply_error(EX_DATAERR, "%s: %lld is more than the limit of %llu", field,
				      (long long)n, (unsigned long long)max);
	return NULL;
}

/* One argument of the request; NULL or an error reply.  May rewrite it. */
static json_t *
check_arg(mf_node *node, json_t *req, const struct arg_rule *r)
{
	json_t *v = json_object_get(req, r->field);
	const char *s = json_string_value(v);
	char why[1400], canon[MF_REGION_MAX], iso[11];
	mf_date d;
	int y, m;

	if (v == NULL || json_is_null(v))
		return NULL;
	switch (r->type) {
	case A_PLACES:
		return count_arg(v, "places", MF_CHECK_MAX_PLACES, "an offer needs at least 1 place");
	case A_PARTICIPANTS:
		return count_arg(v, "participants", MF_CHECK_MAX_PARTICIPANTS,
				 "an application is for at least 1 participant");
	default:
		break;
	}
	if (s == NULL)
		return mf_reply_error(EX_USAGE, "--%s: expected a string", r->field);
	switch (r->type) {
	case A_REGION:
		if (mf_check_region(node, s, canon, why, sizeof(why)) != 0)
			return mf_reply_error(EX_DATAERR, "--%s: %s", r->field, why);
		if (strcmp(canon, s) != 0)
			json_object_set_new(req, r->field, json_string(canon));
		return NULL;
	case A_DATE:
		if (mf_date_read(s, &d, why, sizeof(why)) != 0)
			return mf_reply_error(EX_DATAERR, "--%s: %s", r->field, why);
		mf_date_format(d, iso);
		if (strcmp(iso, s) != 0)
			json_object_set_new(req, r->field, json_string(iso));
		return NULL;
	case A_MONTH:
		if (mf_month_read(s, &y, &m, why, sizeof(why)) != 0)
			return mf_reply_error(EX_DATAERR, "--month: %s", why);
		snprintf(iso, sizeof(iso), "%04d-%02d", y, m);
		json_object_set_new(req, r->field, json_string(iso));
		return NULL;
	case A_SCHOOL:
		if (!held(node, s, "school", r->field, why, sizeof(why)))
			return mf_reply_error(EX_DATAERR, "%s", why);
		return NULL;
	case A_OFFER:
		if (!held(node, s, "internship_offer", r->field, why, sizeof(why)))
			return mf_reply_error(EX_DATAERR, "%s", why);
		return NULL;
	default:
		return NULL;
	}
}

/* The offer's --month stands for --from and --to: the first and last day
 * of that month (read here, not by the client). */
static json_t *
offer_month(json_t *req)
{
	const char *mo = json_string_value(json_object_get(req, "month"));
	char from[16], to[16];
	int y, m;

	if (mo == NULL)
		return NULL;
	if (json_object_get(req, "from") || json_object_get(req, "to"))
		return mf_reply_error(EX_USAGE, "--month stands for --from and --to: give one or the other");
	if (sscanf(mo, "%4d-%2d", &y, &m) != 2)
		return mf_reply_error(EX_DATAERR, "--month: '%s' is not a month (expected YYYY-MM)", mo);
	snprintf(from, sizeof(from), "%04d-%02d-01", y, m);
	snprintf(to, sizeof(to), "%04d-%02d-%02d", y, m, mf_days_in_month(y, m));
	json_object_set_new(req, "from", json_string(from));
	json_object_set_new(req, "to", json_string(to));
	json_object_del(req, "month");
	return NULL;
}

json_t *
mf_check_request(mf_node *node, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	json_t *e;

	if (cmd == NULL || !json_is_object(req) || node == NULL || node->store == NULL)
		return NULL;	/* the dispatcher says what is wrong */
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].cmd, cmd) == 0 && (e = check_arg(node, req, &rules[i])) != NULL)
			return e;
	if (strcmp(cmd, "offer") == 0 && (e = offer_month(req)) != NULL)
		return e;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const char *a, *b;
		if (strcmp(ranges[i].cmd, cmd) != 0)
			continue;
		a = json_string_value(json_object_get(req, ranges[i].from));
		b = json_string_value(json_object_get(req, ranges[i].to));
		if (a && b && strcmp(b, a) < 0)
			return mf_reply_error(EX_DATAERR, "--%s %s is before --%s %s; a period ends on or after its start",
					      ranges[i].to, b, ranges[i].from, a);
	}
	if (strcmp(cmd, "pair_propose") == 0) {
		const char *mr = json_string_value(json_object_get(req, "mentor"));
		const char *me = json_string_value(json_object_get(req, "mentee"));
		if (mr && me && strcmp(mr, me) == 0)
			return mf_reply_error(EX_DATAERR,
					      "--mentee is the --mentor (%s): a school does not mentor itself", me);
	}
	return NULL;
}
