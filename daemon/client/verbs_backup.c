/*
 * verbs_backup.c — backup, restore and fork (doc/OPERATIONS.md).
 *
 * `backup` goes through the daemon when it runs (its store is open there;
 * VACUUM INTO gives a consistent copy without stopping it) and opens the
 * store itself otherwise.  `restore` never runs under a daemon: it takes
 * the daemon's lock for its whole length.  `fork` asks the daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli_fmt.h"
#include "client.h"
#include "i18n.h"
#include "node.h"
#include "request.h"
#include "store.h"
#include "util.h"
#include "verbs_backup.h"

/* path made absolute against the current directory (the daemon's differs). */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX];
	size_t n;
	char *out;

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return mf_xstrdup(path);
	n = strlen(cwd) + strlen(path) + 2;
	out = mf_xmalloc(n);
	snprintf(out, n, "%s/%s", cwd, path);
	return out;
}

int
v_backup(int argc, char **argv)
{
	const char *dir;
	char *path, err[1024];
	json_t *rep;
	int code;

	if ((code = opt_parse(argc, argv, "backup", NULL, NULL, 1, 1)) >= 0)
		return code;
	dir = need_dir();
	path = absolute(argv[optind]);
	if (daemon_running(dir)) {
		rep = call(json_pack("{s:s, s:s}", "cmd", "backup", "path", path), &code);
		if (rep == NULL) {
			free(path);
			return code;
		}
		printf(_("backup written to %s (own records to seq %lld)\n"), path,
		       (long long)json_integer_value(json_object_get(rep, "own_seq")));
		json_decref(rep);
	} else {
		mf_node *n = mf_node_open(dir, 0, err, sizeof(err));

		if (n == NULL) {
			free(path);
			return die(EX_NOINPUT, "%s", err);
		}
		if (mf_store_backup(n->store, path, err, sizeof(err)) != 0) {
			mf_node_close(n);
			free(path);
			return die(EX_CANTCREAT, "%s", err);
		}
		printf(_("backup written to %s (own records to seq %llu; the daemon is not running)\n"),
		       path, (unsigned long long)mf_store_vv(n->store, n->cfg->region, NULL));
		mf_node_close(n);
	}
	free(path);
	return EX_OK;
}

int
v_restore(int argc, char **argv)
{
	const char *dir;
	char *from, *lock, *store, err[1024];
	mf_node *n;
	int code, fd;

	if ((code = opt_parse(argc, argv, "restore", NULL, NULL, 1, 1)) >= 0)
		return code;
	dir = need_dir();
	if ((n = mf_node_open(dir, 1, err, sizeof(err))) == NULL)
		return die(EX_NOINPUT, "%s", err);
	/* The daemon's own lock, held while the store is replaced: no daemon
	 * can start meanwhile, and none may run. */
	lock = mf_path(dir, "mentorfedd.lock");
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (fd >= 0)
			close(fd);
		mf_node_close(n);
		return die(EX_TEMPFAIL,
			   "the daemon runs in %s: stop it first ('mentorfed stop'); a store is never replaced under a running daemon",
			   dir);
	}
	from = absolute(argv[optind]);
	store = mf_path(dir, "store.db");
	if (mf_store_restore(from, store, n->cfg->region, err, sizeof(err)) != 0) {
		code = die(EX_DATAERR, "restore: %s (the store was not changed)", err);
	} else {
		mf_store *s = mf_store_open(store, n->cfg->region, err, sizeof(err));

		printf(_("store of %s restored from %s (own records to seq %llu); the replaced store is kept as %s.before-restore\n"
			 "at its next start the node takes back from its peers the records of %s newer than the backup, and refuses local writes until it has\n"),
		       n->cfg->region, from,
		       (unsigned long long)(s ? mf_store_vv(s, n->cfg->region, NULL) : 0), store,
		       n->cfg->region);
		mf_store_close(s);
		code = EX_OK;
	}
	close(fd);
	free(from);
	free(store);
	mf_node_close(n);
	return code;
}

int
v_fork(int argc, char **argv)
{
	json_t *rep, *st;
	const char *action, *why;
	char buf[64];
	int code;

	if ((code = opt_parse(argc, argv, "fork", NULL, NULL, 1, 1)) >= 0)
		return code;
	action = argv[optind];
	if (strcmp(action, "show") != 0 && strcmp(action, "adopt") != 0)
		return die(EX_USAGE, "fork: expected show or adopt, got '%s'", action);
	if ((rep = call(json_pack("{s:s, s:s}", "cmd", "fork", "action", action), &code)) == NULL)
		return code;
	if (cli.json) {
		print_reply_json(rep);
	} else if (strcmp(action, "adopt") == 0) {
		printf("%s\n", json_string_value(json_object_get(rep, "message")));
	} else {
		st = json_object_get(rep, "state");
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)json_integer_value(json_object_get(st, "held")));
		mf_print_kv("own records held to seq", buf);
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)json_integer_value(json_object_get(rep, "forks")));
		mf_print_kv("forks of own region", buf);
		if (json_is_true(json_object_get(st, "own_fork"))) {
			snprintf(buf, sizeof(buf), _("FORKED at seq %lld: run 'mentorfed fork adopt'"),
				 (long long)json_integer_value(json_object_get(st, "own_fork_seq")));
			mf_print_kv("state", buf);
		} else if (json_is_true(json_object_get(st, "recovering"))) {
			mf_print_kv("state", _("RECOVERING own records from peers"));
		} else {
			mf_print_kv("state", _("ok"));
		}
		if ((why = json_string_value(json_object_get(st, "writes_refused"))) != NULL)
			mf_print_kv("writes refused", why);
	}
	json_decref(rep);
	return EX_OK;
}
