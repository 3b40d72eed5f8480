/*
 * zap.h — the ZeroMQ ZAP handler of the sync listener (RFC 27): admits a
 * CURVE client only when its public key is a configured peer's curve_key.
 * Runs on the daemon's single thread; the REP socket is polled with the
 * others.
 */
#ifndef MF_ZAP_H
#define MF_ZAP_H

#include <stdint.h>

#include "conf.h"

#define MF_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define MF_ZAP_DOMAIN "mentorfed-sync"

typedef struct mf_zap_stats {
	uint64_t admitted, denied, malformed;
	/* refusals are logged at most 10 per 10 s (a scan must not flood
	 * the log); the rest are counted in denied only */
	uint64_t log_win_ms, log_suppressed;
	unsigned log_n;
} mf_zap_stats;

/* Bind the handler's REP socket on ctx; NULL with errno on failure. */
void *mf_zap_open(void *ctx);
/* Answer every pending request against cfg's peers (non-blocking). */
void mf_zap_handle(void *zap, const mf_config *cfg, mf_zap_stats *st);

#endif
