/*
 * log.c — logging to stderr or syslog with one threshold (see log.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *log_ident = "mentorfed";
static int log_syslog;
static int log_threshold = MF_LOG_LVL_INFO;
static int log_tee_errors;

static const char *const names[] = { "error", "warning", "info", "debug" };

void
mf_log_init(const char *ident, int use_syslog, int level)
{
	log_ident = ident;
	log_syslog = use_syslog;
	log_threshold = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
mf_log_set_level(int level)
{
	log_threshold = level;
}

void
mf_log_errors_to_stderr(int on)
{
	log_tee_errors = on;
}

int
mf_log_level(void)
{
	return log_threshold;
}

int
mf_log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	if (strcasecmp(name, "warn") == 0)
		return MF_LOG_LVL_WARN;
	return -1;
}

void
mf_log(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[2048];
	va_list ap;

	if (level > log_threshold)
		return;
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio[level], "%s", msg);
		if (log_tee_errors && level == MF_LOG_LVL_ERR)
			fprintf(stderr, "%s: %s\n", log_ident, msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char t[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", t, ts.tv_nsec / 1000000, log_ident,
			names[level], msg);
	}
}
