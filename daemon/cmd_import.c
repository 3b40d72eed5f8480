/*
 * cmd_import.c — the `import` command: the plugin host reads a document
 * into records (plugjob.c); what the daemon does with them stays here:
 * adopting and merging schools, the check that a re-import does not
 * silently lose what an earlier import created (refused unless
 * `--replace`; `--dry-run` only answers with the plan), and the put
 * through the records layer.  `whole` goes to the plugin host: what the
 * plugin reports as missing from the document's genre only warns.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "json.h"
#include "kinds.h"
#include "log.h"
#include "plugjob.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "util.h"

/*
 * One school appears in several documents (the League order names it with
 * its municipality and membership, the practices letter by name alone, a
 * competency card file again).  Importing one document must not erase or
 * duplicate what another contributed:
 *
 * - a school the document names without a municipality is the held school
 *   of the same name when exactly one such school is held (its id is taken
 *   over, and every reference in the document follows);
 * - an imported school is merged into its current version: memberships are
 *   united (held ones first, so a re-import changes nothing), a field the
 *   document leaves out keeps its held value, `source` lists every document.
 *   A field the document does state wins.  (A membership a later document
 *   drops is therefore kept: removing one is an explicit `put`.)
 */
typedef struct same_name {
	const char *name;
	char id[MF_ID_MAX];
	int n;
} same_name;

static int
same_name_fn(void *arg, const mf_record *r)
{
	same_name *sn = arg;
	json_t *j = mf_record_json(r), *b = json_object_get(j, "body");
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *mun = json_string_value(json_object_get(b, "municipality"));

	if (name && strcmp(name, sn->name) == 0 && mun && *mun) {
		if (sn->n++ == 0)
			mf_strlcpy(sn->id, r->id, sizeof(sn->id));
	}
	json_decref(j);
	return 0;
}

static void
replace_id(json_t *v, const char *from, const char *to)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if (json_is_string(e) && strcmp(json_string_value(e), from) == 0)
				json_object_set_new(v, k, json_string(to));
			else
				replace_id(e, from, to);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_string(e) && strcmp(json_string_value(e), from) == 0)
				json_array_set_new(v, i, json_string(to));
			else
				replace_id(e, from, to);
		}
	}
}

