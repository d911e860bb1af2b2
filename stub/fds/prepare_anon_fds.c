/*
 * New eventfd, timerfd, signalfd, inotify and epoll instances with the
 * state freeze recorded, made before the point of no return and lifted
 * above the process's fd numbers like every prepared fd. An epoll fd is
 * made empty here: its registrations need the fds it watches in their
 * places (restore_epoll.c). A timerfd is made and tried with its settings
 * here, but armed at the end (restore_timerfds.c), so the time the stub
 * takes to restore memory does not eat its time left.
 */
#include <linux/fcntl.h>

#include "fds/fds.h"
#include "fds/sys_anon_fds.h"
#include "print.h"
#include "stub.h"

#define EFD_SEMAPHORE 1

/* The state record of `type` for fd number fd; they all start with it. */
static const void *state_of(const struct stub *st, uint32_t type, int fd)
{
	for_each_record(&st->img, r)
		if (r->type == type && *(const int32_t *)rec_data(r) == fd)
			return rec_data(r);
	die("image is damaged: fd %d has no record of its state", fd);
}

static int make_eventfd(const struct stub *st, int fd)
{
	const struct fz_eventfd *e = state_of(st, FZ_REC_EVENTFD, fd);
	long ret = sys_eventfd2(0, e->flags & FZ_EVENTFD_SEMAPHORE ? EFD_SEMAPHORE : 0);

	/* The initial value is 32-bit; a write adds all 64 bits. */
	if (ret >= 0 && e->count && sys_write((int)ret, &e->count, 8) != 8)
		die("fd %d: cannot set the eventfd's counter to %lu", fd,
		    (unsigned long)e->count);
	return (int)ret;
}

static int make_timerfd(const struct stub *st, int fd)
{
	const struct fz_timerfd *t = state_of(st, FZ_REC_TIMERFD, fd);
	static const int64_t off[4];
	long tfd = sys_timerfd_create(t->clock, 0), ret;

	if (tfd < 0)
		die("fd %d: cannot create a timerfd on clock %d: %s", fd, t->clock,
		    errname(tfd));
	/* Refused settings stop the resume here; the real arming comes last. */
	ret = arm_timerfd((int)tfd, t);
	if (ret < 0)
		die("fd %d: cannot set the timerfd: %s", fd, errname(ret));
	sys_timerfd_settime((int)tfd, 0, off);
	return (int)tfd;
}

static int make_signalfd(const struct stub *st, int fd)
{
	const struct fz_signalfd *s = state_of(st, FZ_REC_SIGNALFD, fd);

	return (int)sys_signalfd4(&s->mask, 0);
}

int prepare_anon_fd(const struct stub *st, const struct fz_fd *f)
{
	static const char *const names[] = {
		[FZ_FD_EVENTFD] = "an eventfd", [FZ_FD_TIMERFD] = "a timerfd",
		[FZ_FD_SIGNALFD] = "a signalfd", [FZ_FD_INOTIFY] = "an inotify fd",
		[FZ_FD_EPOLL] = "an epoll fd",
	};
	long fd;

	switch (f->kind) {
	case FZ_FD_EVENTFD: fd = make_eventfd(st, f->fd); break;
	case FZ_FD_TIMERFD: fd = make_timerfd(st, f->fd); break;
	case FZ_FD_SIGNALFD: fd = make_signalfd(st, f->fd); break;
	case FZ_FD_INOTIFY: fd = prepare_inotify(st, f->fd); break;
	default: fd = sys_epoll_create1(0); break;
	}
	if (fd < 0)
		die("fd %d: cannot create %s: %s", f->fd, names[f->kind], errname(fd));
	sys_fcntl((int)fd, F_SETFL, f->flags & O_NONBLOCK);
	fd = lift_fd(st, (int)fd);
	if (fd < 0)
		die("fd %d: cannot keep %s open: %s", f->fd, names[f->kind], errname(fd));
	return (int)fd;
}
