/*
 * verbs_keys.h — the client's verbs on the region's identity over years:
 * `key` (rotate, replace, list) and `rename` (doc/KEYS.md).
 */
#ifndef MF_CLIENT_VERBS_KEYS_H
#define MF_CLIENT_VERBS_KEYS_H

int v_key(int argc, char **argv);
int v_rename(int argc, char **argv);

#endif