static void
adopt_school(mf_daemon *d, json_t *records, json_t *rec)
{
	json_t *b = json_object_get(rec, "body");
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *mun = json_string_value(json_object_get(b, "municipality"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	char old[MF_ID_MAX];
	same_name sn;

	if (name == NULL || id == NULL || (mun && *mun))
		return;
	memset(&sn, 0, sizeof(sn));
	sn.name = name;
	if (mf_store_each(d->node->store, "school", d->node->cfg->region, 0, same_name_fn, &sn) != 0 ||
	    sn.n != 1 || strcmp(sn.id, id) == 0)
		return;
	mf_strlcpy(old, id, sizeof(old));
	json_object_set_new(rec, "id", json_string(sn.id));
	for (size_t i = 0; i < json_array_size(records); i++)
		replace_id(json_object_get(json_array_get(records, i), "body"), old, sn.id);
}

static void
merge_school(mf_daemon *d, json_t *rec)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *nb = json_object_get(rec, "body"), *held, *hb, *v, *nm, *hm;
	const char *k, *hs, *ns;
	mf_record *r;

	if (id == NULL || !json_is_object(nb) || (r = mf_store_get(d->node->store, id)) == NULL)
		return;
	held = r->deleted ? NULL : mf_record_json(r);
	mf_record_free(r);
	if (held == NULL)
		return;
	hb = json_object_get(held, "body");
	json_object_foreach(hb, k, v) {
		if (strcmp(k, "memberships") == 0 || strcmp(k, "source") == 0)
			continue;
		if (json_object_get(nb, k) == NULL)
			json_object_set(nb, k, v);
	}
	if ((hm = json_object_get(hb, "memberships")) != NULL && json_array_size(hm) > 0) {
		json_t *u = json_deep_copy(hm);
		size_t i, j;

		nm = json_object_get(nb, "memberships");
		for (i = 0; i < json_array_size(nm); i++) {
			for (j = 0; j < json_array_size(hm); j++)
				if (json_equal(json_array_get(nm, i), json_array_get(hm, j)))
					break;
			if (j == json_array_size(hm))
				json_array_append(u, json_array_get(nm, i));
		}
		json_object_set_new(nb, "memberships", u);
	}
	hs = json_string_value(json_object_get(hb, "source"));
	ns = json_string_value(json_object_get(nb, "source"));
	if (hs && *hs) {
		if (ns == NULL || *ns == '\0' || strstr(hs, ns) != NULL) {
			json_object_set_new(nb, "source", json_string(hs));
		} else {
			size_t n = strlen(hs) + strlen(ns) + 3;
			char *both = mf_xmalloc(n);
			snprintf(both, n, "%s; %s", hs, ns);
			json_object_set_new(nb, "source", json_string(both));
			free(both);
		}
	}
	json_decref(held);
}

/*
 * Re-importing a document.  A document is found again by what it says of
 * itself, its source identity: the `source` its records carry (the order,
 * letter, page or card file it is: «распоряжение Департамента … от
 * 22.01.2025 № 102», «письмо от 2022-08-26 № 774») and its roadmaps (whose
 * ids come from the order's date and number), within this node's region.
 * The records an earlier import of it created are then this region's
 * records with one of those sources, the items and targets of one of those
 * roadmaps, and the reports on those items — schools excepted: a school is
 * shared by every document that names it (merge_school above), so a
 * document that stops naming one never removes it.
 *
 * An import that would leave some of them out — rows or items cut, a
 * roadmap's sections gone — is refused with what would disappear, unless
 * the request says "replace": then they are deleted (tombstones) in the
 * same put as the rest, reports on removed items with them, so nothing is
 * left pointing at a record or a section that is gone.  "dry_run" answers
 * with the same plan and writes nothing.
 */
typedef struct doc_plan {
	json_t *sources;	/* object: source -> true */
	json_t *roadmaps;	/* object: roadmap id -> true */
	json_t *incoming;	/* object: id -> true, the records of this import */
	json_t *held;		/* object: id -> record JSON, held and of this document */
	json_t *removed;	/* array of record JSON */
	json_t *reports;	/* array of report JSON (every report of the region) */
} doc_plan;

/* Do the record's body bytes hold any key of set? */
static int
body_holds_any(const mf_record *r, json_t *set)
{
	const char *k;
	json_t *v;

	json_object_foreach(set, k, v)
		if (*k && memmem(r->body, r->body_len, k, strlen(k)) != NULL)
			return 1;
	return 0;
}

static int
held_fn(void *arg, const mf_record *r)
{
	doc_plan *pl = arg;
	json_t *j, *b;
	const char *src, *rid;

	if (strcmp(r->kind, "school") == 0)
		return 0;
	/* A source and a roadmap id are held in a body as their text: a
	 * record whose bytes hold none of them cannot belong to this
	 * document, and is not decoded (an import looks at every record of
	 * the region). */
	if (strcmp(r->kind, "roadmap_item_report") != 0 && !json_object_get(pl->roadmaps, r->id) &&
	    !body_holds_any(r, pl->sources) && !body_holds_any(r, pl->roadmaps))
		return 0;
	if ((j = mf_record_json(r)) == NULL)
		return 0;
	b = json_object_get(j, "body");
	src = json_string_value(json_object_get(b, "source"));
	rid = json_string_value(json_object_get(b, "roadmap_id"));
	if (strcmp(r->kind, "roadmap_item_report") == 0)
		json_array_append(pl->reports, j);
	else if ((src && *src && json_object_get(pl->sources, src)) ||
		 (rid && json_object_get(pl->roadmaps, rid)) || json_object_get(pl->roadmaps, r->id))
		json_object_set(pl->held, r->id, j);
	json_decref(j);
	return 0;
}

/* A record's name for a summary: «7. title» for an item, else its title,
 * name or indicator, cut to a readable length; else its id. */
static void
rec_name(json_t *rec, char *buf, size_t len)
{
	json_t *b = json_object_get(rec, "body");
	const char *t = mf_json_str(b, "title"), *num = mf_json_str(b, "number");
	size_t n;

	if (!*t)
		t = mf_json_str(b, "name");
	if (!*t)
		t = mf_json_str(b, "indicator");
	if (!*t)
		t = mf_json_str(b, "form_text");
	if (!*t) {
		snprintf(buf, len, "%s", mf_json_str(rec, "id"));
		return;
	}
	snprintf(buf, len, "%s%s«%.80s", num, *num ? ". " : "", t);
	/* a cut in the middle of a UTF-8 sequence: back to its start */
	n = strlen(buf);
	if (strlen(t) > 80) {
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0xC0)
			n--;
		snprintf(buf + n, len - n, "…»");
	} else {
		snprintf(buf + n, len - n, "»");
	}
}

