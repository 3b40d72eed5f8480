/*
 * test_conf.c — the INI configuration (daemon/core/conf.c).
 *
 * A valid file loads with its defaults filled in; every kind of error names
 * "PATH:LINE:" with the line where it is; mf_config_append keeps the file
 * as it was when the appended text does not load.
 */
#include "config.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "keys.h"
#include "log.h"
#include "util.h"

#define CURVE_A "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"	/* 40 Z85 chars */
#define CURVE_B "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define HEX_KEY "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"

#include "testdir.h"

static int file_counter;

/* Write text to a fresh file; returns its path (malloc'd). */
static char *
write_conf(const char *text)
{
	char *p = malloc(strlen(base_dir) + 64);
	FILE *f;

	ck_assert_ptr_nonnull(p);
	sprintf(p, "%s/c%d.%d/mentorfed.conf", base_dir, (int)getpid(), file_counter);
	{
		char *dir = strdup(p);
		*strrchr(dir, '/') = '\0';
		ck_assert_int_eq(mkdir(dir, 0700), 0);
		free(dir);
	}
	file_counter++;
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	return p;
}

/* Load text expecting an error at `line` (0: the path alone, no line);
 * `want` must appear in the message too. */
static void
expect_error_at(const char *text, unsigned line, const char *want)
{
	char err[1024] = "", prefix[4200];
	char *p = write_conf(text);
	mf_config *c = mf_config_load(p, err, sizeof(err));

	ck_assert_msg(c == NULL, "loaded despite the error (expected line %u, '%s'):\n%s", line,
		      want, text);
	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%u: ", p, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", p);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "expected '%s...', got '%s'", prefix,
		      err);
	ck_assert_msg(want == NULL || strstr(err, want) != NULL, "expected '%s' in '%s'", want, err);
	free(p);
}

/* Like expect_error_at, accepting either of two lines (a section's header
 * or its first key, where an error is about the section as a whole). */
static void
expect_error_at2(const char *text, unsigned l1, unsigned l2, const char *want)
{
	char err[1024] = "", p1[4200], p2[4200];
	char *p = write_conf(text);
	mf_config *c = mf_config_load(p, err, sizeof(err));

	ck_assert_msg(c == NULL, "loaded despite the error (expected line %u, '%s'):\n%s", l1, want,
		      text);
	snprintf(p1, sizeof(p1), "%s:%u: ", p, l1);
	snprintf(p2, sizeof(p2), "%s:%u: ", p, l2);
	ck_assert_msg(strncmp(err, p1, strlen(p1)) == 0 || strncmp(err, p2, strlen(p2)) == 0,
		      "expected '%s...' or '%s...', got '%s'", p1, p2, err);
	ck_assert_msg(want == NULL || strstr(err, want) != NULL, "expected '%s' in '%s'", want, err);
	free(p);
}

static const char valid_conf[] =
	"; mentorfed node configuration\n"		/* 1 */
	"[node]\n"					/* 2 */
	"region = RU-TOM\n"				/* 3 */
	"listen = tcp://127.0.0.1:7701\n"		/* 4 */
	"\n"						/* 5 */
	"[peer chelyabinsk]\n"				/* 6 */
	"endpoint = tcp://127.0.0.1:7702\n"		/* 7 */
	"curve_key = " CURVE_A "\n"			/* 8 */
	"region = RU-CHE\n"				/* 9 */
	"\n"						/* 10 */
	"[region RU-CHE]\n"				/* 11 */
	"signing_key = " HEX_KEY "\n"			/* 12 */
	"name = Челябинская область\n";			/* 13 */

