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
 * Every fd from `from` up, but those the exit still needs: the exit
 * cleaner's pipes, which the leader still talks to
 * (task/restore_exit_cleaner.c closes them), and the executable the
 * trampoline makes /proc/self/exe again (it closes it).
 */
static void close_from(const struct stub *st, unsigned from)
{
	int keep[3] = { -1, -1, st->exe_fd };
	unsigned n = sizeof(keep) / sizeof(keep[0]);

	if (st->cleaner.pid) {
		keep[0] = st->cleaner.to;
		keep[1] = st->cleaner.from;
	}
	for (unsigned i = 0; i < n; i++)        /* ascending; -1 first */
		for (unsigned j = i + 1; j < n; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	for (unsigned i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from)
			sys_close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
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
