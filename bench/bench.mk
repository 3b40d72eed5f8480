# bench/bench.mk — micro-benchmarks of the core (issue 3).  Built with the
# rest of the tree but never run by `make check`; `make bench` runs them.
#
#   make bench            # every benchmark (each fragment adds its target)
#   make bench-crypto     # per-record cost of signing, verifying, hashing,
#                         # protobuf and JSON conversion (Markdown table)
#
# Another benchmark joins by defining its own phony target in its fragment
# and one more prerequisite line for `bench` there:
#   .PHONY: bench-foo
#   bench: bench-foo

noinst_PROGRAMS += bench/bench_crypto
bench_bench_crypto_SOURCES = bench/bench_crypto.c
bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_crypto_LDADD = libmfcore.la $(CORE_LIBS)

BENCH_CRYPTO_FLAGS =

.PHONY: bench bench-crypto
bench: bench-crypto

bench-crypto: bench/bench_crypto$(EXEEXT)
	./bench/bench_crypto$(EXEEXT) $(BENCH_CRYPTO_FLAGS)
