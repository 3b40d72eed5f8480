/*
 * test_plughost_abi.c — the layout of every struct that crosses the plugin
 * boundary (plugins/mentorfed-plugin.h, ABI version 2), frozen: a change
 * that moves a member breaks every plugin built before it, and fails to
 * compile here first.  Members are only ever added at the end of a struct
 * that starts with its size (then add a line below, never change one).
 * The values are those of x86_64 (LP64); elsewhere only the TAP line runs.
 */
#include <stddef.h>
#include <stdio.h>

#include "mentorfed-plugin.h"

#define OFF(type, member, n) \
	_Static_assert(offsetof(type, member) == (n), #type "." #member " moved")
#define SIZE(type, n) \
	_Static_assert(sizeof(type) == (n), "sizeof(" #type ") changed")

#if defined(__x86_64__)
_Static_assert(MF_PLUGIN_ABI_VERSION == 2, "a new ABI version needs a new frozen layout");
OFF(mf_date, year, 0);
OFF(mf_date, month, 4);
OFF(mf_date, day, 8);
SIZE(mf_date, 12);
OFF(mf_interval, from, 0);
OFF(mf_interval, to, 12);
SIZE(mf_interval, 24);
OFF(mf_period, size, 0);
OFF(mf_period, n, 8);
OFF(mf_period, iv, 12);
OFF(mf_period, continuous, 204);
OFF(mf_period, uncertain, 208);
OFF(mf_period, year_assumed, 212);
SIZE(mf_period, 216);
OFF(mf_item_view, size, 0);
OFF(mf_item_view, number, 8);
OFF(mf_item_view, timing_raw, 16);
OFF(mf_item_view, iv, 24);
OFF(mf_item_view, n_iv, 32);
OFF(mf_item_view, continuous, 36);
OFF(mf_item_view, uncertain, 40);
OFF(mf_item_view, period_from, 44);
OFF(mf_item_view, period_to, 56);
OFF(mf_item_view, done_reported, 68);
OFF(mf_item_view, reported, 72);
SIZE(mf_item_view, 80);
OFF(struct mf_host_api, size, 0);
OFF(struct mf_host_api, abi_version, 8);
OFF(struct mf_host_api, error, 16);
OFF(struct mf_host_api, warn, 24);
OFF(struct mf_host_api, log, 32);
OFF(struct mf_host_api, import_path, 40);
OFF(struct mf_host_api, import_region, 48);
OFF(struct mf_host_api, import_year, 56);
OFF(struct mf_host_api, rec_new, 64);
OFF(struct mf_host_api, rec_set, 72);
OFF(struct mf_host_api, rec_add, 80);
OFF(struct mf_host_api, rec_set_ref, 88);
OFF(struct mf_host_api, rec_add_ref, 96);
OFF(struct mf_host_api, rec_msg, 104);
OFF(struct mf_host_api, rec_add_msg, 112);
OFF(struct mf_host_api, rec_emit, 120);
OFF(struct mf_host_api, rec_discard, 128);
OFF(struct mf_host_api, parse_period, 136);
OFF(struct mf_host_api, map_term, 144);
OFF(struct mf_host_api, date_format, 152);
OFF(struct mf_host_api, date_cmp, 160);
OFF(struct mf_host_api, generic_status, 168);
OFF(struct mf_host_api, expect, 176);
OFF(struct mf_host_api, incomplete, 184);
SIZE(struct mf_host_api, 192);   /* grows with each member added at its end */
OFF(mf_format, name, 0);
OFF(mf_format, description, 8);
OFF(mf_format, probe, 16);
OFF(mf_format, import, 24);
SIZE(mf_format, 32);
OFF(struct mf_plugin, size, 0);
OFF(struct mf_plugin, abi_version, 8);
OFF(struct mf_plugin, name, 16);
OFF(struct mf_plugin, version, 24);
OFF(struct mf_plugin, region, 32);
OFF(struct mf_plugin, description, 40);
OFF(struct mf_plugin, formats, 48);
OFF(struct mf_plugin, n_formats, 56);
OFF(struct mf_plugin, model, 64);
OFF(struct mf_plugin, item_status, 72);
OFF(struct mf_plugin, shutdown, 80);
OFF(struct mf_plugin, complete, 88);
SIZE(struct mf_plugin, 96);
#endif

int
main(void)
{
	mf_period p = MF_PERIOD_INIT;

	/* the initialiser authors use sets the size and nothing else */
	if (p.size != sizeof(mf_period) || p.n != 0 || p.continuous != 0) {
		printf("1..1\nnot ok 1 - MF_PERIOD_INIT sets the size\n");
		return 1;
	}
	printf("1..1\nok 1 - the v2 layout of the plugin ABI is as frozen (MF_PERIOD_INIT sets the size)\n");
	return 0;
}
