# bench/bench3.mk — queries at 200,000 records (issue 14): bench/ctl_bench
# (control requests timed at the socket) and the `bench-query` target that
# runs bench/query_bench.sh: mentor find, offer search by direction and
# month, school search by name, report roadmaps --at, status; before (a
# build of the previous code, BENCH_QUERY_OLD) and after (this build) on
# the same store.  Not built or run by `make check`.
#
#   make bench-query BENCH_QUERY_OLD=/tmp/perf_old/_b
#   make bench-query BENCH_QUERY_FLAGS='--records 160000 --schools 40000 --runs 40'

EXTRA_PROGRAMS += bench/ctl_bench
CLEANFILES += bench/ctl_bench
bench_ctl_bench_SOURCES = bench/ctl_bench.c
bench_ctl_bench_CFLAGS = $(AM_CFLAGS) $(ZMQ_CFLAGS) $(JANSSON_CFLAGS)
bench_ctl_bench_LDADD = $(ZMQ_LIBS) $(JANSSON_LIBS)

EXTRA_DIST += bench/query_bench.sh bench/QUERIES.md

BENCH_QUERY_OLD =
BENCH_QUERY_FLAGS =

.PHONY: bench-query
bench: bench-query
bench-query: all bench/ctl_bench$(EXEEXT)
	bash $(srcdir)/bench/query_bench.sh --builddir '$(abs_top_builddir)' \
	  --old '$(BENCH_QUERY_OLD)' $(BENCH_QUERY_FLAGS)
