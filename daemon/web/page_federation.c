/*
 * page_federation.c — «Федерация»: every region this node knows, with the
 * node it comes from, the last contact, the lag, its records by kind, and
 * forks or refusals flagged in red, so that a stalled link is never hidden.
 *
 * One request, `web_federation`: the store's view (regions, counts, forks,
 * when data last arrived) and the links as `status` gives them (peers,
 * lag, rejection counters).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "webx.h"

/* A link is called stalled when nothing was heard for this long. */
#define STALLED_MS 60000

/* "3 min ago"-like text of an age in ms, in r->lang. */
static void
age(web_req *r, web_out *o, long long ms)
{
	long long s = ms / 1000;

	if (s < 60)
		web_printf(o, web_tf(r, "%lld s ago"), s);
	else if (s < 3600)
		web_printf(o, web_tf(r, "%lld min ago"), s / 60);
	else if (s < 86400)
		web_printf(o, web_tf(r, "%lld h ago"), s / 3600);
	else
		web_printf(o, web_tf(r, "%lld days ago"), s / 86400);
}

/* The peer serving region, or NULL. */
static json_t *
peer_of(json_t *status, const char *region)
{
	json_t *peers = json_object_get(json_object_get(status, "sync"), "peers"), *p;
	size_t i;

	json_array_foreach(peers, i, p)
		if (strcmp(json_string_value(json_object_get(p, "region")) ?
				   json_string_value(json_object_get(p, "region")) : "",
			   region) == 0)
			return p;
	return NULL;
}

/* The smallest last_heard_ms_ago over a peer's links, -1 when none. */
static long long
heard_ago(json_t *peer)
{
	json_t *links = json_object_get(peer, "links"), *l;
	long long best = -1;
	size_t i;

	json_array_foreach(links, i, l) {
		json_t *v = json_object_get(l, "last_heard_ms_ago");

		if (json_is_integer(v) && (best < 0 || json_integer_value(v) < best))
			best = json_integer_value(v);
	}
	return best;
}

static void
by_kind(web_req *r, web_out *o, json_t *bk)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(bk, k, v) {
		web_printf(o, "%s<span class=\"tag\">%s: %lld</span>", first ? "" : " ",
			   web_label(r, "kind", k), (long long)json_integer_value(v));
		first = 0;
	}
}

/* One region's row; red when something is wrong. */
static void
region_row(web_req *r, web_out *o, json_t *reg, json_t *status, const char *self)
{
	const char *code = json_string_value(json_object_get(reg, "region"));
	const char *name = json_string_value(json_object_get(reg, "name"));
	json_t *origin = json_object_get(json_object_get(json_object_get(status, "sync"), "origins"),
					 code);
	json_t *peer = peer_of(status, code);
	long long forks = json_integer_value(json_object_get(reg, "forks"));
	long long lag = json_integer_value(json_object_get(origin, "lag"));
	long long heard = peer ? heard_ago(peer) : -1;
	int is_self = strcmp(code, self) == 0;
	int connected = peer && json_is_true(json_object_get(peer, "connected"));
	int stalled = !is_self && (!connected || heard < 0 || heard > STALLED_MS);
	int bad = forks > 0 || (lag > 0 && stalled) || (!is_self && peer && stalled);

	web_printf(o, "<tr class=\"%s\"><td>%s", bad ? "bad" : "",
		   web_region_name(r, code) ? web_region_name(r, code) :
		   name && *name ? name : webx_region_name(r, code));
	web_printf(o, " <span class=\"id\">%s</span></td><td>", code);
	if (is_self)
		web_puts(o, web_t(r, "this node"));
	else if (peer)
		web_printf(o, "%s <span class=\"id\">%s</span>",
			   json_string_value(json_object_get(peer, "name")),
			   json_string_value(json_object_get(peer, "endpoint")));
	else
		web_puts(o, web_t(r, "through another region"));
	web_raw(o, "</td><td>");
	if (is_self) {
		web_raw(o, "—");
	} else if (peer && heard >= 0) {
		age(r, o, heard);
		if (!connected)
			web_printf(o, " <strong>%s</strong>", web_t(r, "not connected"));
	} else if (peer) {
		web_printf(o, "<strong>%s</strong>", web_t(r, "no contact"));
	}
	{
		const char *la = json_string_value(json_object_get(reg, "last_arrived"));

		if (!is_self && la && strlen(la) >= 16) {
			char day[11];

			mf_strlcpy(day, la, sizeof(day));
			web_printf(o, "<br><span class=\"muted\">%s ", web_t(r, "data arrived"));
			web_date(r, o, day);
			web_printf(o, " %.5s UTC</span>", la + 11);
		}
	}
	web_raw(o, "</td><td class=\"num\">");
	if (origin)
		web_printf(o, "%lld", lag);
	else
		web_raw(o, "—");
	web_printf(o, "</td><td class=\"num\">%lld</td><td>",
		   (long long)json_integer_value(json_object_get(reg, "records")));
	by_kind(r, o, json_object_get(reg, "by_kind"));
	web_raw(o, "</td><td>");
	if (forks > 0)
		web_printf(o, "<strong class=\"bad\">%s: %lld</strong>", web_t(r, "forks"), forks);
	else
		web_raw(o, "—");
	web_raw(o, "</td></tr>\n");
}

