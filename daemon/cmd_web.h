/*
 * cmd_web.h — control commands for mentorfed-web's pages (issue 13): the
 * web holds no store handle, so what a page shows is computed here, in
 * one request, rather than by many `list` calls.  All read-only.
 *
 *   web_schools   {q?, municipality?, region?, league?, offset?, limit?}
 *                 -> {schools: [{id, name, short_name, municipality,
 *                    region, league}], total, municipalities, regions}
 *                 (q folded: case and ё/е; league "yes"/"no"/absent)
 *   web_school    {id} -> {school, cards, self_diagnosis, practices,
 *                    pairs, offers, applications, decisions, names}
 *   web_federation {} -> {region, regions: [{region, name, seq, records,
 *                    tombstones, by_kind, forks, last_arrived}]}
 *   web_names     {ids: [...]} -> {names: {id: name}}
 *   web_calendar  {} -> {entries: [{type, id, region, title, from, to}]}
 */
#ifndef MF_CMD_WEB_H
#define MF_CMD_WEB_H

#include <jansson.h>

#include "ctl.h"

json_t *mf_cmd_web_schools(mf_daemon *d, json_t *req);
json_t *mf_cmd_web_school(mf_daemon *d, json_t *req);
json_t *mf_cmd_web_federation(mf_daemon *d, json_t *req);
json_t *mf_cmd_web_names(mf_daemon *d, json_t *req);
json_t *mf_cmd_web_calendar(mf_daemon *d, json_t *req);

#endif
