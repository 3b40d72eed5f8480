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
 *     two rows is refused instead of read as a shorter plan.  A format
 *     that states no total needs another signal of its genre (a closing
 *     line, a signature block, a footer): plugins/tomsk has examples.
 *     Report such a signal of the genre with host->incomplete (when
 *     MF_HOST_HAS(host, incomplete), else error()): refused unless the
 *     operator imports the document with --whole; keep error() for what
 *     the format states.
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

/* What the reading of one document has seen so far. */
struct plan {
	char title[512], issuer[512], odate[11], onum[32], rkey[128];
	const char *roadmap_id;   /* once the roadmap is emitted */
	int year, items, declared;
	unsigned no, declared_line;   /* the current line; that of «Мероприятий:» */
};

/* «Приказ: 15.01.2026 № 7»: the host's date parser reads the date. */
static int
order_field(mf_import *imp, struct plan *pl, char *v)
{
	mf_period p = MF_PERIOD_INIT;
	char *n = strstr(v, "№");

	if (n == NULL) {
		H->error(imp, pl->no, "«Приказ:» needs «DD.MM.YYYY № N»");
		return -1;
	}
	*n = '\0';
	snprintf(pl->onum, sizeof(pl->onum), "%s", trim(n + strlen("№")));
	if (H->parse_period(trim(v), 0, &p) != 0 || p.n != 1) {
		H->error(imp, pl->no, "cannot read the order's date «%s»", v);
		return -1;
	}
	H->date_format(p.iv[0].from, pl->odate);
	return 0;
}

/* A header line «name: value». */
static int
header_field(mf_import *imp, struct plan *pl, const char *name, char *v)
{
	if (strcmp(name, "Заголовок") == 0)
		snprintf(pl->title, sizeof(pl->title), "%s", v);
	else if (strcmp(name, "Издатель") == 0)
		snprintf(pl->issuer, sizeof(pl->issuer), "%s", v);
	else if (strcmp(name, "Год") == 0)
		pl->year = atoi(v);
	else if (strcmp(name, "Мероприятий") == 0) {
		/* the number of plan rows the document states */
		pl->declared = atoi(v);
		pl->declared_line = pl->no;
	} else if (strcmp(name, "Приказ") == 0)
		return order_field(imp, pl, v);
	else {
		H->error(imp, pl->no, "unknown header field «%s»", name);
		return -1;
	}
	return 0;
}

/* «Школа: name | municipality» (s is what follows «Школа:»). */
static int
school_line(mf_import *imp, struct plan *pl, char *s)
{
	char key[1024], *f[2];
	mf_rec *r;

	if (split(s, '|', f, 2) != 2 || !f[0][0]) {
		H->error(imp, pl->no, "«Школа: name | municipality» expected");
		return -1;
	}
	/* identity of a school: name and municipality */
	snprintf(key, sizeof(key), "%s|%s", f[0], f[1]);
	if ((r = H->rec_new(imp, "school", key)) == NULL)
		return -1;
	H->rec_set(r, "name", f[0]);
	H->rec_set(r, "municipality", f[1]);
	H->rec_set(r, "region", REGION);
	return H->rec_emit(r, NULL) != 0 ? -1 : 0;
}

/* The roadmap itself, before the first row, once the header is read. */
static int
emit_roadmap(mf_import *imp, struct plan *pl)
{
	char from[11], to[11];
	mf_rec *r;

	if (!pl->title[0] || !pl->odate[0] || pl->year <= 0) {
		H->error(imp, pl->no, "the header («Заголовок:», «Приказ:», «Год:») must come "
			 "before the rows");
		return -1;
	}
	snprintf(pl->rkey, sizeof(pl->rkey), "example-plan:%s:%s", pl->odate, pl->onum);
	/* year > 0 here: unsigned tells the compiler the text fits */
	snprintf(from, sizeof(from), "%04u-01-01", (unsigned)pl->year % 10000);
	snprintf(to, sizeof(to), "%04u-12-31", (unsigned)pl->year % 10000);
	if ((r = H->rec_new(imp, "roadmap", pl->rkey)) == NULL)
		return -1;
	H->rec_set(r, "title", pl->title);
	H->rec_set(r, "issuer", pl->issuer);
	H->rec_set(r, "order_number", pl->onum);
	H->rec_set(r, "order_date", pl->odate);
	H->rec_set(r, "period_from", from);
	H->rec_set(r, "period_to", to);
	H->rec_set(r, "model", "generic");
	return H->rec_emit(r, &pl->roadmap_id) != 0 ? -1 : 0;
}