/* Removed records in the order a reader expects: by kind, then by number
 * ("2" before "10"), then by id. */
static int
removed_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(mf_json_str(x, "kind"), mf_json_str(y, "kind"));
	long nx = atol(mf_json_str(json_object_get(x, "body"), "number"));
	long ny = atol(mf_json_str(json_object_get(y, "body"), "number"));

	if (c != 0)
		return c;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(mf_json_str(x, "id"), mf_json_str(y, "id"));
}

/* Count one record of `kind` into obj[kind]. */
static void
count_kind(json_t *obj, const char *kind)
{
	json_t *v = json_object_get(obj, kind);

	json_object_set_new(obj, kind, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* Is the encoded form of rec's body the held record's body? */
static int
same_body(const mf_record *held, json_t *rec)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	int same;

	if (mf_json_to_body(json_object_get(rec, "body"), mf_json_str(rec, "kind"), &buf, &len, err,
			    sizeof(err)) != 0)
		return 0;   /* the records layer will say what is wrong */
	same = len == held->body_len && (len == 0 || memcmp(buf, held->body, len) == 0);
	free(buf);
	return same;
}

/*
 * What a record lost against its held version, as a line cut from its
 * document loses it: elements of a repeated field gone (a task, a
 * co-executor, an interval), a text cut short (the new one a proper prefix
 * of the held one), a field gone.  Appended to buf as «field: …»; the
 * number of losses.  A roadmap's sections are reported on their own.
 */
static int
shrink_fields(json_t *held, json_t *now, const char *path, char *buf, size_t len)
{
	const char *k;
	json_t *hv;
	int n = 0;

	json_object_foreach(held, k, hv) {
		json_t *nv = json_object_get(now, k);
		char sub[128];
		size_t i, j, lost = 0;

		if (strcmp(path, "") == 0 && strcmp(k, "sections") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
		if (json_is_object(hv)) {
			n += shrink_fields(hv, json_is_object(nv) ? nv : NULL, sub, buf, len);
			continue;
		}
		if (json_is_array(hv)) {
			for (i = 0; i < json_array_size(hv); i++) {
				for (j = 0; j < json_array_size(nv); j++)
					if (json_equal(json_array_get(hv, i), json_array_get(nv, j)))
						break;
				if (j == json_array_size(nv))
					lost++;
			}
			if (lost)
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s: %zu of %zu gone",
					 *buf ? "; " : "", sub, lost, json_array_size(hv));
			n += lost > 0;
			continue;
		}
		if (json_is_string(hv) && json_string_length(hv) > 0) {
			const char *h = json_string_value(hv), *c = json_string_value(nv);
			if (nv == NULL) {
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s: gone",
					 *buf ? "; " : "", sub);
				n++;
			} else if (c && strlen(c) < strlen(h) && strncmp(h, c, strlen(c)) == 0) {
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s: cut short",
					 *buf ? "; " : "", sub);
				n++;
			}
		}
	}
	return n;
}

