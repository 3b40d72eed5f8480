/*
 * mentorfed.c — the command-line client.  `init`, `card`, `peer add` and
 * `trust` work on the data directory itself; every other verb is a request
 * to the running mentorfedd over its control socket.
 *
 *   mentorfed [-d DIR] [--json] VERB [options] [args]
 *
 * Exit codes follow sysexits(3).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>
#include <jansson.h>

#include "cli_fmt.h"
#include "conf.h"
#include "kinds.h"
#include "node.h"
#include "util.h"

static const char *opt_dir;
static int opt_json;
static int opt_csv;

typedef struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *help;
} verb;

static const verb *find_verb(const char *name);

static int
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mentorfed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static const char *
need_dir(void)
{
	const char *d = mf_node_dir_default(opt_dir);

	if (d == NULL) {
		die(EX_USAGE, "no data directory: give -d DIR or set MENTORFED_DIR");
		exit(EX_USAGE);
	}
	return d;
}

/* Standard per-verb option parsing: only --help and the given long
 * options; returns the getopt result codes through the callback. */
static int
verb_help(const char *name, FILE *f)
{
	const verb *v = find_verb(name);

	fprintf(f, "usage: mentorfed [-d DIR] [--json] %s\n\n%s\n", v->synopsis, v->help);
	return f == stdout ? EX_OK : EX_USAGE;
}

/* ---------------------------------------------------------------- control */

/* Send one request; returns the reply (new ref) or NULL after printing an
 * error and setting *code.  *payload receives an extra frame if any. */
static json_t *
request(json_t *req, char **payload, size_t *plen, int *code)
{
	const char *dir = need_dir();
	char err[1024], *lock = mf_path(dir, "mentorfedd.lock"), *s;
	mf_config *cfg;
	char *cpath = mf_path(dir, MF_CONFIG_NAME);
	void *ctx = NULL, *sock = NULL;
	json_t *rep = NULL;
	json_error_t je;
	zmq_msg_t m;
	int fd, timeout = -1, linger = 0;

	if (payload)
		*payload = NULL;
	*code = EX_OK;
	if ((cfg = mf_config_load(cpath, err, sizeof(err))) == NULL) {
		*code = die(errno == ENOENT ? EX_NOINPUT : EX_CONFIG, "%s", err);
		goto out;
	}
	/* The daemon holds an exclusive lock while it runs: if we can take a
	 * shared one, nobody is serving the control socket. */
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0) {
		if (fd >= 0)
			close(fd);
		*code = die(EX_UNAVAILABLE, "mentorfedd is not running on %s (start it with 'mentorfedd -d %s')",
			    dir, dir);
		goto out;
	}
	close(fd);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_REQ);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (getenv("MENTORFED_TIMEOUT_MS"))
		timeout = atoi(getenv("MENTORFED_TIMEOUT_MS"));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (zmq_connect(sock, cfg->control) != 0) {
		*code = die(EX_UNAVAILABLE, "%s: %s", cfg->control, zmq_strerror(errno));
		goto out;
	}
	s = json_dumps(req, JSON_COMPACT);
	if (s == NULL || zmq_send(sock, s, strlen(s), 0) < 0) {
		free(s);
		*code = die(EX_UNAVAILABLE, "%s: send: %s", cfg->control, zmq_strerror(errno));
		goto out;
	}
	free(s);
	/* Wait for the reply in slices; between them, make sure the daemon
	 * still holds its lock, so that a daemon that died (or was killed)
	 * mid-request is reported instead of waited on forever. */
	for (long waited = 0;;) {
		zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
		int r = zmq_poll(&it, 1, 500);

		if (r > 0)
			break;
		if (r < 0 && errno != EINTR) {
			*code = die(EX_UNAVAILABLE, "%s: %s", cfg->control, zmq_strerror(errno));
			goto out;
		}
		waited += 500;
		fd = open(lock, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0) {
			if (fd >= 0)
				close(fd);
			*code = die(EX_UNAVAILABLE, "mentorfedd on %s stopped without answering (see its log)",
				    dir);
			goto out;
		}
		close(fd);
		if (timeout >= 0 && waited >= timeout) {
			*code = die(EX_TEMPFAIL, "%s: no reply within %d ms", cfg->control, timeout);
			goto out;
		}
	}
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) < 0) {
		*code = die(EX_UNAVAILABLE, "%s: no reply: %s", cfg->control, zmq_strerror(errno));
		zmq_msg_close(&m);
		goto out;
	}
	rep = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, &je);
	if (zmq_msg_more(&m)) {
		zmq_msg_t p;
		zmq_msg_init(&p);
		if (zmq_msg_recv(&p, sock, 0) >= 0 && payload) {
			*plen = zmq_msg_size(&p);
			*payload = malloc(*plen + 1);
			if (*payload) {
				memcpy(*payload, zmq_msg_data(&p), *plen);
				(*payload)[*plen] = '\0';
			}
		}
		zmq_msg_close(&p);
	}
	zmq_msg_close(&m);
	if (rep == NULL) {
		*code = die(EX_PROTOCOL, "%s: reply is not JSON: %s", cfg->control, je.text);
		goto out;
	}
	if (!json_is_true(json_object_get(rep, "ok"))) {
		json_t *c = json_object_get(rep, "code");
		*code = json_is_integer(c) ? (int)json_integer_value(c) : EX_SOFTWARE;
	}
out:
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	mf_config_free(cfg);
	free(cpath);
	free(lock);
	return rep;
}

/* Request and print the error of a failed reply.  Returns the reply on
 * success (new ref), NULL otherwise with *code set. */
static json_t *
call(json_t *req, int *code)
{
	json_t *rep = request(req, NULL, NULL, code);

	json_decref(req);
	if (rep != NULL && *code != EX_OK) {
		die(*code, "%s", json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		return NULL;
	}
	return rep;
}

/* ---------------------------------------------------------------- helpers */

/* Short human summary of a body: its name, title or indicator. */
static const char *
summary(json_t *rec)
{
	static const char *const keys[] = { "name", "title", "indicator", "goal", "code",
					    "description", NULL };
	json_t *body = json_object_get(rec, "body");

	if (json_is_true(json_object_get(rec, "deleted")))
		return "(deleted)";
	for (int i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(body, keys[i]));
		if (v && *v)
			return v;
	}
	return "";
}

static void
print_records_table(json_t *arr)
{
	static const char *const h[] = { "ID", "KIND", "ORIGIN", "SEQ", "SUMMARY", NULL };
	mf_table *t = mf_table_new(h);
	size_t i;
	json_t *r;

	json_array_foreach(arr, i, r) {
		char seq[32];
		const char *row[5];
		snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(r, "seq")));
		row[0] = json_string_value(json_object_get(r, "id"));
		row[1] = json_string_value(json_object_get(r, "kind"));
		row[2] = json_string_value(json_object_get(r, "origin"));
		row[3] = seq;
		row[4] = summary(r);
		mf_table_row(t, row);
	}
	mf_table_print(t, stdout, 70);
}

