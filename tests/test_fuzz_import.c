/*
 * test_fuzz_import.c — random mutations of each seed document fed to every
 * importer of its region's plugin (each format forced, and by probing).
 * Asserts no crash (run it under ASan/UBSan: ./configure --enable-sanitizers)
 * and that every result is consistent: success with records and no error,
 * or failure with no records and an error naming the file.
 *
 * The generator is seeded with a fixed value, so a failure reproduces.
 * MF_FUZZ_ROUNDS overrides the number of mutants per seed (default 1500).
 */
#include "config.h"

#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "plugin_loader.h"

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static size_t
rndn(size_t n)
{
	return n ? (size_t)rnd() % n : 0;
}

static const char *const dict[] = {
	"\t", "\n", " |\n", "||||\n", "\xc2\xab", "\xc2\xbb", "№", "1. ", "12.", "IV ", "I II ",
	"квартал", "2023 г.", " - ", "\xe2\x80\x93", "Цель:", "Задачи:", "· ", "75%", "<p>", "</p>",
	"вебинар (", "21 февраля)", "\"", "/", ", ", "Приложение", "от 6 февраля 2023 г. N 1",
	"РАСПОРЯЖЕНИЕ\n", "План работы на 2025 год\n", "Сроки\tА\tБ\tВ\n", "\xc2\xa0", "13.02.2025",
	"В течение года", "городского округа ", " района", "МАОУ «", "E-mail", "Школа: ",
	"Направления: Знание\n", "Спикерами\n", "http://x", "Учитель - учитель\n", "\n\n\n",
	"99999999999999999999", "%s%n%s", "(", ")", "г. ", "ВИЗИТКИ КОМПЕТЕНЦИЙ\n",
};

/* Move i to the start of a UTF-8 character. */
static size_t
boundary(const char *b, size_t len, size_t i)
{
	while (i < len && ((unsigned char)b[i] & 0xC0) == 0x80)
		i++;
	return i;
}

/* One mutant of (src, len) into a new buffer. */
static char *
mutate(const char *src, size_t len, size_t *outlen)
{
	size_t cap = len * 2 + 4096, n = len;
	char *b = malloc(cap);
	int rounds = 1 + (int)rndn(8);

	memcpy(b, src, len);
	for (int r = 0; r < rounds; r++) {
		size_t at = n ? boundary(b, n, rndn(n)) : 0;
		switch (rndn(8)) {
		case 0: {   /* insert a dictionary token */
			const char *t = dict[rndn(sizeof(dict) / sizeof(dict[0]))];
			size_t tl = strlen(t);
			if (n + tl >= cap)
				break;
			memmove(b + at + tl, b + at, n - at);
			memcpy(b + at, t, tl);
			n += tl;
			break;
		}
		case 1: {   /* delete a span */
			size_t e = boundary(b, n, at + rndn(200));
			if (e > n)
				e = n;
			memmove(b + at, b + e, n - e);
			n -= e - at;
			break;
		}
		case 2: {   /* duplicate a span */
			size_t e = boundary(b, n, at + rndn(400));
			size_t sl;
			if (e > n)
				e = n;
			sl = e - at;
			if (n + sl >= cap)
				break;
			memmove(b + e + sl, b + e, n - e);
			memcpy(b + e, b + at, sl);
			n += sl;
			break;
		}
		case 3:     /* truncate */
			n = at;
			break;
		case 4:     /* replace an ASCII byte by another ASCII byte */
			if (at < n && (unsigned char)b[at] < 0x80)
				b[at] = (char)(1 + rndn(126));
			break;
		case 5:     /* raw byte flip: mostly caught as bad UTF-8 */
			if (n && rndn(4) == 0)
				b[rndn(n)] ^= (char)(1u << rndn(8));
			break;
		case 6: {   /* swap two lines' worth of text */
			size_t a2 = n ? boundary(b, n, rndn(n)) : 0;
			if (at < n && a2 < n && at != a2) {
				char t = b[at];
				if (((unsigned char)t & 0x80) == 0 && ((unsigned char)b[a2] & 0x80) == 0) {
					b[at] = b[a2];
					b[a2] = t;
				}
			}
			break;
		}
		default: {  /* insert digits */
			char num[24];
			int l = snprintf(num, sizeof(num), "%u", rnd() % 100000u);
			if (n + (size_t)l >= cap)
				break;
			memmove(b + at + l, b + at, n - at);
			memcpy(b + at, num, (size_t)l);
			n += (size_t)l;
			break;
		}
		}
	}
	*outlen = n;
	return b;
}