START_TEST(valid_with_defaults)
{
	char err[1024] = "";
	char *p = write_conf(valid_conf), *dir = strdup(p), want[4300];
	mf_config *c = mf_config_load(p, err, sizeof(err));
	mf_keyring *kr;
	uint8_t key[MF_PUBKEY_LEN];

	ck_assert_msg(c != NULL, "%s", err);
	*strrchr(dir, '/') = '\0';
	ck_assert_str_eq(c->path, p);
	ck_assert_str_eq(c->region, "RU-TOM");
	ck_assert_str_eq(c->listen, "tcp://127.0.0.1:7701");
	ck_assert_str_eq(c->data_dir, dir);	/* default: the file's directory */
	ck_assert_ptr_nonnull(c->plugin_dir);
	ck_assert_str_eq(c->plugin_dir, MF_PLUGINDIR);
	snprintf(want, sizeof(want), "ipc://%s/control.sock", dir);
	ck_assert_str_eq(c->control, want);
	ck_assert_int_eq(c->log_level, MF_LOG_LVL_INFO);
	ck_assert_uint_eq(c->heartbeat_ms, 1000);
	ck_assert_uint_eq(c->peer_timeout_ms, 5000);
	ck_assert_uint_eq(c->handshake_ms, 5000);
	ck_assert_uint_eq(c->max_inbound, 0);
	ck_assert_uint_eq(c->n_peers, 1);
	ck_assert_str_eq(c->peers[0].name, "chelyabinsk");
	ck_assert_str_eq(c->peers[0].endpoint, "tcp://127.0.0.1:7702");
	ck_assert_str_eq(c->peers[0].curve_key, CURVE_A);
	ck_assert_str_eq(c->peers[0].region, "RU-CHE");
	ck_assert_uint_eq(c->n_regions, 1);
	ck_assert_str_eq(c->regions[0].code, "RU-CHE");
	ck_assert_int_eq(c->regions[0].has_key, 1);
	ck_assert_str_eq(c->regions[0].name, "Челябинская область");
	ck_assert_int_eq(mf_unhex(HEX_KEY, key, MF_PUBKEY_LEN), 0);
	ck_assert_mem_eq(c->regions[0].signing_key, key, MF_PUBKEY_LEN);
	ck_assert_ptr_eq(mf_config_peer_by_key(c, CURVE_A), &c->peers[0]);
	ck_assert_ptr_null(mf_config_peer_by_key(c, CURVE_B));
	kr = mf_keyring_new();
	ck_assert_int_eq(mf_config_keyring(c, kr, err, sizeof(err)), 0);
	ck_assert_uint_eq(mf_keyring_count(kr), 1);
	ck_assert_ptr_nonnull(mf_keyring_get(kr, "RU-CHE"));
	ck_assert_ptr_null(mf_keyring_get(kr, "RU-TOM"));
	mf_keyring_free(kr);
	mf_config_free(c);
	free(p);
	free(dir);

	/* The minimal file; explicit values override the defaults. */
	p = write_conf("[node]\nregion = RU-TOM\n");
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->listen, "");
	ck_assert_uint_eq(c->n_peers, 0);
	ck_assert_uint_eq(c->n_regions, 0);
	mf_config_free(c);
	free(p);
	p = write_conf("[node]\nregion = RU-TOM\ndata_dir = /srv/mf\nplugin_dir = /opt/plug\n"
		       "control = ipc:///run/mf.sock\nlog_level = debug\nheartbeat_ms = 200\n"
		       "peer_timeout_ms = 900\nhandshake_ms = 60000\nmax_inbound = 300\n");
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->data_dir, "/srv/mf");
	ck_assert_str_eq(c->plugin_dir, "/opt/plug");
	ck_assert_str_eq(c->control, "ipc:///run/mf.sock");
	ck_assert_int_eq(c->log_level, MF_LOG_LVL_DEBUG);
	ck_assert_uint_eq(c->heartbeat_ms, 200);
	ck_assert_uint_eq(c->peer_timeout_ms, 900);
	ck_assert_uint_eq(c->handshake_ms, 60000);
	ck_assert_uint_eq(c->max_inbound, 300);
	mf_config_free(c);
	free(p);
}
END_TEST

