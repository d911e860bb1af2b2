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

#endif
