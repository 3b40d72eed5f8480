/*
 * reply.h — the shape of every answer the node gives on its control socket:
 * {"ok": true, ...} or {"ok": false, "error": MESSAGE, "code": SYSEXIT}.
 * Shared by the records layer, the exchange and the daemon's commands.
 */
#ifndef MF_REPLY_H
#define MF_REPLY_H

#include <jansson.h>

#include "store.h"

json_t *mf_reply_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_t *mf_reply_ok(void);

/* JSON of a stored record (new reference). */
json_t *mf_record_json(const mf_record *r);

#endif
