/*
 * check_hint.c — the hints that go with a refusal (see checks.h): which
 * regions this node knows, and which school a mistyped id or name most
 * likely meant.  A methodologist who typed RU-XXX or a Cyrillic «у» in an
 * id should learn what to type instead, not just that it failed.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "proto/records.pb-c.h"
#include "store.h"
#include "util.h"

/* ---------------------------------------------------------------- regions */

#define MAX_REGIONS 256

typedef struct regions {
	char v[MAX_REGIONS][MF_REGION_MAX];
	size_t n;
} regions;

static void
regions_add(regions *r, const char *code)
{
	if (code == NULL || *code == '\0' || strlen(code) >= MF_REGION_MAX)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i], code) == 0)
			return;
	if (r->n < MAX_REGIONS)
		mf_strlcpy(r->v[r->n++], code, MF_REGION_MAX);
}

static int
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	(void)seq;
	regions_add(arg, origin);
	return 0;
}

static int
region_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Own, configured (regions and peers) and every origin in the store. */
static void
regions_load(mf_node *node, regions *r)
{
	const mf_config *cfg = node->cfg;

	r->n = 0;
	regions_add(r, cfg->region);
	for (size_t i = 0; i < cfg->n_regions; i++)
		regions_add(r, cfg->regions[i].code);
	for (size_t i = 0; i < cfg->n_peers; i++)
		regions_add(r, cfg->peers[i].region);
	if (node->store)
		mf_store_vv_each(node->store, origin_cb, r);
	qsort(r->v, r->n, sizeof(r->v[0]), region_cmp);
}

static void
regions_join(const regions *r, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", r->v[i]);
}

void
mf_check_regions_text(mf_node *node, char *buf, size_t len)
{
	regions r;

	regions_load(node, &r);
	regions_join(&r, buf, len);
}

int
mf_check_region(mf_node *node, const char *given, char canon[MF_REGION_MAX], char *why,
		size_t whylen)
{
	regions r;
	char known[1024];

	canon[0] = '\0';
	regions_load(node, &r);
	for (size_t i = 0; i < r.n; i++)
		if (given && strcmp(given, r.v[i]) == 0) {
			mf_strlcpy(canon, r.v[i], MF_REGION_MAX);
			return 0;
		}
	/* "ru-che" is RU-CHE: codes are upper case, people type them as they
	 * like */
	for (size_t i = 0; i < r.n; i++)
		if (given && strcasecmp(given, r.v[i]) == 0) {
			mf_strlcpy(canon, r.v[i], MF_REGION_MAX);
			return 0;
		}
	regions_join(&r, known, sizeof(known));
	snprintf(why, whylen, "no region %s on this node (known regions: %s)%s",
		 given ? given : "(none)", known,
		 given && !mf_region_valid(given) ? "; a region is an ISO 3166-2 code such as RU-TOM" : "");
	return -1;
}

/* ---------------------------------------------------------------- schools */

#define MAX_CP 160

/* Lower-cased code points of s (ASCII and Cyrillic), at most MAX_CP. */
static size_t
codepoints(const char *s, unsigned *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p && n < MAX_CP) {
		unsigned cp;
		if (p[0] < 0x80) {
			cp = (unsigned)tolower(p[0]);
			p++;
		} else if ((p[0] & 0xE0) == 0xC0 && p[1]) {
			cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			p += 2;
		} else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
			cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
			p += 3;
		} else {
			cp = p[0];
			p++;
		}
		if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20;
		else if (cp == 0x401 || cp == 0x451)
			cp = 0x435;
		out[n++] = cp;
	}
	return n;
}

/* Edit distance of two code point strings. */
static size_t
distance(const unsigned *a, size_t na, const unsigned *b, size_t nb)
{
	size_t row[MAX_CP + 1];

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[nb];
}

/* Cyrillic letters that look like Latin ones, and the Latin letter. */
static char
latin_twin(unsigned cp)
{
	static const struct { unsigned cp; char c; } twins[] = {
		{ 0x430, 'a' }, { 0x435, 'e' }, { 0x43E, 'o' }, { 0x440, 'p' }, { 0x441, 'c' },
		{ 0x443, 'y' }, { 0x445, 'x' }, { 0x43A, 'k' }, { 0x43C, 'm' }, { 0x442, 't' },
		{ 0x432, 'b' }, { 0x43D, 'h' }, { 0x456, 'i' },
		{ 0x410, 'A' }, { 0x412, 'B' }, { 0x415, 'E' }, { 0x41A, 'K' }, { 0x41C, 'M' },
		{ 0x41D, 'H' }, { 0x41E, 'O' }, { 0x420, 'P' }, { 0x421, 'C' }, { 0x422, 'T' },
		{ 0x425, 'X' }, { 0x423, 'Y' }, { 0x406, 'I' },
	};

	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (twins[i].cp == cp)
			return twins[i].c;
	return 0;
}

