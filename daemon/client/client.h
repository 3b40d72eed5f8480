/*
 * client.h — what the parts of the command-line client `mentorfed` share:
 * the global options, the verb table, errors, and the per-verb option
 * helpers.  Private to daemon/client.
 *
 *   main.c            options, verb table, help, dispatch, option helpers
 *   request.c         talking to the daemon over its control socket
 *   cards.c           init, card, peer add, trust (the data directory itself)
 *   verbs_records.c   status, put, get, list, delete, export, digest, import,
 *                     plugin, reload, stop
 *   verbs_exchange.c  mentor, pair, internship, roadmap, report
 *   cli_fmt.c         tables, CSV, Excel CSV, JSON; table cells for people
 *                     (glossary terms, dates, reasons: doc/I18N.md)
 */
#ifndef MF_CLIENT_H
#define MF_CLIENT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* The options given before (or, for --json and --csv, after) the verb. */
typedef struct cli_opts {
	const char *dir;	/* -d DIR, NULL: $MENTORFED_DIR */
	int json;		/* --json */
	int csv;		/* --csv (and --excel) */
	int excel;		/* --excel, --csv=excel: BOM, ';', CRLF, translated */
	unsigned timeout_s;	/* --timeout, $MENTORFED_TIMEOUT; 0: wait forever */
} cli_opts;

extern cli_opts cli;

/* Print "mentorfed: ..." on stderr and return code. */
int die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The data directory (-d or $MENTORFED_DIR); exits EX_USAGE without one. */
const char *need_dir(void);

/* The verb's usage and help on f; EX_OK for stdout, EX_USAGE for stderr. */
int verb_help(const char *name, FILE *f);

/*
 * One option of a verb, as a field of its request (or a plain variable).
 * A verb lists its options in a table ending with a zeroed entry; --help
 * is added by opt_parse.
 */
enum opt_kind {
	OPT_STR,	/* req[field] = the argument */
	OPT_LIST,	/* append the argument to the array req[field] */
	OPT_TRUE,	/* req[field] = true (no argument) */
	OPT_NUM,	/* req[field] = the argument, a number in [min, max] */
	OPT_VAR		/* *var = the argument; not put into the request */
};

typedef struct opt_def {
	const char *name;	/* the long option */
	int val;		/* its short letter */
	enum opt_kind kind;
	const char *field;	/* in the request */
	const char **var;	/* OPT_VAR */
	uint64_t min, max;	/* OPT_NUM */
	const char *expect;	/* OPT_NUM: "--NAME: expected EXPECT" */
} opt_def;

/* Entries of an opt_def table. */
#define OPT_S(name, c, field) { name, c, OPT_STR, field, NULL, 0, 0, NULL }
#define OPT_L(name, c, field) { name, c, OPT_LIST, field, NULL, 0, 0, NULL }
#define OPT_T(name, c, field) { name, c, OPT_TRUE, field, NULL, 0, 0, NULL }
#define OPT_N(name, c, field, min, max, expect) { name, c, OPT_NUM, field, NULL, min, max, expect }
#define OPT_V(name, c, var) { name, c, OPT_VAR, NULL, var, 0, 0, NULL }
#define OPT_END { NULL, 0, OPT_STR, NULL, NULL, 0, 0, NULL }

/*
 * Parse the verb's options (argv[0] is the verb) into req (may be NULL
 * when no option writes to it), then check that nmin..nmax arguments
 * remain (from optind).  Returns -1 to go on, otherwise the exit code
 * (help printed, or a usage error).
 */
int opt_parse(int argc, char **argv, const char *name, const opt_def *defs, json_t *req,
	      int nmin, int nmax);

/* The verbs; argv[0] is the verb's name.  Each returns a sysexits code. */
int v_init(int argc, char **argv);
int v_card(int argc, char **argv);
int v_peer(int argc, char **argv);
int v_trust(int argc, char **argv);
int v_status(int argc, char **argv);
int v_put(int argc, char **argv);
int v_get(int argc, char **argv);
int v_list(int argc, char **argv);
int v_delete(int argc, char **argv);
int v_export(int argc, char **argv);
int v_digest(int argc, char **argv);
int v_reload(int argc, char **argv);
int v_stop(int argc, char **argv);
int v_import(int argc, char **argv);
int v_plugin(int argc, char **argv);
int v_roadmap(int argc, char **argv);
int v_mentor(int argc, char **argv);
int v_pair(int argc, char **argv);
int v_internship(int argc, char **argv);
int v_report(int argc, char **argv);

#endif
