/*
 * Verification of the state records of eventfd, timerfd, signalfd, inotify
 * and epoll fds (image_read.c checked their sizes already, except the
 * inotify watch's, which carries a path).
 */
#include "image/image_read.h"

#define EBADMSG 74
#define NSEC 1000000000

static int bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

static int check_watch(const struct fz_record *r, const char **why)
{
	const struct fz_inotify_watch *w = rec_data(r);
	const char *path = (const char *)(w + 1);

	if (r->size < sizeof(*w) || w->path_len != r->size - sizeof(*w) ||
	    w->path_len < 2 || path[0] != '/' || path[w->path_len - 1] ||
	    w->fd < 0 || w->wd <= 0)
		return bad(why, "bad inotify watch record");
	return 0;
}

int check_anon_fd_record(const struct fz_record *r, const char **why)
{
	const void *d = rec_data(r);

	switch (r->type) {
	case FZ_REC_EVENTFD: {
		const struct fz_eventfd *e = d;
		if (e->fd < 0 || e->count == ~0ULL || e->flags & ~FZ_EVENTFD_SEMAPHORE)
			return bad(why, "bad eventfd record");
		return 0;
	}
	case FZ_REC_TIMERFD: {
		const struct fz_timerfd *t = d;
		if (t->fd < 0 || t->interval_sec < 0 || t->value_sec < 0 ||
		    t->interval_nsec < 0 || t->interval_nsec >= NSEC ||
		    t->value_nsec < 0 || t->value_nsec >= NSEC)
			return bad(why, "bad timerfd record");
		return 0;
	}
	case FZ_REC_SIGNALFD:
		return ((const struct fz_signalfd *)d)->fd < 0 ?
			       bad(why, "bad signalfd record") : 0;
	case FZ_REC_INOTIFY_WATCH:
		return check_watch(r, why);
	case FZ_REC_EPOLL_TARGET: {
		const struct fz_epoll_target *e = d;
		if (e->fd < 0 || e->tfd < 0 || e->holder < 0)
			return bad(why, "bad epoll registration record");
		return 0;
	}
	}
	return 0;
}
