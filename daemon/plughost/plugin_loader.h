/*
 * plugin_loader.h — the host side of the plugin ABI (plugins/mentorfed-plugin.h).
 *
 * Loads region plugins with dlopen after checking the file (owner, mode,
 * directory), hands them the host table, and runs imports: a document is
 * checked (UTF-8, no NUL bytes), its plugin and format are chosen (given, or
 * by probing), and the plugin builds records through host->rec_*, validated
 * field by field against the protobuf-c descriptors of proto/records.proto.
 * An import is all-or-nothing: any error reported (by the plugin or by the
 * host about a bad field) and the import returns no record at all.
 *
 * The loader keeps no global state except the logger; an mf_plugins set is
 * not thread-safe (the daemon uses one from its main loop).
 */
#ifndef MF_PLUGIN_LOADER_H
#define MF_PLUGIN_LOADER_H

#include <stddef.h>
#include <jansson.h>
#include "mentorfed-plugin.h"

typedef struct mf_plugins mf_plugins;

/* A set of loaded plugins for a node of `node_region` ("RU-TOM").  Owned;
 * free with mf_plugins_free (which calls each plugin's shutdown and dlcloses). */
mf_plugins *mf_plugins_new(const char *node_region);
void mf_plugins_free(mf_plugins *p);

/* Load every *.so in dir (in name order).  A refused file is logged through
 * the logger and skipped; a missing directory is logged.  Returns the number
 * of plugins loaded by this call. */
int mf_plugins_load_dir(mf_plugins *p, const char *dir);

/* Load one file.  Returns 0, or -1 with a message naming the file and the
 * reason in err: not a regular file, world-writable file or directory, file
 * not owned by the node's user (geteuid(); root-owned files are accepted as
 * system files), dlopen error, missing entry point, wrong ABI version,
 * incomplete descriptor, duplicate plugin name.  Never aborts. */
int mf_plugins_load(mf_plugins *p, const char *path, char *err, size_t errlen);

/* Number of loaded plugins. */
int mf_plugins_count(const mf_plugins *p);

/* New reference: [{name, version, region, description, path, model, formats:[…]}]. */
json_t *mf_plugins_list_json(const mf_plugins *p);

/* The (first) plugin whose region is `region`, or NULL. */
const struct mf_plugin *mf_plugins_for_region(const mf_plugins *p, const char *region);

/*
 * Import the document at path.  plugin/format may be NULL: every format of
 * every plugin is probed and the best score wins.  A document whose plugin's
 * region is not the node's region is refused.  year: --year, or 0.
 *
 * Success: 0, *records a new JSON array of {"id","kind","body"} objects,
 * err "PLUGIN/FORMAT" (what read the document).
 * Failure: -1, *records NULL, err "FILE:LINE: message" (or "FILE: message"
 * when no line applies).  *diag is always set (new reference): an array of
 * {"level":"error"|"warning","file","line","message"}.
 */
int mf_plugins_import(mf_plugins *p, const char *path, const char *plugin, const char *format,
		      int year, json_t **records, json_t **diag, char *err, size_t errlen);

/* Same, on a document already in memory (data need not be NUL-terminated;
 * `path` is only used in messages).  Used by the fuzz test. */
int mf_plugins_import_mem(mf_plugins *p, const char *path, const char *data, size_t len,
			  const char *plugin, const char *format, int year,
			  json_t **records, json_t **diag, char *err, size_t errlen);

/*
 * import --whole (doc/PLUGIN.md, "Complete documents"): the operator states
 * that the documents imported from now on are whole as they are, so what a
 * plugin reports through host->incomplete (the document lacks what its
 * genre ends with) is a warning marked "incomplete": true in *diag, and the
 * import goes on.  Without it such a report refuses the document like an
 * error; when nothing else refused it, err ends with MF_WHOLE_HINT and
 * mf_plugins_refused_incomplete() is 1 until the next import.
 */
void mf_plugins_set_whole(mf_plugins *p, int on);
int mf_plugins_refused_incomplete(const mf_plugins *p);
/* The end of such a refusal (the client shows it in the user's language). */
#define MF_WHOLE_HINT "if the document is whole as it is, import it with --whole"

/* Where loader messages go: level is enum mf_log_level.  Default: stderr.
 * NULL restores the default. */
void mf_plugins_set_logger(void (*fn)(int level, const char *msg));

/*
 * Deferred loading (the plugin host, mentorfed-plugin-host): with
 * deferred on, mf_plugins_load only checks, maps (dlopen) and finds the
 * entry point; mf_plugins_activate later calls every pending entry point
 * and checks its descriptor, so that the host can confine itself between
 * the two and no plugin code but ELF constructors runs unconfined.  A
 * plugin refused at activation is dropped and reported through `refused`
 * (or the logger when NULL).  Returns the number activated.
 */
void mf_plugins_set_deferred(mf_plugins *p, int on);
int mf_plugins_activate(mf_plugins *p, void (*refused)(void *arg, const char *path,
							const char *err), void *arg);

/* Called with a plugin's name (or its path before its entry point has
 * run) each time the host is about to run that plugin's code; the plugin
 * host uses it to name the plugin when it crashes or is killed. */
void mf_plugins_set_enter_hook(void (*fn)(const char *name));
void mf_plugins_enter(const char *name);

/* The host table handed to plugins (for tests and tools). */
const struct mf_host_api *mf_plugins_host_api(void);

#endif
