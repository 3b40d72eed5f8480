/*
 * mentorfedd.c — the region node daemon: opens the node, holds the data
 * directory's lock, serves the control socket and runs sync, all in one
 * thread around zmq_poll.  Plugin code never runs here (the plugin host).  SIGTERM/SIGINT stop it cleanly (the store is
 * consistent at every commit anyway); SIGHUP re-reads the configuration.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "log.h"
#include "node.h"
#include "scrub.h"
#include "sync.h"
#include "util.h"

static volatile sig_atomic_t got_stop, got_hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: mentorfedd [-f] [-d DIR] [-v]\n"
		"\n"
		"Run a mentorfed region node: keep the region's signed records, serve the\n"
		"local control socket for the mentorfed client, and sync with peers.\n"
		"\n"
		"  -d DIR   the node's data directory (default: $MENTORFED_DIR)\n"
		"  -f       stay in the foreground and log to stderr (default: daemonize, log to syslog)\n"
		"  -v       log at debug level\n"
		"  -h       this help\n"
		"  -V       print the version\n");
}

/* Take the data directory's lock; the fd stays open for the daemon's life. */
static int
take_lock(const char *dir, char *err, size_t errlen)
{
	char *path = mf_path(dir, "mentorfedd.lock");
	char buf[32];
	int fd;
	ssize_t n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "%s: another mentorfedd is running on this data directory (pid %s)",
			 dir, buf[0] ? buf : "unknown");
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

static void
write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
		(void)fsync(fd);
}

/*
 * Start-up runs in the process that will serve, so that the store is
 * opened after the fork (SQLite's "How To Corrupt" §2.6: a connection
 * must not cross fork) and the lock is held by the daemon itself.  When
 * daemonizing, the first process waits on a pipe for the daemon's word:
 * one byte, the exit status (0: started), then the error text; it prints
 * the text and exits with that status, so every start-up error reaches
 * the terminal with its sysexits code.
 */
static int report_fd = -1;