START_TEST(missing_file)
{
	char err[1024] = "", p[4200];

	snprintf(p, sizeof(p), "%s/nowhere/mentorfed.conf", base_dir);
	ck_assert_ptr_null(mf_config_load(p, err, sizeof(err)));
	ck_assert_msg(strncmp(err, p, strlen(p)) == 0, "%s", err);
}
END_TEST

START_TEST(unknown_section)
{
	expect_error_at2("[node]\nregion = RU-TOM\n\n[nodes]\nlisten = tcp://1.2.3.4:5\n", 4, 5,
			 "[nodes]");
	expect_error_at2("[node]\nregion = RU-TOM\n[peer]\nendpoint = tcp://1.2.3.4:5\n", 3, 4,
			 "unknown section");
}
END_TEST

START_TEST(unknown_key)
{
	expect_error_at("[node]\nregion = RU-TOM\nlisten = tcp://127.0.0.1:1\nlisen = x\n", 4,
			"lisen");
	expect_error_at("[node]\nregion = RU-TOM\n[peer p]\nendpoint = tcp://h:1\nkey = x\n", 5,
			"'key'");
	expect_error_at("[node]\nregion = RU-TOM\n[region RU-CHE]\nsigning_key = " HEX_KEY
			"\nsigningkey = 00\n", 5, "signingkey");
}
END_TEST

START_TEST(bad_region)
{
	expect_error_at("; c\n[node]\nregion = tomsk\n", 3, "tomsk");
	expect_error_at2("[node]\nregion = RU-TOM\n[region RU-TOMSK]\nsigning_key = " HEX_KEY "\n",
			 3, 4, "RU-TOMSK");
	expect_error_at("[node]\nregion = RU-TOM\n[peer p]\nendpoint = tcp://h:1\n"
			"curve_key = " CURVE_A "\nregion = ru-che\n", 6, "ru-che");
	/* no region at all: the file is named */
	expect_error_at("[node]\nlisten = tcp://127.0.0.1:1\n", 0, "region");
}
END_TEST

START_TEST(bad_endpoint)
{
	expect_error_at("[node]\nregion = RU-TOM\nlisten = http://127.0.0.1:7701\n", 3, "listen");
	expect_error_at("[node]\nregion = RU-TOM\n\n[peer p]\nendpoint = 127.0.0.1:7702\n", 5,
			"endpoint");
	expect_error_at("[node]\nregion = RU-TOM\ncontrol = /tmp/sock\n", 3, "control");
}
END_TEST

START_TEST(bad_curve_key)
{
	/* 39 characters */
	expect_error_at("[node]\nregion = RU-TOM\n[peer p]\nendpoint = tcp://h:1\n"
			"curve_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\n", 5, "curve_key");
	/* 40 characters, one not Z85 (',') */
	expect_error_at("[node]\nregion = RU-TOM\n[peer p]\nendpoint = tcp://h:1\n"
			"curve_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf,\n", 5, "curve_key");
}
END_TEST

START_TEST(bad_signing_key)
{
	/* 63 digits */
	expect_error_at("[node]\nregion = RU-TOM\n[region RU-CHE]\nname = x\nsigning_key = "
			"3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da2\n", 5,
			"signing_key");
	/* not hex */
	expect_error_at("[node]\nregion = RU-TOM\n[region RU-CHE]\nsigning_key = "
			"zz6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29\n", 4,
			"signing_key");
	/* a region section without a key */
	expect_error_at2("[node]\nregion = RU-TOM\n\n[region RU-CHE]\nname = Челябинск\n", 4, 5,
			 "signing_key");
}
END_TEST

START_TEST(peer_without_endpoint)
{
	/* header at 4, its first key at 5 */
	expect_error_at2("[node]\nregion = RU-TOM\n\n[peer che]\ncurve_key = " CURVE_A "\n"
			 "region = RU-CHE\n", 4, 5, "endpoint");
	expect_error_at2("[node]\nregion = RU-TOM\n[peer che]\nendpoint = tcp://h:1\n", 3, 4,
			 "curve_key");
}
END_TEST

