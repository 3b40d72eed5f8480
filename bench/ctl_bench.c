/*
 * ctl_bench.c — latency of control requests as the daemon answers them
 * (issue 14, bench/query_bench.sh): sends each request N times over the
 * control socket, one at a time, and prints the p50, p95 and maximum in
 * milliseconds with the reply's size.  The client's own start-up (a
 * process, a ZeroMQ context, the config read: a few ms) is left out, so
 * that the figure is the query's.
 *
 *   ctl_bench ENDPOINT N NAME JSON [NAME JSON]...
 *
 * A reply that is not {"ok": true, ...} stops the run (exit 1): a
 * benchmark of an error would measure nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <zmq.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One request and its reply (every frame); the reply's first frame's
 * size in *len; 0, or -1 when the reply is not ok. */
static int
roundtrip(void *sock, const char *req, size_t *len, char *why, size_t whylen)
{
	zmq_msg_t m;
	int more, ok = 0, first = 1;

	if (zmq_send(sock, req, strlen(req), 0) < 0) {
		snprintf(why, whylen, "send: %s", zmq_strerror(errno));
		return -1;
	}
	do {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			snprintf(why, whylen, "recv: %s", zmq_strerror(errno));
			zmq_msg_close(&m);
			return -1;
		}
		if (first) {
			json_t *j = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, NULL);

			*len = zmq_msg_size(&m);
			ok = j != NULL && json_is_true(json_object_get(j, "ok"));
			if (!ok)
				snprintf(why, whylen, "%.*s", (int)(zmq_msg_size(&m) > 300 ? 300 :
					 zmq_msg_size(&m)), (const char *)zmq_msg_data(&m));
			json_decref(j);
			first = 0;
		}
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	} while (more);
	return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	void *ctx, *sock;
	int n, linger = 0, timeout = 120000;

	if (argc < 5 || (argc - 3) % 2 != 0 || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: ctl_bench ENDPOINT N NAME JSON [NAME JSON]...\n");
		return 2;
	}
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_REQ);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (zmq_connect(sock, argv[1]) != 0) {
		fprintf(stderr, "ctl_bench: %s: %s\n", argv[1], zmq_strerror(errno));
		return 1;
	}
	for (int a = 3; a < argc; a += 2) {
		double *t = calloc((size_t)n, sizeof(*t));
		size_t len = 0;
		char why[400] = "";

		/* two warm-up requests: caches as a running node has them */
		for (int i = 0; i < n + 2; i++) {
			double t0 = now_ms();

			if (roundtrip(sock, argv[a + 1], &len, why, sizeof(why)) != 0) {
				fprintf(stderr, "ctl_bench: %s: %s\n", argv[a], why);
				return 1;
			}
			if (i >= 2)
				t[i - 2] = now_ms() - t0;
		}
		qsort(t, (size_t)n, sizeof(*t), dcmp);
		printf("%-40s p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms  (%d requests, reply %zu B)\n",
		       argv[a], t[n / 2], t[(n * 95 + 99) / 100 - 1], t[n - 1], n, len);
		fflush(stdout);
		free(t);
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}