/* getopt_long over a verb's arguments; argv[0] is the verb. */
#define VERB_GETOPT(argc, argv, longopts, shortopts, c) \
	for (optind = 1, opterr = 1; ((c) = getopt_long((argc), (argv), (shortopts), (longopts), NULL)) != -1;)

/* ---------------------------------------------------------------- verbs */

static int
v_init(int argc, char **argv)
{
	static const struct option lo[] = { { "region", 1, 0, 'r' }, { "listen", 1, 0, 'l' },
					    { "plugin-dir", 1, 0, 'p' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	const char *region = NULL, *listen = "", *plugin_dir = NULL;
	char err[1024], *pubp, *pub = NULL, *cpub = NULL, *cpp;
	const char *dir;
	int c;

	VERB_GETOPT(argc, argv, lo, "r:l:p:h", c) {
		switch (c) {
		case 'r': region = optarg; break;
		case 'l': listen = optarg; break;
		case 'p': plugin_dir = optarg; break;
		case 'h': return verb_help("init", stdout);
		default: return verb_help("init", stderr);
		}
	}
	if (region == NULL || optind != argc)
		return verb_help("init", stderr);
	dir = need_dir();
	if (*listen && strncmp(listen, "tcp://", 6) != 0 && strncmp(listen, "ipc://", 6) != 0)
		return die(EX_USAGE, "--listen: expected a ZeroMQ endpoint such as tcp://127.0.0.1:7701");
	if (mf_node_init(dir, region, listen, plugin_dir, err, sizeof(err)) != 0)
		return die(EX_CANTCREAT, "%s", err);
	pubp = mf_path(dir, "signing.pub");
	cpp = mf_path(dir, "curve.pub");
	mf_read_file(pubp, &pub, NULL, err, sizeof(err));
	mf_read_file(cpp, &cpub, NULL, err, sizeof(err));
	if (pub)
		pub[strcspn(pub, "\n")] = '\0';
	if (cpub)
		cpub[strcspn(cpub, "\n")] = '\0';
	if (opt_json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "dir", dir, "region", region,
				      "listen", listen, "signing_key", pub ? pub : "", "curve_key",
				      cpub ? cpub : "");
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
		printf("initialised node %s in %s\n", region, dir);
		printf("signing key (Ed25519, give to other regions): %s\n", pub ? pub : "?");
		printf("CURVE key (ZeroMQ, give to peers):            %s\n", cpub ? cpub : "?");
		printf("start it with: mentorfedd -d %s\n", dir);
	}
	free(pub);
	free(cpub);
	free(pubp);
	free(cpp);
	return EX_OK;
}

static int
simple_verb(int argc, char **argv, const char *name)
{
	static const struct option lo[] = { { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;

	VERB_GETOPT(argc, argv, lo, "h", c) {
		if (c == 'h')
			return verb_help(name, stdout) - 1000;
		return verb_help(name, stderr) - 1000;
	}
	return 0;
}

#define SIMPLE_OPTS(name, nargs)                                                       \
	do {                                                                           \
		int r_ = simple_verb(argc, argv, name);                                \
		if (r_ < 0)                                                            \
			return r_ + 1000;                                              \
		if (argc - optind != (nargs))                                          \
			return verb_help(name, stderr);                                \
	} while (0)

static void
print_kv(const char *k, const char *v)
{
	printf("%-22s %s\n", k, v);
}

/* status, the sync part: peers with their links and any catch-up, origins
 * with their lag, and the non-zero counters. */
static void
print_sync(json_t *sync)
{
	static const char *const ph[] = { "PEER", "ENDPOINT", "LINK", "STATE", "SINCE (UTC)",
					  "HEARD", "CATCH-UP", NULL };
	static const char *const oh[] = { "ORIGIN", "HELD", "BEST PEER HOLDS", "LAG", "TRUSTED",
					  "FORKS", NULL };
	mf_table *t = mf_table_new(ph);
	json_t *p, *l, *o, *c;
	const char *k;
	size_t i, j;

	json_array_foreach(json_object_get(sync, "peers"), i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *ep = json_string_value(json_object_get(p, "endpoint"));
		const char *since = json_string_value(json_object_get(p, "since"));
		json_t *links = json_object_get(p, "links");

		if (json_array_size(links) == 0) {
			const char *row[] = { name, ep, "-", "not connected", since ? since : "-", "-", "",
					      NULL };
			mf_table_row(t, row);
			continue;
		}
		json_array_foreach(links, j, l) {
			char heard[32], cu[160] = "";
			const char *row[8];

			snprintf(heard, sizeof(heard), "%lld ms ago",
				 (long long)json_integer_value(json_object_get(l, "last_heard_ms_ago")));
			if ((c = json_object_get(l, "catchup")) != NULL)
				snprintf(cu, sizeof(cu), "%s %lld..%lld of %lld (%.0f%%)",
					 json_string_value(json_object_get(c, "origin")),
					 (long long)json_integer_value(json_object_get(c, "from")),
					 (long long)json_integer_value(json_object_get(c, "at")),
					 (long long)json_integer_value(json_object_get(c, "to")),
					 json_number_value(json_object_get(c, "percent")));
			row[0] = j == 0 ? name : "";
			row[1] = j == 0 ? ep : "";
			row[2] = json_string_value(json_object_get(l, "direction"));
			row[3] = json_is_true(json_object_get(l, "connected")) ? "connected" : "connecting";
			row[4] = j == 0 && since ? since : "";
			row[5] = heard;
			row[6] = cu;
			row[7] = NULL;
			mf_table_row(t, row);
		}
	}
	printf("\npeers\n");
	mf_table_print(t, stdout, 60);
	t = mf_table_new(oh);
	json_object_foreach(json_object_get(sync, "origins"), k, o) {
		char held[32], best[64], lag[32], forks[32];
		const char *row[7];

		snprintf(held, sizeof(held), "%lld", (long long)json_integer_value(json_object_get(o, "held")));
		snprintf(best, sizeof(best), "%lld (%s)",
			 (long long)json_integer_value(json_object_get(o, "best_peer")),
			 json_string_value(json_object_get(o, "best_peer_name")) ?
				 json_string_value(json_object_get(o, "best_peer_name")) : "-");
		snprintf(lag, sizeof(lag), "%lld", (long long)json_integer_value(json_object_get(o, "lag")));
		snprintf(forks, sizeof(forks), "%lld%s",
			 (long long)json_integer_value(json_object_get(o, "forks")),
			 json_is_true(json_object_get(o, "fork_flag")) ? " FORK" : "");
		row[0] = k;
		row[1] = held;
		row[2] = best;
		row[3] = lag;
		row[4] = json_is_true(json_object_get(o, "trusted")) ? "yes" : "no";
		row[5] = forks;
		row[6] = NULL;
		mf_table_row(t, row);
	}
	printf("\norigins\n");
	mf_table_print(t, stdout, 60);
	printf("\ncounters (non-zero)\n");
	json_object_foreach(json_object_get(sync, "counters"), k, c) {
		if (json_integer_value(c) != 0) {
			char n[32];
			snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(c));
			print_kv(k, n);
		}
	}
}

static int
v_status(int argc, char **argv)
{
	json_t *rep, *v, *bk;
	const char *k;
	int code;
	char buf[256];

	SIMPLE_OPTS("status", 0);
	if ((rep = call(json_pack("{s:s}", "cmd", "status"), &code)) == NULL)
		return code;
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
		json_decref(rep);
		return EX_OK;
	}
	print_kv("region", json_string_value(json_object_get(rep, "region")));
	print_kv("data directory", json_string_value(json_object_get(rep, "dir")));
	print_kv("listen", json_string_value(json_object_get(rep, "listen")));
	print_kv("signing key", json_string_value(json_object_get(rep, "signing_key")));
	print_kv("curve key", json_string_value(json_object_get(rep, "curve_key")));
	snprintf(buf, sizeof(buf), "%lld (%lld tombstones)",
		 (long long)json_integer_value(json_object_get(rep, "records")),
		 (long long)json_integer_value(json_object_get(rep, "tombstones")));
	print_kv("records", buf);
	bk = json_object_get(rep, "by_kind");
	json_object_foreach(bk, k, v) {
		snprintf(buf, sizeof(buf), "  %s", k);
		char n[32];
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
		print_kv(buf, n);
	}
	json_object_foreach(json_object_get(rep, "version_vector"), k, v) {
		snprintf(buf, sizeof(buf), "held of %s", k);
		char n[32];
		snprintf(n, sizeof(n), "to seq %lld", (long long)json_integer_value(v));
		print_kv(buf, n);
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(rep, "forks")));
	print_kv("forks detected", buf);
	if (json_is_true(json_object_get(rep, "recovering")))
		print_kv("state", "RECOVERING own records from peers");
	if ((v = json_object_get(rep, "sync")) != NULL)
		print_sync(v);
	json_decref(rep);
	return EX_OK;
}

