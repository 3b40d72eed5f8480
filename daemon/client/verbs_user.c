/*
 * verbs_user.c — `mentorfed user add|list|del` (see verbs_user.h).
 *
 * DATADIR/web-users holds one line per user, "NAME:ROLE:HASH", HASH an
 * Argon2id encoded string (t=2, m=19 MiB, p=1: the OWASP minimum, ~30 ms
 * per login on this machine).  Writers take DATADIR/web-users.lock and
 * replace the file by rename, so mentorfed-web (daemon/web/users.c) reads
 * the old or the new file, never half of one.  Mode 0640: the web server
 * may run under another user of the node's group.  The daemon is not
 * involved: accounts are the web page's, and work with the daemon down.
 */
#include "config.h"

#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "cli_fmt.h"
#include "client.h"
#include "i18n.h"
#include "util.h"
#include "verbs_user.h"

#define USERS_FILE "web-users"
#define ARGON_T 2
#define ARGON_M (19 * 1024)	/* KiB */
#define ARGON_P 1
#define PASSWORD_MIN 8

typedef struct urow {
	char *name, *role, *hash;
} urow;

static const char *const roles[] = { "viewer", "methodologist", "operator", NULL };

static int
role_valid(const char *r)
{
	for (int i = 0; roles[i]; i++)
		if (strcmp(roles[i], r) == 0)
			return 1;
	return 0;
}

/* A name: 1-64 bytes of UTF-8, no ':', space or control character. */
static int
name_valid(const char *n)
{
	size_t len = strlen(n), bad;

	if (len == 0 || len > 64 || !mf_utf8_valid(n, len, &bad))
		return 0;
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p <= ' ' || *p == ':' || *p == 0x7f)
			return 0;
	return 1;
}

/* Read the file into rows; 0, or -1 (message printed). */
static int
load(const char *path, urow **rows, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : (die(EX_NOINPUT, "%s: %s", path, strerror(errno)), -1);
	while (getline(&line, &cap, f) > 0) {
		char *a = line, *b, *c, *nl;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (*line == '#')
			continue;
		if ((b = strchr(a, ':')) == NULL || (c = strchr(b + 1, ':')) == NULL)
			continue;
		*b++ = '\0';
		*c++ = '\0';
		*rows = mf_xrealloc(*rows, (*n + 1) * sizeof(**rows));
		(*rows)[*n] = (urow){ mf_xstrdup(a), mf_xstrdup(b), mf_xstrdup(c) };
		(*n)++;
	}
	free(line);
	fclose(f);
	return 0;
}

static void
rows_free(urow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].role);
		free(rows[i].hash);
	}
	free(rows);
}

/* Write rows to path atomically (temp + fsync + rename), mode 0640. */
static int
store(const char *path, const urow *rows, size_t n)
{
	size_t tl = strlen(path) + 8;
	char *tmp = mf_xmalloc(tl);
	FILE *f;
	int fd, rc = 0;

	snprintf(tmp, tl, "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = die(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return rc;
	}
	fchmod(fd, 0640);
	fprintf(f, "# mentorfed-web accounts: NAME:ROLE:ARGON2ID-HASH (mentorfed user add|del)\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s:%s:%s\n", rows[i].name, rows[i].role, rows[i].hash);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
		rc = die(EX_IOERR, "%s: %s", path, strerror(errno));
	free(tmp);
	return rc;
}

/* Read one line (the password) from f; NULL at EOF. */
static char *
read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Ask on the terminal without echo. */
static char *
ask(const char *prompt)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+e");
	char *pw;

	if (tty == NULL)
		return NULL;
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	pw = read_line(tty);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return pw;
}

/* The new password from --password-file, the terminal or stdin. */
static char *
get_password(const char *file, int *code)
{
	char *pw = NULL, *again;

	if (file) {
		FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");

		if (f == NULL) {
			*code = die(EX_NOINPUT, "%s: %s", file, strerror(errno));
			return NULL;
		}
		pw = read_line(f);
		if (f != stdin)
			fclose(f);
	} else if (isatty(STDIN_FILENO)) {
		pw = ask(_("Password: "));
		again = ask(_("Password again: "));
		if (pw && again && strcmp(pw, again) != 0) {
			free(pw);
			free(again);
			*code = die(EX_USAGE, "%s", _("the two passwords differ; nothing changed"));
			return NULL;
		}
		free(again);
	} else {
		pw = read_line(stdin);
	}
	if (pw == NULL || strlen(pw) < PASSWORD_MIN) {
		*code = die(EX_USAGE, _("a password of at least %d characters is needed; nothing changed"),
			    PASSWORD_MIN);
		free(pw);
		return NULL;
	}
	return pw;
}

