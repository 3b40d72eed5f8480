/*
 * conf.h — the node's configuration file (INI, parsed with inih).
 *
 *   [node]                    region, listen, data_dir, plugin_dir, log_level,
 *                             control, heartbeat_ms, peer_timeout_ms, handshake_ms,
 *                             max_inbound,
 *                             plugin_timeout_ms, plugin_memory_mb, scrub_rate
 *   [peer NAME]               endpoint, curve_key (Z85), region (optional)
 *   [region CODE]             signing_key (64 hex, in force from seq 1), name,
 *                             key = HEX from SEQ (repeatable: a key in force
 *                             from SEQ on, as a re-join after a revocation),
 *                             revoke = HEX after SEQ (repeatable: blocks that
 *                             key signs past SEQ are refused; doc/KEYS.md)
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

/* A key with a seq: `key = HEX from SEQ` or `revoke = HEX after SEQ`. */
typedef struct mf_key_seq {
	uint8_t pub[MF_PUBKEY_LEN];
	uint64_t seq;
} mf_key_seq;

/* "HEX WORD SEQ" (WORD: "from" for key, "after" for revoke).  0 or -1. */
int mf_key_seq_parse(const char *v, const char *word, mf_key_seq *ks);

typedef struct mf_region_conf {
	char code[16];
	uint8_t signing_key[MF_PUBKEY_LEN];
	int has_key;
	char *name;
	unsigned line;
	mf_key_seq *keys;	/* later keys, `from` in seq */
	size_t n_keys;
	mf_key_seq *revoked;	/* `after` in seq */
	size_t n_revoked;
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
	unsigned handshake_ms;		/* an inbound ZMTP/CURVE handshake at most */
	unsigned max_inbound;		/* inbound connections at once; 0: half the fds */
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

/* Set `name` of [region CODE] in the file (the line replaced in place,
 * else added to the section).  0 or -1 with err. */
int mf_config_set_region_name(const char *path, const char *code, const char *name, char *err,
			      size_t errlen);

/* The [region CODE] section of c, or NULL. */
const mf_region_conf *mf_config_region(const mf_config *c, const char *code);

/* Fill a keyring from the [region] sections: keys and revocations. */
int mf_config_keyring(const mf_config *c, mf_keyring *kr, char *err, size_t errlen);

const mf_peer_conf *mf_config_peer_by_key(const mf_config *c, const char *curve_key);

#endif
