/*
 * The process's terminal: the one ./out.bin runs on is found before the
 * point of no return (prepare_tty.c); settings, foreground group and a
 * SIGWINCH after it (restore_tty.c).
 */
#ifndef FREEZE_STUB_TTY_H
#define FREEZE_STUB_TTY_H

#include "stub.h"

/* After prepare_fds; prepare_tty_fd is prepare_fds's step for an
   FZ_FD_TTY fd. */
void prepare_tty(struct stub *st);
int prepare_tty_fd(struct stub *st, const struct fz_fd *f);
int tty_is_terminal(int fd);
/*
 * Did the process own the terminal's mode? Not when the terminal was its
 * controlling one and another group (the shell, another job) had it in the
 * foreground: the settings then were that group's.
 */
int tty_owns_mode(const struct fz_tty *rec);
/*
 * prepare_pty.c: prepare_fds's steps for the ptys whose master the process
 * held: a new pty for each master fd, then (once every master is open)
 * each fd on a slave opened from its master.
 */
int prepare_pty_master(const struct stub *st, const struct fz_fd *f);
void prepare_pty_slaves(struct stub *st);
/* Before restore_signals. */
void restore_tty(const struct stub *st);

#endif
