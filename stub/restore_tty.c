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
#include "stub.h"
#include "sys.h"

/* Settings of the line itself, which stay the new terminal's own. */
#define LINE_CFLAGS (CBAUD | CIBAUD)

static int is_terminal(int fd)
{
	struct termios t;

	return sys_ioctl(fd, TCGETS, &t) == 0;
}

static const char *tty_path(const struct fz_tty *rec)
{
	return (const char *)(rec + 1);
}

/*
 * Did the process own the terminal's mode? Not when the terminal was its
 * controlling one and another group (the shell, another job) had it in the
 * foreground: the settings then were that group's.
 */
static int owns_mode(const struct fz_tty *rec)
{
	return !(rec->flags & FZ_TTYF_CTTY) || (rec->flags & FZ_TTYF_FOREGROUND);
}

static void find_terminal(struct stub *st)
{
	if (st->tty.looked)
		return;
	st->tty.looked = 1;
	st->tty.fd = -1;
	st->tty.rec = image_find(&st->img, FZ_REC_TTY, 0);
	if (!st->tty.rec)
		return;
	for (int fd = 0; fd <= 2 && st->tty.fd < 0; fd++) {
		long copy;
		if (!is_terminal(fd))
			continue;
		copy = sys_fcntl(fd, F_DUPFD_CLOEXEC, st->max_fd + 1);
		if (copy < 0)
			die("cannot keep a copy of the terminal on fd %d: %s", fd,
			    errname(copy));
		st->tty.fd = (int)copy;
	}
	if (st->tty.fd < 0)
		warn("the process ran on terminal %s, but none of fds 0-2 of this "
		     "command is a terminal: it keeps the streams it is given and "
		     "its terminal settings are not restored",
		     tty_path(st->tty.rec));
}

void prepare_tty(struct stub *st)
{
	find_terminal(st);
}

int prepare_tty_fd(struct stub *st, const struct fz_fd *f)
{
	long fd;

	find_terminal(st);
	if (!st->tty.rec)
		die("image is damaged: fd %d is a terminal, but no terminal is "
		    "recorded", f->fd);
	if (f->fd <= 2) {
		if (st->tty.fd >= 0 && !is_terminal(f->fd))
			warn("fd %d was the process's terminal; it is the fd %d this "
			     "command was given, which is not a terminal", f->fd, f->fd);
		return INHERIT_FD;
	}
	if (st->tty.fd >= 0) {
		fd = sys_fcntl(st->tty.fd, F_DUPFD_CLOEXEC, st->max_fd + 1);
		if (fd < 0)
			die("cannot give fd %d the terminal: %s", f->fd, errname(fd));
		return (int)fd;
	}
	fd = sys_open("/dev/null", O_RDWR | O_CLOEXEC, 0);
	if (fd >= 0) {
		long high = sys_fcntl((int)fd, F_DUPFD_CLOEXEC, st->max_fd + 1);
		sys_close((int)fd);
		fd = high;
	}
	if (fd < 0)
		warn("fd %d (terminal %s) stays closed: no terminal and no "
		     "/dev/null here", f->fd, tty_path(st->tty.rec));
	else
		warn("fd %d (terminal %s) is /dev/null: no terminal here", f->fd,
		     tty_path(st->tty.rec));
	return (int)fd;
}

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
		if (p->rec->kind == FZ_FD_TTY && fd >= 0 && is_terminal(fd))
			sys_fcntl(fd, F_SETFL, p->rec->flags & (O_NONBLOCK | O_APPEND));
	}
}

void restore_tty(const struct stub *st)
{
	const struct fz_tty *rec = st->tty.rec;

	if (!rec || st->tty.fd < 0)
		return;
	if (owns_mode(rec))
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
