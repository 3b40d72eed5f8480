# tests/plugins.mk — date expressions, the plugin loader, the region plugins
# on the real seed documents, roadmap judging, fuzzing, the out-of-tree
# template plugin.

check_PROGRAMS += tests/test_datexpr tests/test_plugins tests/test_fuzz_import \
	tests/plugin_tool
TESTS += tests/test_datexpr tests/test_plugins tests/test_fuzz_import \
	tests/test_template.sh
dist_noinst_SCRIPTS += tests/test_template.sh

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
	tests/otherregion.la
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

