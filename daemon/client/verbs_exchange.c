/*
 * verbs_exchange.c — the verbs of the interregional exchange and reports:
 * mentor, pair, internship, roadmap, report.  The daemon builds the tables
 * (daemon/exchange); the client picks the request and renders the reply
 * as text, CSV or JSON (cli_fmt.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli_fmt.h"
#include "client.h"
#include "i18n.h"
#include "kinds.h"
#include "proto/records.pb-c.h"
#include "request.h"
#include "util.h"

/* Send a query and render its reply's tables; takes req over. */
static int
run_query(json_t *req)
{
	json_t *rep;
	int code;

	if ((rep = call(req, &code)) == NULL)
		return code;
	mf_render(rep, cli.json ? MF_OUT_JSON : cli.excel ? MF_OUT_EXCEL :
		  cli.csv ? MF_OUT_CSV : MF_OUT_TEXT);
	json_decref(rep);
	return EX_OK;
}

/* Send an exchange write and print the record it wrote: "WHAT ID" (what
 * is a msgid). */
static int
run_write(json_t *req, const char *what)
{
	json_t *rep;
	int code;

	if ((rep = call(req, &code)) == NULL)
		return code;
	if (cli.json)
		print_reply_json(rep);
	else
		printf("%s %s%s\n", _(what), json_string_value(json_array_get(json_object_get(rep, "ids"), 0)),
		       json_integer_value(json_object_get(rep, "changed")) ? "" : _(" (unchanged)"));
	json_decref(rep);
	return EX_OK;
}

/* Parse the options into a fresh request; NULL with *code when the verb
 * ends here (help, a usage error). */