int
page_federation(web_req *r, web_out *o)
{
	json_t *fed = web_call(r, json_pack("{s:s}", "cmd", "web_federation"));
	json_t *st = fed;	/* "sync" and "forks" as in `status` */
	json_t *regs, *reg, *counters;
	const char *self = web_region(r);
	long long rejected, own_forks;
	size_t i;

	if (!web_ok(fed)) {
		web_error_reply(r, o, fed);
		json_decref(fed);
		return 0;
	}
	web_head(r, o, web_t(r, "Federation"));
	counters = json_object_get(json_object_get(st, "sync"), "counters");
	rejected = json_integer_value(json_object_get(counters, "rejected"));
	own_forks = json_integer_value(json_object_get(st, "forks"));
	if (*json_string_value(json_object_get(fed, "writes_refused")))
		web_printf(o, "<p class=\"error\">%s: %s</p>\n",
			   web_t(r, "This node refuses writes"),
			   json_string_value(json_object_get(fed, "writes_refused")));
	if (own_forks > 0)
		web_printf(o, "<p class=\"error\">%s: %lld</p>\n",
			   web_t(r, "Forks recorded in this node's store"), own_forks);
	if (rejected > 0) {
		const char *k;
		json_t *v;

		web_printf(o, "<p class=\"error\">%s: %lld (", web_t(r, "Blocks refused from peers"),
			   rejected);
		int first = 1;
		json_object_foreach(counters, k, v)
			if (strncmp(k, "rejected_", 9) == 0 && json_integer_value(v) > 0) {
				web_printf(o, "%s%s %lld", first ? "" : ", ", k + 9,
					   (long long)json_integer_value(v));
				first = 0;
			}
		web_raw(o, ")</p>\n");
	}
	web_printf(o, "<table class=\"federation\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
		      "<th class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		   web_t(r, "Region"), web_t(r, "Node"), web_t(r, "Last contact"), web_t(r, "Lag"),
		   web_t(r, "Records"), web_t(r, "Records by kind"), web_t(r, "Forks and refusals"));
	regs = json_object_get(fed, "regions");
	/* this node first (a row even before it wrote anything), then the
	 * others as the store lists them */
	{
		int seen = 0;

		json_array_foreach(regs, i, reg)
			if (strcmp(json_string_value(json_object_get(reg, "region")), self) == 0) {
				region_row(r, o, reg, st, self);
				seen = 1;
			}
		if (!seen) {
			json_t *empty = json_pack("{s:s,s:s,s:i,s:{},s:i}", "region", self, "name", "",
						  "records", 0, "by_kind", "forks", 0);

			region_row(r, o, empty, st, self);
			json_decref(empty);
		}
	}
	json_array_foreach(regs, i, reg)
		if (strcmp(json_string_value(json_object_get(reg, "region")), self) != 0)
			region_row(r, o, reg, st, self);
	/* a peer whose region sent nothing yet is a row too: silent is not fine */
	{
		json_t *peers = json_object_get(json_object_get(st, "sync"), "peers"), *p;

		json_array_foreach(peers, i, p) {
			const char *pr = json_string_value(json_object_get(p, "region"));
			int known = 0;
			size_t j;

			json_array_foreach(regs, j, reg)
				known |= pr && strcmp(json_string_value(json_object_get(reg, "region")),
						      pr) == 0;
			if (known)
				continue;
			web_printf(o, "<tr class=\"bad\"><td>%s</td><td>%s <span class=\"id\">%s</span></td>"
				      "<td><strong>%s</strong></td><td class=\"num\">—</td><td class=\"num\">0</td><td></td><td>—</td></tr>\n",
				   pr ? pr : "?", json_string_value(json_object_get(p, "name")),
				   json_string_value(json_object_get(p, "endpoint")),
				   json_is_true(json_object_get(p, "connected")) ?
					   web_t(r, "connected, nothing received yet") :
					   web_t(r, "no contact"));
		}
	}
	web_raw(o, "</tbody></table>\n");
	web_printf(o, "<p class=\"muted\">%s</p>\n",
		   web_t(r, "Lag: versions a peer has that this node has not received yet. "
			    "A row in red: a fork, or a link that is silent while data is missing."));
	web_end(r, o);
	json_decref(fed);
	return 0;
}
