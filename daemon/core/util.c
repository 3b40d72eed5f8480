/*
 * util.c — files, hex, numbers, time (see util.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

static void __attribute__((noreturn))
oom(size_t n)
{
	/* stderr first: under syslog the log line may itself need memory. */
	fprintf(stderr, "out of memory (%zu bytes)\n", n);
	mf_err("out of memory (%zu bytes)", n);
	abort();
}

void *
mf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
mf_xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	if ((p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		oom(nmemb * size);
	return p;
}

void *
mf_xrealloc(void *p, size_t n)
{
	void *np = realloc(p, n ? n : 1);

	if (np == NULL)
		oom(n);
	return np;
}

char *
mf_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mf_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

char *
mf_xstrndup(const char *s, size_t n)
{
	size_t l = strnlen(s, n);
	char *p = mf_xmalloc(l + 1);

	memcpy(p, s, l);
	p[l] = '\0';
	return p;
}

int
mf_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			b = mf_xrealloc(b, cap + 1);
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

int
mf_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
	      size_t errlen)
{
	size_t pl = strlen(path) + 16;
	char *tmp = mf_xmalloc(pl);
	int fd;
	const char *p = data;

	snprintf(tmp, pl, "%s.tmp%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	(void)fchmod(fd, mode);
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
fail:
	close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

void
mf_hex(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mf_unhex(const char *in, uint8_t *out, size_t n)
{
	if (strlen(in) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(in[2 * i]), l = hexval(in[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

int
mf_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

uint64_t
mf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
mf_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

char *
mf_strlcpy(char *dst, const char *src, size_t size)
{
	if (size > 0) {
		size_t n = strlen(src);
		if (n >= size)
			n = size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return dst;
}

char *
mf_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = mf_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static const char z85_enc[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	".-:+=^!/*?&<>()[]{}@%$#";

char *
mf_z85_encode(char *dest, const uint8_t *data, size_t size)
{
	size_t o = 0;

	if (size % 4 != 0)
		return NULL;
	for (size_t i = 0; i < size; i += 4) {
		uint32_t v = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
			     (uint32_t)data[i + 2] << 8 | data[i + 3];
		for (int k = 4; k >= 0; k--) {
			dest[o + (size_t)k] = z85_enc[v % 85];
			v /= 85;
		}
		o += 5;
	}
	dest[o] = '\0';
	return dest;
}

static int
z85_val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(z85_enc, c)) == NULL)
		return -1;
	return (int)(p - z85_enc);
}

uint8_t *
mf_z85_decode(uint8_t *dest, const char *s)
{
	size_t len = strlen(s), o = 0;

	if (len == 0 || len % 5 != 0)	/* libzmq refuses "" too */
		return NULL;
	for (size_t i = 0; i < len; i += 5) {
		uint64_t v = 0;
		for (int k = 0; k < 5; k++) {
			int d = z85_val(s[i + (size_t)k]);
			if (d < 0)
				return NULL;
			v = v * 85 + (uint64_t)d;
		}
		/* "#####" is 85^5 - 1 > 2^32 - 1: such a group is no 4 bytes. */
		if (v > UINT32_MAX)
			return NULL;
		dest[o++] = (uint8_t)(v >> 24);
		dest[o++] = (uint8_t)(v >> 16);
		dest[o++] = (uint8_t)(v >> 8);
		dest[o++] = (uint8_t)v;
	}
	return dest;
}

int
mf_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], need, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else
			goto invalid;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				goto invalid;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			goto invalid;
		i += need + 1;
	}
	return 1;
invalid:
	if (bad)
		*bad = i;
	return 0;
}

/* Write code point cp (at most 0x10FFFF) as UTF-8 at o; returns its
 * length, 1 to 4 bytes. */
size_t
mf_utf8_put(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int
mf_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
