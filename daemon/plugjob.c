/*
 * plugjob.c — running the plugin host, mentorfed-plugin-host
 * (daemon/plughost/plughost_main.c), for the daemon's plugin commands.
 *
 * No plugin code runs in the daemon, which holds the region's signing key:
 * each command runs the helper once, sends it a request on a pipe and
 * reads its reply (doc/PLUGIN.md, "How plugins run").  The helper is
 * confined; here it gets a wall-clock deadline (plugin_timeout_ms) and is
 * killed when it passes.  A helper that crashes, is killed or breaks the
 * protocol fails that one command, with a message naming the plugin; the
 * daemon goes on serving.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "ctl.h"
#include "log.h"
#include "mentorfed-plugin.h"	/* the log levels of "@log" lines */
#include "plugjob.h"
#include "util.h"

#ifndef MF_PLUGIN_HOST
#define MF_PLUGIN_HOST "/usr/local/libexec/mentorfed/mentorfed-plugin-host"
#endif

/* Exit statuses of the helper (daemon/plughost/confine.h). */
#define HOST_EXIT_SYSCALL 90
#define HOST_EXIT_CRASH 91
#define MAX_REPLY (512u * 1024 * 1024)

/* Plugin files loaded at run time (`plugin load`): every later helper
 * loads them after the plugin directory.  One daemon per process. */
static json_t *extra_plugins;
static char host_path[PATH_MAX];

/*
 * The helper: $MENTORFED_PLUGIN_HOST (the tests set it); else next to the
 * daemon's own executable (a build tree: both are built at its top); else
 * the installed MF_PLUGIN_HOST.
 */
static const char *
find_host(void)
{
	const char *env = getenv("MENTORFED_PLUGIN_HOST");
	char exe[PATH_MAX];
	ssize_t n;

	if (host_path[0])
		return host_path;
	if (env && *env) {
		mf_strlcpy(host_path, env, sizeof(host_path));
		return host_path;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (snprintf(host_path, sizeof(host_path), "%s/mentorfed-plugin-host", exe) <
			    (int)sizeof(host_path) && access(host_path, X_OK) == 0)
				return host_path;
		}
	}
	mf_strlcpy(host_path, MF_PLUGIN_HOST, sizeof(host_path));
	return host_path;
}

/* What a run of the helper left behind. */
typedef struct host_run {
	char *out;
	size_t out_len, out_cap;
	char errbuf[8192];        /* the current partial stderr line */
	size_t err_len;
	char plugin[256];         /* the last "@plugin" */
	char why[1024];           /* the last other line */
	int timed_out;
	int status;               /* from waitpid */
} host_run;

static void
stderr_line(host_run *h, char *l)
{
	if (strncmp(l, "@plugin ", 8) == 0) {
		mf_strlcpy(h->plugin, l + 8, sizeof(h->plugin));
	} else if (strncmp(l, "@log ", 5) == 0) {
		char *msg;
		long lvl = strtol(l + 5, &msg, 10);
		if (*msg == ' ')
			msg++;
		mf_log(lvl < MF_LOG_ERROR ? MF_LOG_ERROR : lvl > MF_LOG_DEBUG ? MF_LOG_DEBUG : (int)lvl,
		       "plugin: %s", msg);
	} else if (*l) {
		mf_strlcpy(h->why, l, sizeof(h->why));
		mf_warn("plugin host: %s", l);
	}
}

static void
stderr_data(host_run *h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' || h->err_len == sizeof(h->errbuf) - 1) {
			h->errbuf[h->err_len] = '\0';
			stderr_line(h, h->errbuf);
			h->err_len = 0;
			if (p[i] == '\n')
				continue;
		}
		h->errbuf[h->err_len++] = p[i];
	}
}

static int
stdout_data(host_run *h, const char *p, size_t n)
{
	if (h->out_len + n + 1 > h->out_cap) {
		size_t nc = h->out_cap ? h->out_cap : 65536;
		while (nc < h->out_len + n + 1)
			nc *= 2;
		if (nc > MAX_REPLY)
			return -1;
		h->out = mf_xrealloc(h->out, nc);
		h->out_cap = nc;
	}
	memcpy(h->out + h->out_len, p, n);
	h->out_len += n;
	return 0;
}

