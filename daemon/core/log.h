/*
 * log.h — the node's log: stderr or syslog, one threshold.
 */
#ifndef MF_LOG_H
#define MF_LOG_H

enum { MF_LOG_LVL_ERR = 0, MF_LOG_LVL_WARN = 1, MF_LOG_LVL_INFO = 2, MF_LOG_LVL_DEBUG = 3 };

/* ident: program name; use_syslog: 0 for stderr. */
void mf_log_init(const char *ident, int use_syslog, int level);
void mf_log_set_level(int level);
/* While on, errors logged to syslog are written to stderr too: a daemon
 * starting up in the background still shows them on its terminal. */
void mf_log_errors_to_stderr(int on);
int mf_log_level(void);
/* "error", "warning", "info", "debug" -> level, or -1. */
int mf_log_level_parse(const char *name);

void mf_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mf_err(...) mf_log(MF_LOG_LVL_ERR, __VA_ARGS__)
#define mf_warn(...) mf_log(MF_LOG_LVL_WARN, __VA_ARGS__)
#define mf_info(...) mf_log(MF_LOG_LVL_INFO, __VA_ARGS__)
#define mf_debug(...) mf_log(MF_LOG_LVL_DEBUG, __VA_ARGS__)

#endif
