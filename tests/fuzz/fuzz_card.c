/*
 * fuzz_card.c — identity cards (`mentorfed card` output read by `mentorfed
 * trust` and `mentorfed peer add`): mf_card_parse (daemon/core/card.c, the
 * parser the client's card_read calls) on any text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "kinds.h"
#include "util.h"

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = mf_xmalloc(size + 1), err[1024];
	mf_card c;
	int rc;

	/* as mf_read_file gives it: the bytes, NUL-terminated */
	memcpy(text, data, size);
	text[size] = '\0';
	rc = mf_card_parse("region.card", text, &c, err, sizeof(err));
	if (rc == 0) {
		/* what trust and peer add rely on after a good read */
		if (!mf_region_valid(c.region) || strlen(c.signing_key) != 64)
			abort();
	} else if (err[0] == '\0') {
		abort();	/* every refusal says why */
	}
	/* the fields are NUL-terminated whatever the card held */
	if (memchr(c.region, 0, sizeof(c.region)) == NULL ||
	    memchr(c.name, 0, sizeof(c.name)) == NULL ||
	    memchr(c.endpoint, 0, sizeof(c.endpoint)) == NULL ||
	    memchr(c.signing_key, 0, sizeof(c.signing_key)) == NULL ||
	    memchr(c.curve_key, 0, sizeof(c.curve_key)) == NULL)
		abort();
	free(text);
	return 0;
}
