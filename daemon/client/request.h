/*
 * request.h — the client's side of the control socket (the daemon's side
 * is daemon/ctl.h): one JSON request, one JSON reply and at most one
 * payload frame, over ZeroMQ REQ to the daemon of the data directory.
 * Every failure is turned into a sysexits(3) code with its message printed:
 *
 *   EX_NOINPUT / EX_CONFIG  no node, or a bad config, in the directory
 *   EX_UNAVAILABLE          no daemon runs there, or it died mid-request
 *   EX_TEMPFAIL             it holds its lock but did not answer in time
 *   EX_PROTOCOL             the reply is not JSON
 *   the reply's "code"      the daemon refused the request
 */
#ifndef MF_CLIENT_REQUEST_H
#define MF_CLIENT_REQUEST_H

#include <stddef.h>
#include <jansson.h>

/* The default of --timeout, in seconds (see request.c for the choice). */
#define MF_CLIENT_TIMEOUT_S 600

/* 1 when a daemon holds the data directory's lock. */
int daemon_running(const char *dir);

/*
 * Send req and wait for the reply.  Returns the reply (new ref) or NULL
 * with the error printed; *code is EX_OK, or the failure (the reply is
 * still returned when the daemon answered "ok": false, unprinted, so that
 * the caller can add what it knows).  When payload is not NULL it receives
 * the extra frame, if any (malloc'd, NUL-terminated, length in *plen).
 */
json_t *request(json_t *req, char **payload, size_t *plen, int *code);

/* request() that takes req over and prints a refusal too: the reply of an
 * accepted request, or NULL with *code set. */
json_t *call(json_t *req, int *code);

/* Print the error of a refused request's reply; returns code. */
int refused(json_t *rep, int code);

/* Drop "ok" from a reply and print it as JSON. */
void print_reply_json(json_t *rep);

#endif
