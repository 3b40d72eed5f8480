/*
 * precord.h — small helpers that fill records through the host table,
 * shared by the region plugins (header only, every function static; a
 * plugin links nothing but libc and calls the host only through the table
 * it was given).
 */
#ifndef MF_PRECORD_H
#define MF_PRECORD_H

#include "mentorfed-plugin.h"
#include "common/ptext.h"

/* Report an allocation failure at a line of the document; returns -1. */
static PT_UNUSED int
pr_oom(const struct mf_host_api *h, mf_import *imp, unsigned line)
{
	h->error(imp, line, "out of memory");
	return -1;
}

/*
 * The document states it holds `count` records of `kind` (host->expect):
 * the host refuses it at `line` when the import emits another number.  A
 * host older than the member has no such check; the plugin's own errors
 * (a numbering that jumps, a missing end) still refuse a cut document
 * there.
 */
static PT_UNUSED void
pr_expect(const struct mf_host_api *h, mf_import *imp, unsigned line, const char *kind,
	  unsigned count, const char *what)
{
	if (MF_HOST_HAS(h, expect) && h->expect)
		h->expect(imp, line, kind, count, what);
}

/*
 * The document lacks what its genre ends with (host->incomplete): refused
 * unless imported with --whole, then a warning.  A host older than the
 * member has no --whole: there it refuses the document as error() does,
 * which is what the check did before the member existed.
 */
static PT_UNUSED void pr_incomplete(const struct mf_host_api *h, mf_import *imp, unsigned line,
				    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static PT_UNUSED void
pr_incomplete(const struct mf_host_api *h, mf_import *imp, unsigned line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (MF_HOST_HAS(h, incomplete) && h->incomplete)
		h->incomplete(imp, line, "%s", msg);
	else
		h->error(imp, line, "%s; nothing was imported", msg);
}

/* 1 when per is exactly one day («21 февраля», «6 февраля 2023»). */
static PT_UNUSED int
pr_one_day(const mf_period *per)
{
	return per->n == 1 && per->iv[0].from.day == per->iv[0].to.day &&
	       per->iv[0].from.month == per->iv[0].to.month;
}

/*
 * The intervals and flags of a timing sub-message t from a parsed period.
 * The caller sets "raw" and warns about an uncertain period (it knows the
 * line and what the period belongs to).  0, or -1 when out of memory.
 */
static PT_UNUSED int
pr_set_period(const struct mf_host_api *h, mf_rec *t, const mf_period *per)
{
	char a[11], b[11];

	for (int i = 0; i < per->n; i++) {
		mf_rec *iv = h->rec_add_msg(t, "intervals");
		if (iv == NULL)
			return -1;
		h->rec_set(iv, "from", h->date_format(per->iv[i].from, a));
		h->rec_set(iv, "to", h->date_format(per->iv[i].to, b));
	}
	if (per->continuous)
		h->rec_set(t, "continuous", "true");
	if (per->year_assumed)
		h->rec_set(t, "year_assumed", "true");
	if (per->uncertain)
		h->rec_set(t, "uncertain", "true");
	return 0;
}

/* A school's identity: its full name and municipality. */
static PT_UNUSED void
pr_school_key(const char *name, const char *mun, char *key, size_t kl)
{
	pt_sfmt(key, kl, "%s|%s", name, mun);
}

/*
 * A new school record with its name, short name and municipality (both
 * optional: "" leaves them out) and region set; the caller adds what its
 * document says more (memberships, source) and emits it.  NULL when the
 * host refuses it.
 */
static PT_UNUSED mf_rec *
pr_school_new(const struct mf_host_api *h, mf_import *imp, const char *key,
	      const char *name, const char *shortn, const char *mun, const char *region)
{
	mf_rec *r = h->rec_new(imp, "school", key);

	if (r == NULL)
		return NULL;
	h->rec_set(r, "name", name);
	if (shortn[0])
		h->rec_set(r, "short_name", shortn);
	if (mun[0])
		h->rec_set(r, "municipality", mun);
	h->rec_set(r, "region", region);
	return r;
}

#endif
