/*
 * generic_model.h — the host's generic roadmap model, used by roadmap
 * judging and handed to plugins as host->generic_status.
 */
#ifndef MF_GENERIC_MODEL_H
#define MF_GENERIC_MODEL_H

#include "mentorfed-plugin.h"

/* The generic model: done only with done_reported; uncertain -> unknown;
 * continuous -> planned before / overdue after the covered span
 * (intervals, else the roadmap's period), continuous inside; otherwise
 * in_progress inside an interval, planned before the first or between
 * two, overdue after the last; no interval -> unknown. */
enum mf_item_status mf_roadmap_generic_status(const mf_item_view *item, mf_date at);

/* "planned", "in_progress", … for a status; "unspecified" otherwise. */
const char *mf_item_status_name(enum mf_item_status s);

#endif
