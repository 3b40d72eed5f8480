/*
 * webx.h — helpers shared by the exchange pages of mentorfed-web (Поиск
 * наставника, Пары, Стажировки, Дорожные карты): picking a school by its
 * name, direction check boxes, states as coloured labels, region names,
 * and the server-rendered SVG timeline of the roadmaps page.
 *
 * Everything writes through web.h's escaping output; nothing here talks to
 * the store: schools and records come from the daemon (web_call).
 */
#ifndef MF_WEBX_H
#define MF_WEBX_H

#include <jansson.h>

#include "web.h"

/* The exchange pages (one line each in web.c's table). */
web_page_fn page_mentor, page_pairs, page_internships, page_roadmaps;

/* The directions of the glossary, in the proto's order (identifiers). */
extern const char *const webx_directions[];

/* A region's name ("RU-TOM" -> «Томская область»), the code when unknown. */
const char *webx_region_name(web_req *r, const char *code);

/* 1 when the record or school id is of this node's region. */
int webx_mine(web_req *r, const char *id);

/* Every school record the daemon holds (region NULL: all), as the `list`
 * reply's array (new reference; an empty array when the daemon fails). */
json_t *webx_schools(web_req *r, const char *region);
/* The school's display name from a school record (short name first). */
const char *webx_school_name(json_t *rec);
/*
 * A school given as the user typed it: an id, an exact name (case and ё
 * folded), or a part of one name.  Returns the id (borrowed from schools)
 * or NULL; *nmatch says how many matched (0: none, >1: ambiguous).
 */
const char *webx_school_find(json_t *schools, const char *text, int *nmatch);
/*
 * The same for what the user typed in a form, asked of the daemon's
 * school index (`web_schools` with q: only the schools whose name holds
 * the text travel, not the federation's every school record).  region
 * NULL: any region.  Returns the id (malloc'd) or NULL; *nmatch as above.
 */
char *webx_school_resolve(web_req *r, const char *region, const char *text, int *nmatch);
/* <datalist id="dlid"> of the schools' names (escaped). */
void webx_datalist(web_out *o, const char *dlid, json_t *schools);

/* Check boxes named "dir" for every direction, ticked when in `ticked`. */
void webx_dir_boxes(web_req *r, web_out *o, json_t *ticked);
/* The ticked "dir" fields as a JSON array of identifiers (unknown ones
 * dropped). */
json_t *webx_dirs_arg(web_req *r);
/* The directions (identifiers) as «Знание, Здоровье». */
void webx_dirs_text(web_req *r, web_out *o, json_t *dirs);

/* <span class="st st-VALUE">label</span> of an enum value of family. */
void webx_state(web_req *r, web_out *o, const char *family, const char *value);

/* Today as YYYY-MM-DD (buf of 11). */
char *webx_today(char *buf);

/* A reply's error as a flash message and a redirect back (writes), or
 * the success message. */
int webx_after_write(web_req *r, web_out *o, json_t *rep, const char *back, const char *okmsg);

/*
 * The roadmaps' timeline: one row per item (grouped by region), each
 * interval a bar coloured by the item's status, the chosen date `at` a
 * vertical line, the months on an axis.  reports: the data array of
 * report_roadmaps.  Text in the SVG is escaped like any other.
 */
void webx_timeline_svg(web_req *r, web_out *o, json_t *reports, const char *at);

#endif
