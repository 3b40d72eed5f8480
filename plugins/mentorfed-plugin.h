/*
 * mentorfed-plugin.h — the public ABI between mentorfedd and a region plugin.
 *
 * A plugin is a shared object that exports one symbol, MF_PLUGIN_ENTRY_NAME
 * ("mentorfed_plugin_entry"), of type mf_plugin_entry_fn.  The host calls it
 * once after dlopen() with a table of host functions (struct mf_host_api) and
 * the ABI version the host speaks; the plugin returns its descriptor.
 *
 * The host is mentorfed-plugin-host, a confined process the daemon runs for
 * each job (doc/PLUGIN.md, "How plugins run"): a plugin may read the
 * document it is given and nothing else (no files, no sockets).
 *
 * The plugin links against nothing of the daemon (link it with -z defs):
 * every service it needs (emitting a record, reporting an error at a line,
 * logging, parsing a Russian date expression) comes through the host table,
 * in the manner of SQLite's sqlite3_api_routines.  Rules that keep old
 * plugins working:
 *
 *   - struct mf_host_api, struct mf_plugin, mf_period and mf_item_view
 *     only ever grow at their end; each starts with its own size so either
 *     side can tell which members the other one has;
 *   - MF_PLUGIN_ABI_VERSION changes only when an existing member changes
 *     meaning or place; the host refuses a plugin built for another ABI
 *     version.  The v2 layout is frozen by tests/test_plughost_abi.c.
 *
 * Records are built field by field with host->rec_*: field names and enum
 * values are those of proto/records.proto (the identifiers of
 * doc/GLOSSARY.md; both are installed, see `pkg-config --variable=protodir
 * mentorfed-plugin` and `--variable=glossary`), so a plugin never sees
 * protobuf.  Values are given as text and converted by the
 * host according to the field's type; a wrong field name or value is an
 * error reported against the plugin, never a crash.
 *
 * Ownership: every pointer the host passes in is owned by the host and valid
 * only for the duration of the call; everything the plugin returns (the
 * descriptor and its strings) must stay valid until the plugin is unloaded.
 */
#ifndef MENTORFED_PLUGIN_H
#define MENTORFED_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: mf_period and mf_item_view start with their size (issue 10). */
#define MF_PLUGIN_ABI_VERSION 2
#define MF_PLUGIN_ENTRY_NAME "mentorfed_plugin_entry"

/* Opaque host objects. */
typedef struct mf_import mf_import;   /* one import run of one document */
typedef struct mf_rec mf_rec;         /* a record (or sub-message) being built */

/* Log levels for host->log. */
enum mf_log_level { MF_LOG_ERROR = 0, MF_LOG_WARNING = 1, MF_LOG_INFO = 2, MF_LOG_DEBUG = 3 };

/* A calendar date. */
typedef struct mf_date {
	int year, month, day;
} mf_date;

/* An inclusive interval of dates. */
typedef struct mf_interval {
	mf_date from, to;
} mf_interval;

/*
 * Result of host->parse_period().  The caller sets `size` (declare it as
 * `mf_period p = MF_PERIOD_INIT;`): the host refuses a size it does not
 * know and never writes past it, so members can be added at the end.
 * At most MF_PERIOD_MAX intervals are read; a text with more is uncertain.
 */
#define MF_PERIOD_MAX 8
typedef struct mf_period {
	size_t size;                      /* sizeof(mf_period) of the caller */
	int n;                            /* intervals read, 0..MF_PERIOD_MAX */
	mf_interval iv[MF_PERIOD_MAX];
	int continuous;                   /* «в течение года / всего периода» */
	int uncertain;                    /* not read with certainty: keep raw, status unknown */
	int year_assumed;                 /* no year in the text; default_year used */
} mf_period;
#define MF_PERIOD_INIT { .size = sizeof(mf_period) }

/* Item status values, as in records.proto ItemStatus. */
enum mf_item_status {
	MF_STATUS_UNSPECIFIED = 0,
	MF_STATUS_PLANNED = 1,
	MF_STATUS_IN_PROGRESS = 2,
	MF_STATUS_DONE = 3,
	MF_STATUS_OVERDUE = 4,
	MF_STATUS_CONTINUOUS = 5,
	MF_STATUS_UNKNOWN = 6
};

