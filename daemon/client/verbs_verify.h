/*
 * verbs_verify.h — the client verbs about rot and corruption
 * (verbs_verify.c): `verify`, and `digest` with --recompute.
 */
#ifndef MF_CLIENT_VERBS_VERIFY_H
#define MF_CLIENT_VERBS_VERIFY_H

/* mentorfed verify [--quick] */
int v_verify(int argc, char **argv);
/* mentorfed digest [--recompute]: without it, the plain digest (v_digest) */
int v_digest_any(int argc, char **argv);

#endif
