/*
 * Pseudo-terminals whose master the process holds (script, expect, a
 * terminal emulator): the stub makes a new pty from /dev/ptmx, so what is
 * kept is the pair's settings, not its number. A pty is taken when its
 * slave is open only in the process, or closed everywhere; and only when
 * nothing is queued in it, since a tty's queue cannot be read without
 * consuming it. Everything here reads through freeze's own copies of the
 * fds (pidfd_getfd): the pty is left exactly as it was.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "freeze.h"
#include "tty/tty.h"

#define PTMX_MAJOR 5
#define PTMX_MINOR 2
#define PTS_MAJOR_FIRST 136 /* UNIX98 slaves: 136..143, 256 minors each */
#define PTS_MAJORS 8

bool is_pty_master(const struct stat *st)
{
	return S_ISCHR(st->st_mode) &&
	       st->st_rdev == makedev(PTMX_MAJOR, PTMX_MINOR);
}

static void put_termios(struct fz_termios *r, const struct termios *tio)
{
	r->iflag = tio->c_iflag;
	r->oflag = tio->c_oflag;
	r->cflag = tio->c_cflag;
	r->lflag = tio->c_lflag;
	r->line = tio->c_line;
	for (int i = 0; i < FZ_TTY_NCC && i < NCCS; i++)
		r->cc[i] = tio->c_cc[i];
}

/*
 * The devpts instance a master belongs to: /dev/pts/ptmx is in it; for
 * /dev/ptmx the kernel takes the "pts" directory beside it, as seen from
 * the process's root. 0 when it cannot be told.
 */
static dev_t devpts_of(pid_t pid, const char *link, const struct stat *st)
{
	char path[FZ_PATH_MAX + 64];
	const char *slash = strrchr(link, '/');
	struct stat pts;

	if (!strncmp(link, "/dev/pts/", 9))
		return st->st_dev;
	if (!slash || link[0] != '/')
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/root%.*s/pts", (int)pid,
		 (int)(slash - link), link);
	return stat(path, &pts) == 0 ? pts.st_dev : 0;
}

/* Bytes waiting to be read on fd (FIONREAD), or -errno. */
static int queued(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) < 0 ? -errno : n;
}

static int read_master(int copy, struct pty_entry *p)
{
	struct pollfd pf = { .fd = copy, .events = POLLIN };
	struct termios tio;
	struct winsize ws;
	unsigned n;
	int v = 0;

	if (ioctl(copy, TIOCGPTN, &n) < 0 || tcgetattr(copy, &tio) < 0 ||
	    ioctl(copy, TIOCGWINSZ, &ws) < 0)
		return -errno;
	p->rec.id = n;
	put_termios(&p->rec.termios, &tio);
	p->rec.rows = ws.ws_row;
	p->rec.cols = ws.ws_col;
	p->rec.xpixel = ws.ws_xpixel;
	p->rec.ypixel = ws.ws_ypixel;
	if (ioctl(copy, TIOCGPKT, &v) == 0 && v)
		p->rec.flags |= FZ_PTYF_PACKET;
	if (ioctl(copy, TIOCGPTLCK, &v) == 0 && v)
		p->rec.flags |= FZ_PTYF_LOCKED;
	p->hung_up = poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP);
	p->slave_rdev = makedev(PTS_MAJOR_FIRST + n / 256, n % 256);
	return 0;
}

int collect_pty_master(struct target *t, struct fd_entry *e, const char *link,
		       const struct stat *st)
{
	struct pty_entry p = { .rec = { .master_fd = e->rec.fd } };
	int copy = pidfd_dup(t->pid, e->rec.fd), err, n = 0;

	err = copy < 0 ? copy : read_master(copy, &p);
	if (!err)
		n = queued(copy);
	if (copy >= 0)
		close(copy);
	if (err)
		return fail(err, "process %d: fd %d: reading the pty master",
			    (int)t->pid, e->rec.fd);
	if (n > 0)
		return fail(-ENOTSUP, "process %d: fd %d, the master of pty %u, has "
			    "%d bytes its slave wrote, not read yet: not supported "
			    "(a terminal's queue cannot be read without consuming it)",
			    (int)t->pid, e->rec.fd, (unsigned)p.rec.id, n);
	p.slave_dev = devpts_of(t->pid, link, st);
	e->rec.object_id = p.rec.id;
	if (append_item(&t->ptys, &t->nptys, sizeof(p), &p))
		return fail(-ENOMEM, "collecting ptys");
	return 0;
}

