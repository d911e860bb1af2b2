/* The process's terminal. */
#ifndef FREEZE_TTY_H
#define FREEZE_TTY_H

#include "freeze.h"

/*
 * collect_tty.c: after collect_fds: settle which terminal FZ_FD_TTY fds
 * are and record its settings. tty_leave_sane: before -k kills the
 * process, put a terminal it left in raw mode back to cooked mode.
 */
int collect_tty(struct target *t, const struct options *o);
void tty_leave_sane(const struct target *t, const struct options *o);
/* The controlling terminal (dev_t as /proc encodes it), 0 if none,
   whether the process's group is in its foreground, and (leader: may be
   NULL) whether it leads the terminal's session. */
int tty_read_ctty(pid_t pid, dev_t *ctty, bool *foreground, bool *leader);

/*
 * collect_pty.c, called by collect_fds: ptys whose master the process
 * holds. collect_pty_master records the pty of a master fd (e->rec.object_id
 * gets its id); pty_of_slave finds the recorded pty a device is the slave
 * of, if any; finish_ptys, once the slaves are classified, reads their
 * settings and refuses a pty it cannot bring back.
 */
struct stat;
bool is_pty_master(const struct stat *st);
int collect_pty_master(struct target *t, struct fd_entry *e, const char *link,
		       const struct stat *st);
const struct pty_entry *pty_of_slave(const struct target *t, const struct stat *st);
int finish_ptys(struct target *t, const struct options *o);

#endif
