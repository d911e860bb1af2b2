/*
 * The process's terminal, on resume. Its fds 0-2 that were its terminal
 * are the resumer's own fds (the standard-stream policy); its other
 * terminal fds become copies of the terminal ./out.bin was started on, the
 * first of its fds 0-2 that is one. That terminal then gets the process's
 * settings back (raw mode for an editor), the process is made its
 * foreground group when it was one, and a SIGWINCH waits for it so it
 * redraws for the size of the new terminal.
 */
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <asm/termbits.h>
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "print.h"
#include "sys.h"
#include "tty/tty.h"

/* Settings of the line itself, which stay the new terminal's own. */
#define LINE_CFLAGS (CBAUD | CIBAUD)

/*
 * A job the shell runs in the background stops here on SIGTTOU, like any
 * terminal program that sets its terminal from the background, until `fg`
 * makes it the foreground; the ioctl then goes through.
 */
static void set_settings(int fd, const struct fz_tty *rec)
{
	uint64_t ttou = 1ULL << (SIGTTOU - 1);
	struct termios now, t;
	long ret = sys_ioctl(fd, TCGETS, &now);

	if (ret < 0) {
		warn("cannot read the settings of this terminal: %s", errname(ret));
		return;
	}
	t = now;
	t.c_iflag = rec->iflag;
	t.c_oflag = rec->oflag;
	t.c_lflag = rec->lflag;
	t.c_cflag = (rec->cflag & ~LINE_CFLAGS) | (now.c_cflag & LINE_CFLAGS);
	for (int i = 0; i < FZ_TTY_NCC && i < NCCS; i++)
		t.c_cc[i] = rec->cc[i];
	sys_rt_sigprocmask(SIG_UNBLOCK, &ttou, 0);
	ret = sys_ioctl(fd, TCSETS, &t);
	sys_rt_sigprocmask(SIG_BLOCK, &ttou, 0);
	if (ret < 0)
		warn("cannot give this terminal the process's settings back: %s",
		     errname(ret));
}

/*
 * A shell with job control made ./out.bin the foreground already. Without
 * one (or with SIGTTOU ignored) the process's group takes the foreground
 * it had; a session leader without a controlling terminal takes this one.
 */
static void take_foreground(int fd, const struct fz_tty *rec)
{
	int me = (int)sys_getpgid(0), fg = 0;
	long ret = sys_ioctl(fd, TIOCGPGRP, &fg);

	if (ret == -ENOTTY && sys_getsid(0) == sys_getpid())
		ret = sys_ioctl(fd, TIOCSCTTY, 0);
	if (ret < 0) {
		warn("this terminal is not the controlling terminal of the "
		     "process: Ctrl-C and Ctrl-Z will not reach it");
		return;
	}
	if (fg == me || !(rec->flags & FZ_TTYF_FOREGROUND))
		return;
	ret = sys_ioctl(fd, TIOCSPGRP, &me);
	if (ret < 0)
		warn("cannot make the process the foreground of this terminal: %s",
		     errname(ret));
}

/* O_NONBLOCK and O_APPEND as the process had them on its terminal fds. */
static void restore_status_flags(const struct stub *st)
{
	for (unsigned i = 0; i < st->nfds; i++) {
		const struct prepared_fd *p = &st->fds[i];
		int fd = p->rec->fd <= 2 ? p->rec->fd : p->tmp;
		if (p->rec->kind == FZ_FD_TTY && fd >= 0 && tty_is_terminal(fd))
			sys_fcntl(fd, F_SETFL, p->rec->flags & (O_NONBLOCK | O_APPEND));
	}
}

void restore_tty(const struct stub *st)
{
	const struct fz_tty *rec = st->tty.rec;

	if (!rec || st->tty.fd < 0)
		return;
	if (tty_owns_mode(rec))
		set_settings(st->tty.fd, rec);
	take_foreground(st->tty.fd, rec);
	restore_status_flags(st);
	/*
	 * Signals stay blocked until the threads' own masks come back, and
	 * restore_signals keeps a pending signal the process handles: the
	 * process's handler runs first thing after resume.
	 */
	sys_kill((int)sys_getpid(), SIGWINCH);
}