/* The child: the pipes become 0, 1, 2; nothing else is inherited. */
static void
child(const char *path, int in, int out, int err)
{
	sigset_t none;
	char *argv[] = { "mentorfed-plugin-host", NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	closefrom(3);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(path, argv);
	_exit(126);
}

/* Feed the request, collect stdout and stderr until both close or the
 * deadline passes; then reap.  0, or -1 (reply too large). */
static int
pump(host_run *h, pid_t pid, int fin, int fout, int ferr, const char *req, size_t req_len,
     uint64_t deadline)
{
	size_t sent = 0;
	int rc = 0;
	char buf[65536];

	while (fout >= 0 || ferr >= 0) {
		struct pollfd pf[3];
		int n = 0, t;
		uint64_t now = mf_mono_ms();
		if (now >= deadline) {
			h->timed_out = 1;
			break;
		}
		t = (int)(deadline - now);
		if (fin >= 0)
			pf[n++] = (struct pollfd){ .fd = fin, .events = POLLOUT };
		if (fout >= 0)
			pf[n++] = (struct pollfd){ .fd = fout, .events = POLLIN };
		if (ferr >= 0)
			pf[n++] = (struct pollfd){ .fd = ferr, .events = POLLIN };
		if (poll(pf, (nfds_t)n, t) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			ssize_t r;
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == fin) {
				r = write(fin, req + sent, req_len - sent);
				if (r > 0)
					sent += (size_t)r;
				if ((r < 0 && errno != EAGAIN && errno != EINTR) || sent == req_len) {
					close(fin);   /* EPIPE: the helper died; its status says why */
					fin = -1;
				}
				continue;
			}
			r = read(pf[i].fd, buf, sizeof(buf));
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				close(pf[i].fd);
				if (pf[i].fd == fout)
					fout = -1;
				else
					ferr = -1;
			} else if (pf[i].fd == ferr) {
				stderr_data(h, buf, (size_t)r);
			} else if (stdout_data(h, buf, (size_t)r) != 0) {
				rc = -1;
				h->timed_out = 0;
				kill(pid, SIGKILL);
			}
		}
	}
	if (h->err_len) {
		h->errbuf[h->err_len] = '\0';
		stderr_line(h, h->errbuf);
	}
	/* both pipes closed: the helper is exiting; it may not close them and
	 * go on running though, so the deadline holds for the wait too */
	while (!h->timed_out && waitpid(pid, &h->status, WNOHANG) == 0) {
		if (mf_mono_ms() >= deadline)
			h->timed_out = 1;
		else
			poll(NULL, 0, 5);
	}
	if (h->timed_out) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &h->status, 0) < 0 && errno == EINTR)
			;
	}
	if (fin >= 0)
		close(fin);
	if (fout >= 0)
		close(fout);
	if (ferr >= 0)
		close(ferr);
	return rc;
}

/* Why the helper failed, naming the plugin, into err. */
static void
failure(mf_daemon *d, host_run *h, char *err, size_t errlen)
{
	const char *pl = h->plugin[0] ? h->plugin : "(none yet)";
	unsigned ms = d->node->cfg->plugin_timeout_ms;

	if (h->timed_out)
		snprintf(err, errlen, "plugin %s: killed at the deadline (plugin_timeout_ms %u)", pl, ms);
	else if (WIFEXITED(h->status) && (WEXITSTATUS(h->status) == HOST_EXIT_SYSCALL ||
					  WEXITSTATUS(h->status) == HOST_EXIT_CRASH) && h->why[0])
		snprintf(err, errlen, "%.600s", h->why + (strncmp(h->why, "mentorfed-plugin-host: ", 23) ?
						      0 : 23));
	else if (WIFSIGNALED(h->status) && WTERMSIG(h->status) == SIGKILL)
		snprintf(err, errlen, "plugin %s: killed (out of memory or CPU time: "
			 "plugin_memory_mb %u)", pl, d->node->cfg->plugin_memory_mb);
	else if (WIFSIGNALED(h->status))
		snprintf(err, errlen, "plugin %s: crashed (%s)", pl, sigabbrev_np(WTERMSIG(h->status)) ?
			 sigabbrev_np(WTERMSIG(h->status)) : "signal");
	else if (WIFEXITED(h->status) && WEXITSTATUS(h->status) == 126)
		snprintf(err, errlen, "plugin host %.300s cannot be run", find_host());
	else if (strstr(h->why, "out of memory"))
		snprintf(err, errlen, "plugin %s: out of memory (plugin_memory_mb %u)", pl,
			 d->node->cfg->plugin_memory_mb);
	else
		snprintf(err, errlen, "plugin %s: bad reply from the plugin host%s%.600s", pl,
			 h->why[0] ? ": " : "", h->why);
}

