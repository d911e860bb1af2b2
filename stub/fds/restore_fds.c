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

/*
 * Every fd from `from` up, but the exit cleaner's pipes: the leader still
 * talks to it (task/restore_exit_cleaner.c closes them).
 */
static void close_from(const struct stub *st, unsigned from)
{
	unsigned keep[2] = { (unsigned)st->cleaner.to, (unsigned)st->cleaner.from };

	if (!st->cleaner.pid) {
		sys_close_range(from, ~0U, 0);
		return;
	}
	if (keep[0] > keep[1]) {
		keep[0] = keep[1];
		keep[1] = (unsigned)st->cleaner.to;
	}
	for (int i = 0; i < 2; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			sys_close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	sys_close_range(from, ~0U, 0);
}

void place_fds(const struct stub *st)
{
	for (unsigned i = 0; i < st->nfds; i++)
		place_one(&st->fds[i]);
	for (int fd = 0; fd <= st->max_fd; fd++)
		if (!find_prepared(st, fd))
			sys_close(fd);
	/* The prepared copies, and anything the resumer's shell passed on. */
	close_from(st, (unsigned)st->max_fd + 1);
}
