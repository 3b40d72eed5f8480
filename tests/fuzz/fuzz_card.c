/*
 * fuzz_card.c — identity cards (`mentorfed card` output read by `mentorfed
 * trust` and `mentorfed peer add`): the inih-based reader of
 * daemon/client/cards.c on any text.
 *
 * The reader, card_read(), is static in cards.c and no exported entry
 * point exists yet (asked of the lead: see doc/FUZZING.md).  Until then
 * this target compiles cards.c itself into the target, so that it fuzzes
 * the client's own code and not a copy, and stubs what the rest of that
 * file needs from the client (the daemon calls and the option parser are
 * never reached from card_read).  die() only prints there; it is silenced.
 */
#include "config.h"

#include <stdarg.h>

#include "../../daemon/client/cards.c"

#include "fuzz.h"

cli_opts cli;

int
die(int code, const char *fmt, ...)
{
	(void)fmt;
	return code;
}

const char *
need_dir(void)
{
	abort();
}

int
opt_parse(int argc, char **argv, const char *name, const opt_def *defs, json_t *req, int nmin,
	  int nmax)
{
	abort();
}

int
daemon_running(const char *dir)
{
	abort();
}

json_t *
call(json_t *req, int *code)
{
	abort();
}

void
mf_json_print(FILE *f, json_t *j)
{
	abort();
}

static char *card_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet();
	card_path = mf_path(fz_scratch(), "region.card");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	card c;
	FILE *f = fopen(card_path, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (card_read(card_path, &c) == EX_OK) {
		/* what trust and peer add rely on after a good read */
		if (!mf_region_valid(c.region) || strlen(c.signing_key) != 64)
			abort();
	}
	/* the fields are NUL-terminated whatever the card held */
	if (memchr(c.region, 0, sizeof(c.region)) == NULL ||
	    memchr(c.name, 0, sizeof(c.name)) == NULL ||
	    memchr(c.endpoint, 0, sizeof(c.endpoint)) == NULL ||
	    memchr(c.signing_key, 0, sizeof(c.signing_key)) == NULL ||
	    memchr(c.curve_key, 0, sizeof(c.curve_key)) == NULL)
		abort();
	return 0;
}
