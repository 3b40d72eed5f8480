/*
 * chelyabinsk.h — what the files of the Chelyabinsk plugin share: the host
 * table, the executors' reading (executors.c) and the roadmap format
 * (roadmap.c).  Everything here is hidden inside the plugin
 * (-fvisibility=hidden): the host sees only mentorfed_plugin_entry
 * (plugin.c).
 */
#ifndef CHELYABINSK_H
#define CHELYABINSK_H

#include <stddef.h>

#include "mentorfed-plugin.h"
#include "common/ptext.h"
#include "common/precord.h"

#define REGION "RU-CHE"

/* The host table, set by the entry point before any probe or import. */
extern const struct mf_host_api *H;

/* executors.c */
int split_exec(const char *s, char parts[][1024], int maxp);
int school_of(const char *part, char *name, size_t nl, char *mun, size_t ml, char *shortn,
	      size_t sl);

/* roadmap.c: format chelyabinsk-garant-roadmap */
int probe_roadmap(const char *data, size_t len);
int import_roadmap(mf_import *imp, const char *data, size_t len);

#endif
