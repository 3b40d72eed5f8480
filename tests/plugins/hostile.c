/*
 * hostile.c — plugins that misbehave inside the plugin host, built as
 * check-only libtool modules with one macro each (tests/test_plughost.sh):
 *   READKEY    opens the file whose path is the document's second line (the
 *              node's signing key) and puts its bytes in a record;
 *   SOCKET     opens a TCP socket and connects to the address on that line;
 *   LOOP       never returns from import;
 *   CRASH      writes through a NULL pointer;
 *   DAEMONSYM  calls mf_key_sign, a function of the daemon (links without
 *              -z defs, so that the host's dlopen is what refuses it).
 * Each reads documents that start with "HOSTILE TEST" and is region RU-TOM.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mentorfed-plugin.h"

#if defined(READKEY)
#define NAME "readkey"
#elif defined(SOCKET)
#define NAME "opensocket"
#elif defined(LOOP)
#define NAME "loopforever"
#elif defined(CRASH)
#define NAME "crash"
#elif defined(DAEMONSYM)
#define NAME "daemonsym"
int mf_key_sign(const void *key, const void *msg, size_t len, void *sig);
#endif

static const struct mf_host_api *H;

static int
probe(const char *data, size_t len)
{
	(void)len;
	return strncmp(data, "HOSTILE TEST", 12) == 0 ? 1 : 0;
}

/* The document's second line, into buf. */
static void
second_line(const char *data, char *buf, size_t n)
{
	const char *s = strchr(data, '\n'), *e;

	buf[0] = '\0';
	if (s == NULL)
		return;
	s++;
	e = strchr(s, '\n');
	snprintf(buf, n, "%.*s", (int)(e ? (size_t)(e - s) : strlen(s)), s);
}

#if defined(CRASH)
/* A real fault, not a sanitizer's report of one (sanitizer builds). */
__attribute__((noinline, no_sanitize("address", "undefined"))) static void
poke(uintptr_t addr)
{
	*(volatile int *)addr = 1;
}
#endif

static int
import(mf_import *imp, const char *data, size_t len)
{
	char arg[512], got[256] = "";
	mf_rec *r;

	(void)len;
	second_line(data, arg, sizeof(arg));
#if defined(READKEY)
	{
		int fd = open(arg, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, got, sizeof(got) - 1) : -1;
		got[n > 0 ? n : 0] = '\0';
	}
#elif defined(SOCKET)
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons(9);
		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
		snprintf(got, sizeof(got), "socket %d", s);
	}
#elif defined(LOOP)
	for (volatile unsigned long i = 0;; i++)
		;
#elif defined(CRASH)
	poke((uintptr_t)len);   /* len is small: an unmapped page */
#elif defined(DAEMONSYM)
	mf_key_sign(NULL, arg, strlen(arg), got);
#endif
	r = H->rec_new(imp, "school", "stolen");
	H->rec_set(r, "name", got[0] ? "got something" : "got nothing");
	return H->rec_emit(r, NULL);
}

static const mf_format formats[] = { { "hostile-" NAME, "test", probe, import } };

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = NAME,
	.version = "0",
	.region = "RU-TOM",
	.description = "misbehaving test plugin",
	.formats = formats,
	.n_formats = 1,
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int abi)
{
	if (abi != MF_PLUGIN_ABI_VERSION)
		return NULL;
	H = host;
	return &plugin;
}
