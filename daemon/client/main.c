/*
 * main.c — the command-line client `mentorfed`: the global options, the
 * verb table, help, dispatch, and the option parsing every verb shares.
 * `init`, `card`, `peer add` and `trust` work on the data directory
 * itself; every other verb is a request to the running mentorfedd over its
 * control socket (request.c).
 *
 *   mentorfed [-d DIR] [--json] [--timeout SECONDS] VERB [options] [args]
 *
 * Exit codes follow sysexits(3).
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "client.h"
#include "i18n.h"
#include "node.h"
#include "request.h"
#include "util.h"
#include "verbs_verify.h"
#include "verbs_keys.h"
#include "verbs_backup.h"
#include "verbs_user.h"

cli_opts cli = { .timeout_s = MF_CLIENT_TIMEOUT_S };

typedef struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *help;
} verb;

static int v_help(int argc, char **argv);

static const verb verbs[] = {
	{ "init", v_init, "init --region CODE [--name NAME] [--listen ENDPOINT] [--plugin-dir DIR]",
	  N_("Create a node in the data directory: config, Ed25519 signing key, ZeroMQ CURVE\n"
	  "key pair (secret files mode 0600) and an empty store.  Prints the public keys\n"
	  "to hand to other regions.") },
	{ "status", v_status, "status", N_("Show the node: region, keys, record counts, version vector, forks, sync.") },
	{ "put", v_put, "put [FILE]",
	  N_("Create or update records of this node's region from JSON: one object, an array,\n"
	  "or JSON lines (stdin when no FILE).  A record is {\"kind\": K, \"id\": ID or\n"
	  "\"key\": KEY, \"body\": {...}}; export's output is accepted back.  All records\n"
	  "are written in one transaction, or none.") },
	{ "get", v_get, "get ID", N_("Print the current version of a record as JSON.") },
	{ "list", v_list, "list [--kind K] [--region R] [--deleted]", N_("List current records.") },
	{ "delete", v_delete, "delete ID", N_("Delete a record of this node's region (a tombstone version).") },
	{ "export", v_export, "export [--kind K] [--region R]",
	  N_("Write records as JSON lines (tombstones included) that put accepts back.") },
	{ "digest", v_digest_any, "digest [--recompute]",
	  N_("Print one SHA-256 over all current record versions: equal on two nodes exactly\n"
	  "when they hold the same records.  --recompute hashes the stored bodies again\n"
	  "instead of using their stored hashes: equal only when the bodies are.") },
	{ "verify", v_verify, "verify [--quick]",
	  N_("Check the store: every body against its signed hash, every block's signature\n"
	  "and chain link, and SQLite's integrity_check (quick_check with --quick).  Names\n"
	  "what is wrong and exits 65 when anything is; damage stops local writes.") },
	{ "card", v_card, "card", N_("Print this node's identity card (region, endpoint, signing and CURVE keys).") },
	{ "peer", v_peer, "peer add CARDFILE [--endpoint E] [--name N]",
	  N_("Trust the card's region signing key and connect to it as a peer.  A running\n"
	  "daemon picks the change up at once.") },
	{ "trust", v_trust, "trust CARDFILE | trust --revoke CARDFILE --after SEQ",
	  N_("Trust a region's signing key without a direct link (for relayed records).") },
	{ "key", v_key, "key rotate [--reason TEXT] | key replace | key list", N_("Rotate this node's signing key (announced in the chain), replace it after a revocation, or list every region's keys (doc/KEYS.md).") },
	{ "rename", v_rename, "rename NAME", N_("Change the region's human name; the other regions see it when they sync.") },
	{ "reload", v_reload, "reload", N_("Make the daemon re-read its configuration.") },
	{ "stop", v_stop, "stop", N_("Stop the daemon cleanly.") },
	{ "import", v_import, "import FILE [--plugin P] [--format F] [--year Y] [--dry-run] [--replace] [--whole]",
	  N_("Import a source document of this node's region through its plugin (probed from\n"
	  "the file unless given).  All of the document's records or none; a document\n"
	  "that is cut short is refused.  A re-import that would drop records an earlier\n"
	  "import of the same document created is refused; --dry-run shows what would be\n"
	  "added, changed and removed, --replace deletes what the document no longer has.\n"
	  "--whole: the document is whole as it is, although it lacks what its genre ends\n"
	  "with (a signature, a footer, a contact): imported with a warning.") },
	{ "plugin", v_plugin, "plugin list | plugin load PATH", N_("List loaded region plugins, or load one without a restart.") },
	{ "roadmap", v_roadmap, "roadmap REGION [--at YYYY-MM-DD]",
	  N_("Each item of REGION's roadmaps with its status at the date (default today),\n"
	  "judged by that region's plugin model, and every target against its goal.") },
	{ "mentor", v_mentor, "mentor find SCHOOL_ID [--direction D]... [--limit N]",
	  N_("Schools of any region whose competency cards cover what SCHOOL needs: the\n"
	  "directions given, else those with critical indicators at zero in its latest\n"
	  "self-diagnosis, else every direction when it is at «Ниже базового».  Ranked by\n"
	  "direction coverage, then same region, then League membership, then load\n"
	  "(mentees already taken); each row says why.  D is a direction's identifier or\n"
	  "its Russian name, in any case («Знание», «знание»).  --csv for CSV, --excel for\n"
	  "Excel.") },
	{ "pair", v_pair, "pair propose --mentor ID --mentee ID --direction D... --start DATE [--end DATE]\n"
	  "       | pair confirm|decline PROPOSAL [--reason R] | pair end PROPOSAL --reason R | pair list",
	  N_("Mentoring pairs.  The mentee's region proposes (its record); the mentor's\n"
	  "region confirms or declines (its own record), and ends a confirmed pair with a\n"
	  "reason; both nodes show the state.  Lifecycle: doc/LIFECYCLES.md.") },
	{ "internship", v_internship,
	  "internship offer --host ID --title T --direction D... (--from DATE --to DATE | --month YYYY-MM) --places N [--open]\n"
	  "       | internship apply OFFER --school ID [--participants N]\n"
	  "       | internship withdraw APPLICATION [--reason R]\n"
	  "       | internship decide OFFER [--waitlist] | internship accept|decline|waitlist APPLICATION [--reason R]\n"
	  "       | internship close|cancel OFFER [--reason R]\n"
	  "       | internship list [--direction D] [--month YYYY-MM] [--region R] | internship show OFFER",
	  N_("Interregional internships.  The host's region offers, decides, closes or\n"
	  "cancels; a school applies (or withdraws) through its own region's node; an\n"
	  "application larger than the free places is refused.  'decide' takes every\n"
	  "undecided or waitlisted application in submission order (HLC, then id), accepts\n"
	  "while it fits and declines the rest (with --waitlist: puts them on the waiting\n"
	  "list, which 'show' lists in order).  Lifecycle: doc/LIFECYCLES.md.") },
	{ "report", v_report, "report roadmaps [--at DATE] [--all] | report overview",
	  N_("Federation reports: every region's roadmaps side by side (each judged by its\n"
	  "own region's model): items counted by status per roadmap, the first 10 items of\n"
	  "each (overdue first; --all: every item) and targets against goals; or counts per\n"
	  "region with when each region's data last arrived.  --csv for CSV, --excel for\n"
	  "Excel.") },
	VERBS_BACKUP
	VERBS_USER
	{ "help", v_help, "help [VERB]", N_("Show help.") },
	{ NULL, NULL, NULL, NULL }
};

int
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mentorfed: ", stderr);
	va_start(ap, fmt);
	/* fmt is a msgid (xgettext --keyword=die:2) */
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

