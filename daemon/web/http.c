/*
 * http.c — mentorfed-web's main and its HTTP side (libmicrohttpd).
 *
 *   mentorfed-web -d DATADIR [-f] [-l HOST:PORT] [-s STATICDIR]
 *
 * Thread model: libmicrohttpd's internal thread pool (WEB_THREADS threads,
 * each with its own epoll loop) and the page runs in the thread that read
 * the request.  A page spends nearly all its time waiting for the daemon
 * on the control socket (a blocking ZeroMQ REQ call) — a thread per
 * request would be the simplest, but a fixed pool bounds what a flood of
 * connections costs, and a few threads are enough that one slow request
 * (an import preview runs a plugin for up to a second) does not stall the
 * federation page of another user.  The daemon serves one request at a
 * time anyway, so more threads would buy nothing.
 *
 * Configuration: [web] in DATADIR/mentorfed.conf (listen, tls_cert,
 * tls_key, static_dir), parsed here with inih (the node's parser,
 * daemon/core/conf.c, knows only the daemon's sections); -l and -s win.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "conf.h"
#include "i18n.h"
#include "util.h"
#include "web_int.h"

#ifndef MF_WEBDIR
#define MF_WEBDIR "/usr/local/share/mentorfed/web"
#endif

#define WEB_THREADS 4

int web_pages_check(void);

static struct MHD_Daemon *mhd;
static web_server *server;

/* One request while it is being read. */
typedef struct conn {
	struct MHD_PostProcessor *pp;
	web_field *form;
	size_t nform;
	size_t body;		/* bytes received */
	int too_large;
	int bad_body;
} conn;

/* ----------------------------------------------------------- the config */

static int
web_ini(void *arg, const char *section, const char *name, const char *value)
{
	web_server *s = arg;
	char **slot = NULL;

	if (strcmp(section, "web") != 0)
		return 1;	/* the daemon's sections: conf.c checks them */
	if (strcmp(name, "listen") == 0)
		slot = &s->listen;
	else if (strcmp(name, "tls_cert") == 0)
		slot = &s->tls_cert;
	else if (strcmp(name, "tls_key") == 0)
		slot = &s->tls_key;
	else if (strcmp(name, "static_dir") == 0)
		slot = &s->static_dir;
	else {
		fprintf(stderr, "mentorfed-web: unknown key '%s' in [web] (expected listen, tls_cert, "
			"tls_key, static_dir)\n", name);
		return 0;
	}
	if (*slot == NULL)
		*slot = mf_xstrdup(value);
	return 1;
}

/* The calendar feed's secret: DATADIR/web-secret, made once (0600). */
static int
load_secret(web_server *s, char *err, size_t errlen)
{
	char *path = mf_path(s->dir, "web-secret"), *buf = NULL, rerr[256];
	size_t len;
	int rc = 0;

	if (mf_read_file(path, &buf, &len, rerr, sizeof(rerr)) == 0 && len >= 64 &&
	    mf_unhex(buf, s->secret, sizeof(s->secret)) == 0)
		goto out;
	{
		char hex[WEB_TOKEN_HEX + 1];

		web_token(hex);
		if (mf_unhex(hex, s->secret, sizeof(s->secret)) != 0 ||
		    mf_write_file(path, hex, strlen(hex), 0600, rerr, sizeof(rerr)) != 0) {
			snprintf(err, errlen, "%s: %s", path, rerr);
			rc = -1;
		}
	}
out:
	free(buf);
	free(path);
	return rc;
}

/* ------------------------------------------------------------------ HTTP */

static enum MHD_Result
query_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	web_req *r = cls;

	(void)kind;
	r->query = mf_xrealloc(r->query, (r->nquery + 1) * sizeof(*r->query));
	r->query[r->nquery].name = mf_xstrdup(key);
	r->query[r->nquery].value = mf_xstrdup(value ? value : "");
	r->query[r->nquery].len = strlen(r->query[r->nquery].value);
	r->query[r->nquery].filename = NULL;
	r->nquery++;
	return MHD_YES;
}