/* Daemonize; returns in the daemon only (0), or -1 with errno. */
static int
daemonize(void)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		char buf[1100];
		size_t n = 0;
		ssize_t r;

		close(pfd[1]);
		while (n < sizeof(buf) - 1 &&
		       ((r = read(pfd[0], buf + n, sizeof(buf) - 1 - n)) > 0 ||
			(r < 0 && errno == EINTR)))
			if (r > 0)
				n += (size_t)r;
		buf[n] = '\0';
		/* the first child only forks again: reap it */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (n == 0) {
			fprintf(stderr, "mentorfedd: the daemon exited during start-up\n");
			_exit(EX_SOFTWARE);
		}
		if (buf[0] != EX_OK && n > 1)
			fprintf(stderr, "mentorfedd: %s\n", buf + 1);
		_exit((unsigned char)buf[0]);
	}
	close(pfd[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(EX_OSERR);	/* the parent reads EOF and says so */
	if (pid > 0)
		_exit(0);
	report_fd = pfd[1];
	if (chdir("/") != 0)
		return -1;
	return 0;
}

/* Start-up is over: tell the waiting parent (status, error text) and
 * detach from its terminal.  A no-op in the foreground. */
static void
report(int status, const char *msg)
{
	char buf[1100];
	size_t n;
	int fd;

	if (report_fd < 0)
		return;
	mf_log_errors_to_stderr(0);
	buf[0] = (char)status;
	mf_strlcpy(buf + 1, msg ? msg : "", sizeof(buf) - 1);
	n = 1 + strlen(buf + 1);
	if (write(report_fd, buf, n) != (ssize_t)n)
		mf_err("cannot report start-up to the parent: %s", strerror(errno));
	close(report_fd);
	report_fd = -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* A start-up error: on stderr in the foreground (as "mentorfedd: MSG"),
 * through the parent when daemonizing; returns status. */
static int
fail(int status, const char *msg)
{
	if (report_fd >= 0)
		report(status, msg);
	else
		fprintf(stderr, "mentorfedd: %s\n", msg);
	return status;
}

/* One turn of the loop: poll the control socket and every sync socket.
 * The array grows with the number of peers (never a fixed size: peers
 * past its end would silently never be polled). */
static int
poll_once(mf_daemon *d, zmq_pollitem_t **items, int *cap)
{
	int need = 1 + mf_sync_pollitems_max(d->sync), ns;
	long timeout, st;

	if (need > *cap) {
		*items = mf_xrealloc(*items, (size_t)need * sizeof(**items));
		*cap = need;
	}
	(*items)[0].socket = d->ctl;
	(*items)[0].fd = 0;
	(*items)[0].events = ZMQ_POLLIN;
	(*items)[0].revents = 0;
	ns = mf_sync_pollitems(d->sync, *items + 1, *cap - 1);
	timeout = mf_sync_tick(d->sync, mf_mono_ms());
	/* damage acted on and a slice of the background check (scrub.c) */
	if ((st = mf_scrub_tick(d, mf_mono_ms())) >= 0 && (timeout < 0 || st < timeout))
		timeout = st;
	if (timeout < 0 || timeout > 1000)
		timeout = 1000;
	if (zmq_poll(*items, 1 + ns, timeout) < 0)
		return -1;
	if ((*items)[0].revents & ZMQ_POLLIN)
		mf_ctl_handle(d);
	mf_sync_handle(d->sync, *items + 1, ns);
	return 0;
}

static void
reload(mf_daemon *d)
{
	json_t *req = json_pack("{s:s}", "cmd", "reload"), *r;
	char *pl = NULL;
	size_t pll = 0;

	r = mf_ctl_dispatch(d, req, &pl, &pll);
	json_decref(req);
	free(pl);
	if (!json_is_true(json_object_get(r, "ok")))
		mf_err("reload: %s", json_string_value(json_object_get(r, "error")));
	json_decref(r);
}

int
main(int argc, char **argv)
{
	const char *dir_opt = NULL, *dir0;
	char *dir = NULL;
	int foreground = 0, verbose = 0, c, lockfd = -1, rc = EX_OK, cap = 0;
	char err[1024], msg[1100];
	mf_daemon d;
	struct sigaction sa;
	zmq_pollitem_t *items = NULL;

	while ((c = getopt(argc, argv, "d:fvhV")) != -1) {
		switch (c) {
		case 'd': dir_opt = optarg; break;
		case 'f': foreground = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return EX_OK;
		case 'V': printf("mentorfedd %s\n", PACKAGE_VERSION); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((dir0 = mf_node_dir_default(dir_opt)) == NULL) {
		fprintf(stderr, "mentorfedd: no data directory: give -d DIR or set MENTORFED_DIR\n");
		return EX_USAGE;
	}
	/* The daemon runs in "/": a relative directory must be made
	 * absolute first, or the daemon opens files that are not there. */
	if ((dir = realpath(dir0, NULL)) == NULL) {
		fprintf(stderr, "mentorfedd: %s: %s\n", dir0, strerror(errno));
		return EX_CONFIG;
	}
	mf_log_init("mentorfedd", 0, verbose ? MF_LOG_LVL_DEBUG : MF_LOG_LVL_INFO);
	memset(&d, 0, sizeof(d));
	if (!foreground) {
		if (daemonize() != 0) {
			snprintf(msg, sizeof(msg), "cannot daemonize: %s", strerror(errno));
			free(dir);
			return fail(EX_OSERR, msg);
		}
		/* The log is syslog from here; until report(), errors are
		 * also shown on the terminal (stderr is still the parent's). */
		mf_log_init("mentorfedd", 1, verbose ? MF_LOG_LVL_DEBUG : MF_LOG_LVL_INFO);
		mf_log_errors_to_stderr(1);
	}
	if ((lockfd = take_lock(dir, err, sizeof(err))) < 0) {
		rc = fail(EX_TEMPFAIL, err);
		goto out;
	}
	if ((d.node = mf_node_open(dir, 0, err, sizeof(err))) == NULL) {
		rc = fail(EX_CONFIG, err);
		goto out;
	}
	mf_log_set_level(verbose ? MF_LOG_LVL_DEBUG : d.node->cfg->log_level);
	write_pid(lockfd);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	d.zctx = zmq_ctx_new();
	d.started_ms = mf_now_ms();
	if (d.zctx == NULL || mf_ctl_bind(&d, err, sizeof(err)) != 0) {
		rc = fail(EX_UNAVAILABLE, d.zctx ? err : "cannot create a ZeroMQ context");
		goto out;
	}
	if ((d.sync = mf_sync_new(d.zctx, d.node, err, sizeof(err))) == NULL) {
		snprintf(msg, sizeof(msg), "sync: %s", err);
		rc = fail(EX_UNAVAILABLE, msg);
		goto out;
	}
	if (mf_daemon_plugins_start(&d) != 0) {
		rc = fail(EX_SOFTWARE, "the plugins could not be started (see the errors above)");
		goto out;
	}
	if (!foreground)
		report(EX_OK, NULL);
	mf_info("node %s started (data %s, listen %s, control %s)", d.node->cfg->region, dir,
		d.node->cfg->listen[0] ? d.node->cfg->listen : "none", d.node->cfg->control);

	while (!got_stop && !d.stop) {
		if (poll_once(&d, &items, &cap) != 0) {
			if (errno == EINTR)
				continue;
			if (errno == ETERM)
				break;
			mf_err("poll: %s", zmq_strerror(errno));
			rc = EX_SOFTWARE;
			break;
		}
		if (got_hup) {
			got_hup = 0;
			reload(&d);
		}
	}
	mf_info("node %s stopping", d.node->cfg->region);
out:
	free(items);
	mf_daemon_plugins_stop(&d);
	mf_sync_free(d.sync);
	mf_ctl_close(&d);
	if (d.zctx)
		zmq_ctx_term(d.zctx);
	mf_node_close(d.node);
	if (lockfd >= 0)
		close(lockfd);
	free(dir);
	return rc;
}
