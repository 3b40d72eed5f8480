# bench/bench2.mk — federation sync benchmarks (issue 7): baseline programs and
# the `bench-sync` target that runs bench/run.sh.  Nothing here is built or
# run by `make check`: the programs are EXTRA_PROGRAMS, built on demand.
#
#   make bench-sync                                  # defaults (see bench/README.md)
#   make bench-sync BENCH_SYNC_FLAGS='--records 100000 --latency-samples 1000'

EXTRA_PROGRAMS = bench/sqlite_baseline bench/sqlite_ceiling bench/pg_latency
CLEANFILES += $(EXTRA_PROGRAMS)

# Baseline A: rows straight into SQLite with the store's schema and PRAGMAs.
bench_sqlite_baseline_SOURCES = bench/sqlite_baseline.c
bench_sqlite_baseline_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_sqlite_baseline_LDADD = $(SQLITE_LIBS)

# The SQLite ceiling (issue 14): TEXT id + (origin, seq) only, sorted
# 100,000-row transactions.
bench_sqlite_ceiling_SOURCES = bench/sqlite_ceiling.c
bench_sqlite_ceiling_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_sqlite_ceiling_LDADD = $(SQLITE_LIBS)

# Baseline B's clock: libpq (Debian libpq-dev; configure does not require it,
# so its flags come from pkg-config when the program is built).
bench_pg_latency_SOURCES = bench/pg_latency.c
bench_pg_latency_CFLAGS = $(AM_CFLAGS) `pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql`
bench_pg_latency_LDADD = -lpq

EXTRA_DIST += bench/run.sh bench/pg_baseline.sh bench/gen_workload.py bench/README.md \
	bench/sqlite_baseline.c bench/sqlite_ceiling.c bench/pg_latency.c

BENCH_SYNC_FLAGS =

.PHONY: bench-sync
bench: bench-sync
bench-sync: all bench/sqlite_baseline$(EXEEXT) bench/sqlite_ceiling$(EXEEXT) bench/ctl_bench$(EXEEXT)
	@$(MAKE) $(AM_MAKEFLAGS) bench/pg_latency$(EXEEXT) || \
	  echo "bench-sync: bench/pg_latency not built (libpq-dev missing?); bench/pg_baseline.sh installs and builds it"
	top_builddir='$(abs_top_builddir)' bash $(srcdir)/bench/run.sh \
	  --builddir '$(abs_top_builddir)' $(BENCH_SYNC_FLAGS)
