/*
 * epoll registrations, made once every fd is in its place: the kernel
 * keys a registration by (file, fd number), so the file must be at the
 * registered number when it is added. A registration whose number the
 * process closed or reused since (freeze named another fd, the holder,
 * that has the file now) is made by putting the holder's file at that
 * number for a moment; the registration stays when the number gets back
 * what it had, as in the original process.
 *
 * What a new registration cannot be exactly like: an edge-triggered fd
 * that is ready is reported once more; an EPOLLONESHOT registration that
 * fired already is armed again for EPOLLERR and EPOLLHUP (the kernel adds
 * them to every registration); EPOLLWAKEUP needs CAP_BLOCK_SUSPEND here.
 *
 * The image's checks (stub/image/verify_links.c) refused one whose
 * registrations name fds it lacks; here a registration the kernel refuses
 * (a watched fd that could not be reopened) is lost with a warning.
 */
#include <linux/eventpoll.h>

#include "fds/fds.h"
#include "fds/sys_anon_fds.h"
#include "print.h"

/*
 * Register the holder's file under number tfd, then give tfd back. The
 * epoll fd is used through a copy: tfd may be one of its own numbers now.
 */
static long add_through_holder(const struct stub *st, const struct fz_epoll_target *e,
			       const struct epoll_event *ev)
{
	/* Copies above tfd too: it may be above every fd the process has. */
	long spare = (e->tfd > st->max_fd ? e->tfd : st->max_fd) + 1;
	long ep = sys_fcntl(e->fd, F_DUPFD_CLOEXEC, spare);
	long saved = sys_fcntl(e->tfd, F_DUPFD_CLOEXEC, spare);
	long fdflags = sys_fcntl(e->tfd, F_GETFD, 0);
	long ret = ep < 0 ? ep : sys_dup3(e->holder, e->tfd, 0);

	if (ret >= 0)
		ret = sys_epoll_ctl((int)ep, EPOLL_CTL_ADD, e->tfd, ev);
	if (saved >= 0) {
		sys_dup3((int)saved, e->tfd, fdflags > 0 ? O_CLOEXEC : 0);
		sys_close((int)saved);
	} else {
		sys_close(e->tfd);
	}
	if (ep >= 0)
		sys_close((int)ep);
	return ret;
}

void restore_epoll(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_epoll_target *e = rec_data(r);
		struct epoll_event ev;
		long ret;
		if (r->type != FZ_REC_EPOLL_TARGET)
			continue;
		ev.events = e->events;
		ev.data = e->data;
		if (e->holder == e->tfd)
			ret = sys_epoll_ctl(e->fd, EPOLL_CTL_ADD, e->tfd, &ev);
		else
			ret = add_through_holder(st, e, &ev);
		if (ret < 0)
			warn("epoll fd %d: fd %d is not watched any more: %s", e->fd,
			     e->tfd, errname(ret));
	}
}
