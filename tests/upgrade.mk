# tests/upgrade.mk — upgrades between releases (issue 15, point 6): a store
# made by the previous release opens, syncs, and a newer one is refused;
# protocol versions between nodes of different releases.
# tests/make_upgrade_fixture.sh makes the fixture and is not run here.
UPGRADE_TESTS = tests/test_upgrade.sh tests/test_protocol_versions.sh
TESTS += $(UPGRADE_TESTS)
EXTRA_DIST += $(UPGRADE_TESTS) tests/make_upgrade_fixture.sh \
	tests/data/upgrade/0.1.0/README tests/data/upgrade/0.1.0/expected \
	tests/data/upgrade/0.1.0/che.card tests/data/upgrade/0.1.0/tom/store.db \
	tests/data/upgrade/0.1.0/tom/mentorfed.conf tests/data/upgrade/0.1.0/tom/curve.key \
	tests/data/upgrade/0.1.0/tom/curve.pub tests/data/upgrade/0.1.0/tom/signing.key \
	tests/data/upgrade/0.1.0/tom/signing.pub