/* Read records from FILE or stdin: one JSON value (object or array) or
 * JSON lines.  Returns an array (new ref) and the line of each record. */
static json_t *
read_records(const char *path, unsigned **lines_out, int *code)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	json_t *all, *arr;
	json_error_t je;
	unsigned *lines = NULL;
	const char *name = path ? path : "<stdin>";

	*code = EX_OK;
	if (path) {
		if (mf_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
			*code = die(EX_NOINPUT, "%s", err);
			return NULL;
		}
	} else {
		size_t cap = 0;
		size_t r;
		do {
			if (cap - len < 65536) {
				char *nb = realloc(buf, cap = cap * 2 + 65536);
				if (nb == NULL) {
					free(buf);
					*code = die(EX_OSERR, "out of memory");
					return NULL;
				}
				buf = nb;
			}
			r = fread(buf + len, 1, cap - len - 1, stdin);
			len += r;
		} while (r > 0);
		buf[len] = '\0';
	}
	/* One value spanning the whole input? */
	all = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (all != NULL && (json_is_object(all) || json_is_array(all))) {
		arr = json_is_array(all) ? all : json_pack("[o]", all);
		lines = calloc(json_array_size(arr) + 1, sizeof(*lines));
		for (size_t i = 0; lines && i < json_array_size(arr); i++)
			lines[i] = 1;
		free(buf);
		*lines_out = lines;
		return arr;
	}
	json_decref(all);
	arr = json_array();
	{
		char *p = buf, *nl;
		unsigned ln = 0;
		size_t cap = 0, n = 0;
		while (p < buf + len) {
			json_t *r;
			size_t l;
			ln++;
			nl = memchr(p, '\n', (size_t)(buf + len - p));
			l = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
			while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
				l--;
			if (l > 0) {
				if ((r = json_loadb(p, l, JSON_REJECT_DUPLICATES, &je)) == NULL) {
					*code = die(EX_DATAERR, "%s:%u:%d: not JSON: %s", name, ln,
						    je.column, je.text);
					goto bad;
				}
				if (!json_is_object(r)) {
					json_decref(r);
					*code = die(EX_DATAERR, "%s:%u: expected a JSON object", name, ln);
					goto bad;
				}
				json_array_append_new(arr, r);
				if (n == cap) {
					unsigned *nlp = realloc(lines, (cap = cap * 2 + 1024) * sizeof(*lines));
					if (nlp == NULL)
						goto bad;
					lines = nlp;
				}
				lines[n++] = ln;
			}
			p = nl ? nl + 1 : buf + len;
		}
	}
	free(buf);
	*lines_out = lines;
	return arr;
bad:
	free(buf);
	free(lines);
	json_decref(arr);
	return NULL;
}

static int
report_put(json_t *rep, int code, const unsigned *lines, const char *name)
{
	if (rep == NULL)
		return code;
	if (code != EX_OK) {
		json_t *idx = json_object_get(rep, "index");
		if (json_is_integer(idx) && lines)
			die(code, "%s:%u: %s", name, lines[json_integer_value(idx)],
			    json_string_value(json_object_get(rep, "error")));
		else
			die(code, "%s", json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		return code;
	}
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
	} else {
		printf("%lld changed, %lld unchanged",
		       (long long)json_integer_value(json_object_get(rep, "changed")),
		       (long long)json_integer_value(json_object_get(rep, "unchanged")));
		if (json_integer_value(json_object_get(rep, "changed")) > 0)
			printf(" (seq %lld..%lld in %lld block%s)",
			       (long long)json_integer_value(json_object_get(rep, "first_seq")),
			       (long long)json_integer_value(json_object_get(rep, "last_seq")),
			       (long long)json_integer_value(json_object_get(rep, "blocks")),
			       json_integer_value(json_object_get(rep, "blocks")) == 1 ? "" : "s");
		printf("\n");
		if (json_array_size(json_object_get(rep, "ids")) == 1)
			printf("%s\n", json_string_value(json_array_get(json_object_get(rep, "ids"), 0)));
	}
	json_decref(rep);
	return EX_OK;
}

static int
v_put(int argc, char **argv)
{
	unsigned *lines = NULL;
	json_t *recs, *req, *rep;
	int code;
	const char *path;

	{
		int r = simple_verb(argc, argv, "put");
		if (r < 0)
			return r + 1000;
		if (argc - optind > 1)
			return verb_help("put", stderr);
	}
	path = optind < argc && strcmp(argv[optind], "-") != 0 ? argv[optind] : NULL;
	if ((recs = read_records(path, &lines, &code)) == NULL)
		return code;
	req = json_pack("{s:s, s:o}", "cmd", "put", "records", recs);
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	code = report_put(rep, code, lines, path ? path : "<stdin>");
	free(lines);
	return code;
}

static int
v_get(int argc, char **argv)
{
	json_t *rep;
	int code;

	SIMPLE_OPTS("get", 1);
	if ((rep = call(json_pack("{s:s, s:s}", "cmd", "get", "id", argv[optind]), &code)) == NULL)
		return code;
	mf_json_print(stdout, json_object_get(rep, "record"));
	json_decref(rep);
	return EX_OK;
}

static int
v_delete(int argc, char **argv)
{
	json_t *req, *rep;
	int code;

	SIMPLE_OPTS("delete", 1);
	req = json_pack("{s:s, s:s}", "cmd", "delete", "id", argv[optind]);
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	return report_put(rep, code, NULL, argv[optind]);
}