/* A peer section with nothing in it is a peer without an endpoint. */
START_TEST(empty_peer_section)
{
	expect_error_at("[node]\nregion = RU-TOM\n[peer che]\n\n[region RU-CHE]\nsigning_key = "
			HEX_KEY "\n", 3, "endpoint");
}
END_TEST

START_TEST(syntax_error)
{
	expect_error_at("[node]\nregion = RU-TOM\n\n; fine\nthis line is not ini\n", 5, "syntax");
	expect_error_at("[node]\nregion = RU-TOM\n[peer p\nendpoint = tcp://h:1\n", 3, "syntax");
	expect_error_at("[node]\nregion = RU-TOM\n=\n", 3, NULL);
}
END_TEST

START_TEST(bad_values)
{
	expect_error_at("[node]\nregion = RU-TOM\nlog_level = loud\n", 3, "log_level");
	expect_error_at("[node]\nregion = RU-TOM\nheartbeat_ms = 10\n", 3, "heartbeat_ms");
	expect_error_at("[node]\nregion = RU-TOM\npeer_timeout_ms = lots\n", 3, "peer_timeout_ms");
	expect_error_at("[node]\nregion = RU-TOM\nhandshake_ms = 100\n", 3, "handshake_ms");
	expect_error_at("[node]\nregion = RU-TOM\nmax_inbound = -1\n", 3, "max_inbound");
	expect_error_at("[node]\nregion = RU-TOM\nmax_inbound = 1000001\n", 3, "max_inbound");
	/* the first of several errors is the one reported */
	expect_error_at("[node]\nregion = RU-TOM\nlog_level = loud\nlisten = http://x\n", 3,
			"log_level");
}
END_TEST

/* A long line (a region's full official name runs to 300 bytes of UTF-8)
 * neither breaks loading nor shifts the line numbers after it. */
START_TEST(long_line)
{
	char text[4096], name[1024] = "";
	char err[1024] = "";
	char *p;
	mf_config *c;

	while (strlen(name) < 400)
		strcat(name, "Областной институт ");
	name[strlen(name) - 1] = '\0';	/* INI values lose trailing blanks */
	snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n[region RU-CHE]\nsigning_key = "
		 HEX_KEY "\nname = %s\n", name);
	p = write_conf(text);
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "a %zu-byte line is refused: %s", strlen(name) + 7, err);
	ck_assert_str_eq(c->regions[0].name, name);
	mf_config_free(c);
	free(p);
	snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n[region RU-CHE]\nsigning_key = "
		 HEX_KEY "\nname = %s\nbogus = 1\n", name);
	expect_error_at(text, 6, "bogus");
}
END_TEST

/* A long line is cut for inih's 200-byte buffer and joined again: blanks
 * next to the cut survive, comments (whole-line and inline) end the line,
 * and inih's own errors keep the file's line numbers. */