static enum MHD_Result
post_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
	const char *ctype, const char *enc, const char *data, uint64_t off, size_t size)
{
	conn *c = cls;
	web_field *f;

	(void)kind;
	(void)ctype;
	(void)enc;
	/* a chunk of the last field when off > 0 (multipart uploads) */
	if (off > 0 && c->nform > 0 && strcmp(c->form[c->nform - 1].name, key) == 0) {
		f = &c->form[c->nform - 1];
	} else {
		c->form = mf_xrealloc(c->form, (c->nform + 1) * sizeof(*c->form));
		f = &c->form[c->nform++];
		memset(f, 0, sizeof(*f));
		f->name = mf_xstrdup(key);
		f->value = mf_xstrdup("");
		f->filename = filename ? mf_xstrdup(filename) : NULL;
	}
	if (size > 0) {
		f->value = mf_xrealloc(f->value, f->len + size + 1);
		memcpy(f->value + f->len, data, size);
		f->len += size;
		f->value[f->len] = '\0';
	}
	return MHD_YES;
}

static void
add_common_headers(struct MHD_Response *resp)
{
	/* no inline script, nothing from elsewhere: a value that slips
	 * through escaping still cannot run */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
				"base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static enum MHD_Result
send_text(struct MHD_Connection *mc, unsigned status, const char *ctype, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
								    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", ctype);
	ret = MHD_queue_response(mc, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* /static/NAME: one flat directory, names of [a-z0-9._-] only. */
static enum MHD_Result
serve_static(struct MHD_Connection *mc, const char *name)
{
	struct MHD_Response *resp;
	const char *ctype = "application/octet-stream", *dot;
	char *path, *buf = NULL, err[256];
	size_t len;
	enum MHD_Result ret;

	if (*name == '\0' || name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") !=
	    strlen(name))
		return send_text(mc, 404, "text/plain; charset=utf-8", "not found\n");
	path = mf_path(server->static_dir, name);
	if (mf_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		free(path);
		return send_text(mc, 404, "text/plain; charset=utf-8", "not found\n");
	}
	free(path);
	if ((dot = strrchr(name, '.')) != NULL) {
		if (strcmp(dot, ".css") == 0)
			ctype = "text/css; charset=utf-8";
		else if (strcmp(dot, ".js") == 0)
			ctype = "text/javascript; charset=utf-8";
		else if (strcmp(dot, ".svg") == 0)
			ctype = "image/svg+xml";
		else if (strcmp(dot, ".png") == 0)
			ctype = "image/png";
	}
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "max-age=3600");
	ret = MHD_queue_response(mc, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
fields_free(web_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].value);
		free(f[i].filename);
	}
	free(f);
}

static void
remote_addr(struct MHD_Connection *mc, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	mf_strlcpy(buf, "?", len);
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

/* Run the page and queue its answer. */
static enum MHD_Result
answer(struct MHD_Connection *mc, conn *c, const char *url, int method)
{
	web_req r;
	web_out o;
	web_priv pv;
	char addr[64], cookie[256];
	const char *sid = MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, "mfsession");
	const char *al = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Accept-Language");
	struct MHD_Response *resp;
	enum MHD_Result ret;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	memset(&pv, 0, sizeof(pv));
	remote_addr(mc, addr, sizeof(addr));
	r.method = method;
	r.path = url;
	r.remote = addr;
	r.srv = server;
	r.priv = &pv;
	r.form = c->form;
	r.nform = c->nform;
	MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, query_it, &r);
	web_dispatch(&r, &o, sid, al);

	if (o.location && o.len == 0)
		web_printf(&o, "<a href=\"%s\">%s</a>\n", o.location, o.location);
	resp = MHD_create_response_from_buffer(o.len, o.buf, MHD_RESPMEM_MUST_FREE);
	o.buf = NULL;
	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", o.ctype ? o.ctype : "text/html; charset=utf-8");
	if (o.location)
		MHD_add_response_header(resp, "Location", o.location);
	if (o.disposition)
		MHD_add_response_header(resp, "Content-Disposition", o.disposition);
	if (!o.ctype || strncmp(o.ctype, "text/html", 9) == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Vary", "Accept-Language, Cookie");
	if (o.set_cookie || (pv.sid[0] == '\0' && sid)) {
		/* a new session, or the end of one (logout) */
		snprintf(cookie, sizeof(cookie), "mfsession=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
			 o.set_cookie ? o.set_cookie : "", server->tls ? "; Secure" : "",
			 o.set_cookie ? "" : "; Max-Age=0");
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	}
	ret = MHD_queue_response(mc, (unsigned)(o.status ? o.status : 200), resp);
	MHD_destroy_response(resp);
	fields_free(r.query, r.nquery);
	free((char *)r.user);
	free((char *)r.csrf);
	free(r.flash);
	json_decref(pv.names);
	free(o.location);
	free(o.disposition);
	free(o.set_cookie);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
	  const char *version, const char *upload_data, size_t *upload_size, void **ptr)
{
	conn *c = *ptr;
	int m;

	(void)cls;
	(void)version;
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		m = WEB_GET;
	else if (strcmp(method, "POST") == 0)
		m = WEB_POST;
	else
		return send_text(mc, 405, "text/plain; charset=utf-8", "method not allowed\n");

	if (c == NULL) {
		c = mf_xcalloc(1, sizeof(*c));
		*ptr = c;
		if (m == WEB_POST) {
			c->pp = MHD_create_post_processor(mc, 64 * 1024, post_it, c);
			if (c->pp == NULL)
				c->bad_body = 1;	/* no or unknown content type */
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		c->body += *upload_size;
		if (c->body > WEB_MAX_BODY)
			c->too_large = 1;
		else if (c->pp && MHD_post_process(c->pp, upload_data, *upload_size) != MHD_YES)
			c->bad_body = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, "/static/", 8) == 0)
		return serve_static(mc, url + 8);
	if (c->too_large)
		return send_text(mc, 413, "text/plain; charset=utf-8",
				 "request too large (16 MB at most)\n");
	/* a POST we could not read has no token: web_dispatch refuses it */
	return answer(mc, c, url, m);
}

static void
completed_cb(void *cls, struct MHD_Connection *mc, void **ptr, enum MHD_RequestTerminationCode toe)
{
	conn *c = *ptr;

	(void)cls;
	(void)mc;
	(void)toe;
	if (c == NULL)
		return;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	fields_free(c->form, c->nform);
	free(c);
	*ptr = NULL;
}

/* "HOST:PORT", "[V6]:PORT" or "PORT" into a socket address. */
static int
parse_listen(const char *text, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[128] = "127.0.0.1";
	const char *colon = strrchr(text, ':'), *port = text;
	uint64_t p;

	memset(ss, 0, sizeof(*ss));
	if (colon) {
		size_t hl = (size_t)(colon - text);

		if (text[0] == '[' && hl >= 2 && text[hl - 1] == ']') {
			text++;
			hl -= 2;
		}
		if (hl == 0 || hl >= sizeof(host)) {
			snprintf(err, errlen, "listen: expected HOST:PORT, got '%s'", text);
			return -1;
		}
		memcpy(host, text, hl);
		host[hl] = '\0';
		port = colon + 1;
	}
	if (mf_parse_u64(port, 1, 65535, &p) != 0) {
		snprintf(err, errlen, "listen: expected a port 1-65535 in '%s'", text);
		return -1;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	} else {
		snprintf(err, errlen, "listen: '%s' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0)",
			 host);
		return -1;
	}
	return 0;
}

int
web_http_start(web_server *s, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	char *cert = NULL, *key = NULL, rerr[256];
	size_t len;

	if (parse_listen(s->listen, &ss, err, errlen) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->tls_cert || s->tls_key) {
		if (!s->tls_cert || !s->tls_key) {
			snprintf(err, errlen, "[web]: tls_cert and tls_key go together");
			return -1;
		}
		if (mf_read_file(s->tls_cert, &cert, &len, rerr, sizeof(rerr)) != 0 ||
		    mf_read_file(s->tls_key, &key, &len, rerr, sizeof(rerr)) != 0) {
			snprintf(err, errlen, "[web] TLS: %s", rerr);
			free(cert);
			return -1;
		}
		flags |= MHD_USE_TLS;
		s->tls = 1;
	}
	server = s;
	if (s->tls)
		mhd = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, NULL,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)WEB_THREADS,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				       MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
				       MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
				       MHD_OPTION_HTTPS_MEM_CERT, cert,
				       MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	else
		mhd = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, NULL,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)WEB_THREADS,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				       MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
				       MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL, MHD_OPTION_END);
	free(cert);
	free(key);
	if (mhd == NULL) {
		snprintf(err, errlen, "cannot listen on %s%s", s->listen,
			 errno ? "" : " (address in use?)");
		if (errno)
			snprintf(err + strlen(err), errlen - strlen(err), ": %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
web_http_stop(void)
{
	if (mhd)
		MHD_stop_daemon(mhd);
	mhd = NULL;
}

/* ------------------------------------------------------------------ main */

static void
usage(void)
{
	fprintf(stderr, "usage: mentorfed-web -d DATADIR [-f] [-l HOST:PORT] [-s STATICDIR]\n"
		"  Serves the node's web page; [web] in DATADIR/mentorfed.conf: listen\n"
		"  (default 127.0.0.1:8080), tls_cert, tls_key, static_dir.\n");
}

int
main(int argc, char **argv)
{
	web_server s;
	char err[1024], *cpath, abs[4096];
	const char *dir = NULL, *listen = NULL, *sdir = NULL;
	int fg = 0, opt, sig, pfd[2] = { -1, -1 };
	mf_config *cfg;
	sigset_t set;

	mf_i18n_init();
	while ((opt = getopt(argc, argv, "d:fl:s:h")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'f': fg = 1; break;
		case 'l': listen = optarg; break;
		case 's': sdir = optarg; break;
		default: usage(); return opt == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (dir == NULL && (dir = getenv("MENTORFED_DIR")) == NULL) {
		usage();
		return EX_USAGE;
	}
	if (web_pages_check() != 0)
		return EX_SOFTWARE;
	if (realpath(dir, abs) == NULL) {
		fprintf(stderr, "mentorfed-web: %s: %s\n", dir, strerror(errno));
		return EX_NOINPUT;
	}
	memset(&s, 0, sizeof(s));
	s.dir = mf_xstrdup(abs);
	cpath = mf_path(s.dir, MF_CONFIG_NAME);
	if ((cfg = mf_config_load(cpath, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mentorfed-web: %s\n", err);
		return errno == ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	s.control = mf_xstrdup(cfg->control);
	s.region = mf_xstrdup(cfg->region);
	mf_config_free(cfg);
	if (ini_parse(cpath, web_ini, &s) != 0) {
		fprintf(stderr, "mentorfed-web: %s: cannot read [web]\n", cpath);
		return EX_CONFIG;
	}
	free(cpath);
	if (listen) {
		free(s.listen);
		s.listen = mf_xstrdup(listen);
	}
	if (s.listen == NULL)
		s.listen = mf_xstrdup("127.0.0.1:8080");
	if (sdir || (sdir = getenv("MENTORFED_WEB_STATIC")) != NULL) {
		free(s.static_dir);
		s.static_dir = mf_xstrdup(sdir);
	}
	if (s.static_dir == NULL)
		s.static_dir = mf_xstrdup(MF_WEBDIR);
	if (load_secret(&s, err, sizeof(err)) != 0) {
		fprintf(stderr, "mentorfed-web: %s\n", err);
		return EX_CANTCREAT;
	}
	/* Daemonize before the threads start (they do not survive fork); the
	 * parent waits for the child's word so that a start-up error is
	 * printed and returned here. */
	if (!fg) {
		pid_t pid;

		if (pipe(pfd) != 0 || (pid = fork()) < 0) {
			fprintf(stderr, "mentorfed-web: fork: %s\n", strerror(errno));
			return EX_OSERR;
		}
		if (pid > 0) {
			char msg[1100];
			ssize_t n;

			close(pfd[1]);
			n = read(pfd[0], msg, sizeof(msg) - 1);
			if (n <= 0)
				return EX_SOFTWARE;
			msg[n] = '\0';
			if (strcmp(msg, "ok") == 0)
				return EX_OK;
			fprintf(stderr, "mentorfed-web: %s\n", msg);
			return EX_UNAVAILABLE;
		}
		close(pfd[0]);
		setsid();
		{
			int nul = open("/dev/null", O_RDWR);

			if (nul >= 0) {
				dup2(nul, 0);
				dup2(nul, 1);
				if (nul > 2)
					close(nul);
			}
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* the pool threads inherit it */
	signal(SIGPIPE, SIG_IGN);
	s.zctx = zmq_ctx_new();
	if (web_http_start(&s, err, sizeof(err)) != 0) {
		if (pfd[1] >= 0) {
			if (write(pfd[1], err, strlen(err)) < 0)
				return EX_UNAVAILABLE;
		} else {
			fprintf(stderr, "mentorfed-web: %s\n", err);
		}
		return EX_UNAVAILABLE;
	}
	if (fg)
		fprintf(stderr, "mentorfed-web: serving %s on http%s://%s/\n", s.dir, s.tls ? "s" : "",
			s.listen);
	if (pfd[1] >= 0) {
		if (write(pfd[1], "ok", 2) < 0)
			return EX_OSERR;
		close(pfd[1]);
		dup2(0, 2);
	}
	do {
		if (sigwait(&set, &sig) != 0)
			break;
	} while (sig == SIGHUP);	/* the user file is re-read by itself */
	web_http_stop();
	zmq_ctx_term(s.zctx);
	free(s.dir);
	free(s.control);
	free(s.region);
	free(s.listen);
	free(s.tls_cert);
	free(s.tls_key);
	free(s.static_dir);
	return EX_OK;
}
