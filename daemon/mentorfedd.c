/*
 * mentorfedd.c — the region node daemon: opens the node, holds the data
 * directory's lock, serves the control socket and runs sync, all in one
 * thread around zmq_poll.  Plugin code never runs here (the plugin host).
 * SIGTERM/SIGINT stop it cleanly (the store is consistent at every commit
 * anyway); SIGHUP re-reads the configuration.
 *
 * Under systemd (Type=notify, etc/mentorfedd.service.in) it says READY=1
 * once the store is open and every socket bound, keeps a one-line STATUS=
 * with the sync state, and pings the watchdog from the loop.  Outside
 * systemd those calls do nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pwd.h>
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
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_plugins.h"
#include "log.h"
#include "node.h"
#include "scrub.h"
#include "store_ckpt.h"
#include "sync.h"
#include "util.h"

/* The data directory when neither -d nor $MENTORFED_DIR names one: where
 * the packaged unit's StateDirectory=mentorfed puts it (systemd always
 * uses /var/lib, whatever the prefix), and where the client looks too. */
#define MF_DEFAULT_DIR "/var/lib/mentorfed"

/* How often STATUS= is refreshed for systemctl status (ms). */
#define NOTIFY_STATUS_MS 5000

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
		"  -d, --dir DIR    the node's data directory (default: $MENTORFED_DIR,\n"
		"                   else " MF_DEFAULT_DIR ")\n"
		"  -f, --foreground stay in the foreground and log to stderr\n"
		"                   (default: daemonize, log to syslog)\n"
		"  -v, --verbose    log at debug level\n"
		"  -h, --help       this help\n"
		"  -V, --version    print the version\n"
		"\n"
		"Signals: SIGTERM stops, SIGHUP re-reads the configuration.  Exit status\n"
		"(sysexits): 64 usage, 69 a socket cannot be bound, 75 another mentorfedd\n"
		"holds the directory, 77 permission denied, 78 configuration.  See mentorfedd(8).\n");
}

/* "user NAME" (or "uid N") for messages; *login (optional) gets how to
 * run a command as that user: "runuser -u NAME --" (setpriv when the uid
 * has no name). */
static void
user_name(uid_t uid, char *buf, size_t len, char *login, size_t loginlen)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, len, "user %s", pw->pw_name);
	else
		snprintf(buf, len, "uid %ld", (long)uid);
	if (login != NULL)
		snprintf(login, loginlen, pw != NULL ? "runuser -u %s --" : "setpriv --reuid=%s --",
			 pw != NULL ? pw->pw_name : buf + 4);
}

/*
 * Permission denied on the data directory: say whose it is and who we
 * are, the usual cause (the daemon started as root or as a member of
 * staff instead of the directory's owner), with EX_NOPERM, so that it is
 * not mistaken for a directory held by another daemon (EX_TEMPFAIL).
 */
#define TRIM_EVERY_MS 1000
#define TRIM_ABOVE_BYTES (4u << 20)

static int
denied(const char *dir, const char *path, int e, char *err, size_t errlen)
{
	struct stat sb;
	char owner[64], login[96], me[64];

	user_name(geteuid(), me, sizeof(me), NULL, 0);
	if (stat(dir, &sb) == 0 && sb.st_uid != geteuid()) {
		user_name(sb.st_uid, owner, sizeof(owner), login, sizeof(login));
		snprintf(err, errlen, "%s: permission denied (%s): the data directory belongs to %s and "
			 "mentorfedd runs as %s; start it as its owner (%s mentorfedd -d %s) "
			 "or through systemd",
			 path, strerror(e), owner, me, login, dir);
	} else
		snprintf(err, errlen, "%s: permission denied (%s): mentorfedd runs as %s and cannot "
			 "write there", path, strerror(e), me);
	return EX_NOPERM;
}

/* Take the data directory's lock; the fd stays open for the daemon's life.
 * Returns the fd, or -1 with *status (EX_TEMPFAIL: another daemon holds
 * it; EX_NOPERM; EX_CANTCREAT) and err. */