static json_t *
parse_req(int argc, char **argv, const opt_def *defs, json_t *req, int nmin, int nmax, int *code)
{
	if ((*code = opt_parse(argc, argv, argv[0], defs, req, nmin, nmax)) >= 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* Check the directions a person typed («Знание», "ЗНАНИЕ", "knowledge")
 * here, so that an unknown one is explained in their language with the
 * accepted ones; the daemon reads the same spellings (kinds.c). */
static int
check_directions(json_t *req)
{
	json_t *v;
	size_t i;
	char list[1024];

	json_array_foreach(json_object_get(req, "directions"), i, v) {
		const ProtobufCEnumValue *ev =
			mf_enum_by_ident(&mentorfed__direction__descriptor, json_string_value(v));
		if (ev == NULL || ev->value <= 0) {
			mf_accepted_terms(list, sizeof(list), "direction", NULL);
			return die(EX_USAGE, N_("'%s' is not a direction; accepted: %s"),
				   json_string_value(v), list);
		}
	}
	return -1;
}

/* Set req's command and go: a query or a write. */
static int
send_cmd(json_t *req, const char *cmd, const char *write_what)
{
	int code;

	if ((code = check_directions(req)) >= 0) {
		json_decref(req);
		return code;
	}
	json_object_set_new(req, "cmd", json_string(cmd));
	return write_what ? run_write(req, write_what) : run_query(req);
}

static int
usage_error(json_t *req, const char *verb)
{
	json_decref(req);
	return verb_help(verb, stderr);
}

int
v_roadmap(int argc, char **argv)
{
	static const opt_def defs[] = { OPT_S("at", 'a', "at"), OPT_END };
	json_t *req;
	int code;

	if ((req = parse_req(argc, argv, defs, json_object(), 1, 1, &code)) == NULL)
		return code;
	json_object_set_new(req, "region", json_string(argv[optind]));
	return send_cmd(req, "roadmap", NULL);
}

int
v_mentor(int argc, char **argv)
{
	static const opt_def defs[] = {
		OPT_L("direction", 'D', "directions"),
		OPT_N("limit", 'n', "limit", 1, 10000, N_("a number 1..10000")),
		OPT_END
	};
	json_t *req;
	int code;

	if ((req = parse_req(argc, argv, defs, json_pack("{s:[]}", "directions"), 2, 2, &code)) == NULL)
		return code;
	if (strcmp(argv[optind], "find") != 0)
		return usage_error(req, "mentor");
	json_object_set_new(req, "school", json_string(argv[optind + 1]));
	return send_cmd(req, "mentor_find", NULL);
}

int
v_pair(int argc, char **argv)
{
	static const opt_def defs[] = {
		OPT_S("mentor", 'm', "mentor"),
		OPT_S("mentee", 'e', "mentee"),
		OPT_L("direction", 'D', "directions"),
		OPT_S("start", 's', "start"),
		OPT_S("end", 'E', "end"),
		OPT_S("note", 'N', "note"),
		OPT_S("reason", 'R', "reason"),
		OPT_END
	};
	json_t *req;
	const char *sub;
	int code, n;

	if ((req = parse_req(argc, argv, defs, json_pack("{s:[]}", "directions"), 1, 2, &code)) == NULL)
		return code;
	sub = argv[optind];
	n = argc - optind;
	if (strcmp(sub, "propose") == 0 && n == 1)
		return send_cmd(req, "pair_propose", N_("proposed"));
	/* the mentor's region answers: confirm, decline, and later end
	 * (doc/LIFECYCLES.md); the daemon checks the transition */
	if ((strcmp(sub, "confirm") == 0 || strcmp(sub, "decline") == 0 ||
	     strcmp(sub, "end") == 0) && n == 2) {
		json_object_set_new(req, "proposal", json_string(argv[optind + 1]));
		json_object_set_new(req, "action", json_string(sub));
		return send_cmd(req, "pair_answer", sub[0] == 'c' ? N_("confirmed by") :
				sub[0] == 'd' ? N_("declined by") : N_("ended by"));
	}
	if (strcmp(sub, "list") == 0 && n == 1)
		return send_cmd(req, "pair_list", NULL);
	return usage_error(req, "pair");
}

/* internship offer: --month stands for --from and --to; the daemon reads
 * it (records/check_args.c), like every date. */
static int
internship_offer(json_t *req, const char *month)
{
	if (month)
		json_object_set_new(req, "month", json_string(month));
	return send_cmd(req, "offer", N_("offer"));
}

/* internship apply|decide|accept|decline|waitlist|withdraw|close|cancel|show ID */
static int
internship_one(json_t *req, const char *sub, const char *arg)
{
	if (strcmp(sub, "apply") == 0) {
		json_object_set_new(req, "offer", json_string(arg));
		return send_cmd(req, "apply", N_("application"));
	}
	if (strcmp(sub, "decide") == 0) {
		json_object_set_new(req, "offer", json_string(arg));
		return send_cmd(req, "decide", NULL);
	}
	/* the host region decides; the applicant's region withdraws */
	if (strcmp(sub, "accept") == 0 || strcmp(sub, "decline") == 0 ||
	    strcmp(sub, "waitlist") == 0 || strcmp(sub, "withdraw") == 0) {
		json_object_set_new(req, "application", json_string(arg));
		json_object_set_new(req, "action", json_string(sub));
		return send_cmd(req, "decide_one", sub[1] == 'i' ? N_("withdrawn") : N_("decision"));
	}
	/* the offer's own transitions, by the host region */
	if (strcmp(sub, "close") == 0 || strcmp(sub, "cancel") == 0) {
		json_object_set_new(req, "offer", json_string(arg));
		json_object_set_new(req, "action", json_string(sub));
		return send_cmd(req, "decide", sub[1] == 'l' ? N_("closed") : N_("cancelled"));
	}
	if (strcmp(sub, "show") == 0) {
		json_object_set_new(req, "offer", json_string(arg));
		return send_cmd(req, "offer_show", NULL);
	}
	return usage_error(req, "internship");
}

int
v_internship(int argc, char **argv)
{
	static const char *month;
	static const opt_def defs[] = {
		OPT_S("host", 'H', "host"),
		OPT_S("title", 't', "title"),
		OPT_L("direction", 'D', "directions"),
		OPT_S("from", 'f', "from"),
		OPT_S("to", 'T', "to"),
		OPT_V("month", 'M', &month),
		/* numbers only: their bounds are the daemon's to check */
		OPT_N("places", 'p', "places", 0, INT64_MAX, N_("a number")),
		OPT_T("open", 'o', "open"),
		OPT_S("school", 's', "school"),
		OPT_N("participants", 'n', "participants", 0, INT64_MAX, N_("a number")),
		OPT_S("region", 'r', "region"),
		OPT_S("reason", 'R', "reason"),
		OPT_S("description", 'd', "description"),
		OPT_T("waitlist", 'w', "waitlist"),
		OPT_END
	};
	json_t *req;
	const char *sub;
	int code, n;

	month = NULL;
	if ((req = parse_req(argc, argv, defs, json_pack("{s:[]}", "directions"), 1, 2, &code)) == NULL)
		return code;
	sub = argv[optind];
	n = argc - optind;
	if (strcmp(sub, "offer") == 0 && n == 1)
		return internship_offer(req, month);
	if (strcmp(sub, "list") == 0 && n == 1) {
		if (month)
			json_object_set_new(req, "month", json_string(month));
		return send_cmd(req, "offers", NULL);
	}
	if (n == 2)
		return internship_one(req, sub, argv[optind + 1]);
	return usage_error(req, "internship");
}

int
v_report(int argc, char **argv)
{
	static const opt_def defs[] = { OPT_S("at", 'a', "at"), OPT_T("all", 'A', "all"), OPT_END };
	json_t *req;
	int code;

	if ((req = parse_req(argc, argv, defs, json_object(), 1, 1, &code)) == NULL)
		return code;
	if (strcmp(argv[optind], "overview") == 0)
		return send_cmd(req, "overview", NULL);
	if (strcmp(argv[optind], "roadmaps") == 0)
		return send_cmd(req, "report_roadmaps", NULL);
	return usage_error(req, "report");
}
