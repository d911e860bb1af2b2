/*
 * The ptys whose master the process held, made anew from /dev/ptmx before
 * the point of no return: the settings, the window size, packet mode and
 * the slave lock as they were. The slave is
 * opened from its master (TIOCGPTPEER), not by a path: the host picks the
 * pty's number, so its /dev/pts/N name changes, and a name the program
 * stored (ptsname) is stale. A slave that was closed everywhere is opened
 * once and closed again, which leaves the master reading EIO as before.
 */
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "fds/fds.h"
#include "print.h"
#include "sys.h"
#include "tty/tty.h"

static const struct fz_pty *pty_record(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_pty *p = rec_data(r);
		if (r->type == FZ_REC_PTY && p->id == id)
			return p;
	}
	die("image is damaged: a pty fd names a pty it lacks");
}

static void set_termios(int fd, const struct fz_termios *rec, const struct fz_pty *p)
{
	struct termios t;
	long ret;

	_Static_assert(sizeof(t) == sizeof(*rec), "kernel termios layout");
	__builtin_memcpy(&t, rec, sizeof(t));
	ret = sys_ioctl(fd, TCSETS, &t);
	if (ret < 0)
		die("cannot set the settings of a new pty (was pty %lu): %s",
		    (unsigned long)p->id, errname(ret));
}

static void set_lock(int master, int lock, const struct fz_pty *p)
{
	long ret = sys_ioctl(master, TIOCSPTLCK, &lock);

	if (ret < 0)
		die("cannot %slock a new pty (was pty %lu): %s", lock ? "" : "un",
		    (unsigned long)p->id, errname(ret));
}

static int open_ptmx(int flags)
{
	long fd = sys_open("/dev/ptmx", flags, 0);

	if (fd == -ENOENT)
		fd = sys_open("/dev/pts/ptmx", flags, 0);
	return (int)fd;
}

/* A slave of the pty whose master is fd master, with open flags `flags`. */
static int open_slave(int master, uint32_t flags, const struct fz_pty *p)
{
	long fd = sys_ioctl(master, TIOCGPTPEER,
			    (void *)(long)((flags & (O_ACCMODE | O_NONBLOCK)) |
					   O_NOCTTY | O_CLOEXEC));

	if (fd < 0)
		die("cannot open the slave of a new pty (was pty %lu): %s",
		    (unsigned long)p->id, errname(fd));
	return (int)fd;
}

int prepare_pty_master(const struct stub *st, const struct fz_fd *f)
{
	const struct fz_pty *p = pty_record(st, f->object_id);
	struct { uint16_t row, col, xpixel, ypixel; } ws =  /* struct winsize */
		{ p->rows, p->cols, p->xpixel, p->ypixel };
	int packet = !!(p->flags & FZ_PTYF_PACKET);
	int fd = open_ptmx((int)(f->flags & (O_ACCMODE | O_NONBLOCK)) | O_NOCTTY);
	long ret;

	if (fd < 0)
		die("fd %d: cannot open /dev/ptmx for a new pty (was pty %lu): %s",
		    f->fd, (unsigned long)p->id, errname(fd));
	set_lock(fd, 0, p);
	set_termios(fd, &p->termios, p);  /* on the master, they are the slave's */
	if ((ret = sys_ioctl(fd, TIOCSWINSZ, &ws)) < 0 ||
	    (ret = sys_ioctl(fd, TIOCPKT, &packet)) < 0)
		die("cannot set up a new pty (was pty %lu): %s",
		    (unsigned long)p->id, errname(ret));
	if (p->flags & FZ_PTYF_SLAVE_CLOSED)
		sys_close(open_slave(fd, O_RDWR, p));
	if ((p->flags & FZ_PTYF_LOCKED) && (p->flags & FZ_PTYF_SLAVE_CLOSED))
		set_lock(fd, 1, p);
	return lift_fd(st, fd);
}

void prepare_pty_slaves(struct stub *st)
{
	for (unsigned i = 0; i < st->nfds; i++) {
		const struct fz_fd *f = st->fds[i].rec;
		const struct prepared_fd *m;
		const struct fz_pty *p;
		if (f->kind != FZ_FD_PTY_SLAVE)
			continue;
		p = pty_record(st, f->object_id);
		m = find_prepared(st, p->master_fd);
		if (!m || m->rec->kind != FZ_FD_PTY_MASTER || m->tmp < 0)
			die("image is damaged: fd %d is a pty slave without its master",
			    f->fd);
		st->fds[i].tmp = lift_fd(st, open_slave(m->tmp, f->flags, p));
	}
	/* Locked after its slaves were opened, as it must have been. */
	for (unsigned i = 0; i < st->nfds; i++) {
		const struct fz_fd *f = st->fds[i].rec;
		const struct fz_pty *p;
		if (f->kind != FZ_FD_PTY_MASTER)
			continue;
		p = pty_record(st, f->object_id);
		if ((p->flags & FZ_PTYF_LOCKED) && !(p->flags & FZ_PTYF_SLAVE_CLOSED))
			set_lock(st->fds[i].tmp, 1, p);
	}
}