static char *
hash_password(const char *pw, int *code)
{
	uint8_t salt[16];
	size_t len = argon2_encodedlen(ARGON_T, ARGON_M, ARGON_P, sizeof(salt), 32, Argon2_id);
	char *enc = mf_xmalloc(len);
	int rc;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		*code = die(EX_OSERR, "no random bytes for the salt");
		free(enc);
		return NULL;
	}
	rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, pw, strlen(pw), salt, sizeof(salt), 32,
				   enc, len);
	if (rc != ARGON2_OK) {
		*code = die(EX_SOFTWARE, "argon2: %s", argon2_error_message(rc));
		free(enc);
		return NULL;
	}
	return enc;
}

/* Take the lock of the user file for the change; fd or -1. */
static int
lock(const char *dir)
{
	char *lp = mf_path(dir, USERS_FILE ".lock");
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		die(EX_CANTCREAT, "%s: %s", lp, strerror(errno));
	else if (flock(fd, LOCK_EX) != 0) {
		die(EX_OSERR, "%s: %s", lp, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(lp);
	return fd;
}

static int
user_add(const char *dir, const char *path, const char *name, const char *role,
	 const char *pwfile)
{
	urow *rows;
	size_t n, i;
	char *pw, *hash;
	int code = EX_OK, fd, changed = 0;

	if (!name_valid(name))
		return die(EX_USAGE, _("user name '%s': 1 to 64 characters, without ':', spaces or "
				       "control characters"), name);
	if (role == NULL || !role_valid(role))
		return die(EX_USAGE, _("--role: expected viewer, methodologist or operator, got '%s'"),
			   role ? role : "");
	if ((pw = get_password(pwfile, &code)) == NULL)
		return code;
	hash = hash_password(pw, &code);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (hash == NULL)
		return code;
	if ((fd = lock(dir)) < 0) {
		free(hash);
		return EX_CANTCREAT;
	}
	if (load(path, &rows, &n) != 0) {
		close(fd);
		free(hash);
		return EX_NOINPUT;
	}
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0) {
			free(rows[i].role);
			free(rows[i].hash);
			rows[i].role = mf_xstrdup(role);
			rows[i].hash = hash;
			changed = 1;
		}
	if (!changed) {
		rows = mf_xrealloc(rows, (n + 1) * sizeof(*rows));
		rows[n++] = (urow){ mf_xstrdup(name), mf_xstrdup(role), hash };
	}
	code = store(path, rows, n);
	rows_free(rows, n);
	close(fd);
	if (code == EX_OK)
		printf(changed ? _("user %s changed: role %s\n") : _("user %s added: role %s\n"), name,
		       role);
	return code;
}

static int
user_del(const char *dir, const char *path, const char *name)
{
	urow *rows;
	size_t n, j = 0;
	int fd, code, found = 0;

	if ((fd = lock(dir)) < 0)
		return EX_CANTCREAT;
	if (load(path, &rows, &n) != 0) {
		close(fd);
		return EX_NOINPUT;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].name, name) == 0) {
			free(rows[i].name);
			free(rows[i].role);
			free(rows[i].hash);
			found = 1;
			continue;
		}
		rows[j++] = rows[i];
	}
	if (!found) {
		rows_free(rows, j);
		close(fd);
		return die(EX_NOUSER, _("there is no user %s"), name);
	}
	code = store(path, rows, j);
	rows_free(rows, j);
	close(fd);
	if (code == EX_OK)
		printf(_("user %s deleted\n"), name);
	return code;
}

static int
user_list(const char *path)
{
	urow *rows;
	size_t n;

	if (load(path, &rows, &n) != 0)
		return EX_NOINPUT;
	if (cli.json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s,s:s}", "name", rows[i].name, "role",
							   rows[i].role));
		mf_json_print(stdout, a);
		json_decref(a);
	} else if (n == 0) {
		printf("%s\n", _("no users (add one with: mentorfed user add NAME --role R)"));
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%-24s %s\n", rows[i].name, _(rows[i].role));
	}
	rows_free(rows, n);
	return EX_OK;
}

int
v_user(int argc, char **argv)
{
	const char *role = NULL, *pwfile = NULL, *sub, *dir;
	opt_def d[] = { OPT_V("role", 'r', NULL), OPT_V("password-file", 'p', NULL), OPT_END };
	char *path;
	int rc, n;

	d[0].var = &role;
	d[1].var = &pwfile;
	if ((rc = opt_parse(argc, argv, "user", d, NULL, 1, 2)) >= 0)
		return rc;
	sub = argv[optind];
	n = argc - optind;
	dir = need_dir();
	path = mf_path(dir, USERS_FILE);
	if (strcmp(sub, "add") == 0 && n == 2)
		rc = user_add(dir, path, argv[optind + 1], role, pwfile);
	else if (strcmp(sub, "del") == 0 && n == 2)
		rc = user_del(dir, path, argv[optind + 1]);
	else if (strcmp(sub, "list") == 0 && n == 1)
		rc = user_list(path);
	else
		rc = verb_help("user", stderr);
	free(path);
	return rc;
}