/*
 * What a roadmap model is asked to judge: one item's timing as stored, and
 * whether a report with evidence says it is done.  Filled by the host;
 * `size` is the host's sizeof(mf_item_view): a member added later is only
 * read when size covers it (MF_ITEM_HAS).
 */
typedef struct mf_item_view {
	size_t size;
	const char *number;
	const char *timing_raw;
	const mf_interval *iv;
	int n_iv;
	int continuous;
	int uncertain;
	mf_date period_from, period_to;   /* the roadmap's period, year 0 if unknown */
	int done_reported;                /* a report with evidence says done */
	enum mf_item_status reported;     /* latest reported status, or UNSPECIFIED */
} mf_item_view;

/* The host's services.  Grows only at its end. */
struct mf_host_api {
	size_t size;                      /* sizeof(struct mf_host_api) of the host */
	int abi_version;

	/* Diagnostics.  error() marks the import failed (nothing is stored);
	 * warn() is kept in the import report.  line is 1-based, 0 for none. */
	void (*error)(mf_import *imp, unsigned line, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void (*warn)(mf_import *imp, unsigned line, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void (*log)(int level, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

	/* The import's context. */
	const char *(*import_path)(mf_import *imp);
	const char *(*import_region)(mf_import *imp);     /* the node's region */
	int (*import_year)(mf_import *imp);               /* --year, or 0 */

	/* Records.  rec_new() starts a record of `kind` whose id is derived
	 * from the region, the kind and `key` (the content's identity, e.g.
	 * school name and municipality), so re-importing yields the same id. */
	mf_rec *(*rec_new)(mf_import *imp, const char *kind, const char *key);
	/* Set a scalar field (string, enum identifier, number, "true"/"false"). */
	int (*rec_set)(mf_rec *r, const char *field, const char *value);
	/* Append to a repeated scalar field. */
	int (*rec_add)(mf_rec *r, const char *field, const char *value);
	/* Set a string field to the id rec_new() gives (kind, key) in this import's region. */
	int (*rec_set_ref)(mf_rec *r, const char *field, const char *kind, const char *key);
	int (*rec_add_ref)(mf_rec *r, const char *field, const char *kind, const char *key);
	/* Sub-message: a singular field (creates or returns it) or a new
	 * element of a repeated message field.  Owned by the parent. */
	mf_rec *(*rec_msg)(mf_rec *r, const char *field);
	mf_rec *(*rec_add_msg)(mf_rec *r, const char *field);
	/* Hand the record to the host (which then owns it); returns 0 or -1.
	 * Its id is returned through *id_out when id_out is not NULL (valid
	 * until the import ends).  Emitting ends the record: any later call
	 * on it or on one of its sub-messages (rec_set, rec_msg, rec_emit,
	 * rec_discard...) is an error reported against the plugin. */
	int (*rec_emit)(mf_rec *r, const char **id_out);
	/* Drop a record that will not be emitted (ends it too). */
	void (*rec_discard)(mf_rec *r);

	/* Shared helpers. */
	/* Parse a Russian date expression («Февраль», «12.02.2025», «Апрель,
	 * сентябрь», «Март-апрель 2023 г.», «IV квартал 2023 г.», «В течение
	 * года») into intervals; default_year is used where the text has no year.
	 * Returns 0 when read, -1 when uncertain (out->uncertain set). */
	int (*parse_period)(const char *text, int default_year, mf_period *out);
	/* Map a Russian spelling to an identifier: kind is "direction",
	 * "mentoring_form", "self_diagnosis_level" or "event_type".  Returns the
	 * identifier (static) or NULL. */
	const char *(*map_term)(const char *kind, const char *text);
	/* Format a date as YYYY-MM-DD into buf (at least 11 bytes). */
	char *(*date_format)(mf_date d, char *buf);

	/* Added after date_format (check host->size before use). */
	/* Compare two dates: <0, 0, >0. */
	int (*date_cmp)(mf_date a, mf_date b);
	/* The host's generic roadmap model (doc/PLUGIN.md §3): a region model
	 * that differs only in some cases calls it for the rest. */
	enum mf_item_status (*generic_status)(const mf_item_view *item, mf_date at);

	/* Added after generic_status (check MF_HOST_HAS(host, expect)).
	 * Completeness (doc/PLUGIN.md, "Complete documents"): the document
	 * itself states how much it holds — a declared total, a numbering that
	 * must end where a later part begins, the annexes its text names.  The
	 * importer passes that on: exactly `count` records of `kind` must have
	 * been emitted when the import ends, else the host refuses the
	 * document at `line` (where the document states it) and nothing is
	 * stored.  `what` says in words what the document states («приложение
	 * № 2: школы 1–12»).  Several calls for one kind must agree.  Returns
	 * 0, or -1 (reported against the plugin) for a bad call. */
	int (*expect)(mf_import *imp, unsigned line, const char *kind, unsigned count,
		      const char *what);

	/* Added after expect (check MF_HOST_HAS(host, incomplete); the helper
	 * pr_incomplete in plugins/common/precord.h falls back to error()).
	 * A signal of the document's genre, not of its format: it lacks what
	 * its genre ends with (a letter's signature, a page's footer, a
	 * year's plan reaching its last quarter), as a cut copy would.  Say
	 * what it lacks at the line where it stops, without "nothing was
	 * imported" (the host adds what follows).  Unless the operator
	 * imports the document as whole (`import --whole`), the host refuses
	 * it exactly as after error(), and its message tells how to import a
	 * whole document that departs from its genre; with --whole it is a
	 * warning kept in the import report and the import goes on.  Hard
	 * signals (a format's closing line, a numbering gap, a declared total,
	 * missing cells) stay error(): --whole does not override them. */
	void (*incomplete)(mf_import *imp, unsigned line, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

/* One data format a plugin reads. */
typedef struct mf_format {
	const char *name;          /* "tomsk-league-order" */
	const char *description;
	/* Return a score 0..100 of how sure the plugin is that `data` is this
	 * format (0: not this format). */
	int (*probe)(const char *data, size_t len);
	/* Import `data` (NUL-terminated, len bytes) through host->rec_*.
	 * Return 0 on success, -1 after reporting an error with host->error. */
	int (*import)(mf_import *imp, const char *data, size_t len);
} mf_format;

/* The descriptor a plugin returns.  Grows only at its end. */
struct mf_plugin {
	size_t size;               /* sizeof(struct mf_plugin) of the plugin */
	int abi_version;           /* MF_PLUGIN_ABI_VERSION it was built for */
	const char *name;          /* unique, e.g. "tomsk" */
	const char *version;       /* the plugin's own version */
	const char *region;        /* ISO 3166-2 code, e.g. "RU-TOM" */
	const char *description;
	const mf_format *formats;  /* array of n_formats */
	int n_formats;
	const char *model;         /* roadmap model name, e.g. "tomsk-league-plan" */
	/* The roadmap model: status of an item at `at`.  NULL: the host's
	 * generic model is used. */
	enum mf_item_status (*item_status)(const mf_item_view *item, mf_date at);
	/* Called before unload; may be NULL. */
	void (*shutdown)(void);

	/* Added after shutdown (the host checks MF_PLUGIN_HAS(plugin,
	 * complete)).  What makes a document of each format complete, in
	 * words, one entry per element of `formats` (NULL entry: the format
	 * has no such signal); shown by `plugin list` so a methodologist can
	 * tell which documents are checked and how.  The checks themselves are
	 * the importer's: host->expect and host->error at the line where the
	 * document is cut.  NULL: no format says. */
	const char *const *complete;
};

typedef const struct mf_plugin *(*mf_plugin_entry_fn)(const struct mf_host_api *host,
						      int host_abi_version);

/* Declare the entry point in a plugin:
 *   MF_PLUGIN_EXPORT const struct mf_plugin *
 *   mentorfed_plugin_entry(const struct mf_host_api *host, int abi) { ... }  */
#define MF_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Does a versioned table, which grows only at its end, have `member`?
 * A plugin checks the host's table before using a late addition
 * (MF_HOST_HAS(host, generic_status)); the host checks a descriptor the
 * same way (MF_PLUGIN_HAS(plugin, shutdown)). */
#define MF_HOST_HAS(h, member) \
	((h)->size >= offsetof(struct mf_host_api, member) + sizeof((h)->member))
#define MF_PLUGIN_HAS(p, member) \
	((p)->size >= offsetof(struct mf_plugin, member) + sizeof((p)->member))
#define MF_ITEM_HAS(v, member) \
	((v)->size >= offsetof(mf_item_view, member) + sizeof((v)->member))

#ifdef __cplusplus
}
#endif
#endif /* MENTORFED_PLUGIN_H */