/* An item's timing: the raw text always kept; intervals when understood. */
static void
row_timing(mf_import *imp, struct plan *pl, mf_rec *r, const char *raw)
{
	mf_period p = MF_PERIOD_INIT;
	mf_rec *t = H->rec_msg(r, "timing");
	char a[11], b[11];

	H->rec_set(t, "raw", raw);
	H->parse_period(raw, pl->year, &p);
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
		H->warn(imp, pl->no, "timing «%s» not understood: kept as written", raw);
	}
}

/* A plan row «number | timing | title | lead / co-executors | result». */
static int
plan_row(mf_import *imp, struct plan *pl, char *line)
{
	char *f[5], key[256], *exec[8], ln[16];
	int nf, ne;
	mf_rec *r;

	if ((nf = split(line, '|', f, 5)) != 5) {
		H->error(imp, pl->no, "a plan row has 5 fields separated by «|», this one has %d", nf);
		return -1;
	}
	if (pl->roadmap_id == NULL && emit_roadmap(imp, pl) != 0)
		return -1;
	/* rows numbered 1, 2, 3…: a gap is a row lost */
	if (atoi(f[0]) != pl->items + 1) {
		H->error(imp, pl->no, "row %s where row %d was expected", f[0], pl->items + 1);
		return -1;
	}
	/* identity of an item: its roadmap and its number */
	snprintf(key, sizeof(key), "%s|%s", pl->rkey, f[0]);
	if ((r = H->rec_new(imp, "roadmap_item", key)) == NULL)
		return -1;
	H->rec_set(r, "roadmap_id", pl->roadmap_id);
	H->rec_set(r, "number", f[0]);
	H->rec_set(r, "title", f[2]);
	H->rec_set(r, "expected_result", f[4]);
	H->rec_set(r, "responsible_raw", f[3]);
	snprintf(ln, sizeof(ln), "%u", pl->no);
	H->rec_set(r, "source_line", ln);
	row_timing(imp, pl, r, f[1]);
	/* «lead / co-executor / …» */
	ne = split(f[3], '/', exec, 8);
	H->rec_set(r, "lead", exec[0]);
	for (int i = 1; i < ne; i++)
		H->rec_add(r, "co_executors", exec[i]);
	if (H->rec_emit(r, NULL) != 0)
		return -1;
	pl->items++;
	return 0;
}

/* One line of the document (the first, the format's mark, is skipped). */
static int
plan_line(mf_import *imp, struct plan *pl, char *line)
{
	char *v;

	line = trim(line);
	if (pl->no == 1 || line[0] == '\0' || line[0] == '#')
		return 0;
	if ((v = strchr(line, ':')) != NULL && !strchr(line, '|')) {
		*v++ = '\0';
		return header_field(imp, pl, line, trim(v));
	}
	if (strncmp(line, "Школа:", strlen("Школа:")) == 0)
		return school_line(imp, pl, line + strlen("Школа:"));
	return plan_row(imp, pl, line);
}

/* The document is complete: it has rows, as many as it states. */
static int
plan_complete(mf_import *imp, struct plan *pl)
{
	if (pl->items == 0) {
		H->error(imp, pl->no, "the plan has no rows");
		return -1;
	}
	/* the host counts the rows emitted against what the document states
	 * (a host older than host->expect: the plugin checks it itself) */
	if (pl->declared > 0 && MF_HOST_HAS(H, expect))
		H->expect(imp, pl->declared_line, "roadmap_item", (unsigned)pl->declared,
			  "«Мероприятий:»");
	else if (pl->declared > 0 && pl->declared != pl->items) {
		H->error(imp, pl->declared_line, "the document states %d rows, %d were read: cut?",
			 pl->declared, pl->items);
		return -1;
	}
	return 0;
}

/* import: read the document line by line, emitting records as it goes. */
static int
import_plan(mf_import *imp, const char *data, size_t len)
{
	char *copy = malloc(len + 1), *line, *next;
	struct plan pl;
	int rc = -1;

	if (copy == NULL) {
		H->error(imp, 0, "out of memory");
		return -1;
	}
	memset(&pl, 0, sizeof(pl));
	memcpy(copy, data, len + 1);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		pl.no++;
		if (plan_line(imp, &pl, line) != 0)
			goto out;
	}
	rc = plan_complete(imp, &pl);
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
