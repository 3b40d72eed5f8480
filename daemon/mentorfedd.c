/*
 * mentorfedd.c — the region node daemon: opens the node, holds the data
 * directory's lock, serves the control socket and runs sync, all in one
 * thread around zmq_poll.  SIGTERM/SIGINT stop it cleanly (the store is
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
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "log.h"
#include "node.h"
#include "sync.h"
#include "util.h"

/* Plugins are optional at link time, so the core builds and runs without
 * the loader (see ctl_plugins.c). */

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

	if (path == NULL)
		return -1;
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

static int
daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir_opt = NULL, *dir;
	int foreground = 0, verbose = 0, c, lockfd, rc = EX_OK;
	char err[1024];
	mf_daemon d;
	struct sigaction sa;

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
	if ((dir = mf_node_dir_default(dir_opt)) == NULL) {
		fprintf(stderr, "mentorfedd: no data directory: give -d DIR or set MENTORFED_DIR\n");
		return EX_USAGE;
	}
	mf_log_init("mentorfedd", 0, verbose ? MF_LOG_LVL_DEBUG : MF_LOG_LVL_INFO);
	if ((lockfd = take_lock(dir, err, sizeof(err))) < 0) {
		fprintf(stderr, "mentorfedd: %s\n", err);
		return EX_TEMPFAIL;
	}
	memset(&d, 0, sizeof(d));
	if ((d.node = mf_node_open(dir, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mentorfedd: %s\n", err);
		return EX_CONFIG;
	}
	if (!foreground) {
		if (daemonize() != 0) {
			fprintf(stderr, "mentorfedd: cannot daemonize: %s\n", strerror(errno));
			return EX_OSERR;
		}
		mf_log_init("mentorfedd", 1, verbose ? MF_LOG_LVL_DEBUG : d.node->cfg->log_level);
	} else {
		mf_log_set_level(verbose ? MF_LOG_LVL_DEBUG : d.node->cfg->log_level);
	}
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
		mf_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if ((d.sync = mf_sync_new(d.zctx, d.node, err, sizeof(err))) == NULL) {
		mf_err("sync: %s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (mf_daemon_plugins_start(&d) != 0) {
		rc = EX_SOFTWARE;
		goto out;
	}
	mf_info("node %s started (data %s, listen %s, control %s)", d.node->cfg->region, dir,
		d.node->cfg->listen[0] ? d.node->cfg->listen : "none", d.node->cfg->control);

	while (!got_stop && !d.stop) {
		zmq_pollitem_t items[64];
		int n = 0, ns;
		long timeout;

		items[n].socket = d.ctl;
		items[n].fd = 0;
		items[n].events = ZMQ_POLLIN;
		items[n].revents = 0;
		n++;
		ns = mf_sync_pollitems(d.sync, items + n, 64 - n);
		timeout = mf_sync_tick(d.sync, mf_mono_ms());
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		if (zmq_poll(items, n + ns, timeout) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ETERM)
				break;
			mf_err("poll: %s", zmq_strerror(errno));
			rc = EX_SOFTWARE;
			break;
		}
		if (items[0].revents & ZMQ_POLLIN)
			mf_ctl_handle(&d);
		mf_sync_handle(d.sync, items + n, ns);
		if (got_hup) {
			json_t *req = json_pack("{s:s}", "cmd", "reload"), *r;
			char *pl = NULL;
			size_t pll = 0;

			r = mf_ctl_dispatch(&d, req, &pl, &pll);
			json_decref(req);
			free(pl);
			got_hup = 0;
			if (!json_is_true(json_object_get(r, "ok")))
				mf_err("reload: %s", json_string_value(json_object_get(r, "error")));
			json_decref(r);
		}
	}
	mf_info("node %s stopping", d.node->cfg->region);
out:
	mf_daemon_plugins_stop(&d);
	mf_sync_free(d.sync);
	mf_ctl_close(&d);
	if (d.zctx)
		zmq_ctx_term(d.zctx);
	mf_node_close(d.node);
	close(lockfd);
	return rc;
}