/* Sections numbers of a roadmap body, as "I,II,…" into a JSON object set. */
static json_t *
section_set(json_t *body)
{
	json_t *set = json_object(), *sec;
	size_t i;

	json_array_foreach(json_object_get(body, "sections"), i, sec)
		json_object_set_new(set, mf_json_str(sec, "number"), json_true());
	return set;
}

/* The removed records, sorted (removed_cmp), counted by kind into
 * `removed` and listed as {id, kind, name} into `rlist`. */
static void
removed_list(json_t *gone, json_t *removed, json_t *rlist)
{
	size_t i, n = json_array_size(gone);
	json_t **sorted = mf_xcalloc(n ? n : 1, sizeof(*sorted)), *v;

	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(gone, i);
	qsort(sorted, n, sizeof(*sorted), removed_cmp);
	for (i = 0; i < n; i++) {
		char name[256];
		v = sorted[i];
		count_kind(removed, mf_json_str(v, "kind"));
		rec_name(v, name, sizeof(name));
		json_array_append_new(rlist, json_pack("{s:s,s:s,s:s}", "id",
						       mf_json_str(v, "id"), "kind",
						       mf_json_str(v, "kind"), "name", name));
	}
	free(sorted);
}

/*
 * What importing `records` would do, against the store: {"source",
 * "added", "changed", "removed" (counts by kind), "unchanged",
 * "removed_records": [{id, kind, name}], "removed_sections": [{roadmap,
 * number, title}]}.  New reference; NULL on a store error.
 */
