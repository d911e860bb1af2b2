/*
 * The terminal ./out.bin runs on, found before the point of no return: the
 * process's fds on its terminal become the resumer's own.
 */
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <linux/fcntl.h>

#include "exit_status.h"
#include "print.h"
#include "sys.h"
#include "tty/tty.h"

int tty_is_terminal(int fd)
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
int tty_owns_mode(const struct fz_tty *rec)
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
		if (!tty_is_terminal(fd))
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
		die_with(FZ_EXIT_DAMAGED,
			 "image is damaged: fd %d is a terminal, but no terminal is "
			 "recorded",
			 f->fd);
	if (f->fd <= 2) {
		if (st->tty.fd >= 0 && !tty_is_terminal(f->fd))
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
