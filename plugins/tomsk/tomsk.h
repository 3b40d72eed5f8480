/*
 * tomsk.h — what the files of the Tomsk plugin share: the host table, the
 * text and school helpers (text.c, school.c) and one probe/import pair per
 * format (order.c, practices.c, forms.c, news.c, cards.c).  Everything here
 * is hidden inside the plugin (-fvisibility=hidden): the host sees only
 * mentorfed_plugin_entry (plugin.c).
 */
#ifndef TOMSK_H
#define TOMSK_H

#include <stddef.h>

#include "mentorfed-plugin.h"
#include "common/ptext.h"
#include "common/precord.h"

#define REGION "RU-TOM"
#define LEAGUE "Наставническая лига Томской области"

/* The host table, set by the entry point before any probe or import. */
extern const struct mf_host_api *H;

/* text.c */
int year_of_plan(const char *s, int need_plan);
const char *close_quote(const char *s);
int in_quotes(const char *s, size_t pos);
int quote_text(const char *q, char *out, size_t ol, const char **end);
void trim_end(char *s, const char *chars);
char *rfind(const char *s, const char *needle);
int split_responsible(const char *s, char parts[][512], int maxp);
const char *find_day_month(const char *s, int year, mf_period *per, const char **start);

/* school.c */
void split_school(const char *text, char *name, size_t nl, char *mun, size_t ml);
void school_key(const char *name, const char *mun, char *key, size_t kl);
int emit_school(mf_import *imp, const char *name, const char *mun, const char *source,
		const char *body, const char *basis, const char *since, char *key, size_t kl);
const char *find_school(const char *from, char *name, size_t nl, char *mun, size_t ml);

/* the formats */
int probe_order(const char *data, size_t len);
int import_order(mf_import *imp, const char *data, size_t len);
int probe_letter(const char *data, size_t len);
int import_letter(mf_import *imp, const char *data, size_t len);
int probe_page(const char *data, size_t len);
int import_page(mf_import *imp, const char *data, size_t len);
int probe_news(const char *data, size_t len);
int import_news(mf_import *imp, const char *data, size_t len);
int probe_cards(const char *data, size_t len);
int import_cards(mf_import *imp, const char *data, size_t len);

#endif