static json_t *
import_plan(mf_daemon *d, json_t *records, const char *read_by)
{
	doc_plan pl;
	json_t *plan, *added = json_object(), *changed = json_object(), *removed = json_object(),
	       *rlist = json_array(), *slist = json_array(), *shlist = json_array(), *rec, *v;
	const char *k, *first_source = NULL;
	json_int_t unchanged = 0;
	size_t i;

	memset(&pl, 0, sizeof(pl));
	pl.sources = json_object();
	pl.roadmaps = json_object();
	pl.incoming = json_object();
	pl.held = json_object();
	pl.removed = json_array();
	pl.reports = json_array();
	json_array_foreach(records, i, rec) {
		const char *kind = mf_json_str(rec, "kind"), *id = mf_json_str(rec, "id");
		const char *src = mf_json_str(json_object_get(rec, "body"), "source");
		json_object_set_new(pl.incoming, id, json_true());
		if (strcmp(kind, "roadmap") == 0)
			json_object_set_new(pl.roadmaps, id, json_true());
		if (strcmp(kind, "school") != 0 && *src) {
			json_object_set_new(pl.sources, src, json_true());
			if (first_source == NULL)
				first_source = src;
		}
	}
	if (mf_store_each(d->node->store, NULL, d->node->cfg->region, 0, held_fn, &pl) != 0) {
		plan = NULL;
		goto out;
	}
	/* what comes in: new, changed or as held */
	json_array_foreach(records, i, rec) {
		const char *kind = mf_json_str(rec, "kind");
		mf_record *h = mf_store_get(d->node->store, mf_json_str(rec, "id"));
		if (h == NULL || h->deleted)
			count_kind(added, kind);
		else if (same_body(h, rec))
			unchanged++;
		else
			count_kind(changed, kind);
		if (h && !h->deleted && strcmp(kind, "school") != 0 && !same_body(h, rec)) {
			/* a changed record: did it lose what the held one had? */
			json_t *hj = mf_record_json(h);
			char lost[600] = "", name[256];
			if (hj && shrink_fields(json_object_get(hj, "body"),
						json_object_get(rec, "body"), "", lost, sizeof(lost)) > 0) {
				rec_name(rec, name, sizeof(name));
				json_array_append_new(shlist, json_pack("{s:s,s:s,s:s,s:s}", "id",
					mf_json_str(rec, "id"), "kind", kind, "name", name, "lost", lost));
			}
			json_decref(hj);
		}
		if (h && !h->deleted && strcmp(kind, "roadmap") == 0) {
			/* sections the held roadmap has and this one no longer has */
			json_t *hj = mf_record_json(h), *now = section_set(json_object_get(rec, "body")),
			       *sec;
			size_t s;
			json_array_foreach(json_object_get(json_object_get(hj, "body"), "sections"), s, sec)
				if (!json_object_get(now, mf_json_str(sec, "number")))
					json_array_append_new(slist, json_pack("{s:s,s:s,s:s}", "roadmap",
						mf_json_str(rec, "id"), "number", mf_json_str(sec, "number"),
						"title", mf_json_str(sec, "title")));
			json_decref(now);
			json_decref(hj);
		}
		mf_record_free(h);
	}
	/* what an earlier import made and this one no longer has */
	json_object_foreach(pl.held, k, v)
		if (!json_object_get(pl.incoming, k))
			json_array_append(pl.removed, v);
	/* reports on removed items go with them */
	if (json_array_size(pl.removed) > 0) {
		json_t *gone = json_object();
		json_array_foreach(pl.removed, i, v)
			json_object_set_new(gone, mf_json_str(v, "id"), json_true());
		json_array_foreach(pl.reports, i, v)
			if (json_object_get(gone, mf_json_str(json_object_get(v, "body"), "item_id")))
				json_array_append(pl.removed, v);
		json_decref(gone);
	}
	removed_list(pl.removed, removed, rlist);
	plan = json_pack("{s:s,s:s,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "read_by", read_by,
			 "source", first_source ? first_source : "",
			 "added", added, "changed", changed, "removed", removed,
			 "unchanged", unchanged, "removed_records", rlist,
			 "removed_sections", slist, "shrunk_records", shlist);
	added = changed = removed = rlist = slist = shlist = NULL;
out:
	json_decref(added);
	json_decref(changed);
	json_decref(removed);
	json_decref(rlist);
	json_decref(slist);
	json_decref(shlist);
	json_decref(pl.sources);
	json_decref(pl.roadmaps);
	json_decref(pl.incoming);
	json_decref(pl.held);
	json_decref(pl.removed);
	json_decref(pl.reports);
	return plan;
}

/* A formatted string of any length (mf_xmalloc; the caller frees). */
static char *
xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *b;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	b = mf_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	b[0] = '\0';
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(b, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b;
}

/* "3 roadmap_item, 1 target" from counts by kind, into buf. */
static void
kinds_text(json_t *counts, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach(counts, k, v) {
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%lld %s", n++ ? ", " : "",
			 (long long)json_integer_value(v), k);
	}
	if (n == 0)
		snprintf(buf, len, "nothing");
}

