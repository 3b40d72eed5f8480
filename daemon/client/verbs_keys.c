/*
 * verbs_keys.c — `key rotate`, `key replace`, `key list` and `rename`: the
 * daemon does the work (the records layer writes the announcement and
 * switches the key in one step), this file asks and explains.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "client.h"
#include "i18n.h"
#include "request.h"
#include "verbs_keys.h"

/* One region of `key list`: its name, then a line per key. */
static void
print_region(const char *code, json_t *r)
{
	const char *name = json_string_value(json_object_get(r, "name"));
	json_t *keys = json_object_get(r, "keys"), *k, *rv;
	size_t i;

	printf("%s%s%s%s\n", code, name && *name ? "  «" : "", name && *name ? name : "",
	       name && *name ? "»" : "");
	json_array_foreach(keys, i, k) {
		json_t *next = json_array_get(keys, i + 1);
		json_int_t from = json_integer_value(json_object_get(k, "from"));
		const char *src = json_string_value(json_object_get(k, "source"));
		json_t *after = json_object_get(k, "revoked_after");

		printf("  %.16s…  ", json_string_value(json_object_get(k, "key")));
		if (next)
			printf(_("seq %lld..%lld"), (long long)from,
			       (long long)json_integer_value(json_object_get(next, "from")) - 1);
		else
			printf(_("from seq %lld"), (long long)from);
		printf("  (%s)", strcmp(src, "chain") == 0 ? _("announced in the chain") :
				 strcmp(src, "own") == 0 ? _("this node's key") : _("from the config"));
		if (after)
			printf(_("  REVOKED after seq %lld"), (long long)json_integer_value(after));
		putchar('\n');
	}
	json_array_foreach(json_object_get(r, "revoked"), i, rv) {
		const char *hex = json_string_value(json_object_get(rv, "key"));
		int held = 0;
		size_t j;
		json_array_foreach(keys, j, k)
			held |= strcmp(json_string_value(json_object_get(k, "key")), hex) == 0;
		if (!held)
			printf(_("  %.16s…  revoked after seq %lld\n"), hex,
			       (long long)json_integer_value(json_object_get(rv, "after")));
	}
}

static int
key_list(void)
{
	json_t *rep, *refused;
	const char *code;
	json_t *r;
	int rc;

	if ((rep = call(json_pack("{s:s}", "cmd", "keys"), &rc)) == NULL)
		return rc;
	if (cli.json) {
		print_reply_json(rep);
		json_decref(rep);
		return EX_OK;
	}
	json_object_foreach(json_object_get(rep, "regions"), code, r)
		print_region(code, r);
	refused = json_object_get(rep, "refused");
	if (json_integer_value(json_object_get(refused, "revoked_refused")) > 0)
		printf(_("refused for a revoked key since start: %lld block(s); last: %s\n"),
		       (long long)json_integer_value(json_object_get(refused, "revoked_refused")),
		       json_string_value(json_object_get(refused, "last")));
	json_decref(rep);
	return EX_OK;
}

int
v_key(int argc, char **argv)
{
	static const char *reason;
	static const opt_def defs[] = {
		OPT_V("reason", 'r', &reason),
		OPT_END
	};
	const char *what;
	json_t *rep, *req;
	int rc;

	reason = NULL;
	if ((rc = opt_parse(argc, argv, "key", defs, NULL, 1, 1)) >= 0)
		return rc;
	what = argv[optind];
	if (strcmp(what, "list") == 0)
		return key_list();
	if (strcmp(what, "rotate") == 0) {
		req = json_pack("{s:s}", "cmd", "key_rotate");
		if (reason)
			json_object_set_new(req, "reason", json_string(reason));
		if ((rep = call(req, &rc)) == NULL)
			return rc;
		if (cli.json) {
			print_reply_json(rep);
		} else {
			printf(_("new signing key %s\n"), json_string_value(json_object_get(rep, "signing_key")));
			printf(_("announced by record %s at seq %lld, signed by the old key;\n"
				 "this node signs with the new key from seq %lld on.  Other regions learn it\n"
				 "from the chain: nothing to do for them.  The old private key is kept in\n"
				 "retired/ of the data directory and never used again.\n"),
			       json_string_value(json_object_get(rep, "id")),
			       (long long)json_integer_value(json_object_get(rep, "seq")),
			       (long long)json_integer_value(json_object_get(rep, "from_seq")));
		}
		json_decref(rep);
		return EX_OK;
	}
	if (strcmp(what, "replace") == 0) {
		if ((rep = call(json_pack("{s:s}", "cmd", "key_replace"), &rc)) == NULL)
			return rc;
		if (cli.json) {
			print_reply_json(rep);
		} else {
			printf(_("new signing key %s, in force from seq %lld;\n"
				 "the old key %.16s… is revoked after seq %lld.\n"
				 "Send the new card (mentorfed card) to every region's operator: they run\n"
				 "mentorfed trust --revoke OLDCARD --after %lld, then mentorfed trust NEWCARD\n"
				 "(doc/KEYS.md).\n"),
			       json_string_value(json_object_get(rep, "signing_key")),
			       (long long)json_integer_value(json_object_get(rep, "from_seq")),
			       json_string_value(json_object_get(rep, "revoked_key")),
			       (long long)json_integer_value(json_object_get(rep, "revoked_after")),
			       (long long)json_integer_value(json_object_get(rep, "revoked_after")));
		}
		json_decref(rep);
		return EX_OK;
	}
	return verb_help("key", stderr);
}

int
v_rename(int argc, char **argv)
{
	json_t *rep;
	int rc;

	if ((rc = opt_parse(argc, argv, "rename", NULL, NULL, 1, 1)) >= 0)
		return rc;
	if ((rep = call(json_pack("{s:s, s:s}", "cmd", "region_name", "name", argv[optind]), &rc)) == NULL)
		return rc;
	if (cli.json)
		print_reply_json(rep);
	else
		printf(_("the region is now named «%s»; the other regions see it when they sync\n"),
		       argv[optind]);
	json_decref(rep);
	return EX_OK;
}
