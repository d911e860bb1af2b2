/*
 * An epoll fd's registrations. The kernel keys each by (open file, fd
 * number at registration), and fdinfo lists them as "tfd: N events: X
 * data: D". A registration outlives its fd number: the process may have
 * closed N (another fd still holding the file) or reused N for another
 * file. kcmp(KCMP_EPOLL_TFD) compares a registration's file with an fd of
 * the process; it tells which fd holds each registered file now, and the
 * stub rebuilds the registration through that fd under the old number.
 * A file no fd of the process holds any more cannot be registered again:
 * freeze refuses.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fds/anon_fds.h"

static bool same_file(pid_t pid, int fd, const struct kcmp_epoll_slot *slot)
{
	return syscall(SYS_kcmp, pid, pid, KCMP_EPOLL_TFD, fd, slot) == 0;
}

/* The fd of the process whose file is registered at slot, or -1. */
static int find_holder(const struct target *t, const struct kcmp_epoll_slot *slot)
{
	if (same_file(t->pid, (int)slot->tfd, slot))
		return (int)slot->tfd;
	for (size_t i = 0; i < t->nfds; i++)
		if (t->fds[i].rec.fd != (int)slot->tfd &&
		    same_file(t->pid, t->fds[i].rec.fd, slot))
			return t->fds[i].rec.fd;
	return -1;
}

static const struct fd_entry *fd_of(const struct target *t, int fd)
{
	for (size_t i = 0; i < t->nfds; i++)
		if (t->fds[i].rec.fd == fd)
			return &t->fds[i];
	return NULL;
}

/* How many registrations before `i` have its tfd: kcmp's `toff`. */
static uint32_t tfd_offset(const struct fz_epoll_target *e, size_t first, size_t i)
{
	uint32_t n = 0;

	for (size_t j = first; j < i; j++)
		n += e[j].tfd == e[i].tfd;
	return n;
}

/* Find the fd holding registration i's file; -1 in holder drops it. */
static int resolve(struct target *t, size_t first, size_t i)
{
	struct fz_epoll_target *e = &t->anon->epoll[i];
	struct kcmp_epoll_slot slot = { .efd = (uint32_t)e->fd, .tfd = (uint32_t)e->tfd,
					.toff = tfd_offset(t->anon->epoll, first, i) };
	const struct fd_entry *h;

	e->holder = find_holder(t, &slot);
	if (e->holder < 0)
		return fail(-ENOTSUP, "process %d: epoll fd %d watches a file registered "
			    "as fd %d that the process no longer holds: cannot restore it",
			    (int)t->pid, e->fd, e->tfd);
	h = fd_of(t, e->holder);
	if (h && h->rec.kind == FZ_FD_NULL) {
		warning("epoll fd %d: fd %d will be /dev/null: it is not watched after resume",
			e->fd, e->holder);
		e->holder = -1;
	}
	return 0;
}

static int read_targets(struct target *t, int fd, FILE *info)
{
	char line[256];
	int err = 0;

	rewind(info);
	while (!err && fgets(line, sizeof(line), info)) {
		struct fz_epoll_target e = { .fd = fd };
		unsigned long long data;
		if (sscanf(line, "tfd: %d events: %x data: %llx", &e.tfd, &e.events,
			   &data) != 3)
			continue;
		e.data = data;
		err = append_item(&t->anon->epoll, &t->anon->nepoll, sizeof(e), &e);
	}
	return err;
}

int collect_epoll(struct target *t, int fd, FILE *info)
{
	size_t first = t->anon->nepoll, kept = first;
	int err = read_targets(t, fd, info);

	for (size_t i = first; !err && i < t->anon->nepoll; i++)
		err = resolve(t, first, i);
	for (size_t i = first; !err && i < t->anon->nepoll; i++)
		if (t->anon->epoll[i].holder >= 0)
			t->anon->epoll[kept++] = t->anon->epoll[i];
	if (!err)
		t->anon->nepoll = kept;
	return err;
}
