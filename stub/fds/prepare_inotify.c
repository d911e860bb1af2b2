/*
 * An inotify fd with its watches, each on the path freeze found for it and
 * under its old number: the process compares the numbers events carry with
 * those inotify_add_watch() gave it. The kernel hands out numbers in
 * increasing order, so watches are added in increasing wd order and a
 * number below the one wanted is used up by removing the watch and adding
 * it again. Removing queues an IN_IGNORED event: the queue is emptied at
 * the end, before the process can read it.
 *
 * A path that is gone at resume loses its watch, with a warning: the
 * process then gets no events for it, as if it had been deleted.
 */
#include <linux/fcntl.h>
#include <linux/inotify.h>

#include "fds/fds.h"
#include "fds/sys_anon_fds.h"
#include "print.h"
#include "stub.h"

#define EEXIST 17
#define MAX_SKIPPED_WDS (1 << 24)

static void warn_lost(int fd, const struct fz_inotify_watch *w, const char *why)
{
	warn("inotify fd %d: watch %d on %s is lost: %s", fd, w->wd,
	     (const char *)(w + 1), why);
}

static void add_watch(int ifd, int fd, const struct fz_inotify_watch *w)
{
	/* The exact inode freeze found, never merged into another watch. */
	uint32_t mask = w->mask | IN_DONT_FOLLOW | IN_MASK_CREATE;

	for (long n = 0; n < MAX_SKIPPED_WDS; n++) {
		long wd = sys_inotify_add_watch(ifd, (const char *)(w + 1), mask);
		if (wd == -EEXIST)
			return warn_lost(fd, w, "it is now the same file as another watch");
		if (wd < 0)
			return warn_lost(fd, w, errname(wd));
		if (wd == w->wd)
			return;
		if (wd > w->wd)
			die("inotify fd %d: watch %s gets number %ld, not %d", fd,
			    (const char *)(w + 1), wd, w->wd);
		sys_inotify_rm_watch(ifd, (int)wd);
	}
	die("inotify fd %d: watch number %d is too high to reach", fd, w->wd);
}

static void drain(int ifd)
{
	char buf[4096];

	while (sys_read(ifd, buf, sizeof(buf)) > 0)
		;
}

int prepare_inotify(const struct stub *st, int fd)
{
	long ifd = sys_inotify_init1(O_NONBLOCK);
	int32_t last = 0;

	if (ifd < 0)
		return (int)ifd;
	for_each_record(&st->img, r) {
		const struct fz_inotify_watch *w = rec_data(r);
		if (r->type != FZ_REC_INOTIFY_WATCH || w->fd != fd)
			continue;
		if (w->wd <= last)
			die("image is damaged: inotify fd %d: watches out of order", fd);
		add_watch((int)ifd, fd, w);
		last = w->wd;
	}
	drain((int)ifd);
	return (int)ifd;
}
