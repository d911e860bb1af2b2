/*
 * Putting the prepared fds at their numbers. The prepared copies all sit
 * above the highest number the process uses, so each dup3 below lands on a
 * number nothing else needs any more.
 */
#include <linux/fcntl.h>

#include "fds/fds.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

static void place_one(const struct prepared_fd *p)
{
	const struct fz_fd *f = p->rec;
	int flags = f->cloexec ? O_CLOEXEC : 0;
	long ret;

	if (f->kind == FZ_FD_INHERIT || p->tmp == INHERIT_FD) {
		sys_fcntl(f->fd, F_SETFD, f->cloexec ? FD_CLOEXEC : 0);
		return;
	}
	if (f->kind == FZ_FD_DUP) {
		/* Its original is placed already (dup_of < fd), unless it was lost. */
		if (sys_dup3(f->dup_of, f->fd, flags) < 0)
			warn("fd %d stays closed: fd %d it shared is missing",
			     f->fd, f->dup_of);
		return;
	}
	if (p->tmp < 0)
		return;  /* prepare_fds warned already */
	ret = sys_dup3(p->tmp, f->fd, flags);
	if (ret < 0)
		die_lost("cannot place fd %d: %s", f->fd, errname(ret));
}

void place_fds(const struct stub *st)
{
	for (unsigned i = 0; i < st->nfds; i++)
		place_one(&st->fds[i]);
	for (int fd = 0; fd <= st->max_fd; fd++)
		if (!find_prepared(st, fd))
			sys_close(fd);
	/* The prepared copies, and anything the resumer's shell passed on. */
	sys_close_range((unsigned)st->max_fd + 1, ~0U, 0);
}