const struct pty_entry *pty_of_slave(const struct target *t, const struct stat *st)
{
	if (!S_ISCHR(st->st_mode) || major(st->st_rdev) < PTS_MAJOR_FIRST ||
	    major(st->st_rdev) >= PTS_MAJOR_FIRST + PTS_MAJORS)
		return NULL;
	for (size_t i = 0; i < t->nptys; i++)
		if (t->ptys[i].slave_rdev == st->st_rdev &&
		    (!t->ptys[i].slave_dev || t->ptys[i].slave_dev == st->st_dev))
			return &t->ptys[i];
	return NULL;
}

/* The first fd of the process on the slave of pty p, or -1. */
static int first_slave_fd(const struct target *t, const struct pty_entry *p)
{
	for (size_t i = 0; i < t->nfds; i++)
		if (t->fds[i].rec.kind == FZ_FD_PTY_SLAVE &&
		    t->fds[i].rec.object_id == p->rec.id)
			return t->fds[i].rec.fd;
	return -1;
}

/* Nothing typed into the master that the slave has not read. */
static int check_slave(struct target *t, struct pty_entry *p, int fd)
{
	int copy = pidfd_dup(t->pid, fd), err = 0, n = 0;

	if (copy < 0 || (n = queued(copy)) < 0)
		err = copy < 0 ? copy : n;
	if (copy >= 0)
		close(copy);
	if (err)
		return fail(err, "process %d: fd %d: reading the pty slave",
			    (int)t->pid, fd);
	if (n > 0)
		return fail(-ENOTSUP, "process %d: fd %d, the slave of pty %u, has "
			    "%d bytes its master wrote, not read yet: not supported "
			    "(a terminal's queue cannot be read without consuming it)",
			    (int)t->pid, fd, (unsigned)p->rec.id, n);
	return 0;
}

/*
 * A pty that cannot be taken: refused, or with --unsupported-fds=null its
 * fds become /dev/null and the pty is not recorded (id 0).
 */
static int untaken(struct target *t, const struct options *o, struct pty_entry *p,
		   const char *why)
{
	if (o->unsupported_fds != FD_TO_NULL)
		return fail(-ENOTSUP, "process %d: fd %d is the master of pty %u, %s: "
			    "not supported (--unsupported-fds=null replaces its fds "
			    "by /dev/null)", (int)t->pid, p->rec.master_fd,
			    (unsigned)p->rec.id, why);
	warning("fd %d (the master of pty %u, %s) and the fds on its slave will "
		"be /dev/null after resume", p->rec.master_fd, (unsigned)p->rec.id, why);
	for (size_t i = 0; i < t->nfds; i++) {
		struct fz_fd *f = &t->fds[i].rec;
		if ((f->kind == FZ_FD_PTY_MASTER || f->kind == FZ_FD_PTY_SLAVE) &&
		    f->object_id == p->rec.id) {
			f->kind = FZ_FD_NULL;
			f->object_id = 0;
		}
	}
	p->dropped = true;
	return 0;
}

static int settle_pty(struct target *t, const struct options *o,
		      struct pty_entry *p, dev_t ctty)
{
	int fd = first_slave_fd(t, p);

	if (ctty && ctty == p->slave_rdev)
		return untaken(t, o, p, "its own controlling terminal (a resumed "
			       "process cannot take a new session)");
	if (fd >= 0)
		return check_slave(t, p, fd);
	if (!p->hung_up)
		return untaken(t, o, p, "whose slave is open in another process "
			       "(or was never opened)");
	p->rec.flags |= FZ_PTYF_SLAVE_CLOSED;
	return 0;
}

int finish_ptys(struct target *t, const struct options *o)
{
	dev_t ctty = 0;
	bool foreground;
	int err;

	if (!t->nptys)
		return 0;
	if ((err = tty_read_ctty(t->pid, &ctty, &foreground, NULL)))
		return fail(err, "process %d: reading its controlling terminal",
			    (int)t->pid);
	for (size_t i = 0; i < t->nptys; i++)
		if ((err = settle_pty(t, o, &t->ptys[i], ctty)))
			return err;
	return 0;
}
