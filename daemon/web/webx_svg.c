/*
 * webx_svg.c — the roadmaps' timeline as SVG, rendered by the server (no
 * script): one row per roadmap item, grouped by region; each of the
 * item's intervals a bar coloured by the status its region's model gave
 * it at the chosen date; that date a vertical line; months on an axis.
 *
 * Colours are SVG presentation attributes, not style attributes, so that
 * the page's Content-Security-Policy (no inline style or script) holds.
 * Every text (titles, numbers) goes through the escaping output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "webx.h"

#define LABEL_W 330	/* item labels, left */
#define CHART_W 640	/* the time axis */
#define ROW_H 16
#define HEAD_H 34	/* month axis */
#define MAX_ROWS 400	/* more rows than a page can show usefully */

/* Days since 1970-01-01 of "YYYY-MM-DD" (civil calendar), or -1. */
static long
day_of(const char *s)
{
	int y, m, d;
	long era, yoe, doy, doe;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *
status_fill(const char *st)
{
	static const struct {
		const char *status, *fill;
	} fills[] = {
		{ "overdue", "#c0392b" },
		{ "in_progress", "#2e86c1" },
		{ "continuous", "#7fb3d5" },
		{ "planned", "#aab7b8" },
		{ "done", "#27ae60" },
		{ "unknown", "#f5b041" },
	};

	for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
		if (st && strcmp(st, fills[i].status) == 0)
			return fills[i].fill;
	return "#f5b041";
}

typedef struct span {
	long lo, hi;
} span;

static void
widen(span *s, long d)
{
	if (d < 0)
		return;
	if (s->lo < 0 || d < s->lo)
		s->lo = d;
	if (s->hi < 0 || d > s->hi)
		s->hi = d;
}

/* The span of every interval and the chosen date. */
static span
range_of(json_t *reports, long at)
{
	span s = { -1, -1 };
	json_t *rep, *rm, *it, *iv;
	size_t i, j, k, l;

	widen(&s, at);
	json_array_foreach(reports, i, rep)
		json_array_foreach(json_object_get(rep, "roadmaps"), j, rm)
			json_array_foreach(json_object_get(rm, "items"), k, it)
				json_array_foreach(json_object_get(it, "intervals"), l, iv) {
					widen(&s, day_of(json_string_value(json_object_get(iv, "from"))));
					widen(&s, day_of(json_string_value(json_object_get(iv, "to"))));
				}
	if (s.lo < 0)
		s.lo = s.hi = 0;
	s.hi += 1;	/* "to" is inclusive */
	return s;
}

static double
x_of(const span *s, long d)
{
	return LABEL_W + (double)(d - s->lo) * CHART_W / (double)(s->hi - s->lo);
}

static int
count_rows(json_t *reports)
{
	json_t *rep, *rm;
	size_t i, j;
	int n = 0;

	json_array_foreach(reports, i, rep) {
		n++;	/* the region's heading */
		json_array_foreach(json_object_get(rep, "roadmaps"), j, rm)
			n += (int)json_array_size(json_object_get(rm, "items"));
	}
	return n > MAX_ROWS ? MAX_ROWS : n;
}

/* The months on the axis: a tick and «мар 2025»-like label every month
 * (every 3rd when the span is long). */
static void
axis(web_req *r, web_out *o, const span *s, int height)
{
	static const char *const ru[] = { "янв", "фев", "мар", "апр", "май", "июн",
					  "июл", "авг", "сен", "окт", "ноя", "дек" };
	static const char *const en[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y0, m0, y1, m1, step;
	char d[16];
	long months;

	/* from the first month of the span to its last */
	{
		long z = s->lo + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		m0 = (int)(mp < 10 ? mp + 3 : mp - 9);
		y0 = (int)(yoe + era * 400 + (m0 <= 2));
	}
	{
		long z = s->hi - 1 + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		m1 = (int)(mp < 10 ? mp + 3 : mp - 9);
		y1 = (int)(yoe + era * 400 + (m1 <= 2));
	}
	months = (long)(y1 - y0) * 12 + (m1 - m0) + 1;
	step = months > 36 ? 6 : months > 12 ? 3 : 1;
	for (int y = y0, m = m0; y < y1 || (y == y1 && m <= m1);) {
		double x;
		snprintf(d, sizeof(d), "%04d-%02d-01", y, m);
		x = x_of(s, day_of(d));
		if (x >= LABEL_W) {
			web_rawf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>", x,
				 HEAD_H - 6, x, height);
			if ((m - 1) % step == 0)
				web_printf(o, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s %d</text>",
					   x + 2, HEAD_H - 10, strcmp(r->lang, "en") == 0 ? en[m - 1] : ru[m - 1], y);
		}
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
}

/* One item's row: its label and bars. */
static void
item_row(web_req *r, web_out *o, const span *s, json_t *it, int y)
{
	const char *st = json_string_value(json_object_get(it, "status"));
	const char *num = json_string_value(json_object_get(it, "number"));
	const char *title = json_string_value(json_object_get(it, "title"));
	const char *raw = json_string_value(json_object_get(it, "timing_raw"));
	json_t *ivs = json_object_get(it, "intervals"), *iv;
	char label[96];
	size_t i, k = 0;

	/* a label of whole characters: cut by code points, not bytes */
	if (title == NULL)
		title = "";
	for (size_t n = 0; title[k] && n < 42; n++) {
		k++;
		while ((title[k] & 0xC0) == 0x80)
			k++;
	}
	snprintf(label, sizeof(label), "%.*s%s", (int)k, title, title[k] ? "…" : "");
	web_printf(o, "<g class=\"item\"><title>%s %s — %s: %s</title>", num ? num : "", title,
		   raw ? raw : "", web_label(r, "item_status", st ? st : "unknown"));
	web_printf(o, "<text x=\"4\" y=\"%d\" font-size=\"11\">%s %s</text>", y + ROW_H - 4,
		   num ? num : "", label);
	if (json_array_size(ivs) == 0) {
		/* no interval that could be read: a mark, in the status colour */
		web_rawf(o, "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"%d\" fill=\"%s\"/>", LABEL_W,
			 y + 3, ROW_H - 6, status_fill(st));
	}
	json_array_foreach(ivs, i, iv) {
		long a = day_of(json_string_value(json_object_get(iv, "from")));
		long b = day_of(json_string_value(json_object_get(iv, "to")));
		double x0, x1;
		if (a < 0 || b < a)
			continue;
		x0 = x_of(s, a);
		x1 = x_of(s, b + 1);
		web_rawf(o, "<rect class=\"bar\" data-status=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"/>",
			 st && strspn(st, "abcdefghijklmnopqrstuvwxyz_") == strlen(st) ? st : "unknown",
			 x0, y + 3, x1 - x0 < 2 ? 2 : x1 - x0, ROW_H - 6, status_fill(st));
	}
	web_raw(o, "</g>\n");
}

void
webx_timeline_svg(web_req *r, web_out *o, json_t *reports, const char *at)
{
	static const char *const legend[] = { "overdue", "in_progress", "continuous", "planned",
					      "done", "unknown", NULL };
	long atd = day_of(at);
	span s = range_of(reports, atd);
	int rows = count_rows(reports), height = HEAD_H + rows * ROW_H + 28, y = HEAD_H, n = 0;
	json_t *rep, *rm, *it;
	size_t i, j, k;
	double ax;

	web_rawf(o, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
		 LABEL_W + CHART_W + 10, height, LABEL_W + CHART_W + 10, height);
	web_printf(o, "<title>%s</title>", web_t(r, "Roadmap timeline"));
	axis(r, o, &s, height - 28);
	json_array_foreach(reports, i, rep) {
		if (n >= MAX_ROWS)
			break;
		web_rawf(o, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eef2f5\"/>", y,
			 LABEL_W + CHART_W, ROW_H);
		web_printf(o, "<text x=\"4\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">%s</text>",
			   y + ROW_H - 4,
			   webx_region_name(r, json_string_value(json_object_get(rep, "region"))));
		y += ROW_H;
		n++;
		json_array_foreach(json_object_get(rep, "roadmaps"), j, rm)
			json_array_foreach(json_object_get(rm, "items"), k, it) {
				if (n >= MAX_ROWS)
					break;
				item_row(r, o, &s, it, y);
				y += ROW_H;
				n++;
			}
	}
	if (atd >= 0) {
		ax = x_of(&s, atd);
		web_rawf(o, "<line id=\"at-line\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>",
			 ax, HEAD_H - 8, ax, y);
		web_rawf(o, "<text x=\"%.1f\" y=\"10\" font-size=\"11\" text-anchor=\"middle\">", ax);
		web_date(r, o, at);
		web_raw(o, "</text>");
	}
	/* the legend under the rows */
	for (int l = 0, x = 4; legend[l]; l++) {
		const char *t = web_label(r, "item_status", legend[l]);
		web_rawf(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>", x, y + 10,
			 status_fill(legend[l]));
		web_printf(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", x + 16, y + 19, t);
		/* ~6.5 px a character at this size: count characters, not bytes */
		int nch = 0;
		for (const char *p = t; *p; p++)
			nch += (*p & 0xC0) != 0x80;
		x += 28 + nch * 13 / 2;
	}
	web_raw(o, "</svg>\n");
}