/* given with every Cyrillic look-alike replaced by its Latin twin, into
 * out; the position (1-based, in characters) of the first one in *first,
 * and the number replaced is returned (-1: a non-Latin letter with no
 * twin). */
static int
untwin(const char *given, char *out, size_t len, size_t *first)
{
	const unsigned char *p = (const unsigned char *)given;
	size_t o = 0, pos = 0;
	int n = 0;

	*first = 0;
	while (*p && o + 1 < len) {
		pos++;
		if (p[0] < 0x80) {
			out[o++] = (char)*p++;
			continue;
		}
		if ((p[0] & 0xE0) == 0xC0 && p[1]) {
			unsigned cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			char t = latin_twin(cp);
			if (t == 0)
				return -1;
			out[o++] = t;
			if (*first == 0)
				*first = pos;
			n++;
			p += 2;
			continue;
		}
		return -1;
	}
	out[o] = '\0';
	return n;
}

typedef struct near {
	unsigned g[MAX_CP];
	size_t ng;
	size_t best;		/* distance of the best so far */
	char id[MF_ID_MAX];
	char name[256];
	int by_name;
} near;

static int
school_cb(void *arg, const mf_record *r)
{
	near *nr = arg;
	unsigned v[MAX_CP];
	size_t nv, d;
	Mentorfed__School *m = (Mentorfed__School *)protobuf_c_message_unpack(
		&mentorfed__school__descriptor, NULL, r->body_len, r->body);

	nv = codepoints(r->id, v);
	d = distance(nr->g, nr->ng, v, nv);
	if (d < nr->best) {
		nr->best = d;
		nr->by_name = 0;
		mf_strlcpy(nr->id, r->id, sizeof(nr->id));
		mf_strlcpy(nr->name, m && m->name ? m->name : "", sizeof(nr->name));
	}
	if (m != NULL && m->name != NULL && *m->name) {
		nv = codepoints(m->name, v);
		d = distance(nr->g, nr->ng, v, nv);
		/* a name typed in part («лицей 31» for «МАОУ Лицей № 31»)
		 * counts as close as its missing letters allow */
		if (d < nr->best) {
			nr->best = d;
			nr->by_name = 1;
			mf_strlcpy(nr->id, r->id, sizeof(nr->id));
			mf_strlcpy(nr->name, m->name, sizeof(nr->name));
		}
	}
	if (m)
		mentorfed__school__free_unpacked(m, NULL);
	return 0;
}

void
mf_check_school_hint(mf_node *node, const char *given, char *buf, size_t len)
{
	char latin[MF_ID_MAX];
	size_t first;
	mf_record *r;
	near *nr;
	int tw;

	buf[0] = '\0';
	if (given == NULL || *given == '\0' || node->store == NULL)
		return;
	/* A Cyrillic look-alike in an id: say which letter, and the id it
	 * would be in Latin letters when that one exists. */
	tw = untwin(given, latin, sizeof(latin), &first);
	if (tw > 0) {
		r = mf_store_get(node->store, latin);
		if (r != NULL && !r->deleted && strcmp(r->kind, "school") == 0)
			snprintf(buf, len, "; character %zu is a Cyrillic look-alike of a Latin letter: did you mean %s?",
				 first, latin);
		else
			snprintf(buf, len, "; character %zu is a Cyrillic letter: ids are written in Latin letters",
				 first);
		mf_record_free(r);
		if (r != NULL)
			return;
	}
	nr = mf_xcalloc(1, sizeof(*nr));
	nr->ng = codepoints(given, nr->g);
	nr->best = (size_t)-1;
	mf_store_each(node->store, "school", NULL, 0, school_cb, nr);
	/* close enough to be a typo, not just any school */
	if (nr->id[0] && nr->best <= (nr->ng / 3 > 2 ? nr->ng / 3 : 2)) {
		size_t l = strlen(buf);
		if (nr->name[0])
			snprintf(buf + l, len - l, "; did you mean %s («%s»)?", nr->id, nr->name);
		else
			snprintf(buf + l, len - l, "; did you mean %s?", nr->id);
	} else if (buf[0] == '\0') {
		snprintf(buf, len, "; `mentorfed list --kind school` shows the schools this node holds");
	}
	free(nr);
}