static int
take_lock(const char *dir, int *status, char *err, size_t errlen)
{
	char *path = mf_path(dir, "mentorfedd.lock");
	char buf[32];
	int fd;
	ssize_t n;

	/* Readable by the directory's group: the client of a member of staff
	 * tells a running daemon from a dead one by this lock (request.c). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;

		if (e == EACCES || e == EPERM || e == EROFS)
			*status = denied(dir, path, e, err, errlen);
		else {
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			*status = EX_CANTCREAT;
		}
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "%s: another mentorfedd is running on this data directory (pid %s)",
			 dir, buf[0] ? buf : "unknown");
		*status = EX_TEMPFAIL;
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

/*
 * Staff without sudo.  When the data directory is open to its group (g+x:
 * the package makes /var/lib/mentorfed 0750 mentorfed:mentorfed), the
 * members of that group run the client like the owner: it reads the
 * config (the control endpoint) and the lock (is a daemon running?), and
 * connects to the socket, which ctl.c makes 0660 for the same group.  The
 * keys and the store stay owner-only.  A directory closed to its group
 * (0700, as `mentorfed init` makes a new one) shares nothing.  Called at
 * start and again now and then: `peer add` and `trust` rewrite the config
 * owner-only (0600).
 */
static void
share_with_group(const char *dir)
{
	static const char *const names[] = { MF_CONFIG_NAME, "mentorfedd.lock" };
	struct stat dsb, sb;

	if (stat(dir, &dsb) != 0 || !(dsb.st_mode & S_IXGRP))
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = mf_path(dir, names[i]);
		mode_t want;

		if (stat(p, &sb) == 0 && sb.st_uid == geteuid()) {
			want = (sb.st_mode & 0700) | S_IRGRP;
			if (sb.st_gid != dsb.st_gid && chown(p, (uid_t)-1, dsb.st_gid) != 0)
				mf_warn("%s: cannot give it to the data directory's group: %s", p,
					strerror(errno));
			if ((sb.st_mode & 07777) != want && chmod(p, want) != 0)
				mf_warn("%s: cannot make it readable by the data directory's group: %s",
					p, strerror(errno));
		}
		free(p);
	}
}

/* ---------------------------------------------------------------- systemd */

/* Watchdog interval (µs) when systemd asked for pings (WatchdogSec=), else 0. */
static uint64_t watchdog_usec;

/*
 * The one-line state systemd shows (systemctl status): region, links up,
 * the largest lag behind a peer, forks, recovery.  Built from the same
 * JSON as `mentorfed status`.
 */
static void
notify_status(mf_daemon *d)
{
	json_t *st, *p, *o;
	const char *k;
	size_t i, npeers = 0, up = 0;
	json_int_t lag = 0, forks = 0;
	char line[256];

	if ((st = mf_sync_status(d->sync)) == NULL)
		return;
	json_array_foreach(json_object_get(st, "peers"), i, p) {
		npeers++;
		if (json_is_true(json_object_get(p, "connected")))
			up++;
	}
	json_object_foreach(json_object_get(st, "origins"), k, o) {
		json_int_t l = json_integer_value(json_object_get(o, "lag"));

		if (l > lag)
			lag = l;
		forks += json_integer_value(json_object_get(o, "forks"));
	}
	snprintf(line, sizeof(line), "STATUS=%s: %zu of %zu peers connected, lag %lld blocks%s%s",
		 d->node->cfg->region, up, npeers, (long long)lag, forks ? ", FORKS (mentorfed fork show)" : "",
		 json_is_true(json_object_get(st, "recovering")) ? ", recovering its chain" : "");
	json_decref(st);
	sd_notify(0, line);
}

/* The longest poll: a second, less under a short WatchdogSec= so that the
 * loop comes round to ping it often enough. */
static long loop_cap_ms = 1000;

/* WAL checkpoints from a thread of their own (store_ckpt.h), told when
 * the loop is idle; NULL when it could not start (then the loop runs
 * them itself when idle). */
static mf_ckpt *ckpt;

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
	if (timeout < 0 || timeout > loop_cap_ms)
		timeout = loop_cap_ms;
	if ((st = zmq_poll(*items, 1 + ns, timeout)) < 0)
		return -1;
	if (st == 0 && timeout > 0) {
		/* A poll that waited and nothing came: idle, the moment to
		 * copy the WAL into the database, away from any commit. */
		if (ckpt)
			mf_ckpt_idle(ckpt);
		else
			mf_store_checkpoint(d->node->store, NULL, NULL, NULL, 0);
	}
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
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir_opt = NULL, *dir0;
	char *dir = NULL;
	int foreground = 0, verbose = 0, c, lockfd = -1, rc = EX_OK, cap = 0;
	char err[1024], msg[1100];
	mf_daemon d;
	struct sigaction sa;
	zmq_pollitem_t *items = NULL;
	uint64_t last_status = 0, last_ping = 0, last_trim = 0, now;

