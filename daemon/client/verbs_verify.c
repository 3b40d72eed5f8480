/*
 * verbs_verify.c — `mentorfed verify` and `mentorfed digest --recompute`.
 *
 * verify asks the running daemon to check its store (every body against
 * its signed hash, every block's signature and link, SQLite's
 * integrity_check); with no daemon running it opens the store itself and
 * runs the same check (store_verify.c), so that a node that will not
 * start can still be looked at.  The exit status is 0 when nothing is
 * wrong and EX_DATAERR when anything is.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_fmt.h"
#include "client.h"
#include "i18n.h"
#include "node.h"
#include "request.h"
#include "store.h"
#include "util.h"
#include "verbs_verify.h"


/* No daemon: open the node's store here and check it. */
static json_t *
verify_offline(const char *dir, int full, int *code)
{
	char err[1024], why[256];
	mf_node *n;
	mf_verify *v;
	json_t *rep;

	if ((n = mf_node_open(dir, 0, err, sizeof(err))) == NULL) {
		*code = die(EX_NOINPUT, "%s", err);
		return NULL;
	}
	v = mf_store_verify_new(n->store, full);
	while (mf_store_verify_step(v, n->keyring, 5000) == 0)
		;
	rep = mf_verify_report_json(mf_store_verify_report(v));
	if (mf_verify_report_clean(mf_store_verify_report(v)))
		mf_store_damage_clear(n->store, NULL);	/* as a clean check in the daemon */
	json_object_set_new(rep, "damage", mf_store_damaged(n->store, why, sizeof(why)) ?
				   json_string(why) : json_null());
	json_object_set_new(rep, "offline", json_true());
	mf_store_verify_free(v);
	mf_node_close(n);
	*code = EX_OK;
	return rep;
}

static void
line(const char *what, json_t *rep, const char *field)
{
	json_int_t n = json_integer_value(json_object_get(rep, field));

	if (n > 0) {
		/* what is a msgid; pad by code points */
		const char *t = _(what);
		printf("  %s", t);
		for (size_t w = mf_utf8_width(t); w < 44; w++)
			putchar(' ');
		printf(" %lld\n", (long long)n);
	}
}

static void
print_report(json_t *rep)
{
	json_t *p;
	size_t i;
	const char *s;

	printf(_("checked %lld records, %lld blocks of %lld origins%s\n"),
	       (long long)json_integer_value(json_object_get(rep, "records")),
	       (long long)json_integer_value(json_object_get(rep, "blocks")),
	       (long long)json_integer_value(json_object_get(rep, "origins")),
	       json_is_true(json_object_get(rep, "offline")) ? _(" (no daemon running: store opened directly)") : "");
	line(N_("bodies not matching their version hash"), rep, "bad_bodies");
	line(N_("versions not the ones their blocks signed"), rep, "bad_leaves");
	line(N_("blocks with a bad hash or signature"), rep, "bad_blocks");
	line(N_("broken chain links"), rep, "bad_links");
	line(N_("blocks without a trusted key (not checked)"), rep, "unverifiable");
	printf(_("database integrity: %s\n"), json_string_value(json_object_get(rep, "integrity")));
	json_array_foreach(json_object_get(rep, "problems"), i, p) {
		const char *id = json_string_value(json_object_get(p, "id"));
		const char *o = json_string_value(json_object_get(p, "origin"));

		if (id && id[0])
			printf(_("  record %s (%s seq %lld): %s\n"), id, o,
			       (long long)json_integer_value(json_object_get(p, "seq")),
			       json_string_value(json_object_get(p, "what")));
		else if (o && o[0])
			printf(_("  block of %s at seq %lld: %s\n"), o,
			       (long long)json_integer_value(json_object_get(p, "seq")),
			       json_string_value(json_object_get(p, "what")));
		else
			printf("  %s\n", json_string_value(json_object_get(p, "what")));
	}
	if ((s = json_string_value(json_object_get(rep, "damage"))) != NULL)
		printf(_("damage known: %s\n"), s);
	if ((s = json_string_value(json_object_get(rep, "writes_refused"))) != NULL)
		printf(_("local writes: refused (%s)\n"), s);
	printf("%s\n", json_is_true(json_object_get(rep, "clean")) ? _("result: ok") :
	       _("result: DAMAGED (see 'Rot and corruption' in doc/OPERATIONS.md)"));
}

int
v_verify(int argc, char **argv)
{
	const char *dir;
	json_t *rep;
	int code, full = 1;

	/* a flag the daemon's request carries as a boolean */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--quick") == 0) {
			full = 0;
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof(char *));
			argc--;
			i--;
		}
	if ((code = opt_parse(argc, argv, "verify", NULL, NULL, 0, 0)) >= 0)
		return code;
	dir = need_dir();
	if (daemon_running(dir)) {
		if ((rep = call(json_pack("{s:s, s:b}", "cmd", "verify", "quick", !full), &code)) == NULL)
			return code;
	} else if ((rep = verify_offline(dir, full, &code)) == NULL) {
		return code;
	}
	if (cli.json)
		print_reply_json(rep);
	else
		print_report(rep);
	code = json_is_true(json_object_get(rep, "clean")) ? EX_OK : EX_DATAERR;
	json_decref(rep);
	return code;
}

int
v_digest_any(int argc, char **argv)
{
	int recompute = 0, code;
	json_t *rep;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--recompute") == 0) {
			recompute = 1;
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof(char *));
			argc--;
			i--;
		}
	if (!recompute)
		return v_digest(argc, argv);
	if ((code = opt_parse(argc, argv, "digest", NULL, NULL, 0, 0)) >= 0)
		return code;
	if ((rep = call(json_pack("{s:s}", "cmd", "digest_recompute"), &code)) == NULL)
		return code;
	if (cli.json)
		print_reply_json(rep);
	else
		printf("%s\n", json_string_value(json_object_get(rep, "digest")));
	json_decref(rep);
	return EX_OK;
}
