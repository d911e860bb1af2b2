/*
 * Before the point of no return: every epoll registration names fds the
 * image has (a damaged image is refused here, not half-way).
 */
#include "fds/fds.h"
#include "print.h"

void check_epoll_targets(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_epoll_target *e = rec_data(r);
		const struct prepared_fd *ep, *holder;
		if (r->type != FZ_REC_EPOLL_TARGET)
			continue;
		ep = find_prepared(st, e->fd);
		holder = find_prepared(st, e->holder);
		if (!ep || ep->rec->kind != FZ_FD_EPOLL || !holder)
			die("image is damaged: epoll fd %d watches fd %d through a "
			    "missing fd %d", e->fd, e->tfd, e->holder);
	}
}