static int
list_like(int argc, char **argv, const char *name)
{
	static const struct option lo[] = { { "kind", 1, 0, 'k' }, { "region", 1, 0, 'r' },
					    { "deleted", 0, 0, 'D' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	json_t *req, *rep;
	char *payload = NULL;
	size_t plen = 0;
	int c, code, exp = strcmp(name, "export") == 0;

	req = json_pack("{s:s}", "cmd", name);
	VERB_GETOPT(argc, argv, lo, "k:r:Dh", c) {
		switch (c) {
		case 'k': json_object_set_new(req, "kind", json_string(optarg)); break;
		case 'r': json_object_set_new(req, "region", json_string(optarg)); break;
		case 'D': json_object_set_new(req, "deleted", json_true()); break;
		case 'h': json_decref(req); return verb_help(name, stdout);
		default: json_decref(req); return verb_help(name, stderr);
		}
	}
	if (optind != argc) {
		json_decref(req);
		return verb_help(name, stderr);
	}
	if (exp && !json_object_get(req, "deleted"))
		json_object_set_new(req, "deleted", json_true());
	rep = request(req, exp ? &payload : NULL, &plen, &code);
	json_decref(req);
	if (rep == NULL)
		return code;
	if (code != EX_OK) {
		die(code, "%s", json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		return code;
	}
	if (exp) {
		if (payload)
			fwrite(payload, 1, plen, stdout);
	} else if (opt_json) {
		mf_json_print(stdout, json_object_get(rep, "records"));
	} else {
		print_records_table(json_object_get(rep, "records"));
	}
	free(payload);
	json_decref(rep);
	return ferror(stdout) ? EX_IOERR : EX_OK;
}

static int
v_list(int argc, char **argv)
{
	return list_like(argc, argv, "list");
}

static int
v_export(int argc, char **argv)
{
	return list_like(argc, argv, "export");
}

static int
v_digest(int argc, char **argv)
{
	json_t *rep;
	int code;

	SIMPLE_OPTS("digest", 0);
	if ((rep = call(json_pack("{s:s}", "cmd", "digest"), &code)) == NULL)
		return code;
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
	} else {
		printf("%s\n", json_string_value(json_object_get(rep, "digest")));
	}
	json_decref(rep);
	return EX_OK;
}

static int
v_simple_cmd(int argc, char **argv, const char *name, const char *cmd, const char *done)
{
	json_t *rep;
	int code;

	SIMPLE_OPTS(name, 0);
	if ((rep = call(json_pack("{s:s}", "cmd", cmd), &code)) == NULL)
		return code;
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
	} else {
		printf("%s\n", done);
	}
	json_decref(rep);
	return EX_OK;
}

static int
v_reload(int argc, char **argv)
{
	return v_simple_cmd(argc, argv, "reload", "reload", "configuration reloaded");
}

static int
v_stop(int argc, char **argv)
{
	return v_simple_cmd(argc, argv, "stop", "stop", "stopping");
}

/* ---------------------------------------------------------------- cards */

typedef struct card {
	char region[16], endpoint[256], signing_key[80], curve_key[64], name[256];
} card;

static int
v_card(int argc, char **argv)
{
	const char *dir;
	char err[1024];
	mf_node *n;
	char hex[2 * MF_PUBKEY_LEN + 1];
	const char *name = "";

	SIMPLE_OPTS("card", 0);
	dir = need_dir();
	if ((n = mf_node_open(dir, 1, err, sizeof(err))) == NULL)
		return die(EX_CONFIG, "%s", err);
	mf_hex(n->pub, MF_PUBKEY_LEN, hex);
	for (size_t i = 0; i < n->cfg->n_regions; i++)
		if (strcmp(n->cfg->regions[i].code, n->cfg->region) == 0 && n->cfg->regions[i].name)
			name = n->cfg->regions[i].name;
	if (opt_json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "region", n->cfg->region, "name",
				      name, "endpoint", n->cfg->listen, "signing_key", hex,
				      "curve_key", n->curve_pub);
		mf_json_print(stdout, j);
		json_decref(j);
	} else {
		printf("# mentorfed node card: hand this to another region's operator.\n"
		       "# They run: mentorfed peer add THIS_FILE   (or: mentorfed trust THIS_FILE)\n"
		       "region = %s\n"
		       "name = %s\n"
		       "endpoint = %s\n"
		       "signing_key = %s\n"
		       "curve_key = %s\n",
		       n->cfg->region, name, n->cfg->listen, hex, n->curve_pub);
	}
	mf_node_close(n);
	return EX_OK;
}

static int
card_read(const char *path, card *c)
{
	char err[512], *buf, *line, *save = NULL;
	unsigned ln = 0;
	uint8_t tmp[MF_PUBKEY_LEN];

	memset(c, 0, sizeof(*c));
	if (mf_read_file(path, &buf, NULL, err, sizeof(err)) != 0)
		return die(EX_NOINPUT, "%s", err);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v, *e;
		ln++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == ';' || *line == '\0' || *line == '\r')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			free(buf);
			return die(EX_DATAERR, "%s:%u: expected KEY = VALUE", path, ln);
		}
		*eq = '\0';
		k = line;
		v = eq + 1;
		for (e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
			*e = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (e = v + strlen(v) - 1; e >= v && (*e == ' ' || *e == '\t' || *e == '\r'); e--)
			*e = '\0';
		if (strcmp(k, "region") == 0)
			mf_strlcpy(c->region, v, sizeof(c->region));
		else if (strcmp(k, "endpoint") == 0)
			mf_strlcpy(c->endpoint, v, sizeof(c->endpoint));
		else if (strcmp(k, "signing_key") == 0)
			mf_strlcpy(c->signing_key, v, sizeof(c->signing_key));
		else if (strcmp(k, "curve_key") == 0)
			mf_strlcpy(c->curve_key, v, sizeof(c->curve_key));
		else if (strcmp(k, "name") == 0)
			mf_strlcpy(c->name, v, sizeof(c->name));
		else {
			free(buf);
			return die(EX_DATAERR, "%s:%u: unknown key '%s' (expected region, name, endpoint, signing_key, curve_key)",
				   path, ln, k);
		}
	}
	free(buf);
	if (!mf_region_valid(c->region))
		return die(EX_DATAERR, "%s: region missing or not an ISO 3166-2 code", path);
	if (mf_unhex(c->signing_key, tmp, sizeof(tmp)) != 0)
		return die(EX_DATAERR, "%s: signing_key missing or not 64 hex digits", path);
	return EX_OK;
}

/* Best-effort reload of a running daemon; a stopped one reads the config
 * at start. */
static void
reload_if_running(void)
{
	const char *dir = need_dir();
	char *lock = mf_path(dir, "mentorfedd.lock");
	int fd = open(lock, O_RDONLY | O_CLOEXEC), code;
	json_t *rep;

	free(lock);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return;
	}
	close(fd);
	if ((rep = call(json_pack("{s:s}", "cmd", "reload"), &code)) != NULL)
		json_decref(rep);
}