/*
 * Run the helper on one request (the common fields are added here) and a
 * document of doc_len bytes.  Returns its reply (new reference; "ok" may be
 * false: the helper's own refusal), or NULL with err when the helper died.
 */
json_t *
mf_plugjob_run(mf_daemon *d, json_t *req, const void *doc, size_t doc_len, const char *try_path,
	       char *err, size_t errlen)
{
	const mf_config *cfg = d->node->cfg;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 };
	char *hdr, *msg;
	size_t hlen;
	host_run h;
	json_t *rep = NULL;
	pid_t pid;

	json_object_set_new(req, "region", json_string(cfg->region));
	if (cfg->plugin_dir)
		json_object_set_new(req, "plugin_dir", json_string(cfg->plugin_dir));
	json_object_set(req, "plugins", extra_plugins);
	if (try_path)
		json_object_set_new(req, "try", json_string(try_path));
	json_object_set_new(req, "cpu_ms", json_integer(cfg->plugin_timeout_ms));
	json_object_set_new(req, "memory_mb", json_integer(cfg->plugin_memory_mb));
	json_object_set_new(req, "doc_len", json_integer((json_int_t)doc_len));
	if ((hdr = json_dumps(req, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "plugin host: out of memory");
		return NULL;
	}
	hlen = strlen(hdr);
	msg = mf_xmalloc(hlen + 1 + doc_len);
	memcpy(msg, hdr, hlen);
	msg[hlen] = '\n';
	if (doc_len)
		memcpy(msg + hlen + 1, doc, doc_len);
	free(hdr);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(er, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "plugin host: pipe: %s", strerror(errno));
		goto out;
	}
	find_host();
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "plugin host: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(host_path, in[0], out[1], er[1]);
	close(in[0]);
	close(out[1]);
	close(er[1]);
	in[0] = out[1] = er[1] = -1;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	memset(&h, 0, sizeof(h));
	if (pump(&h, pid, in[1], out[0], er[0], msg, hlen + 1 + doc_len,
		 mf_mono_ms() + cfg->plugin_timeout_ms) != 0)
		snprintf(err, errlen, "plugin %s: reply larger than %u bytes",
			 h.plugin[0] ? h.plugin : "?", MAX_REPLY);
	else if (WIFEXITED(h.status) && WEXITSTATUS(h.status) == 0 && !h.timed_out &&
		 (rep = json_loadb(h.out ? h.out : "", h.out_len, 0, NULL)) != NULL &&
		 json_is_object(rep))
		;
	else {
		json_decref(rep);
		rep = NULL;
		failure(d, &h, err, errlen);
	}
	in[1] = out[0] = er[0] = -1;   /* closed by pump */
	free(h.out);
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
	}
	free(msg);
	return rep;
}

int
mf_plugjob_init(void)
{
	if (extra_plugins == NULL && (extra_plugins = json_array()) == NULL)
		return -1;
	return 0;
}

void
mf_plugjob_add_plugin(const char *path)
{
	json_array_append_new(extra_plugins, json_string(path));
}

json_t *
mf_plugjob_extra(void)
{
	return extra_plugins;
}

void
mf_plugjob_fini(void)
{
	json_decref(extra_plugins);
	extra_plugins = NULL;
}

const char *
mf_plugjob_host(void)
{
	return find_host();
}
