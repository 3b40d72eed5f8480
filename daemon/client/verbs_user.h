/*
 * verbs_user.h — `mentorfed user add|list|del`: the accounts of the
 * node's web page (mentorfed-web, doc/WEB.md), kept in DATADIR/web-users.
 * VERBS_USER is the verb's entry of the verb table in main.c.
 */
#ifndef MF_CLIENT_VERBS_USER_H
#define MF_CLIENT_VERBS_USER_H

int v_user(int argc, char **argv);

#define VERBS_USER							\
	{ "user", v_user,						\
	  "user add NAME --role viewer|methodologist|operator [--password-file F]\n" \
	  "       user list | user del NAME",				\
	  N_("Accounts of the web page (mentorfed-web).  The password is asked on the\n" \
	  "terminal twice, or read from the first line of --password-file F or of\n" \
	  "standard input when it is not a terminal; it is stored as an Argon2id hash in\n" \
	  "DATADIR/web-users.  'add' of an existing name changes its role and password.\n" \
	  "Roles: viewer reads; methodologist also proposes and answers pairs, offers,\n" \
	  "applies and decides internships, reports roadmap items; operator also imports\n" \
	  "documents.  The web page sees a change at the user's next click.") },

#endif
