/*
 * conf.h — the node's configuration file (INI, parsed with inih).
 *
 *   [node]                    region, listen, data_dir, plugin_dir, log_level,
 *                             control, heartbeat_ms, peer_timeout_ms,
 *                             plugin_timeout_ms, plugin_memory_mb, scrub_rate
 *   [peer NAME]               endpoint, curve_key (Z85), region (optional)
 *   [region CODE]             signing_key (64 hex), name
 *
 * Every error names the file, the line and what was expected.
 */
#ifndef MF_CONF_H
#define MF_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define MF_CONFIG_NAME "mentorfed.conf"

typedef struct mf_peer_conf {
	char *name;
	char *endpoint;
	char curve_key[MF_Z85_KEY_LEN + 1];
	char region[16];		/* "" when not given */
	unsigned line;
} mf_peer_conf;

typedef struct mf_region_conf {
	char code[16];
	uint8_t signing_key[MF_PUBKEY_LEN];
	int has_key;
	char *name;
	unsigned line;
} mf_region_conf;

typedef struct mf_config {
	char *path;
	char region[16];
	char *data_dir;		/* default: the config file's directory */
	char *listen;		/* "" or NULL: no listener */
	char *plugin_dir;
	char *control;		/* default: ipc://DATA_DIR/control.sock */
	int log_level;
	unsigned heartbeat_ms, peer_timeout_ms;
	unsigned plugin_timeout_ms;	/* one plugin run (import, judging) at most */
	unsigned plugin_memory_mb;	/* address space of the plugin host */
	unsigned scrub_rate;		/* background check: records/s, 0 off */
	mf_peer_conf *peers;
	size_t n_peers;
	mf_region_conf *regions;
	size_t n_regions;
} mf_config;

/* Load and check path.  Returns an owned config or NULL with
 * "PATH:LINE: message" in err. */
mf_config *mf_config_load(const char *path, char *err, size_t errlen);
void mf_config_free(mf_config *c);

/* Append text to the config file, then check that the result loads; on
 * failure the file is restored.  0 or -1 with err. */
int mf_config_append(const char *path, const char *text, char *err, size_t errlen);

/* Fill a keyring from the [region] sections. */
int mf_config_keyring(const mf_config *c, mf_keyring *kr, char *err, size_t errlen);

const mf_peer_conf *mf_config_peer_by_key(const mf_config *c, const char *curve_key);

#endif
