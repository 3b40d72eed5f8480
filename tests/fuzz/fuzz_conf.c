/*
 * fuzz_conf.c — the configuration file (core conf.c, inih): any text as
 * mentorfed.conf, loaded, checked, and turned into a keyring.  Every
 * refusal must come with a message.
 */
#include "config.h"

#include "conf.h"
#include "fuzz.h"
#include "keys.h"
#include "util.h"

static char *conf_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet();
	conf_path = mf_path(fz_scratch(), MF_CONFIG_NAME);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	mf_config *c;
	FILE *f = fopen(conf_path, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	c = mf_config_load(conf_path, err, sizeof(err));
	if (c == NULL) {
		if (err[0] == '\0')
			abort();	/* refused without saying why */
		return 0;
	}
	{
		mf_keyring *kr = mf_keyring_new();

		(void)mf_config_keyring(c, kr, err, sizeof(err));
		for (size_t i = 0; i < c->n_peers; i++)
			(void)mf_config_peer_by_key(c, c->peers[i].curve_key);
		mf_keyring_free(kr);
	}
	mf_config_free(c);
	return 0;
}
