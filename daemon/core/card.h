/*
 * card.h — a region's identity card: what `mentorfed card` prints and
 * `mentorfed trust` / `peer add` read (doc/KEYS.md): `key = value` lines
 * (region, name, endpoint, signing_key, curve_key; after a rotation or a
 * replacement also `key = HEX from SEQ` and `revoke = HEX after SEQ`) and
 * # or ; comments.  The parser is here, apart from the client's verbs, so
 * that it can be tested and fuzzed on its own (tests/fuzz/fuzz_card.c).
 */
#ifndef MF_CARD_H
#define MF_CARD_H

#include <stddef.h>

#include "conf.h"

#define MF_CARD_MAX_KEYS 64

typedef struct mf_card {
	char region[16], endpoint[256], signing_key[80], curve_key[64], name[1024];
	mf_key_seq keys[MF_CARD_MAX_KEYS];	/* key = HEX from SEQ */
	size_t n_keys;
	mf_key_seq revoked[MF_CARD_MAX_KEYS];	/* revoke = HEX after SEQ */
	size_t n_revoked;
} mf_card;

/*
 * Parse the card text (NUL-terminated) read from path (path only names it
 * in errors).  0: *c filled, its region valid and its signing key 64 hex
 * digits; -1: err says why as "PATH:LINE: ..." or "PATH: ...".  Every
 * field of *c is NUL-terminated either way.
 */
int mf_card_parse(const char *path, const char *text, mf_card *c, char *err, size_t errlen);

#endif
