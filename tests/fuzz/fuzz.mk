# tests/fuzz/fuzz.mk — libFuzzer targets for every input the node parses
# (doc/FUZZING.md).  Built only in a tree configured with
#   ../configure --enable-fuzz CC=clang-14
# where `make fuzz` runs each target for FUZZ_SECONDS (default 60) and
# `make fuzz-quick` (tests/fuzz/run_quick.sh) for a few seconds each.

FUZZ_COMMON = tests/fuzz/fuzz.h
FUZZ_IMPORTERS = \
	tests/fuzz/fuzz_import_tomsk_order tests/fuzz/fuzz_import_tomsk_letter \
	tests/fuzz/fuzz_import_tomsk_page tests/fuzz/fuzz_import_tomsk_news \
	tests/fuzz/fuzz_import_tomsk_cards tests/fuzz/fuzz_import_chelyabinsk_roadmap
FUZZ_TARGETS = tests/fuzz/fuzz_datexpr tests/fuzz/fuzz_conf tests/fuzz/fuzz_card \
	tests/fuzz/fuzz_put tests/fuzz/fuzz_apply tests/fuzz/fuzz_wire $(FUZZ_IMPORTERS)

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/fuzz.h tests/fuzz/fuzz_import.c \
	tests/fuzz/run_fuzz.sh tests/fuzz/run_quick.sh tests/fuzz/make_seeds.sh \
	tests/fuzz/make_frames.py tests/fuzz/dict tests/fuzz/crashes/README.md

if ENABLE_FUZZ
noinst_PROGRAMS += $(FUZZ_TARGETS)

FUZZ_CC_FLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
FUZZ_LD_FLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

tests_fuzz_fuzz_datexpr_SOURCES = tests/fuzz/fuzz_datexpr.c $(FUZZ_COMMON)
tests_fuzz_fuzz_datexpr_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_datexpr_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_datexpr_LDADD = libmfcore.la $(CORE_LIBS)

tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c $(FUZZ_COMMON)
tests_fuzz_fuzz_conf_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_conf_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_conf_LDADD = libmfcore.la $(CORE_LIBS)

tests_fuzz_fuzz_card_SOURCES = tests/fuzz/fuzz_card.c $(FUZZ_COMMON)
tests_fuzz_fuzz_card_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_card_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_card_LDADD = libmfcore.la $(CORE_LIBS)

tests_fuzz_fuzz_put_SOURCES = tests/fuzz/fuzz_put.c $(FUZZ_COMMON)
tests_fuzz_fuzz_put_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_put_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_put_LDADD = libmfrecords.la libmfcore.la $(CORE_LIBS)

tests_fuzz_fuzz_apply_SOURCES = tests/fuzz/fuzz_apply.c $(FUZZ_COMMON)
tests_fuzz_fuzz_apply_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_apply_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_apply_LDADD = libmfrecords.la libmfcore.la $(CORE_LIBS)

tests_fuzz_fuzz_wire_SOURCES = tests/fuzz/fuzz_wire.c $(FUZZ_COMMON)
tests_fuzz_fuzz_wire_CFLAGS = $(FUZZ_CC_FLAGS) $(ZMQ_CFLAGS)
tests_fuzz_fuzz_wire_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_wire_LDADD = libmfsync.la libmfrecords.la libmfcore.la $(CORE_LIBS) $(ZMQ_LIBS)

# one program per importer: the format is forced (fuzz_import.c)
FUZZ_IMPORT_LIBS = libmfplughost.la libmfcore.la $(CORE_LIBS) $(DL_LIBS)
FUZZ_IMPORT_CC = $(FUZZ_CC_FLAGS) -DFUZZ_PLUGIN_DIR='"$(abs_top_builddir)/plugins/.libs"'
FUZZ_TOMSK = -DFUZZ_PLUGIN='"tomsk"' -DFUZZ_REGION='"RU-TOM"'
FUZZ_CHE = -DFUZZ_PLUGIN='"chelyabinsk"' -DFUZZ_REGION='"RU-CHE"'

tests_fuzz_fuzz_import_tomsk_order_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_tomsk_order_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_TOMSK) \
	-DFUZZ_FORMAT='"tomsk-league-order"'
tests_fuzz_fuzz_import_tomsk_order_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_tomsk_order_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_tomsk_order_DEPENDENCIES = plugins/tomsk.la

tests_fuzz_fuzz_import_tomsk_letter_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_tomsk_letter_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_TOMSK) \
	-DFUZZ_FORMAT='"tomsk-webinar-letter"'
tests_fuzz_fuzz_import_tomsk_letter_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_tomsk_letter_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_tomsk_letter_DEPENDENCIES = plugins/tomsk.la

tests_fuzz_fuzz_import_tomsk_page_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_tomsk_page_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_TOMSK) \
	-DFUZZ_FORMAT='"tomsk-school-page"'
tests_fuzz_fuzz_import_tomsk_page_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_tomsk_page_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_tomsk_page_DEPENDENCIES = plugins/tomsk.la

tests_fuzz_fuzz_import_tomsk_news_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_tomsk_news_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_TOMSK) \
	-DFUZZ_FORMAT='"tomsk-league-news"'
tests_fuzz_fuzz_import_tomsk_news_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_tomsk_news_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_tomsk_news_DEPENDENCIES = plugins/tomsk.la

tests_fuzz_fuzz_import_tomsk_cards_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_tomsk_cards_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_TOMSK) \
	-DFUZZ_FORMAT='"tomsk-competency-cards"'
tests_fuzz_fuzz_import_tomsk_cards_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_tomsk_cards_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_tomsk_cards_DEPENDENCIES = plugins/tomsk.la

tests_fuzz_fuzz_import_chelyabinsk_roadmap_SOURCES = tests/fuzz/fuzz_import.c $(FUZZ_COMMON)
tests_fuzz_fuzz_import_chelyabinsk_roadmap_CFLAGS = $(FUZZ_IMPORT_CC) $(FUZZ_CHE) \
	-DFUZZ_FORMAT='"chelyabinsk-garant-roadmap"'
tests_fuzz_fuzz_import_chelyabinsk_roadmap_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_import_chelyabinsk_roadmap_LDADD = $(FUZZ_IMPORT_LIBS)
EXTRA_tests_fuzz_fuzz_import_chelyabinsk_roadmap_DEPENDENCIES = plugins/chelyabinsk.la

FUZZ_SECONDS ?= 60

# every target for FUZZ_SECONDS (corpora kept in tests/fuzz/corpus/)
fuzz: $(FUZZ_TARGETS) $(plugin_LTLIBRARIES)
	$(SHELL) $(top_srcdir)/tests/fuzz/run_fuzz.sh $(abs_top_builddir) $(FUZZ_SECONDS)

# the test command's short run: a few seconds each, fails on a crash
fuzz-quick: $(FUZZ_TARGETS) $(plugin_LTLIBRARIES)
	$(SHELL) $(top_srcdir)/tests/fuzz/run_fuzz.sh $(abs_top_builddir) $${FUZZ_QUICK_SECONDS:-10}
else
fuzz fuzz-quick:
	@echo "make $@: configure this build with --enable-fuzz CC=clang-14 (doc/FUZZING.md)" >&2
	@exit 1
endif

.PHONY: fuzz fuzz-quick
