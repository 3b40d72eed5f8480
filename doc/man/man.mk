# doc/man/man.mk — the manuals (mdoc), installed; tests/test_man.sh runs
# `mandoc -Tlint` on them in make check.
dist_man1_MANS = doc/man/mentorfed.1
dist_man5_MANS = doc/man/mentorfed.conf.5
dist_man7_MANS = doc/man/mentorfed-plugin.7
dist_man8_MANS = doc/man/mentorfedd.8 doc/man/mentorfed-web.8
