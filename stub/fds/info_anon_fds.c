/* --info (and --json): what an eventfd, timerfd, signalfd, inotify or epoll fd holds. */
#include "fds/fds.h"
#include "json.h"
#include "print.h"
#include "stub.h"

static void print_state(const struct fz_record *r)
{
	const void *d = rec_data(r);

	switch (r->type) {
	case FZ_REC_EVENTFD: {
		const struct fz_eventfd *e = d;
		out(1, "    counter %lu%s\n", (unsigned long)e->count,
		    e->flags & FZ_EVENTFD_SEMAPHORE ? ", semaphore mode" : "");
		break;
	}
	case FZ_REC_TIMERFD: {
		const struct fz_timerfd *t = d;
		out(1, "    clock %d, %s %ld ms, interval %ld ms, "
		       "%lu expirations unread%s\n", t->clock,
		    t->settime_flags & 1 ? "deadline at" : "left",
		    (long)(t->value_sec * 1000 + t->value_nsec / 1000000),
		    (long)(t->interval_sec * 1000 + t->interval_nsec / 1000000),
		    (unsigned long)t->ticks,
		    t->settime_flags & 2 ? ", cancelled if the clock is set" : "");
		break;
	}
	case FZ_REC_SIGNALFD:
		out(1, "    signals %lx\n", (unsigned long)((const struct fz_signalfd *)d)->mask);
		break;
	case FZ_REC_INOTIFY_WATCH: {
		const struct fz_inotify_watch *w = d;
		out(1, "    watch %d: %s, mask %x\n", w->wd, (const char *)(w + 1), w->mask);
		break;
	}
	case FZ_REC_EPOLL_TARGET: {
		const struct fz_epoll_target *e = d;
		out(1, "    fd %d: events %x, data %lx", e->tfd, e->events,
		    (unsigned long)e->data);
		if (e->holder != e->tfd)
			out(1, " (its file is fd %d's now)", e->holder);
		out(1, "\n");
		break;
	}
	}
}

void print_anon_fd_state(const struct stub *st, const struct fz_fd *f)
{
	if (f->kind < FZ_FD_EVENTFD || f->kind > FZ_FD_EPOLL)
		return;
	for_each_record(&st->img, r)
		if (r->type >= FZ_REC_EVENTFD && r->type <= FZ_REC_EPOLL_TARGET &&
		    *(const int32_t *)rec_data(r) == f->fd)
			print_state(r);
}

/* --json: the same state as members of the fd's object. */
static void json_state(const struct fz_record *r)
{
	const void *d = rec_data(r);

	switch (r->type) {
	case FZ_REC_EVENTFD: {
		const struct fz_eventfd *e = d;
		json_u64("counter", e->count);
		json_bool("semaphore", e->flags & FZ_EVENTFD_SEMAPHORE);
		break;
	}
	case FZ_REC_TIMERFD: {
		const struct fz_timerfd *t = d;
		json_i64("clock", t->clock);
		json_bool("absolute", t->settime_flags & 1);
		json_i64("value_ns", t->value_sec * 1000000000 + t->value_nsec);
		json_i64("interval_ns", t->interval_sec * 1000000000 + t->interval_nsec);
		json_u64("expirations", t->ticks);
		json_bool("cancel_on_set", t->settime_flags & 2);
		break;
	}
	case FZ_REC_SIGNALFD:
		json_hex("signals", ((const struct fz_signalfd *)d)->mask);
		break;
	}
}

static void json_list(const struct stub *st, const struct fz_fd *f, uint32_t type)
{
	json_arr(type == FZ_REC_INOTIFY_WATCH ? "watches" : "targets");
	for_each_record(&st->img, r) {
		const struct fz_inotify_watch *w = rec_data(r);
		const struct fz_epoll_target *e = rec_data(r);
		if (r->type != type || *(const int32_t *)rec_data(r) != f->fd)
			continue;
		json_obj(0);
		if (type == FZ_REC_INOTIFY_WATCH) {
			json_i64("wd", w->wd);
			json_str("path", (const char *)(w + 1));
			json_hex("mask", w->mask);
		} else {
			json_i64("fd", e->tfd);
			json_hex("events", e->events);
			json_hex("data", e->data);
			json_i64("holder", e->holder);
		}
		json_end();
	}
	json_end();
}

void json_anon_fd_state(const struct stub *st, const struct fz_fd *f)
{
	if (f->kind == FZ_FD_INOTIFY)
		json_list(st, f, FZ_REC_INOTIFY_WATCH);
	else if (f->kind == FZ_FD_EPOLL)
		json_list(st, f, FZ_REC_EPOLL_TARGET);
	if (f->kind < FZ_FD_EVENTFD || f->kind > FZ_FD_SIGNALFD)
		return;
	for_each_record(&st->img, r)
		if (r->type >= FZ_REC_EVENTFD && r->type <= FZ_REC_SIGNALFD &&
		    *(const int32_t *)rec_data(r) == f->fd)
			json_state(r);
}