/* What would disappear, in words: counts, the first few names, the sections. */
static void
removal_text(json_t *plan, char *buf, size_t len)
{
	json_t *rl = json_object_get(plan, "removed_records"), *sl = json_object_get(plan,
		"removed_sections"), *v;
	char counts[512];
	size_t i, n;

	buf[0] = '\0';
	if (json_array_size(rl) > 0) {
		kinds_text(json_object_get(plan, "removed"), counts, sizeof(counts));
		snprintf(buf, len, "%s (", counts);
		n = json_array_size(rl);
		json_array_foreach(rl, i, v) {
			if (i == 3) {
				snprintf(buf + strlen(buf), len - strlen(buf), ", and %zu more", n - 3);
				break;
			}
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
				 mf_json_str(v, "name"));
		}
		snprintf(buf + strlen(buf), len - strlen(buf), ")");
	}
	if (json_array_size(sl) > 0) {
		snprintf(buf + strlen(buf), len - strlen(buf), "%ssections", buf[0] ? "; " : "");
		json_array_foreach(sl, i, v)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s %s", i ? "," : "",
				 mf_json_str(v, "number"));
		snprintf(buf + strlen(buf), len - strlen(buf), " of the roadmap");
	}
	json_array_foreach(json_object_get(plan, "shrunk_records"), i, v) {
		if (i == 3) {
			snprintf(buf + strlen(buf), len - strlen(buf), "; and from %zu more records",
				 json_array_size(json_object_get(plan, "shrunk_records")) - 3);
			break;
		}
		snprintf(buf + strlen(buf), len - strlen(buf), "%sfrom %s %s: %s", buf[0] ? "; " : "",
			 mf_json_str(v, "kind"), mf_json_str(v, "name"), mf_json_str(v, "lost"));
	}
}

/* The helper's import: its reply (ok or not), or NULL with err. */
static json_t *
import_in_host(mf_daemon *d, json_t *creq, const char *path, char *err, size_t errlen)
{
	json_t *req, *rep;
	char *data = NULL, rerr[1024];
	size_t len = 0;
	static const char *const keep[] = { "plugin", "format", "year", "whole", NULL };

	/* the daemon reads the file (as the node's user); the helper opens nothing */
	if (mf_read_file(path, &data, &len, rerr, sizeof(rerr)) != 0) {
		snprintf(err, errlen, "%s", rerr);
		return NULL;
	}
	req = json_pack("{s:s,s:s}", "op", "import", "path", path);
	for (int i = 0; keep[i]; i++)
		if (json_object_get(creq, keep[i]))
			json_object_set(req, keep[i], json_object_get(creq, keep[i]));
	rep = mf_plugjob_run(d, req, data, len, NULL, rerr, sizeof(rerr));
	json_decref(req);
	free(data);
	if (rep == NULL)
		snprintf(err, errlen, "%s: %s; nothing was imported", path, rerr);
	return rep;
}

