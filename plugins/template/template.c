/*
 * template.c — a complete, working mentorfed plugin for a fictional region
 * (RU-XXX, «Примерная область»), meant to be copied when a new region joins.
 *
 * It reads one format, "example-plan" (see example.txt): a small header
 * («Заголовок:», «Издатель:», «Приказ: DD.MM.YYYY № N», «Год:»), school
 * lines («Школа: name | municipality») and plan rows
 * («number | timing | title | lead / co-executors | result»), and emits a
 * roadmap, its items and the schools.
 *
 * Build out of tree against the installed header:
 *     cc -std=c11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags mentorfed-plugin) -o example.so template.c
 * (the Makefile next to this file does that), then load it with
 * `mentorfed plugin load /path/to/example.so` or put it in the node's plugin
 * directory.  The file must be owned by the node's user (or root) and not be
 * world-writable.
 *
 * Rules a plugin follows (doc/PLUGIN.md has the details):
 *   - export exactly one symbol, mentorfed_plugin_entry, and keep everything
 *     else static (-fvisibility=hidden);
 *   - link nothing of the daemon: every service comes from the host table;
 *   - never trust the document: check every line, report problems with
 *     host->error(imp, line, …) (the import then stores nothing) or
 *     host->warn(imp, line, …) (kept in the import report);
 *   - give each record a key that is the content's identity (not a line
 *     number), so re-importing the same document gives the same ids;
 *   - field names and enum values are those of proto/records.proto;
 *   - say what makes a document complete (doc/PLUGIN.md, "Complete
 *     documents"): here «Мероприятий: N» in the header is the number of
 *     plan rows and the rows are numbered 1, 2, 3…, so a file cut between
 *     two rows is refused instead of read as a shorter plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mentorfed-plugin.h>

#define REGION "RU-XXX"

/* The host table, kept from the entry point. */
static const struct mf_host_api *H;

/* Trim spaces (and a trailing '\r') in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split s on `sep` into at most max trimmed fields; returns how many. */
static int
split(char *s, char sep, char **f, int max)
{
	int n = 0;

	while (n < max) {
		char *p = strchr(s, sep);
		if (p)
			*p = '\0';
		f[n++] = trim(s);
		if (!p)
			break;
		s = p + 1;
	}
	return n;
}

/* probe: how sure are we that this is our format?  Cheap and strict. */
static int
probe_plan(const char *data, size_t len)
{
	(void)len;
	return strncmp(data, "EXAMPLE REGION PLAN\n", 20) == 0 ? 100 : 0;
}