START_TEST(long_line_pieces)
{
	char text[8192], name[2048] = "", comment[1024] = ";";
	char err[1024] = "";
	char *p;
	mf_config *c;

	/* blanks at every offset, so some cut lands next to one */
	for (int i = 0; strlen(name) < 1200; i++)
		strcat(name, i % 3 ? "a b  " : "Томск\t");
	while (strlen(name) && (name[strlen(name) - 1] == ' ' || name[strlen(name) - 1] == '\t'))
		name[strlen(name) - 1] = '\0';
	while (strlen(comment) < 600)
		strcat(comment, " name = x; [peer y]");
	snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n%s\n[region RU-CHE]\n"
		 "signing_key = " HEX_KEY "\nname = %s ; %s\n  %s\n", comment, name, comment,
		 comment);
	p = write_conf(text);
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_peers, 0);
	ck_assert_str_eq(c->regions[0].name, name);
	mf_config_free(c);
	free(p);
	/* a blank at and around inih's 200-byte limit, wherever it falls */
	for (int k = 180; k < 200; k++) {
		char val[512];

		memset(val, 'x', (size_t)k);
		snprintf(val + k, sizeof(val) - (size_t)k, " \t x;; Челябинская  область");
		snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n[region RU-CHE]\n"
			 "signing_key = " HEX_KEY "\nname = %s\n", val);
		p = write_conf(text);
		c = mf_config_load(p, err, sizeof(err));
		ck_assert_msg(c != NULL, "%s", err);
		ck_assert_str_eq(c->regions[0].name, val);
		mf_config_free(c);
		free(p);
	}
	/* inih's syntax error after two long lines: the file's line 7 */
	snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n%s\n[region RU-CHE]\n"
		 "signing_key = " HEX_KEY "\nname = %s\nnot ini\n", comment, name);
	expect_error_at(text, 7, "syntax");
	/* a long line that is not key = value is inih's syntax error, at its line */
	snprintf(text, sizeof(text), "[node]\nregion = RU-TOM\n%s%s\nlisten = tcp://h:1\n",
		 name, name);
	expect_error_at(text, 3, "syntax");
}
END_TEST

START_TEST(append_restores_on_error)
{
	char err[1024] = "";
	char *p = write_conf("[node]\nregion = RU-TOM\n"), *before, *after;
	size_t lb, la;
	mf_config *c;

	ck_assert_int_eq(mf_read_file(p, &before, &lb, err, sizeof(err)), 0);
	/* invalid: the file is restored, the error names the bad line */
	ck_assert_int_ne(mf_config_append(p, "[peer che]\nendpoint = nonsense\n", err, sizeof(err)),
			 0);
	ck_assert_msg(strstr(err, ":4:") != NULL, "error names the line: %s", err);
	ck_assert_int_eq(mf_read_file(p, &after, &la, err, sizeof(err)), 0);
	ck_assert_uint_eq(la, lb);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_int_ne(mf_config_append(p, "[region RU-CHE]\nsigning_key = 12\n", err, sizeof(err)),
			 0);
	ck_assert_int_ne(mf_config_append(p, "not ini\n", err, sizeof(err)), 0);
	ck_assert_int_eq(mf_read_file(p, &after, &la, err, sizeof(err)), 0);
	ck_assert_str_eq(after, before);
	free(after);
	/* valid: appended and loadable */
	ck_assert_msg(mf_config_append(p, "[region RU-CHE]\nsigning_key = " HEX_KEY "\n", err,
				       sizeof(err)) == 0, "%s", err);
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_regions, 1);
	mf_config_free(c);
	free(before);
	free(p);

	/* A file without a final newline gets one before the appended text. */
	p = write_conf("[node]\nregion = RU-TOM");
	ck_assert_msg(mf_config_append(p, "listen = tcp://127.0.0.1:9\n", err, sizeof(err)) == 0,
		      "%s", err);
	c = mf_config_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->region, "RU-TOM");
	ck_assert_str_eq(c->listen, "tcp://127.0.0.1:9");
	mf_config_free(c);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	if (testdir_init("mf-test-conf") != 0)
		return 1;
	tcase_add_test(tc, valid_with_defaults);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, unknown_section);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, bad_region);
	tcase_add_test(tc, bad_endpoint);
	tcase_add_test(tc, bad_curve_key);
	tcase_add_test(tc, bad_signing_key);
	tcase_add_test(tc, peer_without_endpoint);
	tcase_add_test(tc, empty_peer_section);
	tcase_add_test(tc, syntax_error);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, long_line_pieces);
	tcase_add_test(tc, append_restores_on_error);
	suite_add_tcase(s, tc);
	return testdir_run(s);
}
