/*
 * users.c — the web's accounts: DATADIR/web-users, written by
 * `mentorfed user add|del` (daemon/client/verbs_user.c), read here.
 *
 * One line per user, "NAME:ROLE:ARGON2ID-ENCODED-HASH"; '#' lines are
 * comments.  The file is replaced atomically (rename) by the client, so a
 * reader sees the old or the new file, never half of one; it is re-read
 * when its inode, size or mtime changes, checked on every request (one
 * stat), so `user del` ends the user's sessions at their next click.
 */
#include "config.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "web_int.h"

typedef struct user {
	char *name;
	int role;
	char *hash;
} user;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static user *users;
static size_t nusers;
static struct stat seen;
static int loaded;

int
web_role_parse(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "viewer") == 0)
		return WEB_VIEWER;
	if (strcmp(name, "methodologist") == 0)
		return WEB_METHODOLOGIST;
	if (strcmp(name, "operator") == 0)
		return WEB_OPERATOR;
	return 0;
}

static void
clear(void)
{
	for (size_t i = 0; i < nusers; i++) {
		free(users[i].name);
		free(users[i].hash);
	}
	free(users);
	users = NULL;
	nusers = 0;
}

/* Re-read the file when it changed (mu held).  0, or -1 when it cannot be
 * read (no file: no users, 0). */
static int
refresh(web_server *s)
{
	char *path = mf_path(s->dir, "web-users"), *line = NULL;
	struct stat st;
	size_t cap = 0;
	FILE *f;

	if (stat(path, &st) != 0) {
		free(path);
		clear();
		loaded = 0;
		return 0;
	}
	if (loaded && st.st_ino == seen.st_ino && st.st_size == seen.st_size &&
	    st.st_mtim.tv_sec == seen.st_mtim.tv_sec && st.st_mtim.tv_nsec == seen.st_mtim.tv_nsec) {
		free(path);
		return 0;
	}
	if ((f = fopen(path, "re")) == NULL) {
		free(path);
		return -1;
	}
	free(path);
	clear();
	while (getline(&line, &cap, f) > 0) {
		char *name = line, *role, *hash, *nl;
		int r;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if ((role = strchr(name, ':')) == NULL || (hash = strchr(role + 1, ':')) == NULL)
			continue;
		*role++ = '\0';
		*hash++ = '\0';
		if ((r = web_role_parse(role)) == 0 || strncmp(hash, "$argon2id$", 10) != 0)
			continue;
		users = mf_xrealloc(users, (nusers + 1) * sizeof(*users));
		users[nusers].name = mf_xstrdup(name);
		users[nusers].role = r;
		users[nusers].hash = mf_xstrdup(hash);
		nusers++;
	}
	free(line);
	fclose(f);
	seen = st;
	loaded = 1;
	return 0;
}

int
web_users_role(web_server *s, const char *name)
{
	int role = 0;

	pthread_mutex_lock(&mu);
	if (refresh(s) == 0)
		for (size_t i = 0; i < nusers; i++)
			if (strcmp(users[i].name, name) == 0)
				role = users[i].role;
	pthread_mutex_unlock(&mu);
	return role;
}

int
web_users_check(web_server *s, const char *name, const char *password)
{
	char *hash = NULL;
	int role = 0, rc;

	pthread_mutex_lock(&mu);
	rc = refresh(s);
	for (size_t i = 0; rc == 0 && i < nusers; i++)
		if (strcmp(users[i].name, name) == 0) {
			hash = mf_xstrdup(users[i].hash);
			role = users[i].role;
		}
	pthread_mutex_unlock(&mu);
	if (rc != 0)
		return -1;
	if (hash == NULL) {
		/* the same work for an unknown name: the time of the answer
		 * does not tell which names exist */
		static const char dummy[] =
			"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
			"3b8XdgmVfo1xPZD7qVD84lk9g3EkW6xIPZjHrQ6q6qQ";
		argon2id_verify(dummy, password, strlen(password));
		return 0;
	}
	/* argon2 outside the lock: ~30 ms that other logins need not wait */
	if (argon2id_verify(hash, password, strlen(password)) != ARGON2_OK)
		role = 0;
	free(hash);
	return role;
}
