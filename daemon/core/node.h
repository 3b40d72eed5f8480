/*
 * node.h — a node's on-disk identity and state, opened as one object:
 * config, signing key, CURVE keys, keyring and store.  Used by the daemon
 * and by tests; the client only uses mf_node_init and paths.
 *
 * Data directory layout (mode 0700):
 *   mentorfed.conf  signing.key  signing.pub  curve.key  curve.pub
 *   signing.key.next        a rotation under way (doc/KEYS.md)
 *   retired/signing-SEQ.key keys retired by a rotation or a replacement,
 *                           last used for seq SEQ; kept, never loaded
 *   store.db (+ -wal, -shm)  mentorfedd.lock  control.sock
 */
#ifndef MF_NODE_H
#define MF_NODE_H

#include <stddef.h>

#include "conf.h"
#include "keys.h"
#include "store.h"

typedef struct mf_node {
	char *dir;
	mf_config *cfg;
	mf_key *key;			/* own signing key */
	uint8_t pub[MF_PUBKEY_LEN];
	char curve_pub[MF_Z85_KEY_LEN + 1], curve_sec[MF_Z85_KEY_LEN + 1];
	mf_keyring *keyring;		/* config + region_key records + own */
	mf_store *store;
	int store_was_new;		/* the store was created by this open */
	/* Non-empty: why local writes are refused now (recovering our own
	 * chain from peers, a fork, corruption); the records layer says it. */
	char writes_refused[256];
	/* Blocks refused because a revoked key signed them (doc/KEYS.md):
	 * how many since start, and the last one as the log named it. */
	uint64_t revoked_refused;
	char revoked_last[256];
} mf_node;

/* Create a node in dir: directory, config, keys, empty store.  listen
 * may be "" (no listener), plugin_dir NULL (the installed default). */
int mf_node_init(const char *dir, const char *region, const char *listen,
		 const char *plugin_dir, char *err, size_t errlen);
/* The same with the region's human name ("" or NULL: none) in its
 * [region] section. */
int mf_node_init_named(const char *dir, const char *region, const char *name,
		       const char *listen, const char *plugin_dir, char *err, size_t errlen);

/* Open an initialised node.  The store is opened unless no_store. */
mf_node *mf_node_open(const char *dir, int no_store, char *err, size_t errlen);
void mf_node_close(mf_node *n);

/* Re-read the config file and rebuild the keyring. 0 or -1 (node unchanged). */
int mf_node_reload(mf_node *n, char *err, size_t errlen);

/* Build the keyring again from the config, the stored region_key records
 * (all origins, in seq order) and the node's own key.  Called at open,
 * reload, and after an apply was rolled back or a chain cut.  0 or -1. */
int mf_node_rebuild_keyring(mf_node *n, char *err, size_t errlen);

/* Make newkey the node's signing key after its region_key record was
 * stored at seq `seq` (`replaced`: no record, a replacement after a
 * revocation, in force from seq + 1): the config gets `key = NEW from
 * seq+1`, signing.key moves to retired/signing-SEQ.key and the new key
 * takes its place.  Takes newkey.  0 or -1. */
int mf_node_key_switch(mf_node *n, mf_key *newkey, uint64_t seq, char *err, size_t errlen);

/* The data directory from -d, else $MENTORFED_DIR, else NULL. */
const char *mf_node_dir_default(const char *opt);

#endif
