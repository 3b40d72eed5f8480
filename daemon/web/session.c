/*
 * session.c — sessions, CSRF tokens and the login rate limit of
 * mentorfed-web, in memory (a restart logs everybody out, which is fine
 * for a page that is one login away).
 *
 * Every visitor has a session, anonymous until login, so that the login
 * form too carries a CSRF token; login replaces the session by a new one
 * (no fixation).  The tables are small arrays under one mutex: the pool
 * threads touch them for microseconds per request.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "web_int.h"

typedef struct session {
	char id[WEB_TOKEN_HEX + 1];
	char csrf[WEB_TOKEN_HEX + 1];
	char user[128];
	char *flash;
	uint64_t used_ms;
} session;

typedef struct attempt {
	char key[160];			/* "u:NAME" or "a:ADDRESS" */
	unsigned fails;
	uint64_t first_ms;
} attempt;

#define MAX_ATTEMPTS 4096

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static session sessions[WEB_MAX_SESSIONS];
static attempt attempts[MAX_ATTEMPTS];

void
web_token(char out[WEB_TOKEN_HEX + 1])
{
	uint8_t b[WEB_TOKEN_HEX / 2];

	if (RAND_bytes(b, sizeof(b)) != 1)
		abort();	/* no randomness: no safe token */
	mf_hex(b, sizeof(b), out);
	out[WEB_TOKEN_HEX] = '\0';
}

int
web_token_eq(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	return la == lb && la > 0 && CRYPTO_memcmp(a, b, la) == 0;
}

/* The live session of id, or NULL (mu held). */
static session *
find(const char *id, uint64_t now)
{
	if (id == NULL || strlen(id) != WEB_TOKEN_HEX)
		return NULL;
	for (size_t i = 0; i < WEB_MAX_SESSIONS; i++) {
		session *s = &sessions[i];

		if (s->id[0] && web_token_eq(s->id, id)) {
			if (now - s->used_ms > WEB_SESSION_IDLE_MS) {
				free(s->flash);
				memset(s, 0, sizeof(*s));
				return NULL;
			}
			return s;
		}
	}
	return NULL;
}

static void
view(const session *s, web_session_view *v)
{
	mf_strlcpy(v->id, s->id, sizeof(v->id));
	mf_strlcpy(v->csrf, s->csrf, sizeof(v->csrf));
	mf_strlcpy(v->user, s->user, sizeof(v->user));
}

int
web_session_get(const char *id, web_session_view *v)
{
	uint64_t now = mf_mono_ms();
	session *s;

	pthread_mutex_lock(&mu);
	if ((s = find(id, now)) != NULL) {
		s->used_ms = now;
		view(s, v);
		v->flash = s->flash;
		s->flash = NULL;
	}
	pthread_mutex_unlock(&mu);
	return s != NULL;
}

void
web_session_new(const char *user, web_session_view *v)
{
	uint64_t now = mf_mono_ms();
	session *slot = NULL;

	pthread_mutex_lock(&mu);
	/* a free slot, else the least recently used: anonymous sessions of
	 * crawlers cannot exhaust memory, at worst they end old sessions */
	for (size_t i = 0; i < WEB_MAX_SESSIONS; i++) {
		session *s = &sessions[i];

		if (s->id[0] == '\0' || now - s->used_ms > WEB_SESSION_IDLE_MS) {
			slot = s;
			break;
		}
		if (slot == NULL || s->used_ms < slot->used_ms)
			slot = s;
	}
	free(slot->flash);
	memset(slot, 0, sizeof(*slot));
	web_token(slot->id);
	web_token(slot->csrf);
	if (user)
		mf_strlcpy(slot->user, user, sizeof(slot->user));
	slot->used_ms = now;
	view(slot, v);
	v->flash = NULL;
	pthread_mutex_unlock(&mu);
}

void
web_session_drop(const char *id)
{
	session *s;

	pthread_mutex_lock(&mu);
	if ((s = find(id, mf_mono_ms())) != NULL) {
		free(s->flash);
		memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&mu);
}

void
web_session_flash(const char *id, const char *msg)
{
	session *s;

	pthread_mutex_lock(&mu);
	if ((s = find(id, mf_mono_ms())) != NULL) {
		free(s->flash);
		s->flash = mf_xstrdup(msg);
	}
	pthread_mutex_unlock(&mu);
}

void
web_session_drop_user(const char *user)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < WEB_MAX_SESSIONS; i++)
		if (sessions[i].id[0] && strcmp(sessions[i].user, user) == 0) {
			free(sessions[i].flash);
			memset(&sessions[i], 0, sizeof(sessions[i]));
		}
	pthread_mutex_unlock(&mu);
}

/* ------------------------------------------------------------ rate limit */

/* The entry of key (mu held); create: a new or expired slot. */
static attempt *
attempt_find(const char *key, uint64_t now, int create)
{
	attempt *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < MAX_ATTEMPTS; i++) {
		attempt *a = &attempts[i];

		if (a->key[0] && now - a->first_ms > WEB_LOGIN_WINDOW_MS)
			a->key[0] = '\0';	/* the window has passed */
		if (a->key[0] == '\0') {
			if (free_slot == NULL)
				free_slot = a;
			continue;
		}
		if (strcmp(a->key, key) == 0)
			return a;
		if (oldest == NULL || a->first_ms < oldest->first_ms)
			oldest = a;
	}
	if (!create)
		return NULL;
	if (free_slot == NULL)
		free_slot = oldest;
	memset(free_slot, 0, sizeof(*free_slot));
	mf_strlcpy(free_slot->key, key, sizeof(free_slot->key));
	free_slot->first_ms = now;
	return free_slot;
}

static void
keys(const char *user, const char *addr, char ku[160], char ka[160])
{
	snprintf(ku, 160, "u:%s", user ? user : "");
	snprintf(ka, 160, "a:%s", addr ? addr : "");
}

int
web_login_allowed(const char *user, const char *addr)
{
	char ku[160], ka[160];
	uint64_t now = mf_mono_ms();
	attempt *a, *b;
	int ok;

	keys(user, addr, ku, ka);
	pthread_mutex_lock(&mu);
	a = attempt_find(ku, now, 0);
	b = attempt_find(ka, now, 0);
	ok = (a == NULL || a->fails < WEB_LOGIN_FAILS) && (b == NULL || b->fails < WEB_LOGIN_FAILS);
	pthread_mutex_unlock(&mu);
	return ok;
}

void
web_login_failed(const char *user, const char *addr)
{
	char ku[160], ka[160];
	uint64_t now = mf_mono_ms();

	keys(user, addr, ku, ka);
	pthread_mutex_lock(&mu);
	attempt_find(ku, now, 1)->fails++;
	attempt_find(ka, now, 1)->fails++;
	pthread_mutex_unlock(&mu);
}

void
web_login_succeeded(const char *user, const char *addr)
{
	char ku[160], ka[160];
	attempt *a;

	/* only the user's count is forgiven: an address that tried many
	 * names keeps its count */
	(void)addr;
	keys(user, addr, ku, ka);
	pthread_mutex_lock(&mu);
	if ((a = attempt_find(ku, mf_mono_ms(), 0)) != NULL)
		a->key[0] = '\0';
	pthread_mutex_unlock(&mu);
}
