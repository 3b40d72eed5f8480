/*
 * pg_latency.c — the PostgreSQL side's clock for bench/pg_baseline.sh.
 *
 *   pg_latency wait SUB_CONNINFO SQL EXPECTED [TIMEOUT_S]
 *       Run SQL (prepared once) on the subscriber every 100 µs until its
 *       first column reads EXPECTED; print "secs=S" (time spent waiting).
 *
 *   pg_latency latency PUB_CONNINFO SUB_CONNINFO SAMPLES [PAUSE_MS]
 *       SAMPLES times: insert one ~500 B row on the publisher (a prepared
 *       INSERT, autocommit; the body, hash and index columns are those of a
 *       row already in the table, the id is new), then poll the subscriber
 *       with a prepared "SELECT 1 FROM records WHERE id = $1" every 100 µs
 *       until the row is there.  The sample is the time from just before
 *       the INSERT is sent to the first poll that sees the row.  Prints
 *       "samples=N p50_ms=… p99_ms=… mean_ms=… max_ms=…".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>

#define POLL_NS 100000L

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
nap(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

static PGconn *
conn(const char *ci)
{
	PGconn *c = PQconnectdb(ci);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pg_latency: %s: %s", ci, PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static void
prepare(PGconn *c, const char *name, const char *sql, int n)
{
	PGresult *r = PQprepare(c, name, sql, n, NULL);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "pg_latency: prepare %s: %s", name, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
do_wait(int argc, char **argv)
{
	PGconn *c;
	double t0, limit;

	if (argc < 5)
		return 2;
	limit = argc > 5 ? atof(argv[5]) : 3600;
	c = conn(argv[2]);
	prepare(c, "q", argv[3], 0);
	t0 = now();
	for (;;) {
		PGresult *r = PQexecPrepared(c, "q", 0, NULL, NULL, NULL, 0);
		int done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
			   strcmp(PQgetvalue(r, 0, 0), argv[4]) == 0;
		PQclear(r);
		if (done)
			break;
		if (now() - t0 > limit) {
			fprintf(stderr, "pg_latency: timed out waiting for %s = %s\n", argv[3], argv[4]);
			return 1;
		}
		nap(POLL_NS);
	}
	printf("secs=%.6f\n", now() - t0);
	PQfinish(c);
	return 0;
}

static int
do_latency(int argc, char **argv)
{
	PGconn *pub, *sub;
	PGresult *r;
	int n, pause_ms;
	double *lat, sum = 0;
	char kind[64], origin[32];
	char *body = NULL, *hash = NULL;
	size_t bl = 0, hl = 0;

	if (argc < 5 || (n = atoi(argv[4])) <= 0)
		return 2;
	pause_ms = argc > 5 ? atoi(argv[5]) : 2;
	pub = conn(argv[2]);
	sub = conn(argv[3]);
	/* A template row of the workload (the same ~500 B bodies). */
	r = PQexecParams(pub, "SELECT kind, origin, body, hash FROM records ORDER BY id LIMIT 1", 0,
			 NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "pg_latency: no template row: %s", PQerrorMessage(pub));
		return 1;
	}
	snprintf(kind, sizeof(kind), "%.*s", PQgetlength(r, 0, 0), PQgetvalue(r, 0, 0));
	snprintf(origin, sizeof(origin), "%.*s", PQgetlength(r, 0, 1), PQgetvalue(r, 0, 1));
	bl = (size_t)PQgetlength(r, 0, 2);
	hl = (size_t)PQgetlength(r, 0, 3);
	body = malloc(bl + 1);
	hash = malloc(hl + 1);
	memcpy(body, PQgetvalue(r, 0, 2), bl);
	memcpy(hash, PQgetvalue(r, 0, 3), hl);
	PQclear(r);
	prepare(pub, "ins",
		"INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash)"
		" VALUES($1, $2, $3, $4, 0, 0, $5, $6)", 6);
	prepare(sub, "sel", "SELECT 1 FROM records WHERE id = $1", 1);
	lat = calloc((size_t)n, sizeof(*lat));
	for (int i = 0; i < n; i++) {
		char id[160], seq[32];
		const char *pv[6] = { id, kind, origin, seq, body, hash };
		int pl[6] = { 0, 0, 0, 0, (int)bl, (int)hl }, pf[6] = { 0, 0, 0, 0, 1, 1 };
		const char *sv[1] = { id };
		double t0, t1;

		snprintf(id, sizeof(id), "%s:%s:latency%d", origin, kind, i);
		snprintf(seq, sizeof(seq), "%d", 1000000000 + i);
		t0 = now();
		r = PQexecPrepared(pub, "ins", 6, pv, pl, pf, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "pg_latency: insert: %s", PQerrorMessage(pub));
			return 1;
		}
		PQclear(r);
		for (;;) {
			r = PQexecPrepared(sub, "sel", 1, sv, NULL, NULL, 0);
			int seen = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
			PQclear(r);
			if (seen)
				break;
			if (now() - t0 > 30) {
				fprintf(stderr, "pg_latency: row %s never arrived\n", id);
				return 1;
			}
			nap(POLL_NS);
		}
		t1 = now();
		lat[i] = (t1 - t0) * 1000.0;
		sum += lat[i];
		nap(pause_ms * 1000000L);
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("samples=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f\n", n,
	       lat[(n - 1) / 2], lat[(int)((n - 1) * 0.99)], sum / n, lat[n - 1]);
	PQfinish(pub);
	PQfinish(sub);
	free(lat);
	free(body);
	free(hash);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	if (argc > 1 && strcmp(argv[1], "wait") == 0)
		rc = do_wait(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "latency") == 0)
		rc = do_latency(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: pg_latency wait SUB_CONNINFO SQL EXPECTED [TIMEOUT_S]\n"
				"       pg_latency latency PUB_CONNINFO SUB_CONNINFO SAMPLES [PAUSE_MS]\n");
	return rc;
}