static int
import_plan(mf_import *imp, const char *data, size_t len)
{
	char *copy = malloc(len + 1), *line, *next;
	char title[512] = "", issuer[512] = "", odate[11] = "", onum[32] = "", rkey[128];
	char from[11] = "", to[11] = "";
	const char *roadmap_id = NULL;
	int year = 0, rc = -1, items = 0, declared = 0;
	unsigned no = 0, declared_line = 0;
	mf_rec *r;

	if (copy == NULL) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	memcpy(copy, data, len + 1);
	for (line = copy; line; line = next) {
		char *f[5], *v;
		int nf;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		line = trim(line);
		if (no == 1 || line[0] == '\0' || line[0] == '#')
			continue;
		if ((v = strchr(line, ':')) != NULL && !strchr(line, '|')) {
			*v++ = '\0';
			v = trim(v);
			if (strcmp(line, "Заголовок") == 0)
				snprintf(title, sizeof(title), "%s", v);
			else if (strcmp(line, "Издатель") == 0)
				snprintf(issuer, sizeof(issuer), "%s", v);
			else if (strcmp(line, "Год") == 0)
				year = atoi(v);
			else if (strcmp(line, "Мероприятий") == 0) {
				/* the number of plan rows the document states */
				declared = atoi(v);
				declared_line = no;
			}
			else if (strcmp(line, "Приказ") == 0) {
				/* «15.01.2026 № 7»: the host's date parser reads the date */
				mf_period p = MF_PERIOD_INIT;
				char *n = strstr(v, "№");
				if (n == NULL) {
					H->error(imp, no, "«Приказ:» needs «DD.MM.YYYY № N»");
					goto out;
				}
				*n = '\0';
				snprintf(onum, sizeof(onum), "%s", trim(n + strlen("№")));
				if (H->parse_period(trim(v), 0, &p) != 0 || p.n != 1) {
					H->error(imp, no, "cannot read the order's date «%s»", v);
					goto out;
				}
				H->date_format(p.iv[0].from, odate);
			} else {
				H->error(imp, no, "unknown header field «%s»", line);
				goto out;
			}
			continue;
		}
		if (strncmp(line, "Школа:", strlen("Школа:")) == 0) {
			char key[1024];
			nf = split(line + strlen("Школа:"), '|', f, 2);
			if (nf != 2 || !f[0][0]) {
				H->error(imp, no, "«Школа: name | municipality» expected");
				goto out;
			}
			/* identity of a school: name and municipality */
			snprintf(key, sizeof(key), "%s|%s", f[0], f[1]);
			r = H->rec_new(imp, "school", key);
			if (r == NULL)
				goto out;
			H->rec_set(r, "name", f[0]);
			H->rec_set(r, "municipality", f[1]);
			H->rec_set(r, "region", REGION);
			if (H->rec_emit(r, NULL) != 0)
				goto out;
			continue;
		}
		/* a plan row */
		nf = split(line, '|', f, 5);
		if (nf != 5) {
			H->error(imp, no, "a plan row has 5 fields separated by «|», this one has %d", nf);
			goto out;
		}
		if (roadmap_id == NULL) {
			/* the roadmap itself, once the header is read */
			if (!title[0] || !odate[0] || year <= 0) {
				H->error(imp, no, "the header («Заголовок:», «Приказ:», «Год:») must come "
					 "before the rows");
				goto out;
			}
			snprintf(rkey, sizeof(rkey), "example-plan:%s:%s", odate, onum);
			snprintf(from, sizeof(from), "%04d-01-01", year % 10000);
			snprintf(to, sizeof(to), "%04d-12-31", year % 10000);
			r = H->rec_new(imp, "roadmap", rkey);
			if (r == NULL)
				goto out;
			H->rec_set(r, "title", title);
			H->rec_set(r, "issuer", issuer);
			H->rec_set(r, "order_number", onum);
			H->rec_set(r, "order_date", odate);
			H->rec_set(r, "period_from", from);
			H->rec_set(r, "period_to", to);
			H->rec_set(r, "model", "generic");
			if (H->rec_emit(r, &roadmap_id) != 0)
				goto out;
		}
		{
			char key[256], *exec[8], ln[16], a[11], b[11];
			int ne;
			mf_period p = MF_PERIOD_INIT;
			mf_rec *t;

			/* rows numbered 1, 2, 3…: a gap is a row lost */
			if (atoi(f[0]) != items + 1) {
				H->error(imp, no, "row %s where row %d was expected", f[0], items + 1);
				goto out;
			}
			/* identity of an item: its roadmap and its number */
			snprintf(key, sizeof(key), "%s|%s", rkey, f[0]);
			r = H->rec_new(imp, "roadmap_item", key);
			if (r == NULL)
				goto out;
			H->rec_set(r, "roadmap_id", roadmap_id);
			H->rec_set(r, "number", f[0]);
			H->rec_set(r, "title", f[2]);
			H->rec_set(r, "expected_result", f[4]);
			H->rec_set(r, "responsible_raw", f[3]);
			snprintf(ln, sizeof(ln), "%u", no);
			H->rec_set(r, "source_line", ln);
			/* timing: raw text always kept; intervals when understood */
			t = H->rec_msg(r, "timing");
			H->rec_set(t, "raw", f[1]);
			H->parse_period(f[1], year, &p);
			for (int i = 0; i < p.n; i++) {
				mf_rec *iv = H->rec_add_msg(t, "intervals");
				H->rec_set(iv, "from", H->date_format(p.iv[i].from, a));
				H->rec_set(iv, "to", H->date_format(p.iv[i].to, b));
			}
			if (p.continuous)
				H->rec_set(t, "continuous", "true");
			if (p.year_assumed)
				H->rec_set(t, "year_assumed", "true");
			if (p.uncertain) {
				H->rec_set(t, "uncertain", "true");
				H->warn(imp, no, "timing «%s» not understood: kept as written", f[1]);
			}
			/* «lead / co-executor / …» */
			ne = split(f[3], '/', exec, 8);
			H->rec_set(r, "lead", exec[0]);
			for (int i = 1; i < ne; i++)
				H->rec_add(r, "co_executors", exec[i]);
			if (H->rec_emit(r, NULL) != 0)
				goto out;
			items++;
		}
	}
	if (items == 0) {
		H->error(imp, no, "the plan has no rows");
		goto out;
	}
	/* the host counts the rows emitted against what the document states
	 * (a host older than host->expect: the plugin checks it itself) */
	if (declared > 0 && MF_HOST_HAS(H, expect))
		H->expect(imp, declared_line, "roadmap_item", (unsigned)declared, "«Мероприятий:»");
	else if (declared > 0 && declared != items) {
		H->error(imp, declared_line, "the document states %d rows, %d were read: cut?",
			 declared, items);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static const mf_format formats[] = {
	{ "example-plan", "Example region's work plan (plugins/template/example.txt)",
	  probe_plan, import_plan },
};

/* What makes each format's document complete, in words (plugin list). */
static const char *const complete[] = {
	"«Мероприятий: N» in the header: exactly N plan rows, numbered 1..N",
};

static const struct mf_plugin plugin = {
	.size = sizeof(struct mf_plugin),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.name = "example",
	.version = "0.1",
	.region = REGION,
	.description = "Template plugin for a fictional region",
	.formats = formats,
	.n_formats = 1,
	.model = "generic",
	.item_status = NULL,   /* NULL: the host's generic roadmap model */
	.shutdown = NULL,
	.complete = complete,   /* appended after shutdown: older hosts ignore it */
};

MF_PLUGIN_EXPORT const struct mf_plugin *
mentorfed_plugin_entry(const struct mf_host_api *host, int host_abi)
{
	/* Refuse a host of another ABI, or one too old to have what we use. */
	if (host == NULL || host_abi != MF_PLUGIN_ABI_VERSION ||
	    !MF_HOST_HAS(host, date_format))
		return NULL;
	H = host;
	return &plugin;
}