const char *
need_dir(void)
{
	const char *d = mf_node_dir_default(cli.dir);

	/* the packaged node's directory, as mentorfedd's default (issue 15) */
	return d != NULL ? d : "/var/lib/mentorfed";
}

static const verb *
find_verb(const char *name)
{
	for (const verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

int
verb_help(const char *name, FILE *f)
{
	const verb *v = find_verb(name);

	fprintf(f, _("usage: mentorfed [-d DIR] [--json] %s\n\n%s\n"), v->synopsis,
		v->help != NULL && *v->help != '\0' ? _(v->help) : "");
	return f == stdout ? EX_OK : EX_USAGE;
}

/* ---------------------------------------------------------------- verb options */

#define MAX_OPTS 16

/* Put one parsed option into the request or its variable: -1, or the exit
 * code of a bad value. */
static int
opt_apply(const opt_def *d, json_t *req)
{
	uint64_t n;
	json_t *a;

	switch (d->kind) {
	case OPT_STR:
		json_object_set_new(req, d->field, json_string(optarg));
		break;
	case OPT_LIST:
		if ((a = json_object_get(req, d->field)) == NULL)
			json_object_set_new(req, d->field, a = json_array());
		json_array_append_new(a, json_string(optarg));
		break;
	case OPT_TRUE:
		json_object_set_new(req, d->field, json_true());
		break;
	case OPT_NUM:
		if (mf_parse_u64(optarg, d->min, d->max, &n) != 0)
			return die(EX_USAGE, N_("--%s: expected %s"), d->name, _(d->expect));
		json_object_set_new(req, d->field, json_integer((json_int_t)n));
		break;
	case OPT_VAR:
		*d->var = optarg;
		break;
	}
	return -1;
}

int
opt_parse(int argc, char **argv, const char *name, const opt_def *defs, json_t *req,
	  int nmin, int nmax)
{
	struct option lo[MAX_OPTS + 2];
	char so[3 * MAX_OPTS + 2], *s = so;
	int n = 0, c, r;

	for (; defs && defs[n].name; n++) {
		if (n == MAX_OPTS)
			abort();	/* a verb with more options: raise MAX_OPTS */
		lo[n] = (struct option){ defs[n].name, defs[n].kind != OPT_TRUE, NULL, defs[n].val };
		*s++ = (char)defs[n].val;
		if (defs[n].kind != OPT_TRUE)
			*s++ = ':';
	}
	lo[n] = (struct option){ "help", 0, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	*s++ = 'h';
	*s = '\0';
	for (optind = 1, opterr = 1; (c = getopt_long(argc, argv, so, lo, NULL)) != -1;) {
		const opt_def *d = NULL;

		for (int i = 0; i < n && d == NULL; i++)
			if (defs[i].val == c)
				d = &defs[i];
		if (d == NULL)
			return verb_help(name, c == 'h' ? stdout : stderr);
		if ((r = opt_apply(d, req)) >= 0)
			return r;
	}
	if (argc - optind < nmin || argc - optind > nmax)
		return verb_help(name, stderr);
	return -1;
}

/* ---------------------------------------------------------------- main */

static void
usage(FILE *f)
{
	fprintf(f, _("usage: mentorfed [-d DIR] [--json] [--timeout SECONDS] VERB [options] [args]\n\n"
		     "  -d DIR     the node's data directory (default: $MENTORFED_DIR, else /var/lib/mentorfed)\n"
		     "  --json     JSON output instead of tables\n"
		     "  --csv      CSV output for reports (for scripts: ',', identifiers, ISO dates)\n"
		     "  --excel    CSV for Excel: UTF-8 with BOM, ';', in the user's language\n"
		     "  --timeout SECONDS\n"
		     "             give up on a daemon that does not answer (default: $MENTORFED_TIMEOUT,\n"
		     "             else %d; 0 waits forever); exit 75\n\nverbs:\n"),
		MF_CLIENT_TIMEOUT_S);
	for (const verb *v = verbs; v->name; v++)
		fprintf(f, "  %s\n", v->synopsis);
	fprintf(f, _("\n'mentorfed VERB --help' describes a verb.\n"));
}

static int
v_help(int argc, char **argv)
{
	if (argc > 1 && find_verb(argv[1]))
		return verb_help(argv[1], stdout);
	usage(stdout);
	return EX_OK;
}

/* --timeout's or $MENTORFED_TIMEOUT's seconds: 0, or the exit code. */
static int
set_timeout(const char *what, const char *v)
{
	uint64_t s;

	if (mf_parse_u64(v, 0, 7 * 24 * 3600, &s) != 0)
		return die(EX_USAGE, N_("%s: expected seconds (0..604800, 0: wait forever), got '%s'"), what, v);
	cli.timeout_s = (unsigned)s;
	return 0;
}

/*
 * The options before the verb: the index of the verb in argv, or -1 with
 * *code set (EX_OK for --help and --version).
 */
static int
global_opts(int argc, char **argv, int *code)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			cli.dir = argv[++i];
		else if (strncmp(argv[i], "--dir=", 6) == 0)
			cli.dir = argv[i] + 6;
		else if (strcmp(argv[i], "--json") == 0)
			cli.json = 1;
		else if (strcmp(argv[i], "--csv") == 0)
			cli.csv = 1;
		else if (strcmp(argv[i], "--excel") == 0 || strcmp(argv[i], "--csv=excel") == 0)
			cli.csv = cli.excel = 1;
		else if (strcmp(argv[i], "--timeout") == 0) {
			if ((*code = set_timeout("--timeout", i + 1 < argc ? argv[++i] : "")) != 0)
				return -1;
		} else if (strncmp(argv[i], "--timeout=", 10) == 0) {
			if ((*code = set_timeout("--timeout", argv[i] + 10)) != 0)
				return -1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			*code = EX_OK;
			return -1;
		} else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("mentorfed %s\n", PACKAGE_VERSION);
			*code = EX_OK;
			return -1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, _("mentorfed: unknown option %s\n"), argv[i]);
			usage(stderr);
			*code = EX_USAGE;
			return -1;
		} else
			break;
	}
	return i;
}

int
main(int argc, char **argv)
{
	const verb *v;
	const char *env = getenv("MENTORFED_TIMEOUT");
	int i, code;

	mf_i18n_init();
	if (env && *env && (code = set_timeout("MENTORFED_TIMEOUT", env)) != 0)
		return code;
	if ((i = global_opts(argc, argv, &code)) < 0)
		return code;
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((v = find_verb(argv[i])) == NULL) {
		fprintf(stderr, _("mentorfed: unknown verb '%s'\n"), argv[i]);
		usage(stderr);
		return EX_USAGE;
	}
	/* --json, --csv and --excel may also follow the verb */
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "--json") == 0 || strcmp(argv[k], "--csv") == 0 ||
		    strcmp(argv[k], "--excel") == 0 || strcmp(argv[k], "--csv=excel") == 0) {
			if (argv[k][2] == 'j')
				cli.json = 1;
			else
				cli.csv = 1;
			if (argv[k][2] == 'e' || argv[k][5] == '=')
				cli.excel = 1;
			memmove(&argv[k], &argv[k + 1], (size_t)(argc - k - 1) * sizeof(char *));
			argc--;
			k--;
		}
	return v->run(argc - i, argv + i);
}
