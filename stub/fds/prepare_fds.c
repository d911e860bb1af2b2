/*
 * Every fd of the process, opened while failing is still harmless: pipes,
 * shared memory and sockets first (fds name them), then each FD record by
 * its kind. The fds are kept above every number the process uses, so
 * placing them later (restore_fds.c) overwrites nothing still needed.
 */

#include <linux/errno.h>

#include "fds/fds.h"
#include "fds/sys_anon_fds.h"
#include "lib.h"
#include "mm/mm.h"
#include "net/net.h"
#include "print.h"
#include "sys.h"
#include "tty/tty.h"

int highest_image_fd(const struct stub *st)
{
	int max = 2;

	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_FD && f->fd > max)
			max = f->fd;
	}
	return max;
}

int lift_fd(const struct stub *st, int fd)
{
	long high = sys_fcntl(fd, F_DUPFD_CLOEXEC, st->max_fd + 1);

	sys_close(fd);
	return (int)high;
}

int open_lifted(const struct stub *st, const char *path, int flags)
{
	long fd = sys_open(path, flags, 0);

	if (fd < 0)
		return (int)fd;
	return lift_fd(st, (int)fd);
}

const struct prepared_fd *find_prepared(const struct stub *st, int fd)
{
	for (unsigned i = 0; i < st->nfds; i++)
		if (st->fds[i].rec->fd == fd)
			return &st->fds[i];
	return 0;
}

static int is_device(const char *path)
{
	return !memcmp(path, "/dev/", 5);
}

/*
 * A device such as /dev/null that this host (or chroot) lacks: a standard
 * stream falls back to the resumer's own, any other fd stays closed.
 */
static int missing_device(const struct fz_fd *f, const char *path, int err)
{
	if (f->fd <= 2) {
		warn("fd %d: cannot open %s (%s); using this terminal's fd %d",
		     f->fd, path, errname(err), f->fd);
		return INHERIT_FD;
	}
	warn("fd %d: cannot open %s (%s); it stays closed", f->fd, path,
	     errname(err));
	return -1;
}

/*
 * A device or a /proc/self file, opened again at its path and position. A
 * missing portable device is not fatal (missing_device); a /proc file or
 * another character device (a console, a terminal) is.
 */
static int reopen(const struct stub *st, const struct fz_fd *f)
{
	const char *path = (const char *)(f + 1);
	int flags = (int)(f->flags & REOPEN_FLAGS) |
		    (f->kind == FZ_FD_CHARDEV ? O_NOCTTY : 0);
	int fd = open_lifted(st, path, flags);

	if (fd < 0 && f->kind == FZ_FD_DEVICE && is_device(path))
		return missing_device(f, path, fd);
	if (fd < 0)
		die("cannot reopen fd %d (%s): %s%s", f->fd, path, errname(fd),
		    f->kind == FZ_FD_PROC ?
			    " (is /proc mounted?)" :
		    f->kind == FZ_FD_CHARDEV ?
			    " (a device is reopened at its "
			    "path: it must be there, and this user allowed to open it)" :
			    "");
	if (sys_lseek(fd, (long)f->pos, 0 /* SEEK_SET */) < 0 && f->pos != 0)
		die("cannot seek fd %d (%s) to %lu", f->fd, path,
		    (unsigned long)f->pos);
	return fd;
}

/*
 * A pidfd of the process itself: the stub's pid is the resumed process's.
 * PIDFD_NONBLOCK is O_NONBLOCK and PIDFD_THREAD is O_EXCL, so the status
 * flags say how it was opened.
 */
static int own_pidfd(const struct stub *st, const struct fz_fd *f)
{
	long fd = sys_pidfd_open(sys_getpid(), f->flags & (O_NONBLOCK | O_EXCL));

	if (fd < 0)
		die("fd %d: cannot open a pidfd of the resumed process: %s%s", f->fd,
		    errname(fd),
		    fd == -EINVAL && (f->flags & O_EXCL) ?
			    " (a thread's pidfd needs Linux 6.9)" :
			    "");
	return lift_fd(st, (int)fd);
}

static int prepare_one(struct stub *st, const struct fz_fd *f)
{
	switch (f->kind) {
	case FZ_FD_DEVICE:
	case FZ_FD_CHARDEV:
	case FZ_FD_PROC:
		return reopen(st, f);
	case FZ_FD_PIDFD: return own_pidfd(st, f);
	case FZ_FD_PTY_MASTER: return prepare_pty_master(st, f);
	case FZ_FD_PTY_SLAVE: /* prepare_pty_slaves() opens them from their masters */
		return -1;
	case FZ_FD_NULL: {
		int fd = open_lifted(st, "/dev/null", O_RDWR);
		if (fd < 0)
			warn("fd %d: no /dev/null here, left closed", f->fd);
		return fd;
	}
	case FZ_FD_DUP: {
		const struct prepared_fd *of = find_prepared(st, f->dup_of);
		if (!of || of->rec->kind == FZ_FD_DUP || f->dup_of >= f->fd)
			die("image is damaged: fd %d duplicates a missing fd", f->fd);
		return -1;
	}
	case FZ_FD_PIPE:
		return pipe_end(st, f);
	case FZ_FD_REG:  /* prepare_files() opens them once their files exist */
	case FZ_FD_DEAD_PATH: /* prepare_dead_paths() makes their stand-ins */
		return -1;
	case FZ_FD_DIR:
	case FZ_FD_OPATH:
		return prepare_path_fd(st, f);
	case FZ_FD_MEMFD:
		return prepare_memfd_fd(st, f);
	case FZ_FD_EVENTFD: case FZ_FD_TIMERFD: case FZ_FD_SIGNALFD:
	case FZ_FD_INOTIFY: case FZ_FD_EPOLL:
		return prepare_anon_fd(st, f);
	case FZ_FD_TTY:
		return prepare_tty_fd(st, f);
	case FZ_FD_SOCKET:
		return socket_fd(st, f);
	case FZ_FD_INHERIT:
		if (f->fd > 2)
			die("image is damaged: fd %d cannot be inherited", f->fd);
		return -1;
	}
	die("image is damaged: fd %d has unknown kind %u", f->fd, f->kind);
}

void prepare_fds(struct stub *st)
{
	st->max_fd = highest_image_fd(st);
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_PIPE)
			prepare_pipe(st, rec_data(r));
	prepare_shmem(st);
	prepare_sockets(st);
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD)
			continue;
		st->fds[st->nfds].rec = f;
		st->fds[st->nfds].tmp = prepare_one(st, f);
		st->nfds++;
	}
	prepare_pty_slaves(st);
	prepare_dead_paths(st);
}