#ifdef __GLIBC__
	/*
	 * Large buffers (frames and batches of up to 4 MiB, their decoded
	 * blocks) always from mmap, given back when freed.  glibc raises its
	 * mmap threshold to the largest such chunk freed, after which they
	 * come from the heap and what a catch-up frees stays with the process
	 * (bench/run.sh: the receiver's peak RSS grew 1.30x from 100,000 to
	 * 1,000,000 records with 28 MiB of the heap kept free).  A fixed
	 * threshold turns that off; free heap above 1 MiB is given back too.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif

	while ((c = getopt_long(argc, argv, "d:fvhV", longopts, NULL)) != -1) {
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
	if ((dir0 = mf_node_dir_default(dir_opt)) == NULL)
		dir0 = MF_DEFAULT_DIR;
	/* The daemon runs in "/": a relative directory must be made
	 * absolute first, or the daemon opens files that are not there. */
	if ((dir = realpath(dir0, NULL)) == NULL) {
		int e = errno;

		fprintf(stderr, "mentorfedd: %s: %s%s\n", dir0, strerror(e),
			e == ENOENT && dir_opt == NULL && strcmp(dir0, MF_DEFAULT_DIR) == 0 ?
			" (no node here yet: run 'mentorfed init --region CODE' as the user that runs "
			"mentorfedd, or give -d DIR)" : "");
		return e == EACCES ? EX_NOPERM : EX_CONFIG;
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
	/* root would leave root-owned files (the store's journal, the
	 * socket) in another user's node, and the daemon run as that user
	 * would then fail on them: refuse */
	{
		struct stat sb;
		char owner[64], login[96];

		if (geteuid() == 0 && stat(dir, &sb) == 0 && sb.st_uid != 0) {
			user_name(sb.st_uid, owner, sizeof(owner), login, sizeof(login));
			snprintf(msg, sizeof(msg), "%s belongs to %s: run mentorfedd as that user "
				 "(%s mentorfedd -d %s, or systemctl start mentorfedd), not as root",
				 dir, owner, login, dir);
			rc = fail(EX_NOPERM, msg);
			goto out;
		}
	}
	if ((lockfd = take_lock(dir, &rc, err, sizeof(err))) < 0) {
		rc = fail(rc, err);
		goto out;
	}
	if ((d.node = mf_node_open(dir, 0, err, sizeof(err))) == NULL) {
		/* a key or the store the daemon may not read: say so, it is
		 * not a mistake in the configuration */
		rc = fail(strstr(err, strerror(EACCES)) ? EX_NOPERM : EX_CONFIG, err);
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
	if ((ckpt = mf_ckpt_start(d.node->store, err, sizeof(err))) == NULL)
		mf_warn("no checkpoint thread (%s): the loop checkpoints when idle", err);
	if (mf_daemon_plugins_start(&d) != 0) {
		rc = fail(EX_SOFTWARE, "the plugins could not be started (see the errors above)");
		goto out;
	}
	share_with_group(dir);
	if (!foreground)
		report(EX_OK, NULL);
	mf_info("node %s started (data %s, listen %s, control %s)", d.node->cfg->region, dir,
		d.node->cfg->listen[0] ? d.node->cfg->listen : "none", d.node->cfg->control);
	/* the store is open and every socket bound: systemd may start what
	 * comes after us (a no-op without $NOTIFY_SOCKET) */
	sd_notifyf(0, "READY=1\nMAINPID=%ld", (long)getpid());
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	else if (watchdog_usec / 4000 < (uint64_t)loop_cap_ms)
		loop_cap_ms = watchdog_usec / 4000 > 10 ? (long)(watchdog_usec / 4000) : 10;

	while (!got_stop && !d.stop) {
		now = mf_mono_ms();
		/* the watchdog is pinged from the loop itself: a loop stuck
		 * longer than WatchdogSec= gets the daemon restarted */
		if (watchdog_usec && now - last_ping >= watchdog_usec / 4000) {
			sd_notify(0, "WATCHDOG=1");
			last_ping = now;
		}
#ifdef __GLIBC__
		/* Free heap in the middle of the arena (a catch-up's batches,
		 * freed among SQLite's pages) is given back once a second when
		 * there is much of it: without it, what the receiver kept grew
		 * with the length of a catch-up (bench/run.sh, `status`'s "kept
		 * free": 12.6 MiB after 100,000 records, 30.5 after 1,000,000). */
		if (now - last_trim >= TRIM_EVERY_MS) {
			if (mallinfo2().fordblks > TRIM_ABOVE_BYTES)
				malloc_trim(0);
			last_trim = now;
		}
#endif
		if (last_status == 0 || now - last_status >= NOTIFY_STATUS_MS) {
			notify_status(&d);
			share_with_group(dir);
			last_status = now;
		}
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
			sd_notify(0, "RELOADING=1");
			reload(&d);
			share_with_group(dir);
			sd_notify(0, "READY=1");
		}
	}
	sd_notify(0, "STOPPING=1");
	mf_info("node %s stopping", d.node->cfg->region);
out:
	free(items);
	mf_daemon_plugins_stop(&d);
	mf_sync_free(d.sync);
	mf_ckpt_stop(ckpt);
	mf_ctl_close(&d);
	if (d.zctx)
		zmq_ctx_term(d.zctx);
	mf_node_close(d.node);
	if (lockfd >= 0)
		close(lockfd);
	free(dir);
	return rc;
}