json_t *
mf_cmd_import(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	json_t *records, *diag, *rep, *hrep, *plan;
	char err[1400];
	size_t nrecords;
	int removing;

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "import: path missing");
	if ((hrep = import_in_host(d, req, path, err, sizeof(err))) == NULL) {
		mf_warn("import of %s refused: %s", path, err);
		rep = mf_reply_error(EX_DATAERR, "%s", err);
		json_object_set_new(rep, "diagnostics", json_pack("[{s:s,s:s,s:i,s:s}]", "level",
			"error", "file", path, "line", 0, "message", err));
		return rep;
	}
	diag = json_object_get(hrep, "diagnostics");
	diag = json_is_array(diag) ? json_incref(diag) : json_array();
	records = json_object_get(hrep, "records");
	if (!json_is_true(json_object_get(hrep, "ok")) || !json_is_array(records)) {
		const char *e = json_string_value(json_object_get(hrep, "error"));
		rep = mf_reply_error(EX_DATAERR, "%s", e ? e : "the plugin host refused the import");
		json_object_set_new(rep, "diagnostics", diag);
		/* refused by its genre alone: --whole would import it (the client
		 * says so in the user's words) */
		if (json_is_true(json_object_get(hrep, "incomplete")))
			json_object_set_new(rep, "incomplete", json_true());
		mf_warn("import of %s refused: %s", path, e ? e : "?");
		json_decref(hrep);
		return rep;
	}
	mf_strlcpy(err, mf_json_str(hrep, "read_by"), sizeof(err));
	json_incref(records);
	json_decref(hrep);
	for (size_t i = 0; i < json_array_size(records); i++) {
		json_t *rec = json_array_get(records, i);
		const char *kind = json_string_value(json_object_get(rec, "kind"));
		if (kind && strcmp(kind, "school") == 0) {
			adopt_school(d, records, rec);
			merge_school(d, rec);
		}
	}
	nrecords = json_array_size(records);
	if ((plan = import_plan(d, records, err)) == NULL) {
		json_decref(records);
		json_decref(diag);
		return mf_reply_error(EX_SOFTWARE, "%s: store read failed; nothing was imported", path);
	}
	removing = json_array_size(json_object_get(plan, "removed_records")) > 0 ||
		   json_array_size(json_object_get(plan, "removed_sections")) > 0 ||
		   json_array_size(json_object_get(plan, "shrunk_records")) > 0;
	if (json_is_true(json_object_get(req, "dry_run"))) {
		/* what the import would do; nothing is written */
		rep = mf_reply_ok();
		json_object_set_new(rep, "dry_run", json_true());
		json_object_set_new(rep, "read_by", json_string(err));
		json_object_set_new(rep, "records", json_integer((json_int_t)nrecords));
		json_object_set_new(rep, "plan", plan);
		json_object_set_new(rep, "diagnostics", diag);
		json_decref(records);
		return rep;
	}
	if (removing && !json_is_true(json_object_get(req, "replace"))) {
		char what[1500], *msg;
		size_t bad;
		removal_text(plan, what, sizeof(what));
		if (!mf_utf8_valid(what, strlen(what), &bad))
			what[bad] = '\0';
		msg = xprintf("%s: refused: this document (%s%s%s%s) was imported "
			 "before, and this import would remove %s, which the earlier import "
			 "created; nothing was imported.  A cut or damaged copy?  If the document "
			 "really changed, import it with --replace (what it no longer has is "
			 "deleted in the same write); --dry-run shows what would change", path, err,
			 *mf_json_str(plan, "source") ? ", «" : "", mf_json_str(plan, "source"),
			 *mf_json_str(plan, "source") ? "»" : "", what);
		/* a file name that is not UTF-8: keep what JSON can carry */
		if (!mf_utf8_valid(msg, strlen(msg), &bad))
			msg[bad] = '\0';
		rep = mf_reply_error(EX_DATAERR, "refused");
		json_object_set_new(rep, "error", json_string(msg));
		free(msg);
		mf_warn("import of %s refused: it would remove %s", path, what);
		json_object_set_new(rep, "plan", plan);
		json_object_set_new(rep, "diagnostics", diag);
		json_decref(records);
		return rep;
	}
	if (removing) {
		/* --replace: what the document no longer has goes in the same put */
		json_t *v;
		size_t i;
		json_array_foreach(json_object_get(plan, "removed_records"), i, v)
			json_array_append_new(records, json_pack("{s:s,s:s,s:b}", "id",
				mf_json_str(v, "id"), "kind", mf_json_str(v, "kind"), "deleted", 1));
	}
	rep = mf_records_put(d->node, records);
	if (json_is_true(json_object_get(rep, "ok"))) {
		json_object_set_new(rep, "read_by", json_string(err));
		json_object_set_new(rep, "records", json_integer((json_int_t)nrecords));
		json_object_set_new(rep, "removed",
				    json_integer((json_int_t)(json_array_size(records) - nrecords)));
		json_object_set(rep, "plan", plan);
		json_object_del(rep, "ids");
		mf_info("imported %s: %zu records, %lld changed, %zu removed", path, nrecords,
			(long long)json_integer_value(json_object_get(rep, "changed")),
			json_array_size(records) - nrecords);
	} else {
		/* the plugin produced records the store refused: name the document */
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: %s", path,
			 json_string_value(json_object_get(rep, "error")));
		json_object_set_new(rep, "error", json_string(msg));
		json_object_del(rep, "index");
	}
	json_object_set_new(rep, "diagnostics", diag);
	json_decref(plan);
	json_decref(records);
	return rep;
}