/* Append a [region] section for c unless the same key is already there;
 * a different key for the region is refused. */
static int
trust_card(mf_config *cfg, const card *c, char *text, size_t tl, int *added)
{
	uint8_t key[MF_PUBKEY_LEN];

	mf_unhex(c->signing_key, key, sizeof(key));
	*added = 0;
	for (size_t i = 0; i < cfg->n_regions; i++)
		if (strcmp(cfg->regions[i].code, c->region) == 0) {
			if (memcmp(cfg->regions[i].signing_key, key, sizeof(key)) != 0)
				return die(EX_DATAERR, "%s:%u: region %s is already trusted with another signing key; edit the file to replace it",
					   cfg->path, cfg->regions[i].line, c->region);
			return EX_OK;
		}
	snprintf(text + strlen(text), tl - strlen(text), "\n[region %s]\nsigning_key = %s\n",
		 c->region, c->signing_key);
	if (c->name[0])
		snprintf(text + strlen(text), tl - strlen(text), "name = %s\n", c->name);
	*added = 1;
	return EX_OK;
}

static int
v_trust(int argc, char **argv)
{
	char err[1024], text[2048] = "", *cpath;
	mf_config *cfg;
	card c;
	int rc, added;

	SIMPLE_OPTS("trust", 1);
	if ((rc = card_read(argv[optind], &c)) != EX_OK)
		return rc;
	cpath = mf_path(need_dir(), MF_CONFIG_NAME);
	if ((cfg = mf_config_load(cpath, err, sizeof(err))) == NULL) {
		free(cpath);
		return die(EX_CONFIG, "%s", err);
	}
	rc = trust_card(cfg, &c, text, sizeof(text), &added);
	mf_config_free(cfg);
	if (rc == EX_OK && added && mf_config_append(cpath, text, err, sizeof(err)) != 0)
		rc = die(EX_CONFIG, "%s", err);
	free(cpath);
	if (rc != EX_OK)
		return rc;
	reload_if_running();
	printf("%s %s's signing key\n", added ? "trusting" : "already trusting", c.region);
	return EX_OK;
}

