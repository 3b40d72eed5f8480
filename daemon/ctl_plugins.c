/*
 * ctl_plugins.c — the daemon's plugin commands: load the plugin directory
 * at start, `import`, `plugin_list`, `plugin_load` and `roadmap`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "json.h"
#include "log.h"
#include "plugin_loader.h"
#include "roadmap.h"
#include "store.h"

static void
plugin_log(int level, const char *msg)
{
	mf_log(level, "plugin: %s", msg);
}

int
mf_daemon_plugins_start(mf_daemon *d)
{
	int n;

	mf_plugins_set_logger(plugin_log);
	if ((d->plugins = mf_plugins_new(d->node->cfg->region)) == NULL) {
		mf_err("plugins: out of memory");
		return -1;
	}
	n = mf_plugins_load_dir(d->plugins, d->node->cfg->plugin_dir);
	mf_info("%d plugin%s loaded from %s", n, n == 1 ? "" : "s", d->node->cfg->plugin_dir);
	return 0;
}

void
mf_daemon_plugins_stop(mf_daemon *d)
{
	mf_plugins_free(d->plugins);
	d->plugins = NULL;
}

static json_t *
cmd_import(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *plugin = json_string_value(json_object_get(req, "plugin"));
	const char *format = json_string_value(json_object_get(req, "format"));
	int year = (int)json_integer_value(json_object_get(req, "year"));
	json_t *records = NULL, *diag = NULL, *rep;
	char err[1024];

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "import: path missing");
	if (mf_plugins_import(d->plugins, path, plugin, format, year, &records, &diag, err,
			      sizeof(err)) != 0) {
		rep = mf_reply_error(EX_DATAERR, "%s", err);
		json_object_set_new(rep, "diagnostics", diag ? diag : json_array());
		mf_warn("import of %s refused: %s", path, err);
		return rep;
	}
	rep = mf_ctl_put_records(d, records);
	if (json_is_true(json_object_get(rep, "ok"))) {
		json_object_set_new(rep, "records", json_integer((json_int_t)json_array_size(records)));
		json_object_del(rep, "ids");
		mf_info("imported %s: %zu records, %lld changed", path, json_array_size(records),
			(long long)json_integer_value(json_object_get(rep, "changed")));
	} else {
		/* the plugin produced records the store refused: name the document */
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: %s", path,
			 json_string_value(json_object_get(rep, "error")));
		json_object_set_new(rep, "error", json_string(msg));
		json_object_del(rep, "index");
	}
	json_object_set_new(rep, "diagnostics", diag ? diag : json_array());
	json_decref(records);
	return rep;
}

static json_t *
cmd_plugin_list(mf_daemon *d)
{
	json_t *rep = mf_reply_ok();

	json_object_set_new(rep, "plugins", mf_plugins_list_json(d->plugins));
	return rep;
}

static json_t *
cmd_plugin_load(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	char err[1024];

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "plugin load: path missing");
	if (mf_plugins_load(d->plugins, path, err, sizeof(err)) != 0) {
		mf_warn("plugin refused: %s", err);
		return mf_reply_error(EX_DATAERR, "%s", err);
	}
	mf_info("plugin loaded from %s", path);
	return cmd_plugin_list(d);
}

typedef struct rm_collect {
	json_t *arr;
} rm_collect;

static int
rm_fn(void *arg, const mf_record *r)
{
	rm_collect *c = arg;
	json_t *j = mf_record_json(r);

	if (j == NULL)
		return -1;
	json_array_append_new(c->arr, j);
	return 0;
}

static json_t *
cmd_roadmap(mf_daemon *d, json_t *req)
{
	static const char *const kinds[] = { "roadmap", "roadmap_item", "roadmap_item_report",
					     "target", NULL };
	const char *region = json_string_value(json_object_get(req, "region"));
	const char *at = json_string_value(json_object_get(req, "at"));
	mf_date date;
	rm_collect c;
	json_t *report, *rep;

	if (region == NULL)
		return mf_reply_error(EX_USAGE, "roadmap: region missing");
	if (at != NULL) {
		if (sscanf(at, "%4d-%2d-%2d", &date.year, &date.month, &date.day) != 3 ||
		    date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31)
			return mf_reply_error(EX_USAGE, "--at: expected a date YYYY-MM-DD, got '%s'", at);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		date.year = tm.tm_year + 1900;
		date.month = tm.tm_mon + 1;
		date.day = tm.tm_mday;
	}
	c.arr = json_array();
	for (int i = 0; kinds[i]; i++)
		if (mf_store_each(d->node->store, kinds[i], region, 0, rm_fn, &c) != 0) {
			json_decref(c.arr);
			return mf_reply_error(EX_SOFTWARE, "store read failed");
		}
	report = mf_roadmap_judge(d->plugins, region, date, c.arr);
	json_decref(c.arr);
	if (report == NULL)
		return mf_reply_error(EX_SOFTWARE, "roadmap: judging failed");
	rep = mf_reply_ok();
	json_object_set_new(rep, "report", report);
	return rep;
}

json_t *
mf_ctl_plugins_dispatch(mf_daemon *d, const char *cmd, json_t *req)
{
	if (d->plugins == NULL)
		return NULL;
	if (strcmp(cmd, "import") == 0)
		return cmd_import(d, req);
	if (strcmp(cmd, "plugin_list") == 0)
		return cmd_plugin_list(d);
	if (strcmp(cmd, "plugin_load") == 0)
		return cmd_plugin_load(d, req);
	if (strcmp(cmd, "roadmap") == 0)
		return cmd_roadmap(d, req);
	return NULL;
}
