/*
 * fds on anonymous inodes that hold state freeze can read and the stub can
 * rebuild: eventfd, timerfd, signalfd, inotify, epoll. Their state comes
 * from /proc/PID/fdinfo/N (and, for timerfd, from a copy of the fd); each
 * becomes a record naming the fd's number. An fd that shares its open file
 * with an earlier one is a DUP already and has no state of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fds/anon_fds.h"
#include "fds/fds.h"
#include "image/image_writer.h"

static const struct {
	const char *link;
	uint32_t kind;
} anon_kinds[] = {
	{ "anon_inode:[eventfd]", FZ_FD_EVENTFD },
	{ "anon_inode:[timerfd]", FZ_FD_TIMERFD },
	{ "anon_inode:[signalfd]", FZ_FD_SIGNALFD },
	{ "anon_inode:inotify", FZ_FD_INOTIFY },
	{ "anon_inode:[eventpoll]", FZ_FD_EPOLL },
};

uint32_t anon_fd_kind(const char *link)
{
	for (size_t i = 0; i < sizeof(anon_kinds) / sizeof(*anon_kinds); i++)
		if (!strcmp(link, anon_kinds[i].link))
			return anon_kinds[i].kind;
	return 0;
}

FILE *fdinfo_open(pid_t pid, int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	return fopen(path, "re");
}

int fdinfo_field(FILE *f, const char *key, int base, uint64_t *value)
{
	char line[256];
	size_t n = strlen(key);

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n)) {
			*value = strtoull(line + n, NULL, base);
			return 0;
		}
	}
	return -ENOENT;
}

/* fdinfo prints "eventfd-count: %16llx". */
static int collect_eventfd(struct target *t, int fd, FILE *info)
{
	struct fz_eventfd e = { .fd = fd };
	uint64_t sem = 0;
	int err = fdinfo_field(info, "eventfd-count:", 16, &e.count);

	if (!err)
		err = fdinfo_field(info, "eventfd-semaphore:", 10, &sem);
	if (err)
		return fail(err, "process %d: fd %d: reading the eventfd's counter",
			    (int)t->pid, fd);
	e.flags = sem ? FZ_EVENTFD_SEMAPHORE : 0;
	return append_item(&t->anon->eventfds, &t->anon->neventfds, sizeof(e), &e);
}

/* fdinfo prints the mask of signals read as "sigmask:\t%016llx". */
static int collect_signalfd(struct target *t, int fd, FILE *info)
{
	struct fz_signalfd s = { .fd = fd };
	int err = fdinfo_field(info, "sigmask:", 16, &s.mask);

	if (err)
		return fail(err, "process %d: fd %d: reading the signalfd's mask",
			    (int)t->pid, fd);
	return append_item(&t->anon->signalfds, &t->anon->nsignalfds, sizeof(s), &s);
}

static int collect_one(struct target *t, const struct fz_fd *f)
{
	FILE *info = fdinfo_open(t->pid, f->fd);
	int err;

	if (!info)
		return fail(-errno, "process %d: fd %d: reading its fdinfo",
			    (int)t->pid, f->fd);
	switch (f->kind) {
	case FZ_FD_EVENTFD: err = collect_eventfd(t, f->fd, info); break;
	case FZ_FD_TIMERFD: err = collect_timerfd(t, f->fd, info); break;
	case FZ_FD_SIGNALFD: err = collect_signalfd(t, f->fd, info); break;
	case FZ_FD_INOTIFY: err = collect_inotify(t, f->fd, info); break;
	case FZ_FD_EPOLL: err = collect_epoll(t, f->fd, info); break;
	default: err = 0; break;
	}
	fclose(info);
	if (err == -ENOMEM)
		return fail(err, "collecting fds");
	return err;
}

int collect_anon_fds(struct target *t)
{
	t->anon = calloc(1, sizeof(*t->anon));
	if (!t->anon)
		return fail(-ENOMEM, "collecting fds");
	for (size_t i = 0; i < t->nfds; i++) {
		const struct fz_fd *f = &t->fds[i].rec;
		int err;
		if (f->kind < FZ_FD_EVENTFD || f->kind > FZ_FD_EPOLL)
			continue;
		if ((err = collect_one(t, f)))
			return err;
	}
	return 0;
}

static int write_watches(const struct anon_fds *a, struct image_writer *w)
{
	int err = 0;

	for (size_t i = 0; !err && i < a->nwatches; i++) {
		struct fz_inotify_watch rec = a->watches[i].rec;
		rec.path_len = (uint32_t)strlen(a->watches[i].path) + 1;
		err = iw_record(w, FZ_REC_INOTIFY_WATCH, &rec, sizeof(rec),
				a->watches[i].path, rec.path_len);
	}
	return err;
}

int write_anon_fds(const struct target *t, struct image_writer *w)
{
	const struct anon_fds *a = t->anon;
	int err = 0;

	if (!a)
		return 0;
	for (size_t i = 0; !err && i < a->neventfds; i++)
		err = iw_record(w, FZ_REC_EVENTFD, &a->eventfds[i],
				sizeof(a->eventfds[i]), NULL, 0);
	for (size_t i = 0; !err && i < a->ntimerfds; i++)
		err = iw_record(w, FZ_REC_TIMERFD, &a->timerfds[i],
				sizeof(a->timerfds[i]), NULL, 0);
	for (size_t i = 0; !err && i < a->nsignalfds; i++)
		err = iw_record(w, FZ_REC_SIGNALFD, &a->signalfds[i],
				sizeof(a->signalfds[i]), NULL, 0);
	err = err ? err : write_watches(a, w);
	for (size_t i = 0; !err && i < a->nepoll; i++)
		err = iw_record(w, FZ_REC_EPOLL_TARGET, &a->epoll[i],
				sizeof(a->epoll[i]), NULL, 0);
	return err;
}
