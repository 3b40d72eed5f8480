/*
 * verbs_backup.h — the client's verbs for the store and our own chain
 * (doc/OPERATIONS.md): backup, restore, fork.  VERBS_BACKUP is their
 * entries of the verb table in main.c.
 */
#ifndef MF_CLIENT_VERBS_BACKUP_H
#define MF_CLIENT_VERBS_BACKUP_H

int v_backup(int argc, char **argv);
int v_restore(int argc, char **argv);
int v_fork(int argc, char **argv);

#define VERBS_BACKUP							\
	{ "backup", v_backup, "backup FILE",				\
	  N_("Write a consistent copy of the store to the new file FILE, while the daemon\n" \
	  "runs (or without it).  See doc/OPERATIONS.md.") },		\
	{ "restore", v_restore, "restore FILE",				\
	  N_("Put the backup FILE in place of the store (the daemon must be stopped; the\n" \
	  "old store is kept as store.db.before-restore).  At its next start the node\n" \
	  "takes back from its peers the records of its region newer than the backup\n" \
	  "and refuses local writes until it has.") },			\
	{ "fork", v_fork, "fork show | fork adopt",			\
	  N_("The state of this region's own history.  After a fork of it (two different\n" \
	  "signed records for one seq), 'adopt' takes the chain the federation holds\n" \
	  "and seals this node's local-only records again after it, as new versions.") },

#endif
