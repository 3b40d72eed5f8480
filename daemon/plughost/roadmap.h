/*
 * roadmap.h — judging a region's roadmaps (plans) at a date.
 *
 * The status of each item is decided by the roadmap model of the plugin
 * whose region owns the roadmap (struct mf_plugin.item_status); a region
 * without a plugin, or a plugin without a model, gets the generic model
 * below.  Whatever the model says, `done` is only accepted when a
 * roadmap_item_report dated on or before the date says done and carries
 * evidence (GLOSSARY).
 */
#ifndef MF_ROADMAP_H
#define MF_ROADMAP_H

#include <jansson.h>
#include "mentorfed-plugin.h"
#include "plugin_loader.h"
#include "generic_model.h"

/*
 * records: a JSON array of stored records {"id","kind","origin","body":{…}}
 * of kinds roadmap, roadmap_item, roadmap_item_report and target (others are
 * ignored; deleted records, without a body, too).  Only records whose origin
 * is `region` are used (a record without "origin" is accepted).
 *
 * Returns a new object:
 *   {"region", "model": name or "generic", "at": "YYYY-MM-DD",
 *    "roadmaps": [{"id","title","issuer","order_number","order_date",
 *                  "period_from","period_to","model",
 *                  "items": [{"id","number","section","title","timing_raw",
 *                             "status","intervals":[{"from","to"}],
 *                             "continuous","uncertain","lead","co_executors",
 *                             "expected_result","report":{…} (latest, if any)}],
 *                  "targets": [{"id","indicator","value","unit","population",
 *                               "deadline","forms","actual","has_actual","state"}]}],
 *    "targets": [targets not tied to a roadmap],
 *    "orphan_items": [items whose roadmap is not among the records]}
 * Items are sorted overdue first, then by number (numerically: "2" < "10").
 * Target state: "met" (actual >= value), "pending" (not met, deadline not
 * passed or none), "missed" (deadline passed, actual below value), "no_data"
 * (deadline passed, no actual value).
 * p may be NULL (generic model).  NULL only on allocation failure.
 */
json_t *mf_roadmap_judge(const mf_plugins *p, const char *region, mf_date at, json_t *records);

#endif
