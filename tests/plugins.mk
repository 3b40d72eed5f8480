# tests/plugins.mk — date expressions, the plugin loader, the region plugins
# on the real seed documents, roadmap judging, fuzzing, the out-of-tree
# template plugin.

check_PROGRAMS += tests/test_datexpr tests/test_plugins tests/test_fuzz_import \
	tests/plugin_tool
TESTS += tests/test_datexpr tests/test_plugins tests/test_fuzz_import \
	tests/test_template.sh tests/test_plughost_abi tests/test_plughost.sh
dist_noinst_SCRIPTS += tests/test_template.sh tests/test_plughost.sh
check_PROGRAMS += tests/test_plughost_abi

# the v1..v2 layout of every struct that crosses the plugin boundary
tests_test_plughost_abi_SOURCES = tests/test_plughost_abi.c
tests_test_plughost_abi_CFLAGS = $(AM_CFLAGS)

tests_test_datexpr_SOURCES = tests/test_datexpr.c
tests_test_datexpr_CFLAGS = $(TEST_CFLAGS)
tests_test_datexpr_LDADD = libmfplughost.la $(TEST_LDADD)

tests_test_plugins_SOURCES = tests/test_plugins.c
tests_test_plugins_CFLAGS = $(TEST_CFLAGS)
tests_test_plugins_LDADD = libmfplughost.la $(TEST_LDADD)

tests_test_fuzz_import_SOURCES = tests/test_fuzz_import.c
tests_test_fuzz_import_CFLAGS = $(TEST_CFLAGS)
tests_test_fuzz_import_LDADD = libmfplughost.la $(TEST_LDADD)

tests_plugin_tool_SOURCES = tests/plugin_tool.c
tests_plugin_tool_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
tests_plugin_tool_LDADD = libmfplughost.la libmfcore.la $(CORE_LIBS)

# plugins the loader must refuse (and one of another region), built only
# for `make check`
check_LTLIBRARIES = tests/badabi.la tests/noentry.la tests/incomplete.la \
	tests/otherregion.la tests/abione.la
MF_BADPLUGIN_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_badabi_la_SOURCES = tests/plugins/badplugin.c
tests_badabi_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_ABI
tests_badabi_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_noentry_la_SOURCES = tests/plugins/badplugin.c
tests_noentry_la_CPPFLAGS = $(AM_CPPFLAGS) -DNO_ENTRY
tests_noentry_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_incomplete_la_SOURCES = tests/plugins/badplugin.c
tests_incomplete_la_CPPFLAGS = $(AM_CPPFLAGS) -DINCOMPLETE
tests_incomplete_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_otherregion_la_SOURCES = tests/plugins/badplugin.c
tests_otherregion_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)

tests_abione_la_SOURCES = tests/plugins/badplugin.c
tests_abione_la_CPPFLAGS = $(AM_CPPFLAGS) -DABI_ONE
tests_abione_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)

# plugins that misbehave inside the plugin host (tests/test_plughost.sh)
check_LTLIBRARIES += tests/readkey.la tests/opensocket.la tests/loopforever.la \
	tests/crash.la tests/daemonsym.la tests/oldhost.la
tests_readkey_la_SOURCES = tests/plugins/hostile.c
tests_readkey_la_CPPFLAGS = $(AM_CPPFLAGS) -DREADKEY
tests_readkey_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_opensocket_la_SOURCES = tests/plugins/hostile.c
tests_opensocket_la_CPPFLAGS = $(AM_CPPFLAGS) -DSOCKET
tests_opensocket_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_loopforever_la_SOURCES = tests/plugins/hostile.c
tests_loopforever_la_CPPFLAGS = $(AM_CPPFLAGS) -DLOOP
tests_loopforever_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
tests_crash_la_SOURCES = tests/plugins/hostile.c
tests_crash_la_CPPFLAGS = $(AM_CPPFLAGS) -DCRASH
tests_crash_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
# not -z defs: it must link, so that the host is the one to refuse it
tests_daemonsym_la_SOURCES = tests/plugins/hostile.c
tests_daemonsym_la_CPPFLAGS = $(AM_CPPFLAGS) -DDAEMONSYM
tests_daemonsym_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS)
# built against the older, smaller header copy (found first)
tests_oldhost_la_SOURCES = tests/plugins/oldhost.c
tests_oldhost_la_CPPFLAGS = -I$(top_srcdir)/tests/plugins/oldhost $(AM_CPPFLAGS)
tests_oldhost_la_LDFLAGS = $(MF_BADPLUGIN_LDFLAGS) -Wl,-z,defs
EXTRA_DIST += tests/plugins/oldhost/mentorfed-plugin.h