static int
v_peer(int argc, char **argv)
{
	static const struct option lo[] = { { "endpoint", 1, 0, 'e' }, { "name", 1, 0, 'n' },
					    { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	char err[1024], text[4096] = "", *cpath;
	const char *endpoint = NULL, *pname = NULL;
	mf_config *cfg;
	card c;
	int ch, rc, added;

	VERB_GETOPT(argc, argv, lo, "e:n:h", ch) {
		switch (ch) {
		case 'e': endpoint = optarg; break;
		case 'n': pname = optarg; break;
		case 'h': return verb_help("peer", stdout);
		default: return verb_help("peer", stderr);
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "add") != 0)
		return verb_help("peer", stderr);
	if ((rc = card_read(argv[optind + 1], &c)) != EX_OK)
		return rc;
	if (endpoint)
		mf_strlcpy(c.endpoint, endpoint, sizeof(c.endpoint));
	if (c.endpoint[0] == '\0')
		return die(EX_DATAERR, "%s: the card has no endpoint; give --endpoint", argv[optind + 1]);
	if (strlen(c.curve_key) != MF_Z85_KEY_LEN)
		return die(EX_DATAERR, "%s: curve_key missing or not 40 Z85 characters", argv[optind + 1]);
	if (pname == NULL)
		pname = c.region;
	cpath = mf_path(need_dir(), MF_CONFIG_NAME);
	if ((cfg = mf_config_load(cpath, err, sizeof(err))) == NULL) {
		free(cpath);
		return die(EX_CONFIG, "%s", err);
	}
	if (strcmp(cfg->region, c.region) == 0) {
		mf_config_free(cfg);
		free(cpath);
		return die(EX_DATAERR, "%s: that is this node's own region (%s)", argv[optind + 1], c.region);
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (strcmp(cfg->peers[i].name, pname) == 0 ||
		    strcmp(cfg->peers[i].curve_key, c.curve_key) == 0) {
			rc = die(EX_DATAERR, "%s:%u: peer %s is already configured", cfg->path,
				 cfg->peers[i].line, cfg->peers[i].name);
			mf_config_free(cfg);
			free(cpath);
			return rc;
		}
	snprintf(text, sizeof(text), "\n[peer %s]\nendpoint = %s\ncurve_key = %s\nregion = %s\n",
		 pname, c.endpoint, c.curve_key, c.region);
	rc = trust_card(cfg, &c, text, sizeof(text), &added);
	mf_config_free(cfg);
	if (rc == EX_OK && mf_config_append(cpath, text, err, sizeof(err)) != 0)
		rc = die(EX_CONFIG, "%s", err);
	free(cpath);
	if (rc != EX_OK)
		return rc;
	reload_if_running();
	printf("peer %s (%s) added at %s\n", pname, c.region, c.endpoint);
	return EX_OK;
}

/* ---------------------------------------------------------------- plugins */

static int
v_import(int argc, char **argv)
{
	static const struct option lo[] = { { "plugin", 1, 0, 'p' }, { "format", 1, 0, 'f' },
					    { "year", 1, 0, 'y' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	json_t *req, *rep, *d;
	char *abs;
	uint64_t y;
	size_t i;
	int c, code;

	req = json_pack("{s:s}", "cmd", "import");
	VERB_GETOPT(argc, argv, lo, "p:f:y:h", c) {
		switch (c) {
		case 'p': json_object_set_new(req, "plugin", json_string(optarg)); break;
		case 'f': json_object_set_new(req, "format", json_string(optarg)); break;
		case 'y':
			if (mf_parse_u64(optarg, 1990, 2100, &y) != 0) {
				json_decref(req);
				return die(EX_USAGE, "--year: expected a year such as 2025");
			}
			json_object_set_new(req, "year", json_integer((json_int_t)y));
			break;
		case 'h': json_decref(req); return verb_help("import", stdout);
		default: json_decref(req); return verb_help("import", stderr);
		}
	}
	if (argc - optind != 1) {
		json_decref(req);
		return verb_help("import", stderr);
	}
	if ((abs = realpath(argv[optind], NULL)) == NULL) {
		json_decref(req);
		return die(EX_NOINPUT, "%s: %s", argv[optind], strerror(errno));
	}
	json_object_set_new(req, "path", json_string(abs));
	free(abs);
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	if (rep == NULL)
		return code;
	json_array_foreach(json_object_get(rep, "diagnostics"), i, d)
		fprintf(stderr, "%s:%lld: %s: %s\n",
			json_string_value(json_object_get(d, "file")) ? json_string_value(json_object_get(d, "file")) : argv[optind],
			(long long)json_integer_value(json_object_get(d, "line")),
			json_string_value(json_object_get(d, "level")),
			json_string_value(json_object_get(d, "message")));
	if (code != EX_OK) {
		die(code, "%s", json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		return code;
	}
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
	} else {
		printf("imported %s with %s: %lld records, %lld changed, %lld unchanged\n",
		       argv[optind], json_string_value(json_object_get(rep, "read_by")),
		       (long long)json_integer_value(json_object_get(rep, "records")),
		       (long long)json_integer_value(json_object_get(rep, "changed")),
		       (long long)json_integer_value(json_object_get(rep, "unchanged")));
	}
	json_decref(rep);
	return EX_OK;
}

static int
v_plugin(int argc, char **argv)
{
	json_t *rep, *p;
	int code;
	size_t i;

	{
		int r = simple_verb(argc, argv, "plugin");
		if (r < 0)
			return r + 1000;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "list") == 0) {
		if ((rep = call(json_pack("{s:s}", "cmd", "plugin_list"), &code)) == NULL)
			return code;
	} else if (argc - optind == 2 && strcmp(argv[optind], "load") == 0) {
		char *abs = realpath(argv[optind + 1], NULL);
		if (abs == NULL)
			return die(EX_NOINPUT, "%s: %s", argv[optind + 1], strerror(errno));
		rep = call(json_pack("{s:s, s:s}", "cmd", "plugin_load", "path", abs), &code);
		free(abs);
		if (rep == NULL)
			return code;
	} else {
		return verb_help("plugin", stderr);
	}
	if (opt_json) {
		mf_json_print(stdout, json_object_get(rep, "plugins"));
	} else {
		static const char *const h[] = { "NAME", "VERSION", "REGION", "MODEL", "FORMATS", "PATH", NULL };
		mf_table *t = mf_table_new(h);
		json_array_foreach(json_object_get(rep, "plugins"), i, p) {
			char fm[512] = "";
			size_t k;
			json_t *f;
			const char *row[6];
			json_array_foreach(json_object_get(p, "formats"), k, f) {
				const char *fn = json_is_string(f) ? json_string_value(f) :
					json_string_value(json_object_get(f, "name"));
				snprintf(fm + strlen(fm), sizeof(fm) - strlen(fm), "%s%s", k ? "," : "", fn ? fn : "?");
			}
			row[0] = json_string_value(json_object_get(p, "name"));
			row[1] = json_string_value(json_object_get(p, "version"));
			row[2] = json_string_value(json_object_get(p, "region"));
			row[3] = json_string_value(json_object_get(p, "model"));
			row[4] = fm;
			row[5] = json_string_value(json_object_get(p, "path"));
			mf_table_row(t, row);
		}
		mf_table_print(t, stdout, 80);
	}
	json_decref(rep);
	return EX_OK;
}

static int run_query(json_t *req);

static int
v_roadmap(int argc, char **argv)
{
	static const struct option lo[] = { { "at", 1, 0, 'a' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	json_t *req;
	int c;

	req = json_pack("{s:s}", "cmd", "roadmap");
	VERB_GETOPT(argc, argv, lo, "a:h", c) {
		switch (c) {
		case 'a': json_object_set_new(req, "at", json_string(optarg)); break;
		case 'h': json_decref(req); return verb_help("roadmap", stdout);
		default: json_decref(req); return verb_help("roadmap", stderr);
		}
	}
	if (argc - optind != 1) {
		json_decref(req);
		return verb_help("roadmap", stderr);
	}
	json_object_set_new(req, "region", json_string(argv[optind]));
	return run_query(req);
}

/* ---------------------------------------------------------------- exchange */

static void
csv_cell(const char *c)
{
	if (c == NULL)
		c = "";
	if (strpbrk(c, ",\"\n\r") == NULL) {
		fputs(c, stdout);
		return;
	}
	putchar('"');
	for (; *c; c++) {
		if (*c == '"')
			putchar('"');
		putchar(*c);
	}
	putchar('"');
}

/* Render a reply's "tables" (table or CSV) or its "data" (--json). */
static int
render(json_t *rep)
{
	json_t *t, *row, *cell;
	size_t i, k, c;

	if (opt_json) {
		mf_json_print(stdout, json_object_get(rep, "data"));
		return EX_OK;
	}
	json_array_foreach(json_object_get(rep, "tables"), i, t) {
		json_t *cols = json_object_get(t, "columns");
		size_t nc = json_array_size(cols);
		if (opt_csv) {
			if (i > 0)
				putchar('\n');
			json_array_foreach(cols, c, cell) {
				if (c)
					putchar(',');
				csv_cell(json_string_value(cell));
			}
			putchar('\n');
			json_array_foreach(json_object_get(t, "rows"), k, row) {
				json_array_foreach(row, c, cell) {
					if (c)
						putchar(',');
					csv_cell(json_string_value(cell));
				}
				putchar('\n');
			}
		} else {
			const char **hdr = calloc(nc + 1, sizeof(*hdr)), **cells = calloc(nc + 1, sizeof(*cells));
			mf_table *tb;
			if (hdr == NULL || cells == NULL) {
				free(hdr);
				free(cells);
				return EX_OSERR;
			}
			json_array_foreach(cols, c, cell)
				hdr[c] = json_string_value(cell);
			tb = mf_table_new(hdr);
			json_array_foreach(json_object_get(t, "rows"), k, row) {
				for (c = 0; c < nc; c++)
					cells[c] = json_string_value(json_array_get(row, c));
				mf_table_row(tb, cells);
			}
			if (i > 0)
				putchar('\n');
			if (json_string_value(json_object_get(t, "title")))
				printf("%s (%zu)\n", json_string_value(json_object_get(t, "title")),
				       json_array_size(json_object_get(t, "rows")));
			mf_table_print(tb, stdout, 72);
			free(hdr);
			free(cells);
		}
	}
	return EX_OK;
}

static int
run_query(json_t *req)
{
	json_t *rep;
	int code;

	if ((rep = call(req, &code)) == NULL)
		return code;
	code = render(rep);
	json_decref(rep);
	return code;
}

/* Render a put reply (a record written by an exchange command). */
static int
run_write(json_t *req, const char *what)
{
	json_t *rep;
	int code;

	if ((rep = call(req, &code)) == NULL)
		return code;
	if (opt_json) {
		json_object_del(rep, "ok");
		mf_json_print(stdout, rep);
	} else {
		printf("%s %s%s\n", what, json_string_value(json_array_get(json_object_get(rep, "ids"), 0)),
		       json_integer_value(json_object_get(rep, "changed")) ? "" : " (unchanged)");
	}
	json_decref(rep);
	return EX_OK;
}

static int
v_mentor(int argc, char **argv)
{
	static const struct option lo[] = { { "direction", 1, 0, 'D' }, { "limit", 1, 0, 'n' },
					    { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	json_t *req = json_pack("{s:s, s:[]}", "cmd", "mentor_find", "directions");
	uint64_t n;
	int c;

	VERB_GETOPT(argc, argv, lo, "D:n:h", c) {
		switch (c) {
		case 'D': json_array_append_new(json_object_get(req, "directions"), json_string(optarg)); break;
		case 'n':
			if (mf_parse_u64(optarg, 1, 10000, &n) != 0) {
				json_decref(req);
				return die(EX_USAGE, "--limit: expected a number 1..10000");
			}
			json_object_set_new(req, "limit", json_integer((json_int_t)n));
			break;
		case 'h': json_decref(req); return verb_help("mentor", stdout);
		default: json_decref(req); return verb_help("mentor", stderr);
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "find") != 0) {
		json_decref(req);
		return verb_help("mentor", stderr);
	}
	json_object_set_new(req, "school", json_string(argv[optind + 1]));
	return run_query(req);
}

static int
v_pair(int argc, char **argv)
{
	static const struct option lo[] = { { "mentor", 1, 0, 'm' }, { "mentee", 1, 0, 'e' },
					    { "direction", 1, 0, 'D' }, { "start", 1, 0, 's' },
					    { "end", 1, 0, 'E' }, { "note", 1, 0, 'N' },
					    { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	json_t *req = json_pack("{s:[]}", "directions");
	const char *sub;
	int c;

	VERB_GETOPT(argc, argv, lo, "m:e:D:s:E:N:h", c) {
		switch (c) {
		case 'm': json_object_set_new(req, "mentor", json_string(optarg)); break;
		case 'e': json_object_set_new(req, "mentee", json_string(optarg)); break;
		case 'D': json_array_append_new(json_object_get(req, "directions"), json_string(optarg)); break;
		case 's': json_object_set_new(req, "start", json_string(optarg)); break;
		case 'E': json_object_set_new(req, "end", json_string(optarg)); break;
		case 'N': json_object_set_new(req, "note", json_string(optarg)); break;
		case 'h': json_decref(req); return verb_help("pair", stdout);
		default: json_decref(req); return verb_help("pair", stderr);
		}
	}
	sub = optind < argc ? argv[optind] : "";
	if (strcmp(sub, "propose") == 0 && argc - optind == 1) {
		json_object_set_new(req, "cmd", json_string("pair_propose"));
		return run_write(req, "proposed");
	}
	if ((strcmp(sub, "confirm") == 0 || strcmp(sub, "decline") == 0) && argc - optind == 2) {
		json_object_set_new(req, "cmd", json_string("pair_answer"));
		json_object_set_new(req, "proposal", json_string(argv[optind + 1]));
		json_object_set_new(req, "confirm", json_boolean(sub[0] == 'c'));
		return run_write(req, sub[0] == 'c' ? "confirmed by" : "declined by");
	}
	if (strcmp(sub, "list") == 0 && argc - optind == 1) {
		json_object_set_new(req, "cmd", json_string("pair_list"));
		return run_query(req);
	}
	json_decref(req);
	return verb_help("pair", stderr);
}

static int
month_range(const char *m, char *from, char *to)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo;

	if (sscanf(m, "%4d-%2d", &y, &mo) != 2 || strlen(m) != 7 || mo < 1 || mo > 12)
		return -1;
	sprintf(from, "%04d-%02d-01", y, mo);
	sprintf(to, "%04d-%02d-%02d", y, mo,
		days[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)));
	return 0;
}

static int
v_internship(int argc, char **argv)
{
	static const struct option lo[] = { { "host", 1, 0, 'H' }, { "title", 1, 0, 't' },
					    { "direction", 1, 0, 'D' }, { "from", 1, 0, 'f' },
					    { "to", 1, 0, 'T' }, { "month", 1, 0, 'M' },
					    { "places", 1, 0, 'p' }, { "open", 0, 0, 'o' },
					    { "school", 1, 0, 's' }, { "participants", 1, 0, 'n' },
					    { "region", 1, 0, 'r' }, { "reason", 1, 0, 'R' },
					    { "description", 1, 0, 'd' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	json_t *req = json_pack("{s:[]}", "directions");
	const char *sub, *month = NULL;
	uint64_t n;
	int c;

	VERB_GETOPT(argc, argv, lo, "H:t:D:f:T:M:p:os:n:r:R:d:h", c) {
		switch (c) {
		case 'H': json_object_set_new(req, "host", json_string(optarg)); break;
		case 't': json_object_set_new(req, "title", json_string(optarg)); break;
		case 'D': json_array_append_new(json_object_get(req, "directions"), json_string(optarg)); break;
		case 'f': json_object_set_new(req, "from", json_string(optarg)); break;
		case 'T': json_object_set_new(req, "to", json_string(optarg)); break;
		case 'M': month = optarg; break;
		case 'o': json_object_set_new(req, "open", json_true()); break;
		case 's': json_object_set_new(req, "school", json_string(optarg)); break;
		case 'r': json_object_set_new(req, "region", json_string(optarg)); break;
		case 'R': json_object_set_new(req, "reason", json_string(optarg)); break;
		case 'd': json_object_set_new(req, "description", json_string(optarg)); break;
		case 'p':
		case 'n':
			if (mf_parse_u64(optarg, 1, 100000, &n) != 0) {
				json_decref(req);
				return die(EX_USAGE, "--%s: expected a number 1..100000", c == 'p' ? "places" : "participants");
			}
			json_object_set_new(req, c == 'p' ? "places" : "participants", json_integer((json_int_t)n));
			break;
		case 'h': json_decref(req); return verb_help("internship", stdout);
		default: json_decref(req); return verb_help("internship", stderr);
		}
	}
	sub = optind < argc ? argv[optind] : "";
	if (strcmp(sub, "offer") == 0 && argc - optind == 1) {
		if (month) {
			char f[16], t[16];
			if (month_range(month, f, t) != 0) {
				json_decref(req);
				return die(EX_USAGE, "--month: expected YYYY-MM");
			}
			json_object_set_new(req, "from", json_string(f));
			json_object_set_new(req, "to", json_string(t));
		}
		json_object_set_new(req, "cmd", json_string("offer"));
		return run_write(req, "offer");
	}
	if (strcmp(sub, "list") == 0 && argc - optind == 1) {
		if (month)
			json_object_set_new(req, "month", json_string(month));
		json_object_set_new(req, "cmd", json_string("offers"));
		return run_query(req);
	}
	if (argc - optind == 2) {
		const char *arg = argv[optind + 1];
		if (strcmp(sub, "apply") == 0) {
			json_object_set_new(req, "cmd", json_string("apply"));
			json_object_set_new(req, "offer", json_string(arg));
			return run_write(req, "application");
		}
		if (strcmp(sub, "decide") == 0) {
			json_object_set_new(req, "cmd", json_string("decide"));
			json_object_set_new(req, "offer", json_string(arg));
			return run_query(req);
		}
		if (strcmp(sub, "accept") == 0 || strcmp(sub, "decline") == 0) {
			json_object_set_new(req, "cmd", json_string("decide_one"));
			json_object_set_new(req, "application", json_string(arg));
			json_object_set_new(req, "accept", json_boolean(sub[0] == 'a'));
			return run_write(req, "decision");
		}
		if (strcmp(sub, "show") == 0) {
			json_object_set_new(req, "cmd", json_string("offer_show"));
			json_object_set_new(req, "offer", json_string(arg));
			return run_query(req);
		}
	}
	json_decref(req);
	return verb_help("internship", stderr);
}

static int
v_report(int argc, char **argv)
{
	static const struct option lo[] = { { "at", 1, 0, 'a' }, { "help", 0, 0, 'h' },
					    { 0, 0, 0, 0 } };
	json_t *req = json_object();
	int c;

	VERB_GETOPT(argc, argv, lo, "a:h", c) {
		switch (c) {
		case 'a': json_object_set_new(req, "at", json_string(optarg)); break;
		case 'h': json_decref(req); return verb_help("report", stdout);
		default: json_decref(req); return verb_help("report", stderr);
		}
	}
	if (argc - optind == 1 && strcmp(argv[optind], "overview") == 0) {
		json_object_set_new(req, "cmd", json_string("overview"));
		return run_query(req);
	}
	if (argc - optind == 1 && strcmp(argv[optind], "roadmaps") == 0) {
		json_object_set_new(req, "cmd", json_string("report_roadmaps"));
		return run_query(req);
	}
	json_decref(req);
	return verb_help("report", stderr);
}

/* ---------------------------------------------------------------- main */

static int v_help(int argc, char **argv);

static const verb verbs[] = {
	{ "init", v_init, "init --region CODE [--listen ENDPOINT] [--plugin-dir DIR]",
	  "Create a node in the data directory: config, Ed25519 signing key, ZeroMQ CURVE\n"
	  "key pair (secret files mode 0600) and an empty store.  Prints the public keys\n"
	  "to hand to other regions." },
	{ "status", v_status, "status", "Show the node: region, keys, record counts, version vector, forks, sync." },
	{ "put", v_put, "put [FILE]",
	  "Create or update records of this node's region from JSON: one object, an array,\n"
	  "or JSON lines (stdin when no FILE).  A record is {\"kind\": K, \"id\": ID or\n"
	  "\"key\": KEY, \"body\": {...}}; export's output is accepted back.  All records\n"
	  "are written in one transaction, or none." },
	{ "get", v_get, "get ID", "Print the current version of a record as JSON." },
	{ "list", v_list, "list [--kind K] [--region R] [--deleted]", "List current records." },
	{ "delete", v_delete, "delete ID", "Delete a record of this node's region (a tombstone version)." },
	{ "export", v_export, "export [--kind K] [--region R]",
	  "Write records as JSON lines (tombstones included) that put accepts back." },
	{ "digest", v_digest, "digest",
	  "Print one SHA-256 over all current record versions: equal on two nodes exactly\n"
	  "when they hold the same records." },
	{ "card", v_card, "card", "Print this node's identity card (region, endpoint, signing and CURVE keys)." },
	{ "peer", v_peer, "peer add CARDFILE [--endpoint E] [--name N]",
	  "Trust the card's region signing key and connect to it as a peer.  A running\n"
	  "daemon picks the change up at once." },
	{ "trust", v_trust, "trust CARDFILE",
	  "Trust a region's signing key without a direct link (for relayed records)." },
	{ "reload", v_reload, "reload", "Make the daemon re-read its configuration." },
	{ "stop", v_stop, "stop", "Stop the daemon cleanly." },
	{ "import", v_import, "import FILE [--plugin P] [--format F] [--year Y]",
	  "Import a source document of this node's region through its plugin (probed from\n"
	  "the file unless given).  All of the document's records or none." },
	{ "plugin", v_plugin, "plugin list | plugin load PATH", "List loaded region plugins, or load one without a restart." },
	{ "roadmap", v_roadmap, "roadmap REGION [--at YYYY-MM-DD]",
	  "Each item of REGION's roadmaps with its status at the date (default today),\n"
	  "judged by that region's plugin model, and every target against its goal." },
	{ "mentor", v_mentor, "mentor find SCHOOL_ID [--direction D]... [--limit N]",
	  "Schools of any region whose competency cards cover what SCHOOL needs: the\n"
	  "directions given, else those with critical indicators at zero in its latest\n"
	  "self-diagnosis, else every direction when it is at «Ниже базового».  Ranked by\n"
	  "direction coverage, then same region, then League membership, then load\n"
	  "(mentees already taken); each row says why.  --csv for CSV." },
	{ "pair", v_pair, "pair propose --mentor ID --mentee ID --direction D... --start DATE [--end DATE] | pair confirm|decline PROPOSAL | pair list",
	  "Mentoring pairs.  The mentee's region proposes (its record); the mentor's\n"
	  "region confirms or declines (its own record); both nodes show the state." },
	{ "internship", v_internship,
	  "internship offer --host ID --title T --direction D... (--from DATE --to DATE | --month YYYY-MM) --places N [--open]\n"
	  "       | internship apply OFFER --school ID [--participants N]\n"
	  "       | internship decide OFFER | internship accept|decline APPLICATION [--reason R]\n"
	  "       | internship list [--direction D] [--month YYYY-MM] [--region R] | internship show OFFER",
	  "Interregional internships.  The host's region offers; a school applies through\n"
	  "its own region's node; the host's region decides.  'decide' takes every\n"
	  "undecided application in a deterministic order (submission time (HLC), then\n"
	  "id) and never grants more places than offered." },
	{ "report", v_report, "report roadmaps [--at DATE] | report overview",
	  "Federation reports: every region's roadmaps side by side (overdue first, each\n"
	  "judged by its own region's model) with targets against goals; or counts per\n"
	  "region with when each region's data last arrived.  --csv for CSV." },
	{ "help", v_help, "help [VERB]", "Show help." },
	{ NULL, NULL, NULL, NULL }
};

static const verb *
find_verb(const char *name)
{
	for (const verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: mentorfed [-d DIR] [--json] VERB [options] [args]\n\n"
		   "  -d DIR     the node's data directory (default: $MENTORFED_DIR)\n"
		   "  --json     JSON output instead of tables\n"
		   "  --csv      CSV output for reports\n\nverbs:\n");
	for (const verb *v = verbs; v->name; v++)
		fprintf(f, "  %s\n", v->synopsis);
	fprintf(f, "\n'mentorfed VERB --help' describes a verb.\n");
}

static int
v_help(int argc, char **argv)
{
	if (argc > 1 && find_verb(argv[1]))
		return verb_help(argv[1], stdout);
	usage(stdout);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	const verb *v;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			opt_dir = argv[++i];
		else if (strncmp(argv[i], "--dir=", 6) == 0)
			opt_dir = argv[i] + 6;
		else if (strcmp(argv[i], "--json") == 0)
			opt_json = 1;
		else if (strcmp(argv[i], "--csv") == 0)
			opt_csv = 1;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("mentorfed %s\n", PACKAGE_VERSION);
			return EX_OK;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "mentorfed: unknown option %s\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		} else
			break;
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((v = find_verb(argv[i])) == NULL) {
		fprintf(stderr, "mentorfed: unknown verb '%s'\n", argv[i]);
		usage(stderr);
		return EX_USAGE;
	}
	/* --json and --csv may also follow the verb */
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "--json") == 0 || strcmp(argv[k], "--csv") == 0) {
			if (argv[k][2] == 'j')
				opt_json = 1;
			else
				opt_csv = 1;
			memmove(&argv[k], &argv[k + 1], (size_t)(argc - k - 1) * sizeof(char *));
			argc--;
			k--;
		}
	return v->run(argc - i, argv + i);
}
