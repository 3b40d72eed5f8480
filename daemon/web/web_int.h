/*
 * web_int.h — private to mentorfed-web's framework (web.c, http.c,
 * session.c, users.c): the server's state, sessions, users, the login
 * rate limit.  Pages use web.h only.
 */
#ifndef MF_WEB_INT_H
#define MF_WEB_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "web.h"

#define WEB_TOKEN_HEX 64		/* 32 random bytes as hex */
#define WEB_SESSION_IDLE_MS (8ull * 3600 * 1000)
#define WEB_MAX_SESSIONS 4096
/* Login: at most this many failures per user and per address within the
 * window; then every attempt, right or wrong, is refused until the window
 * of the first failure has passed. */
#define WEB_LOGIN_FAILS 5
#define WEB_LOGIN_WINDOW_MS (5ull * 60 * 1000)
/* The largest request body (an uploaded document). */
#define WEB_MAX_BODY (16u << 20)
/* How long a page waits for the daemon (an import preview runs a plugin). */
#define WEB_CALL_TIMEOUT_MS 60000

typedef struct web_server {
	char *dir;			/* the node's data directory */
	char *control;			/* the daemon's control endpoint */
	char *region;			/* this node's region */
	char *listen;			/* host:port */
	char *tls_cert, *tls_key;	/* paths, or NULL */
	char *static_dir;		/* CSS and JS */
	int tls;
	void *zctx;			/* ZeroMQ context (thread-safe) */
	uint8_t secret[32];		/* calendar feed keys (web-secret) */
} web_server;

/* ---- users (users.c): DATADIR/web-users, re-read when it changes */

/* The role of name if password is right: WEB_VIEWER.., 0 wrong or no
 * such user, -1 the file cannot be read. */
int web_users_check(web_server *s, const char *name, const char *password);
/* The current role of name (0: no such user any more). */
int web_users_role(web_server *s, const char *name);
/* "viewer" -> WEB_VIEWER, 0 when unknown. */
int web_role_parse(const char *name);

/* ---- sessions (session.c) */

typedef struct web_session_view {
	char id[WEB_TOKEN_HEX + 1];
	char csrf[WEB_TOKEN_HEX + 1];
	char user[128];			/* "" anonymous */
	char *flash;			/* popped: the caller frees */
} web_session_view;

/* The session of cookie id (may be NULL): fills v and returns 1, or 0
 * when there is none (expired, unknown). */
int web_session_get(const char *id, web_session_view *v);
/* A new session (anonymous when user is NULL) into v. */
void web_session_new(const char *user, web_session_view *v);
void web_session_drop(const char *id);
/* Set the flash of a session (copied). */
void web_session_flash(const char *id, const char *msg);
/* Drop every session of user (deleted or changed). */
void web_session_drop_user(const char *user);

/* Rate limit: 1 when a login attempt for user from addr may be tried now. */
int web_login_allowed(const char *user, const char *addr);
void web_login_failed(const char *user, const char *addr);
void web_login_succeeded(const char *user, const char *addr);

/* Random hex token of WEB_TOKEN_HEX characters. */
void web_token(char out[WEB_TOKEN_HEX + 1]);
/* Constant-time string equality. */
int web_token_eq(const char *a, const char *b);

/* ---- the request's private part (web.c) */
typedef struct web_priv {
	char sid[WEB_TOKEN_HEX + 1];
	json_t *names;			/* web_name cache */
} web_priv;

/* Start serving; the caller waits for a signal. */
int web_http_start(web_server *s, char *err, size_t errlen);
void web_http_stop(void);
/* Handle one request (web.c): fills out. */
void web_dispatch(web_req *r, web_out *o, const char *cookie_sid, const char *accept_lang);

#endif