static void
quiet(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
fuzz_one(const char *doc_glob, const char *region, const char *plugin, uint64_t seed)
{
	const char *src = getenv("top_srcdir"), *bld = getenv("top_builddir");
	char pat[1024], so[1024], err[2048];
	const char *rounds_env = getenv("MF_FUZZ_ROUNDS");
	int rounds = rounds_env ? atoi(rounds_env) : 1500;
	glob_t g;
	mf_plugins *p;
	char *data;
	size_t len;
	json_t *list, *formats;
	unsigned long ok = 0, refused = 0;

	mf_plugins_set_logger(quiet);
	snprintf(pat, sizeof(pat), "%s/tests/data/%s", src ? src : ".", doc_glob);
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	data = slurp(g.gl_pathv[0], &len);
	globfree(&g);
	p = mf_plugins_new(region);
	snprintf(so, sizeof(so), "%s/plugins/.libs/%s.so", bld ? bld : ".", plugin);
	ck_assert_msg(mf_plugins_load(p, so, err, sizeof(err)) == 0, "%s", err);
	list = mf_plugins_list_json(p);
	formats = json_object_get(json_array_get(list, 0), "formats");
	rng_state = seed;
	for (int i = 0; i < rounds; i++) {
		size_t ml;
		char *m = mutate(data, len, &ml);
		/* every format forced, then probing */
		for (size_t f = 0; f <= json_array_size(formats); f++) {
			const char *fmt = f < json_array_size(formats) ?
				json_string_value(json_object_get(json_array_get(formats, f), "name")) : NULL;
			json_t *recs = NULL, *diag = NULL;
			int rc = mf_plugins_import_mem(p, "mutant.txt", m, ml, fmt ? plugin : NULL, fmt, 0,
						       &recs, &diag, err, sizeof(err));
			ck_assert_ptr_nonnull(diag);
			if (rc == 0) {
				ck_assert_ptr_nonnull(recs);
				ck_assert_uint_ge(json_array_size(recs), 1);
				ok++;
			} else {
				ck_assert_int_eq(rc, -1);
				ck_assert_ptr_null(recs);
				ck_assert_msg(strncmp(err, "mutant.txt", 10) == 0, "%s", err);
				refused++;
			}
			json_decref(recs);
			json_decref(diag);
		}
		free(m);
	}
	fprintf(stderr, "# %s: %d mutants, %lu imports succeeded, %lu refused\n", doc_glob, rounds,
		ok, refused);
	json_decref(list);
	mf_plugins_free(p);
	free(data);
}

START_TEST(fuzz_000) { fuzz_one("000_*.txt", "RU-TOM", "tomsk", 1000); }
END_TEST
START_TEST(fuzz_001) { fuzz_one("001_*.txt", "RU-TOM", "tomsk", 1001); }
END_TEST
START_TEST(fuzz_002) { fuzz_one("002_*.txt", "RU-TOM", "tomsk", 1002); }
END_TEST
START_TEST(fuzz_003) { fuzz_one("003_*.txt", "RU-CHE", "chelyabinsk", 1003); }
END_TEST
START_TEST(fuzz_004) { fuzz_one("004_*.txt", "RU-TOM", "tomsk", 1004); }
END_TEST
START_TEST(fuzz_cards) { fuzz_one("cards/tomsk-cards.txt", "RU-TOM", "tomsk", 1005); }
END_TEST

int
main(void)
{
	Suite *s = suite_create("fuzz_import");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fuzz_000);
	tcase_add_test(tc, fuzz_001);
	tcase_add_test(tc, fuzz_002);
	tcase_add_test(tc, fuzz_003);
	tcase_add_test(tc, fuzz_004);
	tcase_add_test(tc, fuzz_cards);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
